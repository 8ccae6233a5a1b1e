"""The next free block: the first run of N ports in a range that nothing uses or should avoid."""
from __future__ import annotations


def first_free_block(size: int, low: int, high: int, taken: set[int], avoid) -> tuple[int, int] | None:
    """The lowest ``[start, start + size - 1]`` inside ``[low, high]`` with no taken or avoided port."""
    run_start = None
    for port in range(low, high + 1):
        if port in taken or avoid(port):
            run_start = None
            continue
        if run_start is None:
            run_start = port
        if port - run_start + 1 == size:
            return run_start, port
    return None
