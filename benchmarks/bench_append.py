"""
Appends to SQLite: events per second, one per transaction and 1,000 per transaction.

Baseline: raw sqlite3 inserting rows of the same size into the same table
(same columns, indexes and pragmas: WAL, synchronous=FULL) the same way: one
commit per row, and ``executemany`` in one transaction per 1,000 rows.

A second baseline runs, with raw sqlite3, the statements the ledger itself
runs for a batch (its head checks, the rows, the audit tiles): the distance
from it is what the library's Python costs, the rest is SQLite work that
the ledger's checks and its tamper evidence ask for. The cases take turns in
every round, so that the disk's noise falls on all of them alike, and each
timed run starts from an empty write-ahead log, so that SQLite's own
checkpoints of it fall alike too.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._harness import Figure, rates, wal_checkpoint
from incidents import (
    AircraftReported,
    Correction,
    Event,
    IncidentOpened,
    Ledger,
    Location,
    Position,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    ValidTime,
)
from incidents.storage._sqlite._schema import AUDIT_SCHEMA as _AUDIT_SCHEMA
from incidents.storage._sqlite._schema import PUT_TILE as _PUT_TILE
from incidents.storage._sqlite._schema import SCHEMA as _SCHEMA
from incidents.storage._sqlite._schema import TABLE

BATCH = 1_000
SAME = "raw sqlite3 running the ledger's own statements"


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


def audit_tiles(batch_rows: Sequence[tuple[object, ...]]) -> list[tuple[int, int, bytes, bytes]]:
    """
    The level-0 audit tiles the ledger writes for a batch of rows (sequence first).

    Full tiles as the batch completes them and the partial last one, each of
    the ledger's size (32 bytes of hash and 32 of ids per leaf); the hashes
    are zeros, as only the writing is measured.
    """
    last = batch_rows[-1][0]
    assert isinstance(last, int)
    first = last - len(batch_rows) + 1
    leaf = bytes(32)
    tail = leaf * (last % 16 + 1)
    full = [(0, i, leaf * 16, leaf * 16) for i in range(first >> 4, last >> 4)]
    return [*full, (0, last >> 4, tail, tail)]


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


def _corrections(
    ledger: Ledger, incident_id: uuid.UUID, source_id: uuid.UUID, batches: int, repeat: int
) -> list[Figure]:
    """
    1,000 corrections of stored facts per transaction, beside 1,000 new facts per transaction.

    The targets were recorded before (untimed), each corrected once: every
    correction's target is read from the store and checked against it.
    """
    stored: list[AircraftReported] = []
    for _ in range(batches * repeat):
        batch = _events(incident_id, source_id, BATCH)
        ledger.record(*batch)
        stored += batch
    targets = iter(stored)
    pending: dict[str, list[list[Event]]] = {}

    def prepare(kind: str) -> Callable[[], None]:
        def run() -> None:
            if kind == "corrections":
                pending[kind] = [
                    [
                        Correction.of(next(targets), source_id=source_id, reason="recount", count=3)
                        for _ in range(BATCH)
                    ]
                    for _ in range(batches)
                ]
            else:
                pending[kind] = [_events(incident_id, source_id, BATCH) for _ in range(batches)]
            wal_checkpoint(Path(ledger.store.location))

        return run

    def record(kind: str) -> Callable[[], None]:
        def run() -> None:
            for batch in pending[kind]:
                ledger.record(*batch)

        return run

    return rates(
        "append",
        "1,000 corrections of stored facts per transaction",
        BATCH * batches,
        {
            "ledger": (record("corrections"), prepare("corrections")),
            "facts": (record("facts"), prepare("facts")),
        },
        {"facts": "1,000 new facts per transaction (the ledger)"},
        repeat=repeat,
        target=">= 0.5x",
    )


def run(quick: bool = False) -> list[Figure]:
    singles = 100 if quick else 400
    batches = 3 if quick else 10
    repeat = 3 if quick else 9
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ledger, incident_id, source_id = _open(folder, "ledger.db")
        # Rows of the same size as the ledger's, for the baselines.
        probe = ledger.record(*_events(incident_id, source_id, 1))[0]
        state = ledger.store.row(probe.event_id).state  # type: ignore[union-attr]
        raw = _raw(folder, "raw.db")
        same = _raw(folder, "same.db")
        for statement in _AUDIT_SCHEMA:
            same.execute(statement)
        counters = {"raw": iter(range(10**9)), "same": iter(range(10**9))}

        def raw_row(which: str) -> tuple[object, ...]:
            n = next(counters[which])
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
        head = f"SELECT sequence, recorded_at FROM {TABLE} ORDER BY sequence DESC LIMIT 1"
        stream_head = f"SELECT MAX(position) FROM {TABLE} WHERE incident_id=?"

        def same_statements(batch_rows: list[tuple[object, ...]]) -> None:
            # What the ledger asks of SQLite for one batch, without the Python
            # around it: the heads it checks, the rows, the audit tiles
            # (the partial last one rewritten; one more every 16 events).
            same.execute("BEGIN IMMEDIATE")
            same.execute(head).fetchone()
            same.execute(stream_head, (incident_id.bytes,)).fetchone()
            same.executemany(insert, batch_rows)
            same.executemany(_PUT_TILE, audit_tiles(batch_rows))
            same.execute("COMMIT")

        # One event per transaction.
        pending: list[list[AircraftReported]] = []
        rows: dict[str, list[list[tuple[object, ...]]]] = {}

        def prepare_singles() -> None:
            pending[:] = [_events(incident_id, source_id, singles)]
            wal_checkpoint(folder / "ledger.db")

        def ledger_singles() -> None:
            for event in pending[0]:
                ledger.record(event)

        def prepare_rows(which: str, size: int, count: int) -> Callable[[], None]:
            def prepare() -> None:
                rows[which] = [[raw_row(which) for _ in range(size)] for _ in range(count)]
                wal_checkpoint(folder / f"{which}.db")

            return prepare

        def raw_singles() -> None:
            for row in rows["raw"][0]:
                raw.execute("BEGIN")
                raw.execute(insert, row)
                raw.execute("COMMIT")

        def same_singles() -> None:
            for row in rows["same"][0]:
                same_statements([row])

        figures += rates(
            "append",
            "1 event per transaction",
            singles,
            {
                "ledger": (ledger_singles, prepare_singles),
                "raw": (raw_singles, prepare_rows("raw", singles, 1)),
                "same": (same_singles, prepare_rows("same", singles, 1)),
            },
            {"raw": "raw sqlite3, one commit per row", "same": SAME},
            repeat=repeat,
            target=">= 0.80x",
        )

        # 1,000 events per transaction.
        def prepare_batches() -> None:
            pending[:] = [_events(incident_id, source_id, BATCH) for _ in range(batches)]
            wal_checkpoint(folder / "ledger.db")

        def ledger_batches() -> None:
            for batch in pending:
                ledger.record(*batch)

        def raw_batches() -> None:
            for batch_rows in rows["raw"]:
                raw.execute("BEGIN")
                raw.executemany(insert, batch_rows)
                raw.execute("COMMIT")

        def same_batches() -> None:
            for batch_rows in rows["same"]:
                same_statements(batch_rows)

        total = BATCH * batches
        figures += rates(
            "append",
            "1,000 events per transaction",
            total,
            {
                "ledger": (ledger_batches, prepare_batches),
                "raw": (raw_batches, prepare_rows("raw", BATCH, batches)),
                "same": (same_batches, prepare_rows("same", BATCH, batches)),
            },
            {"raw": "raw sqlite3 executemany, one transaction", "same": SAME},
            repeat=repeat,
            target=">= 0.50x",
        )
        figures += _corrections(ledger, incident_id, source_id, batches, repeat)
        figures.append(
            Figure(
                "append",
                "bytes per stored event",
                float(len(state)),
                "bytes",
                "same rows in the baselines",
                float(len(state)),
                higher_is_better=False,
            )
        )
        ledger.close()
        raw.close()
        same.close()
    return figures
