"""What PM2 7 does with an app's fields, in one place: which field wins among its aliases, the exec
mode (``determineExecMode``), how many instances start, how the environments merge, what
``increment_var`` gives each instance, and the apps PM2 treats specially (a ``script`` with spaces,
``script: 'serve'``). Read from PM2 7's source (lib/Common.js, lib/God.js, lib/tools/Config.js,
lib/API.js) and checked against real PM2 by the tests' PM2 tier.

Everything here is pure: evaluated values in, facts out. The model (build.py, types.py) calls it;
rules, the port map and ``--show-resolved`` read the model, never this module's inputs again.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

from portlint.evaluator.values import UNDEFINED, Arr, EnvDefault, Obj, Prim, Template, Unknown, Value

#: How many instances of one app portlint expands into ports (``increment_var`` copies, the
#: per-instance rows of --show-resolved). More is allowed, but the ports of the instances past this
#: one are not checked, and PL002 says so: a million instances must not cost a million ports.
MAX_INSTANCES_EXPANDED = 1000

#: PM2's schema keys and the aliases lib/tools/Config.js tries after the key, in its order: while the
#: value is falsy, ``conf[key] = json[alias]`` (so a falsy value ends as the last alias's, usually
#: undefined). ``cmd``/``command`` stand for ``script`` before that (verifyConfs).
FIELDS = {
    "script": ("exec", "script"),
    "name": ("name",),
    "args": ("args",),
    "node_args": ("interpreter_args", "interpreterArgs", "nodeArgs"),
    "exec_interpreter": ("interpreter", "execInterpreter"),
    "exec_mode": ("execMode",),
    "instances": ("instances",),
    "increment_var": ("incrementVar",),
    "append_env_to_name": ("appendEnvToName",),
    "port": ("port",),
    "cwd": ("cwd",),
}

#: lib/API/interpreter.json: the interpreter PM2 picks from the script's extension.
EXTENSION_INTERPRETERS = {
    ".sh": "bash", ".py": "python", ".rb": "ruby", ".php": "php", ".pl": "perl", ".js": "node",
    ".coffee": "coffee", ".ls": "lsc", ".ts": "bun", ".tsx": "bun",
}
#: Commands found on the PATH that are compiled programs: PM2 runs a binary itself ('none').
#: Any other script without a known extension is a text file PM2 hands to Node.js (its default).
BINARY_COMMANDS = frozenset({
    "bash", "sh", "zsh", "python", "python2", "python3", "java", "go", "deno", "php", "ruby", "perl", "dotnet",
    "caddy", "nginx", "redis-server", "postgres", "mongod", "docker", "podman", "bun",
})
#: The static file server PM2 runs for ``script: 'serve'`` (lib/API/Serve.js) and its default port.
SERVE_DEFAULT_PORT = 8080
#: The port the Node inspector listens on when nothing else is said (Node's default).
INSPECTOR_DEFAULT_PORT = 9229

_EXEC_MODE = re.compile(r"^(cluster|fork)(_mode)?$")


def text_of(value: Value | None) -> str | None:
    """The text a string value has with an empty environment (``process.env.X || 'api'`` is
    ``api``), None for anything that is not a known string."""
    if isinstance(value, EnvDefault):
        return text_of(value.default)
    if isinstance(value, Prim):
        return value.value if isinstance(value.value, str) else None
    if isinstance(value, Template):
        return value.text()
    return None


def _falsy(value: Value) -> bool:
    """Known to be falsy in JavaScript (so PM2 moves on to the next alias)."""
    from portlint.evaluator.semantics import truthy

    return truthy(value) is False


def field_of(app: Obj, name: str) -> tuple[str, Value] | None:
    """The key and value PM2 takes for ``name`` (a key of FIELDS), as its schema check picks it;
    None when it ends undefined."""
    def written(key: str) -> tuple[str, Value] | None:
        return (key, app.props[key].value) if key in app.props else None

    found = written(name)
    if name == "script":  # verifyConfs: `if (app.cmd && !app.script) app.script = app.cmd` (then command)
        for alias in ("cmd", "command"):
            if found is None and written(alias) is not None and not _falsy(written(alias)[1]):
                found = written(alias)
    for alias in FIELDS.get(name, ()):
        if found is None or _falsy(found[1]):
            found = written(alias)
    return found


# --- instances -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Instances:
    """How many copies of an app PM2 starts, and why."""

    #: The count; None when it is not known, or when PM2 never finishes starting the app.
    count: int | None
    #: The value as written ('4', "'max'", '-1'), '' when ``instances`` is not set.
    written: str = ""
    #: The count depends on the CPU count (0, -1, 'max', or any value PM2 turns into 0 or less).
    per_cpu: bool = False
    cpus: int = 4
    #: The value after PM2 checked the config (``'max'`` is 0, other strings parseInt or 0): what
    #: determineExecMode compares. None when ``instances`` is not set.
    checked: float | int | None = None
    #: Why PM2 starts nothing or never finishes ('' when it starts the count).
    problem: str = ""

    @property
    def set(self) -> bool:
        return bool(self.written)

    @property
    def expanded(self) -> int:
        """How many instances portlint expands into ports (at most MAX_INSTANCES_EXPANDED)."""
        return min(self.count or 1, MAX_INSTANCES_EXPANDED)

    def describe(self) -> str:
        """'4 instances', '3 instances (instances -1: one per CPU but one; the `cpus` setting says 4)'."""
        if self.count is None:
            return f"instances {self.written}" + (f" ({self.problem})" if self.problem else " (not known)")
        noun = "instance" if self.count == 1 else "instances"
        if not self.per_cpu:
            return f"{self.count} {noun}"
        return f"{self.count} {noun} (instances {self.written}: {self.per_cpu_rule}; the `cpus` setting says {self.cpus})"

    @property
    def per_cpu_rule(self) -> str:
        if self.checked is not None and self.checked < 0 and self.checked > -self.cpus:
            return f"CPUs - {-int(self.checked)}"
        return "one per CPU"


def instances_of(value: Value | None, cpus: int) -> Instances:
    """PM2's instance count (lib/Common.js verifyConfs, then lib/God.js prepare): 'max' is 0, other
    strings are parseInt or 0, the number is parseInt of its text, 0 means the CPU count, a negative
    number is added to it, and anything at or below 0 after that is 1."""
    from portlint.evaluator.semantics import parse_int, to_js_string

    if value is None:
        return Instances(1, cpus=cpus)
    if isinstance(value, EnvDefault):
        value = value.default
    raw: object
    if isinstance(value, Prim):
        raw = value.value
    elif isinstance(value, Template) and value.text() is not None:
        raw = value.text()
    else:
        return Instances(None, "(computed)", cpus=cpus)
    if raw is UNDEFINED or raw is None:
        return Instances(1, cpus=cpus)  # PM2 leaves a null or undefined field out
    written = repr(raw) if isinstance(raw, str) else to_js_string(raw)
    if isinstance(raw, bool):
        return Instances(None, written, cpus=cpus, problem="PM2 refuses the config: instances must be a number")
    checked: float | int
    if isinstance(raw, str):
        checked = 0 if raw == "max" else parse_int(raw)
        if isinstance(checked, float) and math.isnan(checked):
            checked = 0  # parseInt(...) || 0
        elif checked == 0:
            checked = 0
    elif isinstance(raw, (int, float)):
        checked = raw
    else:
        return Instances(None, written, cpus=cpus)
    started = parse_int(to_js_string(checked))
    if isinstance(started, float) and math.isnan(started):
        return Instances(None, written, cpus=cpus, checked=checked,
                         problem=f"PM2 never finishes starting it: parseInt({to_js_string(checked)}) is NaN")
    started = int(started) if not (isinstance(started, float) and math.isinf(started)) else started
    per_cpu = False
    if started == 0:
        started, per_cpu = cpus, True
    elif started < 0:
        started, per_cpu = started + cpus, True
    if started <= 0:
        started = 1
    if isinstance(started, float):  # an infinite count cannot come from parseInt's digits; be safe
        return Instances(None, written, cpus=cpus, checked=checked, problem="not a count PM2 can start")
    return Instances(int(started), written, per_cpu, cpus, checked)


# --- exec mode -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExecMode:
    """fork or cluster as PM2 decides it (lib/Common.js determineExecMode); None when not known."""

    mode: str | None
    reason: str

    @property
    def cluster(self) -> bool:
        return self.mode == "cluster"

    @property
    def fork(self) -> bool:
        return self.mode == "fork"


@dataclass(frozen=True)
class Interpreter:
    """What runs the script: 'node', 'bun', 'none' (a binary or a shell command) or another program;
    None when it is not known."""

    name: str | None
    reason: str

    @property
    def node_like(self) -> bool:
        """Node.js or Bun: the interpreters PM2 runs in cluster mode by default."""
        return self.name is not None and (self.name.endswith("node") or self.name.endswith("bun"))


def interpreter_of(app: Obj) -> Interpreter:
    """The interpreter PM2 resolves (lib/Common.js resolveInterpreter): the ``interpreter`` field, else
    the script's extension, else Node.js for a text file (a compiled program runs by itself)."""
    found = field_of(app, "exec_interpreter")
    if found is not None:
        text = text_of(found[1])
        if text is None:
            return Interpreter(None, f"{found[0]} is not known without running the file")
        return Interpreter(os.path.basename(text) or text, f"{found[0]}: {text!r}")
    script = script_of(app)
    if script is None:
        return Interpreter(None, "no script")
    text = text_of(script[1])
    if text is None:
        return Interpreter(None, "the script is not known without running the file")
    if text == "serve":
        return Interpreter("node", "script 'serve' (PM2's static server, a Node.js program)")
    if " " in text:
        return Interpreter("none", "a script with spaces (bash -c runs it)")
    ext = os.path.splitext(text)[1]
    if ext in EXTENSION_INTERPRETERS:
        name = EXTENSION_INTERPRETERS[ext]
        why = f"a {ext} script"
        if name == "bun":
            why += " (Bun, or Node.js type stripping when Bun is not installed)"
        return Interpreter(name, why)
    if os.path.basename(text) in BINARY_COMMANDS:
        return Interpreter("none", f"{os.path.basename(text)!r}, a compiled program PM2 runs by itself")
    return Interpreter("node", "PM2 hands a script with no known extension to Node.js")


def script_of(app: Obj) -> tuple[str, Value] | None:
    return field_of(app, "script")


def exec_mode_of(app: Obj, instances: Instances, interpreter: Interpreter) -> ExecMode:
    """``exec_mode`` when written (cluster/fork, with or without ``_mode``); else cluster for a
    Node.js or Bun app whose ``instances`` is set to 1 or more, 0 or -1; else fork."""
    found = field_of(app, "exec_mode")
    if found is not None:
        text = text_of(found[1])
        if text is None:
            return ExecMode(None, f"{found[0]} is not known without running the file")
        m = _EXEC_MODE.match(text)
        if m is None:
            return ExecMode(None, f"PM2 refuses {found[0]} {text!r} (it takes cluster or fork) and starts nothing")
        return ExecMode(m.group(1), f"{found[0]}: {text!r}")
    n = instances.checked
    if n is None or not (n >= 1 or n == 0 or n == -1):
        why = "without instances" if n is None else f"with instances {instances.written}"
        return ExecMode("fork", f"PM2's default {why}")
    if interpreter.name is None:
        return ExecMode(None, f"cluster for a Node.js app with instances, but the interpreter is not known "
                              f"({interpreter.reason})")
    if interpreter.node_like:
        return ExecMode("cluster", f"PM2's default for a {'Bun' if interpreter.name.endswith('bun') else 'Node.js'} "
                                   "app with instances")
    return ExecMode("fork", f"PM2's default for {interpreter.reason}, which it cannot cluster")


# --- what PM2 refuses -----------------------------------------------------------------------------

def refusal(app: Obj) -> str:
    """Why PM2's schema check refuses this app, which makes ``pm2 start`` start nothing from the whole
    file (lib/Common.js verifyConfs), or '' (also when the values are not known)."""
    from portlint.evaluator.semantics import to_js_number

    def known(name: str):
        found = field_of(app, name)
        if found is None or not isinstance(found[1], (Prim, Obj, Arr)):
            return None, None
        value = found[1]
        return found[0], (value.value if isinstance(value, Prim) else value)

    key, mode = known("exec_mode")
    if key and mode not in (None, UNDEFINED) and not (isinstance(mode, str) and _EXEC_MODE.match(mode)):
        return f"{key} {_shown(mode)} is not cluster or fork"
    key, count = known("instances")
    if key and (isinstance(count, (bool, Obj, Arr))):
        return f"{key} {_shown(count)} is not a number"
    key, port = known("port")
    if key and (isinstance(port, (bool, Obj, Arr))
                or (isinstance(port, str) and isinstance(to_js_number(port), float) and math.isnan(to_js_number(port)))):
        return f"{key} {_shown(port)} is not a number"
    for name in ("args", "node_args"):
        key, args = known(name)
        if key and isinstance(args, (bool, int, float, Obj)):
            return f"{key} {_shown(args)} is not a string or a list"
    return ""


def _shown(value) -> str:
    from portlint.evaluator.semantics import to_js_string

    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (Obj, Arr)):
        return "an object" if isinstance(value, Obj) else "a list"
    return to_js_string(value)


# --- the script ----------------------------------------------------------------------------------

def runs_in_shell(app: Obj) -> bool:
    """A script with spaces: PM2 runs ``bash -c '<script>'`` and drops ``args``."""
    script = script_of(app)
    text = text_of(script[1]) if script else None
    if text is None and script is not None and isinstance(script[1], Template):
        return any(isinstance(p, Prim) and isinstance(p.value, str) and " " in p.value for p in script[1].parts)
    return text is not None and " " in text


def is_serve(app: Obj) -> bool:
    """``script: 'serve'``: PM2's own static file server."""
    script = script_of(app)
    return script is not None and script[0] == "script" and text_of(script[1]) == "serve"


def process_name(app: Obj, environment: str) -> str | None:
    """The name PM2 gives the app: ``name``, else the script's base name without its extension; with
    ``append_env_to_name`` and ``--env NAME``, followed by ``-NAME``."""
    found = field_of(app, "name")
    name = text_of(found[1]) if found else None
    if found is None:
        script = script_of(app)
        text = text_of(script[1]) if script else None
        if text is not None:
            name = os.path.basename(text)
            dot = name.rfind(".")
            name = name[:dot] if dot > 0 else name
    if name is not None and environment:
        append = field_of(app, "append_env_to_name")
        if append is not None and isinstance(append[1], Prim) and append[1].value is True:
            name += "-" + environment
    return name


# --- environments --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """One layer of an app's environment, lowest first: ``env``, ``port``, ``deploy.<name>.env``,
    ``env_<name>``."""

    block: str  # env, port, deploy.production.env, env_production
    environment: str  # '' for env and port, else the --env name of the layer


@dataclass
class EnvEntry:
    """One variable of an app's merged environment: its value and the layer that set it."""

    key: str
    value: Value
    layer: Layer


@dataclass
class MergedEnv:
    """An app's environment as PM2 builds it for one ``--env`` (lib/Common.js mergeEnvironmentVariables,
    after prepareAppConf copied ``port`` into env.PORT): ``env`` < ``port`` < ``deploy.<name>.env`` <
    ``env_<name>``. The deploy env is written into the object that holds ``env``, so it beats both."""

    entries: dict[str, EnvEntry] = field(default_factory=dict)
    #: Parts of a layer that are not known (an unknown spread): keys of lower layers may be overridden.
    unknown: list[tuple[Layer, Value]] = field(default_factory=list)


def layers(environment: str) -> list[Layer]:
    """The layers PM2 merges for ``--env environment`` ('' for no --env), lowest first."""
    out = [Layer("env", ""), Layer("port", "")]
    if environment:
        out += [Layer(f"deploy.{environment}.env", environment), Layer(f"env_{environment}", environment)]
    return out


def merge_env(app: Obj, deploy: dict[str, Value], environment: str) -> MergedEnv:
    merged = MergedEnv()
    for layer in layers(environment):
        if layer.block == "port":
            found = field_of(app, "port")
            value = port_number(found[1]) if found is not None else None
            if value is not None and not _falsy(value):  # `if (app.port && app.env) app.env.PORT = app.port`
                merged.entries["PORT"] = EnvEntry("PORT", value, layer)
            continue
        if layer.block.startswith("deploy."):
            block = deploy.get(environment)
        else:
            prop = app.props.get(layer.block)
            block = prop.value if prop is not None else None
        if isinstance(block, Obj):
            for key, prop in block.props.items():
                merged.entries[key] = EnvEntry(key, prop.value, layer)
            merged.unknown.extend((layer, part) for part in block.unknown_parts)
        elif isinstance(block, Unknown):
            merged.unknown.append((layer, block))
    return merged


_JS_FLOAT = re.compile(r"^[\t\n\v\f\r \u00a0\ufeff]*([+-]?(?:Infinity|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))")


def port_number(value: Value) -> Value:
    """The ``port`` field as PM2's schema leaves it: a string that is a number becomes
    ``parseFloat(value)`` ('5576' is 5576, '0' is 0, which PM2 then ignores)."""
    from portlint.evaluator.semantics import num, to_js_number

    if isinstance(value, Prim) and isinstance(value.value, str):
        number = to_js_number(value.value)
        if isinstance(number, float) and math.isnan(number):
            return value  # not a number: PM2 refuses the config
        m = _JS_FLOAT.match(value.value)
        parsed = float(m.group(1).replace("Infinity", "inf")) if m else math.nan
        return Prim(num(parsed), span=value.span, origin=value.origin)
    return value


def environment_names(app: Obj, deploy: dict[str, Value]) -> set[str]:
    """'' (no --env), the name of every ``env_<name>`` block and every deploy target with an env."""
    names = {""} | set(deploy)
    names |= {key[len("env_"):] for key in app.props if key.startswith("env_") and len(key) > len("env_")}
    return names


def increment_start(value: Value | None) -> tuple[int | float | None, bool]:
    """What ``increment_var`` starts from: ``Number(value) || 0`` (lib/God.js injectVariables); the
    second item is False when the value is not known."""
    from portlint.evaluator.semantics import to_js_number

    if value is None:
        return 0, True
    if isinstance(value, EnvDefault):
        value = value.default
    if isinstance(value, Template):
        text = value.text()
        if text is None:
            return None, False
        value = Prim(text)
    if not isinstance(value, Prim) or isinstance(value.value, (list, dict)):
        return None, False
    number = to_js_number(value.value)
    if isinstance(number, float) and (math.isnan(number) or number == 0):
        number = 0
    if isinstance(number, float) and number.is_integer() and not math.isinf(number):
        number = int(number)
    return number or 0, True


def is_list(value: Value) -> bool:
    return isinstance(value, Arr)
