"""
The PostgreSQL backend's connections: opening a ledger's schema, pooled transactions, the listener.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql
from psycopg.rows import tuple_row
from psycopg_pool import PoolTimeout

from incidents._errors import InvalidInputError, StorageError
from incidents.storage._postgres._schema import (
    SCHEMA_VERSION,
    TABLE,
    create_audit,
    create_events,
)
from incidents.storage._postgres._url import parse_url
from incidents.storage._signal import CommitSignal, commit_signal

__all__ = ["PostgresBase", "lock_key", "one_line"]

_POOL_WAIT = 10.0
"""Seconds a caller waits for one of the pool's connections to come free."""
_POOL_CHECK = 1.0
"""Seconds after which a caller still waiting tries the server itself, to find out whether it can be reached."""


def one_line(exc: BaseException) -> str:
    """
    A driver error's message on one line (libpq's run over several, with tabs).

    Args:
        exc: The error.

    Returns:
        Its message, runs of white space made one space.
    """
    return " ".join(str(exc).split())


def lock_key(text: str) -> int:
    """
    An advisory lock's key for *text*: the first 8 bytes of its SHA-256, signed.

    Args:
        text: What the lock guards (a schema, a projection of a schema).

    Returns:
        A ``bigint`` for ``pg_advisory_xact_lock``.
    """
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


_AUDIT_TABLES = ("audit_tree", "audit_tiles", "audit_checkpoints")
# The tables the library creates; any of them the schema has must be a plain table.
_TABLES = (
    TABLE,
    "ledger_meta",
    "fold_snapshots",
    *_AUDIT_TABLES,
    "projection_checkpoints",
    "projection_documents",
)


class _ReadOnlyDatastore(PostgresDatastore):
    """Connections the server itself keeps from writing (``default_transaction_read_only``)."""

    def after_connect_func(self) -> Callable[[Any], None]:
        setup = super().after_connect_func()

        def after_connect(conn: Any) -> None:
            setup(conn)
            conn.cursor().execute("SET default_transaction_read_only = on")

        return after_connect


class PostgresBase:
    """
    An open ledger schema: what every part of the PostgreSQL store works through.

    Opening connects to the server once, on a connection of its own, to set
    the schema up (or check it, read-only) before the pool opens: a server
    that cannot be reached, or refuses, is reported at once, with libpq's
    reason (connection refused, no such database, authentication failed...),
    within the URL's ``connect_timeout`` when it does not answer at all.
    Later, a caller waiting more than a second for a pooled connection tries
    the server itself, and is told why if it cannot be reached.
    No message ever holds the password.

    Args:
        url: ``postgresql://user:password@host:port/dbname?schema=name``; see
            :func:`~incidents.storage._postgres.parse_url` for what it may hold.
        pool_size: Connections kept open.
        read_only: Open an existing ledger read-only: nothing is created or
            written (the server refuses writes on every connection), and a
            schema that is not a ledger is refused.

    Raises:
        StorageError: If the server cannot be reached or the schema is not a ledger.
        InvalidInputError: If the URL is not acceptable; read-only, if the
            schema holds no ledger.
    """

    def __init__(self, url: str, *, pool_size: int = 2, read_only: bool = False) -> None:
        settings = parse_url(url)
        self.schema: str = settings.pop("schema")
        #: Seconds a connection attempt may take (the URL's ``connect_timeout``).
        self.connect_timeout: int = settings.pop("connect_timeout")
        self.location = (
            f"postgresql://{settings['user']}@{settings['host']}:{settings['port']}/"
            f"{settings['dbname']}?schema={self.schema}"
        )
        self.table = sql.Identifier(self.schema, TABLE)
        #: The ``LISTEN``/``NOTIFY`` channel told of every commit to this ledger.
        self.channel = "incidents_" + hashlib.sha256(self.schema.encode()).hexdigest()[:24]
        self.signal: CommitSignal = commit_signal(self.location)
        self._settings = settings
        self._listener: Any = None
        self._listener_lock = threading.Lock()
        self.read_only = read_only
        self.audit_tables: set[str] = set(_AUDIT_TABLES)
        kind = _ReadOnlyDatastore if read_only else PostgresDatastore
        self.datastore = kind(
            **settings,
            schema=self.schema,
            pool_size=pool_size,
            max_overflow=4,
            connect_timeout=_POOL_WAIT,  # eventsourcing's name for the pool's wait
        )
        pool = self.datastore.pool
        if isinstance(pool.kwargs, dict):
            # libpq's own timeout, which eventsourcing leaves unset: without it
            # an attempt on a host that never answers lasts minutes.
            pool.kwargs = {**pool.kwargs, "connect_timeout": self.connect_timeout}
        try:
            read_only_session = {"options": "-c default_transaction_read_only=on"}
            with (
                self._connect(**(read_only_session if read_only else {})) as conn,
                conn.transaction(),
                conn.cursor(row_factory=tuple_row) as c,
            ):
                self._open_read_only(c) if read_only else self._create(c)
        except psycopg.Error as exc:
            self.datastore.close()
            raise StorageError(f"cannot open ledger {self.location}: {one_line(exc)}") from exc
        except BaseException:
            self.datastore.close()
            raise
        pool.open()  # its connections are made in the background

    def _connect(self, **options: Any) -> psycopg.Connection[Any]:
        """
        A connection of its own (in autocommit mode), not one of the pool's.

        Raises:
            StorageError: Saying why the server cannot be reached.
        """
        try:
            return psycopg.connect(
                **self._settings,
                **options,
                autocommit=True,
                connect_timeout=self.connect_timeout,
            )
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to {self.location}: {one_line(exc)}") from exc

    def _open_read_only(self, c: Any) -> None:
        c.execute(
            "SELECT c.relname, c.relkind FROM pg_class AS c"
            " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = ANY(%s)",
            (self.schema, list(_TABLES)),
        )
        kinds = dict(c.fetchall())
        if TABLE not in kinds or "ledger_meta" not in kinds:
            raise InvalidInputError(
                f"{self.location} is not a ledger: schema {self.schema} has no {TABLE} table"
            )
        for name, kind in kinds.items():
            if kind not in ("r", "p"):
                raise StorageError(
                    f"ledger {self.location}: {name} is not a table (kind {kind!r}): "
                    "refusing to run its SQL"
                )
        c.execute(
            sql.SQL("SELECT value FROM {} WHERE key = 'schema_version'").format(
                sql.Identifier(self.schema, "ledger_meta")
            )
        )
        found = c.fetchone()
        self.audit_tables = {t for t in _AUDIT_TABLES if t in kinds}
        version = None if found is None else str(found[0])
        if version != str(SCHEMA_VERSION):
            raise StorageError(
                f"ledger {self.location} has schema version {version}; this library reads {SCHEMA_VERSION}"
            )

    def _create(self, c: Any) -> None:
        # Two processes creating the same ledger at once must not race.
        c.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(self.schema),))
        version = create_events(c, self.schema)
        create_audit(c, self.schema)
        if version != SCHEMA_VERSION:
            raise StorageError(
                f"ledger {self.location} has schema version {version}; this library reads {SCHEMA_VERSION}"
            )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """
        One of the pool's connections, returned to it afterwards.

        Raises:
            StorageError: If the server cannot be reached (saying why), or no
                connection came free in time.
        """
        pool = self.datastore.pool
        conn = self._pooled(pool)
        try:
            with conn:  # as the pool's own connection(): commit, or roll back on error
                yield conn
        finally:
            pool.putconn(conn)

    def _pooled(self, pool: Any) -> Any:
        # The pool keeps trying to connect in the background, but a caller
        # waiting for it is never told why it does not succeed: after a
        # second, try the server directly, which says.
        deadline = time.monotonic() + _POOL_WAIT
        while True:
            left = deadline - time.monotonic()
            try:
                return pool.getconn(timeout=max(min(_POOL_CHECK, left), 0.001))
            except PoolTimeout:
                pass
            self._connect().close()
            if left <= _POOL_CHECK:
                raise StorageError(
                    f"no connection to {self.location} came free in {_POOL_WAIT:.0f} s: "
                    f"all {pool.max_size} of the pool's are in use"
                )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        self._check_writable()
        with (
            self._connection() as conn,
            conn.transaction(),
            conn.cursor(row_factory=tuple_row) as cursor,
        ):
            yield cursor

    def _check_writable(self) -> None:
        if self.read_only:
            raise StorageError(
                f"ledger {self.location} was opened read-only: nothing can be written to it"
            )

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Any]:
        try:
            with (
                self._connection() as conn,
                conn.cursor(row_factory=tuple_row) as cursor,
            ):
                yield cursor
        except psycopg.Error as exc:
            raise StorageError(f"reading {self.location} failed: {one_line(exc)}") from exc

    def _listen(self) -> Any:
        """The connection listening on :attr:`channel` (opened once), or ``None`` if it cannot be."""
        if self._listener is None:
            try:
                listener = self._connect()
                listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            except (psycopg.Error, StorageError):
                return None
            self._listener = listener
        return self._listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(psycopg.Error):
                listener.close()

    def close(self) -> None:
        """
        Close the connection pool (and the listening connection, if any).
        """
        with self._listener_lock:
            self._close_listener()
        self.datastore.close()

    def drop(self) -> None:
        """
        Delete the ledger's schema and everything in it (for tests and clean-up).
        """
        try:
            with self._transaction() as c:
                c.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
                )
        except psycopg.Error as exc:
            raise StorageError(f"dropping {self.location} failed: {one_line(exc)}") from exc
