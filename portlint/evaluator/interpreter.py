"""The static evaluator: a small abstract interpreter for the pure part of JavaScript.

It resolves what an ecosystem file exports — constants, ``PORTS.API``, template literals, spreads,
``process.env.X || 5570``, conditionals, local ``require()`` — without running anything. Whatever
it cannot know (calls with effects, modules outside the project) becomes ``Unknown`` with a reason
and a place, so the rules can say exactly what they could not check.

The work is split by concern: ``expressions`` (dispatch and operators), ``calls`` (functions and
``require``), ``builtins`` (array and ``Object`` methods), ``semantics`` (JavaScript's conversions
and operators), ``loader`` (finding required files), ``module_info`` (what the top level declares),
``scopes`` (names and assignment), ``statements`` (blocks, branches, loops, try), ``limits`` (the
budgets). This module ties them together per file.

A file whose top level only declares and exports is read lazily, binding by binding, as the
rules ask for them. A file that also runs statements at the top level (loops, pushes, ``if``,
assignments, calls) is run in order once, as Node would, over a module scope.
"""
from __future__ import annotations

from typing import Any, Callable

from portlint.evaluator.attempts import Attempts
from portlint.evaluator.builtins import Builtins
from portlint.evaluator.calls import Calls
from portlint.evaluator.expressions import Expressions
from portlint.evaluator.limits import BudgetExceeded
from portlint.evaluator.loader import ModuleLoader
from portlint.evaluator.module_info import Binding, ModuleInfo, collect_module_info
from portlint.evaluator.scopes import Scopes
from portlint.evaluator.statements import (
    Break,
    Continue,
    Return,
    Statements,
    Throw,
    Unsupported,
)
from portlint.evaluator.values import (
    UNDEFINED,
    Function,
    Obj,
    Prim,
    Prop,
    Unknown,
    Value,
)
from portlint.source.parse import Parsed

__all__ = ["Binding", "Loader", "ModuleEvaluator", "ModuleInfo", "collect_module_info"]


class Loader(ModuleLoader):
    """The loader of one linted file and what it requires: each file evaluated by a ModuleEvaluator."""

    def new_evaluator(self, parsed: Parsed) -> "ModuleEvaluator":
        return ModuleEvaluator(parsed, self)


class ModuleEvaluator(Expressions, Scopes, Calls, Builtins, Attempts, Statements):
    """Evaluates one parsed file: its exports, and its top-level bindings by name."""

    def __init__(self, parsed: Parsed, loader: ModuleLoader | None = None):
        self.parsed = parsed
        self.loader = loader or Loader()
        self.info = collect_module_info(parsed.program) if parsed.program is not None else ModuleInfo()
        self._cache: dict[str, Value] = {}
        self._evaluating: set[str] = set()
        self._exports: Value | None = None
        self._exporting = False
        self._scopes: list[dict[str, Value]] = []  # function and block scopes, innermost last
        self.budget = self.loader.budget
        self._module_scope: dict[str, Value] | None = None  # the top level, once it is run in order
        self._cjs_original: Value = Obj()  # `exports`: the object module.exports starts as
        self._cjs_exports: Value = self._cjs_original  # module.exports now
        self._default_value: Value | None = None  # export default, once run
        self._try_frames: list = []  # the try blocks being run, innermost last (see attempts)
        self._pending_returns: list[list[Value]] = []  # per call: values returned on paths a try left

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
        if info.imperative is not None:
            self._exports = self.guarded(self._run_program)
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
                         unknown_parts=list(result.unknown_parts))
            for key, key_node, value_node in info.export_props:
                merged.props[key] = Prop(key, self.parsed.span(key_node), self.eval(value_node))
            result = merged
        self._exports = result
        return result

    def _run_program(self) -> Value:
        """Run the top level in order (it has statements), then read what it exported."""
        program = self.parsed.program
        span = self.parsed.span(program)
        scope: dict[str, Value] = {}
        self._module_scope = scope
        self._cjs_original = self._cjs_exports = Obj(span=span)
        saved, self._scopes = self._scopes, []
        try:
            self._hoist(program.body, scope)
            for statement in program.body:
                try:
                    self.exec(statement)
                except Unsupported as skipped:
                    self.undecided(statement, [statement], f"{skipped.reason} portlint does not follow")
        except Return:
            pass  # a CommonJS module may return from its top level
        except Throw as thrown:
            return Unknown(reason=f"the file throws while it loads ({describe_thrown(thrown)})", span=span)
        except (Break, Continue):
            return Unknown(reason="break or continue outside a loop", span=span)
        finally:
            self._scopes = saved
        info = self.info
        if self._default_value is not None:
            return self._default_value
        if info.uses_commonjs is not None or self._cjs_exports is not self._cjs_original or self._cjs_original.props:
            return self._cjs_exports
        if info.named_exports:
            result = Obj(span=span)
            for name, node in info.named_exports.items():
                result.props[name] = Prop(name, self.parsed.span(node), self._named(name, node))
            return result
        return Unknown(reason="the file exports nothing", span=span)

    def guarded(self, compute: Callable[[], Value]) -> Value:
        """A value, or an unknown one when a budget runs out or the code throws on the way."""
        try:
            return compute()
        except BudgetExceeded as exceeded:
            return exceeded.unknown()
        except Throw as thrown:
            return Unknown(reason=f"it throws ({describe_thrown(thrown)})", span=thrown.value.span)

    def named_export(self, name: str) -> Value:
        if self.info.imperative is not None:
            self.exports()
            if name == "default":
                return self._default_value or Unknown(reason="no default export")
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
        if self.info.imperative is not None:
            self.exports()
        return self.lookup(name, None)

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


def describe_thrown(thrown: Throw) -> str:
    value = thrown.value
    return value.reason if isinstance(value, Unknown) else "a throw statement"
