"""Calls: local functions (parameters, closures, statement bodies, the call-depth budget), effects
(calls portlint does not follow: unknown, and may throw inside ``try``, see ``attempts``), and ``require()``."""
from __future__ import annotations

from typing import Any

from portlint.diagnostic import Span
from portlint.evaluator.expressions import callee_name
from portlint.evaluator.limits import MAX_CALL_DEPTH, BudgetExceeded
from portlint.evaluator.semantics import derive, either
from portlint.evaluator.statements import Break, Continue, Return, Throw, Unsupported
from portlint.evaluator.values import (
    UNDEFINED,
    Builtin,
    EnvDefault,
    Function,
    Prim,
    Template,
    Unknown,
    Value,
    spent_budget,
)


class Calls:
    """Function calls and ``require()`` (mixed into ``ModuleEvaluator``)."""

    def _eval_CallExpression(self, node: Any) -> Value:
        callee = self.eval(node.callee)
        span = self._span(node)
        if isinstance(callee, Builtin) and callee.name in ("require", "require.resolve"):
            return self._require(node, span, resolve=callee.name == "require.resolve")
        if isinstance(callee, (Builtin, Function)):
            if any(a.type == "SpreadElement" for a in node.arguments):
                return Unknown(reason=f"{callee_name(node.callee)}() with a spread argument", span=span)
            args = [self.eval(a) for a in node.arguments]
            if isinstance(callee, Builtin):
                spent = next((s for s in map(spent_budget, args) if s is not None), None)
                if spent is not None and callee.name not in ("array.push", "array.unshift", "Object.assign"):
                    return Unknown(reason=spent.reason, span=span, budget=spent.budget)  # say which budget ran out
            if isinstance(callee, Function):
                return self.call(callee, args, span, callee_name(node.callee))
            if callee.receiver is not None:
                return self.call_method(callee, args, span, callee_name(node.callee))
            return self.call_builtin(callee.name, args, span)
        if isinstance(callee, EnvDefault) and isinstance(callee.default, Builtin) and callee.default.receiver is not None:
            # (process.env.HOSTS || 'a,b').split(','): the default's method, unless the environment overrides
            args = [self.eval(a) for a in node.arguments]
            return derive(callee, self.call_method(callee.default, args, span, callee_name(node.callee)), span)
        if isinstance(callee, Unknown) and callee.budget is not None:
            return Unknown(reason=callee.reason, span=span, budget=callee.budget)
        return self.effect(Unknown(reason=f"a call to {callee_name(node.callee)}()", span=span))

    def _eval_NewExpression(self, node: Any) -> Value:
        return self.effect(Unknown(reason=f"new {callee_name(node.callee)}()", span=self._span(node)))

    def call(self, fn: Function, args: list[Value], span: Span | None, name: str = "a function") -> Value:
        """Evaluate a call of a local function: parameters bound to the arguments, then its
        expression body or its statements up to a ``return``."""
        node = fn.node
        if node is None or getattr(node, "async", False) or getattr(node, "generator", False):
            return self.effect(Unknown(reason=f"a call to {name}()", span=span))
        budget = self.budget
        if budget.call_depth >= MAX_CALL_DEPTH:
            return Unknown(reason=f"calls nested too deeply at {name}()", span=span, budget="calls")
        scope: dict[str, Value] = {}
        saved = self._scopes
        self._scopes = list(fn.closure) + [scope]
        budget.call_depth += 1
        self._pending_returns.append([])  # what the function returns on paths a try left early
        try:
            for i, param in enumerate(node.params or []):
                if param.type == "RestElement":
                    self._unknown_names(param.argument, scope, "rest parameters")
                    continue
                self.bind_loosely(param, args[i] if i < len(args) else Prim(UNDEFINED), scope)
            body = node.body
            if body.type != "BlockStatement":
                value = self.eval(body)
                return value.at(span) if span is not None else value
            try:
                self.run_body(body.body, scope)
            except Return as returned:
                return self._returned(returned.value)
            except Throw as thrown:
                if not self._pending_returns[-1]:
                    raise
                self.may_throw(thrown.value)  # it returns on another path: that is where the config loads
                return either(self._pending_returns[-1], span)
            except Unsupported as skipped:
                return Unknown(reason=f"{name}() uses {skipped.reason}, which portlint does not follow", span=span)
            except (Break, Continue):
                return Unknown(reason=f"{name}() breaks out of no loop", span=span)
            except BudgetExceeded as exceeded:
                return exceeded.unknown(span)
            return self._returned(Prim(UNDEFINED, span=span))
        finally:
            budget.call_depth -= 1
            self._pending_returns.pop()
            self._scopes = saved

    def _returned(self, value: Value) -> Value:
        """What a call returns: this value, or one a ``try`` returned on a path it left early."""
        pending = self._pending_returns[-1]
        return either(pending + [value], value.span) if pending else value

    def _require(self, node: Any, span: Span | None, resolve: bool = False) -> Value:
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
            return self.effect(Unknown(reason="require() of a computed path", span=span))
        if resolve:
            path, why = self.loader.resolve(text, self.parsed.source.path)
            unknown = Unknown(reason=f"require.resolve({text!r}) is a path on the disk", span=span)
            return unknown if path is not None or not why.startswith("cannot find") else self.effect(
                Unknown(reason=f"require.resolve({text!r}): {why}", span=span))
        value = self.loader.exports_of(text, self.parsed.source.path)
        if not isinstance(value, Unknown):
            return value.at(span)
        unknown = Unknown(reason=value.reason, span=span, budget=value.budget)
        # Node throws when the file is missing or broken; a package outside the project may well load
        return self.effect(unknown) if value.reason.startswith(("cannot find", "cannot load", "cannot read")) else unknown
