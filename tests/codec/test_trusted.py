"""
The trusted decoder gives exactly what the validating decoder gives, for every event class.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given

from incidents import (
    Event,
    IncidentOpened,
    Recorded,
    StorageError,
    canonical_bytes,
    decode_recorded,
)
from incidents._codec.trusted import decode_trusted
from support.strategies import events

AT = datetime(2024, 7, 25, 12, tzinfo=UTC)


def recorded(event: Event) -> Recorded:
    return Recorded(event=event, sequence=7, position=3, recorded_at=AT, recorder="tester")


def same(a: object, b: object) -> None:
    """Equal, and equal in type all the way down (a list is not a tuple)."""
    assert type(a) is type(b)
    if isinstance(a, tuple | list):
        assert len(a) == len(b)  # type: ignore[arg-type]
        for x, y in zip(a, b, strict=True):  # type: ignore[call-overload]
            same(x, y)
    elif hasattr(type(a), "__attrs_attrs__"):
        for field in type(a).__attrs_attrs__:  # type: ignore[attr-defined]
            same(getattr(a, field.name), getattr(b, field.name))
    else:
        assert a == b


@given(events())
def test_trusted_and_validating_decoders_agree(event: Event) -> None:
    data = canonical_bytes(recorded(event))
    trusted = decode_trusted(data)
    same(decode_recorded(data), trusted)
    assert recorded(event) == trusted
    assert data == canonical_bytes(trusted)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: b"not json",
        lambda raw: json.dumps({**raw, "v": 99}).encode(),
        lambda raw: json.dumps({**raw, "event": {**raw["event"], "type": "gossip"}}).encode(),
        lambda raw: json.dumps({k: v for k, v in raw.items() if k != "recorder"}).encode(),
        lambda raw: json.dumps({**raw, "event": {**raw["event"], "event_id": "12"}}).encode(),
        lambda raw: json.dumps([raw]).encode(),
    ],
    ids=["not-json", "version", "type", "missing-field", "bad-uuid", "not-a-mapping"],
)
def test_bytes_that_are_not_a_recorded_event_are_refused(mangle: object) -> None:
    event = IncidentOpened(incident_id=uuid4(), source_id=uuid4(), title="t")
    raw = json.loads(canonical_bytes(recorded(event)))
    with pytest.raises(StorageError):
        decode_trusted(mangle(raw))  # type: ignore[operator]
