"""
Recording refuses batches and events beyond the limits, and records nothing of them.

The batch's size is checked with the batch (``index_batch``), an event's
encoded size where it is encoded, and the recording time where the envelope
is made.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from incidents import (
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    Claim,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
)


def opening() -> tuple[IncidentOpened, SourceRegistered]:
    incident = uuid.uuid4()
    source = SourceRegistered(incident_id=incident, kind=SourceKind.NEWS_ARTICLE, publisher="p")
    return IncidentOpened(incident_id=incident, source_id=source.source_id, title="t"), source


def test_a_batch_beyond_the_limit_is_refused_before_anything_else() -> None:
    opened, source = opening()
    with Ledger.open(":memory:") as ledger:
        # The same events over and over: the size is what is refused, before the duplicates.
        batch = [opened, source] * (MAX_BATCH_EVENTS // 2 + 1)
        with pytest.raises(InvalidInputError, match=f"at most {MAX_BATCH_EVENTS:,} events"):
            ledger.record(*batch)
        assert list(ledger.incident_ids()) == []
        assert len(ledger.record(opened, source)) == 2


def test_an_event_beyond_the_encoded_limit_is_refused_and_nothing_is_recorded() -> None:
    opened, source = opening()
    claims = tuple(
        Claim(topic=f"topic {i}", stance=Stance.AFFIRMS, text="x" * MAX_TEXT_LENGTH)
        for i in range(MAX_EVENT_BYTES // MAX_TEXT_LENGTH + 1)
    )
    statement = StatementIssued(
        incident_id=opened.incident_id,
        source_id=source.source_id,
        speaker=Speaker(organization="NORAD"),
        medium="transcript",
        claims=claims,
        valid_time=ValidTime.unknown(),
    )
    with Ledger.open(":memory:") as ledger:
        with pytest.raises(InvalidInputError, match=f"at most {MAX_EVENT_BYTES:,} bytes"):
            ledger.record(opened, source, statement)
        assert list(ledger.incident_ids()) == []


def test_a_clock_reading_beyond_the_range_records_nothing() -> None:
    opened, source = opening()
    with Ledger.open(":memory:", clock=lambda: datetime.max.replace(tzinfo=UTC)) as ledger:
        with pytest.raises(InvalidInputError, match="outside"):
            ledger.record(opened, source)
        assert list(ledger.incident_ids()) == []


@pytest.mark.parametrize("recorder", ["\ud800", "r" * (MAX_NAME_LENGTH + 1)])
def test_a_recorder_name_the_encoding_cannot_hold_records_nothing(recorder: str) -> None:
    opened, source = opening()
    with Ledger.open(":memory:") as ledger:
        with pytest.raises(InvalidInputError, match="recorder"):
            ledger.record(opened, source, recorder=recorder)
        assert list(ledger.incident_ids()) == []
