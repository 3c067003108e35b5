"""The trusted decoder builds exactly what the validating decoder builds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import EVENT_TYPES, Recorded, StorageError
from incidents._codec import decode_recorded, decode_trusted, encode_recorded
from strategies import events


def _recorded(event: object, sequence: int) -> Recorded:
    return Recorded(
        event=event,  # type: ignore[arg-type]
        sequence=sequence,
        position=sequence,
        recorded_at=datetime(2024, 7, 25, 12, 0, 0, 123456, tzinfo=UTC),
        recorder="tester",
    )


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data(), sequence=st.integers(1, 10**12))
def test_trusted_equals_validating_for_every_event_type(
    name: str, data: st.DataObject, sequence: int
) -> None:
    event = data.draw(events(EVENT_TYPES[name]))
    stored = encode_recorded(_recorded(event, sequence))
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
