"""
Storage: the contract every backend fulfils, and the mapper onto eventsourcing.

A backend keeps one table of recorded events in the ledger's global order.
Besides the canonical bytes of each event it keeps, as plain columns that
can be queried without decoding anything: the global ``sequence`` (dense,
from 1), the incident (eventsourcing's *originator*), the stream position
(eventsourcing's *originator version*), the event id, the event type
(eventsourcing's *topic*) and the recording time in microseconds since the
Unix epoch.

Backends are eventsourcing application recorders (``insert_events``,
``select_events``, ``select_notifications``, ``max_notification_id``) with a
few additions the ledger needs: an exclusive write transaction
(:meth:`Store.writing`) in which the ledger reads the heads it builds on and
inserts a whole batch atomically, and reads by recording time and event id.
"""

from __future__ import annotations

import contextlib
import operator
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
)

from incidents._codec.canonical import (
    _escape,
    decode_recorded,
    encode_recorded,
    envelope_text,
    event_text,
)
from incidents._domain.events import Recorded
from incidents._gc import BULK, paused_gc
from incidents._tlog.tiles import Tile

__all__ = [
    "EPOCH",
    "AuditCheckpointRow",
    "AuditReader",
    "AuditRow",
    "CommitSignal",
    "FoldSnapshot",
    "LedgerMapper",
    "ProjectionCheckpoint",
    "ProjectionWriter",
    "Store",
    "StoredRecord",
    "Tile",
    "Writer",
    "commit_signal",
    "by_sequence",
    "fetch_rows",
    "stored_record",
    "from_micros",
    "to_micros",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(value: datetime) -> int:
    """
    Microseconds since the Unix epoch of an aware datetime (exact).

    Args:
        value: Aware datetime.

    Returns:
        Integer microseconds.
    """
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """
    Inverse of :func:`to_micros`.

    Args:
        value: Integer microseconds since the epoch.

    Returns:
        Aware datetime in UTC.
    """
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class StoredRecord(Notification):
    """
    One stored row: eventsourcing's notification plus the ledger's columns.

    ``id`` is the global sequence, ``originator_id`` the incident,
    ``originator_version`` the stream position, ``topic`` the event type and
    ``state`` the canonical bytes.
    """

    event_id: UUID
    recorded_at: int


by_sequence: Callable[[StoredRecord], int] = operator.attrgetter("id")
"""Sort key of rows: their global sequence (a row's ``id``)."""


def stored_record(
    sequence: int,
    incident_id: UUID,
    position: int,
    topic: str,
    state: bytes,
    event_id: UUID,
    recorded_at: int,
) -> StoredRecord:
    """
    A :class:`StoredRecord` from its columns, filled in at once.

    The frozen dataclass's ``__init__`` sets fields one by one through
    ``object.__setattr__``; appends and stream reads build thousands of rows.
    """
    row = object.__new__(StoredRecord)
    row.__dict__.update(
        id=sequence,
        originator_id=incident_id,
        originator_version=position,
        topic=topic,
        state=state,
        event_id=event_id,
        recorded_at=recorded_at,
    )
    return row


class _Fetching(Protocol):
    def fetchmany(self, size: int, /) -> list[Any]: ...

    def fetchall(self) -> list[Any]: ...


def leaf_ids(rows: Sequence[StoredRecord]) -> list[bytes]:
    """
    Each row's event id then incident id, 16 bytes each: what a level-0 tile keeps per leaf.
    """
    ids = []
    incident: object = None
    incident_bytes = b""
    for r in rows:
        if r.originator_id is not incident:  # a batch is mostly one incident
            incident = r.originator_id
            incident_bytes = r.originator_id.bytes  # type: ignore[union-attr]
        ids.append(r.event_id.bytes + incident_bytes)
    return ids


def fetch_rows(cursor: _Fetching, build: Callable[[Any], StoredRecord]) -> list[StoredRecord]:
    """
    Every row of an executed query, built; a long read pauses the collector.

    The first :data:`~incidents._gc.BULK` rows are read alone: a read of
    more than that builds many rows at once, which the collector would walk
    again and again as they pile up (see :mod:`incidents._gc`), so the rest
    is read with it paused. A short read never pauses it.

    Args:
        cursor: A DB-API cursor whose query has run.
        build: Makes a row from a fetched tuple.

    Returns:
        The rows, in the query's order.

    """
    first = cursor.fetchmany(BULK)
    if len(first) < BULK:
        return [build(r) for r in first]
    with paused_gc():
        rows = [build(r) for r in first]
        rows += [build(r) for r in cursor.fetchall()]
        return rows


@dataclass(frozen=True)
class FoldSnapshot:
    """
    A stored snapshot of an incident's fold: derived data (see :mod:`incidents._timetravel.service`).

    It covers stream positions ``first_position..last_position``; the last
    event's id and global sequence let a reader check that it was made from
    the events it is about to be replayed against.
    """

    incident_id: UUID
    format: int
    first_position: int
    last_position: int
    last_event_id: UUID
    last_sequence: int
    data: bytes


class LedgerMapper(Mapper[UUID]):
    """
    Maps recorded events to stored rows through the library's cattrs converter.

    eventsourcing's stock mapper reads ``vars(event)``, which slotted attrs
    classes do not have; this one stores the canonical bytes instead, so the
    stored state is exactly what audit hashes.
    """

    def __init__(self) -> None:
        super().__init__(transcoder=JSONTranscoder())

    def to_stored_event(self, domain_event: Any) -> StoredRecord:
        """
        Encode a recorded event as a row.

        Args:
            domain_event: A :class:`~incidents.Recorded`.

        Returns:
            The row, with its canonical bytes.
        """
        assert isinstance(domain_event, Recorded)
        return StoredRecord(
            id=domain_event.sequence,
            originator_id=domain_event.incident_id,
            originator_version=domain_event.position,
            topic=domain_event.type,
            state=encode_recorded(domain_event),
            event_id=domain_event.event_id,
            recorded_at=to_micros(domain_event.recorded_at),
        )

    def to_stored_events(
        self, records: Sequence[Recorded], texts: Sequence[str] | None = None
    ) -> list[StoredRecord]:
        """
        Encode a batch of recorded events as rows.

        The same rows as :meth:`to_stored_event` one by one; the envelope parts a
        batch shares (recording time, recorder) are encoded once.

        Args:
            records: Recorded events, typically one batch with one recording time.
            texts: The events' canonical JSON texts, if already encoded.

        Returns:
            The rows, in the same order.
        """
        rows: list[StoredRecord] = []
        shared: tuple[datetime, str, str, str, int] | None = None
        if texts is None:
            texts = [event_text(r.event) for r in records]
        for r, text in zip(records, texts, strict=True):
            if shared is None or shared[0] is not r.recorded_at or shared[1] is not r.recorder:
                shared = (
                    r.recorded_at,
                    r.recorder,
                    _escape(r.recorded_at.isoformat()),
                    _escape(r.recorder),
                    to_micros(r.recorded_at),
                )
            state = envelope_text(text, r.position, shared[2], shared[3], r.sequence)
            event = r.event
            rows.append(
                stored_record(
                    r.sequence,
                    event.incident_id,
                    r.position,
                    event.TYPE,
                    state.encode("utf-8"),
                    event.event_id,
                    shared[4],
                )
            )
        return rows

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """
        Decode a row.

        Args:
            stored_event: A row read from storage.

        Returns:
            The :class:`~incidents.Recorded` it holds.
        """
        return decode_recorded(stored_event.state)


# -- audit storage: the Merkle tree and checkpoints (see incidents._tlog.tiles) -------------


@dataclass(frozen=True, slots=True)
class AuditCheckpointRow:
    """
    A checkpoint kept in the ledger.

    ``first`` is the first sequence number of the batch the checkpoint was
    signed with (``None`` for checkpoints stored on request), ``created_at``
    the recording time in microseconds, ``note`` the checkpoint's text and
    ``key`` the verifier key of its signer, if any.
    """

    size: int
    first: int | None
    recorder: str | None
    created_at: int
    note: str
    key: str | None


AuditRow = tuple[int, bytes, int, bytes, str, int, bytes]
"""A row as verification reads it: sequence, incident id bytes, position, event id bytes, topic, µs, state."""


class AuditReader(ABC):
    """
    Reads of the audit tables and raw rows, within one snapshot (see :meth:`Store.audit_reading`).
    """

    @abstractmethod
    def audit_origin(self) -> str | None:
        """
        The origin (log name) of the audit tree, or ``None`` before it is set up.
        """

    @abstractmethod
    def audit_edge(self) -> list[Tile]:
        """
        The last tile of every level of the audit tree, lowest level first.
        """

    @abstractmethod
    def audit_tiles(self, level: int, first: int, last: int) -> list[Tile]:
        """
        The stored tiles of one level with index from *first* to *last*, in order.
        """

    @abstractmethod
    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        """
        Raw rows in sequence order with ``sequence > after`` (at most *limit*).
        """

    @abstractmethod
    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        """
        The checkpoints kept in the ledger, in the order they were stored.
        """


class Writer(ABC):
    """
    An open, exclusive write transaction. Obtained from :meth:`Store.writing`.
    """

    @abstractmethod
    def head(self) -> tuple[int, int | None]:
        """
        The last sequence number and its recording time (µs), ``(0, None)`` if empty.
        """

    @abstractmethod
    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        """
        The last position of each incident's stream (0 for unknown incidents).
        """

    def heads(self, incident_ids: Sequence[UUID]) -> tuple[int, int | None, dict[UUID, int]]:
        """
        :meth:`head` and :meth:`stream_heads` at once (one round trip where the backend can).
        """
        last_sequence, last_micros = self.head()
        return last_sequence, last_micros, self.stream_heads(incident_ids)

    @abstractmethod
    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        """
        The stored rows of those of *event_ids* that exist.
        """

    @abstractmethod
    def insert(self, rows: Sequence[StoredRecord]) -> list[bytes]:
        """
        Insert rows; raise ``ConcurrencyError`` or ``DuplicateEventError`` on conflict.

        Returns each row's leaf ids for the audit tree (:func:`leaf_ids`),
        which a backend that turns ids into bytes anyway makes on the way.
        """

    # -- audit ---------------------------------------------------------------------

    @abstractmethod
    def audit_origin(self) -> str | None:
        """
        The origin (log name) of the audit tree, or ``None`` before it is set up.
        """

    @abstractmethod
    def set_audit_origin(self, origin: str) -> None:
        """
        Set up the audit tree under an origin (once, when the ledger gets its tree).
        """

    @abstractmethod
    def audit_edge(self) -> list[Tile]:
        """
        The last tile of every level of the audit tree, lowest level first.
        """

    @abstractmethod
    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        """
        Write tiles, replacing stored tiles at the same level and index.
        """

    @abstractmethod
    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        """
        Keep a checkpoint in the ledger.
        """

    @abstractmethod
    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        """
        Raw rows in sequence order with ``sequence > after`` (at most *limit*).
        """


class CommitSignal:
    """
    Wakes threads of this process waiting for new events: a condition per log.

    Stores of the same log in one process (two ledgers opened on the same
    file, say) share one signal, so a commit through either wakes both; see
    :func:`commit_signal`. Writers in other processes are not heard here:
    waiting falls back on reading the log's last sequence now and then.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._commits = 0

    def committed(self) -> None:
        """Tell every waiting thread that a batch committed."""
        with self._condition:
            self._commits += 1
            self._condition.notify_all()

    def count(self) -> int:
        """Commits signalled so far (a token for :meth:`wait`)."""
        with self._condition:
            return self._commits

    def wait(self, seen: int, timeout: float) -> bool:
        """
        Wait until a commit after token *seen* is signalled or *timeout* seconds pass.

        Returns:
            Whether a commit was signalled.
        """
        with self._condition:
            return self._condition.wait_for(lambda: self._commits != seen, timeout)


_STOP_CHECK = 0.1
"""Seconds between two looks at a waiter's stop event."""

_MIN_POLL = 0.001
"""The shortest time between two reads of the last sequence (no busy loop)."""

_SIGNALS: dict[str, CommitSignal] = {}
_SIGNALS_LOCK = threading.Lock()


def commit_signal(key: str) -> CommitSignal:
    """
    The signal shared by every store of this process on the log named *key*.

    Args:
        key: What identifies the log (a resolved path, a URL with its schema).

    Returns:
        The signal.
    """
    with _SIGNALS_LOCK:
        signal = _SIGNALS.get(key)
        if signal is None:
            signal = _SIGNALS[key] = CommitSignal()
        return signal


class Store(ApplicationRecorder, ABC):
    """
    The storage contract: an eventsourcing application recorder plus the ledger's reads.
    """

    #: Name of the backend, e.g. ``"sqlite"``.
    backend: str = ""
    #: Where the data lives, for messages (a path, a URL without password).
    location: str = ""

    @abstractmethod
    def writing(self) -> contextlib.AbstractContextManager[Writer]:
        """
        Open an exclusive write transaction; commit on success, roll back on error.
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
        An incident's rows in position order, optionally only those recorded by a time.
        """

    @abstractmethod
    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order with ``sequence > after``, optionally bounded.
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
        """
        return {i: len(self.stream(i)) for i in self.incident_ids()}

    @abstractmethod
    def last_sequence(self) -> int:
        """
        The last sequence number (0 when empty).
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

    @abstractmethod
    def close(self) -> None:
        """
        Release connections and files.
        """

    # -- audit (see incidents._tlog.tiles and incidents.audit._verify) -------------------------------

    @abstractmethod
    def audit_reading(self) -> contextlib.AbstractContextManager[AuditReader]:
        """
        Open a read-only snapshot of the events and the audit tables.

        Every read through the yielded reader sees the same state, however
        long verification takes and whatever writers commit meanwhile.
        """

    # -- snapshots: derived data, kept beside the events (incidents._timetravel.service) -----
    # Snapshots can be dropped at any time; nothing in them is trusted over the
    # events. They are keyed by incident, format and first position.

    @abstractmethod
    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Store a snapshot, replacing one with the same key unless that one reaches further.
        """

    @abstractmethod
    def fold_snapshots(self, incident_id: UUID, format: int) -> list[FoldSnapshot]:
        """
        An incident's snapshots of one format, by first position.
        """

    @abstractmethod
    def drop_fold_snapshots(self, incident_id: UUID | None = None) -> int:
        """
        Delete an incident's snapshots (every incident's when ``None``); return how many.
        """

    # -- eventsourcing's recorder interface, shared by all backends ---------------

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """
        Insert rows built by :class:`LedgerMapper` (eventsourcing's interface).

        Args:
            stored_events: :class:`StoredRecord` rows with their sequence set.
            **kwargs: Ignored.

        Returns:
            The sequence numbers inserted.
        """
        rows = [r for r in stored_events if isinstance(r, StoredRecord)]
        if len(rows) != len(stored_events):
            raise TypeError("this recorder stores StoredRecord rows only")
        with self.writing() as writer:
            ids = writer.insert(rows)
            from incidents.storage._tiles import append_rows  # the audit tree covers these rows too

            append_rows(writer, rows, ids)
        return [r.id for r in rows]

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """
        An incident's rows (eventsourcing's interface).
        """
        incident = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        found = [
            r
            for r in self.stream(incident, after_position=gt or 0)
            if lte is None or r.originator_version <= lte
        ]
        if desc:
            found.reverse()
        return found[:limit] if limit is not None else found

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """
        Rows in global order (eventsourcing's interface).
        """
        after = 0 if start is None else (start - 1 if inclusive_of_start else start)
        found: list[Notification] = []
        while len(found) < limit:
            batch = self.rows(after=after, limit=limit)
            if not batch:
                break
            for r in batch:
                if stop is not None and r.id > stop:
                    return found
                if not topics or r.topic in topics:
                    found.append(r)
                    if len(found) == limit:
                        break
            after = batch[-1].id
        return found

    def max_notification_id(self) -> int | None:
        """
        The last sequence number, or ``None`` when empty (eventsourcing's interface).
        """
        return self.last_sequence() or None

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Any:
        """
        Not offered: projections catch up by polling :meth:`rows` instead.

        Raises:
            NotImplementedError: Always.
        """
        raise NotImplementedError(f"the {self.backend} store does not push notifications")

    # -- projections: read models and their checkpoints -------------------------------
    #
    # Used by incidents.projections. A projection's read model lives in the
    # ledger's own database: one row per top-level key of its state, plus one
    # checkpoint row per projection and generation (the last sequence applied),
    # written together in one transaction. A rebuild writes a new generation
    # beside the active one and swaps it in when complete.

    @abstractmethod
    def projection_rows(
        self,
        *,
        after: int,
        until: int | None = None,
        topics: Collection[str] | None = None,
        limit: int | None = None,
        incident_id: UUID | None = None,
        recorded_until: int | None = None,
    ) -> list[tuple[int, str, bytes]]:
        """
        ``(sequence, topic, canonical bytes)`` of rows in global order, filtered in storage.

        Rows of other topics never leave the database. ``after`` is exclusive,
        ``until`` inclusive; ``recorded_until`` bounds the recording time (µs).
        """

    @abstractmethod
    def projection_checkpoints(self, name: str | None = None) -> list[ProjectionCheckpoint]:
        """
        The checkpoints of one projection (every generation), or of all, by name then generation.
        """

    @abstractmethod
    def projection_load(
        self, name: str, generation: int
    ) -> tuple[ProjectionCheckpoint | None, dict[str, bytes]]:
        """
        One generation's checkpoint and documents, read consistently (one snapshot).
        """

    @abstractmethod
    def projection_writing(
        self, name: str, generation: int
    ) -> contextlib.AbstractContextManager[ProjectionWriter]:
        """
        Open a transaction on one generation of a read model; commit on success.

        Writers of the same projection exclude each other; recording is not blocked
        longer than one such transaction.
        """

    @abstractmethod
    def projection_drop(self, name: str, generation: int | None = None) -> None:
        """
        Delete one generation of a read model (default: every one) and its checkpoints.
        """


@dataclass(frozen=True)
class ProjectionCheckpoint:
    """
    Where one generation of a projection's read model stands.

    Attributes:
        name: The projection's name.
        generation: Which build of the read model (a rebuild makes a new one).
        version: The projection's version when the generation was started.
        sequence: The last sequence of the ledger applied (0: nothing yet).
        active: Whether this generation is the one readers see (a rebuild in
            progress is not).
    """

    name: str
    generation: int
    version: str
    sequence: int
    active: bool


class ProjectionWriter(ABC):
    """
    An open transaction on one generation of a read model. See :meth:`Store.projection_writing`.
    """

    @abstractmethod
    def checkpoint(self) -> ProjectionCheckpoint | None:
        """
        The generation's checkpoint as committed, read inside the transaction.
        """

    @abstractmethod
    def put(self, documents: Mapping[str, bytes]) -> None:
        """
        Insert or replace documents by key.
        """

    @abstractmethod
    def delete(self, keys: Collection[str]) -> None:
        """
        Delete documents by key (missing keys are ignored).
        """

    @abstractmethod
    def advance(self, checkpoint: ProjectionCheckpoint) -> None:
        """
        Write the generation's checkpoint (insert or replace).
        """

    @abstractmethod
    def activate(self) -> None:
        """
        Make this generation the active one and delete every other generation.
        """
