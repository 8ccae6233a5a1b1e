"""The run's deadline (``max-seconds-per-run``): one wall-clock limit for a whole run, shared by every
file (each gets at most what is left of it, under its own ``max-seconds-per-file``), the worker
processes and the project pass. What the deadline stops is reported, never dropped: see
``RunResult.unchecked``."""
from __future__ import annotations

import time

class RunDeadline:
    """``seconds`` from now (``ends``: a ``time.monotonic()`` value, which worker processes share)."""

    def __init__(self, seconds: float | None, ends: float | None = None):
        self.seconds = seconds
        self.ends = ends if ends is not None else (time.monotonic() + seconds if seconds else None)

    def remaining(self) -> float | None:
        """Seconds left (at most 0 once it passed); None when the run has no deadline."""
        return None if self.ends is None else max(0.0, self.ends - time.monotonic())

    def passed(self) -> bool:
        return self.ends is not None and time.monotonic() >= self.ends

    def limit(self, seconds: float) -> tuple[float, bool]:
        """The time a step may take under its own limit ``seconds`` and what is left of the run, and
        whether it is the run's deadline that sets it."""
        left = self.remaining()
        if left is None or left >= seconds:
            return seconds, False
        return left, True

    @property
    def reason(self) -> str:
        return (f"the run reached its time limit of {self.seconds:g} s (the `max-seconds-per-run` setting, "
                "--max-seconds-per-run)")
