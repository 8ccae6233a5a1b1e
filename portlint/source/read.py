"""Reading a file into text, and turning character offsets into rows and columns."""
from __future__ import annotations

import bisect
import os
import re
import stat
from dataclasses import dataclass, field

#: Line terminators as JavaScript counts them (CRLF is one).
_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")

#: Files larger than this are not parsed; a config file is a few kilobytes.
MAX_BYTES = 2 * 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be read as config text; the message says why, in one line."""


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
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {row})") from None
    return Source(path, text)


def read_source(path: str) -> Source:
    """Read and decode one file, refusing what a config file cannot be."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile("is a directory, not a config file")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile("not a regular file (FIFO, socket or device); skipped")
    if st.st_size > MAX_BYTES:
        raise UnreadableFile(f"file is {st.st_size} bytes, over the {MAX_BYTES}-byte limit for a config")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"file is over the {MAX_BYTES}-byte limit for a config")
    return decode(data, path)
