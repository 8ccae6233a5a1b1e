"""Tokenizing ``args``/``node_args`` values: ``--port N``, ``--port=N`` and ``--inspect=[host:]N``,
with the exact place of each number in the file."""
from __future__ import annotations

import re
from dataclasses import dataclass

from portlint.diagnostic import Span
from portlint.evaluator.semantics import digits_value
from portlint.evaluator.values import Arr, Prim, Template, Unknown, Value, to_js_string


_PORT_FLAG = re.compile(r"^--port(?:=(.*))?$")
_INSPECT_FLAG = re.compile(r"^--inspect(?:-brk)?(?:=(?:(?:\[[^\]]*\]|[^:]*):)?(.*))?$")


@dataclass
class _Piece:
    text: str | None  # None for a value that is not known text
    value: Value | None
    span: Span | None


def _pieces(value: Value) -> list[_Piece]:
    """A string value as pieces of text (with exact spans) and embedded values."""
    if isinstance(value, Template):
        out: list[_Piece] = []
        for part in value.parts:
            out.extend(_pieces(part))
        return out
    if isinstance(value, Prim) and isinstance(value.value, str):
        piece = _Piece(value.value, value, value.span)
        offset = _text_offset(piece)
        if offset is not None and value.span is not None:
            piece.span = Span(value.span.source, offset, offset + len(value.value))
        return [piece]
    return [_Piece(None, value, value.span)]


def _text_offset(piece: _Piece) -> int | None:
    """Where the piece's text starts in the file, when the text is written there as-is."""
    span = piece.span
    if span is None or piece.text is None:
        return None
    raw = span.text
    if len(raw) == len(piece.text) and raw == piece.text:
        return span.start
    if raw[:1] in ("'", '"') and raw[1:-1] == piece.text:
        return span.start + 1
    if raw == piece.text:
        return span.start
    return None


def _tokens(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Split pieces into shell-like words; a value glued to text stays in the same word."""
    words: list[list[_Piece]] = [[]]
    for piece in pieces:
        if piece.text is None:
            words[-1].append(piece)
            continue
        offset = _text_offset(piece)
        for m in re.finditer(r"\S+|\s+", piece.text):
            chunk = m.group(0)
            if chunk.isspace():
                if words[-1]:
                    words.append([])
                continue
            span = Span(piece.span.source, offset + m.start(), offset + m.end()) if offset is not None and piece.span else piece.span
            words[-1].append(_Piece(chunk, piece.value, span))
    return [w for w in words if w]


def _word_text(word: list[_Piece]) -> str | None:
    if all(p.text is not None for p in word):
        return "".join(p.text for p in word)  # type: ignore[misc]
    return None


def _word_span(word: list[_Piece]) -> Span | None:
    spans = [p.span for p in word if p.span is not None]
    if not spans:
        return None
    return Span(spans[0].source, spans[0].start, max(s.end for s in spans if s.source is spans[0].source))


def _value_after(word: list[_Piece], prefix_len: int) -> tuple[Value, Span | None] | None:
    """The value following the first ``prefix_len`` characters of a word (``--port=`` then N)."""
    consumed = 0
    rest: list[_Piece] = []
    for piece in word:
        if consumed >= prefix_len:
            rest.append(piece)
            continue
        if piece.text is None:
            return None
        if consumed + len(piece.text) > prefix_len:
            cut = prefix_len - consumed
            span = Span(piece.span.source, piece.span.start + cut, piece.span.end) if piece.span and piece.span.end - piece.span.start == len(piece.text) else piece.span
            rest.append(_Piece(piece.text[cut:], piece.value, span))
        consumed += len(piece.text)
    return _word_value(rest)


def _word_value(word: list[_Piece]) -> tuple[Value, Span | None] | None:
    if not word:
        return None
    span = _word_span(word)
    if len(word) == 1 and word[0].text is None and word[0].value is not None:
        return word[0].value.at(span), span
    text = _word_text(word)
    if text is not None and len(word) == 1 and isinstance(word[0].value, Prim) and to_js_string(word[0].value.value) == text:
        # a whole string value, e.g. String(PORTS.web): keep where the number was defined
        source_value = word[0].value
        if digits_value(text) is not None:
            exact = span is not None and span.end - span.start == len(text)
            return Prim(digits_value(text), literal=exact and source_value.literal, span=span,
                        origin=source_value.origin if not exact else span), span
    if text is not None:
        exact = all(p.span is not None and p.span.end - p.span.start == len(p.text or "") for p in word)
        literal = exact and text.isdigit()
        if digits_value(text) is not None:
            return Prim(digits_value(text), literal=literal, span=span, origin=span), span
        return Prim(text, literal=False, span=span, origin=span), span
    return Unknown(reason="a port built from several values", span=span), span


def scan_args(value: Value, inspect: bool = False) -> list[tuple[str, Value, Span]]:
    """Find ``--port N`` / ``--port=N`` (args) or ``--inspect=[host:]N`` (node_args) in an args value."""
    if isinstance(value, Arr):
        words: list[list[_Piece]] = [_pieces(item) for item in value.items]
    elif isinstance(value, (Prim, Template)) and not (isinstance(value, Prim) and not isinstance(value.value, str)):
        words = _tokens(_pieces(value))
    else:
        return []
    found: list[tuple[str, Value, Span]] = []
    flag_re = _INSPECT_FLAG if inspect else _PORT_FLAG
    flag_name = "--inspect" if inspect else "--port"
    for i, word in enumerate(words):
        head = "".join(p.text or "\0" for p in word)
        m = flag_re.match(head.split("\0")[0]) if "\0" in head else flag_re.match(head)
        if not m:
            continue
        if "=" in head:
            eq = head.index("=")
            if inspect:
                text_before = head.split("\0")[0]
                colon = text_before.rfind(":")
                eq = colon if colon > eq else eq
            got = _value_after(word, eq + 1)
        elif inspect:
            continue  # bare --inspect: the default debugger port, not written in the file
        elif i + 1 < len(words):
            got = _word_value(words[i + 1])
        else:
            got = None
        if got is not None and got[1] is not None:
            found.append((flag_name, got[0], got[1]))
    return found
