"""Evaluating expressions: the dispatch over ESTree node types, literals, templates, object and array
literals, member access, and the operators (their JavaScript meaning lives in ``semantics``)."""
from __future__ import annotations

from typing import Any

from portlint.diagnostic import Span
from portlint.evaluator.builtins import ARRAY_METHODS, STRING_METHODS
from portlint.evaluator.limits import ARRAY, MAX_DEPTH, MAX_STEPS, OBJECT, STEP_BUDGET
from portlint.evaluator.primitives import array_index, to_js_number, to_units, utf16_length
from portlint.evaluator.semantics import (
    again,
    binary,
    derive,
    fallback,
    is_num,
    nullish,
    num,
    one_of,
    template,
    to_js_string,
    truthy,
    unary,
)
from portlint.evaluator.values import (
    UNDEFINED,
    Arr,
    Builtin,
    EnvDefault,
    EnvVar,
    Function,
    Obj,
    OneOf,
    Prim,
    Prop,
    Template,
    Unknown,
    Value,
    add_unknown_parts,
    spent_budget,
)



class Expressions:
    """The expression half of the evaluator (mixed into ``ModuleEvaluator``)."""

    def eval(self, node: Any) -> Value:
        budget = self.budget
        budget.steps += 1
        if budget.steps > MAX_STEPS:
            return Unknown(reason=STEP_BUDGET, span=self._span(node), budget="steps")
        if budget.expression_depth >= MAX_DEPTH:
            return Unknown(reason="expression nested too deeply", span=self._span(node), budget="depth")
        budget.expression_depth += 1
        try:
            method = getattr(self, "_eval_" + node.type, None)
            if method is None:
                return Unknown(reason=describe_node(node), span=self._span(node))
            value = method(node)
            if value.span is None:
                value.span = self._span(node)
            return value
        finally:
            budget.expression_depth -= 1

    def _span(self, node: Any) -> Span | None:
        try:
            return self.parsed.span(node)
        except Exception:
            return None

    # literals
    def _eval_Literal(self, node: Any) -> Value:
        if getattr(node, "regex", None) is not None:
            return Unknown(reason="a regular expression")
        value = node.value
        raw = node.raw or ""
        if raw.endswith("n") and isinstance(value, int):
            return Unknown(reason="a BigInt")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = num(value)  # a double: past 2**53 an int is a float, as in JavaScript
            if isinstance(value, int) and any(c in raw for c in ".eE") and not raw.lower().startswith("0x"):
                value = float(value)  # 5.0 stays a float, as the source says
        return Prim(value, literal=True, span=self._span(node), origin=self._span(node))

    def _eval_TemplateLiteral(self, node: Any) -> Value:
        parts: list[Value] = []
        for i, quasi in enumerate(node.quasis):
            cooked = quasi.value.cooked if quasi.value else ""
            if cooked:
                parts.append(Prim(cooked, span=self._quasi_span(quasi)))
            if i < len(node.expressions):
                parts.append(self.eval(node.expressions[i]))
        return template(parts, self._span(node), self.budget)

    def _quasi_span(self, quasi: Any) -> Span | None:
        span = self._span(quasi)
        if span is None:
            return None
        # esprima's quasi range includes the ` or } before and the ${ or ` after.
        start = span.start + 1
        end = span.end - (2 if span.text.endswith("${") else 1)
        return Span(span.source, start, max(start, end))

    def _eval_Identifier(self, node: Any) -> Value:
        return self.lookup(node.name, node)

    def _eval_ObjectExpression(self, node: Any) -> Value:
        obj = Obj(span=self._span(node))
        for prop in node.properties:
            if prop.type == "SpreadElement":
                spread = self.eval(prop.argument)
                if isinstance(spread, Obj):
                    refused = self.budget.claim(OBJECT, len(obj.props) + len(spread.props), obj.span,
                                                added=len(spread.props))
                    if refused is not None:
                        return refused
                    obj.props.update(spread.props)
                    if not spread.complete:
                        add_unknown_parts(obj, spread.unknown_parts)
                elif isinstance(spread, Prim) and (spread.value is None or spread.value is UNDEFINED):
                    pass
                else:
                    unknown = spread if isinstance(spread, Unknown) else Unknown(reason="spread of a value that is not an object literal", span=self._span(prop))
                    obj.unknown_parts.append(unknown.at(self._span(prop)) if isinstance(unknown, Unknown) else unknown)
                continue
            if _sets_prototype(prop):  # `{ __proto__: base }` is no key: it sets the prototype
                proto = self.eval(prop.value)
                obj.proto = proto if isinstance(proto, (Obj, Unknown)) else None  # null or a primitive: none
                continue
            key = self._property_key(prop)
            if key is None:
                obj.unknown_parts.append(Unknown(reason="a computed key", span=self._span(prop.key)))
                continue
            if prop.kind in ("get", "set") or prop.method:
                value = Function(node=prop.value, span=self._span(prop.value))
            else:
                value = self.eval(prop.value)
            obj.props.pop(key, None)  # a later key moves to the end, as in JavaScript
            obj.props[key] = Prop(key, self._span(prop.key), value)
        return obj

    def _property_key(self, prop: Any) -> str | None:
        key = prop.key
        if prop.computed:
            return self._key_of(self.eval(key))
        if key.type == "Identifier":
            return key.name
        if key.type == "Literal":
            return to_js_string(key.value)
        return None

    @staticmethod
    def _key_of(value: Value) -> str | None:
        """The property key a computed value stands for, if it is known."""
        if isinstance(value, Prim):
            return to_js_string(value.value)  # ToPropertyKey: o[undefined] is o['undefined']
        if isinstance(value, Template):
            return value.text()
        return None

    def _eval_ArrayExpression(self, node: Any) -> Value:
        arr = Arr(span=self._span(node))
        for element in node.elements:
            if element is None:
                arr.items.append(Prim(UNDEFINED))
                continue
            if element.type == "SpreadElement":
                spread = self.eval(element.argument)
                if isinstance(spread, Arr):
                    refused = self.budget.claim(ARRAY, len(arr.items) + len(spread.items), self._span(node),
                                                added=len(spread.items))
                    if refused is not None:
                        return refused
                    arr.items.extend(spread.items)
                    add_unknown_parts(arr, spread.unknown_parts)
                else:
                    arr.unknown_parts.append(again(spread, self._span(element)) if isinstance(spread, Unknown) else
                                             Unknown(reason="spread of a value that is not an array literal", span=self._span(element)))
                continue
            arr.items.append(self.eval(element))
        return arr

    # member access
    def _eval_MemberExpression(self, node: Any) -> Value:
        obj = self.eval(node.object)
        if node.computed:
            prop = self.eval(node.property)
            key = self._key_of(prop)
            if key is None:
                if isinstance(prop, Unknown) and prop.budget is not None:
                    return again(prop, self._span(node))  # say which budget ran out
                return Unknown(reason="a computed member", span=self._span(node))
        else:
            key = node.property.name
        if getattr(node, "optional", False) and nullish(obj):
            return Prim(UNDEFINED, span=self._span(node))
        return self._member(obj, key, node)

    def _member(self, obj: Value, key: str, node: Any) -> Value:
        span = self._span(node) if node is not None else None
        if isinstance(obj, (Obj, Arr)) and obj.unknown_parts:
            spent = spent_budget(obj)
            if spent is not None and not (isinstance(obj, Obj) and key in obj.props):
                return again(spent, span)  # say which budget ran out, not just "unknown"
        if isinstance(obj, Obj):
            prop = obj.props.get(key)
            if prop is not None:
                return prop.value.at(span)
            if isinstance(obj.proto, Obj) and obj.complete:
                return self._member(obj.proto, key, node)
            if isinstance(obj.proto, Unknown):
                return again(obj.proto, span)
            if obj.complete:
                return Prim(UNDEFINED, span=span)
            return Unknown(reason=f"key {key!r} may come from an unresolved spread", span=span)
        if isinstance(obj, Arr):
            if key in ARRAY_METHODS:
                return Builtin(name=f"array.{key}", receiver=obj, span=span)
            index = array_index(key)
            if key == "length" and obj.complete:
                return Prim(len(obj.items), span=span)
            if index is not None and obj.complete:
                return obj.items[index].at(span) if index < len(obj.items) else Prim(UNDEFINED, span=span)
            if no_such_member(key) and obj.complete:
                return Prim(UNDEFINED, span=span)
            return Unknown(reason=f"array member {key!r}", span=span)
        if isinstance(obj, Template) and obj.text() is not None:
            obj = Prim(obj.text(), span=obj.span)
        if isinstance(obj, OneOf):
            return one_of([self._member(o, key, node) for o in obj.options], span)
        if isinstance(obj, EnvDefault):  # (process.env.HOSTS || 'a,b').split: the default's member
            return derive(obj, self._member(obj.default, key, node), span)
        if isinstance(obj, Builtin):
            if obj.name == "process" and key == "env":
                return Builtin(name="process.env", span=span)
            if obj.name == "process.env":
                return EnvVar(name=key, span=span)
            if obj.name == "module" and key == "exports":
                return (self._cjs_exports if self._module_scope is not None else self.exports()).at(span)
            return Builtin(name=f"{obj.name}.{key}", span=span)
        if isinstance(obj, Prim):
            if obj.value is None or obj.value is UNDEFINED:
                return Unknown(reason=f"reading {key!r} of {to_js_string(obj.value)}", span=span)
            if isinstance(obj.value, str):
                if key == "length":
                    return Prim(utf16_length(obj.value), span=span)
                if key in STRING_METHODS:
                    return Builtin(name=f"string.{key}", receiver=obj, span=span)
                index = array_index(key)
                if index is not None:
                    units = to_units(obj.value)
                    return Prim(units[index] if index < len(units) else UNDEFINED, span=span)
                if no_such_member(key):
                    return Prim(UNDEFINED, span=span)
            if is_num(obj.value) and key in ("toString", "toFixed", "valueOf"):
                return Builtin(name=f"number.{key}", receiver=obj, span=span)
            return Unknown(reason=f"member {key!r} of a {type(obj.value).__name__}", span=span)
        if isinstance(obj, Unknown):
            return again(obj, span, origin=obj.origin or obj.span)
        return Unknown(reason=f"member {key!r} of a computed value", span=span)

    def _eval_ChainExpression(self, node: Any) -> Value:
        return self.eval(node.expression)

    # operators
    def _eval_LogicalExpression(self, node: Any) -> Value:
        left = self.eval(node.left)
        op = node.operator
        decided = truthy(left) if op in ("||", "&&") else (None if nullish(left) is None else not nullish(left))
        if op == "&&":
            if decided is None and isinstance(left, EnvDefault) and truthy(left.default) is not None:
                under_defaults = self.eval(node.right) if truthy(left.default) else left.default
                return derive(left, under_defaults, self._span(node))
            if decided is None:
                return Unknown(reason="a condition that depends on the environment", span=self._span(node))
            return self.eval(node.right) if decided else left
        # || and ??
        if decided is True:
            return left
        right = self.eval(node.right)
        if decided is False:
            return right
        reads = self._span(node.left)
        return fallback(op, left, right, self._span(node),
                        reads.text if reads is not None and len(reads.text) <= 60 else "a value read at run time")

    def _eval_ConditionalExpression(self, node: Any) -> Value:
        test = truthy(self.eval(node.test))
        if test is True:
            return self.eval(node.consequent)
        if test is False:
            return self.eval(node.alternate)
        return one_of([self.eval(node.consequent), self.eval(node.alternate)], self._span(node))

    def _eval_UnaryExpression(self, node: Any) -> Value:
        arg = self.eval(node.argument)
        op = node.operator
        if op == "void":
            return Prim(UNDEFINED)
        if isinstance(arg, OneOf):
            return one_of([unary(op, a) for a in arg.options], self._span(node))
        result = unary(op, arg)
        if isinstance(result, Prim) and op == "-" and isinstance(arg, Prim) and arg.literal:
            result.literal = True
            result.origin = self._span(node)
        return result

    def _eval_BinaryExpression(self, node: Any) -> Value:
        left = self.eval(node.left)
        right = self.eval(node.right)
        return binary(node.operator, left, right, self._span(node), self.budget)

    def _eval_SequenceExpression(self, node: Any) -> Value:
        value: Value = Prim(UNDEFINED)
        for expr in node.expressions:
            value = self.eval(expr)
        return value

    def _eval_ArrowFunctionExpression(self, node: Any) -> Value:
        return Function(node=node, closure=tuple(self._scopes))

    _eval_FunctionExpression = _eval_ArrowFunctionExpression

    def _eval_AwaitExpression(self, node: Any) -> Value:
        return Unknown(reason="await", span=self._span(node))


def no_such_member(key: str) -> bool:
    """Whether no list or string has a member of this name (``[1][-1]``, ``s[1.5]``, ``s[undefined]``):
    a number that is not an index, or the name of a primitive. Other names may be built-in methods."""
    return key in ("undefined", "null", "true", "false") or to_js_string(to_js_number(key)) == key


def callee_name(node: Any) -> str:
    if node.type == "Identifier":
        return node.name
    if node.type == "CallExpression":
        return callee_name(node.callee) + "()"
    if node.type == "MemberExpression" and not node.computed:
        return callee_name(node.object) + "." + node.property.name
    return "a function"


_NODE_WORDS = {
    "ThisExpression": "this", "ClassExpression": "a class", "TaggedTemplateExpression": "a tagged template",
    "UpdateExpression": "an update expression", "YieldExpression": "yield", "ImportExpression": "a dynamic import()",
    "MetaProperty": "import.meta", "Super": "super",
}


def describe_node(node: Any) -> str:
    return _NODE_WORDS.get(node.type, f"a {node.type}")


def _sets_prototype(prop: Any) -> bool:
    """``__proto__: value`` written as a plain (not computed, not shorthand, not method) property of
    an object literal: JavaScript sets the object's prototype and adds no key."""
    key = prop.key
    named = (key.type == "Identifier" and key.name == "__proto__") or (key.type == "Literal" and key.value == "__proto__")
    return (named and not prop.computed and not getattr(prop, "shorthand", False) and not prop.method
            and prop.kind == "init")
