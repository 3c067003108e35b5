"""
Verify distrusts the file: it only reads, runs nothing the file brought, and refuses what is not a ledger.

A ledger file may come from someone else. ``incidents verify`` opens it
read-only (SQLite ``mode=ro``): its bytes are the same afterwards, triggers
never run (one that would loop forever, one that deletes what is written),
a view standing in for a ledger table is refused rather than run, an empty
or foreign file is an error (never "OK", never turned into a database), and
damage SQLite itself can see, such as one flipped bit in an index page, is
reported.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from forger import sha256_file

from incidents import FixedClock, IncidentOpened, Ledger, SourceKind, SourceRegistered
from incidents._cli import main
from incidents._errors import InvalidInputError, StorageError
from incidents.examples import (
    ALASKA_2024,
    ALASKA_2024_PUBLISHED_AT,
    alaska_2024,
    alaska_2024_batches,
)
from support.backends import fresh_postgres_url, require_postgres

# Would run for ever: every row of an endless recursive CTE.
ENDLESS = (
    "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
    " SELECT x FROM c)"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(path, clock=clock) as ledger:
        for at, events in alaska_2024_batches():
            clock.set(at)
            ledger.record(*events)
    return path


@pytest.fixture
def ledger_file(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ledger.db"
    shutil.copyfile(template, target)
    return target


Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def command(*args: str) -> tuple[int, str]:
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out + captured.err

    return command


def verify_in_a_process(path: Path) -> subprocess.CompletedProcess[str]:
    """``incidents verify`` in a process of its own, killed if it runs for a minute."""
    return subprocess.run(
        [sys.executable, "-m", "incidents", "verify", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_verify_leaves_the_file_as_it_was(ledger_file: Path, run: Run) -> None:
    before = sha256_file(ledger_file)
    assert run("verify", str(ledger_file))[0] == 3
    assert run("verify", str(ledger_file), "--integrity", "full")[0] == 3
    assert run("--ledger", str(ledger_file), "replay")[0] == 3
    assert run("--ledger", str(ledger_file), "checkpoint")[0] == 0
    assert sha256_file(ledger_file) == before


def test_an_empty_file_is_not_a_ledger_and_stays_empty(tmp_path: Path, run: Run) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    status, out = run("verify", str(empty))
    assert status == 2, out
    assert "is not a ledger: it is empty" in out
    assert empty.stat().st_size == 0
    with pytest.raises(InvalidInputError, match="not a ledger"):
        Ledger.open(empty, read_only=True)
    assert empty.stat().st_size == 0
    missing = tmp_path / "missing.db"
    with pytest.raises(InvalidInputError, match="no ledger at"):
        Ledger.open(missing, read_only=True)
    assert not missing.exists()


@pytest.mark.parametrize("what", ["text", "sqlite"])
def test_a_foreign_file_is_not_a_ledger(tmp_path: Path, run: Run, what: str) -> None:
    path = tmp_path / "foreign.db"
    if what == "text":
        path.write_text("hello, I am not a database\n" * 200)
    else:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (text TEXT)")
        db.close()
    before = sha256_file(path)
    status, out = run("verify", str(path))
    assert status == 2, out
    assert "is not a ledger" in out
    assert sha256_file(path) == before


def test_a_trigger_that_would_never_end_is_not_run(ledger_file: Path) -> None:
    with sqlite3.connect(ledger_file) as db:
        for table in ("ledger_meta", "incident_events", "audit_tiles"):
            db.execute(
                f"CREATE TRIGGER endless_{table} BEFORE INSERT ON {table} BEGIN {ENDLESS}; END"
            )
    db.close()
    before = sha256_file(ledger_file)
    done = verify_in_a_process(ledger_file)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the file carries trigger endless_ledger_meta on ledger_meta" in done.stdout
    assert "verify does not run it" in done.stdout
    assert sha256_file(ledger_file) == before
    # Opened to record into, such a file is refused before anything is written.
    with pytest.raises(StorageError, match="carries triggers"):
        Ledger.open(ledger_file)
    assert sha256_file(ledger_file) == before


def test_a_trigger_that_deletes_what_is_recorded_is_reported_and_never_recorded_through(
    ledger_file: Path, run: Run
) -> None:
    with sqlite3.connect(ledger_file) as db:
        db.execute(
            "CREATE TRIGGER vanish AFTER INSERT ON incident_events"
            " BEGIN DELETE FROM incident_events WHERE sequence = NEW.sequence; END"
        )
    db.close()
    status, out = run("verify", str(ledger_file))
    assert status == 1, out
    assert out.startswith("FAILED: ")
    assert "trigger vanish on incident_events" in out
    with pytest.raises(StorageError, match="vanish"):
        Ledger.open(ledger_file)


def test_a_view_standing_in_for_the_events_is_refused_not_run(ledger_file: Path) -> None:
    with sqlite3.connect(ledger_file) as db:
        db.execute("ALTER TABLE incident_events RENAME TO real_events")
        db.execute(
            f"CREATE VIEW incident_events AS SELECT * FROM real_events WHERE ({ENDLESS}) > 0"
        )
    db.close()
    before = sha256_file(ledger_file)
    done = verify_in_a_process(ledger_file)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "incident_events is a view of the file's own making" in done.stderr
    assert sha256_file(ledger_file) == before


def _page_of(path: Path, name: str) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (page,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)
        ).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    return (page - 1) * size


def _stream_read(path: Path) -> int:
    """How many events `incidents events` would show: a read through the (incident, position) index."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        try:
            rows = db.execute(
                "SELECT sequence FROM incident_events WHERE incident_id = ? ORDER BY position",
                (ALASKA_2024.bytes,),
            ).fetchall()
        except sqlite3.DatabaseError:
            return -1
    db.close()
    return len(rows)


def _flip(path: Path, offset: int, bit: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ (1 << bit)]))


INDEX = "sqlite_autoindex_incident_events_2"  # (incident_id, position): what `events` reads


def test_a_flipped_bit_in_an_index_page_header_is_reported(ledger_file: Path, run: Run) -> None:
    _checkpoint_wal(ledger_file)
    _flip(ledger_file, _page_of(ledger_file, INDEX) + 3, 0)  # the page's count of cells
    for integrity in ("full", "quick"):  # even the quick check sees a page header
        status, out = run("verify", str(ledger_file), "--integrity", integrity)
        assert status == 1, out
        assert f"storage: SQLite {integrity}_check".replace("full", "integrity") in out


def test_a_flipped_bit_in_an_index_entry_is_reported_by_default(
    ledger_file: Path, run: Run
) -> None:
    _checkpoint_wal(ledger_file)
    expected = len(alaska_2024())
    start = _page_of(ledger_file, INDEX)
    page = ledger_file.read_bytes()[start : start + 4096]
    # A bit in the last cell's incident id (cells fill the page from its end):
    # the index then hides events from reads by incident, and nothing else changes.
    for offset in range(len(page) - 1, len(page) - 40, -1):
        _flip(ledger_file, start + offset, 7)
        if 0 <= _stream_read(ledger_file) < expected:
            break
        _flip(ledger_file, start + offset, 7)
    else:
        pytest.fail("no flip in the last cell changed what the index gives")
    status, out = run("verify", str(ledger_file))  # the full check is the default
    assert status == 1, out
    assert "storage: SQLite integrity_check: SQLite integrity_check: " in out
    assert "sqlite_autoindex_incident_events_2" in out
    # The events themselves are intact: what is wrong is the storage, not the record.
    assert "result: the events are intact, but the storage is damaged" in out


def _checkpoint_wal(path: Path) -> None:
    """Move the write-ahead log into the file, so that its pages are where they are read."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()


def test_postgres_ledgers_are_read_in_read_only_sessions(tmp_path: Path) -> None:
    require_postgres()
    import psycopg

    url = fresh_postgres_url()
    schema = url.split("schema=")[1]
    with pytest.raises(InvalidInputError, match="not a ledger"):
        Ledger.open(url, read_only=True)  # nothing there: not created
    with psycopg.connect(url.split("?")[0], autocommit=True) as db:
        found = db.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    assert found is None
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    writer = Ledger.open(url, clock=clock)
    try:
        for at, events in alaska_2024_batches():
            clock.set(at)
            writer.record(*events)
        with psycopg.connect(url.split("?")[0], autocommit=True) as db:
            db.execute(
                f"CREATE FUNCTION {schema}.vanish() RETURNS trigger LANGUAGE plpgsql AS"  # type: ignore[arg-type]
                " $$ BEGIN RETURN NULL; END $$"
            )
            db.execute(
                f"CREATE TRIGGER vanish BEFORE INSERT ON {schema}.incident_events"  # type: ignore[arg-type]
                f" FOR EACH ROW EXECUTE FUNCTION {schema}.vanish()"
            )
        with Ledger.open(url, read_only=True) as reader:
            report = reader.verify()
            assert not report.ok
            assert any("trigger vanish on incident_events" in f for f in report.storage_findings)
            new, source = uuid.uuid4(), uuid.uuid4()
            events = (
                IncidentOpened(incident_id=new, source_id=source, title="new"),
                SourceRegistered(
                    incident_id=new,
                    source_id=source,
                    kind=SourceKind.NEWS_ARTICLE,
                    publisher="Example",
                ),
            )
            with pytest.raises(StorageError, match="read-only"):
                reader.record(*events)
    finally:
        writer.store.drop()  # type: ignore[attr-defined]
        writer.close()
