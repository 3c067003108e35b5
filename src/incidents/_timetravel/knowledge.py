"""
What the ledger can answer for: the rule for ``known_at``.

Reads by the ledger, projections and the command line all turn a ``known_at``
into the last recording time (in microseconds) they may see, by this one rule:

- a ``known_at`` later than the clock's reading is refused
  (:class:`~incidents.FutureKnowledgeError`): what will be known then can
  still change;
- a ``known_at`` at or before the ledger's *settled* time is answered at
  once. The settled time is the later of the last committed batch's
  recording time and the mark :meth:`~incidents.storage.EventWriting.settle`
  leaves; every batch still to commit is recorded strictly after it (the
  ledger records each batch after the settled time it reads under the
  writers' lock);
- a ``known_at`` between the settled time and the clock's reading is settled
  first: the store waits for any batch in flight, then leaves a mark that
  every later batch is recorded after. A ledger opened read-only cannot leave
  the mark, and refuses (:class:`~incidents.UnsettledKnowledgeError`).

So once an answer as known at *R* has been given, no later batch can change it.
"""

from __future__ import annotations

import threading
from datetime import datetime

from incidents._domain.time import Clock, check_instant, to_utc
from incidents._errors import FutureKnowledgeError, UnsettledKnowledgeError
from incidents.storage import Store, from_micros, to_micros

__all__ = ["Knowledge"]


class Knowledge:
    """
    One ledger's rule for ``known_at``, remembering how far it has settled.

    Args:
        store: The ledger's store.
        clock: The ledger's clock.
    """

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        # The settled time only moves forward, so the latest one seen stays true.
        self._settled: int | None = None

    def settled(self) -> datetime | None:
        """
        The recording time up to which answers are final (``None`` for an empty ledger).
        """
        found = self._store.settled_until()
        self._remember(found)
        return None if found is None else from_micros(found)

    def until(self, known_at: datetime | None) -> int | None:
        """
        The last recording time, in microseconds, that an answer as known at *known_at* covers.

        Settles the ledger up to *known_at* first where needed (see the module's rule).

        Args:
            known_at: The reader's ``known_at``, or ``None`` for everything recorded.

        Returns:
            Microseconds since the epoch, or ``None`` for no limit.

        Raises:
            FutureKnowledgeError: If *known_at* is later than the clock's reading.
            UnsettledKnowledgeError: If the ledger is read-only and has not
                settled up to *known_at*.
            InvalidInputError: If *known_at* is naive or out of range.
            StorageError: If settling fails.
        """
        if known_at is None:
            return None
        known = to_utc(known_at, what="known_at")
        until = to_micros(known)
        settled = self._settled
        if settled is not None and until <= settled:
            return until
        found = self._store.settled_until()
        self._remember(found)
        if found is not None and until <= found:
            return until
        now = check_instant(self._clock(), what="clock reading")
        if known > now:
            raise FutureKnowledgeError(
                f"known_at {known.isoformat()} is in the future (the ledger's clock reads "
                f"{now.isoformat()}): what will be known then can still change"
            )
        if self._store.read_only:
            last = "nothing" if found is None else from_micros(found).isoformat()
            raise UnsettledKnowledgeError(
                f"known_at {known.isoformat()} is later than what this read-only ledger has "
                f"settled ({last}): a batch could still be recorded at or before it. Ask for "
                "an earlier known_at, or open the ledger writable, which settles it"
            )
        self._store.settle(until)
        self._remember(until)
        return until

    def recorded(self, micros: int) -> None:
        """
        Remember a batch this ledger committed: its recording time is settled.
        """
        self._remember(micros)

    def _remember(self, settled: int | None) -> None:
        if settled is None:
            return
        with self._lock:
            if self._settled is None or settled > self._settled:
                self._settled = settled
