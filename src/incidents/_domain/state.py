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
  instant; unknown times last), ties broken by recording position;
  reconciliations, which have no valid time, in recording order.

Several reports of the same aircraft are reconciled, never added up: see
:attr:`Incident.aircraft_groups` for how reports are grouped and how a
group's figure is chosen.
"""

from __future__ import annotations

import enum
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    SOURCES_REGISTRY,
    AircraftReported,
    AirspaceViolationAlleged,
    AreaReported,
    AssessmentMade,
    Claim,
    Correction,
    Count,
    Credibility,
    DiplomaticProtest,
    Event,
    FlightDurationReported,
    IncidentLinked,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    LandingReported,
    LinkRelation,
    PatrolReported,
    ProtestKind,
    Recorded,
    Reliability,
    ReportsReconciled,
    Retraction,
    SeriesAssigned,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    TrackObserved,
    WarningShotsReported,
    ZoneEntryReported,
    claim_ids,
)
from incidents._domain.geo import Fix, Location
from incidents._domain.time import ValidTime, to_utc
from incidents._errors import IncidentsError, InvalidInputError

__all__ = [
    "ENTITY_BUILDERS",
    "UNDATED_BUILDERS",
    "Aircraft",
    "AircraftAccount",
    "AircraftGroup",
    "AirspaceViolation",
    "Assessment",
    "FlightDuration",
    "Incident",
    "IncidentLink",
    "Intercept",
    "Landing",
    "Patrol",
    "Protest",
    "Reading",
    "Reconciliation",
    "SeriesMembership",
    "Source",
    "Statement",
    "WarningShots",
    "ZoneEntry",
    "ReportedArea",
    "Track",
    "assessment_of",
    "effective_events",
    "fold",
    "fold_registry",
    "registry_citations",
    "shared_sources",
    "reconcile",
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
        cites: The sources it reports from.
        reliability: Admiralty reliability.
        credibility: Admiralty credibility.
        corrections: Ids of the corrections applied to it.
        archive_url: Where an archived copy is kept.
        content_sha256: SHA-256 of the content as captured.
        captured_at: When the content was captured.
        original_title: Its title in its own language.
        shared: Whether it is a source of the ledger-wide
            :data:`~incidents.SOURCES_REGISTRY` (else of the incident).
    """

    id: UUID
    kind: SourceKind
    publisher: str
    title: str | None
    url: str | None
    published_at: datetime | None
    language: str | None
    cites: tuple[UUID, ...]
    reliability: Reliability
    credibility: Credibility
    corrections: tuple[UUID, ...] = ()
    # Left out of the state's JSON form at their defaults, as on the event.
    archive_url: str | None = attrs.field(default=None, metadata={OMIT_WHEN_DEFAULT: True})
    content_sha256: str | None = attrs.field(default=None, metadata={OMIT_WHEN_DEFAULT: True})
    captured_at: datetime | None = attrs.field(default=None, metadata={OMIT_WHEN_DEFAULT: True})
    original_title: str | None = attrs.field(default=None, metadata={OMIT_WHEN_DEFAULT: True})
    shared: bool = attrs.field(default=False, metadata={OMIT_WHEN_DEFAULT: True})

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
        count: Number of airframes, as the source gives it (exact, at least,
            a range or unknown).
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
    count: Count
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
class Track:
    """
    A track observed in the incident: fixes in time order.

    Attributes:
        id: Id of the event that recorded it.
        points: The observed positions (:class:`~incidents.Fix`).
        aircraft: Ids of the aircraft or patrol it is of.
        label: Its name, if any.
        valid_time: When (from the first fix to the last).
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    points: tuple[Fix, ...]
    aircraft: tuple[UUID, ...]
    label: str | None
    valid_time: ValidTime
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class ReportedArea:
    """
    An area the incident's aircraft were reported in, known by name or outline.

    Attributes:
        id: Id of the event that reported it.
        location: The area.
        aircraft: Ids of the aircraft or patrol it is about.
        valid_time: When.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    location: Location
    aircraft: tuple[UUID, ...]
    valid_time: ValidTime
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
class Reconciliation:
    """
    An analyst's reconciliation of aircraft reports, as it currently stands.

    Attributes:
        id: Id of the event that recorded it.
        reports: Ids of the :class:`Aircraft` reports it names.
        same: Whether they describe the same aircraft (else distinct aircraft).
        reason: Why.
        source_id: The source it comes from (an analyst's note, say).
        corrections: Ids of the corrections applied.
    """

    id: UUID
    reports: tuple[UUID, ...]
    same: bool
    reason: str
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class ZoneEntry:
    """
    Aircraft entering a declared zone, as reported.

    Attributes:
        id: Id of the event that reported it.
        zone: The zone's name, as the source gives it.
        nation: Whose aircraft entered it.
        aircraft: Ids of the :class:`Aircraft` that entered it, if said.
        valid_time: When.
        entered_at: When they entered, if given.
        left_at: When they left, if given.
        location: Where.
        zone_id: A recorded zone's id, if given.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    zone: str
    nation: str
    aircraft: tuple[UUID, ...]
    valid_time: ValidTime
    entered_at: datetime | None
    left_at: datetime | None
    location: Location | None
    zone_id: UUID | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class AirspaceViolation:
    """
    An alleged violation of a nation's territorial airspace.

    Attributes:
        id: Id of the event that recorded the allegation.
        alleged_by: The nation alleging it.
        airspace: Whose airspace.
        nation: Whose aircraft.
        aircraft: Ids of the :class:`Aircraft` alleged to have violated it, if said.
        entries: How many times, if said.
        over: Where, in the source's words.
        valid_time: When.
        location: Where.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    alleged_by: str
    airspace: str
    nation: str
    aircraft: tuple[UUID, ...]
    entries: Count | None
    over: str | None
    valid_time: ValidTime
    location: Location | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class WarningShots:
    """
    Warning shots or flares fired, as one source counts them.

    Attributes:
        id: Id of the event that reported them.
        by: The nation that fired.
        at: The nation warned, if said.
        aircraft: Ids of the :class:`Aircraft` fired at, if said.
        rounds: Rounds fired, if said.
        warning_flares: Flares fired, if said.
        calibre: The rounds' calibre.
        shooter_types: The types that fired.
        approximate: Whether the figures are approximate.
        valid_time: When.
        location: Where.
        source_id: The source reporting them.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    by: str
    at: str | None
    aircraft: tuple[UUID, ...]
    rounds: Count | None
    warning_flares: Count | None
    calibre: str | None
    shooter_types: tuple[str, ...]
    approximate: bool
    valid_time: ValidTime
    location: Location | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class Protest:
    """
    A diplomatic protest, summons or démarche.

    Attributes:
        id: Id of the event that recorded it.
        by: The protesting nation.
        to: The nation protested to.
        kind: Protest, summons or démarche.
        about: What about.
        summoned: Who was summoned, if said.
        valid_time: When.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    by: str
    to: str
    kind: ProtestKind
    about: str
    summoned: str | None
    valid_time: ValidTime
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class Landing:
    """
    Aircraft landing at an airfield, as reported.

    Attributes:
        id: Id of the event that reported it.
        nation: Whose aircraft.
        aircraft: Ids of the :class:`Aircraft` that landed, if said.
        airfield: The airfield's name.
        airfield_nation: The nation the airfield is in.
        valid_time: When.
        location: The airfield's position, if known.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    nation: str
    aircraft: tuple[UUID, ...]
    airfield: str
    airfield_nation: str
    valid_time: ValidTime
    location: Location | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()

    @property
    def abroad(self) -> bool:
        """
        Whether the aircraft landed in another nation than their own (at a partner's airfield).
        """
        return self.nation != self.airfield_nation


@attrs.frozen(kw_only=True)
class FlightDuration:
    """
    How long a flight lasted, as one source gives it.

    Attributes:
        id: Id of the event that reported it.
        of: Ids of the :class:`Patrol` or :class:`Aircraft` it is about
            (empty: the incident's flight as a whole).
        minutes: The duration in minutes.
        wording: The source's own words.
        valid_time: When the flight took place.
        source_id: The source reporting it.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    of: tuple[UUID, ...]
    minutes: Count
    wording: str | None
    valid_time: ValidTime
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class SeriesMembership:
    """
    The incident's place in a series, as one source gives it.

    Attributes:
        id: Id of the event that recorded it.
        series: The series' name.
        number: The incident's number in the series, if given.
        reason: Why, or where the number comes from.
        source_id: The source it comes from.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    series: str
    number: int | None
    reason: str | None
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class IncidentLink:
    """
    A link from the incident to another incident of the ledger.

    Attributes:
        id: Id of the event that recorded it.
        other_incident: The other incident's id.
        relation: Same event, or related.
        reason: Why.
        source_id: The source it comes from.
        corrections: Ids of the corrections applied.
    """

    id: UUID
    other_incident: UUID
    relation: LinkRelation
    reason: str
    source_id: UUID
    corrections: tuple[UUID, ...] = ()


@attrs.frozen(kw_only=True)
class AircraftAccount:
    """
    What one report says about a group of aircraft: who said it, and how many.

    Attributes:
        report_id: Id of the :class:`Aircraft` report.
        source_id: The source reporting them.
        type_designation: The type as the source names it.
        count: How many, as the source gives it.
    """

    report_id: UUID
    source_id: UUID
    type_designation: str
    count: Count


@attrs.frozen(kw_only=True)
class AircraftGroup:
    """
    Reports that describe the same aircraft, and the one figure they reconcile to.

    Attributes:
        reports: Ids of the reports, in the order of :attr:`Incident.aircraft`.
        nation: The operating nation.
        family: The type family (``"H-6"`` for reports of H-6 and H-6K).
        designations: The designations the reports name, sorted, each once.
        span: The range the reports span together: the lowest of their lows
            to the highest of their highs (open if any report is open).
        figure: The reconciled number of airframes (see :func:`reconcile`).
        accounts: Who said what: each report's source and count, in the
            order of ``reports``.
    """

    reports: tuple[UUID, ...]
    nation: str
    family: str
    designations: tuple[str, ...]
    span: Count
    figure: int
    accounts: tuple[AircraftAccount, ...]


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
        aircraft: Aircraft reported, in valid-time order: every report, as
            its source gave it (several reports may describe the same
            aircraft: see :attr:`aircraft_groups`).
        patrols: Patrols reported, in valid-time order.
        intercepts: Intercepts reported, in valid-time order.
        statements: Statements made, in valid-time order.
        assessments: Analysts' assessments of claims, facts and sources, in
            recording order (they never change what they judge).
        reconciliations: Reconciliations of aircraft reports, in recording order.
        zone_entries: Entries into declared zones (ADIZs), in valid-time order.
        airspace_violations: Alleged violations of territorial airspace, in
            valid-time order.
        warning_shots: Warning shots and flares fired, one per account, in
            valid-time order.
        protests: Diplomatic protests and summons, in valid-time order.
        landings: Landings at airfields, in valid-time order.
        flight_durations: Durations of flights, one per account, in valid-time order.
        series: The series the incident belongs to, with its number, in
            recording order (one per source that says so).
        links: Links to other incidents (the same event, related), in recording order.
        tracks: Observed tracks, in valid-time order.
        areas: Areas reported by name or outline, in valid-time order.
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
    # Left out of the state's JSON form while empty, like the assessments.
    reconciliations: tuple[Reconciliation, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    # The kinds of fact added since: left out of the state's JSON form while
    # empty, so that the digests of incidents without them stay what they were.
    zone_entries: tuple[ZoneEntry, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    airspace_violations: tuple[AirspaceViolation, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    warning_shots: tuple[WarningShots, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    protests: tuple[Protest, ...] = attrs.field(default=(), metadata={OMIT_WHEN_DEFAULT: True})
    landings: tuple[Landing, ...] = attrs.field(default=(), metadata={OMIT_WHEN_DEFAULT: True})
    flight_durations: tuple[FlightDuration, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    series: tuple[SeriesMembership, ...] = attrs.field(
        default=(), metadata={OMIT_WHEN_DEFAULT: True}
    )
    links: tuple[IncidentLink, ...] = attrs.field(default=(), metadata={OMIT_WHEN_DEFAULT: True})
    # Geography: left out of the state's JSON form while empty, like the assessments.
    tracks: tuple[Track, ...] = attrs.field(default=(), metadata={OMIT_WHEN_DEFAULT: True})
    areas: tuple[ReportedArea, ...] = attrs.field(default=(), metadata={OMIT_WHEN_DEFAULT: True})
    retracted: tuple[UUID, ...] = ()
    last_position: int = 0
    last_recorded_at: datetime | None = None

    def dated_facts(self) -> tuple[tuple[Any, ...], ...]:
        """
        Every kind of dated fact, each in valid-time order.

        Returns:
            The aircraft, patrols, intercepts, statements, zone entries,
            airspace violations, warning shots, protests, landings and
            flight durations.
        """
        return (
            self.aircraft,
            self.patrols,
            self.intercepts,
            self.statements,
            self.zone_entries,
            self.airspace_violations,
            self.warning_shots,
            self.protests,
            self.landings,
            self.flight_durations,
        )

    @functools.cached_property
    def aircraft_groups(self) -> tuple[AircraftGroup, ...]:
        """
        The aircraft reports reconciled into groups of the same aircraft, each with one figure.

        Two sources reporting "2 x H-6K" usually describe the same two
        bombers: counts are reconciled, never added up. The rules:

        * **By default**, reports of the same nation and the same type family
          describe the same aircraft: "2 x H-6" from NORAD and "2 x H-6K"
          from the Chinese defence ministry are one group. The family is the
          catalogue's (:meth:`~incidents.AircraftCatalogue.family_of`); a
          designation the catalogue does not know is a family of its own.
        * **A reconciliation** (:class:`~incidents.ReportsReconciled`)
          overrides that, pair of reports by pair: ``same=False`` keeps its
          reports in different groups, ``same=True`` puts them in one group
          even across families ("bombers, type not given" with "2 x H-6K").
          Reports of different nations are never grouped, whatever a
          reconciliation says.
        * **When reconciliations disagree** about two reports, the one
          recorded later wins (by its own recording position, whatever
          corrections it had since); the default grouping gives way to every
          reconciliation. Reports a reconciliation names that are not among
          :attr:`aircraft` (withdrawn, or not in effect at the valid time
          asked about) are left out of it.

        A group's **figure** is the count of its best-graded report: best
        Admiralty source reliability (A first), then information credibility
        (1 first); a report whose source is not among :attr:`sources` ranks
        last. Ties go to the narrowest count, then to the later report in
        the order of :attr:`aircraft`. A count that is not exact gives its
        low end ("at least 2", "2 to 4" give 2). That figure is then clipped
        into the intersection of all the group's counts when they have one:
        "2 to 4" (A1) with "3" (C3) gives 3. When they do not overlap (one
        source says 2, another 4), the best-graded source's figure stands.
        So a figure always lies within the group's
        :attr:`~incidents.AircraftGroup.span` and never exceeds the largest
        low end of its reports: the total is never more than adding up the
        reports would give.

        Families are looked up in the shipped catalogue; :meth:`reconcile`
        takes another.

        Returns:
            The groups, sorted by nation, family, then first report; every
            report of :attr:`aircraft` is in exactly one.
        """
        return reconcile(self.aircraft, self.reconciliations, self.sources)

    def reconcile(self, catalogue: AircraftCatalogue | None = None) -> tuple[AircraftGroup, ...]:
        """
        The :attr:`aircraft_groups`, with type families looked up in another catalogue.

        Args:
            catalogue: Where families are looked up; the shipped
                :func:`~incidents.default_catalogue` when ``None``.

        Returns:
            The groups, sorted by nation, family, then first report.
        """
        if catalogue is None:
            return self.aircraft_groups
        return reconcile(self.aircraft, self.reconciliations, self.sources, catalogue)

    @property
    def aircraft_count(self) -> int:
        """
        Number of airframes: the sum of the reconciled figures of :attr:`aircraft_groups`.

        Reports of the same aircraft count once, not once per source.
        """
        return sum(g.figure for g in self.aircraft_groups)

    def aircraft_by_nation(self) -> Mapping[str, Mapping[str, int]]:
        """
        Airframes by nation, then type family: the reconciled figures.

        Whichever variants the sources name ("H-6", "H-6K"), the aircraft
        count under their family, once (see :attr:`aircraft_groups`).

        Returns:
            e.g. ``{"CN": {"H-6": 2}, "RU": {"Tu-95": 2}}``, sorted by key.
        """
        return self.aircraft_by_family()

    def aircraft_by_family(
        self, catalogue: AircraftCatalogue | None = None
    ) -> Mapping[str, Mapping[str, int]]:
        """
        Airframes by nation, then type family, with families from a catalogue of one's own.

        The figures of the groups of one family are added up: distinct
        groups (kept apart by a reconciliation) are different aircraft. With
        no catalogue this is :meth:`aircraft_by_nation`.

        Args:
            catalogue: Where families are looked up; the shipped
                :func:`~incidents.default_catalogue` when ``None``. A type
                the catalogue does not know is a family of its own.

        Returns:
            Nation, then family, to airframes, e.g. ``{"CN": {"H-6": 2}}``,
            sorted by key.
        """
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for group in self.reconcile(catalogue):
            table[group.nation][group.family] += group.figure
        return {n: dict(sorted(c.items())) for n, c in sorted(table.items())}

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


# -- reconciling reports of the same aircraft ----------------------------------------------


def reconcile_reports(
    reports: Sequence[tuple[UUID, str, str, Count, UUID]],
    reconciliations: Sequence[tuple[tuple[UUID, ...], bool]],
    grades: Mapping[UUID, tuple[str, int]],
    catalogue: AircraftCatalogue | None = None,
) -> tuple[AircraftGroup, ...]:
    """
    :func:`reconcile` from plain values, for projections that keep no folded state.

    Args:
        reports: ``(id, nation, designation, count, source id)`` of each
            report, in the order of :attr:`Incident.aircraft` (valid time,
            then stream position).
        reconciliations: ``(reports, same)`` of each reconciliation, in recording order.
        grades: Each source's Admiralty grade, ``(reliability, credibility)``
            (e.g. ``("B", 2)``).
        catalogue: Where families are looked up (the shipped one when ``None``).

    Returns:
        The groups, as :func:`reconcile` gives them.
    """
    unknown = ValidTime.unknown()
    aircraft = [
        Aircraft(
            id=report_id,
            type_designation=designation,
            nation=nation,
            count=count,
            valid_time=unknown,
            operator=None,
            role=None,
            location=None,
            source_id=source_id,
        )
        for report_id, nation, designation, count, source_id in reports
    ]
    settled = [
        Reconciliation(
            id=report_ids[0], reports=report_ids, same=same, reason="", source_id=report_ids[0]
        )
        for report_ids, same in reconciliations
    ]
    return _reconcile(aircraft, settled, grades, catalogue)


def reconcile(
    aircraft: Sequence[Aircraft],
    reconciliations: Sequence[Reconciliation] = (),
    sources: Sequence[Source] = (),
    catalogue: AircraftCatalogue | None = None,
) -> tuple[AircraftGroup, ...]:
    """
    Group aircraft reports that describe the same aircraft, and give each group one figure.

    The rules are those of :attr:`Incident.aircraft_groups`.

    Args:
        aircraft: The reports, in the order of :attr:`Incident.aircraft`.
        reconciliations: The reconciliations, in recording order.
        sources: The sources, for their grades.
        catalogue: Where families are looked up; the shipped
            :func:`~incidents.default_catalogue` when ``None``.

    Returns:
        The groups, sorted by nation, family, then first report; every
        report is in exactly one.
    """
    grades = {s.id: (s.reliability.value, s.credibility.value) for s in sources}
    return _reconcile(aircraft, reconciliations, grades, catalogue)


def _reconcile(
    aircraft: Sequence[Aircraft],
    reconciliations: Sequence[Reconciliation],
    grades: Mapping[UUID, tuple[str, int]],
    catalogue: AircraftCatalogue | None,
) -> tuple[AircraftGroup, ...]:
    known = default_catalogue() if catalogue is None else catalogue
    catalogued: dict[str, str | None] = {}

    def family_in_catalogue(designation: str) -> str | None:
        if designation not in catalogued:
            catalogued[designation] = known.family_of(designation)
        return catalogued[designation]

    def family(designation: str) -> str:
        return family_in_catalogue(designation) or designation

    groups = _Groups(len(aircraft))
    where = {a.id: k for k, a in enumerate(aircraft)}
    # Latest first: what a later reconciliation settled, an earlier one cannot undo.
    for number, reconciliation in enumerate(reversed(reconciliations)):
        by_nation: dict[str, list[int]] = defaultdict(list)
        for report in dict.fromkeys(reconciliation.reports):
            if report in where:
                by_nation[aircraft[where[report]].nation].append(where[report])
        for members in by_nation.values():
            if reconciliation.same:
                groups.join_all(members)
            else:
                groups.keep_apart(members, number)
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k, a in enumerate(aircraft):
        buckets[a.nation, family(a.type_designation)].append(k)
    for members in buckets.values():
        groups.join_all(members)

    made = []
    for members in groups.members():
        reports = [aircraft[k] for k in members]
        named = Counter(family(a.type_designation) for a in reports)
        in_catalogue = {family_in_catalogue(a.type_designation) for a in reports}
        # A catalogued family before a designation the catalogue does not know;
        # then the family most reports name; then the first alphabetically.
        chosen = min(named, key=lambda f: (f not in in_catalogue, -named[f], f))
        made.append((_group(reports, chosen, grades), members[0]))
    made.sort(key=lambda pair: (pair[0].nation, pair[0].family, pair[1]))
    return tuple(group for group, _ in made)


_WORST_GRADE = (Reliability.F.value, Credibility.CANNOT_BE_JUDGED.value)


def _group(
    reports: list[Aircraft], family: str, grades: Mapping[UUID, tuple[str, int]]
) -> AircraftGroup:
    """One group of reports (in the order of Incident.aircraft) with its figure."""
    counts = [a.count for a in reports]
    lows = [c.low for c in counts]
    highs = [c.high for c in counts if c.high is not None]
    open_ended = len(highs) < len(counts)
    span = Count(low=min(lows), high=None if open_ended else max(highs))

    def rank(k: int) -> tuple[tuple[str, int], float, int]:
        # The best grade, then the narrowest count, then the later report.
        count = counts[k]
        width = float("inf") if count.high is None else count.high - count.low
        return grades.get(reports[k].source_id, _WORST_GRADE), width, -k

    figure = counts[min(range(len(reports)), key=rank)].low
    floor, ceiling = max(lows), min(highs, default=None)
    if ceiling is None or floor <= ceiling:  # the counts overlap: clip into the overlap
        figure = max(figure, floor)
        if ceiling is not None:
            figure = min(figure, ceiling)
    return AircraftGroup(
        reports=tuple(a.id for a in reports),
        nation=reports[0].nation,
        family=family,
        designations=tuple(sorted({a.type_designation for a in reports})),
        span=span,
        figure=figure,
        accounts=tuple(
            AircraftAccount(
                report_id=a.id,
                source_id=a.source_id,
                type_designation=a.type_designation,
                count=a.count,
            )
            for a in reports
        ),
    )


class _Groups:
    """
    Reports joined into groups (union-find), some of them kept apart.

    Reports are numbered ``0..n-1``; a group is named by its smallest member.
    A reconciliation of distinct aircraft labels the groups of its reports:
    two groups that carry the same label are never joined.
    """

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.labels: dict[int, set[int]] = {}

    def find(self, k: int) -> int:
        parent = self.parent
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(self, x: int, y: int) -> bool:
        """Put *x* and *y* in one group unless their groups are kept apart; whether they are."""
        a, b = sorted((self.find(x), self.find(y)))
        if a == b:
            return True
        mine, theirs = self.labels.get(a), self.labels.get(b)
        if mine and theirs and not mine.isdisjoint(theirs):
            return False
        self.parent[b] = a
        if theirs:
            del self.labels[b]
            if mine is None:
                self.labels[a] = theirs
            elif len(mine) < len(theirs):
                self.labels[a] = theirs | mine
            else:
                mine |= theirs
        return True

    def join_all(self, members: list[int]) -> None:
        """Join each member to the first group of an earlier member it is not kept apart from."""
        firsts: list[int] = []
        for member in members:
            if not any(self.join(first, member) for first in firsts):
                firsts.append(member)

    def keep_apart(self, members: list[int], label: int) -> None:
        """Keep the groups of *members* apart from each other, as they now stand."""
        for member in members:
            self.labels.setdefault(self.find(member), set()).add(label)

    def members(self) -> list[list[int]]:
        """Each group's members, in ascending order; groups by their smallest member."""
        found: dict[int, list[int]] = {}
        for k in range(len(self.parent)):
            found.setdefault(self.find(k), []).append(k)
        return list(found.values())


_Entity = TypeVar("_Entity", bound=Any)


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


def registry_citations(events: Iterable[Event]) -> set[UUID]:
    """
    The ids an incident's events cite that may be sources of the sources registry.

    Every event's ``source_id``, and the ids in the fields each class lists
    in ``REGISTRY_FIELDS`` (a source's ``cites``, an assessment's target and
    citations).

    Args:
        events: The incident's events.

    Returns:
        The ids (the incident's own sources among them).
    """
    found: set[UUID] = set()
    for event in events:
        found.add(event.source_id)
        for name in event.REGISTRY_FIELDS:
            value = getattr(event, name)
            found.update((value,) if isinstance(value, UUID) else value)
    return found


def shared_sources(
    cited: Iterable[UUID], sources: Sequence[Source], assessments: Sequence[Assessment] = ()
) -> tuple[tuple[Source, ...], tuple[Assessment, ...]]:
    """
    The registry's sources an incident cites, the sources they cite in turn, and their assessments.

    Args:
        cited: The ids the incident's events cite (:func:`registry_citations`).
        sources: The registry's sources as they stand, in recording order.
        assessments: The registry's assessments as they stand, in recording order.

    Returns:
        The sources cited, directly or through another registry source's
        ``cites``, in the registry's order; and the registry's assessments of them.
    """
    by_id = {s.id: s for s in sources}
    wanted: set[UUID] = set()
    stack = [i for i in cited if i in by_id]
    while stack:
        source_id = stack.pop()
        if source_id not in wanted:
            wanted.add(source_id)
            stack.extend(c for c in by_id[source_id].cites if c in by_id)
    return (
        tuple(s for s in sources if s.id in wanted),
        tuple(a for a in assessments if a.target_id in wanted),
    )


def fold_registry(records: Iterable[Recorded]) -> tuple[list[Source], list[Assessment]]:
    """
    The sources of the sources registry and the assessments of them, as its events have them.

    Args:
        records: The registry's recorded events (stream
            :data:`~incidents.SOURCES_REGISTRY`), in recording order.

    Returns:
        The live sources and assessments, corrections applied, in recording order.
    """
    ordered = list(records)
    recorded = {r.event_id: r for r in ordered if type(r.event) is AssessmentMade}
    events, applied, _ = effective_events(ordered)
    sources: list[Source] = []
    assessments: list[Assessment] = []
    for event_id, event in events.items():
        if isinstance(event, SourceRegistered):
            sources.append(source_of(event, applied[event_id]))
        elif isinstance(event, AssessmentMade):
            record = recorded[event_id]
            assessments.append(
                assessment_of(
                    event_id, event, applied[event_id], (record.recorder, record.recorded_at)
                )
            )
    return sources, assessments


def fold(
    records: Iterable[Recorded],
    *,
    valid_at: datetime | None = None,
    reading: Reading = Reading.POSSIBLY,
    registry: Iterable[Recorded] = (),
) -> Incident | None:
    """
    Fold recorded events of one incident into its state.

    Args:
        records: The incident's recorded events, in recording order.
        valid_at: Only facts in effect at this valid time (all when ``None``).
        reading: How to read imprecise valid times against *valid_at*.
        registry: The events of the sources registry
            (:data:`~incidents.SOURCES_REGISTRY`) as known at the same time,
            in recording order: the registry sources the incident's events
            cite are listed among its sources (after its own), with the
            registry's assessments of them.

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
    reconciliations: list[Reconciliation] = []
    facts: dict[type, list[Any]] = {cls: [] for cls in (*ENTITY_BUILDERS, *UNDATED_BUILDERS)}
    for event_id, event in events.items():
        fixes = applied[event_id]
        build = ENTITY_BUILDERS.get(type(event))
        if build is not None:
            if in_effect(event.valid_time, valid_at, reading):  # type: ignore[attr-defined]
                facts[type(event)].append(build(event_id, event, fixes))
        elif type(event) in UNDATED_BUILDERS:
            facts[type(event)].append(UNDATED_BUILDERS[type(event)](event_id, event, fixes))
        elif isinstance(event, IncidentOpened):
            opened = event
        elif isinstance(event, SourceRegistered):
            sources.append(source_of(event, fixes))
        elif isinstance(event, AssessmentMade):
            record = recorded[event_id]
            assessments.append(
                assessment_of(event_id, event, fixes, (record.recorder, record.recorded_at))
            )
        elif isinstance(event, ReportsReconciled):
            reconciliations.append(reconciliation_of(event_id, event, fixes))
    if opened is None:
        return None
    registry_records = list(registry)
    if registry_records:
        shared, judged = shared_sources(
            registry_citations(r.event for r in ordered), *fold_registry(registry_records)
        )
        sources.extend(shared)
        assessments.extend(judged)

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
        reconciliations=tuple(reconciliations),
        zone_entries=by_time(facts[ZoneEntryReported]),
        airspace_violations=by_time(facts[AirspaceViolationAlleged]),
        warning_shots=by_time(facts[WarningShotsReported]),
        protests=by_time(facts[DiplomaticProtest]),
        landings=by_time(facts[LandingReported]),
        flight_durations=by_time(facts[FlightDurationReported]),
        series=tuple(facts[SeriesAssigned]),
        links=tuple(facts[IncidentLinked]),
        tracks=by_time(facts[TrackObserved]),
        areas=by_time(facts[AreaReported]),
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


def zone_entry_of(fact_id: UUID, event: ZoneEntryReported, fixes: tuple[UUID, ...]) -> ZoneEntry:
    """
    The state of a reported zone entry (the arguments as for :func:`aircraft_of`).
    """
    return ZoneEntry(
        id=fact_id,
        zone=event.zone,
        nation=event.nation,
        aircraft=event.aircraft,
        valid_time=event.valid_time,
        entered_at=event.entered_at,
        left_at=event.left_at,
        location=event.location,
        zone_id=event.zone_id,
        source_id=event.source_id,
        corrections=fixes,
    )


def violation_of(
    fact_id: UUID, event: AirspaceViolationAlleged, fixes: tuple[UUID, ...]
) -> AirspaceViolation:
    """
    The state of an alleged airspace violation (the arguments as for :func:`aircraft_of`).
    """
    return AirspaceViolation(
        id=fact_id,
        alleged_by=event.alleged_by,
        airspace=event.airspace,
        nation=event.nation,
        aircraft=event.aircraft,
        entries=event.entries,
        over=event.over,
        valid_time=event.valid_time,
        location=event.location,
        source_id=event.source_id,
        corrections=fixes,
    )


def warning_shots_of(
    fact_id: UUID, event: WarningShotsReported, fixes: tuple[UUID, ...]
) -> WarningShots:
    """
    The state of reported warning shots (the arguments as for :func:`aircraft_of`).
    """
    return WarningShots(
        id=fact_id,
        by=event.by,
        at=event.at,
        aircraft=event.aircraft,
        rounds=event.rounds,
        warning_flares=event.warning_flares,
        calibre=event.calibre,
        shooter_types=event.shooter_types,
        approximate=event.approximate,
        valid_time=event.valid_time,
        location=event.location,
        source_id=event.source_id,
        corrections=fixes,
    )


def protest_of(fact_id: UUID, event: DiplomaticProtest, fixes: tuple[UUID, ...]) -> Protest:
    """
    The state of a diplomatic protest (the arguments as for :func:`aircraft_of`).
    """
    return Protest(
        id=fact_id,
        by=event.by,
        to=event.to,
        kind=event.kind,
        about=event.about,
        summoned=event.summoned,
        valid_time=event.valid_time,
        source_id=event.source_id,
        corrections=fixes,
    )


def landing_of(fact_id: UUID, event: LandingReported, fixes: tuple[UUID, ...]) -> Landing:
    """
    The state of a reported landing (the arguments as for :func:`aircraft_of`).
    """
    return Landing(
        id=fact_id,
        nation=event.nation,
        aircraft=event.aircraft,
        airfield=event.airfield,
        airfield_nation=event.airfield_nation,
        valid_time=event.valid_time,
        location=event.location,
        source_id=event.source_id,
        corrections=fixes,
    )


def duration_of(
    fact_id: UUID, event: FlightDurationReported, fixes: tuple[UUID, ...]
) -> FlightDuration:
    """
    The state of a reported flight duration (the arguments as for :func:`aircraft_of`).
    """
    return FlightDuration(
        id=fact_id,
        of=event.of,
        minutes=event.minutes,
        wording=event.wording,
        valid_time=event.valid_time,
        source_id=event.source_id,
        corrections=fixes,
    )


def series_of(fact_id: UUID, event: SeriesAssigned, fixes: tuple[UUID, ...]) -> SeriesMembership:
    """
    The state of a series assignment (the arguments as for :func:`aircraft_of`).
    """
    return SeriesMembership(
        id=fact_id,
        series=event.series,
        number=event.number,
        reason=event.reason,
        source_id=event.source_id,
        corrections=fixes,
    )


def link_of(fact_id: UUID, event: IncidentLinked, fixes: tuple[UUID, ...]) -> IncidentLink:
    """
    The state of a link to another incident (the arguments as for :func:`aircraft_of`).
    """
    return IncidentLink(
        id=fact_id,
        other_incident=event.other_incident,
        relation=event.relation,
        reason=event.reason,
        source_id=event.source_id,
        corrections=fixes,
    )


def track_of(fact_id: UUID, event: TrackObserved, fixes: tuple[UUID, ...]) -> Track:
    """
    The state of an observed track.
    """
    return Track(
        id=fact_id,
        points=event.points,
        aircraft=event.aircraft,
        label=event.label,
        valid_time=event.valid_time,
        source_id=event.source_id,
        corrections=fixes,
    )


def area_of(fact_id: UUID, event: AreaReported, fixes: tuple[UUID, ...]) -> ReportedArea:
    """
    The state of a reported area.
    """
    return ReportedArea(
        id=fact_id,
        location=event.location,
        aircraft=event.aircraft,
        valid_time=event.valid_time,
        source_id=event.source_id,
        corrections=fixes,
    )


ENTITY_BUILDERS: dict[type[Event], Callable[[UUID, Any, tuple[UUID, ...]], Any]] = {
    AircraftReported: aircraft_of,
    PatrolReported: patrol_of,
    InterceptReported: intercept_of,
    StatementIssued: statement_of,
    ZoneEntryReported: zone_entry_of,
    AirspaceViolationAlleged: violation_of,
    WarningShotsReported: warning_shots_of,
    DiplomaticProtest: protest_of,
    LandingReported: landing_of,
    FlightDurationReported: duration_of,
    TrackObserved: track_of,
    AreaReported: area_of,
}
"""For each dated fact's event class: ``(fact id, event, corrections applied) -> state object``."""

UNDATED_BUILDERS: dict[type[Event], Callable[[UUID, Any, tuple[UUID, ...]], Any]] = {
    SeriesAssigned: series_of,
    IncidentLinked: link_of,
}
"""The same for the facts without a valid time that are listed in recording order."""


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
        archive_url=event.archive_url,
        content_sha256=event.content_sha256,
        captured_at=event.captured_at,
        original_title=event.original_title,
        shared=event.incident_id == SOURCES_REGISTRY,
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


def reconciliation_of(
    fact_id: UUID, event: ReportsReconciled, fixes: tuple[UUID, ...]
) -> Reconciliation:
    """
    The state of a reconciliation of aircraft reports.

    Args:
        fact_id: The id of the event that recorded it.
        event: The reconciliation, as it stands (corrections applied).
        fixes: Ids of the corrections applied.

    Returns:
        The reconciliation.
    """
    return Reconciliation(
        id=fact_id,
        reports=event.reports,
        same=event.same,
        reason=event.reason,
        source_id=event.source_id,
        corrections=fixes,
    )
