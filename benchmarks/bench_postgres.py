"""
Appends to PostgreSQL: events per second, one per transaction and 1,000 per transaction.

The ledger writes to a fresh schema of the server named by
``INCIDENTS_BENCH_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
without a reachable server these figures are left out, with a line saying why.

Baseline: raw psycopg inserting rows of the same size into a table of the
same shape (same columns, constraints and index, in a schema of its own) the
same way: one commit per row, and ``executemany`` in one transaction per
1,000 rows. A second baseline runs, with raw psycopg, the statements the
ledger runs for a batch (its table lock and head checks, the rows, the audit
tiles), each one a round trip: the distance from it is what the library's
Python and its way of talking to the server cost. The cases take turns in
every round.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from benchmarks._harness import Figure, rates
from benchmarks.bench_append import BATCH, _events, audit_tiles
from incidents import (
    AircraftReported,
    IncidentOpened,
    Ledger,
    SourceKind,
    SourceRegistered,
    SteppingClock,
)

SAME = "raw psycopg running the ledger's own statements"
URL = os.environ.get("INCIDENTS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _schema_url(schema: str) -> str:
    return f"{URL.split('?')[0]}?schema={schema}"


def run(quick: bool = False) -> list[Figure]:
    try:
        import psycopg
    except ImportError:
        print("(PostgreSQL figures left out: psycopg is not installed)")
        return []
    try:
        admin = psycopg.connect(URL.split("?")[0], autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        print(f"(PostgreSQL figures left out: {URL} is unreachable: {exc})")
        return []
    singles = 100 if quick else 300
    batches = 3 if quick else 5
    repeat = 3 if quick else 7
    tag = uuid.uuid4().hex[:12]
    schemas = {name: f"bench_{name}_{tag}" for name in ("ledger", "raw", "same")}
    ledger = Ledger.open(
        _schema_url(schemas["ledger"]),
        clock=SteppingClock(datetime(2024, 7, 25, tzinfo=UTC)),
        recorder="bench",
    )
    try:
        return _measure(ledger, schemas, singles, batches, repeat)
    finally:
        ledger.close()
        for schema in schemas.values():
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()


def _measure(
    ledger: Ledger,
    schemas: dict[str, str],
    singles: int,
    batches: int,
    repeat: int,
) -> list[Figure]:
    import psycopg as pg

    incident_id = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    ledger.record(
        IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="bench"), source
    )
    source_id = source.source_id
    probe = ledger.record(*_events(incident_id, source_id, 1))[0]
    state = ledger.store.row(probe.event_id).state  # type: ignore[union-attr]

    connections = {}
    for name in ("raw", "same"):
        conn = pg.connect(URL.split("?")[0], autocommit=True)
        schema = schemas[name]
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(
            f"CREATE TABLE {schema}.incident_events ("
            " sequence bigint PRIMARY KEY, incident_id uuid NOT NULL, position integer NOT NULL,"
            " event_id uuid NOT NULL UNIQUE, topic text NOT NULL, recorded_at bigint NOT NULL,"
            " state bytea NOT NULL, UNIQUE (incident_id, position))"
        )
        conn.execute(f"CREATE INDEX ON {schema}.incident_events (recorded_at)")
        conn.execute(
            f"CREATE TABLE {schema}.audit_tiles (level integer NOT NULL, idx bigint NOT NULL,"
            " hashes bytea NOT NULL, ids bytea, PRIMARY KEY (level, idx))"
        )
        connections[name] = conn
    counters = {"raw": iter(range(10**9)), "same": iter(range(10**9))}

    def raw_row(which: str) -> tuple[object, ...]:
        n = next(counters[which]) + 1
        return (n, incident_id, n, uuid.uuid4(), "aircraft-reported", n, state)

    columns = "sequence, incident_id, position, event_id, topic, recorded_at, state"
    insert = {
        name: f"INSERT INTO {schemas[name]}.incident_events ({columns}) VALUES (%s,%s,%s,%s,%s,%s,%s)"
        for name in ("raw", "same")
    }
    same_schema = schemas["same"]

    def same_statements(batch_rows: list[tuple[object, ...]]) -> None:
        c = connections["same"]
        with c.transaction():
            c.execute(f"LOCK TABLE {same_schema}.incident_events IN EXCLUSIVE MODE")
            c.execute(
                f"SELECT sequence, recorded_at FROM {same_schema}.incident_events"
                " ORDER BY sequence DESC LIMIT 1"
            ).fetchone()
            c.execute(
                f"SELECT i, (SELECT position FROM {same_schema}.incident_events"
                " WHERE incident_id = i ORDER BY position DESC LIMIT 1)"
                " FROM unnest(%s::uuid[]) AS i",
                ([incident_id],),
            ).fetchall()
            with c.cursor() as cursor:
                cursor.executemany(insert["same"], batch_rows)
                cursor.executemany(
                    f"INSERT INTO {same_schema}.audit_tiles (level, idx, hashes, ids)"
                    " VALUES (%s,%s,%s,%s) ON CONFLICT (level, idx) DO UPDATE"
                    " SET hashes = EXCLUDED.hashes, ids = EXCLUDED.ids",
                    audit_tiles(batch_rows),
                )

    pending: list[list[AircraftReported]] = []
    rows: dict[str, list[list[tuple[object, ...]]]] = {}

    def prepare_rows(which: str, size: int, count: int) -> Callable[[], None]:
        def prepare() -> None:
            rows[which] = [[raw_row(which) for _ in range(size)] for _ in range(count)]

        return prepare

    def prepare_singles() -> None:
        pending[:] = [_events(incident_id, source_id, singles)]

    def ledger_singles() -> None:
        for event in pending[0]:
            ledger.record(event)

    def raw_singles() -> None:
        c = connections["raw"]
        for row in rows["raw"][0]:
            with c.transaction():
                c.execute(insert["raw"], row)

    def same_singles() -> None:
        for row in rows["same"][0]:
            same_statements([row])

    figures: list[Figure] = []
    figures += rates(
        "postgres",
        "append, 1 event per transaction",
        singles,
        {
            "ledger": (ledger_singles, prepare_singles),
            "raw": (raw_singles, prepare_rows("raw", singles, 1)),
            "same": (same_singles, prepare_rows("same", singles, 1)),
        },
        {"raw": "raw psycopg, one commit per row", "same": SAME},
        repeat=repeat,
    )

    def prepare_batches() -> None:
        pending[:] = [_events(incident_id, source_id, BATCH) for _ in range(batches)]

    def ledger_batches() -> None:
        for batch in pending:
            ledger.record(*batch)

    def raw_batches() -> None:
        c = connections["raw"]
        for batch_rows in rows["raw"]:
            with c.transaction(), c.cursor() as cursor:
                cursor.executemany(insert["raw"], batch_rows)

    def same_batches() -> None:
        for batch_rows in rows["same"]:
            same_statements(batch_rows)

    total = BATCH * batches
    figures += rates(
        "postgres",
        "append, 1,000 events per transaction",
        total,
        {
            "ledger": (ledger_batches, prepare_batches),
            "raw": (raw_batches, prepare_rows("raw", BATCH, batches)),
            "same": (same_batches, prepare_rows("same", BATCH, batches)),
        },
        {"raw": "raw psycopg executemany, one transaction", "same": SAME},
        repeat=repeat,
    )
    # Once more, now that the stream holds every batch above: an append must
    # not read the stream it extends.
    length = len(ledger)
    figures += rates(
        "postgres",
        f"append, 1 event per transaction, to a stream of {length:,}",
        singles,
        {
            "ledger": (ledger_singles, prepare_singles),
            "raw": (raw_singles, prepare_rows("raw", singles, 1)),
        },
        {"raw": "raw psycopg, one commit per row"},
        repeat=repeat,
    )
    for conn in connections.values():
        conn.close()
    return figures
