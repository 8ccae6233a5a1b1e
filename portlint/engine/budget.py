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


#: The deadlines (time.monotonic()) of the budgets now open, outermost first: an inner budget never
#: outlasts an outer one (fixing a file lints it several times, all within the file's one budget).
_OPEN: list[float] = []


@contextmanager
def time_budget(seconds: float):
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    import time

    def on_alarm(signum, frame):
        raise TimeBudgetExceeded()

    deadline = time.monotonic() + seconds
    if _OPEN:
        deadline = min(deadline, _OPEN[-1])
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 1e-6))
    _OPEN.append(deadline)
    try:
        yield
    finally:
        _OPEN.pop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if _OPEN:  # the outer budget goes on with the time it has left
            signal.setitimer(signal.ITIMER_REAL, max(_OPEN[-1] - time.monotonic(), 1e-6))
