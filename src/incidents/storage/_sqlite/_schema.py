"""
The SQLite backend's tables and the statements more than one part runs.
"""

from __future__ import annotations

import sqlite3

__all__ = [
    "AUDIT_SCHEMA",
    "AUDIT_TILES",
    "CHECKPOINT_COLUMNS",
    "COLUMNS",
    "INSERT",
    "PROJECTION_SCHEMA",
    "PUT_TILE",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SETTLED_KEY",
    "TABLE",
    "upgrade_audit_tiles",
]

SCHEMA_VERSION = 1
TABLE = "incident_events"
# The ledger_meta key of the settle mark (see SQLiteEvents.settle): the
# recording time, in µs, that every later batch is recorded after.
SETTLED_KEY = "settled_until"
COLUMNS = "sequence, incident_id, position, event_id, topic, recorded_at, state"

SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " sequence INTEGER PRIMARY KEY,"
    " incident_id BLOB NOT NULL,"
    " position INTEGER NOT NULL,"
    " event_id BLOB NOT NULL UNIQUE,"
    " topic TEXT NOT NULL,"
    " recorded_at INTEGER NOT NULL,"
    " state BLOB NOT NULL,"
    " UNIQUE (incident_id, position))",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_recorded_at ON {TABLE} (recorded_at)",
    # Each incident's first event, for listing incidents without reading every row.
    f"CREATE INDEX IF NOT EXISTS {TABLE}_openings ON {TABLE} (sequence) WHERE position = 1",
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Derived data (fold snapshots): may be dropped at any time.
    "CREATE TABLE IF NOT EXISTS fold_snapshots ("
    " incident_id BLOB NOT NULL,"
    " format INTEGER NOT NULL,"
    " first_position INTEGER NOT NULL,"
    " last_position INTEGER NOT NULL,"
    " last_event_id BLOB NOT NULL,"
    " last_sequence INTEGER NOT NULL,"
    " data BLOB NOT NULL,"
    " PRIMARY KEY (incident_id, format, first_position))",
    f"INSERT OR IGNORE INTO ledger_meta VALUES ('schema_version', '{SCHEMA_VERSION}')",
)

INSERT = f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?,?,?,?,?,?,?)"

# -- audit tables: created alongside, never altering the above -----------------------
AUDIT_TILES = (
    "CREATE TABLE IF NOT EXISTS audit_tiles ("
    " level INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " hashes BLOB NOT NULL,"
    " ids BLOB,"
    " PRIMARY KEY (level, idx))"
)
AUDIT_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS audit_tree ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " origin TEXT NOT NULL)",
    # A rowid table: a full level-0 tile (16 hashes and 16 pairs of ids, about
    # 1 KB) is too large for a WITHOUT ROWID table's pages, where each one
    # spilled to an overflow page of its own.
    AUDIT_TILES,
    "CREATE TABLE IF NOT EXISTS audit_checkpoints ("
    " id INTEGER PRIMARY KEY,"
    " size INTEGER NOT NULL,"
    " first INTEGER,"
    " recorder TEXT,"
    " created_at INTEGER NOT NULL,"
    " note TEXT NOT NULL,"
    " key TEXT)",
)
PUT_TILE = (
    "INSERT INTO audit_tiles (level, idx, hashes, ids) VALUES (?,?,?,?)"
    " ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes, ids = excluded.ids"
)

# -- read models: created on first use ---------------------------------------------
PROJECTION_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS projection_checkpoints ("
    " name TEXT NOT NULL,"
    " generation INTEGER NOT NULL,"
    " version TEXT NOT NULL,"
    " sequence INTEGER NOT NULL,"
    " active INTEGER NOT NULL,"
    " PRIMARY KEY (name, generation))",
    "CREATE TABLE IF NOT EXISTS projection_documents ("
    " name TEXT NOT NULL,"
    " generation INTEGER NOT NULL,"
    " key TEXT NOT NULL,"
    " value BLOB NOT NULL,"
    " PRIMARY KEY (name, generation, key)) WITHOUT ROWID",
)
CHECKPOINT_COLUMNS = "name, generation, version, sequence, active"


def upgrade_audit_tiles(c: sqlite3.Cursor) -> None:
    """
    Move the tiles of a ledger that keeps them WITHOUT ROWID into a rowid table.

    Ledgers written by development versions before 0.1.0 did; the same rows
    are copied as they are, in the transaction that opens the ledger.

    Args:
        c: A cursor in the transaction that opens the ledger.
    """
    c.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='audit_tiles'")
    found = c.fetchone()
    if found is None or "WITHOUT ROWID" not in str(found[0]).upper():
        return
    c.execute("ALTER TABLE audit_tiles RENAME TO audit_tiles_without_rowid")
    c.execute(AUDIT_TILES)
    c.execute(
        "INSERT INTO audit_tiles (level, idx, hashes, ids)"
        " SELECT level, idx, hashes, ids FROM audit_tiles_without_rowid ORDER BY level, idx"
    )
    c.execute("DROP TABLE audit_tiles_without_rowid")
