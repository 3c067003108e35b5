"""The writer's side of every backend: heads, atomic batches, conflicts, leaf ids."""

from __future__ import annotations

import uuid

import pytest

from incidents import ConcurrencyError, DuplicateEventError
from incidents.storage import AuditCheckpointRow, Store, StoredRecord, Tile
from support.backends import T0, stored_row


def _batch(store: Store, rows: list[StoredRecord]) -> list[bytes]:
    with store.writing() as writer:
        return writer.insert(rows)


def test_an_empty_store_has_no_heads(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    with store.writing() as writer:
        assert writer.head() == (0, None)
        assert writer.stream_heads([a, b]) == {a: 0, b: 0}
        assert writer.heads([a]) == (0, None, {a: 0})
        assert writer.rows_by_event_id([uuid.uuid4()]) == []
    assert store.last_sequence() == 0


def test_a_committed_batch_moves_the_heads(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    _batch(
        store, [stored_row(1, a, 1), stored_row(2, a, 2), stored_row(3, b, 1, recorded_at=T0 + 5)]
    )
    with store.writing() as writer:
        assert writer.head() == (3, T0 + 5)
        assert writer.stream_heads([a, b]) == {a: 2, b: 1}
        heads = writer.heads([b, a])
    assert heads == (3, T0 + 5, {b: 1, a: 2})
    assert store.last_sequence() == 3


def test_the_settle_mark_moves_only_forward_and_joins_the_head(store: Store) -> None:
    a = uuid.uuid4()
    assert store.settled_until() is None
    store.settle(T0 - 10)
    assert store.settled_until() == T0 - 10
    with store.writing() as writer:
        assert writer.head() == (0, T0 - 10)
    _batch(store, [stored_row(1, a, 1)])  # recorded at T0, after the mark
    assert store.settled_until() == T0
    store.settle(T0 + 7)
    store.settle(T0 + 3)  # an earlier mark leaves the later one
    assert store.settled_until() == T0 + 7
    with store.writing() as writer:
        assert writer.head() == (1, T0 + 7)
        assert writer.heads([a]) == (1, T0 + 7, {a: 1})


def test_stream_heads_of_unknown_incidents_are_zero(store: Store) -> None:
    a, unknown = uuid.uuid4(), uuid.uuid4()
    _batch(store, [stored_row(1, a, 1), stored_row(2, a, 2)])
    with store.writing() as writer:
        assert writer.stream_heads([a, unknown]) == {a: 2, unknown: 0}


def test_insert_returns_each_rows_leaf_ids(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    rows = [stored_row(1, a, 1), stored_row(2, b, 1), stored_row(3, a, 2)]
    ids = _batch(store, rows)
    assert ids == [r.event_id.bytes + r.originator_id.bytes for r in rows]  # type: ignore[union-attr]


def test_rows_are_stored_as_given(store: Store) -> None:
    a = uuid.uuid4()
    rows = [
        stored_row(1, a, 1, topic="IncidentOpened"),
        stored_row(2, a, 2, topic="AircraftReported", recorded_at=T0 + 1),
    ]
    _batch(store, rows)
    assert store.rows() == rows
    with store.writing() as writer:
        found = writer.rows_by_event_id([rows[1].event_id, uuid.uuid4(), rows[0].event_id])
    assert sorted(found, key=lambda r: r.id) == rows


def test_a_failure_inside_writing_leaves_nothing(store: Store) -> None:
    a = uuid.uuid4()
    _batch(store, [stored_row(1, a, 1)])

    def failing() -> None:
        with store.writing() as writer:
            writer.insert([stored_row(2, a, 2), stored_row(3, a, 3)])
            writer.set_audit_origin("incidents/test")
            writer.put_audit_tiles([Tile(0, 0, bytes(32))])
            writer.add_audit_checkpoint(AuditCheckpointRow(1, None, None, T0, "note", None))
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError, match="half way"):
        failing()
    assert store.last_sequence() == 1
    assert [r.id for r in store.rows()] == [1]
    assert [r.originator_version for r in store.stream(a)] == [1]
    with store.audit_reading() as reader:
        assert reader.audit_origin() is None
        assert reader.audit_edge() == []
        assert reader.audit_checkpoints() == []
    with store.writing() as writer:  # the store is still usable
        assert writer.heads([a]) == (1, T0, {a: 1})
        writer.insert([stored_row(2, a, 2)])
    assert store.last_sequence() == 2


def test_readers_see_a_batch_only_once_it_committed(store: Store) -> None:
    a = uuid.uuid4()
    rows = [stored_row(1, a, 1), stored_row(2, a, 2)]
    with store.writing() as writer:
        writer.insert(rows)
        assert store.last_sequence() == 0
        assert store.rows() == []
        assert store.stream(a) == []
        assert store.row(rows[0].event_id) is None
        assert store.incident_ids() == []
    assert store.last_sequence() == 2
    assert store.rows() == rows


def test_a_recorded_event_id_is_a_duplicate(store: Store) -> None:
    a = uuid.uuid4()
    first = stored_row(1, a, 1)
    _batch(store, [first])
    with pytest.raises(DuplicateEventError), store.writing() as writer:
        writer.insert([stored_row(2, a, 2, event_id=first.event_id)])
    assert store.rows() == [first]


def test_a_taken_stream_position_is_a_conflict_and_the_batch_is_refused(store: Store) -> None:
    a = uuid.uuid4()
    _batch(store, [stored_row(1, a, 1), stored_row(2, a, 2)])
    with pytest.raises(ConcurrencyError), store.writing() as writer:
        writer.insert([stored_row(3, uuid.uuid4(), 1), stored_row(4, a, 2)])
    assert store.last_sequence() == 2
    assert len(store.incident_ids()) == 1


def test_a_taken_sequence_is_a_conflict(store: Store) -> None:
    a = uuid.uuid4()
    _batch(store, [stored_row(1, a, 1)])
    with pytest.raises(ConcurrencyError), store.writing() as writer:
        writer.insert([stored_row(1, uuid.uuid4(), 1)])
    assert store.last_sequence() == 1
