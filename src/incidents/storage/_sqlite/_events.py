"""
The SQLite backend's events: the write transaction that records a batch, and the reads.
"""

from __future__ import annotations

import contextlib
import operator
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError

from incidents._codec.slots import uuid_from_bytes
from incidents._errors import ConcurrencyError, DuplicateEventError, StorageError
from incidents.storage._reading import EventReading
from incidents.storage._rows import StoredRecord, stored_record
from incidents.storage._sqlite._audit import SQLiteAuditWriter
from incidents.storage._sqlite._base import SQLiteBase
from incidents.storage._sqlite._schema import COLUMNS, INSERT, SETTLED_KEY, TABLE
from incidents.storage._writing import EventWriter, EventWriting, Writer

__all__ = ["SQLiteEvents"]

_CHUNK = 500  # stays under SQLite's host-parameter limit on old builds
_FIRST = operator.itemgetter(0)


def _row(r: Any, incident_id: UUID | None = None) -> StoredRecord:
    """
    A row from the columns of :data:`COLUMNS`, as fetched.

    Args:
        r: ``(sequence, incident, position, event_id, topic, recorded_at, state)``.
        incident_id: The incident's id, when every row read is known to be of it.

    Returns:
        The row.
    """
    return stored_record(
        r[0],
        uuid_from_bytes(r[1]) if incident_id is None else incident_id,
        r[2],
        r[4],
        r[6],
        uuid_from_bytes(r[3]),
        r[5],
    )


def _select_by_event_id(c: sqlite3.Cursor, event_ids: Collection[UUID]) -> list[Any]:
    """
    The stored tuples of the given events, a chunk of ids per query, in no set order.

    Args:
        c: A cursor.
        event_ids: The events' ids.

    Returns:
        The fetched tuples (see :func:`_row`).
    """
    ids = [i.bytes for i in event_ids]
    found: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        c.execute(
            f"SELECT {COLUMNS} FROM {TABLE} WHERE event_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found += c.fetchall()
    return found


def _settle_mark(c: sqlite3.Cursor) -> int | None:
    """The mark :meth:`SQLiteEvents.settle` left, or ``None``."""
    c.execute(f"SELECT value FROM ledger_meta WHERE key='{SETTLED_KEY}'")
    found = c.fetchone()
    if found is None:
        return None
    try:
        return int(found[0])
    except (TypeError, ValueError):
        raise StorageError(f"the ledger's settle mark {found[0]!r} is not a number") from None


def _later(a: int | None, b: int | None) -> int | None:
    """The later of two recording times, either of which may be missing."""
    if a is None:
        return b
    return a if b is None or a >= b else b


class SQLiteEventWriter(EventWriter):
    """The events part of a write transaction, on its cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.c = cursor

    def head(self) -> tuple[int, int | None]:
        self.c.execute(f"SELECT sequence, recorded_at FROM {TABLE} ORDER BY sequence DESC LIMIT 1")
        found = self.c.fetchone()
        last_sequence, last_micros = (0, None) if found is None else (found[0], found[1])
        return last_sequence, _later(last_micros, _settle_mark(self.c))

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
        ids = []  # the leaf ids, from the bytes made here anyway
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
            self.c.executemany(INSERT, params)
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


class _SQLiteWriter(SQLiteEventWriter, SQLiteAuditWriter, Writer):
    """A whole write transaction: events and audit tables on one cursor."""


class SQLiteEvents(SQLiteBase, EventWriting, EventReading):
    """The SQLite store's events: recording and reading."""

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

    def settle(self, until: int) -> None:
        """
        Leave the settle mark, in a write transaction of its own (after any in flight).
        """
        try:
            with self._transaction() as c:
                c.execute(
                    "INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
                    " DO UPDATE SET value = excluded.value"
                    " WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)",
                    (SETTLED_KEY, str(until)),
                )
        except sqlite3.Error as exc:
            raise StorageError(f"writing to {self.path} failed: {exc}") from exc

    def settled_until(self) -> int | None:
        """
        The later of the last batch's recording time and the settle mark.
        """
        with self._reading() as c:
            c.execute(f"SELECT recorded_at FROM {TABLE} ORDER BY sequence DESC LIMIT 1")
            found = c.fetchone()
            return _later(None if found is None else found[0], _settle_mark(c))

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
        sql = f"SELECT {COLUMNS} FROM {TABLE} WHERE incident_id=? AND position>?"
        params: list[Any] = [incident_id.bytes, after_position]
        if recorded_until is not None:
            sql += " AND recorded_at<=?"
            params.append(recorded_until)
        sql += " ORDER BY position"
        with self._reading() as c:
            c.execute(sql, params)
            return [_row(r, incident_id) for r in c.fetchall()]

    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order after a sequence number.
        """
        sql = f"SELECT {COLUMNS} FROM {TABLE} WHERE sequence>?"
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
            return [_row(r) for r in c.fetchall()]

    def row(self, event_id: UUID) -> StoredRecord | None:
        """
        The row of one event.
        """
        with self._reading() as c:
            c.execute(f"SELECT {COLUMNS} FROM {TABLE} WHERE event_id=?", (event_id.bytes,))
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
