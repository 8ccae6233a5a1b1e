"""Parallel runs: how many worker processes, and a pool of them that each build their engine with
the callable the main engine gives (from an EngineSpec) and exit on their own when the main process
dies (even by ``kill -9``)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

#: Files below which a run stays in one process.
PARALLEL_THRESHOLD = 40
#: How often a worker checks that the process that started it is still there (seconds).
PARENT_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class EngineSpec:
    """How to build an equivalent Engine in a worker process."""

    overrides: tuple = ()
    config_file: str | None = None
    isolated: bool = False
    disable_noqa: bool = False


def jobs_for(requested: int | None, files: int, can_fork: bool) -> int:
    """--jobs N, or automatic: serial for small runs (starting workers costs more than it saves)."""
    if requested is not None:
        return max(1, min(requested, files))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if files < PARALLEL_THRESHOLD or cpus < 2 or not can_fork:
        return 1
    return min(cpus, 8, max(1, files // (PARALLEL_THRESHOLD // 2)))


_WORKER = None


def _watch_parent(parent: int) -> None:
    """Exit this worker as soon as its parent is gone (its pipes would otherwise keep it waiting)."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="portlint-parent-watch", daemon=True).start()


def _worker_init(build: Callable, parent: int) -> None:
    global _WORKER
    _watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the watch started
        os._exit(3)
    _WORKER = build()


def _worker_lint(path: str):
    assert _WORKER is not None
    return _WORKER.file_result(path)[0]


def lint_in_workers(build: Callable, paths: list[str], jobs: int):
    """FileResult of each path, in order, linted by ``jobs`` worker processes, each with the engine
    ``build()`` makes (a picklable callable from the engine: this module knows no Engine)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    chunk = max(1, len(paths) // (jobs * 8))
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init,
                             initargs=(build, os.getpid())) as pool:
        yield from pool.map(_worker_lint, paths, chunksize=chunk)
