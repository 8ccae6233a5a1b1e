"""Where a report goes: ``-o FILE``, written atomically as a regular file, or a one-line error naming
the file.

The file may be in the repository being linted, so nothing there is trusted: the report is written
to a temporary file beside the target and renamed over it (``portlint.fix.atomic.replace_file``), so
a reader sees the old report or the new one and a FIFO at the path can never make portlint wait; a
target that exists and is not a regular file (a FIFO, a device such as ``/dev/stdout``, a folder)
is refused; a FILE given inside the working folder whose real path leads out of it (a planted
``portlint.sarif -> ../../x``, or a linked folder on the way) is refused; and a FILE that is one of
the configs being linted is refused (``check_target``).
"""
from __future__ import annotations

import io
import os
import stat
import sys


class OutputError(Exception):
    """The report file cannot be written; the message names it, in one line (exit 2)."""


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def resolve_target(path: str) -> str:
    """The real path the report for ``-o path`` is written to, or OutputError saying why not."""
    real = os.path.realpath(path)
    here = os.getcwd()
    given_inside = _inside(os.path.abspath(path), here) or _inside(os.path.abspath(path), os.path.realpath(here))
    if given_inside and not _inside(real, os.path.realpath(here)):
        raise OutputError(f"{path}: cannot write the report: it leads to {real}, outside the working folder "
                          "(a symbolic link on the way); not written")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if not os.path.isdir(os.path.dirname(real)):
            raise OutputError(f"{path}: cannot write the report: No such file or directory") from None
        return real
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a FIFO, socket or device)"
        raise OutputError(f"{path}: cannot write the report: {kind}; the report is written only as a regular file")
    return real


def check_target(path: str, linted: list[str]) -> None:
    """OutputError when ``-o path`` would be one of the files being linted (or lead to one)."""
    real = resolve_target(path)
    try:
        target = os.stat(real)
    except OSError:
        return
    for config in linted:
        try:
            st = os.stat(config)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            raise OutputError(f"{path}: cannot write the report over {config}, a config being linted")


class AtomicReport(io.StringIO):
    """The report, kept in memory and written in one step when closed (or at the end of a ``with``
    block that ends without an exception); an exception on the way leaves the old file as it was."""

    def __init__(self, path: str, newline: str | None):
        super().__init__(newline=os.linesep if newline is None else newline)
        self.path = path
        self._target = resolve_target(path)  # refuse at once, before any work is spent on the report

    def close(self) -> None:
        if self.closed:
            return
        text = self.getvalue()
        failed = sys.exc_info()[0] is not None  # closed by a `finally` while an error goes by
        super().close()
        if not failed:
            self._commit(text)

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            super().close()  # the report is incomplete: keep the old file
            return False
        self.close()
        return False

    def _commit(self, text: str) -> None:
        from portlint.fix.atomic import replace_file

        target = resolve_target(self.path)  # again: the path may have changed while the report was made
        directory, name = os.path.split(target)
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode = 0o666 & ~_umask()
        try:
            replace_file(directory or ".", name, text.encode("utf-8", errors="backslashreplace"), mode=mode)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write the report: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def open_output(path: str, newline: str | None = "") -> AtomicReport:
    """A text stream for the report that ``-o path`` names; written atomically, as a regular file
    (see the module's note), when closed. Anything that cannot be encoded is escaped, never an error."""
    return AtomicReport(path, newline)
