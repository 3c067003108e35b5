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
from incidents.storage._auditing import AuditReader
from incidents.storage._projections import ProjectionWriter
from incidents.storage._rows import (
    AuditCheckpointRow,
    AuditRow,
    FoldSnapshot,
    ProjectionCheckpoint,
    StoredRecord,
    Tile,
    TreeBuild,
    by_sequence,
    leaf_ids,
)
from incidents.storage._signal import CommitSignal
from incidents.storage._store import Store
from incidents.storage._writing import Writer

__all__ = ["MemoryStore"]


class _MemoryWriter(Writer):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: list[StoredRecord] = []
        self.origin: str | None = None
        self.tiles: dict[tuple[int, int], Tile] = {}
        self.checkpoints: list[AuditCheckpointRow] = []
        self.build: TreeBuild | None = None

    def head(self) -> tuple[int, int | None]:
        rows = self.store._rows  # under lock
        return (rows[-1].id if rows else 0), self.store._settled_locked()

    def stream_heads(self, incident_ids: Sequence[UUID]) -> dict[UUID, int]:
        streams = self.store._streams
        return {i: len(streams.get(i, ())) for i in incident_ids}

    def rows_by_event_id(self, event_ids: Sequence[UUID]) -> list[StoredRecord]:
        index = self.store._by_event
        return [index[i] for i in event_ids if i in index]

    def insert(self, rows: Sequence[StoredRecord]) -> list[bytes]:
        seen = {r.event_id for r in self.pending}
        for r in rows:
            if r.event_id in self.store._by_event or r.event_id in seen:
                raise DuplicateEventError(f"event {r.event_id} is already recorded")
            seen.add(r.event_id)
        self.pending.extend(rows)
        return leaf_ids(rows)

    # -- audit ---------------------------------------------------------------------

    def audit_origin(self) -> str | None:
        return self.origin if self.origin is not None else self.store._audit_origin

    def set_audit_origin(self, origin: str) -> None:
        self.origin = origin

    def audit_edge(self) -> list[Tile]:
        store = self.store
        return [store._tiles[(level, top)] for level, top in sorted(store._tile_tops.items())]

    def put_audit_tiles(self, tiles: Sequence[Tile]) -> None:
        for tile in tiles:
            self.tiles[(tile.level, tile.index)] = tile

    def add_audit_checkpoint(self, checkpoint: AuditCheckpointRow) -> None:
        self.checkpoints.append(checkpoint)

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        store = self.store
        return _raw(store._rows[max(after, 0) : min(store._visible, max(after, 0) + limit)])

    def record_tree_build(self, build: TreeBuild) -> None:
        self.build = build


class MemoryStore(Store):
    """
    Recorded events held in memory by this process.
    """

    __module__ = "incidents.storage"  # its public home, where it is imported on first use

    backend = "memory"
    location = ":memory:"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.signal = CommitSignal()
        self._rows: list[StoredRecord] = []
        self._streams: dict[UUID, list[StoredRecord]] = {}
        self._by_event: dict[UUID, StoredRecord] = {}
        self._visible = 0
        self._settled: int | None = None  # the mark left by settle()
        self._audit_origin: str | None = None
        self._tiles: dict[tuple[int, int], Tile] = {}
        self._tile_tops: dict[int, int] = {}
        self._checkpoints: list[AuditCheckpointRow] = []
        self._tree_build: TreeBuild | None = None
        self._snapshots: dict[tuple[UUID, int, int], FoldSnapshot] = {}
        self._projection_lock = threading.Lock()
        # name -> generation -> (checkpoint, documents)
        self._read_models: dict[str, dict[int, tuple[ProjectionCheckpoint, dict[str, bytes]]]] = {}

    @contextlib.contextmanager
    def writing(self) -> Iterator[Writer]:
        """
        Hold the write lock; publish the batch only if the block succeeds.
        """
        with self._lock:
            writer = _MemoryWriter(self)
            yield writer
            self._commit(writer.pending)
            self._commit_audit(writer)
        self.signal.committed()

    def settle(self, until: int) -> None:
        """
        Settle what is known up to *until* (µs), after any batch in flight.
        """
        with self._lock:
            if self._settled is None or self._settled < until:
                self._settled = until

    def settled_until(self) -> int | None:
        """
        The later of the last batch's recording time and the settle mark.
        """
        with self._lock:
            return self._settled_locked()

    def _settled_locked(self) -> int | None:
        rows = self._rows
        last = rows[self._visible - 1].recorded_at if self._visible else None
        if last is None or (self._settled is not None and self._settled > last):
            return self._settled
        return last

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

    def rows_of(self, event_ids: Collection[UUID]) -> list[StoredRecord]:
        """
        The rows of several events, in global order.
        """
        visible, by_event = self._visible, self._by_event
        found = [by_event.get(i) for i in set(event_ids)]
        return sorted((r for r in found if r is not None and r.id <= visible), key=by_sequence)

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

    # -- audit ---------------------------------------------------------------------

    def _commit_audit(self, writer: _MemoryWriter) -> None:
        if writer.origin is not None:
            self._audit_origin = writer.origin
        for key, tile in writer.tiles.items():
            self._tiles[key] = tile
            self._tile_tops[tile.level] = max(self._tile_tops.get(tile.level, -1), tile.index)
        self._checkpoints.extend(writer.checkpoints)
        if writer.build is not None:
            self._tree_build = writer.build

    @contextlib.contextmanager
    def audit_reading(self) -> Iterator[AuditReader]:
        """
        A snapshot: the rows and audit tables as of now, unaffected by later writes.
        """
        with self._lock:
            reader = _MemoryAuditReader(
                self,
                self._visible,
                dict(self._tiles),
                dict(self._tile_tops),
                list(self._checkpoints),
            )
        yield reader

    # -- fold snapshots: derived data -------------------------------------------------

    def save_fold_snapshot(self, snapshot: FoldSnapshot) -> None:
        """
        Keep a snapshot (unless one with the same key reaches further).
        """
        key = (snapshot.incident_id, snapshot.format, snapshot.first_position)
        kept = self._snapshots.get(key)
        if kept is None or kept.last_position <= snapshot.last_position:
            self._snapshots[key] = snapshot

    def fold_snapshots(self, incident_id: UUID, format: int) -> list[FoldSnapshot]:
        """
        An incident's snapshots of one format, by first position.
        """
        found = [
            c
            for c in list(self._snapshots.values())
            if c.incident_id == incident_id and c.format == format
        ]
        return sorted(found, key=lambda c: c.first_position)

    def drop_fold_snapshots(self, incident_id: UUID | None = None) -> int:
        """
        Forget an incident's snapshots (or every one).
        """
        keys = [k for k in list(self._snapshots) if incident_id is None or k[0] == incident_id]
        for key in keys:
            self._snapshots.pop(key, None)
        return len(keys)

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

    def projection_checkpoints(self, name: str | None = None) -> list[ProjectionCheckpoint]:
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
    ) -> tuple[ProjectionCheckpoint | None, dict[str, bytes]]:
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


class _MemoryAuditReader(AuditReader):
    def __init__(
        self,
        store: MemoryStore,
        visible: int,
        tiles: dict[tuple[int, int], Tile],
        tops: dict[int, int],
        checkpoints: list[AuditCheckpointRow],
    ) -> None:
        self.store = store
        self.visible = visible
        self.origin = store._audit_origin
        self.build = store._tree_build
        self.tiles = tiles
        self.tops = tops
        self.checkpoints = checkpoints

    def audit_origin(self) -> str | None:
        return self.origin

    def audit_edge(self) -> list[Tile]:
        return [self.tiles[(level, top)] for level, top in sorted(self.tops.items())]

    def audit_tiles(self, level: int, first: int, last: int) -> list[Tile]:
        found = (self.tiles.get((level, index)) for index in range(max(first, 0), last + 1))
        return [t for t in found if t is not None]

    def audit_rows(self, after: int, limit: int) -> list[AuditRow]:
        return _raw(self.store._rows[max(after, 0) : min(self.visible, max(after, 0) + limit)])

    def audit_checkpoints(self) -> list[AuditCheckpointRow]:
        return list(self.checkpoints)

    def audit_tree_build(self) -> TreeBuild | None:
        return self.build


def _raw(rows: Sequence[StoredRecord]) -> list[AuditRow]:
    return [
        (
            r.id,
            r.originator_id.bytes,  # type: ignore[union-attr]
            r.originator_version,
            r.event_id.bytes,
            r.topic,
            r.recorded_at,
            r.state,
        )
        for r in rows
    ]


class _MemoryProjectionWriter(ProjectionWriter):
    def __init__(self, store: MemoryStore, name: str, generation: int) -> None:
        self.store = store
        self.name = name
        self.generation = generation
        self.puts: dict[str, bytes] = {}
        self.deletes: set[str] = set()
        self.new_checkpoint: ProjectionCheckpoint | None = None
        self.activating = False

    def checkpoint(self) -> ProjectionCheckpoint | None:
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

    def advance(self, checkpoint: ProjectionCheckpoint) -> None:
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
            checkpoint = ProjectionCheckpoint(
                name=checkpoint.name,
                generation=checkpoint.generation,
                version=checkpoint.version,
                sequence=checkpoint.sequence,
                active=True,
            )
            generations.clear()
        generations[self.generation] = (checkpoint, docs)
