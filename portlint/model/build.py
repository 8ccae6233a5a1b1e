"""Building the model from evaluated values: the PORTS table, each app's port uses (env blocks,
``port``, args, node_args, per-app ``ports``, deploy envs) and their PortOS labels."""
from __future__ import annotations

import re

from portlint.diagnostic import Span
from portlint.evaluator.interpreter import ModuleEvaluator
from portlint.evaluator.values import Arr, EnvVar, Obj, Prim, Template, Unknown, Value, default_text
from portlint.model.args import scan_args
from portlint.model.kinds import decide_kinds, url_references
from portlint.model.portos import env_label, is_port_key
from portlint.model.portos_scan import uses_vite
from portlint.model.types import (Config, Field, Kind, PortsEntry, PortsTable, PortUse, Process, Unresolved,
                                  UseSite)
from portlint.settings.settings import Settings
from portlint.source.parse import Parsed

#: PM2's camelCase aliases of the fields portlint reads.
ALIASES = {
    "nodeArgs": "node_args", "interpreterArgs": "interpreter_args", "execMode": "exec_mode",
    "incrementVar": "increment_var",
}
ARG_FIELDS = ("args", "node_args", "interpreter_args")


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
        process = _process(app, index, unresolved, settings)
        for name, env in deploy:
            _env_uses(process, UseSite(Field.DEPLOY, name), env, settings, unresolved)
        process.cpus = settings.cpus
        process.mark_effective()
        processes.append(process)
    config = Config(parsed.source.path, parsed, evaluator, exports, ports, processes, unresolved.items, settings)
    _link_and_label(config)
    decide_kinds(config)
    return config


class _Collector:
    """Collects the unresolved parts while the model is built."""

    def __init__(self) -> None:
        self.items: list[Unresolved] = []

    def add(self, value: Value, context: str) -> None:
        self.items.append(Unresolved(value, context))

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


def _deploy_envs(exports: Value, unresolved: _Collector) -> list[tuple[str, Obj]]:
    """``deploy.<name>.env`` blocks: environment every app gets under ``pm2 deploy <name>``."""
    deploy = exports.get("deploy") if isinstance(exports, Obj) else None
    if not isinstance(deploy, Obj):
        return []
    out = []
    for name, prop in deploy.props.items():
        target = prop.value
        env = target.get("env") if isinstance(target, Obj) else None
        if isinstance(env, Obj):
            out.append((name, env))
        elif isinstance(env, Unknown):
            unresolved.add(env, f"deploy.{name}.env")
    return out


def _env_uses(process: Process, site: UseSite, env: Value, settings: Settings, unresolved: _Collector) -> None:
    if isinstance(env, Obj):
        unresolved.parts(env, f"{site} of {process.display_name}")
        for env_key, env_prop in env.props.items():
            if is_port_key(env_key, settings.is_connection_key):
                _add_use(process, site, env_key, env_prop.value, settings, unresolved)
        process.uses.extend(url_references(process, site, env, lambda k: is_port_key(k, settings.is_connection_key)))
    elif isinstance(env, Unknown):
        unresolved.add(env, f"{site} of {process.display_name}")


def _field(app: Obj, name: str) -> tuple[str, Value] | None:
    if name in app.props:
        return name, app.props[name].value
    for alias, canonical in ALIASES.items():
        if canonical == name and alias in app.props:
            return alias, app.props[alias].value
    return None


def _text(value: Value | None) -> str | None:
    """A name as Node would compute it: a string, a template, or the default of
    ``process.env.APP_NAME || 'api'`` (None for anything else)."""
    if isinstance(value, Prim) and not isinstance(value.value, str):
        return None
    return default_text(value)


def _process(app: Obj, index: int, unresolved: _Collector, settings: Settings) -> Process:
    name_value = app.get("name")
    process = Process(_text(name_value), app.span, app, index, name_span=name_value.span if name_value else None)
    unresolved.parts(app, process.display_name)
    instances = _field(app, "instances")
    process.instances = instances[1] if instances else None
    mode = _field(app, "exec_mode")
    mode_text = _text(mode[1]) if mode else None
    if mode_text and "cluster" in mode_text:
        process.exec_mode = "cluster"
    inc = _field(app, "increment_var")
    process.increment_var = _text(inc[1]) if inc else None

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
    for alias in ARG_FIELDS:
        found = _field(app, alias)
        if found is None:
            continue
        if isinstance(found[1], Unknown):
            unresolved.add(found[1], f"{alias} of {process.display_name}")
            continue
        for flag, port_value, span in scan_args(found[1], inspect=(alias != "args")):
            use = _add_use(process, UseSite(Field(alias)), flag, port_value, settings, unresolved, span=span)
            use.literal = use.literal or (isinstance(port_value, Prim) and port_value.literal and span.contains(port_value.origin))
    return process


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
    if any(isinstance(alt, (Unknown, EnvVar)) for alt in value.alternatives()):
        unresolved.add(value, f"{use.where} of {process.display_name}")
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
            elif use.site.field is Field.ARGS:
                use.label = "ui"
            elif use.site.inspector:
                use.label = "cdp"  # the Node inspector speaks the Chrome DevTools Protocol
            elif use.site.field is Field.PORT:
                use.label = "api"
            else:
                use.label = env_label(use.key, process.name, has_cdp)
            has_api = has_api or (use.label == "api" and not use.connection)
    if has_api:
        for process in config.processes:
            text = process.span.text if process.span else ""
            is_vite = uses_vite(text) or any(u.key.upper() == "VITE_PORT" for u in process.uses)
            if is_vite:
                for use in process.uses:
                    if use.label == "ui":
                        use.label = "devUi"


def frozen_literal(node):
    """The object literal inside ``Object.freeze({...})`` (a frozen PORTS is still a PORTS literal)."""
    from portlint.source.estree import member_path

    while node is not None and node.type == "CallExpression" and len(node.arguments) == 1 \
            and node.callee.type == "MemberExpression" and member_path(node.callee) \
            and member_path(node.callee)[0] == "Object" and [k for k, _ in member_path(node.callee)[1]] == ["freeze"]:
        node = node.arguments[0]
    return node
