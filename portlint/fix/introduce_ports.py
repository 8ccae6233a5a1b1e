"""Introduce PORTS (PL101's safe fix): give a legacy config that writes its port numbers a top-level
``const PORTS = {...}`` and make every listening use and every literal reference read it.

The numbers do not change, so every process listens where it did: the fix is safe. One entry per
distinct port a process gets, keyed by its label (``API``, ``UI``, ``CDP``...) or, when labels
repeat, by a name derived from the process (``ADMIN_API``), each with a comment naming the process
and what listens. URLs and ``host:port`` in strings that name one of those ports follow too. The
export of PORTS is left to PL103's fix and leftovers to PL401's, on the fix loop's next pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from portlint.fix.edits import add_env_key, newline_of, rewrite_numbers

#: What listens, by label, for the entry's comment.
WHAT_LISTENS = {
    "api": "API server", "ui": "web UI", "devUi": "Vite dev server", "cdp": "Chrome DevTools Protocol",
    "health": "health check endpoint", "ws": "WebSocket server",
}
#: Keys through which a process binds a port itself (the spec's listen keys).
_LISTEN_SOURCES = ("port", "args", "node_args", "interpreter_args", "ports")
#: ``host:port`` inside a string: a URL or an address naming a port (always a reference).
_HOST_PORT = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://)?(?:\[[0-9a-fA-F:.]*\]|[A-Za-z0-9][A-Za-z0-9.-]*):([0-9]{2,5})(?![0-9])")


# --- the one adapter to the model: switch to PortUse.kind / a typed source here ---------------

def where_from(use) -> str:
    """The field a use comes from: env | env_<name> | deploy.<name>.env | port | args | ... | ports."""
    return use.source


def use_kind(use, config) -> str:
    """'listen', 'reference' or 'connection', decided as the spec's Words say."""
    if use.connection:
        return "connection"
    source = where_from(use)
    if source in _LISTEN_SOURCES or use.key.upper() == "PORT":
        return "listen"
    for process in config.processes:
        if process is use.process:
            continue
        for other in process.uses:
            if not other.connection and use.ports & other.ports and (
                    where_from(other) in _LISTEN_SOURCES or other.key.upper() == "PORT"):
                return "reference"
    return "listen"


def listening_uses(config) -> list:
    """The uses that occupy or name a port of this config (listen and reference, no connections)."""
    return [u for u in config.uses() if use_kind(u, config) != "connection"]


# --- the plan ---------------------------------------------------------------------------------

@dataclass
class PlannedEntry:
    port: int
    owner: object  # the use that names the entry
    uses: list = field(default_factory=list)
    places: list = field(default_factory=list)  # spans of the numbers to rewrite
    key: str = ""

    @property
    def comment(self) -> str:
        label = self.owner.label
        what = WHAT_LISTENS.get(label, f"{label} port")
        return f"{self.owner.process.display_name}: {what} ({self.owner.where})"


def _written_at(use):
    """(port, where its number is written) for a use of one known port: the literal in the use, or
    the number a local constant holds (``const API_PORT = 4000`` ... ``PORT: API_PORT``)."""
    from portlint.evaluator.values import Prim

    ports = use.valid_ports
    if use.span is None or len(ports) != 1 or not use.known:
        return None
    if use.literal:
        return (next(iter(ports)), use.literal_span) if use.literal_span is not None else None
    numbers = [a for a in use.value.alternatives() if isinstance(a, Prim) and a.literal and a.origin is not None]
    if len(numbers) == 1 and numbers[0].origin.text.isdigit():
        return next(iter(ports)), numbers[0].origin
    return None


def plan_entries(config) -> list[PlannedEntry]:
    """One entry per distinct port the processes write literally, in the order they appear."""
    by_port: dict[int, PlannedEntry] = {}
    written = [(use, _written_at(use)) for use in listening_uses(config)]
    written = sorted(((u, w) for u, w in written if w and w[1].source is config.source), key=lambda uw: uw[1][1].start)
    for use, (port, place) in written:
        entry = by_port.setdefault(port, PlannedEntry(port, use))
        entry.uses.append(use)
        entry.places.append(place)
        if use_kind(entry.owner, config) != "listen" and use_kind(use, config) == "listen":
            entry.owner = use
    entries = sorted(by_port.values(), key=lambda e: e.places[0].start)
    _name(entries)
    return entries


def _snake(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    return ("P_" + text if text[:1].isdigit() else text) or "PORT"


def _name(entries: list[PlannedEntry]) -> None:
    """Keys: the label, or process + label when several entries would share a label."""
    from portlint.model.portos import DERIVED_LABELS

    def label_of(entry):
        return _snake(DERIVED_LABELS.get(entry.owner.label, entry.owner.label) or "port")

    counts: dict[str, int] = {}
    for entry in entries:
        counts[label_of(entry)] = counts.get(label_of(entry), 0) + 1
    taken: set[str] = set()
    for entry in entries:
        label = label_of(entry)
        key = label
        if counts[label] > 1:
            process = _snake(entry.owner.process.name or "app")
            key = process if label in process.split("_") else f"{process}_{label}"
            source = where_from(entry.owner)
            if key in taken and source.startswith("env_"):
                key += "_" + _snake(source[len("env_"):])
        base, n = key, 2
        while key in taken:
            key, n = f"{base}_{n}", n + 1
        taken.add(key)
        entry.key = key


# --- the edits --------------------------------------------------------------------------------

def _top_statements(program) -> tuple[object | None, object | None]:
    """(last statement of the leading 'use strict' / imports / requires, first statement after)."""
    last = None
    for statement in program.body:
        if _is_prologue(statement):
            last = statement
            continue
        return last, statement
    return last, None


def _is_prologue(node) -> bool:
    if node.type == "ImportDeclaration":
        return True
    if node.type == "ExpressionStatement" and getattr(node, "directive", None):
        return True
    if node.type == "VariableDeclaration":
        return all(d.init is not None and _calls_require(d.init) for d in node.declarations)
    if node.type == "ExpressionStatement":
        return _calls_require(node.expression)
    return False


def _calls_require(node) -> bool:
    while node is not None and node.type in ("MemberExpression", "CallExpression", "AwaitExpression"):
        if node.type == "CallExpression" and node.callee.type == "Identifier" and node.callee.name == "require":
            return True
        node = node.object if node.type == "MemberExpression" else node.callee if node.type == "CallExpression" else node.argument
    return False


def _indent_unit(text: str) -> str:
    for line in text.splitlines():
        m = re.match(r"([ \t]+)\S", line)
        if m and not line.lstrip().startswith("*"):
            return "\t" if m.group(1).startswith("\t") else " " * len(m.group(1))
    return "  "


def _declaration(config, entries: list[PlannedEntry]) -> str:
    text = config.source.text
    nl, unit = newline_of(text), _indent_unit(text)
    trailing = bool(re.search(r",[ \t]*(?://[^\r\n]*)?\r?\n[ \t]*[}\]]", text))
    semicolon = ";" if re.search(r"[)}\]'\"`\w];[ \t]*(?://[^\r\n]*)?\r?$", text, re.M) else ""
    lines = ["// Ports of this config: the single source of truth (PortOS port policy)", "const PORTS = {"]
    for i, entry in enumerate(entries):
        comma = "," if i < len(entries) - 1 or trailing else ""
        lines.append(f"{unit}{entry.key}: {entry.port}{comma} // {entry.comment}")
    lines.append("}" + semicolon)
    return nl.join(lines)


def _insertion(config) -> tuple[int, str] | None:
    """Where the declaration goes and how it is joined: after the prologue, else before the first
    statement (above the comment lines written directly over it)."""
    text = config.source.text
    nl = newline_of(text)
    program = config.parsed.program
    last, first = _top_statements(program)
    if last is not None:
        end = config.parsed.span(last).end
        line_end = text.find("\n", end)
        if line_end == -1:
            return len(text), nl + nl + "{}" + nl
        if text[line_end - 1:line_end] == "\r":
            line_end -= 1
        if text[end:line_end].strip() and not text[end:line_end].strip().startswith("//"):
            return None
        return line_end, nl + nl + "{}"
    if first is None:
        return None
    start = config.parsed.span(first).start
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None
    statement_line, comments_start = line_start, line_start
    while comments_start > 0:
        above_start = text.rfind("\n", 0, comments_start - 1) + 1
        if not text[above_start:comments_start].strip().startswith(("//", "/*", "*")):
            break
        comments_start = above_start
    # the comments over the statement describe it: PORTS goes above them, unless they open the file
    return (comments_start if comments_start > 0 else statement_line), "{}" + nl + nl


def host_ports_in_strings(config):
    """Every ``host:port`` written in a string literal or template text: (start, end, port)."""
    text = config.source.text
    for node, _ in config.nodes:
        if (node.type == "Literal" and isinstance(node.value, str)) or node.type == "TemplateElement":
            span = config.parsed.span(node)
            for m in _HOST_PORT.finditer(text, span.start, span.end):
                yield m.start(1), m.end(1), int(m.group(1))


def _references_in_strings(config, ports: dict[int, str], taken: set[int]) -> list[tuple]:
    """``host:port`` inside strings naming one of ``ports``: (span, reference)."""
    from portlint.diagnostic import Span

    return [(Span(config.source, start, end), ports[port]) for start, end, port in host_ports_in_strings(config)
            if port in ports and start not in taken]


def _vite_env(config, entries: list[PlannedEntry]) -> list:
    """``VITE_PORT: PORTS.KEY`` for a Vite process that listens on a planned port but has none."""
    edits = []
    for process in config.processes:
        text = process.span.text.lower() if process.span else ""
        if "vite" not in text or any(u.key.upper() == "VITE_PORT" for u in process.uses):
            continue
        planned = next((e for e in entries for u in e.uses if u.process is process and use_kind(u, config) == "listen"), None)
        if planned is None:
            continue
        edits.extend(add_env_key(config, process, "VITE_PORT", f"PORTS.{planned.key}") or [])
    return edits


def introduce_ports(config) -> tuple[list, str] | None:
    """The edits of the fix and its message, or None when it cannot be done safely."""
    from portlint.fix.apply import Edit

    if config.source.kind not in ("js", "mjs") or config.parsed.program is None or config.ports is not None:
        return None
    entries = plan_entries(config)
    if not entries:
        return None
    where = _insertion(config)
    if where is None:
        return None
    offset, joint = where
    places = [(span, f"PORTS.{e.key}") for e in entries for span in e.places]
    covered = {span.start for span, _ in places}
    places += _references_in_strings(config, {e.port: f"PORTS.{e.key}" for e in entries}, covered)
    if any(span.start < offset for span, _ in places):
        return None  # a use written before the declaration could go: PORTS would not exist yet
    rewritten = rewrite_numbers(config, places)
    if rewritten is None:
        return None
    edits = [Edit(offset, offset, joint.replace("{}", _declaration(config, entries)))] + rewritten + _vite_env(config, entries)
    shown = ", ".join(f"{e.key}: {e.port}" for e in entries)
    return edits, f"Introduce PORTS ({shown}) and refer to it"
