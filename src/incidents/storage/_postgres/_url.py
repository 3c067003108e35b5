"""
Reading a ``postgresql://`` URL (no driver needed).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from incidents._errors import InvalidInputError

__all__ = ["CONNECT_TIMEOUT", "parse_url"]

CONNECT_TIMEOUT = 5
"""Seconds a connection attempt may take, unless the URL's ``connect_timeout`` says otherwise."""

_SCHEMA_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SCHEMA_RULE = "1 to 63 lower-case ASCII letters, digits and underscores, not starting with a digit"
_HOST_RE = re.compile(r"[a-z0-9._:-]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_PARAMETERS = ("schema", "connect_timeout")
_ENCODE_HINT = "characters / ? # @ : in a user name or password must be percent-encoded"


def parse_url(url: str) -> dict[str, Any]:
    """
    Split a ``postgresql://`` URL into connection settings, refusing anything unsafe or unclear.

    The URL is ``postgresql://user:password@host:port/dbname?schema=name``
    (``postgres://`` too); every part is optional: user ``postgres``, no
    password, host ``127.0.0.1``, port 5432, database ``postgres``, schema
    ``public``. User name, password and database name are percent-decoded
    (as UTF-8) and handed to the driver as separate parameters, never spliced
    into a connection string.

    Rules, each refused with an :class:`~incidents.InvalidInputError` that
    names it (and never quotes the password):

    - ``schema`` is 1 to 63 lower-case ASCII letters, digits and underscores,
      not starting with a digit (``^[a-z_][a-z0-9_]{0,62}$``), and not a
      system schema: ``information_schema`` or any name starting with
      ``pg_`` (``pg_catalog``, ``pg_toast``, ``pg_temp_1``...).
    - No ``@`` after the host (a password with an unencoded ``/``, ``?`` or
      ``#`` would leave its end there).
    - The port is a number from 1 to 65535; the host a single host name or
      IP address.
    - User and database names hold no control characters, the password no
      NUL (the driver would cut the value short there).
    - The only parameters are ``schema`` and ``connect_timeout`` (whole
      seconds, 1 to 3600; default :data:`CONNECT_TIMEOUT`), each at most
      once. libpq's other settings (``sslmode``...) are read from its
      ``PG*`` environment variables.

    Args:
        url: e.g. ``postgresql://postgres@127.0.0.1:5432/test?schema=ledger``.

    Returns:
        ``dbname``, ``host``, ``port``, ``user``, ``password``, ``schema``
        and ``connect_timeout``.

    Raises:
        InvalidInputError: If the URL breaks one of the rules.
    """
    # Python's errors quote part of the URL, perhaps of the password: they are
    # not raised from, nor kept as the context of, the library's.
    parts = _split(url)
    if parts is None:
        raise InvalidInputError(f"not a well-formed PostgreSQL URL ({_ENCODE_HINT})")
    if parts.scheme not in ("postgresql", "postgres"):
        raise InvalidInputError("a PostgreSQL URL starts with postgresql:// or postgres://")
    if "@" in parts.path + parts.query + parts.fragment:
        # What follows an unencoded / ? or # in a password: the rest of it.
        raise InvalidInputError(f"a PostgreSQL URL has an @ after its host: {_ENCODE_HINT}")
    port = _port(parts)
    if port is None:
        raise InvalidInputError(
            f"a PostgreSQL URL's port must be a number from 1 to 65535 ({_ENCODE_HINT})"
        )
    if parts.fragment:
        raise InvalidInputError(f"a PostgreSQL URL has no #fragment ({_ENCODE_HINT})")
    host = parts.hostname or "127.0.0.1"
    if not _HOST_RE.fullmatch(host):
        raise InvalidInputError(
            "a PostgreSQL URL's host must be one host name or IP address "
            "(letters, digits, dots, hyphens; IPv6 in brackets)"
        )
    user = _decoded(parts.username, "user name") or "postgres"
    password = _decoded(parts.password, "password")
    dbname = _decoded(parts.path.removeprefix("/"), "database name") or "postgres"
    for value, what in ((user, "user name"), (dbname, "database name")):
        if _CONTROL_RE.search(value):
            raise InvalidInputError(f"a PostgreSQL URL's {what} must not hold control characters")
    if "\x00" in password:
        raise InvalidInputError("a PostgreSQL URL's password must not hold a NUL character")
    query = _parameters(parts.query)
    return {
        "dbname": dbname,
        "host": host,
        "port": port,
        "user": user,
        "password": password,
        "schema": _schema(query.get("schema", "public")),
        "connect_timeout": _timeout(query.get("connect_timeout")),
    }


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError:
        return None
    if port is None:
        return 5432
    return port if port > 0 else None


def _decoded(text: str | None, what: str) -> str:
    try:
        return unquote(text or "", errors="strict")
    except UnicodeDecodeError:
        pass
    raise InvalidInputError(f"a PostgreSQL URL's {what} is not UTF-8 once percent-decoded")


def _parameters(query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        pairs = None
    if pairs is None:
        raise InvalidInputError("a PostgreSQL URL's parameters are not UTF-8 once percent-decoded")
    found: dict[str, str] = {}
    for name, value in pairs:
        # Neither name nor value is quoted back: a password with an unencoded
        # "?" would have spilled into them.
        if name not in _PARAMETERS:
            raise InvalidInputError(
                "a PostgreSQL URL takes only the parameters schema and connect_timeout "
                f"(libpq's other settings are read from its PG* environment variables; {_ENCODE_HINT})"
            )
        if name in found:
            raise InvalidInputError(f"a PostgreSQL URL gives {name} more than once")
        found[name] = value
    return found


def _schema(schema: str) -> str:
    if not _SCHEMA_RE.fullmatch(schema):
        raise InvalidInputError(f"schema {schema!r} is not a safe name: it must be {_SCHEMA_RULE}")
    if schema == "information_schema" or schema.startswith("pg_"):
        raise InvalidInputError(
            f"schema {schema!r} is one of PostgreSQL's own (information_schema, pg_*): "
            "a ledger needs a schema of its own"
        )
    return schema


def _timeout(text: str | None) -> int:
    if text is None:
        return CONNECT_TIMEOUT
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 3600):
        raise InvalidInputError(
            "a PostgreSQL URL's connect_timeout must be a whole number of seconds from 1 to 3600"
        )
    return int(text)
