"""
The SQLite backend's fold snapshots: derived data in a table of their own.
"""

from __future__ import annotations

import sqlite3
from uuid import UUID

from eventsourcing.persistence import PersistenceError

from incidents._errors import StorageError
from incidents.storage._rows import FoldSnapshot
from incidents.storage._snapshots import SnapshotStorage
from incidents.storage._sqlite._base import SQLiteBase

__all__ = ["SQLiteSnapshots"]


class SQLiteSnapshots(SQLiteBase, SnapshotStorage):
    """The SQLite store's fold snapshots."""

    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Store a snapshot (unless one with the same key reaches further); nothing when read-only.
        """
        if self.read_only:
            return  # derived data: a ledger opened read-only is read without keeping any
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
