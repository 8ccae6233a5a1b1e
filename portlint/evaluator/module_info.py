"""What a file's top level declares and exports (bindings, ``module.exports``, ESM exports), read
from the syntax tree without evaluating anything: the evaluator, the model and the rules start here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
class ModuleInfo:
    """What a file's top level declares and exports, as the model and rules need it."""

    bindings: dict[str, Binding] = field(default_factory=dict)
    declarations: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)  # name -> [(kind, node)]
    exports_node: Any = None  # right side of module.exports = ... (last one)
    export_props: list[tuple[str, Any, Any]] = field(default_factory=list)  # (key, key_node, value node)
    default_export: Any = None  # export default <node>
    named_exports: dict[str, Any] = field(default_factory=dict)  # name -> node of the local binding
    uses_commonjs: Any = None  # first node assigning module.exports / exports.x
    uses_esm: Any = None  # first import/export node
    #: The first top-level statement that does more than declare or export (a loop, a push, an
    #: ``if``, an assignment, a call): such a file is run in order rather than read lazily.
    imperative: Any = None


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
            if not _declarative(statement.expression):
                info.imperative = info.imperative or statement
            continue
        if t != "EmptyStatement":
            info.imperative = info.imperative or statement
    return info


def _declarative(expr: Any) -> bool:
    """A directive (``'use strict'``) or an assignment of the exports (``module.exports = ...``)."""
    if expr.type == "Literal":
        return True
    if expr.type == "SequenceExpression":
        return all(_declarative(e) for e in expr.expressions)
    if expr.type != "AssignmentExpression" or expr.operator != "=":
        return False
    target = expr.left
    return (_is_module_exports(target) or _export_key(target) is not None
            or (target.type == "Identifier" and target.name == "exports"))


def _collect_assignment(info: ModuleInfo, expr: Any) -> None:
    if expr.type == "SequenceExpression":
        for sub in expr.expressions:
            _collect_assignment(info, sub)
        return
    if expr.type != "AssignmentExpression" or expr.operator != "=":
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


def _declared_names(decl: Any) -> list[str]:
    if decl.type == "VariableDeclaration":
        names: list[str] = []
        for d in decl.declarations:
            names.extend(pattern_names(d.id))
        return names
    return [decl.id.name] if getattr(decl, "id", None) is not None else []


def pattern_names(pattern: Any) -> list[str]:
    if pattern.type == "Identifier":
        return [pattern.name]
    if pattern.type == "ObjectPattern":
        out = []
        for p in pattern.properties:
            out.extend(pattern_names(p.argument if p.type == "RestElement" else p.value))
        return out
    if pattern.type == "ArrayPattern":
        out = []
        for e in pattern.elements:
            if e is not None:
                out.extend(pattern_names(e.argument if e.type == "RestElement" else e))
        return out
    if pattern.type == "AssignmentPattern":
        return pattern_names(pattern.left)
    return []


def _collect_declaration(info: ModuleInfo, decl: Any) -> None:
    if decl.type == "VariableDeclaration":
        for d in decl.declarations:
            _declare_pattern(info, decl.kind, d.id, d.init, d)
    elif decl.type == "FunctionDeclaration" and decl.id is not None:
        _declare(info, "function", decl.id.name, decl, Binding(decl.id.name, "function", decl))
    elif decl.type == "ClassDeclaration" and decl.id is not None:
        _declare(info, "class", decl.id.name, decl, Binding(decl.id.name, "class", decl, None))
