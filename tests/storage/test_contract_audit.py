"""The audit side of every backend: the tree's origin, tiles and checkpoints, written then read."""

from __future__ import annotations

import uuid

from incidents._tlog.hashing import leaf_hash, root_from_leaf_hashes
from incidents._tlog.tiles import TreeEdge
from incidents.storage import AuditCheckpointRow, AuditRow, Store, StoredRecord, Tile
from support.backends import T0, stored_row


def _raw(row: StoredRecord) -> AuditRow:
    return (
        row.id,
        row.originator_id.bytes,  # type: ignore[union-attr]
        row.originator_version,
        row.event_id.bytes,
        row.topic,
        row.recorded_at,
        row.state,
    )


def test_before_the_tree_is_set_up_there_is_nothing(store: Store) -> None:
    with store.writing() as writer:
        assert writer.audit_origin() is None
        assert writer.audit_edge() == []
        assert writer.audit_rows(0, 10) == []
    with store.audit_reading() as reader:
        assert reader.audit_origin() is None
        assert reader.audit_edge() == []
        assert reader.audit_tiles(0, 0, 10) == []
        assert reader.audit_rows(0, 10) == []
        assert reader.audit_checkpoints() == []


def test_origin_tiles_and_checkpoints_are_kept(store: Store) -> None:
    low = [Tile(0, 0, bytes([1]) * 32 * 16, bytes(32 * 16)), Tile(0, 1, bytes([2]) * 64, bytes(64))]
    high = Tile(1, 0, bytes([3]) * 32)
    first = AuditCheckpointRow(18, 17, "tester", T0, "a note\n", None)
    second = AuditCheckpointRow(18, None, None, T0 + 1, "another note\n", "key+abc")
    with store.writing() as writer:
        writer.set_audit_origin("incidents/test")
        writer.put_audit_tiles([*low, high])
        writer.add_audit_checkpoint(first)
        assert writer.audit_origin() == "incidents/test"  # read inside the transaction
    with store.writing() as writer:
        writer.add_audit_checkpoint(second)
        assert writer.audit_edge() == [low[1], high]
    with store.audit_reading() as reader:
        assert reader.audit_origin() == "incidents/test"
        assert reader.audit_edge() == [low[1], high]  # the last tile of each level, lowest first
        assert reader.audit_tiles(0, 0, 1) == low
        assert reader.audit_tiles(0, 1, 5) == low[1:]
        assert reader.audit_tiles(1, 0, 0) == [high]
        assert reader.audit_tiles(2, 0, 0) == []
        assert reader.audit_checkpoints() == [first, second]  # in the order stored


def test_a_tile_written_again_replaces_the_stored_one(store: Store) -> None:
    with store.writing() as writer:
        writer.set_audit_origin("incidents/test")
        writer.put_audit_tiles([Tile(0, 0, bytes(32), bytes(32))])
    grown = Tile(0, 0, bytes(64), bytes(64))
    with store.writing() as writer:
        writer.put_audit_tiles([grown])
    with store.audit_reading() as reader:
        assert reader.audit_tiles(0, 0, 0) == [grown]
        assert reader.audit_edge() == [grown]


def test_raw_rows_in_sequence_order_for_the_writer_and_the_reader(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    rows = [stored_row(1, a, 1), stored_row(2, b, 1), stored_row(3, a, 2, recorded_at=T0 + 7)]
    with store.writing() as writer:
        writer.insert(rows)
    expected = [_raw(r) for r in rows]
    with store.writing() as writer:
        assert writer.audit_rows(0, 10) == expected
        assert writer.audit_rows(1, 1) == expected[1:2]
    with store.audit_reading() as reader:
        assert reader.audit_rows(0, 10) == expected
        assert reader.audit_rows(2, 10) == expected[2:]
        assert reader.audit_rows(3, 10) == []


def test_the_reader_is_a_snapshot(store: Store) -> None:
    a = uuid.uuid4()
    with store.writing() as writer:
        writer.insert([stored_row(1, a, 1)])
        writer.set_audit_origin("incidents/test")
        writer.put_audit_tiles([Tile(0, 0, bytes(32), bytes(32))])
    with store.audit_reading() as reader:
        assert len(reader.audit_rows(0, 10)) == 1  # the snapshot is taken by now
        with store.writing() as writer:
            writer.insert([stored_row(2, a, 2)])
            writer.put_audit_tiles([Tile(0, 0, bytes(64), bytes(64))])
            writer.add_audit_checkpoint(AuditCheckpointRow(2, 2, None, T0, "note\n", None))
        assert store.last_sequence() == 2  # committed, for everyone else
        assert len(reader.audit_rows(0, 10)) == 1
        assert reader.audit_edge() == [Tile(0, 0, bytes(32), bytes(32))]
        assert reader.audit_checkpoints() == []
    with store.audit_reading() as reader:
        assert len(reader.audit_rows(0, 10)) == 2
        assert reader.audit_edge() == [Tile(0, 0, bytes(64), bytes(64))]


def test_rows_inserted_through_eventsourcing_extend_the_tree(store: Store) -> None:
    a = uuid.uuid4()
    with store.writing() as writer:
        writer.set_audit_origin("incidents/test")
    rows = [stored_row(i, a, i) for i in range(1, 21)]
    assert store.insert_events(rows[:3]) == [1, 2, 3]
    assert store.insert_events(rows[3:]) == list(range(4, 21))
    leaves = [leaf_hash(r.state) for r in rows]
    with store.audit_reading() as reader:
        edge = TreeEdge.from_tiles(reader.audit_edge())
        (full,) = reader.audit_tiles(0, 0, 0)
    assert edge.size == 20
    assert edge.root() == root_from_leaf_hashes(leaves)
    assert full.hashes == b"".join(leaves[:16])
    assert full.ids == b"".join(r.event_id.bytes + a.bytes for r in rows[:16])
