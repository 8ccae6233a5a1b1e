"""Why PortOS will not list a port the way portlint sees it, and a form it reads instead.

Each reason says, in words the user can check against the file, which part of PortOS's scan
(:mod:`portlint.model.portos_scan`) drops or relabels the port. Each piece of advice is a form PortOS reads that keeps the other rules clean:
a PORTS reference when PORTS holds the port (never a literal or ``process.env.X || N`` then), the
env key the policy's own example uses (``VITE_PORT`` for a Vite process, else ``PORT``).
"""
from __future__ import annotations

import os
import re

import portlint.model.portos_scan as portos_scan
from portlint.model.advice import say
from portlint.model.portos import PORTOS_ENV_BLOCKS, is_portos_key
from portlint.model.portos_scan import ScannedApp


def reference(config, use, port: int) -> str:
    """How to write this port in a form both PortOS and the DRY rules accept: the PORTS entry
    that holds it (PortOS resolves ``PORTS.KEY`` to plain digits), else the number."""
    entries = [use.entry] if use.entry is not None and port in use.entry.ports else []
    entries += config.ports.by_port(port) if config.ports else []
    for entry in entries:
        if entry.ports == {port} and re.fullmatch(r"PORTS(\.\w+)+", entry.reference):
            return entry.reference
    return str(port)


def env_key_for(process, label: str) -> str:
    """The env key that gives ``label`` for this process in PortOS's labelling (for PM2's static
    server, the one key it reads: PM2_SERVE_PORT, which PortOS lists as pm2Serve)."""
    if process.serve and label in ("ui", "devUi", "api", "", SERVE_LABEL):
        return "PM2_SERVE_PORT"
    text = process.span.text if process.span is not None else ""
    if label in ("ui", "devUi"):
        return "VITE_PORT" if portos_scan.uses_vite(text) else "PORT"
    if label in ("cdp",):
        return "CDP_PORT"
    if label in ("api", "health", ""):
        return "PORT"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", label).upper() + "_PORT"


#: The label PortOS gives PM2_SERVE_PORT (the camel-cased stem of the key).
SERVE_LABEL = "pm2Serve"


def _in_env(config, process, use, port: int) -> str:
    key = env_key_for(process, use.label)
    if len(use.valid_ports) > 1:
        return "PortOS cannot show a port chosen when the file runs; " + say("PL502-no-form")
    if process.serve and key == "PM2_SERVE_PORT":
        return serve_advice(config, process, use, port)
    taken = [u for u in process.uses if u.source in PORTOS_ENV_BLOCKS and u.key == key and u is not use]
    if taken:
        dead = [u for u in taken if not u.effective]
        if dead and len(dead) == len(taken):
            shown = "/".join(map(str, sorted(dead[0].valid_ports))) or dead[0].span.text
            return (f"it lists {dead[0].where} ({shown}) for this process instead, which PM2 never applies "
                    f"({_why_never_applied(process, dead[0])}); write `{key}: {reference(config, use, port)}` there, "
                    "the port the process listens on")
        return f"it lists env.{key} for this process instead, so give both the same port"
    from portlint.model.types import Field

    row = "PL502-port-field" if use.site.field is Field.PORT else "PL502-template-args"
    ref = reference(config, use, port)
    return say(row, env_key=key, reference=ref, its_env=env_object(config, process, key, ref))


def ignored_port_keys(process) -> list:
    """The env ``PORT`` keys of PM2's static server, which it never reads (it listens on
    PM2_SERVE_PORT, else its second argument, else 8080), in the blocks PortOS reads."""
    return [u for u in process.uses if process.serve and u.site.in_env and u.key.upper() == "PORT"
            and not u.in_url and not u.effective]


def serve_reference(config, process, use, port: int) -> str:
    """What to give PM2_SERVE_PORT: the PORTS entry of the port the server listens on; for its
    default port (8080, which nothing in the file says), the PORTS entry its ignored env.PORT names,
    which is where its author meant it to listen; else PORTS.KEY."""
    from portlint.model.types import Field

    if use.site.field is not Field.SCRIPT:
        return reference(config, use, port)
    for ignored in ignored_port_keys(process):
        if ignored.entry is not None and re.fullmatch(r"PORTS(\.\w+)+", ignored.entry.reference):
            return ignored.entry.reference
    return "PORTS.KEY"


def serve_advice(config, process, use, port: int) -> str:
    """Advice for a port of PM2's static server PortOS does not list: PM2_SERVE_PORT, which the
    server reads before its arguments and PortOS lists (as pm2Serve); never PORT, which it ignores."""
    ref = serve_reference(config, process, use, port)
    ignored = [u for u in ignored_port_keys(process) if u.source in PORTOS_ENV_BLOCKS]
    its_env = env_object(config, process, "PM2_SERVE_PORT", ref)
    if ignored:
        shown = "/".join(map(str, sorted(ignored[0].valid_ports))) or ignored[0].span.text
        return (f"PortOS lists {ignored[0].where} ({shown}) for it instead, which PM2's static server never reads; "
                + say("PL502-serve", reference=ref, its_env=f"{its_env} in place of {ignored[0].where}"))
    return say("PL502-serve", reference=ref, its_env=its_env)


def _why_never_applied(process, use) -> str:
    """Why PM2 never applies an env key PortOS reads (the key of ``use``)."""
    if process.serve:
        return "PM2's static server reads PM2_SERVE_PORT or its arguments, never PORT"
    if use.key == "PORT" and any(u.site.block == "port" for u in process.uses):
        return "the `port` field beats env.PORT"
    return "a later block sets it in every environment"


def env_object(config, process, key: str, ref: str) -> str:
    """'its env', or, when the app's ``env`` names an object written elsewhere (``env: uiEnv``), where
    that object is: adding the key there gives it to every app that shares the object."""
    prop = process.value.props.get("env") if hasattr(process.value, "props") else None
    value = prop.value if prop is not None else None
    written = getattr(value, "origin", None) or getattr(value, "span", None)
    named = value.span.text if value is not None and value.span is not None else ""
    if written is None or not re.fullmatch(r"[A-Za-z_$][\w$]*", named) or value.span.contains(written):
        return "its env"  # an object literal of the app's own (a .map() template's too)
    name = named
    row = written.location[0]
    where = f"line {row}" + (f" of {written.path}" if written.path != config.path else "")
    return (f"the object `{name}` its env names ({where}), which every app using `{name}` shares; "
            f"`env: {{ ...{name}, {key}: {ref} }}` keeps it to this app")


def not_in_file(view, process, port: int | None, one: bool = False) -> str:
    """The config is not the file PortOS reads in its folder (``process`` None: say it for all)."""
    if view.read is None:
        return ("PortOS reads only a file named ecosystem.config.js or ecosystem.config.cjs, and this folder has "
                "none; move the apps into ecosystem.config.cjs")
    if os.path.basename(view.path) == "ecosystem.config.cjs":
        why = "ecosystem.config.js sits beside it and PortOS reads that one"
    else:
        why = f"PortOS reads {os.path.basename(view.read)} in this folder, not this file"
    read = os.path.basename(view.read)
    if process is None:
        return f"{why}; list {'its process and port' if one else 'these processes and ports'} in {read}"
    return f"{why}, and that file does not list {process.display_name} on {port}; list it in {read}"


def unlisted(config, view, app: ScannedApp | None, process, use, port: int) -> str:
    """Why PortOS lists no port ``port`` for this process, read from the use PortOS skipped."""
    source = use.source
    if app is not None and use.span.source.path == view.path and not app.start <= use.span.start <= app.end:
        return ("PortOS reads only the text of the app's own `{ name: ... }` object, and this port is "
                "written outside it (a shared object or a spread); write it inside the app")
    if source.startswith("deploy."):
        return f"PortOS does not read {source}; {_in_env(config, process, use, port)}"
    if source in ("node_args", "interpreter_args"):
        return (f"PortOS never reads {source}, so it never lists an inspector port; "
                "mark the line `// noqa: PL502` if that is fine")
    if app is not None and app.stage in ("ports", "ports-ref") and source != "ports":
        return (f"PortOS takes this app's ports object and then reads nothing else; add this port "
                "to the ports object")
    if source == "ports":
        return ("PortOS reads a ports object only as `label: <digits>` entries or as `ports: PORTS.key` naming a "
                f"nested PORTS object; {_in_env(config, process, use, port)}, or make the object a nested PORTS entry")
    if source.startswith("env"):
        return _env_reason(config, view, app, process, use, port)
    if source == "args":
        return _args_reason(config, app, process, use, port)
    if source == "port":
        if app is not None and app.stage != "none" and app.stage != "port":
            return (f"PortOS reads `port:` only when it finds no other port, and it found "
                    f"{_shown(app)}; {_in_env(config, process, use, port)}")
        if app is not None and app.stage == "port":
            return (f"PortOS takes the first `port: <digits>` in the app's block, which is "
                    f"{app.ports.get('api')}; {_in_env(config, process, use, port)}")
        return f"PortOS reads the port field only as plain digits; {_in_env(config, process, use, port)}"
    if source == "script" and process.serve:
        return ("PM2's static server listens on its default port 8080 when neither PM2_SERVE_PORT nor a second "
                f"argument says otherwise, and PortOS lists only ports written in the file; "
                f"{_in_env(config, process, use, port)}")
    if source == "script":
        return f"PortOS reads --port in `args`, not in a script string; {_in_env(config, process, use, port)}"
    return f"PortOS does not read this form; {_in_env(config, process, use, port)}"


def overridden_by_later_env(app, use, port: int) -> bool:
    """PortOS lists the same env key from a later block (env < env_development < env_production).

    Environments are alternatives: the process is in the apps list, with the port of the
    environment PortOS reads last, which is not a port the user lost."""
    block, key = use.source, use.key
    if app is None or block not in PORTOS_ENV_BLOCKS:
        return False
    order = PORTOS_ENV_BLOCKS.index(block)
    return any(r.key == key and r.port and r.port != port and PORTOS_ENV_BLOCKS.index(r.block) > order
               for r in app.env_reads)


def _shown(app: ScannedApp) -> str:
    """What PortOS found for an app, as ``label:port`` (a value that is no number, as the text it read)."""
    from portlint.words import listed

    return listed(f"{label}:{_value_text(app, label)}" for label in portos_scan.js_key_order(app.slots)) or "nothing"


def _value_text(app: ScannedApp, label: str) -> str:
    value = app.slots[label]
    if isinstance(value, int):
        return str(value)
    origin = app.origins[label]
    read = [r.text for r in app.env_reads if r.key == origin.key and r.block == origin.block]
    return f"{read[-1] if read else origin.key} (no number: a nested PORTS object is kept as an object)"


def _env_reason(config, view, app, process, use, port: int) -> str:
    block, key = use.source, use.key
    if block not in PORTOS_ENV_BLOCKS:
        return (f"PortOS reads only the env, env_development and env_production blocks, not {block}; "
                "if PortOS should show this port, give it in one of those; otherwise " + say("PL502-no-form"))
    if not is_portos_key(key):
        return f"PortOS reads only upper-case keys PORT and FOO_PORT, not {key}; rename it {key.upper()}"
    reads = [r for r in (app.env_reads if app else []) if r.key == key]
    mine = [r for r in reads if r.block == block]
    ref = reference(config, use, port)
    if ref == str(port) and config.ports is not None and config.ports.by_port(port):
        # PORTS holds it, under a key PortOS cannot read: a plain number would be PL401's business
        entry = config.ports.by_port(port)[0]
        suggested = re.sub(r"[^A-Za-z0-9]+", "_", entry.key.split(".")[-1]).strip("_").upper() or "PORT"
        return (f"PortOS reads `{key}:` only as digits or a PORTS.KEY it can resolve, and {entry.reference} is not "
                f"one; {say('PL502-entry-key', suggested=suggested, port=port, key=key)}")
    if not mine:
        return f"PortOS does not find `{key}:` in this {block} block; write it as `{key}: {ref}`"
    text = mine[-1].text
    if mine[-1].port is None and len(use.valid_ports) > 1:
        return f"PortOS reads `{text}` as no port; {_in_env(config, process, use, port)}"
    if mine[-1].port is None and re.fullmatch(r"PORTS(\.\w+)+", text) and not _defines_ports(view):
        if _wrapped_here(config):
            return _WRAPPER
        return ("PortOS resolves PORTS.KEY only from a `const PORTS = { ... }` written in the file it reads, "
                "and this file takes PORTS from elsewhere; define PORTS here (other configs can require it from "
                "this file), or mark the line `// noqa: PL502`")
    if mine[-1].port is not None and mine[-1].port != port:
        return (f"PortOS resolves `{text}` to {mine[-1].port}: its PORTS scan reads `key: <digits>` only, so a "
                f"number written another way (a separator, a hex or an expression) is cut or skipped; "
                f"write {port} as plain digits in PORTS")
    if mine[-1].port is None:
        if text[:1] in "'\"" and text[-1:] == text[:1]:
            return f"PortOS skips a quoted number ({text}); {say('PL502-quoted', key=key, reference=ref)}"
        if "//" in text or "/*" in text:
            return ("PortOS reads the value up to the next comma, and here that takes in a comment; "
                    "put a comma right after the value")
        row = "PL502-constant" if computed_from_entry(use) else "PL502-env-default"
        return (f"PortOS reads the value as `{text}`, which is not digits, `... || N` or a PORTS/`*_PORT` constant "
                f"it knows; {say(row, key=key, reference=ref)}")
    later = [r for r in reads if r.port and r.port != port and PORTOS_ENV_BLOCKS.index(r.block) >= PORTOS_ENV_BLOCKS.index(block)]
    if later:
        return (f"PortOS keeps one value per key, the last of env < env_development < env_production: "
                f"{later[-1].block}.{key} ({later[-1].port}); nothing else makes it list this one, so " + say("PL502-no-form"))
    label = portos_scan.camel_label(key)
    if app is not None and label in app.ports and app.ports[label] != port:
        return (f"PortOS names {key} {label!r}, a label this process already has ({label}:{app.ports[label]}), and "
                f"keeps the first; rename the key")
    return "PortOS's labelling drops it"


_WRAPPER = ("PortOS reads PORTS only when it is written as `const PORTS = { ... }`; a wrapper such as "
            "`Object.freeze({ ... })` hides every entry from it; write the object literal itself")


def ports_hidden_by_wrapper(config):
    """Where PORTS is wrapped (``Object.freeze({...})``) so that PortOS reads none of its entries, or
    None: the one place every such port is reported at."""
    from portlint.model.portos import view_of

    if not _wrapped_here(config) or _defines_ports(view_of(config)):
        return None
    binding = config.info.bindings.get("PORTS")
    init = getattr(binding, "init", None)
    if init is None or init.type == "ObjectExpression":
        return None  # a literal whose values are not digits: each port is its own finding
    return config.parsed.span(init)


def is_wrapper_reason(reason: str) -> bool:
    return reason == _WRAPPER


def computed_from_entry(use) -> bool:
    """``PORT: API_PORT`` (or ``cfg.api``) written in env, whose value is exactly a PORTS entry
    (``const API_PORT = PORTS.API``): writing ``PORTS.API`` there keeps the value."""
    from portlint.evaluator.values import Prim

    text = use.span.text if use.span is not None else ""
    return (use.entry is not None and isinstance(use.value, Prim) and not text.startswith("PORTS")
            and re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", text) is not None)


def _wrapped_here(config) -> bool:
    """PORTS is declared in this file, but not as a bare object literal (e.g. ``Object.freeze({...})``)."""
    table = config.ports
    return table is not None and table.name_span is not None and table.name_span.source is config.source


def _defines_ports(view) -> bool:
    """The file PortOS reads has a PORTS object it can read."""
    return any(key.startswith("PORTS.") for key in view.constants)


def _args_reason(config, app, process, use, port: int) -> str:
    from portlint.evaluator.values import Arr, Template

    args = process.value.get("args")
    fix = _in_env(config, process, use, port)
    if app is not None and app.stage not in ("none", "args"):
        return f"PortOS reads --port in args only when it finds no other port, and it found {_shown(app)}; {fix}"
    if isinstance(args, Arr):
        return f"PortOS does not read args given as an array; {fix}"
    raw = args.span.text if args is not None and args.span is not None else ""
    if isinstance(args, Template) and raw.startswith("`"):
        return f"PortOS does not read template-literal args; {fix}"
    if "--port=" in raw:
        return f"PortOS reads `--port N`, not `--port=N`; {fix}"
    return f"PortOS reads only `args: '... --port <digits>'`; {fix}"
