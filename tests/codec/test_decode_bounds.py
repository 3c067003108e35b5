"""
The decoders turn every malformed input into the library's error, and the encoder bounds events.

Bytes from anywhere (a bundle, a file, a damaged row) may be nested
100,000 deep, carry NaN, numbers of 5,000 digits, times beyond the
calendar or a format version that only looks like one; none of it may
escape as ``RecursionError``, ``OverflowError`` or ``ValueError``, and none
of it may decode as if it were sound.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from incidents import (
    MAX_EVENT_BYTES,
    MAX_TEXT_LENGTH,
    Claim,
    IncidentOpened,
    InvalidInputError,
    Recorded,
    Speaker,
    Stance,
    StatementIssued,
    StorageError,
    ValidTime,
    canonical_bytes,
    decode_event,
    decode_recorded,
    encode_event,
)
from incidents._codec.trusted import decode_trusted

AT = datetime(2024, 7, 25, 12, tzinfo=UTC)
OPENED = IncidentOpened(incident_id=uuid.uuid4(), source_id=uuid.uuid4(), title="t")
RECORD = canonical_bytes(
    Recorded(event=OPENED, sequence=1, position=1, recorded_at=AT, recorder="r")
)
DEEP = "[" * 100_000 + "]" * 100_000


def record_with(**changes: Any) -> bytes:
    raw = json.loads(RECORD)
    raw.update(changes)
    return json.dumps(raw).encode()


def event_with(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(encode_event(OPENED))
    raw.update(changes)
    return raw


def correction_text(changes: str) -> bytes:
    return (
        f'{{"changes":{changes},"event_id":"{uuid.uuid4()}","incident_id":"{OPENED.incident_id}",'
        f'"reason":"r","source_id":"{OPENED.source_id}","target_id":"{OPENED.event_id}",'
        '"type":"correction"}'
    ).encode()


RECORD_DECODERS: dict[str, Callable[[bytes], Recorded]] = {
    "validating": decode_recorded,
    "trusted": decode_trusted,
}


def test_a_sound_correction_text_decodes() -> None:
    assert decode_event(correction_text('{"summary":"s"}')).changes == {"summary": "s"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "changes",
    [
        '{"summary":' + DEEP + "}",
        '{"summary":' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}",
        '{"summary":NaN}',
        '{"summary":[Infinity]}',
        '{"summary":-Infinity}',
        '{"summary":1e400}',
        '{"summary":' + "9" * 5000 + "}",
        '{"summary":' + str(2**64) + "}",
        '{"summary":"\\ud800"}',
        '{"\\udfff":1}',
    ],
)
def test_hostile_changes_are_the_library_error(changes: str) -> None:
    with pytest.raises(InvalidInputError):
        decode_event(correction_text(changes))


@pytest.mark.parametrize(
    "field",
    [
        {"title": "\ud800"},
        {"title": "x" * (MAX_TEXT_LENGTH + 1)},
        {"summary": "x" * (MAX_TEXT_LENGTH + 1)},
        {"title": ["t"]},
        {"title": 5},
    ],
    ids=["surrogate", "long-title", "long-summary", "list-for-text", "number-for-text"],
)
def test_hostile_fields_are_the_library_error(field: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        decode_event(json.dumps(event_with(**field)).encode())


def test_a_deeply_nested_event_is_the_library_error() -> None:
    with pytest.raises(InvalidInputError, match="nested"):
        decode_event(DEEP.encode())
    with pytest.raises(InvalidInputError, match="nested"):
        decode_event(
            json.dumps(event_with(summary="s"))[:-1].encode() + b',"x":' + DEEP.encode() + b"}"
        )


@pytest.mark.parametrize("decoder", sorted(RECORD_DECODERS))
@pytest.mark.parametrize(
    "data",
    [
        DEEP.encode(),
        record_with(event=json.loads(correction_text('{"summary":1}')))[:-1]
        + b',"x":'
        + DEEP.encode()
        + b"}",
        RECORD.replace(b'"v":1}', b'"v":' + b"1" * 5000 + b"}"),
        RECORD.replace(b'"position":1,', b'"position":' + b"9" * 5000 + b","),
        RECORD.replace(b'"sequence":1,', b'"sequence":1e400,'),
        RECORD.replace(b'"title":"t"', b'"title":"\\ud800"'),
    ],
    ids=["deep", "deep-member", "long-version", "long-position", "huge-sequence", "surrogate"],
)
def test_hostile_records_are_a_storage_error(decoder: str, data: bytes) -> None:
    with pytest.raises(StorageError):
        RECORD_DECODERS[decoder](data)


@pytest.mark.parametrize("decoder", sorted(RECORD_DECODERS))
@pytest.mark.parametrize(
    "version", [b"true", b"1.0", b'"1"', b"[1]", b"null", b"{}", b"2", b"0", b"-1", b"1e0"]
)
def test_only_the_format_version_itself_is_read(decoder: str, version: bytes) -> None:
    data = RECORD.replace(b'"v":1}', b'"v":' + version + b"}")
    assert data != RECORD
    with pytest.raises(StorageError, match="format version"):
        RECORD_DECODERS[decoder](data)


@pytest.mark.parametrize(
    "envelope",
    [
        {"recorded_at": "0001-01-01T00:00:00+05:00"},
        {"recorded_at": "9999-12-31T23:59:59-05:00"},
        {"recorded_at": "9999-12-31T23:59:59+00:00"},
        {"recorded_at": "2024-07-25T12:00:00"},
        {"sequence": 0},
        {"sequence": True},
        {"sequence": 2**63},
        {"position": -1},
        {"position": "1"},
        {"position": 1.0},
        {"recorder": 5},
        {"recorder": ""},
        {"recorder": "\ud800"},
        {"recorder": "r" * 100_000},
    ],
    ids=lambda envelope: repr(envelope)[:40],
)
def test_envelopes_are_checked(envelope: dict[str, Any]) -> None:
    # The trusted decoder trusts what the ledger stored; bytes from anywhere
    # else are read by the validating one.
    with pytest.raises(StorageError):
        decode_recorded(record_with(**envelope))


def test_events_larger_than_the_limit_are_not_encoded() -> None:
    big = "x" * MAX_TEXT_LENGTH
    claims = tuple(
        Claim(topic=f"topic {i}", stance=Stance.AFFIRMS, text=big)
        for i in range(MAX_EVENT_BYTES // MAX_TEXT_LENGTH + 1)
    )
    statement = StatementIssued(
        incident_id=OPENED.incident_id,
        source_id=OPENED.source_id,
        speaker=Speaker(organization="NORAD"),
        medium="news release",
        claims=claims,
        valid_time=ValidTime.unknown(),
    )
    with pytest.raises(InvalidInputError, match=f"at most {MAX_EVENT_BYTES:,} bytes"):
        encode_event(statement)
    within = StatementIssued(
        incident_id=OPENED.incident_id,
        source_id=OPENED.source_id,
        speaker=Speaker(organization="NORAD"),
        medium="news release",
        claims=claims[:-2],
        valid_time=ValidTime.unknown(),
    )
    assert MAX_EVENT_BYTES - 2 * MAX_TEXT_LENGTH < len(encode_event(within)) <= MAX_EVENT_BYTES
