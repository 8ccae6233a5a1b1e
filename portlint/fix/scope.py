"""Which files ``--fix`` may write: only those whose real path is inside a folder given on the
command line, or that the user named themselves; a link out of the project is linted, not rewritten."""
from __future__ import annotations

import os


def outside_roots(path: str, roots: list[str]) -> str | None:
    """Why ``path`` must not be rewritten (one line), or None when fixing it is fine."""
    real = os.path.realpath(path)
    for root in roots:
        if os.path.abspath(root) == os.path.abspath(path):
            return None  # named on the command line: the user asked for this very file
        if os.path.isdir(root):
            base = os.path.realpath(root)
            if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
                return None
    return (f"{path}: not fixed: it leads to {real}, outside the paths given on the command line "
            "(name the file itself to fix it)")
