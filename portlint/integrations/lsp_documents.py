"""The language server's open documents: their text, kept as lines, and the changes the editor sent
that are not applied yet.

A ``didChange`` only queues its changes (no work per change in the handler, and no lsprotocol
structuring of each one); they are applied in slices of a few milliseconds between other work, so
a flood of edits (150,000 partial changes in one message, or in thousands) never holds the event
loop for more than a moment. A whole-text change supersedes what is queued before it. A partial
change costs the lines it touches, not the document. A document over the size cap (2 MiB of UTF-8,
the CLI's cap for a config) is not kept at all: only its size is, to tell the editor why it is not
checked.
"""
from __future__ import annotations

import re
import time
from collections import deque

from portlint.integrations.lsp_positions import index_of
from portlint.source.files import MAX_BYTES

#: How long one slice of applying queued changes may run before it lets other work go first.
SLICE_SECONDS = 0.005
#: Queued changes (all documents) above which the server reads no new message until some are applied.
QUEUE_LIMIT = 20_000

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # LSP's lines, each with its break


def split_lines(text: str) -> list[str]:
    return _LINES.findall(text)


def utf8_size(text: str) -> int:
    """The UTF-8 size of ``text``, encoded a megabyte at a time (a 30 MB text costs no copy of it)."""
    if text.isascii():
        return len(text)
    return sum(len(text[i:i + (1 << 20)].encode("utf-8", "surrogatepass")) for i in range(0, len(text), 1 << 20))


class BadChange(ValueError):
    """A change that is not LSP's shape (skipped, and said once in the log)."""


def _position(value) -> tuple[int, int]:
    if not isinstance(value, dict):
        raise BadChange("a position is an object")
    line, character = value.get("line"), value.get("character")
    if type(line) is not int or type(character) is not int:
        raise BadChange("a position's line and character are integers")
    return max(0, line), max(0, character)


class Document:
    """One open document: its version, its text (None: over the size cap), the changes queued."""

    def __init__(self, version: int, text: str, encoding: str) -> None:
        self.encoding = encoding
        self.version = version
        self.queue: deque = deque()  # [changes, index of the next one to apply]
        self.pending = 0  # changes queued, not applied yet
        self.lines: list[str] | None = []
        self.length = 0  # code points of the text
        self.too_large: int | None = None  # the size (bytes) of a text over the cap
        self.bad: str | None = None  # the first bad change, for the log
        self._whole(text)

    # -- receiving --------------------------------------------------------------------------
    def receive(self, version: int, changes: list) -> None:
        """Queue a didChange's changes; O(1), whatever their number."""
        self.version = version
        last = changes[-1] if changes else None
        if isinstance(last, dict) and "range" not in last and len(changes) == 1:
            self._drop_queue()  # the whole text (what a client of full sync sends): nothing before it matters
        if changes:
            self.queue.append([changes, 0])
            self.pending += len(changes)

    def _drop_queue(self) -> None:
        self.queue.clear()
        self.pending = 0

    # -- applying ---------------------------------------------------------------------------
    def apply_some(self, seconds: float = SLICE_SECONDS) -> bool:
        """Apply queued changes for about ``seconds``; True when none is left."""
        deadline = time.monotonic() + seconds
        while self.queue:
            item = self.queue[0]
            changes, i = item
            while i < len(changes):
                self._apply(changes[i])
                i += 1
                self.pending -= 1
                if i % 32 == 0 and time.monotonic() > deadline:
                    if self.queue and self.queue[0] is item:  # (a change over the cap empties the queue)
                        item[1] = i
                    return not self.queue
            if self.queue and self.queue[0] is item:
                self.queue.popleft()
        return True

    def _apply(self, change) -> None:
        try:
            if not isinstance(change, dict) or not isinstance(change.get("text"), str):
                raise BadChange("a change is an object with a text")
            if "range" not in change:
                self._whole(change["text"])
            elif self.lines is not None:
                span = change["range"]
                if not isinstance(span, dict):
                    raise BadChange("a range is an object")
                self._edit(_position(span.get("start")), _position(span.get("end")), change["text"])
        except BadChange as exc:
            self.bad = self.bad or str(exc)

    def _whole(self, text: str) -> None:
        size = utf8_size(text)
        if size > MAX_BYTES:
            self.lines, self.length, self.too_large = None, 0, size
        else:
            self.lines, self.length, self.too_large = split_lines(text), len(text), None

    def _locate(self, line: int, character: int) -> tuple[int, int]:
        """(line index, code-point index in it) of a client position, clamped to the text."""
        lines = self.lines
        if line >= len(lines):
            return len(lines) - 1, len(lines[-1])
        text = lines[line].rstrip("\r\n")
        return line, index_of(text, character, self.encoding)

    def _edit(self, start: tuple[int, int], end: tuple[int, int], new: str) -> None:
        lines = self.lines
        if not lines:
            self.lines = split_lines(new)
            self.length = len(new)
        else:
            (l1, i1), (l2, i2) = sorted((self._locate(*start), self._locate(*end)))
            line = lines[l1]
            if (l1 == l2 and "\r" not in new and "\n" not in new and i2 <= len(line.rstrip("\r\n"))
                    and (i1 > 0 or l1 == 0 or not lines[l1 - 1].endswith("\r"))):
                lines[l1] = line[:i1] + new + line[i2:]  # within one line: the usual keystroke
                removed = i2 - i1
            else:  # re-split the lines around it (a \r and a \n brought together make one break)
                first, last = max(0, l1 - 1), min(len(lines), l2 + 2)
                before = sum(len(x) for x in lines[first:l1])
                region = "".join(lines[first:last])
                a, b = before + i1, before + sum(len(x) for x in lines[l1:l2]) + i2
                lines[first:last] = split_lines(region[:a] + new + region[b:])
                removed = b - a
            self.length += len(new) - removed
        if self.length > MAX_BYTES:  # over the cap for sure: stop holding it
            self.lines, self.too_large, self.length = None, self.length, 0

    # -- reading ----------------------------------------------------------------------------
    def text(self) -> str | None:
        """The current text (after every queued change), None when it is over the size cap."""
        while not self.apply_some(1e9):
            pass
        if self.lines is None:
            return None
        text = "".join(self.lines)
        size = utf8_size(text)
        if size > MAX_BYTES:
            self.lines, self.too_large, self.length = None, size, 0
            return None
        return text
