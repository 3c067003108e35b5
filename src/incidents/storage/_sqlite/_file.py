"""
What a file must hold to be read as a ledger, and what SQLite can tell of its own damage.

A ledger file may come from someone else. Before anything runs on it, its
schema is read (a plain read of ``sqlite_master``): a file that is not a
ledger is refused; the ledger's tables must be plain tables (a view or a
virtual table in their place would run SQL the file brought along), without
generated columns; and a file carrying triggers is not written to, since a
trigger runs inside every write. Opened read-only, nothing in the file ever
runs: triggers only run on writes, and the connection cannot write.

:func:`check_file` is the storage part of ``incidents verify``: SQLite's
``quick_check`` (or ``integrity_check``, which also compares every index
entry with its row), and the things a trusted file would not hold.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from incidents._errors import InvalidInputError, StorageError
from incidents.storage._rows import IntegrityCheck
from incidents.storage._sqlite._schema import TABLE

__all__ = ["READ_ONLY_PRAGMAS", "check_file", "inspect_file", "read_only_uri"]

READ_ONLY_PRAGMAS = (
    "PRAGMA query_only=ON",  # SQLite refuses every write, whatever the connection is asked
    "PRAGMA trusted_schema=OFF",  # no function with side effects from the file's own SQL
    "PRAGMA cell_size_check=ON",  # damaged pages are reported, not read past
)
"""Set on every read-only connection, before the file's schema is read."""

# The tables the library creates; any of them the file has must be a plain table.
_TABLES = frozenset(
    {
        TABLE,
        "ledger_meta",
        "fold_snapshots",
        "audit_tree",
        "audit_tiles",
        "audit_checkpoints",
        "projection_checkpoints",
        "projection_documents",
    }
)
_FINDINGS_SHOWN = 20  # SQLite's own list of problems, at most


def read_only_uri(path: Path) -> str:
    """
    The URI that opens a file read-only (``mode=ro``): SQLite never creates or writes it.

    Args:
        path: The file.

    Returns:
        A ``file:`` URI.
    """
    return f"{path.resolve().as_uri()}?mode=ro"


def inspect_file(c: sqlite3.Cursor, path: Path, *, read_only: bool) -> set[str]:
    """
    Read a file's schema and refuse what cannot be opened as a ledger.

    Args:
        c: A cursor on a connection to the file, before anything else ran on it.
        path: The file, for messages.
        read_only: Whether the ledger is opened read-only: then the file must
            already be a ledger (never an empty or foreign file).

    Returns:
        The names of the library's tables the file holds.

    Raises:
        InvalidInputError: Read-only, if the file is not a ledger (empty,
            not an SQLite database, or without the events table).
        StorageError: If one of the ledger's tables is not a plain table, or
            (read-write) the file carries triggers.
    """
    try:
        c.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        objects = c.fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        if read_only:
            raise InvalidInputError(f"{path} is not a ledger: {exc}") from None
        raise StorageError(f"cannot open ledger {path}: {exc}") from exc
    tables = {name for kind, name, _, _ in objects if name in _TABLES}
    if read_only and TABLE not in tables:
        what = "it is empty" if not objects else f"it has no {TABLE} table"
        raise InvalidInputError(f"{path} is not a ledger: {what}")
    for kind, name, _, sql in objects:
        if name in _TABLES and (
            kind != "table" or str(sql or "").upper().startswith("CREATE VIRTUAL")
        ):
            raise StorageError(
                f"ledger {path}: {name} is a {kind} of the file's own making, not a table: "
                "refusing to run its SQL"
            )
    for name in sorted(tables):
        c.execute(f"PRAGMA table_xinfo({name})")
        generated = [r[1] for r in c.fetchall() if r[6]]  # hidden: a generated column
        if generated:
            raise StorageError(
                f"ledger {path}: column(s) {', '.join(generated)} of {name} are computed by SQL "
                "the file brought along: refusing to read them"
            )
    triggers = sorted(
        f"{name} (on {table})" for kind, name, table, _ in objects if kind == "trigger"
    )
    if triggers and not read_only:
        raise StorageError(
            f"ledger {path} carries triggers, which incidents never creates and which would run "
            f"inside every write: {', '.join(triggers)}. Check it with `incidents verify` (which "
            "opens it read-only) and drop them before recording into it"
        )
    return tables


def check_file(path: Path, *, full: bool) -> IntegrityCheck:
    """
    SQLite's own check of a ledger file, on a read-only connection of its own.

    Args:
        path: The ledger file.
        full: Run ``integrity_check`` (every index entry against its row)
            instead of ``quick_check`` (pages, b-trees, free list, NOT NULL
            and CHECK constraints).

    Returns:
        What ran and what it found: SQLite's findings, triggers and views
        (incidents creates none), and stored checkpoints that were deleted.

    Raises:
        StorageError: If the file cannot be read.
    """
    pragma = "integrity_check" if full else "quick_check"
    method = f"SQLite {pragma}" + (
        "" if full else " (index entries are not compared with their rows: --integrity full does)"
    )
    try:
        db = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc
    findings: list[str] = []
    try:
        for statement in READ_ONLY_PRAGMAS:
            db.execute(statement)
        db.execute("PRAGMA cache_size=-65536")  # the index seeks of integrity_check stay in memory
        objects = db.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
        for kind, name, table in objects:
            if kind == "trigger":
                findings.append(
                    f"the file carries trigger {name} on {table}, which incidents never creates: "
                    "it would run whenever that table is written to (verify does not run it)"
                )
            elif kind == "view":
                findings.append(f"the file carries view {name}, which incidents never creates")
        found = [r[0] for r in db.execute(f"PRAGMA {pragma}({_FINDINGS_SHOWN})").fetchall()]
        if found != ["ok"]:
            findings.extend(f"SQLite {pragma}: {line}" for line in found)
        if any(name == "audit_checkpoints" for _, name, _ in objects):
            findings.extend(_deleted_checkpoints(db))
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        findings.append(f"SQLite cannot read the file: {exc}")
    finally:
        db.close()
    return IntegrityCheck(method, tuple(findings))


def _deleted_checkpoints(db: sqlite3.Connection) -> list[str]:
    """Gaps in the stored checkpoints' row ids: SQLite gives them in order, incidents deletes none."""
    ids = [r[0] for r in db.execute("SELECT id FROM audit_checkpoints ORDER BY id")]
    gaps = []
    expected = 1
    for ident in ids:
        if isinstance(ident, int) and ident > expected:
            gaps.append(str(expected) if ident == expected + 1 else f"{expected}-{ident - 1}")
        expected = ident + 1 if isinstance(ident, int) else expected
    if not gaps:
        return []
    return [
        f"stored checkpoint row(s) {', '.join(gaps)} are missing: a stored checkpoint was deleted "
        "(SQLite numbers them in order, and incidents never deletes one)"
    ]
