"""Making untrusted text (file names, process names, messages quoting a config) safe to print: no
control character can forge a report line or send a terminal escape sequence, and a file name
that is not UTF-8 (its bytes kept as surrogate escapes) is written as valid UTF-8."""
from __future__ import annotations

import re

#: C0 and C1 controls, DEL, the Unicode line and paragraph separators, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    ch = match.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # one byte of a name that is not UTF-8 (os.fsdecode's surrogate escape)
        return f"\\x{code - 0xDC00:02x}"
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """For text outputs: every control character and undecodable byte as a visible escape (``\\n``, ``\\x1b``, ``\\xff``)."""
    return _UNSAFE.sub(_escape, text)


def unicode_safe(text: str) -> str:
    """For JSON: only what cannot be written as UTF-8 (undecodable bytes of a file name) is escaped;
    JSON escapes control characters itself."""
    return _SURROGATE.sub(_escape, text)
