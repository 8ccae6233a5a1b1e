"""One escaper per format family, for untrusted text (file names, process names, labels, keys,
anything a message quotes from a config or the settings).

- **Text** (text, concise, pylint, GitHub annotations, JUnit XML, the map's tables, the language
  server's messages): :func:`printable`. What a person could not see or that would change what
  they see is shown as an escape (``\\n``, ``\\x1b``, ``\\u202e``, ``\\u200b``): control
  characters, bidirectional controls, zero-width and other invisible or space-like characters,
  noncharacters, lone surrogates. A name that is not in Unicode's composed form (NFC) shows its
  combining marks escaped, so ``café`` and ``cafe\\u0301`` are two names on the screen too. After
  it, no character XML 1.0 forbids is left, so JUnit XML is always well formed.
- **JSON** (json, json-lines, SARIF, GitLab, the JSON map): :func:`json_text`. Valid UTF-8 and
  strict JSON (no ``NaN``); U+0085, U+2028 and U+2029 are written as ``\\u`` escapes so a reader
  that splits lines on them (Python's ``splitlines``, JavaScript before ES2019) sees one record
  per line.
- **Markdown** and **HTML**: :func:`markdown` and :func:`html` escape markup after
  :func:`printable`.

A file name that is not UTF-8 (its bytes kept as surrogate escapes by ``os.fsdecode``) is
written with those bytes escaped (``ecosystem.\\xff.config.js``) in every family.
"""
from __future__ import annotations

import json
import re
import unicodedata

#: Characters no reader sees: C0/C1 controls and no-break space, soft hyphen, the combining
#: grapheme joiner, format characters (bidi controls and isolates, zero-width space/joiners,
#: word joiner, BOM, invisible operators, tags, Arabic/Syriac/Kaithi/Egyptian/shorthand/musical
#: format marks), every space but U+0020, line and paragraph separators, Hangul fillers, the
#: braille blank, Mongolian variation selectors, noncharacters and lone surrogates. Generated
#: from Unicode 14's categories Cc, Cf, Cs, Zs, Zl, Zp plus the invisible letters named here;
#: tests/test_escape.py checks it against the running Python's unicodedata.
_INVISIBLE_CLASS = (
    "\x00-\x1f\x7f-\xa0\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u1680"
    "\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u2800\u3000\u3164\ud800-\udfff"
    "\ufdd0-\ufdef\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(ch: str) -> str:
    """One character as a visible escape: ``\\n``, ``\\x1b``, ``\\u202e``, ``\\U000e0041``; a
    surrogate escape of a byte that is not UTF-8 as that byte (``\\xff``)."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # one byte of a name that is not UTF-8 (os.fsdecode's surrogate escape)
        return f"\\x{code - 0xDC00:02x}"
    if ch in _NAMED:
        return _NAMED[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _composing(ch: str) -> bool:
    """A character NFC would combine with its neighbour or replace (combining marks, Hangul
    conjoining jamo, singletons like U+212B ANGSTROM SIGN)."""
    code = ord(ch)
    return (unicodedata.combining(ch) != 0 or unicodedata.category(ch).startswith("M")
            or 0x1100 <= code <= 0x11FF or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF
            or unicodedata.normalize("NFC", ch) != ch)


def printable(text: str) -> str:
    """The text family's escaper (see the module): what a person would not see, escaped."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return _INVISIBLE.sub(lambda m: escaped(m.group()), text)
    return "".join(printable_pieces(text))


def printable_pieces(text: str) -> list[str]:
    """:func:`printable` character by character: what each character of ``text`` is shown as."""
    composed = text.isascii() or unicodedata.is_normalized("NFC", text)
    return [escaped(ch) if _INVISIBLE.match(ch) or (not composed and _composing(ch)) else ch for ch in text]


def width(shown: str) -> int:
    """Terminal columns of printable text: wide (East Asian) characters take two, combining marks none."""
    if shown.isascii():
        return len(shown)
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in shown)


#: What the JSON family escapes in the encoded text: line breaks to some readers, and surrogates
#: (bytes of a name that is not UTF-8), which cannot be written as UTF-8.
_JSON_UNSAFE = re.compile("[\x85\u2028\u2029\ud800-\udfff]")


def _json_escape(match: re.Match) -> str:
    ch = match.group()
    if ch in "\x85\u2028\u2029":
        return f"\\u{ord(ch):04x}"  # a JSON escape: the value is unchanged
    return "\\" + escaped(ch)  # inside a JSON string: the backslash itself is escaped


def json_text(value, indent: int | None = None) -> str:
    """The JSON family's writer: ``value`` as strict JSON text that is valid UTF-8 (see the module).

    Without ``indent`` it is Python's C encoder (the indented form is pure Python and many
    times slower on a large report)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    return _JSON_UNSAFE.sub(_json_escape, text) if _JSON_UNSAFE.search(text) else text


def write_json(stream, value, indent: int | None = None) -> None:
    """:func:`json_text` written to ``stream``; indented JSON is written as it is encoded, a piece
    at a time, so a large report is not held twice in memory."""
    if indent is None:
        stream.write(json_text(value))
        return
    pieces: list[str] = []
    size = 0
    for piece in json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=indent).iterencode(value):
        pieces.append(piece)
        size += len(piece)
        if size > 1 << 16:
            stream.write(_JSON_UNSAFE.sub(_json_escape, "".join(pieces)))  # whole tokens: a string is one piece
            pieces, size = [], 0
    stream.write(_JSON_UNSAFE.sub(_json_escape, "".join(pieces)))


def unicode_safe(text: str) -> str:
    """One string as the JSON family writes it (undecodable bytes of a file name escaped)."""
    return re.sub("[\ud800-\udfff]", lambda m: escaped(m.group()), text)


#: What makes markup inside a line of Markdown (GitHub's included): emphasis, code, links and images
#: (no ``[`` no link), raw HTML and entities, strikethrough, table cells. (``#``, ``-``, ``+``, ``.``
#: only make markup at the start of a line, and nothing escaped here starts one.)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def markdown(text: str) -> str:
    """Markdown's escaper: :func:`printable`, then every markup character backslash-escaped, so a
    quoted name cannot add a link, an image, emphasis, a table cell or HTML."""
    return _MARKDOWN.sub(r"\\\1", printable(text))


def html(text: str) -> str:
    """HTML's escaper (text and attribute values): :func:`printable`, then ``& < > " '``."""
    import html as _html

    return _html.escape(printable(text), quote=True)
