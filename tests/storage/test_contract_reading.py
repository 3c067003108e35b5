"""The readers' side of every backend: streams, global order, recording time, ids, incidents."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator

import pytest

from incidents._gc import BULK
from incidents.storage import Store, StoredRecord
from support.backends import T0, stored_row


@pytest.fixture
def recorded(store: Store) -> tuple[uuid.UUID, uuid.UUID, list[StoredRecord]]:
    """Two incidents, interleaved over three batches recorded one second apart."""
    a, b = uuid.uuid4(), uuid.uuid4()
    batches = [
        [stored_row(1, a, 1), stored_row(2, a, 2)],
        [
            stored_row(3, b, 1, recorded_at=T0 + 1_000_000),
            stored_row(4, a, 3, recorded_at=T0 + 1_000_000),
        ],
        [stored_row(5, b, 2, recorded_at=T0 + 2_000_000, topic="AircraftReported")],
    ]
    for batch in batches:
        with store.writing() as writer:
            writer.insert(batch)
    return a, b, [r for batch in batches for r in batch]


def test_an_empty_store_reads_nothing(store: Store) -> None:
    assert store.rows() == []
    assert store.stream(uuid.uuid4()) == []
    assert store.row(uuid.uuid4()) is None
    assert store.rows_of([uuid.uuid4()]) == []
    assert store.incident_ids() == []
    assert store.stream_lengths() == {}
    assert store.last_sequence() == 0


def test_streams_are_in_position_order(
    store: Store, recorded: tuple[uuid.UUID, uuid.UUID, list[StoredRecord]]
) -> None:
    a, b, rows = recorded
    assert store.stream(a) == [rows[0], rows[1], rows[3]]
    assert store.stream(b) == [rows[2], rows[4]]
    assert store.stream(uuid.uuid4()) == []


def test_streams_after_a_position_and_up_to_a_recording_time(
    store: Store, recorded: tuple[uuid.UUID, uuid.UUID, list[StoredRecord]]
) -> None:
    a, b, rows = recorded
    assert store.stream(a, after_position=1) == [rows[1], rows[3]]
    assert store.stream(a, after_position=3) == []
    assert store.stream(a, recorded_until=T0) == [rows[0], rows[1]]
    assert store.stream(a, recorded_until=T0 + 999_999) == [rows[0], rows[1]]
    assert store.stream(b, recorded_until=T0 - 1) == []
    assert store.stream(a, after_position=1, recorded_until=T0 + 1_000_000) == [rows[1], rows[3]]


def test_rows_in_global_order_with_bounds(
    store: Store, recorded: tuple[uuid.UUID, uuid.UUID, list[StoredRecord]]
) -> None:
    _, _, rows = recorded
    assert store.rows() == rows
    assert store.rows(after=2) == rows[2:]
    assert store.rows(after=5) == []
    assert store.rows(after=1, limit=2) == rows[1:3]
    assert store.rows(limit=0) == []
    assert store.rows(recorded_until=T0 + 1_000_000) == rows[:4]
    assert store.rows(recorded_until=T0 - 1) == []
    assert store.rows(after=3, recorded_until=T0 + 1_000_000) == rows[3:4]
    assert store.rows(after=1, limit=10, recorded_until=T0) == rows[1:2]


def test_rows_by_event_id(
    store: Store, recorded: tuple[uuid.UUID, uuid.UUID, list[StoredRecord]]
) -> None:
    _, _, rows = recorded
    assert store.row(rows[3].event_id) == rows[3]
    assert store.row(uuid.uuid4()) is None
    wanted = [rows[4].event_id, uuid.uuid4(), rows[0].event_id, rows[4].event_id]
    assert store.rows_of(wanted) == [rows[0], rows[4]]  # global order, duplicates once
    assert store.rows_of([]) == []


def test_incidents_in_order_of_first_recording(
    store: Store, recorded: tuple[uuid.UUID, uuid.UUID, list[StoredRecord]]
) -> None:
    a, b, _ = recorded
    assert store.incident_ids() == [a, b]
    assert list(store.stream_lengths().items()) == [(a, 3), (b, 2)]
    assert store.last_sequence() == 5


def test_many_event_ids_at_once(store: Store) -> None:
    a = uuid.uuid4()
    rows = [stored_row(i, a, i) for i in range(1, 1_202)]  # over SQLite's chunk of ids
    with store.writing() as writer:
        writer.insert(rows)
    assert store.rows_of([r.event_id for r in reversed(rows)]) == rows
    with store.writing() as writer:
        found = writer.rows_by_event_id([r.event_id for r in rows])
    assert sorted(found, key=lambda r: r.id) == rows


@pytest.fixture
def collector_pauses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether the collector was running each time something disabled it."""
    seen: list[bool] = []
    original = gc.disable
    was = gc.isenabled()
    gc.enable()

    def spy() -> None:
        seen.append(gc.isenabled())
        original()

    monkeypatch.setattr(gc, "disable", spy)
    yield seen
    if not was:
        gc.disable()


def test_long_reads_are_whole_and_leave_the_collector_alone(
    store: Store, collector_pauses: list[bool]
) -> None:
    # Pausing the collector is for the bulk work that calls these reads, not for the reads.
    long_id, short_id = uuid.uuid4(), uuid.uuid4()
    rows = [stored_row(i, long_id, i) for i in range(1, BULK + 2)]
    rows += [stored_row(BULK + 1 + i, short_id, i) for i in range(1, 4)]
    with store.writing() as writer:
        writer.insert(rows)
    collector_pauses.clear()
    assert store.rows() == rows
    assert store.stream(long_id) == rows[: BULK + 1]
    assert [r.originator_version for r in store.stream(short_id)] == [1, 2, 3]
    assert store.rows(limit=BULK - 1) == rows[: BULK - 1]
    assert store.rows(after=BULK) == rows[BULK:]
    assert collector_pauses == []
    assert gc.isenabled()
