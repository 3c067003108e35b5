"""Fold snapshots on every backend: kept by incident, format and first position; dropped at will."""

from __future__ import annotations

import uuid

from incidents.storage import FoldSnapshot, Store


def _snapshot(incident_id: uuid.UUID, first: int, last: int, *, format: int = 1) -> FoldSnapshot:
    return FoldSnapshot(
        incident_id=incident_id,
        format=format,
        first_position=first,
        last_position=last,
        last_event_id=uuid.uuid4(),
        last_sequence=100 + last,
        data=f"fold {first}..{last}".encode(),
    )


def test_snapshots_are_read_back_by_first_position(store: Store) -> None:
    a = uuid.uuid4()
    later, earlier = _snapshot(a, 11, 20), _snapshot(a, 1, 10)
    store.save_fold_snapshot(later)
    store.save_fold_snapshot(earlier)
    assert store.fold_snapshots(a, 1) == [earlier, later]
    assert store.fold_snapshots(a, 2) == []
    assert store.fold_snapshots(uuid.uuid4(), 1) == []


def test_a_snapshot_replaces_one_with_the_same_key_unless_that_one_reaches_further(
    store: Store,
) -> None:
    a = uuid.uuid4()
    short, long = _snapshot(a, 1, 10), _snapshot(a, 1, 30)
    store.save_fold_snapshot(short)
    store.save_fold_snapshot(long)
    assert store.fold_snapshots(a, 1) == [long]
    store.save_fold_snapshot(short)  # reaches less far: kept out
    assert store.fold_snapshots(a, 1) == [long]
    again = _snapshot(a, 1, 30)
    store.save_fold_snapshot(again)  # reaches as far: replaces
    assert store.fold_snapshots(a, 1) == [again]


def test_formats_are_kept_apart(store: Store) -> None:
    a = uuid.uuid4()
    old, new = _snapshot(a, 1, 10, format=1), _snapshot(a, 1, 5, format=2)
    store.save_fold_snapshot(old)
    store.save_fold_snapshot(new)
    assert store.fold_snapshots(a, 1) == [old]
    assert store.fold_snapshots(a, 2) == [new]


def test_dropping_one_incidents_snapshots_or_every_one(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    for snapshot in (_snapshot(a, 1, 10), _snapshot(a, 11, 20), _snapshot(b, 1, 3)):
        store.save_fold_snapshot(snapshot)
    assert store.drop_fold_snapshots(a) == 2
    assert store.fold_snapshots(a, 1) == []
    assert len(store.fold_snapshots(b, 1)) == 1
    assert store.drop_fold_snapshots(uuid.uuid4()) == 0
    store.save_fold_snapshot(_snapshot(a, 1, 10))
    assert store.drop_fold_snapshots() == 2
    assert store.fold_snapshots(a, 1) == store.fold_snapshots(b, 1) == []
