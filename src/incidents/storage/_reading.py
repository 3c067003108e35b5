"""
The readers' side of a store: rows by incident, by global order, by recording time and by id.

Used by the ledger's reads, time travel and projections; a follower also
waits here for events recorded after the last one it saw.
"""

from __future__ import annotations

import contextlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator
from uuid import UUID

from incidents.storage._rows import StoredRecord, by_sequence
from incidents.storage._signal import CommitSignal

__all__ = ["EventReading"]

_STOP_CHECK = 0.1
"""Seconds between two looks at a waiter's stop event."""

_MIN_POLL = 0.001
"""The shortest time between two reads of the last sequence (no busy loop)."""


class EventReading(ABC):
    """
    Reads of committed events; each call sees every batch committed before it, whole.

    Recording times are integer microseconds since the Unix epoch, as kept in
    each row's ``recorded_at`` (see :func:`to_micros`).
    """

    @abstractmethod
    def stream(
        self,
        incident_id: UUID,
        *,
        recorded_until: int | None = None,
        after_position: int = 0,
    ) -> list[StoredRecord]:
        """
        An incident's rows in position order.

        Args:
            incident_id: The incident (no rows if unknown).
            recorded_until: Only rows recorded at or before this time (µs).
            after_position: Only rows after this stream position.

        Returns:
            The rows.
        """

    @abstractmethod
    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order.

        Args:
            after: Only rows with a greater sequence.
            limit: At most this many rows.
            recorded_until: Only rows recorded at or before this time (µs).

        Returns:
            The rows.
        """

    @abstractmethod
    def row(self, event_id: UUID) -> StoredRecord | None:
        """
        The row of one event, or ``None``.
        """

    def rows_of(self, event_ids: Collection[UUID]) -> list[StoredRecord]:
        """
        The rows of several events at once, in global order; ids not recorded are left out.

        Backends answer it with one query (a few for thousands of ids); this
        default reads the rows one by one.

        Args:
            event_ids: The events' ids.

        Returns:
            The rows found.
        """
        found = (self.row(i) for i in set(event_ids))
        return sorted((r for r in found if r is not None), key=by_sequence)

    @abstractmethod
    def incident_ids(self) -> list[UUID]:
        """
        Every incident with at least one event, in order of first recording.
        """

    def stream_lengths(self) -> dict[UUID, int]:
        """
        Every incident's number of events (its last stream position), in order of first recording.

        Backends answer it with one query; this default reads every stream.

        Returns:
            Incident id to the length of its stream.
        """
        return {i: len(self.stream(i)) for i in self.incident_ids()}

    @abstractmethod
    def last_sequence(self) -> int:
        """
        The last sequence number (0 when empty).
        """

    @abstractmethod
    def settled_until(self) -> int | None:
        """
        The recording time (µs) up to which what the ledger knows is settled.

        No batch still to commit can have a recording time at or before it:
        it is the later of the last committed batch's recording time and the
        mark left by :meth:`EventWriting.settle`. ``None`` for an empty ledger
        never settled.
        """

    #: Wakes waiters in this process when a batch commits (set by each backend).
    signal: CommitSignal

    #: How often :meth:`wait_for_events` reads the log's last sequence when no
    #: signal can reach it from the writer (another process, another machine).
    poll_interval: float = 0.25

    def wait_for_events(
        self,
        after: int,
        timeout: float,
        *,
        poll: float | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """
        Wait until the log holds events after sequence *after*, at most *timeout* seconds.

        Commits made through this process wake the waiter at once (and on
        PostgreSQL, commits from anywhere: see its store). Writers that cannot
        be heard are seen by reading the log's last sequence, one cheap
        query, every *poll* seconds.

        Args:
            after: The last sequence the caller has seen.
            timeout: The longest wait, in seconds.
            poll: Seconds between two reads of the last sequence (default:
                :attr:`poll_interval`; at least a millisecond).
            stop: Return early, within a tenth of a second, once this is set.

        Returns:
            The log's last sequence when the wait ended (equal to *after* if
            nothing new came).
        """
        poll = self.poll_interval if poll is None else max(_MIN_POLL, poll)
        deadline = time.monotonic() + max(0.0, timeout)
        with self._commit_waiter() as woken:
            look = True
            next_look = 0.0
            while True:
                if look:
                    last = self.last_sequence()
                    if last != after:
                        return last
                    next_look = time.monotonic() + poll
                now = time.monotonic()
                if now >= deadline or (stop is not None and stop.is_set()):
                    return last
                until = min(deadline, next_look)
                if stop is not None:
                    until = min(until, now + _STOP_CHECK)
                look = woken(until - now) or time.monotonic() >= next_look

    @contextlib.contextmanager
    def _commit_waiter(self) -> Iterator[Callable[[float], bool]]:
        """
        Yield ``woken(timeout)``: waits at most *timeout* seconds, true if a commit was announced.

        Commits announced before the first call count (the token is taken
        here, before the caller first reads the log).
        """
        signal = self.signal
        token = signal.count()

        def woken(timeout: float) -> bool:
            nonlocal token
            if signal.wait(token, timeout):
                token = signal.count()
                return True
            return False

        yield woken
