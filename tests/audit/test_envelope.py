"""
Tests of incidents._codec.envelope: the patterns verification reads stored envelopes with.

They are cut from the encoder's own output at import; these tests check them
against records of every event type, with any recorder, time and numbers.
"""

from __future__ import annotations

import importlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import Recorded, canonical_bytes
from incidents._codec import canonical, envelope
from incidents._codec.canonical import FORMAT_VERSION, event_text
from incidents._domain.events import EVENT_TYPES
from support.strategies import aware_datetimes, events, text

recorded = st.builds(
    Recorded,
    event=events(),
    sequence=st.integers(min_value=1, max_value=2**62),
    position=st.integers(min_value=1, max_value=2**62),
    recorded_at=aware_datetimes,
    recorder=text.filter(str.strip),
)


def test_the_envelope_ends_with_the_format_version() -> None:
    assert json.loads(b"{" + envelope.VERSION_END[1:]) == {"v": FORMAT_VERSION}
    assert envelope.TAIL_FORMAT.endswith(envelope.TAIL_END_FORMAT)
    assert envelope.TAIL_FORMAT.startswith(envelope.TAIL_HEAD_FORMAT[: len(envelope.TAIL)])
    assert set(envelope.TYPE_MARKS) == set(EVENT_TYPES)


@given(recorded)
def test_the_patterns_read_every_record(record: Recorded) -> None:
    state = canonical_bytes(record)
    iso = record.recorded_at.isoformat().encode()
    recorder = envelope.recorder_text(state)
    assert json.loads(recorder) == record.recorder
    tail = envelope.TAIL_FORMAT % (record.position, iso, recorder, record.sequence)
    assert state.endswith(tail)
    k = len(state) - len(tail)
    assert state.rfind(envelope.TAIL) == k
    assert state.startswith(envelope.TAIL_HEAD_FORMAT % (record.position, iso), k)
    assert state.endswith(envelope.TAIL_END_FORMAT % record.sequence)
    assert envelope.embedded_sequence(state) == record.sequence
    assert envelope.line_ids(state) == (record.incident_id, record.event_id)
    j = state.rfind(envelope.EVENT_ID, 0, k)
    assert state[j + len(envelope.EVENT_ID) :].startswith(str(record.event_id).encode())
    assert state.startswith(
        envelope.incident_text(record.incident_id.bytes),
        j + len(envelope.EVENT_ID) + envelope.EVENT_ID_LENGTH,
    )
    assert state.rfind(envelope.TYPE_MARKS[record.type], j, k + 1) >= 0
    assert envelope.TYPE_MARKS[record.type] in event_text(record.event).encode()


def test_bytes_that_are_not_an_envelope_give_nothing() -> None:
    assert envelope.embedded_sequence(b'{"v":1}') is None
    assert envelope.embedded_sequence(b'{"sequence":"x","v":1}') is None
    assert envelope.line_ids(b"not a record") == (None, None)


def test_an_encoder_that_lays_records_out_otherwise_fails_at_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # JSON with spaces after its separators: the patterns cannot describe it,
    # so importing fails instead of verification calling sound records damaged.
    def spaced(record: Recorded) -> bytes:
        return json.dumps(json.loads(canonical_bytes(record)), sort_keys=True).encode()

    monkeypatch.setattr(canonical, "encode_recorded", spaced)
    try:
        with pytest.raises(RuntimeError, match="the canonical encoding changed"):
            importlib.reload(envelope)
    finally:
        monkeypatch.undo()
        importlib.reload(envelope)
    assert envelope.TAIL == b'},"position":'
