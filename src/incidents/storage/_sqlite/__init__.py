"""
The SQLite backend: the embedded default, one file per ledger.

Built on eventsourcing's SQLite datastore (its connection pool, which
serializes writers within a process and uses write-ahead logging for files).
Writes take SQLite's write lock up front (``BEGIN IMMEDIATE``), so writers in
other processes queue rather than fail half way; ``synchronous=FULL`` makes
every committed batch durable before :meth:`incidents.Ledger.record` returns.

The store is put together from one part per concern: the connections and
schema, the events, the audit tables, fold snapshots and read models.
"""

from __future__ import annotations

from incidents.storage._sqlite._store import SQLiteStore

__all__ = ["SQLiteStore"]
