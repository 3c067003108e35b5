"""
Fold snapshots: derived data kept beside the events, so time travel need not replay from the start.

Snapshots can be dropped at any time; nothing in them is trusted over the
events. They are keyed by incident, format and first position.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from uuid import UUID

from incidents.storage._rows import FoldSnapshot

__all__ = ["SnapshotStorage"]


class SnapshotStorage(ABC):
    """
    Where a store keeps the snapshots of incidents' folds.
    """

    @abstractmethod
    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Store a snapshot, replacing one with the same key unless that one reaches further.

        Raises:
            StorageError: If it cannot be written.
        """

    @abstractmethod
    def fold_snapshots(self, incident_id: UUID, format: int) -> list[FoldSnapshot]:
        """
        An incident's snapshots of one format, by first position.
        """

    @abstractmethod
    def drop_fold_snapshots(self, incident_id: UUID | None = None) -> int:
        """
        Delete an incident's snapshots (every incident's when ``None``).

        Args:
            incident_id: The incident, or ``None`` for every one.

        Returns:
            How many were deleted.

        Raises:
            StorageError: If they cannot be deleted.
        """
