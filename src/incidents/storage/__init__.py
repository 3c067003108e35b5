"""
Storage: the contract every backend fulfils, and the backends.

A ledger keeps its recorded events in one table, in the ledger's global
order, as canonical bytes plus plain columns that can be queried without
decoding anything (see :class:`StoredRecord`). Beside them it keeps the
audit log's Merkle tree and checkpoints, snapshots of incidents' folds and
projections' read models.

The contract is cut into small interfaces by who uses them:

* :class:`EventWriting`: the writer's side, an exclusive transaction
  (:class:`Writer`) in which the ledger reads the heads it builds on,
  inserts a batch and extends the audit tree, all or nothing;
* :class:`EventReading`: the readers' side, rows by incident, by global
  order, by recording time and by event id, and waiting for new ones;
* :class:`AuditReading`: one consistent snapshot of the events and audit
  tables (:class:`AuditReader`), for verification and proofs;
* :class:`SnapshotStorage`: fold snapshots, derived data;
* :class:`ProjectionStorage`: read models and their checkpoints
  (:class:`ProjectionWriter`).

:class:`Store` is all of them at once, and an eventsourcing application
recorder. Three backends implement it: :class:`MemoryStore`,
:class:`SQLiteStore` and :class:`PostgresStore`; :func:`open_store` opens
the one a target names. Each backend's module is imported when first used,
so PostgreSQL's driver is needed only by ledgers kept there.

>>> from incidents.storage import open_store
>>> store = open_store(":memory:")
>>> store.backend, store.last_sequence()
('memory', 0)
>>> store.close()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from incidents._public import report_public_module
from incidents.storage._auditing import AuditReader, AuditReading
from incidents.storage._mapper import LedgerMapper
from incidents.storage._open import open_store
from incidents.storage._projections import ProjectionStorage, ProjectionWriter
from incidents.storage._reading import EventReading
from incidents.storage._rows import (
    AuditCheckpointRow,
    AuditRow,
    FoldSnapshot,
    IntegrityCheck,
    ProjectionCheckpoint,
    StoredRecord,
    Tile,
    TreeBuild,
    from_micros,
    to_micros,
)
from incidents.storage._signal import CommitSignal
from incidents.storage._snapshots import SnapshotStorage
from incidents.storage._store import Store
from incidents.storage._writing import AuditWriter, EventWriter, EventWriting, Writer

if TYPE_CHECKING:
    from incidents.storage._memory import MemoryStore
    from incidents.storage._postgres import PostgresStore
    from incidents.storage._sqlite import SQLiteStore

__all__ = [
    "AuditCheckpointRow",
    "AuditReader",
    "AuditReading",
    "AuditRow",
    "AuditWriter",
    "CommitSignal",
    "EventReading",
    "EventWriter",
    "EventWriting",
    "FoldSnapshot",
    "IntegrityCheck",
    "LedgerMapper",
    "MemoryStore",
    "PostgresStore",
    "ProjectionCheckpoint",
    "ProjectionStorage",
    "ProjectionWriter",
    "SQLiteStore",
    "SnapshotStorage",
    "Store",
    "StoredRecord",
    "Tile",
    "TreeBuild",
    "Writer",
    "from_micros",
    "open_store",
    "to_micros",
]

# Backends are imported on first use: PostgreSQL's needs psycopg, and a
# program that opens one backend need not import the others.
_BACKENDS = {
    "MemoryStore": "incidents.storage._memory",
    "PostgresStore": "incidents.storage._postgres",
    "SQLiteStore": "incidents.storage._sqlite",
}


def __getattr__(name: str) -> Any:
    module = _BACKENDS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    backend = getattr(importlib.import_module(module), name)
    globals()[name] = backend
    return backend


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


report_public_module(__name__, globals(), __all__)
