"""What PM2 would run, as portlint resolved it: per environment, app and instance, the name, exec
mode, instances, environment, arguments and ports. It only reads the model (the Process fields
portlint.model.pm2 decided, the merged environments, the port uses that take effect), so
``--show-resolved`` shows exactly what the rules judge.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from portlint.evaluator.values import (UNDEFINED, Arr, EnvDefault, EnvVar, Obj, OneOf, Prim, Template, Unknown,
                                       Value, describe)
from portlint.model import pm2
from portlint.model.args import arg_words, shown_word, word_text
from portlint.model.types import Config, Kind, PortUse, Process

#: The Node options that switch the inspector on, and those that set its port.
_INSPECT_ON = ("--inspect", "--inspect-brk", "--inspect-wait")
_INSPECT_PORT = ("--inspect", "--inspect-brk", "--inspect-wait", "--inspect-port", "--debug-port")


@dataclass
class Setting:
    """One value as PM2 gets it: the JSON value, whether portlint knows it, and a note on where an
    unknown or overridable value comes from."""

    value: object  # str, int, float, bool or None (JSON)
    known: bool
    text: str
    note: str = ""


@dataclass
class EnvVariable:
    key: str
    setting: Setting
    source: str  # env, port, deploy.production.env, env_production


@dataclass
class Arguments:
    """``args`` or ``node_args`` as the process receives them."""

    source: str | None  # the field they come from (args, node_args, interpreter_args...), or 'script'
    values: list[str] = field(default_factory=list)  # ${…} marks a part portlint does not know
    known: bool = True
    note: str = ""


@dataclass
class PortSeen:
    """A port one instance listens on, refers to or connects to."""

    port: int | None
    source: str  # env.PORT, args --port, script serve (its default port), node_args --inspect
    key: str
    known: bool = True
    note: str = ""
    target: str | None = None  # for a reference: the process that listens there, when known
    one_of: list[int] = field(default_factory=list)  # the ports it may be, when portlint knows several


@dataclass
class Instance:
    index: int
    env: dict[str, object] = field(default_factory=dict)  # what this instance gets on top (increment_var)
    listens: list[PortSeen] = field(default_factory=list)
    refers: list[PortSeen] = field(default_factory=list)
    connects: list[PortSeen] = field(default_factory=list)
    inspector: PortSeen | None = None


@dataclass
class App:
    """One app of one environment."""

    name: str | None
    index: int
    process: Process
    starts: bool
    why_not: str
    exec_mode: str | None
    exec_mode_reason: str
    interpreter: str | None
    interpreter_reason: str
    script: str | None
    cwd: str | None  # the cwd field as written (None: not set or not known; see cwd_known)
    cwd_known: bool
    instances: int | None
    instances_text: str
    env: list[EnvVariable]
    env_unknown: list[tuple[str, str]]  # (layer, reason) of a part not known
    args: Arguments
    node_args: Arguments
    instance_list: list[Instance]


@dataclass
class Environment:
    name: str  # '' for no --env
    apps: list[App]
    #: The ports Node's cluster module gives the inspected cluster workers of this config when it is
    #: started alone in a fresh daemon (9229+k, k counted from 1 across the daemon's workers).
    cluster_inspector_ports: list[int] = field(default_factory=list)


@dataclass
class Resolved:
    path: str
    starts: bool
    load_problem: str
    environments: list[Environment]
    #: False when part of the apps list is not known without running the file (PM2 may start more).
    apps_complete: bool = True


def resolve(config: Config, environment: str | None = None) -> Resolved:
    """Every environment of the config (or only ``environment``), as PM2 would start it."""
    from portlint.model.portos import is_port_key

    problem = config.load_problem
    names = sorted(config.environment_names()) if environment is None else [environment]
    settings = config.settings

    def port_key(key: str) -> bool:
        return is_port_key(key, settings.is_connection_key) and not settings.is_connection_key(key)

    environments = [_environment(config, name, port_key) for name in names]
    why = problem[1] if problem else ""
    refused = next((p for p in config.processes if p.refused), None)
    if not why and refused is not None:
        why = f"PM2 refuses the file: {refused.display_name}'s {refused.refused}"
    return Resolved(config.path, not why, why, environments, config.apps_complete)


def _environment(config: Config, name: str, port_key) -> Environment:
    apps = [_app(process, name, port_key) for process in config.processes]
    inspected = sum(len(a.instance_list) for a in apps
                    if a.starts and a.exec_mode == "cluster" and any(i.inspector for i in a.instance_list))
    return Environment(name, apps, [pm2.INSPECTOR_DEFAULT_PORT + k for k in range(1, inspected + 1)])


def _app(process: Process, environment: str, port_key) -> App:
    app = process.value
    merged = process.merged_env(environment)
    counted = process.counted
    starts, why_not = True, ""
    script = pm2.script_of(app)
    script_text = pm2.text_of(script[1]) if script else None
    if script is None:
        starts, why_not = False, "it has no script (PM2: \"No script path - aborting\")"
    elif counted.problem:
        starts, why_not = False, counted.problem
    elif process.refused:
        starts, why_not = False, f"PM2 refuses it: {process.refused}"
    env = [EnvVariable(key, _setting(entry.value, entry.layer.block == "env"), entry.layer.block)
           for key, entry in merged.entries.items() if not _undefined(entry.value)]
    unknown = [(layer.block, getattr(part, "reason", "not statically known")) for layer, part in merged.unknown]
    uses = process.uses_in(environment)
    count = counted.count
    listed = min(count, pm2.MAX_INSTANCES_EXPANDED) if count else 1  # not known: one, as the rules count it
    node_args = _arguments(process, "node_args")
    instances = [_instance(process, k, uses, merged, node_args, port_key) for k in range(listed)]
    shown_script = "bash" if process.shell else script_text
    cwd = pm2.field_of(app, "cwd")
    cwd_text = pm2.text_of(cwd[1]) if cwd else None
    return App(pm2.process_name(app, environment), process.index, process, starts, why_not, process.exec_mode,
               process.exec_mode_reason, process.interpreter, process.interpreter_reason, shown_script, cwd_text,
               cwd is None or cwd_text is not None, count, counted.describe(), env, unknown,
               _arguments(process, "args"), node_args, instances)


def _instance(process: Process, k: int, uses: list[PortUse], merged, node_args: Arguments, port_key) -> Instance:
    instance = Instance(k)
    var = process.increment_var
    if var:
        entry = merged.entries.get(var)
        start, known = pm2.increment_start(entry.value if entry else None)
        instance.env[var] = start + k if known and start is not None else None
        if entry is None and port_key(var):  # nothing sets it: PM2 counts from 0, 0 being a random port
            instance.listens.append(PortSeen(k, f"increment_var {var}", var, True,
                                             f"no layer sets {var}: PM2 counts it from 0"))
    for use in uses:
        seen = _port_seen(process, use, k)
        if use.kind is Kind.CONNECTION:
            instance.connects.append(seen)
        elif use.kind is Kind.REFERENCE:
            instance.refers.append(seen)
        else:
            instance.listens.append(seen)
    instance.inspector = _inspector(process, node_args)
    if instance.inspector is None and not node_args.values:  # node_args chosen when the file loads
        instance.inspector = next((s for s in instance.listens if s.source.startswith("node_args --inspect")), None)
    if instance.inspector is not None and instance.inspector.port is not None \
            and not any(s.port == instance.inspector.port and s.source.startswith(("node_args", "interpreter"))
                        for s in instance.listens):
        instance.listens.append(instance.inspector)
    return instance


def _port_seen(process: Process, use: PortUse, k: int) -> PortSeen:
    ports = sorted(use.valid_ports)
    known = use.known and len(ports) == 1
    port = ports[0] if known else None
    note = ""
    if port is not None and use.increments:
        port += k
        if k:
            note = f"increment_var {process.increment_var}: instance {k} gets the written port + {k}"
    if not known:
        note = "not known: " + describe(use.value) if not ports else "one of " + ", ".join(map(str, ports))
    if isinstance(use.value, EnvDefault):
        note = note or f"the default; {_overrider(use.value)} may override it when PM2 loads the file"
    target = use.target.process.display_name if use.target is not None else None
    one_of = [p + (k if use.increments else 0) for p in ports] if len(ports) > 1 else []
    return PortSeen(port, use.where, use.key, known, note, target, one_of)


def _inspector(process: Process, node_args: Arguments) -> PortSeen | None:
    """The Node inspector of an instance: off unless node_args switch it on; in cluster mode Node's
    cluster module gives each worker ``--inspect-port=9229+k`` and the configured port is not used."""
    if process.interpreter not in ("node", "bun") or not node_args.values:
        return None
    flags = [(v.split("=", 1)[0], v.split("=", 1)[1] if "=" in v else None) for v in node_args.values]
    if not any(flag in _INSPECT_ON for flag, _ in flags):
        return None
    if process.exec_mode == "cluster":
        return PortSeen(None, "node_args --inspect", "--inspect", False,
                        "cluster mode: Node gives each worker --inspect-port=9229+k (k counted across the daemon's "
                        "workers); the configured port is not used")
    port: int | None = pm2.INSPECTOR_DEFAULT_PORT
    note = "Node's default inspector port"
    for flag, value in flags:
        if flag in _INSPECT_PORT and value is not None:
            text = value.rsplit(":", 1)[-1]
            port = int(text) if text.isdigit() else None
            note = "" if port is not None else f"not known: {value}"
    return PortSeen(port, "node_args --inspect", "--inspect", port is not None, note)


def _arguments(process: Process, name: str) -> Arguments:
    app = process.value
    if name == "args" and process.shell:
        script = pm2.script_of(app)
        text = pm2.text_of(script[1]) if script else None
        return Arguments("script", ["-c", text if text is not None else "${\u2026}"], text is not None,
                         "a script with spaces runs as `bash -c <script>`; PM2 drops args")
    found = pm2.field_of(app, name)
    if found is None:
        return Arguments(None)
    key, value = found
    words = arg_words(value)
    if words is None:
        return Arguments(key, [], False, f"not a list or a string: {describe(value)}")
    values = [shown_word(w) for w in words]
    known = all(word_text(w) is not None for w in words) and (not isinstance(value, Arr) or value.complete)
    note = "" if known else "a part is not known without running the file"
    if name == "node_args" and key != "node_args":
        note = (note + "; " if note else "") + f"PM2 reads {key} as node_args"
    return Arguments(key, values, known, note)


def _overrider(value: EnvDefault) -> str:
    return f"process.env.{value.env}" if value.env else (value.reads or "the environment")


def _undefined(value: Value) -> bool:
    return isinstance(value, Prim) and value.value is UNDEFINED


def _setting(value: Value, env_layer: bool) -> Setting:
    """A value of the environment as PM2 passes it (objects in ``env`` become JSON text)."""
    from portlint.evaluator.semantics import to_js_string

    if isinstance(value, EnvDefault):
        inner = _setting(value.default, env_layer)
        note = f"the default; {_overrider(value)} may override it when PM2 loads the file"
        return Setting(inner.value, inner.known, inner.text, note if inner.known else inner.note)
    if isinstance(value, Prim):
        v = value.value
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return Setting(None, True, to_js_string(v), "JSON has no " + to_js_string(v))
        if isinstance(v, (str, int, float, bool)) or v is None:
            return Setting(v, True, json.dumps(v, ensure_ascii=False) if isinstance(v, str) else to_js_string(v))
    if isinstance(value, Template):
        text = value.text()
        if text is not None:
            return Setting(text, True, json.dumps(text, ensure_ascii=False))
        return Setting(None, False, "${\u2026}", "a string built from values not known without running the file")
    if isinstance(value, (Obj, Arr)) and env_layer:
        data = _plain(value)
        if data is not _NOT_PLAIN:
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            return Setting(text, True, json.dumps(text, ensure_ascii=False), "PM2 turns an object in env into JSON")
    if isinstance(value, EnvVar):
        return Setting(None, False, "?", f"process.env.{value.name} when PM2 loads the file, with no default")
    if isinstance(value, OneOf):
        return Setting(None, False, "?", "one of " + describe(value))
    reason = value.reason if isinstance(value, Unknown) else describe(value)
    return Setting(None, False, "?", f"not known without running the file ({reason})")


_NOT_PLAIN = object()


def _plain(value: Value):
    if isinstance(value, Prim):
        v = value.value
        if v is UNDEFINED or (isinstance(v, float) and not math.isfinite(v)):
            return _NOT_PLAIN
        return v
    if isinstance(value, Template):
        text = value.text()
        return text if text is not None else _NOT_PLAIN
    if isinstance(value, Obj) and value.complete:
        out = {}
        for key, prop in value.props.items():
            item = _plain(prop.value)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            out[key] = item
        return out
    if isinstance(value, Arr) and value.complete:
        items = [_plain(v) for v in value.items]
        return _NOT_PLAIN if any(i is _NOT_PLAIN for i in items) else items
    return _NOT_PLAIN


def ports_of(seen: list[PortSeen]) -> list[int]:
    return sorted({s.port for s in seen if s.port is not None})

