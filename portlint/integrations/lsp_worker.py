"""The language server's worker: one child process that lints and fixes documents, one job at a
time, so a large file's parse (and its garbage collection) never holds the server's event loop.
A job whose document moved on before its turn is skipped; a worker that dies is replaced."""
from __future__ import annotations

import asyncio
import multiprocessing
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


def _warm() -> None:
    _engine(-1)
    import esprima  # noqa: F401  (the heaviest import, paid before the first document opens)


def lint_job(generation: int, path: str, text: str):
    """In the worker: the diagnostics as plain data, or a one-line problem (str)."""
    from portlint.settings.settings import SettingsError

    try:
        _, found = _engine(generation).lint_file(path, text)
        return [d.to_data() for d in found]
    except SettingsError as exc:
        return f"invalid settings, nothing was linted: {exc}"
    except RecursionError:
        return "internal error: the file is nested too deeply"
    except Exception as exc:
        return f"internal error while linting: {type(exc).__name__}: {exc}"


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
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
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

    async def lint(self, path: str, text: str, still_wanted):
        from portlint.diagnostic import Diagnostic

        found = await self._run(lint_job, path, text, still_wanted=still_wanted)
        return [Diagnostic.from_data(d) for d in found] if isinstance(found, list) else found

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
