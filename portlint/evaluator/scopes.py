"""Names and places: looking a name up through the scopes (function, block, module, then the lazily
evaluated top-level bindings and the globals), binding patterns, and assigning to names, object
keys and array items."""
from __future__ import annotations

import math
from typing import Any

from portlint.evaluator.limits import ARRAY, OBJECT
from portlint.evaluator.primitives import array_index
from portlint.evaluator.semantics import binary, nullish, one_of, to_js_number, truthy
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
)

GLOBALS = {"process", "Number", "parseInt", "parseFloat", "String", "Boolean", "Object", "require",
           "JSON", "Math", "module", "exports", "Array", "console", "isNaN", "isFinite"}


class Scopes:
    """Name lookup and assignment (mixed into ``ModuleEvaluator``)."""

    def scope_of(self, name: str) -> dict[str, Value] | None:
        """The scope holding a local name, or None (a lazily evaluated top-level binding or a global)."""
        for scope in reversed(self._scopes):
            if name in scope:
                return scope
        if self._module_scope is not None and name in self._module_scope:
            return self._module_scope
        return None

    def lookup(self, name: str, node: Any) -> Value:
        span = self._span(node) if node is not None else None
        scope = self.scope_of(name)
        if scope is not None:
            return scope[name].at(span)
        binding = self.info.bindings.get(name)
        if binding is not None and self._module_scope is not None and binding.kind not in ("import", "function"):
            return Unknown(reason=f"{name!r} is used before it is declared", span=span)
        if binding is None:
            if name == "exports" and self._module_scope is not None:
                return self._cjs_original.at(span)
            if name == "undefined":
                return Prim(UNDEFINED, span=span)
            if name in ("NaN", "Infinity"):
                return Prim(math.nan if name == "NaN" else math.inf, span=span)
            if name == "__dirname" or name == "__filename":
                return Unknown(reason=f"{name} depends on where the file is", span=span)
            if name in GLOBALS:
                return Builtin(name=name, span=span)
            return Unknown(reason=f"unknown identifier {name!r}", span=span, budget="name")
        if name in self._cache:
            return self._cache[name].at(span)
        if name in self._evaluating:
            return Unknown(reason=f"{name!r} refers to itself", span=span)
        self._evaluating.add(name)
        try:
            value = self.guarded(lambda: self._binding_value(binding))
        finally:
            self._evaluating.discard(name)
        self._cache[name] = value
        return value.at(span)

    # -- patterns -------------------------------------------------------------------------------
    def bind_pattern(self, pattern: Any, value: Value, scope: dict[str, Value], loose: bool = False) -> bool:
        """Bind the names of a pattern; False for a form portlint does not follow (unless ``loose``:
        then those names are unknown)."""
        if pattern.type == "Identifier":
            scope[pattern.name] = value
            return True
        if pattern.type == "AssignmentPattern":
            if isinstance(value, Prim) and value.value is UNDEFINED:
                value = self.eval(pattern.right)
            elif not isinstance(value, (Prim, Obj, Arr, Template, Function)):
                value = one_of([value, self.eval(pattern.right)], value.span)
            return self.bind_pattern(pattern.left, value, scope, loose)
        if pattern.type == "ObjectPattern":
            for prop in pattern.properties:
                if prop.type == "RestElement" or prop.computed or prop.key.type not in ("Identifier", "Literal"):
                    if not loose:
                        return False
                    target = prop.argument if prop.type == "RestElement" else prop.value
                    self._unknown_names(target, scope, "a destructuring pattern portlint does not follow")
                    continue
                key = prop.key.name if prop.key.type == "Identifier" else str(prop.key.value)
                if not self.bind_pattern(prop.value, self._member(value, key, None), scope, loose):
                    return False
            return True
        if pattern.type == "ArrayPattern":
            for i, element in enumerate(pattern.elements):
                if element is None:
                    continue
                if element.type == "RestElement":
                    if not loose:
                        return False
                    self._unknown_names(element.argument, scope, "a rest pattern")
                    continue
                if not self.bind_pattern(element, self._member(value, str(i), None), scope, loose):
                    return False
            return True
        if loose:
            self._unknown_names(pattern, scope, "a pattern portlint does not follow")
            return True
        return False

    def bind_loosely(self, pattern: Any, value: Value, scope: dict[str, Value]) -> None:
        self.bind_pattern(pattern, value, scope, loose=True)

    def _unknown_names(self, pattern: Any, scope: dict[str, Value], reason: str) -> None:
        from portlint.evaluator.module_info import pattern_names

        for name in pattern_names(pattern):
            scope[name] = Unknown(reason=reason, span=self._span(pattern))

    # -- assignment -----------------------------------------------------------------------------
    def _eval_AssignmentExpression(self, node: Any) -> Value:
        op = node.operator
        target = node.left
        span = self._span(node)
        if op == "=":
            if target.type in ("ObjectPattern", "ArrayPattern"):
                value = self.eval(node.right)
                scope: dict[str, Value] = {}
                self.bind_loosely(target, value, scope)
                for name, bound in scope.items():
                    self.assign_name(name, bound, span)
                return value
            value = self.eval(node.right)
        else:
            current = self.eval(target)
            if op in ("||=", "&&=", "??="):
                decided = truthy(current) if op != "??=" else (None if nullish(current) is None else not nullish(current))
                if decided is None:
                    value = one_of([current, self.eval(node.right)], span)
                elif decided == (op == "&&="):
                    value = self.eval(node.right)
                else:
                    return current
            else:
                value = binary(op[:-1], current, self.eval(node.right), span, self.budget)
        self.assign_to(target, value)
        return value

    def _eval_UpdateExpression(self, node: Any) -> Value:
        current = self.eval(node.argument)
        old = Prim(to_js_number(current.value)) if isinstance(current, Prim) else current
        new = binary("+" if node.operator == "++" else "-", old, Prim(1), self._span(node), self.budget)
        self.assign_to(node.argument, new)
        return new if node.prefix else old

    def assign_to(self, target: Any, value: Value) -> None:
        span = self._span(target)
        if target.type == "Identifier":
            self.assign_name(target.name, value, span)
            return
        if target.type != "MemberExpression":
            return
        obj_node = target.object
        if self._module_scope is not None and _is_module_exports(target):
            self._cjs_exports = value
            return
        container = self.eval(obj_node)
        key = target.property.name if not target.computed else self._key_of(self.eval(target.property))
        if isinstance(container, Obj):
            if key is None:
                container.unknown_parts.append(Unknown(reason="a key computed at run time", span=span))
            elif key in container.props:
                container.props[key] = Prop(key, container.props[key].key_span, value)
            else:
                refused = self.budget.claim(OBJECT, len(container.props) + 1, span, added=1)
                if refused is not None:
                    add_unknown_parts(container, [refused])
                    return
                container.props[key] = Prop(key, self._span(target.property), value)
        elif isinstance(container, Arr):
            self._set_item(container, key, value, span)

    def _set_item(self, array: Arr, key: str | None, value: Value, span) -> None:
        index = array_index(key) if key is not None else None
        if index is None and key != "length":
            if key is None:
                add_unknown_parts(array, [Unknown(reason="an item at an index computed at run time", span=span)])
            return  # a named key on a list: no item changes
        items = array.items
        if key == "length":
            n = to_js_number(value.value) if isinstance(value, Prim) else math.nan
            if not (isinstance(n, int) or isinstance(n, float) and n.is_integer()) or n < 0:
                add_unknown_parts(array, [Unknown(reason="a length set at run time", span=span)])
                return
            size = int(min(n, 2**53))
        else:
            size = index + 1
        if size > len(items):
            refused = self.budget.claim(ARRAY, size, span, added=size - len(items), fresh=size - len(items))
            if refused is not None:
                add_unknown_parts(array, [refused])
                return
            items.extend(Prim(UNDEFINED) for _ in range(size - len(items)))
        if key == "length":
            del items[size:]
        else:
            items[index] = value

    def assign_name(self, name: str, value: Value, span) -> None:
        scope = self.scope_of(name)
        if scope is None:
            if name in self.info.bindings and self._module_scope is None:
                return  # a top-level binding changed by a helper of a file read lazily: not followed
            scope = self._module_scope if self._module_scope is not None else (self._scopes[0] if self._scopes else None)
            if scope is None:
                return
        scope[name] = value


def _is_module_exports(node: Any) -> bool:
    return (node.type == "MemberExpression" and not node.computed and node.object.type == "Identifier"
            and node.object.name == "module" and node.property.name == "exports")
