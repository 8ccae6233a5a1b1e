"""Splitting ``args``/``node_args`` values into arguments exactly as PM2 7 does (and a ``script``
with spaces as the shell does), and finding ``--port N``, ``--port=N`` and ``--inspect=[host:]N``
in them, with the exact place of each number in the file."""
from __future__ import annotations

import re
from dataclasses import dataclass

from portlint.diagnostic import Span
from portlint.evaluator.semantics import digits_value
from portlint.evaluator.values import Arr, OneOf, Prim, Template, Unknown, Value, to_js_string


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


#: JavaScript's whitespace (``\\s``), which PM2's pattern splits on (Python's ``\\s`` differs).
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: The same characters, for str.strip (JavaScript's trim removes these and the line terminators).
_JS_BLANKS = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B))
#: PM2 7's split of an args string (lib/tools/Config.js): ``key="a b"`` and ``key='a b'`` stay one
#: token with their quotes, a wholly quoted token is one token, anything else splits on whitespace.
_PM2_TOKEN = re.compile(
    rf"""[^{JS_SPACE}"'=]+="[^"]*"|[^{JS_SPACE}"'=]+='[^']*'|"[^"]*"|'[^']*'|[^{JS_SPACE}]+""")
#: Stands for a value that is not known text while splitting (never a space, a quote or '=').
_HOLE = "\ue000"


def _joined(pieces: list[_Piece]) -> tuple[str, list[tuple[int, int]]]:
    """The pieces as one text (a value that is not text is one hole character), and for each
    character the piece it comes from and its offset there (-1 for a hole)."""
    text: list[str] = []
    where: list[tuple[int, int]] = []
    for i, piece in enumerate(pieces):
        if piece.text is None:
            text.append(_HOLE)
            where.append((i, -1))
        else:
            text.append(piece.text)
            where.extend((i, k) for k in range(len(piece.text)))
    return "".join(text), where


def _word(pieces: list[_Piece], where: list[tuple[int, int]], start: int, end: int) -> list[_Piece]:
    """The characters start..end of the joined pieces, as pieces again (with exact spans)."""
    out: list[_Piece] = []
    k = start
    while k < end:
        i, offset = where[k]
        piece = pieces[i]
        if offset < 0:
            out.append(piece)
            k += 1
            continue
        stop = k
        while stop < end and where[stop][0] == i and where[stop][1] >= 0:
            stop += 1
        first, last = offset, where[stop - 1][1] + 1
        base = _text_offset(piece)
        span = Span(piece.span.source, base + first, base + last) if base is not None and piece.span else piece.span
        out.append(_Piece(piece.text[first:last], piece.value, span))  # type: ignore[index]
        k = stop
    return out


def _tokens(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Split a string into arguments as PM2 7 does; a value glued to text stays in the same word."""
    text, where = _joined(pieces)
    words = []
    for m in _PM2_TOKEN.finditer(text):
        start, end = m.span()
        token = m.group(0)
        if token[0] in "\"'" and token[-1] == token[0]:
            start, end = start + 1, end - 1  # a wholly quoted token loses its quotes
        if end <= start or not text[start:end].strip(_JS_BLANKS):
            continue  # PM2 drops empty and blank tokens
        words.append(_word(pieces, where, start, end))
    return words


def _shell_words(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Split a shell command (a ``script`` with spaces, run by ``bash -c``) into its words: quotes
    group and disappear, a backslash escapes, blanks separate. Expansions stay as written."""
    text, where = _joined(pieces)
    words: list[list[_Piece]] = []
    current: list[tuple[int, int]] = []  # (start, end) runs of characters kept in the current word
    started = False
    quote = ""
    k = 0

    def keep(a: int, b: int) -> None:
        if current and current[-1][1] == a:
            current[-1] = (current[-1][0], b)
        else:
            current.append((a, b))

    def close() -> None:
        nonlocal started
        if started:
            word: list[_Piece] = []
            for a, b in current:
                word.extend(_word(pieces, where, a, b))
            words.append(word)
        current.clear()
        started = False

    while k < len(text):
        ch = text[k]
        if quote == "'":
            if ch == "'":
                quote = ""
            else:
                keep(k, k + 1)
        elif quote == '"':
            if ch == '"':
                quote = ""
            elif ch == "\\" and k + 1 < len(text) and text[k + 1] in '"\\$`':
                keep(k + 1, k + 2)
                k += 1
            else:
                keep(k, k + 1)
        elif ch in " \t\n":
            close()
        elif ch in "'\"":
            quote, started = ch, True
        elif ch == "\\" and k + 1 < len(text):
            keep(k + 1, k + 2)
            started = True
            k += 1
        else:
            keep(k, k + 1)
            started = True
        k += 1
    close()
    return words


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


def arg_words(value: Value, shell: bool = False) -> list[list[_Piece]] | None:
    """The arguments a value gives the process, each a list of pieces: a list passes item by item
    (never split), a string is split as PM2 7 splits ``args`` (or, with ``shell``, as bash splits a
    command line); None for a value that is neither."""
    if isinstance(value, Arr) and not shell:
        return [_pieces(item) for item in value.items]
    if isinstance(value, Template) or (isinstance(value, Prim) and isinstance(value.value, str)):
        return (_shell_words if shell else _tokens)(_pieces(value))
    return None


def word_text(word: list[_Piece]) -> str | None:
    """The text of one argument, None when part of it is not known."""
    out = []
    for piece in word:
        if piece.text is not None:
            out.append(piece.text)
        elif isinstance(piece.value, Prim) and piece.value.value is not None:
            out.append(to_js_string(piece.value.value))
        else:
            return None
    return "".join(out)


def shown_word(word: list[_Piece]) -> str:
    """One argument for people: its text, with ``${…}`` where a part is not known."""
    return "".join(word_text([p]) or "${\u2026}" for p in word)


def serve_port_arg(value: Value) -> tuple[Value, Span] | None:
    """The second argument of PM2's static server (``serve <path> <port>``): the port it listens on
    when PM2_SERVE_PORT is not set."""
    words = arg_words(value)
    if not words or len(words) < 2:
        return None
    got = _word_value(words[1])
    return got if got is not None and got[1] is not None else None  # type: ignore[return-value]


def scan_args(value: Value, inspect: bool = False, shell: bool = False) -> list[tuple[str, Value, Span]]:
    """Find ``--port N`` / ``--port=N`` (args, or a script run by a shell) or ``--inspect=[host:]N``
    (node_args) in the arguments a value gives."""
    if isinstance(value, OneOf):  # `isProd ? '' : '--port 3000'`: the ports of every branch
        return [found for option in value.options for found in scan_args(option, inspect, shell)]
    words = arg_words(value, shell=shell)
    if words is None:
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


def port_numbers(value: Value, inspect: bool = False) -> set[int]:
    """The port numbers ``--port N``/``--port=N`` (or, with ``inspect``, ``--inspect=[host:]N``) give
    in the arguments of a known value, split as PM2 splits them (``--port '5571'`` is 5571): what
    the fix verifier reads as the ports an app already has, with no place in the file needed."""
    words = [word_text(w) for w in (arg_words(value) or [])]
    flag_re = _INSPECT_FLAG if inspect else _PORT_FLAG
    found: set[int] = set()
    for i, text in enumerate(words):
        m = flag_re.match(text) if text is not None else None
        if not m:
            continue
        number = m.group(1) if "=" in text else (words[i + 1] if not inspect and i + 1 < len(words) else None)
        port = digits_value(number) if number is not None else None
        if port is not None:
            found.add(port)
    return found


def port_digit_spans(text: str) -> list[tuple[int, int]]:
    """Where, in an args string, the digits of each port are, as PM2 splits it: ``--port N``,
    ``--port=N``, ``--port 'N'``, ``"--port=N"`` and ``--inspect[-brk]=[host:]N`` (never a value
    PM2 passes with its quotes, ``--port="N"``): what the fix verifier renumbers."""
    words: list[tuple[int, int]] = []
    for m in _PM2_TOKEN.finditer(text):
        start, end = m.span()
        token = m.group(0)
        if token[0] in "\"'" and token[-1] == token[0]:
            start, end = start + 1, end - 1
        if end > start and text[start:end].strip(_JS_BLANKS):
            words.append((start, end))
    spans = []
    for i, (start, end) in enumerate(words):
        word = text[start:end]
        for flag in (_PORT_FLAG, _INSPECT_FLAG):
            m = flag.match(word)
            if m and m.group(1) is not None and digits_value(m.group(1)) is not None and m.group(1).isdigit():
                spans.append((start + m.start(1), start + m.end(1)))
                break
        else:
            if word == "--port" and i + 1 < len(words):
                nxt = text[words[i + 1][0]:words[i + 1][1]]
                if nxt.isascii() and nxt.isdigit():
                    spans.append(words[i + 1])
    return spans
