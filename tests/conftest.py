"""
Shared fixtures: hypothesis profiles and ledgers on every backend.

Hypothesis runs a fast profile locally and a thorough one in CI (``CI`` set);
``HYPOTHESIS_PROFILE`` overrides. Backend tests take the ``backend`` fixture
and run once per backend: memory, SQLite and PostgreSQL (see
``support/backends.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from incidents import Ledger
from support.backends import BACKENDS, IN_CI, Backend, opened_backend

settings.register_profile(
    "fast", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "fast"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn: memory, SQLite, PostgreSQL."""
    with opened_backend(request.param, tmp_path) as b:
        yield b


@pytest.fixture
def ledger(backend: Backend) -> Ledger:
    """A fresh ledger on each backend, with a fixed clock at 2024-07-25 12:00Z."""
    return backend.open()
