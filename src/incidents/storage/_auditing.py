"""
The audit reader's side of a store: one consistent snapshot of the events and the audit tables.

Used by verification, proofs and bundle export, which may read for a long
time while writers go on committing; and by verification's check of the
storage itself (:meth:`AuditReading.check_integrity`).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod

from incidents.storage._rows import AuditCheckpointRow, AuditRow, IntegrityCheck, Tile, TreeBuild

__all__ = ["AuditReader", "AuditReading"]


class AuditReader(ABC):
    """
    Reads of the audit tables and raw rows, within one snapshot (see :meth:`AuditReading.audit_reading`).
    """

    @abstractmethod
    def audit_origin(self) -> str | None:
        """
        The origin (log name) of the audit tree, or ``None`` before it is set up.
        """

    @abstractmethod
    def audit_edge(self) -> list[Tile]:
        """
        The last tile of every level of the audit tree, lowest level first.
        """

    @abstractmethod
    def audit_tiles(self, level: int, first: int, last: int) -> list[Tile]:
        """
        The stored tiles of one level with index from *first* to *last*, in order.
        """

    @abstractmethod
    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        """
        Raw rows in sequence order with ``sequence > after`` (at most *limit*).
        """

    @abstractmethod
    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        """
        The checkpoints kept in the ledger, in the order they were stored.
        """

    @abstractmethod
    def audit_tree_build(self) -> TreeBuild | None:
        """
        Who built the audit tree from stored rows, and when; ``None`` for a tree kept from the start.
        """


class AuditReading(ABC):
    """
    A store whose events and audit tables can be read as one snapshot.
    """

    @abstractmethod
    def audit_reading(self) -> contextlib.AbstractContextManager[AuditReader]:
        """
        Open a read-only snapshot of the events and the audit tables.

        Every read through the yielded reader sees the same state, however
        long verification takes and whatever writers commit meanwhile.

        Returns:
            A context manager yielding the :class:`AuditReader`.

        Raises:
            StorageError: If the snapshot cannot be opened or read.
        """

    def check_integrity(self, *, full: bool = False) -> IntegrityCheck:
        """
        Check the storage itself, reading only: what the database can tell of its own damage.

        Runs on a connection of its own (so it may run beside an
        :meth:`audit_reading`), never writes, and never runs SQL kept in the
        ledger (triggers, views). A backend that keeps nothing outside this
        process has nothing to check.

        Args:
            full: Also check what the quick check leaves out (for SQLite,
                ``integrity_check``, which compares every index entry with its
                row, instead of ``quick_check``).

        Returns:
            What ran and what it found.

        Raises:
            StorageError: If the storage cannot be read at all.
        """
        return IntegrityCheck("none: nothing is stored outside this process")
