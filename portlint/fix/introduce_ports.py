"""Introduce PORTS (PL101's fix): give a legacy config that writes its port numbers a top-level
``const PORTS = {...}``, export it, and make every listening use and every reference to one of
its ports read it.

The numbers do not change, so every process listens where it did. One entry per distinct port a
process of the config listens on, keyed by its label (``API``, ``UI``, ``CDP``...) or, when labels
repeat, by a name derived from the process (``ADMIN_API``), never ``PORT``, each with a comment
naming the process and what listens. Loopback URLs and ``host:port`` in strings that name one of
those ports follow. Connections stay as written: ``DB_PORT: 5432``, ``REDIS_URL:
'redis://localhost:6379'``, and a URL naming a port no process of the config listens on (another
config's API, an outside service).

The fix is safe unless its clean form has to change what a process sees; then it is unsafe and its
message says why. ``process.env.PORT || 3000`` becomes ``PORTS.API`` (the one rewrite of that form,
``fix.edits.drop_env_override``: PortOS cannot read ``process.env.PORT || PORTS.API``), which drops
the environment's override; and where PortOS listed a port from ``--port N`` in an args string,
the template ``--port ${PORTS.UI}`` needs the env key PortOS reads (``VITE_PORT``, or ``PORT``),
which the process did not have. A config that exports a bare array of apps gets no fix: an array
cannot carry PORTS (see ``refusal``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from portlint.fix.edits import (add_env_key, drop_env_override, env_default_of, newline_of, rewrite_numbers)

#: What listens, by label, for the entry's comment.
WHAT_LISTENS = {
    "api": "API server", "ui": "web UI", "devUi": "Vite dev server", "cdp": "Chrome DevTools Protocol",
    "health": "health check endpoint", "ws": "WebSocket server",
}


def use_kind(use, config=None) -> str:
    """'listen' (listen and shared uses), 'reference' or 'connection': the model's kind, as the
    migration groups it."""
    from portlint.model.types import Kind

    if use.kind is Kind.CONNECTION:
        return "connection"
    return "reference" if use.kind is Kind.REFERENCE else "listen"


def listening_uses(config) -> list:
    """The uses that occupy or name a port of this config (listen and reference, no connections)."""
    return [u for u in config.uses() if use_kind(u) != "connection"]


# --- the plan ---------------------------------------------------------------------------------

@dataclass
class PlannedEntry:
    port: int
    owner: object  # the use that names the entry
    uses: list = field(default_factory=list)
    places: list = field(default_factory=list)  # (use, span of the number) to rewrite
    key: str = ""

    @property
    def comment(self) -> str:
        from portlint.model.types import names

        owner = self.owner
        listeners = [u for u in self.uses if use_kind(u) == "listen" and u.effective] or [owner]
        return f"{names(listeners)}: {_what(owner)} ({owner.where})"


def _what(use) -> str:
    """What listens on a use's port, in a few words (never empty)."""
    from portlint.model.portos_scan import uses_vite

    if use.label == "ui" and use.process.span is not None and uses_vite(use.process.span.text):
        return WHAT_LISTENS["devUi"]
    if use.label in WHAT_LISTENS:
        return WHAT_LISTENS[use.label]
    if use.site.inspector:
        return "Node inspector (debugger)"
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", use.label).lower() if use.label else ""
    if not words:
        from portlint.model.portos import port_key_stem

        words = port_key_stem(use.key).replace("_", " ").lower() or "its"
    return f"{words} port"


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
    """One entry per distinct port a process of the config listens on (or shares), with every place
    in this file that writes it: its listeners' numbers and the ``*_PORT`` references to it."""
    written = [(use, _written_at(use)) for use in listening_uses(config)]
    written = sorted(((u, w) for u, w in written if w and w[1].source is config.source), key=lambda uw: uw[1][1].start)
    listened = {port for use, (port, _) in written if use_kind(use) == "listen" and not use.in_url}
    by_port: dict[int, PlannedEntry] = {}
    for use, (port, place) in written:
        if port not in listened:
            continue  # a reference to a port no process of this config listens on: not this config's
        entry = by_port.setdefault(port, PlannedEntry(port, use))
        entry.uses.append(use)
        entry.places.append((use, place))
        if _owner_rank(use) > _owner_rank(entry.owner):
            entry.owner = use
    entries = sorted(by_port.values(), key=lambda e: e.places[0][1].start)
    _name(entries)
    return entries


def _owner_rank(use) -> tuple:
    """Which use names an entry: a listener before a reference or URL, and one PM2 applies before
    one it never does (a cluster app's ``--inspect=N``, args a shell drops)."""
    return (use_kind(use) == "listen" and not use.in_url, bool(use.effective))


def _snake(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    return "P_" + text if text[:1].isdigit() else text


def _label_key(entry: PlannedEntry) -> str:
    """The key an entry's label gives (``API``, ``UI``, ``CDP``, ``METRICS``), never ``PORT``."""
    from portlint.model.portos import DERIVED_LABELS, port_key_stem

    owner = entry.owner
    label = "debug" if owner.site.inspector else DERIVED_LABELS.get(owner.label, owner.label)
    key = _snake(label or port_key_stem(owner.key))
    return "" if key in ("", "PORT") else key


def _name(entries: list[PlannedEntry]) -> None:
    """Keys: the label, or process + label when several processes' entries would share a label, and
    the environment's name for a named environment's port (``API_PRODUCTION`` beside ``API``); unique."""
    processes: dict[str, set[int]] = {}
    for entry in entries:
        processes.setdefault(_label_key(entry), set()).add(id(entry.owner.process))
    counts = {label: sum(_label_key(e) == label for e in entries) for label in processes}
    taken: set[str] = set()
    for entry in entries:
        label = _label_key(entry)
        key = label
        if not label or counts[label] > 1:
            if not label or len(processes[label]) > 1:
                process = _snake(entry.owner.process.name or "") or f"APP_{entry.owner.process.index + 1}"
                key = process if not label or label in process.split("_") else f"{process}_{label}"
            site = entry.owner.site
            if site.in_env and site.env:  # the port of a named environment: API_PRODUCTION beside API
                key += "_" + _snake(site.env)
        base, n = key, 2
        while key in taken:
            key, n = f"{base}_{n}", n + 1
        taken.add(key)
        entry.key = key


# --- the edits --------------------------------------------------------------------------------

def _indent_unit(text: str) -> str:
    for line in text.splitlines():
        m = re.match(r"([ \t]+)\S", line)
        if m and not line.lstrip().startswith("*"):
            return "\t" if m.group(1).startswith("\t") else " " * len(m.group(1))
    return "  "


def _declaration(config, entries: list[PlannedEntry], semicolon: bool, export: str) -> str:
    text = config.source.text
    nl, unit = newline_of(text), _indent_unit(text)
    trailing = bool(re.search(r",[ \t]*(?://[^\r\n]*)?\r?\n[ \t]*[}\]]", text))
    style = re.search(r"[)}\]'\"`\w];[ \t]*(?://[^\r\n]*)?\r?$", text, re.M)
    end = ";" if style or semicolon else ""
    lines = ["// Ports of this config: the single source of truth (PortOS port policy)",
             ("export " if export == "named" else "") + "const PORTS = {"]
    for i, entry in enumerate(entries):
        comma = "," if i < len(entries) - 1 or trailing else ""
        lines.append(f"{unit}{entry.key}: {entry.port}{comma} // {entry.comment}")
    lines.append("}" + end)
    if export == "member":
        lines.append("module.exports.PORTS = PORTS" + (";" if style else ""))
    return nl.join(lines)


def refusal(config) -> str | None:
    """The advice row of a config PL101 has no fix for by its shape (a bare array of apps: an array
    cannot carry PORTS), or None."""
    from portlint.evaluator.values import Arr

    return "PL101-array" if isinstance(config.exports, Arr) else None


def _export_form(config) -> str | None:
    """How the new PORTS is exported: 'object' (PORTS added to the exported object literal, by
    ``export_ports``), 'member' (``module.exports.PORTS = PORTS`` after a file that assigns
    ``module.exports.apps = [...]``), 'named' (``export const PORTS`` beside ``export const apps``);
    None when there is no way."""
    from portlint.evaluator.values import Obj

    exported = config.exports
    span = getattr(exported, "span", None)
    if isinstance(exported, Obj) and span is not None and span.source is config.source \
            and config.source.text[span.start:span.start + 1] == "{":
        return "object"
    if config.info.named_exports and config.info.default_export is None and config.parsed.is_module:
        return "named"
    if _assigns_export_members(config.parsed.program):
        return "member"
    return None


def _assigns_export_members(program) -> bool:
    """``module.exports.apps = [...]`` (or ``exports.apps``) at the top level, and never
    ``module.exports = ...`` itself."""
    from portlint.source.estree import member_path

    members = False
    for statement in program.body:
        if statement.type != "ExpressionStatement" or statement.expression.type != "AssignmentExpression":
            continue
        found = member_path(statement.expression.left) if statement.expression.left.type == "MemberExpression" else None
        if not found:
            continue
        root, keys = found[0], [k for k, _ in found[1]]
        if root == "module" and keys == ["exports"]:
            return False
        if (root == "module" and len(keys) == 2 and keys[0] == "exports") or (root == "exports" and len(keys) == 1):
            members = True
    return members


@dataclass
class Introduction:
    """The fix: its edits, its message, and whether it is safe (``unsafe``: why not)."""

    edits: list
    message: str
    unsafe: list[str] = field(default_factory=list)

    @property
    def applicability(self) -> str:
        return "unsafe" if self.unsafe else "safe"


def introduce_ports(config) -> Introduction | None:
    """The fix, or None when it cannot be made (see ``refusal`` for the reason a user is told)."""
    from portlint.fix.apply import Edit
    from portlint.fix.edits import export_ports
    from portlint.fix.insertion import insertion_point

    if config.source.kind not in ("js", "mjs") or config.parsed.program is None or config.ports is not None \
            or refusal(config) is not None:
        return None
    entries = plan_entries(config)
    export = _export_form(config)
    if not entries or export is None:
        return None
    text = config.source.text
    where = insertion_point(config.parsed, newline_of(text))
    if where is None:
        return None
    unsafe: list[str] = []
    numbers, expressions = [], []
    for entry in entries:
        reference = f"PORTS.{entry.key}"
        for use, span in entry.places:
            default = env_default_of(config, use)
            if default is None:
                numbers.append((span, reference))
                continue
            dropped = drop_env_override(config, default, reference)
            if dropped is None:
                return None
            expressions.extend(dropped)
            unsafe.append(f"`{default.text}` becomes `{reference}`: the environment no longer overrides the port")
    covered = {span.start for span, _ in numbers}
    numbers += _references_in_strings(config, {e.port: f"PORTS.{e.key}" for e in entries}, covered)
    numbers = [(s, r) for s, r in numbers if not any(e.start <= s.start and s.end <= e.end for e in expressions)]
    if any(span.start < where.end for span, _ in numbers) or any(e.start < where.end for e in expressions):
        return None  # a port written before the declaration could go: PORTS would not exist yet
    rewritten = rewrite_numbers(config, numbers)
    if rewritten is None:
        return None
    edits = rewritten + _unique(expressions)
    if export == "object":
        exported = export_ports(config, declared_before=where.end)
        if exported is None:
            return None
        edits += exported
    declaration = _declaration(config, entries, where.semicolon, export)
    edits.append(Edit(where.offset, where.end, where.text(declaration)))
    added, reasons = _env_keys_portos_reads(config, entries, edits)
    if added is None:
        return None
    edits += added
    unsafe += reasons
    shown = ", ".join(f"{e.key}: {e.port}" for e in entries)
    message = f"Introduce PORTS ({shown}) and refer to it"
    if unsafe:
        message += "; unsafe: " + "; ".join(dict.fromkeys(unsafe))
    return Introduction(edits, message, list(dict.fromkeys(unsafe)))


def _unique(edits: list) -> list:
    seen, out = set(), []
    for edit in edits:
        if (edit.start, edit.end) not in seen:
            seen.add((edit.start, edit.end))
            out.append(edit)
    return out


def _references_in_strings(config, ports: dict[int, str], taken: set[int]) -> list[tuple]:
    """Loopback ``host:port`` inside strings naming one of ``ports``: (span, reference). Connections
    (``redis://localhost:6379``, the value of ``REDIS_URL``) stay as written."""
    from portlint.diagnostic import Span
    from portlint.model.kinds import addresses_in_strings
    from portlint.model.types import Kind

    return [(Span(config.source, start, end), ports[port]) for start, end, port, kind in addresses_in_strings(config)
            if kind is Kind.REFERENCE and port in ports and start not in taken]


def _env_keys_portos_reads(config, entries: list[PlannedEntry], edits: list) -> tuple[list | None, list[str]]:
    """The env keys (``VITE_PORT: PORTS.UI``, ``PORT: PORTS.API``) that keep every port PortOS
    listed before the fix in its apps list after it (it reads ``--port 5173`` and ``port: 5570``,
    not ``--port ${PORTS.UI}`` nor ``port: PORTS.API``), and why adding them is unsafe: a key added
    beside ``args`` is one the process did not have (PM2 already copies ``port`` into env.PORT)."""
    from portlint.fix.apply import apply_edits
    from portlint.model import portos_scan
    from portlint.model.portos import view_of
    from portlint.model.portos_reasons import env_key_for
    from portlint.model.types import Field

    view = view_of(config)
    if not view.own:
        return [], []  # PortOS does not read this file: it lists none of its ports, before or after
    after = {}
    for app in portos_scan.scan(apply_edits(config.source.text, edits)):
        after.setdefault(app.name, set()).update(app.ports.values())
    added, reasons = [], []
    for process in config.processes:
        lost = set(view.listed(process.name)) - after.get(process.name, set())
        if not lost:
            continue
        planned = next(((e, u) for e in entries for u in e.uses if u.process is process and e.port in lost
                        and use_kind(u) == "listen" and not u.in_url), None)
        if planned is None:
            continue
        entry, use = planned
        key = env_key_for(process, use.label)
        if any(u.site.in_env and u.key == key for u in process.uses):
            continue
        found = add_env_key(config, process, key, f"PORTS.{entry.key}")
        if found is None:
            return None, []
        added.extend(found)
        if use.site.field is not Field.PORT:
            reasons.append(f"{process.display_name}'s env gets {key}, which it did not have: PortOS reads that key, "
                           f"not the template in {use.where}")
    return added, reasons
