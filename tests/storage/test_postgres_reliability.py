"""
The PostgreSQL backend under load and at its edges: pipelined batches, URLs, unreachable servers.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from incidents import (
    AircraftReported,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    Location,
    Position,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    ValidTime,
)
from incidents.storage import Tile
from incidents.storage._postgres import parse_url
from support.backends import POSTGRES_URL, T0, Backend, opened_backend, stored_row

PASSWORD = "Hunter2-not-for-messages"


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


# -- what a URL may say --------------------------------------------------------------------------


def test_a_url_gives_its_settings_with_defaults_for_what_it_leaves_out() -> None:
    assert parse_url("postgres://") == {
        "dbname": "postgres",
        "host": "127.0.0.1",
        "port": 5432,
        "user": "postgres",
        "password": "",
        "schema": "public",
    }
    assert parse_url(
        "postgresql://ops%40example:p%2Fw%3Fd@DB.example:6543/air%20ops?schema=ledger_2024"
    ) == {
        "dbname": "air ops",
        "host": "db.example",
        "port": 6543,
        "user": "ops@example",
        "password": "p/w?d",
        "schema": "ledger_2024",
    }
    assert parse_url("postgresql://[::1]/test")["host"] == "::1"
    assert parse_url("postgresql:///test?schema=_" + "a" * 62)["schema"] == "_" + "a" * 62


@pytest.mark.parametrize(
    "schema",
    ["x%0A", "x%0Ay", "%0Ax", "X", "ledger-1", "1ledger", "l%C3%A9dger", "a" * 64, "", "x%00"],
)
def test_a_schema_name_must_be_plain(schema: str) -> None:
    with pytest.raises(InvalidInputError, match="lower-case ASCII letters, digits and underscores"):
        parse_url(f"postgresql://postgres@127.0.0.1/test?schema={schema}")


@pytest.mark.parametrize(
    "schema", ["information_schema", "pg_catalog", "pg_toast", "pg_temp", "pg_temp_3", "pg_x"]
)
def test_a_system_schema_is_refused(schema: str) -> None:
    with pytest.raises(InvalidInputError, match=r"PostgreSQL's own \(information_schema, pg_\*\)"):
        parse_url(f"postgresql://postgres@127.0.0.1/test?schema={schema}")


@pytest.mark.parametrize("port", ["99999", "65536", "0", "abc", "-1", "5432x"])
def test_a_port_must_be_a_number_from_1_to_65535(port: str) -> None:
    with pytest.raises(InvalidInputError, match="port must be a number from 1 to 65535"):
        parse_url(f"postgresql://postgres@127.0.0.1:{port}/test")


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("mysql://postgres@127.0.0.1/test", "starts with postgresql://"),
        ("postgresql://postgres@127.0.0.1/test?sslmode=disable", "only the parameter schema"),
        ("postgresql://postgres@127.0.0.1/test?schema=a&schema=b", "schema more than once"),
        ("postgresql://postgres@127.0.0.1/te%0Ast", "database name must not hold control"),
        ("postgresql://postgres@127.0.0.1/te%00st", "database name must not hold control"),
        ("postgresql://post%09gres@127.0.0.1/test", "user name must not hold control"),
        ("postgresql://postgres@127.0.0.1/te%FFst", "database name is not UTF-8"),
        ("postgresql://postgres@h1,h2/test", "one host name or IP address"),
        ("postgresql://postgres@[::1/test", "not a well-formed"),
        ("postgresql://postgres@127.0.0.1/test#x", "no #fragment"),
        ("postgresql://postgres:12/3@127.0.0.1/test", "an @ after its host"),
    ],
)
def test_anything_else_unclear_in_a_url_is_refused(url: str, rule: str) -> None:
    with pytest.raises(InvalidInputError, match=rule):
        parse_url(url)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://postgres:{PASSWORD}@127.0.0.1:99999/test",
        f"postgresql://postgres:{PASSWORD}@127.0.0.1/test?schema=pg_catalog",
        f"mysql://postgres:{PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:{PASSWORD}%00@127.0.0.1/test",
        f"postgresql://postgres:{PASSWORD}%FF@127.0.0.1/test",
        # Unencoded / ? # in a password: what follows spills into the port,
        # the parameters or a fragment, and must not be quoted back either.
        f"postgresql://postgres:x/{PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:x?{PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:x?schema={PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:x#{PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:/{PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:?schema={PASSWORD}@127.0.0.1/test",
        f"postgresql://postgres:5432/{PASSWORD}@127.0.0.1/test",
    ],
)
def test_a_refused_url_is_never_quoted_with_its_password(url: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_url(url)
    assert_no_password(raised.value)


def test_a_refused_schema_creates_nothing(postgres: Backend) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"
    base = POSTGRES_URL.split("?")[0]
    try:
        with pytest.raises(InvalidInputError):
            Ledger.open(f"{base}?schema={name}%0A")
        with psycopg.connect(base) as conn:
            found = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (name + "%",)
            ).fetchall()
        assert found == []
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}\n" CASCADE')


def assert_no_password(exc: BaseException) -> None:
    """Neither the error nor any error it was raised from or during holds the password."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        for text in (str(current), repr(current), *map(str, current.args)):
            assert PASSWORD not in text
            assert PASSWORD.lower() not in text.lower()
        current = current.__cause__ or current.__context__
