"""
An answer as known at R never changes once given, whatever is recorded afterwards.

The rule (docs/time-travel.md, "Answers that never change"): a ``known_at`` at
or before the settled time is answered at once; a later one, up to the
clock's reading, is settled first (after any batch in flight); every batch is
recorded after the settled time.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from incidents import (
    AircraftReported,
    Clock,
    Event,
    FixedClock,
    FutureKnowledgeError,
    IncidentOpened,
    Ledger,
    SourceKind,
    SourceRegistered,
    SystemClock,
    UnsettledKnowledgeError,
    ValidTime,
)
from support.backends import Backend

T = datetime(2024, 7, 25, 12, tzinfo=UTC)

# Batches each writer of the concurrency test records at least, and answers the reader asks
# meanwhile (make soak raises both).
BATCHES = int(os.environ.get("INCIDENTS_SOAK_BATCHES", "25"))
READINGS = int(os.environ.get("INCIDENTS_SOAK_READINGS", "30"))


def _opened() -> tuple[UUID, UUID, list[Event]]:
    incident_id = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    opened = IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="T")
    return incident_id, source.source_id, [opened, source]


def _h6(incident_id: UUID, source_id: UUID) -> AircraftReported:
    return AircraftReported(
        incident_id=incident_id,
        source_id=source_id,
        type_designation="H-6",
        nation="CN",
        count=2,
        valid_time=ValidTime.day("2024-07-24", tz="America/Anchorage"),
    )


def _aircraft(ledger: Ledger, incident_id: UUID, known_at: datetime) -> int:
    return ledger.incident(incident_id, known_at=known_at).aircraft_count


def test_a_batch_at_the_same_clock_reading_does_not_change_an_answer(backend: Backend) -> None:
    clock = FixedClock(T)
    ledger = backend.open(clock=clock)
    incident_id, source_id, head = _opened()
    ledger.record(*head)
    assert _aircraft(ledger, incident_id, T) == 0
    (later,) = ledger.record(_h6(incident_id, source_id))
    assert _aircraft(ledger, incident_id, T) == 0
    assert T + timedelta(microseconds=1) == later.recorded_at
    assert _aircraft(ledger, incident_id, later.recorded_at) == 2


def test_a_known_at_past_the_last_batch_is_settled_before_it_is_answered(
    backend: Backend,
) -> None:
    clock = FixedClock(T)
    ledger = backend.open(clock=clock)
    incident_id, source_id, head = _opened()
    ledger.record(*head)
    assert ledger.settled_until() == T
    clock.set(T + timedelta(hours=2))
    asked = T + timedelta(hours=1)
    assert _aircraft(ledger, incident_id, asked) == 0
    assert ledger.settled_until() == asked
    clock.set(T + timedelta(minutes=30))  # a clock behind what was asked
    (later,) = ledger.record(_h6(incident_id, source_id))
    assert asked + timedelta(microseconds=1) == later.recorded_at
    assert _aircraft(ledger, incident_id, asked) == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_the_settle_mark_outlives_the_ledger_object(backend: Backend) -> None:
    clock = FixedClock(T)
    target = backend.target()
    ledger = backend.open(target, clock=clock)
    incident_id, source_id, head = _opened()
    ledger.record(*head)
    clock.set(T + timedelta(hours=2))
    ledger.incident(incident_id, known_at=T + timedelta(hours=1))
    ledger.close()
    again = backend.open(target, clock=FixedClock(T))
    (later,) = again.record(_h6(incident_id, source_id))
    assert T + timedelta(hours=1, microseconds=1) == later.recorded_at


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_read_only_ledger_refuses_what_it_cannot_settle(backend: Backend) -> None:
    target = backend.target()
    writer = backend.open(target, clock=FixedClock(T))
    incident_id, _, head = _opened()
    writer.record(*head)
    reader = backend.open(target, clock=FixedClock(T + timedelta(days=1)), read_only=True)
    assert _aircraft(reader, incident_id, T) == 0
    later = T + timedelta(hours=1)
    with pytest.raises(UnsettledKnowledgeError, match="read-only"):
        reader.incident(incident_id, known_at=later)
    with pytest.raises(UnsettledKnowledgeError):
        list(reader.events(incident_id, known_at=later))
    writer.clock.set(T + timedelta(days=1))
    writer.incident(incident_id, known_at=later)  # the writable ledger settles it
    assert _aircraft(reader, incident_id, later) == 0
    assert issubclass(UnsettledKnowledgeError, FutureKnowledgeError)


class _PausingClock:
    """Reads T; in the thread named ``writer`` it then waits, inside the write transaction."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()

    def __call__(self) -> datetime:
        if threading.current_thread().name == "writer":
            self.reached.set()
            assert self.go.wait(30), "the test never let the writer go on"
        return T


def _beside(backend: Backend, ledger: Ledger, target: str, clock: Clock) -> Ledger:
    """Another ledger object on the same store (a memory store is shared, not reopened)."""
    if backend.name == "memory":
        return Ledger(ledger.store, clock=clock, recorder="tester")
    return backend.open(target, clock=clock)


def test_a_batch_in_flight_is_waited_for(backend: Backend) -> None:
    """
    A batch reads its recording time, then commits later: an answer given meanwhile must hold.
    """
    clock = _PausingClock()
    target = backend.target()
    ledger = backend.open(target, clock=FixedClock(T - timedelta(hours=1)))
    incident_id, source_id, head = _opened()
    ledger.record(*head)
    paused = _beside(backend, ledger, target, clock)
    reader_ledger = _beside(backend, ledger, target, clock)  # opened before the writer locks
    writer = threading.Thread(
        target=paused.record, args=(_h6(incident_id, source_id),), name="writer"
    )
    writer.start()
    assert clock.reached.wait(30)
    answers: list[int] = []
    reader = threading.Thread(
        target=lambda: answers.append(_aircraft(reader_ledger, incident_id, T)), name="reader"
    )
    reader.start()
    reader.join(0.5)  # let a reader that does not wait answer before the commit
    clock.go.set()
    writer.join(30)
    reader.join(30)
    assert not writer.is_alive()
    assert not reader.is_alive()
    assert answers == [_aircraft(reader_ledger, incident_id, T)]
    assert answers == [2]


def test_answers_given_while_writers_record_never_change(
    backend: Backend, record_property: pytest.RecordProperty
) -> None:
    """
    Writers record on the system clock while a reader asks for recent instants.

    Each answer is asked again when the writers are done: all must be equal.
    """
    target = backend.target()
    setup = backend.open(target, clock=SystemClock())
    incident_id, source_id, head = _opened()
    setup.record(*head)
    failures: list[BaseException] = []
    enough = threading.Event()  # the reader has asked READINGS times

    def write() -> None:
        own = setup if backend.name == "memory" else backend.open(target, clock=SystemClock())
        try:
            # Writers go on until the reader is done, however slow the machine.
            for done in itertools.count():
                if done >= BATCHES and enough.is_set():
                    return
                time.sleep(0.002)  # leave the reader turns between batches
                own.record(*(_h6(incident_id, source_id) for _ in range(20)))
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
            enough.set()

    writers = [threading.Thread(target=write, name=f"writer-{i}") for i in range(2)]
    for w in writers:
        w.start()
    reader = setup if backend.name == "memory" else backend.open(target, clock=SystemClock())
    given: list[tuple[datetime, int]] = []
    try:
        while len(given) < READINGS and not failures:
            asked = datetime.now(UTC) - timedelta(microseconds=len(given) % 7 * 300)
            given.append((asked, len(list(reader.events(incident_id, known_at=asked)))))
            time.sleep(0.001)
    finally:
        enough.set()
        for w in writers:
            w.join(60)
    assert not failures
    again = [(asked, len(list(reader.events(incident_id, known_at=asked)))) for asked, _ in given]
    assert again == given
    # Known at a later instant, never less is known.
    counts = [count for _, count in sorted(given)]
    assert counts == sorted(counts)
    record_property("answers asked again", len(given))
    record_property("batches recorded meanwhile", (len(list(reader.events(incident_id))) - 2) // 20)
