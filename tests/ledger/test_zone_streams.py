"""Zones as recorded facts: streams opened by ZoneDeclared, amendments, bitemporal questions; tracks in incidents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest
import shapely

from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    AreaReported,
    Correction,
    Fix,
    IncidentOpened,
    Ledger,
    Location,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    TrackObserved,
    UnknownIncidentError,
    ValidTime,
    ZoneAmended,
    ZoneDeclared,
    catalogue_events,
    catalogue_stream_ids,
    destination,
    find_incidents,
    fold,
    recorded_zones,
    touches_zone,
    track_crossings,
    zone_as_of,
    zone_catalogue,
    zone_stream_id,
    zone_versions,
)
from support.backends import Backend

IEODO = (125.18, 32.12)
DOKDO = (131.8667, 37.2417)


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_the_catalogue_records_as_zone_streams(backend: Backend) -> None:
    with backend.open(clock=SteppingClock(day("2026-01-01T00:00:00+00:00"))) as ledger:
        ledger.record(*catalogue_events(zone_catalogue()))
        kadiz = list(ledger.events(zone_stream_id("kr/kadiz")))
        assert [r.type for r in kadiz] == [ZoneDeclared.TYPE, ZoneAmended.TYPE]
        versions = zone_versions(kadiz)
        assert [v.key for v in versions] == ["kr/kadiz-1951", "kr/kadiz-2013"]
        assert versions[0].effective_until == versions[1].effective_from
        before = zone_as_of(kadiz, day("2013-12-14T12:00:00+09:00"))
        after = zone_as_of(kadiz, day("2013-12-15T12:00:00+09:00"))
        assert before is not None
        assert after is not None
        assert not before.covers(*IEODO)
        assert after.covers(*IEODO)
        assert zone_as_of(kadiz, day("1950-01-01T00:00:00+00:00")) is None
        # Zone streams are not incidents.
        assert list(ledger.incidents()) == []
        with pytest.raises(UnknownIncidentError):
            ledger.incident(zone_stream_id("kr/kadiz"))


def test_as_it_stood_that_day_as_known_then() -> None:
    clock = SteppingClock(day("2013-01-01T00:00:00+00:00"), step=timedelta(days=1))
    with Ledger.open(clock=clock) as ledger:
        catalogue = zone_catalogue()
        source = SourceRegistered(
            incident_id=SOURCES_REGISTRY,
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher="Ministry of National Defense (Republic of Korea)",
        )
        # As declared in 1951, with no end in sight.
        original = attrs.evolve(catalogue["kr/kadiz-1951"], effective_until=None)
        declared = ZoneDeclared.of(original, source_id=source.source_id, stream="kr/kadiz")
        first = ledger.record(source, declared)
        known_before_extension = first.recorded_at
        ledger.record(
            ZoneAmended.to(
                catalogue["kr/kadiz-2013"], stream="kr/kadiz", source_id=source.source_id
            )
        )
        stream = zone_stream_id("kr/kadiz")
        later = day("2014-06-01T00:00:00+00:00")
        # As the ledger knew it before the amendment was recorded: the old zone, even for 2014.
        then = zone_as_of(ledger.events(stream, known_at=known_before_extension), later)
        now = zone_as_of(ledger.events(stream), later)
        assert then is not None
        assert now is not None
        assert (then.key, now.key) == ("kr/kadiz-1951", "kr/kadiz-2013")
        zones = recorded_zones(ledger, [stream], later, known_at=known_before_extension)
        assert zones.keys() == ["kr/kadiz-1951"]
        # A correction of the declaration is an ordinary correction.
        ledger.record(
            Correction.of(
                declared, source_id=source.source_id, reason="the accuracy stated", accuracy_nm=30.0
            )
        )
        (old, _new) = zone_versions(ledger.events(stream))
        assert old.accuracy_nm == 30.0


def test_a_zone_stream_must_open_with_its_declaration() -> None:
    with Ledger.open() as ledger:
        source = SourceRegistered(
            incident_id=SOURCES_REGISTRY, kind=SourceKind.OFFICIAL_STATEMENT, publisher="MND"
        )
        amendment = ZoneAmended.to(
            zone_catalogue()["kr/kadiz-2013"], stream="kr/kadiz", source_id=source.source_id
        )
        with pytest.raises(UnknownIncidentError):
            ledger.record(source, amendment)


def dokdo_incident() -> tuple[uuid.UUID, list[object]]:
    incident_id = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="JCS"
    )
    a50 = AircraftReported(
        incident_id=incident_id,
        source_id=source.source_id,
        type_designation="A-50",
        nation="RU",
        valid_time=ValidTime.day("2019-07-23", tz="Asia/Seoul"),
    )
    t0 = day("2019-07-23T09:09:00+09:00")
    start = destination(destination(DOKDO, 180, 40), 90, 5)
    end = destination(destination(DOKDO, 0, 40), 90, 5)
    track = TrackObserved(
        incident_id=incident_id,
        source_id=source.source_id,
        aircraft=(a50.event_id,),
        label="A-50, first pass",
        points=(
            Fix(time=t0, lon=start[0], lat=start[1], altitude_m=9000.0, uncertainty_m=500.0),
            Fix(time=t0 + timedelta(minutes=20), lon=end[0], lat=end[1]),
        ),
    )
    area = AreaReported(
        incident_id=incident_id,
        source_id=source.source_id,
        aircraft=(a50.event_id,),
        location=Location(name="East Sea"),
        valid_time=ValidTime.day("2019-07-23", tz="Asia/Seoul"),
    )
    opened = IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="Dokdo")
    return incident_id, [opened, source, a50, track, area]


def test_tracks_are_facts_of_an_incident_and_cross_zones(backend: Backend) -> None:
    incident_id, events = dokdo_incident()
    with backend.open() as ledger:
        ledger.record(*events)  # type: ignore[arg-type]
        incident = ledger.incident(incident_id)
        assert incident == fold(ledger.events(incident_id))
        (track,) = incident.tracks
        (area,) = incident.areas
        assert track.label == "A-50, first pass"
        assert track.points[0].altitude_m == 9000.0
        assert area.location.name == "East Sea"
        # Valid time: the track's span, from its first fix to its last.
        assert track.valid_time.earliest == track.points[0].time
        catalogue = zone_catalogue()
        (analysis,) = track_crossings(incident, catalogue).values()
        assert analysis.entered("kr/kr-dokdo-territorial")
        entry = next(c for c in analysis.crossings if c.zone == "kr/kr-dokdo-territorial")
        assert entry.at.date().isoformat() == "2019-07-23"
        assert touches_zone(incident, catalogue["kr/kr-dokdo-territorial"])
        assert not touches_zone(incident, catalogue["us/alaska-adiz"])
        assert [incident] == find_incidents(ledger.incidents(), zone=catalogue["kr/kadiz-2013"])
        assert [incident] == find_incidents(ledger.incidents(), near=DOKDO, within_nm=10)
        assert find_incidents(ledger.incidents(), near=(0.0, 0.0), within_nm=100) == []


def test_zone_streams_listed_by_the_catalogue() -> None:
    ids = catalogue_stream_ids(zone_catalogue())
    assert len(ids) == len(set(ids)) == 13
    assert zone_stream_id("kr/kadiz") in ids


def test_a_median_line_is_crossed_not_entered() -> None:
    line = ZoneDeclared(
        incident_id=zone_stream_id("tw/median-line"),
        source_id=uuid.uuid4(),
        key="tw/median-line",
        name="Taiwan Strait median line",
        kind="median-line",
        authority="US Air Force (1954), observed by Taiwan",
        legal_source="none: an informal line",
        edge_rule="great-circle",
        accuracy="approximate",
        approximate=True,
        outline=shapely.LineString([(122.0, 27.0), (117.5, 23.0)]),
        provenance="test",
    ).zone()
    assert line.is_line
    assert not line.covers(120.0, 25.0)
