"""Phase timings for the benchmark (PORTLINT_PHASES=1): start-up, discovery, parse, evaluate,
rules, report. Off by default; costs one dict lookup per phase when off."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager

ENABLED = os.environ.get("PORTLINT_PHASES") == "1"
TOTALS: dict[str, float] = {}


@contextmanager
def phase(name: str):
    if not ENABLED:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        TOTALS[name] = TOTALS.get(name, 0.0) + time.perf_counter() - start


def report() -> None:
    if ENABLED:
        import json
        import sys

        t0 = os.environ.get("PORTLINT_T0")
        if t0:
            TOTALS.setdefault("startup", max(0.0, float(os.environ.get("PORTLINT_T_CLI", "0")) - float(t0)))
        sys.stderr.write("PORTLINT_PHASES " + json.dumps(TOTALS) + "\n")
