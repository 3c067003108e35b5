"""
Reading a ``postgresql://`` URL (no driver needed).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from incidents._errors import InvalidInputError

__all__ = ["parse_url"]

_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def parse_url(url: str) -> dict[str, Any]:
    """
    Split a ``postgresql://`` URL into connection settings.

    Args:
        url: e.g. ``postgresql://postgres@127.0.0.1:5432/test?schema=ledger``.

    Returns:
        ``dbname``, ``host``, ``port``, ``user``, ``password`` and ``schema``.

    Raises:
        InvalidInputError: If the URL is malformed or the schema name is unsafe.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise InvalidInputError(f"not a postgresql:// URL: {url!r}")
    query = parse_qs(parts.query)
    schema = query.get("schema", ["public"])[0]
    if not _NAME_RE.match(schema):
        raise InvalidInputError(
            f"schema {schema!r} must be lower-case letters, digits and underscores"
        )
    return {
        "dbname": unquote(parts.path.lstrip("/")) or "postgres",
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "schema": schema,
    }
