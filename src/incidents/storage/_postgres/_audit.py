"""
The PostgreSQL backend's audit tables: the Merkle tree's tiles, its origin and checkpoints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from psycopg import sql
from psycopg.rows import tuple_row

from incidents._errors import StorageError
from incidents.storage._auditing import AuditReader, AuditReading
from incidents.storage._postgres._base import PostgresBase
from incidents.storage._rows import AuditCheckpointRow, AuditRow, Tile
from incidents.storage._writing import AuditWriter

__all__ = ["PostgresAudit", "PostgresAuditWriter"]


class _Audit(AuditReader):
    """Audit reads through one cursor (a writer's, or a snapshot reader's)."""

    def __init__(self, cursor: Any, schema: str, table: Any) -> None:
        self.c = cursor
        self.table = table
        self.tree = sql.Identifier(schema, "audit_tree")
        self.tiles = sql.Identifier(schema, "audit_tiles")
        self.checkpoints = sql.Identifier(schema, "audit_checkpoints")

    def audit_origin(self) -> str | None:
        self.c.execute(sql.SQL("SELECT origin FROM {}").format(self.tree))
        found = self.c.fetchone()
        return None if found is None else str(found[0])

    def audit_edge(self) -> list[Tile]:
        self.c.execute(
            sql.SQL(
                "SELECT DISTINCT ON (level) level, idx, hashes, ids FROM {} ORDER BY level, idx DESC"
            ).format(self.tiles)
        )
        return [
            Tile(r[0], r[1], bytes(r[2]), None if r[3] is None else bytes(r[3]))
            for r in self.c.fetchall()
        ]

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

    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        self.c.execute(
            sql.SQL(
                "SELECT size, first, recorder, created_at, note, key FROM {} ORDER BY id"
            ).format(self.checkpoints)
        )
        return [AuditCheckpointRow(*r) for r in self.c.fetchall()]


class PostgresAuditWriter(AuditWriter):
    """The audit part of a write transaction, on its cursor."""

    def __init__(self, cursor: Any, table: Any, schema: str) -> None:
        self.c = cursor
        self.audit = _Audit(cursor, schema, table)

    def audit_origin(self) -> str | None:
        return self.audit.audit_origin()

    def set_audit_origin(self, origin: str) -> None:
        self.c.execute(
            sql.SQL("INSERT INTO {} (id, origin) VALUES (1, %s)").format(self.audit.tree), (origin,)
        )

    def audit_edge(self) -> list[Tile]:
        return self.audit.audit_edge()

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
        return self.audit.audit_rows(after, limit)


class PostgresAudit(PostgresBase, AuditReading):
    """The PostgreSQL store's audit reader."""

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
