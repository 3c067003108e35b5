"""
A bare store on each backend: the contract tests run the same body on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from incidents.storage import Store
from support.backends import Backend


@pytest.fixture
def store(backend: Backend) -> Store:
    """A fresh, empty store on each backend in turn (closed and dropped after the test)."""
    return backend.open_store()
