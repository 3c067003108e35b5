"""
Fast decoding of bytes the ledger itself stored.

:func:`incidents.decode_recorded` validates everything it reads, as it must
for bytes from outside (a bundle, a file, a message). Bytes read back from
the ledger's own storage were validated when they were recorded and written
in the canonical layout, so re-running every attrs validator and cattrs
check on each read is pure cost: it dominated the time to read a large
incident. :func:`decode_stored` rebuilds the same values from the same
bytes without re-validating them, about four times faster. It still refuses
bytes that are not a recorded event of a known format (wrong version,
unknown event type, missing fields), raising :class:`~incidents.StorageError`.

The builders are generated once per class from the vocabulary's attrs fields
and type hints (as cattrs does), so a new event class or field is covered as
soon as it exists. The tests check, for every event of the vocabulary, that
both decoders give equal values.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from sys import intern
from typing import Any
from uuid import UUID, SafeUUID

import attrs
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from incidents._codec import FORMAT_VERSION
from incidents._errors import StorageError
from incidents._events import EVENT_TYPES, Event, Recorded

__all__ = ["decode_stored", "structure_stored", "uuid_from_bytes", "uuid_from_str"]

_Builder = Callable[[Any], Any]
_new_object = object.__new__
_set = object.__setattr__


def _identity(value: Any) -> Any:
    return value


_UNKNOWN_SAFETY = SafeUUID.unknown  # looked up once: enum attribute access is slow


def _make_uuid(number: int) -> UUID:
    # uuid.UUID.__init__ re-checks its arguments in ways that cost a microsecond
    # per id; ids read back from storage are set directly, as __init__ itself does.
    made = _new_object(UUID)
    _set(made, "int", number)
    _set(made, "is_safe", _UNKNOWN_SAFETY)
    return made


def _check_uuid_layout() -> bool:
    sample = UUID("6f1c9e52-3b0e-5d6a-9c44-0a7d2f9e1b38")
    try:
        made = _make_uuid(sample.int)
    except (AttributeError, TypeError):  # pragma: no cover - another Python's layout
        return False
    return made == sample and hash(made) == hash(sample) and str(made) == str(sample)


_FAST_UUID = _check_uuid_layout()


def uuid_from_str(value: str) -> UUID:
    """
    A UUID from its canonical 36-character text, as stored.

    Args:
        value: e.g. ``"6f1c9e52-3b0e-5d6a-9c44-0a7d2f9e1b38"``.

    Returns:
        The UUID.

    Raises:
        ValueError: If the text is not a canonical UUID.
    """
    if len(value) != 36 or value[8] != "-" or value[13] != "-" or value[18] != "-":
        raise ValueError(f"not a canonical UUID: {value!r}")
    if not _FAST_UUID:  # pragma: no cover - another Python's layout
        return UUID(value)
    return _make_uuid(int(value.replace("-", ""), 16))


def uuid_from_bytes(value: bytes) -> UUID:
    """
    A UUID from its 16 bytes, as stored.

    Args:
        value: Big-endian bytes.

    Returns:
        The UUID.

    Raises:
        ValueError: If there are not 16 bytes.
    """
    if len(value) != 16:
        raise ValueError(f"a UUID has 16 bytes, got {len(value)}")
    if not _FAST_UUID:  # pragma: no cover - another Python's layout
        return UUID(bytes=value)
    return _make_uuid(int.from_bytes(value, "big"))


_uuid = uuid_from_str


_UUID_CACHE: dict[str, UUID] = {}


def _shared_uuid(value: str) -> UUID:
    # Incident and source ids repeat in every event of a stream: share them.
    found = _UUID_CACHE.get(value)
    if found is None:
        found = _uuid(value)
        if len(_UUID_CACHE) >= 4096:
            _UUID_CACHE.clear()
        _UUID_CACHE[value] = found
    return found


def _datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not UTC:
        if parsed.tzinfo is None:
            raise ValueError(f"naive datetime in stored data: {value!r}")
        parsed = parsed.astimezone(UTC)
    return parsed


def _text(value: str) -> str:
    # Designations, nations, roles, time zones and publishers repeat in every
    # event of a stream: share one copy of each short text.
    return intern(value) if len(value) <= 64 else value


def _geometry(value: Any) -> BaseGeometry:
    return shapely.geometry.shape(value)


def _float(value: Any) -> float:
    return float(value)


_SHARED_UUID_FIELDS = frozenset({"incident_id", "source_id", "cites"})


def _builder(hint: Any, name: str = "") -> _Builder:
    """A function turning JSON-ready data into a value of *hint*, without validation."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) != 1:
            raise TypeError(f"no trusted decoder for {hint!r}")
        inner = _builder(others[0], name)
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _builder(args[0], name)
        if item is _identity:
            return tuple
        return lambda value: tuple([item(v) for v in value])
    if origin is dict or hint is dict:
        return dict
    if hint is UUID:
        return _shared_uuid if name in _SHARED_UUID_FIELDS else _uuid
    if hint is datetime:
        return _datetime
    if hint is float:
        return _float
    if hint is str:
        return _text
    if hint in (int, bool, Any):
        return _identity
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = {member.value: member for member in hint}
        return members.__getitem__
    if isinstance(hint, type) and issubclass(hint, BaseGeometry):
        return _geometry
    if isinstance(hint, type) and attrs.has(hint):
        return _class_builder(hint)
    raise TypeError(f"no trusted decoder for {hint!r} ({name})")


_CLASS_BUILDERS: dict[type, _Builder] = {}


def _class_builder(cls: type) -> _Builder:
    """Generated code that sets every field of a frozen attrs instance directly."""
    if cls in _CLASS_BUILDERS:
        return _CLASS_BUILDERS[cls]
    attrs.resolve_types(cls)
    namespace: dict[str, Any] = {"cls": cls, "new": _new_object, "set": _set}
    lines = ["def build(data):", "    obj = new(cls)"]
    for field in attrs.fields(cls):
        convert = _builder(field.type, field.name)
        if convert is _identity:
            lines.append(f"    set(obj, {field.name!r}, data[{field.name!r}])")
        else:
            namespace[f"convert_{field.name}"] = convert
            lines.append(
                f"    set(obj, {field.name!r}, convert_{field.name}(data[{field.name!r}]))"
            )
    lines.append("    return obj")
    exec(compile("\n".join(lines), f"<trusted decoder of {cls.__qualname__}>", "exec"), namespace)
    build: _Builder = namespace["build"]
    _CLASS_BUILDERS[cls] = build
    return build


_EVENT_BUILDERS: dict[str, _Builder] = {
    name: _class_builder(cls) for name, cls in EVENT_TYPES.items()
}


def structure_stored(data: Mapping[str, Any]) -> Event:
    """
    Rebuild an event from its stored JSON form (as tagged by the converter), trusting it.

    Args:
        data: The event's mapping, with its ``"type"`` tag.

    Returns:
        The event, equal to what :func:`incidents.decode_event` would give.

    Raises:
        StorageError: If the data is not an event of the vocabulary.
    """
    try:
        return _EVENT_BUILDERS[data["type"]](data)  # type: ignore[no-any-return]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StorageError(f"stored event cannot be decoded: {type(exc).__name__}: {exc}") from exc


def decode_stored(data: bytes | str) -> Recorded:
    """
    Rebuild a recorded event from canonical bytes the ledger stored, without re-validating.

    Use it only for bytes read back from the ledger's own storage; anything
    from outside goes through :func:`incidents.decode_recorded`.

    Args:
        data: Canonical JSON of a recorded event.

    Returns:
        The recorded event, equal to what :func:`incidents.decode_recorded` gives.

    Raises:
        StorageError: If the bytes are not a recorded event of a known format.
    """
    try:
        raw = json.loads(data)
        if raw["v"] != FORMAT_VERSION:
            raise StorageError(f"unknown record format version {raw['v']!r}")
        envelope = _new_object(Recorded)
        _set(envelope, "event", structure_stored(raw["event"]))
        _set(envelope, "sequence", raw["sequence"])
        _set(envelope, "position", raw["position"])
        _set(envelope, "recorded_at", _datetime(raw["recorded_at"]))
        _set(envelope, "recorder", raw["recorder"])
    except StorageError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StorageError(f"stored record cannot be decoded: {type(exc).__name__}: {exc}") from exc
    return envelope
