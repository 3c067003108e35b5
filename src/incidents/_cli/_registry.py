"""
Subcommands of the ``incidents`` command line, one module per group.

Each module defines ``register(subparsers)``, which adds its subcommands and
sets ``run`` (a function taking the parsed arguments and returning the exit
status) as their default.
"""

from __future__ import annotations

from types import ModuleType

from incidents._cli import audit, basic, build_tree, claims, projections, timetravel

COMMAND_MODULES: tuple[ModuleType, ...] = (
    basic,
    timetravel,
    claims,
    projections,
    audit,
    build_tree,
)
