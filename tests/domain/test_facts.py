"""The new kinds of fact: validation, folding, corrections and retractions, words."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from incidents import (
    AircraftReported,
    AirspaceViolationAlleged,
    Correction,
    Count,
    DiplomaticProtest,
    FlightDurationReported,
    IncidentLinked,
    IncidentOpened,
    InvalidInputError,
    LandingReported,
    LinkRelation,
    ProtestKind,
    Recorded,
    Retraction,
    SeriesAssigned,
    SourceKind,
    SourceRegistered,
    ValidTime,
    WarningShotsReported,
    ZoneEntryReported,
    fold,
)
from incidents._domain.words import describe_event, describe_fact, render_incident

INC = uuid.uuid4()
SRC = uuid.uuid4()
DAY = ValidTime.day("2019-07-23", tz="Asia/Seoul")
COMMON = {"incident_id": INC, "source_id": SRC}
A50 = AircraftReported(**COMMON, type_designation="A-50", nation="RU", valid_time=DAY)


def shots(**fields: object) -> WarningShotsReported:
    return WarningShotsReported(**COMMON, **{"by": "KR", "valid_time": DAY, **fields})  # type: ignore[arg-type]


def recorded(*events: object) -> list[Recorded]:
    at = datetime(2019, 7, 23, 12, tzinfo=UTC)
    return [
        Recorded(event=e, sequence=n, position=n, recorded_at=at, recorder="test")  # type: ignore[arg-type]
        for n, e in enumerate(events, start=1)
    ]


OPENED = IncidentOpened(**COMMON, title="Dokdo")
SOURCE = SourceRegistered(
    incident_id=INC, source_id=SRC, kind=SourceKind.NEWS_ARTICLE, publisher="DW"
)


# -- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: shots(by="UK"), "by"),
        (lambda: shots(by="XX"), "by"),
        (lambda: shots(at="ZZ"), "at"),
        (lambda: shots(rounds=0), "count"),
        (lambda: shots(rounds=-5), "count"),
        (lambda: shots(aircraft=(A50.event_id, A50.event_id)), "once"),
        (lambda: shots(shooter_types=("",)), "shooter_types"),
        (
            lambda: DiplomaticProtest(**COMMON, by="JP", to="JP", about="x", valid_time=DAY),
            "itself",
        ),
        (
            lambda: DiplomaticProtest(**COMMON, by="JP", to="KR", about="", valid_time=DAY),
            "about",
        ),
        (
            lambda: ZoneEntryReported(
                **COMMON,
                zone="KADIZ",
                nation="RU",
                valid_time=DAY,
                entered_at=datetime(2019, 7, 23, 1, tzinfo=UTC),
                left_at=datetime(2019, 7, 23, 0, tzinfo=UTC),
            ),
            "before",
        ),
        (
            lambda: ZoneEntryReported(
                **COMMON,
                zone="KADIZ",
                nation="RU",
                valid_time=DAY,
                entered_at=datetime(2019, 7, 23),
            ),
            "naive",
        ),
        (
            lambda: AirspaceViolationAlleged(
                **COMMON, alleged_by="KR", airspace="KP1", nation="RU", valid_time=DAY
            ),
            "airspace",
        ),
        (
            lambda: LandingReported(
                **COMMON, nation="RU", airfield="", airfield_nation="CN", valid_time=DAY
            ),
            "airfield",
        ),
        (lambda: FlightDurationReported(**COMMON, minutes=0, valid_time=DAY), "count"),
        (lambda: SeriesAssigned(**COMMON, series="joint patrol", number=0), "number"),
        (lambda: SeriesAssigned(**COMMON, series="  "), "series"),
        (
            lambda: IncidentLinked(
                **COMMON, other_incident=INC, relation=LinkRelation.RELATED, reason="x"
            ),
            "itself",
        ),
        (
            lambda: IncidentLinked(
                **COMMON, other_incident=uuid.uuid4(), relation="related", reason="x"
            ),
            "relation",
        ),
    ],
)
def test_bad_facts_are_refused(build: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()  # type: ignore[operator]


def test_rounds_are_counts_of_every_form() -> None:
    assert shots(rounds=360).rounds == Count.exact(360)
    assert shots(rounds=Count.at_least(80)).rounds == Count.at_least(80)
    assert shots(rounds=Count.between(360, 400)).rounds == Count.between(360, 400)
    assert shots(rounds=Count.unknown()).rounds is not None
    assert shots().rounds is None  # not said


def test_a_correction_cannot_repoint_a_link() -> None:
    link = IncidentLinked(
        **COMMON, other_incident=uuid.uuid4(), relation=LinkRelation.RELATED, reason="x"
    )
    with pytest.raises(InvalidInputError, match="other_incident"):
        Correction.of(link, source_id=SRC, reason="no", other_incident=uuid.uuid4())
    fixed = Correction.of(link, source_id=SRC, reason="yes", relation=LinkRelation.SAME_EVENT)
    assert fixed.changes == {"relation": "same-event"}


# -- folding ------------------------------------------------------------------------------


def test_every_kind_folds_into_the_incident_with_corrections_and_retractions() -> None:
    first = shots(at="RU", aircraft=(A50.event_id,), rounds=360, approximate=True)
    second = shots(at="RU", rounds=80, warning_flares=10)
    protest = DiplomaticProtest(**COMMON, by="JP", to="KR", about="the shots", valid_time=DAY)
    series = SeriesAssigned(**COMMON, series="joint patrol", number=2)
    events = [
        OPENED,
        SOURCE,
        A50,
        first,
        second,
        protest,
        series,
        ZoneEntryReported(
            **COMMON, zone="KADIZ", nation="RU", aircraft=(A50.event_id,), valid_time=DAY
        ),
        AirspaceViolationAlleged(
            **COMMON,
            alleged_by="KR",
            airspace="KR",
            nation="RU",
            entries=2,
            over="Dokdo",
            valid_time=DAY,
        ),
        LandingReported(
            **COMMON, nation="RU", airfield="Anadyr", airfield_nation="RU", valid_time=DAY
        ),
        FlightDurationReported(
            **COMMON, minutes=Count.at_least(300), wording="over 5 hours", valid_time=DAY
        ),
        Correction.of(series, source_id=SRC, reason="the first", number=1),
        Correction.of(protest, source_id=SRC, reason="a summons", kind=ProtestKind.SUMMONS),
        Retraction(**COMMON, target_id=second.event_id, reason="a later account"),
    ]
    incident = fold(recorded(*events))
    assert incident is not None
    assert [s.rounds for s in incident.warning_shots] == [Count.exact(360)]
    assert incident.warning_shots[0].aircraft == (A50.event_id,)
    assert [(p.kind, len(p.corrections)) for p in incident.protests] == [(ProtestKind.SUMMONS, 1)]
    assert [(s.series, s.number) for s in incident.series] == [("joint patrol", 1)]
    assert [z.zone for z in incident.zone_entries] == ["KADIZ"]
    assert incident.airspace_violations[0].entries == 2
    assert not incident.landings[0].abroad
    assert str(incident.flight_durations[0].minutes) == "300+"
    assert second.event_id in incident.retracted
    # Before the valid time, none of the dated facts is in effect; the series stands.
    early = fold(recorded(*events), valid_at=datetime(2019, 7, 1, tzinfo=UTC))
    assert early is not None
    assert (early.warning_shots, early.protests, early.landings) == ((), (), ())
    assert early.series == incident.series


def test_an_incident_without_the_new_kinds_keeps_its_json_form() -> None:
    from incidents import converter

    incident = fold(recorded(OPENED, SOURCE, A50))
    assert incident is not None
    data = converter.unstructure(incident)
    for name in (
        "zone_entries",
        "airspace_violations",
        "warning_shots",
        "protests",
        "landings",
        "flight_durations",
        "series",
        "links",
    ):
        assert name not in data


# -- words ----------------------------------------------------------------------------------


def test_facts_in_words() -> None:
    assert describe_fact(shots(at="RU", rounds=360, approximate=True, calibre="20 mm")) == (
        "warning shots by KR at aircraft of RU: about 360 rounds of 20 mm"
    )
    assert describe_fact(shots(warning_flares=Count.unknown(), rounds=Count.at_least(80))) == (
        "warning shots by KR: flares (number not given) and at least 80 rounds"
    )
    assert describe_fact(
        DiplomaticProtest(
            **COMMON,
            by="KR",
            to="RU",
            kind=ProtestKind.SUMMONS,
            summoned="deputy military attaché",
            about="the violation",
            valid_time=DAY,
        )
    ) == ("KR summoned a diplomat of RU (deputy military attaché): the violation")
    assert describe_fact(
        FlightDurationReported(**COMMON, minutes=Count.between(270, 300), valid_time=DAY)
    ) == ("flight lasted 4 h 30 min to 5 h")
    violation = AirspaceViolationAlleged(
        **COMMON,
        alleged_by="KR",
        airspace="KR",
        nation="RU",
        aircraft=(A50.event_id,),
        entries=2,
        over="Dokdo",
        valid_time=DAY,
    )
    assert describe_event(violation, {A50.event_id: "1 x A-50 (RU)"}) == (
        "KR alleges aircraft of RU violated KR's airspace (2 times, over Dokdo) [1 x A-50 (RU)]"
    )
    text = render_incident(fold(recorded(OPENED, SOURCE, A50, violation)))  # type: ignore[arg-type]
    assert "Airspace violations alleged (1):" in text
    assert "[1 x A-50 (RU)] - 2019-07-23 (Asia/Seoul) - DW" in text


# -- what a search asks for ------------------------------------------------------------------


def test_aircraft_names_match_types_and_families() -> None:
    from incidents import AircraftType, default_catalogue
    from incidents._domain.search import Search

    family = Search.of(aircraft="H-6")
    variant = Search.of(aircraft="H-6K")
    assert family is not None
    assert variant is not None
    assert family.names_aircraft("H-6K")
    assert family.names_aircraft("轰-6K")
    assert family.names_aircraft("H-6")
    assert variant.names_aircraft("h6k")
    assert not variant.names_aircraft("H-6")
    unknown = Search.of(aircraft="Mystery 1")
    assert unknown is not None
    assert unknown.names_aircraft("mystery-1")
    assert not unknown.names_aircraft("H-6")
    # A catalogue of one's own, in which a made-up type belongs to the H-6 family.
    mine = default_catalogue().with_types(
        AircraftType(designation="Y-20X", role="tanker", provenance="test", family="H-6")
    )
    extended = Search.of(aircraft="H-6", catalogue=mine)
    assert extended is not None
    assert extended.names_aircraft("Y-20X")
    assert not family.names_aircraft("Y-20X")
