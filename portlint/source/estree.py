"""Small helpers over the ESTree tree esprima-fork builds: an iterative walk (no recursion limit)
and the few shapes rules look for, such as ``PORTS.a.b`` member chains."""
from __future__ import annotations

from typing import Any, Iterator

_SKIP = {"range", "loc", "type", "comments", "tokens", "errors"}


def walk(root: Any) -> Iterator[tuple[Any, Any]]:
    """Every node under ``root`` (itself included) with its parent, in source order."""
    stack: list[tuple[Any, Any]] = [(root, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, parent = pop()
        yield node, parent
        children = []
        for key, value in node.__dict__.items():
            if value is None or key in _SKIP or type(value) in _LEAVES:
                continue
            if isinstance(value, list):
                children.extend(v for v in value if hasattr(v, "type") and hasattr(v, "__dict__"))
            elif hasattr(value, "type") and hasattr(value, "__dict__") and isinstance(getattr(value, "type", None), str):
                children.append(value)
        for child in reversed(children):
            push((child, node))


#: Values that are never nodes (names, operators, literal values, flags): skipped at once.
_LEAVES = frozenset({str, bool, int, float})


def member_path(node: Any) -> tuple[str, list[tuple[str, Any]]] | None:
    """For ``PORTS.a['b'].c`` return ('PORTS', [('a', node_a), ('b', node_b), ('c', node_c)]);
    the nodes are the MemberExpressions ending at each key. None for other shapes."""
    keys: list[tuple[str, Any]] = []
    current = node
    if current.type == "ChainExpression":
        current = current.expression
    while current.type == "MemberExpression":
        prop = current.property
        if not current.computed and prop.type == "Identifier":
            key = prop.name
        elif current.computed and prop.type == "Literal" and isinstance(prop.value, (str, int)):
            key = str(prop.value)
        else:
            return None
        keys.append((key, current))
        current = current.object
    if current.type != "Identifier" or not keys:
        return None
    keys.reverse()
    return current.name, keys
