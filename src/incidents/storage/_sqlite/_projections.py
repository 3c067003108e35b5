"""
The SQLite backend's read models: documents and checkpoints beside the events.

One checkpoint row per projection and generation (not eventsourcing's one
tracking table per file), and the read model's documents in the same file,
so a batch of state and its checkpoint commit in one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterator, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError

from incidents._errors import StorageError
from incidents.storage._projections import ProjectionStorage, ProjectionWriter
from incidents.storage._rows import ProjectionCheckpoint
from incidents.storage._sqlite._base import SQLiteBase
from incidents.storage._sqlite._schema import CHECKPOINT_COLUMNS, PROJECTION_SCHEMA, TABLE

__all__ = ["SQLiteProjections"]


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
            f"SELECT {CHECKPOINT_COLUMNS} FROM projection_checkpoints "
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


class SQLiteProjections(SQLiteBase, ProjectionStorage):
    """The SQLite store's read models and the rows projections read."""

    _projection_tables_ready = False

    def _projection_tables(self) -> None:
        if not self._projection_tables_ready:
            try:
                with self._transaction() as c:
                    for statement in PROJECTION_SCHEMA:
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
            sql = f"SELECT {CHECKPOINT_COLUMNS} FROM projection_checkpoints"
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
                f"SELECT {CHECKPOINT_COLUMNS} FROM projection_checkpoints "
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
