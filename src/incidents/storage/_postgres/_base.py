"""
The PostgreSQL backend's connections: opening a ledger's schema, pooled transactions, the listener.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql
from psycopg.rows import tuple_row

from incidents._errors import StorageError
from incidents.storage._postgres._schema import (
    SCHEMA_VERSION,
    TABLE,
    create_audit,
    create_events,
)
from incidents.storage._postgres._url import parse_url
from incidents.storage._signal import CommitSignal, commit_signal

__all__ = ["PostgresBase", "lock_key"]


def lock_key(text: str) -> int:
    """
    An advisory lock's key for *text*: the first 8 bytes of its SHA-256, signed.

    Args:
        text: What the lock guards (a schema, a projection of a schema).

    Returns:
        A ``bigint`` for ``pg_advisory_xact_lock``.
    """
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


class PostgresBase:
    """
    An open ledger schema: what every part of the PostgreSQL store works through.

    Args:
        url: ``postgresql://user:password@host:port/dbname?schema=name``.
        pool_size: Connections kept open.

    Raises:
        StorageError: If the server cannot be reached or the schema is not a ledger.
    """

    def __init__(self, url: str, *, pool_size: int = 2) -> None:
        settings = parse_url(url)
        self.schema: str = settings.pop("schema")
        self.location = (
            f"postgresql://{settings['user']}@{settings['host']}:{settings['port']}/"
            f"{settings['dbname']}?schema={self.schema}"
        )
        self.table = sql.Identifier(self.schema, TABLE)
        #: The ``LISTEN``/``NOTIFY`` channel told of every commit to this ledger.
        self.channel = "incidents_" + hashlib.sha256(self.schema.encode()).hexdigest()[:24]
        self.signal: CommitSignal = commit_signal(self.location)
        self._settings = settings
        self._listener: Any = None
        self._listener_lock = threading.Lock()
        self.datastore = PostgresDatastore(
            **settings, schema=self.schema, pool_size=pool_size, max_overflow=4, connect_timeout=10
        )
        try:
            self._create()
        except (psycopg.Error, PersistenceError) as exc:
            self.datastore.close()
            raise StorageError(f"cannot open ledger {self.location}: {exc}") from exc

    def _create(self) -> None:
        with self._transaction() as c:
            # Two processes creating the same ledger at once must not race.
            c.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(self.schema),))
            version = create_events(c, self.schema)
            create_audit(c, self.schema)
        if version != SCHEMA_VERSION:
            raise StorageError(
                f"ledger {self.location} has schema version {version}; this library reads {SCHEMA_VERSION}"
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor(row_factory=tuple_row) as cursor,
        ):
            yield cursor

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Any]:
        try:
            with (
                self.datastore.get_connection() as conn,
                conn.cursor(row_factory=tuple_row) as cursor,
            ):
                yield cursor
        except (psycopg.Error, PersistenceError) as exc:
            raise StorageError(f"reading {self.location} failed: {exc}") from exc

    def _listen(self) -> Any:
        """The connection listening on :attr:`channel` (opened once), or ``None`` if it cannot be."""
        if self._listener is None:
            try:
                listener = psycopg.connect(**self._settings, autocommit=True, connect_timeout=10)
                listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            except psycopg.Error:
                return None
            self._listener = listener
        return self._listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(psycopg.Error):
                listener.close()

    def close(self) -> None:
        """
        Close the connection pool (and the listening connection, if any).
        """
        with self._listener_lock:
            self._close_listener()
        self.datastore.close()

    def drop(self) -> None:
        """
        Delete the ledger's schema and everything in it (for tests and clean-up).
        """
        with self._transaction() as c:
            c.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )
