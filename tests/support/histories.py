"""
Hypothesis strategies for whole ledger histories that the ledger accepts.

A history is a list of batches of events: incidents opened, sources
registered, aircraft, patrols, intercepts and statements reported (their
claims free text or typed propositions), analysts' assessments of any of
them (of a statement's claims too), and corrections and retractions of
earlier events (including corrections of corrections and retractions of
retractions), each batch valid given the batches before it. Record the
batches in order, one ``record`` call each.
registered, aircraft (with counts of every form), patrols, intercepts and
statements reported, reconciliations of aircraft reports, zone entries,
violations, warning shots, protests, landings, durations, series and links
between incidents, and corrections and retractions of earlier events (including corrections of
corrections and retractions of retractions), each batch valid given the
batches before it. Record the batches in order, one ``record`` call each.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from incidents import (
    AimedAtThirdParties,
    AircraftReported,
    AirspaceEntered,
    AirspaceViolationAlleged,
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
    Location,
    PatrolReported,
    Position,
    ProtestKind,
    ReportsReconciled,
    Retraction,
    SeriesAssigned,
    SourceKind,
    SourceRegistered,
    Sovereignty,
    Speaker,
    Stance,
    StatementIssued,
    WarningShotsFired,
    WarningShotsReported,
    ZoneEntryReported,
)
from support.strategies import NATIONS, aware_datetimes, valid_times

counts = st.one_of(
    st.integers(1, 4),
    st.integers(1, 4).map(Count.at_least),
    st.tuples(st.integers(1, 4), st.integers(0, 3)).map(lambda p: Count.between(p[0], p[0] + p[1])),
    st.just(Count.unknown()),
)
"""Small counts of every form (a plain int is an exact count)."""

TYPES = ("H-6", "Tu-95", "Su-35", "A-50", "Y-9")
NAMES = ("Chen Xiaogang", "Zhang Xiaogang", "Ivan Petrov", None)
ORGANIZATIONS = ("PRC MND", "Russian MoD", "NORAD", "JSO")
TOPICS = ("violated-foreign-airspace", "aimed-at-third-parties", "joint-patrol-conducted")
ZONES = ("KADIZ", "Alaska ADIZ", "JADIZ")
SERIES = ("China-Russia joint strategic air patrol", "Other")
# Positions on both sides of the antimeridian, in the Bering Sea, and near Dokdo.
POSITIONS = (
    Position(lat=60.0, lon=179.5),
    Position(lat=60.0, lon=-179.5),
    Position(lat=37.2, lon=131.9),
)


class _Ledger:
    """What has been generated so far, to keep every new event valid."""

    def __init__(self) -> None:
        self.incidents: list[UUID] = []
        self.sources: dict[UUID, list[UUID]] = {}
        self.aircraft: dict[UUID, list[UUID]] = {}
        self.targets: dict[UUID, list[UUID]] = {}  # aircraft and patrols
        self.events: dict[UUID, Event] = {}
        self.by_incident: dict[UUID, list[UUID]] = {}


def _speaker(draw: st.DrawFn) -> Speaker:
    name = draw(st.sampled_from(NAMES))
    organization = draw(st.sampled_from(ORGANIZATIONS))
    return Speaker(
        name=name, role=draw(st.sampled_from((None, "spokesman"))), organization=organization
    )


def propositions() -> st.SearchStrategy[Any]:
    """A few propositions of each of several kinds, so that claims meet and disagree."""
    return st.one_of(
        st.builds(
            AirspaceEntered,
            airspace=st.sampled_from((None, "KR", "JP")),
            by=st.sampled_from((None, "RU")),
            entries=st.sampled_from((None, 1, 2)),
        ),
        st.builds(
            WarningShotsFired,
            by=st.just("KR"),
            rounds=st.sampled_from((None, 80, 360)),
            approximate=st.booleans(),
        ),
        st.builds(
            Sovereignty,
            territory=st.sampled_from(("Dokdo", "Takeshima")),
            aliases=st.just(("Liancourt Rocks",)),
            nation=st.sampled_from(("KR", "JP")),
        ),
        st.just(AimedAtThirdParties()),
    )


def _claims(draw: st.DrawFn) -> tuple[Claim, ...]:
    topics = draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True))
    claims = [
        Claim(topic=t, stance=draw(st.sampled_from(list(Stance))), text=f"about {t}")
        for t in topics
    ]
    for proposition in draw(st.lists(propositions(), max_size=2)):
        claims.append(
            Claim(
                stance=draw(st.sampled_from(list(Stance))),
                text="typed",
                proposition=proposition,
                claim_id=draw(st.none() | st.uuids()),
            )
        )
    return tuple(claims)


def _interceptors(draw: st.DrawFn) -> tuple[Interceptor, ...]:
    nations = draw(st.lists(st.sampled_from(NATIONS), min_size=1, max_size=2, unique=True))
    return tuple(
        Interceptor(
            nation=n,
            type_designation=draw(st.sampled_from((None, "F-16", "F-35", "CF-18"))),
            count=draw(st.sampled_from((None, 1, 2))),
        )
        for n in nations
    )


def _changes_for(draw: st.DrawFn, target: Event) -> dict[str, Any] | None:
    """Ordinary new field values a correction of *target* may make, or None."""
    if isinstance(target, AircraftReported):
        return draw(
            st.sampled_from(
                [
                    {"count": draw(counts)},
                    {"type_designation": draw(st.sampled_from(TYPES))},
                    {"nation": draw(st.sampled_from(NATIONS))},
                    {"valid_time": draw(valid_times())},
                ]
            )
        )
    if isinstance(target, StatementIssued):
        return draw(st.sampled_from([{"speaker": _speaker(draw)}, {"claims": _claims(draw)}]))
    if isinstance(target, InterceptReported):
        return {"interceptors": _interceptors(draw)}
    if isinstance(target, PatrolReported):
        return {
            "areas": tuple(
                draw(st.lists(st.sampled_from(("Bering Sea", "Chukchi Sea")), max_size=2))
            )
        }
    if isinstance(target, SourceRegistered):
        return {"publisher": draw(st.sampled_from(("NORAD", "RIA Novosti", "TASS")))}
    if isinstance(target, IncidentOpened):
        return {"title": draw(st.sampled_from(("Patrol", "Joint patrol near Alaska")))}
    if isinstance(target, AssessmentMade):
        return draw(
            st.sampled_from(
                [
                    {"credibility": draw(st.sampled_from(list(Credibility)))},
                    {"reasoning": draw(st.sampled_from(("radar track", "no track")))},
                ]
            )
        )
    if isinstance(target, ReportsReconciled):
        return draw(st.sampled_from([{"same": draw(st.booleans())}, {"reason": "on reflection"}]))
    if isinstance(target, ZoneEntryReported):
        return {"zone": draw(st.sampled_from(ZONES))}
    if isinstance(target, AirspaceViolationAlleged):
        return draw(st.sampled_from([{"entries": draw(counts)}, {"airspace": "JP"}]))
    if isinstance(target, WarningShotsReported):
        return draw(st.sampled_from([{"rounds": draw(counts)}, {"by": "JP"}]))
    if isinstance(target, DiplomaticProtest):
        return {"kind": draw(st.sampled_from(list(ProtestKind)))}
    if isinstance(target, LandingReported):
        return {"airfield_nation": draw(st.sampled_from(NATIONS[:2]))}
    if isinstance(target, FlightDurationReported):
        return {"minutes": draw(counts)}
    if isinstance(target, SeriesAssigned):
        return draw(
            st.sampled_from([{"number": draw(st.none() | st.integers(1, 9))}, {"series": "Other"}])
        )
    if isinstance(target, IncidentLinked):
        return {"relation": draw(st.sampled_from(list(LinkRelation)))}
    return None


def _assessment(draw: st.DrawFn, book: _Ledger, common: dict[str, Any]) -> AssessmentMade:
    """An assessment of any earlier event of the incident, or of one of a statement's claims."""
    target = book.events[draw(st.sampled_from(book.by_incident[common["incident_id"]]))]
    claim_id = None
    if isinstance(target, StatementIssued) and target.claims and draw(st.booleans()):
        claim_id = draw(st.sampled_from(target.claim_ids()))
    return AssessmentMade(
        **common,
        target_id=target.event_id,
        claim_id=claim_id,
        credibility=draw(st.sampled_from(list(Credibility))),
        reasoning="judged",
        citations=draw(
            st.lists(st.sampled_from(book.sources[common["incident_id"]]), max_size=2, unique=True)
        ),
    )


def _source(draw: st.DrawFn, incident: UUID, source: UUID) -> SourceRegistered:
    return SourceRegistered(
        incident_id=incident,
        source_id=source,
        kind=draw(st.sampled_from(list(SourceKind))),
        publisher=draw(st.sampled_from(("NORAD", "PRC MND", "RIA Novosti"))),
        published_at=draw(st.none() | aware_datetimes),
    )


@st.composite
def _events(draw: st.DrawFn, book: _Ledger) -> list[Event]:
    found = draw(_event(book))
    return found if isinstance(found, list) else [] if found is None else [found]


@st.composite
def _event(draw: st.DrawFn, book: _Ledger) -> Event | list[Event] | None:
    if not book.incidents or draw(st.integers(0, 12)) == 0:
        incident = draw(st.uuids())
        source = draw(st.uuids())
        book.incidents.append(incident)
        book.sources[incident] = []
        book.aircraft[incident] = []
        book.targets[incident] = []
        book.by_incident[incident] = []
        opened = IncidentOpened(
            incident_id=incident, source_id=source, event_id=draw(st.uuids()), title="Incident"
        )
        return [opened, _source(draw, incident, source)]
    incident = draw(st.sampled_from(book.incidents))
    if draw(st.integers(0, 8)) == 0:
        return _source(draw, incident, draw(st.uuids()))
    source = draw(st.sampled_from(book.sources[incident]))
    common = {"incident_id": incident, "source_id": source, "event_id": draw(st.uuids())}
    kind = draw(
        st.sampled_from(
            (
                "aircraft",
                "aircraft",
                "patrol",
                "intercept",
                "statement",
                "assessment",
                "reconciliation",
                "new-fact",
                "correction",
                "retraction",
            )
        )
    )
    if kind == "new-fact":
        return _new_fact(draw, book, common)
    if kind == "aircraft" or not book.aircraft[incident]:
        return AircraftReported(
            **common,
            type_designation=draw(st.sampled_from(TYPES)),
            nation=draw(st.sampled_from(NATIONS[:2])),
            count=draw(counts),
            valid_time=draw(valid_times()),
        )
    if kind == "reconciliation" and len(book.aircraft[incident]) >= 2:
        return ReportsReconciled(
            **common,
            reports=draw(
                st.lists(
                    st.sampled_from(book.aircraft[incident]), min_size=2, max_size=3, unique=True
                )
            ),
            same=draw(st.booleans()),
            reason="an analyst's reading",
        )
    if kind == "patrol":
        aircraft = draw(st.lists(st.sampled_from(book.aircraft[incident]), max_size=2, unique=True))
        return PatrolReported(
            **common,
            aircraft=aircraft,
            nations=("CN", "RU"),
            joint=True,
            valid_time=draw(valid_times()),
        )
    if kind == "intercept":
        return InterceptReported(
            **common,
            interceptors=_interceptors(draw),
            intercepted=draw(
                st.lists(
                    st.sampled_from(book.targets[incident]), min_size=1, max_size=2, unique=True
                )
            ),
            valid_time=draw(valid_times()),
        )
    if kind == "assessment":
        return _assessment(draw, book, common)
    if kind == "statement":
        return StatementIssued(
            **common,
            speaker=_speaker(draw),
            medium="statement",
            quotes=("a quote",) if draw(st.booleans()) else (),
            claims=_claims(draw),
            valid_time=draw(valid_times()),
        )
    candidates = [e for e in book.by_incident[incident] if book.events[e].TYPE != "retraction"]
    if kind == "correction" and candidates:
        target = book.events[draw(st.sampled_from(candidates))]
        if isinstance(target, Correction):
            original = book.events[target.target_id]
            changes = _changes_for(draw, original)
            if changes is None:
                return None
            return Correction.of(
                target,
                source_id=source,
                reason="corrected again",
                event_id=common["event_id"],
                changes=_correct(original, changes, source).changes,
            )
        changes = _changes_for(draw, target)
        if changes is None:
            return None
        return _correct(target, changes, source, event_id=common["event_id"])
    retractable = [
        e for e in book.by_incident[incident] if book.events[e].TYPE != "incident-opened"
    ]
    if kind == "retraction" and retractable:
        return Retraction(
            **common, target_id=draw(st.sampled_from(retractable)), reason="withdrawn"
        )
    return None


def _new_fact(draw: st.DrawFn, book: _Ledger, common: dict[str, Any]) -> Event | None:
    """A zone entry, violation, warning shots, protest, landing, duration, series or link."""
    incident = common["incident_id"]

    def some(ids: list[UUID]) -> tuple[UUID, ...]:
        if not ids:
            return ()
        return tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)))

    aircraft = some(book.aircraft[incident])
    nation = draw(st.sampled_from(NATIONS[:2]))
    location = draw(st.none() | st.sampled_from(POSITIONS).map(lambda p: Location(position=p)))
    kind = draw(
        st.sampled_from(
            ("zone", "violation", "shots", "protest", "landing", "duration", "series", "link")
        )
    )
    if kind == "zone":
        return ZoneEntryReported(
            **common,
            zone=draw(st.sampled_from(ZONES)),
            nation=nation,
            aircraft=aircraft,
            valid_time=draw(valid_times()),
            location=location,
        )
    if kind == "violation":
        return AirspaceViolationAlleged(
            **common,
            alleged_by="KR",
            airspace="KR",
            nation=nation,
            aircraft=aircraft,
            entries=draw(st.none() | counts),
            over=draw(st.none() | st.just("Dokdo")),
            valid_time=draw(valid_times()),
            location=location,
        )
    if kind == "shots":
        return WarningShotsReported(
            **common,
            by="KR",
            at=nation,
            aircraft=aircraft,
            rounds=draw(st.none() | counts),
            shooter_types=draw(st.sampled_from(((), ("F-15K",), ("KF-16", "F-15K")))),
            valid_time=draw(valid_times()),
        )
    if kind == "protest":
        return DiplomaticProtest(
            **common,
            by="JP",
            to=draw(st.sampled_from(("KR", "RU"))),
            kind=draw(st.sampled_from(list(ProtestKind))),
            about="the warning shots",
            valid_time=draw(valid_times()),
        )
    if kind == "landing":
        return LandingReported(
            **common,
            nation=nation,
            aircraft=aircraft,
            airfield=draw(st.sampled_from(("Anadyr", "Ussuriysk"))),
            airfield_nation=draw(st.sampled_from(NATIONS[:2])),
            valid_time=draw(valid_times()),
            location=location,
        )
    if kind == "duration":
        return FlightDurationReported(
            **common,
            of=some(book.targets[incident]),
            minutes=draw(counts),
            valid_time=draw(valid_times()),
        )
    if kind == "series":
        return SeriesAssigned(
            **common,
            series=draw(st.sampled_from(SERIES)),
            number=draw(st.none() | st.integers(1, 9)),
        )
    others = [i for i in book.incidents if i != incident]
    if not others:
        return None
    return IncidentLinked(
        **common,
        other_incident=draw(st.sampled_from(others)),
        relation=draw(st.sampled_from(list(LinkRelation))),
        reason="the same patrol, from the other side",
    )


def _correct(target: Event, changes: dict[str, Any], source: UUID, **more: Any) -> Correction:
    """A correction of *target* making *changes* (ordinary values)."""
    if "reason" in changes:  # a field Correction.of cannot take by name: its own is "reason"
        return Correction(
            incident_id=target.incident_id,
            source_id=source,
            target_id=target.event_id,
            changes=changes,  # text: its JSON form already
            reason="corrected",
            **more,
        )
    return Correction.of(target, source_id=source, reason="corrected", **more, **changes)


def _remember(book: _Ledger, event: Event) -> None:
    book.events[event.event_id] = event
    book.by_incident[event.incident_id].append(event.event_id)
    if isinstance(event, SourceRegistered):
        book.sources[event.incident_id].append(event.source_id)
    elif isinstance(event, AircraftReported):
        book.aircraft[event.incident_id].append(event.event_id)
        book.targets[event.incident_id].append(event.event_id)
    elif isinstance(event, PatrolReported):
        book.targets[event.incident_id].append(event.event_id)


@st.composite
def histories(draw: st.DrawFn, max_events: int = 30) -> list[list[Event]]:
    """Batches of events, each valid after the ones before it."""
    book = _Ledger()
    batches: list[list[Event]] = []
    total = draw(st.integers(1, max_events))
    while sum(len(b) for b in batches) < total:
        size = draw(st.integers(1, 4))
        batch: list[Event] = []
        for _ in range(size):
            for event in draw(_events(book)):
                _remember(book, event)
                batch.append(event)
        if batch:
            batches.append(batch)
    return batches
