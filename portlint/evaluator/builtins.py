"""The built-in functions and methods the evaluator follows: array methods over lists it can see
whole, ``Object.keys/values/entries/assign/freeze``, and the conversions (``semantics.convert``)."""
from __future__ import annotations

from portlint.diagnostic import Span
from portlint.evaluator.semantics import CONVERSIONS, convert, truthy
from portlint.evaluator.values import UNDEFINED, Arr, Builtin, Function, Obj, Prim, Unknown, Value


class Builtins:
    """Calls of built-ins (mixed into ``ModuleEvaluator``)."""

    def _array_method(self, method: Builtin, args: list[Value], span: Span | None) -> Value:
        array = method.receiver
        kind = method.name.rsplit(".", 1)[-1]
        if not isinstance(array, Arr) or not array.complete:
            return Unknown(reason=f"{kind}() over a list portlint cannot see whole", span=span)
        if kind == "concat":
            out = Arr(items=list(array.items), span=span)
            for arg in args:
                if isinstance(arg, Arr):
                    out.items.extend(arg.items)
                    out.complete = out.complete and arg.complete
                else:
                    out.items.append(arg)
            return out
        fn = args[0] if args else None
        if not isinstance(fn, Function):
            return Unknown(reason=f"{kind}() with a callback portlint cannot follow", span=span)
        results = [self.call(fn, [item, Prim(i), array], item.span, kind) for i, item in enumerate(array.items)]
        if kind == "map":
            return Arr(items=results, span=span)
        kept = []
        for item, keep in zip(array.items, results):
            decided = truthy(keep)
            if decided is None:
                return Unknown(reason="filter() with a condition that depends on the environment", span=span)
            if decided:
                kept.append(item)
        return Arr(items=kept, span=span)

    def call_builtin(self, name: str, args: list[Value], span: Span | None) -> Value:
        first = args[0] if args else Prim(UNDEFINED)
        if name in CONVERSIONS:
            return convert(name, args, span)
        if name in ("Object.keys", "Object.values", "Object.entries"):
            if not args or not isinstance(args[0], Obj) or not args[0].complete:
                return Unknown(reason=f"{name}() of a computed value", span=span)
            props = args[0].props
            if name == "Object.keys":
                return Arr(items=[Prim(k, span=p.key_span) for k, p in props.items()], span=span)
            if name == "Object.values":
                return Arr(items=[p.value for p in props.values()], span=span)
            return Arr(items=[Arr(items=[Prim(k, span=p.key_span), p.value], span=p.key_span) for k, p in props.items()],
                       span=span)
        if name in ("Object.freeze", "Object.seal"):
            return first.at(span) if args else Unknown(reason=f"{name}()", span=span)
        if name == "Object.assign":
            if not args or not isinstance(args[0], Obj):
                return Unknown(reason="Object.assign() onto a computed value", span=span)
            merged = Obj(span=span)
            for arg in args:
                if isinstance(arg, Obj):
                    merged.props.update(arg.props)
                    merged.complete = merged.complete and arg.complete
                    merged.unknown_parts.extend(arg.unknown_parts)
                elif not (isinstance(arg, Prim) and arg.value in (None, UNDEFINED)):
                    merged.complete = False
                    merged.unknown_parts.append(Unknown(reason="Object.assign() of a computed value", span=arg.span))
            return merged
        return Unknown(reason=f"a call to {name}()", span=span)
