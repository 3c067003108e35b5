"""
"As published by": an incident built only from what its sources had published by a time.

A third clock, beside valid time (when things happened) and recording time
(when the ledger learned them): *publication time*, when the world could
read them. A 2019 patrol recorded in 2026 has every recording time in 2026;
"what was public one day after the patrol" is a question about publication
times. The rules, decided once:

* **An event's publication time** is its source's ``published_at``, as the
  record stands at ``known_at`` (corrections of ``published_at`` recorded by
  then apply, and retracted corrections do not, whatever source they cite;
  a withdrawn registration still dates its source's events). Where the
  source gives no publication time, it is the event's own recording time:
  the ledger only knows the fact was public by the time it was recorded.
* **An event counts as published by P** when its publication time is at or
  before P. That holds for every event alike: facts, corrections and
  retractions (a correction from a source published after P does not
  apply yet), source registrations (a source not yet published is not
  listed) and the incident's opening (before the source it was opened from
  was published, there is no incident yet).
* **It combines with the other two clocks:** only events recorded by
  ``known_at`` count, publication times are as known then, and ``valid_at``
  picks the facts in effect as usual.
* **References stay as recorded:** a patrol published by P may name
  aircraft whose report was published later, and is not in the answer.
* **Sources of the registry** (:data:`~incidents.SOURCES_REGISTRY`) date
  the events that cite them the same way, their ``published_at`` as the
  registry stands at ``known_at``; a registry source is listed in an
  incident once it is published by P (or, without a publication time,
  recorded by then) and cited by the incident's events that count.

So, with no publication time recorded anywhere, "as published by R" is
exactly "as known at R".

The events published by a time are not a prefix of the stream, but the
bitemporal fold (:mod:`incidents._timetravel.fold`) keeps every version of
every fact with the stretch of the stream it stood over. :class:`Published`
works out which events count from the fold's columns (each position's
source and recording time, the sources' publication times as the fold has
them at ``known_at``), with numpy. Where the events of a fact's tree that
count are the first ones of that tree, the fact as they make it is the
version standing just before the first one that does not count; so the
answer is read from the fold's index, each fact at its own position
(:meth:`incidents._timetravel.index.Index.select_each_at`), as fast as a
``known_at`` read. Where some tree has an event that counts after one that
does not (a correction from a source published before an earlier one's), or
a source's registration is withdrawn (the fold keeps no version of it, yet
it still dates its events), the events that count are folded from scratch
(:func:`incidents.fold`, the naive fold the bitemporal one is tested
against), the incident's stream as known at ``known_at`` decoded. Diffs are
always worked out from scratch. The tests check the two ways give the same
answers.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import attrs

from incidents._codec.trusted import decode_trusted
from incidents._domain.events import (
    SOURCES_REGISTRY,
    Correction,
    Event,
    IncidentOpened,
    Recorded,
    Retraction,
    SourceRegistered,
)
from incidents._domain.search import Search
from incidents._domain.state import Incident, Reading, fold, settle_events, shared_sources
from incidents._gc import paused_gc
from incidents._lazy import LazyModule
from incidents._timetravel.fold import KIND_OF, BitemporalFold, Kind, settle
from incidents._timetravel.history import (
    FactChange,
    FactChangeKind,
    FieldChange,
    History,
    field_changes,
)
from incidents.storage import Store, to_micros

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = LazyModule("numpy", globals(), "np")  # imported with the first fold


class Folds(Protocol):
    """
    The folds kept in memory (:class:`incidents._timetravel.service.TimeTravel`).
    """

    def folded(self, incident_id: UUID, recorded_until: int | None = None) -> BitemporalFold:
        """The incident's fold, folded at least up to a recording time."""

    def _answering(self, incident_id: UUID) -> AbstractContextManager[None]:
        """Hold the folds' lock for one answer."""


__all__ = ["Folds", "Published", "counted", "meets_window", "publication_times"]

_Version = tuple[Event, tuple[UUID, ...]] | None


def publication_times(records: Iterable[Recorded]) -> dict[UUID, datetime | None]:
    """
    Each registered source's ``published_at``, with the corrections among *records* applied.

    Args:
        records: Events of one incident, in recording order.

    Returns:
        Source id to publication time (``None`` where the source gives none).
    """
    ordered = list(records)
    registrations = [r.event for r in ordered if isinstance(r.event, SourceRegistered)]
    if not any(isinstance(r.event, Correction) for r in ordered):
        return {e.source_id: e.published_at for e in registrations}
    _, effective = settle_events(r.event for r in ordered)
    times: dict[UUID, datetime | None] = {}
    for registration in registrations:
        value = effective(registration.event_id)[0]
        assert isinstance(value, SourceRegistered)
        times[registration.source_id] = value.published_at
    return times


def counted(
    records: Sequence[Recorded],
    published_by: datetime | None,
    shared: Mapping[UUID, datetime | None] | None = None,
) -> list[Recorded]:
    """
    The events that count as published by a time (see the module's rules).

    Args:
        records: Events of one incident as known at some recording time, in recording order.
        published_by: The publication time, in UTC (``None``: every event counts).
        shared: The publication times of the registry's sources, as known
            then (:func:`publication_times` of the registry's events).

    Returns:
        Those events, in recording order.
    """
    if published_by is None:
        return list(records)
    times = publication_times(records)
    if shared:
        times = {**shared, **times}
    kept = []
    for record in records:
        published = times.get(record.source_id)
        if (record.recorded_at if published is None else published) <= published_by:
            kept.append(record)
    return kept


def meets_window(state: Incident, start: int, end: int, *, within: bool) -> bool:
    """
    Whether a fact of known valid time of *state* meets ``[start, end]`` (µs).

    The rule of :meth:`incidents._timetravel.fold.BitemporalFold.meets_window`,
    over a folded state.

    Args:
        state: The incident.
        start: Window start.
        end: Window end.
        within: Require the fact's valid time to lie within the window.

    Returns:
        True if a dated fact does (see :meth:`incidents.Incident.dated_facts`).
    """
    for facts in state.dated_facts():
        for fact in facts:
            valid_time = fact.valid_time
            if valid_time.earliest is None or valid_time.latest is None:
                continue
            early, late = to_micros(valid_time.earliest), to_micros(valid_time.latest)
            if (start <= early and late <= end) if within else (early <= end and late >= start):
                return True
    return False


class _Columns:
    """
    One fold's columns as numpy arrays, for finding the events that count (see :class:`Published`).

    Attributes:
        length: The fold's length when they were last brought up to date.
        recorded_at: Each position's recording time (µs).
        source_index: Each position's source, as an index into *source_ids*.
        source_ids: The distinct sources cited, in order of first citation.
        complete: Whether every position's source is known.
        roots: Each position's fact: its own position for a fact, the position
            of the fact whose tree holds it for a correction or retraction.
        registrations: The fold's source registrations (its facts of kind SOURCE).
        references: The positions naming an id in a field that may name a
            registry source, and the ids' indexes into *referenced*.
    """

    def __init__(self) -> None:
        self.length = 0
        self.recorded_at: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self.source_index: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self.source_ids: list[UUID | None] = []
        self.complete = True
        self.roots: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self.registrations: list[Any] = []
        self.reference_positions: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self.reference_index: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self.referenced: list[UUID] = []
        self._sources: dict[UUID | None, int] = {}
        self._referenced: dict[UUID, int] = {}
        self._references = 0

    def extend(self, folded: BitemporalFold) -> None:
        """
        Take the positions folded since (folds only grow: only the new ones are read).

        Args:
            folded: The fold these columns are of.
        """
        start, end = self.length, folded.position
        if end > start:
            sources = self._sources
            facts, fact_of, position_of = folded.facts, folded.fact_of, folded.position_of
            roots = []
            for q, event_id in enumerate(folded.event_ids[start:end], start=start + 1):
                fact = facts.get(event_id)
                if fact is None:
                    roots.append(position_of[fact_of[event_id]])
                    continue
                roots.append(q)
                if fact.kind is Kind.SOURCE:
                    self.registrations.append(fact)
            self.roots = np.concatenate([self.roots, np.array(roots, dtype=np.int64)])
            self.recorded_at = np.concatenate(
                [self.recorded_at, np.array(folded.recorded_at[start:end], dtype=np.int64)]
            )
            tail = [sources.setdefault(s, len(sources)) for s in folded.source_ids[start:end]]
            self.source_index = np.concatenate([self.source_index, np.array(tail, np.int64)])
            self.source_ids = list(sources)
            self.complete = None not in sources
            new = folded.references[self._references :]
            self._references = len(folded.references)
            referenced = self._referenced
            self.reference_positions = np.concatenate(
                [self.reference_positions, np.array([q for q, _ in new], dtype=np.int64)]
            )
            self.reference_index = np.concatenate(
                [
                    self.reference_index,
                    np.array([referenced.setdefault(i, len(referenced)) for _, i in new], np.int64),
                ]
            )
            self.referenced = list(referenced)
            self.length = end
        for kind_index in folded.indexes.values():
            kind_index.compile()  # nothing pending: answers run over the compiled columns


class _View:
    """
    The events of one fold that count, as positions each fact's version is read at.

    Attributes:
        view: For each stream position (index 0 unused), the position at
            which the versions of its fact are read: the last position before
            the first of its tree's events that does not count (``-1`` beyond
            the last position known).
        counted: Whether each of the first positions counts (index 0: position 1).
    """

    def __init__(self, view: npt.NDArray[np.int64], counted: npt.NDArray[np.bool_]) -> None:
        self.view = view
        self.counted = counted

    @property
    def last(self) -> int:
        """The last position that counts (0 if none)."""
        found = np.flatnonzero(self.counted)
        return int(found[-1]) + 1 if len(found) else 0


class Published:
    """
    Answers "as published by" questions for one ledger's store.

    Args:
        store: The ledger's storage.
        time_travel: The ledger's time travel, whose folds answer where they
            can; without it, every answer is folded from scratch.
    """

    #: Keep the columns of at most this many folds (those of folds dropped go too).
    max_columns = 64

    def __init__(self, store: Store, time_travel: Folds | None = None) -> None:
        self._store = store
        self._time_travel = time_travel
        self._columns: OrderedDict[UUID, tuple[weakref.ref[BitemporalFold], _Columns]] = (
            OrderedDict()
        )

    # -- from the folds kept in memory --------------------------------------------------
    #
    # Speed: benchmarks/bench_published.py. Folded from scratch, an "as published by"
    # read decodes and folds the whole stream (seconds at 100,000 events). Every
    # fact's versions are in the bitemporal fold already, each with the stretch of
    # the stream it stood over: where the events of a fact's tree that count are
    # the first ones of that tree (in recording order), the fact as those events
    # make it is the version standing just before the first one that does not
    # count. That holds for nearly every fact (a fact and its corrections mostly
    # come from one source, or from sources published in the order recorded); the
    # answer is then read from the fold's index with numpy, a position per fact
    # (milliseconds). Otherwise the events that count are folded from scratch.

    def _columns_of(self, folded: BitemporalFold) -> _Columns:
        """The fold's columns, brought up to date with the positions folded since."""
        kept = self._columns.pop(folded.incident_id, None)
        columns = kept[1] if kept is not None and kept[0]() is folded else _Columns()
        if columns.length != folded.position:
            # Bulk work the first time: many objects, no cycles (see incidents._gc).
            with paused_gc(folded.position - columns.length):
                columns.extend(folded)
        self._columns[folded.incident_id] = (weakref.ref(folded), columns)
        # Only for folds still kept in memory, and not too many of them.
        for incident_id in [i for i, (ref, _) in self._columns.items() if ref() is None]:
            del self._columns[incident_id]
        while len(self._columns) > self.max_columns:
            self._columns.popitem(last=False)
        return columns

    @staticmethod
    def _times(
        columns: _Columns, p: int, shared: Mapping[UUID, int | None] | None = None
    ) -> dict[UUID, int | None] | None:
        """
        Each source's publication time (µs) as the fold has it at position *p*.

        ``None`` when the fold cannot tell: a registration withdrawn by then
        (it still dates its source's events, but the fold keeps no version of it).
        """
        times: dict[UUID, int | None] = dict(shared) if shared else {}
        for fact in columns.registrations:
            if fact.position > p:
                continue
            version = fact.version_at(p)
            if version is None:
                return None
            registration = version.event
            assert isinstance(registration, SourceRegistered)
            published_at = registration.published_at
            times[fact.raw.source_id] = None if published_at is None else to_micros(published_at)
        return times

    @staticmethod
    def _view(
        columns: _Columns, p: int, times: Mapping[UUID, int | None], published_by: int
    ) -> _View | None:
        """
        The first *p* events that count by *published_by*, if the fold can answer for them.

        ``None`` when some fact's tree has an event that counts after one that
        does not: no version of the fold is what those events make.
        """
        known = [None if s is None else times.get(s) for s in columns.source_ids]
        dated = np.array([t is not None for t in known], dtype=bool)
        published = np.array([0 if t is None else t for t in known], dtype=np.int64)
        index = columns.source_index[:p]
        at = np.where(dated[index], published[index], columns.recorded_at[:p])
        counted = at <= published_by
        positions = np.arange(1, p + 1, dtype=np.int64)
        roots = columns.roots[:p]
        # For each fact: its tree's first event that does not count, and last that does.
        first_out = np.full(columns.length + 1, p + 1, dtype=np.int64)
        np.minimum.at(first_out, roots[~counted], positions[~counted])
        last_in = np.zeros(columns.length + 1, dtype=np.int64)
        np.maximum.at(last_in, roots[counted], positions[counted])
        if bool((last_in >= first_out).any()):
            return None
        view = np.full(columns.length + 1, -1, dtype=np.int64)
        view[1 : p + 1] = first_out[roots] - 1
        return _View(view, counted)

    def _from_folds(
        self,
        incident_id: UUID,
        valid_at: datetime | None,
        recorded_until: int | None,
        published_by: datetime,
        reading: Reading,
    ) -> tuple[bool, Incident | None]:
        """
        The answer of :meth:`state` from the folds kept in memory, where they can give it.

        Returns:
            ``(True, answer)``, or ``(False, None)`` when it must be folded from scratch.
        """
        tt = self._time_travel
        if tt is None or incident_id == SOURCES_REGISTRY:
            return False, None
        with tt._answering(incident_id):  # the lock, as the time travel's own answers hold it
            views = self._views(tt, incident_id, recorded_until, to_micros(published_by))
            if views is None:
                return False, None
            folded, view, registry, shared_view = views
            if shared_view is None:
                return False, None
            return True, self._state(folded, view, valid_at, reading, registry, shared_view)

    def _views(
        self, tt: Folds, incident_id: UUID, recorded_until: int | None, by: int
    ) -> tuple[BitemporalFold, _View, BitemporalFold, _View | None] | None:
        """
        The incident's fold and the view of the events that count, and the registry's.

        ``None`` (or no registry view) where the folds cannot answer.
        """
        registry = tt.folded(SOURCES_REGISTRY, recorded_until)
        rp = registry.prefix(recorded_until)
        shared_columns = self._columns_of(registry)
        shared = self._times(shared_columns, rp)
        if shared is None or not shared_columns.complete:
            return None
        shared_view = self._view(shared_columns, rp, shared, by)
        folded = tt.folded(incident_id, recorded_until)
        p = folded.prefix(recorded_until)
        columns = self._columns_of(folded)
        times = self._times(columns, p, shared)
        if times is None or not columns.complete:
            return None
        view = self._view(columns, p, times, by)
        if view is None:
            return None
        return folded, view, registry, shared_view

    def _state(
        self,
        folded: BitemporalFold,
        view: _View,
        valid_at: datetime | None,
        reading: Reading,
        registry: BitemporalFold,
        shared_view: _View,
    ) -> Incident | None:
        """The incident made by the events that count (see :meth:`BitemporalFold.state`)."""
        last = view.last
        if last == 0:
            return None
        at = view.view
        when = None if valid_at is None else to_micros(valid_at)
        certainly = reading is Reading.CERTAINLY
        state = folded.state_of(lambda index: index.select_each_at(at, when, certainly), last)
        if state is None or not shared_view.last:
            return state
        shared, judged = shared_sources(
            self._cited(folded, view),
            registry.indexes[Kind.SOURCE].select_each_at(shared_view.view),
            registry.indexes[Kind.ASSESSMENT].select_each_at(shared_view.view),
        )
        if not shared:
            return state
        return attrs.evolve(
            state, sources=state.sources + shared, assessments=state.assessments + judged
        )

    def _cited(self, folded: BitemporalFold, view: _View) -> set[UUID]:
        """The ids the events that count cite (:func:`incidents._domain.state.registry_citations`)."""
        columns = self._columns_of(folded)
        counted = view.counted
        p = len(counted)
        found = {columns.source_ids[i] for i in np.unique(columns.source_index[:p][counted])}
        positions = columns.reference_positions
        if len(positions):
            named = positions <= p
            named[named] = counted[positions[named] - 1]
            found.update(columns.referenced[i] for i in np.unique(columns.reference_index[named]))
        return {i for i in found if i is not None}

    # -- from scratch ---------------------------------------------------------------------

    def records(self, incident_id: UUID, recorded_until: int | None) -> list[Recorded]:
        """
        The incident's events recorded by a time, decoded.

        Args:
            incident_id: The incident.
            recorded_until: Recording time (µs), or ``None`` for everything.

        Returns:
            The events, in recording order.
        """
        rows = self._store.stream(incident_id, recorded_until=recorded_until)
        with paused_gc(len(rows)):  # many objects, no cycles (see incidents._gc)
            return [decode_trusted(row.state) for row in rows]

    def registry(
        self, recorded_until: int | None, published_by: datetime | None
    ) -> tuple[list[Recorded], dict[UUID, datetime | None]]:
        """
        The sources registry's events that count as published by a time, and its sources' times.

        Args:
            recorded_until: Recording time (µs), or ``None`` for everything.
            published_by: Publication time, in UTC (``None``: every event counts).

        Returns:
            The events that count, in recording order, and every registry
            source's publication time as known then.
        """
        records = self.records(SOURCES_REGISTRY, recorded_until)
        return counted(records, published_by), publication_times(records)

    def _fold(
        self,
        records: Sequence[Recorded],
        recorded_until: int | None,
        published_by: datetime | None,
        valid_at: datetime | None = None,
        reading: Reading = Reading.POSSIBLY,
    ) -> Incident | None:
        """Fold the events of an incident that count, with the registry as known and published."""
        registry, shared = self.registry(recorded_until, published_by)
        return fold(
            counted(records, published_by, shared),
            valid_at=valid_at,
            reading=reading,
            registry=registry,
        )

    def state(
        self,
        incident_id: UUID,
        valid_at: datetime | None,
        recorded_until: int | None,
        published_by: datetime,
        reading: Reading,
    ) -> Incident | None:
        """
        The incident at a valid time, as known at a recording time, as published by a time.

        Answered from the folds kept in memory where it can be, else folded
        from scratch (:meth:`state_from_scratch`).

        Args:
            incident_id: The incident.
            valid_at: Valid time, or ``None`` for every fact.
            recorded_until: Recording time (µs), or ``None`` for now.
            published_by: Publication time, in UTC.
            reading: How imprecise valid times count.

        Returns:
            The state, or ``None`` if the incident's opening does not count.
        """
        done, state = self._from_folds(incident_id, valid_at, recorded_until, published_by, reading)
        if done:
            return state
        return self.state_from_scratch(incident_id, valid_at, recorded_until, published_by, reading)

    def state_from_scratch(
        self,
        incident_id: UUID,
        valid_at: datetime | None,
        recorded_until: int | None,
        published_by: datetime,
        reading: Reading,
    ) -> Incident | None:
        """
        :meth:`state`, the events that count decoded and folded from scratch.

        Args:
            incident_id: The incident.
            valid_at: Valid time, or ``None`` for every fact.
            recorded_until: Recording time (µs), or ``None`` for now.
            published_by: Publication time, in UTC.
            reading: How imprecise valid times count.

        Returns:
            The state, or ``None`` if the incident's opening does not count.
        """
        with paused_gc():  # bulk work: the whole stream, decoded and folded
            records = self.records(incident_id, recorded_until)
            return self._fold(records, recorded_until, published_by, valid_at, reading)

    def history(self, history: History, published_by: datetime) -> History | None:
        """
        An incident's audit trail, only the entries whose sources were published by a time.

        Args:
            history: The whole trail.
            published_by: Publication time, in UTC.

        Returns:
            The entries that count, each as in the whole trail, under the
            title as published by then; ``None`` if the opening does not count.
        """
        tt = self._time_travel
        if tt is not None and history.incident_id != SOURCES_REGISTRY:
            with tt._answering(history.incident_id):
                views = self._views(tt, history.incident_id, None, to_micros(published_by))
                if views is not None:
                    folded, view = views[0], views[1]
                    heads = folded.indexes[Kind.OPENED].select_each_at(view.view)
                    if not heads:
                        return None
                    head = heads[0]
                    assert isinstance(head, IncidentOpened)
                    ids = folded.event_ids
                    kept = {ids[q] for q in np.flatnonzero(view.counted)}
                    return attrs.evolve(
                        history,
                        title=head.title,
                        entries=tuple(e for e in history if e.event_id in kept),
                        published_by=published_by,
                    )
        with paused_gc():  # bulk work: the whole stream, decoded and folded
            _, shared = self.registry(None, None)
            records = counted(self.records(history.incident_id, None), published_by, shared)
            state = fold(records)
            if state is None:
                return None
            kept = {r.event_id for r in records}
        return attrs.evolve(
            history,
            title=state.title,
            entries=tuple(e for e in history if e.event_id in kept),
            published_by=published_by,
        )

    def incidents(
        self,
        window: tuple[int, int] | None,
        recorded_until: int | None,
        published_by: datetime,
        reading: Reading,
        search: Search | None = None,
    ) -> list[Incident]:
        """
        The incidents as published by a time, optionally only those with facts in a window.

        The events published by a time are not a prefix of the stream, so
        every incident is answered (as :meth:`state` does) and then checked
        against *search*: no index can rule one out (a version made by some
        of its corrections only may never have stood in the stream).

        Args:
            window: ``(start, end)`` valid times in µs (inclusive), or ``None``.
            recorded_until: Recording time (µs), or ``None`` for now.
            published_by: Publication time, in UTC.
            reading: Possibly: a fact's valid time overlaps the window;
                certainly: it lies within the window.
            search: Filters the incidents must match, as published by then.

        Returns:
            Their states, in order of first recording.
        """
        found = []
        with paused_gc():  # bulk work: every incident's stream, decoded and folded
            registry, shared = self.registry(recorded_until, published_by)
            for incident_id in self._store.incident_ids():
                if incident_id == SOURCES_REGISTRY:
                    continue
                done, state = self._from_folds(
                    incident_id, None, recorded_until, published_by, Reading.POSSIBLY
                )
                if not done:
                    records = self.records(incident_id, recorded_until)
                    if not records:
                        continue
                    state = fold(counted(records, published_by, shared), registry=registry)
                if state is None:
                    continue
                if window is not None and not meets_window(
                    state, window[0], window[1], within=reading is Reading.CERTAINLY
                ):
                    continue
                if search is not None and not search.matches_incident(state):
                    continue
                found.append(state)
        return found

    def diff(
        self,
        incident_id: UUID,
        a: tuple[int | None, datetime | None],
        b: tuple[int | None, datetime | None],
    ) -> tuple[Incident | None, Incident, list[FactChange], dict[int, Event]] | None:
        """
        How the record of an incident differs between two views of it.

        Each view is a recording time and a publication time; the changes are
        worked out as :meth:`incidents._timetravel.service.TimeTravel.diff` does
        between two recording times (see :func:`changes`).

        Args:
            incident_id: The incident.
            a: The first view: ``(recorded until in µs or None, published by or None)``.
            b: The second view.

        Returns:
            Both states, the changes and the events that made them (by
            position), or ``None`` if the incident does not stand in view *b*.
        """
        newest = None if a[0] is None or b[0] is None else max(a[0], b[0])
        with paused_gc():  # bulk work: the whole stream, decoded and folded twice
            records = self.records(incident_id, newest)
            views = []
            registries = []
            for until, published_by in (a, b):
                known = [r for r in records if until is None or to_micros(r.recorded_at) <= until]
                registry, shared = self.registry(until, published_by)
                views.append(counted(known, published_by, shared))
                registries.append(registry)
            state_b = fold(views[1], registry=registries[1])
            if state_b is None:
                return None
            found, events = changes(views[0], views[1])
            return fold(views[0], registry=registries[0]), state_b, found, events


def changes(
    a: Sequence[Recorded], b: Sequence[Recorded]
) -> tuple[list[FactChange], dict[int, Event]]:
    """
    How the facts differ between two sets of one incident's events.

    Each fact is compared as it stands in *a* and in *b* (corrections and
    retractions of each set applied). The events that made the difference
    (``by``) are found by going from *a* to *b* one event at a time, those
    of *a* that *b* lacks first, then those of *b* that *a* lacks, each in
    stream order: an event is named where the fact's version changed as it
    came or went. Between two recording times this is exactly the
    bitemporal fold's diff.

    Args:
        a: The first set, in recording order.
        b: The second set, in recording order.

    Returns:
        The changes, in stream order of their facts, and the events named in
        their ``by`` (the facts themselves aside), by position.
    """
    in_a = {r.event_id for r in a}
    in_b = {r.event_id for r in b}
    everything = {r.event_id: r for r in (*a, *b)}
    root = _roots(everything)
    trees: dict[UUID, list[Recorded]] = {}
    for record in sorted(everything.values(), key=lambda r: r.position):
        fact_id = root(record.event_id)
        if fact_id is not None:
            trees.setdefault(fact_id, []).append(record)
    touched = {f for event_id in in_a ^ in_b if (f := root(event_id)) is not None}
    found: list[FactChange] = []
    events: dict[int, Event] = {}
    for fact_id in sorted(touched, key=lambda f: everything[f].position):
        change = _fact_change(everything[fact_id], trees[fact_id], in_a, in_b)
        if change is not None:
            found.append(change)
            for record in trees[fact_id]:
                if record.position in change.by_positions and record.event_id != fact_id:
                    events[record.position] = record.event
    return found, events


def _roots(everything: dict[UUID, Recorded]) -> Callable[[UUID], UUID | None]:
    """The fact each event belongs to (itself for a fact), or None if its chain leaves the set."""
    memo: dict[UUID, UUID | None] = {}

    def root(event_id: UUID) -> UUID | None:
        path = []
        current: UUID | None = event_id
        while current is not None and current not in memo:
            record = everything.get(current)
            if record is None:
                current = None
                break
            event = record.event
            if type(event) in KIND_OF:
                memo[current] = current
                break
            path.append(current)
            assert isinstance(event, Correction | Retraction)
            current = event.target_id
        found = None if current is None else memo[current]
        for step in path:
            memo[step] = found
        return found

    return root


def _fact_change(
    fact: Recorded, tree: list[Recorded], in_a: set[UUID], in_b: set[UUID]
) -> FactChange | None:
    fact_id = fact.event_id

    def version(present: set[UUID]) -> _Version:
        if fact_id not in present:
            return None
        members = [r.event for r in tree if r.event_id != fact_id and r.event_id in present]
        gone, effective = settle(fact.event, members)
        return None if fact_id in gone else effective(fact_id)

    before, after = version(in_a), version(in_b)
    if before == after:
        return None
    # From a to b, one event at a time: where the fact's version changes.
    present = {r.event_id for r in tree if r.event_id in in_a}
    steps = [(r, False) for r in tree if r.event_id in in_a and r.event_id not in in_b]
    steps += [(r, True) for r in tree if r.event_id in in_b and r.event_id not in in_a]
    marks = []
    standing = before
    for record, arriving in steps:
        if arriving:
            present.add(record.event_id)
        else:
            present.discard(record.event_id)
        now = version(present)
        if now != standing:
            marks.append(record)
            standing = now
    marks.sort(key=lambda r: r.position)
    kind: FactChangeKind
    fields: tuple[FieldChange, ...] = ()
    if before is None:
        kind = FactChangeKind.ADDED if fact_id not in in_a else FactChangeKind.RESTORED
    elif after is None:
        kind = FactChangeKind.RETRACTED
    else:
        kind = FactChangeKind.CORRECTED
        fields = field_changes(before[0], after[0])
    return FactChange(
        kind=kind,
        fact_id=fact_id,
        fact_type=fact.event.TYPE,
        fact_position=fact.position,
        before=None if before is None else before[0],
        after=None if after is None else after[0],
        fields=fields,
        by=tuple(r.event_id for r in marks),
        by_positions=tuple(r.position for r in marks),
    )
