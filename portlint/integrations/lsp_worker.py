"""The language server's worker: one child process that lints and fixes documents, one job at a
time, so a large file's parse (and its garbage collection) never holds the server's event loop.
A job whose document moved on before its turn is skipped; a worker that dies is replaced. The worker
exits by itself when the server is gone (even by ``kill -9``), and with it multiprocessing's resource
tracker, which lives as long as a process holds its pipe."""
from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

_ENGINE = None  # in the worker process: (generation, Engine)


def DocumentSettings():
    """A SettingsResolver for documents: each one's settings come from its own folder upwards; the
    server's working folder (wherever the editor was started) is nobody's settings."""
    from portlint.settings.settings import Settings, SettingsResolver

    class _DocumentSettings(SettingsResolver):
        def default(self):
            return Settings()

    return _DocumentSettings()


def _engine(generation: int):
    global _ENGINE
    if _ENGINE is None or _ENGINE[0] != generation:
        from portlint.engine.pipeline import Engine
        from portlint.plugins import load_registry

        _ENGINE = (generation, Engine(DocumentSettings(), load_registry()))
    return _ENGINE[1]


def _started(parent: int) -> None:
    """In the worker, first: exit when the server that started it is gone."""
    import os

    from portlint.engine.workers import _watch_parent

    _watch_parent(parent)
    if os.getppid() != parent:  # the server died before the watch started
        os._exit(3)


def _warm() -> None:
    _engine(-1)
    import esprima  # noqa: F401  (the heaviest import, paid before the first document opens)


def lint_job(generation: int, path: str, text: str, encoding: str = "utf-16"):
    """In the worker: the diagnostics as plain data, or a one-line problem (str). Each diagnostic
    has ``lsp_related``: the client range (in ``encoding``) of each related place, or None, made
    here because a place in another file needs that file's text."""
    from portlint.settings.settings import SettingsError

    try:
        _, found = _engine(generation).lint_file(path, text)
        texts = {path: text}
        return [dict(d.to_data(), lsp_related=[_related_range(r, texts, encoding) for r in d.related])
                for d in found]
    except SettingsError as exc:
        return f"invalid settings, nothing was linted: {exc}"
    except RecursionError:
        return "internal error: the file is nested too deeply"
    except Exception as exc:
        return f"internal error while linting: {type(exc).__name__}: {exc}"


def _related_range(related, texts: dict, encoding: str):
    """[start line, start character, end line, end character] of a related place, or None when its
    file cannot be read (through the checked reader, under the size cap)."""
    from portlint.integrations.lsp_positions import Text

    if related.path not in texts:
        from portlint.source.read import UnreadableFile, read_source

        try:
            texts[related.path] = read_source(related.path).text
        except (UnreadableFile, OSError, ValueError):
            texts[related.path] = None
    text = texts[related.path]
    if text is None:
        return None
    if not isinstance(text, Text):
        text = texts[related.path] = Text(text, encoding)
    span = text.range((related.row, related.column), (related.end_row, related.end_column))
    return [span.start.line, span.start.character, span.end.line, span.end.character]


def fix_job(generation: int, path: str, text: str):
    """In the worker: (fixed text, number of fixes applied) after the same planning and
    verification as ``--fix`` (portlint.fix.run), or None."""
    from portlint.fix.run import fix_files

    try:
        outcome = fix_files(_engine(generation), {path: text}, unsafe=False)[path]
    except Exception:
        return None
    return outcome.text, len(outcome.applied)


def verify_job(generation: int, path: str, text: str, fixes: list):
    """In the worker: for each fix (JSON form, as published), None when it passes the fix verifier,
    else why it is refused; None for the whole list when the check itself failed."""
    from portlint.integrations.lsp_actions import verify_fixes

    try:
        return verify_fixes(_engine(generation), path, text, fixes)
    except Exception:
        return None


class Worker:
    """The server's side: submit jobs one at a time, newest document versions first served."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock: asyncio.Lock | None = None
        self.generation = 0
        self.busy = False

    def start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: the server runs threads, which a forked child must not inherit half-way
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_started, initargs=(os.getpid(),))
            self._pool.submit(_warm)
        return self._pool

    def forget_settings(self) -> None:
        self.generation += 1

    async def _run(self, job, *args, still_wanted=lambda: True):
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not still_wanted():
                return None  # a newer version (or a close) came while this one waited its turn
            self.busy = True
            try:
                future = self.start().submit(job, self.generation, *args)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self._pool = None  # the worker died (killed, out of memory): a new one next time
                return "internal error: the lint worker stopped; it is restarted for the next change"
            finally:
                self.busy = False

    async def lint(self, path: str, text: str, still_wanted, encoding: str = "utf-16"):
        """[(Diagnostic, client ranges of its related places)], or a one-line problem, or None."""
        from portlint.diagnostic import Diagnostic

        found = await self._run(lint_job, path, text, encoding, still_wanted=still_wanted)
        if not isinstance(found, list):
            return found
        return [(Diagnostic.from_data(d), d.get("lsp_related") or []) for d in found]

    async def fix_all(self, path: str, text: str):
        fixed = await self._run(fix_job, path, text)
        return fixed if isinstance(fixed, tuple) else None

    async def verify(self, path: str, text: str, fixes: list) -> list | None:
        found = await self._run(verify_job, path, text, fixes)
        return found if isinstance(found, list) else None

    def stop(self) -> None:
        """Let the worker go: at once if it is idle, else without waiting for its job."""
        if self._pool is not None:
            self._pool.shutdown(wait=not self.busy, cancel_futures=True)
