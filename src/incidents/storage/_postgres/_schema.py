"""
The PostgreSQL backend's tables, created in the ledger's schema.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from incidents.storage._rows import schema_version_of

__all__ = [
    "CHECKPOINT_COLUMNS",
    "COLUMNS",
    "SCHEMA_VERSION",
    "SETTLED_KEY",
    "TABLE",
    "create_audit",
    "create_events",
    "create_projections",
]

SCHEMA_VERSION = 1
TABLE = "incident_events"
# The ledger_meta key of the settle mark (see PostgresEvents.settle): the
# recording time, in µs, that every later batch is recorded after.
SETTLED_KEY = "settled_until"
COLUMNS = "sequence, incident_id, position, event_id, topic, recorded_at, state"
CHECKPOINT_COLUMNS = "name, generation, version, sequence, active"


def create_events(c: Any, schema: str) -> int:
    """
    Create the events table, its indexes, the meta table and the fold snapshots' table.

    Args:
        c: A cursor in the transaction that opens the ledger.
        schema: The ledger's schema (created if missing).

    Returns:
        The schema version the ledger was written with.
    """
    table = sql.Identifier(schema, TABLE)
    meta = sql.Identifier(schema, "ledger_meta")
    c.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " sequence bigint PRIMARY KEY,"
            " incident_id uuid NOT NULL,"
            " position integer NOT NULL,"
            " event_id uuid NOT NULL,"
            " topic text NOT NULL,"
            " recorded_at bigint NOT NULL,"
            " state bytea NOT NULL,"
            " CONSTRAINT {} UNIQUE (event_id),"
            " CONSTRAINT {} UNIQUE (incident_id, position))"
        ).format(
            table,
            sql.Identifier(f"{TABLE}_event_id_key"),
            sql.Identifier(f"{TABLE}_stream_key"),
        )
    )
    c.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (recorded_at)").format(
            sql.Identifier(f"{TABLE}_recorded_at"), table
        )
    )
    # Each incident's first event, for listing incidents without reading every row.
    c.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (sequence) WHERE position = 1").format(
            sql.Identifier(f"{TABLE}_openings"), table
        )
    )
    c.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)").format(
            meta
        )
    )
    # Derived data (fold snapshots): may be dropped at any time.
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " incident_id uuid NOT NULL,"
            " format integer NOT NULL,"
            " first_position integer NOT NULL,"
            " last_position integer NOT NULL,"
            " last_event_id uuid NOT NULL,"
            " last_sequence bigint NOT NULL,"
            " data bytea NOT NULL,"
            " PRIMARY KEY (incident_id, format, first_position))"
        ).format(sql.Identifier(schema, "fold_snapshots"))
    )
    c.execute(
        sql.SQL("INSERT INTO {} VALUES ('schema_version', %s) ON CONFLICT DO NOTHING").format(meta),
        (str(SCHEMA_VERSION),),
    )
    c.execute(sql.SQL("SELECT value FROM {} WHERE key = 'schema_version'").format(meta))
    return schema_version_of(c.fetchone()[0], f"schema {schema}")


def create_audit(c: Any, schema: str) -> None:
    """
    Create the audit tables (tree origin, tiles, checkpoints), apart from the events table.

    Args:
        c: A cursor in the transaction that opens the ledger.
        schema: The ledger's schema.
    """
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id integer PRIMARY KEY CHECK (id = 1), origin text NOT NULL)"
        ).format(sql.Identifier(schema, "audit_tree"))
    )
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (level integer NOT NULL, idx bigint NOT NULL,"
            " hashes bytea NOT NULL, ids bytea, PRIMARY KEY (level, idx))"
        ).format(sql.Identifier(schema, "audit_tiles"))
    )
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, size bigint NOT NULL,"
            " first bigint, recorder text, created_at bigint NOT NULL, note text NOT NULL, key text)"
        ).format(sql.Identifier(schema, "audit_checkpoints"))
    )


def create_projections(c: Any, schema: str) -> None:
    """
    Create the read models' tables (checkpoints and documents), on first use.

    Args:
        c: A cursor in a transaction.
        schema: The ledger's schema.
    """
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " name text NOT NULL,"
            " generation integer NOT NULL,"
            " version text NOT NULL,"
            " sequence bigint NOT NULL,"
            " active boolean NOT NULL,"
            " PRIMARY KEY (name, generation))"
        ).format(sql.Identifier(schema, "projection_checkpoints"))
    )
    c.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " name text NOT NULL,"
            " generation integer NOT NULL,"
            " key text NOT NULL,"
            " value bytea NOT NULL,"
            " PRIMARY KEY (name, generation, key))"
        ).format(sql.Identifier(schema, "projection_documents"))
    )
