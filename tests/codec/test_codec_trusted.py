"""The trusted decoder builds exactly what the validating decoder builds."""

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
    AircraftReported,
    Correction,
    Interceptor,
    InterceptReported,
    Recorded,
    StorageError,
    ValidTime,
)
from incidents._codec import canonical as _codec
from incidents._codec.canonical import decode_recorded, decode_trusted, encode_recorded
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


def test_damaged_bytes_still_raise_storage_error() -> None:
    with pytest.raises(StorageError):
        decode_trusted(b'{"v": 1, "event": {"type": "aircraft-reported"}}')
    with pytest.raises(StorageError):
        decode_trusted(b"not json")


HUGE = [2**63, 2**64 - 1, 2**64 + 1, 10**30, 2**200]


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("huge", HUGE)
def test_integers_beyond_64_bits_come_back_exactly(parser: str, huge: int) -> None:
    # orjson would turn such integers into floats: the trusted path must notice
    # and decode them exactly, wherever they are.
    incident_id, source_id = uuid.uuid4(), uuid.uuid4()
    when = ValidTime.day("2024-07-24", tz="America/Anchorage")
    aircraft = AircraftReported(
        incident_id=incident_id,
        source_id=source_id,
        type_designation="H-6K",
        nation="CN",
        count=huge,
        valid_time=when,
    )
    intercept = InterceptReported(
        incident_id=incident_id,
        source_id=source_id,
        interceptors=(Interceptor(nation="US", count=huge),),
        intercepted=(aircraft.event_id,),
        valid_time=when,
    )
    correction = Correction.of(aircraft, source_id=source_id, reason="recount", count=huge)
    for event, sequence in ((aircraft, 1), (intercept, 2), (correction, huge)):
        stored = encode_recorded(_recorded(event, sequence))
        with _parser(parser):
            trusted = decode_trusted(stored)
        assert trusted == decode_recorded(stored)
        assert stored == encode_recorded(trusted)
        assert type(trusted.sequence) is int
    assert decode_trusted(encode_recorded(_recorded(aircraft, 1))).event.count == huge
    assert json.loads(encode_recorded(_recorded(correction, 3)))["event"]["changes"] == {
        "count": huge
    }
