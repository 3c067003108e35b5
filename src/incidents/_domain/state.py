"""
Domain state: what an incident looks like once its events are folded.

Everything here is pure: :func:`fold` turns recorded events into an
:class:`Incident` without I/O, and the same events always give the same
state. Corrections and retractions are applied here; the events they target
stay in the record untouched.

Rules of the fold:

* a correction replaces the named fields of its target; several corrections
  of the same target apply in recording order, so the last recorded wins
  field by field;
* a retraction withdraws its target; a withdrawn correction no longer
  applies and a withdrawn retraction no longer withdraws; a correction may
  itself be corrected;
* facts are listed in valid-time order (earliest, then latest possible
  instant; unknown times last), ties broken by recording position.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs

from incidents._domain.catalogue import AircraftCatalogue, default_catalogue
from incidents._domain.contradictions import (
    Assessment,
    ComparedClaim,
    Contradictions,
    assessments_beside,
    compare_claims,
)
from incidents._domain.convert import OMIT_WHEN_DEFAULT, apply_changes
from incidents._domain.events import (
    AircraftReported,
    AssessmentMade,
    Claim,
    Correction,
    Credibility,
    Event,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    PatrolReported,
    Recorded,
    Reliability,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    claim_ids,
)
from incidents._domain.geo import Location
from incidents._domain.time import ValidTime, to_utc
from incidents._errors import IncidentsError, InvalidInputError

__all__ = [
    "Aircraft",
    "Assessment",
    "Incident",
    "Intercept",
    "Patrol",
    "Reading",
    "Source",
    "Statement",
    "assessment_of",
    "effective_events",
    "fold",
]


class Reading(enum.Enum):
    """
    How to read "in effect at valid time T" for facts whose time is imprecise.

    ``POSSIBLY``: the fact may have happened by T (its earliest possible instant
    is at or before T). ``CERTAINLY``: it had certainly happened by T (its
    latest possible instant is at or before T). Facts of unknown time count as
    possibly, never certainly, in effect.
    """

    POSSIBLY = "possibly"
    CERTAINLY = "certainly"


@attrs.frozen(kw_only=True)
class Source:
    """
    A registered source, as it currently stands.

    Attributes:
        id: The source id (the id of its registration event).
        kind: Kind of document.
        publisher: Who published it.
        title: Its title.
        url: Where to read it.
        published_at: When it was published.
        language: Its language.
        cites: The source it reports from.
        reliability: Admiralty reliability.
        credibility: Admiralty credibility.
        corrections: Ids of the corrections applied to it.
    """

    id: UUID
    kind: SourceKind
    publisher: str
    title: str | None
    url: str | None
    published_at: datetime | None
    language: str | None
    cites: UUID | None
    reliability: Reliability
    credibility: Credibility
    corrections: tuple[UUID, ...] = ()

    def describe(self) -> str:
        """
        Render the source for people, e.g. ``"NORAD (press release) [A2]"``.

        Returns:
            Publisher, kind, title and Admiralty grade.
        """
        kind = self.kind.value.replace("_", " ")
        title = f' "{self.title}"' if self.title else ""
        return (
            f"{self.publisher} ({kind}){title} [{self.reliability.value}{self.credibility.value}]"
        )


@attrs.frozen(kw_only=True)
class Aircraft:
    """
    Aircraft of one type and nation reported in the incident.

    Attributes:
        id: Id of the event that reported them.
        type_designation: e.g. ``"H-6"``.
        nation: ISO 3166-1 alpha-2 code.
        count: Number of airframes.
        valid_time: When they were there.
        operator: Operating service.
        role: Role, e.g. ``"strategic bomber"``.
        location: Where.
        source_id: The source reporting them.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    type_designation: str
    nation: str
    count: int
    valid_time: ValidTime
    operator: str | None
    role: str | None
    location: Location | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class Patrol:
    """
    A patrol reported in the incident.

    Attributes:
        id: Id of the event that reported it.
        aircraft: Ids of the participating :class:`Aircraft`.
        nations: Participating nations.
        areas: Named areas.
        joint: Whether it was joint.
        valid_time: When.
        purpose: Declared purpose.
        location: Where.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    aircraft: tuple[UUID, ...]
    nations: tuple[str, ...]
    areas: tuple[str, ...]
    joint: bool
    valid_time: ValidTime
    purpose: str | None
    location: Location | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class Intercept:
    """
    An intercept reported in the incident.

    Attributes:
        id: Id of the event that reported it.
        interceptors: Who responded.
        intercepted: Ids of the aircraft or patrol intercepted.
        valid_time: When.
        location: Where.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    interceptors: tuple[Interceptor, ...]
    intercepted: tuple[UUID, ...]
    valid_time: ValidTime
    location: Location | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()

    @property
    def nations(self) -> tuple[str, ...]:
        """
        The responding nations, sorted, without repeats.
        """
        return tuple(sorted({i.nation for i in self.interceptors}))


@attrs.frozen(kw_only=True)
class Statement:
    """
    A statement made about the incident.

    Attributes:
        id: Id of the event that recorded it.
        speaker: Who spoke.
        medium: How.
        quotes: Verbatim quotes.
        claims: Structured claims.
        language: Language spoken.
        valid_time: When it was said.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    speaker: Speaker
    medium: str
    quotes: tuple[str, ...]
    claims: tuple[Claim, ...]
    language: str | None
    valid_time: ValidTime
    source_id: UUID
    corrections: tuple[UUID, ...] = ()

    def claim_ids(self) -> tuple[UUID, ...]:
        """
        The id of each claim, in order: its own ``claim_id``, else the one derived from its place.

        Returns:
            One id per claim (see :func:`~incidents.derived_claim_id`).
        """
        return claim_ids(self.id, self.claims)


@attrs.frozen(kw_only=True)
class Incident:
    """
    An incident as its recorded events describe it.

    Attributes:
        id: The incident id.
        title: Title.
        summary: Summary.
        region: Broad region.
        sources: Registered sources, in recording order.
        aircraft: Aircraft reported, in valid-time order.
        patrols: Patrols reported, in valid-time order.
        intercepts: Intercepts reported, in valid-time order.
        statements: Statements made, in valid-time order.
        assessments: Analysts' assessments of claims, facts and sources, in
            recording order (they never change what they judge).
        retracted: Ids of withdrawn events, in recording order.
        last_position: Stream position of the last event folded.
        last_recorded_at: Recording time of the last event folded.
    """

    id: UUID
    title: str
    summary: str
    region: str | None
    sources: tuple[Source, ...] = ()
    aircraft: tuple[Aircraft, ...] = ()
    patrols: tuple[Patrol, ...] = ()
    intercepts: tuple[Intercept, ...] = ()
    statements: tuple[Statement, ...] = ()
    # Left out of the state's JSON form while empty: the digests of incidents
    # without assessments stay what they were.
    assessments: tuple[Assessment, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    retracted: tuple[UUID, ...] = ()
    last_position: int = 0
    last_recorded_at: datetime | None = None

    @property
    def aircraft_count(self) -> int:
        """
        Number of airframes reported (sum of counts).
        """
        return sum(a.count for a in self.aircraft)

    def aircraft_by_nation(self) -> Mapping[str, Mapping[str, int]]:
        """
        Airframes by nation, then type designation.

        Returns:
            e.g. ``{"CN": {"H-6": 2}, "RU": {"Tu-95": 2}}``, sorted by key.
        """
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for a in self.aircraft:
            table[a.nation][a.type_designation] += a.count
        return {n: dict(sorted(c.items())) for n, c in sorted(table.items())}

    def aircraft_by_family(
        self, catalogue: AircraftCatalogue | None = None
    ) -> Mapping[str, Mapping[str, Mapping[str, int]]]:
        """
        The airframes of :meth:`aircraft_by_nation`, grouped by type family.

        Types of one family are grouped, not added up: "2 H-6" in one report
        and "2 H-6K" in another are usually the same two aircraft, so the
        counts stay as :meth:`aircraft_by_nation` gives them, per designation
        as reported, under their family.

        Args:
            catalogue: Where families are looked up; the shipped
                :func:`~incidents.default_catalogue` when ``None``. A type
                the catalogue does not know is a family of its own.

        Returns:
            Nation, then family, then designation as reported, e.g.
            ``{"CN": {"H-6": {"H-6": 2, "H-6K": 2}}}``, sorted by key.
        """
        known = default_catalogue() if catalogue is None else catalogue
        table: dict[str, Mapping[str, Mapping[str, int]]] = {}
        for nation, counts in self.aircraft_by_nation().items():
            families: dict[str, dict[str, int]] = defaultdict(dict)
            for designation, count in counts.items():
                families[known.family_of(designation) or designation][designation] = count
            table[nation] = dict(sorted(families.items()))
        return table

    def source(self, source_id: UUID) -> Source:
        """
        Look up a source by id.

        Args:
            source_id: The source id.

        Returns:
            The source.

        Raises:
            KeyError: If the source is not registered (or is withdrawn).
        """
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def assessments_of(
        self, target_id: UUID, claim_id: UUID | None = None
    ) -> tuple[Assessment, ...]:
        """
        The assessments of one event, source or claim.

        Args:
            target_id: The event (or source) judged; for a claim, its statement.
            claim_id: The claim judged, or ``None`` for the event itself.

        Returns:
            Those assessments, in recording order.
        """
        return tuple(
            a for a in self.assessments if a.target_id == target_id and a.claim_id == claim_id
        )

    def compared_claims(self) -> tuple[ComparedClaim, ...]:
        """
        Every claim of every statement, with who made it, its source and its assessments.

        Returns:
            The claims in the order of their statements (valid time), then
            their place in the statement. Each carries the assessments of
            the claim, of its statement and of its source.
        """
        sources = {s.id: s for s in self.sources}
        found = []
        for statement in self.statements:
            source = sources.get(statement.source_id)
            for claim_id, claim in zip(statement.claim_ids(), statement.claims, strict=True):
                found.append(
                    ComparedClaim(
                        claim_id=claim_id,
                        claim=claim,
                        statement_id=statement.id,
                        speaker=statement.speaker,
                        medium=statement.medium,
                        said=statement.valid_time,
                        source_id=statement.source_id,
                        publisher=None if source is None else source.publisher,
                        reliability=None if source is None else source.reliability,
                        credibility=None if source is None else source.credibility,
                        assessments=assessments_beside(
                            self.assessments, statement.id, claim_id, statement.source_id
                        ),
                    )
                )
        return tuple(found)

    def contradictions(self, catalogue: AircraftCatalogue | None = None) -> Contradictions:
        """
        The incident's claims compared: what is disputed, what is agreed, what contradicts reference data.

        See :mod:`incidents._domain.contradictions` for the rules, and
        ``docs/contradictions.md``.

        Args:
            catalogue: Who flies what (the shipped
                :func:`~incidents.default_catalogue` when ``None``).

        Returns:
            The comparisons, one per proposition, with their sides and the
            assessments beside each claim.

        Example:
            >>> from incidents import Ledger, examples
            >>> with Ledger.open(":memory:") as ledger:
            ...     _ = ledger.record(*examples.dokdo_2019())
            ...     found = ledger.incident(examples.DOKDO_2019).contradictions()
            >>> [c.subject for c in found.disputed][:2]
            ['airspace of KR entered by RU A-50', 'warning shots fired by KR at RU']
        """
        return compare_claims(self.id, self.title, self.compared_claims(), catalogue)


_Entity = TypeVar("_Entity", Aircraft, Patrol, Intercept, Statement)


def settle_events(
    events: Iterable[Event],
) -> tuple[Callable[[UUID], bool], Callable[[UUID], tuple[Event, tuple[UUID, ...]]]]:
    """
    Work out which events are withdrawn and what each one now says.

    The rules: a retraction withdraws its target unless it is itself
    withdrawn; a correction applies (in recording order, field by field)
    unless it is withdrawn or no longer fits; a correction can itself be
    corrected.

    Args:
        events: Events of one incident (or of one fact's tree of corrections
            and retractions), in recording order.

    Returns:
        ``(withdrawn, effective)``: whether an event id is withdrawn, and an
        event's value with its corrections applied plus the ids of those
        corrections. Both are memoized; references only point backwards, so
        the recursion between them terminates.
    """
    by_id: dict[UUID, Event] = {}
    corrections_of: dict[UUID, list[UUID]] = defaultdict(list)
    retractions_of: dict[UUID, list[UUID]] = defaultdict(list)
    for event in events:
        by_id[event.event_id] = event
        if isinstance(event, Correction):
            corrections_of[event.target_id].append(event.event_id)
        elif isinstance(event, Retraction):
            retractions_of[event.target_id].append(event.event_id)

    withdrawn_memo: dict[UUID, bool] = {}

    def withdrawn(event_id: UUID) -> bool:
        if event_id not in withdrawn_memo:
            withdrawn_memo[event_id] = any(
                not withdrawn(r) for r in retractions_of.get(event_id, ())
            )
        return withdrawn_memo[event_id]

    effective_memo: dict[UUID, tuple[Event, tuple[UUID, ...]]] = {}

    def effective(event_id: UUID) -> tuple[Event, tuple[UUID, ...]]:
        if event_id not in effective_memo:
            event = by_id[event_id]
            applied: list[UUID] = []
            for correction_id in corrections_of.get(event_id, ()):
                if withdrawn(correction_id):
                    continue
                correction = effective(correction_id)[0]
                assert isinstance(correction, Correction)
                try:
                    event = apply_changes(event, correction.changes)
                except InvalidInputError:
                    # Only reachable when a later correction or retraction made
                    # an earlier, once valid, correction inapplicable.
                    continue
                applied.append(correction_id)
            effective_memo[event_id] = (event, tuple(applied))
        return effective_memo[event_id]

    return withdrawn, effective


def effective_events(
    records: Iterable[Recorded],
) -> tuple[dict[UUID, Event], dict[UUID, tuple[UUID, ...]], list[UUID]]:
    """
    Apply corrections and retractions: every live event as it now stands.

    Args:
        records: Recorded events of one incident, in recording order.

    Returns:
        ``(events, corrections, withdrawn)``: live events by id in recording
        order (corrections and retractions included), the ids of the
        corrections applied to each event, and the withdrawn event ids in
        recording order.
    """
    ordered = list(records)
    withdrawn, effective = settle_events(r.event for r in ordered)
    events: dict[UUID, Event] = {}
    applied: dict[UUID, tuple[UUID, ...]] = {}
    gone: list[UUID] = []
    for r in ordered:
        if withdrawn(r.event_id):
            gone.append(r.event_id)
            continue
        events[r.event_id], applied[r.event_id] = effective(r.event_id)
    return events, applied, gone


def in_effect(valid_time: ValidTime, valid_at: datetime | None, reading: Reading) -> bool:
    """
    Whether a fact of *valid_time* is in effect at *valid_at* under *reading*.

    Args:
        valid_time: The fact's valid time.
        valid_at: The valid time asked about; ``None`` means every fact.
        reading: :class:`Reading` of imprecise times.

    Returns:
        True when the fact counts.
    """
    if valid_at is None:
        return True
    if reading is Reading.CERTAINLY:
        return valid_time.certainly_by(valid_at)
    return valid_time.possibly_by(valid_at)


def fold(
    records: Iterable[Recorded],
    *,
    valid_at: datetime | None = None,
    reading: Reading = Reading.POSSIBLY,
) -> Incident | None:
    """
    Fold recorded events of one incident into its state.

    Args:
        records: The incident's recorded events, in recording order.
        valid_at: Only facts in effect at this valid time (all when ``None``).
        reading: How to read imprecise valid times against *valid_at*.

    Returns:
        The incident, or ``None`` if no :class:`IncidentOpened` is among the
        records (for example before the incident was recorded).

    Raises:
        IncidentsError: If the records mix incidents.
    """
    ordered = list(records)
    if not ordered:
        return None
    incident_ids = {r.incident_id for r in ordered}
    if len(incident_ids) != 1:
        raise IncidentsError("fold() takes the events of one incident")
    if valid_at is not None:
        valid_at = to_utc(valid_at, what="valid_at")
    positions = {r.event_id: r.position for r in ordered}
    recorded = {r.event_id: r for r in ordered if type(r.event) is AssessmentMade}
    events, applied, gone = effective_events(ordered)

    opened: IncidentOpened | None = None
    sources: list[Source] = []
    assessments: list[Assessment] = []
    facts: dict[type, list[Any]] = {cls: [] for cls in ENTITY_BUILDERS}
    for event_id, event in events.items():
        fixes = applied[event_id]
        build = ENTITY_BUILDERS.get(type(event))
        if build is not None:
            if in_effect(event.valid_time, valid_at, reading):  # type: ignore[attr-defined]
                facts[type(event)].append(build(event_id, event, fixes))
        elif isinstance(event, IncidentOpened):
            opened = event
        elif isinstance(event, SourceRegistered):
            sources.append(source_of(event, fixes))
        elif isinstance(event, AssessmentMade):
            record = recorded[event_id]
            assessments.append(
                assessment_of(event_id, event, fixes, (record.recorder, record.recorded_at))
            )
    if opened is None:
        return None

    def by_time(items: list[_Entity]) -> tuple[_Entity, ...]:
        return tuple(sorted(items, key=lambda e: (e.valid_time.sort_key(), positions[e.id])))

    last = ordered[-1]
    return Incident(
        id=opened.incident_id,
        title=opened.title,
        summary=opened.summary,
        region=opened.region,
        sources=tuple(sources),
        aircraft=by_time(facts[AircraftReported]),
        patrols=by_time(facts[PatrolReported]),
        intercepts=by_time(facts[InterceptReported]),
        statements=by_time(facts[StatementIssued]),
        assessments=tuple(assessments),
        retracted=tuple(gone),
        last_position=last.position,
        last_recorded_at=last.recorded_at,
    )


# One plain constructor call per kind of fact: folds build one state object per
# version of every fact. Written out, these are as fast as builders generated
# from the fields with exec (measured on folds of the worked example and cold
# reads of benchmarks/bench_timetravel.py's incidents), and a type checker
# sees every field.


def aircraft_of(fact_id: UUID, event: AircraftReported, fixes: tuple[UUID, ...]) -> Aircraft:
    """
    The state of reported aircraft.

    Args:
        fact_id: The id of the event that reported them.
        event: The report, as it stands (corrections applied).
        fixes: Ids of the corrections applied.

    Returns:
        The aircraft.
    """
    return Aircraft(
        id=fact_id,
        type_designation=event.type_designation,
        nation=event.nation,
        count=event.count,
        valid_time=event.valid_time,
        operator=event.operator,
        role=event.role,
        location=event.location,
        source_id=event.source_id,
        corrections=fixes,
    )


def patrol_of(fact_id: UUID, event: PatrolReported, fixes: tuple[UUID, ...]) -> Patrol:
    """
    The state of a reported patrol.

    Args:
        fact_id: The id of the event that reported it.
        event: The report, as it stands (corrections applied).
        fixes: Ids of the corrections applied.

    Returns:
        The patrol.
    """
    return Patrol(
        id=fact_id,
        aircraft=event.aircraft,
        nations=event.nations,
        areas=event.areas,
        joint=event.joint,
        valid_time=event.valid_time,
        purpose=event.purpose,
        location=event.location,
        source_id=event.source_id,
        corrections=fixes,
    )


def intercept_of(fact_id: UUID, event: InterceptReported, fixes: tuple[UUID, ...]) -> Intercept:
    """
    The state of a reported intercept.

    Args:
        fact_id: The id of the event that reported it.
        event: The report, as it stands (corrections applied).
        fixes: Ids of the corrections applied.

    Returns:
        The intercept.
    """
    return Intercept(
        id=fact_id,
        interceptors=event.interceptors,
        intercepted=event.intercepted,
        valid_time=event.valid_time,
        location=event.location,
        source_id=event.source_id,
        corrections=fixes,
    )


def statement_of(fact_id: UUID, event: StatementIssued, fixes: tuple[UUID, ...]) -> Statement:
    """
    The state of a statement made.

    Args:
        fact_id: The id of the event that recorded it.
        event: The statement, as it stands (corrections applied).
        fixes: Ids of the corrections applied.

    Returns:
        The statement.
    """
    return Statement(
        id=fact_id,
        speaker=event.speaker,
        medium=event.medium,
        quotes=event.quotes,
        claims=event.claims,
        language=event.language,
        valid_time=event.valid_time,
        source_id=event.source_id,
        corrections=fixes,
    )


ENTITY_BUILDERS: dict[type[Event], Callable[[UUID, Any, tuple[UUID, ...]], Any]] = {
    AircraftReported: aircraft_of,
    PatrolReported: patrol_of,
    InterceptReported: intercept_of,
    StatementIssued: statement_of,
}
"""For each dated fact's event class: ``(fact id, event, corrections applied) -> state object``."""


def source_of(event: SourceRegistered, fixes: tuple[UUID, ...]) -> Source:
    """
    The state of a registered source, with the corrections applied to it.

    Args:
        event: The registration, as it stands.
        fixes: Ids of the corrections applied.

    Returns:
        The source.
    """
    return Source(
        id=event.source_id,
        kind=event.kind,
        publisher=event.publisher,
        title=event.title,
        url=event.url,
        published_at=event.published_at,
        language=event.language,
        cites=event.cites,
        reliability=event.reliability,
        credibility=event.credibility,
        corrections=fixes,
    )


def assessment_of(
    fact_id: UUID,
    event: AssessmentMade,
    fixes: tuple[UUID, ...],
    attribution: tuple[str, datetime],
) -> Assessment:
    """
    The state of an assessment, with the corrections applied to it.

    Args:
        fact_id: The id of the event that recorded it.
        event: The assessment, as it stands.
        fixes: Ids of the corrections applied.
        attribution: Who recorded it and when (its recording's envelope).

    Returns:
        The assessment.
    """
    recorder, recorded_at = attribution
    return Assessment(
        id=fact_id,
        target_id=event.target_id,
        claim_id=event.claim_id,
        credibility=event.credibility,
        reasoning=event.reasoning,
        citations=event.citations,
        source_id=event.source_id,
        recorder=recorder,
        recorded_at=recorded_at,
        corrections=fixes,
    )
