"""Writing a fixed file safely: only if it is still the text that was fixed, keeping what it is.

- The file is read for fixing with a ``Stamp`` (size, mtime_ns, inode and a SHA-256 of its bytes).
  Just before the write, the file on disk is checked against it; an edit saved meanwhile (an
  editor's autosave) means the fix is skipped with a message (``Stale``), never overwritten.
- A link is written through to its target, and the file keeps its mode. A file with one name is
  replaced atomically (a temporary file beside it, synced, then a rename). A file with several
  hard links, or owned by another user, is rewritten in place instead, so that every name keeps
  showing the same file and its owner stays: the new bytes are written over the old ones, and if
  that fails the old bytes are put back.
- A read-only file or folder, or a write that fails, is ``WriteFailed``: one line naming the file
  (the command exits 2 and does not count the file as fixed).
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass


class WriteFailed(Exception):
    """The fixed text could not be written; one line for the user."""


class Stale(Exception):
    """The file changed since it was read for fixing; one line for the user."""


@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int
    inode: tuple[int, int]
    digest: str

    @classmethod
    def of(cls, st: os.stat_result, data: bytes) -> "Stamp":
        return cls(st.st_size, st.st_mtime_ns, (st.st_dev, st.st_ino), hashlib.sha256(data).hexdigest())


def read_for_fix(path: str) -> tuple[str, Stamp]:
    """The text of ``path`` and the stamp it is written against; UnreadableFile as for linting."""
    from portlint.source.files import UnreadableFile, read_regular
    from portlint.source.read import decode

    for _ in range(3):
        try:
            before = os.stat(path)
        except OSError as exc:
            raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
        data = read_regular(path)
        after = os.stat(path)
        if _same_file(before, after):  # not changing while it was read
            return decode(data, path).text, Stamp.of(after, data)
    raise UnreadableFile("the file keeps changing while it is read")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_dev, a.st_ino) == (b.st_size, b.st_mtime_ns, b.st_dev, b.st_ino)


def write_fixed(path: str, text: str, stamp: Stamp) -> None:
    """Replace the contents of ``path`` (through a symlink, its target) with ``text``."""
    target = os.path.realpath(path)
    data = text.encode("utf-8")
    try:
        st = os.stat(target)
    except OSError as exc:
        raise WriteFailed(f"{path}: cannot write the fix: {exc.strerror or exc}") from None
    if (st.st_size, st.st_mtime_ns, (st.st_dev, st.st_ino)) != (stamp.size, stamp.mtime_ns, stamp.inode):
        raise Stale(f"{path}: not fixed: the file changed since it was read (saved meanwhile?); run --fix again")
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteFailed(f"{path}: the file is read-only; the fixes were not written")
    directory = os.path.dirname(target) or "."
    try:
        folder = os.stat(directory)
    except OSError as exc:
        raise WriteFailed(f"{path}: cannot write the fix into {directory}: {exc.strerror or exc}") from None
    if not folder.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(directory, os.W_OK):
        raise WriteFailed(f"{path}: the folder {directory} is read-only; the fixes were not written")
    owner = (os.geteuid(), os.getegid()) if hasattr(os, "geteuid") else (st.st_uid, st.st_gid)
    in_place = st.st_nlink > 1 or (st.st_uid, st.st_gid) != owner  # a new file would be another file, or another's
    if in_place:
        _write_in_place(path, target, data, stamp)
        return
    _check_bytes(path, target, stamp)
    from portlint.fix.atomic import replace_file

    try:
        replace_file(directory, os.path.basename(target), data, mode=stat.S_IMODE(st.st_mode), durable=True)
    except OSError as exc:
        raise WriteFailed(f"{path}: cannot write the fix into {directory}: {exc.strerror or exc}") from None


def _check_bytes(path: str, target: str, stamp: Stamp) -> None:
    """The bytes on disk are still those that were fixed (an edit within the same mtime tick)."""
    from portlint.source.files import UnreadableFile, read_regular

    try:
        data = read_regular(target)
    except UnreadableFile as exc:
        raise WriteFailed(f"{path}: cannot write the fix: {exc}") from None
    if hashlib.sha256(data).hexdigest() != stamp.digest:
        raise Stale(f"{path}: not fixed: the file changed since it was read (saved meanwhile?); run --fix again")


def _write_in_place(path: str, target: str, data: bytes, stamp: Stamp) -> None:
    """Overwrite the file's own bytes (every hard link sees them; owner and mode stay)."""
    try:
        fd = os.open(target, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise WriteFailed(f"{path}: cannot write the fix: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != stamp.inode:
            raise Stale(f"{path}: not fixed: the file changed since it was read (saved meanwhile?); run --fix again")
        old = b""
        while len(old) < st.st_size + 1:
            chunk = os.pread(fd, st.st_size + 1 - len(old), len(old))
            if not chunk:
                break
            old += chunk
        if hashlib.sha256(old).hexdigest() != stamp.digest:
            raise Stale(f"{path}: not fixed: the file changed since it was read (saved meanwhile?); run --fix again")
        try:
            _overwrite(fd, data)
        except OSError as exc:
            try:
                _overwrite(fd, old)
                restored = "it was restored"
            except OSError:
                restored = "it could not be restored: check it"
            raise WriteFailed(f"{path}: cannot write the fix: {exc.strerror or exc} ({restored})") from None
    finally:
        os.close(fd)


def _overwrite(fd: int, data: bytes) -> None:
    written = 0
    while written < len(data):
        written += os.pwrite(fd, data[written:], written)
    os.ftruncate(fd, len(data))
    os.fsync(fd)
