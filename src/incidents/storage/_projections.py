"""
Projections' storage: their read models and checkpoints, in the ledger's own database.

A projection's read model is one row per top-level key of its state, plus
one checkpoint row per projection and generation (the last sequence
applied), written together in one transaction. A rebuild writes a new
generation beside the active one and swaps it in when complete.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from uuid import UUID

from incidents.storage._rows import ProjectionCheckpoint

__all__ = ["ProjectionStorage", "ProjectionWriter"]


class ProjectionWriter(ABC):
    """
    An open transaction on one generation of a read model. See :meth:`ProjectionStorage.projection_writing`.
    """

    @abstractmethod
    def checkpoint(self) -> ProjectionCheckpoint | None:
        """
        The generation's checkpoint as committed, read inside the transaction.
        """

    @abstractmethod
    def put(self, documents: Mapping[str, bytes]) -> None:
        """
        Insert or replace documents by key.
        """

    @abstractmethod
    def delete(self, keys: Collection[str]) -> None:
        """
        Delete documents by key (missing keys are ignored).
        """

    @abstractmethod
    def advance(self, checkpoint: ProjectionCheckpoint) -> None:
        """
        Write the generation's checkpoint (insert or replace).
        """

    @abstractmethod
    def activate(self) -> None:
        """
        Make this generation the active one and delete every other generation.
        """


class ProjectionStorage(ABC):
    """
    Where a store keeps read models, and the rows projections read, filtered in storage.
    """

    @abstractmethod
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
        ``(sequence, topic, canonical bytes)`` of rows in global order, filtered in storage.

        Rows of other topics never leave the database.

        Args:
            after: Only rows with a greater sequence (exclusive).
            until: Only rows up to this sequence (inclusive).
            topics: Only rows of these event types (``None``: every type).
            limit: At most this many rows.
            incident_id: Only rows of this incident.
            recorded_until: Only rows recorded at or before this time (µs).

        Returns:
            The rows' sequence, topic and canonical bytes.
        """

    @abstractmethod
    def projection_checkpoints(self, name: str | None = None) -> list[ProjectionCheckpoint]:
        """
        The checkpoints of one projection (every generation), or of all, by name then generation.
        """

    @abstractmethod
    def projection_load(
        self, name: str, generation: int
    ) -> tuple[ProjectionCheckpoint | None, dict[str, bytes]]:
        """
        One generation's checkpoint and documents, read consistently (one snapshot).
        """

    @abstractmethod
    def projection_writing(
        self, name: str, generation: int
    ) -> contextlib.AbstractContextManager[ProjectionWriter]:
        """
        Open a transaction on one generation of a read model; commit on success.

        Writers of the same projection exclude each other; recording is not blocked
        longer than one such transaction.

        Args:
            name: The projection's name.
            generation: The generation written.

        Returns:
            A context manager yielding the :class:`ProjectionWriter`.

        Raises:
            StorageError: If the transaction cannot be opened or committed.
        """

    @abstractmethod
    def projection_drop(self, name: str, generation: int | None = None) -> None:
        """
        Delete one generation of a read model (default: every one) and its checkpoints.
        """
