"""Move to a valid block (the unsafe fix for PL201/PL202/PL203/PL301): renumber a config's PORTS so
its block is contiguous, in its role's range, clear of well-known ports and of every other config
of the run, moving the fewest ports that do it.

Only the values of the PORTS literal change: ports already in a valid block keep their numbers
(closing a one-port gap moves one port), and a config moves to a new block only when its block is
out of range, well-known or colliding; moved entries fill the block's free places in the order
they are written, and an entry that ``instances`` widen through ``increment_var`` keeps its
width. Every use and reference already reads PORTS (the safe fixes saw to that), so they follow;
a loopback URL written as digits in another config of the run (web/'s ``API_URL`` naming api/'s
port) is rewritten to the same new number. Connection-only PORTS entries (a database's port) never
move. Configs that are fine keep their ports and count as taken, as do the live PortOS apps
(``--portos-url``); variants of one config and configs that require one another never push each
other away. A config whose ports do not all go through its PORTS literal is left as it is, with the
reason; when a range has no room for every config that must move into it, nothing moves and the
message says how many ports are missing.
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
    """[(entry, old port, value span)] when every PORTS entry the config allocates (connection-only
    entries aside) is a number written in this file's PORTS literal; None otherwise (nothing can be
    moved by editing PORTS alone)."""
    from portlint.evaluator.values import Prim
    from portlint.fix.edits import ports_declarator

    binding = ports_declarator(config)
    if binding is None or binding.init is None or binding.init.type != "ObjectExpression" or binding.path:
        return None
    out = []
    for entry in config.ports.entries:
        if entry.connection:
            continue  # a service's port the config connects to: never moved
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


def own_block(config) -> set[int]:
    """The ports a config allocates where it writes them: its PORTS entries (connection-only ones
    aside) and the ports its own processes take in this file, not those of the configs it requires
    (a root that lists its services' apps): they are planned in their own files."""
    cached = config.__dict__.get("_own_block")
    if cached is not None:
        return cached
    own = {u for p in config.processes for u in p.occupying_uses() if _written_here(u, config.source)}
    entries = [e for e in (config.ports.entries if config.ports else ()) if e.span is None or e.span.source is config.source]
    if len(own) == sum(1 for p in config.processes for _ in p.occupying_uses()) \
            and len(entries) == len(config.ports.entries if config.ports else ()):
        block = config.block()  # every port is written here: the config's block
    else:
        block = {p for e in entries if not e.connection for p in e.ports if 1 <= p <= 65535}
        for process in config.processes:
            for use in process.occupying_uses():
                if use in own:
                    block |= {p for p in process.occupied(use) if 1 <= p <= 65535}
    config.__dict__["_own_block"] = block
    return block


def _written_here(use, source) -> bool:
    """Whether the number a use takes is written in ``source``: a literal or a PORTS entry of this
    file, not an entry of a PORTS imported from another config (that config plans it)."""
    if use.span is None or use.span.source is not source:
        return False
    origins = [getattr(alt, "origin", None) for alt in use.value.alternatives()]
    origins = [o for o in origins if o is not None]
    return not origins or any(o.source is source for o in origins)


def _own_problems(config, settings) -> list[str]:
    from portlint.model.portsets import missing

    block = own_block(config)
    allowed = settings.allowed_range(config.role)
    reasons = []  # the root cause first: a well-known or out-of-range port, then a gap
    if any(settings.is_well_known(p) for p in block):
        reasons.append("PL301")
    if allowed and any(not any(lo <= p <= hi for _, lo, hi in allowed) for p in block):
        reasons.append("PL202")
    if missing(block):
        reasons.append("PL201")
    return reasons


def _stray(config, olds: set[int]) -> str | None:
    """A place that gets one of ``olds`` without going through PORTS: moving PORTS would split it."""
    from portlint.fix.introduce_ports import listening_uses
    from portlint.model.kinds import addresses_in_strings
    from portlint.model.types import Kind

    for use in listening_uses(config):
        if use.span is None or use.span.source is not config.source:
            continue  # a port of a config this one requires: planned in that file
        if use.entry is None and use.ports & olds:
            return f"{use.process.display_name} gets {sorted(use.ports & olds)[0]} from {use.where} without PORTS"
    for start, _, port, kind in addresses_in_strings(config):
        if port in olds and kind is Kind.REFERENCE:
            row, col = config.source.position(start)
            return f"line {row}:{col} names port {port} in a string"
    return None


def _groups(configs) -> list[int]:
    """Configs that describe the same processes (variants in one folder, one app object reached
    twice) share a group number. A config that lists the apps of the configs it requires shares
    nothing with them: each plans only the ports it writes (``own_block``)."""
    from portlint.model.config import summarize

    parent = list(range(len(configs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys: dict[tuple, int] = {}
    for i, config in enumerate(configs):
        real = os.path.realpath(config.path)
        folder = os.path.dirname(real)
        # only the apps this file writes: a root listing its services' apps plans only its own ports
        marks = {("app", c.identity) for c in summarize(config).claims if c.identity[0] == real}
        marks |= {("name", folder, p.name) for p in config.processes
                  if p.name and p.span is not None and p.span.source is config.source}
        for mark in marks:
            j = keys.setdefault(mark, i)
            parent[find(i)] = find(j)
    return [find(i) for i in range(len(configs))]


def plan_moves(configs, settings_for, external=()) -> list[Plan]:
    """A plan for every config of the run, in path order: settle the configs that are fine, then
    move each config that is not by the fewest ports that make its block valid. When a range has
    no room for every config that must move into it, nothing moves and each of them says how many
    ports are missing. Loopback URLs of other configs that name a moved port follow it."""
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
        if not plan.reasons and own_block(config) & taken_for(i):
            plan.reasons = ["PL203"]
        if plan.reasons:
            waiting.append(i)
        else:
            settled.setdefault(groups[i], set()).update(own_block(config))
    literals_of = {}
    for i in waiting:  # configs that cannot move keep their ports: settle them before placing others
        literals_of[i], plans[i].refused = _movable(configs[i])
        if plans[i].refused:
            settled.setdefault(groups[i], set()).update(own_block(configs[i]))
    no_room = []
    # a config that must move still keeps the ports it has in range: the others place around them first
    kept = {i: _in_range(configs[i], settings_for(configs[i].path)) for i in waiting if plans[i].refused is None}
    for i in waiting:
        config, plan = configs[i], plans[i]
        if plan.refused is None:
            kept.pop(i, None)
            settings = settings_for(config.path)
            others = set().union(*(ports for j, ports in kept.items() if groups[j] != groups[i]))
            _place(plan, literals_of[i], settings, taken_for(i) | others)
            if plan.refused is not None and others:
                plan.refused = None  # no room around the others' ports: take them as any free port
                _place(plan, literals_of[i], settings, taken_for(i))
            if plan.refused is not None:
                no_room.append(i)
            settled.setdefault(groups[i], set()).update(plan.held if plan.fix else own_block(config))
    if no_room:
        _cancel_for_room(configs, plans, waiting, literals_of, settings_for, external, no_room)
    _follow_references(configs, [plans[i] for i in order], groups)
    return [plans[i] for i in order]


def _in_range(config, settings) -> set[int]:
    """The ports of a config's own block that lie in its role's range and are not well-known: the
    ones a move of it keeps when it can."""
    ranges = settings.allowed_range(config.role) or settings.allowed_range("user")
    return {p for p in own_block(config) if any(low <= p <= high for _, low, high in ranges)
            and not settings.is_well_known(p)}


def _cancel_for_room(configs, plans, waiting, literals_of, settings_for, external, no_room) -> None:
    """A range has no room for the run (``no_room``: the configs that found none): nothing moves in
    it, and every config that had to says how many ports it is missing (the ports all of them need,
    less the free ones)."""
    fine: set[int] = set()  # the ports of configs that stay: fine, or not movable for another reason
    for i, config in enumerate(configs):
        if literals_of.get(i) is None:
            fine |= own_block(config)
    by_range: dict[tuple, list[int]] = {}
    for i in waiting:
        if literals_of.get(i) is None:
            continue
        settings = settings_for(configs[i].path)
        ranges = tuple(settings.allowed_range(configs[i].role) or settings.allowed_range("user"))
        by_range.setdefault((ranges, id(settings)), []).append(i)
    for (ranges, _), members in by_range.items():
        if not set(members) & set(no_room):
            continue  # this range had room for every config that moves into it
        settings = settings_for(configs[members[0]].path)
        taken = fine | {p.port for p in external}
        free = sum(1 for _, low, high in ranges for p in range(low, high + 1)
                   if p not in taken and not settings.is_well_known(p))
        needed = sum(_size(configs[i], literals_of[i]) for i in members)
        shown = " or ".join(f"the {name} range {low}-{high}" for name, low, high in ranges)
        who = f"{len(members)} configs need" if len(members) > 1 else "this config needs"
        if needed > free:
            why = (f"{shown} has {free} free port{'s' if free != 1 else ''} and {who} {needed}: "
                   f"{needed - free} missing; nothing was moved")
        else:
            why = f"{shown} has no free contiguous block for every config of the run; nothing was moved"
        for i in members:
            plans[i].fix, plans[i].moves, plans[i].held = None, [], set()
            plans[i].refused = why


def _follow_references(configs, plans: list[Plan], groups) -> None:
    """A loopback URL written as digits in another config (``API_URL: 'http://localhost:3000'`` in
    web/, whose API is in api/) names a port that moved: it moves to the same new number. Only when
    one config of the run listens on the port, and not the config that writes the URL."""
    from portlint.fix.apply import Edit, Fix
    from portlint.model.kinds import addresses_in_strings
    from portlint.model.types import Kind

    listeners: dict[int, set[int]] = {}
    for config, group in zip(configs, groups):
        for port in own_block(config):
            listeners.setdefault(port, set()).add(group)
    moved: dict[int, tuple[int, str]] = {}  # old -> (new, the code that moved it)
    for plan in plans:
        if plan.fix is not None:
            for _, old, new in plan.moves:
                if old != new and listeners.get(old) == {plan.group}:
                    moved[old] = (new, plan.reasons[0])
    if not moved:
        return
    for plan in plans:
        config = plan.config
        if config.source.kind not in ("js", "mjs") or config.parsed.program is None:
            continue
        own = own_block(config)
        edits = [Edit(start, end, str(moved[port][0])) for start, end, port, kind in addresses_in_strings(config)
                 if kind is Kind.REFERENCE and port in moved and port not in own]
        if not edits:
            continue
        follows = list(dict.fromkeys((int(config.source.text[e.start:e.end]), int(e.content)) for e in edits))
        shown = ", ".join(f"{old} → {new}" for old, new in follows)
        message = f"Move the ports other configs of the run moved in its URLs: {shown}"
        plan.moves = plan.moves + [("URL", old, new) for old, new in follows]
        if not plan.reasons:
            plan.reasons = [moved[follows[0][0]][1]]
        if plan.fix is None:
            plan.fix = Fix("unsafe", message, tuple(edits))
        else:
            plan.fix = Fix("unsafe", f"{plan.fix.message}; {message[0].lower()}{message[1:]}", plan.fix.edits + tuple(edits))


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
    if stray or own_block(config) - _widened(config, literals):
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


def _size(config, literals) -> int:
    widths: dict[int, int] = {}
    for entry, old, _ in literals:
        widths[old] = max(widths.get(old, 1), _width(config, entry))
    return sum(widths.values())


def _place(plan: Plan, literals, settings, taken: set[int]) -> None:
    """Give the config the valid block that moves the fewest of its ports (then the one that starts
    nearest its lowest kept port, so a gap is closed from above; then the lowest): ports already
    inside it keep their numbers, the others fill its free places in the order they are written."""
    config = plan.config
    widths: dict[int, int] = {}
    for entry, old, _ in literals:
        widths[old] = max(widths.get(old, 1), _width(config, entry))
    size = sum(widths.values())
    ranges = settings.allowed_range(config.role) or settings.allowed_range("user")
    blocks = [config.block(environment) for environment in sorted(config.environment_names())]
    best = None
    for _, low, high in ranges:
        for start in _free_starts(size, low, high, taken, settings.is_well_known):
            for new_of in _layouts(widths, start, size):
                kept = [old for old in widths if new_of[old] == old]
                cost = (not _contiguous_everywhere(blocks, widths, new_of), len(widths) - len(kept),
                        start - min(kept) if kept and start >= min(kept) else (min(kept) - start if kept else 0),
                        start)
                if best is None or cost < best[0]:
                    best = (cost, start, new_of)
                if not cost[0]:
                    break  # the first layout (in written order) that leaves no gap in any environment
    if best is None:
        shown = " or ".join(f"the {name} range {low}-{high}" for name, low, high in ranges)
        plan.refused = f"no block of {size} free port{'s' if size != 1 else ''} in {shown}"
        return
    _, start, new_of = best
    edits, moves = [], []
    for entry, old, span in literals:
        moves.append((entry.key, old, new_of[old]))
        if new_of[old] != old:
            edits.append(Edit(span.start, span.end, str(new_of[old])))
    plan.moves = moves
    plan.held = set(range(start, start + size))
    if edits:
        shown = ", ".join(f"{k} {o} → {n}" for k, o, n in moves if o != n)
        block = f"{start}-{start + size - 1}" if size > 1 else f"{start}"
        plan.fix = Fix("unsafe", f"Move PORTS to {block}: {shown}", tuple(edits))


def _free_starts(size: int, low: int, high: int, taken: set[int], avoid):
    """Every start of ``size`` consecutive ports in ``[low, high]`` none of which is taken or avoided."""
    run = 0
    for port in range(low, high + 1):
        run = 0 if port in taken or avoid(port) else run + 1
        if run >= size:
            yield port - size + 1


#: Orders of the moving entries tried per block, after the written one, to find a layout with no gap
#: in any environment (an entry one environment uses, beside another's instances): 6 movers = 720.
MAX_ORDERS = 720


def _layouts(widths: dict[int, int], start: int, size: int):
    """The layouts of the block at ``start``: the written order first, then other orders of the
    entries that move (at most ``MAX_ORDERS``)."""
    from itertools import islice, permutations

    first = _assign(widths, start, size)
    if first is None:
        return
    yield first
    movers = [old for old in widths if first[old] != old]
    if len(movers) < 2:
        return
    for order in islice(permutations(movers), 1, MAX_ORDERS):
        new_of = _assign(widths, start, size, order)
        if new_of is not None:
            yield new_of


def _contiguous_everywhere(blocks: list[set[int]], widths: dict[int, int], new_of: dict[int, int]) -> bool:
    """After the moves, the ports of each environment's block (PL201's view: PORTS entries and the
    ports that environment occupies) have no gap."""
    moved = {old + k: new_of[old] + k for old, width in widths.items() for k in range(width)}
    for block in blocks:
        after = {moved.get(p, p) for p in block}
        if after and max(after) - min(after) + 1 != len(after):
            return False
    return True


def _assign(widths: dict[int, int], start: int, size: int, order=None) -> dict[int, int] | None:
    """old -> new for the block ``[start, start + size)``: an old port whose ports all lie inside it
    (and free of the ports kept before it) keeps them; the others take the free places, in order."""
    end = start + size
    used: set[int] = set()
    new_of: dict[int, int] = {}
    for old, width in widths.items():  # dict order: the order the entries are written in
        ports = set(range(old, old + width))
        if start <= old and old + width <= end and not ports & used:
            new_of[old] = old
            used |= ports
    for old in order or widths:
        width = widths[old]
        if old in new_of:
            continue
        place = next((p for p in range(start, end - width + 1) if not set(range(p, p + width)) & used), None)
        if place is None:
            return None
        new_of[old] = place
        used |= set(range(place, place + width))
    return new_of
