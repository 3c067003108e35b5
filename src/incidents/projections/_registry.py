"""
The registry of named projections: built-ins, yours, and installed plugins.

``incidents project NAME`` and :func:`get` find projections here; installed
packages offer theirs through the ``incidents.projections`` entry point group,
loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from incidents._errors import InvalidInputError, UnknownProjectionError
from incidents.projections._projection import NAME_RE, Projection

__all__ = ["Factory", "get", "register", "registered"]

Factory = Callable[[], Projection]
_REGISTRY: dict[str, Factory] = {}
_ENTRY_POINT_GROUP = "incidents.projections"
_entry_points_loaded = False


def register(factory: Any = None, *, name: str | None = None, replace: bool = False) -> Any:
    """
    Register a projection by name, for ``incidents project NAME`` and :func:`get`.

    Use it as a class decorator (``@register``) or call it with a projection
    class or a function returning a projection. Installed packages can offer
    projections through the ``incidents.projections`` entry point group.

    Args:
        factory: A :class:`Projection` subclass, or a callable returning a projection.
        name: The name to register under (default: the projection's ``name``).
        replace: Replace a projection already registered under that name.

    Returns:
        *factory*, unchanged (or a decorator when called without it).

    Raises:
        InvalidInputError: If the name is taken (and *replace* is false) or
            *factory* does not make a projection.
    """
    if factory is None:
        return lambda f: register(f, name=name, replace=replace)
    if isinstance(factory, type) and issubclass(factory, Projection):
        key = name or factory.name
    elif callable(factory):
        made = factory()
        if not isinstance(made, Projection):
            raise InvalidInputError(f"{factory!r} does not make a Projection")
        key = name or made.name
    else:
        raise InvalidInputError(f"register() takes a Projection class or factory, got {factory!r}")
    if not NAME_RE.match(key):
        raise InvalidInputError(f"projection name {key!r} is not valid")
    if key in _REGISTRY and _REGISTRY[key] is not factory and not replace:
        raise InvalidInputError(
            f"a projection named {key!r} is already registered; pass replace=True to replace it"
        )
    _REGISTRY[key] = factory
    return factory


def entry_points(group: str) -> Any:
    """
    The installed entry points of a group (``importlib.metadata``, imported when first asked).
    """
    from importlib.metadata import entry_points as installed

    return installed(group=group)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for point in entry_points(group=_ENTRY_POINT_GROUP):
        if point.name not in _REGISTRY:
            register(point.load(), name=point.name)


def registered() -> dict[str, Factory]:
    """
    Every registered projection, by name (built-ins, yours, installed plugins).

    Returns:
        Name to factory, sorted by name.
    """
    _load_entry_points()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Projection:
    """
    A new instance of the projection registered under *name*.

    Args:
        name: e.g. ``"timeline"``.

    Returns:
        The projection.

    Raises:
        UnknownProjectionError: If no projection has that name.
    """
    factories = registered()
    if name not in factories:
        raise UnknownProjectionError(
            f"no projection is registered as {name!r} (registered: {', '.join(factories)})"
        )
    return factories[name]()
