"""
Public names report the public module that exports them.

Classes and functions live in private modules (``incidents._ledger.ledger``)
and are exported by a public one (``incidents``, ``incidents.storage``,
``incidents.projections``, ``incidents.audit``), as httpx does it. Reprs,
``help()``, pickles and the documentation then show the name users import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["report_public_module"]


def report_public_module(module: str, namespace: Mapping[str, Any], names: Iterable[str]) -> None:
    """
    Make each name's class or function say it lives in *module*.

    Only values defined in a private module of the package are renamed: a
    value another public module already claims keeps that module (the root
    package re-exports ``incidents.audit.VerifyReport`` as it is).

    Args:
        module: The public module's name, e.g. ``"incidents"``.
        namespace: The public module's globals.
        names: The names it exports (its ``__all__``).
    """
    import attrs  # imported by every module that defines a public class anyway

    renamed = []
    for name in names:
        value = namespace.get(name)
        if not isinstance(value, type) and not callable(value):
            continue
        home = getattr(value, "__module__", None)
        if isinstance(home, str) and _is_private(home):
            renamed.append(value)
    # Annotations are resolved in the defining module's namespace, and a
    # class's are resolved with its bases': resolve them all first, while
    # every __module__ still names the module that defined it.
    for value in renamed:
        if isinstance(value, type) and attrs.has(value):
            attrs.resolve_types(value)
    for value in renamed:
        try:
            value.__module__ = module
        except (AttributeError, TypeError):  # a builtin or a frozen object
            continue


def _is_private(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "incidents" and any(part.startswith("_") for part in parts[1:])
