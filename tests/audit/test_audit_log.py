"""Tests of incidents.audit._log: the ledger keeps its Merkle tree, checkpoints and signatures."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from incidents import (
    Event,
    FixedClock,
    IncidentOpened,
    Ledger,
    SourceKind,
    SourceRegistered,
    canonical_bytes,
)
from incidents._errors import InvalidInputError, StorageError
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.hashing import root_from_leaf_hashes
from incidents._tlog.notes import SigningKey
from incidents._tlog.tiles import leaf_hashes
from incidents.audit import DamageKind
from incidents.examples import (
    ALASKA_2024_CORRECTED_AT,
    ALASKA_2024_PUBLISHED_AT,
    alaska_2024_batches,
)
from support.backends import Backend, fresh_postgres_url, postgres_unavailable, require_postgres

KEY = SigningKey.generate("example.org/alice")


def incident_opened(n: int) -> list[Event]:
    """A new incident and its first source."""
    incident = uuid.uuid5(uuid.NAMESPACE_URL, f"incident/{n}")
    source = uuid.uuid5(uuid.NAMESPACE_URL, f"source/{n}")
    return [
        IncidentOpened(incident_id=incident, source_id=source, event_id=incident, title=f"n{n}"),
        SourceRegistered(
            incident_id=incident,
            source_id=source,
            kind=SourceKind.NEWS_ARTICLE,
            publisher="Example",
        ),
    ]


def record_example(ledger: Ledger) -> list[bytes]:
    """Record the worked example as it was learned; return the recorded canonical bytes."""
    states = []
    for recorded_at, events in alaska_2024_batches():
        ledger.clock.set(recorded_at)  # type: ignore[attr-defined]
        states.extend(canonical_bytes(r) for r in ledger.record(*events))
    return states


def test_the_root_is_the_rfc_tree_of_the_canonical_bytes(backend: Backend) -> None:
    ledger = backend.open()
    assert Checkpoint(origin=ledger.origin, size=0, root=root_from_leaf_hashes([])) == (
        ledger.checkpoint()
    )
    states = record_example(ledger)
    checkpoint = ledger.checkpoint()
    assert checkpoint.size == len(states) == len(ledger)
    assert checkpoint.root == root_from_leaf_hashes(leaf_hashes(states))
    for size in range(len(states) + 1):
        assert ledger.checkpoint(size=size).root == root_from_leaf_hashes(
            leaf_hashes(states[:size])
        )


def test_the_same_events_give_the_same_root_on_every_backend(tmp_path: Path) -> None:
    targets = [":memory:", str(tmp_path / "ledger.db")]
    if postgres_unavailable() is None:
        targets.append(fresh_postgres_url())
    roots = {}
    for target in targets:
        clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
        with Ledger.open(target, clock=clock, recorder="tester", origin="example.org/x") as ledger:
            record_example(ledger)
            roots[target.split(":")[0]] = ledger.checkpoint().text
            drop = getattr(ledger.store, "drop", None)
            if drop is not None:
                drop()
    assert len(set(roots.values())) == 1, roots


def test_origin_is_kept_and_cannot_be_changed(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path, origin="example.org/incidents") as ledger:
        assert ledger.origin == "example.org/incidents"
    with Ledger.open(path) as ledger:
        assert ledger.origin == "example.org/incidents"
        assert ledger.checkpoint().origin == "example.org/incidents"
    with pytest.raises(InvalidInputError, match=r"origin is 'example\.org/incidents'"):
        Ledger.open(path, origin="example.org/other")
    with pytest.raises(InvalidInputError):
        Ledger.open(tmp_path / "other.db", origin="not a url")
    with Ledger.open(":memory:") as ledger:
        assert ledger.origin.startswith("incidents/")


def test_a_recorder_with_a_key_signs_every_batch(backend: Backend) -> None:
    ledger = backend.open(signing_key=KEY, recorder=None)
    assert ledger.recorder == KEY.name
    record_example(ledger)
    stored = ledger.checkpoints()
    sizes = [(s.first, s.checkpoint.size) for s in stored]
    assert sizes == [(1, 15), (16, 17), (18, 19)]
    for s in stored:
        assert s.recorder == KEY.name
        assert s.key == KEY.verifier
        s.checkpoint.verify_signatures([KEY.verifier])
        assert s.checkpoint.root == ledger.checkpoint(size=s.checkpoint.size).root
    assert stored[1].created_at == ALASKA_2024_CORRECTED_AT
    checkpoint = ledger.checkpoint(store=True)
    checkpoint.verify_signatures([KEY.verifier])
    assert ledger.checkpoints()[-1].first is None
    report = ledger.verify(keys=[KEY.verifier])
    assert report.ok, report.render()
    assert len(report.checkpoints) == 4  # one per batch, and the one stored on request


@pytest.mark.parametrize("name", ["sqlite", "postgres"])
def test_a_ledger_without_audit_tables_gets_its_tree_from_build_not_from_opening(
    name: str, tmp_path: Path
) -> None:
    if name == "postgres":
        require_postgres()
    backend = Backend(name, tmp_path)
    try:
        _upgrade(backend)
    finally:
        backend.close()


def _upgrade(backend: Backend) -> None:
    target = backend.target()
    ledger = backend.open(target)
    states = record_example(ledger)
    ledger.close()
    # Make it look like a ledger written before the audit tables existed.
    if backend.name == "sqlite":
        with sqlite3.connect(target) as db:
            for table in ("audit_tree", "audit_tiles", "audit_checkpoints"):
                db.execute(f"DROP TABLE {table}")
    else:
        import psycopg

        schema = target.split("schema=")[1]
        with psycopg.connect(target.split("?")[0], autocommit=True) as db:
            for table in ("audit_tree", "audit_tiles", "audit_checkpoints"):
                db.execute(f"DROP TABLE {schema}.{table}")  # type: ignore[arg-type]
    # Read-only, the ledger reads as one without a tree: verify says so, and writes nothing.
    with Ledger.open(target, read_only=True) as old:
        report = old.verify()
    assert [d.kind for d in report.damages] == [DamageKind.TREE_MISSING]
    # Opened to record, it builds nothing either: recording and proofs wait for the tree.
    old = backend.open(target)
    with pytest.raises(StorageError, match="build-tree"):
        old.checkpoint()
    old.clock.set(ALASKA_2024_CORRECTED_AT + timedelta(days=1))  # type: ignore[attr-defined]
    with pytest.raises(StorageError, match="no audit tree"):
        old.record(*incident_opened(98))
    assert len(old) == len(states)
    old.close()
    key = SigningKey.generate("example.org/old-ledger")
    upgraded = backend.open(target, signing_key=key, recorder="builder")
    built = upgraded.build_audit_tree()
    assert built.origin == key.name
    assert built.root == root_from_leaf_hashes(leaf_hashes(states))
    assert upgraded.checkpoint().root == built.root
    report = upgraded.verify(keys=[key.verifier])
    assert report.authenticated, report.render()  # the builder signed the log as built
    assert "computed from the stored rows by 'builder'" in " ".join(report.notes)
    with pytest.raises(StorageError, match="not empty"):
        upgraded.build_audit_tree()
    upgraded.record(*incident_opened(99))
    assert upgraded.verify(keys=[key.verifier]).authenticated


def test_tiles_kept_without_rowid_move_to_a_rowid_table_on_open(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger.open(path, clock=FixedClock(ALASKA_2024_PUBLISHED_AT))
    record_example(ledger)
    for n in range(40):  # more than one full tile, so that level 1 exists
        ledger.record(*incident_opened(n))
    root = ledger.checkpoint().root
    ledger.close()
    # The tiles as development versions before 0.1.0 kept them.
    with sqlite3.connect(path) as db:
        tiles = db.execute(
            "SELECT level, idx, hashes, ids FROM audit_tiles ORDER BY 1, 2"
        ).fetchall()
        assert {level for level, *_ in tiles} == {0, 1}
        db.execute("DROP TABLE audit_tiles")
        db.execute(
            "CREATE TABLE audit_tiles (level INTEGER NOT NULL, idx INTEGER NOT NULL,"
            " hashes BLOB NOT NULL, ids BLOB, PRIMARY KEY (level, idx)) WITHOUT ROWID"
        )
        db.executemany("INSERT INTO audit_tiles VALUES (?,?,?,?)", tiles)
    db.close()

    upgraded = Ledger.open(path, clock=FixedClock(ALASKA_2024_CORRECTED_AT + timedelta(days=1)))
    with sqlite3.connect(path) as db:
        (ddl,) = db.execute("SELECT sql FROM sqlite_master WHERE name='audit_tiles'").fetchone()
        moved = db.execute(
            "SELECT level, idx, hashes, ids FROM audit_tiles ORDER BY 1, 2"
        ).fetchall()
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert "WITHOUT ROWID" not in ddl.upper()
    assert moved == tiles
    assert "audit_tiles_without_rowid" not in names
    assert upgraded.checkpoint().root == root
    assert upgraded.verify().ok
    upgraded.record(*incident_opened(99))
    assert upgraded.verify().ok
    upgraded.close()


def test_writers_on_one_file_keep_one_tree(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    first = Ledger.open(path, clock=FixedClock(ALASKA_2024_PUBLISHED_AT))
    second = Ledger.open(path, clock=FixedClock(ALASKA_2024_PUBLISHED_AT))
    batches = alaska_2024_batches()
    first.record(*batches[0][1])
    second.record(*batches[1][1])
    with Ledger.open(path) as third:
        assert third.verify().ok
    threads = [
        threading.Thread(target=lambda ledger=ledger, n=n: ledger.record(*incident_opened(n)))
        for n, ledger in enumerate([first, second] * 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for ledger in (first, second):
        assert ledger.verify().ok
        ledger.close()


@pytest.mark.parametrize("where", ["before", "inside"])
def test_a_failed_append_leaves_tree_and_events_in_step(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    ledger = backend.open()
    batches = alaska_2024_batches()
    ledger.record(*batches[0][1])
    before = ledger.checkpoint()

    def broken(*args: object, **kwargs: object) -> None:
        raise StorageError("disk full")

    if where == "before":
        monkeypatch.setattr(ledger._audit, "append", broken)
    else:  # after the rows were inserted and the remembered edge was set aside
        monkeypatch.setattr("incidents.audit._log.leaf_hashes", broken)
    with pytest.raises(StorageError, match="disk full"):
        ledger.record(*batches[1][1])
    monkeypatch.undo()
    assert ledger.checkpoint() == before
    assert len(ledger) == before.size
    ledger.record(*batches[1][1])
    assert ledger.verify().ok


def test_a_bad_signing_key_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="SigningKey"):
        Ledger.open(":memory:", signing_key="PRIVATE+KEY+x")  # type: ignore[arg-type]


def test_rows_inserted_through_the_eventsourcing_interface_are_covered(backend: Backend) -> None:
    ledger = backend.open()
    batches = alaska_2024_batches()
    ledger.record(*batches[0][1])
    rows = ledger.store.rows()
    ledger.store.insert_events(
        [
            type(rows[-1])(
                id=rows[-1].id + 1,
                originator_id=rows[-1].originator_id,
                originator_version=rows[-1].originator_version + 1,
                topic=rows[-1].topic,
                state=rows[-1].state.replace(
                    b'"sequence":%d,' % rows[-1].id, b'"sequence":%d,' % (rows[-1].id + 1)
                ),
                event_id=uuid.uuid4(),
                recorded_at=rows[-1].recorded_at,
            )
        ]
    )
    assert ledger.checkpoint().size == len(rows) + 1
    ledger.clock.set(ALASKA_2024_CORRECTED_AT)  # type: ignore[attr-defined]
    ledger.record(*incident_opened(1))  # the tree was kept in step: recording goes on
    # The row itself says otherwise than its columns: verify names it.
    first = ledger.verify().first
    assert first is not None
    assert (first.kind, first.position) == (DamageKind.MODIFIED, len(rows) + 1)
