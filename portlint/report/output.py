"""Where a report goes: ``-o FILE`` opened for writing, or a one-line error naming the file."""
from __future__ import annotations

from typing import TextIO


class OutputError(Exception):
    """The report file cannot be written; the message names it, in one line (exit 2)."""


def open_output(path: str, newline: str | None = "") -> TextIO:
    """``path`` opened for a UTF-8 report; anything that cannot be encoded is escaped, never an error."""
    try:
        return open(path, "w", encoding="utf-8", errors="backslashreplace", newline=newline)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
