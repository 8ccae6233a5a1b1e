"""Inline suppression: ``// noqa``, ``// noqa: PL401, PL2`` on the reported line, and a file-wide
``// portlint: noqa`` in the first comment block (``#`` comments in YAML).

A noqa comment cannot lie: each code it lists suppresses exactly the codes it names (a full code,
or a prefix of real codes such as ``PL4``), so ``PL4O1`` (letter O) suppresses nothing. The index
remembers which comment suppressed what; ``portlint.engine.noqa_checks`` judges the comments from
it (PL004, PL005)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from portlint.source.parse import Parsed
from portlint.source.read import Source

_NOQA = re.compile(r"\bnoqa\b", re.IGNORECASE)
_FILE_NOQA = re.compile(r"^\s*portlint\s*:\s*noqa\b", re.IGNORECASE)
_YAML_COMMENT = re.compile(r"(?:^|\s)#(.*)$")
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)  # what both kinds of noqa comment contain
_WORD = re.compile(r"[A-Za-z0-9_]+")
_SEPARATOR = re.compile(r"[\s,]*")
#: The form of a code or a documented prefix: letters, then digits (PL401, PL4).
CODE_FORM = re.compile(r"[A-Z]+[0-9]+")


@dataclass(frozen=True)
class Token:
    """One code of a ``noqa:`` list, as written (``text``) and where (offsets into the source)."""

    text: str
    start: int
    end: int

    @property
    def code(self) -> str:
        return self.text.upper()


@dataclass(eq=False)
class NoqaComment:
    """One noqa directive: the rows it covers and the codes it lists (None: every code).

    The offsets (into the source's text) are known when the index was built from the source; a
    comment read back from the cache has only its place."""

    first_row: int
    last_row: int
    tokens: tuple[Token, ...] | None
    #: why the directive is malformed and suppresses nothing ('' when it is well formed)
    problem: str = ""
    comment_start: int = -1  # the whole comment, delimiters included
    comment_end: int = -1
    directive_start: int = -1  # from the `noqa` word (or the `//`/`#` before it inside the comment)
    directive_end: int = -1  # to the end of its last code
    #: where it is reported: (row, column, end_row, end_column)
    place: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: the codes it suppressed something for ('*' for a bare noqa that did)
    used: set[str] = field(default_factory=set)

    @property
    def codes(self) -> tuple[str, ...] | None:
        return None if self.tokens is None else tuple(t.code for t in self.tokens)

    def matches(self, code: str) -> str | None:
        """The token of this comment that suppresses ``code`` ('*' for a bare noqa), or None."""
        if self.problem:
            return None
        if self.tokens is None:
            return "*"
        for token in self.tokens:
            if code.startswith(token.code) and CODE_FORM.fullmatch(token.code):
                return token.code
        return None

    def to_data(self) -> list:
        return [self.first_row, self.last_row, *self.place, list(self.codes) if self.tokens is not None else None,
                sorted(self.used)]

    @classmethod
    def from_data(cls, data: list) -> "NoqaComment":
        first, last, row, col, end_row, end_col, codes, used = data
        tokens = None if codes is None else tuple(Token(c, -1, -1) for c in codes)
        return cls(first, last, tokens, place=(row, col, end_row, end_col), used=set(used))


@dataclass
class NoqaIndex:
    """What a file suppresses: the whole file, or per row (None = every code on that row).

    ``comments`` are the file's noqa directives (read from the source); ``deferred`` the ones whose
    use only the whole run can tell (see ``portlint.engine.filter``), which the cache keeps."""

    whole_file: bool = False
    rows: dict[int, set[str] | None] = field(default_factory=dict)
    comments: list[NoqaComment] = field(default_factory=list)
    deferred: list[NoqaComment] = field(default_factory=list)
    source: Source | None = field(default=None, repr=False)

    def to_data(self) -> dict:
        return {"whole_file": self.whole_file,
                "rows": {str(r): (sorted(c) if c is not None else None) for r, c in self.rows.items()},
                "deferred": [c.to_data() for c in self.deferred]}

    @classmethod
    def from_data(cls, data: dict) -> "NoqaIndex":
        return cls(bool(data["whole_file"]), {int(r): (set(c) if c is not None else None) for r, c in data["rows"].items()},
                   deferred=[NoqaComment.from_data(c) for c in data.get("deferred", ())])

    def suppresses(self, row: int, code: str) -> bool:
        if self.whole_file:
            return True
        if row not in self.rows:
            return False
        codes = self.rows[row]
        if not (codes is None or any(code.startswith(prefix) for prefix in codes)):
            return False
        for comment in self._by_row().get(row, ()):
            token = comment.matches(code)
            if token is not None:
                comment.used.add(token)
        return True

    def names(self, row: int, code: str) -> bool:
        """A noqa on ``row`` lists ``code`` or a prefix of it (a bare ``// noqa`` names nothing)."""
        codes = self.rows.get(row)
        return codes is not None and any(code.startswith(prefix) for prefix in codes)

    def add(self, comment: NoqaComment) -> None:
        self.comments.append(comment)
        self.__dict__.pop("_rows_of", None)
        if comment.problem:
            return  # a malformed directive suppresses nothing
        wanted = None if comment.tokens is None else {t.code for t in comment.tokens if CODE_FORM.fullmatch(t.code)}
        for row in range(comment.first_row, comment.last_row + 1):
            current = self.rows.get(row, set())
            if wanted is None or current is None:
                self.rows[row] = None
            else:
                self.rows[row] = current | wanted

    def _by_row(self) -> dict[int, list[NoqaComment]]:
        """row -> the comments covering it (those read from the source, else the deferred ones)."""
        cached = self.__dict__.get("_rows_of")
        if cached is None:
            cached = {}
            for comment in self.comments or self.deferred:
                for row in range(comment.first_row, comment.last_row + 1):
                    cached.setdefault(row, []).append(comment)
            self.__dict__["_rows_of"] = cached
        return cached


def index_for(source: Source, parsed: Parsed | None) -> NoqaIndex:
    index = NoqaIndex(source=source)
    if not _MENTIONS_NOQA.search(source.text):
        return index  # most files: no comment can be a noqa one, so none is looked for
    comments = _comments(source, parsed)
    first_code = _first_code_offset(source.text, comments)
    for start, end, text in comments:
        text_start = start + (2 if source.text.startswith(("//", "/*", "#!"), start) else 1)
        if _FILE_NOQA.match(text):
            if start < first_code:
                index.whole_file = True
                return index
            # a file-wide switch after the first code does nothing: PL004 says so
            index.add(_comment(source, start, end, start, end, None, "misplaced"))
            continue
        for directive in _directives(source, start, end, text, text_start):
            index.add(directive)
    return index


def _comment(source: Source, start: int, end: int, directive_start: int, directive_end: int,
             tokens: tuple[Token, ...] | None, problem: str = "") -> NoqaComment:
    first_row, _ = source.position(start)
    last_row, _ = source.position(max(start, end - 1))
    row, col = source.position(directive_start)
    end_row, end_col = source.position(directive_end)
    return NoqaComment(first_row, last_row, tokens, problem, start, end, directive_start, directive_end,
                       (row, col, end_row, end_col))


def _directives(source: Source, start: int, end: int, text: str, text_start: int) -> list[NoqaComment]:
    """The noqa directives of one comment: ``noqa`` opening the comment, or after a ``//``/``#``
    inside it (``// REST API // noqa: PL301``, or a second ``// noqa: PL501`` an editor appended),
    then optionally ``:`` and codes."""
    out: list[NoqaComment] = []
    for m in _NOQA.finditer(text):
        before = text[:m.start()].rstrip()
        if not before or set(before) <= {"*"}:  # noqa opens the comment (`/** noqa */` too)
            directive_start = text_start + m.start()
        elif before.endswith(("//", "#")):  # after other words: from the `//` or `#` that opens it
            directive_start = text_start + len(before) - (2 if before.endswith("//") else 1)
        else:
            continue  # the word inside prose ("see the noqa docs") is no directive
        position = m.end()
        colon = re.match(r"\s*:", text[position:])
        if colon is None:
            out.append(_comment(source, start, end, directive_start, text_start + m.end(), None))
            continue
        position += colon.end()
        tokens: list[Token] = []
        directive_end = text_start + position
        while True:
            word = _WORD.match(text, _SEPARATOR.match(text, position).end())
            if word is None or not any(ch.isdigit() for ch in word.group()):
                break  # the list ends where the words stop looking like codes (an explanation)
            tokens.append(Token(word.group(), text_start + word.start(), text_start + word.end()))
            position = word.end()
            directive_end = text_start + position
        out.append(_comment(source, start, end, directive_start, directive_end, tuple(tokens),
                            "" if tokens else "no-codes"))
    return out


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
