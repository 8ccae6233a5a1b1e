"""Gitignore-style patterns (``.gitignore`` files, the ``exclude`` settings), compiled so that no
pattern and no number of patterns can stop a run:

- matched by RE2, in linear time (no catastrophic backtracking), through pathspec's ``re2``
  backend; RE2 compiles a set of patterns within a memory budget and refuses a few thousand
  wildcard patterns at once ("failed to compile Set"), so patterns are compiled in chunks, which
  are split again when one is still refused. Without negations (``!pattern``) a path is ignored when
  any chunk matches it, exactly as one set would say; a list with negations that RE2 refuses whole
  is matched by pathspec's own backend, in order;
- a pattern that is not valid (``foo\\``, ``[z-a]``) is left out, with its line, and the others are
  kept: one bad line never drops a whole ``.gitignore``;
- an ignore file is read once per real file (device, inode, size and time) and compiled once per
  content, however many folders link to it, so that the same warning is given once.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from typing import Iterable

#: Without RE2 (a platform with no google-re2 wheel), Python's backtracking engine is used and a
#: pattern with more ``*`` wildcards than this in one path segment (``*a*a*a*a*b``) is left out.
MAX_STARS_WITHOUT_RE2 = 3
#: Patterns compiled into one RE2 set: well under the few thousand wildcard patterns a set holds.
CHUNK = 500
#: Patterns read from one ignore file; the lines after are left out (with a warning).
MAX_PATTERNS = 20_000
#: Ignore files (by content) kept compiled; a run sees a handful, a monorepo a few hundred.
MAX_COMPILED = 512

_SEGMENT_STARS = re.compile(r"(?<![*\\])\*(?!\*)")


@dataclass(frozen=True)
class Rejected:
    """A pattern left out: its line (1-based), its text and why."""

    line: int
    pattern: str
    why: str
    invalid: bool = True  # False: a valid pattern left out for a limit (too many, could backtrack)

    def say(self, where: str) -> str:
        shown = self.pattern if len(self.pattern) <= 80 else self.pattern[:77] + "..."
        return f"{where}:{self.line}: pattern {shown!r} is left out: {self.why}"


class PatternSet:
    """Compiled patterns; ``match_file(path)`` as pathspec's (a path relative to the patterns' folder,
    with a trailing ``/`` for a folder)."""

    def __init__(self, specs: list, any_of: bool):
        self._specs = specs
        self._any_of = any_of  # several chunks of patterns without negations

    def match_file(self, path: str) -> bool:
        if self._any_of:
            return any(spec.match_file(path) for spec in self._specs)
        return bool(self._specs) and self._specs[0].match_file(path)


@dataclass(frozen=True)
class Compiled:
    patterns: PatternSet
    rejected: tuple[Rejected, ...] = ()


def compile_patterns(lines: Iterable[str]) -> Compiled:
    """Each line parsed as a gitignore pattern (the bad ones left out, each named), then compiled."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    re2 = re2_available()
    patterns, rejected = [], []
    for number, line in enumerate(lines, 1):
        if number > MAX_PATTERNS:
            rejected.append(Rejected(number, line, f"an ignore list holds at most {MAX_PATTERNS} patterns; "
                                                   "this line and the ones after it are not read", False))
            break
        try:
            pattern = GitIgnoreSpecPattern(line)
        except Exception as exc:  # GitIgnorePatternError, re.error (a range like [z-a]), ...
            rejected.append(Rejected(number, line, f"not a valid pattern ({_first_line(exc)})"))
            continue
        if pattern.include is None:
            continue  # a blank line or a comment
        if not re2 and _may_backtrack(line):
            rejected.append(Rejected(number, line, f"more than {MAX_STARS_WITHOUT_RE2} '*' in one path segment "
                                                   "could take minutes to match without RE2", False))
            continue
        patterns.append(pattern)
    return Compiled(PatternSet(*_compiled(patterns, re2)), tuple(rejected))


def compile_ignore(lines: Iterable[str]) -> PatternSet:
    """The patterns of ``lines`` (the bad ones left out: see ``compile_patterns`` to know which)."""
    return compile_patterns(lines).patterns


def re2_available() -> bool:
    try:
        import re2  # noqa: F401  (google-re2)
    except ImportError:
        return False
    return True


def _compiled(patterns: list, re2: bool) -> tuple[list, bool]:
    import pathspec

    if not re2:
        return [pathspec.GitIgnoreSpec(patterns, backend="simple")], False
    if any(p.include is False for p in patterns):  # negations: order matters, one set or none
        try:
            return [pathspec.GitIgnoreSpec(patterns, backend="re2")], False
        except Exception:  # too many for one RE2 set: pathspec's ordered matcher (Python's re)
            return [pathspec.GitIgnoreSpec([p for p in patterns if not _may_backtrack(p.pattern)],
                                           backend="simple")], False
    specs: list = []
    pending = [patterns[i:i + CHUNK] for i in range(0, len(patterns), CHUNK)]
    while pending:
        chunk = pending.pop(0)
        try:
            specs.append(pathspec.GitIgnoreSpec(chunk, backend="re2"))
        except Exception:
            if len(chunk) == 1:  # RE2 refuses this one pattern alone: Python's re, if it cannot backtrack
                if not _may_backtrack(chunk[0].pattern):
                    specs.append(pathspec.GitIgnoreSpec(chunk, backend="simple"))
                continue
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
    return specs, len(specs) != 1


def _may_backtrack(line) -> bool:
    text = line if isinstance(line, str) else str(line)
    return any(len(_SEGMENT_STARS.findall(segment)) > MAX_STARS_WITHOUT_RE2 for segment in text.split("/"))


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 100 else text[:97] + "..."


# -- ignore files, read once per file and compiled once per content ---------------------------------

_BY_FILE: dict[tuple, str] = {}  # (device, inode, size, mtime, ctime) -> the content's digest
_BY_CONTENT: dict[str, Compiled] = {}  # digest -> compiled, the most recently used last
#: How many times an ignore file was read and compiled (the tests count work, not time).
READS = {"read": 0, "compiled": 0}


def load_ignore_file(path: str, warn=None) -> PatternSet | None:
    """The patterns of the ignore file at ``path`` (None: there is none, or it is not one: a FIFO, a
    device, over the size cap). ``warn(message)`` hears, once per content, of each pattern left out
    and of a file refused for its size."""
    from portlint.source.files import MAX_BYTES, UnreadableFile, read_regular

    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    digest = _BY_FILE.get(key)
    if digest is None or digest not in _BY_CONTENT:
        try:
            READS["read"] += 1
            data = read_regular(path, what="a .gitignore")
        except UnreadableFile as exc:  # a FIFO, device or huge file planted there: not an ignore file
            if warn is not None and exc.too_large:
                _warn_once(("refused", key), warn, f"{path}: {exc}; its patterns are not used")
            return None
        digest = hashlib.sha256(data).hexdigest()
        if len(_BY_FILE) >= 8 * MAX_COMPILED:
            _BY_FILE.clear()
        _BY_FILE[key] = digest
        if digest not in _BY_CONTENT:
            READS["compiled"] += 1
            compiled = compile_patterns(data.decode("utf-8", "replace").splitlines())
            _BY_CONTENT[digest] = compiled
            while len(_BY_CONTENT) > MAX_COMPILED:
                _BY_CONTENT.pop(next(iter(_BY_CONTENT)))
            if warn is not None:
                for rejected in compiled.rejected:
                    warn(rejected.say(path))
    compiled = _BY_CONTENT.pop(digest)
    _BY_CONTENT[digest] = compiled  # most recently used last
    return compiled.patterns


_WARNED: set = set()


def _warn_once(key, warn, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warn(message)
