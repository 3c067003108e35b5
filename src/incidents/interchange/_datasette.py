"""
A Datasette-ready SQLite file: plain tables of text, numbers and ISO times, a map, full-text search.

The ledger's own file keeps ids as 16-byte blobs, times as integer
microseconds and events as canonical bytes, which is right for the ledger
and useless in a browser. This file is made for reading:

``fact_versions``
    the flat table (:data:`~incidents.interchange.COLUMNS`): ids as text,
    times as ISO 8601 text in UTC, booleans as 0 and 1, ``latitude`` and
    ``longitude`` as numbers (Datasette's map plugins find them by name);
``current_facts``
    a view of the versions standing now;
``incidents``, ``sources``
    one row per incident and per source, as they stand now;
``quotes``
    one row per quote of every standing statement, searchable through the
    FTS5 table ``quotes_fts`` (Datasette shows a search box on ``quotes``).

``datasette incidents.datasette.db`` serves it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from incidents._errors import InvalidInputError
from incidents._files import write_file
from incidents._ledger import Ledger
from incidents.interchange._table import COLUMNS, fact_rows
from incidents.interchange._versions import FactVersion, ledger_versions

__all__ = ["write_datasette"]

_SQL_TYPES = {
    "string": "TEXT",
    "int": "INTEGER",
    "float": "REAL",
    "bool": "INTEGER",
    "timestamp": "TEXT",
}

_SCHEMA = f"""
CREATE TABLE fact_versions (
    {", ".join(f"{name} {_SQL_TYPES[kind]}" for name, kind in COLUMNS.items())}
);
CREATE INDEX fact_versions_incident ON fact_versions (incident_id);
CREATE INDEX fact_versions_fact ON fact_versions (fact_id, version);
CREATE VIEW current_facts AS SELECT * FROM fact_versions WHERE standing = 1;
CREATE TABLE incidents (
    incident_id TEXT PRIMARY KEY,
    title TEXT,
    summary TEXT,
    region TEXT,
    first_recorded_at TEXT,
    last_recorded_at TEXT,
    events INTEGER,
    facts INTEGER
);
CREATE TABLE sources (
    source_id TEXT PRIMARY KEY,
    incident_id TEXT REFERENCES incidents (incident_id),
    publisher TEXT,
    kind TEXT,
    title TEXT,
    url TEXT,
    published_at TEXT,
    language TEXT,
    reliability TEXT,
    credibility INTEGER,
    withdrawn INTEGER
);
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    incident_id TEXT REFERENCES incidents (incident_id),
    statement_id TEXT,
    speaker TEXT,
    medium TEXT,
    language TEXT,
    said_from TEXT,
    said_to TEXT,
    recorded_at TEXT,
    source_id TEXT REFERENCES sources (source_id),
    quote TEXT
);
CREATE INDEX quotes_incident ON quotes (incident_id);
CREATE VIRTUAL TABLE quotes_fts USING fts5 (
    quote, speaker, content = 'quotes', content_rowid = 'id'
);
"""


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _latest(incident_versions: Sequence[FactVersion]) -> dict[Any, FactVersion]:
    latest: dict[Any, FactVersion] = {}
    for version in incident_versions:
        latest[version.fact_id] = version
    return latest


def _fill(db: sqlite3.Connection, ledger: Ledger, known_at: datetime | None) -> None:
    insert_version = (
        f"INSERT INTO fact_versions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    )
    for incident_id, incident_versions in ledger_versions(ledger, known_at=known_at):
        rows = fact_rows(incident_versions)
        db.executemany(insert_version, ([_text(r[c]) for c in COLUMNS] for r in rows))
        latest = _latest(incident_versions)
        opening = latest[incident_versions[0].fact_id].event
        made = [v.made_by for v in incident_versions]
        db.execute(
            "INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(incident_id),
                getattr(opening, "title", None),
                getattr(opening, "summary", None),
                getattr(opening, "region", None),
                _iso(min(r.recorded_at for r in made)),
                _iso(max(r.recorded_at for r in made)),
                max(r.position for r in made),
                len(latest),
            ),
        )
        for version in latest.values():
            event = version.event
            if version.fact_id == event.source_id:  # a source is the fact whose id it is
                kind = getattr(event, "kind", None)
                reliability = getattr(event, "reliability", None)
                credibility = getattr(event, "credibility", None)
                db.execute(
                    "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        str(event.source_id),
                        str(incident_id),
                        getattr(event, "publisher", None),
                        getattr(kind, "value", kind),
                        getattr(event, "title", None),
                        getattr(event, "url", None),
                        _iso(getattr(event, "published_at", None)),
                        getattr(event, "language", None),
                        getattr(reliability, "value", reliability),
                        None if credibility is None else int(credibility),
                        int(not version.standing),
                    ),
                )
            quotes = getattr(event, "quotes", None)
            if not version.standing or not isinstance(quotes, tuple):
                continue
            speaker: Any = getattr(event, "speaker", None)
            valid = getattr(event, "valid_time", None)
            for quote in quotes:
                db.execute(
                    "INSERT INTO quotes (incident_id, statement_id, speaker, medium, language, "
                    "said_from, said_to, recorded_at, source_id, quote) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        str(incident_id),
                        str(version.fact_id),
                        speaker.describe() if hasattr(speaker, "describe") else None,
                        getattr(event, "medium", None),
                        getattr(event, "language", None),
                        _iso(getattr(valid, "earliest", None)),
                        _iso(getattr(valid, "latest", None)),
                        _iso(version.recorded_at),
                        str(event.source_id),
                        quote,
                    ),
                )
    db.execute(
        "INSERT INTO quotes_fts (rowid, quote, speaker) SELECT id, quote, speaker FROM quotes"
    )


def datasette_bytes(ledger: Ledger, *, known_at: datetime | None = None) -> bytes:
    """
    The Datasette-ready SQLite database of a ledger, as the bytes of its file.

    Args:
        ledger: The ledger.
        known_at: Only what had been recorded by then (default: everything).

    Returns:
        The database file's bytes.
    """
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        with db:
            _fill(db, ledger, known_at)
        db.execute("VACUUM")
        return db.serialize()
    finally:
        db.close()


def write_datasette(
    ledger: Ledger, path: str | os.PathLike[str], *, known_at: datetime | None = None
) -> None:
    """
    Write a Datasette-ready SQLite file of a ledger, whole or not at all.

    Serve it with ``datasette PATH``: the tables are described in
    :mod:`incidents.interchange` (``fact_versions``, ``current_facts``,
    ``incidents``, ``sources``, ``quotes`` with full-text search).

    Args:
        ledger: The ledger.
        path: The file to write (replaced if it exists; never a ledger's own file).
        known_at: Only what had been recorded by then (default: everything).

    Raises:
        FileWriteError: If the file cannot be written.
        InvalidInputError: If *path* is the ledger's own file.
        FutureKnowledgeError: If *known_at* is in the future.
    """
    store = ledger.store
    if store.backend == "sqlite" and os.path.realpath(path) == os.path.realpath(store.location):
        raise InvalidInputError(
            f"{os.fspath(path)} is the ledger's own file: write the Datasette file beside it"
        )
    write_file(path, datasette_bytes(ledger, known_at=known_at), what="Datasette file")
