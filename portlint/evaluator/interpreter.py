"""The static evaluator: a small abstract interpreter for the pure part of JavaScript.

It resolves what an ecosystem file exports — constants, ``PORTS.API``, template literals, spreads,
``process.env.X || 5570``, conditionals, local ``require()`` — without running anything. Whatever
it cannot know (calls with effects, loops, modules outside the project) becomes ``Unknown`` with
a reason and a place, so the rules can say exactly what they could not check.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from portlint.diagnostic import Span
from portlint.source.parse import Parsed
from portlint.evaluator.values import (
    UNDEFINED, Arr, Builtin, EnvDefault, EnvVar, Function, Obj, OneOf, Prim, Prop, Template,
    Unknown, Value, nullish, parse_int, to_js_number, to_js_string, truthy,
)

#: Deepest expression nesting evaluated before giving up (well inside Python's recursion limit).
MAX_DEPTH = 150
#: Evaluation steps per file; a config needs a few thousand.
MAX_STEPS = 200_000
#: Alternatives kept for one value before it becomes unknown.
MAX_ALTERNATIVES = 16

GLOBALS = {"process", "Number", "parseInt", "parseFloat", "String", "Boolean", "Object", "require",
           "JSON", "Math", "module", "exports"}


@dataclass
class Binding:
    name: str
    kind: str  # const | let | var | function | import | param
    node: Any  # the declarator / declaration / specifier
    init: Any = None  # expression to evaluate
    path: tuple = ()  # destructuring path inside init's value
    import_source: str | None = None
    import_name: str | None = None


@dataclass
class Mutation:
    """A top-level assignment to something other than the exports (``PORTS.API = 1``)."""

    target_root: str
    node: Any


@dataclass
class ModuleInfo:
    """What a file's top level declares and exports, as the model and rules need it."""

    bindings: dict[str, Binding] = field(default_factory=dict)
    declarations: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)  # name -> [(kind, node)]
    exports_node: Any = None  # right side of module.exports = ... (last one)
    export_props: list[tuple[str, Any, Any]] = field(default_factory=list)  # (key, key_node, value node)
    default_export: Any = None  # export default <node>
    named_exports: dict[str, Any] = field(default_factory=dict)  # name -> node of the local binding
    mutations: list[Mutation] = field(default_factory=list)
    uses_commonjs: Any = None  # first node assigning module.exports / exports.x
    uses_esm: Any = None  # first import/export node


class Loader:
    """Finds, reads and evaluates files named by ``require()``, inside one project root."""

    MAX_REQUIRE_DEPTH = 8

    def __init__(self, root: str | None = None, read: Callable[[str], Parsed] | None = None):
        self.root = os.path.realpath(root) if root else None
        self._read = read
        self._modules: dict[str, "ModuleEvaluator | None"] = {}
        self._active: list[str] = []
        self.read_paths: list[str] = []  # files read through require()/import: the result depends on them
        self.depth = 0  # expression nesting, shared by every file a require() chain evaluates

    def evaluator_for(self, parsed: Parsed) -> "ModuleEvaluator":
        path = os.path.realpath(parsed.source.path) if parsed.source.path not in ("-", "") else parsed.source.path
        ev = ModuleEvaluator(parsed, self)
        self._modules.setdefault(path, ev)
        return ev

    def resolve(self, request: str, from_path: str) -> tuple[str | None, str]:
        if not request.startswith(("./", "../", "/")) and request not in (".", ".."):
            return None, f"module {request!r} is outside the project"
        base = os.path.dirname(os.path.abspath(from_path))
        target = os.path.normpath(os.path.join(base, request))
        candidates = [target] + [target + ext for ext in (".js", ".cjs", ".mjs", ".json")]
        candidates += [os.path.join(target, "index" + ext) for ext in (".js", ".cjs", ".json")]
        for candidate in candidates:
            if os.path.isfile(candidate):
                real = os.path.realpath(candidate)
                if "node_modules" in real.split(os.sep):
                    return None, f"{request!r} is inside node_modules"
                if self.root and os.path.commonpath([self.root, real]) != self.root:
                    return None, f"{request!r} is outside the project root"
                return real, ""
        return None, f"cannot find {request!r}"

    def exports_of(self, request: str, from_path: str, want: str | None = None) -> Value:
        path, why = self.resolve(request, from_path)
        if path is None:
            return Unknown(reason=why)
        if path in self._active:
            return Unknown(reason=f"circular require of {request!r}")
        if len(self._active) >= self.MAX_REQUIRE_DEPTH:
            return Unknown(reason="require() chain too deep")
        if path not in self._modules:
            self._modules[path] = None
            if self._read is None:
                return Unknown(reason=f"cannot read {request!r}")
            self.read_paths.append(path)
            try:
                parsed = self._read(path)
            except Exception as exc:  # unreadable or does not parse: the required file's own problem
                return Unknown(reason=f"cannot load {request!r}: {exc}")
            self._modules[path] = ModuleEvaluator(parsed, self)
        ev = self._modules[path]
        if ev is None:
            return Unknown(reason=f"cannot load {request!r}")
        self._active.append(path)
        try:
            if want is not None and ev.parsed.is_module:
                return ev.named_export(want)
            return ev.exports()
        finally:
            self._active.pop()


class ModuleEvaluator:
    """Evaluates the expressions of one parsed file."""

    def __init__(self, parsed: Parsed, loader: Loader | None = None):
        self.parsed = parsed
        self.loader = loader or Loader()
        self.info = collect_module_info(parsed.program) if parsed.program is not None else ModuleInfo()
        self._cache: dict[str, Value] = {}
        self._evaluating: set[str] = set()
        self._exports: Value | None = None
        self._steps = 0
        self._exporting = False
        self._scopes: list[dict[str, Value]] = []  # inside a function call: its parameters and constants
        self._calls = 0

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

    # -- expressions ----------------------------------------------------------------------------
    def eval(self, node: Any) -> Value:
        self._steps += 1
        if self._steps > MAX_STEPS:
            return Unknown(reason="evaluation budget exceeded", span=self._span(node))
        loader = self.loader
        if loader.depth >= MAX_DEPTH:
            return Unknown(reason="expression nested too deeply", span=self._span(node))
        loader.depth += 1
        try:
            method = getattr(self, "_eval_" + node.type, None)
            if method is None:
                return Unknown(reason=_describe_node(node), span=self._span(node))
            value = method(node)
            if value.span is None:
                value.span = self._span(node)
            return value
        finally:
            loader.depth -= 1

    def _span(self, node: Any) -> Span | None:
        try:
            return self.parsed.span(node)
        except Exception:
            return None

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

    # literals
    def _eval_Literal(self, node: Any) -> Value:
        if getattr(node, "regex", None) is not None:
            return Unknown(reason="a regular expression")
        value = node.value
        raw = node.raw or ""
        if isinstance(value, int) and not isinstance(value, bool) and any(c in raw for c in ".eE") and not raw.lower().startswith("0x"):
            value = float(value)  # 5.0 stays a float, as the source says
        if raw.endswith("n") and isinstance(value, int):
            return Unknown(reason="a BigInt")
        return Prim(value, literal=True, span=self._span(node), origin=self._span(node))

    def _eval_TemplateLiteral(self, node: Any) -> Value:
        parts: list[Value] = []
        for i, quasi in enumerate(node.quasis):
            cooked = quasi.value.cooked if quasi.value else ""
            if cooked:
                parts.append(Prim(cooked, span=self._quasi_span(quasi)))
            if i < len(node.expressions):
                parts.append(self.eval(node.expressions[i]))
        template = Template(parts=parts, span=self._span(node))
        return template

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
                    obj.props.update(spread.props)
                    if not spread.complete:
                        obj.complete = False
                        obj.unknown_parts.extend(spread.unknown_parts)
                elif isinstance(spread, Prim) and (spread.value is None or spread.value is UNDEFINED):
                    pass
                else:
                    obj.complete = False
                    unknown = spread if isinstance(spread, Unknown) else Unknown(reason="spread of a value that is not an object literal", span=self._span(prop))
                    obj.unknown_parts.append(unknown.at(self._span(prop)) if isinstance(unknown, Unknown) else unknown)
                continue
            key, quoted = self._property_key(prop)
            if key is None:
                obj.complete = False
                obj.unknown_parts.append(Unknown(reason="a computed key", span=self._span(prop.key)))
                continue
            if prop.kind in ("get", "set") or prop.method:
                value = Function(node=prop.value, span=self._span(prop.value))
            else:
                value = self.eval(prop.value)
            obj.props.pop(key, None)  # a later key moves to the end, as in JavaScript
            obj.props[key] = Prop(key, self._span(prop.key), value, quoted_key=quoted, computed=bool(prop.computed))
        return obj

    def _property_key(self, prop: Any) -> tuple[str | None, bool]:
        key = prop.key
        if prop.computed:
            value = self.eval(key)
            if isinstance(value, Prim) and isinstance(value.value, (str, int, float)):
                return to_js_string(value.value), False
            if isinstance(value, Template) and value.text() is not None:
                return value.text(), False
            return None, False
        if key.type == "Identifier":
            return key.name, False
        if key.type == "Literal":
            return to_js_string(key.value), True
        return None, False

    def _eval_ArrayExpression(self, node: Any) -> Value:
        arr = Arr(span=self._span(node))
        for element in node.elements:
            if element is None:
                arr.items.append(Prim(UNDEFINED))
                continue
            if element.type == "SpreadElement":
                spread = self.eval(element.argument)
                if isinstance(spread, Arr):
                    arr.items.extend(spread.items)
                    if not spread.complete:
                        arr.complete = False
                        arr.unknown_parts.extend(spread.unknown_parts)
                else:
                    arr.complete = False
                    reason = spread.reason if isinstance(spread, Unknown) else "spread of a value that is not an array literal"
                    arr.unknown_parts.append(Unknown(reason=reason, span=self._span(element)))
                continue
            arr.items.append(self.eval(element))
        return arr

    # member access
    def _eval_MemberExpression(self, node: Any) -> Value:
        obj = self.eval(node.object)
        if node.computed:
            key_value = self.eval(node.property)
            if isinstance(key_value, Prim) and isinstance(key_value.value, (str, int, float)):
                key: str | None = to_js_string(key_value.value)
            elif isinstance(key_value, Template):
                key = key_value.text()
            else:
                key = None
            if key is None:
                return Unknown(reason="a computed member", span=self._span(node))
        else:
            key = node.property.name
        if getattr(node, "optional", False) and nullish(obj):
            return Prim(UNDEFINED, span=self._span(node))
        return self._member(obj, key, node)

    def _member(self, obj: Value, key: str, node: Any) -> Value:
        span = self._span(node) if node is not None else None
        if isinstance(obj, Obj):
            prop = obj.props.get(key)
            if prop is not None:
                return prop.value.at(span)
            if obj.complete:
                return Prim(UNDEFINED, span=span)
            return Unknown(reason=f"key {key!r} may come from an unresolved spread", span=span)
        if isinstance(obj, Arr):
            if key in ("map", "filter", "concat"):
                return Builtin(name=f"array.{key}", receiver=obj, span=span)
            if key == "length" and obj.complete:
                return Prim(len(obj.items), span=span)
            if key.isdigit() and obj.complete:
                index = int(key)
                return obj.items[index].at(span) if index < len(obj.items) else Prim(UNDEFINED, span=span)
            return Unknown(reason=f"array member {key!r}", span=span)
        if isinstance(obj, OneOf):
            return _one_of([self._member(o, key, node) for o in obj.options], span)
        if isinstance(obj, Builtin):
            if obj.name == "process" and key == "env":
                return Builtin(name="process.env", span=span)
            if obj.name == "process.env":
                return EnvVar(name=key, span=span)
            if obj.name == "module" and key == "exports":
                return self.exports().at(span)
            return Builtin(name=f"{obj.name}.{key}", span=span)
        if isinstance(obj, Prim):
            if obj.value is None or obj.value is UNDEFINED:
                return Unknown(reason=f"reading {key!r} of {to_js_string(obj.value)}", span=span)
            if isinstance(obj.value, str) and key == "length":
                return Prim(len(obj.value), span=span)
            return Unknown(reason=f"member {key!r} of a {type(obj.value).__name__}", span=span)
        if isinstance(obj, Unknown):
            return Unknown(reason=obj.reason, span=span, origin=obj.origin or obj.span)
        return Unknown(reason=f"member {key!r} of a computed value", span=span)

    def _eval_ChainExpression(self, node: Any) -> Value:
        return self.eval(node.expression)

    # operators
    def _eval_LogicalExpression(self, node: Any) -> Value:
        left = self.eval(node.left)
        op = node.operator
        decided = truthy(left) if op in ("||", "&&") else (None if nullish(left) is None else not nullish(left))
        if op == "&&":
            if decided is None:
                return Unknown(reason="a condition that depends on the environment", span=self._span(node))
            return self.eval(node.right) if decided else left
        # || and ??
        if decided is True:
            return left
        right = self.eval(node.right)
        if decided is False:
            return right
        env = _env_name(left)
        if env is not False:
            return EnvDefault(env=env, default=right, op=op, span=self._span(node), origin=right.origin)
        return Unknown(reason=f"left side of {op} is not known", span=self._span(node))

    def _eval_ConditionalExpression(self, node: Any) -> Value:
        test = truthy(self.eval(node.test))
        if test is True:
            return self.eval(node.consequent)
        if test is False:
            return self.eval(node.alternate)
        return _one_of([self.eval(node.consequent), self.eval(node.alternate)], self._span(node))

    def _eval_UnaryExpression(self, node: Any) -> Value:
        arg = self.eval(node.argument)
        op = node.operator
        if op == "void":
            return Prim(UNDEFINED)
        if isinstance(arg, OneOf):
            return _one_of([_unary(op, a) for a in arg.options], self._span(node))
        result = _unary(op, arg)
        if isinstance(result, Prim) and op == "-" and isinstance(arg, Prim) and arg.literal:
            result.literal = True
            result.origin = self._span(node)
        return result

    def _eval_BinaryExpression(self, node: Any) -> Value:
        left = self.eval(node.left)
        right = self.eval(node.right)
        return _binary(node.operator, left, right, self._span(node))

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
            return _call_builtin(name, args, span)
        if isinstance(callee, Function) or (isinstance(callee, Builtin) and callee.receiver is not None):
            if any(a.type == "SpreadElement" for a in node.arguments):
                return Unknown(reason=f"{_callee_name(node.callee)}() with a spread argument", span=span)
            args = [self.eval(a) for a in node.arguments]
            if isinstance(callee, Function):
                return self.call(callee, args, span, _callee_name(node.callee))
            return self._array_method(callee, args, span)
        if isinstance(callee, Unknown) and callee.reason.startswith("unknown identifier"):
            return Unknown(reason=callee.reason, span=span)
        return Unknown(reason=f"a call to {_callee_name(node.callee)}()", span=span)

    #: Nested calls evaluated at most (a recursive helper stops here).
    MAX_CALL_DEPTH = 24

    def call(self, fn: Function, args: list[Value], span: Span | None, name: str = "a function") -> Value:
        """Evaluate a call of a simple pure function: parameters bound to the arguments, an expression
        body, or a block of constant declarations ending in a return."""
        node = fn.node
        if node is None or getattr(node, "async", False) or getattr(node, "generator", False):
            return Unknown(reason=f"a call to {name}()", span=span)
        if self._calls >= self.MAX_CALL_DEPTH:
            return Unknown(reason=f"calls nested too deeply at {name}()", span=span)
        scope: dict[str, Value] = {}
        for i, param in enumerate(node.params or []):
            arg = args[i] if i < len(args) else Prim(UNDEFINED)
            if not self._bind_pattern(param, arg, scope):
                return Unknown(reason=f"a call to {name}() with a parameter pattern portlint does not follow", span=span)
        saved = self._scopes
        self._scopes = list(fn.closure) + [scope]
        self._calls += 1
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
            self._calls -= 1
            self._scopes = saved

    def _bind_pattern(self, pattern: Any, value: Value, scope: dict[str, Value]) -> bool:
        if pattern.type == "Identifier":
            scope[pattern.name] = value
            return True
        if pattern.type == "AssignmentPattern":
            if isinstance(value, Prim) and value.value is UNDEFINED:
                value = self.eval(pattern.right)
            elif not isinstance(value, (Prim, Obj, Arr, Template, Function)):
                value = _one_of([value, self.eval(pattern.right)], value.span)
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

    def _eval_NewExpression(self, node: Any) -> Value:
        return Unknown(reason=f"new {_callee_name(node.callee)}()", span=self._span(node))

    def _eval_AssignmentExpression(self, node: Any) -> Value:
        return Unknown(reason="an assignment inside an expression", span=self._span(node))


# --- helpers ------------------------------------------------------------------------------------

def _one_of(values: list[Value], span: Span | None) -> Value:
    flat: list[Value] = []
    for v in values:
        flat.extend(v.options if isinstance(v, OneOf) else [v])
    if len(flat) > MAX_ALTERNATIVES:
        return Unknown(reason="too many alternatives", span=span)
    if len(flat) == 1:
        return flat[0]
    return OneOf(options=flat, span=span)


def _env_name(value: Value) -> str | None | bool:
    """The environment variable a value reads (None if unnamed), or False if it reads none."""
    if isinstance(value, EnvVar):
        return value.name
    if isinstance(value, EnvDefault):
        return value.env
    if isinstance(value, Builtin) and value.name.startswith("process.env"):
        return None
    return False


def _unary(op: str, arg: Value) -> Value:
    if isinstance(arg, Unknown):
        return Unknown(reason=arg.reason)
    if isinstance(arg, (EnvVar, EnvDefault)) and op == "+":
        return arg
    if not isinstance(arg, Prim):
        t = truthy(arg)
        if op == "!" and t is not None:
            return Prim(not t)
        return Unknown(reason=f"{op} of a computed value")
    v = arg.value
    if op == "-":
        n = to_js_number(v)
        return Prim(-n if not (isinstance(n, float) and math.isnan(n)) else n)
    if op == "+":
        return Prim(to_js_number(v))
    if op == "!":
        return Prim(not truthy(arg))
    if op == "typeof":
        if v is UNDEFINED:
            return Prim("undefined")
        if v is None:
            return Prim("object")
        return Prim({bool: "boolean", str: "string"}.get(type(v), "number"))
    return Unknown(reason=f"operator {op}")


def _binary(op: str, left: Value, right: Value, span: Span | None) -> Value:
    for operand in (left, right):
        if isinstance(operand, Unknown):  # keep the first cause: it says what to fix
            return Unknown(reason=operand.reason, span=span)
    if isinstance(left, OneOf) or isinstance(right, OneOf):
        lefts = left.options if isinstance(left, OneOf) else [left]
        rights = right.options if isinstance(right, OneOf) else [right]
        if len(lefts) * len(rights) > MAX_ALTERNATIVES:
            return Unknown(reason="too many alternatives", span=span)
        return _one_of([_binary(op, a, b, span) for a in lefts for b in rights], span)
    if op == "+":
        if isinstance(left, Prim) and isinstance(right, Prim):
            a, b = left.value, right.value
            if isinstance(a, str) or isinstance(b, str):
                return Prim(to_js_string(a) + to_js_string(b))
            return Prim(_num(to_js_number(a) + to_js_number(b)))
        if _stringish(left) or _stringish(right):
            return Template(parts=[left, right], span=span)
        return Unknown(reason="+ of a computed value", span=span)
    if not (isinstance(left, Prim) and isinstance(right, Prim)):
        return Unknown(reason=f"{op} of a computed value", span=span)
    a, b = left.value, right.value
    if op in ("===", "!=="):
        same = type(a) is type(b) and a == b or (_is_num(a) and _is_num(b) and a == b)
        return Prim(same if op == "===" else not same)
    if op in ("==", "!="):
        if (a is None or a is UNDEFINED) or (b is None or b is UNDEFINED):
            same = (a is None or a is UNDEFINED) and (b is None or b is UNDEFINED)
        elif isinstance(a, str) and isinstance(b, str):
            same = a == b
        else:
            same = to_js_number(a) == to_js_number(b)
        return Prim(same if op == "==" else not same)
    x, y = to_js_number(a), to_js_number(b)
    try:
        if op == "-":
            return Prim(_num(x - y))
        if op == "*":
            return Prim(_num(x * y))
        if op == "/":
            return Prim(_num(x / y) if y != 0 else (math.nan if x == 0 else math.copysign(math.inf, x)))
        if op == "%":
            return Prim(_num(math.fmod(x, y)) if y != 0 else math.nan)
        if op == "**":
            if abs(y) >= 64:
                return Unknown(reason="a huge power", span=span)
            if x == 0 and y < 0:
                return Prim(math.inf)  # JavaScript: 0 ** -n is Infinity
            result = x ** y
            return Prim(_num(result)) if not isinstance(result, complex) else Prim(math.nan)
        if op in ("<", ">", "<=", ">="):
            return Prim({"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])
    except (ArithmeticError, ValueError, TypeError):
        return Unknown(reason=f"{op} could not be computed", span=span)
    return Unknown(reason=f"operator {op}", span=span)


def _num(n: float | int) -> float | int:
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**53:
        return int(n)
    return n


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _stringish(v: Value) -> bool:
    return isinstance(v, Template) or (isinstance(v, Prim) and isinstance(v.value, str))


def _call_builtin(name: str, args: list[Value], span: Span | None) -> Value:
    first = args[0] if args else Prim(UNDEFINED)
    if name in ("Number", "parseInt", "parseFloat", "String", "Boolean"):
        if isinstance(first, EnvVar):
            if name in ("String", "Boolean"):
                return Unknown(reason=f"{name}() of process.env.{first.name}", span=span)
            return EnvVar(name=first.name, numeric=True, span=span)
        if isinstance(first, EnvDefault):
            inner = _call_builtin(name, [first.default] + args[1:], first.default.span)
            return EnvDefault(env=first.env, default=inner, op=first.op, span=span, origin=first.origin)
        if isinstance(first, OneOf):
            return _one_of([_call_builtin(name, [o] + args[1:], span) for o in first.options], span)
        if isinstance(first, Template) and first.text() is not None:
            first = Prim(first.text())
        if not isinstance(first, Prim):
            return Unknown(reason=f"{name}() of a computed value", span=span)
        v = first.value
        if name == "Number":
            return Prim(_num(to_js_number(v)), origin=first.origin)
        if name == "parseInt":
            radix = args[1].value if len(args) > 1 and isinstance(args[1], Prim) else None
            return Prim(parse_int(v, radix), origin=first.origin)
        if name == "parseFloat":
            n = to_js_number(to_js_string(v).strip().split()[0] if to_js_string(v).strip() else "")
            return Prim(_num(n), origin=first.origin)
        if name == "String":
            return Prim(to_js_string(v), origin=first.origin)
        return Prim(bool(truthy(first)), origin=first.origin)
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


def _callee_name(node: Any) -> str:
    if node.type == "Identifier":
        return node.name
    if node.type == "CallExpression":
        return _callee_name(node.callee) + "()"
    if node.type == "MemberExpression" and not node.computed:
        return _callee_name(node.object) + "." + node.property.name
    return "a function"


_NODE_WORDS = {
    "ThisExpression": "this", "ClassExpression": "a class", "TaggedTemplateExpression": "a tagged template",
    "UpdateExpression": "an update expression", "YieldExpression": "yield", "ImportExpression": "a dynamic import()",
    "MetaProperty": "import.meta", "Super": "super",
}


def _describe_node(node: Any) -> str:
    return _NODE_WORDS.get(node.type, f"a {node.type}")


# --- what a file's top level declares -----------------------------------------------------------

def _is_module_exports(node: Any) -> bool:
    return (node.type == "MemberExpression" and not node.computed and node.object.type == "Identifier"
            and node.object.name == "module" and node.property.name == "exports")


def _export_key(target: Any) -> tuple[str, Any] | None:
    """For ``exports.K`` / ``module.exports.K`` return (K, key node)."""
    if target.type != "MemberExpression":
        return None
    obj = target.object
    if not (_is_module_exports(obj) or (obj.type == "Identifier" and obj.name == "exports")):
        return None
    if not target.computed:
        return target.property.name, target.property
    if target.property.type == "Literal" and isinstance(target.property.value, str):
        return target.property.value, target.property
    return None


def _root_name(node: Any) -> str | None:
    while node.type == "MemberExpression":
        node = node.object
    return node.name if node.type == "Identifier" else None


def _declare(info: ModuleInfo, kind: str, name: str, node: Any, binding: Binding) -> None:
    info.declarations.setdefault(name, []).append((kind, node))
    info.bindings.setdefault(name, binding)


def _declare_pattern(info: ModuleInfo, kind: str, pattern: Any, init: Any, declarator: Any, path: tuple = ()) -> None:
    if pattern.type == "Identifier":
        _declare(info, kind, pattern.name, declarator, Binding(pattern.name, kind, declarator, init, path))
    elif pattern.type == "ObjectPattern":
        for prop in pattern.properties:
            if prop.type == "RestElement":
                continue
            if prop.computed or prop.key.type not in ("Identifier", "Literal"):
                continue
            key = prop.key.name if prop.key.type == "Identifier" else str(prop.key.value)
            target = prop.value
            if target.type == "AssignmentPattern":
                target = target.left
            _declare_pattern(info, kind, target, init, declarator, path + (key,))
    elif pattern.type == "ArrayPattern":
        for i, element in enumerate(pattern.elements):
            if element is not None and element.type != "RestElement":
                target = element.left if element.type == "AssignmentPattern" else element
                _declare_pattern(info, kind, target, init, declarator, path + (str(i),))


def collect_module_info(program: Any) -> ModuleInfo:
    info = ModuleInfo()
    for statement in program.body:
        t = statement.type
        if t == "ExportNamedDeclaration" or t == "ExportDefaultDeclaration" or t == "ExportAllDeclaration":
            info.uses_esm = info.uses_esm or statement
        if t == "ExportNamedDeclaration" and statement.declaration is not None:
            statement_decl = statement.declaration
            _collect_declaration(info, statement_decl)
            for name in _declared_names(statement_decl):
                info.named_exports[name] = statement_decl
            continue
        if t == "ExportNamedDeclaration":
            for spec in statement.specifiers or []:
                exported = spec.exported.name if spec.exported.type == "Identifier" else str(spec.exported.value)
                local = spec.local.name if spec.local.type == "Identifier" else str(spec.local.value)
                if statement.source is not None:
                    binding = Binding(local, "import", spec, import_source=statement.source.value, import_name=local)
                    info.bindings.setdefault("\0" + exported, binding)
                    info.named_exports[exported] = spec
                    continue
                if exported == "default":
                    info.default_export = spec.local
                else:
                    info.named_exports[exported] = spec
                    if exported != local:
                        info.bindings.setdefault(exported, Binding(exported, "const", spec, spec.local))
            continue
        if t == "ExportDefaultDeclaration":
            decl = statement.declaration
            if decl.type in ("FunctionDeclaration", "ClassDeclaration"):
                info.default_export = decl
                if decl.id is not None:
                    _collect_declaration(info, decl)
            else:
                info.default_export = decl
            continue
        if t == "ImportDeclaration":
            info.uses_esm = info.uses_esm or statement
            for spec in statement.specifiers:
                if spec.type == "ImportDefaultSpecifier":
                    name = "default"
                elif spec.type == "ImportNamespaceSpecifier":
                    name = "*"
                else:
                    name = spec.imported.name if spec.imported.type == "Identifier" else str(spec.imported.value)
                _declare(info, "import", spec.local.name, spec,
                         Binding(spec.local.name, "import", spec, import_source=statement.source.value, import_name=name))
            continue
        if t in ("VariableDeclaration", "FunctionDeclaration", "ClassDeclaration"):
            _collect_declaration(info, statement)
            continue
        if t == "ExpressionStatement":
            _collect_assignment(info, statement.expression)
    return info


def _collect_assignment(info: ModuleInfo, expr: Any) -> None:
    if expr.type == "SequenceExpression":
        for sub in expr.expressions:
            _collect_assignment(info, sub)
        return
    if expr.type != "AssignmentExpression" or expr.operator != "=":
        if expr.type in ("AssignmentExpression", "UpdateExpression"):
            target = expr.left if expr.type == "AssignmentExpression" else expr.argument
            root = _root_name(target)
            if root:
                info.mutations.append(Mutation(root, expr))
        elif expr.type == "CallExpression" and expr.callee.type == "MemberExpression":
            root = _root_name(expr.callee.object)
            method = expr.callee.property.name if not expr.callee.computed and expr.callee.property.type == "Identifier" else None
            if root and method in ("push", "unshift", "splice", "pop", "shift"):
                info.mutations.append(Mutation(root, expr))
            elif (expr.callee.object.type == "Identifier" and expr.callee.object.name == "Object"
                  and method in ("assign", "defineProperty") and expr.arguments):
                root = _root_name(expr.arguments[0])
                if root:
                    info.mutations.append(Mutation(root, expr))
        return
    target = expr.left
    if _is_module_exports(target):
        info.exports_node = expr.right
        info.export_props.clear()
        info.uses_commonjs = info.uses_commonjs or expr
        return
    key = _export_key(target)
    if key is not None:
        info.export_props.append((key[0], key[1], expr.right))
        info.uses_commonjs = info.uses_commonjs or expr
        return
    if target.type == "Identifier" and target.name == "exports":
        info.uses_commonjs = info.uses_commonjs or expr
        return
    root = _root_name(target)
    if root:
        info.mutations.append(Mutation(root, expr))


def _declared_names(decl: Any) -> list[str]:
    if decl.type == "VariableDeclaration":
        names: list[str] = []
        for d in decl.declarations:
            names.extend(_pattern_names(d.id))
        return names
    return [decl.id.name] if getattr(decl, "id", None) is not None else []


def _pattern_names(pattern: Any) -> list[str]:
    if pattern.type == "Identifier":
        return [pattern.name]
    if pattern.type == "ObjectPattern":
        out = []
        for p in pattern.properties:
            out.extend(_pattern_names(p.argument if p.type == "RestElement" else p.value))
        return out
    if pattern.type == "ArrayPattern":
        out = []
        for e in pattern.elements:
            if e is not None:
                out.extend(_pattern_names(e.argument if e.type == "RestElement" else e))
        return out
    if pattern.type == "AssignmentPattern":
        return _pattern_names(pattern.left)
    return []


def _collect_declaration(info: ModuleInfo, decl: Any) -> None:
    if decl.type == "VariableDeclaration":
        for d in decl.declarations:
            _declare_pattern(info, decl.kind, d.id, d.init, d)
    elif decl.type == "FunctionDeclaration" and decl.id is not None:
        _declare(info, "function", decl.id.name, decl, Binding(decl.id.name, "function", decl))
    elif decl.type == "ClassDeclaration" and decl.id is not None:
        _declare(info, "class", decl.id.name, decl, Binding(decl.id.name, "class", decl, None))
