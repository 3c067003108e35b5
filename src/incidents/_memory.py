"""
The in-memory backend: plain Python objects, nothing on disk.

For tests, notebooks and throwaway analyses. It obeys the same contract as
the database backends (one exclusive writer at a time, batches all or
nothing, the same canonical bytes), so results carry over exactly.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from uuid import UUID

from incidents._errors import ConcurrencyError, DuplicateEventError
from incidents._store import Checkpoint, ProjectionWriter, Store, StoredRecord, Writer

__all__ = ["MemoryStore"]


class _MemoryWriter(Writer):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: list[StoredRecord] = []

    def head(self) -> tuple[int, int | None]:
        rows = self.store._rows
        return (0, None) if not rows else (rows[-1].id, rows[-1].recorded_at)  # under lock

    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        streams = self.store._streams
        return {i: len(streams.get(i, ())) for i in incident_ids}

    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        index = self.store._by_event
        return [index[i] for i in event_ids if i in index]

    def insert(self, rows: Sequence[StoredRecord]) -> None:
        seen = {r.event_id for r in self.pending}
        for r in rows:
            if r.event_id in self.store._by_event or r.event_id in seen:
                raise DuplicateEventError(f"event {r.event_id} is already recorded")
            seen.add(r.event_id)
        self.pending.extend(rows)


class MemoryStore(Store):
    """
    Recorded events held in memory by this process.
    """

    backend = "memory"
    location = ":memory:"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[StoredRecord] = []
        self._streams: dict[UUID, list[StoredRecord]] = {}
        self._by_event: dict[UUID, StoredRecord] = {}
        self._visible = 0
        self._projection_lock = threading.Lock()
        # name -> generation -> (checkpoint, documents)
        self._read_models: dict[str, dict[int, tuple[Checkpoint, dict[str, bytes]]]] = {}

    @contextlib.contextmanager
    def writing(self) -> Iterator[Writer]:
        """
        Hold the write lock; publish the batch only if the block succeeds.
        """
        with self._lock:
            writer = _MemoryWriter(self)
            yield writer
            self._commit(writer.pending)

    def _commit(self, rows: list[StoredRecord]) -> None:
        last = self._rows[-1].id if self._rows else 0
        heads = {i: len(s) for i, s in self._streams.items()}
        for r in rows:
            incident = r.originator_id
            assert isinstance(incident, UUID)
            if r.id != last + 1 or r.originator_version != heads.get(incident, 0) + 1:
                raise ConcurrencyError(
                    f"sequence {r.id} / position {r.originator_version} of {incident} is taken"
                )
            last = r.id
            heads[incident] = r.originator_version
        # Lists only ever grow; readers stop at the published sequence, so the
        # batch becomes visible all at once when _visible moves.
        for r in rows:
            incident = r.originator_id
            assert isinstance(incident, UUID)
            self._streams.setdefault(incident, []).append(r)
            self._by_event[r.event_id] = r
        self._rows.extend(rows)
        self._visible = last

    def stream(
        self,
        incident_id: UUID,
        *,
        recorded_until: int | None = None,
        after_position: int = 0,
    ) -> list[StoredRecord]:
        """
        An incident's rows in position order.
        """
        visible = self._visible
        stream = self._streams.get(incident_id, [])
        end = bisect.bisect_right(stream, visible, key=lambda r: r.id)
        rows = stream[after_position:end]
        if recorded_until is not None:
            rows = [r for r in rows if r.recorded_at <= recorded_until]
        return rows

    def rows(
        self, *, after: int = 0, limit: int | None = None, recorded_until: int | None = None
    ) -> list[StoredRecord]:
        """
        Rows in global order after a sequence number.
        """
        rows = self._rows
        end = self._visible  # sequence n sits at index n - 1
        start = min(max(after, 0), end)
        if recorded_until is not None:
            end = bisect.bisect_right(rows, recorded_until, 0, end, key=lambda r: r.recorded_at)
        if limit is not None:
            end = min(end, start + limit)
        return rows[start:end] if start < end else []

    def row(self, event_id: UUID) -> StoredRecord | None:
        """
        The row of one event.
        """
        found = self._by_event.get(event_id)
        return found if found is not None and found.id <= self._visible else None

    def incident_ids(self) -> list[UUID]:
        """
        Every incident, in order of first recording.
        """
        visible = self._visible
        return [i for i, s in self._streams.items() if s and s[0].id <= visible]

    def last_sequence(self) -> int:
        """
        The last sequence number (0 when empty).
        """
        return self._visible

    def close(self) -> None:
        """
        Nothing to release.
        """

    # -- projections: read models and their checkpoints -------------------------------

    def projection_rows(
        self,
        *,
        after: int,
        until: int | None = None,
        topics: Collection[str] | None = None,
        limit: int | None = None,
        incident_id: UUID | None = None,
        recorded_until: int | None = None,
    ) -> list[tuple[int, str, bytes]]:
        """
        ``(sequence, topic, canonical bytes)`` of rows in global order.
        """
        end = self._visible if until is None else min(until, self._visible)
        source = (
            self._rows[after:end] if incident_id is None else self.stream(incident_id)
        )  # sequence n sits at index n - 1
        found: list[tuple[int, str, bytes]] = []
        for r in source:
            if r.id <= after or r.id > end:
                continue
            if recorded_until is not None and r.recorded_at > recorded_until:
                break
            if topics is None or r.topic in topics:
                found.append((r.id, r.topic, r.state))
                if limit is not None and len(found) == limit:
                    break
        return found

    def projection_checkpoints(self, name: str | None = None) -> list[Checkpoint]:
        """
        Checkpoints by name, then generation.
        """
        with self._projection_lock:
            return [
                checkpoint
                for model_name, generations in sorted(self._read_models.items())
                if name is None or model_name == name
                for _, (checkpoint, _docs) in sorted(generations.items())
            ]

    def projection_load(
        self, name: str, generation: int
    ) -> tuple[Checkpoint | None, dict[str, bytes]]:
        """
        One generation's checkpoint and documents.
        """
        with self._projection_lock:
            found = self._read_models.get(name, {}).get(generation)
            return (None, {}) if found is None else (found[0], dict(found[1]))

    @contextlib.contextmanager
    def projection_writing(self, name: str, generation: int) -> Iterator[ProjectionWriter]:
        """
        Stage changes under the projection lock; apply them only if the block succeeds.
        """
        with self._projection_lock:
            writer = _MemoryProjectionWriter(self, name, generation)
            yield writer
            writer.apply()

    def projection_drop(self, name: str, generation: int | None = None) -> None:
        """
        Delete one generation of a read model, or every one.
        """
        with self._projection_lock:
            if generation is None:
                self._read_models.pop(name, None)
            else:
                self._read_models.get(name, {}).pop(generation, None)


class _MemoryProjectionWriter(ProjectionWriter):
    def __init__(self, store: MemoryStore, name: str, generation: int) -> None:
        self.store = store
        self.name = name
        self.generation = generation
        self.puts: dict[str, bytes] = {}
        self.deletes: set[str] = set()
        self.new_checkpoint: Checkpoint | None = None
        self.activating = False

    def checkpoint(self) -> Checkpoint | None:
        found = self.store._read_models.get(self.name, {}).get(self.generation)
        return None if found is None else found[0]

    def put(self, documents: Mapping[str, bytes]) -> None:
        for key, value in documents.items():
            self.deletes.discard(key)
            self.puts[key] = value

    def delete(self, keys: Collection[str]) -> None:
        for key in keys:
            self.puts.pop(key, None)
            self.deletes.add(key)

    def advance(self, checkpoint: Checkpoint) -> None:
        self.new_checkpoint = checkpoint

    def activate(self) -> None:
        self.activating = True

    def apply(self) -> None:
        # Runs under the projection lock, after the block succeeded: all or nothing.
        generations = self.store._read_models.setdefault(self.name, {})
        current = generations.get(self.generation)
        checkpoint = self.new_checkpoint or (current[0] if current else None)
        if checkpoint is None:
            return  # nothing to keep without a checkpoint
        docs = current[1] if current else {}
        for key in self.deletes:
            docs.pop(key, None)
        docs.update(self.puts)
        if self.activating:
            checkpoint = Checkpoint(
                name=checkpoint.name,
                generation=checkpoint.generation,
                version=checkpoint.version,
                sequence=checkpoint.sequence,
                active=True,
            )
            generations.clear()
        generations[self.generation] = (checkpoint, docs)
