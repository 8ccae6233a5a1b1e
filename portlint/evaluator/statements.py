"""Statements: blocks, ``if``/``switch``, the loops, ``try``/``catch``, ``return``/``break``/``throw``,
run in order over scopes of values, as Node would run them, within the loop and step budgets.

A condition that depends on the environment runs neither branch for sure: variables assigned in
such branches become either value, and lists or objects changed there become incomplete (PL002).
``try``/``catch`` keeps both ways it may go (see ``attempts``).
"""
from __future__ import annotations

from typing import Any

from portlint.evaluator.branches import Undecided
from portlint.evaluator.limits import ARRAY, MAX_STEPS, STEP_BUDGET, BudgetExceeded
from portlint.evaluator.semantics import binary, truthy
from portlint.evaluator.values import (
    UNDEFINED,
    Arr,
    EnvDefault,
    Function,
    Obj,
    Prim,
    Unknown,
    Value,
    own_keys,
)


class Signal(Exception):
    """Control leaving a statement early: break, continue, return or throw."""


class Break(Signal):
    def __init__(self, label: str | None):
        self.label = label


class Continue(Signal):
    def __init__(self, label: str | None):
        self.label = label


class Return(Signal):
    def __init__(self, value: Value):
        self.value = value


class Throw(Signal):
    def __init__(self, value: Value):
        self.value = value


class Unsupported(Exception):
    """A statement portlint does not follow."""

    def __init__(self, reason: str, node: Any):
        super().__init__(reason)
        self.reason, self.node = reason, node


class Statements(Undecided):
    """Running statements (mixed into ``ModuleEvaluator``)."""

    def run_body(self, statements: list, scope: dict[str, Value]) -> None:
        """Run a function body or the program's top level, declaring into ``scope``."""
        self._hoist(statements, scope)
        for statement in statements:
            self.exec(statement)

    def exec(self, node: Any) -> None:
        budget = self.budget
        budget.steps += 1
        if budget.steps > MAX_STEPS:
            raise BudgetExceeded(STEP_BUDGET, "steps", self._span(node))
        method = getattr(self, "_exec_" + node.type, None)
        if method is None:
            raise Unsupported(f"a {node.type}", node)
        method(node)

    def declaring_scope(self) -> dict[str, Value]:
        return self._scopes[-1] if self._scopes else self._module_scope

    def _hoist(self, statements: list, scope: dict[str, Value]) -> None:
        for statement in statements:
            decl = statement.declaration if statement.type == "ExportNamedDeclaration" else statement
            if decl is not None and decl.type == "FunctionDeclaration" and decl.id is not None:
                scope[decl.id.name] = Function(node=decl, span=self._span(decl), closure=tuple(self._scopes))

    def _block(self, statements: list) -> None:
        scope: dict[str, Value] = {}
        self._scopes.append(scope)
        try:
            self.run_body(statements, scope)
        finally:
            self._scopes.pop()

    # -- simple statements ----------------------------------------------------------------------
    def _exec_ExpressionStatement(self, node: Any) -> None:
        self.eval(node.expression)

    def _exec_EmptyStatement(self, node: Any) -> None:
        pass

    _exec_DebuggerStatement = _exec_EmptyStatement
    _exec_FunctionDeclaration = _exec_EmptyStatement  # hoisted
    _exec_ImportDeclaration = _exec_EmptyStatement  # bound lazily, imports are hoisted

    def _exec_VariableDeclaration(self, node: Any) -> None:
        scope = self.declaring_scope()
        for declarator in node.declarations:
            value = self.eval(declarator.init) if declarator.init is not None else Prim(UNDEFINED)
            self.bind_loosely(declarator.id, value, scope)

    def _exec_ClassDeclaration(self, node: Any) -> None:
        if node.id is not None:
            self.declaring_scope()[node.id.name] = Unknown(reason=f"class {node.id.name}", span=self._span(node))

    def _exec_BlockStatement(self, node: Any) -> None:
        self._block(node.body)

    def _exec_ReturnStatement(self, node: Any) -> None:
        raise Return(self.eval(node.argument) if node.argument is not None else Prim(UNDEFINED))

    def _exec_ThrowStatement(self, node: Any) -> None:
        raise Throw(self.eval(node.argument))

    def _exec_BreakStatement(self, node: Any) -> None:
        raise Break(node.label.name if node.label is not None else None)

    def _exec_ContinueStatement(self, node: Any) -> None:
        raise Continue(node.label.name if node.label is not None else None)

    def _exec_LabeledStatement(self, node: Any) -> None:
        try:
            self.exec(node.body)
        except Break as signal:
            if signal.label != node.label.name:
                raise

    # -- module syntax, run in order --------------------------------------------------------------
    def _exec_ExportNamedDeclaration(self, node: Any) -> None:
        if node.declaration is not None:
            self.exec(node.declaration)

    def _exec_ExportDefaultDeclaration(self, node: Any) -> None:
        decl = node.declaration
        if decl.type in ("FunctionDeclaration", "ClassDeclaration"):
            if decl.type == "ClassDeclaration":
                self.exec(decl)
            self._default_value = Function(node=decl, span=self._span(decl)) if decl.type == "FunctionDeclaration" \
                else Unknown(reason="a class", span=self._span(decl))
            return
        self._default_value = self.eval(decl)

    _exec_ExportAllDeclaration = _exec_EmptyStatement

    # -- branches ---------------------------------------------------------------------------------
    def _exec_IfStatement(self, node: Any) -> None:
        decided = truthy(self.eval(node.test))
        if decided is True:
            self.exec(node.consequent)
        elif decided is False:
            if node.alternate is not None:
                self.exec(node.alternate)
        else:
            self.undecided(node, [b for b in (node.consequent, node.alternate) if b is not None])

    def _exec_SwitchStatement(self, node: Any) -> None:
        subject = self.eval(node.discriminant)
        start = None
        for i, case in enumerate(node.cases):
            if case.test is None:
                continue
            decided = truthy(binary("===", subject, self.eval(case.test), None, self.budget))
            if decided is None:
                self.undecided(node, [node], "a switch that depends on the environment")
                return
            if decided:
                start = i
                break
        if start is None:
            start = next((i for i, case in enumerate(node.cases) if case.test is None), None)
            if start is None:
                return
        statements = [s for case in node.cases[start:] for s in case.consequent]
        try:
            self._block(statements)
        except Break as signal:
            if signal.label is not None:
                raise

    # -- loops ----------------------------------------------------------------------------------
    def _loop_body(self, node: Any, label: str | None = None) -> bool:
        """Run one iteration's body; False when it breaks out of the loop."""
        self.budget.iterate(self._span(node))
        try:
            self.exec(node.body)
        except Break as signal:
            if signal.label is None:
                return False
            raise
        except Continue as signal:
            if signal.label is not None:
                raise
        return True

    def _test(self, loop: Any, test: Any) -> bool:
        """A loop condition; when the environment decides it, the loop is left undecided."""
        if test is None:
            return True
        value = self.eval(test)
        decided = truthy(value)
        if decided is None and isinstance(value, EnvDefault):
            # i < Number(process.env.INSTANCES || 3): run with the default, as every `|| N` is read
            decided = truthy(value.default)
        if decided is None:
            self.undecided(loop, [loop.body] + ([loop.update] if getattr(loop, "update", None) else []),
                           "a loop whose end depends on the environment")
            return False
        return decided

    def _exec_ForStatement(self, node: Any) -> None:
        self._scopes.append({})
        try:
            if node.init is not None:
                if node.init.type == "VariableDeclaration":
                    self.exec(node.init)
                else:
                    self.eval(node.init)
            while self._test(node, node.test):
                if not self._loop_body(node):
                    break
                if node.update is not None:
                    self.eval(node.update)
        finally:
            self._scopes.pop()

    def _exec_WhileStatement(self, node: Any) -> None:
        while self._test(node, node.test):
            if not self._loop_body(node):
                break

    def _exec_DoWhileStatement(self, node: Any) -> None:
        while self._loop_body(node) and self._test(node, node.test):
            pass

    def _exec_ForOfStatement(self, node: Any) -> None:
        if getattr(node, "await", False):
            raise Unsupported("for await", node)
        iterable = self.eval(node.right)
        if isinstance(iterable, Arr) and iterable.complete:
            items = list(iterable.items)
        elif isinstance(iterable, Prim) and isinstance(iterable.value, str):
            refused = self.budget.claim(ARRAY, len(iterable.value), self._span(node), fresh=len(iterable.value))
            if refused is not None:
                self.undecided(node, [node.body], refused.reason)
                return
            items = [Prim(ch) for ch in iterable.value]  # a string iterates by code point
        else:
            spent = iterable.reason if isinstance(iterable, Unknown) and iterable.budget is not None else None
            self.undecided(node, [node.body], spent or "a loop over a list portlint cannot see whole")
            return
        self._iterate(node, items)

    def _exec_ForInStatement(self, node: Any) -> None:
        subject = self.eval(node.right)
        if isinstance(subject, (Obj, Arr)) and subject.complete:
            count = len(subject.props) if isinstance(subject, Obj) else len(subject.items)
            refused = self.budget.claim(ARRAY, count, self._span(node), fresh=count)
            if refused is not None:
                self.undecided(node, [node.body], refused.reason)
                return
            keys = [Prim(k, span=subject.props[k].key_span) for k in own_keys(subject)] if isinstance(subject, Obj) \
                else [Prim(str(i)) for i in range(len(subject.items))]
        elif isinstance(subject, Prim) and subject.value in (None, UNDEFINED):
            keys = []
        else:
            self.undecided(node, [node.body], "a loop over keys portlint cannot see whole")
            return
        self._iterate(node, keys)

    def _iterate(self, node: Any, items: list[Value]) -> None:
        for item in items:
            scope: dict[str, Value] = {}
            self._scopes.append(scope)
            try:
                left = node.left
                if left.type == "VariableDeclaration":
                    self.bind_loosely(left.declarations[0].id, item, scope)
                else:
                    self.assign_to(left, item)
                if not self._loop_body(node):
                    break
            finally:
                self._scopes.pop()
