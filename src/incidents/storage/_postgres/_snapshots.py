"""
The PostgreSQL backend's fold snapshots: derived data in a table of their own.

Their own table: saving one never waits for the events table's write lock.
"""

from __future__ import annotations

from uuid import UUID

import psycopg
from psycopg import sql

from incidents._errors import StorageError
from incidents.storage._postgres._base import PostgresBase, one_line
from incidents.storage._rows import FoldSnapshot
from incidents.storage._snapshots import SnapshotStorage

__all__ = ["PostgresSnapshots"]


class PostgresSnapshots(PostgresBase, SnapshotStorage):
    """The PostgreSQL store's fold snapshots."""

    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Store a snapshot (unless one with the same key reaches further); nothing when read-only.
        """
        if self.read_only:
            return  # derived data: a ledger opened read-only is read without keeping any
        statement = sql.SQL(
            "INSERT INTO {0} VALUES (%s,%s,%s,%s,%s,%s,%s)"
            " ON CONFLICT (incident_id, format, first_position) DO UPDATE SET"
            " last_position = EXCLUDED.last_position, last_event_id = EXCLUDED.last_event_id,"
            " last_sequence = EXCLUDED.last_sequence, data = EXCLUDED.data"
            " WHERE EXCLUDED.last_position >= {0}.last_position"
        ).format(self._snapshot_table())
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
        except psycopg.Error as exc:
            raise StorageError(
                f"saving a snapshot to {self.location} failed: {one_line(exc)}"
            ) from exc

    def fold_snapshots(self, incident_id: UUID, format: int) -> list[FoldSnapshot]:
        """
        An incident's snapshots of one format, by first position.
        """
        with self._reading() as c:
            c.execute(
                sql.SQL(
                    "SELECT first_position, last_position, last_event_id, last_sequence, data"
                    " FROM {} WHERE incident_id = %s AND format = %s ORDER BY first_position"
                ).format(self._snapshot_table()),
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
        table = self._snapshot_table()
        try:
            with self._transaction() as c:
                if incident_id is None:
                    c.execute(sql.SQL("DELETE FROM {}").format(table))
                else:
                    c.execute(
                        sql.SQL("DELETE FROM {} WHERE incident_id = %s").format(table),
                        (incident_id,),
                    )
                return int(c.rowcount)
        except psycopg.Error as exc:
            raise StorageError(
                f"dropping snapshots in {self.location} failed: {one_line(exc)}"
            ) from exc

    def _snapshot_table(self) -> sql.Identifier:
        return sql.Identifier(self.schema, "fold_snapshots")
