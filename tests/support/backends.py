"""
Ledgers and bare stores on every backend for tests: memory, SQLite and PostgreSQL.

PostgreSQL tests skip only on a machine without a server and without ``CI``;
in CI an unreachable server fails them.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incidents import FixedClock, Ledger
from incidents.storage import Store, StoredRecord, open_store

IN_CI = bool(os.environ.get("CI"))

POSTGRES_URL = os.environ.get(
    "INCIDENTS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("memory", "sqlite", "postgres")

_postgres_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can (checked once)."""
    if "reason" not in _postgres_state:
        try:
            import psycopg

            with psycopg.connect(POSTGRES_URL.split("?")[0], connect_timeout=3):
                pass
        except Exception as exc:
            _postgres_state["reason"] = f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}"
        else:
            _postgres_state["reason"] = None
    return _postgres_state["reason"]


def require_postgres() -> None:
    """Skip (outside CI) or fail (in CI) when PostgreSQL is unreachable."""
    reason = postgres_unavailable()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
    pytest.skip(reason)


def fresh_postgres_url() -> str:
    """A URL for a new, empty schema of the test database."""
    return f"{POSTGRES_URL.split('?')[0]}?schema=t_{uuid.uuid4().hex[:20]}"


LedgerFactory = Callable[..., Ledger]

T0 = 1_721_908_800_000_000
"""A recording time for bare rows: 2024-07-25 12:00Z, in microseconds since the epoch."""


def stored_row(
    sequence: int,
    incident_id: uuid.UUID,
    position: int,
    *,
    recorded_at: int = T0,
    topic: str = "IncidentOpened",
    event_id: uuid.UUID | None = None,
) -> StoredRecord:
    """A bare row for storage tests; its state is opaque bytes naming the sequence."""
    return StoredRecord(
        id=sequence,
        originator_id=incident_id,
        originator_version=position,
        topic=topic,
        state=f'{{"sequence":{sequence}}}'.encode(),
        event_id=event_id or uuid.uuid4(),
        recorded_at=recorded_at,
    )


class Backend:
    """Opens ledgers and stores on one backend; all are closed and dropped after the test."""

    def __init__(self, name: str, tmp_path: Path) -> None:
        self.name = name
        self.tmp_path = tmp_path
        self.opened: list[Ledger] = []
        self.stores: list[Store] = []
        self.targets: list[str] = []

    def target(self) -> str:
        """A fresh storage target for this backend (the same one is reused by ``reopen``)."""
        if self.name == "memory":
            target = ":memory:"
        elif self.name == "sqlite":
            target = str(self.tmp_path / f"ledger-{len(self.targets)}.db")
        else:
            target = fresh_postgres_url()
        self.targets.append(target)
        return target

    def open(self, target: str | None = None, **kwargs: object) -> Ledger:
        """Open a ledger (on a fresh target unless one is given)."""
        kwargs.setdefault("clock", FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC)))
        kwargs.setdefault("recorder", "tester")
        ledger = Ledger.open(target or self.target(), **kwargs)  # type: ignore[arg-type]
        self.opened.append(ledger)
        return ledger

    def open_store(self, target: str | None = None) -> Store:
        """Open a bare store, without a ledger (on a fresh target unless one is given)."""
        store = open_store(target or self.target())
        self.stores.append(store)
        return store

    def discard(self, ledger: Ledger) -> None:
        """Drop and close one ledger now (tests that open one per hypothesis example)."""
        store: Store = ledger.store
        drop = getattr(store, "drop", None)
        if drop is not None:
            try:
                drop()
            except Exception:
                _drop_closed(store.location)
        ledger.close()
        if ledger in self.opened:
            self.opened.remove(ledger)

    def close(self) -> None:
        for ledger in list(self.opened):
            self.discard(ledger)
        for store in self.stores:
            drop = getattr(store, "drop", None)
            if drop is not None:
                with contextlib.suppress(Exception):
                    drop()
            store.close()
        self.stores.clear()


def _drop_closed(location: str) -> None:
    """Drop the schema of a PostgreSQL ledger the test closed itself, through a store of its own."""
    from incidents.storage import PostgresStore

    with contextlib.suppress(Exception):
        store = PostgresStore(location)
        try:
            store.drop()
        finally:
            store.close()


@contextlib.contextmanager
def opened_backend(name: str, tmp_path: Path) -> Iterator[Backend]:
    """A :class:`Backend` by name (PostgreSQL required in CI), closed afterwards."""
    if name == "postgres":
        require_postgres()
    b = Backend(name, tmp_path)
    try:
        yield b
    finally:
        b.close()
