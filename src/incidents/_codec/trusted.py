"""
The trusted decoder: recorded events rebuilt from rows the ledger stored itself.

Every stored record was validated when it was recorded, and its bytes are
canonical; re-running every attrs validator when a projection or a fold reads
it back costs several times the JSON parsing itself. The builders here
construct the same objects directly: each field structured by its declared
type, no validators, no post-init checks, one straight-line function per
class generated from the type hints. Measured with the stored rows of
``benchmarks/bench_projections.py`` (its ``decode:`` rows), this is about five
times as fast as the validating :func:`~incidents._codec.canonical.decode_recorded`.

A row that is not in the shape the builders trust (damaged, rewritten by
hand, from an unknown format) makes them raise one of the exceptions in
:data:`NOT_TRUSTED_SHAPE`; only those send the row to the validating path,
which either decodes it (an integer beyond 64 bits, see below) or raises
:class:`~incidents.StorageError`. Anything else a builder raises is a bug,
and propagates.

The stored bytes are parsed by orjson when it is installed (it is a
dependency; the standard library's scanner stands in where it cannot be):
about three times as fast as ``json``. It differs from ``json`` in one way
that matters: an integer beyond 64 bits comes back as a float. So the
builders take a field typed ``int`` only as an ``int`` (``_whole``), and look
through free-form values (a correction's changes) for floats that large
(``_exact``); either raises ``ValueError``, and the record is decoded again by
the validating path, through ``json``, exactly.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._codec.canonical import FORMAT_VERSION, decode_recorded
from incidents._codec.codegen import compile_function
from incidents._codec.slots import slot_setter, uuid_from_str
from incidents._codec.upcast import VERSION_KEY, read_version, upcast
from incidents._domain.convert import (
    field_types,
    omitted_when_default,
    structure,
    structure_geometry,
    tagged_union,
)
from incidents._domain.events import EVENT_TYPES, Count, Event, Recorded
from incidents._domain.geo import Geometry, is_geometry_type
from incidents._errors import InvalidInputError, StorageError

__all__ = ["NOT_TRUSTED_SHAPE", "decode_trusted", "structure_trusted"]

NOT_TRUSTED_SHAPE: tuple[type[Exception], ...] = (KeyError, TypeError, ValueError, RecursionError)
"""
What the trusted path raises for a row that is not in the shape it trusts.

``ValueError`` for bytes that are not JSON (orjson's and ``json``'s errors
derive from it), an unknown format version, text that is not a UUID or a
datetime, a whole number that may have been larger (see above), an invalid
geometry (:class:`~incidents.InvalidInputError`); ``KeyError`` for a missing
member, an unknown event type or enum value; ``TypeError`` for a value of the
wrong JSON type (indexing a list or a number, parsing ``null``);
``RecursionError`` for free-form values nested deeper than the builders can
look through (the ledger never stores such). Only these fall back to the
validating path; anything else propagates.
"""

_orjson_loads: Callable[[bytes | str], Any] | None
try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - a platform orjson has no build for
    _orjson_loads = None

_TOO_LARGE = 2.0**63  # orjson gives floats for integers from here on (and below minus it)


def _whole(value: Any) -> int:
    if type(value) is int:
        return value
    raise ValueError(f"not a whole number: {value!r}")


def _exact(value: Any) -> Any:
    if type(value) is float:
        if not -_TOO_LARGE < value < _TOO_LARGE:
            raise ValueError(f"{value!r} may have been a larger integer")
    elif type(value) is dict:
        for item in value.values():
            _exact(item)
    elif type(value) is list:
        for item in value:
            _exact(item)
    return value


# Each of these remembered values pays on the stored rows of bench_projections.py
# (measured A/B in one process): without the UUID cache, decode_trusted takes
# about 20% longer; without interning, about 5% longer (and an incident loaded
# by a cold read of bench_timetravel.py holds about 9% more memory); without the
# last recording time, about 3% longer.
_UUIDS: dict[str, UUID] = {}
_UUID_CACHE_SIZE = 4096
_INTERNED_SIZE = 4096


def _trusted_uuid(value: str) -> UUID:
    found = _UUIDS.get(value)
    if found is None:
        found = uuid_from_str(value)
        if len(_UUIDS) >= _UUID_CACHE_SIZE:
            _UUIDS.clear()  # incident and source ids repeat; event ids do not
        _UUIDS[value] = found
    return found


_EXACT_COUNTS: dict[int, Count] = {}
_EXACT_COUNTS_LIMIT = 256


def _trusted_count(value: Any) -> Count:
    """A count as stored: a plain number (exact), or ``{"low"[, "high"]}``."""
    if type(value) is int:
        found = _EXACT_COUNTS.get(value)
        if found is None:
            if len(_EXACT_COUNTS) >= _EXACT_COUNTS_LIMIT:
                _EXACT_COUNTS.clear()
            found = _EXACT_COUNTS[value] = Count.exact(value)  # checked: InvalidInputError
        return found
    if type(value) is not dict or not 1 <= len(value) <= 2:
        raise TypeError(f"not a stored count: {value!r}")
    low, high = _whole(value["low"]), value.get("high")
    if len(value) == 2 and (high is None or _whole(high) == low):
        raise ValueError(f"not a count in canonical form: {value!r}")
    return Count(low=low, high=high)


def _trusted_expression(hint: Any, value: str, scope: dict[str, Any]) -> str:
    """Python source building a value of type *hint* from the JSON value *value*."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        union = tagged_union(hint)
        if union is not None:
            # Each class's builder, picked by the tag (a builder ignores the tag itself).
            table = f"f{len(scope)}"
            scope[table] = {name: _trusted_class(cls) for cls, name in union.classes.items()}
            return f"(None if (v := {value}) is None else {table}[v[{union.tag!r}]](v))"
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no trusted decoder for {hint!r}")  # pragma: no cover
        built = _trusted_expression(inner[0], "v", scope)
        return value if built == "v" else f"(None if (v := {value}) is None else {built})"
    if origin is tuple:
        built = _trusted_expression(args[0], "x", scope)
        return f"tuple({value})" if built == "x" else f"tuple([{built} for x in {value}])"
    if hint in (str, bool):
        return value  # stored as is
    if hint is int:  # the parser may have turned a very large one into a float
        scope["whole"] = _whole
        return f"whole({value})"
    if hint is Any or origin is dict:  # free-form: looked through for such floats
        scope["exact"] = _exact
        return f"exact({value})"
    name = f"f{len(scope)}"
    if hint is UUID:  # the cache lookup inline, the parse only on a miss
        scope["uuids"], scope["parse_uuid"] = _UUIDS, _trusted_uuid
        return f"(uuids.get({value}) or parse_uuid({value}))"
    if hint is datetime:
        scope[name] = datetime.fromisoformat  # stored in UTC, with its offset
    elif hint is float:
        scope[name] = float
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        scope[name] = {m.value: m for m in hint}.__getitem__
    elif is_geometry_type(hint):
        scope[name] = lambda v: structure_geometry(v, Geometry)
    elif hint is Count:
        scope[name] = _trusted_count
    elif isinstance(hint, type) and attrs.has(hint):
        scope[name] = _trusted_class(hint)
    else:  # pragma: no cover - closed vocabulary
        raise TypeError(f"no trusted decoder for {hint!r}")
    return f"{name}({value})"


def _internable(hints: Mapping[str, Any]) -> bool:
    """
    Whether equal stored fields always make an equal, interchangeable value.

    True for small immutable values (valid times, speakers, claims,
    interceptors, locations) whose fields are text, whole numbers, booleans,
    enums, datetimes, ids or nested values. Floats are left out (``0.0 ==
    -0.0``, yet their bytes differ), and so is anything typed ``Any`` or
    ``dict`` (``1 == True``). Nested lists and mappings never make a key (they
    are not hashable): such a value is built afresh each time.
    """
    for hint in hints.values():
        inner = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        for kind in inner:
            if kind in (float, Any) or typing.get_origin(kind) in (dict, tuple):
                return False
            if not isinstance(kind, type):
                return False
    return True


def _trusted_upcast(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Bring a stored record of an older version of type *name* up to date (see upcast)."""

    def up(data: dict[str, Any]) -> dict[str, Any]:
        version = read_version(name, data)  # InvalidInputError, a ValueError: not trusted
        fields = {k: v for k, v in data.items() if k != "type" and k != VERSION_KEY}
        return upcast(name, version, fields)

    return up


def _trusted_class(cls: Any) -> Any:
    hints = field_types(cls)
    fields = attrs.fields(cls)
    scope: dict[str, Any] = {"cls": cls, "new": object.__new__}
    omitted = omitted_when_default(cls)
    lines = ["def build(data):", "    instance = new(cls)"]
    if isinstance(cls, type) and issubclass(cls, Event) and cls.VERSION > 1:
        # A record of an older version is upcast first; a current one costs one lookup.
        scope["up"], scope["current"] = _trusted_upcast(cls.TYPE), cls.VERSION
        lines.insert(1, f"    if data.get({VERSION_KEY!r}) != current:")
        lines.insert(2, "        data = up(data)")
    for field in fields:
        setter = f"set_{field.name}"
        scope[setter] = slot_setter(cls, field.name)
        stored = f"data[{field.name!r}]"
        if field.name in omitted:
            # Left out while it holds its default (see OMIT_WHEN_DEFAULT).
            scope[f"default_{field.name}"] = omitted[field.name]
            stored = f"data.get({field.name!r}, default_{field.name})"
        if field.name == "event_id" and hints[field.name] is UUID:
            # Every event has its own id: parsed directly, never cached.
            scope["uuid_from_str"] = uuid_from_str
            built = "uuid_from_str(data['event_id'])"
        else:
            built = _trusted_expression(hints[field.name], stored, scope)
        lines.append(f"    {setter}(instance, {built})")
    lines.append("    return instance")
    if not issubclass(cls, Event) and _internable({f.name: hints[f.name] for f in fields}):
        # Small frozen values repeat across events (the same day, speaker,
        # location): one instance per distinct stored form, looked up by the
        # tuple of its stored fields, built on a miss. A nested list or mapping
        # makes the key unhashable: that value is built, not cached.
        key = ", ".join(
            f"data.get({f.name!r})" if f.name in omitted else f"data[{f.name!r}]" for f in fields
        )
        scope["interned"], scope["limit"] = {}, _INTERNED_SIZE
        lines[0] = "def make(data):"
        lines += [
            "def build(data):",
            f"    key = ({key},)",
            "    try:",
            "        found = interned.get(key)",
            "    except TypeError:",
            "        return make(data)",
            "    if found is None:",
            "        if len(interned) >= limit:",
            "            interned.clear()",
            "        found = interned[key] = make(data)",
            "    return found",
        ]
    # One straight-line builder per class, as attrs generates __init__.
    return compile_function(
        "\n".join(lines),
        "build",
        scope,
        description=f"trusted builder of {cls.__module__}.{cls.__qualname__}",
    )


_TRUSTED = {name: _trusted_class(cls) for name, cls in EVENT_TYPES.items()}
# The C scanner itself (what JSONDecoder.raw_decode calls, without that Python frame):
# canonical bytes have no whitespace to skip.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _scan_stored(data: bytes | str) -> Any:
    """Parse stored bytes with the standard library's scanner (no orjson)."""
    try:
        return _scan(data.decode() if isinstance(data, bytes) else data, 0)[0]
    except StopIteration as exc:  # how the scanner says "no JSON value here"
        raise ValueError(f"not JSON at offset {exc.value}") from None


_parse: Callable[[bytes | str], Any] = _scan_stored if _orjson_loads is None else _orjson_loads
_set_event = slot_setter(Recorded, "event")
_set_sequence = slot_setter(Recorded, "sequence")
_set_position = slot_setter(Recorded, "position")
_set_recorded_at = slot_setter(Recorded, "recorded_at")
_set_recorder = slot_setter(Recorded, "recorder")
_last_stamp: list[tuple[str, datetime]] = [("", datetime.min)]


def decode_trusted(data: bytes | str) -> Recorded:
    """
    Rebuild a recorded event from canonical bytes this library stored itself.

    Equal to :func:`~incidents.decode_recorded` for every record the ledger wrote, but
    without re-running validation, which was done when the event was
    recorded: this is the fast path projections read the log through. Bytes
    from anywhere else (bundles, files, the network) must go through
    :func:`~incidents.decode_recorded` or :func:`~incidents.decode_event`.

    Args:
        data: Canonical JSON of a recorded event, as read from storage.

    Returns:
        The recorded event.

    Raises:
        StorageError: If the bytes are not a recorded event of a known format.
    """
    try:
        raw = _parse(data)
        version = raw["v"]
        if type(version) is not int or version != FORMAT_VERSION:  # true == 1.0 == 1
            raise ValueError("unknown format")
        event = raw["event"]
        recorded = object.__new__(Recorded)
        _set_event(recorded, _TRUSTED[event["type"]](event))
        sequence, position = raw["sequence"], raw["position"]
        if type(sequence) is not int or type(position) is not int:
            raise ValueError("not whole numbers")
        _set_sequence(recorded, sequence)
        _set_position(recorded, position)
        stamp = raw["recorded_at"]
        last = _last_stamp[0]  # one immutable pair, so threads never see half of another's
        if last[0] != stamp:  # a batch shares one recording time
            last = _last_stamp[0] = (stamp, datetime.fromisoformat(stamp))
        _set_recorded_at(recorded, last[1])
        _set_recorder(recorded, raw["recorder"])
        return recorded
    except NOT_TRUSTED_SHAPE:  # not as the ledger stores it: the validating decoder explains
        return decode_recorded(data)


def structure_trusted(data: Mapping[str, Any]) -> Event:
    """
    Rebuild an event from its stored JSON form (with its ``"type"`` tag), trusting it.

    The counterpart of :func:`decode_trusted` for an event mapping already
    parsed from stored bytes.

    Args:
        data: The event's mapping, as stored.

    Returns:
        The event, equal to what :func:`~incidents.decode_event` would give.

    Raises:
        StorageError: If the data is not an event of the vocabulary.
    """
    try:
        return _TRUSTED[data["type"]](data)  # type: ignore[no-any-return]
    except NOT_TRUSTED_SHAPE:  # not as the ledger stores it: the validating path explains
        try:
            return structure(data, Event)
        except InvalidInputError as exc:
            raise StorageError(f"stored event cannot be decoded: {exc}") from exc
