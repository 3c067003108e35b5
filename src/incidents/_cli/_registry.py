"""
Subcommands of the ``incidents`` command line, one module per group.

Each module defines ``register(group)``, which adds its click commands to the
``incidents`` group; each command returns its exit status.
"""

from __future__ import annotations

from types import ModuleType

from incidents._cli import (
    audit,
    basic,
    build_tree,
    claims,
    geography,
    interchange,
    maps,
    projections,
    record,
    series,
    sources,
    timetravel,
)

COMMAND_MODULES: tuple[ModuleType, ...] = (
    basic,
    record,
    sources,
    series,
    interchange,
    timetravel,
    claims,
    geography,
    maps,
    projections,
    audit,
    build_tree,
)
