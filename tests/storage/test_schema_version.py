"""A ledger whose stored schema version is not a number is refused with the library's error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from incidents import Ledger, StorageError
from support.backends import fresh_postgres_url, require_postgres

JUNK = ["junk", "", " 1", "1.0", "\u0661", "9" * 5000]


@pytest.mark.parametrize("read_only", [False, True])
@pytest.mark.parametrize("junk", JUNK)
def test_sqlite(tmp_path: Path, junk: str, read_only: bool) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(path).close()
    with sqlite3.connect(path) as c:
        c.execute("UPDATE ledger_meta SET value=? WHERE key='schema_version'", (junk,))
    with pytest.raises(StorageError, match=r"schema version .* is not a number"):
        Ledger.open(path, read_only=read_only)


@pytest.mark.parametrize("junk", ["junk", "1.0"])
def test_postgres(junk: str) -> None:
    require_postgres()
    url = fresh_postgres_url()
    ledger = Ledger.open(url)
    schema = url.rsplit("schema=", 1)[1]
    try:
        with psycopg.connect(url.split("?")[0], autocommit=True) as c:
            c.execute(
                f'UPDATE "{schema}".ledger_meta SET value=%s WHERE key=%s', (junk, "schema_version")
            )
        with pytest.raises(StorageError, match="schema version"):
            Ledger.open(url)
    finally:
        ledger.store.drop()  # type: ignore[attr-defined]
        ledger.close()
