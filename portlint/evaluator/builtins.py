"""The built-in functions and methods the evaluator follows, as JavaScript defines them: the array
methods (``map``, ``filter``, ``slice``, ``flat``, ``includes``, ``join``...), the string methods
(``split``, ``slice``, ``padStart``, ``repeat``, ``replace``...), ``Number.prototype.toString/toFixed``,
``Object.keys/values/entries/assign/fromEntries/freeze``, ``Array.from/of/isArray``, ``Math.*``,
``Number.is*``, and the conversions (``semantics.convert``).

Each result is claimed from the budget before it is built (``Budget.claim``), work in proportion to a
list's length is charged (``Budget.work``), and each callback counts toward the loop budget. A method
that changes a list in a way portlint does not follow (``splice``, ``sort`` with a comparator...) makes
the list incomplete rather than wrong. A call JavaScript would reject with an error (``'x'.repeat(-1)``)
throws, as it would in Node.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Callable

from portlint.diagnostic import Span
from portlint.evaluator.limits import ARRAY, MAX_VALUE_SIZE, OBJECT, STRING, too_big
from portlint.evaluator.primitives import (  # noqa: F401  (array_index: expressions and scopes take it here)
    JS_WHITESPACE,
    array_index,
    from_units,
    is_number,
    number_to_string,
    to_int32,
    to_integer,
    to_js_number,
    to_js_string,
    to_units,
)
from portlint.evaluator.semantics import (
    CONVERSIONS,
    convert,
    is_nan,
    num,
    power,
    same_value_zero,
    strictly_equal,
    template,
    truthy,
)
from portlint.evaluator.statements import Throw
from portlint.evaluator.values import (
    UNDEFINED,
    Arr,
    Builtin,
    Function,
    Obj,
    Prim,
    Prop,
    Template,
    Unknown,
    Value,
    add_unknown_parts,
    own_keys,
    spent_budget,
)

CALLBACK_METHODS = {"map", "filter", "forEach", "reduce", "find", "findIndex", "findLast", "findLastIndex",
                    "some", "every", "flatMap"}
#: Methods that change a list in a way portlint does not follow: the list becomes incomplete.
UNFOLLOWED_CHANGES = {"splice", "fill", "copyWithin"}
ARRAY_METHODS = CALLBACK_METHODS | UNFOLLOWED_CHANGES | {
    "push", "unshift", "pop", "shift", "concat", "slice", "at", "join", "includes", "indexOf", "lastIndexOf",
    "flat", "reverse", "sort", "toString"}
STRING_METHODS = {"at", "charAt", "charCodeAt", "codePointAt", "concat", "endsWith", "includes", "indexOf",
                  "lastIndexOf", "padEnd", "padStart", "repeat", "replace", "replaceAll", "slice", "split",
                  "startsWith", "substr", "substring", "toLowerCase", "toString", "toUpperCase", "trim",
                  "trimEnd", "trimStart", "valueOf"}
MATH = {"max", "min", "floor", "ceil", "round", "abs", "trunc", "sign", "pow", "sqrt"}
NUMBER_TESTS = {"Number.isInteger", "Number.isSafeInteger", "Number.isFinite", "Number.isNaN", "isNaN", "isFinite"}

class _Refused(Exception):
    """An argument portlint cannot see, or a budget that ran out: the call's value is this unknown."""

    def __init__(self, unknown: Unknown):
        self.unknown = unknown


class Builtins:
    """Calls of built-ins (mixed into ``ModuleEvaluator``)."""

    # -- what every built-in result goes through ----------------------------------------------------
    def new_array(self, items: list[Value], span: Span | None, fresh: int = 0) -> Value:
        """A list built by a built-in, once the budget allows it."""
        refused = self.budget.claim(ARRAY, len(items), span, fresh=fresh)
        return refused if refused is not None else Arr(items=items, span=span)

    def new_string(self, length: int, build: Callable[[], str], span: Span | None) -> Value:
        """A string of ``length`` code units, built only once the budget allows it."""
        refused = self.budget.claim(STRING, length, span, fresh=1)
        return refused if refused is not None else Prim(build(), span=span)

    def _scan(self, count: int, span: Span | None) -> None:
        refused = self.budget.work(count, span)
        if refused is not None:
            raise _Refused(refused)

    # -- dispatch -------------------------------------------------------------------------------
    def call_method(self, method: Builtin, args: list[Value], span: Span | None, label: str = "") -> Value:
        """``receiver.name(args)``; ``label`` is how the call is written (``apps.sort``), for messages."""
        kind, name = method.name.split(".", 1)
        try:
            if kind == "array":
                return self.array_method(method.receiver, name, args, span, label or name)
            if kind == "string":
                return self.string_method(method.receiver.value, name, args, span)
            return self.number_method(method.receiver.value, name, args, span)
        except _Refused as refused:
            return refused.unknown if refused.unknown.span is not None else Unknown(
                reason=refused.unknown.reason, span=span, budget=refused.unknown.budget)

    @staticmethod
    def _throw(error: str, span: Span | None):
        """What JavaScript would throw (a RangeError, a TypeError): a throw, caught by ``catch``."""
        raise Throw(Unknown(reason=error, span=span))

    # -- arguments ------------------------------------------------------------------------------
    @staticmethod
    def _primitive(args: list[Value], i: int, what: str, span: Span | None) -> object:
        """The primitive value of argument ``i`` (UNDEFINED if missing); refused when not known."""
        if i >= len(args):
            return UNDEFINED
        arg = args[i]
        if isinstance(arg, Template) and arg.text() is not None:
            return arg.text()
        if not isinstance(arg, Prim):
            raise _Refused(Unknown(reason=f"{what}() with a computed argument", span=span))
        return arg.value

    def _integer(self, args: list[Value], i: int, what: str, span: Span | None, default: int | float) -> int | float:
        value = self._primitive(args, i, what, span)
        return default if value is UNDEFINED else to_integer(to_js_number(value))

    def _text(self, args: list[Value], i: int, what: str, span: Span | None) -> str:
        return to_js_string(self._primitive(args, i, what, span))

    @staticmethod
    def _relative(index: int | float, length: int) -> int:
        """A relative start or end (negative counts from the end), clamped to the list."""
        if index < 0:
            return int(max(length + index, 0))
        return int(min(index, length))

    # -- arrays ---------------------------------------------------------------------------------
    def array_method(self, array: Value, kind: str, args: list[Value], span: Span | None, label: str = "") -> Value:
        label = label or kind
        if kind in ("push", "unshift"):
            return self._grow(array, args, kind, span)
        if not isinstance(array, Arr) or not array.complete:
            if isinstance(array, Arr) and (kind in ("pop", "shift", "reverse", "sort") or kind in UNFOLLOWED_CHANGES):
                add_unknown_parts(array, [Unknown(reason=f"{kind}() of a list portlint cannot see whole", span=span)])
            spent = spent_budget(array)
            if spent is not None:
                return Unknown(reason=spent.reason, span=span, budget=spent.budget)
            return Unknown(reason=f"{kind}() over a list portlint cannot see whole", span=span)
        items = array.items
        if kind in UNFOLLOWED_CHANGES:
            add_unknown_parts(array, [Unknown(reason=f"{label}() changes the list in a way portlint does not follow",
                                              span=span)])
            return Unknown(reason=f"a call to {label}(), which portlint does not follow", span=span)
        if kind in ("pop", "shift"):
            return (items.pop() if kind == "pop" else items.pop(0)).at(span) if items else Prim(UNDEFINED, span=span)
        if kind in CALLBACK_METHODS:
            return self._with_callback(array, kind, args, span)
        self._scan(len(items), span)
        if kind == "concat":
            return self._concat(array, args, span)
        if kind == "slice":
            start = self._relative(self._integer(args, 0, kind, span, 0), len(items))
            end = self._relative(self._integer(args, 1, kind, span, len(items)), len(items))
            return self.new_array(items[start:end] if end > start else [], span)
        if kind == "at":
            index = self._integer(args, 0, kind, span, 0)
            index = index + len(items) if index < 0 else index
            return items[int(index)].at(span) if 0 <= index < len(items) else Prim(UNDEFINED, span=span)
        if kind in ("join", "toString"):
            return self._join(array, args if kind == "join" else [], span)
        if kind in ("includes", "indexOf", "lastIndexOf"):
            return self._search(items, kind, args, span)
        if kind == "flat":
            depth = self._integer(args, 0, kind, span, 1)
            return self._flat(array, depth, span)
        if kind == "reverse":
            items.reverse()
            return array.at(span)
        return self._sort(array, args, span, label)

    def _grow(self, array: Value, args: list[Value], kind: str, span: Span | None) -> Value:
        """``push``/``unshift``: change the list in place, as every place that holds it sees."""
        if not isinstance(array, Arr):
            return Unknown(reason=f"{kind}() onto a computed value", span=span)
        refused = self.budget.claim(ARRAY, len(array.items) + len(args), span, added=len(args))
        if refused is not None:
            add_unknown_parts(array, [refused])
            return refused
        if kind == "push":
            array.items.extend(args)
        else:
            array.items[0:0] = args
        return Prim(len(array.items), span=span) if array.complete else Unknown(reason="the length of a list portlint cannot see whole", span=span)

    def _concat(self, array: Arr, args: list[Value], span: Span | None) -> Value:
        parts: list[Value] = [array] + list(args)
        size = sum(len(p.items) if isinstance(p, Arr) else 1 for p in parts)
        refused = self.budget.claim(ARRAY, size, span)
        if refused is not None:
            return refused
        out = Arr(span=span)
        for part in parts:
            if isinstance(part, Arr):
                out.items.extend(part.items)
                add_unknown_parts(out, part.unknown_parts)
            elif isinstance(part, (Prim, Template, Obj, Function)):
                out.items.append(part)
            else:  # it may be a list, spread into the result
                add_unknown_parts(out, [Unknown(reason="concat() of a computed value", span=part.span)])
        return out

    def _search(self, items: list[Value], kind: str, args: list[Value], span: Span | None) -> Value:
        target = args[0] if args else Prim(UNDEFINED)
        equal = same_value_zero if kind == "includes" else strictly_equal
        length = len(items)
        if kind == "lastIndexOf":  # a fromIndex given as undefined is 0 here, unlike a missing one
            start = self._integer(args, 1, kind, span, length - 1) if len(args) < 2 else \
                to_integer(to_js_number(self._primitive(args, 1, kind, span)))
            start = int(min(start, length - 1)) if start >= 0 else int(max(length + start, -1))
            order = range(start, -1, -1)
        else:
            start = self._integer(args, 1, kind, span, 0)
            order = range(self._relative(start, length), length)
        for i in order:
            same = equal(items[i], target)
            if same is None:
                return Unknown(reason=f"{kind}() of a computed value", span=span)
            if same:
                return Prim(True if kind == "includes" else i, span=span)
        return Prim(False if kind == "includes" else -1, span=span)

    def _flat(self, array: Arr, depth: int | float, span: Span | None) -> Value:
        """``flat(depth)``, without recursion: a stack of (list, position, depth left)."""
        out = Arr(span=span)
        stack = [(array.items, 0, depth)]
        while stack:
            items, i, left = stack.pop()
            if i >= len(items):
                continue
            stack.append((items, i + 1, left))
            item = items[i]
            if isinstance(item, Arr) and left >= 1:
                if not item.complete:
                    add_unknown_parts(out, item.unknown_parts)
                self._scan(len(item.items), span)
                stack.append((item.items, 0, left - 1))
                continue
            if len(out.items) >= MAX_VALUE_SIZE:
                refused = self.budget.claim(ARRAY, len(out.items) + 1, span)
                if refused is not None:
                    return refused
            out.items.append(item)
        refused = self.budget.claim(ARRAY, len(out.items), span)
        return refused if refused is not None else out

    def _join(self, array: Arr, args: list[Value], span: Span | None, seen: frozenset = frozenset()) -> Value:
        separator = self._primitive(args, 0, "join", span)
        sep = "," if separator is UNDEFINED else to_js_string(separator)
        if id(array.items) in seen:  # a list that holds itself joins as '' there
            return Prim("", span=span)
        parts: list[Value] = []
        for i, item in enumerate(array.items):
            if i and sep:
                parts.append(Prim(sep))
            if isinstance(item, Prim):
                if item.value is not None and item.value is not UNDEFINED:
                    parts.append(item if isinstance(item.value, str) else Prim(to_js_string(item.value), span=item.span))
            elif isinstance(item, Template):
                parts.append(item)
            elif isinstance(item, Arr) and item.complete and len(seen) < 32:
                inner = self._join(item, [], span, seen | {id(array.items)})
                if isinstance(inner, Unknown):
                    return inner
                parts.append(inner)
            elif isinstance(item, Obj):
                parts.append(Prim("[object Object]"))
            else:
                spent = spent_budget(item)
                return Unknown(reason=spent.reason if spent else "join() of a computed value", span=span,
                               budget=spent.budget if spent else None)
        joined = template(parts, span, self.budget)
        if isinstance(joined, Template) and joined.text() is not None:
            return Prim(joined.text(), span=span)
        return joined

    def _sort(self, array: Arr, args: list[Value], span: Span | None, label: str) -> Value:
        """``sort()`` by the items' strings (UTF-16 order, undefined last); a comparator is not followed."""
        items = array.items
        if args and not (isinstance(args[0], Prim) and args[0].value is UNDEFINED) or \
                not all(isinstance(item, Prim) for item in items):
            add_unknown_parts(array, [Unknown(reason=f"{label}() sorts in an order portlint does not follow", span=span)])
            return Unknown(reason=f"a call to {label}() with a comparator, which portlint does not follow", span=span)
        defined = [item for item in items if item.value is not UNDEFINED]
        undefined = [item for item in items if item.value is UNDEFINED]
        defined.sort(key=lambda item: to_units(to_js_string(item.value)))
        items[:] = defined + undefined
        return array.at(span)

    def _with_callback(self, array: Arr, kind: str, args: list[Value], span: Span | None) -> Value:
        items = array.items
        fn = args[0] if args else None
        if not isinstance(fn, Function):
            return Unknown(reason=f"{kind}() with a callback portlint cannot follow", span=span)
        if kind == "reduce":
            return self._reduce(array, fn, args, span)
        backwards = kind in ("findLast", "findLastIndex")
        order = list(range(len(items) - 1, -1, -1)) if backwards else list(range(len(items)))
        results = []
        for i in order:
            self.budget.iterate(span)
            item = items[i] if i < len(items) else Prim(UNDEFINED)
            result = self.call(fn, [item, Prim(i), array], item.span, kind)
            results.append((i, item, result))
            if kind in ("find", "findIndex", "findLast", "findLastIndex", "some", "every"):
                decided = truthy(result)
                if decided is None:
                    return Unknown(reason=f"{kind}() with a condition that depends on the environment", span=span)
                if decided != (kind == "every"):
                    break
        if kind == "forEach":
            return Prim(UNDEFINED, span=span)
        if kind == "map":
            return self.new_array([r for _, _, r in results], span)
        if kind == "flatMap":
            mapped = self.new_array([r for _, _, r in results], span)
            return mapped if isinstance(mapped, Unknown) else self._flat(mapped, 1, span)
        decided = [truthy(r) for _, _, r in results]
        if kind in ("some", "every"):
            return Prim(any(decided) if kind == "some" else all(decided))
        if kind in ("find", "findLast"):
            return next((item for (_, item, _), keep in zip(results, decided) if keep), Prim(UNDEFINED, span=span))
        if kind in ("findIndex", "findLastIndex"):
            return Prim(next((i for (i, _, _), keep in zip(results, decided) if keep), -1), span=span)
        if None in decided:  # filter
            return Unknown(reason=f"{kind}() with a condition that depends on the environment", span=span)
        return self.new_array([item for (_, item, _), keep in zip(results, decided) if keep], span)

    def _reduce(self, array: Arr, fn: Function, args: list[Value], span: Span | None) -> Value:
        items = list(array.items)
        if len(args) > 1:
            acc, start = args[1], 0
        elif items:
            acc, start = items[0], 1
        else:
            self._throw("TypeError: reduce() of an empty list with no initial value", span)
        for i in range(start, len(items)):
            self.budget.iterate(span)
            acc = self.call(fn, [acc, items[i], Prim(i), array], span, "reduce")
        return acc

    # -- strings --------------------------------------------------------------------------------
    def string_method(self, text: str, kind: str, args: list[Value], span: Span | None) -> Value:
        units = to_units(text)
        length = len(units)
        self._scan(length // 64, span)
        if kind in ("toString", "valueOf"):
            return Prim(text, span=span)
        if kind in ("at", "charAt", "charCodeAt", "codePointAt"):
            index = self._integer(args, 0, kind, span, 0)
            if kind == "at" and index < 0:
                index += length
            if not 0 <= index < length:
                return Prim(UNDEFINED if kind in ("at", "codePointAt") else "" if kind == "charAt" else math.nan,
                            span=span)
            index = int(index)
            if kind == "charCodeAt":
                return Prim(ord(units[index]), span=span)
            if kind == "codePointAt":
                return Prim(ord(from_units(units[index:index + 2])[0]), span=span)
            return Prim(from_units(units[index]), span=span)
        if kind in ("slice", "substring", "substr"):
            return self._substring(units, kind, args, span)
        if kind in ("toUpperCase", "toLowerCase"):
            changed = text.upper() if kind == "toUpperCase" else text.lower()
            return self.new_string(utf16_units(changed), lambda: changed, span)
        if kind in ("trim", "trimStart", "trimEnd"):
            strip = {"trim": str.strip, "trimStart": str.lstrip, "trimEnd": str.rstrip}[kind]
            return Prim(strip(text, JS_WHITESPACE), span=span)
        if kind in ("padStart", "padEnd"):
            return self._pad(text, length, kind, args, span)
        if kind == "repeat":
            count = self._integer(args, 0, kind, span, 0)
            if count < 0 or math.isinf(count):
                self._throw(f"RangeError: Invalid count value: {number_to_string(count)}", span)
            return self.new_string(length * int(count), lambda: text * int(count), span)
        if kind == "concat":
            more = [self._text(args, i, kind, span) for i in range(len(args))]
            joined = [text] + more
            return self.new_string(sum(len(to_units(t)) for t in joined), lambda: "".join(joined), span)
        if kind in ("includes", "startsWith", "endsWith", "indexOf", "lastIndexOf"):
            return self._find(units, kind, args, span)
        if kind == "split":
            return self._split(units, args, span)
        return self._replace(units, kind, args, span)

    def _substring(self, units: str, kind: str, args: list[Value], span: Span | None) -> Value:
        length = len(units)
        if kind == "slice":
            start = self._relative(self._integer(args, 0, kind, span, 0), length)
            end = self._relative(self._integer(args, 1, kind, span, length), length)
        elif kind == "substring":
            a = int(min(max(self._integer(args, 0, kind, span, 0), 0), length))
            b = int(min(max(self._integer(args, 1, kind, span, length), 0), length))
            start, end = min(a, b), max(a, b)
        else:  # substr(start, length)
            start = self._relative(self._integer(args, 0, kind, span, 0), length)
            count = self._integer(args, 1, kind, span, math.inf)
            end = int(min(start + max(count, 0), length))
        piece = units[start:end] if end > start else ""
        return self.new_string(len(piece), lambda: from_units(piece), span)

    def _pad(self, text: str, length: int, kind: str, args: list[Value], span: Span | None) -> Value:
        target = self._integer(args, 0, kind, span, 0)
        filler = " " if len(args) < 2 or self._primitive(args, 1, kind, span) is UNDEFINED else self._text(args, 1, kind, span)
        if target <= length or filler == "":
            return Prim(text, span=span)
        if target > MAX_VALUE_SIZE:
            return too_big(STRING, int(min(target, 2**53)), span)
        fill_units = to_units(filler)
        needed = int(target) - length
        pad = from_units((fill_units * (needed // len(fill_units) + 1))[:needed])
        return self.new_string(int(target), lambda: pad + text if kind == "padStart" else text + pad, span)

    def _find(self, units: str, kind: str, args: list[Value], span: Span | None) -> Value:
        search = to_units(self._text(args, 0, kind, span))
        length = len(units)
        if kind == "includes":
            start = int(min(max(self._integer(args, 1, kind, span, 0), 0), length))
            return Prim(units.find(search, start) >= 0, span=span)
        if kind == "startsWith":
            start = int(min(max(self._integer(args, 1, kind, span, 0), 0), length))
            return Prim(units.startswith(search, start), span=span)
        if kind == "endsWith":
            end = int(min(max(self._integer(args, 1, kind, span, length), 0), length))
            return Prim(units[:end].endswith(search), span=span)
        if kind == "indexOf":
            start = int(min(max(self._integer(args, 1, kind, span, 0), 0), length))
            return Prim(units.find(search, start) if start <= length else -1, span=span)
        position = self._primitive(args, 1, kind, span)
        number = to_js_number(position) if position is not UNDEFINED else math.nan
        start = length if is_nan(number) else int(min(max(to_integer(number), 0), length))
        return Prim(units.rfind(search, 0, start + len(search)), span=span)

    def _split(self, units: str, args: list[Value], span: Span | None) -> Value:
        separator = self._primitive(args, 0, "split", span)
        limit_arg = self._primitive(args, 1, "split", span)
        limit = 2**32 - 1 if limit_arg is UNDEFINED else to_int32(to_js_number(limit_arg)) % 2**32  # ToUint32
        if limit == 0:
            return self.new_array([], span)
        if separator is UNDEFINED:
            pieces = [units]
        else:
            sep = to_units(to_js_string(separator))
            if sep == "":
                pieces = list(units[:limit])
            else:
                count = units.count(sep)
                if count + 1 > MAX_VALUE_SIZE:
                    return too_big(ARRAY, count + 1, span)
                pieces = units.split(sep)
        pieces = pieces[:limit]
        refused = self.budget.claim(ARRAY, len(pieces), span, fresh=len(pieces))
        if refused is not None:
            return refused
        return Arr(items=[Prim(from_units(p)) for p in pieces], span=span)

    def _replace(self, units: str, kind: str, args: list[Value], span: Span | None) -> Value:
        pattern = to_units(self._text(args, 0, kind, span))
        if len(args) > 1 and isinstance(args[1], Function):
            return Unknown(reason=f"{kind}() with a function portlint does not follow", span=span)
        replacement = to_units(self._text(args, 1, kind, span))
        if pattern == "":
            positions = [0] if kind == "replace" else list(range(len(units) + 1))
        else:
            positions, at = [], units.find(pattern)
            while at >= 0:
                positions.append(at)
                if kind == "replace":
                    break
                at = units.find(pattern, at + len(pattern))
        self._scan(len(positions), span)
        size = len(units) + len(positions) * (len(replacement) * 2 + len(units) * ("$`" in replacement or "$'" in replacement) - len(pattern))
        refused = self.budget.claim(STRING, max(size, 0), span, fresh=1)
        if refused is not None:
            return refused
        out, last = [], 0
        for at in positions:
            out.append(units[last:at])
            out.append(_substitute(replacement, units, at, pattern))
            last = at + len(pattern)
        out.append(units[last:])
        return Prim(from_units("".join(out)), span=span)

    # -- numbers --------------------------------------------------------------------------------
    def number_method(self, n: int | float, kind: str, args: list[Value], span: Span | None) -> Value:
        if kind == "valueOf":
            return Prim(n, span=span)
        if kind == "toString":
            radix = self._integer(args, 0, kind, span, 10)
            if not 2 <= radix <= 36:
                self._throw("RangeError: toString() radix must be between 2 and 36", span)
            if radix == 10:
                return Prim(number_to_string(n), span=span)
            if isinstance(n, float) and not n.is_integer() or isinstance(n, float) and math.isinf(n) or is_nan(n):
                if is_nan(n) or isinstance(n, float) and math.isinf(n):
                    return Prim(number_to_string(n), span=span)
                return Unknown(reason="toString() of a fraction in another base", span=span)
            if abs(n) >= 2**53:  # Node writes only the digits the double holds, then zeros
                return Unknown(reason="toString() of a huge number in another base", span=span)
            return Prim(_in_base(int(n), int(radix)), span=span)
        return self._to_fixed(n, args, span)

    def _to_fixed(self, n: int | float, args: list[Value], span: Span | None) -> Value:
        digits = self._integer(args, 0, "toFixed", span, 0)
        if not 0 <= digits <= 100:
            self._throw("RangeError: toFixed() digits argument must be between 0 and 100", span)
        if is_nan(n) or math.isinf(n) or abs(n) >= 1e21:
            return Prim(number_to_string(n), span=span)
        exact = Decimal(n).quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP, context=Context(prec=200))
        text = f"{exact:f}"
        if n == 0:  # (-0).toFixed(1) is '0.0', but (-0.01).toFixed(1) is '-0.0'
            text = text.lstrip("-")
        return Prim(text, span=span)

    # -- functions ------------------------------------------------------------------------------
    def call_builtin(self, name: str, args: list[Value], span: Span | None) -> Value:
        try:
            return self._call_builtin(name, args, span)
        except _Refused as refused:
            return refused.unknown

    def _call_builtin(self, name: str, args: list[Value], span: Span | None) -> Value:
        first = args[0] if args else Prim(UNDEFINED)
        if name in CONVERSIONS:
            return convert(name, args, span)
        if name.startswith("console."):
            return Prim(UNDEFINED, span=span)  # nothing is printed
        if name in ("Object.keys", "Object.values", "Object.entries"):
            return self._object_parts(name, first, span)
        if name in ("Object.freeze", "Object.seal", "Object.preventExtensions"):
            return first.at(span)
        if name == "Object.assign":
            return self._assign(args, span)
        if name == "Object.fromEntries":
            return self._from_entries(first, span)
        if name == "Array.from":
            return self._array_from(args, span)
        if name == "Array.of":
            return self.new_array(list(args), span)
        if name == "Array.isArray":
            return Prim(isinstance(first, Arr)) if isinstance(first, (Arr, Obj, Prim, Template, Function)) else \
                Unknown(reason="Array.isArray() of a computed value", span=span)
        if name in NUMBER_TESTS:
            return self._number_test(name, first, span)
        if name.startswith("Math.") and name[5:] in MATH:
            return self._math(name[5:], args, span)
        return Unknown(reason=f"a call to {name}()", span=span)

    def _object_parts(self, name: str, subject: Value, span: Span | None) -> Value:
        if isinstance(subject, Template) and subject.text() is not None:
            subject = Prim(subject.text())
        if isinstance(subject, Prim) and isinstance(subject.value, str):
            units = to_units(subject.value)
            pairs = [(str(i), None, Prim(from_units(u))) for i, u in enumerate(units)]
        elif isinstance(subject, Prim) and subject.value not in (None, UNDEFINED):
            pairs = []
        elif isinstance(subject, (Obj, Arr)) and subject.complete:
            if isinstance(subject, Obj):
                pairs = [(k, subject.props[k].key_span, subject.props[k].value) for k in own_keys(subject)]
            else:
                pairs = [(str(i), None, item) for i, item in enumerate(subject.items)]
        elif isinstance(subject, Prim):
            self._throw(f"TypeError: {name}() of {to_js_string(subject.value)}", span)
        else:
            spent = spent_budget(subject)
            if spent is not None:
                return Unknown(reason=spent.reason, span=span, budget=spent.budget)
            return Unknown(reason=f"{name}() of a computed value", span=span)
        if name == "Object.values":
            return self.new_array([v for _, _, v in pairs], span)
        fresh = len(pairs) * (1 if name == "Object.keys" else 3)
        refused = self.budget.claim(ARRAY, len(pairs), span, fresh=fresh)
        if refused is not None:
            return refused
        if name == "Object.keys":
            return Arr(items=[Prim(k, span=ks) for k, ks, _ in pairs], span=span)
        return Arr(items=[Arr(items=[Prim(k, span=ks), v], span=ks) for k, ks, v in pairs], span=span)

    def _assign(self, args: list[Value], span: Span | None) -> Value:
        """``Object.assign(target, ...sources)``: copies into the target itself and returns it."""
        if not args or not isinstance(args[0], Obj):
            return Unknown(reason="Object.assign() onto a computed value", span=span)
        target = args[0]
        for arg in args[1:]:
            if isinstance(arg, Obj):
                refused = self.budget.claim(OBJECT, len(target.props) + len(arg.props), span, added=len(arg.props))
                if refused is not None:
                    add_unknown_parts(target, [refused])
                    return refused
                target.props.update(arg.props)
                add_unknown_parts(target, arg.unknown_parts)
            elif not (isinstance(arg, Prim) and arg.value in (None, UNDEFINED)):
                target.unknown_parts.append(Unknown(reason="Object.assign() of a computed value", span=arg.span))
        return target.at(span)

    def _from_entries(self, entries: Value, span: Span | None) -> Value:
        if not isinstance(entries, Arr) or not entries.complete:
            return Unknown(reason="Object.fromEntries() of a computed value", span=span)
        refused = self.budget.claim(OBJECT, len(entries.items), span, fresh=len(entries.items))
        if refused is not None:
            return refused
        out = Obj(span=span)
        for entry in entries.items:
            if not isinstance(entry, Arr) or not entry.complete:
                out.unknown_parts.append(Unknown(reason="Object.fromEntries() of a computed entry", span=entry.span))
                continue
            key = entry.items[0] if entry.items else Prim(UNDEFINED)
            value = entry.items[1] if len(entry.items) > 1 else Prim(UNDEFINED)
            if isinstance(key, Template) and key.text() is not None:
                key = Prim(key.text())
            if not isinstance(key, Prim):
                out.unknown_parts.append(Unknown(reason="Object.fromEntries() with a computed key", span=entry.span))
                continue
            name = to_js_string(key.value)
            out.props.pop(name, None)
            out.props[name] = Prop(name, key.span, value)
        return out

    def _array_from(self, args: list[Value], span: Span | None) -> Value:
        source = args[0] if args else Prim(UNDEFINED)
        if isinstance(source, Template) and source.text() is not None:
            source = Prim(source.text())
        fresh = 0
        if isinstance(source, Arr) and source.complete:
            items = list(source.items)
        elif isinstance(source, Prim) and isinstance(source.value, str):
            refused = self.budget.claim(ARRAY, len(source.value), span, fresh=len(source.value))
            if refused is not None:
                return refused
            items = [Prim(ch) for ch in source.value]  # a string iterates by code point
        elif isinstance(source, Obj) and source.complete and isinstance(source.get("length"), Prim):
            length = to_integer(to_js_number(source.get("length").value))
            length = max(0, min(length, 2**53 - 1))
            if length > MAX_VALUE_SIZE:
                return too_big(ARRAY, int(length), span)
            items = [Prim(UNDEFINED) for _ in range(int(length))]
            fresh = len(items)
        else:
            return Unknown(reason="Array.from() of a computed value", span=span)
        fn = args[1] if len(args) > 1 else None
        if fn is None or isinstance(fn, Prim) and fn.value is UNDEFINED:
            return self.new_array(items, span, fresh=fresh)
        if not isinstance(fn, Function):
            return Unknown(reason="Array.from() with a callback portlint cannot follow", span=span)
        refused = self.budget.claim(ARRAY, len(items), span, fresh=fresh)
        if refused is not None:
            return refused
        out = []
        for i, item in enumerate(items):
            self.budget.iterate(span)
            out.append(self.call(fn, [item, Prim(i)], span, "Array.from"))
        return Arr(items=out, span=span)

    def _number_test(self, name: str, value: Value, span: Span | None) -> Value:
        if isinstance(value, Template) and value.text() is not None:
            value = Prim(value.text())
        if not isinstance(value, Prim):
            if isinstance(value, (Obj, Arr, Function)) and name.startswith("Number."):
                return Prim(False, span=span)
            return Unknown(reason=f"{name}() of a computed value", span=span)
        v = value.value
        if name in ("isNaN", "isFinite"):
            v = to_js_number(v)
        elif not is_number(v):
            return Prim(False, span=span)
        if name.endswith("isNaN"):
            return Prim(is_nan(v), span=span)
        finite = not (is_nan(v) or isinstance(v, float) and math.isinf(v))
        if name.endswith("isFinite"):
            return Prim(finite, span=span)
        integer = finite and float(v).is_integer()
        if name == "Number.isSafeInteger":
            return Prim(integer and abs(v) <= 2**53 - 1, span=span)
        return Prim(integer, span=span)

    def _math(self, fn: str, args: list[Value], span: Span | None) -> Value:
        values = [self._primitive(args, i, f"Math.{fn}", span) for i in range(len(args))]
        numbers = [to_js_number(v) for v in values]
        if fn in ("max", "min"):
            if any(is_nan(n) for n in numbers):
                return Prim(math.nan)
            if not numbers:
                return Prim(-math.inf if fn == "max" else math.inf)
            return Prim(num(max(numbers) if fn == "max" else min(numbers)))
        x = numbers[0] if numbers else math.nan
        if fn == "pow":
            result = power(x, numbers[1] if len(numbers) > 1 else math.nan)
            return Unknown(reason="a power Node rounds its own way", span=span) if result is None else Prim(result)
        if is_nan(x):
            return Prim(math.nan)
        if isinstance(x, float) and math.isinf(x):
            return Prim({"abs": math.inf, "sign": 1 if x > 0 else -1, "sqrt": x if x > 0 else math.nan}.get(fn, x))
        if fn == "floor":
            return Prim(num(float(math.floor(x))))
        if fn == "ceil":
            return Prim(num(float(math.ceil(x))) if not (-1 < x < 0) else -0.0)
        if fn == "trunc":
            return Prim(num(float(math.trunc(x))) if not (-1 < x < 0) else -0.0)
        if fn == "round":
            r = math.floor(x)
            r = r + 1 if x - r >= 0.5 else r
            return Prim(num(float(r)) if not (-0.5 <= x < 0) else -0.0)
        if fn == "abs":
            return Prim(num(abs(x)))
        if fn == "sign":
            return Prim(x if x == 0 or is_nan(x) else 1 if x > 0 else -1)
        return Prim(num(math.sqrt(x)) if x >= 0 else math.nan)


def utf16_units(text: str) -> int:
    return len(to_units(text))


def _substitute(replacement: str, units: str, at: int, matched: str) -> str:
    """GetSubstitution for a string pattern: ``$$``, ``$&``, ``$``` and ``$'``; other ``$`` stay."""
    if "$" not in replacement:
        return replacement
    out, i = [], 0
    while i < len(replacement):
        ch = replacement[i]
        nxt = replacement[i + 1:i + 2]
        if ch == "$" and nxt in ("$", "&", "`", "'"):
            out.append({"$": "$", "&": matched, "`": units[:at], "'": units[at + len(matched):]}[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _in_base(n: int, base: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign, n = ("-", -n) if n < 0 else ("", n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))
