"""Inline suppression: ``// noqa``, ``// noqa: PL401, PL2`` on the reported line, and a file-wide
``// portlint: noqa`` in the first comment block (``#`` comments in YAML)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .parse import Parsed
from .source import Source

_NOQA = re.compile(r"\bnoqa\b(?::\s*(?P<codes>[A-Za-z]+[0-9]*(?:\s*[,\s]\s*[A-Za-z]+[0-9]*)*))?", re.IGNORECASE)
_FILE_NOQA = re.compile(r"^\s*portlint\s*:\s*noqa\b", re.IGNORECASE)
_YAML_COMMENT = re.compile(r"(?:^|\s)#(.*)$")


@dataclass
class NoqaIndex:
    """What a file suppresses: whole file, or per row (None = every code on that row)."""

    whole_file: bool = False
    rows: dict[int, set[str] | None] = field(default_factory=dict)

    def to_data(self) -> dict:
        return {"whole_file": self.whole_file,
                "rows": {str(r): (sorted(c) if c is not None else None) for r, c in self.rows.items()}}

    @classmethod
    def from_data(cls, data: dict) -> "NoqaIndex":
        return cls(bool(data["whole_file"]), {int(r): (set(c) if c is not None else None) for r, c in data["rows"].items()})

    def suppresses(self, row: int, code: str) -> bool:
        if self.whole_file:
            return True
        if row not in self.rows:
            return False
        codes = self.rows[row]
        return codes is None or any(code.startswith(prefix) for prefix in codes)

    def add(self, row: int, comment: str) -> None:
        if _FILE_NOQA.match(comment):
            return  # a file-wide switch outside the first comment block does nothing
        m = _NOQA.search(comment)
        if not m:
            return
        codes = m.group("codes")
        if codes is None:
            self.rows[row] = None
            return
        wanted = {c.upper() for c in re.split(r"[\s,]+", codes) if c}
        current = self.rows.get(row, set())
        if current is not None:
            self.rows[row] = current | wanted


def index_for(source: Source, parsed: Parsed | None) -> NoqaIndex:
    index = NoqaIndex()
    comments = _comments(source, parsed)
    first_code = _first_code_offset(source.text, comments)
    for start, end, text in comments:
        if start < first_code and _FILE_NOQA.match(text):
            index.whole_file = True
            return index
        row_start, _ = source.position(start)
        row_end, _ = source.position(end)
        for row in range(row_start, row_end + 1):
            index.add(row, text)
    return index


def _first_code_offset(text: str, comments: list[tuple[int, int, str]]) -> int:
    """Where the first thing that is not a comment or white space starts: the first comment block
    is everything before it."""
    position = 0
    for start, end, _ in sorted(comments):
        if text[position:start].strip().lstrip("\ufeff"):
            break
        position = end
    rest = text[position:]
    stripped = rest.lstrip().lstrip("\ufeff")
    return position + (len(rest) - len(stripped)) if stripped else len(text)


def _comments(source: Source, parsed: Parsed | None) -> list[tuple[int, int, str]]:
    """(start, end, text) of every comment, from the parser when the file parsed, else a scan."""
    if source.kind == "yaml" or (parsed is None and source.kind == "yaml"):
        return _yaml_comments(source)
    program = parsed.program if parsed is not None else None
    if program is not None and getattr(program, "comments", None) is not None:
        shift = parsed.shift
        return [(c.range[0] - shift, c.range[1] - shift, c.value) for c in program.comments]
    return _scan_js_comments(source.text)


def _yaml_comments(source: Source) -> list[tuple[int, int, str]]:
    out = []
    offset = 0
    for line in source.text.splitlines(keepends=True):
        m = _YAML_COMMENT.search(line.rstrip("\r\n"))
        if m:
            out.append((offset + m.start(1) - 1, offset + len(line.rstrip("\r\n")), m.group(1)))
        offset += len(line)
    return out


def _scan_js_comments(text: str) -> list[tuple[int, int, str]]:
    """A forgiving scan for files that did not parse: // and /* */ outside simple strings."""
    out = []
    i, n = 0, len(text)
    quote = None
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote or (c == "\n" and quote != "`"):
                quote = None
        elif c in "'\"`":
            quote = c
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append((i, end, text[i + 2:end]))
            i = end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append((i, end, text[i + 2:end - 2]))
            i = end
            continue
        i += 1
    return out
