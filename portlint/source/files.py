"""Reading any file portlint opens (configs, .gitignore, settings, cache entries) without being trapped:
a regular file only, never a blocking open of a FIFO or device, never more than a size cap."""
from __future__ import annotations

import os
import stat
import sys
from contextlib import contextmanager
from typing import BinaryIO

#: Files larger than this are not read; a config file is a few kilobytes.
MAX_BYTES = 2 * 1024 * 1024

#: O_NONBLOCK: opening a FIFO that was swapped in after the check returns at once instead of
#: waiting for a writer; O_NOCTTY: a terminal device never becomes our controlling terminal.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class UnreadableFile(Exception):
    """The file cannot be read as text; the message says why, in one line. ``too_large``: it was
    refused for its size (the caller may say so differently)."""

    def __init__(self, message: str, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


def _check(st: os.stat_result, limit: int, what: str) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile(f"is a directory, not {what}")
    if stat.S_ISLNK(st.st_mode):
        raise UnreadableFile("a symbolic link, not followed here")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile("not a regular file (a FIFO, socket or device), not read")
    if st.st_size > limit:
        raise UnreadableFile(f"file is {st.st_size} bytes, over the {limit}-byte limit for {what}", too_large=True)


#: Texts a fix run holds in memory (real path -> bytes), read in place of the files while the run
#: verifies its plan; see ``overlay``.
_OVERLAY: dict[str, bytes] = {}


@contextmanager
def overlay(texts: dict[str, str]):
    """While inside, reading any of ``texts``' paths gives its text instead of the file on disk:
    the fix verifier lints a run's fixed files as they will be, before anything is written."""
    saved = dict(_OVERLAY)
    _OVERLAY.update({os.path.realpath(path): text.encode("utf-8") for path, text in texts.items()})
    try:
        yield
    finally:
        _OVERLAY.clear()
        _OVERLAY.update(saved)


def overlaid(path: str) -> bytes | None:
    """The in-memory bytes of ``path`` under ``overlay``, or None (read the file)."""
    return _OVERLAY.get(os.path.realpath(path)) if _OVERLAY else None


def read_regular(path: str, limit: int = MAX_BYTES, what: str = "a config", *, dir_fd: int | None = None,
                 follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else UnreadableFile: the one way
    portlint reads a file (configs, required files, settings, ignore files, the cache, the file
    PortOS reads). The file is checked before it is opened (a device is never opened) and again
    through the open descriptor (a file swapped for a FIFO in between cannot block), and no more
    than ``limit`` bytes are read. ``dir_fd``: ``path`` is relative to that open folder;
    ``follow_symlinks=False``: a symbolic link is refused, never followed."""
    flags = _FLAGS | (0 if follow_symlinks else _NOFOLLOW)
    held = overlaid(path) if dir_fd is None else None
    if held is not None and len(held) <= limit:
        return held
    try:
        plain = dir_fd is None and follow_symlinks
        _check(os.stat(path) if plain else os.stat(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks), limit, what)
        fd = os.open(path, flags) if dir_fd is None else os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    try:
        _check(os.fstat(fd), limit, what)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(f"file is over the {limit}-byte limit for {what}", too_large=True)
    return data


def read_stream(stream: BinaryIO | None = None, limit: int = MAX_BYTES, what: str = "a config") -> bytes:
    """At most ``limit`` bytes of a stream (standard input by default): more is UnreadableFile,
    and the rest is never read into memory."""
    stream = stream if stream is not None else sys.stdin.buffer
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1024 * 1024, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise UnreadableFile(f"input is over the {limit}-byte limit for {what}", too_large=True)
    return b"".join(chunks)


def utf8_text(data: bytes) -> str:
    """UTF-8 bytes to text, or UnreadableFile naming the first bad byte and its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {row})") from None
