"""
Running a projection without storing it: over records at hand, or live from the log.

:func:`project` runs one over recorded events you already hold (pure, no
storage); :func:`live` computes one from the log on demand, optionally for
one incident as known at a recording time. Both give a :class:`Projected`:
the state with its canonical bytes and digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from uuid import UUID

import attrs

from incidents._domain.events import SOURCES_REGISTRY, Recorded
from incidents._domain.time import to_utc
from incidents._errors import InvalidInputError, UnknownIncidentError
from incidents._gc import Turns
from incidents.projections._encoding import state_bytes
from incidents.projections._engine import Engine, RecordsLookup, StoreLookup
from incidents.projections._projection import LedgerReads, Projection, State
from incidents.storage import Store

__all__ = ["DEFAULT_BATCH_SIZE", "Projected", "check_batch_size", "live", "project", "projected"]

DEFAULT_BATCH_SIZE = 1000
"""Rows read, or events applied, per query or transaction unless told otherwise."""


@attrs.frozen
class Projected:
    """
    A projection's state at a point of the ledger, with its canonical bytes.

    Attributes:
        name: The projection's name.
        version: The projection's version.
        state: The state (yours to keep: nothing else refers to it).
        sequence: The ledger's sequence the state accounts for: every event
            up to it was considered.
        canonical: The state's canonical bytes.
    """

    name: str
    version: str
    state: State
    sequence: int
    canonical: bytes = attrs.field(repr=False)

    @property
    def digest(self) -> str:
        """
        SHA-256 of the canonical bytes, in hex: equal states have equal digests.
        """
        return hashlib.sha256(self.canonical).hexdigest()


# -- running: pure, live, persistent ---------------------------------------------------------


def project(projection: Projection, records: Iterable[Recorded]) -> Projected:
    """
    Run a projection over recorded events you already hold (pure, no storage).

    Args:
        projection: The projection.
        records: Recorded events in ledger order, from the start of the ledger
            (or of an incident), e.g. ``ledger.events(incident_id, known_at=R)``.

    Returns:
        The state after the last record.

    Raises:
        InvalidInputError: If the records are out of order or an amendment
            targets an event not among them.
        ProjectionError: If a handler fails or the state is not canonical JSON.
    """
    engine = Engine(projection, RecordsLookup(), complete=True)
    state = projection.initial()
    last = engine.feed(state, _in_order(records))
    return projected(projection, state, last)


def _in_order(records: Iterable[Recorded]) -> Iterator[Recorded]:
    last = 0
    for recorded in records:
        if recorded.sequence <= last:
            raise InvalidInputError(
                f"records must be in ledger order: sequence {recorded.sequence} after {last}"
            )
        last = recorded.sequence
        yield recorded


def projected(projection: Projection, state: State, sequence: int) -> Projected:
    return Projected(
        name=projection.name,
        version=str(projection.version),
        state=state,
        sequence=sequence,
        canonical=state_bytes(state),
    )


def _sequence_known_at(store: Store, limit: int, head: int) -> int:
    """The last sequence recorded at or before *limit* µs (recording time never decreases)."""
    low, high = 0, head  # invariant: sequence low is known by then; high + 1 is not
    while low < high:
        middle = (low + high + 1) // 2
        row = store.rows(after=middle - 1, limit=1)
        if row and row[0].recorded_at <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def live(
    ledger: LedgerReads,
    projection: Projection,
    *,
    incident_id: UUID | None = None,
    known_at: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Projected:
    """
    Compute a projection from the log now, without storing anything.

    Rows of event types the projection has no handler for are skipped in
    storage, never decoded.

    Args:
        ledger: The ledger.
        projection: The projection.
        incident_id: Only this incident's events.
        known_at: Only what had been recorded by this time.
        batch_size: Rows read per query.

    Returns:
        The state.

    Raises:
        UnknownIncidentError: If *incident_id* names no incident (as known at *known_at*).
        FutureKnowledgeError: If *known_at* is in the future.
        ProjectionError: If a handler fails or the state is not canonical JSON.
    """
    ledger._check_open()
    store = ledger.store
    check_batch_size(batch_size)
    head = store.last_sequence()
    limit = ledger._known_until(known_at)  # the ledger's own rule for known_at
    if limit is not None:
        head = _sequence_known_at(store, limit, head)
    if incident_id is not None and not store.projection_rows(
        after=0, until=head, incident_id=incident_id, limit=1
    ):
        when = "" if known_at is None else f" as known at {to_utc(known_at).isoformat()}"
        raise UnknownIncidentError(f"incident {incident_id} is not recorded{when}")
    engine = Engine(projection, StoreLookup(store), complete=True)
    state = projection.initial()
    # One incident's events come with the sources registry's, in global order:
    # the registry sources the incident cites are the projection's to show.
    streams: list[UUID | None] = [incident_id]
    if incident_id is not None and incident_id != SOURCES_REGISTRY:
        streams.append(SOURCES_REGISTRY)
    after = dict.fromkeys(streams, 0)
    buffered: dict[UUID | None, list[tuple[int, str, bytes]]] = {s: [] for s in streams}
    exhausted: set[UUID | None] = set()
    with Turns() as turns:  # a long catch-up keeps the collector paused (incidents._gc)
        while True:
            for stream in streams:
                if not buffered[stream] and stream not in exhausted:
                    rows = store.projection_rows(
                        after=after[stream],
                        until=head,
                        topics=engine.row_topics,
                        limit=batch_size,
                        incident_id=stream,
                    )
                    turns.step(len(rows))
                    if len(rows) < batch_size:
                        exhausted.add(stream)  # a short batch is the stream's last
                    if rows:
                        after[stream] = rows[-1][0]
                    buffered[stream] = rows
            if not any(buffered.values()):
                break
            # Rows up to the last one read of a stream not yet exhausted are all at
            # hand (every stream's rows come in global order): fed in that order.
            edge = min((buffered[s][-1][0] for s in streams if s not in exhausted), default=head)
            batch = []
            for stream in streams:
                rows = buffered[stream]
                cut = next((k for k, row in enumerate(rows) if row[0] > edge), len(rows))
                batch.extend(rows[:cut])
                buffered[stream] = rows[cut:]
            if len(streams) > 1:
                batch.sort(key=lambda row: row[0])
            engine.feed_rows(state, batch)  # other topics were filtered out in storage
    return projected(projection, state, head)


def check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
