"""Calls: local functions (parameters, closures, the call-depth budget), destructuring patterns,
and ``require()`` of local files."""
from __future__ import annotations

from typing import Any

from portlint.diagnostic import Span
from portlint.evaluator.expressions import callee_name
from portlint.evaluator.limits import MAX_CALL_DEPTH
from portlint.evaluator.semantics import one_of
from portlint.evaluator.values import UNDEFINED, Arr, Builtin, Function, Obj, Prim, Template, Unknown, Value


class Calls:
    """Function calls and ``require()`` (mixed into ``ModuleEvaluator``)."""

    def _eval_CallExpression(self, node: Any) -> Value:
        callee = self.eval(node.callee)
        span = self._span(node)
        if isinstance(callee, Builtin) and callee.receiver is None:
            name = callee.name
            if name == "require":
                return self._require(node, span)
            args = [self.eval(a) for a in node.arguments if a.type != "SpreadElement"]
            if len(args) != len(node.arguments):
                return Unknown(reason=f"{name}() with a spread argument", span=span)
            return self.call_builtin(name, args, span)
        if isinstance(callee, Function) or (isinstance(callee, Builtin) and callee.receiver is not None):
            if any(a.type == "SpreadElement" for a in node.arguments):
                return Unknown(reason=f"{callee_name(node.callee)}() with a spread argument", span=span)
            args = [self.eval(a) for a in node.arguments]
            if isinstance(callee, Function):
                return self.call(callee, args, span, callee_name(node.callee))
            return self._array_method(callee, args, span)
        if isinstance(callee, Unknown) and callee.reason.startswith("unknown identifier"):
            return Unknown(reason=callee.reason, span=span)
        return Unknown(reason=f"a call to {callee_name(node.callee)}()", span=span)

    def call(self, fn: Function, args: list[Value], span: Span | None, name: str = "a function") -> Value:
        """Evaluate a call of a simple pure function: parameters bound to the arguments, an expression
        body, or a block of constant declarations ending in a return."""
        node = fn.node
        if node is None or getattr(node, "async", False) or getattr(node, "generator", False):
            return Unknown(reason=f"a call to {name}()", span=span)
        if self.budget.call_depth >= MAX_CALL_DEPTH:
            return Unknown(reason=f"calls nested too deeply at {name}()", span=span)
        scope: dict[str, Value] = {}
        for i, param in enumerate(node.params or []):
            arg = args[i] if i < len(args) else Prim(UNDEFINED)
            if not self._bind_pattern(param, arg, scope):
                return Unknown(reason=f"a call to {name}() with a parameter pattern portlint does not follow", span=span)
        saved = self._scopes
        self._scopes = list(fn.closure) + [scope]
        self.budget.call_depth += 1
        try:
            body = node.body
            if body.type != "BlockStatement":
                return self.eval(body).at(span) if span is not None else self.eval(body)
            for statement in body.body:
                if statement.type == "ReturnStatement":
                    if statement.argument is None:
                        return Prim(UNDEFINED, span=span)
                    return self.eval(statement.argument)
                if statement.type == "VariableDeclaration" and statement.kind == "const":
                    for declarator in statement.declarations:
                        value = self.eval(declarator.init) if declarator.init is not None else Prim(UNDEFINED)
                        if not self._bind_pattern(declarator.id, value, scope):
                            return Unknown(reason=f"{name}() declares a pattern portlint does not follow", span=span)
                    continue
                if statement.type == "EmptyStatement":
                    continue
                return Unknown(reason=f"{name}() does more than compute a value ({statement.type})", span=span)
            return Prim(UNDEFINED, span=span)
        finally:
            self.budget.call_depth -= 1
            self._scopes = saved

    def _bind_pattern(self, pattern: Any, value: Value, scope: dict[str, Value]) -> bool:
        if pattern.type == "Identifier":
            scope[pattern.name] = value
            return True
        if pattern.type == "AssignmentPattern":
            if isinstance(value, Prim) and value.value is UNDEFINED:
                value = self.eval(pattern.right)
            elif not isinstance(value, (Prim, Obj, Arr, Template, Function)):
                value = one_of([value, self.eval(pattern.right)], value.span)
            return self._bind_pattern(pattern.left, value, scope)
        if pattern.type == "ObjectPattern":
            for prop in pattern.properties:
                if prop.type == "RestElement" or prop.computed or prop.key.type not in ("Identifier", "Literal"):
                    return False
                key = prop.key.name if prop.key.type == "Identifier" else str(prop.key.value)
                if not self._bind_pattern(prop.value, self._member(value, key, None), scope):
                    return False
            return True
        if pattern.type == "ArrayPattern":
            for i, element in enumerate(pattern.elements):
                if element is None:
                    continue
                if element.type == "RestElement" or not self._bind_pattern(element, self._member(value, str(i), None), scope):
                    return False
            return True
        return False

    def _require(self, node: Any, span: Span | None) -> Value:
        if len(node.arguments) != 1:
            return Unknown(reason="require() with other than one argument", span=span)
        request = self.eval(node.arguments[0])
        if isinstance(request, Template):
            text = request.text()
        elif isinstance(request, Prim) and isinstance(request.value, str):
            text = request.value
        else:
            text = None
        if text is None:
            return Unknown(reason="require() of a computed path", span=span)
        value = self.loader.exports_of(text, self.parsed.source.path)
        return value.at(span) if not isinstance(value, Unknown) else Unknown(reason=value.reason, span=span)

