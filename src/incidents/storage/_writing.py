"""
The writer's side of a store: one exclusive transaction for a batch of events and its audit tiles.

Used by the ledger when it records (it reads the heads it builds on, inserts
the batch and extends the audit tree, all in one transaction) and by the
audit log when it sets its tree up, builds the tree of a ledger that had
none, or keeps a checkpoint.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from uuid import UUID

from incidents.storage._rows import AuditCheckpointRow, AuditRow, StoredRecord, Tile, TreeBuild

__all__ = ["AuditWriter", "EventWriter", "EventWriting", "Writer"]


class EventWriter(ABC):
    """
    The events part of an open write transaction: the heads it builds on and the insert.
    """

    @abstractmethod
    def head(self) -> tuple[int, int | None]:
        """
        The last sequence number and the settled recording time (µs).

        The time is the later of the last batch's recording time and the mark
        :meth:`EventWriting.settle` left: the batch being written must be
        recorded after it. ``(0, None)`` for an empty ledger never settled.
        """

    @abstractmethod
    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        """
        The last position of each incident's stream (0 for unknown incidents).
        """

    def heads(self, incident_ids: Sequence[UUID]) -> tuple[int, int | None, dict[UUID, int]]:
        """
        :meth:`head` and :meth:`stream_heads` at once (one round trip where the backend can).

        Args:
            incident_ids: The incidents a batch writes to.

        Returns:
            The last sequence, its recording time and each incident's last position.
        """
        last_sequence, last_micros = self.head()
        return last_sequence, last_micros, self.stream_heads(incident_ids)

    @abstractmethod
    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        """
        The stored rows of those of *event_ids* that exist, in no set order.
        """

    @abstractmethod
    def insert(self, rows: Sequence[StoredRecord]) -> list[bytes]:
        """
        Insert rows, which become visible when the transaction commits.

        Args:
            rows: Rows with their sequence and position set, in sequence order.

        Returns:
            Each row's leaf ids for the audit tree (event id then incident id,
            16 bytes each), which a backend that turns ids into bytes anyway
            makes on the way.

        Raises:
            ConcurrencyError: If a sequence or stream position is taken.
            DuplicateEventError: If an event with the same id is recorded.
        """


class AuditWriter(ABC):
    """
    The audit part of an open write transaction: the stored Merkle tree and checkpoints.
    """

    @abstractmethod
    def audit_origin(self) -> str | None:
        """
        The origin (log name) of the audit tree, or ``None`` before it is set up.
        """

    @abstractmethod
    def set_audit_origin(self, origin: str) -> None:
        """
        Set up the audit tree under an origin (once, when the ledger gets its tree).
        """

    @abstractmethod
    def audit_edge(self) -> list[Tile]:
        """
        The last tile of every level of the audit tree, lowest level first.
        """

    @abstractmethod
    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        """
        Write tiles, replacing stored tiles at the same level and index.
        """

    @abstractmethod
    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        """
        Keep a checkpoint in the ledger.
        """

    @abstractmethod
    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        """
        Raw rows in sequence order with ``sequence > after`` (at most *limit*).
        """

    @abstractmethod
    def record_tree_build(self, build: TreeBuild) -> None:
        """
        Keep who built the audit tree from the stored rows, and when (``incidents build-tree``).
        """


class Writer(EventWriter, AuditWriter):
    """
    An open, exclusive write transaction. Obtained from :meth:`EventWriting.writing`.
    """


class EventWriting(ABC):
    """
    A store one can record into: exclusive write transactions, all or nothing.
    """

    @abstractmethod
    def writing(self) -> contextlib.AbstractContextManager[Writer]:
        """
        Open an exclusive write transaction; commit on success, roll back on error.

        Writers exclude each other (in this process and, where the backend
        is shared, in every other); readers are never blocked, and see the
        batch only once it has committed.

        Returns:
            A context manager yielding the :class:`Writer`.

        Raises:
            StorageError: If the transaction cannot be opened or committed.
        """

    @abstractmethod
    def settle(self, until: int) -> None:
        """
        Settle what the ledger knows up to a recording time (µs).

        Waits for a write transaction in flight (it takes the writers' lock,
        so a batch that read its recording time before this call commits or
        fails first), then leaves a mark that every later batch is recorded
        after: from then on, no answer as known at *until* or earlier can
        change. A mark never moves backwards.

        Args:
            until: The recording time to settle up to.

        Raises:
            StorageError: If the store is read-only or the write fails.
        """
