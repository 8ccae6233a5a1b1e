"""A bounded piece of a reported line, for what formats show or hash of it (``--show-source``, the
SARIF and GitLab fingerprints): a minified config is one line of megabytes, and copying it once per
finding made a report of a few thousand findings take minutes and gigabytes. Columns are 1-based
code points, like a Diagnostic's."""
from __future__ import annotations

from dataclasses import dataclass

_BREAKS = "\r\n\u2028\u2029"


def bounds(source, row: int) -> tuple[int, int]:
    """The code-point offsets of a row's text in ``source.text`` (without its line break)."""
    start = source.offset(row, 1)
    end = source.offset(row + 1, 1) if row < source.line_count else len(source.text)
    text = source.text
    while end > start and text[end - 1] in _BREAKS:
        end -= 1
    return start, end


@dataclass
class Window:
    text: str  # the shown part of the line
    column: int  # the line's column of text[0]
    cut_before: bool  # the line goes on to the left
    cut_after: bool  # and to the right


def window(source, row: int, column: int, width: int) -> Window:
    """At most ``width`` code points of a row: the whole row when it fits, else a piece that starts
    a little before ``column`` (a third of the width) so the reported token shows with context."""
    start, end = bounds(source, row)
    if end - start <= width:
        return Window(source.text[start:end], 1, False, False)
    at = min(max(start, start + column - 1), end)
    first = max(start, min(at - width // 3, end - width))
    last = min(end, first + width)
    return Window(source.text[first:last], first - start + 1, first > start, last < end)
