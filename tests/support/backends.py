"""
Ledgers on every backend for tests: memory, SQLite and PostgreSQL.

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
from incidents.storage._contract import Store

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


class Backend:
    """Opens ledgers on one backend; every ledger it opens is closed and dropped after the test."""

    def __init__(self, name: str, tmp_path: Path) -> None:
        self.name = name
        self.tmp_path = tmp_path
        self.opened: list[Ledger] = []
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


def _drop_closed(location: str) -> None:
    """Drop the schema of a PostgreSQL ledger the test closed itself, through a store of its own."""
    from incidents.storage._postgres import PostgresStore

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
