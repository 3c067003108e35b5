"""Read models on every backend: documents and checkpoints written together, generations, filtered rows."""

from __future__ import annotations

import uuid

import pytest

from incidents.storage import ProjectionCheckpoint, Store
from support.backends import T0, stored_row


def _checkpoint(
    name: str = "counts", generation: int = 1, sequence: int = 0, *, active: bool = False
) -> ProjectionCheckpoint:
    return ProjectionCheckpoint(
        name=name, generation=generation, version="1", sequence=sequence, active=active
    )


def test_nothing_is_kept_at_first(store: Store) -> None:
    assert store.projection_checkpoints() == []
    assert store.projection_checkpoints("counts") == []
    assert store.projection_load("counts", 1) == (None, {})


def test_documents_and_checkpoint_commit_together(store: Store) -> None:
    with store.projection_writing("counts", 1) as writer:
        assert writer.checkpoint() is None
        writer.put({"a": b"1", "b": b"2"})
        writer.advance(_checkpoint(sequence=5))
    assert store.projection_load("counts", 1) == (_checkpoint(sequence=5), {"a": b"1", "b": b"2"})
    with store.projection_writing("counts", 1) as writer:
        assert writer.checkpoint() == _checkpoint(sequence=5)  # as committed
        writer.put({"b": b"3", "c": b"4"})
        writer.delete(["a", "missing"])
        writer.advance(_checkpoint(sequence=9))
    assert store.projection_load("counts", 1) == (_checkpoint(sequence=9), {"b": b"3", "c": b"4"})
    assert store.projection_checkpoints("counts") == [_checkpoint(sequence=9)]


def test_a_failure_inside_projection_writing_leaves_nothing(store: Store) -> None:
    with store.projection_writing("counts", 1) as writer:
        writer.put({"a": b"1"})
        writer.advance(_checkpoint(sequence=1))

    def failing() -> None:
        with store.projection_writing("counts", 1) as writer:
            writer.put({"a": b"2", "b": b"2"})
            writer.delete(["a"])
            writer.advance(_checkpoint(sequence=2))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler"):
        failing()
    assert store.projection_load("counts", 1) == (_checkpoint(sequence=1), {"a": b"1"})


def test_activating_a_generation_drops_the_others(store: Store) -> None:
    for generation, sequence in ((1, 10), (2, 4)):
        with store.projection_writing("counts", generation) as writer:
            writer.put({"g": str(generation).encode()})
            writer.advance(_checkpoint(generation=generation, sequence=sequence))
    with store.projection_writing("other", 1) as writer:
        writer.advance(_checkpoint("other", 1, 3, active=True))
    assert store.projection_checkpoints() == [
        _checkpoint(generation=1, sequence=10),
        _checkpoint(generation=2, sequence=4),
        _checkpoint("other", 1, 3, active=True),
    ]
    with store.projection_writing("counts", 2) as writer:
        writer.advance(_checkpoint(generation=2, sequence=10))
        writer.activate()
    assert store.projection_checkpoints("counts") == [
        _checkpoint(generation=2, sequence=10, active=True)
    ]
    assert store.projection_load("counts", 1) == (None, {})
    assert store.projection_load("counts", 2)[1] == {"g": b"2"}
    assert store.projection_checkpoints("other") == [_checkpoint("other", 1, 3, active=True)]


def test_dropping_a_generation_or_every_one(store: Store) -> None:
    for generation in (1, 2):
        with store.projection_writing("counts", generation) as writer:
            writer.put({"k": b"v"})
            writer.advance(_checkpoint(generation=generation))
    store.projection_drop("counts", 1)
    assert store.projection_load("counts", 1) == (None, {})
    assert store.projection_checkpoints("counts") == [_checkpoint(generation=2)]
    store.projection_drop("counts")
    assert store.projection_checkpoints() == []
    assert store.projection_load("counts", 2) == (None, {})
    store.projection_drop("never written")


def test_projection_rows_are_filtered_in_storage(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    rows = [
        stored_row(1, a, 1, topic="IncidentOpened"),
        stored_row(2, a, 2, topic="AircraftReported"),
        stored_row(3, b, 1, topic="IncidentOpened", recorded_at=T0 + 10),
        stored_row(4, a, 3, topic="AircraftReported", recorded_at=T0 + 20),
    ]
    with store.writing() as writer:
        writer.insert(rows)

    def found(**bounds: object) -> list[int]:
        selected = store.projection_rows(**bounds)  # type: ignore[arg-type]
        for sequence, topic, state in selected:
            row = rows[sequence - 1]
            assert (topic, state) == (row.topic, row.state)
            assert isinstance(state, bytes)
        return [sequence for sequence, _, _ in selected]

    assert found(after=0) == [1, 2, 3, 4]
    assert found(after=1, until=3) == [2, 3]
    assert found(after=0, topics={"AircraftReported"}) == [2, 4]
    assert found(after=0, topics=set()) == []
    assert found(after=0, limit=3) == [1, 2, 3]
    assert found(after=0, topics={"AircraftReported", "IncidentOpened"}, limit=3) == [1, 2, 3]
    assert found(after=0, incident_id=a) == [1, 2, 4]
    assert found(after=1, incident_id=b) == [3]
    assert found(after=0, recorded_until=T0 + 10) == [1, 2, 3]
    assert found(after=0, incident_id=a, recorded_until=T0 + 10, topics={"AircraftReported"}) == [2]
