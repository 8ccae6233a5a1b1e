"""A fix as plain data: non-overlapping text edits with an applicability and a message.

This module imports nothing of portlint, so a diagnostic can carry a fix and the parser can sit
below the fix machinery without an import circle (diagnostic -> fix/apply -> source/parse -> diagnostic).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets into the text the diagnostic was found in
    end: int
    content: str


@dataclass
class Fix:
    applicability: str  # "safe" | "unsafe"
    message: str
    edits: tuple[Edit, ...]

    def as_json(self, source) -> dict:
        """The edits with 1-based rows and columns of ``source`` (anything with ``position(offset)``)."""
        def loc(offset: int) -> dict:
            row, col = source.position(offset)
            return {"row": row, "column": col}

        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [{"content": e.content, "location": loc(e.start), "end_location": loc(e.end)} for e in self.edits],
        }


def apply_edits(text: str, edits) -> str:
    """``text`` with every edit applied (the edits must not overlap)."""
    out = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[position:edit.start])
        out.append(edit.content)
        position = edit.end
    out.append(text[position:])
    return "".join(out)
