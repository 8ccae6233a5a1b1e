"""JavaScript semantics over evaluator values: ToString, ToNumber, parseInt, truthiness, nullishness,
the unary and binary operators, and the conversion built-ins (``Number``, ``String``...), in one place.

Everything here is pure: values in, a value out. A result larger than the size budget (a string
doubled again and again) becomes an unknown value naming the budget instead of being built.
"""
from __future__ import annotations

import math

from portlint.diagnostic import Span
from portlint.evaluator.limits import MAX_ALTERNATIVES, MAX_VALUE_SIZE, too_big
from portlint.evaluator.values import (
    UNDEFINED,
    Arr,
    Builtin,
    EnvDefault,
    EnvVar,
    Function,
    Obj,
    OneOf,
    Prim,
    Template,
    Unknown,
    Value,
)

# --- conversions of primitives -------------------------------------------------------------------

def to_js_string(value: object) -> str:
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return str(value)


def to_js_number(value: object) -> float | int:
    if value is UNDEFINED:
        return math.nan
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if text == "":
        return 0
    if len(text) > 400:  # no port is that long; Python's int() refuses very long digit strings
        return math.nan
    try:
        if text.lower().startswith(("0x", "0o", "0b")):
            return int(text, 0)
        number = float(text)
    except ValueError:
        return math.nan
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


#: Digits portlint turns into an integer (Python refuses very long digit strings, and no port, or
#: finite JavaScript Number in base 10, is that long).
MAX_DIGITS = 300


def digits_value(text: str) -> int | None:
    """The integer a run of ASCII digits writes (``' 5570 '`` -> 5570), None if it is not one, or if
    it is longer than any port (then it stays the text it is: never Python's refusal to convert)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)


def parse_int(value: object, radix: object = None) -> float | int:
    text = to_js_string(value).strip()
    base = 10
    if isinstance(radix, (int, float)) and radix not in (0,):
        base = int(radix)
    sign = 1
    if text and text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if base == 16 or (radix in (None, 0, UNDEFINED) and text.lower().startswith("0x")):
        if text.lower().startswith("0x"):
            text = text[2:]
        base = 16
    if not 2 <= base <= 36:
        return math.nan
    digits = ""
    for ch in text[:400]:
        try:
            if int(ch, 36) < base:
                digits += ch
                continue
        except ValueError:
            pass
        break
    if not digits:
        return math.nan
    return sign * (int(digits, base) if len(digits) <= MAX_DIGITS else math.inf)  # a Number: Infinity


def num(n: float | int) -> float | int:
    """A JavaScript number as Python keeps it: integral floats below 2**53 as ints."""
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**53:
        return int(n)
    return n


def is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def stringish(v: Value) -> bool:
    return isinstance(v, Template) or (isinstance(v, Prim) and isinstance(v.value, str))


# --- truthiness ----------------------------------------------------------------------------------

def truthy(value: Value) -> bool | None:
    """JavaScript truthiness, or None when it is not known."""
    if isinstance(value, Prim):
        v = value.value
        if v is UNDEFINED or v is None or v is False:
            return False
        if isinstance(v, float) and math.isnan(v):
            return False
        if v == 0 and not isinstance(v, str) or v == "":
            return False
        return True
    if isinstance(value, (Obj, Arr, Function, Builtin)):
        return True
    if isinstance(value, Template):
        text = value.text()
        return None if text is None else bool(text)
    if isinstance(value, OneOf):
        answers = {truthy(o) for o in value.options}
        return answers.pop() if len(answers) == 1 else None
    if isinstance(value, EnvDefault) and value.op == "||" and truthy(value.default) is True:
        return True  # the variable when it is truthy, else the (truthy) default
    return None


def nullish(value: Value) -> bool | None:
    if isinstance(value, (EnvVar, Unknown)) and value.numeric:
        return False
    if isinstance(value, Prim):
        return value.value is None or value.value is UNDEFINED
    if isinstance(value, (Obj, Arr, Function, Builtin, Template)):
        return False
    if isinstance(value, OneOf):
        answers = {nullish(o) for o in value.options}
        return answers.pop() if len(answers) == 1 else None
    if isinstance(value, EnvDefault) and nullish(value.default) is False:
        return False  # an environment string, or the default
    return None


# --- building values -----------------------------------------------------------------------------

def one_of(values: list[Value], span: Span | None) -> Value:
    flat: list[Value] = []
    for v in values:
        flat.extend(v.options if isinstance(v, OneOf) else [v])
    if len(flat) > MAX_ALTERNATIVES:
        return Unknown(reason="too many alternatives", span=span)
    if len(flat) == 1:
        return flat[0]
    return OneOf(options=flat, span=span)


def template(parts: list[Value], span: Span | None) -> Value:
    """A computed string, unless it would pass the size budget."""
    for part in parts:
        if isinstance(part, Unknown) and part.budget == "size":
            return again(part, span)  # once past the budget, what is built from it stays unknown
    length = sum(part_length(p) for p in parts)
    if length > MAX_VALUE_SIZE:
        return too_big("a string", length, span)
    return Template(parts=parts, span=span, length=length)


def part_length(value: Value) -> int:
    """The size of a string part: its characters, plus one for the part itself (so that a string
    nested from empty parts is bounded too)."""
    if isinstance(value, Template):
        return value.length + 1
    if isinstance(value, Prim):
        return (len(value.value) if isinstance(value.value, str) else 24) + 1
    return 1


def env_name(value: Value) -> str | None | bool:
    """The environment variable a value reads (None if unnamed), or False if it reads none."""
    if isinstance(value, EnvVar):
        return value.name
    if isinstance(value, EnvDefault):
        return value.env
    if isinstance(value, Builtin) and value.name.startswith("process.env"):
        return None
    return False


def again(unknown: Unknown, span: Span | None, **changes) -> Unknown:
    """The same unknown (same reason, same budget) seen at another place."""
    return Unknown(reason=unknown.reason, span=span, budget=unknown.budget, **changes)


# --- operators -----------------------------------------------------------------------------------

def fallback(op: str, left: Value, right: Value, span: Span | None, reads: str) -> Value:
    """``left || right`` (or ``??``) when the left side is not known: each alternative that may be
    missing falls back on ``right``, which is the value unless something else provides one (the
    environment, or ``reads``: a value read at run time, such as ``cfg.PORT`` from a file)."""
    if isinstance(left, OneOf):
        options = []
        for option in left.options:
            decided = truthy(option) if op == "||" else (None if nullish(option) is None else not nullish(option))
            options.append(option if decided is True else right if decided is False
                           else fallback(op, option, right, span, reads))
        return one_of(options, span)
    env = env_name(left)
    if env is not False:
        return EnvDefault(env=env, default=right, op=op, span=span, origin=right.origin)
    if isinstance(left, Unknown) and left.budget is None:
        return EnvDefault(env=None, reads=reads, default=right, op=op, span=span, origin=right.origin)
    return Unknown(reason=f"left side of {op} is not known", span=span)


def unary(op: str, arg: Value) -> Value:
    if isinstance(arg, Unknown):
        return again(arg, None, numeric=op in ("-", "+"))
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


def binary(op: str, left: Value, right: Value, span: Span | None) -> Value:
    for operand in (left, right):
        if isinstance(operand, Unknown):  # keep the first cause: it says what to fix
            return again(operand, span)
    if isinstance(left, OneOf) or isinstance(right, OneOf):
        lefts = left.options if isinstance(left, OneOf) else [left]
        rights = right.options if isinstance(right, OneOf) else [right]
        if len(lefts) * len(rights) > MAX_ALTERNATIVES:
            return Unknown(reason="too many alternatives", span=span)
        return one_of([binary(op, a, b, span) for a in lefts for b in rights], span)
    if op == "+":
        if isinstance(left, Prim) and isinstance(right, Prim):
            a, b = left.value, right.value
            if isinstance(a, str) or isinstance(b, str):
                length = part_length(left) + part_length(right) - 2
                if length > MAX_VALUE_SIZE:
                    return too_big("a string", length, span)
                return Prim(to_js_string(a) + to_js_string(b))
            return Prim(num(to_js_number(a) + to_js_number(b)))
        if stringish(left) or stringish(right):
            return template([left, right], span)
        return Unknown(reason="+ of a computed value", span=span)
    if not (isinstance(left, Prim) and isinstance(right, Prim)):
        return Unknown(reason=f"{op} of a computed value", span=span)
    a, b = left.value, right.value
    if op in ("===", "!=="):
        same = type(a) is type(b) and a == b or (is_num(a) and is_num(b) and a == b)
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
            return Prim(num(x - y))
        if op == "*":
            return Prim(num(x * y))
        if op == "/":
            return Prim(num(x / y) if y != 0 else (math.nan if x == 0 else math.copysign(math.inf, x)))
        if op == "%":
            return Prim(num(math.fmod(x, y)) if y != 0 else math.nan)
        if op == "**":
            if abs(y) >= 64:
                return Unknown(reason="a huge power", span=span)
            if x == 0 and y < 0:
                return Prim(math.inf)  # JavaScript: 0 ** -n is Infinity
            result = x ** y
            return Prim(num(result)) if not isinstance(result, complex) else Prim(math.nan)
        if op in ("<", ">", "<=", ">="):
            return Prim({"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])
    except (ArithmeticError, ValueError, TypeError):
        return Unknown(reason=f"{op} could not be computed", span=span)
    return Unknown(reason=f"operator {op}", span=span)


# --- the conversion built-ins --------------------------------------------------------------------

CONVERSIONS = ("Number", "parseInt", "parseFloat", "String", "Boolean")


def convert(name: str, args: list[Value], span: Span | None) -> Value:
    """``Number(x)``, ``parseInt(x, r)``, ``parseFloat(x)``, ``String(x)``, ``Boolean(x)``."""
    first = args[0] if args else Prim(UNDEFINED)
    if isinstance(first, EnvVar):
        if name in ("String", "Boolean"):
            return Unknown(reason=f"{name}() of process.env.{first.name}", span=span)
        return EnvVar(name=first.name, numeric=True, span=span)
    if isinstance(first, EnvDefault):
        inner = convert(name, [first.default] + args[1:], first.default.span)
        return EnvDefault(env=first.env, reads=first.reads, default=inner, op=first.op, span=span,
                          origin=first.origin)
    if isinstance(first, OneOf):
        return one_of([convert(name, [o] + args[1:], span) for o in first.options], span)
    if isinstance(first, Template) and first.text() is not None:
        first = Prim(first.text())
    if isinstance(first, Unknown) and name not in ("String", "Boolean"):
        # a number or NaN: `|| 8332` falls back on it, `??` never does
        return Unknown(reason=f"{name}() of a computed value", span=span, budget=first.budget, numeric=True)
    if not isinstance(first, Prim):
        return Unknown(reason=f"{name}() of a computed value", span=span)
    v = first.value
    if name == "Number":
        return Prim(num(to_js_number(v)), origin=first.origin)
    if name == "parseInt":
        radix = args[1].value if len(args) > 1 and isinstance(args[1], Prim) else None
        return Prim(parse_int(v, radix), origin=first.origin)
    if name == "parseFloat":
        n = to_js_number(to_js_string(v).strip().split()[0] if to_js_string(v).strip() else "")
        return Prim(num(n), origin=first.origin)
    if name == "String":
        return Prim(to_js_string(v), origin=first.origin)
    return Prim(bool(truthy(first)), origin=first.origin)
