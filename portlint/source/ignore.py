"""Gitignore-style patterns (``.gitignore`` files, the ``exclude`` settings) compiled so that no
pattern can make matching backtrack for minutes: RE2, which matches in linear time, through
pathspec's ``re2`` backend."""
from __future__ import annotations

import re
from typing import Iterable

#: Without RE2 (a platform with no google-re2 wheel), Python's backtracking engine is used and a
#: pattern with more ``*`` wildcards than this in one path segment (``*a*a*a*a*b``) is left out.
MAX_STARS_WITHOUT_RE2 = 3

_SEGMENT_STARS = re.compile(r"(?<![*\\])\*(?!\*)")


def compile_ignore(lines: Iterable[str]):
    """A pathspec GitIgnoreSpec of ``lines``, matched by RE2 where it is installed."""
    import pathspec

    lines = list(lines)
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines, backend="re2")
    except ImportError:  # google-re2 is not installed (no wheel for this platform)
        pass
    safe = [line for line in lines if not _may_backtrack(line)]
    return pathspec.GitIgnoreSpec.from_lines(safe, backend="simple")


def _may_backtrack(line: str) -> bool:
    return any(len(_SEGMENT_STARS.findall(segment)) > MAX_STARS_WITHOUT_RE2 for segment in line.split("/"))
