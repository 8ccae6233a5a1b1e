"""The built-in functions and methods the evaluator follows: array methods (``map``, ``filter``,
``forEach``, ``push``, ``reduce``...), ``Array.from``, ``Object.keys/values/entries/assign/freeze``,
and the conversions (``semantics.convert``). Each callback counts toward the loop budget and each
list built toward the size budget."""
from __future__ import annotations

from portlint.diagnostic import Span
from portlint.evaluator.limits import MAX_VALUE_SIZE, too_big
from portlint.evaluator.semantics import CONVERSIONS, binary, convert, truthy
from portlint.evaluator.values import (
    UNDEFINED,
    Arr,
    Builtin,
    Function,
    Obj,
    Prim,
    Template,
    Unknown,
    Value,
    add_unknown_parts,
)


class Builtins:
    """Calls of built-ins (mixed into ``ModuleEvaluator``)."""

    def array_method(self, method: Builtin, args: list[Value], span: Span | None) -> Value:
        array = method.receiver
        kind = method.name.rsplit(".", 1)[-1]
        if kind in ("push", "unshift"):
            return self._grow(array, args, kind, span)
        if not isinstance(array, Arr) or not array.complete:
            if kind in ("pop", "shift") and isinstance(array, Arr):
                array.unknown_parts.append(Unknown(reason=f"{kind}() of a list portlint cannot see whole", span=span))
            return Unknown(reason=f"{kind}() over a list portlint cannot see whole", span=span)
        items = array.items
        if kind in ("pop", "shift"):
            return (items.pop() if kind == "pop" else items.pop(0)).at(span) if items else Prim(UNDEFINED, span=span)
        if kind == "concat":
            out = Arr(items=list(items), span=span)
            for arg in args:
                more = arg.items if isinstance(arg, Arr) else [arg]
                if len(out.items) + len(more) > MAX_VALUE_SIZE:
                    return too_big("an array", len(out.items) + len(more), span)
                self.budget.build(len(more), span)
                out.items.extend(more)
                if isinstance(arg, Arr):
                    add_unknown_parts(out, arg.unknown_parts)
            return out
        if kind == "slice":
            bounds = [a.value if isinstance(a, Prim) and isinstance(a.value, int) else None for a in args[:2]]
            if any(b is None for b in bounds):
                return Unknown(reason="slice() with computed bounds", span=span)
            return Arr(items=items[slice(*bounds)], span=span)
        if kind == "join":
            return self._join(array, args, span)
        if kind == "includes":
            found = [truthy(binary("===", item, args[0] if args else Prim(UNDEFINED), span)) for item in items]
            return Prim(True) if True in found else (Prim(False) if None not in found else Unknown(reason="includes() of a computed value", span=span))
        if kind == "flat":
            out = []
            for item in items:
                out.extend(item.items if isinstance(item, Arr) and item.complete else [item])
            return Arr(items=out, span=span)
        fn = args[0] if args else None
        if not isinstance(fn, Function):
            return Unknown(reason=f"{kind}() with a callback portlint cannot follow", span=span)
        if kind == "reduce":
            return self._reduce(array, fn, args, span)
        results = []
        for i, item in enumerate(list(items)):
            self.budget.iterate(span)
            results.append(self.call(fn, [item, Prim(i), array], item.span, kind))
        if kind == "forEach":
            return Prim(UNDEFINED, span=span)
        if kind == "map":
            self.budget.build(len(results), span)
            return Arr(items=results, span=span)
        decided = [truthy(r) for r in results]
        if None in decided:
            return Unknown(reason=f"{kind}() with a condition that depends on the environment", span=span)
        if kind == "some":
            return Prim(any(decided))
        if kind == "every":
            return Prim(all(decided))
        if kind == "find":
            return next((item for item, keep in zip(items, decided) if keep), Prim(UNDEFINED, span=span))
        return Arr(items=[item for item, keep in zip(items, decided) if keep], span=span)

    def _grow(self, array: Value, args: list[Value], kind: str, span: Span | None) -> Value:
        """``push``/``unshift``: change the list in place, as every place that holds it sees."""
        if not isinstance(array, Arr):
            return Unknown(reason=f"{kind}() onto a computed value", span=span)
        if len(array.items) + len(args) > MAX_VALUE_SIZE:
            from portlint.evaluator.scopes import raise_too_big

            raise_too_big("an array", len(array.items) + len(args), span)
        self.budget.build(len(args), span)
        if kind == "push":
            array.items.extend(args)
        else:
            array.items[0:0] = args
        return Prim(len(array.items), span=span) if array.complete else Unknown(reason="the length of a list portlint cannot see whole", span=span)

    def _join(self, array: Arr, args: list[Value], span: Span | None) -> Value:
        separator = args[0] if args else Prim(",")
        if not isinstance(separator, Prim) or not isinstance(separator.value, str) and separator.value is not UNDEFINED:
            return Unknown(reason="join() with a computed separator", span=span)
        sep = "," if separator.value is UNDEFINED else separator.value
        parts: list[Value] = []
        for i, item in enumerate(array.items):
            if i:
                parts.append(Prim(sep))
            if isinstance(item, Prim) and item.value in (None, UNDEFINED):
                continue
            parts.append(item if isinstance(item, (Prim, Template)) else Unknown(reason="join() of a computed value", span=span))
        if any(isinstance(p, Unknown) for p in parts):
            return Unknown(reason="join() of a computed value", span=span)
        from portlint.evaluator.semantics import template

        joined = template(parts, span)
        if isinstance(joined, Template) and joined.text() is not None:
            return Prim(joined.text(), span=span)
        return joined

    def _reduce(self, array: Arr, fn: Function, args: list[Value], span: Span | None) -> Value:
        items = list(array.items)
        if len(args) > 1:
            acc, start = args[1], 0
        elif items:
            acc, start = items[0], 1
        else:
            return Unknown(reason="reduce() of an empty list with no initial value", span=span)
        for i in range(start, len(items)):
            self.budget.iterate(span)
            acc = self.call(fn, [acc, items[i], Prim(i), array], span, "reduce")
        return acc

    def call_builtin(self, name: str, args: list[Value], span: Span | None) -> Value:
        first = args[0] if args else Prim(UNDEFINED)
        if name in CONVERSIONS:
            return convert(name, args, span)
        if name.startswith("console."):
            return Prim(UNDEFINED, span=span)  # nothing is printed
        if name in ("Object.keys", "Object.values", "Object.entries"):
            if not args or not isinstance(args[0], (Obj, Arr)) or not args[0].complete:
                return Unknown(reason=f"{name}() of a computed value", span=span)
            pairs = list(args[0].props.items()) if isinstance(args[0], Obj) else \
                [(str(i), None) for i in range(len(args[0].items))]
            if name == "Object.keys":
                return Arr(items=[Prim(k, span=p.key_span if p else None) for k, p in pairs], span=span)
            values = [p.value for _, p in pairs] if isinstance(args[0], Obj) else list(args[0].items)
            if name == "Object.values":
                return Arr(items=values, span=span)
            return Arr(items=[Arr(items=[Prim(k, span=p.key_span if p else None), v], span=p.key_span if p else None)
                              for (k, p), v in zip(pairs, values)], span=span)
        if name in ("Object.freeze", "Object.seal"):
            return first.at(span) if args else Unknown(reason=f"{name}()", span=span)
        if name == "Object.assign":
            return self._assign(args, span)
        if name == "Array.from":
            return self._array_from(args, span)
        if name == "Array.isArray":
            return Prim(isinstance(first, Arr)) if isinstance(first, (Arr, Obj, Prim, Template)) else \
                Unknown(reason="Array.isArray() of a computed value", span=span)
        if name in ("Math.max", "Math.min", "Math.floor", "Math.ceil", "Math.round", "Math.abs"):
            return self._math(name, args, span)
        return Unknown(reason=f"a call to {name}()", span=span)

    def _assign(self, args: list[Value], span: Span | None) -> Value:
        """``Object.assign(target, ...sources)``: copies into the target itself and returns it."""
        if not args or not isinstance(args[0], Obj):
            return Unknown(reason="Object.assign() onto a computed value", span=span)
        target = args[0]
        for arg in args[1:]:
            if isinstance(arg, Obj):
                if len(target.props) + len(arg.props) > MAX_VALUE_SIZE:
                    return too_big("an object", len(target.props) + len(arg.props), span)
                self.budget.build(len(arg.props), span)
                target.props.update(arg.props)
                add_unknown_parts(target, arg.unknown_parts)
            elif not (isinstance(arg, Prim) and arg.value in (None, UNDEFINED)):
                target.unknown_parts.append(Unknown(reason="Object.assign() of a computed value", span=arg.span))
        return target.at(span)

    def _array_from(self, args: list[Value], span: Span | None) -> Value:
        source = args[0] if args else Prim(UNDEFINED)
        if isinstance(source, Arr) and source.complete:
            items = list(source.items)
        elif isinstance(source, Obj) and source.complete and isinstance(source.get("length"), Prim):
            length = source.get("length").value
            if isinstance(length, float) and length.is_integer():
                length = int(length) if length < 2**53 else MAX_VALUE_SIZE + 1
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                return Unknown(reason="Array.from() with a computed length", span=span)
            if length > MAX_VALUE_SIZE:
                return too_big("an array", length, span)
            items = [Prim(UNDEFINED)] * length
        else:
            return Unknown(reason="Array.from() of a computed value", span=span)
        self.budget.build(len(items), span)
        fn = args[1] if len(args) > 1 else None
        if fn is None:
            return Arr(items=items, span=span)
        if not isinstance(fn, Function):
            return Unknown(reason="Array.from() with a callback portlint cannot follow", span=span)
        out = []
        for i, item in enumerate(items):
            self.budget.iterate(span)
            out.append(self.call(fn, [item, Prim(i)], span, "Array.from"))
        return Arr(items=out, span=span)

    @staticmethod
    def _math(name: str, args: list[Value], span: Span | None) -> Value:
        import math

        from portlint.evaluator.semantics import num, to_js_number

        if not all(isinstance(a, Prim) for a in args):
            return Unknown(reason=f"{name}() of a computed value", span=span)
        numbers = [to_js_number(a.value) for a in args]
        if any(isinstance(n, float) and math.isnan(n) for n in numbers):
            return Prim(math.nan)
        fn = name.split(".")[1]
        if fn in ("max", "min"):
            if not numbers:
                return Prim(-math.inf if fn == "max" else math.inf)
            return Prim(num(max(numbers) if fn == "max" else min(numbers)))
        if not numbers:
            return Prim(math.nan)
        n = numbers[0]
        if math.isinf(n):
            return Prim(n)
        if fn == "floor":
            return Prim(math.floor(n))
        if fn == "ceil":
            return Prim(math.ceil(n))
        if fn == "round":
            return Prim(math.floor(n + 0.5))
        return Prim(num(abs(n)))
