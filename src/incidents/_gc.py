"""
Pausing Python's cyclic garbage collector while large acyclic structures are built.

CPython runs a collection every few hundred container allocations, and a
full one each time the long-lived heap has grown by a quarter. Building the
fold of a long incident (tens of thousands of facts, versions and index
entries, none of them in a reference cycle) therefore spends more time in the
collector than in the fold: every collection walks everything built so far.
Reference counting still frees what the work throws away; the collector, which
only finds cycles, resumes as soon as the work is done.

The pause is process-wide, as the collector is. Pauses from several threads
nest: the collector resumes when the last of them ends, and only if it was
running when the first began (a program that disabled it keeps it disabled).
Only bounded, bulk work pauses it (loading a fold, a large batch), never the
small operations a busy program repeats, so the collector is not held off
for long.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BULK", "paused_gc"]

BULK = 256
"""How many rows or events make work bulky enough to pause the collector for."""

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """
    Pause the cyclic garbage collector for the duration of the block.

    Yields:
        Nothing; the collector resumes when the outermost pause ends.
    """
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
