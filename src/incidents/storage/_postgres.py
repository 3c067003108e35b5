"""
The PostgreSQL backend: many writers, many machines.

Built on eventsourcing's PostgreSQL datastore (psycopg 3 and its connection
pool). Needs the ``postgres`` extra: ``pip install 'incidents[postgres]'``.
A ledger lives in one schema of one database; writers serialize on an
``EXCLUSIVE`` table lock (readers are never blocked), so the global sequence
is dense and recording time never goes backwards, whichever machine writes.

Open it with a URL: ``postgresql://user:password@host:5432/dbname?schema=name``
(``schema`` defaults to ``public``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from incidents._errors import (
    ConcurrencyError,
    DuplicateEventError,
    IncidentsError,
    InvalidInputError,
    StorageError,
)
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
    by_sequence,
    commit_signal,
    fetch_rows,
    leaf_ids,
)

try:
    import psycopg
    from eventsourcing.persistence import PersistenceError
    from eventsourcing.postgres import PostgresDatastore
    from psycopg import sql
    from psycopg.rows import tuple_row
except ImportError as exc:  # pragma: no cover - depends on the environment
    _IMPORT_ERROR: ImportError | None = exc
else:
    _IMPORT_ERROR = None

_PIPELINE = _IMPORT_ERROR is None and psycopg.Pipeline.is_supported()

__all__ = ["PostgresStore", "parse_url"]

SCHEMA_VERSION = 1
TABLE = "incident_events"
_COLUMNS = "sequence, incident_id, position, event_id, topic, recorded_at, state"
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def parse_url(url: str) -> dict[str, Any]:
    """
    Split a ``postgresql://`` URL into connection settings.

    Args:
        url: e.g. ``postgresql://postgres@127.0.0.1:5432/test?schema=ledger``.

    Returns:
        ``dbname``, ``host``, ``port``, ``user``, ``password`` and ``schema``.

    Raises:
        InvalidInputError: If the URL is malformed or the schema name is unsafe.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise InvalidInputError(f"not a postgresql:// URL: {url!r}")
    query = parse_qs(parts.query)
    schema = query.get("schema", ["public"])[0]
    if not _NAME_RE.match(schema):
        raise InvalidInputError(
            f"schema {schema!r} must be lower-case letters, digits and underscores"
        )
    return {
        "dbname": unquote(parts.path.lstrip("/")) or "postgres",
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "schema": schema,
    }


def _row(r: Any) -> StoredRecord:
    return StoredRecord(
        id=r[0],
        originator_id=r[1],
        originator_version=r[2],
        event_id=r[3],
        topic=r[4],
        recorded_at=r[5],
        state=bytes(r[6]),
    )


@functools.cache
def _head_query(schema: str) -> Any:
    """The last sequence and its recording time (composed once per schema)."""
    return sql.SQL("SELECT sequence, recorded_at FROM {} ORDER BY sequence DESC LIMIT 1").format(
        sql.Identifier(schema, TABLE)
    )


@functools.cache
def _stream_heads_query(schema: str) -> Any:
    """
    The last position of each of an array of incidents (composed once per schema).

    One backward step down the (incident_id, position) index per incident:
    ``MAX(position) ... GROUP BY`` would read the whole stream of each.
    """
    return sql.SQL(
        "SELECT i, (SELECT position FROM {} WHERE incident_id = i"
        " ORDER BY position DESC LIMIT 1) FROM unnest(%s::uuid[]) AS i"
    ).format(sql.Identifier(schema, TABLE))


def _head(found: Any) -> tuple[int, int | None]:
    return (0, None) if found is None else (found[0], found[1])


def _select_by_event_id(c: Any, table: Any, event_ids: Collection[UUID]) -> list[StoredRecord]:
    """The rows of the given events, in one query, in no set order."""
    c.execute(
        sql.SQL("SELECT " + _COLUMNS + " FROM {} WHERE event_id = ANY(%s)").format(table),
        (list(event_ids),),
    )
    return [_row(r) for r in c.fetchall()]


def _positions(found: Sequence[Any], incident_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Each incident's last position from ``(incident, position)`` rows (0 when new)."""
    last = dict(found)
    return {i: last.get(i) or 0 for i in incident_ids}


class _PostgresWriter(Writer):
    def __init__(self, cursor: Any, table: Any, schema: str = "public") -> None:
        self.c = cursor
        self.table = table
        self.schema = schema
        self.audit = _Audit(cursor, schema, table)

    def head(self) -> tuple[int, int | None]:
        self.c.execute(_head_query(self.schema))
        return _head(self.c.fetchone())

    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        self.c.execute(_stream_heads_query(self.schema), (list(incident_ids),))
        return _positions(self.c.fetchall(), incident_ids)

    def heads(self, incident_ids: Sequence[UUID]) -> tuple[int, int | None, dict[UUID, int]]:
        # Both queries go out before either answer is read: in pipeline mode
        # (see PostgresStore.writing) they share one round trip with the
        # transaction's BEGIN and table lock.
        with self.c.connection.cursor(row_factory=tuple_row) as other:
            self.c.execute(_head_query(self.schema))
            other.execute(_stream_heads_query(self.schema), (list(incident_ids),))
            head = self.c.fetchone()
            positions = _positions(other.fetchall(), incident_ids)
        return (*_head(head), positions)

    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        return _select_by_event_id(self.c, self.table, event_ids)

    def insert(self, rows: Sequence[StoredRecord]) -> list[bytes]:
        statement = sql.SQL(
            "INSERT INTO {} (" + _COLUMNS + ") VALUES (%s,%s,%s,%s,%s,%s,%s)"
        ).format(self.table)
        try:
            self.c.executemany(
                statement,
                [
                    (
                        r.id,
                        r.originator_id,
                        r.originator_version,
                        r.event_id,
                        r.topic,
                        r.recorded_at,
                        r.state,
                    )
                    for r in rows
                ],
            )
        except psycopg.errors.UniqueViolation as exc:
            raise _conflict(exc) from exc
        return leaf_ids(rows)

    # -- audit ---------------------------------------------------------------------

    def audit_origin(self) -> str | None:
        return self.audit.origin()

    def set_audit_origin(self, origin: str) -> None:
        self.c.execute(
            sql.SQL("INSERT INTO {} (id, origin) VALUES (1, %s)").format(self.audit.tree), (origin,)
        )

    def audit_edge(self) -> list[Tile]:
        return self.audit.edge()

    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        self.c.executemany(
            sql.SQL(
                "INSERT INTO {} (level, idx, hashes, ids) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes, ids = EXCLUDED.ids"
            ).format(self.audit.tiles),
            [(t.level, t.index, t.hashes, t.ids) for t in tiles],
        )

    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        k = checkpoint
        self.c.execute(
            sql.SQL(
                "INSERT INTO {} (size, first, recorder, created_at, note, key) VALUES (%s,%s,%s,%s,%s,%s)"
            ).format(self.audit.checkpoints),
            (k.size, k.first, k.recorder, k.created_at, k.note, k.key),
        )

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return self.audit.rows(after, limit)


# -- audit tables (see incidents._tlog.tiles), kept apart from the events table -----------------


def _conflict(exc: Any) -> IncidentsError:
    """The library's error for a unique violation of the events table."""
    constraint = exc.diag.constraint_name or ""
    if "event_id" in constraint:
        return DuplicateEventError(f"an event with the same id is already recorded ({constraint})")
    return ConcurrencyError(
        f"another writer took the same stream position or sequence ({constraint})"
    )


def _create_audit(c: Any, schema: str) -> None:
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id integer PRIMARY KEY CHECK (id = 1), origin text NOT NULL)"
        ).format(sql.Identifier(schema, "audit_tree"))
    )
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (level integer NOT NULL, idx bigint NOT NULL,"
            " hashes bytea NOT NULL, ids bytea, PRIMARY KEY (level, idx))"
        ).format(sql.Identifier(schema, "audit_tiles"))
    )
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, size bigint NOT NULL,"
            " first bigint, recorder text, created_at bigint NOT NULL, note text NOT NULL, key text)"
        ).format(sql.Identifier(schema, "audit_checkpoints"))
    )


class _Audit(AuditReader):
    """Audit reads through one cursor (a writer's, or a snapshot reader's)."""

    def __init__(self, cursor: Any, schema: str, table: Any) -> None:
        self.c = cursor
        self.table = table
        self.tree = sql.Identifier(schema, "audit_tree")
        self.tiles = sql.Identifier(schema, "audit_tiles")
        self.checkpoints = sql.Identifier(schema, "audit_checkpoints")

    def origin(self) -> str | None:
        self.c.execute(sql.SQL("SELECT origin FROM {}").format(self.tree))
        found = self.c.fetchone()
        return None if found is None else str(found[0])

    def edge(self) -> list[Tile]:
        self.c.execute(
            sql.SQL(
                "SELECT DISTINCT ON (level) level, idx, hashes, ids FROM {} ORDER BY level, idx DESC"
            ).format(self.tiles)
        )
        return [
            Tile(r[0], r[1], bytes(r[2]), None if r[3] is None else bytes(r[3]))
            for r in self.c.fetchall()
        ]

    def rows(self, after: int, limit: int) -> list[AuditRow]:
        self.c.execute(
            sql.SQL(
                "SELECT sequence, uuid_send(incident_id), position, uuid_send(event_id), topic, recorded_at, state"
                " FROM {} WHERE sequence > %s ORDER BY sequence LIMIT %s"
            ).format(self.table),
            (after, limit),
        )
        return [
            (r[0], bytes(r[1]), r[2], bytes(r[3]), r[4], r[5], bytes(r[6]))
            for r in self.c.fetchall()
        ]

    # AuditReader
    def audit_origin(self) -> str | None:
        return self.origin()

    def audit_edge(self) -> list[Tile]:
        return self.edge()

    def audit_tiles(self, level: int, first: int, last: int) -> list[Tile]:
        self.c.execute(
            sql.SQL(
                "SELECT level, idx, hashes, ids FROM {} WHERE level = %s AND idx BETWEEN %s AND %s ORDER BY idx"
            ).format(self.tiles),
            (level, first, last),
        )
        return [
            Tile(r[0], r[1], bytes(r[2]), None if r[3] is None else bytes(r[3]))
            for r in self.c.fetchall()
        ]

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return self.rows(after, limit)

    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        self.c.execute(
            sql.SQL(
                "SELECT size, first, recorder, created_at, note, key FROM {} ORDER BY id"
            ).format(self.checkpoints)
        )
        return [AuditCheckpointRow(*r) for r in self.c.fetchall()]


class PostgresStore(Store):
    """
    Recorded events in one schema of a PostgreSQL database.

    Args:
        url: ``postgresql://user:password@host:port/dbname?schema=name``.
        pool_size: Connections kept open.

    Raises:
        StorageError: If the server cannot be reached or the schema is not a ledger.
    """

    backend = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 2) -> None:
        if _IMPORT_ERROR is not None:
            raise StorageError(
                "the PostgreSQL backend needs psycopg: pip install 'incidents[postgres]'"
            ) from _IMPORT_ERROR
        settings = parse_url(url)
        self.schema = settings.pop("schema")
        self.location = (
            f"postgresql://{settings['user']}@{settings['host']}:{settings['port']}/"
            f"{settings['dbname']}?schema={self.schema}"
        )
        self.table = sql.Identifier(self.schema, TABLE)
        self.snapshot_table = sql.Identifier(self.schema, "fold_snapshots")
        #: The ``LISTEN``/``NOTIFY`` channel told of every commit to this ledger.
        self.channel = "incidents_" + hashlib.sha256(self.schema.encode()).hexdigest()[:24]
        self.signal = commit_signal(self.location)
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
        meta = sql.Identifier(self.schema, "ledger_meta")
        key = int.from_bytes(hashlib.sha256(self.schema.encode()).digest()[:8], "big", signed=True)
        with self._transaction() as c:
            # Two processes creating the same ledger at once must not race.
            c.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            c.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            c.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    " sequence bigint PRIMARY KEY,"
                    " incident_id uuid NOT NULL,"
                    " position integer NOT NULL,"
                    " event_id uuid NOT NULL,"
                    " topic text NOT NULL,"
                    " recorded_at bigint NOT NULL,"
                    " state bytea NOT NULL,"
                    " CONSTRAINT {} UNIQUE (event_id),"
                    " CONSTRAINT {} UNIQUE (incident_id, position))"
                ).format(
                    self.table,
                    sql.Identifier(f"{TABLE}_event_id_key"),
                    sql.Identifier(f"{TABLE}_stream_key"),
                )
            )
            c.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (recorded_at)").format(
                    sql.Identifier(f"{TABLE}_recorded_at"), self.table
                )
            )
            # Each incident's first event, for listing incidents without reading every row.
            c.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (sequence) WHERE position = 1").format(
                    sql.Identifier(f"{TABLE}_openings"), self.table
                )
            )
            c.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)"
                ).format(meta)
            )
            # Derived data (incidents._timetravel.service): may be dropped at any time.
            c.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    " incident_id uuid NOT NULL,"
                    " format integer NOT NULL,"
                    " first_position integer NOT NULL,"
                    " last_position integer NOT NULL,"
                    " last_event_id uuid NOT NULL,"
                    " last_sequence bigint NOT NULL,"
                    " data bytea NOT NULL,"
                    " PRIMARY KEY (incident_id, format, first_position))"
                ).format(self.snapshot_table)
            )
            c.execute(
                sql.SQL(
                    "INSERT INTO {} VALUES ('schema_version', %s) ON CONFLICT DO NOTHING"
                ).format(meta),
                (str(SCHEMA_VERSION),),
            )
            c.execute(sql.SQL("SELECT value FROM {} WHERE key = 'schema_version'").format(meta))
            version = int(c.fetchone()[0])
            _create_audit(c, self.schema)
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

    @contextlib.contextmanager
    def writing(self) -> Iterator[Writer]:
        """
        Open a transaction holding the table's ``EXCLUSIVE`` lock.

        Where libpq allows it, the transaction runs in pipeline mode: statements
        whose answers are not needed at once (the lock, the inserts, the audit
        tiles, the commit) travel together, so that a batch costs two round
        trips to the server rather than one per statement. A conflict found
        when the pipeline is flushed is reported as it would be at the insert.
        """
        try:
            with self.datastore.get_connection() as conn:
                # The pool's connections are in autocommit mode: the transaction
                # is opened and closed by statements of its own, which travel in
                # the pipeline with the rest (psycopg's transaction() would wait
                # for the server at its start and twice at its end).
                try:
                    with (
                        conn.pipeline() if _PIPELINE else contextlib.nullcontext(),
                        conn.cursor(row_factory=tuple_row) as cursor,
                    ):
                        cursor.execute("BEGIN")
                        cursor.execute(
                            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(self.table)
                        )
                        # Delivered to listeners when (and only if) the transaction commits.
                        cursor.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(self.channel)))
                        yield _PostgresWriter(cursor, self.table, self.schema)
                        cursor.execute("COMMIT")
                except BaseException as exc:
                    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                        with contextlib.suppress(psycopg.Error):
                            conn.rollback()
                    if isinstance(exc, psycopg.errors.UniqueViolation):
                        raise _conflict(exc) from exc
                    raise
            self.signal.committed()
        except (psycopg.OperationalError, PersistenceError) as exc:
            raise StorageError(f"writing to {self.location} failed: {exc}") from exc

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
        query = "SELECT " + _COLUMNS + " FROM {} WHERE incident_id = %s AND position > %s"
        params: list[Any] = [incident_id, after_position]
        if recorded_until is not None:
            query += " AND recorded_at <= %s"
            params.append(recorded_until)
        query += " ORDER BY position"
        with self._reading() as c:
            c.execute(sql.SQL(query).format(self.table), params)
            return fetch_rows(c, _row)

    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order after a sequence number.
        """
        query = "SELECT " + _COLUMNS + " FROM {} WHERE sequence > %s"
        params: list[Any] = [after]
        if recorded_until is not None:
            query += " AND recorded_at <= %s"
            params.append(recorded_until)
        query += " ORDER BY sequence"
        if limit is not None:
            query += " LIMIT %s"
            params.append(limit)
        with self._reading() as c:
            c.execute(sql.SQL(query).format(self.table), params)
            return fetch_rows(c, _row)

    def rows_of(self, event_ids: Collection[UUID]) -> list[StoredRecord]:
        """
        The rows of several events, in global order.
        """
        with self._reading() as c:
            found = _select_by_event_id(c, self.table, set(event_ids))
        found.sort(key=by_sequence)
        return found

    def row(self, event_id: UUID) -> StoredRecord | None:
        """
        The row of one event.
        """
        with self._reading() as c:
            c.execute(
                sql.SQL("SELECT " + _COLUMNS + " FROM {} WHERE event_id = %s").format(self.table),
                (event_id,),
            )
            found = c.fetchone()
        return None if found is None else _row(found)

    def incident_ids(self) -> list[UUID]:
        """
        Every incident, in order of first recording.
        """
        with self._reading() as c:
            c.execute(
                sql.SQL("SELECT incident_id FROM {} WHERE position = 1 ORDER BY sequence").format(
                    self.table
                )
            )
            return [r[0] for r in c.fetchall()]

    def stream_lengths(self) -> dict[UUID, int]:
        """
        Every incident's number of events, in order of first recording (one query).
        """
        with self._reading() as c:
            c.execute(
                sql.SQL(
                    "SELECT incident_id, MAX(position) FROM {}"
                    " GROUP BY incident_id ORDER BY MIN(sequence)"
                ).format(self.table)
            )
            return {r[0]: r[1] for r in c.fetchall()}

    def last_sequence(self) -> int:
        """
        The last sequence number (0 when empty).
        """
        with self._reading() as c:
            c.execute(sql.SQL("SELECT MAX(sequence) FROM {}").format(self.table))
            return int(c.fetchone()[0] or 0)

    @contextlib.contextmanager
    def audit_reading(self) -> Iterator[AuditReader]:
        """
        Hold one repeatable-read, read-only transaction for the reader's lifetime.
        """
        try:
            with (
                self.datastore.get_connection() as conn,
                conn.transaction(),
                conn.cursor(row_factory=tuple_row) as cursor,
            ):
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield _Audit(cursor, self.schema, self.table)
        except (psycopg.Error, PersistenceError) as exc:
            raise StorageError(f"reading {self.location} failed: {exc}") from exc

    def drop(self) -> None:
        """
        Delete the ledger's schema and everything in it (for tests and clean-up).
        """
        with self._transaction() as c:
            c.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )

    @contextlib.contextmanager
    def _commit_waiter(self) -> Iterator[Callable[[float], bool]]:
        """
        Like every store's, but woken by ``NOTIFY``, from any process or machine.

        Every commit to the ledger notifies :attr:`channel`, and the waiter
        listens on a connection of its own. Only one thread of a store listens
        at a time; others (and any waiter after the listening connection
        failed) wait as the other backends do.
        """
        if not self._listener_lock.acquire(blocking=False):
            with super()._commit_waiter() as woken:
                yield woken
            return
        try:
            listener = self._listen()
            if listener is None:
                with super()._commit_waiter() as woken:
                    yield woken
                return

            def notified(timeout: float) -> bool:
                nonlocal listener
                if listener is None:
                    time.sleep(timeout)
                    return False
                try:
                    for _ in listener.notifies(timeout=timeout, stop_after=1):
                        return True
                except psycopg.Error:
                    self._close_listener()
                    listener = None
                return False

            yield notified
        finally:
            self._listener_lock.release()

    def _listen(self) -> Any:
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

    # -- snapshots: derived data (incidents._timetravel.service) ---------------------------
    # Their own table: saving one never waits for the events table's write lock.

    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Store a snapshot (unless one with the same key reaches further).
        """
        statement = sql.SQL(
            "INSERT INTO {0} VALUES (%s,%s,%s,%s,%s,%s,%s)"
            " ON CONFLICT (incident_id, format, first_position) DO UPDATE SET"
            " last_position = EXCLUDED.last_position, last_event_id = EXCLUDED.last_event_id,"
            " last_sequence = EXCLUDED.last_sequence, data = EXCLUDED.data"
            " WHERE EXCLUDED.last_position >= {0}.last_position"
        ).format(self.snapshot_table)
        try:
            with self._transaction() as c:
                c.execute(
                    statement,
                    (
                        snapshot.incident_id,
                        snapshot.format,
                        snapshot.first_position,
                        snapshot.last_position,
                        snapshot.last_event_id,
                        snapshot.last_sequence,
                        snapshot.data,
                    ),
                )
        except (psycopg.Error, PersistenceError) as exc:
            raise StorageError(f"saving a snapshot to {self.location} failed: {exc}") from exc

    def fold_snapshots(self, incident_id: UUID, format: int) -> list[FoldSnapshot]:
        """
        An incident's snapshots of one format, by first position.
        """
        with self._reading() as c:
            c.execute(
                sql.SQL(
                    "SELECT first_position, last_position, last_event_id, last_sequence, data"
                    " FROM {} WHERE incident_id = %s AND format = %s ORDER BY first_position"
                ).format(self.snapshot_table),
                (incident_id, format),
            )
            return [
                FoldSnapshot(
                    incident_id=incident_id,
                    format=format,
                    first_position=r[0],
                    last_position=r[1],
                    last_event_id=r[2],
                    last_sequence=r[3],
                    data=bytes(r[4]),
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
                    c.execute(sql.SQL("DELETE FROM {}").format(self.snapshot_table))
                else:
                    c.execute(
                        sql.SQL("DELETE FROM {} WHERE incident_id = %s").format(
                            self.snapshot_table
                        ),
                        (incident_id,),
                    )
                return int(c.rowcount)
        except (psycopg.Error, PersistenceError) as exc:
            raise StorageError(f"dropping snapshots in {self.location} failed: {exc}") from exc

    # -- projections: read models and their checkpoints -------------------------------
    #
    # One checkpoint row per projection and generation, and the read model's
    # documents in the ledger's schema, so a batch of state and its checkpoint
    # commit in one transaction. Writers of one projection serialize on an
    # advisory lock; recording is never blocked by them.

    _projection_tables_ready = False

    def _projection_table(self, name: str) -> Any:
        return sql.Identifier(self.schema, name)

    def _projection_lock_key(self, name: str) -> int:
        digest = hashlib.sha256(f"{self.schema}/projection/{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _projection_tables(self) -> None:
        if self._projection_tables_ready:
            return
        try:
            with self._transaction() as c:
                c.execute("SELECT pg_advisory_xact_lock(%s)", (self._projection_lock_key(""),))
                c.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} ("
                        " name text NOT NULL,"
                        " generation integer NOT NULL,"
                        " version text NOT NULL,"
                        " sequence bigint NOT NULL,"
                        " active boolean NOT NULL,"
                        " PRIMARY KEY (name, generation))"
                    ).format(self._projection_table("projection_checkpoints"))
                )
                c.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} ("
                        " name text NOT NULL,"
                        " generation integer NOT NULL,"
                        " key text NOT NULL,"
                        " value bytea NOT NULL,"
                        " PRIMARY KEY (name, generation, key))"
                    ).format(self._projection_table("projection_documents"))
                )
        except (psycopg.Error, PersistenceError) as exc:
            raise StorageError(f"writing to {self.location} failed: {exc}") from exc
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
        query = "SELECT sequence, topic, state FROM {} WHERE sequence > %s"
        params: list[Any] = [after]
        if until is not None:
            query += " AND sequence <= %s"
            params.append(until)
        if incident_id is not None:
            query += " AND incident_id = %s"
            params.append(incident_id)
        if recorded_until is not None:
            query += " AND recorded_at <= %s"
            params.append(recorded_until)
        if topics is not None:
            query += " AND topic = ANY(%s)"
            params.append(sorted(topics))
        query += " ORDER BY sequence"
        if limit is not None:
            query += " LIMIT %s"
            params.append(limit)
        with self._reading() as c:
            c.execute(sql.SQL(query).format(self.table), params)
            return [(r[0], r[1], bytes(r[2])) for r in c.fetchall()]

    def projection_checkpoints(self, name: str | None = None) -> list[ProjectionCheckpoint]:
        """
        Checkpoints by name, then generation.
        """
        self._projection_tables()
        query = "SELECT " + _CHECKPOINT_COLUMNS + " FROM {}"
        params: list[Any] = []
        if name is not None:
            query += " WHERE name = %s"
            params.append(name)
        query += " ORDER BY name, generation"
        with self._reading() as c:
            c.execute(
                sql.SQL(query).format(self._projection_table("projection_checkpoints")), params
            )
            return [_checkpoint(r) for r in c.fetchall()]

    def projection_load(
        self, name: str, generation: int
    ) -> tuple[ProjectionCheckpoint | None, dict[str, bytes]]:
        """
        One generation's checkpoint and documents, in one repeatable-read snapshot.
        """
        self._projection_tables()
        try:
            with (
                self.datastore.get_connection() as conn,
                conn.transaction(),
                conn.cursor(row_factory=tuple_row) as c,
            ):
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                c.execute(
                    sql.SQL(
                        "SELECT "
                        + _CHECKPOINT_COLUMNS
                        + " FROM {} WHERE name = %s AND generation = %s"
                    ).format(self._projection_table("projection_checkpoints")),
                    (name, generation),
                )
                found = c.fetchone()
                c.execute(
                    sql.SQL("SELECT key, value FROM {} WHERE name = %s AND generation = %s").format(
                        self._projection_table("projection_documents")
                    ),
                    (name, generation),
                )
                documents = {r[0]: bytes(r[1]) for r in c.fetchall()}
        except (psycopg.Error, PersistenceError) as exc:
            raise StorageError(f"reading {self.location} failed: {exc}") from exc
        return (None if found is None else _checkpoint(found)), documents

    @contextlib.contextmanager
    def projection_writing(self, name: str, generation: int) -> Iterator[ProjectionWriter]:
        """
        Open a transaction holding the projection's advisory lock.
        """
        self._projection_tables()
        try:
            with self._transaction() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s)", (self._projection_lock_key(name),)
                )
                yield _PostgresProjectionWriter(
                    cursor,
                    self._projection_table("projection_checkpoints"),
                    self._projection_table("projection_documents"),
                    name,
                    generation,
                )
        except (psycopg.OperationalError, PersistenceError) as exc:
            raise StorageError(f"writing to {self.location} failed: {exc}") from exc

    def projection_drop(self, name: str, generation: int | None = None) -> None:
        """
        Delete one generation of a read model, or every one.
        """
        with self.projection_writing(name, 0) as writer:
            assert isinstance(writer, _PostgresProjectionWriter)
            writer.drop(generation)


_CHECKPOINT_COLUMNS = "name, generation, version, sequence, active"


def _checkpoint(r: Any) -> ProjectionCheckpoint:
    return ProjectionCheckpoint(
        name=r[0], generation=r[1], version=r[2], sequence=r[3], active=bool(r[4])
    )


class _PostgresProjectionWriter(ProjectionWriter):
    def __init__(
        self, cursor: Any, checkpoints: Any, documents: Any, name: str, generation: int
    ) -> None:
        self.c = cursor
        self.checkpoints = checkpoints
        self.documents = documents
        self.name = name
        self.generation = generation

    def checkpoint(self) -> ProjectionCheckpoint | None:
        self.c.execute(
            sql.SQL(
                "SELECT " + _CHECKPOINT_COLUMNS + " FROM {} WHERE name = %s AND generation = %s"
            ).format(self.checkpoints),
            (self.name, self.generation),
        )
        found = self.c.fetchone()
        return None if found is None else _checkpoint(found)

    def put(self, documents: Mapping[str, bytes]) -> None:
        if documents:
            self.c.executemany(
                sql.SQL(
                    "INSERT INTO {} (name, generation, key, value) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (name, generation, key) DO UPDATE SET value = EXCLUDED.value"
                ).format(self.documents),
                [(self.name, self.generation, k, v) for k, v in documents.items()],
            )

    def delete(self, keys: Collection[str]) -> None:
        if keys:
            self.c.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE name = %s AND generation = %s AND key = ANY(%s)"
                ).format(self.documents),
                (self.name, self.generation, list(keys)),
            )

    def advance(self, checkpoint: ProjectionCheckpoint) -> None:
        self.c.execute(
            sql.SQL(
                "INSERT INTO {} (name, generation, version, sequence, active) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name, generation) DO UPDATE SET "
                "version = EXCLUDED.version, sequence = EXCLUDED.sequence, active = EXCLUDED.active"
            ).format(self.checkpoints),
            (
                checkpoint.name,
                checkpoint.generation,
                checkpoint.version,
                checkpoint.sequence,
                checkpoint.active,
            ),
        )

    def activate(self) -> None:
        self.c.execute(
            sql.SQL("UPDATE {} SET active = true WHERE name = %s AND generation = %s").format(
                self.checkpoints
            ),
            (self.name, self.generation),
        )
        for table in (self.documents, self.checkpoints):
            self.c.execute(
                sql.SQL("DELETE FROM {} WHERE name = %s AND generation <> %s").format(table),
                (self.name, self.generation),
            )

    def drop(self, generation: int | None) -> None:
        for table in (self.documents, self.checkpoints):
            if generation is None:
                self.c.execute(
                    sql.SQL("DELETE FROM {} WHERE name = %s").format(table), (self.name,)
                )
            else:
                self.c.execute(
                    sql.SQL("DELETE FROM {} WHERE name = %s AND generation = %s").format(table),
                    (self.name, generation),
                )
