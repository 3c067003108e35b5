"""
Reading stored envelopes without decoding them: byte patterns made from the encoder's own output.

A recorded event's canonical bytes are sorted-key compact JSON that ends
with its envelope::

    {"event":{...,"event_id":"E","incident_id":"I",...,"type":"T",...},
     "position":P,"recorded_at":"A","recorder":"R","sequence":S,"v":1}

Verifying a million stored events cannot afford to decode each one, so the
verifier checks a row's columns against its bytes with these patterns
instead. None of them is typed here: at import, a sample :class:`Recorded`
is encoded with :func:`~incidents._codec.canonical.encode_recorded` and the
patterns are cut from its bytes, so they follow the encoder (and
:data:`~incidents._codec.canonical.FORMAT_VERSION`) wherever it goes. If the
encoder ever lays the envelope out in a way these patterns cannot describe
(another field order, an event field between ``event_id`` and
``incident_id``), importing this module fails rather than letting
verification report sound records as damaged.

Quotes inside JSON strings are escaped, so the last :data:`TAIL` in a
record starts its envelope, and within the event object the last
:data:`EVENT_ID` is the event's own (only a Correction's earlier
``"changes"`` can hold another). These patterns are exact for bytes the
ledger wrote; bytes it did not write are caught by their hash first.
"""

from __future__ import annotations

from binascii import Error as BinasciiError
from binascii import unhexlify
from datetime import UTC, datetime
from uuid import UUID

import attrs

from incidents._codec.canonical import FORMAT_VERSION, dumps, encode_recorded, event_text
from incidents._codec.upcast import VERSION_KEY
from incidents._domain.convert import omitted_when_default
from incidents._domain.events import EVENT_TYPES, Event, IncidentOpened, Recorded
from incidents._domain.limits import MAX_INTEGER

__all__ = [
    "EVENT_ID",
    "EVENT_ID_LENGTH",
    "INCIDENT_AFTER_EVENT",
    "INCIDENT_ID_AT",
    "RECORDER",
    "SEQUENCE",
    "TAIL",
    "TAIL_END_FORMAT",
    "TAIL_FORMAT",
    "TAIL_HEAD_FORMAT",
    "TYPE_MARKS",
    "VERSION_END",
    "EnvelopeLayoutError",
    "embedded_sequence",
    "incident_text",
    "line_ids",
    "recorder_text",
    "source_id_of",
]

# -- the sample ------------------------------------------------------------------------

_POSITION = 735_194_682
_SEQUENCE = 928_471_365
_RECORDED_AT = datetime(2001, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)
_RECORDER = "sample-recorder"
_EVENT_UUID = UUID("6f1c9e52-3b0e-4d6a-9c44-0a7d2f9e1b38")
_INCIDENT_UUID = UUID("0b7e4c2a-91d3-4f58-8a6e-3c5d7f1e2a94")
_SOURCE_UUID = UUID("5e2a8d14-7c3b-4a9f-b6e1-d4f8c2a7e305")
_SAMPLE_EVENT = IncidentOpened(
    event_id=_EVENT_UUID,
    incident_id=_INCIDENT_UUID,
    source_id=_SOURCE_UUID,
    title="sample",
)
_ENCODED = encode_recorded(
    Recorded(
        event=_SAMPLE_EVENT,
        sequence=_SEQUENCE,
        position=_POSITION,
        recorded_at=_RECORDED_AT,
        recorder=_RECORDER,
    )
)
_EVENT_JSON = event_text(_SAMPLE_EVENT).encode("utf-8")


class EnvelopeLayoutError(RuntimeError):
    """The encoder lays records out in a way the verifier's patterns cannot describe."""


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise EnvelopeLayoutError(
            f"the canonical encoding changed ({what}): the patterns that verification "
            f"reads stored envelopes with no longer fit {_ENCODED!r}"
        )


def _once(data: bytes, part: bytes) -> int:
    _expect(data.count(part) == 1, f"{part!r} is not found exactly once")
    return data.index(part)


# -- the envelope: what follows the event object ---------------------------------------

_expect(_ENCODED.count(_EVENT_JSON) == 1, "the event's own text is not inside the record")
_AFTER_EVENT = _ENCODED[_ENCODED.index(_EVENT_JSON) + len(_EVENT_JSON) :]
_OBJECT_END = _EVENT_JSON[-1:]

# Each envelope value as the encoder wrote it, and what takes its place in
# the formats below: the recording time's text goes inside its quotes, the
# recorder goes in as a whole JSON string (it may hold escapes).
_position_text = b"%d" % _POSITION
_recorded_at_text = dumps(_RECORDED_AT.isoformat())
_recorder_text = dumps(_RECORDER)
_sequence_text = b"%d" % _SEQUENCE
_at = [
    _once(_AFTER_EVENT, v)
    for v in (_position_text, _recorded_at_text, _recorder_text, _sequence_text)
]
_expect(
    _at == sorted(_at),
    "the envelope's fields are not in the order position, recorded_at, recorder, sequence",
)
_expect(
    _AFTER_EVENT[_at[3] + len(_sequence_text) :].count(b"%d" % FORMAT_VERSION) == 1,
    f"the format version {FORMAT_VERSION} does not close the record",
)


_QUOTE = _recorded_at_text[-1:]
# The punctuation and keys around the four values; the recording time's
# quotes stay with the punctuation.
_pieces = [
    _OBJECT_END + _AFTER_EVENT[: _at[0]],
    _AFTER_EVENT[_at[0] + len(_position_text) : _at[1] + len(_QUOTE)],
    _AFTER_EVENT[_at[1] + len(_recorded_at_text) - len(_QUOTE) : _at[2]],
    _AFTER_EVENT[_at[2] + len(_recorder_text) : _at[3]],
    _AFTER_EVENT[_at[3] + len(_sequence_text) :],
]
_expect(not any(b"%" in p for p in _pieces), "a '%' in the envelope's punctuation")

TAIL_FORMAT: bytes = b"%d".join(
    [_pieces[0], _pieces[1] + b"%s" + _pieces[2] + b"%s" + _pieces[3], _pieces[4]]
)
"""The whole envelope after the event object, to fill with ``%`` (position, recording time's
ISO-8601 bytes, recorder as a JSON string, sequence), e.g.
``},"position":%d,"recorded_at":"%s","recorder":%s,"sequence":%d,"v":1}``."""

TAIL: bytes = _pieces[0]
"""Where the envelope starts: the end of the event object and the position's key."""

TAIL_HEAD_FORMAT: bytes = _pieces[0] + b"%d" + _pieces[1] + b"%s" + _pieces[2]
"""The envelope up to the recorder's name, to fill with the position and the recording time."""

TAIL_END_FORMAT: bytes = _pieces[3] + b"%d" + _pieces[4]
"""The envelope after the recorder's name, to fill with the sequence."""

SEQUENCE: bytes = _pieces[3]
"""What precedes the sequence number, e.g. ``,"sequence":``."""

VERSION_END: bytes = _pieces[4]
"""What follows it and ends every record: the format version, e.g. ``,"v":1}``."""

RECORDER: bytes = _pieces[2][len(_QUOTE) :]
"""What precedes the recorder's name (after the recording time's closing quote), e.g.
``,"recorder":``."""

_expect(
    TAIL_FORMAT % (_POSITION, _RECORDED_AT.isoformat().encode(), _recorder_text, _SEQUENCE)
    == _OBJECT_END + _AFTER_EVENT,
    "the envelope format does not give back the sample's envelope",
)

# -- inside the event object: its ids and type -----------------------------------------

_event_uuid_text = str(_EVENT_UUID).encode()
_incident_uuid_text = str(_INCIDENT_UUID).encode()
_event_value_at = _once(_EVENT_JSON, _event_uuid_text)
_incident_value_at = _once(_EVENT_JSON, _incident_uuid_text)
_event_key_at = _once(_EVENT_JSON, dumps("event_id"))

EVENT_ID: bytes = _EVENT_JSON[_event_key_at:_event_value_at]
"""What precedes an event's id in its canonical bytes, e.g. ``"event_id":"``."""

EVENT_ID_LENGTH = len(_event_uuid_text)
"""The length of an id's canonical text (36)."""

INCIDENT_AFTER_EVENT: bytes = _EVENT_JSON[_event_value_at + EVENT_ID_LENGTH : _incident_value_at]
"""What lies between the event id's text and the incident id's, e.g. ``","incident_id":"``."""

INCIDENT_ID_AT = len(EVENT_ID) + EVENT_ID_LENGTH + len(INCIDENT_AFTER_EVENT)
"""How far from the start of :data:`EVENT_ID` the incident id's text starts."""

_expect(INCIDENT_AFTER_EVENT.endswith(_QUOTE), "the incident id does not follow the event id")

_source_value_at = _once(_EVENT_JSON, str(_SOURCE_UUID).encode())
_source_key_at = _once(_EVENT_JSON, dumps("source_id"))
SOURCE_ID: bytes = _EVENT_JSON[_source_key_at:_source_value_at]
"""What precedes an event's source id in its canonical bytes, e.g. ``"source_id":"``."""
# The item and key separators, as the encoder writes them between the ids.
_ITEM = INCIDENT_AFTER_EVENT[len(_QUOTE) : INCIDENT_AFTER_EVENT.index(dumps("incident_id"))]
_KEY = INCIDENT_AFTER_EVENT[len(_QUOTE) + len(_ITEM) + len(dumps("incident_id")) : -len(_QUOTE)]


def _keys(cls: type[Event], *, every: bool = True) -> list[str]:
    """The keys of an event's JSON form: every one it can have, or only those always there."""
    names = [f.name for f in attrs.fields(cls) if every or f.name not in omitted_when_default(cls)]
    if every and cls.VERSION > 1:
        names.append(VERSION_KEY)  # records of version 1 have none
    return sorted([*names, "type"])


for _cls in EVENT_TYPES.values():
    _names = _keys(_cls)
    _expect(
        _names[_names.index("event_id") + 1] == "incident_id",
        f"{_cls.__name__} has a field between event_id and incident_id",
    )


def _type_mark(name: str, cls: type[Event]) -> bytes:
    mark = _ITEM + dumps("type") + _KEY + dumps(name)
    follows = set()
    for keys in (_keys(cls), _keys(cls, every=False)):
        after = keys.index("type") + 1
        follows.add(_OBJECT_END if after == len(keys) else _ITEM + dumps(keys[after]) + _KEY)
    # What follows the type is part of the mark when every record of the type has it
    # (not so when a member left out at its default, or the version, comes next).
    return mark + follows.pop() if len(follows) == 1 else mark


TYPE_MARKS: dict[str, bytes] = {name: _type_mark(name, cls) for name, cls in EVENT_TYPES.items()}
"""For each event type, its ``"type"`` item with what the encoder puts after it, e.g.
``,"type":"retraction"}``: found between an event's id and its envelope, it says the type."""

_expect(TYPE_MARKS[IncidentOpened.TYPE] in _EVENT_JSON, "the type mark is not in the sample event")


# -- readers ---------------------------------------------------------------------------

_MAX_DIGITS = len(str(MAX_INTEGER))


def embedded_sequence(state: bytes) -> int | None:
    """
    The sequence number a record's envelope states.

    Args:
        state: A record's canonical bytes.

    Returns:
        The number, or ``None`` if the bytes do not end like an envelope of this format.

    """
    cut = state.rfind(SEQUENCE)
    if cut < 0 or not state.endswith(VERSION_END):
        return None
    digits = state[cut + len(SEQUENCE) : len(state) - len(VERSION_END)]
    # A sequence number has at most 19 digits (it fits in 64 bits): a longer
    # run of digits is no envelope, and is not worth converting.
    return int(digits) if digits.isdigit() and len(digits) <= _MAX_DIGITS else None


def recorder_text(state: bytes) -> bytes:
    """
    The recorder's name as a record's envelope states it: a JSON string, quotes included.

    Args:
        state: A record's canonical bytes, its envelope already known to be sound
            (:func:`embedded_sequence` gives a number).

    Returns:
        The raw JSON string.

    """
    start = state.rfind(RECORDER)
    return state[start + len(RECORDER) : state.rfind(SEQUENCE)]


def incident_text(incident: bytes) -> bytes:
    """
    What follows an event's id in its canonical bytes: the incident id, as it is written.

    Args:
        incident: The incident id's 16 bytes (as stored in a row's column).

    Returns:
        e.g. ``","incident_id":"<uuid>"``.

    Raises:
        TypeError: If ``incident`` is not bytes.
        ValueError: If it is not 16 of them.

    """
    if not isinstance(incident, bytes):
        raise TypeError("not an incident id")
    return INCIDENT_AFTER_EVENT + str(UUID(bytes=incident)).encode() + _QUOTE


def _uuid_at(state: bytes, start: int) -> bytes | None:
    text = state[start : start + EVENT_ID_LENGTH]
    try:
        return unhexlify(text.replace(b"-", b"")) if len(text) == EVENT_ID_LENGTH else None
    except (BinasciiError, ValueError):
        return None


def source_id_of(state: bytes) -> UUID | None:
    """
    The source id a correction's or retraction's canonical bytes state.

    Only for those two types, recorded by the ledger: no correction can
    change a source id, so their only ``"source_id"`` member is their own
    (the last before the envelope).

    Args:
        state: A correction's or retraction's canonical bytes.

    Returns:
        The id, or ``None`` if it cannot be read.
    """
    j = state.rfind(SOURCE_ID, 0, max(state.rfind(TAIL), 0))
    found = _uuid_at(state, j + len(SOURCE_ID)) if j >= 0 else None
    return UUID(bytes=found) if found and len(found) == 16 else None


def line_ids(state: bytes) -> tuple[UUID | None, UUID | None]:
    """
    The incident and event ids a record's bytes state, as far as they can be read.

    Args:
        state: A record's canonical bytes, perhaps damaged.

    Returns:
        ``(incident id, event id)``, each ``None`` when it cannot be read.

    """
    j = state.rfind(EVENT_ID, 0, max(state.rfind(TAIL), 0))
    if j < 0:
        return None, None
    event = _uuid_at(state, j + len(EVENT_ID))
    incident = _uuid_at(state, j + INCIDENT_ID_AT)
    return (
        UUID(bytes=incident) if incident and len(incident) == 16 else None,
        UUID(bytes=event) if event and len(event) == 16 else None,
    )
