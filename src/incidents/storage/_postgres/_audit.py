"""
The PostgreSQL backend's audit tables: the Merkle tree's tiles, its origin and checkpoints.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterator, Sequence
from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.rows import tuple_row

from incidents._errors import StorageError
from incidents.storage._auditing import AuditReader, AuditReading
from incidents.storage._postgres._base import PostgresBase, one_line
from incidents.storage._rows import AuditCheckpointRow, AuditRow, IntegrityCheck, Tile, TreeBuild
from incidents.storage._writing import AuditWriter

__all__ = ["PostgresAudit", "PostgresAuditWriter"]


_BUILD_KEY = "audit_tree_build"  # in ledger_meta: who built the tree from stored rows, and when
_ALL_AUDIT_TABLES = ("audit_tree", "audit_tiles", "audit_checkpoints")


class _Audit(AuditReader):
    """
    Audit reads through one cursor (a writer's, or a snapshot reader's).

    A ledger older than its audit tables, opened read-only, reads as having none.
    """

    def __init__(
        self, cursor: Any, schema: str, table: Any, tables: Collection[str] = _ALL_AUDIT_TABLES
    ) -> None:
        self.c = cursor
        self.table = table
        self.present = tables
        self.meta = sql.Identifier(schema, "ledger_meta")
        self.tree = sql.Identifier(schema, "audit_tree")
        self.tiles = sql.Identifier(schema, "audit_tiles")
        self.checkpoints = sql.Identifier(schema, "audit_checkpoints")

    def audit_origin(self) -> str | None:
        if "audit_tree" not in self.present:
            return None
        self.c.execute(sql.SQL("SELECT origin FROM {}").format(self.tree))
        found = self.c.fetchone()
        return None if found is None else str(found[0])

    def audit_edge(self) -> list[Tile]:
        if "audit_tiles" not in self.present:
            return []
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
        if "audit_tiles" not in self.present:
            return []
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
        if "audit_checkpoints" not in self.present:
            return []
        self.c.execute(
            sql.SQL(
                "SELECT size, first, recorder, created_at, note, key FROM {} ORDER BY id"
            ).format(self.checkpoints)
        )
        return [AuditCheckpointRow(*r) for r in self.c.fetchall()]

    def audit_tree_build(self) -> TreeBuild | None:
        self.c.execute(
            sql.SQL("SELECT value FROM {} WHERE key = %s").format(self.meta), (_BUILD_KEY,)
        )
        found = self.c.fetchone()
        if found is None:
            return None
        try:
            data = json.loads(found[0])
            return TreeBuild(str(data["recorder"]), int(data["built_at"]), int(data["size"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise StorageError(
                f"the record of who built the audit tree cannot be read: {exc}"
            ) from exc


class PostgresAuditWriter(AuditWriter):
    """
    The audit part of a write transaction.

    Args:
        reads: The cursor for queries, whose answers are read at once.
        writes: The cursor for statements whose answers are never read.
        table: The events table.
        schema: The ledger's schema.
    """

    def __init__(self, reads: Any, writes: Any, table: Any, schema: str) -> None:
        self.writes = writes
        self.audit = _Audit(reads, schema, table)

    def audit_origin(self) -> str | None:
        return self.audit.audit_origin()

    def set_audit_origin(self, origin: str) -> None:
        self.writes.execute(
            sql.SQL("INSERT INTO {} (id, origin) VALUES (1, %s)").format(self.audit.tree), (origin,)
        )

    def audit_edge(self) -> list[Tile]:
        return self.audit.audit_edge()

    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        self.writes.executemany(
            sql.SQL(
                "INSERT INTO {} (level, idx, hashes, ids) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (level, idx) DO UPDATE SET hashes = EXCLUDED.hashes, ids = EXCLUDED.ids"
            ).format(self.audit.tiles),
            [(t.level, t.index, t.hashes, t.ids) for t in tiles],
        )

    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        k = checkpoint
        self.writes.execute(
            sql.SQL(
                "INSERT INTO {} (size, first, recorder, created_at, note, key) VALUES (%s,%s,%s,%s,%s,%s)"
            ).format(self.audit.checkpoints),
            (k.size, k.first, k.recorder, k.created_at, k.note, k.key),
        )

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return self.audit.audit_rows(after, limit)

    def record_tree_build(self, build: TreeBuild) -> None:
        value = json.dumps(
            {"recorder": build.recorder, "built_at": build.built_at, "size": build.size}
        )
        self.writes.execute(
            sql.SQL(
                "INSERT INTO {} (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ).format(self.audit.meta),
            (_BUILD_KEY, value),
        )


class PostgresAudit(PostgresBase, AuditReading):
    """The PostgreSQL store's audit reader."""

    @contextlib.contextmanager
    def audit_reading(self) -> Iterator[AuditReader]:
        """
        Hold one repeatable-read, read-only transaction for the reader's lifetime.
        """
        try:
            with (
                self._connection() as conn,
                conn.transaction(),
                conn.cursor(row_factory=tuple_row) as cursor,
            ):
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield _Audit(cursor, self.schema, self.table, self.audit_tables)
        except psycopg.Error as exc:
            raise StorageError(f"reading {self.location} failed: {one_line(exc)}") from exc

    def check_integrity(self, *, full: bool = False) -> IntegrityCheck:
        """
        What the schema holds that incidents never creates; the indexes too, where amcheck is installed.

        Triggers and rules (they run on writes), row-level security (it can
        hide rows from the reader) are reported. PostgreSQL checks its own
        pages (with data checksums, if the cluster has them); the b-tree
        indexes are checked with the ``amcheck`` extension when the database
        has it installed (``bt_index_check``; with ``full``, every row is
        also looked up in every index).
        """
        try:
            with (
                self._connection() as conn,
                conn.transaction(),
                conn.cursor(row_factory=tuple_row) as c,
            ):
                c.execute("SET TRANSACTION READ ONLY")
                return _check_schema(c, self.schema, full=full)
        except psycopg.Error as exc:
            raise StorageError(f"checking {self.location} failed: {one_line(exc)}") from exc


def _check_schema(c: Any, schema: str, *, full: bool) -> IntegrityCheck:
    findings = []
    c.execute(
        "SELECT r.relname, t.tgname FROM pg_trigger AS t JOIN pg_class AS r ON r.oid = t.tgrelid"
        " JOIN pg_namespace AS n ON n.oid = r.relnamespace"
        " WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1, 2",
        (schema,),
    )
    findings += [
        f"trigger {trigger} on {table}, which incidents never creates: it runs whenever "
        "that table is written to"
        for table, trigger in c.fetchall()
    ]
    c.execute(
        "SELECT tablename, rulename FROM pg_rules WHERE schemaname = %s ORDER BY 1, 2", (schema,)
    )
    findings += [
        f"rule {rule} on {table}, which incidents never creates" for table, rule in c.fetchall()
    ]
    c.execute(
        "SELECT r.relname FROM pg_class AS r JOIN pg_namespace AS n ON n.oid = r.relnamespace"
        " WHERE n.nspname = %s AND (r.relrowsecurity OR r.relforcerowsecurity) ORDER BY 1",
        (schema,),
    )
    findings += [
        f"row-level security is on for {table}: rows may be hidden from this reader"
        for (table,) in c.fetchall()
    ]
    c.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
    if c.fetchone() is None:
        method = "PostgreSQL catalog (indexes not checked: the amcheck extension is not installed)"
        return IntegrityCheck(method, tuple(findings))
    c.execute(
        "SELECT i.oid::regclass::text FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid"
        " JOIN pg_namespace AS n ON n.oid = i.relnamespace JOIN pg_am AS a ON a.oid = i.relam"
        " WHERE n.nspname = %s AND a.amname = 'btree' ORDER BY 1",
        (schema,),
    )
    for (index,) in c.fetchall():
        try:
            with c.connection.transaction():
                c.execute("SELECT bt_index_check(%s::regclass, %s)", (index, full))
        except (psycopg.errors.DataCorrupted, psycopg.errors.IndexCorrupted) as exc:
            findings.append(f"amcheck: index {index}: {exc}")
    method = "PostgreSQL catalog and amcheck bt_index_check" + (" (heapallindexed)" if full else "")
    return IntegrityCheck(method, tuple(findings))
