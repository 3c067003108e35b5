"""incidents.storage as a public module: what it exports, where its names say they live, what it imports."""

from __future__ import annotations

import inspect
import subprocess
import sys
from abc import ABC

import pytest

import incidents.storage as storage
from incidents.storage import (
    AuditReading,
    AuditWriter,
    EventReading,
    EventWriter,
    EventWriting,
    ProjectionStorage,
    SnapshotStorage,
    Store,
    Writer,
)

INTERFACES = (EventWriting, EventReading, AuditReading, SnapshotStorage, ProjectionStorage)


def test_exports_are_sorted_and_all_there() -> None:
    assert storage.__all__ == sorted(storage.__all__)
    assert {
        "AuditCheckpointRow",
        "AuditReader",
        "AuditRow",
        "CommitSignal",
        "FoldSnapshot",
        "LedgerMapper",
        "MemoryStore",
        "PostgresStore",
        "ProjectionCheckpoint",
        "ProjectionWriter",
        "SQLiteStore",
        "Store",
        "StoredRecord",
        "Tile",
        "Writer",
        "from_micros",
        "open_store",
        "to_micros",
    } <= set(storage.__all__)
    for name in storage.__all__:
        assert getattr(storage, name) is not None
        assert name in dir(storage)
    with pytest.raises(AttributeError):
        storage.NoSuchStore  # type: ignore[attr-defined]  # noqa: B018


def test_public_names_report_the_public_module() -> None:
    for name in storage.__all__:
        value = getattr(storage, name)
        if name in ("AuditRow", "Tile"):  # a type alias; the audit log's own tile
            continue
        assert value.__module__ == "incidents.storage", name
        assert "._" not in repr(value) or not inspect.isclass(value), name


def test_an_opened_store_reports_the_public_module(store: Store) -> None:
    assert type(store).__module__ == "incidents.storage"
    assert repr(type(store)).startswith("<class 'incidents.storage.")
    assert getattr(storage, type(store).__name__) is type(store)


def test_the_store_is_the_composition_of_the_interfaces() -> None:
    assert all(issubclass(Store, interface) for interface in INTERFACES)
    assert issubclass(Writer, EventWriter)
    assert issubclass(Writer, AuditWriter)
    parts: set[str] = set().union(*(i.__abstractmethods__ for i in INTERFACES))
    assert Store.__abstractmethods__ == parts | {"close"}
    for interface in INTERFACES:  # each interface is small and stands alone
        assert ABC in interface.__mro__
        assert not set(interface.__abstractmethods__) - set(vars(interface)), interface
    for backend in (storage.MemoryStore, storage.SQLiteStore, storage.PostgresStore):
        assert issubclass(backend, Store)
        assert not backend.__abstractmethods__


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_storage_needs_no_backend_and_no_psycopg() -> None:
    out = _run(
        "import sys\n"
        "sys.modules['psycopg'] = None  # as if it were not installed\n"
        "import incidents.storage\n"
        "loaded = {m for m in sys.modules if m.startswith('incidents.storage._')}\n"
        "print(sorted(m for m in loaded if m.split('.')[2] in ('_memory', '_sqlite', '_postgres')))\n"
    )
    assert out.strip() == "[]"


def test_without_psycopg_opening_postgresql_says_what_to_install() -> None:
    out = _run(
        "import sys\n"
        "sys.modules['psycopg'] = None  # as if it were not installed\n"
        "from incidents import StorageError\n"
        "from incidents.storage import open_store\n"
        "assert open_store(':memory:').backend == 'memory'\n"
        "try:\n"
        "    open_store('postgresql://127.0.0.1/x')\n"
        "except StorageError as exc:\n"
        "    print(exc)\n"
    )
    assert "pip install 'incidents[postgres]'" in out
