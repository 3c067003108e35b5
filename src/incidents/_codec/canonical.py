"""
Canonical bytes of events and recorded events, and their validating decoders.

Canonical bytes are compact JSON with sorted keys, UTF-8, no NaN: datetimes
ISO-8601 in UTC with their offset, UUIDs as strings, enums by value, shapely
geometries as GeoJSON-style mappings whose floats round-trip exactly. The same
event always gives the same bytes, on any machine and with any storage
backend, which is what makes audit hashes reproducible.

The converter itself lives below the events (:mod:`incidents._domain.convert`);
this module registers the tagged union of event types on it, writes the
bytes through the compiled encoders (:mod:`incidents._codec.compiled`), and
decodes with full validation: bytes from anywhere. Rows the ledger stored
itself are read back by the trusted decoder (:mod:`incidents._codec.trusted`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cattrs.gen import make_dict_structure_fn

from incidents._codec.compiled import compile_encoder
from incidents._codec.upcast import VERSION_KEY, lowest, read_version, upcast
from incidents._domain.convert import (
    apply_changes,
    converter,
    structure,
    structure_datetime,
    unstructure_changes,
    unstructure_datetime,
    unstructure_fn,
    unstructure_geometry,
)
from incidents._domain.events import EVENT_TYPES, Count, Event, Recorded
from incidents._domain.limits import (
    MAX_EVENT_BYTES,
    MAX_INTEGER,
    MAX_NAME_LENGTH,
    check_text,
    shown,
)
from incidents._errors import InvalidInputError, StorageError

__all__ = [
    "FORMAT_VERSION",
    "apply_changes",
    "canonical_bytes",
    "converter",
    "decode_event",
    "decode_recorded",
    "dumps",
    "encode_event",
    "encode_recorded",
    "unstructure_changes",
]

FORMAT_VERSION = 1
"""Version of the recorded-event layout, stored in every record as ``"v"``."""

_escape: Callable[[str], str] = json.encoder.encode_basestring

# Events are unstructured by their runtime class and tagged with "type". The
# per-class functions are generated once; the hooks for the base class only
# dispatch (singledispatch would otherwise catch the subclasses too).
_UNSTRUCTURE = {cls: unstructure_fn(cls) for cls in EVENT_TYPES.values()}
_STRUCTURE = {
    name: make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True)
    for name, cls in EVENT_TYPES.items()
}


def _unstructure_event(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = _UNSTRUCTURE[type(event)](event)
    if event.VERSION > 1:
        # At the lowest version that holds the value: what 0.1.0 could have
        # written keeps its bytes (incidents._codec.upcast). Version 1 has none.
        version, data = lowest(event.TYPE, data)
        if version > 1:
            data[VERSION_KEY] = version
    data["type"] = event.TYPE
    return data


def _structure_event(data: Any, _: Any) -> Event:
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"an event must be a mapping, got {type(data).__name__}")
    fields = dict(data)
    name = fields.pop("type", None)
    build = _STRUCTURE.get(name) if isinstance(name, str) else None
    if build is None:
        raise InvalidInputError(f"unknown event type {shown(name)}")
    # An older version is brought up to date first (incidents._codec.upcast).
    version = read_version(name, fields)
    fields.pop(VERSION_KEY, None)
    return build(upcast(name, version, fields), EVENT_TYPES[name])


converter.register_unstructure_hook_func(lambda t: t is Event, _unstructure_event)
converter.register_structure_hook_func(lambda t: t is Event, _structure_event)


def dumps(data: Any) -> bytes:
    """
    Encode JSON-ready data canonically.

    Args:
        data: Dicts, lists, strings, numbers, booleans and None.

    Returns:
        Compact UTF-8 JSON with sorted keys.

    Raises:
        InvalidInputError: For NaN or infinite numbers, or non-JSON values.
    """
    try:
        text = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"cannot encode as canonical JSON: {exc}") from exc
    return text.encode("utf-8")


# Compiled encoders write the same text as ``dumps(_unstructure_event(e))``
# (tests check it class by class), several times faster.
def count_text(count: Count) -> str:
    """
    Canonical JSON text of a count: what ``dumps(unstructure_count(count))`` gives.

    An exact count is the plain number, as counts were written before they
    could be ranges, so such events keep their bytes.
    """
    low, high = count.low, count.high
    if high == low:
        return int.__repr__(low)
    if high is None:
        return f'{{"low":{int.__repr__(low)}}}'
    return f'{{"high":{int.__repr__(high)},"low":{int.__repr__(low)}}}'


def _versioned(cls: type[Event], current: Callable[[Event], str]) -> Callable[[Event], str]:
    """The encoder of a type of several versions: each value at the lowest that holds it."""

    def encode(event: Event) -> str:
        version, data = lowest(cls.TYPE, _UNSTRUCTURE[cls](event))
        if version == cls.VERSION:
            return current(event)
        data["type"] = cls.TYPE
        if version > 1:
            data[VERSION_KEY] = version
        return dumps(data).decode("utf-8")

    encode.__wrapped__ = current  # type: ignore[attr-defined]  # the generated encoder
    return encode


_ENCODERS = {
    cls: compile_encoder(
        cls,
        geometry=unstructure_geometry,
        tag=("type", name),
        texts={Count: count_text},
        constants={VERSION_KEY: str(cls.VERSION)} if cls.VERSION > 1 else None,
    )
    for name, cls in EVENT_TYPES.items()
}
# Types of several versions are few and rare (source registrations): the
# detour through the converter costs little there.
_ENCODERS.update(
    {cls: _versioned(cls, _ENCODERS[cls]) for cls in EVENT_TYPES.values() if cls.VERSION > 1}
)


def event_text(event: Event) -> str:
    """
    Canonical JSON text of an event (without the ledger's envelope).

    Args:
        event: Any event of the vocabulary.

    Returns:
        The canonical JSON as a string.

    Raises:
        InvalidInputError: If its UTF-8 bytes would be longer than
            :data:`~incidents.MAX_EVENT_BYTES`.
    """
    text = _ENCODERS[type(event)](event)
    # A character takes one to four bytes: only a long text needs counting.
    if len(text) * 4 > MAX_EVENT_BYTES:
        size = len(text.encode("utf-8"))
        if size > MAX_EVENT_BYTES:
            raise InvalidInputError(
                f"{event.TYPE} {event.event_id} takes {size:,} bytes encoded: at most "
                f"{MAX_EVENT_BYTES:,} bytes are accepted for one event"
            )
    return text


def encode_event(event: Event) -> bytes:
    """
    Canonical bytes of an event alone (without the ledger's envelope).

    Args:
        event: Any event of the vocabulary.

    Returns:
        The canonical JSON bytes.

    Raises:
        InvalidInputError: If they would be longer than :data:`~incidents.MAX_EVENT_BYTES`.
    """
    return event_text(event).encode("utf-8")


def reference_encode_event(event: Event) -> bytes:
    """
    Canonical bytes of an event, the slow and obvious way (converter, then ``json.dumps``).

    Args:
        event: Any event of the vocabulary.

    Returns:
        The same bytes as :func:`encode_event`.
    """
    return dumps(_unstructure_event(event))


def _loads(data: bytes | str) -> Any:
    """Parse JSON from anywhere, with the library's error for whatever it cannot parse."""
    try:
        return json.loads(data)
    except RecursionError:
        raise InvalidInputError(
            "not JSON this library reads: its values are nested too deeply"
        ) from None
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"not JSON: {exc}") from None


def decode_event(data: bytes | str) -> Event:
    """
    Rebuild an event from :func:`encode_event` bytes.

    Args:
        data: Canonical JSON of one event.

    Returns:
        The event, validated.

    Raises:
        InvalidInputError: If the data is not a valid event.
    """
    return structure(_loads(data), Event)


def encode_recorded(recorded: Recorded) -> bytes:
    """
    Canonical bytes of a recorded event: envelope and event.

    Args:
        recorded: An event as the ledger recorded it.

    Returns:
        The canonical JSON bytes, as stored and hashed.
    """
    return envelope_text(
        event_text(recorded.event),
        recorded.position,
        _escape(recorded.recorded_at.isoformat()),
        _escape(recorded.recorder),
        recorded.sequence,
    ).encode("utf-8")


def envelope_text(event: str, position: int, recorded_at: str, recorder: str, sequence: int) -> str:
    """
    Canonical JSON text of a recorded event from its already-encoded parts.

    Args:
        event: The event's canonical JSON text.
        position: Stream position.
        recorded_at: The recording time's ISO-8601 text, JSON-escaped with quotes.
        recorder: The recorder's name, JSON-escaped with quotes.
        sequence: Global sequence.

    Returns:
        The text whose UTF-8 bytes are the record's canonical bytes.
    """
    return (
        f'{{"event":{event},"position":{position},"recorded_at":{recorded_at},'
        f'"recorder":{recorder},"sequence":{sequence},"v":{FORMAT_VERSION}}}'
    )


def reference_encode_recorded(recorded: Recorded) -> bytes:
    """
    Canonical bytes of a recorded event, the slow and obvious way.

    Args:
        recorded: An event as the ledger recorded it.

    Returns:
        The same bytes as :func:`encode_recorded`.
    """
    return dumps(
        {
            "event": _unstructure_event(recorded.event),
            "position": recorded.position,
            "recorded_at": unstructure_datetime(recorded.recorded_at),
            "recorder": recorded.recorder,
            "sequence": recorded.sequence,
            "v": FORMAT_VERSION,
        }
    )


canonical_bytes = encode_recorded
"""The canonical bytes of a recorded event, as stored and hashed: :func:`encode_recorded`."""


def decode_recorded(data: bytes | str) -> Recorded:
    """
    Rebuild a recorded event from its canonical bytes.

    Args:
        data: Canonical JSON of a recorded event.

    Returns:
        The recorded event.

    Raises:
        StorageError: If the bytes are not a recorded event of a known format.
    """
    try:
        raw = _loads(data)
        if not isinstance(raw, dict):
            raise InvalidInputError(f"a recorded event is a JSON object, not {type(raw).__name__}")
        version = raw.pop("v", None)
        # Only the number itself: true and 1.0 compare equal to 1 in Python.
        if type(version) is not int or version != FORMAT_VERSION:
            raise InvalidInputError(
                f"unknown record format version {shown(version)} (this library reads "
                f"{FORMAT_VERSION})"
            )
        missing = {"event", "position", "recorded_at", "recorder", "sequence"} - set(raw)
        if missing or len(raw) != 5:
            raise InvalidInputError(
                f"a recorded event has the fields event, position, recorded_at, recorder, "
                f"sequence and v; these have {', '.join(sorted(map(shown, raw)))}"
            )
        return Recorded(
            event=structure(raw["event"], Event),
            sequence=_whole(raw["sequence"], "sequence"),
            position=_whole(raw["position"], "position"),
            recorded_at=structure_datetime(raw["recorded_at"], datetime),
            recorder=_recorder(raw["recorder"]),
        )
    except (ValueError, TypeError, OverflowError) as exc:  # InvalidInputError among them
        raise StorageError(f"stored record cannot be decoded: {exc}") from exc


def _whole(value: Any, name: str) -> int:
    if type(value) is not int or not 1 <= value <= MAX_INTEGER:
        raise InvalidInputError(
            f"{name} must be a whole number from 1 to {MAX_INTEGER:,} (a 64-bit integer), "
            f"got {shown(value)}"
        )
    return value


def _recorder(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"recorder must be text, got {shown(value)}")
    check_text(value, "recorder", MAX_NAME_LENGTH)
    if not value.strip():
        raise InvalidInputError("recorder is empty")
    return value
