"""
Batches of valid events whose ids say which batch they belong to.

Every event a reliability test records has an id that encodes the writer
(or run) that made it, the batch's number, the event's place in the batch
and the batch's size (:func:`batch_event_id`). Whatever is found in a
ledger afterwards can then be grouped back into batches
(:func:`batch_of`) and checked: a batch is in the ledger in full or not
at all, with consecutive sequence numbers and one recording time.

:class:`Book` keeps what a writer has recorded so far (incidents, their
sources, aircraft not yet corrected or retracted) so that each new batch
it makes is valid: new incidents, sources, aircraft, corrections and
retractions, sometimes across two incidents in one batch.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from incidents import (
    AircraftReported,
    Correction,
    Event,
    IncidentOpened,
    Ledger,
    Recorded,
    Retraction,
    SourceKind,
    SourceRegistered,
    ValidTime,
)

_MAGIC = 0x50A4_C0DE
"""The top 32 bits of every id made here: an id without them was not made by a test."""

TYPES = ("H-6", "Tu-95", "Su-35", "A-50", "Y-9", "Il-78")
NATIONS = ("CN", "RU")
_DAY = datetime(2024, 7, 24, tzinfo=UTC)


class BatchId(NamedTuple):
    """Where an event came from: writer (or run), batch, place in the batch, batch size."""

    writer: int
    batch: int
    index: int
    size: int

    @property
    def key(self) -> tuple[int, int]:
        """The batch: writer and batch number."""
        return self.writer, self.batch


def batch_event_id(writer: int, batch: int, index: int, size: int) -> UUID:
    """
    The id of event *index* of a batch of *size* events.

    Args:
        writer: The writer or run, below 2**16.
        batch: The batch's number, below 2**32.
        index: The event's place in the batch, from 0, below 2**24.
        size: How many events the batch has, below 2**24.
    """
    if not (0 <= writer < 2**16 and 0 <= batch < 2**32 and 0 <= index < size < 2**24):
        raise ValueError(f"batch id out of range: {writer} {batch} {index} {size}")
    return UUID(int=(_MAGIC << 96) | (writer << 80) | (batch << 48) | (index << 24) | size)


def batch_of(event_id: UUID) -> BatchId:
    """
    Which batch an event id made by :func:`batch_event_id` belongs to.

    Raises:
        AssertionError: If the id was not made by :func:`batch_event_id`.
    """
    value = event_id.int
    assert value >> 96 == _MAGIC, f"event {event_id} was not recorded by a reliability test"
    return BatchId(
        writer=(value >> 80) & 0xFFFF,
        batch=(value >> 48) & 0xFFFF_FFFF,
        index=(value >> 24) & 0xFF_FFFF,
        size=value & 0xFF_FFFF,
    )


def batch_size(rng: random.Random) -> int:
    """Mostly a few events, sometimes dozens, now and then hundreds."""
    roll = rng.random()
    if roll < 0.70:
        return rng.randint(1, 5)
    if roll < 0.95:
        return rng.randint(6, 40)
    return rng.randint(41, 300)


class Book:
    """
    What one writer knows is recorded, to keep every batch it makes valid.

    Args:
        writer: The writer's number, encoded in every id it makes.
        shared: Incidents other writers also record into (only aircraft are
            added to them, citing the sources given), by id.
    """

    def __init__(self, writer: int, shared: Mapping[UUID, Sequence[UUID]] | None = None) -> None:
        self.writer = writer
        self.shared = {incident: list(sources) for incident, sources in (shared or {}).items()}
        self.sources: dict[UUID, list[UUID]] = {}
        self.aircraft: dict[UUID, dict[UUID, AircraftReported]] = {}
        self.next_batch = 0

    def remember(self, events: Iterable[Event]) -> None:
        """Take note of events recorded (by this writer or found in the ledger)."""
        for event in events:
            if event.incident_id in self.shared:
                continue
            if isinstance(event, IncidentOpened):
                self.sources.setdefault(event.incident_id, [])
                self.aircraft.setdefault(event.incident_id, {})
            elif isinstance(event, SourceRegistered):
                self.sources[event.incident_id].append(event.source_id)
            elif isinstance(event, AircraftReported):
                self.aircraft[event.incident_id][event.event_id] = event
            elif isinstance(event, Correction | Retraction):
                # An amended aircraft is left alone from then on: never
                # corrected or retracted twice.
                self.aircraft[event.incident_id].pop(event.target_id, None)

    @classmethod
    def from_ledger(cls, ledger: Ledger, writer: int) -> Book:
        """
        The book of a writer restarting on a ledger: what is recorded, and its next batch.

        Args:
            ledger: The ledger, holding only batches made by books.
            writer: The restarting writer's number.
        """
        book = cls(writer)
        for incident in ledger.incident_ids():
            recorded = list(ledger.events(incident))
            book.remember(r.event for r in recorded)
            for r in recorded:
                found = batch_of(r.event_id)
                if found.writer == writer:
                    book.next_batch = max(book.next_batch, found.batch + 1)
        return book

    def batch(self, rng: random.Random, size: int) -> list[Event]:
        """
        The next batch of exactly *size* events, valid after everything noted so far.

        The batch is not noted: call :meth:`remember` once it is recorded.
        A writer with no incident yet and none shared gets two events at least.
        """
        if not self.sources and not self.shared:
            size = max(size, 2)  # the first batch opens an incident: two events at least
        number = self.next_batch
        self.next_batch += 1
        ids = iter([batch_event_id(self.writer, number, i, size) for i in range(size)])
        events: list[Event] = []
        # The batch's own view: what it adds can be referred to later in it.
        sources = {k: list(v) for k, v in self.sources.items()}
        aircraft = {k: dict(v) for k, v in self.aircraft.items()}
        while len(events) < size:
            left = size - len(events)
            if (not sources or rng.random() < 0.1) and left >= 2:
                incident = next(ids)
                source = next(ids)
                events.append(
                    IncidentOpened(
                        incident_id=incident,
                        source_id=source,
                        event_id=incident,
                        title=f"Incident {number}",
                    )
                )
                events.append(_source(incident, source, rng))
                sources[incident] = [source]
                aircraft[incident] = {}
                continue
            if not sources:  # one event left and no incident yet: in a shared one
                incident = rng.choice(sorted(self.shared))
                events.append(
                    _aircraft(incident, rng.choice(self.shared[incident]), next(ids), rng)
                )
                continue
            incident = rng.choice(sorted(sources))
            roll = rng.random()
            if roll < 0.1:
                source = next(ids)
                events.append(_source(incident, source, rng))
                sources[incident].append(source)
            elif roll < 0.2 and aircraft[incident]:
                target = aircraft[incident].pop(rng.choice(sorted(aircraft[incident])))
                events.append(
                    Correction.of(
                        target,
                        source_id=rng.choice(sources[incident]),
                        event_id=next(ids),
                        reason="a better count",
                        count=target.count.low % 4 + 1,
                    )
                )
            elif roll < 0.25 and aircraft[incident]:
                target = aircraft[incident].pop(rng.choice(sorted(aircraft[incident])))
                events.append(
                    Retraction(
                        incident_id=incident,
                        source_id=rng.choice(sources[incident]),
                        event_id=next(ids),
                        target_id=target.event_id,
                        reason="withdrawn",
                    )
                )
            else:
                report = _aircraft(incident, rng.choice(sources[incident]), next(ids), rng)
                events.append(report)
                aircraft[incident][report.event_id] = report
        return events

    def shared_batch(self, rng: random.Random, incident: UUID, size: int) -> list[Event]:
        """The next batch: *size* aircraft reports in a shared incident."""
        number = self.next_batch
        self.next_batch += 1
        return [
            _aircraft(
                incident,
                rng.choice(self.shared[incident]),
                batch_event_id(self.writer, number, i, size),
                rng,
            )
            for i in range(size)
        ]


def _source(incident: UUID, source: UUID, rng: random.Random) -> SourceRegistered:
    return SourceRegistered(
        incident_id=incident,
        source_id=source,
        kind=rng.choice(list(SourceKind)),
        publisher=rng.choice(("NORAD", "JSO", "RIA Novosti")),
    )


def _aircraft(incident: UUID, source: UUID, event_id: UUID, rng: random.Random) -> AircraftReported:
    at = _DAY + timedelta(minutes=rng.randrange(60 * 24 * 60))
    return AircraftReported(
        incident_id=incident,
        source_id=source,
        event_id=event_id,
        type_designation=rng.choice(TYPES),
        nation=rng.choice(NATIONS),
        count=rng.randint(1, 4),
        valid_time=ValidTime.instant(at),
    )


def opening(writer: int) -> list[Event]:
    """A batch of two events that opens an incident with one source (batch 0 of *writer*)."""
    incident, source = batch_event_id(writer, 0, 0, 2), batch_event_id(writer, 0, 1, 2)
    return [
        IncidentOpened(incident_id=incident, source_id=source, event_id=incident, title="Shared"),
        SourceRegistered(
            incident_id=incident, source_id=source, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
        ),
    ]


def whole_batches(records: Iterable[Recorded]) -> dict[tuple[int, int], list[Recorded]]:
    """
    Group recorded events by batch, checking that every batch is whole.

    Each batch must have all its events, at consecutive sequence numbers,
    with one recording time and one recorder.

    Returns:
        The recorded events of each batch, in sequence order, by batch key.

    Raises:
        AssertionError: If a batch is partly present or torn apart.
    """
    groups: dict[tuple[int, int], list[Recorded]] = defaultdict(list)
    for record in records:
        groups[batch_of(record.event_id).key].append(record)
    for key, group in groups.items():
        group.sort(key=lambda r: r.sequence)
        size = batch_of(group[0].event_id).size
        indexes = sorted(batch_of(r.event_id).index for r in group)
        assert indexes == list(range(size)), f"batch {key} is partly written: {indexes} of {size}"
        first = group[0].sequence
        in_order = [batch_of(r.event_id).index for r in group]
        assert [r.sequence - first for r in group] == in_order, (
            f"batch {key} is not at consecutive sequences in its order: "
            f"{[r.sequence for r in group]}"
        )
        assert len({(r.recorded_at, r.recorder) for r in group}) == 1, (
            f"batch {key} has more than one recording time or recorder"
        )
    return dict(groups)


def every_record(ledger: Ledger) -> list[Recorded]:
    """Every recorded event of the ledger, in sequence order, read incident by incident."""
    records = [r for incident in ledger.incident_ids() for r in ledger.events(incident)]
    records.sort(key=lambda r: r.sequence)
    return records
