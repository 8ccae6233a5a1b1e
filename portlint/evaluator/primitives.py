"""JavaScript's primitive values as Python holds them, and the conversions between them, exactly as
the language defines them: ToString of a number (``1e+21``, ``1.5e-7``), ToNumber of a string
(``Number('0x1F')``, ``Number('1' + '0'.repeat(5000))`` is ``Infinity``), ``parseInt``,
``parseFloat``, ToIntegerOrInfinity, ToInt32, and strings counted in UTF-16 code units.

A number is an ``int`` while it is an exact integer below 2**53 and a ``float`` otherwise (never a
larger int: see ``portlint.numbers``); a string is a ``str`` (its astral characters are one code point
here and two code units for JavaScript's ``length`` and indexes); ``None`` is ``null``; ``UNDEFINED``
is ``undefined``. Nothing here knows about evaluator values: it is the bottom of the evaluator.
"""
from __future__ import annotations

import math
import re
from array import array

from portlint.numbers import digits_to_number, js_number


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()

#: What JavaScript's String.prototype.trim and Number() strip (WhiteSpace and LineTerminator).
JS_WHITESPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                 "\u2028\u2029\u202f\u205f\u3000\ufeff")

_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_PREFIXED = re.compile(r"0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_BASES = {"x": 16, "o": 8, "b": 2}


def is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# --- ToString --------------------------------------------------------------------------------------

def to_js_string(value: object) -> str:
    """ToString of a primitive."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if is_number(value):
        return number_to_string(value)
    return str(value)


def number_to_string(x: int | float) -> str:
    """Number::toString(10): the shortest digits that read back as the same double, laid out as
    JavaScript does (integers up to 1e21 written out, ``1e+21``, ``0.000001``, ``1e-7``)."""
    if isinstance(x, int):
        if -2**53 < x < 2**53:
            return str(x)
        x = float(js_number(x))
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    digits = all_digits.lstrip("0")
    point -= len(all_digits) - len(digits)
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = (digits[0] + ("." + digits[1:] if k > 1 else "")) + ("e+" if e >= 0 else "e-") + str(abs(e))
    return sign + text


# --- ToNumber --------------------------------------------------------------------------------------

def to_js_number(value: object) -> int | float:
    """ToNumber of a primitive."""
    if value is UNDEFINED:
        return math.nan
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if is_number(value):
        return value
    return string_to_number(str(value))


def string_to_number(text: str) -> int | float:
    """StringToNumber: whitespace around a decimal, ``Infinity``, or a 0x/0o/0b literal; else NaN."""
    text = text.strip(JS_WHITESPACE)
    if not text:
        return 0
    if _DECIMAL.fullmatch(text):
        if text.lstrip("+-") == "Infinity":
            return -math.inf if text[0] == "-" else math.inf
        return js_number(float(text))  # Python's float() has no digit limit and gives inf past the largest
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed:
        return digits_to_number(text[2:], _BASES[text[1].lower()])
    return math.nan


def parse_float(value: object) -> int | float:
    """parseFloat: the longest decimal at the start of the string (after whitespace), else NaN."""
    text = to_js_string(value).lstrip(JS_WHITESPACE)
    match = _DECIMAL.match(text)
    if match is None:
        return math.nan
    found = match.group(0)
    if found.lstrip("+-") == "Infinity":
        return -math.inf if found[0] == "-" else math.inf
    return js_number(float(found))


def parse_int(value: object, radix: object = UNDEFINED) -> int | float:
    """parseInt(string, radix), as the language defines it (ToInt32 of the radix, the 0x prefix)."""
    text = to_js_string(value).lstrip(JS_WHITESPACE)
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    base = to_int32(to_js_number(radix))
    strip_prefix = True
    if base != 0:
        if not 2 <= base <= 36:
            return math.nan
        strip_prefix = base == 16
    else:
        base = 10
    if strip_prefix and text[:2] in ("0x", "0X"):
        text = text[2:]
        base = 16
    end = 0
    for ch in text:
        digit = _digit(ch)
        if digit is None or digit >= base:
            break
        end += 1
    if end == 0:
        return math.nan
    n = digits_to_number(text[:end], base)
    if sign < 0:
        return -n if n != 0 else -0.0
    return n


def _digit(ch: str) -> int | None:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "a" <= ch <= "z":
        return ord(ch) - 87
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    return None


def to_integer(n: int | float) -> int | float:
    """ToIntegerOrInfinity of a number: NaN is 0, fractions go toward zero, infinities stay."""
    if isinstance(n, int):
        return n
    if math.isnan(n):
        return 0
    if math.isinf(n):
        return n
    return js_number(float(math.trunc(n)))


def to_int32(n: int | float) -> int:
    if isinstance(n, float) and (math.isnan(n) or math.isinf(n)):
        return 0
    n = int(n) % 2**32
    return n - 2**32 if n >= 2**31 else n


#: The digits a port is written with: more is no port (and stays text, never Python's refusal).
MAX_DIGITS = 300


def digits_value(text: str) -> int | None:
    """The integer a run of ASCII digits writes (``' 5570 '`` -> 5570), None if it is not one, or if
    it is longer than any port (then it stays the text it is: never Python's refusal to convert)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)


def array_index(key: str) -> int | None:
    """The list index a property key names (``'3'``; not ``'03'`` nor ``'-1'``), or None."""
    if key.isascii() and key.isdigit() and (key == "0" or key[0] != "0") and len(key) <= 10:
        index = int(key)
        return index if index <= 2**32 - 2 else None
    return None


# --- strings as JavaScript counts them -------------------------------------------------------------

def utf16_length(text: str) -> int:
    """``text.length``: code units, so an emoji counts two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ch > "\uffff")


def to_units(text: str) -> str:
    """The string with each astral character written as its two surrogates, so that Python's indexes
    and lengths are JavaScript's."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    return "".join(map(chr, array("H", text.encode("utf-16-le", "surrogatepass"))))


def from_units(units: str) -> str:
    """Back from code units: surrogate pairs become their character again (a lone one stays)."""
    if units.isascii() or not any("\ud800" <= ch <= "\udbff" for ch in units):
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
