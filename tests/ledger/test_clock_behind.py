"""
A clock behind the ledger: adjusted (the default, and said so), refused, or adjusted up to a bound.

Every batch is recorded strictly after the ledger's settled time. A clock
that reads that time or earlier is behind the ledger; ``clock_behind``
decides what ``record`` does. Nothing of the choice is stored.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from incidents import (
    AircraftReported,
    ClockBehindError,
    Event,
    FixedClock,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    RecordedBatch,
    SourceKind,
    SourceRegistered,
    ValidTime,
)
from support.backends import Backend

T = datetime(2024, 7, 25, 12, tzinfo=UTC)
US = timedelta(microseconds=1)


def opening() -> list[Event]:
    incident_id = uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    opened = IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="Patrol")
    return [opened, source]


def fact(first: list[Event]) -> AircraftReported:
    return AircraftReported(
        incident_id=first[0].incident_id,
        source_id=first[1].source_id,
        type_designation="H-6",
        nation="CN",
        valid_time=ValidTime.unknown(),
    )


def clock_of(ledger: Ledger) -> FixedClock:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    return clock


# -- adjust, the default ------------------------------------------------------------------


def test_a_clock_ahead_is_taken_as_it_reads(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T))
    batch = ledger.record(*opening())
    assert isinstance(batch, RecordedBatch)
    assert batch.recorded_at == batch.clock_reading == T
    assert batch.clock_adjusted is False
    assert all(r.recorded_at == T for r in batch)


def test_the_same_reading_twice_is_adjusted_and_says_so(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T))
    first = opening()
    ledger.record(*first)
    second = ledger.record(fact(first))
    assert second.clock_reading == T
    assert second.recorded_at == T + US
    assert second.clock_adjusted is True
    assert ledger.event(second[0].event_id).recorded_at == T + US


def test_a_clock_behind_a_settled_known_at_is_adjusted_past_it(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T))
    first = opening()
    ledger.record(*first)
    clock_of(ledger).set(T + timedelta(hours=1))
    ledger.incident(first[0].incident_id, known_at=T + timedelta(hours=1))  # settles it
    clock_of(ledger).set(T + timedelta(minutes=1))  # stepped back
    batch = ledger.record(fact(first))
    assert (batch.clock_reading, batch.recorded_at) == (
        T + timedelta(minutes=1),
        T + timedelta(hours=1) + US,
    )
    assert batch.clock_adjusted


def test_nothing_of_the_adjustment_is_stored(tmp_path: Path) -> None:
    first = opening()
    second = fact(first)
    rows = []
    for name, readings in (("adjusted", (T, T)), ("exact", (T, T + US))):
        clock = FixedClock(readings[0])
        with Ledger.open(tmp_path / f"{name}.db", clock=clock, recorder="tester") as ledger:
            ledger.record(*first)
            clock.set(readings[1])
            batch = ledger.record(second)
            assert batch.clock_adjusted is (name == "adjusted")
            rows.append([r.state for r in ledger.store.stream(first[0].incident_id)])
    assert rows[0] == rows[1]


def test_a_recorded_batch_is_a_tuple_of_its_records(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T))
    batch = ledger.record(*opening())
    assert batch == tuple(batch) == tuple(ledger.events(batch[0].incident_id))
    copy = pickle.loads(pickle.dumps(batch))
    assert type(copy) is RecordedBatch
    assert (copy, copy.clock_reading) == (batch, batch.clock_reading)


# -- refuse -------------------------------------------------------------------------------


def test_refuse_records_nothing_and_says_why(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T), clock_behind="refuse")
    first = opening()
    ledger.record(*first)
    before = (len(ledger), ledger.settled_until(), ledger.checkpoint())
    late = fact(first)
    with pytest.raises(ClockBehindError) as caught:
        ledger.record(late)
    message = str(caught.value)
    assert "clock reads 2024-07-25T12:00:00+00:00, not after the ledger's settled time" in message
    assert "Nothing was recorded" in message
    assert "clock_behind='adjust'" in message
    assert (len(ledger), ledger.settled_until(), ledger.checkpoint()) == before
    # The writers' lock is free again, and a clock set forward records.
    clock_of(ledger).set(T + US)
    batch = ledger.record(late)
    assert (batch.recorded_at, batch.clock_adjusted) == (T + US, False)


def test_refuse_a_clock_stepped_back(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T), clock_behind="refuse")
    ledger.record(*opening())
    clock_of(ledger).set(T - timedelta(seconds=5))
    with pytest.raises(ClockBehindError, match="clock reads 2024-07-25T11:59:55"):
        ledger.record(*opening())
    assert len(ledger) == 2


def test_refuse_a_clock_behind_a_settled_known_at(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T), clock_behind="refuse")
    first = opening()
    ledger.record(*first)
    clock_of(ledger).set(T + timedelta(hours=1))
    ledger.incident(first[0].incident_id, known_at=T + timedelta(hours=1))
    clock_of(ledger).set(T + timedelta(minutes=1))
    with pytest.raises(ClockBehindError, match="a known_at a reader asked for"):
        ledger.record(fact(first))


def test_refusing_ledger_records_a_clock_moved_on_before_each_batch(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T), clock_behind="refuse")
    first = opening()
    ledger.record(*first)
    for minutes in (1, 2, 3):
        clock_of(ledger).set(T + timedelta(minutes=minutes))
        assert not ledger.record(fact(first)).clock_adjusted
    assert len(ledger) == 5


# -- adjust up to a bound -----------------------------------------------------------------


def test_a_bound_adjusts_within_and_refuses_beyond(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T), clock_behind=timedelta(milliseconds=1))
    first = opening()
    ledger.record(*first)
    for n in range(1, 4):  # the same reading again and again: ties, a microsecond each
        batch = ledger.record(fact(first))
        assert (batch.recorded_at, batch.clock_adjusted) == (T + n * US, True)
    clock_of(ledger).set(T - timedelta(milliseconds=1))
    with pytest.raises(ClockBehindError, match=r"allows at most 0:00:00\.001000"):
        ledger.record(fact(first))
    assert len(ledger) == 5


def test_a_zero_bound_is_refuse(backend: Backend) -> None:
    ledger = backend.open(clock=FixedClock(T), clock_behind=timedelta(0))
    first = opening()
    ledger.record(*first)
    with pytest.raises(ClockBehindError, match="allows no adjustment"):
        ledger.record(fact(first))


@pytest.mark.parametrize(
    "value", ["Adjust", "ignore", "", None, 0, 1.5, timedelta(seconds=-1), b"refuse"]
)
def test_anything_else_is_refused_before_the_ledger_is_opened(
    tmp_path: Path, value: object
) -> None:
    path = tmp_path / "never.db"
    with pytest.raises(InvalidInputError, match="clock_behind"):
        Ledger.open(path, clock_behind=value)  # type: ignore[arg-type]
    assert not path.exists()
