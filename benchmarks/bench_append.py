"""
Appends to SQLite: events per second, one per transaction and 1,000 per transaction.

Baseline: raw sqlite3 inserting rows of the same size into the same table
(same columns, indexes and pragmas: WAL, synchronous=FULL) the same way: one
commit per row, and ``executemany`` in one transaction per 1,000 rows.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._harness import Figure, median_seconds
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
from incidents._sqlite import _SCHEMA, TABLE

BATCH = 1_000


def _events(incident_id: uuid.UUID, source_id: uuid.UUID, n: int) -> list[AircraftReported]:
    start = datetime(2024, 7, 24, 20, tzinfo=UTC)
    return [
        AircraftReported(
            incident_id=incident_id,
            source_id=source_id,
            type_designation="H-6K",
            nation="CN",
            count=2,
            role="strategic bomber",
            valid_time=ValidTime.minute(start + timedelta(minutes=i)),
            location=Location(
                name="Bering Sea", position=Position(lat=60.5 + i % 10 / 10, lon=-175.25)
            ),
        )
        for i in range(n)
    ]


def _open(folder: Path, name: str) -> tuple[Ledger, uuid.UUID, uuid.UUID]:
    ledger = Ledger.open(
        folder / name, clock=SteppingClock(datetime(2024, 7, 25, tzinfo=UTC)), recorder="bench"
    )
    incident_id = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    ledger.record(
        IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="bench"), source
    )
    return ledger, incident_id, source.source_id


def _raw(folder: Path, name: str) -> sqlite3.Connection:
    conn = sqlite3.connect(folder / name, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for statement in _SCHEMA:
        conn.execute(statement)
    return conn


def run(quick: bool = False) -> list[Figure]:
    singles = 100 if quick else 400
    batches = 3 if quick else 10
    repeat = 3 if quick else 5
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ledger, incident_id, source_id = _open(folder, "ledger.db")
        # Rows of the same size as the ledger's, for the baseline.
        probe = ledger.record(*_events(incident_id, source_id, 1))[0]
        state = ledger.store.row(probe.event_id).state  # type: ignore[union-attr]
        raw = _raw(folder, "raw.db")
        counter = iter(range(10**9))

        def raw_row() -> tuple[object, ...]:
            n = next(counter)
            return (
                n + 1,
                incident_id.bytes,
                n + 1,
                uuid.uuid4().bytes,
                "aircraft-reported",
                n,
                state,
            )

        insert = f"INSERT INTO {TABLE} VALUES (?,?,?,?,?,?,?)"

        # One event per transaction.
        pending: list[list[AircraftReported]] = []

        def prepare_singles() -> None:
            pending[:] = [_events(incident_id, source_id, singles)]

        def ledger_singles() -> None:
            for event in pending[0]:
                ledger.record(event)

        rows: list[list[tuple[object, ...]]] = []

        def prepare_raw_singles() -> None:
            rows[:] = [[raw_row() for _ in range(singles)]]

        def raw_singles() -> None:
            for row in rows[0]:
                raw.execute("BEGIN")
                raw.execute(insert, row)
                raw.execute("COMMIT")

        t_ledger = median_seconds(ledger_singles, repeat=repeat, setup=prepare_singles)
        t_raw = median_seconds(raw_singles, repeat=repeat, setup=prepare_raw_singles)
        figures.append(
            Figure(
                "append",
                "1 event per transaction",
                singles / t_ledger,
                "events/s",
                "raw sqlite3, one commit per row",
                singles / t_raw,
                target=">= 0.80x",
            )
        )

        # 1,000 events per transaction.
        def prepare_batches() -> None:
            pending[:] = [_events(incident_id, source_id, BATCH) for _ in range(batches)]

        def ledger_batches() -> None:
            for batch in pending:
                ledger.record(*batch)

        def prepare_raw_batches() -> None:
            rows[:] = [[raw_row() for _ in range(BATCH)] for _ in range(batches)]

        def raw_batches() -> None:
            for batch_rows in rows:
                raw.execute("BEGIN")
                raw.executemany(insert, batch_rows)
                raw.execute("COMMIT")

        total = BATCH * batches
        t_ledger = median_seconds(ledger_batches, repeat=repeat, setup=prepare_batches)
        t_raw = median_seconds(raw_batches, repeat=repeat, setup=prepare_raw_batches)
        figures.append(
            Figure(
                "append",
                "1,000 events per transaction",
                total / t_ledger,
                "events/s",
                "raw sqlite3 executemany, one transaction",
                total / t_raw,
                target=">= 0.50x",
            )
        )
        figures.append(
            Figure(
                "append",
                "bytes per stored event",
                float(len(state)),
                "bytes",
                "same rows in the baseline",
                float(len(state)),
                higher_is_better=False,
            )
        )
        ledger.close()
        raw.close()
    return figures
