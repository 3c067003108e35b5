"""The trusted decoder: both parsers, rows out of its shape, integers beyond 64 bits, bugs."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    EVENT_TYPES,
    MAX_INTEGER,
    AircraftReported,
    Correction,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    Recorded,
    StorageError,
    ValidTime,
)
from incidents._codec import trusted as _codec
from incidents._codec.canonical import decode_recorded, encode_recorded
from incidents._codec.trusted import decode_trusted, structure_trusted
from support.strategies import events


def _recorded(event: object, sequence: int) -> Recorded:
    return Recorded(
        event=event,  # type: ignore[arg-type]
        sequence=sequence,
        position=sequence,
        recorded_at=datetime(2024, 7, 25, 12, 0, 0, 123456, tzinfo=UTC),
        recorder="tester",
    )


PARSERS = {
    "orjson": _codec._parse,  # what decode_trusted uses where orjson is installed
    "json": _codec._scan_stored,  # what it uses where it is not
}


@contextlib.contextmanager
def _parser(name: str) -> Iterator[None]:
    saved = _codec._parse
    _codec._parse = PARSERS[name]
    try:
        yield
    finally:
        _codec._parse = saved


def test_orjson_is_installed_and_parses_stored_records() -> None:
    # A dependency: the fast parser must be the one in use, not the stand-in.
    assert _codec._orjson_loads is not None
    assert _codec._parse is _codec._orjson_loads


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data(), sequence=st.integers(1, 10**12))
def test_trusted_equals_validating_for_every_event_type(
    parser: str, name: str, data: st.DataObject, sequence: int
) -> None:
    event = data.draw(events(EVENT_TYPES[name]))
    stored = encode_recorded(_recorded(event, sequence))
    with _parser(parser):
        trusted = decode_trusted(stored)
    validated = decode_recorded(stored)
    assert validated == trusted
    assert type(validated.event) is type(trusted.event)
    # Same canonical bytes again: nothing was lost or reshaped (tuples stay tuples).
    assert stored == encode_recorded(trusted)


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize(
    "damaged",
    [
        b'{"v": 1, "event": {"type": "aircraft-reported"}}',
        b"not json",
        b"",
        b"\xff\xfe",
        b"[]",
        b"42",
        b'"text"',
        b"null",
    ],
)
def test_damaged_bytes_still_raise_storage_error(parser: str, damaged: bytes) -> None:
    with _parser(parser), pytest.raises(StorageError):
        decode_trusted(damaged)


def test_a_damaged_event_mapping_raises_storage_error() -> None:
    with pytest.raises(StorageError):
        structure_trusted({"type": "aircraft-reported"})
    with pytest.raises(StorageError):
        structure_trusted({"type": "gossip"})


def _opened() -> IncidentOpened:
    return IncidentOpened(incident_id=uuid.uuid4(), source_id=uuid.uuid4(), title="t")


def test_a_bug_in_a_trusted_builder_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only a row out of the trusted shape falls back to the validating path: a
    # bug is not turned into a silent slowdown.
    def broken(data: object) -> object:
        return 1 / 0

    recorded = _recorded(_opened(), 1)
    monkeypatch.setitem(_codec._TRUSTED, IncidentOpened.TYPE, broken)
    with pytest.raises(ZeroDivisionError):
        decode_trusted(encode_recorded(recorded))
    with pytest.raises(ZeroDivisionError):
        structure_trusted(json.loads(encode_recorded(recorded))["event"])


def test_a_bug_in_the_parser_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: object) -> object:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(_codec, "_parse", broken)
    with pytest.raises(RuntimeError, match="parser bug"):
        decode_trusted(encode_recorded(_recorded(_opened(), 1)))


def test_a_row_out_of_the_trusted_shape_falls_back_to_the_validating_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded = _recorded(_opened(), 1)
    fell_back = []

    def validating(data: bytes) -> Recorded:
        fell_back.append(data)
        return decode_recorded(data)

    monkeypatch.setattr(_codec, "decode_recorded", validating)
    stored = encode_recorded(recorded)
    assert decode_trusted(stored) == recorded
    assert fell_back == []
    # Without its sequence: the trusted builders refuse it, the validating
    # decoder explains why.
    damaged = stored.replace(b'"sequence":1,', b"")
    with pytest.raises(StorageError):
        decode_trusted(damaged)
    assert fell_back == [damaged]


HUGE = [2**63, 2**64 - 1, 2**64 + 1, 10**30, 2**200, -(2**63) - 1]


def _with_big_integers(value: int) -> list[bytes]:
    """Stored records holding *value* as a count, an interceptor's count, a corrected count, a sequence."""
    incident_id, source_id = uuid.uuid4(), uuid.uuid4()
    when = ValidTime.day("2024-07-24", tz="America/Anchorage")
    aircraft = AircraftReported(
        incident_id=incident_id,
        source_id=source_id,
        type_designation="H-6K",
        nation="CN",
        count=7,
        valid_time=when,
    )
    intercept = InterceptReported(
        incident_id=incident_id,
        source_id=source_id,
        interceptors=(Interceptor(nation="US", count=7),),
        intercepted=(aircraft.event_id,),
        valid_time=when,
    )
    correction = Correction.of(aircraft, source_id=source_id, reason="recount", count=7)
    text = b"%d" % value
    stored = [
        encode_recorded(_recorded(event, 1)).replace(b'"count":7', b'"count":' + text)
        for event in (aircraft, intercept, correction)
    ]
    stored.append(
        encode_recorded(_recorded(aircraft, 1)).replace(
            b'"sequence":1,', b'"sequence":' + text + b","
        )
    )
    assert all(text in s for s in stored)
    return stored


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("huge", HUGE)
def test_integers_beyond_64_bits_are_never_rounded(parser: str, huge: int) -> None:
    # orjson would turn such integers into floats: the trusted path must notice
    # and leave them to the validating path, which refuses them (the library
    # accepts only 64-bit integers). What the trusted path does build itself
    # holds the integer exactly.
    for stored in _with_big_integers(huge):
        with pytest.raises(StorageError, match="64"):
            decode_recorded(stored)
        with _parser(parser):
            try:
                trusted = decode_trusted(stored)
            except StorageError:
                continue
        assert stored == encode_recorded(trusted)


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_the_largest_integers_come_back_exactly(parser: str) -> None:
    for stored in _with_big_integers(MAX_INTEGER):
        with _parser(parser):
            trusted = decode_trusted(stored)
        assert trusted == decode_recorded(stored)
        assert stored == encode_recorded(trusted)
        assert type(trusted.sequence) is int


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@pytest.mark.parametrize("parser", sorted(PARSERS))
@given(data=st.data())
def test_any_damaged_value_decodes_or_raises_storage_error(
    parser: str, data: st.DataObject
) -> None:
    # Whatever one value of a stored record is replaced with (or removed), the
    # trusted path gives a recorded event (it does not re-validate values it
    # can build) or raises StorageError: no way a row can be out of shape
    # escapes the narrow fallback.
    event = data.draw(events())
    raw = json.loads(encode_recorded(_recorded(event, 5)))
    path = data.draw(st.sampled_from(_paths(raw)))
    if path:
        *parents, last = path
        holder = raw
        for key in parents:
            holder = holder[key]
        if data.draw(st.booleans(), label="remove"):
            del holder[last]
        else:
            holder[last] = data.draw(_JSON_VALUES, label="value")
    else:
        raw = data.draw(_JSON_VALUES, label="record")
    damaged = json.dumps(raw).encode()
    with _parser(parser):
        try:
            got = decode_trusted(damaged)
        except StorageError:
            return
    assert isinstance(got, Recorded)
