"""
The PostgreSQL backend's events: the pipelined write transaction, the reads, waiting on ``NOTIFY``.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from incidents._errors import ConcurrencyError, DuplicateEventError, IncidentsError, StorageError
from incidents.storage._postgres._audit import PostgresAuditWriter
from incidents.storage._postgres._base import PostgresBase, one_line
from incidents.storage._postgres._schema import COLUMNS, SETTLED_KEY, TABLE
from incidents.storage._reading import EventReading
from incidents.storage._rows import StoredRecord, by_sequence, leaf_ids
from incidents.storage._writing import EventWriter, EventWriting, Writer

__all__ = ["PostgresEvents"]

_PIPELINE = psycopg.Pipeline.is_supported()


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
    """
    The last sequence, its recording time and the settle mark (composed once per schema).

    Always one row, whose first two columns are null for an empty ledger.
    """
    return sql.SQL(
        "SELECT h.sequence, h.recorded_at,"
        " (SELECT value::bigint FROM {} WHERE key = %s)"
        " FROM (VALUES (1)) AS one (x) LEFT JOIN"
        " (SELECT sequence, recorded_at FROM {} ORDER BY sequence DESC LIMIT 1) AS h ON true"
    ).format(sql.Identifier(schema, "ledger_meta"), sql.Identifier(schema, TABLE))


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
    """The last sequence and the settled recording time, from a row of :func:`_head_query`."""
    sequence, last, mark = found
    return sequence or 0, (mark if last is None or (mark is not None and mark > last) else last)


def _select_by_event_id(c: Any, table: Any, event_ids: Collection[UUID]) -> list[StoredRecord]:
    """The rows of the given events, in one query, in no set order."""
    c.execute(
        sql.SQL("SELECT " + COLUMNS + " FROM {} WHERE event_id = ANY(%s)").format(table),
        (list(event_ids),),
    )
    return [_row(r) for r in c.fetchall()]


def _positions(found: Sequence[Any], incident_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Each incident's last position from ``(incident, position)`` rows (0 when new)."""
    last = dict(found)
    return {i: last.get(i) or 0 for i in incident_ids}


def _conflict(exc: Any) -> IncidentsError:
    """The library's error for a unique violation of the events table."""
    constraint = exc.diag.constraint_name or ""
    if "event_id" in constraint:
        return DuplicateEventError(f"an event with the same id is already recorded ({constraint})")
    return ConcurrencyError(
        f"another writer took the same stream position or sequence ({constraint})"
    )


class PostgresEventWriter(EventWriter):
    """
    The events part of a write transaction.

    Args:
        reads: The cursor for queries, whose answers are read at once.
        writes: The cursor for statements whose answers are never read (the inserts).
        table: The events table.
        schema: The ledger's schema.
    """

    def __init__(self, reads: Any, writes: Any, table: Any, schema: str) -> None:
        self.reads = reads
        self.writes = writes
        self.table = table
        self.schema = schema

    def head(self) -> tuple[int, int | None]:
        self.reads.execute(_head_query(self.schema), (SETTLED_KEY,))
        return _head(self.reads.fetchone())

    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        self.reads.execute(_stream_heads_query(self.schema), (list(incident_ids),))
        return _positions(self.reads.fetchall(), incident_ids)

    def heads(self, incident_ids: Sequence[UUID]) -> tuple[int, int | None, dict[UUID, int]]:
        # Both queries go out before either answer is read: in pipeline mode
        # (see PostgresEvents.writing) they share one round trip with the
        # transaction's BEGIN and table lock.
        with self.reads.connection.cursor(row_factory=tuple_row) as other:
            self.reads.execute(_head_query(self.schema), (SETTLED_KEY,))
            other.execute(_stream_heads_query(self.schema), (list(incident_ids),))
            head = self.reads.fetchone()
            positions = _positions(other.fetchall(), incident_ids)
        return (*_head(head), positions)

    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        return _select_by_event_id(self.reads, self.table, event_ids)

    def insert(self, rows: Sequence[StoredRecord]) -> list[bytes]:
        statement = sql.SQL(
            "INSERT INTO {} (" + COLUMNS + ") VALUES (%s,%s,%s,%s,%s,%s,%s)"
        ).format(self.table)
        try:
            self.writes.executemany(
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


class _PostgresWriter(PostgresEventWriter, PostgresAuditWriter, Writer):
    """A whole write transaction: events and audit tables, on the same two cursors."""

    def __init__(self, reads: Any, writes: Any, table: Any, schema: str) -> None:
        PostgresEventWriter.__init__(self, reads, writes, table, schema)
        PostgresAuditWriter.__init__(self, reads, writes, table, schema)


class PostgresEvents(PostgresBase, EventWriting, EventReading):
    """The PostgreSQL store's events: recording, reading and waiting for commits."""

    @contextlib.contextmanager
    def writing(self) -> Iterator[Writer]:
        """
        Open a transaction holding the table's ``EXCLUSIVE`` lock.

        Where libpq allows it, the transaction runs in pipeline mode: statements
        whose answers are not needed at once (the lock, the inserts, the audit
        tiles, the commit) travel together, so that a batch costs two round
        trips to the server rather than one per statement. A conflict found
        when the pipeline is flushed is reported as it would be at the insert.

        Those statements run on a cursor of their own, and the queries whose
        answers are read on another: in a pipeline, the answers to a batch's
        inserts come back while the writer has moved on, each to the cursor
        that sent it, and one arriving after a query was sent on the same
        cursor would be taken for that query's answer.
        """
        try:
            with self._connection() as conn:
                # The pool's connections are in autocommit mode: the transaction
                # is opened and closed by statements of its own, which travel in
                # the pipeline with the rest (psycopg's transaction() would wait
                # for the server at its start and twice at its end).
                try:
                    with (
                        conn.pipeline() if _PIPELINE else contextlib.nullcontext(),
                        conn.cursor(row_factory=tuple_row) as writes,
                        conn.cursor(row_factory=tuple_row) as reads,
                    ):
                        writes.execute("BEGIN")
                        writes.execute(
                            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(self.table)
                        )
                        # Delivered to listeners when (and only if) the transaction commits.
                        writes.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(self.channel)))
                        yield _PostgresWriter(reads, writes, self.table, self.schema)
                        writes.execute("COMMIT")
                except BaseException as exc:
                    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                        with contextlib.suppress(psycopg.Error):
                            conn.rollback()
                    if isinstance(exc, psycopg.errors.UniqueViolation):
                        raise _conflict(exc) from exc
                    raise
            self.signal.committed()
        except psycopg.Error as exc:
            raise StorageError(f"writing to {self.location} failed: {one_line(exc)}") from exc

    def settle(self, until: int) -> None:
        """
        Leave the settle mark, in a transaction of its own behind the writers' lock.
        """
        try:
            with self._transaction() as c:
                c.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(self.table))
                c.execute(
                    sql.SQL(
                        "INSERT INTO {0} AS m (key, value) VALUES (%s, %s) ON CONFLICT (key)"
                        " DO UPDATE SET value = excluded.value"
                        " WHERE m.value::bigint < excluded.value::bigint"
                    ).format(sql.Identifier(self.schema, "ledger_meta")),
                    (SETTLED_KEY, str(until)),
                )
        except psycopg.Error as exc:
            raise StorageError(f"writing to {self.location} failed: {one_line(exc)}") from exc

    def settled_until(self) -> int | None:
        """
        The later of the last batch's recording time and the settle mark.
        """
        with self._reading() as c:
            c.execute(_head_query(self.schema), (SETTLED_KEY,))
            return _head(c.fetchone())[1]

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
        query = "SELECT " + COLUMNS + " FROM {} WHERE incident_id = %s AND position > %s"
        params: list[Any] = [incident_id, after_position]
        if recorded_until is not None:
            query += " AND recorded_at <= %s"
            params.append(recorded_until)
        query += " ORDER BY position"
        with self._reading() as c:
            c.execute(sql.SQL(query).format(self.table), params)
            return [_row(r) for r in c.fetchall()]

    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order after a sequence number.
        """
        query = "SELECT " + COLUMNS + " FROM {} WHERE sequence > %s"
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
            return [_row(r) for r in c.fetchall()]

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
                sql.SQL("SELECT " + COLUMNS + " FROM {} WHERE event_id = %s").format(self.table),
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
