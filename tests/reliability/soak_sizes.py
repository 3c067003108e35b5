"""
How hard the reliability tests push, from environment variables.

The defaults keep the suite quick; ``make soak`` raises them. Every size
is a positive whole number (a bad value is an error, not a silent default).
A failing test names its seed: ``INCIDENTS_SOAK_SEED`` replays the same
batches and kill delays (the moments of the kills still vary).
"""

from __future__ import annotations

import os
from pathlib import Path

from support.backends import IN_CI

HERE = Path(__file__).resolve().parent


def _size(name: str, default: int, *, least: int = 1) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < least:
        raise ValueError(f"${name} must be a whole number from {least}, got {text!r}")
    return int(text)


KILLS = _size("INCIDENTS_SOAK_KILLS", 3)
"""SIGKILLs of a recording process per backend (crash test)."""

WRITERS = _size("INCIDENTS_SOAK_WRITERS", 3)
"""Writer processes recording at once (many-writer test)."""

EVENTS = _size("INCIDENTS_SOAK_EVENTS", 60)
"""Events each writer records (many-writer test)."""

FUZZ_EXAMPLES = _size("INCIDENTS_FUZZ_EXAMPLES", 50)
"""Hypothesis examples per fuzz test."""

TIMEOUT = _size("INCIDENTS_SOAK_TIMEOUT", 300)
"""Seconds a whole multi-process run may take before it is called stuck (not a timing test)."""

SEED = _size("INCIDENTS_SOAK_SEED", 0, least=0) if os.environ.get("INCIDENTS_SOAK_SEED") else None
"""A fixed seed for the random batches and kill delays, or None for a fresh one per run."""

__all__ = ["EVENTS", "FUZZ_EXAMPLES", "HERE", "IN_CI", "KILLS", "SEED", "TIMEOUT", "WRITERS"]
