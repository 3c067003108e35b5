from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    EVENT_TYPES,
    Event,
    InvalidInputError,
    Recorded,
    StorageError,
    canonical_bytes,
    decode_event,
    decode_recorded,
    encode_event,
)
from incidents._codec.canonical import reference_encode_event, reference_encode_recorded
from incidents._codec.compiled import _datetime, _uuid
from support.strategies import aware_datetimes, events, text


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_every_event_class_round_trips_exactly(cls: type[Event], data: st.DataObject) -> None:
    event = data.draw(events(cls))
    encoded = encode_event(event)
    decoded = decode_event(encoded)
    assert event == decoded
    assert type(event) is type(decoded)
    assert encoded == encode_event(decoded)


@given(events(), st.integers(1, 2**40), st.integers(1, 2**31), aware_datetimes, text)
def test_recorded_events_round_trip_exactly(
    event: Event, sequence: int, position: int, at: datetime, recorder: str
) -> None:
    recorded = Recorded(
        event=event, sequence=sequence, position=position, recorded_at=at, recorder=recorder
    )
    data = canonical_bytes(recorded)
    again = decode_recorded(data)
    assert recorded == again
    assert data == canonical_bytes(again)


@given(events())
def test_canonical_bytes_are_compact_sorted_utf8_json(event: Event) -> None:
    data = encode_event(event)
    parsed = json.loads(data.decode("utf-8"))
    assert (
        data
        == json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert parsed["type"] == event.TYPE
    assert str(event.event_id) == parsed["event_id"]


def test_datetimes_are_iso_with_offset_in_utc() -> None:
    from incidents import SourceKind, SourceRegistered

    source = SourceRegistered(
        incident_id=uuid.uuid4(),
        kind=SourceKind.PRESS_RELEASE,
        publisher="NORAD",
        published_at=datetime(2024, 7, 24, 20, 15, tzinfo=UTC),
    )
    assert b'"published_at":"2024-07-24T20:15:00+00:00"' in encode_event(source)


def test_decoding_rejects_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="unknown event type"):
        decode_event(b'{"type":"ufo-sighted"}')
    with pytest.raises(InvalidInputError, match="not JSON"):
        decode_event(b"{")
    with pytest.raises(InvalidInputError):
        decode_event(b'{"type":"retraction","incident_id":"nope"}')
    with pytest.raises(StorageError, match="cannot be decoded"):
        decode_recorded(b'{"v":99}')


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_compiled_encoders_match_the_reference_encoding(
    cls: type[Event], data: st.DataObject
) -> None:
    event = data.draw(events(cls))
    assert reference_encode_event(event) == encode_event(event)


@given(events(), st.integers(1, 2**40), st.integers(1, 2**31), aware_datetimes, text)
def test_envelope_matches_the_reference_encoding(
    event: Event, sequence: int, position: int, at: datetime, recorder: str
) -> None:
    recorded = Recorded(
        event=event, sequence=sequence, position=position, recorded_at=at, recorder=recorder
    )
    assert reference_encode_recorded(recorded) == canonical_bytes(recorded)
    from incidents.storage import LedgerMapper

    assert [canonical_bytes(recorded)] == [
        r.state for r in LedgerMapper().to_stored_events([recorded])
    ]


@given(
    st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-8, minutes=-30))]
        )
    )
)
def test_datetime_text_is_quoted_isoformat(at: datetime) -> None:
    # The encoders' shortcut for UTC (remembered days and seconds of the day)
    # must write what ``isoformat()`` writes, for every datetime.
    assert _datetime(at) == f'"{at.isoformat()}"'
    assert _datetime(at) == json.dumps(at.isoformat())


def test_datetime_subclasses_keep_their_own_isoformat() -> None:
    class Stamp(datetime):
        def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
            return "stamp"

    assert _datetime(Stamp(2024, 7, 24, tzinfo=UTC)) == '"stamp"'


def test_uuid_text_is_the_quoted_canonical_form() -> None:
    for value in (uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.uuid4(), uuid.uuid1()):
        assert _uuid(value) == f'"{value}"'
