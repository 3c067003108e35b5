"""
The PostgreSQL backend's read models: documents and checkpoints in the ledger's schema.

One checkpoint row per projection and generation, and the read model's
documents beside the events, so a batch of state and its checkpoint commit
in one transaction. Writers of one projection serialize on an advisory
lock; recording is never blocked by them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Mapping
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from incidents._errors import StorageError
from incidents.storage._postgres._base import PostgresBase, lock_key, one_line
from incidents.storage._postgres._schema import CHECKPOINT_COLUMNS, create_projections
from incidents.storage._projections import ProjectionStorage, ProjectionWriter
from incidents.storage._rows import ProjectionCheckpoint

__all__ = ["PostgresProjections"]


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
                "SELECT " + CHECKPOINT_COLUMNS + " FROM {} WHERE name = %s AND generation = %s"
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


class PostgresProjections(PostgresBase, ProjectionStorage):
    """The PostgreSQL store's read models and the rows projections read."""

    _projection_tables_ready = False

    def _projection_table(self, name: str) -> Any:
        return sql.Identifier(self.schema, name)

    def _projection_lock_key(self, name: str) -> int:
        return lock_key(f"{self.schema}/projection/{name}")

    def _projection_tables(self) -> None:
        if self._projection_tables_ready:
            return
        try:
            with self._transaction() as c:
                c.execute("SELECT pg_advisory_xact_lock(%s)", (self._projection_lock_key(""),))
                create_projections(c, self.schema)
        except psycopg.Error as exc:
            raise StorageError(f"writing to {self.location} failed: {one_line(exc)}") from exc
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
        query = "SELECT " + CHECKPOINT_COLUMNS + " FROM {}"
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
                self._connection() as conn,
                conn.transaction(),
                conn.cursor(row_factory=tuple_row) as c,
            ):
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                c.execute(
                    sql.SQL(
                        "SELECT "
                        + CHECKPOINT_COLUMNS
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
        except psycopg.Error as exc:
            raise StorageError(f"reading {self.location} failed: {one_line(exc)}") from exc
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
        except psycopg.Error as exc:
            raise StorageError(f"writing to {self.location} failed: {one_line(exc)}") from exc

    def projection_drop(self, name: str, generation: int | None = None) -> None:
        """
        Delete one generation of a read model, or every one.
        """
        with self.projection_writing(name, 0) as writer:
            assert isinstance(writer, _PostgresProjectionWriter)
            writer.drop(generation)
