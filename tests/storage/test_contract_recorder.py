"""eventsourcing's application recorder, as every backend answers it through the ledger's interfaces."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import StoredEvent

from incidents import Ledger, examples
from incidents.storage import LedgerMapper, Store, StoredRecord
from support.backends import stored_row


@pytest.fixture
def rows(store: Store) -> list[StoredRecord]:
    a, b = uuid.uuid4(), uuid.uuid4()
    recorded = [
        stored_row(1, a, 1, topic="IncidentOpened"),
        stored_row(2, a, 2, topic="AircraftReported"),
        stored_row(3, b, 1, topic="IncidentOpened"),
        stored_row(4, a, 3, topic="AircraftReported"),
    ]
    assert store.insert_events(recorded) == [1, 2, 3, 4]
    return recorded


def test_select_events_of_one_incident(store: Store, rows: list[StoredRecord]) -> None:
    a = rows[0].originator_id
    assert store.select_events(a) == [rows[0], rows[1], rows[3]]
    assert store.select_events(str(a), gt=1) == [rows[1], rows[3]]
    assert store.select_events(a, lte=2) == [rows[0], rows[1]]
    assert store.select_events(a, desc=True, limit=2) == [rows[3], rows[1]]
    assert store.select_events(uuid.uuid4()) == []


def test_select_notifications_in_global_order(store: Store, rows: list[StoredRecord]) -> None:
    assert store.select_notifications(None, 10) == rows
    assert store.select_notifications(2, 2) == rows[1:3]
    assert store.select_notifications(2, 10, inclusive_of_start=False) == rows[2:]
    assert store.select_notifications(1, 10, stop=3) == rows[:3]
    assert store.select_notifications(1, 1, topics=["AircraftReported"]) == [rows[1]]
    assert store.select_notifications(1, 10, topics=["AircraftReported"]) == [rows[1], rows[3]]
    assert store.max_notification_id() == 4


def test_an_empty_store_has_no_notification_id(store: Store) -> None:
    assert store.max_notification_id() is None
    assert store.select_notifications(1, 10) == []


def test_only_ledger_rows_are_inserted(store: Store) -> None:
    foreign = StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="x", state=b"{}")
    with pytest.raises(TypeError):
        store.insert_events([foreign])
    assert store.last_sequence() == 0


def test_subscriptions_are_not_offered(store: Store) -> None:
    with pytest.raises(NotImplementedError):
        store.subscribe()


def test_the_mapper_round_trips_recorded_events(store: Store) -> None:
    mapper = LedgerMapper()
    with Ledger.open(":memory:") as ledger:
        recorded = ledger.record(*examples.alaska_2024())
    rows = [mapper.to_stored_event(r) for r in recorded]
    assert mapper.to_stored_events(recorded) == rows
    store.insert_events(rows)
    assert [mapper.to_domain_event(r) for r in store.rows()] == list(recorded)
