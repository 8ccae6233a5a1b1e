"""The model the rules see: a Config with its PORTS table, its processes and their port uses.

Rules never walk the syntax tree for port logic; they ask the model. Building the model is where
PM2's field names and PortOS's labelling live, once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from portlint.diagnostic import Span
from portlint.evaluator.interpreter import ModuleEvaluator, ModuleInfo
from portlint.source.parse import Parsed
from portlint.model.portos import env_label, is_port_key
from portlint.settings.settings import Settings
from portlint.evaluator.semantics import to_js_string
from portlint.evaluator.values import Arr, EnvVar, Obj, Prim, Template, Unknown, Value, default_text, possible_ports

#: PM2's camelCase aliases of the fields portlint reads.
ALIASES = {
    "nodeArgs": "node_args", "interpreterArgs": "interpreter_args", "execMode": "exec_mode",
    "incrementVar": "increment_var",
}
ARG_FIELDS = ("args", "node_args", "interpreter_args")


@dataclass(eq=False)
class PortsEntry:
    """One entry of the PORTS constant; nested entries have dotted keys (``server.api``)."""

    key: str
    key_span: Span | None
    value: Value
    comment: str | None = None

    @property
    def span(self) -> Span | None:
        return self.value.span

    @property
    def ports(self) -> set[int]:
        return possible_ports(self.value)[0]

    @property
    def reference(self) -> str:
        parts = self.key.split(".")
        out = "PORTS"
        for part in parts:
            out += f".{part}" if re.match(r"^[A-Za-z_$][A-Za-z0-9_$]*$", part) else f"[{part!r}]"
        return out


@dataclass(eq=False)
class PortsTable:
    """The top-level ``const PORTS = {...}``, wherever its entries were written."""

    name_span: Span | None
    value: Value
    entries: list[PortsEntry] = field(default_factory=list)
    declaration: Any = None

    def by_port(self, port: int) -> list[PortsEntry]:
        return [e for e in self.entries if port in e.ports]

    def entry_at(self, origin: Span | None) -> PortsEntry | None:
        if origin is None:
            return None
        for entry in self.entries:
            if origin.same_place(entry.value.origin or entry.value.span):
                return entry
        return None

    @property
    def span(self) -> Span | None:
        return self.name_span or self.value.span


@dataclass(eq=False)
class PortUse:
    """One place where a process gets a port."""

    process: "Process"
    source: str  # env | env_<name> | port | args | node_args | interpreter_args | ports
    key: str  # env key, '--port', '--inspect', or the label in a ports object
    value: Value
    span: Span | None
    literal: bool = False
    entry: PortsEntry | None = None
    label: str = ""
    connection: bool = False
    #: False when PM2 never applies it: every environment takes this key from a later layer
    #: (``deploy.<env>.env`` < ``env`` < ``port`` < ``env_<env>``).
    effective: bool = True

    @property
    def ports(self) -> set[int]:
        return possible_ports(self.value)[0]

    @property
    def literal_span(self) -> Span | None:
        """The number token itself when the port is written literally (``5570`` inside
        ``process.env.PORT || 5570``), else the whole use."""
        if self.literal and self.span is not None:
            for alt in self.value.alternatives():
                if isinstance(alt, Prim) and alt.literal and self.span.contains(alt.origin):
                    return alt.origin
        return self.span

    @property
    def valid_ports(self) -> set[int]:
        """The ports this use may be that are real ports (1-65535); PL105 reports the others."""
        return {p for p in self.ports if 1 <= p <= 65535}

    @property
    def known(self) -> bool:
        return possible_ports(self.value)[1]

    @property
    def where(self) -> str:
        if self.source.startswith("deploy."):
            return f"{self.source}.{self.key}"
        if self.source in ARG_FIELDS:
            return f"{self.source} {self.key}"
        if self.source == "port":
            return "port"
        return f"{self.source}.{self.key}"


@dataclass(eq=False)
class Process:
    name: str | None
    span: Span | None
    value: Obj
    index: int
    name_span: Span | None = None
    uses: list[PortUse] = field(default_factory=list)
    instances: Value | None = None
    exec_mode: str = "fork"
    increment_var: str | None = None
    cpus: int = 4  # what 'max', 0 and -1 instances mean (the `cpus` setting)

    @property
    def display_name(self) -> str:
        return self.name if self.name is not None else f"app #{self.index + 1}"

    @property
    def per_cpu(self) -> bool:
        """``instances`` is 'max', 0 or -1: one copy per CPU (minus one for -1)."""
        v = self.instances.value if isinstance(self.instances, Prim) else None
        return v in (0, -1) or (isinstance(v, str) and v.strip().lower() in ("max", "0", "-1"))

    @property
    def instance_count(self) -> int | None:
        """How many copies PM2 starts: a number, or the `cpus` setting for 'max'/0/-1; None if unknown."""
        if self.instances is None:
            return 1
        if not isinstance(self.instances, Prim):
            return None
        v = self.instances.value
        if self.per_cpu:
            return max(1, self.cpus - 1) if str(v).strip() == "-1" else self.cpus
        if isinstance(v, str) and v.strip().isdigit():
            v = int(v.strip())
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1:
            return int(v)
        return None

    def occupying_uses(self) -> Iterator[PortUse]:
        """The allocated uses PM2 really applies in some environment."""
        return (u for u in self.uses if not u.connection and u.effective)

    def environments(self) -> dict[str, list[PortUse]]:
        """For each environment PM2 can start this app in ('' = no --env), the uses it applies:
        the winning env key of each layer plus args, node_args and the ports object."""
        names = {""} | {u.source[len("env_"):] for u in self.uses if u.source.startswith("env_")}
        names |= {u.source.split(".")[1] for u in self.uses if u.source.startswith("deploy.")}
        out: dict[str, list[PortUse]] = {}
        for name in sorted(names):
            layers = ([f"deploy.{name}.env"] if name else []) + ["env", "port"] + ([f"env_{name}"] if name else [])
            winners: dict[str, PortUse] = {}
            for layer in layers:
                for use in self.uses:
                    if use.source == layer:
                        winners["PORT" if use.source == "port" else use.key] = use
            others = [u for u in self.uses if not (u.source.startswith(("env", "deploy.")) or u.source == "port")]
            out[name] = list(winners.values()) + others
        return out

    def allocated_uses(self) -> Iterator[PortUse]:
        return (u for u in self.uses if not u.connection)

    def mark_effective(self) -> None:
        applied = {id(u) for uses in self.environments().values() for u in uses}
        for use in self.uses:
            use.effective = id(use) in applied

    def occupied(self, use: PortUse) -> set[int]:
        """The ports a use occupies, counting the copies ``increment_var`` adds."""
        ports = use.valid_ports
        count = self.instance_count
        if self.increment_var and use.key == self.increment_var and use.source.startswith(("env", "deploy.")) and count and count > 1:
            return {p + i for p in ports for i in range(count)}
        if self.increment_var == "PORT" and use.source == "port" and count and count > 1:
            return {p + i for p in ports for i in range(count)}
        return set(ports)


@dataclass(eq=False)
class Unresolved:
    """A part of the config holding apps or ports that cannot be known without running the file."""

    value: Value  # an Unknown, or an EnvVar with no default
    context: str  # what could not be checked, e.g. "env.PORT of api"


@dataclass(eq=False)
class Config:
    path: str
    parsed: Parsed
    evaluator: ModuleEvaluator
    exports: Value
    ports: PortsTable | None
    processes: list[Process]
    unresolved: list[Unresolved]
    settings: Settings

    @property
    def nodes(self) -> list:
        """Every (node, parent) of the syntax tree, walked once and shared by the rules."""
        cached = self.__dict__.get("_nodes")
        if cached is None:
            from portlint.source.estree import walk

            program = self.parsed.program
            cached = list(walk(program)) if program is not None else []
            self.__dict__["_nodes"] = cached
        return cached

    @property
    def role(self) -> str:
        return self.settings.role_for(self.path)

    @property
    def source(self):
        return self.parsed.source

    @property
    def info(self) -> ModuleInfo:
        return self.evaluator.info

    def uses(self) -> Iterator[PortUse]:
        for process in self.processes:
            yield from process.uses

    def allocated_uses(self) -> Iterator[PortUse]:
        for process in self.processes:
            yield from process.allocated_uses()

    def block(self) -> set[int]:
        """Every distinct port the config defines or uses, with the copies increment_var adds."""
        ports: set[int] = set()
        if self.ports:
            for entry in self.ports.entries:
                ports |= {p for p in entry.ports if 1 <= p <= 65535}
        for process in self.processes:
            for use in process.occupying_uses():
                ports |= {p for p in process.occupied(use) if 1 <= p <= 65535}
        return ports


# --- building ------------------------------------------------------------------------------------

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
            _env_uses(process, f"deploy.{name}.env", env, settings, unresolved)
        process.cpus = settings.cpus
        process.mark_effective()
        processes.append(process)
    config = Config(parsed.source.path, parsed, evaluator, exports, ports, processes, unresolved.items, settings)
    _link_and_label(config)
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
    table = PortsTable(name_span, value, declaration=binding.node)
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
_CLOSERS = re.compile(r"^[\s,}\])]*")


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
    key_row, _ = source.position(prop.key_span.start)
    if key_row > 1:
        above = source.line(key_row - 1).strip()
        m = _LINE_COMMENT.match(above)
        if m and (above.startswith("//") or above.endswith("*/")):
            return (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    return None


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


def _env_uses(process: "Process", source: str, env: Value, settings: Settings, unresolved: _Collector) -> None:
    if isinstance(env, Obj):
        unresolved.parts(env, f"{source} of {process.display_name}")
        for env_key, env_prop in env.props.items():
            if is_port_key(env_key, settings.is_connection_key):
                _add_use(process, source, env_key, env_prop.value, settings, unresolved)
    elif isinstance(env, Unknown):
        unresolved.add(env, f"{source} of {process.display_name}")


def _field(app: Obj, name: str) -> tuple[str, Value] | None:
    if name in app.props:
        return name, app.props[name].value
    for alias, canonical in ALIASES.items():
        if canonical == name and alias in app.props:
            return alias, app.props[alias].value
    return None


def _text(value: Value | None) -> str | None:
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
            _env_uses(process, key, value, settings, unresolved)
        elif key == "port":
            _add_use(process, "port", "port", value, settings, unresolved)
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
            use = _add_use(process, alias, flag, port_value, settings, unresolved, span=span)
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
            _add_use(process, "ports", prefix + label, prop.value, settings, unresolved, span=here)


def _add_use(process: Process, source: str, key: str, value: Value, settings: Settings,
             unresolved: _Collector, span: Span | None = None) -> PortUse:
    span = span or value.span
    literal = any(isinstance(alt, Prim) and alt.literal and span is not None and span.contains(alt.origin)
                  for alt in value.alternatives())
    connection = source.startswith(("env", "deploy.")) and settings.is_connection_key(key)
    use = PortUse(process, source, key, value, span, literal=literal, connection=connection)
    if any(isinstance(alt, (Unknown, EnvVar)) for alt in value.alternatives()):
        unresolved.add(value, f"{use.where} of {process.display_name}")
    process.uses.append(use)
    return use


# --- args: --port N, --port=N, --inspect=[host:]N -----------------------------------------------

_PORT_FLAG = re.compile(r"^--port(?:=(.*))?$")
_INSPECT_FLAG = re.compile(r"^--inspect(?:-brk)?(?:=(?:(?:\[[^\]]*\]|[^:]*):)?(.*))?$")


@dataclass
class _Piece:
    text: str | None  # None for a value that is not known text
    value: Value | None
    span: Span | None


def _pieces(value: Value) -> list[_Piece]:
    """A string value as pieces of text (with exact spans) and embedded values."""
    if isinstance(value, Template):
        out: list[_Piece] = []
        for part in value.parts:
            out.extend(_pieces(part))
        return out
    if isinstance(value, Prim) and isinstance(value.value, str):
        piece = _Piece(value.value, value, value.span)
        offset = _text_offset(piece)
        if offset is not None and value.span is not None:
            piece.span = Span(value.span.source, offset, offset + len(value.value))
        return [piece]
    return [_Piece(None, value, value.span)]


def _text_offset(piece: _Piece) -> int | None:
    """Where the piece's text starts in the file, when the text is written there as-is."""
    span = piece.span
    if span is None or piece.text is None:
        return None
    raw = span.text
    if len(raw) == len(piece.text) and raw == piece.text:
        return span.start
    if raw[:1] in ("'", '"') and raw[1:-1] == piece.text:
        return span.start + 1
    if raw == piece.text:
        return span.start
    return None


def _tokens(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Split pieces into shell-like words; a value glued to text stays in the same word."""
    words: list[list[_Piece]] = [[]]
    for piece in pieces:
        if piece.text is None:
            words[-1].append(piece)
            continue
        offset = _text_offset(piece)
        for m in re.finditer(r"\S+|\s+", piece.text):
            chunk = m.group(0)
            if chunk.isspace():
                if words[-1]:
                    words.append([])
                continue
            span = Span(piece.span.source, offset + m.start(), offset + m.end()) if offset is not None and piece.span else piece.span
            words[-1].append(_Piece(chunk, piece.value, span))
    return [w for w in words if w]


def _word_text(word: list[_Piece]) -> str | None:
    if all(p.text is not None for p in word):
        return "".join(p.text for p in word)  # type: ignore[misc]
    return None


def _word_span(word: list[_Piece]) -> Span | None:
    spans = [p.span for p in word if p.span is not None]
    if not spans:
        return None
    return Span(spans[0].source, spans[0].start, max(s.end for s in spans if s.source is spans[0].source))


def _value_after(word: list[_Piece], prefix_len: int) -> tuple[Value, Span | None] | None:
    """The value following the first ``prefix_len`` characters of a word (``--port=`` then N)."""
    consumed = 0
    rest: list[_Piece] = []
    for piece in word:
        if consumed >= prefix_len:
            rest.append(piece)
            continue
        if piece.text is None:
            return None
        if consumed + len(piece.text) > prefix_len:
            cut = prefix_len - consumed
            span = Span(piece.span.source, piece.span.start + cut, piece.span.end) if piece.span and piece.span.end - piece.span.start == len(piece.text) else piece.span
            rest.append(_Piece(piece.text[cut:], piece.value, span))
        consumed += len(piece.text)
    return _word_value(rest)


def _word_value(word: list[_Piece]) -> tuple[Value, Span | None] | None:
    if not word:
        return None
    span = _word_span(word)
    if len(word) == 1 and word[0].text is None and word[0].value is not None:
        return word[0].value.at(span), span
    text = _word_text(word)
    if text is not None and len(word) == 1 and isinstance(word[0].value, Prim) and to_js_string(word[0].value.value) == text:
        # a whole string value, e.g. String(PORTS.web): keep where the number was defined
        source_value = word[0].value
        if text.isdigit() and text.isascii():
            exact = span is not None and span.end - span.start == len(text)
            return Prim(int(text), literal=exact and source_value.literal, span=span,
                        origin=source_value.origin if not exact else span), span
    if text is not None:
        exact = all(p.span is not None and p.span.end - p.span.start == len(p.text or "") for p in word)
        literal = exact and text.isdigit()
        if text.isdigit() and text.isascii():
            return Prim(int(text), literal=literal, span=span, origin=span), span
        return Prim(text, literal=False, span=span, origin=span), span
    return Unknown(reason="a port built from several values", span=span), span


def scan_args(value: Value, inspect: bool = False) -> list[tuple[str, Value, Span]]:
    """Find ``--port N`` / ``--port=N`` (args) or ``--inspect=[host:]N`` (node_args) in an args value."""
    if isinstance(value, Arr):
        words: list[list[_Piece]] = [_pieces(item) for item in value.items]
    elif isinstance(value, (Prim, Template)) and not (isinstance(value, Prim) and not isinstance(value.value, str)):
        words = _tokens(_pieces(value))
    else:
        return []
    found: list[tuple[str, Value, Span]] = []
    flag_re = _INSPECT_FLAG if inspect else _PORT_FLAG
    flag_name = "--inspect" if inspect else "--port"
    for i, word in enumerate(words):
        head = "".join(p.text or "\0" for p in word)
        m = flag_re.match(head.split("\0")[0]) if "\0" in head else flag_re.match(head)
        if not m:
            continue
        if "=" in head:
            eq = head.index("=")
            if inspect:
                text_before = head.split("\0")[0]
                colon = text_before.rfind(":")
                eq = colon if colon > eq else eq
            got = _value_after(word, eq + 1)
        elif inspect:
            continue  # bare --inspect: the default debugger port, not written in the file
        elif i + 1 < len(words):
            got = _word_value(words[i + 1])
        else:
            got = None
        if got is not None and got[1] is not None:
            found.append((flag_name, got[0], got[1]))
    return found


# --- labels ---------------------------------------------------------------------------------------

def _link_and_label(config: Config) -> None:
    has_api = False
    for process in config.processes:
        has_cdp = any(u.source.startswith("env") and u.key.upper() == "CDP_PORT" for u in process.uses)
        for use in process.uses:
            if config.ports is not None:
                for alt in use.value.alternatives():
                    use.entry = config.ports.entry_at(alt.origin)
                    if use.entry:
                        use.literal = False  # the number is written in PORTS, where it belongs
                        break
            if use.source == "ports":
                use.label = use.key
            elif use.source in ("args",):
                use.label = "ui"
            elif use.source in ("node_args", "interpreter_args"):
                use.label = "cdp"  # the Node inspector speaks the Chrome DevTools Protocol
            elif use.source == "port":
                use.label = "api"
            else:
                use.label = env_label(use.key, process.name, has_cdp)
            has_api = has_api or (use.label == "api" and not use.connection)
    if has_api:
        for process in config.processes:
            text = process.span.text.lower() if process.span else ""
            is_vite = "vite" in text or any(u.key.upper() == "VITE_PORT" for u in process.uses)
            if is_vite:
                for use in process.uses:
                    if use.label == "ui":
                        use.label = "devUi"


# --- what cross-config rules see: claims, which survive the cache and worker processes ----------

@dataclass(frozen=True)
class PortClaim:
    """One port a process occupies, as plain data."""

    identity: tuple  # (real path of the app object's file, offset): the same app from two configs is one
    process: str  # display name
    process_name: str | None
    where: str  # env.PORT, args --port, ...
    port: int
    path: str
    row: int
    column: int
    end_row: int
    end_column: int

    @property
    def place(self) -> str:
        return f"{self.path}:{self.row}:{self.column}"


@dataclass
class ConfigSummary:
    """What project rules (PL203) see of one config: its path, its claims, its severities."""

    path: str
    claims: list[PortClaim]
    severity: dict[str, str]

    def severity_of(self, code: str, default: str) -> str:
        return self.severity.get(code, default)

    def to_data(self) -> dict:
        return {"path": self.path, "severity": self.severity,
                "claims": [[list(c.identity), c.process, c.process_name, c.where, c.port, c.path, c.row, c.column,
                            c.end_row, c.end_column] for c in self.claims]}

    @classmethod
    def from_data(cls, data: dict) -> "ConfigSummary":
        claims = [PortClaim(tuple(c[0]), *c[1:]) for c in data["claims"]]
        return cls(data["path"], claims, dict(data["severity"]))


def summarize(config: Config) -> ConfigSummary:
    import os

    claims = []
    for process in config.processes:
        span = process.span
        # the same app object from two configs is one process; apps made by one .map() are not
        identity = ((os.path.realpath(span.source.path), span.start, process.display_name) if span is not None
                    else (config.path, process.index))
        for use in process.occupying_uses():
            if use.span is None:
                continue
            row, col = use.span.location
            end_row, end_col = use.span.end_location
            for port in sorted(process.occupied(use)):
                claims.append(PortClaim(identity, process.display_name, process.name, use.where, port,
                                        use.span.path, row, col, end_row, end_col))
    return ConfigSummary(config.path, claims, dict(config.settings.severity))
