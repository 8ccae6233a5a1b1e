"""Reading a file into text, and turning character offsets into rows and columns."""
from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field

from portlint.source.files import MAX_BYTES, UnreadableFile, read_regular, read_stream, utf8_text  # noqa: F401

#: Line terminators as JavaScript counts them (CRLF is one).
_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


@dataclass
class Source:
    """The text of one config file and its line index."""

    path: str
    text: str
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _bom: int = field(default=0, repr=False)  # 1 when the text starts with a byte order mark

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        # A BOM is kept in the text (a fix writes it back) but is no column: editors hide it.
        self._bom = 1 if self.text.startswith("\ufeff") else 0

    @property
    def kind(self) -> str:
        return kind_of(self.path)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (row, column) of a code-point offset; columns count code points, and a BOM
        at the start of the file is not one of them."""
        offset = max(0, min(offset, len(self.text)))
        row = bisect.bisect_right(self._line_starts, offset) - 1
        column = offset - self._line_starts[row] + 1
        if row == 0:
            column = max(1, column - self._bom)
        return row + 1, column

    def offset(self, row: int, column: int) -> int:
        """Code-point offset of a 1-based (row, column) (the inverse of ``position``)."""
        row = max(1, min(row, len(self._line_starts)))
        start = self._line_starts[row - 1] + (self._bom if row == 1 else 0)
        return min(start + column - 1, len(self.text))

    def line(self, row: int) -> str:
        """The text of a 1-based row, without its line ending (nor a BOM on the first)."""
        start = self._line_starts[row - 1] + (self._bom if row == 1 else 0)
        end = self._line_starts[row] if row < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n\u2028\u2029")

    @property
    def line_count(self) -> int:
        return len(self._line_starts)


def kind_of(path: str) -> str:
    """'js', 'mjs', 'json' or 'yaml', from the file name (as PM2 decides it)."""
    name = os.path.basename(path).lower()
    if name.endswith(".mjs"):
        return "mjs"
    if name.endswith((".yml", ".yaml")):
        return "yaml"
    if name.endswith((".json", ".json5")):
        return "json"
    return "js"


def decode(data: bytes, path: str) -> Source:
    """Bytes to a Source: UTF-8 with an optional BOM; binary or other encodings are refused."""
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary file (contains NUL bytes), not a config")
    return Source(path, utf8_text(data))


def read_source(path: str) -> Source:
    """Read and decode one file, refusing what a config file cannot be."""
    return decode(read_regular(path), path)


def read_stdin(stream=None) -> bytes:
    """Standard input, with the same size cap as a file (the rest is never read)."""
    return read_stream(stream)
