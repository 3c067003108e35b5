"""
Time travel: an incident at any valid time, as known at any recording time.

Two clocks describe every fact (see :mod:`incidents._domain.time`): *valid time*,
when it happened, and *recording time*, when the ledger learned it. This
module answers the questions that combine them, for :class:`incidents.Ledger`:

* :meth:`TimeTravel.state`: the incident as it stood at valid time T, built
  only from what had been recorded by recording time R;
* :meth:`TimeTravel.history`: the audit trail, in recording order, with what
  each correction and retraction targeted and changed (:class:`History`);
* :meth:`TimeTravel.diff`: what the record says differently between two
  recording times (:class:`Diff`);
* :meth:`TimeTravel.incidents`: the incidents with facts in a valid-time window.

Semantics, decided once:

* recording time never goes backwards along the ledger's order, so "as known
  at R" is exactly the prefix of the incident's stream recorded at or before
  R, found by bisecting the stored ``recorded_at`` column (nothing decoded);
* corrections and retractions apply from their recording time on: before it
  the original stands; a correction can be corrected or retracted;
* facts are listed in valid-time order, ties broken by stream position, so
  late-arriving facts (a valid time earlier than facts already recorded)
  take their place and every replay gives the same state;
* "in effect at valid time T" follows :class:`incidents.Reading`: possibly
  (the default: the fact may have happened by T) or certainly (it had
  certainly happened by T).

Speed comes from :class:`~incidents._timetravel.fold.BitemporalFold`, which
folds a stream once and keeps every version of every fact with the stretch
of the stream it stood over; it is kept in memory per incident and brought
up to date with only the rows recorded since. The expensive part of the fold
(applying corrections, settling retractions) is kept in storage as
*snapshots* (:mod:`incidents._timetravel.snapshots`): derived data that can
be dropped and rebuilt at any time, and never trusted over the events (a
snapshot whose positions, event ids or effects do not fit the stream as
read is dropped and the fold recomputed).
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._codec.canonical import converter
from incidents._codec.envelope import source_id_of
from incidents._codec.trusted import decode_trusted
from incidents._domain.events import (
    SOURCES_REGISTRY,
    Correction,
    Event,
    Recorded,
    Retraction,
    SourceRegistered,
)
from incidents._domain.search import Search
from incidents._domain.state import (
    Assessment,
    Incident,
    Reading,
    Source,
    shared_sources,
    source_of,
)
from incidents._errors import StorageError
from incidents._gc import BULK, paused_gc
from incidents._timetravel.fold import (
    BitemporalFold,
    Kind,
    Loader,
    StaleSnapshotError,
    build_entity,
    settle,
)
from incidents._timetravel.history import Diff, FieldChange, History, HistoryEntry, fact_change
from incidents._timetravel.search import SearchIndex
from incidents._timetravel.snapshots import (
    SNAPSHOT_FORMAT,
    Plan,
    decode_effect,
    encode_snapshot,
    read_plan,
)
from incidents.storage import Store, StoredRecord, from_micros

__all__ = ["TimeTravel"]

_CORRECTING = frozenset({Correction.TYPE, Retraction.TYPE})


class _Cached:
    """A fold and what the stored snapshots still have to replay into it."""

    __slots__ = ("folded", "plan", "size")

    def __init__(self, folded: BitemporalFold, plan: Plan) -> None:
        self.folded = folded
        self.plan = plan
        # The positions counted for it in the cache's running total.
        self.size = 0


class TimeTravel:
    """
    Answers questions about an incident's past for one ledger's store.

    Keeps the folds of recently read incidents in memory (brought up to
    date with the rows recorded since on every read) and the expensive part
    of their folds as snapshots in the store. The cache holds at most
    :attr:`max_positions` stream positions, least recently read evicted
    first; its total is kept as folds come and go, so that a read costs
    the same however many folds are kept. Listing every incident
    (:meth:`incidents`) keeps the folds it makes only while they fit: a
    scan over more than the cache holds neither evicts what other reads
    keep nor makes the next scan reload everything.

    Args:
        store: The ledger's storage.
    """

    #: Save a snapshot once this many positions are folded beyond the last one.
    snapshot_every = 1000
    #: Keep at most this many stream positions in memory, over all folds (a
    #: fold holds about 3 KB per position: some 600 MB at most).
    max_positions = 200_000

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: OrderedDict[UUID, _Cached] = OrderedDict()
        self._cached_positions = 0
        self._lock = threading.RLock()
        self._index = SearchIndex()

    # -- folds ----------------------------------------------------------------------

    def folded(self, incident_id: UUID, recorded_until: int | None = None) -> BitemporalFold:
        """
        The incident's bitemporal fold, folded at least up to recording time *recorded_until*.

        Args:
            incident_id: The incident.
            recorded_until: Recording time (µs); ``None`` for everything recorded.

        Returns:
            The fold (empty if nothing of the incident was recorded by then).
        """
        with self._lock:
            cached = self._folded(incident_id, self._take(incident_id), recorded_until)
            self._save_snapshot(cached)
            self._keep(incident_id, cached)
            self._evict()
            return cached.folded

    def _take(self, incident_id: UUID) -> _Cached | None:
        """Remove an incident's fold from the cache, if there, and return it."""
        cached = self._cache.pop(incident_id, None)
        if cached is not None:
            self._cached_positions -= cached.size
        return cached

    def _keep(self, incident_id: UUID, cached: _Cached) -> None:
        """Put a fold into the cache, most recently read (without evicting)."""
        self._take(incident_id)
        cached.size = cached.folded.position
        self._cache[incident_id] = cached
        self._cached_positions += cached.size

    def _folded(
        self, incident_id: UUID, cached: _Cached | None, recorded_until: int | None
    ) -> _Cached:
        for attempt in range(3):
            if cached is None:
                cached = self._load(incident_id, use_snapshots=attempt == 0)
            try:
                self._sync(cached, recorded_until)
            except StaleSnapshotError:
                self._drop_snapshots(incident_id)
                cached = None
                continue
            except _DivergedError:
                cached = None
                continue
            return cached
        # The stream changed under us three times.
        raise StorageError(  # pragma: no cover
            f"incident {incident_id}: the stream changed while being read"
        )

    def _load(self, incident_id: UUID, *, use_snapshots: bool) -> _Cached:
        plan = Plan()
        if use_snapshots:
            try:
                plan = read_plan(
                    self._store.fold_snapshots(incident_id, SNAPSHOT_FORMAT), incident_id
                )
            except (StaleSnapshotError, ValueError, KeyError, TypeError, zlib.error):
                self._drop_snapshots(incident_id)
                plan = Plan()
        return _Cached(BitemporalFold(incident_id, self._loader(incident_id)), plan)

    def _loader(self, incident_id: UUID) -> Loader:
        def load(event_ids: list[UUID]) -> dict[UUID, Event]:
            found: dict[UUID, Event] = {}
            for event_id in event_ids:  # the members of one tree: a few, each by its index
                row = self._store.row(event_id)
                if row is not None and row.originator_id == incident_id:
                    found[event_id] = decode_trusted(row.state).event
            return found

        return load

    def _sync(self, cached: _Cached, recorded_until: int | None) -> None:
        folded = cached.folded
        position = folded.position
        if position and recorded_until is not None and folded.recorded_at[-1] > recorded_until:
            return  # everything recorded by then is already folded
        rows = self._store.stream(
            folded.incident_id,
            after_position=max(position - 1, 0),
            recorded_until=recorded_until,
        )
        if position:
            if (
                not rows
                or rows[0].originator_version != position
                or rows[0].event_id != folded.event_ids[-1]
            ):
                raise _DivergedError
            rows = rows[1:]
        with paused_gc(len(rows)):  # the fold only grows, and holds no cycles
            self._fold(cached, rows)

    def _fold(self, cached: _Cached, rows: Sequence[StoredRecord]) -> None:
        folded, plan = cached.folded, cached.plan
        for row in rows:
            q = folded.position + 1
            if q > plan.covered_until:
                folded.append(decode_trusted(row.state), row.recorded_at)
                continue
            raw = plan.effects.pop(q, None)
            if row.topic in _CORRECTING:
                if raw is None:
                    raise StaleSnapshotError(f"no effect journaled for the {row.topic} at {q}")
                try:
                    effect = decode_effect(raw, folded, row.event_id)
                except (ValueError, TypeError, IndexError, StorageError) as exc:
                    raise StaleSnapshotError(f"snapshot effect at {q}: {exc}") from exc
                folded.append_unread(
                    position=row.originator_version,
                    event_id=row.event_id,
                    sequence=row.id,
                    recorded_at=row.recorded_at,
                    effect=effect,
                    source_id=source_id_of(row.state),
                )
            else:
                if raw is not None:
                    raise StaleSnapshotError(f"an effect is journaled for the fact at {q}")
                folded.append(decode_trusted(row.state), row.recorded_at, covered=True)
            mark = plan.marks.get(q)
            if mark is not None and mark != (row.event_id, row.id):
                raise StaleSnapshotError(f"snapshot ending at {q} is for other events")

    def _save_snapshot(self, cached: _Cached, *, force: bool = False) -> None:
        folded, plan = cached.folded, cached.plan
        first = plan.covered_until + 1
        if folded.position < first:
            return
        if not force and folded.position - plan.covered_until < self.snapshot_every:
            return
        try:
            self._store.save_fold_snapshot(encode_snapshot(folded, first))
        except StorageError:
            return  # derived data: reading goes on without it, the next read tries again
        plan.covered_until = folded.position
        folded.journal.clear()

    def _drop_snapshots(self, incident_id: UUID) -> None:
        with contextlib.suppress(StorageError):  # they will be ignored again next time
            self._store.drop_fold_snapshots(incident_id)

    def _evict(self) -> None:
        # Two folds are never evicted: the sources registry's, which is read
        # beside every incident's, and the incident read last, so that reading
        # the registry to answer for an incident never evicts that incident
        # (a published_by read would otherwise reload it every time:
        # benchmarks/bench_published.py). Each eviction skips at most those two.
        kept = {SOURCES_REGISTRY, self._last_incident()}
        while self._cached_positions > self.max_positions:
            victim = next((i for i in self._cache if i not in kept), None)
            if victim is None:
                return
            self._cached_positions -= self._cache.pop(victim).size

    def _last_incident(self) -> UUID | None:
        """The incident whose fold was read last (the sources registry aside)."""
        for incident_id in reversed(self._cache):
            if incident_id != SOURCES_REGISTRY:
                return incident_id
        return None

    def forget(self) -> None:
        """
        Drop every folded kept in memory (the next reads fold again).
        """
        with self._lock:
            self._cache.clear()
            self._cached_positions = 0
            self._index.forget()

    def rebuild_snapshots(self, incident_ids: Sequence[UUID]) -> int:
        """
        Drop the incidents' snapshots and write new ones from their events.

        Args:
            incident_ids: The incidents.

        Returns:
            The number of snapshots written.
        """
        written = 0
        with self._lock:
            for incident_id in incident_ids:
                self._store.drop_fold_snapshots(incident_id)
                self._take(incident_id)
                cached = self._load(incident_id, use_snapshots=False)
                self._sync(cached, None)
                self._save_snapshot(cached, force=True)
                if cached.plan.covered_until:
                    written += 1
                self._keep_if_room(incident_id, cached)
        return written

    def _keep_if_room(self, incident_id: UUID, cached: _Cached) -> None:
        """Keep a fold made by a scan only if the cache has room for it without evicting."""
        if self._cached_positions + cached.folded.position <= self.max_positions:
            self._keep(incident_id, cached)

    def _scanned(self, incident_id: UUID, recorded_until: int | None) -> BitemporalFold:
        """
        An incident's fold for a scan over every incident: cached if there, else kept only if room.
        """
        if incident_id in self._cache:
            return self.folded(incident_id, recorded_until)
        cached = self._folded(incident_id, None, recorded_until)
        self._save_snapshot(cached)
        self._keep_if_room(incident_id, cached)
        return cached.folded

    # -- questions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _answering(self, incident_id: UUID) -> Iterator[None]:
        """
        Hold the lock for one answer, with the collector paused if the fold must be loaded.

        Loading a fold, and answering from it the first time (which sorts its
        columns), builds many long-lived objects and no cycles: the collector
        would walk them again and again (see incidents._gc). Answers from a fold
        already in memory leave the collector alone.
        """
        with self._lock, paused_gc() if incident_id not in self._cache else _NO_PAUSE:
            yield

    def length_hint(self, incident_id: UUID) -> int:
        """
        How many events the incident is known to have, for sizing bulk work.

        Args:
            incident_id: The incident.

        Returns:
            Its fold's length if the fold is in memory; otherwise :data:`~incidents._gc.BULK`
            (unknown, so possibly long).
        """
        with self._lock:
            cached = self._cache.get(incident_id)
            return BULK if cached is None else cached.folded.position

    def state(
        self,
        incident_id: UUID,
        valid_at: datetime | None,
        recorded_until: int | None,
        reading: Reading,
    ) -> Incident | None:
        """
        The incident at valid time *valid_at* as known at recording time *recorded_until*.

        Args:
            incident_id: The incident.
            valid_at: Valid time, or ``None`` for every fact.
            recorded_until: Recording time (µs), or ``None`` for now.
            reading: How imprecise valid times count.

        Returns:
            The state, or ``None`` if the incident was not recorded by then.
        """
        with self._answering(incident_id):
            folded = self.folded(incident_id, recorded_until)
            p = folded.prefix(recorded_until)
            return self._with_registry(
                folded.state(p, valid_at, reading), folded, p, recorded_until
            )

    def _with_registry(
        self,
        state: Incident | None,
        folded: BitemporalFold,
        p: int,
        recorded_until: int | None,
        known: dict[int | None, tuple[list[Source], list[Assessment]]] | None = None,
    ) -> Incident | None:
        """
        The state with the registry sources its events cite, as known at the same time.

        *known* keeps the registry's sources by recording time across the
        incidents of one listing, so that the registry is read once for all.
        """
        if state is None or folded.incident_id == SOURCES_REGISTRY:
            return state
        cited = folded.registry_cited(p)
        if not cited:
            return state
        if known is None:
            sources, assessments = self.registry(recorded_until)
        else:
            if recorded_until not in known:
                known[recorded_until] = self.registry(recorded_until)
            sources, assessments = known[recorded_until]
        shared, judged = shared_sources(cited, sources, assessments)
        if not shared:
            return state
        return attrs.evolve(
            state, sources=state.sources + shared, assessments=state.assessments + judged
        )

    def registry(self, recorded_until: int | None) -> tuple[list[Source], list[Assessment]]:
        """
        The sources registry's sources and assessments as known at a recording time.

        Args:
            recorded_until: Recording time (µs), or ``None`` for now.

        Returns:
            The sources and the assessments (of them) standing then, in recording order.
        """
        with self._lock:
            folded = self.folded(SOURCES_REGISTRY, recorded_until)
            p = folded.prefix(recorded_until)
            return (
                folded.indexes[Kind.SOURCE].select(p),
                folded.indexes[Kind.ASSESSMENT].select(p),
            )

    def history(self, incident_id: UUID) -> History | None:
        """
        The incident's audit trail.

        Args:
            incident_id: The incident.

        Returns:
            The history, or ``None`` if the incident is not recorded.
        """
        with self._answering(incident_id):
            rows = [] if incident_id == SOURCES_REGISTRY else self._store.stream(incident_id)
            if not rows:
                return None
            folded = self.folded(incident_id)
            records = [decode_trusted(row.state) for row in rows[: folded.position]]
            entries = [self._entry(folded, r) for r in records]
            head = folded.state(len(records))
        assert head is not None
        return History(incident_id=incident_id, title=head.title, entries=tuple(entries))

    def _entry(self, folded: BitemporalFold, record: Recorded) -> HistoryEntry:
        q = record.position
        event = record.event
        fact = folded.fact_at(q)
        source = self._source_at(folded, event.source_id, q)
        if not isinstance(event, Correction | Retraction):
            change = fact_change(folded, fact, q - 1, q)
            return HistoryEntry(
                sequence=record.sequence,
                position=q,
                recorded_at=record.recorded_at,
                recorder=record.recorder,
                event=event,
                source=source,
                effects=() if change is None else (change,),
            )
        target_position = folded.position_of[event.target_id]
        target = folded.event_at(target_position)
        changes: tuple[FieldChange, ...] = ()
        if isinstance(event, Correction):
            before = self._value_before(folded, fact, event.target_id, q)
            old = converter.unstructure(before, Event)
            changes = tuple(
                FieldChange(field=name, before=old.get(name), after=value)
                for name, value in event.changes.items()
            )
        change = fact_change(folded, fact, q - 1, q)
        return HistoryEntry(
            sequence=record.sequence,
            position=q,
            recorded_at=record.recorded_at,
            recorder=record.recorder,
            event=event,
            source=source,
            target_id=event.target_id,
            target_position=target_position,
            target_type=target.TYPE,
            changes=changes,
            effects=() if change is None else (change,),
        )

    @staticmethod
    def _value_before(folded: BitemporalFold, fact: Any, target_id: UUID, q: int) -> Event:
        """The target of a correction recorded at *q* as it stood just before."""
        if target_id == fact.event_id:
            standing = fact.version_at(q - 1)
            if standing is not None:
                return standing.event  # type: ignore[no-any-return]
        # Withdrawn, or a correction: settle the tree as it was, ignoring the
        # target's own withdrawal (its value is what the correction changes).
        tree = [
            e
            for position, e in fact.members(folded.read)
            if position < q and not (isinstance(e, Retraction) and e.target_id == target_id)
        ]
        _, effective = settle(fact.raw, tree)
        return effective(target_id)[0]

    def _source_at(self, folded: BitemporalFold, source_id: UUID, q: int) -> Source:
        if source_id not in folded.facts:
            # A source of the registry, as it stood when the event was recorded.
            until = folded.recorded_at[q - 1]
            for found in self.registry(until)[0]:
                if found.id == source_id:
                    return found
            registration = self._loader(SOURCES_REGISTRY)([source_id])[source_id]
            assert isinstance(registration, SourceRegistered)
            return source_of(registration, ())
        fact = folded.facts[source_id]
        standing = fact.version_at(q)
        if standing is not None:
            entity = folded.entity(Kind.SOURCE, standing)
            assert isinstance(entity, Source)
            return entity
        raw = fact.raw
        assert isinstance(raw, SourceRegistered)
        entity = build_entity(Kind.SOURCE, fact.event_id, raw, ())
        assert isinstance(entity, Source)
        return entity

    def diff(self, incident_id: UUID, a: int, b: int | None) -> Diff | None:
        """
        How the record of the incident changed between two recording times.

        Args:
            incident_id: The incident.
            a: The first recording time (µs).
            b: The second recording time (µs), or ``None`` for now.

        Returns:
            The differences, or ``None`` if the incident was not recorded by *b*.
        """
        with self._answering(incident_id):
            folded = self.folded(incident_id, b)
            pa, pb = folded.prefix(a), folded.prefix(b)
            head = folded.state(pb)
            if head is None:
                return None
            changes = [
                change
                for fact in folded.facts_changed(pa, pb)
                if (change := fact_change(folded, fact, pa, pb)) is not None
            ]
            events = {
                q: folded.event_at(q)
                for change in changes
                for q in change.by_positions
                if q != change.fact_position
            }
            known_b = from_micros(b) if b is not None else from_micros(folded.recorded_at[pb - 1])
            return Diff(
                incident_id=incident_id,
                title=head.title,
                known_at_a=from_micros(a),
                known_at_b=known_b,
                position_a=pa,
                position_b=pb,
                changes=tuple(changes),
                events=events,
            )

    def incidents(
        self,
        window: tuple[int, int] | None,
        recorded_until: int | None,
        reading: Reading,
        search: Search | None = None,
    ) -> Iterator[Incident]:
        """
        The incidents known at a recording time, optionally only those with facts in a window.

        One incident at a time: what it yields is all that is kept of the
        incidents whose folds do not fit in the cache, so iterating without
        keeping the states takes memory for one incident (and the cache).

        Args:
            window: ``(start, end)`` valid times in µs (inclusive), or ``None``.
            recorded_until: Recording time (µs), or ``None`` for now.
            reading: Possibly: a fact's valid time overlaps the window;
                certainly: it lies within the window.
            search: Filters the incidents must match as known then (see
                :mod:`incidents._domain.search`); the search index rules out
                those that cannot match without folding them.

        Yields:
            The incidents' states as known then, in order of first recording.
        """
        ids = self._store.incident_ids() if search is None else self.candidates(search)
        known: dict[int | None, tuple[list[Source], list[Assessment]]] = {}
        for incident_id in ids:
            with self._lock, paused_gc() if incident_id not in self._cache else _NO_PAUSE:
                folded = self._scanned(incident_id, recorded_until)
                p = folded.prefix(recorded_until)
                if p == 0:
                    continue
                if window is not None and not folded.meets_window(
                    p, window[0], window[1], within=reading is Reading.CERTAINLY
                ):
                    continue
                state = self._with_registry(folded.state(p), folded, p, recorded_until, known)
            if state is not None and (search is None or search.matches_incident(state)):
                yield state

    def candidates(self, search: Search) -> list[UUID]:
        """
        The incidents that may match a search at some recording time, in order of first recording.

        Brings the search index up to date first: one query for every
        stream's length, then a fold of each incident with events the index
        has not seen (only what is new, when its fold is in memory).

        Args:
            search: The filters.

        Returns:
            Incident ids; those left out match at no recording time.
        """
        with self._lock, paused_gc():  # may fold many incidents: bulk work (see incidents._gc)
            lengths = self._store.stream_lengths()
            for incident_id, length in lengths.items():
                if self._index.position(incident_id) >= length:
                    continue
                if incident_id in self._cache:
                    self._index.update(incident_id, self.folded(incident_id))
                else:
                    # Folded for its terms only, and not kept: the folds kept in memory
                    # stay those of the incidents read.
                    cached = self._folded(incident_id, None, None)
                    self._save_snapshot(cached)
                    self._index.update(incident_id, cached.folded)
            return [i for i in lengths if self._index.may_match(i, search)]


_NO_PAUSE = contextlib.nullcontext()


class _DivergedError(Exception):
    """The stored stream no longer continues the fold kept in memory."""
