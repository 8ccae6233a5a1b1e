"""A wall-clock budget per file: a pathological input gets a diagnostic instead of a hang.

Uses SIGALRM (an interval timer) on the main thread where the platform has it; elsewhere (other
threads, Windows) the evaluator's own step budget is the limit.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class TimeBudgetExceeded(BaseException):  # not an Exception: no broad `except` may swallow it
    pass


@contextmanager
def time_budget(seconds: float):
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeBudgetExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
