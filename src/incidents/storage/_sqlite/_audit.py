"""
The SQLite backend's audit tables: the Merkle tree's tiles, its origin and checkpoints.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Collection, Iterator, Sequence

from incidents._errors import StorageError
from incidents.storage._auditing import AuditReader, AuditReading
from incidents.storage._rows import AuditCheckpointRow, AuditRow, IntegrityCheck, Tile, TreeBuild
from incidents.storage._sqlite._base import SQLiteBase
from incidents.storage._sqlite._file import check_file
from incidents.storage._sqlite._schema import PUT_TILE, TABLE
from incidents.storage._writing import AuditWriter

__all__ = ["SQLiteAudit", "SQLiteAuditWriter"]

# The last tile of each level: one index seek per level (a handful), not a scan.
_AUDIT_EDGE = (
    "WITH RECURSIVE levels(level) AS ("
    " SELECT MIN(level) FROM audit_tiles"
    " UNION ALL SELECT (SELECT MIN(level) FROM audit_tiles WHERE level > levels.level)"
    " FROM levels WHERE levels.level IS NOT NULL)"
    " SELECT t.level, t.idx, CAST(t.hashes AS BLOB), CAST(t.ids AS BLOB) FROM levels"
    " JOIN audit_tiles AS t ON t.level = levels.level"
    " AND t.idx = (SELECT MAX(idx) FROM audit_tiles WHERE level = levels.level)"
    " ORDER BY t.level"
)
# CAST: a state someone rewrote as text still reaches verification as bytes.
_AUDIT_ROWS = (
    "SELECT sequence, incident_id, position, event_id, topic, recorded_at, CAST(state AS BLOB)"
    f" FROM {TABLE} WHERE sequence>? ORDER BY sequence LIMIT ?"
)


# -- reads, shared by the writer and the snapshot reader ----------------------------------


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


_BUILD_KEY = "audit_tree_build"  # in ledger_meta: who built the tree from stored rows, and when


def _tree_build(c: sqlite3.Cursor) -> TreeBuild | None:
    c.execute("SELECT value FROM ledger_meta WHERE key=?", (_BUILD_KEY,))
    found = c.fetchone()
    if found is None:
        return None
    try:
        data = json.loads(found[0])
        return TreeBuild(str(data["recorder"]), int(data["built_at"]), int(data["size"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise StorageError(f"the record of who built the audit tree cannot be read: {exc}") from exc


class SQLiteAuditWriter(AuditWriter):
    """The audit part of a write transaction, on its cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.c = cursor

    def audit_origin(self) -> str | None:
        return _audit_origin(self.c)

    def set_audit_origin(self, origin: str) -> None:
        self.c.execute("INSERT INTO audit_tree (id, origin) VALUES (1, ?)", (origin,))

    def audit_edge(self) -> list[Tile]:
        return _audit_edge(self.c)

    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        if len(tiles) == 1:  # the usual small batch: its last tile grew
            (t,) = tiles
            self.c.execute(PUT_TILE, (t.level, t.index, t.hashes, t.ids))
        else:
            self.c.executemany(PUT_TILE, [(t.level, t.index, t.hashes, t.ids) for t in tiles])

    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        k = checkpoint
        self.c.execute(
            "INSERT INTO audit_checkpoints (size, first, recorder, created_at, note, key) VALUES (?,?,?,?,?,?)",
            (k.size, k.first, k.recorder, k.created_at, k.note, k.key),
        )

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return _audit_rows(self.c, after, limit)

    def record_tree_build(self, build: TreeBuild) -> None:
        value = json.dumps(
            {"recorder": build.recorder, "built_at": build.built_at, "size": build.size}
        )
        self.c.execute("INSERT OR REPLACE INTO ledger_meta VALUES (?, ?)", (_BUILD_KEY, value))


class _SQLiteAuditReader(AuditReader):
    """Audit reads in one read transaction; a ledger older than its audit tables reads as having none."""

    def __init__(self, cursor: sqlite3.Cursor, tables: Collection[str]) -> None:
        self.c = cursor
        self.tables = tables

    def audit_origin(self) -> str | None:
        return _audit_origin(self.c) if "audit_tree" in self.tables else None

    def audit_edge(self) -> list[Tile]:
        return _audit_edge(self.c) if "audit_tiles" in self.tables else []

    def audit_tiles(self, level: int, first: int, last: int) -> list[Tile]:
        if "audit_tiles" not in self.tables:
            return []
        self.c.execute(
            "SELECT level, idx, CAST(hashes AS BLOB), CAST(ids AS BLOB) FROM audit_tiles"
            " WHERE level=? AND idx BETWEEN ? AND ? ORDER BY idx",
            (level, first, last),
        )
        return [Tile(*r) for r in self.c.fetchall()]

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return _audit_rows(self.c, after, limit)

    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        if "audit_checkpoints" not in self.tables:
            return []
        self.c.execute(
            "SELECT size, first, recorder, created_at, note, key FROM audit_checkpoints ORDER BY id"
        )
        return [AuditCheckpointRow(*r) for r in self.c.fetchall()]

    def audit_tree_build(self) -> TreeBuild | None:
        return _tree_build(self.c)


class SQLiteAudit(SQLiteBase, AuditReading):
    """The SQLite store's audit reader."""

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
                    yield _SQLiteAuditReader(cursor, self.audit_tables)
                finally:
                    raw.rollback()
                    cursor.close()
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # text that is not UTF-8: damage
            raise StorageError(f"reading {self.path} failed: {exc}") from exc

    def check_integrity(self, *, full: bool = False) -> IntegrityCheck:
        """
        SQLite's ``quick_check`` (or ``integrity_check``) on a read-only connection of its own.

        Also reports what a ledger written by incidents never holds: triggers,
        views, and gaps where a stored checkpoint was deleted.
        """
        return check_file(self.path, full=full)
