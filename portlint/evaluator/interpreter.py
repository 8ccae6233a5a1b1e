"""The static evaluator: a small abstract interpreter for the pure part of JavaScript.

It resolves what an ecosystem file exports — constants, ``PORTS.API``, template literals, spreads,
``process.env.X || 5570``, conditionals, local ``require()`` — without running anything. Whatever
it cannot know (calls with effects, modules outside the project) becomes ``Unknown`` with a reason
and a place, so the rules can say exactly what they could not check.

The work is split by concern: ``expressions`` (dispatch and operators), ``calls`` (functions and
``require``), ``builtins`` (array and ``Object`` methods), ``semantics`` (JavaScript's conversions
and operators), ``loader`` (finding required files), ``module_info`` (what the top level declares),
``limits`` (the budgets). This module ties them together per file.
"""
from __future__ import annotations

import math
from typing import Any

from portlint.evaluator.builtins import Builtins
from portlint.evaluator.calls import Calls
from portlint.evaluator.expressions import Expressions
from portlint.evaluator.loader import Loader
from portlint.evaluator.module_info import Binding, ModuleInfo, collect_module_info
from portlint.evaluator.values import UNDEFINED, Builtin, Function, Obj, Prim, Prop, Unknown, Value
from portlint.source.parse import Parsed

__all__ = ["Binding", "Loader", "ModuleEvaluator", "ModuleInfo", "collect_module_info"]

GLOBALS = {"process", "Number", "parseInt", "parseFloat", "String", "Boolean", "Object", "require",
           "JSON", "Math", "module", "exports"}


class ModuleEvaluator(Expressions, Calls, Builtins):
    """Evaluates one parsed file: its exports, and its top-level bindings by name."""

    def __init__(self, parsed: Parsed, loader: Loader | None = None):
        self.parsed = parsed
        self.loader = loader or Loader()
        self.info = collect_module_info(parsed.program) if parsed.program is not None else ModuleInfo()
        self._cache: dict[str, Value] = {}
        self._evaluating: set[str] = set()
        self._exports: Value | None = None
        self._exporting = False
        self._scopes: list[dict[str, Value]] = []  # inside a function call: its parameters and constants
        self.budget = self.loader.budget

    # -- module level ---------------------------------------------------------------------------
    def exports(self) -> Value:
        """What the file exports, the way PM2 would see it."""
        if self._exports is not None:
            return self._exports
        if self._exporting:
            return Unknown(reason="the exports refer to themselves")
        self._exporting = True
        try:
            return self._compute_exports()
        finally:
            self._exporting = False

    def _compute_exports(self) -> Value:
        if self.parsed.yaml_root is not None or self.parsed.program is None:
            from portlint.evaluator.yaml_values import yaml_to_value

            self._exports = yaml_to_value(self.parsed) if self.parsed.yaml_root is not None else Unknown(reason="empty file")
            return self._exports
        info = self.info
        if self.parsed.source.kind == "json":
            body = self.parsed.program.body
            self._exports = self.eval(body[0].expression) if body else Unknown(reason="empty file")
            return self._exports
        result: Value
        if info.default_export is not None:
            result = self.eval(info.default_export)
        elif info.exports_node is not None:
            result = self.eval(info.exports_node)
        elif info.named_exports:
            result = Obj(span=self.parsed.span(self.parsed.program))
            for name, node in info.named_exports.items():
                result.props[name] = Prop(name, self.parsed.span(node), self._named(name, node))
        elif info.export_props:
            result = Obj(span=self.parsed.span(self.parsed.program))
        else:
            result = Unknown(reason="the file exports nothing", span=self.parsed.span(self.parsed.program))
        if info.export_props and isinstance(result, Obj):
            merged = Obj(span=result.span, origin=result.origin, props=dict(result.props),
                         complete=result.complete, unknown_parts=list(result.unknown_parts))
            for key, key_node, value_node in info.export_props:
                merged.props[key] = Prop(key, self.parsed.span(key_node), self.eval(value_node))
            result = merged
        self._exports = result
        return result

    def named_export(self, name: str) -> Value:
        if name == "default":
            if self.info.default_export is not None:
                return self.eval(self.info.default_export)
            return Unknown(reason="no default export")
        node = self.info.named_exports.get(name)
        if node is None:
            exported = self.exports()
            if isinstance(exported, Obj) and name in exported.props:
                return exported.props[name].value
            return Unknown(reason=f"no export named {name!r}")
        return self._named(name, node)

    def _named(self, name: str, node: Any) -> Value:
        if "\0" + name in self.info.bindings:  # export { x } from './other'
            return self.lookup("\0" + name, node)
        return self.lookup(name, node)

    def binding_value(self, name: str) -> Value | None:
        """The value of a top-level binding, or None if there is none."""
        if name not in self.info.bindings:
            return None
        return self.lookup(name, None)

    def lookup(self, name: str, node: Any) -> Value:
        span = self._span(node) if node is not None else None
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name].at(span)
        binding = self.info.bindings.get(name)
        if binding is None:
            if name == "undefined":
                return Prim(UNDEFINED, span=span)
            if name in ("NaN", "Infinity"):
                return Prim(math.nan if name == "NaN" else math.inf, span=span)
            if name == "__dirname" or name == "__filename":
                return Unknown(reason=f"{name} depends on where the file is", span=span)
            if name in GLOBALS:
                return Builtin(name=name, span=span)
            return Unknown(reason=f"unknown identifier {name!r}", span=span)
        if name in self._cache:
            return self._cache[name].at(span)
        if name in self._evaluating:
            return Unknown(reason=f"{name!r} refers to itself", span=span)
        self._evaluating.add(name)
        try:
            value = self._binding_value(binding)
        finally:
            self._evaluating.discard(name)
        self._cache[name] = value
        return value.at(span)

    def _binding_value(self, binding: Binding) -> Value:
        if binding.kind == "function":
            return Function(node=binding.node, span=self._span(binding.node), closure=())
        if binding.kind == "import":
            if binding.import_source is None:
                return Unknown(reason="import")
            want = binding.import_name
            if want == "*":
                return self.loader.exports_of(binding.import_source, self.parsed.source.path)
            value = self.loader.exports_of(binding.import_source, self.parsed.source.path, want=want or "default")
            return value
        if binding.kind == "class":
            return Unknown(reason=f"class {binding.name}", span=self._span(binding.node))
        if binding.init is None:
            return Prim(UNDEFINED, span=self._span(binding.node))
        value = self.eval(binding.init)
        for step in binding.path:
            value = self._member(value, step, binding.node)
        return value
