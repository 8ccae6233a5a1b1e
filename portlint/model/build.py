"""Building the model from evaluated values: the PORTS table, each app's port uses (env blocks,
``port``, args, node_args, per-app ``ports``, deploy envs) and their PortOS labels."""
from __future__ import annotations

import re

from portlint.diagnostic import Span
from portlint.evaluator.interpreter import ModuleEvaluator
from portlint.evaluator.values import Arr, EnvVar, Obj, Prim, Template, Unknown, Value, default_text
from portlint.model import pm2
from portlint.model.args import scan_args, serve_port_arg
from portlint.model.kinds import decide_kinds, url_references
from portlint.model.portos import env_label, is_port_key
from portlint.model.portos_scan import dev_ui_label, uses_vite
from portlint.model.types import (Config, Field, Kind, PortsEntry, PortsTable, PortUse, Process, Unresolved,
                                  UseSite)
from portlint.settings.settings import Settings
from portlint.source.parse import Parsed

#: The field each alias of an args field is reported under (its UseSite).
ALIASES = {
    "nodeArgs": "node_args", "interpreterArgs": "interpreter_args", "execMode": "exec_mode",
    "incrementVar": "increment_var",
}
#: The argument fields: PM2 takes one of node_args/interpreter_args/interpreterArgs/nodeArgs.
ARG_FIELDS = ("args", "node_args")


def build_config(parsed: Parsed, evaluator: ModuleEvaluator, settings: Settings) -> Config:
    exports = evaluator.exports()
    unresolved = _Collector()
    ports = _ports_table(evaluator, unresolved)
    apps = _apps_of(exports, unresolved)
    deploy = _deploy_envs(exports, unresolved)
    processes = []
    for index, app in enumerate(apps):
        if not isinstance(app, Obj):
            unknown = app if isinstance(app, Unknown) else Unknown(reason="an app that is not an object", span=app.span)
            unresolved.add(unknown, f"app #{index + 1}")
            continue
        process = _process(app, index, unresolved, settings, deploy)
        for name, env in deploy.items():
            if isinstance(env, Obj):
                _env_uses(process, UseSite(Field.DEPLOY, name), env, settings, unresolved)
        process.mark_effective()
        processes.append(process)
    config = Config(parsed.source.path, parsed, evaluator, exports, ports, processes, unresolved.items, settings,
                    apps_complete=_apps_complete(exports, apps))
    _link_and_label(config)
    decide_kinds(config)
    return config


class _Collector:
    """Collects the unresolved parts while the model is built."""

    def __init__(self) -> None:
        self.items: list[Unresolved] = []

    def add(self, value: Value, context: str, use: PortUse | None = None) -> None:
        self.items.append(Unresolved(value, context, use))

    def parts(self, container: Obj | Arr, context: str) -> None:
        for part in container.unknown_parts:
            self.add(part, f"part of {context}")


def _ports_table(evaluator: ModuleEvaluator, unresolved: _Collector) -> PortsTable | None:
    binding = evaluator.info.bindings.get("PORTS")
    if binding is None:
        return None
    value = evaluator.binding_value("PORTS")
    id_node = binding.node.id if getattr(binding.node, "type", None) == "VariableDeclarator" else None
    name_span = evaluator.parsed.span(id_node) if id_node is not None and id_node.type == "Identifier" else None
    table = PortsTable(name_span, value)
    if isinstance(value, Obj):
        _flatten_ports(value, "", table.entries, unresolved)
    elif isinstance(value, Unknown):
        unresolved.add(value, "PORTS")
    return table


def _flatten_ports(obj: Obj, prefix: str, out: list[PortsEntry], unresolved: _Collector) -> None:
    unresolved.parts(obj, "PORTS" + ("." + prefix.rstrip(".") if prefix else ""))
    for key, prop in obj.props.items():
        dotted = prefix + key
        if isinstance(prop.value, Obj):
            _flatten_ports(prop.value, dotted + ".", out, unresolved)
            continue
        if isinstance(prop.value, Unknown):
            unresolved.add(prop.value, f"PORTS.{dotted}")
        out.append(PortsEntry(dotted, prop.key_span, prop.value, _comment_for(prop)))


_LINE_COMMENT = re.compile(r"^\s*(?://(.*)|/\*(.*?)\*/)")
_CLOSERS = re.compile(r"^[\s,;}\])]*")  # `const PORTS = { API: 5570 }; // api` too


def _comment_for(prop) -> str | None:
    """The comment documenting a PORTS entry: on its line after the value, or on the line above."""
    span = prop.value.span or prop.key_span
    if span is None or prop.key_span is None:
        return None
    source = span.source
    row, _ = source.position(span.end)
    line = source.line(row)
    _, end_col = source.position(span.end)
    rest = line[end_col - 1 :]
    rest = _CLOSERS.sub("", rest)
    m = _LINE_COMMENT.match(rest)
    if m:
        return (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    trailing = _last_comment(rest)  # `{ API: 5586, WS: 5587 }; // ports`: a comment on its line
    if trailing is not None:
        return trailing
    key_row, _ = source.position(prop.key_span.start)
    if key_row > 1:
        above = source.line(key_row - 1).strip()
        m = _LINE_COMMENT.match(above)
        if m and (above.startswith("//") or above.endswith("*/")):
            return (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    return None


def _last_comment(text: str) -> str | None:
    """The text of the last comment in one line of code (strings skipped), or None."""
    found, i, quote = None, 0, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif text.startswith("//", i):
            return text[i + 2:].strip()
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            found = text[i + 2:end if end >= 0 else len(text)].strip()
            i = len(text) if end < 0 else end + 1
        i += 1
    return found


def _apps_of(exports: Value, unresolved: _Collector) -> list[Value]:
    """The app objects of an exported config, in the shapes PM2 accepts."""
    if isinstance(exports, Unknown):
        unresolved.add(exports, "the exported config")
        return []
    if isinstance(exports, Arr):
        unresolved.parts(exports, "the apps list")
        return list(exports.items)
    if not isinstance(exports, Obj):
        return []
    unresolved.parts(exports, "the exported config")
    for key in ("apps", "pm2"):
        apps = exports.get(key)
        if apps is None:
            continue
        if isinstance(apps, Arr):
            unresolved.parts(apps, "the apps list")
            return list(apps.items)
        if isinstance(apps, Obj):
            return [apps]
        if isinstance(apps, Unknown):
            unresolved.add(apps, "the apps list")
        return []
    if "script" in exports.props or "name" in exports.props:
        return [exports]  # a single bare app
    return []


def _apps_complete(exports: Value, apps: list[Value]) -> bool:
    """Every app of the config is known: no unknown part of the apps list, no app that is not known."""
    if isinstance(exports, Unknown) or any(not isinstance(app, Obj) for app in apps):
        return False
    holder = exports
    if isinstance(exports, Obj):
        holder = next((exports.get(k) for k in ("apps", "pm2") if exports.get(k) is not None), exports)
    return not isinstance(holder, (Obj, Arr)) or holder.complete


def _deploy_envs(exports: Value, unresolved: _Collector) -> dict[str, Value]:
    """``deploy.<name>.env`` blocks: PM2 merges them into every app's env under ``--env <name>``."""
    deploy = exports.get("deploy") if isinstance(exports, Obj) else None
    if not isinstance(deploy, Obj):
        return {}
    out: dict[str, Value] = {}
    for name, prop in deploy.props.items():
        target = prop.value
        env = target.get("env") if isinstance(target, Obj) else None
        if isinstance(env, Obj):
            out[name] = env
        elif isinstance(env, Unknown):
            unresolved.add(env, f"deploy.{name}.env")
            out[name] = env
    return out


def _env_uses(process: Process, site: UseSite, env: Value, settings: Settings, unresolved: _Collector) -> None:
    if isinstance(env, Obj):
        unresolved.parts(env, f"{site} of {process.display_name}")
        for env_key, env_prop in env.props.items():
            if is_port_key(env_key, settings.is_connection_key):
                _add_use(process, site, env_key, env_prop.value, settings, unresolved)
        process.uses.extend(url_references(process, site, env, lambda k: is_port_key(k, settings.is_connection_key),
                                           settings))
    elif isinstance(env, Unknown):
        unresolved.add(env, f"{site} of {process.display_name}")


def _text(value: Value | None) -> str | None:
    """A name as Node would compute it: a string, a template, or the default of
    ``process.env.APP_NAME || 'api'`` (None for anything else)."""
    if isinstance(value, Prim) and not isinstance(value.value, str):
        return None
    return default_text(value)


def _process(app: Obj, index: int, unresolved: _Collector, settings: Settings, deploy: dict[str, Value]) -> Process:
    name_value = app.get("name")
    process = Process(_text(name_value), app.span, app, index, name_span=name_value.span if name_value else None)
    unresolved.parts(app, process.display_name)
    _what_pm2_makes_of(process, app, settings, deploy, unresolved)

    for key, prop in app.props.items():
        value = prop.value
        if key == "env" or key.startswith("env_"):
            _env_uses(process, UseSite.env_block(key), value, settings, unresolved)
        elif key == "port":
            _add_use(process, UseSite(Field.PORT), "port", value, settings, unresolved)
        elif key == "ports":
            if isinstance(value, Obj):
                _ports_object_uses(process, value, "", settings, unresolved)
            elif isinstance(value, Unknown):
                unresolved.add(value, f"the ports object of {process.display_name}")
    for name in ARG_FIELDS:
        found = pm2.field_of(app, name)
        if found is None:
            continue
        key, value = found
        if isinstance(value, Unknown):
            unresolved.add(value, f"{key} of {process.display_name}")
            continue
        site = UseSite(Field(ALIASES.get(key, key)))
        if process.serve and name == "args":
            served = serve_port_arg(value)
            if served is not None:
                _arg_use(process, site, "port argument", served[0], served[1], settings, unresolved)
            continue
        for flag, port_value, span in scan_args(value, inspect=(name != "args")):
            _arg_use(process, site, flag, port_value, span, settings, unresolved)
    script = pm2.script_of(app)
    if script is not None and process.shell:
        for flag, port_value, span in scan_args(script[1], shell=True):
            _arg_use(process, UseSite(Field.SCRIPT), flag, port_value, span, settings, unresolved)
    if script is not None and process.serve:  # 8080, where neither PM2_SERVE_PORT nor an argument says otherwise
        default = Prim(pm2.SERVE_DEFAULT_PORT, span=script[1].span, origin=script[1].span)
        use = _add_use(process, UseSite(Field.SCRIPT), "serve (its default port)", default, settings, unresolved)
        if not any(use in uses for uses in process.environments().values()):
            process.uses.remove(use)
    return process


def _what_pm2_makes_of(process: Process, app: Obj, settings: Settings, deploy: dict[str, Value],
                       unresolved: _Collector) -> None:
    """Instances, exec mode, interpreter, increment_var, shell and serve, as PM2 decides them."""
    process.cpus = settings.cpus
    process.deploy = deploy
    instances = pm2.field_of(app, "instances")
    process.instances = instances[1] if instances else None
    counted = process.counted
    if counted.problem and instances is not None:
        unresolved.add(Unknown(reason=counted.problem, span=instances[1].span), f"the instances of {process.display_name}")
    if counted.count is not None and counted.count > pm2.MAX_INSTANCES_EXPANDED and instances is not None:
        unresolved.add(Unknown(reason=f"portlint checks the ports of at most {pm2.MAX_INSTANCES_EXPANDED} "
                                      "instances of an app", span=instances[1].span),
                       f"the ports of instances {pm2.MAX_INSTANCES_EXPANDED + 1}-{counted.count} of "
                       f"{process.display_name}")
    interpreter = pm2.interpreter_of(app)
    process.interpreter, process.interpreter_reason = interpreter.name, interpreter.reason
    mode = pm2.exec_mode_of(app, counted, interpreter)
    process.exec_mode, process.exec_mode_reason = mode.mode, mode.reason
    inc = pm2.field_of(app, "increment_var")
    process.increment_var = _text(inc[1]) if inc else None
    process.increment_var_span = inc[1].span if inc else None
    process.shell = pm2.runs_in_shell(app)
    process.serve = pm2.is_serve(app)
    process.refused = pm2.refusal(app)


def _arg_use(process: Process, site: UseSite, flag: str, value: Value, span: Span, settings: Settings,
             unresolved: _Collector) -> PortUse:
    use = _add_use(process, site, flag, value, settings, unresolved, span=span)
    use.literal = use.literal or (isinstance(value, Prim) and value.literal and span.contains(value.origin))
    return use


def _ports_object_uses(process: Process, obj: Obj, prefix: str, settings: Settings, unresolved: _Collector) -> None:
    unresolved.parts(obj, f"the ports object of {process.display_name}")
    for label, prop in obj.props.items():
        if isinstance(prop.value, Obj):
            _ports_object_uses(process, prop.value, prefix + label + ".", settings, unresolved)
        else:
            # `ports: PORTS.server` reaches entries written elsewhere: the use is the reference
            here = prop.value.span if obj.span is None or obj.span.contains(prop.value.span) else obj.span
            _add_use(process, UseSite(Field.PORTS), prefix + label, prop.value, settings, unresolved, span=here)


def _add_use(process: Process, site: UseSite, key: str, value: Value, settings: Settings,
             unresolved: _Collector, span: Span | None = None) -> PortUse:
    span = span or value.span
    literal = any(isinstance(alt, Prim) and alt.literal and span is not None and span.contains(alt.origin)
                  for alt in value.alternatives())
    kind = Kind.CONNECTION if site.in_env and settings.is_connection_key(key) else Kind.LISTEN
    use = PortUse(process, site, key, value, span, literal=literal, kind=kind)
    if kind is not Kind.CONNECTION and any(isinstance(alt, (Unknown, EnvVar)) for alt in value.alternatives()):
        unresolved.add(value, f"{use.where} of {process.display_name}", use)  # a connection is no port use to check
    process.uses.append(use)
    return use


def _link_and_label(config: Config) -> None:
    has_api = False
    for process in config.processes:
        has_cdp = any(u.site.in_env and u.key.upper() == "CDP_PORT" for u in process.uses)
        for use in process.uses:
            if config.ports is not None:
                for alt in use.value.alternatives():
                    use.entry = config.ports.entry_at(alt.origin)
                    if use.entry:
                        use.literal = False  # the number is written in PORTS, where it belongs
                        break
            if use.in_url:
                use.label = ""  # a URL names another process's port; labels belong to listeners
            elif use.site.field is Field.PORTS:
                use.label = use.key
            elif use.site.field in (Field.ARGS, Field.SCRIPT):
                use.label = "ui"
            elif use.site.inspector:
                use.label = "cdp"  # the Node inspector speaks the Chrome DevTools Protocol
            elif use.site.field is Field.PORT:
                use.label = "api"
            else:
                use.label = env_label(use.key, process.name, has_cdp)
            has_api = has_api or (use.label == "api" and not use.connection)
    for process in config.processes:  # PortOS's step 11, on what the process really gets
        text = process.span.text if process.span else ""
        is_vite = uses_vite(text) or any(u.key.upper() == "VITE_PORT" for u in process.uses)
        for use in process.uses:
            use.label = dev_ui_label(use.label, is_vite, has_api)


def frozen_literal(node):
    """The object literal inside ``Object.freeze({...})`` (a frozen PORTS is still a PORTS literal)."""
    from portlint.source.estree import member_path

    while node is not None and node.type == "CallExpression" and len(node.arguments) == 1 \
            and node.callee.type == "MemberExpression" and member_path(node.callee) \
            and member_path(node.callee)[0] == "Object" and [k for k, _ in member_path(node.callee)[1]] == ["freeze"]:
        node = node.arguments[0]
    return node
