"""Wall time per pipeline stage, summed over a run (stages interleave batch by batch, so they are timed in place)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("ingest", "repair", "map", "units", "load", "link", "reconcile")
totals: dict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        totals[name] += time.perf_counter() - start


def timed_iter(name: str, it: Iterator) -> Iterator:  # type: ignore[type-arg]
    """Time the production of each item of an iterator (the reader), not the work done with it."""
    while True:
        with stage(name):
            try:
                item = next(it)
            except StopIteration:
                return
        yield item


def reset() -> None:
    totals.clear()
