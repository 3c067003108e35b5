"""
Pausing Python's cyclic garbage collector while large acyclic structures are built.

CPython runs a collection every few hundred container allocations, and a
full one each time the long-lived heap has grown by a quarter. Building the
fold of a long incident (tens of thousands of facts, versions and index
entries, none of them in a reference cycle) therefore spends more time in the
collector than in the fold: every collection walks everything built so far.
Reference counting still frees what the work throws away; the collector, which
only finds cycles, resumes as soon as the work is done. What the work built
is then moved into the oldest generation at once (see :func:`_age_young`):
left young, it would be walked by the first collection after the pause and
again by the next one of the middle generation, which for a large fold cost
more than a second.

The pause is process-wide, as the collector is. Pauses from several threads
nest: the collector resumes when the last of them ends, and only if it was
running when the first began (a program that disabled it keeps it disabled).
Only bounded, bulk work pauses it (loading a fold, a large batch), never the
small operations a busy program repeats, so the collector is not held off
for long.

Where it pauses: only at the entry points that do bulk work, each named in
``docs/architecture.md`` with the benchmark that shows the pause pays. A
program that wants the collector left alone calls
:func:`incidents.set_gc_pauses` with ``False``.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["AGE_FROM", "BULK", "TURN", "Turns", "paused_gc", "set_gc_pauses"]

BULK = 256
"""How many rows or events make work bulky enough to pause the collector for."""

TURN = 65_536
"""How many rows long work in steps does between the collector's turns (see :class:`Turns`)."""

AGE_FROM = 65_536
"""How many tracked objects a pause must have left to be moved to the oldest generation."""

# Freezing relinks lists where the GIL guards the collector; free-threaded builds walk the heap.
_CHEAP_FREEZE: bool = getattr(sys, "_is_gil_enabled", lambda: True)()

_lock = threading.Lock()
_depth = 0
_resume = False
_allowed = True


def set_gc_pauses(enabled: bool) -> bool:
    """
    Allow or forbid pausing the garbage collector during bulk work.

    The library pauses Python's cyclic garbage collector while it builds
    large structures that hold no reference cycles (loading a long
    incident, a large batch, a catch-up, verifying a ledger): collections
    would walk them again and again. A program that manages the collector
    itself, or that must never see it paused, turns this off; everything
    then works the same, only slower on large ledgers. Pauses already under
    way end as usual.

    Args:
        enabled: ``False`` to leave the collector alone from now on.

    Returns:
        The setting before the call.
    """
    global _allowed
    with _lock:
        before, _allowed = _allowed, bool(enabled)
    return before


def _age_young() -> None:
    """
    Move what the paused work built out of the young generations, without a walk.

    Resumed, the collector would start with a young collection over everything
    built during the pause (which outlives it: a fold, a state) and walk it
    again in the middle generation. ``gc.freeze()`` then ``gc.unfreeze()``
    moves every tracked object into the oldest generation in constant time;
    cyclic garbage among them is still collected, by the next full collection.
    Only after work that built a lot (:data:`AGE_FROM` tracked objects or
    more): objects moved this way do not count towards the next full
    collection, so small work leaves the collector's own bookkeeping alone.
    Skipped if the program froze objects itself (``gc.unfreeze()`` would thaw
    them too), and on free-threaded builds, where freezing walks the heap.
    """
    if _CHEAP_FREEZE and gc.get_count()[0] >= AGE_FROM and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _young_turn() -> None:
    """Collect the young generation now, if one pause alone holds a collector that was running."""
    with _lock:
        alone = _depth == 1 and _resume
    if alone:  # outside the lock: finalizers of what it collects may pause it again
        gc.collect(0)


@contextmanager
def paused_gc(size: int = BULK) -> Iterator[None]:
    """
    Pause the cyclic garbage collector for the duration of the block.

    Args:
        size: How many rows or events the work handles: below :data:`BULK`,
            the collector is left alone (the default always pauses).

    Yields:
        Nothing; the collector resumes when the outermost pause ends.
    """
    global _depth, _resume
    if size < BULK or not _allowed:
        yield
        return
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
                _age_young()
                gc.enable()


class Turns:
    """
    A pause for long work done in steps, giving the collector a turn now and then.

    A catch-up over a long log decodes row after row and drops each one,
    while its state grows. Pausing the collector batch by batch would still
    let it run between batches, each time walking what the batches left.
    Once the work has shown itself bulky (a step of :data:`BULK` rows or
    more), this keeps the collector paused across the steps, giving it a turn
    (a collection of the young generation, where cycles the work left behind
    are) every :data:`TURN` rows, so such cycles are collected as the work
    goes rather than at the next full collection. A turn is skipped while
    another pause holds the collector, or if the program disabled it. Work of
    a few rows never pauses it.
    """

    def __init__(self, every: int = TURN) -> None:
        """Give the collector a turn every *every* rows."""
        self.every = every
        self._since = 0
        self._pause: contextlib.AbstractContextManager[None] | None = None

    def __enter__(self) -> Turns:
        return self

    def __exit__(self, *exc: object) -> None:
        pause, self._pause = self._pause, None
        if pause is not None:
            pause.__exit__(None, None, None)

    def step(self, rows: int) -> None:
        """Count *rows* more rows about to be done: pause from the first bulky step on, with turns."""
        if self._pause is None:
            if rows < BULK:
                return
            self._pause = paused_gc()
            self._pause.__enter__()
            return
        self._since += rows
        if self._since < self.every:
            return
        self._since = 0
        _young_turn()
