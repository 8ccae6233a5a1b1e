"""Small helpers for sets of port numbers: compact text and contiguity."""
from __future__ import annotations

from typing import Iterable


def runs(ports: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, merged runs of consecutive ports: {1,2,3,7} -> [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for p in sorted(set(ports)):
        if out and p == out[-1][1] + 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def compact(ports: Iterable[int]) -> str:
    """{5571, 5572, 5575} -> '5571-5572, 5575'."""
    from portlint.words import listed

    return listed(str(a) if a == b else f"{a}-{b}" for a, b in runs(ports))


def missing(ports: Iterable[int]) -> set[int]:
    """The ports between the lowest and highest that are not in the set."""
    values = set(ports)
    if len(values) < 2:
        return set()
    low, high = min(values), max(values)
    if high - low > 70000:
        return set()
    return set(range(low, high + 1)) - values
