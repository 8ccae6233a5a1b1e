"""Inline suppression: ``// noqa``, ``// noqa: PL401, PL2`` on the reported line, and a file-wide
``// portlint: noqa`` in the first comment block (``#`` comments in YAML)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from portlint.source.parse import Parsed
from portlint.source.read import Source

_NOQA = re.compile(r"\bnoqa\b(?::\s*(?P<codes>[A-Za-z]+[0-9]*(?:\s*[,\s]\s*[A-Za-z]+[0-9]*)*))?", re.IGNORECASE)
_FILE_NOQA = re.compile(r"^\s*portlint\s*:\s*noqa\b", re.IGNORECASE)
_YAML_COMMENT = re.compile(r"(?:^|\s)#(.*)$")
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)  # what both kinds of noqa comment contain


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
    if not _MENTIONS_NOQA.search(source.text):
        return index  # most files: no comment can be a noqa one, so none is looked for
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
    """(start, end, text) of every comment."""
    if source.kind == "yaml":
        return _yaml_comments(source)
    return scan_js_comments(source.text)


def _yaml_comments(source: Source) -> list[tuple[int, int, str]]:
    out = []
    offset = 0
    for line in source.text.splitlines(keepends=True):
        m = _YAML_COMMENT.search(line.rstrip("\r\n"))
        if m:
            out.append((offset + m.start(1) - 1, offset + len(line.rstrip("\r\n")), m.group(1)))
        offset += len(line)
    return out


_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = ("return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await")


def scan_js_comments(text: str) -> list[tuple[int, int, str]]:
    """Comments of JavaScript text, skipping strings, template literals (with nested ``${}``) and
    regular expression literals. Works on text that does not parse, too."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    start = 1 if text.startswith("\ufeff") else 0
    if text.startswith("#!", start):  # a hashbang line counts as a comment, as in Node
        end = text.find("\n", start)
        end = n if end < 0 else end
        out.append((start, end, text[start + 2:end]))
        i = end
    braces: list[int] = []  # for each open ${ ... }: the brace depth inside it
    depth = 0
    last = ""  # the last significant character, to tell a regex from a division

    def skip_string(j: int, quote: str) -> int:
        j += 1
        while j < n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == quote or c in "\r\n":
                return j + 1
            j += 1
        return n

    def skip_template(j: int) -> tuple[int, bool]:
        """From inside a template: to the closing backtick (False) or into a ${ (True)."""
        while j < n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == "`":
                return j + 1, False
            if c == "$" and j + 1 < n and text[j + 1] == "{":
                return j + 2, True
            j += 1
        return n, False

    while i < n:
        c = text[i]
        if c in " \t\r\n\ufeff":
            i += 1
            continue
        if text.startswith("//", i):
            end = i + 2
            while end < n and text[end] not in "\r\n\u2028\u2029":
                end += 1
            out.append((i, end, text[i + 2:end]))
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append((i, end, text[i + 2:max(i + 2, end - 2)]))
            i = end
            continue
        if c in "'\"":
            i = skip_string(i, c)
            last = "a"
            continue
        closes_substitution = c == "}" and braces and depth - 1 == braces[-1]
        if c == "`" or closes_substitution:
            if closes_substitution:  # back into the template text after `${ ... }`
                braces.pop()
                depth -= 1
            i, opened = skip_template(i + 1)
            if opened:
                braces.append(depth)
                depth += 1
            last = "{" if opened else "a"
            continue
        if c == "/":
            word = re.search(r"([A-Za-z_$][\w$]*)\s*$", text[max(0, i - 12):i])
            if last == "" or last in _REGEX_BEFORE or (word and word.group(1) in _REGEX_KEYWORDS):
                j, in_class = i + 1, False
                while j < n and text[j] not in "\r\n":
                    ch = text[j]
                    if ch == "\\":
                        j += 2
                        continue
                    if ch == "[":
                        in_class = True
                    elif ch == "]":
                        in_class = False
                    elif ch == "/" and not in_class:
                        break
                    j += 1
                i = j + 1
                last = "a"
                continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        last = c
        i += 1
    return out
