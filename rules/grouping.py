"""One cause, one finding, on the rules' side: which port uses one diagnostic speaks for.

A rule asks ``by_finding`` for its uses in groups, and reports once per group, at the group's place,
naming every process and every place of it. Two uses are one finding when

- they are written at one place (``written_span``): the apps a ``.map()`` builds from one template,
  or the list item a ``.map()`` turns into an app; or
- one process gets the same value under the same key in several environments (``env``,
  ``env_<name>``, ``deploy.<name>.env``): environments are alternatives, and one change (a PORTS
  entry referred to in each) cures the finding in all of them.

The group sits at its first place (the first written, e.g. ``env`` before ``env_production``); the
other places are named in the message and, in JSON/SARIF, as related places.

What several *rules* say about one place is merged afterwards, once, by the engine's filter
(``portlint.engine.filter.CAUSES``).
"""
from __future__ import annotations

import re

from portlint.model.types import PortUse


def by_finding(uses, span_of=lambda use: use.written_span) -> list[tuple[object, list[PortUse]]]:
    """(span, uses) per finding: the uses written at one place, joined with the uses one process
    gets the same value from under the same key in other environments."""
    groups: list[tuple[object, list[PortUse]]] = []
    by_place: dict[tuple, int] = {}
    by_value: dict[tuple, int] = {}
    for use in uses:
        span = span_of(use)
        if span is None:
            continue
        place = (id(span.source), span.start, span.end)
        value = _same_value(use)
        index = by_place.get(place)
        if index is None and value is not None:
            index = by_value.get(value)
        if index is None:
            index = len(groups)
            groups.append((span, []))
        groups[index][1].append(use)
        by_place.setdefault(place, index)
        if value is not None:
            by_value.setdefault(value, index)
    return groups


def _same_value(use: PortUse) -> tuple | None:
    """What makes an env use the same finding in another environment of its process, or None."""
    if not use.site.in_env or use.span is None:
        return None
    return (id(use.process), use.key, use.ports, use.literal, id(use.entry), use.in_url)


def written_number(use: PortUse):
    """Where the number a use takes is written as a number of its own: the literal itself
    (``PORT: 5570``, ``process.env.PORT || 5570``), or, for an app a ``.map()`` builds, the number in
    the list item it was built from (``{ id: 'mail', port: 5590 }``); None when the use refers to
    PORTS, to a constant or computes its port."""
    from portlint.evaluator.values import Prim

    if use.entry is not None or use.span is None:
        return None
    if use.literal:
        return use.literal_span
    span = use.written_span
    item = use.process.span
    if not isinstance(use.value, Prim) or span is None or item is None or span is use.span \
            or not item.contains(span) or item.contains(use.span):
        return None  # only the item of a .map(): the app object itself holds the use
    return span if re.fullmatch(r"[0-9][0-9_]*|(['\"])[0-9]+\1", span.text) else None


def who(uses, verb: str) -> str:
    """'bot-mail uses', 'bot-chat, bot-voice and bot-mail use': the processes with their verb."""
    from portlint.model.types import names

    many = len({u.process.display_name for u in uses}) > 1
    return f"{names(uses)} {verb[:-1] if many and verb.endswith('s') else verb}"


def places(uses) -> str:
    """Where the uses are written, once each: 'env.PORT', 'env.PORT and env_production.PORT'."""
    seen = list(dict.fromkeys(u.where for u in uses))
    return seen[0] if len(seen) == 1 else ", ".join(seen[:-1]) + " and " + seen[-1]


def here(uses) -> str:
    """'here', or 'in env.PORT and env_production.PORT' when the finding is written in several places."""
    spans = {(id(u.written_span.source), u.written_span.start) for u in uses if u.written_span is not None}
    return "here" if len(spans) <= 1 else f"in {places(uses)}"


def relate_places(diagnostic, uses, span_of=lambda use: use.written_span):
    """Name the other places of the finding (where the same value is written again) as related."""
    for use in uses:
        diagnostic.relate(span_of(use), f"{use.process.display_name} gets it in {use.where} too")
    return diagnostic


def urls_naming(config, ports, exclude=()) -> str:
    """'; the URL in env.API_URL of web names 4100 too ...' when URLs written in the file refer to
    one of ``ports`` by its number: moving the port must move them too, which the unsafe fix does."""
    from portlint.model.types import Kind

    ports = set(ports)
    urls = [u for u in config.applied_uses() if u.in_url and u.kind is Kind.REFERENCE and u.entry is None
            and u.ports & ports and u not in exclude and u.span is not None and u.span.source is config.source]
    if not urls:
        return ""
    where = list(dict.fromkeys(f"{u.where} of {u.process.display_name}" for u in urls))
    listed = where[0] if len(where) == 1 else ", ".join(where[:-1]) + " and " + where[-1]
    one = len(where) == 1
    return (f"; the URL{'' if one else 's'} in {listed} name{'s' if one else ''} the same port and must move with "
            f"it (`--fix --unsafe-fixes` moves {'it' if one else 'them'} too)")


def no_room(config, allowed) -> str:
    """'' when the role's ranges have a port this config does not use yet, else what to do instead:
    advice to move a port into a full range is advice no one can follow."""
    block = config.block()
    if not allowed or any(p not in block for _, lo, hi in allowed for p in range(lo, hi + 1)):
        return ""
    ranges = " and ".join(f"the {n} range {lo}-{hi}" for n, lo, hi in allowed)
    return (f"{ranges} {'has' if len(allowed) == 1 else 'have'} no port left that this config does not use: "
            "give up a port of the block, or widen the range (the `ranges` setting) or the role (`role`)")
