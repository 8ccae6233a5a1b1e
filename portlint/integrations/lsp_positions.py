"""Positions between portlint (1-based rows and code-point columns) and an LSP client (0-based
lines and columns in the negotiated position encoding: UTF-8 bytes, UTF-16 units or code points)."""
from __future__ import annotations

import bisect
import re

from lsprotocol import types

#: LSP's line terminators (JavaScript also breaks lines at U+2028/U+2029; LSP clients do not).
_LSP_BREAK = re.compile("\r\n|\r|\n")

_UNITS = {
    "utf-8": lambda s: len(s.encode("utf-8", "surrogatepass")),
    "utf-16": lambda s: len(s.encode("utf-16-le", "surrogatepass")) // 2,
    "utf-32": len,
}


def index_of(line: str, character: int, encoding: str) -> int:
    """The code-point index in ``line`` (its text, without a line break) of a client's character
    offset, clamped to the line as LSP asks. C-speed (an encode and a decode, no loop in Python), so
    a megabyte-long minified line costs a millisecond, not a second."""
    if character <= 0:
        return 0
    if encoding == "utf-32" or line.isascii():
        return min(character, len(line))
    if encoding == "utf-8":
        data = line.encode("utf-8", "surrogatepass")
        if character >= len(data):
            return len(line)
        try:
            return len(data[:character].decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError as exc:  # inside a character: the index after it, as for UTF-16
            return len(data[: exc.start].decode("utf-8", "surrogatepass")) + 1
    data = line.encode("utf-16-le", "surrogatepass")  # utf-16, also for an encoding we do not know
    if 2 * character >= len(data):
        return len(line)
    return len(data[: 2 * character].decode("utf-16-le", "surrogatepass"))


class Text:
    """One snapshot of a document's text, measured in one position encoding."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        from portlint.source.read import Source

        self.text = text
        self.encoding = str(getattr(encoding, "value", encoding))
        self._units = _UNITS.get(self.encoding, _UNITS["utf-16"])
        self._starts = [0] + [m.end() for m in _LSP_BREAK.finditer(text)]
        self._source = Source("", text)  # portlint's own rows (the same text, the same breaks as the engine)

    # -- portlint rows/columns <-> code-point offsets -------------------------------------------
    def offset_of(self, row: int, column: int) -> int:
        """The code-point offset of a portlint (row, column)."""
        return self._source.offset(row, column)

    # -- code-point offsets <-> LSP positions ---------------------------------------------------
    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return types.Position(line=line, character=self._units(self.text[self._starts[line]:offset]))

    def _line_bounds(self, line: int) -> tuple[int, int]:
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n":
            end -= 1
        return start, end

    def offset(self, position: types.Position) -> int:
        """The code-point offset of a client position (clamped to its line, as LSP asks)."""
        if position.line < 0:
            return 0
        if position.line >= len(self._starts):
            return len(self.text)
        start, end = self._line_bounds(position.line)
        return start + index_of(self.text[start:end], position.character, self.encoding)

    def line_end(self, line: int) -> types.Position:
        """The end of a line (before its terminator), as a client position."""
        line = max(0, min(line, len(self._starts) - 1))
        return self.position(self._line_bounds(line)[1])

    def line_text(self, line: int) -> str:
        start, end = self._line_bounds(max(0, min(line, len(self._starts) - 1)))
        return self.text[start:end]

    @property
    def end(self) -> types.Position:
        return self.position(len(self.text))

    # -- both at once ---------------------------------------------------------------------------
    def range(self, start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        """The client range of a portlint span given by its (row, column) ends."""
        return types.Range(start=self.position(self.offset_of(*start)), end=self.position(self.offset_of(*end)))
