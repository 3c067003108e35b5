"""
The PostgreSQL backend under load and at its edges: pipelined batches, URLs, unreachable servers.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

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
    StorageError,
    ValidTime,
)
from incidents.storage import Tile, open_store
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
        "connect_timeout": 5,
    }
    assert parse_url(
        "postgresql://ops%40example:p%2Fw%3Fd@DB.example:6543/air%20ops"
        "?schema=ledger_2024&connect_timeout=12"
    ) == {
        "dbname": "air ops",
        "host": "db.example",
        "port": 6543,
        "user": "ops@example",
        "password": "p/w?d",
        "schema": "ledger_2024",
        "connect_timeout": 12,
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
        ("postgresql://postgres@127.0.0.1/test?sslmode=disable", "only the parameters"),
        ("postgresql://postgres@127.0.0.1/test?schema=a&schema=b", "schema more than once"),
        ("postgresql://postgres@127.0.0.1/test?connect_timeout=0", "from 1 to 3600"),
        ("postgresql://postgres@127.0.0.1/test?connect_timeout=1.5", "from 1 to 3600"),
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


# -- servers that cannot be reached --------------------------------------------------------------


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


def _server() -> tuple[str, int]:
    parts = urlsplit(POSTGRES_URL)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def _url(host: str, port: int, dbname: str = "test") -> str:
    """A URL with a password (the test server trusts its clients: it never asks for it)."""
    return (
        f"postgresql://postgres:{PASSWORD}@{host}:{port}/{dbname}?schema=t_{uuid.uuid4().hex[:20]}"
    )


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_says_so() -> None:
    url = _url("127.0.0.1", _unused_port())
    with pytest.raises(StorageError, match=r"(?i)connection refused") as raised:
        Ledger.open(url)
    assert "cannot connect to postgresql://postgres@127.0.0.1:" in str(raised.value)
    assert_no_password(raised.value)


def test_a_database_that_does_not_exist_says_so(postgres: Backend) -> None:
    name = f"nope_{uuid.uuid4().hex[:8]}"
    with pytest.raises(StorageError, match=f'database "{name}" does not exist') as raised:
        open_store(_url(*_server(), dbname=name))
    assert_no_password(raised.value)


class _Relay:
    """A TCP relay to the test server that can be cut: its connections drop, new ones are refused."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


def test_a_server_lost_after_opening_is_reported_without_the_password(postgres: Backend) -> None:
    relay = _Relay(_server())
    url = _url("127.0.0.1", relay.port)
    store = open_store(url)
    try:
        assert store.last_sequence() == 0
        relay.cut()
        errors = []
        for _ in range(8):  # the pool's connections that were open fail first
            with pytest.raises(StorageError) as raised:
                store.last_sequence()
            assert_no_password(raised.value)
            errors.append(str(raised.value))
            if "refused" in errors[-1].lower():
                break
        assert "cannot connect to" in errors[-1]
        assert "refused" in errors[-1].lower()
    finally:
        store.close()
    with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {url.split('schema=')[1]} CASCADE")
