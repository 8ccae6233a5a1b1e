"""Atomic file replacement, shared by fixes and the cache: a temporary file beside the target, then
a rename, so a reader sees the old bytes or the new ones, never half."""
from __future__ import annotations

import os

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def replace_file(directory: str, name: str, data: bytes, *, dir_fd: int | None = None, mode: int | None = None,
                 durable: bool = False) -> None:
    """Write ``data`` as ``name`` in ``directory`` (or in the open folder ``dir_fd``) in one step.

    The temporary file is created exclusively (never through a planted symlink) and the rename
    replaces a symlink at ``name`` itself, never its target. ``mode`` sets the permission bits;
    ``durable`` syncs the data to disk before the rename. Raises OSError; leaves no temporary file.
    """
    where = {"dir_fd": dir_fd} if dir_fd is not None else {}

    def at(entry: str) -> str:
        return entry if dir_fd is not None else os.path.join(directory, entry)

    fd, temp = -1, ""
    for attempt in range(100):
        temp = f".portlint-{os.getpid()}-{attempt}.tmp"
        try:
            fd = os.open(at(temp), _FLAGS, 0o600, **where)
            break
        except FileExistsError:
            continue
    if fd < 0:
        raise FileExistsError(f"no free temporary name for {name} in {directory}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.fchmod(fh.fileno(), mode & 0o7777)
        if dir_fd is not None:
            os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:
            os.replace(at(temp), at(name))
    except BaseException:
        try:
            os.unlink(at(temp), **where)
        except OSError:
            pass
        raise

