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

The bitemporal fold (:mod:`incidents._timetravel.fold`) answers for a
prefix of the stream; the events published by a time are not one, so these
answers fold the events that count from scratch (:func:`incidents.fold`, the
naive fold the bitemporal one is tested against): every question decodes and
folds the incident's stream as known at ``known_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from incidents._codec.trusted import decode_trusted
from incidents._domain.events import (
    SOURCES_REGISTRY,
    Correction,
    Event,
    Recorded,
    Retraction,
    SourceRegistered,
)
from incidents._domain.state import Incident, Reading, fold, settle_events
from incidents._gc import paused_gc
from incidents._timetravel.fold import KIND_OF, settle
from incidents._timetravel.history import (
    FactChange,
    FactChangeKind,
    FieldChange,
    History,
    field_changes,
)
from incidents.storage import Store, to_micros

__all__ = ["Published", "counted", "meets_window", "publication_times"]

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
        True if an aircraft, patrol, intercept or statement does.
    """
    for facts in (state.aircraft, state.patrols, state.intercepts, state.statements):
        for fact in facts:
            valid_time = fact.valid_time
            if valid_time.earliest is None or valid_time.latest is None:
                continue
            early, late = to_micros(valid_time.earliest), to_micros(valid_time.latest)
            if (start <= early and late <= end) if within else (early <= end and late >= start):
                return True
    return False


class Published:
    """
    Answers "as published by" questions for one ledger's store, folding from scratch.

    Args:
        store: The ledger's storage.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

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
    ) -> list[Incident]:
        """
        The incidents as published by a time, optionally only those with facts in a window.

        Args:
            window: ``(start, end)`` valid times in µs (inclusive), or ``None``.
            recorded_until: Recording time (µs), or ``None`` for now.
            published_by: Publication time, in UTC.
            reading: Possibly: a fact's valid time overlaps the window;
                certainly: it lies within the window.

        Returns:
            Their states, in order of first recording.
        """
        found = []
        with paused_gc():  # bulk work: every incident's stream, decoded and folded
            registry, shared = self.registry(recorded_until, published_by)
            for incident_id in self._store.incident_ids():
                if incident_id == SOURCES_REGISTRY:
                    continue
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
