"""A set of ports stored as sorted, merged intervals: `"1-65535"` costs one pair, not 65,535 ints,
and a lookup is a binary search."""
from __future__ import annotations

import bisect
from typing import Iterable


class PortSet:
    """Immutable and hashable; ``port in s``, ``s | t``, ``len(s)`` and iteration over the ports."""

    __slots__ = ("intervals", "_starts")

    def __init__(self, ports: Iterable[int] = (), intervals: Iterable[tuple[int, int]] = ()):
        pairs = sorted([(p, p) for p in ports] + [(lo, hi) for lo, hi in intervals])
        merged: list[tuple[int, int]] = []
        for low, high in pairs:
            if merged and low <= merged[-1][1] + 1:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        self.intervals: tuple[tuple[int, int], ...] = tuple(merged)
        self._starts = [low for low, _ in merged]

    def __contains__(self, port: object) -> bool:
        if not isinstance(port, int):
            return False
        i = bisect.bisect_right(self._starts, port) - 1
        return i >= 0 and port <= self.intervals[i][1]

    def __or__(self, other: "PortSet | Iterable[int]") -> "PortSet":
        if isinstance(other, PortSet):
            return PortSet(intervals=self.intervals + other.intervals)
        return PortSet(other, self.intervals)

    __ror__ = __or__

    def __iter__(self):
        for low, high in self.intervals:
            yield from range(low, high + 1)

    def __len__(self) -> int:
        return sum(high - low + 1 for low, high in self.intervals)

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PortSet):
            return self.intervals == other.intervals
        if isinstance(other, (set, frozenset)):
            return len(self) == len(other) and all(p in self for p in other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.intervals)

    def __repr__(self) -> str:  # stable: the cache's settings fingerprint uses it
        return f"PortSet(intervals={self.intervals!r})"
