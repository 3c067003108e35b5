"""
Opening the backend a target names: memory, a PostgreSQL URL or an SQLite file.
"""

from __future__ import annotations

import os

from incidents._errors import StorageError
from incidents.storage._store import Store

__all__ = ["open_store"]


def open_store(target: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """
    Open the backend a target names.

    Each backend's module is imported only when a target names it, so that
    PostgreSQL's driver is needed only by ledgers kept there.

    Args:
        target: ``":memory:"``, a ``postgresql://`` URL, or a path to an SQLite file.
        read_only: Open an existing ledger for reading only: nothing is created
            or written (SQLite ``mode=ro``; read-only transactions on
            PostgreSQL), and what is not a ledger is refused. A new
            ``":memory:"`` ledger has nothing to protect and is opened as usual.

    Returns:
        The store.

    Raises:
        StorageError: If it cannot be opened (or PostgreSQL's driver is not installed).
        InvalidInputError: Read-only, if the target holds no ledger.
    """
    text = os.fspath(target)
    if text == ":memory:":
        from incidents.storage._memory import MemoryStore

        return MemoryStore()
    if text.startswith(("postgresql://", "postgres://")):
        try:
            from incidents.storage._postgres import PostgresStore
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("psycopg"):
                raise
            raise StorageError(
                "the PostgreSQL backend needs psycopg: pip install 'incidents[postgres]'"
            ) from exc
        return PostgresStore(text, read_only=read_only)
    from incidents.storage._sqlite import SQLiteStore

    return SQLiteStore(text, read_only=read_only)
