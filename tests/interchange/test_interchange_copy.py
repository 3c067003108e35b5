"""Restoring from bundles and copying between SQLite, PostgreSQL and bundles keep the log as it was."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest

from incidents import (
    Event,
    FixedClock,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    SigningKey,
    SourceKind,
    SourceRegistered,
    VerificationError,
    examples,
)
from incidents.interchange import copy_ledger, restore_bundle
from support.backends import Backend, fresh_postgres_url, opened_backend, require_postgres

ORIGIN = "example.org/incidents/test"


def recorded(ledger: Ledger) -> Ledger:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    for at, events in examples.alaska_2024_batches():
        clock.set(at)
        ledger.record(*events)
    clock.set(examples.ALASKA_2024_PUBLISHED_AT.replace(year=2025))
    ledger.record(*examples.dokdo_2019(), recorder="second recorder")
    ledger.checkpoint(store=True)
    return ledger


def log(ledger: Ledger) -> list[tuple[object, ...]]:
    """Every event with its envelope, in the ledger's order."""
    found = []
    for incident_id in ledger.incident_ids():
        for r in ledger.events(incident_id):
            found.append((r.sequence, r.position, r.recorded_at, r.recorder, r.event))
    return sorted(found, key=lambda e: e[0])  # type: ignore[arg-type,return-value]


def test_a_bundle_restores_the_same_log_on_every_backend(backend: Backend, tmp_path: Path) -> None:
    key = SigningKey.generate(ORIGIN)
    source = recorded(backend.open(signing_key=key))
    path = tmp_path / "ledger.bundle"
    checkpoint = source.export_bundle(path)
    restored = restore_bundle(path, backend.target(), keys=[key.verifier])
    backend.opened.append(restored)
    assert restored.origin == ORIGIN
    assert restored.checkpoint().root == checkpoint.root
    assert log(restored) == log(source)
    report = restored.verify(checkpoints=[checkpoint], keys=[key.verifier])
    assert report.ok
    assert report.authenticated
    # More can be recorded into it, and it still verifies.
    restored.record(*_another_incident())
    assert restored.verify().ok


def _another_incident() -> list[Event]:

    incident = uuid4()
    source = SourceRegistered(
        incident_id=incident, kind=SourceKind.NEWS_ARTICLE, publisher="Example News"
    )
    return [
        IncidentOpened(incident_id=incident, source_id=source.source_id, title="Later"),
        source,
    ]


def test_a_damaged_bundle_restores_nothing(tmp_path: Path) -> None:
    with Ledger.open(":memory:", clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT)) as ledger:
        recorded(ledger)
        path = tmp_path / "ledger.bundle"
        ledger.export_bundle(path)
    lines = path.read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if i and b"Tu-95" in line)
    lines[at] = lines[at].replace(b"Tu-95", b"Tu-96", 1)
    damaged = tmp_path / "damaged.bundle"
    damaged.write_bytes(b"\n".join(lines))
    target = tmp_path / "restored.db"
    with pytest.raises(VerificationError, match="does not verify"):
        restore_bundle(damaged, target)
    assert not target.exists()
    # Signed by nobody the caller trusts: not authenticated, not restored.
    stranger = SigningKey.generate("someone/else")
    with pytest.raises(VerificationError, match="key you trust"):
        restore_bundle(path, target, keys=[stranger.verifier])
    assert not target.exists()


def test_sqlite_to_postgresql_to_a_bundle_to_sqlite_keeps_the_root(tmp_path: Path) -> None:
    require_postgres()
    key = SigningKey.generate(ORIGIN)
    first = tmp_path / "first.db"
    with Ledger.open(
        first, clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT), signing_key=key
    ) as ledger:
        recorded(ledger)
        checkpoint = ledger.checkpoint()
        original = log(ledger)
        kept = ledger.checkpoints()
    postgres = fresh_postgres_url()
    try:
        assert copy_ledger(first, postgres).root == checkpoint.root
        bundle = tmp_path / "copy.bundle"
        assert copy_ledger(postgres, bundle).root == checkpoint.root
        last = tmp_path / "last.db"
        assert copy_ledger(bundle, last, keys=[key.verifier]).root == checkpoint.root
        for target in (postgres, last):
            with Ledger.open(target, read_only=True) as copy:
                assert copy.checkpoint().root == checkpoint.root
                assert log(copy) == original
                report = copy.verify(checkpoints=[checkpoint], keys=[key.verifier])
                assert report.ok
                assert report.authenticated
                assert [c.checkpoint for c in copy.checkpoints()] == [c.checkpoint for c in kept]
    finally:
        from incidents.storage import PostgresStore

        store = PostgresStore(postgres)
        store.drop()
        store.close()


def test_a_ledger_copies_from_every_backend_to_every_backend(tmp_path: Path) -> None:
    with opened_backend("memory", tmp_path) as memory:
        source = recorded(memory.open())
        checkpoint = source.checkpoint()
        for name in ("sqlite", "postgres"):
            if name == "postgres":
                require_postgres()
            with opened_backend(name, tmp_path) as backend:
                target = backend.target()
                assert copy_ledger(source, target).root == checkpoint.root
                copy = backend.open(target)
                assert log(copy) == log(source)
                assert copy.verify(checkpoints=[checkpoint]).ok
                # A copy never goes on top of a ledger.
                with pytest.raises(InvalidInputError, match="not empty"):
                    copy_ledger(source, target)
                assert len(copy) == len(source)


def test_a_missing_source_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="nothing to copy"):
        copy_ledger(tmp_path / "missing.db", tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
