"""
The PostgreSQL backend: many writers, many machines.

Built on eventsourcing's PostgreSQL datastore (psycopg 3 and its connection
pool). Needs the ``postgres`` extra: ``pip install 'incidents[postgres]'``;
importing this package imports psycopg, so :mod:`incidents.storage` imports
it only when PostgreSQL is asked for. A ledger lives in one schema of one
database; writers serialize on an ``EXCLUSIVE`` table lock (readers are never
blocked), so the global sequence is dense and recording time never goes
backwards, whichever machine writes.

Open it with a URL: ``postgresql://user:password@host:5432/dbname?schema=name``
(``schema`` defaults to ``public``; ``connect_timeout=N`` bounds each
connection attempt). :func:`parse_url` says what a URL may hold: a schema
is ``^[a-z_][a-z0-9_]{0,62}$`` and never a system schema, among other rules.

The store is put together from one part per concern: the connections and
schema, the events, the audit tables, fold snapshots and read models.
"""

from __future__ import annotations

from incidents.storage._postgres._store import PostgresStore
from incidents.storage._postgres._url import parse_url

__all__ = ["PostgresStore", "parse_url"]
