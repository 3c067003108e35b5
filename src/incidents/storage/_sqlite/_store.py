"""
The SQLite store: its parts put together.
"""

from __future__ import annotations

from incidents.storage._sqlite._audit import SQLiteAudit
from incidents.storage._sqlite._events import SQLiteEvents
from incidents.storage._sqlite._projections import SQLiteProjections
from incidents.storage._sqlite._snapshots import SQLiteSnapshots
from incidents.storage._store import Store

__all__ = ["SQLiteStore"]


class SQLiteStore(SQLiteEvents, SQLiteAudit, SQLiteSnapshots, SQLiteProjections, Store):
    """
    Recorded events in one SQLite file.

    Args:
        path: The database file (created if missing, with its parent folder
            required to exist).
        lock_timeout: Seconds a writer waits for another process's write lock.
        read_only: Open an existing ledger read-only (``mode=ro``): nothing is
            created or written, nothing kept in the file runs, and a file that
            is not a ledger is refused.

    Raises:
        StorageError: If the file cannot be opened or is not a ledger.
        InvalidInputError: Read-only, if the file is missing or not a ledger.
    """

    __module__ = "incidents.storage"  # its public home, where it is imported on first use

    backend = "sqlite"
