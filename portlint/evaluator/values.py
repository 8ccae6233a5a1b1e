"""What the static evaluator produces: values that remember where they were written.

Every value has ``span`` (where this occurrence is written, e.g. ``PORTS.API`` inside ``env``)
and ``origin`` (where the value was first written, e.g. the ``5570`` inside ``const PORTS``).
A value the evaluator cannot know without running the file is ``Unknown`` with a reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from portlint.diagnostic import Span
from portlint.evaluator.primitives import (
    UNDEFINED,
    array_index,
    digits_value,
    parse_int,
    to_js_number,
    to_js_string,
)

__all__ = ["UNDEFINED", "to_js_string", "to_js_number", "parse_int", "digits_value"]  # and the value types


@dataclass(eq=False)
class Value:
    span: Span | None = field(default=None, kw_only=True)
    origin: Span | None = field(default=None, kw_only=True)

    def at(self, span: Span | None) -> "Value":
        """The same value, seen at another place of use."""
        if span is None or span is self.span:
            return self
        twin = object.__new__(type(self))  # a shallow copy, without copy.copy's generic machinery
        twin.__dict__.update(self.__dict__)
        twin.span = span
        if twin.origin is None:
            twin.origin = self.span
        return twin

    def alternatives(self) -> Iterator["Value"]:
        """The concrete values this may be (a conditional gives each branch)."""
        yield self


@dataclass(eq=False)
class Prim(Value):
    """A known primitive: int, float, str, bool, None (null) or UNDEFINED."""

    value: object
    literal: bool = False  # written as a literal right here (not computed)


@dataclass(eq=False)
class Obj(Value):
    """An object. It is complete when no part is unknown (a spread or computed key not known, a key
    set under a condition); ``unknown_parts`` is shared by every place the object is seen."""

    props: dict[str, "Prop"] = field(default_factory=dict)
    unknown_parts: list["Unknown"] = field(default_factory=list)
    #: The prototype a literal's ``__proto__: value`` gives it (an Obj, or an Unknown): member reads
    #: fall through to it; spreads, keys and PM2's own copies see only ``props``.
    proto: "Value | None" = None

    @property
    def complete(self) -> bool:
        return not self.unknown_parts

    def get(self, key: str) -> "Value | None":
        prop = self.props.get(key)
        return prop.value if prop else None


def own_keys(obj: Obj) -> list[str]:
    """An object's keys in JavaScript's order: list indexes ascending, then the others as written."""
    indexes = [k for k in obj.props if array_index(k) is not None]
    if not indexes:
        return list(obj.props)
    return sorted(indexes, key=int) + [k for k in obj.props if array_index(k) is None]


#: Unknown parts kept per object or list: enough to report, never doubling with the value.
MAX_UNKNOWN_PARTS = 16


def add_unknown_parts(container: "Obj | Arr", parts: list["Unknown"]) -> None:
    """Note parts of a container that are not known (at most ``MAX_UNKNOWN_PARTS``)."""
    room = MAX_UNKNOWN_PARTS - len(container.unknown_parts)
    if room > 0:
        container.unknown_parts.extend(parts[:room])


@dataclass(eq=False)
class Prop:
    key: str
    key_span: Span | None
    value: Value


@dataclass(eq=False)
class Arr(Value):
    """A list. Complete when no part is unknown (see ``Obj``)."""

    items: list[Value] = field(default_factory=list)
    unknown_parts: list["Unknown"] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unknown_parts


@dataclass(eq=False)
class Template(Value):
    """A string made of known text and values: template literals and string concatenation."""

    parts: list[Value] = field(default_factory=list)  # never a Template: nested ones are spliced in
    length: int = 0  # its size (characters and parts), for the size budget
    _text: object = field(default=None, repr=False)  # the text, once computed (a Template never changes)

    def text(self) -> str | None:
        if self._text is None:
            pieces = []
            for part in self.parts:
                if not isinstance(part, Prim):
                    self._text = False
                    break
                pieces.append(to_js_string(part.value))
            else:
                self._text = "".join(pieces)
        return self._text if self._text is not False else None


@dataclass(eq=False)
class OneOf(Value):
    """Either of several values, e.g. both branches of ``cond ? 5432 : 5561``."""

    options: list[Value] = field(default_factory=list)

    def alternatives(self) -> Iterator[Value]:
        for option in self.options:
            yield from option.alternatives()


@dataclass(eq=False)
class EnvVar(Value):
    """``process.env.NAME``: decided by the environment at run time."""

    name: str | None = None
    #: True after Number()/parseInt(): a number or NaN, never null or undefined, so ``??`` keeps it.
    numeric: bool = False


@dataclass(eq=False)
class EnvDefault(Value):
    """``process.env.NAME || default``: the default unless the environment overrides it."""

    env: str | None = None
    #: What may override the default when it is not an environment variable (``cfg.PORT`` read from a file).
    reads: str | None = None
    default: Value = None  # type: ignore[assignment]
    op: str = "||"  # || falls back on any falsy value, ?? only on null/undefined
    #: Computed from a default (``BASE + 1``, ``Number(process.env.N || 3)``, a value a ``try`` may
    #: read, else its ``catch`` value): the default gives its value, but the ``||`` no longer says
    #: that the value is truthy when the default is.
    derived: bool = False

    def alternatives(self) -> Iterator[Value]:
        yield from self.default.alternatives()


@dataclass(eq=False)
class Builtin(Value):
    """A global the evaluator knows (``process``, ``Number``, ``Object``...)."""

    name: str = ""
    receiver: "Value | None" = None  # the array of `list.map`, for methods


@dataclass(eq=False)
class Function(Value):
    """A local function. Calls to simple pure ones (an expression body, or constants then a
    return) are evaluated with their arguments; anything else stays unknown."""

    node: object = None
    closure: tuple = ()  # the scopes it was created in (dicts of name -> Value)


@dataclass(eq=False)
class Unknown(Value):
    """Cannot be known without running the file; ``reason`` says why, in a few words."""

    reason: str = "not statically known"
    #: The budget that ran out ("steps", "loop", "size"...), if that is why: never taken for a default.
    budget: str | None = None
    #: Known to be a number or NaN (``Number(x)`` of an unknown x): never null or undefined.
    numeric: bool = False


#: Budgets that ran out (rather than a value portlint cannot see without running the file).
SPENT_BUDGETS = ("size", "steps", "loop", "depth", "calls")


def spent_budget(value: Value) -> "Unknown | None":
    """The unknown naming a budget that ran out in this value (itself, or a part of a list or object
    it holds), so that what is built from it says which budget, not just "unknown"."""
    if isinstance(value, Unknown):
        return value if value.budget in SPENT_BUDGETS else None
    if isinstance(value, (Obj, Arr)):
        return next((part for part in value.unknown_parts if part.budget in SPENT_BUDGETS), None)
    return None


def as_port_number(value: Value) -> int | None:
    """The port a single concrete value stands for: an integer, or a string of digits."""
    if isinstance(value, Prim):
        v = value.value
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, str):
            return digits_value(v)
        return None
    if isinstance(value, Template):
        text = value.text()
        return digits_value(text) if text is not None else None
    return None


def possible_ports(value: Value) -> tuple[set[int], bool]:
    """The port numbers a value may stand for, and whether every alternative was known."""
    ports: set[int] = set()
    known = True
    for alt in value.alternatives():
        n = as_port_number(alt)
        if n is None:
            known = False
        else:
            ports.add(n)
    return ports, known


def default_text(value: Value | None) -> str | None:
    """The text a string value has when nothing overrides its defaults (``process.env.APP_NAME ||
    'bun-app'`` is ``bun-app``), as Node computes it with an empty environment; None if unknown."""
    if isinstance(value, EnvDefault):
        return default_text(value.default)
    if isinstance(value, Prim):
        return value.value if isinstance(value.value, str) else to_js_string(value.value)
    if isinstance(value, Template):
        parts = [default_text(part) for part in value.parts]
        return None if any(p is None for p in parts) else "".join(parts)
    return None


def describe(value: Value) -> str:
    """A short human description of a value, for messages (a long string is cut: messages are bounded)."""
    if isinstance(value, Prim):
        if isinstance(value.value, str):
            return _quoted(value.value)
        return to_js_string(value.value)
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    if isinstance(value, EnvDefault):
        if value.env is None and value.reads:
            return f"{value.reads} or {describe(value.default)}"
        return f"process.env.{value.env} or {describe(value.default)}"
    if isinstance(value, OneOf):
        return " or ".join(describe(o) for o in value.options)
    if isinstance(value, Template):
        text = value.text()
        return _quoted(text) if text is not None else "a computed string"
    return type(value).__name__.lower()


#: Characters of a string a message quotes; the rest is summarised.
MAX_QUOTED = 80


def _quoted(text: str) -> str:
    if len(text) <= MAX_QUOTED:
        return repr(text)
    return f"{text[:MAX_QUOTED]!r}... ({len(text):,} characters)"
