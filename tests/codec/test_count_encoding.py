"""
Counts on the wire: an exact count keeps the bytes of a plain number; other forms are small objects.

Rows stored by 0.1.0 (``tests/audit/data``) must decode unchanged and encode
to exactly the bytes stored, through the compiled encoders and both
decoders; a count in any other form than the canonical one is refused.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from incidents import (
    AircraftReported,
    Correction,
    Count,
    InvalidInputError,
    Recorded,
    StorageError,
    ValidTime,
    canonical_bytes,
    decode_event,
    decode_recorded,
    encode_event,
)
from incidents._codec.canonical import apply_changes, reference_encode_event
from incidents._codec.trusted import decode_trusted

BUNDLE = Path(__file__).resolve().parent.parent / "audit" / "data" / "bundle-v1.jsonl"
DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")


def report(count: Any) -> AircraftReported:
    return AircraftReported(
        incident_id=uuid.UUID(int=1),
        source_id=uuid.UUID(int=2),
        event_id=uuid.UUID(int=3),
        type_designation="H-6K",
        nation="CN",
        count=count,
        valid_time=DAY,
    )


def stored_records() -> list[bytes]:
    lines = BUNDLE.read_bytes().splitlines()
    return [line for line in lines[1:] if line]  # the first line is the bundle's header


def test_records_stored_by_0_1_0_decode_and_encode_to_the_same_bytes() -> None:
    records = stored_records()
    assert any(b'"type":"aircraft-reported"' in r for r in records)
    for stored in records:
        for decode in (decode_recorded, decode_trusted):
            recorded = decode(stored)
            assert canonical_bytes(recorded) == stored
    counts = [
        decode_recorded(r).event.count
        for r in records
        if isinstance(decode_recorded(r).event, AircraftReported)
    ]
    assert counts == [Count.exact(2), Count.exact(2)]


def test_an_exact_count_encodes_as_the_plain_number() -> None:
    plain = encode_event(report(2))
    assert plain == encode_event(report(Count.exact(2)))
    assert plain == encode_event(report(Count.between(2, 2)))
    assert b'"count":2,' in plain
    assert plain == reference_encode_event(report(2))


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (Count.at_least(2), b'"count":{"low":2}'),
        (Count.between(2, 4), b'"count":{"high":4,"low":2}'),
        (Count.unknown(), b'"count":{"low":1}'),
    ],
    ids=["at-least", "between", "unknown"],
)
def test_other_counts_encode_as_small_objects_and_round_trip(count: Count, text: bytes) -> None:
    event = report(count)
    data = encode_event(event)
    assert text in data
    assert data == reference_encode_event(event)
    assert decode_event(data) == event
    recorded = Recorded(
        event=event,
        sequence=1,
        position=1,
        recorded_at=DAY.earliest,  # type: ignore[arg-type]
        recorder="r",
    )
    stored = canonical_bytes(recorded)
    assert decode_trusted(stored) == decode_recorded(stored) == recorded


NOT_CANONICAL = [
    {"low": 2, "high": 2},  # exact: written as the plain number
    {"low": 2, "high": None},  # open: written without high
    {"high": 3},
    {"low": 0},
    {"low": 3, "high": 2},
    {"low": 2, "extra": 1},
    {"low": 2.0},
    {},
    "2",
    2.5,
    True,
    0,
    None,
    [2],
]


@pytest.mark.parametrize("value", NOT_CANONICAL, ids=json.dumps)
def test_a_count_in_another_form_is_refused_by_every_decoder(value: Any) -> None:
    event = json.loads(encode_event(report(2)))
    event["count"] = value
    with pytest.raises(InvalidInputError):
        decode_event(json.dumps(event))
    record = json.loads(
        canonical_bytes(
            Recorded(
                event=report(2),
                sequence=1,
                position=1,
                recorded_at=DAY.earliest,  # type: ignore[arg-type]
                recorder="r",
            )
        )
    )
    record["event"]["count"] = value
    for decode in (decode_recorded, decode_trusted):
        with pytest.raises(StorageError):
            decode(json.dumps(record).encode())


def test_a_correction_of_a_count_keeps_the_count_in_canonical_form() -> None:
    target = report(2)
    by = uuid.UUID(int=4)
    assert Correction.of(target, source_id=by, reason="r", count=3).changes == {"count": 3}
    assert Correction.of(target, source_id=by, reason="r", count=Count.exact(3)).changes == {
        "count": 3
    }
    assert Correction.of(target, source_id=by, reason="r", count=Count.at_least(3)).changes == {
        "count": {"low": 3}
    }
    assert Correction.of(target, source_id=by, reason="r", count=Count.unknown()).changes == {
        "count": {"low": 1}
    }
    with pytest.raises(InvalidInputError, match="count"):
        Correction.of(target, source_id=by, reason="r", count=0)
    # Changes written by hand are checked when they are applied (and when recorded).
    with pytest.raises(InvalidInputError, match="exact count"):
        apply_changes(target, {"count": {"low": 3, "high": 3}})
    assert apply_changes(target, {"count": {"high": 4, "low": 3}}).count == Count.between(3, 4)
