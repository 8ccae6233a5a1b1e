"""What code that may or may not run does to the values: branches whose condition depends on the
environment, loops whose end it decides, statements portlint does not follow. Nothing there is run
for sure, so whatever it may write becomes uncertain: a variable keeps its value or an unknown one, a
list or object it changes becomes incomplete (which PL002 reports), never a guess."""
from __future__ import annotations

from typing import Any

from portlint.evaluator.semantics import one_of
from portlint.evaluator.values import Arr, Obj, Unknown
from portlint.source.estree import walk

MUTATING_METHODS = {"push", "unshift", "splice", "pop", "shift", "sort", "reverse", "fill", "set", "add"}


class Undecided:
    """Code that may or may not run (mixed into ``ModuleEvaluator`` through ``Statements``)."""

    def undecided(self, node: Any, parts: list, reason: str = "a condition that depends on the environment") -> None:
        """Branches or loop bodies that may or may not run: whatever they write becomes uncertain."""
        span = self._span(node)
        for name in sorted(written_roots(parts)):
            if name in ("module", "exports") and self._module_scope is not None:
                self._cjs_exports = Unknown(reason=f"exports set under {reason}", span=span)
                continue
            scope = self.scope_of(name)
            if scope is None:
                continue
            current = scope[name]
            if isinstance(current, (Obj, Arr)):
                current.unknown_parts.append(Unknown(reason=f"{name} changed under {reason}", span=span))
            else:
                scope[name] = one_of([current, Unknown(reason=f"{name} set under {reason}", span=span)], span)


def written_roots(nodes: list) -> set[str]:
    """The names whose values the statements may change: assigned, updated, pushed to, assigned into."""
    roots: set[str] = set()
    for node, _ in (pair for root in nodes if root is not None for pair in walk(root)):
        t = node.type
        target = None
        if t == "AssignmentExpression":
            target = node.left
        elif t == "UpdateExpression":
            target = node.argument
        elif t == "CallExpression" and node.callee.type == "MemberExpression":
            callee = node.callee
            method = callee.property.name if not callee.computed and callee.property.type == "Identifier" else None
            if method in MUTATING_METHODS:
                target = callee.object
            elif method in ("assign", "defineProperty") and node.arguments:
                target = node.arguments[0]
        elif t in ("ForOfStatement", "ForInStatement") and node.left.type != "VariableDeclaration":
            target = node.left
        if target is not None:
            while target.type == "MemberExpression":
                target = target.object
            if target.type == "Identifier":
                roots.add(target.name)
    return roots
