"""Move to a free block (the unsafe fix for PL201/PL202/PL203/PL301): renumber a config's PORTS into
the first free contiguous block of its role's range, looking at every config of the run.

Only the values of the PORTS literal change; entries keep their order and an entry that
``instances`` widen through ``increment_var`` keeps its width. Every use and reference already
reads PORTS (the safe fixes saw to that), so they follow. Configs that are fine keep their ports
and count as taken, as do the live PortOS apps (``--portos-url``); variants of one config and
configs that require one another never push each other away. A config whose ports do not all go
through its PORTS literal, or for which the range has no room, is left as it is, with the reason.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from portlint.fix.apply import Edit, Fix


@dataclass
class Plan:
    """What happens to one config: its moves and edits, or why it stays."""

    config: object
    group: int
    reasons: list[str] = field(default_factory=list)  # codes that ask for a move (PL201, PL202, ...)
    moves: list[tuple[str, int, int]] = field(default_factory=list)  # (PORTS key, old, new)
    fix: Fix | None = None
    refused: str | None = None
    held: set[int] = field(default_factory=set)  # the block it moves to

    @property
    def path(self) -> str:
        return self.config.path


def _entry_literals(config):
    """[(entry, old port, value span)] when every PORTS entry is a number written in this file's
    PORTS literal; None otherwise (nothing can be moved by editing PORTS alone)."""
    from portlint.evaluator.values import Prim
    from portlint.fix.edits import ports_declarator

    binding = ports_declarator(config)
    if binding is None or binding.init is None or binding.init.type != "ObjectExpression" or binding.path:
        return None
    out = []
    for entry in config.ports.entries:
        value, span = entry.value, entry.span
        if not (isinstance(value, Prim) and value.literal and isinstance(value.value, int)) or span is None \
                or span.source is not config.source or not span.text.isdigit():
            return None
        out.append((entry, value.value, span))
    return out


def _width(config, entry) -> int:
    """How many ports an entry takes: the instances ``increment_var`` gives its processes."""
    width = 1
    for process in config.processes:
        for use in process.occupying_uses():
            if use.entry is entry:
                width = max(width, len(process.occupied(use)))
    return width


def _own_problems(config, settings) -> list[str]:
    from portlint.model.portsets import missing

    block = config.block()
    allowed = settings.allowed_range(config.role)
    reasons = []
    if missing(block):
        reasons.append("PL201")
    if allowed and any(not any(lo <= p <= hi for _, lo, hi in allowed) for p in block):
        reasons.append("PL202")
    if any(settings.is_well_known(p) for p in block):
        reasons.append("PL301")
    return reasons


def _stray(config, olds: set[int]) -> str | None:
    """A place that gets one of ``olds`` without going through PORTS: moving PORTS would split it."""
    from portlint.fix.introduce_ports import host_ports_in_strings, listening_uses

    for use in listening_uses(config):
        if use.entry is None and use.ports & olds:
            return f"{use.process.display_name} gets {sorted(use.ports & olds)[0]} from {use.where} without PORTS"
    for start, _, port in host_ports_in_strings(config):
        if port in olds:
            row, col = config.source.position(start)
            return f"line {row}:{col} names port {port} in a string"
    return None


def _groups(configs) -> list[int]:
    """Configs that describe the same processes (variants in one folder, a config and the configs
    it requires, one app object reached twice) share a group number."""
    from portlint.model.config import summarize

    parent = list(range(len(configs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys: dict[tuple, int] = {}
    real = {os.path.realpath(c.path): i for i, c in enumerate(configs)}
    for i, config in enumerate(configs):
        folder = os.path.dirname(os.path.realpath(config.path))
        marks = {("app", c.identity) for c in summarize(config).claims}
        marks |= {("name", folder, p.name) for p in config.processes if p.name}
        for mark in marks:
            j = keys.setdefault(mark, i)
            parent[find(i)] = find(j)
        for dep in getattr(config.evaluator.loader, "read_paths", []):
            j = real.get(os.path.realpath(dep))
            if j is not None:
                parent[find(i)] = find(j)
    return [find(i) for i in range(len(configs))]


def plan_moves(configs, settings_for, external=()) -> list[Plan]:
    """A plan for every config of the run, in path order: settle the configs that are fine, then
    give each config that is not the first free block its role's range has."""
    from portlint.report.freeblock import first_free_block

    order = sorted(range(len(configs)), key=lambda i: configs[i].path)
    groups = _groups(configs)
    plans = {i: Plan(configs[i], groups[i]) for i in order}
    settled: dict[int, set[int]] = {}  # group -> ports it keeps or was given

    def taken_for(i) -> set[int]:
        names = {p.name for p in configs[i].processes}
        ports = {p.port for p in external if p.process not in names}
        for group, held in settled.items():
            if group != groups[i]:
                ports |= held
        return ports

    waiting = []
    for i in order:
        config, plan = configs[i], plans[i]
        if _borrowed(config):
            continue  # its ports are written in the configs it requires: they are planned there
        plan.reasons = _own_problems(config, settings_for(config.path))
        if not plan.reasons and config.block() & taken_for(i):
            plan.reasons = ["PL203"]
        if plan.reasons:
            waiting.append(i)
        else:
            settled.setdefault(groups[i], set()).update(config.block())
    literals_of = {}
    for i in waiting:  # configs that cannot move keep their ports: settle them before placing others
        literals_of[i], plans[i].refused = _movable(configs[i])
        if plans[i].refused:
            settled.setdefault(groups[i], set()).update(configs[i].block())
    for i in waiting:
        config, plan = configs[i], plans[i]
        if plan.refused is None:
            _place(plan, literals_of[i], settings_for(config.path), taken_for(i), first_free_block)
            settled.setdefault(groups[i], set()).update(plan.held if plan.fix else config.block())
    return [plans[i] for i in order]


def _movable(config):
    """(the PORTS literals to rewrite, None) or (None, why the config cannot be moved)."""
    if config.source.kind not in ("js", "mjs"):
        return None, (f"a {config.source.kind.upper()} config cannot hold a PORTS constant; move it to "
                      "ecosystem.config.cjs (PL101)")
    literals = _entry_literals(config) if config.ports is not None else None
    if not literals:
        return None, ("its ports are not all numbers written in its own PORTS literal" if config.ports is not None
                      else "it has no PORTS constant")
    stray = _stray(config, {old for _, old, _ in literals})
    if stray or config.block() - _widened(config, literals):
        return None, f"{stray or 'a port is given outside PORTS'}; moving PORTS would leave it behind"
    return literals, None


def _borrowed(config) -> bool:
    """No PORTS and no port use of its own: every port comes from a file it requires."""
    return config.ports is None and all(u.span is None or u.span.source is not config.source for u in config.uses())


def _widened(config, literals) -> set[int]:
    ports = set()
    for entry, old, _ in literals:
        ports |= set(range(old, old + _width(config, entry)))
    return ports


def _place(plan: Plan, literals, settings, taken: set[int], first_free_block) -> None:
    config = plan.config
    widths: dict[int, int] = {}
    for entry, old, _ in literals:
        widths[old] = max(widths.get(old, 1), _width(config, entry))
    size = sum(widths.values())
    ranges = settings.allowed_range(config.role) or settings.allowed_range("user")
    block = None
    for _, low, high in ranges:
        block = first_free_block(size, low, high, taken, settings.is_well_known)
        if block:
            break
    if block is None:
        shown = " or ".join(f"the {name} range {low}-{high}" for name, low, high in ranges)
        plan.refused = f"no block of {size} free port{'s' if size != 1 else ''} in {shown}"
        return
    new_of, cursor = {}, block[0]
    for old, width in widths.items():  # dict order: the order the entries are written in
        new_of[old] = cursor
        cursor += width
    edits, moves = [], []
    for entry, old, span in literals:
        moves.append((entry.key, old, new_of[old]))
        if new_of[old] != old:
            edits.append(Edit(span.start, span.end, str(new_of[old])))
    plan.moves = moves
    plan.held = set(range(block[0], block[1] + 1))
    if edits:
        shown = ", ".join(f"{k} {o} → {n}" for k, o, n in moves if o != n)
        plan.fix = Fix("unsafe", f"Move PORTS to {block[0]}-{block[1]}: {shown}", tuple(edits))
