"""YAML ecosystem files: the composed YAML node tree as evaluator values, with exact spans."""
from __future__ import annotations

from typing import Any

from portlint.diagnostic import Span
from portlint.evaluator.values import Arr, Obj, Prim, Prop, Unknown, Value
from portlint.numbers import digits_to_number, js_number
from portlint.source.parse import Parsed

MAX_DEPTH = 200
INT_TAG = "tag:yaml.org,2002:int"


def huge_integer(text: str) -> int | float | str:
    """A decimal integer too long for Python's int() (over 4,300 digits), as the number it writes."""
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    return sign * digits_to_number(digits) if digits.isascii() and digits.isdigit() else text


def yaml_to_value(parsed: Parsed) -> Value:
    import yaml

    constructor = yaml.SafeLoader("")
    source = parsed.source

    def span(node: Any) -> Span:
        return Span(source, node.start_mark.index, node.end_mark.index)

    def convert(node: Any, depth: int, active: frozenset) -> Value:
        if depth > MAX_DEPTH or id(node) in active:
            return Unknown(reason="YAML nested too deeply or recursive", span=span(node))
        if isinstance(node, yaml.MappingNode):
            obj = Obj(span=span(node))
            inner = active | {id(node)}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    obj.unknown_parts.append(Unknown(reason="a non-scalar key", span=span(key_node)))
                    continue
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = convert(value_node, depth + 1, inner)
                    for item in merged.items if isinstance(merged, Arr) else [merged]:
                        if isinstance(item, Obj):
                            for k, p in item.props.items():
                                obj.props.setdefault(k, p)
                    continue
                key = str(key_node.value)
                obj.props.pop(key, None)
                obj.props[key] = Prop(key, span(key_node), convert(value_node, depth + 1, inner))
            return obj
        if isinstance(node, yaml.SequenceNode):
            inner = active | {id(node)}
            return Arr(items=[convert(item, depth + 1, inner) for item in node.value], span=span(node))
        try:
            value = constructor.construct_object(node, deep=True)
        except Exception:  # an odd tag or timestamp: keep the text (an integer too long for Python: read it)
            value = huge_integer(node.value) if node.tag == INT_TAG else node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = js_number(value)  # PM2 reads YAML numbers as JavaScript numbers: huge ones are Infinity
        if isinstance(value, (bool, int, float, str)) or value is None:
            # a quoted scalar is a string even if it looks like a number, as YAML says
            return Prim(value, literal=True, span=span(node), origin=span(node))
        return Prim(str(node.value), literal=True, span=span(node), origin=span(node))

    return convert(parsed.yaml_root, 0, frozenset())
