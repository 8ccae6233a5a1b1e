"""Deciding each port use's kind within one config: listen, reference, shared or connection.

The spec's "port use": PORT, the port field, --port, --inspect and per-app ports listen; another
``*_PORT`` key naming a port that another process binds is a reference to it; a PORTS entry (or a
number) that several processes use with none of them binding it is shared, one allocation owned by
the config; a host:port or URL inside a string is a reference, unless it names a service the
process connects to.

Connections are decided here and in the settings, for the rules, the port map and the fixes alike:
a connection key (``DB_PORT``, ``PGPORT``: the ``connection-prefixes`` setting), an address key
(``REDIS_URL``, ``DATABASE_URL``, ``MONGO_URI``, ``MEMCACHED_SERVERS``: a connection prefix before
``_URL``/``_URI``/``_DSN``/``_HOST``/``_SERVERS``...) and a URL whose scheme names such a service
(``redis://``, ``postgres://``, ``amqp://``...: the ``connection-schemes`` setting). A PORTS entry
that only connections use names a service's port, not one the config allocates (``connection``).
"""
from __future__ import annotations

import re

from portlint.diagnostic import Span
from portlint.evaluator.values import EnvDefault, OneOf, Obj, Prim, Template, Value
from portlint.numbers import digits_to_number
from portlint.model.args import _pieces
from portlint.model.types import Config, Kind, PortUse, Process, UseSite

#: A loopback host followed by a colon: the port comes next (written, or a ${value}). Group 1 is the
#: URL's scheme when the host directly follows ``scheme://`` (and user info), group 2 the digits.
ADDRESS = re.compile(r"(?:\b([A-Za-z][A-Za-z0-9+.-]*)://(?:[^\s/@'\"`]*@)?)?"
                     r"(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]):(\d*)", re.IGNORECASE)
#: The scheme of the URL a position of a string belongs to (``mongodb://a:1,localhost:2``: mongodb).
_OPEN_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://\S*\Z")


def scheme_at(text: str, match: re.Match) -> str | None:
    """The scheme of the URL an ADDRESS match belongs to: its own, or that of a URL it continues
    (the second host of ``mongodb://localhost:27017,localhost:27018``); None for a bare host:port."""
    if match.group(1):
        return match.group(1)
    before = _OPEN_URL.search(text, 0, match.start())
    return before.group(1) if before else None


def address_kind(settings, key: str | None, scheme: str | None) -> Kind:
    """The kind of a host:port written in a string: a connection when the string is the value of
    an address key (``REDIS_URL``) or its URL's scheme names a service (``redis://``), else a reference."""
    if key is not None and settings.is_connection_address_key(key):
        return Kind.CONNECTION
    return Kind.CONNECTION if settings.is_connection_scheme(scheme) else Kind.REFERENCE


def is_connection_key(settings, key: str) -> bool:
    """An env key whose value is a connection, whatever it holds: ``DB_PORT`` or ``REDIS_URL``."""
    return settings.is_connection_key(key) or settings.is_connection_address_key(key)


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
    _mark_connection_entries(config)


def _mark_connection_entries(config: Config) -> None:
    """A PORTS entry that only connections use (``DB: 5432`` read by ``DB_PORT``) names a service's
    port: the config does not allocate it."""
    if config.ports is None:
        return
    kinds: dict[int, set[Kind]] = {}
    for use in config.uses():
        if use.entry is not None:
            kinds.setdefault(id(use.entry), set()).add(use.kind)
    for entry in config.ports.entries:
        entry.connection = kinds.get(id(entry)) == {Kind.CONNECTION}


def url_references(process: Process, site: UseSite, env: Obj, is_port_key, settings) -> list[PortUse]:
    """Host:port and URLs inside the string values of an env block (``API_URL``, and the fallback of
    ``process.env.API_URL || 'http://127.0.0.1:3001'``): references, or connections (``REDIS_URL``,
    ``redis://localhost:6379``)."""
    found = []
    for key, prop in env.props.items():
        if is_port_key(key):
            continue
        for text_value in _strings_of(prop.value):
            for value, span, scheme in _ports_in_text(text_value):
                found.append(PortUse(process, site, key, value, span,
                                     literal=isinstance(value, Prim) and value.literal,
                                     kind=address_kind(settings, key, scheme), in_url=True))
    return found


def _strings_of(value: Value) -> list[Value]:
    """The string values a value may be: itself, each branch of a conditional, an env default."""
    if isinstance(value, EnvDefault):
        return _strings_of(value.default) if value.default is not None else []
    if isinstance(value, OneOf):
        return [s for option in value.options for s in _strings_of(option)]
    if isinstance(value, Template) or (isinstance(value, Prim) and isinstance(value.value, str)):
        return [value]
    return []


def _ports_in_text(value: Value) -> list[tuple[Value, Span, str | None]]:
    pieces = _pieces(value)
    out: list[tuple[Value, Span, str | None]] = []
    for i, piece in enumerate(pieces):
        if piece.text is None:
            continue
        exact = piece.span is not None and piece.span.end - piece.span.start == len(piece.text)
        for m in ADDRESS.finditer(piece.text):
            digits = m.group(2)
            scheme = scheme_at(piece.text, m)
            if digits:
                if not exact:
                    continue
                span = Span(piece.span.source, piece.span.start + m.start(2), piece.span.start + m.end(2))
                out.append((Prim(digits_to_number(digits), literal=True, span=span, origin=span), span, scheme))
            elif m.end() == len(piece.text) and i + 1 < len(pieces) and pieces[i + 1].text is None:
                nxt = pieces[i + 1]
                if nxt.value is not None and nxt.span is not None:
                    out.append((nxt.value.at(nxt.span), nxt.span, scheme))
    return out


def addresses_in_strings(config: Config):
    """Every loopback ``host:port`` written as digits in a string literal or template text of the
    file, wherever it is: (start, end, port, kind), the kind a REFERENCE or a CONNECTION (by the
    URL's scheme, or the address key, ``REDIS_URL``, the string is the value of)."""
    parents = {id(node): parent for node, parent in config.nodes}
    text = config.source.text
    for node, _ in config.nodes:
        if not ((node.type == "Literal" and isinstance(node.value, str)) or node.type == "TemplateElement"):
            continue
        span = config.parsed.span(node)
        written = text[span.start:span.end]
        key = None
        for m in ADDRESS.finditer(written):
            if not m.group(2):
                continue
            if key is None:
                key = _enclosing_key(node, parents) or ""
            kind = address_kind(config.settings, key or None, scheme_at(written, m))
            yield span.start + m.start(2), span.start + m.end(2), digits_to_number(m.group(2)), kind


def _enclosing_key(node, parents) -> str | None:
    """The key of the property whose value holds ``node`` (through ``||``, ``?:``, ``+`` and templates)."""
    child, parent = node, parents.get(id(node))
    while parent is not None and parent.type in ("TemplateLiteral", "LogicalExpression", "ConditionalExpression",
                                                  "BinaryExpression"):
        child, parent = parent, parents.get(id(parent))
    if parent is not None and parent.type == "Property" and parent.value is child and not parent.computed:
        key = parent.key
        return key.name if key.type == "Identifier" else key.value if key.type == "Literal" else None
    return None
