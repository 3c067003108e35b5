"""
The SQLite backend: the embedded default, one file per ledger.

Built on eventsourcing's SQLite datastore (its connection pool, which
serializes writers within a process and uses write-ahead logging for files).
Writes take SQLite's write lock up front (``BEGIN IMMEDIATE``), so writers in
other processes queue rather than fail half way; ``synchronous=FULL`` makes
every committed batch durable before :meth:`incidents.Ledger.record` returns.
"""

from __future__ import annotations

import contextlib
import operator
import os
import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteDatastore

from incidents._codec.slots import uuid_from_bytes
from incidents._errors import ConcurrencyError, DuplicateEventError, StorageError
from incidents.storage._contract import (
    AuditCheckpointRow,
    AuditReader,
    AuditRow,
    FoldSnapshot,
    ProjectionCheckpoint,
    ProjectionWriter,
    Store,
    StoredRecord,
    Tile,
    Writer,
    commit_signal,
    fetch_rows,
    stored_record,
)

__all__ = ["SQLiteStore"]

SCHEMA_VERSION = 1
TABLE = "incident_events"
_COLUMNS = "sequence, incident_id, position, event_id, topic, recorded_at, state"
_CHUNK = 500  # stays under SQLite's host-parameter limit on old builds
_FIRST = operator.itemgetter(0)

_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " sequence INTEGER PRIMARY KEY,"
    " incident_id BLOB NOT NULL,"
    " position INTEGER NOT NULL,"
    " event_id BLOB NOT NULL UNIQUE,"
    " topic TEXT NOT NULL,"
    " recorded_at INTEGER NOT NULL,"
    " state BLOB NOT NULL,"
    " UNIQUE (incident_id, position))",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_recorded_at ON {TABLE} (recorded_at)",
    # Each incident's first event, for listing incidents without reading every row.
    f"CREATE INDEX IF NOT EXISTS {TABLE}_openings ON {TABLE} (sequence) WHERE position = 1",
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Derived data (incidents._timetravel.service): may be dropped at any time.
    "CREATE TABLE IF NOT EXISTS fold_snapshots ("
    " incident_id BLOB NOT NULL,"
    " format INTEGER NOT NULL,"
    " first_position INTEGER NOT NULL,"
    " last_position INTEGER NOT NULL,"
    " last_event_id BLOB NOT NULL,"
    " last_sequence INTEGER NOT NULL,"
    " data BLOB NOT NULL,"
    " PRIMARY KEY (incident_id, format, first_position))",
    f"INSERT OR IGNORE INTO ledger_meta VALUES ('schema_version', '{SCHEMA_VERSION}')",
)

_INSERT = f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?,?,?,?,?,?,?)"

# -- audit tables (see incidents._tlog.tiles): created alongside, never altering the above --
_AUDIT_TILES = (
    "CREATE TABLE IF NOT EXISTS audit_tiles ("
    " level INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " hashes BLOB NOT NULL,"
    " ids BLOB,"
    " PRIMARY KEY (level, idx))"
)
_AUDIT_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS audit_tree ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " origin TEXT NOT NULL)",
    # A rowid table: a full level-0 tile (16 hashes and 16 pairs of ids, about
    # 1 KB) is too large for a WITHOUT ROWID table's pages, where each one
    # spilled to an overflow page of its own.
    _AUDIT_TILES,
    "CREATE TABLE IF NOT EXISTS audit_checkpoints ("
    " id INTEGER PRIMARY KEY,"
    " size INTEGER NOT NULL,"
    " first INTEGER,"
    " recorder TEXT,"
    " created_at INTEGER NOT NULL,"
    " note TEXT NOT NULL,"
    " key TEXT)",
)
_PUT_TILE = (
    "INSERT INTO audit_tiles (level, idx, hashes, ids) VALUES (?,?,?,?)"
    " ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes, ids = excluded.ids"
)
# The last tile of each level: one index seek per level (a handful), not a scan.
_AUDIT_EDGE = (
    "WITH RECURSIVE levels(level) AS ("
    " SELECT MIN(level) FROM audit_tiles"
    " UNION ALL SELECT (SELECT MIN(level) FROM audit_tiles WHERE level > levels.level)"
    " FROM levels WHERE levels.level IS NOT NULL)"
    " SELECT t.level, t.idx, t.hashes, t.ids FROM levels"
    " JOIN audit_tiles AS t ON t.level = levels.level"
    " AND t.idx = (SELECT MAX(idx) FROM audit_tiles WHERE level = levels.level)"
    " ORDER BY t.level"
)
# CAST: a state someone rewrote as text still reaches verification as bytes.
_AUDIT_ROWS = (
    "SELECT sequence, incident_id, position, event_id, topic, recorded_at, CAST(state AS BLOB)"
    f" FROM {TABLE} WHERE sequence>? ORDER BY sequence LIMIT ?"
)


def _row(r: Any, incident_id: UUID | None = None) -> StoredRecord:
    # (sequence, incident, position, event_id, topic, recorded_at, state): the
    # incident's id is given when every row read is known to be of that incident.
    return stored_record(
        r[0],
        uuid_from_bytes(r[1]) if incident_id is None else incident_id,
        r[2],
        r[4],
        r[6],
        uuid_from_bytes(r[3]),
        r[5],
    )


class _Pool(SQLiteConnectionPool):
    """eventsourcing's pool, with the durability settings and statement cache of a ledger."""

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
            if not self.is_sqlite_memory_mode:
                raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=FULL")  # committed means on disk
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open {self.db_name}: {exc}") from exc
        return SQLiteConnection(sqlite_conn=raw, max_age=self.max_age)


class _Datastore(SQLiteDatastore):
    def __init__(self, db_name: str, lock_timeout: int) -> None:
        super().__init__(db_name, lock_timeout=lock_timeout)
        self.pool.close()
        self.pool = _Pool(db_name=db_name, lock_timeout=lock_timeout)


class _SQLiteWriter(Writer):
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.c = cursor

    def head(self) -> tuple[int, int | None]:
        self.c.execute(f"SELECT sequence, recorded_at FROM {TABLE} ORDER BY sequence DESC LIMIT 1")
        found = self.c.fetchone()
        return (0, None) if found is None else (found[0], found[1])

    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        heads = {}
        for incident_id in incident_ids:
            self.c.execute(
                f"SELECT MAX(position) FROM {TABLE} WHERE incident_id=?", (incident_id.bytes,)
            )
            heads[incident_id] = self.c.fetchone()[0] or 0
        return heads

    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        return [_row(r) for r in _select_by_event_id(self.c, event_ids)]

    def insert(self, rows: Sequence[StoredRecord]) -> list[bytes]:
        params = []
        ids = []  # the leaf ids (incidents.storage._contract.leaf_ids), from the bytes made here anyway
        incident: Any = None
        incident_bytes = b""
        for r in rows:
            if r.originator_id is not incident:  # batches are mostly one incident
                incident = r.originator_id
                incident_bytes = incident.bytes
            event_bytes = r.event_id.bytes
            params.append(
                (
                    r.id,
                    incident_bytes,
                    r.originator_version,
                    event_bytes,
                    r.topic,
                    r.recorded_at,
                    r.state,
                )
            )
            ids.append(event_bytes + incident_bytes)
        try:
            self.c.executemany(_INSERT, params)
        except sqlite3.IntegrityError as exc:
            message = str(exc)
            if "event_id" in message:
                raise DuplicateEventError(
                    f"an event with the same id is already recorded ({message})"
                ) from exc
            raise ConcurrencyError(
                f"another writer took the same stream position or sequence ({message})"
            ) from exc
        return ids

    # -- audit ---------------------------------------------------------------------

    def audit_origin(self) -> str | None:
        return _audit_origin(self.c)

    def set_audit_origin(self, origin: str) -> None:
        self.c.execute("INSERT INTO audit_tree (id, origin) VALUES (1, ?)", (origin,))

    def audit_edge(self) -> list[Tile]:
        return _audit_edge(self.c)

    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        if len(tiles) == 1:  # the usual small batch: its last tile grew
            (t,) = tiles
            self.c.execute(_PUT_TILE, (t.level, t.index, t.hashes, t.ids))
        else:
            self.c.executemany(_PUT_TILE, [(t.level, t.index, t.hashes, t.ids) for t in tiles])

    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        k = checkpoint
        self.c.execute(
            "INSERT INTO audit_checkpoints (size, first, recorder, created_at, note, key) VALUES (?,?,?,?,?,?)",
            (k.size, k.first, k.recorder, k.created_at, k.note, k.key),
        )

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return _audit_rows(self.c, after, limit)


def _select_by_event_id(c: sqlite3.Cursor, event_ids: Collection[UUID]) -> list[Any]:
    """The stored tuples of the given events, a chunk of ids per query, in no set order."""
    ids = [i.bytes for i in event_ids]
    found: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        c.execute(
            f"SELECT {_COLUMNS} FROM {TABLE} WHERE event_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found += c.fetchall()
    return found


def _upgrade_audit_tiles(c: sqlite3.Cursor) -> None:
    """
    Move the tiles of a ledger that keeps them WITHOUT ROWID into a rowid table.

    Ledgers written by development versions before 0.1.0 did; the same rows
    are copied as they are, in the transaction that opens the ledger.
    """
    c.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='audit_tiles'")
    found = c.fetchone()
    if found is None or "WITHOUT ROWID" not in str(found[0]).upper():
        return
    c.execute("ALTER TABLE audit_tiles RENAME TO audit_tiles_without_rowid")
    c.execute(_AUDIT_TILES)
    c.execute(
        "INSERT INTO audit_tiles (level, idx, hashes, ids)"
        " SELECT level, idx, hashes, ids FROM audit_tiles_without_rowid ORDER BY level, idx"
    )
    c.execute("DROP TABLE audit_tiles_without_rowid")


# -- audit reads, shared by the writer and the snapshot reader ---------------------------


def _audit_origin(c: sqlite3.Cursor) -> str | None:
    c.execute("SELECT origin FROM audit_tree")
    found = c.fetchone()
    return None if found is None else str(found[0])


def _audit_edge(c: sqlite3.Cursor) -> list[Tile]:
    c.execute(_AUDIT_EDGE)
    return [Tile(*r) for r in c.fetchall()]


def _audit_rows(c: sqlite3.Cursor, after: int, limit: int) -> list[AuditRow]:
    c.execute(_AUDIT_ROWS, (after, limit))
    return c.fetchall()


class _SQLiteAuditReader(AuditReader):
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.c = cursor

    def audit_origin(self) -> str | None:
        return _audit_origin(self.c)

    def audit_edge(self) -> list[Tile]:
        return _audit_edge(self.c)

    def audit_tiles(self, level: int, first: int, last: int) -> list[Tile]:
        self.c.execute(
            "SELECT level, idx, hashes, ids FROM audit_tiles WHERE level=? AND idx BETWEEN ? AND ? ORDER BY idx",
            (level, first, last),
        )
        return [Tile(*r) for r in self.c.fetchall()]

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return _audit_rows(self.c, after, limit)

    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        self.c.execute(
            "SELECT size, first, recorder, created_at, note, key FROM audit_checkpoints ORDER BY id"
        )
        return [AuditCheckpointRow(*r) for r in self.c.fetchall()]


class SQLiteStore(Store):
    """
    Recorded events in one SQLite file.

    Args:
        path: The database file (created if missing, with its parent folder
            required to exist).
        lock_timeout: Seconds a writer waits for another process's write lock.

    Raises:
        StorageError: If the file cannot be opened or is not a ledger.
    """

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: int = 30) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        if not self.path.parent.is_dir():
            raise StorageError(
                f"cannot open ledger {self.path}: folder {self.path.parent} does not exist"
            )
        self.datastore = _Datastore(str(self.path), lock_timeout)
        self.signal = commit_signal(f"sqlite:{self.path.resolve()}")
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        try:
            with self._transaction() as c:
                for statement in _SCHEMA:
                    c.execute(statement)
                for statement in _AUDIT_SCHEMA:
                    c.execute(statement)
                _upgrade_audit_tiles(c)
                c.execute("SELECT value FROM ledger_meta WHERE key='schema_version'")
                version = int(c.fetchone()[0])
        except (sqlite3.DatabaseError, PersistenceError) as exc:
            self.datastore.close()
            raise StorageError(f"cannot open ledger {self.path}: {exc}") from exc
        if version != SCHEMA_VERSION:
            self.datastore.close()
            raise StorageError(
                f"ledger {self.path} has schema version {version}; this library reads {SCHEMA_VERSION}"
            )

    # -- connections ---------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        # Writers in this process take turns on one dedicated connection (the
        # pool's bookkeeping costs more than a small append); writers in other
        # processes queue on SQLite's own lock through BEGIN IMMEDIATE.
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
        except sqlite3.Error as exc:
            raise StorageError(f"reading {self.path} failed: {exc}") from exc

    @contextlib.contextmanager
    def writing(self) -> Iterator[Writer]:
        """
        Open an exclusive write transaction (``BEGIN IMMEDIATE``).
        """
        try:
            with self._transaction() as cursor:
                yield _SQLiteWriter(cursor)
            self.signal.committed()
        except sqlite3.OperationalError as exc:
            raise StorageError(f"writing to {self.path} failed: {exc}") from exc
        except PersistenceError as exc:
            raise StorageError(f"writing to {self.path} failed: {exc}") from exc

    # -- reads -----------------------------------------------------------------------

    def stream(
        self,
        incident_id: UUID,
        *,
        recorded_until: int | None = None,
        after_position: int = 0,
    ) -> list[StoredRecord]:
        """
        An incident's rows in position order.
        """
        sql = f"SELECT {_COLUMNS} FROM {TABLE} WHERE incident_id=? AND position>?"
        params: list[Any] = [incident_id.bytes, after_position]
        if recorded_until is not None:
            sql += " AND recorded_at<=?"
            params.append(recorded_until)
        sql += " ORDER BY position"
        with self._reading() as c:
            c.execute(sql, params)
            return fetch_rows(c, lambda r: _row(r, incident_id))

    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order after a sequence number.
        """
        sql = f"SELECT {_COLUMNS} FROM {TABLE} WHERE sequence>?"
        params: list[Any] = [after]
        if recorded_until is not None:
            sql += " AND recorded_at<=?"
            params.append(recorded_until)
        sql += " ORDER BY sequence"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading() as c:
            c.execute(sql, params)
            return fetch_rows(c, _row)

    def row(self, event_id: UUID) -> StoredRecord | None:
        """
        The row of one event.
        """
        with self._reading() as c:
            c.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE event_id=?", (event_id.bytes,))
            found = c.fetchone()
        return None if found is None else _row(found)

    def rows_of(self, event_ids: Collection[UUID]) -> list[StoredRecord]:
        """
        The rows of several events, in global order.
        """
        with self._reading() as c:
            found = _select_by_event_id(c, set(event_ids))
        found.sort(key=_FIRST)
        return [_row(r) for r in found]

    def incident_ids(self) -> list[UUID]:
        """
        Every incident, in order of first recording.
        """
        with self._reading() as c:
            c.execute(f"SELECT incident_id FROM {TABLE} WHERE position=1 ORDER BY sequence")
            return [UUID(bytes=r[0]) for r in c.fetchall()]

    def stream_lengths(self) -> dict[UUID, int]:
        """
        Every incident's number of events, in order of first recording (one query).
        """
        with self._reading() as c:
            c.execute(
                f"SELECT incident_id, MAX(position) FROM {TABLE}"
                " GROUP BY incident_id ORDER BY MIN(sequence)"
            )
            return {uuid_from_bytes(r[0]): r[1] for r in c.fetchall()}

    def last_sequence(self) -> int:
        """
        The last sequence number (0 when empty).
        """
        with self._reading() as c:
            c.execute(f"SELECT MAX(sequence) FROM {TABLE}")
            return int(c.fetchone()[0] or 0)

    def close(self) -> None:
        """
        Close every pooled connection and the writer's.
        """
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self.datastore.close()

    # -- audit ---------------------------------------------------------------------

    @contextlib.contextmanager
    def audit_reading(self) -> Iterator[AuditReader]:
        """
        Hold one read transaction (a WAL snapshot) for the reader's lifetime.
        """
        try:
            with self.datastore.get_connection(commit=False) as connection:
                raw: sqlite3.Connection = connection._sqlite_conn
                cursor = raw.cursor()
                try:
                    cursor.execute("BEGIN")
                    yield _SQLiteAuditReader(cursor)
                finally:
                    raw.rollback()
                    cursor.close()
        except sqlite3.Error as exc:
            raise StorageError(f"reading {self.path} failed: {exc}") from exc

    # -- snapshots: derived data (incidents._timetravel.service) ---------------------------

    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Store a snapshot (unless one with the same key reaches further).
        """
        try:
            with self._transaction() as c:
                c.execute(
                    "INSERT INTO fold_snapshots VALUES (?,?,?,?,?,?,?)"
                    " ON CONFLICT (incident_id, format, first_position) DO UPDATE SET"
                    " last_position=excluded.last_position, last_event_id=excluded.last_event_id,"
                    " last_sequence=excluded.last_sequence, data=excluded.data"
                    " WHERE excluded.last_position >= fold_snapshots.last_position",
                    (
                        snapshot.incident_id.bytes,
                        snapshot.format,
                        snapshot.first_position,
                        snapshot.last_position,
                        snapshot.last_event_id.bytes,
                        snapshot.last_sequence,
                        snapshot.data,
                    ),
                )
        except (sqlite3.Error, PersistenceError) as exc:
            raise StorageError(f"saving a snapshot to {self.path} failed: {exc}") from exc

    def fold_snapshots(self, incident_id: UUID, format: int) -> list[FoldSnapshot]:
        """
        An incident's snapshots of one format, by first position.
        """
        with self._reading() as c:
            c.execute(
                "SELECT first_position, last_position, last_event_id, last_sequence, data"
                " FROM fold_snapshots WHERE incident_id=? AND format=?"
                " ORDER BY first_position",
                (incident_id.bytes, format),
            )
            return [
                FoldSnapshot(
                    incident_id=incident_id,
                    format=format,
                    first_position=r[0],
                    last_position=r[1],
                    last_event_id=UUID(bytes=r[2]),
                    last_sequence=r[3],
                    data=r[4],
                )
                for r in c.fetchall()
            ]

    def drop_fold_snapshots(self, incident_id: UUID | None = None) -> int:
        """
        Delete an incident's snapshots (or every one).
        """
        try:
            with self._transaction() as c:
                if incident_id is None:
                    c.execute("DELETE FROM fold_snapshots")
                else:
                    c.execute(
                        "DELETE FROM fold_snapshots WHERE incident_id=?", (incident_id.bytes,)
                    )
                return int(c.rowcount)
        except (sqlite3.Error, PersistenceError) as exc:
            raise StorageError(f"dropping snapshots in {self.path} failed: {exc}") from exc

    # -- projections: read models and their checkpoints -------------------------------
    #
    # One checkpoint row per projection and generation (not eventsourcing's one
    # tracking table per file), and the read model's documents in the same file,
    # so a batch of state and its checkpoint commit in one transaction.

    _projection_tables_ready = False

    def _projection_tables(self) -> None:
        if not self._projection_tables_ready:
            try:
                with self._transaction() as c:
                    for statement in _PROJECTION_SCHEMA:
                        c.execute(statement)
            except (sqlite3.Error, PersistenceError) as exc:
                raise StorageError(f"writing to {self.path} failed: {exc}") from exc
            self._projection_tables_ready = True

    def projection_rows(
        self,
        *,
        after: int,
        until: int | None = None,
        topics: Collection[str] | None = None,
        limit: int | None = None,
        incident_id: UUID | None = None,
        recorded_until: int | None = None,
    ) -> list[tuple[int, str, bytes]]:
        """
        ``(sequence, topic, canonical bytes)`` of rows in global order, filtered in SQL.
        """
        sql = f"SELECT sequence, topic, state FROM {TABLE} WHERE sequence>?"
        params: list[Any] = [after]
        if until is not None:
            sql += " AND sequence<=?"
            params.append(until)
        if incident_id is not None:
            sql += " AND incident_id=?"
            params.append(incident_id.bytes)
        if recorded_until is not None:
            sql += " AND recorded_at<=?"
            params.append(recorded_until)
        if topics is not None:
            wanted = sorted(topics)
            if not wanted:
                return []
            sql += f" AND topic IN ({','.join('?' * len(wanted))})"
            params.extend(wanted)
        sql += " ORDER BY sequence"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading() as c:
            c.execute(sql, params)
            return c.fetchall()

    def projection_checkpoints(self, name: str | None = None) -> list[ProjectionCheckpoint]:
        """
        Checkpoints by name, then generation.
        """
        with self._projection_snapshot() as c:
            sql = f"SELECT {_CHECKPOINT_COLUMNS} FROM projection_checkpoints"
            if name is None:
                c.execute(sql + " ORDER BY name, generation")
            else:
                c.execute(sql + " WHERE name=? ORDER BY generation", (name,))
            return [_checkpoint(r) for r in c.fetchall()]

    def projection_load(
        self, name: str, generation: int
    ) -> tuple[ProjectionCheckpoint | None, dict[str, bytes]]:
        """
        One generation's checkpoint and documents, in one read transaction.
        """
        with self._projection_snapshot() as c:
            c.execute(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM projection_checkpoints "
                "WHERE name=? AND generation=?",
                (name, generation),
            )
            found = c.fetchone()
            c.execute(
                "SELECT key, value FROM projection_documents WHERE name=? AND generation=?",
                (name, generation),
            )
            documents = dict(c.fetchall())
        return (None if found is None else _checkpoint(found)), documents

    @contextlib.contextmanager
    def _projection_snapshot(self) -> Iterator[sqlite3.Cursor]:
        self._projection_tables()
        with self._reading() as c:
            c.execute("BEGIN")
            try:
                yield c
            finally:
                c.execute("ROLLBACK")  # read only: nothing to keep

    @contextlib.contextmanager
    def projection_writing(self, name: str, generation: int) -> Iterator[ProjectionWriter]:
        """
        Open a write transaction (``BEGIN IMMEDIATE``) on one generation of a read model.
        """
        self._projection_tables()
        try:
            with self._transaction() as cursor:
                yield _SQLiteProjectionWriter(cursor, name, generation)
        except (sqlite3.OperationalError, PersistenceError) as exc:
            raise StorageError(f"writing to {self.path} failed: {exc}") from exc

    def projection_drop(self, name: str, generation: int | None = None) -> None:
        """
        Delete one generation of a read model, or every one.
        """
        self._projection_tables()
        where, params = (
            ("name=?", (name,))
            if generation is None
            else (
                "name=? AND generation=?",
                (name, generation),
            )
        )
        with self._transaction() as c:
            c.execute(f"DELETE FROM projection_documents WHERE {where}", params)
            c.execute(f"DELETE FROM projection_checkpoints WHERE {where}", params)


_PROJECTION_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS projection_checkpoints ("
    " name TEXT NOT NULL,"
    " generation INTEGER NOT NULL,"
    " version TEXT NOT NULL,"
    " sequence INTEGER NOT NULL,"
    " active INTEGER NOT NULL,"
    " PRIMARY KEY (name, generation))",
    "CREATE TABLE IF NOT EXISTS projection_documents ("
    " name TEXT NOT NULL,"
    " generation INTEGER NOT NULL,"
    " key TEXT NOT NULL,"
    " value BLOB NOT NULL,"
    " PRIMARY KEY (name, generation, key)) WITHOUT ROWID",
)
_CHECKPOINT_COLUMNS = "name, generation, version, sequence, active"


def _checkpoint(r: Any) -> ProjectionCheckpoint:
    return ProjectionCheckpoint(
        name=r[0], generation=r[1], version=r[2], sequence=r[3], active=bool(r[4])
    )


class _SQLiteProjectionWriter(ProjectionWriter):
    def __init__(self, cursor: sqlite3.Cursor, name: str, generation: int) -> None:
        self.c = cursor
        self.name = name
        self.generation = generation

    def checkpoint(self) -> ProjectionCheckpoint | None:
        self.c.execute(
            f"SELECT {_CHECKPOINT_COLUMNS} FROM projection_checkpoints "
            "WHERE name=? AND generation=?",
            (self.name, self.generation),
        )
        found = self.c.fetchone()
        return None if found is None else _checkpoint(found)

    def put(self, documents: Mapping[str, bytes]) -> None:
        self.c.executemany(
            "INSERT OR REPLACE INTO projection_documents VALUES (?,?,?,?)",
            [(self.name, self.generation, key, value) for key, value in documents.items()],
        )

    def delete(self, keys: Collection[str]) -> None:
        self.c.executemany(
            "DELETE FROM projection_documents WHERE name=? AND generation=? AND key=?",
            [(self.name, self.generation, key) for key in keys],
        )

    def advance(self, checkpoint: ProjectionCheckpoint) -> None:
        self.c.execute(
            "INSERT OR REPLACE INTO projection_checkpoints VALUES (?,?,?,?,?)",
            (
                checkpoint.name,
                checkpoint.generation,
                checkpoint.version,
                checkpoint.sequence,
                int(checkpoint.active),
            ),
        )

    def activate(self) -> None:
        self.c.execute(
            "UPDATE projection_checkpoints SET active=1 WHERE name=? AND generation=?",
            (self.name, self.generation),
        )
        for table in ("projection_documents", "projection_checkpoints"):
            self.c.execute(
                f"DELETE FROM {table} WHERE name=? AND generation<>?",
                (self.name, self.generation),
            )
