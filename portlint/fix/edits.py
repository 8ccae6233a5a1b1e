"""Building the text edits of fixes from the model: replace a literal with a PORTS reference,
export PORTS, add a PORTS entry. Each builder returns None when it cannot do it safely."""
from __future__ import annotations

import re
from dataclasses import dataclass

from portlint.fix.apply import Edit


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def ports_declarator(config):
    binding = config.info.bindings.get("PORTS")
    if binding is None or binding.node is None or getattr(binding.node, "type", "") != "VariableDeclarator":
        return None
    return binding


def reference_allowed_at(config, offset: int) -> bool:
    """``PORTS`` can be read at ``offset``: after its declaration (no temporal dead zone)."""
    binding = ports_declarator(config)
    if binding is None:
        return config.info.bindings.get("PORTS") is not None and config.info.bindings["PORTS"].kind == "import"
    return config.parsed.span(binding.node).end <= offset


def replace_literal(config, use, reference: str) -> list[Edit] | None:
    """Edits that make ``use`` read ``reference`` instead of its literal number."""
    span = use.literal_span
    if span is None or span.source is not config.source or not reference_allowed_at(config, span.start):
        return None
    return rewrite_numbers(config, [(span, reference)])


def rewrite_numbers(config, places) -> list[Edit] | None:
    """Edits that make each ``(span, reference)`` place read ``reference``: a number (or a whole
    quoted number: env values are strings to PM2 either way) becomes the reference; a number inside
    a template becomes ``${reference}``; a string holding numbers becomes one template. None when a
    place cannot be rewritten safely (escapes in the string, a token that is not a number)."""
    text = config.source.text
    edits: list[Edit] = []
    starts: set[int] = set()  # of the edits so far (thousands of places stay linear)
    inside: dict[tuple, dict[tuple[int, int], str]] = {}
    for span, reference in places:
        if span is None or span.source is not config.source:
            return None
        container = _string_around(config, span.start, span.end)
        if container is None:
            token = text[span.start:span.end]
            if not (re.fullmatch(r"[0-9][0-9_]*", token) or re.fullmatch(r"(['\"])[0-9]+\1", token)):
                return None
            if span.start not in starts:
                starts.add(span.start)
                edits.append(Edit(span.start, span.end, reference))
            continue
        inside.setdefault(container, {})[(span.start, span.end)] = reference
    for (kind, start, end), numbers in inside.items():
        if kind == "template":
            edits.extend(Edit(s, e, "${" + r + "}") for (s, e), r in numbers.items())
            continue
        if "\\" in text[start + 1:end - 1]:
            return None  # escapes would need rewriting; leave it to a person
        escape = lambda s: s.replace("`", "\\`").replace("${", "\\${")  # noqa: E731
        out, position = ["`"], start + 1
        for (s, e), r in sorted(numbers.items()):
            out += [escape(text[position:s]), "${" + r + "}"]
            position = e
        out += [escape(text[position:end - 1]), "`"]
        edits.append(Edit(start, end, "".join(out)))
    return edits


def _string_around(config, start: int, end: int):
    """('string'|'template', start, end) of the string literal or template quasi holding [start, end)."""
    import bisect

    starts, spans = _strings_of(config)
    i = bisect.bisect_left(starts, start) - 1  # the last string opening before ``start``
    if i >= 0:
        kind, s_start, s_end = spans[i]
        if end < s_end:
            return kind, s_start, s_end
    return None


_STRINGS: list = [lambda: None, None]  # [weak reference to a config, its string spans]: one config asks in a row


def _strings_of(config) -> tuple[list[int], list[tuple[str, int, int]]]:
    """The spans of every string literal and template quasi of ``config``, sorted (they never nest),
    computed once per config rather than once per literal (1,000 literals took minutes)."""
    if _STRINGS[0]() is not config:
        import weakref

        spans = []
        for node, _ in config.nodes:
            if node.type == "Literal" and isinstance(node.value, str):
                s = config.parsed.span(node)
                spans.append(("string", s.start, s.end))
            elif node.type == "TemplateElement":
                s = config.parsed.span(node)
                spans.append(("template", s.start, s.end))
        spans.sort(key=lambda item: item[1])
        _STRINGS[:] = [weakref.ref(config), ([s for _, s, _ in spans], spans)]
    return _STRINGS[1]


def export_ports(config, declared_before: int | None = None) -> list[Edit] | None:
    """Add ``PORTS`` as the first key of the exported object literal (``declared_before``: where a
    PORTS the same fix declares ends, for the temporal dead zone)."""
    exported = config.exports
    span = getattr(exported, "span", None)
    if span is None or span.source is not config.source:
        return None
    text = config.source.text
    allowed = reference_allowed_at(config, span.start) if declared_before is None else declared_before <= span.start
    if text[span.start:span.start + 1] != "{" or not allowed:
        return None
    inside = text[span.start + 1:span.end - 1]
    if not inside.strip():
        return [Edit(span.start, span.end, "{ PORTS }")]
    first_break = re.match(r"[ \t]*(\r?\n)", inside)
    if first_break:
        after = inside[first_break.end():]
        indent = re.match(r"[ \t]*", after).group(0)
        return [Edit(span.start + 1, span.start + 1, newline_of(text) + indent + "PORTS,")]
    return [Edit(span.start + 1, span.start + 1, " PORTS,")]


@dataclass(frozen=True)
class EnvOverride:
    """``process.env.X || N`` (or ``??``, ``Number(process.env.X) || N``) as written in the file."""

    start: int
    end: int
    text: str


def env_default_of(config, use) -> EnvOverride | None:
    """The ``process.env.X || N`` expression a use takes its port from, where it is written in this
    file (in the use, or in the constant it reads); None when the use is no such default."""
    from portlint.evaluator.values import EnvDefault, Prim

    if not isinstance(use.value, EnvDefault):
        return None
    default = use.value.default
    # where the default is written: its own place (`|| PORTS.API`, `|| 3000`), else its number's
    places = [getattr(default, "span", None), getattr(default, "origin", None)]
    places += [a.origin for a in use.value.alternatives() if isinstance(a, Prim) and a.literal]
    parents = _parents(config)
    found = None
    for place in places:
        if place is None or place.source is not config.source:
            continue
        for node, _ in config.nodes:
            if node.type == "LogicalExpression" and node.operator in ("||", "??"):
                right = config.parsed.span(node.right)
                if right.start <= place.start and place.end <= right.end:
                    if found is None or config.parsed.span(found).start <= config.parsed.span(node).start:
                        found = node  # the innermost
        if found is not None:
            break
    if found is None:
        return None
    parent = parents.get(id(found))
    while parent is not None and parent.type == "LogicalExpression" and parent.operator in ("||", "??") \
            and parent.right is found:
        found, parent = parent, parents.get(id(parent))
    span = config.parsed.span(found)
    return EnvOverride(span.start, span.end, span.text)


def _parents(config) -> dict:
    cached = config.__dict__.get("_fix_parents")
    if cached is None:
        cached = config.__dict__["_fix_parents"] = {id(node): parent for node, parent in config.nodes}
    return cached


def drop_env_override(config, default: EnvOverride, reference: str) -> list[Edit] | None:
    """The one rewrite of ``process.env.X || N`` on every fix path (PL401, PL502, the migration):
    the whole expression becomes ``reference`` (``PORTS.API``), the clean form PortOS reads. The
    environment no longer overrides the port, so every fix that makes it is unsafe."""
    if default is None:
        return None
    return [Edit(default.start, default.end, reference)]


def env_override_fix(config, use, reference: str) -> tuple[EnvOverride, list[Edit]] | None:
    """The rewrite for a rule's fix on an existing PORTS: where PORTS can be read already."""
    default = env_default_of(config, use)
    if default is None or not reference_allowed_at(config, default.start):
        return None
    return default, drop_env_override(config, default, reference)


PLACEHOLDER = "TODO: say what this port is for"


def add_ports_entry(config, key: str, port: int) -> list[Edit] | None:
    """Append ``KEY: port, // TODO`` to the PORTS object literal written in this file."""
    binding = ports_declarator(config)
    from portlint.model.build import frozen_literal

    obj = frozen_literal(binding.init) if binding is not None and binding.init is not None else None
    if obj is None or obj.type != "ObjectExpression" or binding.path:
        return None
    return append_property(config, obj, f"{key}: {port}", f"// {PLACEHOLDER}", f"/* {PLACEHOLDER} */")


def append_property(config, obj, entry: str, line_comment: str = "", inline_comment: str = "",
                    trailing_comma: bool | None = True) -> list[Edit] | None:
    """Edits adding ``entry`` as the last property of the object literal node ``obj``, in the
    object's own layout: on a new line with the last property's indentation (and ``line_comment``
    after it), or inline (with ``inline_comment``) when the object is written on one line. A new
    line ends with a comma when ``trailing_comma`` (None: when the last property had one)."""
    span = config.parsed.span(obj)
    if span.source is not config.source:
        return None
    text = config.source.text
    nl = newline_of(text)
    props = obj.properties
    if not props:
        if "\n" in text[span.start:span.end]:
            return None
        inner = f"{entry}" + (f" {inline_comment}" if inline_comment else "")
        return [Edit(span.start, span.end, "{ " + inner + " }")]
    last = config.parsed.span(props[-1])
    rest = text[last.end:span.end - 1]
    m = re.match(r"[ \t]*(,)?", rest)
    has_comma = bool(m.group(1))
    if "\n" not in text[span.start:span.end]:
        insert_at = last.end + (m.end() if has_comma else 0)
        lead = " " if has_comma else ", "
        return [Edit(insert_at, insert_at, f"{lead}{entry}" + (f" {inline_comment}" if inline_comment else ""))]
    line_start = text.rfind("\n", 0, last.start) + 1
    indent = re.match(r"[ \t]*", text[line_start:]).group(0)
    line_end = text.find("\n", last.end)
    if line_end == -1 or line_end > span.end:
        return None
    if text[line_end - 1:line_end] == "\r":
        line_end -= 1
    between = text[last.end:line_end]
    if "}" in between.split("//")[0] or "/*" in between:
        return None  # the closing brace or a block comment shares the line; leave the layout to a person
    edits = []
    if not has_comma:
        edits.append(Edit(last.end, last.end, ","))
    comma = "," if (has_comma if trailing_comma is None else trailing_comma) else ""
    edits.append(Edit(line_end, line_end, nl + f"{indent}{entry}{comma}" + (f" {line_comment}" if line_comment else "")))
    return edits


def new_key_for(config, use) -> str:
    """A PORTS key for a port use that has none: from the env key, the label, or the process."""
    from portlint.model.portos import port_key_stem
    from portlint.model.types import Field

    if use.site.in_env and use.key.upper() != "PORT":
        stem = port_key_stem(use.key) or "PORT"
    elif use.site.field is Field.PORTS:
        stem = use.key.split(".")[-1].upper()
    else:
        base = (use.process.name or "APP").upper()
        stem = re.sub(r"[^A-Z0-9]+", "_", base).strip("_") or "APP"
        from portlint.model.portos import DERIVED_LABELS

        label = "debug" if use.site.inspector else DERIVED_LABELS.get(use.label, use.label)
        if label and label.lower() not in base.lower():
            stem += "_" + label.upper()
    stem = re.sub(r"[^A-Za-z0-9_$]", "_", stem)
    if stem[0].isdigit():
        stem = "P_" + stem
    taken = {e.key for e in config.ports.entries} if config.ports else set()
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}_{n}", n + 1
    return key


def add_env_key(config, process, key: str, reference: str) -> list[Edit] | None:
    """Edits adding ``key: reference`` to the process's ``env`` object literal, or an ``env: { ... }``
    to the app object when it has none (the key PortOS reads: the policy's ``VITE_PORT: PORTS.UI``)."""
    env = process.value.props.get("env")
    if env is not None:
        node = object_node(config, env.value.span)
        return append_property(config, node, f"{key}: {reference}", trailing_comma=None) if node else None
    node = object_node(config, process.value.span)
    return append_property(config, node, f"env: {{ {key}: {reference} }}", trailing_comma=None) if node else None


def object_node(config, span):
    """The object-literal node written exactly at ``span`` in this file, or None."""
    if span is None or span.source is not config.source:
        return None
    for node, _ in config.nodes:
        if node.type == "ObjectExpression":
            s = config.parsed.span(node)
            if s.start == span.start and s.end == span.end:
                return node
    return None
