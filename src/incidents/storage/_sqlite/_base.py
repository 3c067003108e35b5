"""
The SQLite backend's file and connections: opening a ledger, one writer at a time, pooled readers.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from eventsourcing.persistence import PersistenceError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteDatastore

from incidents._errors import InvalidInputError, StorageError
from incidents.storage._rows import schema_version_of
from incidents.storage._signal import CommitSignal, commit_signal
from incidents.storage._sqlite._file import READ_ONLY_PRAGMAS, inspect_file, read_only_uri
from incidents.storage._sqlite._schema import (
    AUDIT_SCHEMA,
    SCHEMA,
    SCHEMA_VERSION,
    upgrade_audit_tiles,
)

__all__ = ["SQLiteBase"]

_AUDIT_TABLES = ("audit_tree", "audit_tiles", "audit_checkpoints")


class _Pool(SQLiteConnectionPool):
    """eventsourcing's pool, with the durability settings and statement cache of a ledger."""

    read_only = False

    def _create_connection(self) -> SQLiteConnection:
        try:
            raw = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # we issue BEGIN IMMEDIATE ourselves
                cached_statements=256,  # eventsourcing keeps one; we re-run a few dozen
                timeout=self.lock_timeout or 5,
            )
            if self.read_only:
                for statement in READ_ONLY_PRAGMAS:
                    raw.execute(statement)
            else:
                if not self.is_sqlite_memory_mode:
                    raw.execute("PRAGMA journal_mode=WAL")
                raw.execute("PRAGMA synchronous=FULL")  # committed means on disk
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open {self.db_name}: {exc}") from exc
        return SQLiteConnection(sqlite_conn=raw, max_age=self.max_age)


class _Datastore(SQLiteDatastore):
    def __init__(self, db_name: str, lock_timeout: int, *, read_only: bool = False) -> None:
        super().__init__(db_name, lock_timeout=lock_timeout)
        self.pool.close()
        self.pool = _Pool(db_name=db_name, lock_timeout=lock_timeout)
        self.pool.read_only = read_only


class SQLiteBase:
    """
    An open ledger file: what every part of the SQLite store works through.

    Args:
        path: The database file (created if missing, with its parent folder
            required to exist).
        lock_timeout: Seconds a writer waits for another process's write lock.
        read_only: Open an existing ledger read-only (``mode=ro``): nothing is
            created or written, and a file that is not a ledger is refused.

    Raises:
        StorageError: If the file cannot be opened or is not a ledger.
        InvalidInputError: Read-only, if the file is missing or not a ledger.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, lock_timeout: int = 30, read_only: bool = False
    ) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.read_only = read_only
        self.audit_tables: set[str] = set()
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        if read_only:
            if not self.path.is_file():
                raise InvalidInputError(f"no ledger at {self.path}")
            self.datastore = _Datastore(read_only_uri(self.path), lock_timeout, read_only=True)
        else:
            if not self.path.parent.is_dir():
                raise StorageError(
                    f"cannot open ledger {self.path}: folder {self.path.parent} does not exist"
                )
            self.datastore = _Datastore(str(self.path), lock_timeout)
        self.signal: CommitSignal = commit_signal(f"sqlite:{self.path.resolve()}")
        try:
            version = self._open_read_only() if read_only else self._create()
        except (sqlite3.DatabaseError, PersistenceError) as exc:
            self.datastore.close()
            raise StorageError(f"cannot open ledger {self.path}: {exc}") from exc
        except BaseException:
            self.close()
            raise
        if version != SCHEMA_VERSION:
            self.close()
            raise StorageError(
                f"ledger {self.path} has schema version {version}; this library reads {SCHEMA_VERSION}"
            )

    def _create(self) -> int:
        # The file's schema is read before anything is written to it: a
        # trigger would run inside the very statements that set the ledger up.
        with self._reading() as c:
            inspect_file(c, self.path, read_only=False)
        with self._transaction() as c:
            for statement in SCHEMA:
                c.execute(statement)
            for statement in AUDIT_SCHEMA:
                c.execute(statement)
            upgrade_audit_tiles(c)
            c.execute("SELECT value FROM ledger_meta WHERE key='schema_version'")
            version = schema_version_of(c.fetchone()[0], str(self.path))
        self.audit_tables = set(_AUDIT_TABLES)
        return version

    def _open_read_only(self) -> int:
        with self._reading() as c:
            tables = inspect_file(c, self.path, read_only=True)
            if "ledger_meta" not in tables:
                raise InvalidInputError(f"{self.path} is not a ledger: it has no ledger_meta table")
            c.execute("SELECT value FROM ledger_meta WHERE key='schema_version'")
            found = c.fetchone()
        if found is None:
            raise InvalidInputError(f"{self.path} is not a ledger: it names no schema version")
        self.audit_tables = tables & set(_AUDIT_TABLES)
        return schema_version_of(found[0], str(self.path))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        # Writers in this process take turns on one dedicated connection (the
        # pool's bookkeeping costs more than a small append); writers in other
        # processes queue on SQLite's own lock through BEGIN IMMEDIATE.
        if self.read_only:
            raise StorageError(
                f"ledger {self.path} was opened read-only: nothing can be written to it"
            )
        with self._write_lock:
            raw = self._writer
            if raw is None:
                raw = self._writer = self.datastore.pool._create_connection()._sqlite_conn
            cursor = raw.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                yield cursor
            except BaseException:
                raw.rollback()
                raise
            else:
                try:
                    raw.commit()
                except sqlite3.Error as exc:
                    raw.rollback()
                    raise StorageError(f"commit to {self.path} failed: {exc}") from exc
            finally:
                cursor.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Cursor]:
        try:
            with self.datastore.get_connection(commit=False) as connection:
                cursor = connection._sqlite_conn.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # text that is not UTF-8: damage
            raise StorageError(f"reading {self.path} failed: {exc}") from exc

    def close(self) -> None:
        """
        Close every pooled connection and the writer's.
        """
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self.datastore.close()
