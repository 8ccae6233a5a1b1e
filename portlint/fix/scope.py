"""Which files ``--fix`` may write: only those whose real path is inside a folder given on the
command line, or that the user named themselves; a link out of the project is linted, not rewritten."""
from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=8)
def _prepared(roots: tuple[str, ...], cwd: str) -> tuple[frozenset, frozenset]:
    """The files named on the command line (absolute) and the real paths of the folders given, made
    once per command line: a pre-commit run names thousands of files, and each is checked."""
    named, folders = set(), set()
    for root in roots:
        named.add(os.path.abspath(root))
        if os.path.isdir(root):
            folders.add(os.path.realpath(root))
    return frozenset(named), frozenset(folders)


def outside_roots(path: str, roots: list[str]) -> str | None:
    """Why ``path`` must not be rewritten (one line), or None when fixing it is fine."""
    named, folders = _prepared(tuple(roots), os.getcwd())
    if os.path.abspath(path) in named:
        return None  # named on the command line: the user asked for this very file
    real = os.path.realpath(path)
    folder = real
    while True:  # the folders above the file: as many steps as it is deep, whatever the number of roots
        if folder in folders:
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return (f"{path}: not fixed: it leads to {real}, outside the paths given on the command line "
            "(name the file itself to fix it)")
