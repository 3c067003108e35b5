"""
The one cattrs converter between domain values and JSON-ready data.

Below the events: it knows datetimes (ISO-8601 in UTC), UUIDs (strings),
shapely geometries (GeoJSON-style mappings) and attrs classes in general;
:mod:`incidents._codec.canonical` registers the tagged union of event types on
it. Canonical bytes and the compiled encoders sit above the events, in
:mod:`incidents._codec`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs
import cattrs
from cattrs.errors import BaseValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from incidents._domain.geo import Geometry, is_geometry_type
from incidents._domain.limits import OMIT_WHEN_DEFAULT, shown
from incidents._domain.time import to_utc
from incidents._errors import InvalidInputError

__all__ = [
    "OMIT_WHEN_DEFAULT",
    "TaggedUnion",
    "apply_changes",
    "converter",
    "describe_error",
    "field_types",
    "omitted_when_default",
    "register_tagged_union",
    "structure",
    "structure_datetime",
    "structure_geometry",
    "tagged_union",
    "unstructure_datetime",
    "unstructure_changes",
    "unstructure_fn",
    "unstructure_geometry",
]

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)
"""The library's single converter between domain values and JSON-ready data."""


def unstructure_datetime(value: datetime) -> str:
    return to_utc(value).isoformat()


def structure_datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise InvalidInputError(f"expected an ISO-8601 string, got {shown(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"not an ISO-8601 date-time: {shown(value)}") from None
    return to_utc(parsed)


def unstructure_geometry(value: Geometry) -> dict[str, Any]:
    from shapely.geometry import mapping

    return _lists(mapping(value))  # type: ignore[no-any-return]


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


def structure_geometry(value: Any, _: Any) -> Geometry:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"expected a GeoJSON geometry mapping, got {shown(value)}")
    from shapely.geometry import shape

    try:
        return shape(value)
    except Exception as exc:  # shapely raises several unrelated types
        raise InvalidInputError(f"not a valid geometry: {_brief(str(exc))}") from None


def _structure_uuid(value: Any, _: Any) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise InvalidInputError(f"not a UUID: {shown(value)}") from None


def _structure_any(value: Any, _: Any) -> Any:
    return value


# cattrs converts by calling the type (str(5) == "5", bool("false") is True,
# int(2.7) == 2): data from anywhere must already have the type it is read as.
def _structure_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"expected text, got {shown(value)}")
    return value


def _structure_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(f"expected true or false, got {shown(value)}")
    return value


def _structure_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"expected a whole number, got {shown(value)}")
    return value


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"expected a number, got {shown(value)}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidInputError(f"number {shown(value)} is out of range") from None


converter.register_unstructure_hook(datetime, unstructure_datetime)
converter.register_structure_hook(datetime, structure_datetime)
converter.register_unstructure_hook(UUID, str)
converter.register_structure_hook(UUID, _structure_uuid)
converter.register_unstructure_hook_func(is_geometry_type, unstructure_geometry)
converter.register_structure_hook_func(is_geometry_type, structure_geometry)
converter.register_structure_hook(Any, _structure_any)
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)


# -- fields left out when they hold their default ------------------------------------------

# OMIT_WHEN_DEFAULT (defined in incidents._domain.limits, so that value classes
# below the converter can use it) marks fields added to a class whose values
# are already stored: a value that uses only the old fields encodes exactly
# as before (audit hashes are over the stored bytes). The canonical encoder,
# the compiled encoders and the trusted decoder all honour it; the default
# must be a plain value (None, False, ()), not a factory.


def omitted_when_default(cls: type) -> dict[str, Any]:
    """
    The fields of an attrs class that are left out while they hold their default.

    Args:
        cls: An attrs class.

    Returns:
        Field name to default, in field order.
    """
    return {f.name: f.default for f in attrs.fields(cls) if f.metadata.get(OMIT_WHEN_DEFAULT)}


def unstructure_fn(cls: type) -> Callable[[Any], dict[str, Any]]:
    """
    The converter's function from an instance of an attrs class to its JSON-ready dict.

    Args:
        cls: An attrs class.

    Returns:
        The function, which leaves out the fields marked :data:`OMIT_WHEN_DEFAULT`
        while they hold their default.
    """
    overrides: dict[str, Any] = {
        name: override(omit_if_default=True) for name in omitted_when_default(cls)
    }
    function: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
        cls, converter, **overrides
    )
    return function


def _has_omitted(hint: Any) -> bool:
    return isinstance(hint, type) and attrs.has(hint) and bool(omitted_when_default(hint))


converter.register_unstructure_hook_factory(_has_omitted, unstructure_fn)


# -- tagged unions ------------------------------------------------------------------------------


@attrs.frozen
class TaggedUnion:
    """
    A union of attrs classes whose JSON forms name their class in one member.

    Attributes:
        tag: The member naming the class, e.g. ``"kind"``.
        classes: Each class's name in that member.
    """

    tag: str
    classes: Mapping[type, str]

    @property
    def by_name(self) -> dict[str, type]:
        """
        Each class by its name in the tag.
        """
        return {name: cls for cls, name in self.classes.items()}


_TAGGED: dict[frozenset[type], TaggedUnion] = {}


def _members(hint: Any) -> frozenset[type] | None:
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    return frozenset(a for a in typing.get_args(hint) if a is not type(None))


def tagged_union(hint: Any) -> TaggedUnion | None:
    """
    The tagged union a type hint names (with or without ``None``), if it is one.

    Args:
        hint: A type hint, e.g. ``AirspaceEntered | Sovereignty | None``.

    Returns:
        Its :class:`TaggedUnion`, or ``None``.
    """
    members = _members(hint)
    return None if members is None else _TAGGED.get(members)


def register_tagged_union(classes: Mapping[str, type], tag: str) -> None:
    """
    Teach the converter (and the codec) a union of attrs classes, tagged in their JSON forms.

    Args:
        classes: The attrs classes of the union, by their names in the tag.
        tag: The member that names the class, e.g. ``"kind"``; no class may
            have a field of that name.
    """
    union = TaggedUnion(tag, {cls: name for name, cls in classes.items()})
    members = frozenset(classes.values())
    _TAGGED[members] = union
    by_name = union.by_name
    unstructure = {cls: unstructure_fn(cls) for cls in members}
    structure_fns: dict[str, Callable[[Any, Any], Any]] = {
        name: make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True)
        for name, cls in by_name.items()
    }

    def unstructure_hook(value: Any) -> Any:
        if value is None:
            return None
        data = unstructure[type(value)](value)
        data[tag] = union.classes[type(value)]
        return data

    def structure_hook(value: Any, _: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise InvalidInputError(f"expected a mapping with a {tag!r}, got {shown(value)}")
        data = dict(value)
        name = data.pop(tag, None)
        build = structure_fns.get(name) if isinstance(name, str) else None
        if build is None:
            known = ", ".join(sorted(by_name))
            raise InvalidInputError(f"unknown {tag} {shown(name)} (known: {known})")
        return build(data, by_name[name])

    def matches(hint: Any) -> bool:
        return _members(hint) == members

    converter.register_unstructure_hook_func(matches, unstructure_hook)
    converter.register_structure_hook_func(matches, structure_hook)


def _brief(text: str, limit: int = 1000) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, BaseValidationError):
        notes = []
        for sub in exc.exceptions:
            where = "; ".join(getattr(sub, "__notes__", []) or [])
            notes.append(f"{describe_error(sub)}" + (f" ({where})" if where else ""))
        return "; ".join(notes) or str(exc)
    return str(exc)


def structure(data: Any, cls: type[T]) -> T:
    try:
        return converter.structure(data, cls)
    except InvalidInputError:
        raise
    except (
        BaseValidationError,
        ValueError,
        TypeError,
        KeyError,
        OverflowError,
        RecursionError,
    ) as exc:
        raise InvalidInputError(f"invalid {cls.__name__}: {_brief(describe_error(exc))}") from exc


def unstructure_changes(cls: type[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """
    Turn ordinary new field values into the JSON form a :class:`Correction` keeps.

    Args:
        cls: The type of the corrected event.
        changes: Field name to new value.

    Returns:
        Field name to JSON-ready value.

    Raises:
        InvalidInputError: If a field does not exist on *cls*.
    """
    fields = attrs.fields_dict(cls)
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in fields:
            raise InvalidInputError(
                f"{cls.__name__} has no field {name!r} (fields: {', '.join(sorted(fields))})"
            )
        try:
            out[name] = converter.unstructure(value, unstructure_as=fields[name].type)
        except (AttributeError, TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"{cls.__name__}.{name} cannot take {shown(value)}: {_brief(str(exc))}"
            ) from exc
    return out


def apply_changes(target: T, changes: Mapping[str, Any]) -> T:
    """
    Return *target* with corrected fields, validated as a fresh event.

    Args:
        target: The event as it currently stands.
        changes: Field name to new value, in JSON form.

    Returns:
        A new event of the same type.

    Raises:
        InvalidInputError: If a field does not exist or the result is invalid.
    """
    data = converter.unstructure(target)
    # Not the keys of data: a field left out while at its default is a field all the same.
    unknown = set(changes) - set(attrs.fields_dict(type(target)))  # type: ignore[arg-type]
    if unknown:
        raise InvalidInputError(
            f"{type(target).__name__} has no field(s) {', '.join(sorted(unknown))}"
        )
    data.update(changes)
    return structure(data, type(target))


def field_types(cls: type[Any]) -> dict[str, Any]:
    """
    The types of an attrs class's fields, resolved from their annotations.

    attrs resolves them once and keeps them on the fields, so this works even
    after the class reports a public module other than the one that defines
    it (see :mod:`incidents._public`).

    Args:
        cls: An attrs class.

    Returns:
        Field name to type.
    """
    return {f.name: f.type for f in attrs.fields(attrs.resolve_types(cls))}
