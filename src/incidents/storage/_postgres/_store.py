"""
The PostgreSQL store: its parts put together.
"""

from __future__ import annotations

from incidents.storage._postgres._audit import PostgresAudit
from incidents.storage._postgres._events import PostgresEvents
from incidents.storage._postgres._projections import PostgresProjections
from incidents.storage._postgres._snapshots import PostgresSnapshots
from incidents.storage._store import Store

__all__ = ["PostgresStore"]


class PostgresStore(PostgresEvents, PostgresAudit, PostgresSnapshots, PostgresProjections, Store):
    """
    Recorded events in one schema of a PostgreSQL database.

    Args:
        url: ``postgresql://user:password@host:port/dbname?schema=name``.
            The schema (default ``public``) must match
            ``^[a-z_][a-z0-9_]{0,62}$`` and not be one of PostgreSQL's own
            (``information_schema``, ``pg_*``); the only other parameter is
            ``connect_timeout`` (whole seconds, default 5), libpq's other
            settings coming from its ``PG*`` environment variables; a user
            name or password holding ``/ ? # @ :`` is percent-encoded.
        pool_size: Connections kept open.
        read_only: Open an existing ledger read-only: nothing is created or
            written (the server refuses writes on every connection), and a
            schema that is not a ledger is refused.

    Raises:
        StorageError: If the server cannot be reached (saying why, never
            with the password) or the schema is not a ledger.
        InvalidInputError: If the URL is not acceptable; read-only, if the
            schema holds no ledger.
    """

    __module__ = "incidents.storage"  # its public home, where it is imported on first use

    backend = "postgresql"
