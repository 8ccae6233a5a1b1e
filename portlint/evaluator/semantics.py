"""JavaScript semantics over evaluator values: truthiness, nullishness, the unary and binary
operators, strings built from parts, and the conversion built-ins (``Number``, ``String``...), in one
place. The conversions of primitives themselves (ToString, ToNumber, parseInt) are in ``primitives``.

Everything here is pure apart from the budget: values in, a value out. A string is built only once
``Budget.claim`` allows it; past a budget it becomes an unknown value naming the budget instead.
"""
from __future__ import annotations

import math
from fractions import Fraction

from portlint.diagnostic import Span
from portlint.evaluator.limits import MAX_ALTERNATIVES, STRING, Budget
from portlint.evaluator.primitives import (  # noqa: F401  (digits_value, parse_int: their old home)
    MAX_DIGITS,
    UNDEFINED,
    digits_value,
    is_number,
    parse_float,
    parse_int,
    to_int32,
    to_js_number,
    to_js_string,
    to_units,
)
from portlint.evaluator.values import (
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
from portlint.numbers import js_number

num = js_number  # a JavaScript number as Python keeps it: integral floats below 2**53 as ints


is_num = is_number


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
    if isinstance(value, EnvDefault) and value.op == "||" and not value.derived and truthy(value.default) is True:
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
    if isinstance(value, EnvDefault) and not value.derived and nullish(value.default) is False:
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


#: Parts a template keeps (each with the place it was written); a longer known text becomes a string.
MAX_TEMPLATE_PARTS = 256


def either(values: list[Value], span: Span | None) -> Value:
    """What a variable (or a function) holds after a ``try`` that may have thrown: any path's value.
    A value a path could not know (what the try reads at run time) makes the result "that value,
    else the others", the way ``cfg.mode || 'docker'`` reads (see ``attempts``)."""
    unique: list[Value] = []
    for value in values:
        for option in value.options if isinstance(value, OneOf) else [value]:
            if not any(option is u or _same_primitive(option, u) for u in unique):
                unique.append(option)
    unknown = next((u for u in unique if isinstance(u, Unknown) and u.budget is None), None)
    known = [u for u in unique if u is not unknown and not (isinstance(u, Unknown) and u.budget is None)]
    if unknown is None or not known:
        return one_of(known, span) if unknown is None else unknown
    default = one_of(known, span)
    if isinstance(default, Unknown):
        return default
    return EnvDefault(env=None, reads=unknown.reason, default=default, derived=True, span=span, origin=default.origin)


def _same_primitive(a: Value, b: Value) -> bool:
    return isinstance(a, Prim) and isinstance(b, Prim) and type(a.value) is type(b.value) and a.value == b.value


def template(parts: list[Value], span: Span | None, budget: Budget) -> Value:
    """A computed string made of ``parts`` (a nested template's parts are spliced in, so a template is
    never deeper than one level), once the budget allows it."""
    flat: list[Value] = []
    for part in parts:
        if isinstance(part, Unknown) and part.budget == "size":
            return again(part, span)  # once past the budget, what is built from it stays unknown
        flat.extend(part.parts if isinstance(part, Template) else (part,))
    length = sum(part_length(p) for p in flat)
    if len(flat) > MAX_TEMPLATE_PARTS and all(isinstance(p, Prim) for p in flat):
        text_length = length - len(flat)
        refused = budget.claim(STRING, text_length, span, fresh=1)
        return refused if refused is not None else Prim("".join(to_js_string(p.value) for p in flat), span=span)
    refused = budget.claim(STRING, length, span, added=length + len(flat) * 8)
    if refused is not None:
        return refused
    return Template(parts=flat, span=span, length=length)


def part_length(value: Value) -> int:
    """The size of a string part: its characters, plus one for the part itself (so that a string
    made of many empty parts is bounded too)."""
    if isinstance(value, Prim):
        return (len(value.value) if isinstance(value.value, str) else 24) + 1
    return 1


def concat(left: str, right: str, span: Span | None, budget: Budget) -> Value:
    """Two known strings joined, once the budget allows it."""
    length = len(left) + len(right)
    refused = budget.claim(STRING, length, span, fresh=1)
    return refused if refused is not None else Prim(left + right, span=span)


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
    if isinstance(left, EnvDefault) and left.derived:  # (PORT + 1) || 80: what the default gives, || 80
        falls = _undecided(op, left.default)
        under_defaults = right if falls is True else left.default if falls is False else \
            fallback(op, left.default, right, span, reads)
        return derive(left, under_defaults, span)
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


def derive(source: EnvDefault, value: Value, span: Span | None) -> Value:
    """What is computed from a default (``PORT + 1`` with ``PORT = process.env.PORT || 5570``): the
    value computed from the default, unless the environment (or a run-time read) overrides it."""
    if isinstance(value, Unknown):
        return value
    return EnvDefault(env=source.env, reads=source.reads, default=value, op=source.op, derived=True, span=span,
                      origin=value.origin)


def _undecided(op: str, value: Value) -> bool | None:
    """Whether ``value || x`` (or ``??``) falls back: True if it may, False if it keeps the value,
    None if unknown. (Only a truthy or non-nullish value is kept.)"""
    kept = truthy(value) if op == "||" else (None if nullish(value) is None else not nullish(value))
    return None if kept is None else not kept


def unary(op: str, arg: Value) -> Value:
    if isinstance(arg, Unknown):
        return again(arg, None, numeric=op in ("-", "+", "~"))
    if isinstance(arg, EnvVar) and op == "+":
        return arg
    if isinstance(arg, EnvDefault):
        return arg if op == "+" and not arg.derived else \
            derive(arg, unary(op, arg.default), None) if op in ("-", "+", "~", "!") else Unknown(reason=f"{op} of a computed value")
    if isinstance(arg, Template) and arg.text() is not None:
        arg = Prim(arg.text())
    if not isinstance(arg, Prim):
        t = truthy(arg)
        if op == "!" and t is not None:
            return Prim(not t)
        if op == "typeof" and isinstance(arg, (Obj, Arr, Function, Template)):
            return Prim("function" if isinstance(arg, Function) else "string" if isinstance(arg, Template) else "object")
        return Unknown(reason=f"{op} of a computed value")
    v = arg.value
    if op == "-":
        return Prim(num(-to_js_number(v)))
    if op == "+":
        return Prim(to_js_number(v))
    if op == "~":
        return Prim(~to_int32(to_js_number(v)))
    if op == "!":
        return Prim(not truthy(arg))
    if op == "typeof":
        if v is UNDEFINED:
            return Prim("undefined")
        if v is None:
            return Prim("object")
        return Prim({bool: "boolean", str: "string"}.get(type(v), "number"))
    return Unknown(reason=f"operator {op}")


def strictly_equal(a: Value, b: Value) -> bool | None:
    """``a === b``: primitives by value, objects, lists and functions by identity; None if unknown."""
    a, b = _as_text(a), _as_text(b)
    if isinstance(a, Prim) and isinstance(b, Prim):
        x, y = a.value, b.value
        return (type(x) is type(y) and x == y) or (is_num(x) and is_num(y) and x == y)
    containers = (Obj, Arr, Function)
    if isinstance(a, containers) and isinstance(b, Prim) or isinstance(b, containers) and isinstance(a, Prim):
        return False
    if isinstance(a, Obj) and isinstance(b, Obj):
        return a.props is b.props  # a value seen at another place shares its table
    if isinstance(a, Arr) and isinstance(b, Arr):
        return a.items is b.items
    if isinstance(a, Function) and isinstance(b, Function):
        return a.node is b.node and a.closure is b.closure
    if isinstance(a, containers) and isinstance(b, containers):
        return False
    return None


def same_value_zero(a: Value, b: Value) -> bool | None:
    """SameValueZero (``includes``): ``===``, except that NaN is NaN."""
    if isinstance(a, Prim) and isinstance(b, Prim) and is_nan(a.value) and is_nan(b.value):
        return True
    return strictly_equal(a, b)


def _default(value: Value) -> Value:
    return value.default if isinstance(value, EnvDefault) else value


def is_nan(v: object) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _as_text(value: Value) -> Value:
    if isinstance(value, Template):
        text = value.text()
        if text is not None:
            return Prim(text, span=value.span)
    return value


def binary(op: str, left: Value, right: Value, span: Span | None, budget: Budget) -> Value:
    for operand in (left, right):
        if isinstance(operand, Unknown):  # keep the first cause: it says what to fix
            return again(operand, span)
    if isinstance(left, OneOf) or isinstance(right, OneOf):
        lefts = left.options if isinstance(left, OneOf) else [left]
        rights = right.options if isinstance(right, OneOf) else [right]
        if len(lefts) * len(rights) > MAX_ALTERNATIVES:
            return Unknown(reason="too many alternatives", span=span)
        return one_of([binary(op, a, b, span, budget) for a in lefts for b in rights], span)
    if (isinstance(left, EnvDefault) or isinstance(right, EnvDefault)) and not (
            op == "+" and (stringish(left) or stringish(right))):
        source = left if isinstance(left, EnvDefault) else right
        return derive(source, binary(op, _default(left), _default(right), span, budget), span)
    if op in ("===", "!=="):
        same = strictly_equal(left, right)
        if same is None:
            return Unknown(reason=f"{op} of a computed value", span=span)
        return Prim(same if op == "===" else not same)
    if op == "+":
        if isinstance(left, Prim) and isinstance(right, Prim):
            a, b = left.value, right.value
            if isinstance(a, str) or isinstance(b, str):
                return concat(to_js_string(a), to_js_string(b), span, budget)
            return Prim(num(to_js_number(a) + to_js_number(b)))
        if stringish(left) or stringish(right):
            return template([left, right], span, budget)
        return Unknown(reason="+ of a computed value", span=span)
    left, right = _as_text(left), _as_text(right)
    if not (isinstance(left, Prim) and isinstance(right, Prim)):
        return Unknown(reason=f"{op} of a computed value", span=span)
    a, b = left.value, right.value
    if op in ("==", "!="):
        if (a is None or a is UNDEFINED) or (b is None or b is UNDEFINED):
            same = (a is None or a is UNDEFINED) and (b is None or b is UNDEFINED)
        elif isinstance(a, str) and isinstance(b, str):
            same = a == b
        else:
            same = to_js_number(a) == to_js_number(b)
        return Prim(same if op == "==" else not same)
    if op in ("<", ">", "<=", ">=") and isinstance(a, str) and isinstance(b, str):
        x, y = to_units(a), to_units(b)  # strings compare by UTF-16 code units
        return Prim({"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])
    result = arithmetic(op, to_js_number(a), to_js_number(b))
    if result is None:
        return Unknown(reason="a power Node rounds its own way" if op == "**" else f"operator {op}", span=span)
    return Prim(result)


def arithmetic(op: str, x: int | float, y: int | float) -> int | float | bool | None:
    """A numeric operator over two JavaScript numbers, in doubles as JavaScript computes it (never a
    Python int that grows without bound); None for an operator portlint does not compute."""
    if op in ("<", ">", "<=", ">="):
        return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
    if op == "-":
        return num(x - y)
    if op == "*":
        return num(x * y)
    if op == "/":
        if y == 0:
            if x == 0 or is_nan(x) or is_nan(y):
                return math.nan
            negative = (x < 0) != (math.copysign(1.0, y) < 0)
            return -math.inf if negative else math.inf
        return num(x / y)
    if op == "%":
        if y == 0 or is_nan(x) or is_nan(y) or math.isinf(x):
            return math.nan
        if math.isinf(y):
            return x
        if isinstance(x, int) and isinstance(y, int):
            r = abs(x) % abs(y)
            return (-r if r else (-0.0 if x < 0 else 0)) if x < 0 else r
        return num(math.fmod(x, y))
    if op == "**":
        return power(x, y)  # None (not computed) when Node's rounding would decide
    if op in ("|", "&", "^", "<<", ">>", ">>>"):
        i, j = to_int32(x), to_int32(y)
        shift = j & 31
        if op == "|":
            return i | j
        if op == "&":
            return i & j
        if op == "^":
            return i ^ j
        if op == "<<":
            return to_int32(i << shift)
        if op == ">>":
            return i >> shift
        return (i % 2**32) >> shift
    return None


def power(x: int | float, y: int | float) -> int | float | None:
    """``x ** y`` as JavaScript computes it (``1 ** Infinity`` is NaN), or None when the exact result is
    not a double: Node's pow (fdlibm's) rounds those its own way, and portlint does not guess how."""
    if is_nan(y):
        return math.nan
    if y == 0:
        return 1
    if is_nan(x):
        return math.nan
    if abs(x) == 1 and math.isinf(y):
        return math.nan
    if math.isinf(x) or math.isinf(y) or x == 0:
        try:  # only infinities and zeros come out of these: no rounding to disagree on
            return num(math.pow(x, y))
        except (OverflowError, ZeroDivisionError, ValueError):  # Python's words for 0 ** -n and overflow
            odd = not math.isinf(y) and float(y).is_integer() and int(y) % 2 == 1
            return -math.inf if odd and math.copysign(1.0, x) < 0 else math.inf
    if not float(y).is_integer():
        return None
    base, exponent = Fraction(x), int(y)
    bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    if bits * abs(exponent) > 2200:
        magnitude = exponent * math.log2(abs(x))
        negative = x < 0 and exponent % 2 == 1
        if magnitude > 1100:  # far past the largest double, or far below the smallest
            return -math.inf if negative else math.inf
        if magnitude < -1200:
            return -0.0 if negative else 0
        return None
    exact = base ** exponent
    try:
        rounded = float(exact)
    except OverflowError:
        return -math.inf if exact < 0 else math.inf
    return num(rounded) if Fraction(rounded) == exact else None


# --- the conversion built-ins --------------------------------------------------------------------

CONVERSIONS = ("Number", "parseInt", "parseFloat", "String", "Boolean", "Number.parseInt", "Number.parseFloat")


def convert(name: str, args: list[Value], span: Span | None) -> Value:
    """``Number(x)``, ``parseInt(x, r)``, ``parseFloat(x)``, ``String(x)``, ``Boolean(x)``."""
    name = name.replace("Number.", "")
    first = args[0] if args else Prim(UNDEFINED)
    if isinstance(first, EnvVar):
        if name in ("String", "Boolean"):
            return Unknown(reason=f"{name}() of process.env.{first.name}", span=span)
        return EnvVar(name=first.name, numeric=True, span=span)
    if isinstance(first, EnvDefault):
        inner = convert(name, [first.default] + args[1:], first.default.span)
        if isinstance(inner, Unknown):
            return inner
        # Number(process.env.N || 3) is 3 unless N is set, but then it may be NaN: not truthy for sure
        return EnvDefault(env=first.env, reads=first.reads, default=inner, op=first.op, span=span,
                          origin=first.origin, derived=True)
    if isinstance(first, OneOf):
        return one_of([convert(name, [o] + args[1:], span) for o in first.options], span)
    first = _as_text(first)
    if isinstance(first, Unknown) and first.budget is not None:
        return again(first, span, numeric=name not in ("String", "Boolean"))
    if isinstance(first, Unknown) and name not in ("String", "Boolean"):
        # a number or NaN: `|| 8332` falls back on it, `??` never does
        return Unknown(reason=f"{name}() of a computed value", span=span, budget=first.budget, numeric=True)
    if name == "Boolean" and truthy(first) is not None:
        return Prim(truthy(first), origin=first.origin)
    if not isinstance(first, Prim):
        return Unknown(reason=f"{name}() of a computed value", span=span)
    v = first.value
    if name == "Number":
        return Prim(num(to_js_number(v)) if args else 0, origin=first.origin)
    if name == "parseInt":
        radix = args[1] if len(args) > 1 else Prim(UNDEFINED)
        if not isinstance(radix, Prim):
            return Unknown(reason="parseInt() with a computed radix", span=span)
        return Prim(parse_int(v, radix.value), origin=first.origin)
    if name == "parseFloat":
        return Prim(parse_float(v), origin=first.origin)
    if name == "String":
        return Prim(to_js_string(v) if args else "", origin=first.origin)
    return Prim(bool(truthy(first)), origin=first.origin)
