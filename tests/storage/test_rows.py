"""Rows built without the dataclass's ``__init__`` are the rows ``__init__`` builds."""

from __future__ import annotations

import dataclasses
import uuid

from incidents.storage._rows import StoredRecord, stored_record


def test_stored_record_equals_the_row_init_builds() -> None:
    incident_id, event_id = uuid.uuid4(), uuid.uuid4()
    fast = stored_record(7, incident_id, 3, "aircraft-reported", b"{}", event_id, 1_721_865_600)
    plain = StoredRecord(
        id=7,
        originator_id=incident_id,
        originator_version=3,
        topic="aircraft-reported",
        state=b"{}",
        event_id=event_id,
        recorded_at=1_721_865_600,
    )
    assert fast == plain
    assert vars(fast) == vars(plain)
    # Every field is filled: a field added to StoredRecord must be added here too.
    assert set(vars(fast)) == {f.name for f in dataclasses.fields(StoredRecord)}
    assert hash(fast) == hash(plain)
