"""
A projection kept in the ledger's own database: the read model.

Each batch of state changes and the checkpoint (the last sequence applied)
are written in one transaction, so a read model resumes after a restart and
applies each event exactly once; :meth:`ReadModel.rebuild` builds it again
from zero in a new generation and swaps it in only when complete.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable

from incidents._errors import ConcurrencyError, ProjectionError
from incidents._gc import Turns
from incidents.projections._encoding import Tracked, assemble
from incidents.projections._engine import Engine, StoreLookup
from incidents.projections._projection import LedgerReads, Projection
from incidents.projections._run import DEFAULT_BATCH_SIZE, Projected, check_batch_size, projected
from incidents.storage import ProjectionCheckpoint, Store

__all__ = ["Progress", "ReadModel"]

Progress = Callable[[int, int], None]
"""Called after each batch with ``(sequence reached, sequence to reach)``."""


class ReadModel:
    """
    A projection kept in the ledger's own database, caught up in batches.

    Each batch of state changes and the checkpoint (the last sequence
    applied) are written in one transaction, so after a crash the read model
    resumes exactly where its last committed batch ended: every event is
    applied once. Every projection has its own checkpoint; any number of them
    can live in one ledger.

    A ``ReadModel`` keeps the state in memory between catch-ups, so each one
    only reads what is new; use one per thread. Several processes may catch
    up the same read model: each transaction checks the checkpoint it started
    from, and the one that lost reloads and carries on.

    Args:
        ledger: The ledger whose database holds the read model.
        projection: The projection (its ``name`` keys the read model).
        batch_size: Events applied per transaction.

    Example:
        >>> from incidents import Ledger, examples
        >>> from incidents.projections import AircraftRoster
        >>> with Ledger.open(":memory:") as ledger:
        ...     _ = ledger.record(*examples.alaska_2024())
        ...     model = ReadModel(ledger, AircraftRoster())
        ...     model.catch_up().sequence
        ...     model.read().state["CN"]["H-6"]["airframes"]
        19
        2
    """

    def __init__(
        self, ledger: LedgerReads, projection: Projection, *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        check_batch_size(batch_size)
        self.ledger = ledger
        self.projection = projection
        self.batch_size = batch_size
        self._cached: tuple[ProjectionCheckpoint, Tracked, Engine] | None = None

    @property
    def name(self) -> str:
        """
        The projection's name.
        """
        return self.projection.name

    @property
    def _store(self) -> Store:
        self.ledger._check_open()
        return self.ledger.store

    def status(self) -> ProjectionCheckpoint | None:
        """
        Where the active read model stands, or ``None`` if it was never built.

        Returns:
            The active generation's checkpoint.
        """
        return next((c for c in self._store.projection_checkpoints(self.name) if c.active), None)

    def _version(self) -> str:
        return str(self.projection.version)

    def _check_version(self, checkpoint: ProjectionCheckpoint) -> None:
        if checkpoint.version != self._version():
            raise ProjectionError(
                f"the read model {self.name!r} was built by version {checkpoint.version} of "
                f"the projection; this is version {self._version()}: rebuild it "
                f"(ReadModel.rebuild(), or: incidents project {self.name} --rebuild)"
            )

    def _load(
        self, checkpoint: ProjectionCheckpoint
    ) -> tuple[ProjectionCheckpoint, Tracked] | None:
        stored, documents = self._store.projection_load(self.name, checkpoint.generation)
        if stored is None:
            return None  # swapped out meanwhile
        data = {key: json.loads(value) for key, value in documents.items()}
        return stored, Tracked(data, documents)

    def _fresh(self, generation: int, *, active: bool) -> tuple[ProjectionCheckpoint, Tracked]:
        state = Tracked(self.projection.initial(), ())
        state.everything = True
        checkpoint = ProjectionCheckpoint(self.name, generation, self._version(), 0, active)
        return checkpoint, state

    def _engine(self, checkpoint: ProjectionCheckpoint) -> Engine:
        return Engine(self.projection, StoreLookup(self._store), complete=checkpoint.sequence == 0)

    def _active(self) -> tuple[ProjectionCheckpoint, Tracked, Engine, bool]:
        """The active generation, loaded (or a new one); the last item: whether it is stored."""
        if self._cached is not None:
            checkpoint, state, engine = self._cached
            return checkpoint, state, engine, True
        for _ in range(5):
            checkpoints = self._store.projection_checkpoints(self.name)
            active = next((c for c in checkpoints if c.active), None)
            if active is None:
                generation = 1 + max((c.generation for c in checkpoints), default=0)
                checkpoint, state = self._fresh(generation, active=True)
                return checkpoint, state, self._engine(checkpoint), False
            self._check_version(active)
            loaded = self._load(active)
            if loaded is not None:
                checkpoint, state = loaded
                return checkpoint, state, self._engine(checkpoint), True
        raise ConcurrencyError(f"the read model {self.name!r} keeps being swapped; try again")

    def catch_up(
        self, *, progress: Progress | None = None, until: int | None = None
    ) -> ProjectionCheckpoint:
        """
        Apply every event recorded since the checkpoint, one transaction per batch.

        Args:
            progress: Called after each committed batch with the sequence
                reached and the sequence to reach.
            until: Stop at this sequence (default: the last one recorded).

        Returns:
            The checkpoint reached.

        Raises:
            ProjectionError: If a handler fails (nothing of that batch is
                stored) or the stored read model needs a rebuild.
        """
        for _ in range(5):
            checkpoint, state, engine, stored = self._active()
            try:
                reached = self._run(checkpoint, state, engine, stored, progress, until)
            except ConcurrencyError:
                self._cached = None  # another process moved it: reload and go on
                continue
            except BaseException:
                self._cached = None  # the in-memory state may hold a failed batch
                raise
            self._cached = (reached, state, engine)
            return reached
        raise ConcurrencyError(f"the read model {self.name!r} keeps being moved; try again")

    def _run(
        self,
        checkpoint: ProjectionCheckpoint,
        state: Tracked,
        engine: Engine,
        stored: bool,
        progress: Progress | None,
        head: int | None = None,
    ) -> ProjectionCheckpoint:
        store = self._store
        last = store.last_sequence()
        head = last if head is None else max(min(head, last), checkpoint.sequence)
        expected = checkpoint if stored else None
        with Turns() as turns:  # a long catch-up keeps the collector paused (incidents._gc)
            while expected is None or checkpoint.sequence < head:
                checkpoint = expected = self._batch(
                    checkpoint, expected, state, engine, head, turns
                )
                if progress is not None:
                    progress(checkpoint.sequence, head)
        return checkpoint

    def _batch(
        self,
        checkpoint: ProjectionCheckpoint,
        expected: ProjectionCheckpoint | None,
        state: Tracked,
        engine: Engine,
        head: int,
        turns: Turns,
    ) -> ProjectionCheckpoint:
        """Apply and commit one batch, checkpoint included; return the checkpoint reached."""
        store = self._store
        rows = store.projection_rows(
            after=checkpoint.sequence, until=head, topics=engine.row_topics, limit=self.batch_size
        )
        turns.step(len(rows))
        engine.feed_rows(state, rows)  # other topics were filtered out in storage
        end = rows[-1][0] if len(rows) == self.batch_size else head
        reached = dataclasses.replace(checkpoint, sequence=end)
        documents, deleted = state.changes(self.name)
        with store.projection_writing(self.name, checkpoint.generation) as writer:
            if writer.checkpoint() != expected:
                raise ConcurrencyError(
                    f"the read model {self.name!r} was changed by another writer"
                )
            writer.put(documents)
            writer.delete(deleted)
            writer.advance(reached)
        state.committed()
        return reached

    def rebuild(self, *, progress: Progress | None = None) -> ProjectionCheckpoint:
        """
        Build the read model again from zero and swap it in when complete.

        The new generation is written beside the active one, which readers
        keep seeing until the swap; the swap (activating the new generation
        and deleting the old) is one transaction.

        Args:
            progress: Called after each committed batch.

        Returns:
            The new active checkpoint.

        Raises:
            ProjectionError: If a handler fails (the active read model is untouched).
        """
        store = self._store
        self._cached = None
        checkpoints = store.projection_checkpoints(self.name)
        for abandoned in (c for c in checkpoints if not c.active):
            store.projection_drop(self.name, abandoned.generation)  # an earlier rebuild's
        generation = 1 + max((c.generation for c in checkpoints), default=0)
        checkpoint, state = self._fresh(generation, active=False)
        engine = self._engine(checkpoint)
        reached = self._run(checkpoint, state, engine, False, progress)
        reached = self._run(reached, state, engine, True, progress)  # what arrived meanwhile
        with store.projection_writing(self.name, generation) as writer:
            if writer.checkpoint() != reached:
                raise ConcurrencyError(
                    f"the rebuild of {self.name!r} was changed by another writer"
                )
            writer.activate()
        active = dataclasses.replace(reached, active=True)
        self._cached = (active, state, engine)
        return active

    def read(self) -> Projected:
        """
        The stored read model, read in one consistent snapshot.

        Returns:
            Its state and checkpoint; an empty initial state at sequence 0 if it
            was never built.

        Raises:
            ProjectionError: If the stored read model needs a rebuild.
        """
        active = self.status()
        if active is not None:
            self._check_version(active)
            stored, documents = self._store.projection_load(self.name, active.generation)
            if stored is not None:
                return Projected(
                    name=self.name,
                    version=stored.version,
                    state={key: json.loads(value) for key, value in documents.items()},
                    sequence=stored.sequence,
                    canonical=assemble(documents),
                )
            return self.read()  # swapped meanwhile
        return projected(self.projection, self.projection.initial(), 0)

    def drop(self) -> None:
        """
        Delete the read model (every generation) and its checkpoints.
        """
        self._cached = None
        self._store.projection_drop(self.name)

    def follow(
        self,
        *,
        interval: float = 1.0,
        stop: threading.Event | None = None,
        on_batch: Progress | None = None,
    ) -> ProjectionCheckpoint:
        """
        Keep the read model caught up until *stop* is set: a subscription.

        Between catch-ups it waits for new events in the ledger's storage: a
        commit made in this process wakes it at once, and so does any commit
        on PostgreSQL, from any machine (``LISTEN``/``NOTIFY``). Commits it
        cannot be told of (another process writing the same SQLite file) are
        seen by reading the log's last sequence, one cheap query, every
        *interval* seconds. New events are applied in batches as in
        :meth:`catch_up`.

        Args:
            interval: Seconds between two reads of the log's last sequence
                when no commit is announced.
            stop: Set it (from another thread) to return; it is noticed
                within a tenth of a second.
            on_batch: Called after each committed batch.

        Returns:
            The checkpoint reached when stopped.
        """
        stop = stop if stop is not None else threading.Event()
        reached = self.catch_up(progress=on_batch)
        while not stop.is_set():
            last = self._store.wait_for_events(
                reached.sequence, timeout=_FOLLOW_WAIT, poll=interval, stop=stop
            )
            if last != reached.sequence and not stop.is_set():
                reached = self.catch_up(progress=on_batch)
        return reached


_FOLLOW_WAIT = 60.0
"""Seconds one wait of :meth:`ReadModel.follow` lasts before it looks again anyway."""
