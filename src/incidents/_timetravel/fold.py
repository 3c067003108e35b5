"""
The bitemporal fold of one incident: every version of every fact, with when it stood.

A :class:`BitemporalFold` folds an incident's recorded events once, in recording
order, and keeps the result *bitemporally*: each fact (the incident itself,
a source, aircraft, a patrol, an intercept, a statement, an assessment, a
reconciliation, a zone entry, a protest, a series or a link...) has one or more
versions, and each version knows the stretch of the stream during which it
was the record's view of that fact (from the position of the event that
made it, until the position of the event that replaced or withdrew it).
"As known at recording time R" is a prefix of the stream (recording time
never goes backwards along it), so the state as known at R is simply the
set of versions standing at that prefix's last position; "at valid time T"
then keeps the facts in effect at T. Both filters run over sorted numpy
columns (:mod:`incidents._timetravel.index`), so a question about an old
recording time costs what a question about the present costs, and neither
decodes anything.

Folding is incremental. A new fact opens a version. A correction of a fact
applies on top of the fact's current effective value (the common case, one
``apply_changes``). A retraction, or a correction of a correction, settles
the whole *tree* of its fact again: every correction or retraction points,
directly or through other corrections and retractions, at exactly one fact,
and nothing outside that tree can change the outcome. The rules are those of
:func:`incidents._domain.state.effective_events`; the tests check the fold
against a naive fold for random histories.

Each correction or retraction's *effect* (which version it opened or
closed, which events it withdrew or reinstated) is journaled, so that the
expensive part of the fold can be kept as a snapshot and replayed without
re-applying corrections (see :mod:`incidents._timetravel.snapshots`).
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from incidents._codec.canonical import apply_changes
from incidents._domain.events import (
    AircraftReported,
    AirspaceViolationAlleged,
    AreaReported,
    AssessmentMade,
    Correction,
    DiplomaticProtest,
    Event,
    FlightDurationReported,
    IncidentLinked,
    IncidentOpened,
    InterceptReported,
    LandingReported,
    PatrolReported,
    Recorded,
    ReportsReconciled,
    Retraction,
    SeriesAssigned,
    SourceRegistered,
    StatementIssued,
    TrackObserved,
    WarningShotsReported,
    ZoneAmended,
    ZoneDeclared,
    ZoneEntryReported,
)
from incidents._domain.state import (
    ENTITY_BUILDERS,
    UNDATED_BUILDERS,
    Incident,
    Reading,
    assessment_of,
    reconciliation_of,
    settle_events,
    source_of,
)
from incidents._errors import InvalidInputError, StorageError
from incidents._timetravel.index import INFINITY, Index
from incidents.storage import from_micros, to_micros

__all__ = ["BitemporalFold", "Effect", "Kind", "Version", "settle"]

Loader = Callable[[list[UUID]], dict[UUID, Event]]
"""Reads events from storage by id."""


class Kind(enum.IntEnum):
    """
    The kinds of facts a fold keeps, plus the withdrawals of events.
    """

    OPENED = 0
    SOURCE = 1
    AIRCRAFT = 2
    PATROL = 3
    INTERCEPT = 4
    STATEMENT = 5
    WITHDRAWN = 6
    ASSESSMENT = 8
    RECONCILIATION = 7
    ZONE_ENTRY = 9
    VIOLATION = 10
    WARNING_SHOTS = 11
    PROTEST = 12
    LANDING = 13
    DURATION = 14
    SERIES = 15
    LINK = 16
    # Geography (20..29): tracks and reported areas of an incident; a zone's
    # declaration and amendments, which make up a zone's own stream.
    TRACK = 20
    AREA = 21
    ZONE = 22
    ZONE_AMENDMENT = 23


KIND_OF: dict[type[Event], Kind] = {
    IncidentOpened: Kind.OPENED,
    SourceRegistered: Kind.SOURCE,
    AircraftReported: Kind.AIRCRAFT,
    PatrolReported: Kind.PATROL,
    InterceptReported: Kind.INTERCEPT,
    StatementIssued: Kind.STATEMENT,
    AssessmentMade: Kind.ASSESSMENT,
    ReportsReconciled: Kind.RECONCILIATION,
    ZoneEntryReported: Kind.ZONE_ENTRY,
    AirspaceViolationAlleged: Kind.VIOLATION,
    WarningShotsReported: Kind.WARNING_SHOTS,
    DiplomaticProtest: Kind.PROTEST,
    LandingReported: Kind.LANDING,
    FlightDurationReported: Kind.DURATION,
    SeriesAssigned: Kind.SERIES,
    IncidentLinked: Kind.LINK,
    TrackObserved: Kind.TRACK,
    AreaReported: Kind.AREA,
    ZoneDeclared: Kind.ZONE,
    ZoneAmended: Kind.ZONE_AMENDMENT,
}
"""Event classes that state facts (everything but corrections and retractions)."""

_TIMED = frozenset(KIND_OF[cls] for cls in ENTITY_BUILDERS)
_BUILDERS = {
    kind: {**ENTITY_BUILDERS, **UNDATED_BUILDERS}[cls]
    for cls, kind in KIND_OF.items()
    if cls in ENTITY_BUILDERS or cls in UNDATED_BUILDERS
}


def build_entity(
    kind: Kind,
    fact_id: UUID,
    event: Event,
    applied: tuple[UUID, ...],
    attribution: tuple[str, datetime] | None = None,
) -> object:
    """
    The state object of one version of a fact, exactly as :func:`incidents.fold` builds it.

    Args:
        kind: The fact's kind.
        fact_id: The id of the event that stated the fact.
        event: The fact as it stands (corrections applied).
        applied: Ids of the corrections applied.
        attribution: For an assessment: who recorded it and when.

    Returns:
        The :class:`~incidents.IncidentOpened` event itself for the incident's
        own header, a :class:`~incidents.Source`, an
        :class:`~incidents.Assessment`, or an aircraft, patrol, intercept or
        statement.
        own header, a :class:`~incidents.Source`, a reconciliation, or an
        aircraft, patrol, intercept or statement.
    """
    build = _BUILDERS.get(kind)
    if build is not None:
        return build(fact_id, event, applied)
    if kind in (Kind.OPENED, Kind.ZONE, Kind.ZONE_AMENDMENT):
        return event
    if kind is Kind.ASSESSMENT:
        assert isinstance(event, AssessmentMade)
        assert attribution is not None
        return assessment_of(fact_id, event, applied, attribution)
    if kind is Kind.RECONCILIATION:
        assert isinstance(event, ReportsReconciled)
        return reconciliation_of(fact_id, event, applied)
    assert isinstance(event, SourceRegistered)
    return source_of(event, applied)


# -- settling a fact's tree of corrections and retractions ----------------------------


def settle(
    root: Event, tree: Iterable[Event]
) -> tuple[set[UUID], Callable[[UUID], tuple[Event, tuple[UUID, ...]]]]:
    """
    Apply the corrections and retractions of one fact's tree.

    The rules of :func:`incidents._domain.state.effective_events`, for one tree: a
    retraction withdraws its target unless it is itself withdrawn; a
    correction applies (in recording order, field by field) unless it is
    withdrawn or no longer fits; a correction can itself be corrected.

    Args:
        root: The fact, as recorded.
        tree: The corrections and retractions pointing (directly or not) at
            it, in recording order.

    Returns:
        The ids of the withdrawn events, and a function giving any event's
        effective value (withdrawn or not) with the corrections applied to it.
    """
    members = [root, *tree]
    withdrawn, effective = settle_events(members)
    gone = {event.event_id for event in members if withdrawn(event.event_id)}
    return gone, effective


# -- the fold -------------------------------------------------------------------------


class Version:
    """
    One version of a fact: its value from one stream position until another.

    Attributes:
        known_from: Position of the event that made this version.
        known_until: Position of the event that replaced or withdrew it
            (:data:`INFINITY` while it stands).
        event: The fact as it stood (corrections applied).
        applied: Ids of the corrections applied.
        entry: Its entry in the kind's index, which holds its state object
            (see :meth:`BitemporalFold.entity`).
    """

    __slots__ = ("applied", "entry", "event", "known_from", "known_until")

    def __init__(
        self, known_from: int, event: Event, applied: tuple[UUID, ...], entry: int
    ) -> None:
        self.known_from = known_from
        self.known_until = INFINITY
        self.event = event
        self.applied = applied
        self.entry = entry

    def stands_at(self, p: int) -> bool:
        """
        Whether this version is the record's view at stream position *p*.
        """
        return self.known_from <= p < self.known_until


class _Fact:
    """A fact of the incident and everything that ever pointed at it."""

    __slots__ = ("applied", "effective", "event_id", "kind", "position", "raw", "tree", "versions")

    def __init__(self, event_id: UUID, position: int, kind: Kind, raw: Event) -> None:
        self.event_id = event_id
        self.position = position
        self.kind = kind
        self.raw = raw
        # The current effective value, kept while the fact stands; None forces a full settle.
        self.effective: Event | None = raw
        self.applied: tuple[UUID, ...] = ()
        self.versions: list[Version] = []
        # (position, event) of each correction or retraction in the fact's tree,
        # in recording order; replayed ones are read from storage when needed.
        self.tree: list[tuple[int, Event | None]] = []

    @property
    def live(self) -> bool:
        return bool(self.versions) and self.versions[-1].known_until == INFINITY

    def members(self, load: Callable[[list[int]], dict[int, Event]]) -> list[tuple[int, Event]]:
        """
        The corrections and retractions of the fact's tree, in recording order.

        Args:
            load: Reads the events of replayed members from storage, by position.

        Raises:
            StorageError: If a replayed member cannot be read.
        """
        unread = [position for position, item in self.tree if item is None]
        if unread:
            found = load(unread)
            self.tree = [(q, found[q] if item is None else item) for q, item in self.tree]
        return self.tree  # type: ignore[return-value]

    def version_at(self, p: int) -> Version | None:
        """
        The version standing at stream position *p*, if any.
        """
        for version in reversed(self.versions):
            if version.known_from <= p:
                return version if p < version.known_until else None
        return None


class Effect(NamedTuple):
    """
    What one correction or retraction did: the fold's result, as journaled.

    Attributes:
        root: Stream position of the fact whose tree it belongs to.
        version: ``None`` (the fact's version is unchanged), ``"close"`` (the
            fact was withdrawn) or ``(event, applied)``, the fact's new version.
        flips: ``(position, withdrawn)`` for each event whose withdrawal changed.
    """

    root: int
    version: str | tuple[Event, tuple[UUID, ...]] | None
    flips: tuple[tuple[int, bool], ...]


class StaleSnapshotError(Exception):
    """A journaled effect does not fit the events it is replayed against."""


class BitemporalFold:
    """
    The bitemporal fold of one incident's stream (see the module documentation).

    Args:
        incident_id: The incident.
        load: Reads events from storage by stream position, for corrections and
            retractions folded from a snapshot without being decoded.
    """

    def __init__(self, incident_id: UUID, load: Loader | None = None) -> None:
        self.incident_id = incident_id
        self.load = load
        self.recorded_at: list[int] = []
        self.event_ids: list[UUID] = []
        # The source each position's event cites (``None`` where not read): what
        # dates it for "as published by" reads (incidents._timetravel.published).
        self.source_ids: list[UUID | None] = []
        self.position_of: dict[UUID, int] = {}
        self.sequence = 0
        self.facts: dict[UUID, _Fact] = {}
        self.fact_of: dict[UUID, UUID] = {}
        self.withdrawn: dict[UUID, int] = {}
        self.flips_at: dict[int, tuple[tuple[int, bool], ...]] = {}
        self.indexes = {kind: Index(kind in _TIMED) for kind in Kind}
        # Who recorded each assessment, and when: its state names them.
        self.attribution: dict[UUID, tuple[str, datetime]] = {}
        # Effects computed here (not replayed), by position, for snapshots.
        self.journal: dict[int, Effect] = {}
        # Every id the events cite that may be a source of the sources registry
        # (sources, a source's cites, an assessment's target and citations), with
        # the first position citing it: the registry sources an incident shows.
        self.cited: dict[UUID, int] = {}
        # The same ids from the fields that may name registry sources, with every
        # position naming them ("as published by" reads only some positions).
        self.references: list[tuple[int, UUID]] = []
        self._last_cited: object = None

    def read(self, positions: list[int]) -> dict[int, Event]:
        """
        The events at some stream positions, read from storage.

        Args:
            positions: Positions already folded.

        Returns:
            Each position's event.

        Raises:
            StorageError: If there is nothing to read them from, or they are missing.
        """
        if self.load is None:
            raise StorageError(f"incident {self.incident_id}: events {positions} cannot be read")
        ids = {self.event_ids[q - 1]: q for q in positions}
        found = self.load(list(ids))
        missing = set(ids) - set(found)
        if missing:
            raise StorageError(
                f"incident {self.incident_id}: events {sorted(map(str, missing))} are missing"
            )
        return {ids[event_id]: event for event_id, event in found.items()}

    @property
    def position(self) -> int:
        """
        The last stream position folded (0 when empty).
        """
        return len(self.recorded_at)

    def __len__(self) -> int:
        return sum(len(index) for index in self.indexes.values())

    def prefix(self, recorded_until: int | None) -> int:
        """
        The last position recorded at or before a time (µs), by bisection.

        Args:
            recorded_until: Recording time in µs, or ``None`` for the last position.

        Returns:
            A stream position (0 when nothing was recorded by then).
        """
        if recorded_until is None:
            return self.position
        return bisect.bisect_right(self.recorded_at, recorded_until)

    # -- folding ----------------------------------------------------------------------

    def append(
        self,
        record: Recorded,
        recorded_at: int,
        *,
        covered: bool = False,
        effect: Effect | None = None,
    ) -> None:
        """
        Fold the next recorded event.

        Args:
            record: The event, at the next stream position.
            recorded_at: Its recording time in µs (the stored column).
            covered: A snapshot covers this position: replay *effect*
                instead of computing it.
            effect: The journaled effect of a covered correction or
                retraction (``None`` when it had none).

        Raises:
            StorageError: If the record does not continue the stream.
            StaleSnapshotError: If a replayed effect does not fit.
        """
        q = self.position + 1
        event = record.event
        if record.position != q or event.incident_id != self.incident_id:
            raise StorageError(
                f"incident {self.incident_id}: expected stream position {q}, read "
                f"{record.position} of incident {event.incident_id}"
            )
        self.recorded_at.append(recorded_at)
        self.event_ids.append(event.event_id)
        self.source_ids.append(event.source_id)
        self.position_of[event.event_id] = q
        self.sequence = record.sequence
        self._cite(event.source_id, q)
        for name in event.REGISTRY_FIELDS:
            value = getattr(event, name)
            for cited in (value,) if isinstance(value, UUID) else value:
                self.cited.setdefault(cited, q)
                self.references.append((q, cited))
        kind = KIND_OF.get(type(event))
        if kind is not None:
            fact = _Fact(event.event_id, q, kind, event)
            self.facts[event.event_id] = fact
            if kind is Kind.ASSESSMENT:
                self.attribution[event.event_id] = (record.recorder, record.recorded_at)
            self._open(fact, q, event, ())
            if effect is not None:
                raise StaleSnapshotError(f"position {q} is a fact, not a correction")
            return
        assert isinstance(event, Correction | Retraction)
        target = event.target_id
        fact_id = target if target in self.facts else self.fact_of.get(target)
        if fact_id is None:
            raise StorageError(
                f"incident {self.incident_id}: {event.TYPE} {event.event_id} at position {q} "
                f"targets {target}, which is not earlier in the stream"
            )
        fact = self.facts[fact_id]
        self.fact_of[event.event_id] = fact_id
        fact.tree.append((q, event))
        if not covered:
            effect = self._compute(fact, event, q)
            self.journal[q] = effect
        elif effect is None:
            raise StaleSnapshotError(f"no effect journaled for the {event.TYPE} at {q}")
        elif effect.root != fact.position:
            raise StaleSnapshotError(f"position {q} belongs to the fact at {fact.position}")
        self._apply(fact, q, effect)

    def _cite(self, source_id: UUID, q: int) -> None:
        # Events of a stream mostly share one source object: skip the hashing then.
        if source_id is not self._last_cited:
            self._last_cited = source_id
            self.cited.setdefault(source_id, q)

    def registry_cited(self, p: int) -> set[UUID]:
        """
        The ids cited at positions up to *p* that are not the incident's own facts.

        Args:
            p: The last position known.

        Returns:
            Those ids: the registry sources among them are the ones the incident shows.
        """
        facts = self.facts
        return {i for i, q in self.cited.items() if q <= p and i not in facts}

    def append_unread(
        self,
        *,
        position: int,
        event_id: UUID,
        sequence: int,
        recorded_at: int,
        effect: Effect,
        source_id: UUID | None = None,
    ) -> None:
        """
        Fold a correction or retraction from its stored columns and journaled effect.

        The event itself is read from storage only if something later needs it
        (a retraction settling its tree, the history).

        Args:
            position: Its stream position (the next one).
            event_id: Its id.
            sequence: Its global sequence.
            recorded_at: Its recording time (µs).
            effect: Its journaled effect.
            source_id: The source it cites (read from its stored bytes), if known.

        Raises:
            StorageError: If it does not continue the stream.
            StaleSnapshotError: If the effect names a fact that is not there.
        """
        q = self.position + 1
        if position != q:
            raise StorageError(
                f"incident {self.incident_id}: expected stream position {q}, read {position}"
            )
        if not 0 < effect.root < q:
            raise StaleSnapshotError(f"position {q} names the fact at {effect.root}")
        fact = self.facts.get(self.event_ids[effect.root - 1])
        if fact is None:
            raise StaleSnapshotError(f"position {effect.root} is not a fact")
        self.recorded_at.append(recorded_at)
        self.event_ids.append(event_id)
        self.source_ids.append(source_id)
        self.position_of[event_id] = q
        self.sequence = sequence
        self.fact_of[event_id] = fact.event_id
        if source_id is not None:
            self._cite(source_id, q)
        fact.tree.append((q, None))
        self._apply(fact, q, effect)

    def _compute(self, fact: _Fact, event: Correction | Retraction, q: int) -> Effect:
        if (
            isinstance(event, Correction)
            and event.target_id == fact.event_id
            and fact.effective is not None
        ):
            # The common case: a correction of the fact itself, applied last.
            try:
                corrected = apply_changes(fact.effective, event.changes)
            except InvalidInputError:
                return Effect(fact.position, None, ())
            return Effect(fact.position, (corrected, (*fact.applied, event.event_id)), ())
        members = [e for _, e in fact.members(self.read)]
        gone, effective = settle(fact.raw, members)
        flips = []
        for event_id in (fact.event_id, *(e.event_id for e in members)):
            now = event_id in gone
            if now != (event_id in self.withdrawn):
                flips.append((self.position_of[event_id], now))
        version: str | tuple[Event, tuple[UUID, ...]] | None = None
        if fact.event_id in gone:
            if fact.live:
                version = "close"
        else:
            value, applied = effective(fact.event_id)
            if not fact.live or applied != fact.applied or value != fact.effective:
                version = (value, applied)
        return Effect(fact.position, version, tuple(flips))

    def _apply(self, fact: _Fact, q: int, effect: Effect) -> None:
        if effect.version is None and not effect.flips:
            return
        # Cheap checks that a replayed effect is about this fact and its tree.
        if isinstance(effect.version, tuple):
            value = effect.version[0]
            if value.event_id != fact.event_id or KIND_OF.get(type(value)) is not fact.kind:
                raise StaleSnapshotError(f"position {q} gives the fact another value")
        elif effect.version not in (None, "close"):
            raise StaleSnapshotError(f"position {q} has an unknown effect {effect.version!r}")
        for position, _ in effect.flips:
            event_id = self.event_ids[position - 1] if 0 < position <= q else None
            if event_id != fact.event_id and self.fact_of.get(event_id) != fact.event_id:  # type: ignore[arg-type]
                raise StaleSnapshotError(f"position {q} flips {position}, outside its tree")
        if effect.version is not None:
            if fact.live:
                current = fact.versions[-1]
                current.known_until = q
                self.indexes[fact.kind].close(current.entry, q)
            elif effect.version == "close":
                raise StaleSnapshotError(f"position {q} closes a fact that does not stand")
            if isinstance(effect.version, tuple):
                self._open(fact, q, *effect.version)
            else:
                fact.effective = None
        withdrawals = self.indexes[Kind.WITHDRAWN]
        for position, now in effect.flips:
            event_id = self.event_ids[position - 1]
            if now:
                if event_id in self.withdrawn:
                    raise StaleSnapshotError(f"position {q} withdraws {position} twice")
                self.withdrawn[event_id] = withdrawals.add(position, q, None, None, event_id)
            else:
                entry = self.withdrawn.pop(event_id, None)
                if entry is None:
                    raise StaleSnapshotError(f"position {q} reinstates {position} twice")
                withdrawals.close(entry, q)
        if effect.flips:
            self.flips_at[q] = effect.flips

    def _open(self, fact: _Fact, q: int, event: Event, applied: tuple[UUID, ...]) -> None:
        entity = build_entity(
            fact.kind, fact.event_id, event, applied, self.attribution.get(fact.event_id)
        )
        early = late = None
        if fact.kind in _TIMED:
            valid_time = event.valid_time  # type: ignore[attr-defined]
            if valid_time.earliest is not None:
                early, late = to_micros(valid_time.earliest), to_micros(valid_time.latest)
        entry = self.indexes[fact.kind].add(fact.position, q, early, late, entity)
        fact.versions.append(Version(q, event, applied, entry))
        fact.effective = event
        fact.applied = applied

    # -- reading ------------------------------------------------------------------------

    def entity(self, kind: Kind, version: Version) -> object:
        """
        The state object of one version of a fact of kind *kind*.

        Args:
            kind: The fact's kind.
            version: One of its versions.

        Returns:
            What :func:`build_entity` built for that version.
        """
        return self.indexes[kind].e_obj[version.entry]

    def state(
        self, p: int, valid_at: datetime | None = None, reading: Reading = Reading.POSSIBLY
    ) -> Incident | None:
        """
        The incident as it stood at valid time *valid_at*, as known at stream position *p*.

        Args:
            p: The last position known (the prefix's end).
            valid_at: Only facts in effect then (all when ``None``).
            reading: How imprecise valid times count against *valid_at*.

        Returns:
            The incident, equal to :func:`incidents.fold` of the first *p*
            events, or ``None`` when *p* is 0.
        """
        p = min(p, self.position)
        if p <= 0:
            return None
        at = None if valid_at is None else to_micros(valid_at)
        certainly = reading is Reading.CERTAINLY
        return self.state_of(lambda index: index.select(p, at, certainly), p)

    def state_of(self, select: Callable[[Index], list[Any]], last: int) -> Incident | None:
        """
        The incident made of the entries *select* picks from each kind's index.

        Args:
            select: The objects of one index's entries that stand (and are
                in effect), in key order: :meth:`Index.select` at a position,
                or :meth:`Index.select_each_at` (as published by a time).
            last: The last position that counts (at least 1).

        Returns:
            The incident, or ``None`` without an opening.
        """
        heads = select(self.indexes[Kind.OPENED])
        if not heads:
            return None
        head = heads[0]
        assert isinstance(head, IncidentOpened)

        def facts(kind: Kind) -> tuple[Any, ...]:
            return tuple(select(self.indexes[kind]))

        return Incident(
            id=head.incident_id,
            title=head.title,
            summary=head.summary,
            region=head.region,
            sources=facts(Kind.SOURCE),
            aircraft=facts(Kind.AIRCRAFT),
            patrols=facts(Kind.PATROL),
            intercepts=facts(Kind.INTERCEPT),
            statements=facts(Kind.STATEMENT),
            assessments=facts(Kind.ASSESSMENT),
            reconciliations=facts(Kind.RECONCILIATION),
            zone_entries=facts(Kind.ZONE_ENTRY),
            airspace_violations=facts(Kind.VIOLATION),
            warning_shots=facts(Kind.WARNING_SHOTS),
            protests=facts(Kind.PROTEST),
            landings=facts(Kind.LANDING),
            flight_durations=facts(Kind.DURATION),
            series=facts(Kind.SERIES),
            links=facts(Kind.LINK),
            tracks=facts(Kind.TRACK),
            areas=facts(Kind.AREA),
            retracted=facts(Kind.WITHDRAWN),
            last_position=last,
            last_recorded_at=from_micros(self.recorded_at[last - 1]),
        )

    def meets_window(self, p: int, start: int, end: int, *, within: bool) -> bool:
        """
        Whether a fact of known valid time standing at *p* meets ``[start, end]`` (µs).

        Args:
            p: The last position known.
            start: Window start.
            end: Window end.
            within: Require the fact's valid time to lie within the window.

        Returns:
            True if a dated fact (aircraft, patrol, intercept, statement,
            zone entry, violation, warning shots, protest, landing, duration) does.
        """
        return any(self.indexes[k].overlapping(p, start, end, within) for k in sorted(_TIMED))

    def facts_changed(self, after: int, until: int) -> list[_Fact]:
        """
        The facts stated, corrected or withdrawn at positions in ``(after, until]``.

        Args:
            after: Exclusive start position.
            until: Inclusive end position.

        Returns:
            Those facts, in stream order, each once.
        """
        seen: dict[UUID, _Fact] = {}
        for q in range(after + 1, min(until, self.position) + 1):
            event_id = self.event_ids[q - 1]
            fact_id = event_id if event_id in self.facts else self.fact_of[event_id]
            if fact_id not in seen:
                seen[fact_id] = self.facts[fact_id]
        return sorted(seen.values(), key=lambda f: f.position)

    def fact_at(self, position: int) -> _Fact:
        """
        The fact whose tree holds the event at *position* (or that it states).
        """
        event_id = self.event_ids[position - 1]
        return self.facts[event_id if event_id in self.facts else self.fact_of[event_id]]

    def event_at(self, position: int) -> Event:
        """
        The event recorded at *position* (a fact as recorded, or a correction or retraction).
        """
        event_id = self.event_ids[position - 1]
        fact = self.facts.get(event_id)
        if fact is not None:
            return fact.raw
        for q, event in self.facts[self.fact_of[event_id]].members(self.read):
            if q == position:
                return event
        raise KeyError(position)  # pragma: no cover - every position is one or the other
