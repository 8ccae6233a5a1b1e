"""Which files have uncommitted changes in their git work tree (``--fix --unsafe-fixes`` refuses to
rewrite them unless ``--allow-dirty``, so a migration is always one diff the user can review and undo).

A file is clean when its bytes are the blob ``HEAD`` holds for it (or that blob with CRLF line
endings, as ``core.autocrlf`` checks it out). git is asked only for ``rev-parse`` and ``ls-tree``,
which read the repository's objects and never run a filter, an fsmonitor hook or a pager; the file's
hash is computed here. A file outside any git work tree, or git not installed, is not checked
(the caller says so once); git failing on a repository (``dubious ownership``...) counts as dirty,
with git's reason.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess

from portlint.source.files import UnreadableFile, read_regular

_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CONFIG_PARAMETERS")


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat", LC_ALL="C")
    return subprocess.run(["git", "--no-pager", "-c", "core.fsmonitor=false", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL)


def uncommitted(paths: list[str]) -> tuple[dict[str, str], str | None]:
    """({path: why it counts as uncommitted}, a note when git could not be asked at all)."""
    if not paths:
        return {}, None
    if shutil.which("git") is None:
        return {}, "git is not installed: files with uncommitted changes cannot be told apart"
    dirty: dict[str, str] = {}
    by_top: dict[str, list[tuple[str, str]]] = {}
    tops: dict[str, tuple[str | None, str | None]] = {}
    for path in paths:
        real = os.path.realpath(path)
        folder = os.path.dirname(real)
        if folder not in tops:
            tops[folder] = _top(folder)
        top, failure = tops[folder]
        if top is not None:
            by_top.setdefault(top, []).append((path, os.path.relpath(real, top)))
        elif failure is not None:
            dirty[path] = failure
    for top, files in by_top.items():
        dirty.update(_compare_with_head(top, files))
    return dirty, None


def _top(folder: str) -> tuple[str | None, str | None]:
    """(the work tree's top folder, None); (None, None) outside a work tree; (None, why) when git fails."""
    try:
        proc = _git(["rev-parse", "--show-toplevel"], folder)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"git could not be asked ({exc})"
    if proc.returncode == 0:
        return proc.stdout.decode("utf-8", "surrogateescape").strip() or None, None
    message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    reason = message[-1] if message else f"git exited {proc.returncode}"
    if "not a git repository" in reason:
        return None, None
    return None, f"git cannot tell ({reason.removeprefix('fatal: ')})"


def _compare_with_head(top: str, files: list[tuple[str, str]]) -> dict[str, str]:
    dirty: dict[str, str] = {}
    committed: dict[str, str] = {}
    for start in range(0, len(files), 500):
        chunk = files[start:start + 500]
        try:
            proc = _git(["ls-tree", "-z", "--full-tree", "HEAD", "--", *(rel for _, rel in chunk)], top)
        except (OSError, subprocess.SubprocessError) as exc:
            return {path: f"git could not be asked ({exc})" for path, _ in files}
        if proc.returncode != 0:  # no commit yet: nothing is committed
            return {path: "not committed yet" for path, _ in files}
        for entry in proc.stdout.split(b"\0"):
            if b"\t" in entry:
                meta, name = entry.split(b"\t", 1)
                committed[os.fsdecode(name)] = meta.split()[-1].decode("ascii")
    for path, rel in files:
        blob = committed.get(rel.replace(os.sep, "/"))
        if blob is None:
            dirty[path] = "not committed"
            continue
        try:
            data = read_regular(os.path.realpath(path))
        except UnreadableFile as exc:
            dirty[path] = f"cannot be read ({exc})"
            continue
        if blob not in (_blob_id(data, len(blob)), _blob_id(data.replace(b"\r\n", b"\n"), len(blob))):
            dirty[path] = "has uncommitted changes"
    return dirty


def _blob_id(data: bytes, length: int) -> str:
    """The object id git gives ``data`` as a blob (SHA-1, or SHA-256 in a SHA-256 repository)."""
    algorithm = hashlib.sha256 if length == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data).hexdigest()
