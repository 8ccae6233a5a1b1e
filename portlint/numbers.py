"""Numbers from untrusted input, converted without ever raising: the one place Python's int and float
conversions are made safe.

Python refuses to print or parse a decimal int of more than 4,300 digits (``ValueError``), cannot turn
an int above about 1.8e308 into a float (``OverflowError``), and keeps ints exact however large they
grow (so ``x = x * x`` in a loop takes minutes). A config's numbers are JavaScript's: doubles, where
any of these is simply ``Infinity`` or a rounded float. Every conversion of a number read from a config,
a YAML file or a settings file goes through here.
"""
from __future__ import annotations

import math

#: Above this, an integer is no longer exact in a double: JavaScript keeps it as a float.
SAFE_INTEGER = 2**53
#: More significant digits than this, in any base from 2 to 36, is at least 2**1024: Infinity.
MAX_SIGNIFICANT_DIGITS = 1100


def js_number(n: int | float) -> int | float:
    """The JavaScript number a Python number stands for: an int while it is exact (below 2**53),
    else the nearest double, ``inf`` past the largest one. Never raises."""
    if isinstance(n, bool):
        return int(n)
    if isinstance(n, int):
        if -SAFE_INTEGER < n < SAFE_INTEGER:
            return n
        return _int_to_float(n)
    if isinstance(n, float) and n.is_integer() and abs(n) < SAFE_INTEGER and not (n == 0 and math.copysign(1, n) < 0):
        return int(n)
    return n


def _int_to_float(n: int) -> float:
    try:
        return float(n)
    except OverflowError:
        return math.inf if n > 0 else -math.inf


def digits_to_number(digits: str, base: int = 10) -> int | float:
    """The number a run of digits of ``base`` writes (no sign, no prefix), as JavaScript's parseInt
    gives it: exact when small, a rounded double when large, Infinity past the largest."""
    significant = digits.lstrip("0")
    if not significant:
        return 0
    if len(significant) > MAX_SIGNIFICANT_DIGITS:
        return math.inf
    return js_number(int(significant, base))


def oversized_integers(value: object, key: str, limit: int = 2**63):
    """The places (``key``, ``key[2]``, ``key.sub``) of a parsed TOML or JSON value that hold an integer
    outside ``[-limit, limit)``: TOML's integers are 64-bit, and larger ones cannot be shown or used."""
    stack = [(key, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and not -limit <= item < limit:
            yield where
        elif isinstance(item, dict):
            stack.extend((f"{where}.{k}", v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(item))))
