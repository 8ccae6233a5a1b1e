"""Deciding each port use's kind within one config: listen, reference, shared or connection.

The spec's "port use": PORT, the port field, --port, --inspect and per-app ports listen; another
``*_PORT`` key naming a port that another process binds is a reference to it; a PORTS entry (or a
number) that several processes use with none of them binding it is shared, one allocation owned by
the config; a host:port or URL inside a string is always a reference.
"""
from __future__ import annotations

import re

from portlint.diagnostic import Span
from portlint.evaluator.values import Obj, Prim, Template, Value
from portlint.numbers import digits_to_number
from portlint.model.args import _pieces
from portlint.model.types import Config, Kind, PortUse, Process, UseSite

#: A loopback host followed by a colon: the port comes next (written, or a ${value}).
_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]):(\d*)",
                   re.IGNORECASE)


def decide_kinds(config: Config) -> None:
    """Set ``kind`` (and ``target``) of every use, and ``shared`` of PORTS entries."""
    uses = [u for p in config.processes for u in p.uses if u.kind is not Kind.CONNECTION]
    bound: dict[int, list[PortUse]] = {}
    for use in uses:
        if use.binds and use.effective:
            for port in use.valid_ports:
                bound.setdefault(port, []).append(use)
    loose: list[PortUse] = []
    for use in uses:
        if use.binds:
            continue
        ports = use.valid_ports
        own = any(o.process is use.process for p in ports for o in bound.get(p, ()))
        others = [o for p in sorted(ports) for o in bound.get(p, ()) if o.process is not use.process]
        if use.in_url or (ports and others and not own):
            use.kind = Kind.REFERENCE
            use.target = others[0] if others else None
        elif ports and use.effective:
            loose.append(use)
    by_port: dict[int, list[PortUse]] = {}
    for use in loose:
        if len(use.valid_ports) == 1:
            by_port.setdefault(next(iter(use.valid_ports)), []).append(use)
    for group in by_port.values():
        if len({id(u.process) for u in group}) > 1:
            for use in group:
                use.kind = Kind.SHARED
                if use.entry is not None:
                    use.entry.shared = True


def url_references(process: Process, site: UseSite, env: Obj, is_port_key) -> list[PortUse]:
    """Host:port and URLs inside the string values of an env block (``API_URL``), as references."""
    found = []
    for key, prop in env.props.items():
        if is_port_key(key) or not isinstance(prop.value, (Prim, Template)):
            continue
        if isinstance(prop.value, Prim) and not isinstance(prop.value.value, str):
            continue
        for value, span in _ports_in_text(prop.value):
            found.append(PortUse(process, site, key, value, span, literal=isinstance(value, Prim) and value.literal,
                                 kind=Kind.REFERENCE, in_url=True))
    return found


def _ports_in_text(value: Value) -> list[tuple[Value, Span]]:
    pieces = _pieces(value)
    out: list[tuple[Value, Span]] = []
    for i, piece in enumerate(pieces):
        if piece.text is None:
            continue
        exact = piece.span is not None and piece.span.end - piece.span.start == len(piece.text)
        for m in _HOST.finditer(piece.text):
            digits = m.group(1)
            if digits:
                if not exact:
                    continue
                span = Span(piece.span.source, piece.span.start + m.start(1), piece.span.start + m.end(1))
                out.append((Prim(digits_to_number(digits), literal=True, span=span, origin=span), span))
            elif m.end() == len(piece.text) and i + 1 < len(pieces) and pieces[i + 1].text is None:
                nxt = pieces[i + 1]
                if nxt.value is not None and nxt.span is not None:
                    out.append((nxt.value.at(nxt.span), nxt.span))
    return out
