"""
The PostgreSQL backend under load and at its edges: pipelined batches, URLs, unreachable servers.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidents import (
    AircraftReported,
    IncidentOpened,
    Ledger,
    Location,
    Position,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    ValidTime,
)
from incidents.storage import Tile
from support.backends import T0, Backend, opened_backend, stored_row


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Backend]:
    """Ledgers and stores in fresh schemas of the test database, dropped afterwards."""
    with opened_backend("postgres", tmp_path) as b:
        yield b


# -- pipelined write transactions ---------------------------------------------------------------


def test_a_query_after_a_large_insert_reads_its_own_answer(postgres: Backend) -> None:
    # In pipeline mode the answers to a batch's inserts come back late, after
    # the writer has moved on to its next query; none of them may be taken
    # for that query's answer. The pause stands for the work a ledger does
    # between the two (the batch's leaf ids and hashes), during which the
    # server sends the inserts' answers.
    store = postgres.open_store()
    incident = uuid.uuid4()
    size, batches = 400, 20
    for batch in range(batches):
        first = batch * size + 1
        rows = [stored_row(s, incident, s) for s in range(first, first + size)]
        tile = Tile(0, batch, bytes(32), bytes(32))
        with store.writing() as writer:
            assert writer.heads([incident]) == (
                first - 1,
                None if batch == 0 else T0,
                {incident: first - 1},
            )
            writer.insert(rows)
            time.sleep(0.005)
            assert writer.head() == (first + size - 1, T0)
            writer.put_audit_tiles([tile])
            time.sleep(0.005)
            assert writer.audit_edge() == [tile]
    assert store.last_sequence() == size * batches


def _aircraft(incident: uuid.UUID, source: uuid.UUID, n: int) -> list[AircraftReported]:
    start = datetime(2024, 7, 24, 20, tzinfo=UTC)
    return [
        AircraftReported(
            incident_id=incident,
            source_id=source,
            type_designation="H-6K",
            nation="CN",
            count=2,
            role="strategic bomber",
            valid_time=ValidTime.minute(start + timedelta(minutes=i)),
            location=Location(name="Bering Sea", position=Position(lat=60.5, lon=-175.25)),
        )
        for i in range(n)
    ]


def test_two_writers_take_turns_with_large_batches(postgres: Backend) -> None:
    # Each ledger finds the other's batch before its own, so it reads the
    # audit tree's edge after inserting its rows, in the same pipeline.
    url = postgres.target()
    clock = SteppingClock(datetime(2024, 7, 25, tzinfo=UTC))
    writers = [postgres.open(url, clock=clock, recorder=name) for name in ("a", "b")]
    incident = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    writers[0].record(
        IncidentOpened(incident_id=incident, source_id=source.source_id, title="many"), source
    )
    size, batches = 650, 30
    for batch in range(batches):
        writers[batch % 2].record(*_aircraft(incident, source.source_id, size))
    reader: Ledger = writers[0]
    assert reader.store.last_sequence() == 2 + size * batches
    assert reader.verify().ok
