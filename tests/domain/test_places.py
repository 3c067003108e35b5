from __future__ import annotations

import pickle
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    AircraftReported,
    FixedClock,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    Location,
    LocationPrecision,
    LocationPrecisionKind,
    LocationWarning,
    Position,
    SourceKind,
    SourceRegistered,
    ValidTime,
    acled_geo_precision,
    location_warnings,
    stix_precision,
    ucdp_where_prec,
)
from incidents._codec.canonical import converter
from incidents._domain.places import area_named, is_maritime, on_land

DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")


def codes(location: Location) -> list[str]:
    return [w.code for w in location_warnings(location)]


def test_a_position_in_its_named_sea_raises_nothing() -> None:
    assert codes(Location(name="Bering Sea", position=Position(lat=58.0, lon=-175.0))) == []
    # Across 180° too, on both sides.
    assert codes(Location(name="Bering Sea", position=Position(lat=57.0, lon=178.0))) == []
    assert codes(Location(name="East Sea", position=Position(lat=39.0, lon=134.0))) == []


def test_swapped_latitude_and_longitude_are_named() -> None:
    # Both values in range, so the position itself is accepted; the check says why it looks wrong.
    found = location_warnings(Location(name="Baltic Sea", position=Position(lat=20.0, lon=57.0)))
    assert [w.code for w in found] == ["swapped-coordinates"]
    assert "look swapped" in found[0].message


def test_on_land_for_a_maritime_report() -> None:
    # Fairbanks, given as "Bering Sea": on land and far from the sea.
    fairbanks = Location(name="Bering Sea", position=Position(lat=64.84, lon=-147.72))
    assert codes(fairbanks) == ["far-from-named-area", "on-land"]
    # Seoul, "over the Sea of Japan": the gazetteer does not know the phrase, the words do.
    seoul = Location(name="over the Sea of Japan", position=Position(lat=37.5, lon=127.0))
    assert is_maritime(seoul)
    assert codes(seoul) == ["on-land"]
    # A land report over land is no concern.
    assert codes(Location(name="Fairbanks", position=Position(lat=64.84, lon=-147.72))) == []


def test_far_from_the_named_area() -> None:
    found = codes(Location(name="East China Sea", position=Position(lat=40.0, lon=150.0)))
    assert found == ["far-from-named-area"]


def test_land_is_known_on_both_sides_of_180() -> None:
    # Attu (western Aleutians, east longitude) and St. Lawrence Island (west longitude).
    assert on_land(173.2, 52.85)
    assert on_land(-170.3, 63.4)
    assert not on_land(-175.0, 58.0)


def test_names_and_their_aliases() -> None:
    assert area_named("Sea of Japan") is area_named("East Sea")
    assert area_named("the Bering Sea") is area_named("Bering Sea")
    assert area_named("Atlantis") is None


def test_precision_values() -> None:
    assert LocationPrecision.within(nm=20).radius_m == 37_040.0
    assert LocationPrecisionKind.AREA is LocationPrecision.area().kind
    assert LocationPrecision.within(nm=20).describe() == "within 20 NM (37,040 m)"
    with pytest.raises(InvalidInputError, match="radius"):
        LocationPrecision(kind=LocationPrecisionKind.RADIUS)
    with pytest.raises(InvalidInputError, match="only a precision within a radius"):
        LocationPrecision(kind=LocationPrecisionKind.EXACT, radius_m=5.0)
    with pytest.raises(InvalidInputError, match="not both"):
        LocationPrecision.within(metres=5, nm=1)
    with pytest.raises(InvalidInputError, match="radius"):
        LocationPrecision.within(metres=-1)
    with pytest.raises(InvalidInputError, match="precision must be"):
        LocationPrecision(kind="roughly")


def test_a_location_without_precision_keeps_its_bytes() -> None:
    plain = Location(name="Bering Sea", position=Position(lat=58.0, lon=-175.0))
    assert (converter.unstructure(plain)) == {
        "geometry": None,
        "name": "Bering Sea",
        "position": {"lat": 58.0, "lon": -175.0},
    }
    precise = Location(
        name="Bering Sea",
        position=Position(lat=58.0, lon=-175.0),
        precision=LocationPrecision.within(nm=20),
    )
    data = converter.unstructure(precise)
    assert data["precision"] == {"kind": "radius", "radius_m": 37040.0}
    assert precise == converter.structure(data, Location)
    assert precise != plain
    assert converter.unstructure(LocationPrecision.exact()) == {"kind": "exact"}


@given(st.sampled_from(list(LocationPrecisionKind)), st.floats(min_value=1, max_value=1e6))
def test_precision_round_trips_in_events(kind: LocationPrecisionKind, radius: float) -> None:
    precision = LocationPrecision(
        kind=kind, radius_m=radius if kind is LocationPrecisionKind.RADIUS else None
    )
    event = AircraftReported(
        incident_id=uuid.uuid4(),
        source_id=uuid.uuid4(),
        type_designation="H-6K",
        nation="CN",
        valid_time=DAY,
        location=Location(position=Position(lat=58, lon=-175), precision=precision),
    )
    from incidents import decode_event, encode_event

    assert event == decode_event(encode_event(event))


@pytest.mark.parametrize(
    ("location", "ucdp", "acled", "stix"),
    [
        (Location(position=Position(lat=58, lon=-175)), 1, 1, 0.0),
        (
            Location(
                position=Position(lat=58, lon=-175),
                precision=LocationPrecision.within(metres=10_000),
            ),
            2,
            2,
            10_000.0,
        ),
        (
            Location(
                name="Bering Sea",
                position=Position(lat=58, lon=-175),
                precision=LocationPrecision.within(nm=50),
            ),
            7,
            3,
            92_600.0,
        ),
        (Location(name="Bering Sea"), 7, 3, None),
        (Location(name="Alaska"), 4, 3, None),
        (
            Location(
                name="Fairbanks",
                position=Position(lat=64.8, lon=-147.7),
                precision=LocationPrecision.within(nm=30),
            ),
            3,
            3,
            55_560.0,
        ),
    ],
)
def test_precision_codes_for_export(
    location: Location, ucdp: int, acled: int, stix: float | None
) -> None:
    assert (ucdp, acled, stix) == (
        ucdp_where_prec(location),
        acled_geo_precision(location),
        stix_precision(location),
    )


def test_stix_precision_of_a_named_sea_is_how_far_it_reaches() -> None:
    metres = stix_precision(
        Location(
            name="Bering Sea",
            position=Position(lat=58, lon=-175),
            precision=LocationPrecision.area(),
        )
    )
    assert metres is not None
    assert 600_000 < metres < 1_500_000


def test_the_ledger_records_a_suspicious_location_and_says_so() -> None:
    incident_id = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NATO"
    )
    swapped = AircraftReported(
        incident_id=incident_id,
        source_id=source.source_id,
        type_designation="Il-20",
        nation="RU",
        valid_time=DAY,
        location=Location(name="Baltic Sea", position=Position(lat=20.0, lon=57.0)),
    )
    fine = AircraftReported(
        incident_id=incident_id,
        source_id=source.source_id,
        type_designation="Su-27",
        nation="RU",
        valid_time=DAY,
        location=Location(name="Baltic Sea", position=Position(lat=57.0, lon=20.0)),
    )
    with Ledger.open(clock=FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC))) as ledger:
        batch = ledger.record(
            IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="t"),
            source,
            swapped,
            fine,
        )
        assert len(batch) == 4
        (warning,) = batch.warnings
        assert isinstance(warning, LocationWarning)
        assert ("swapped-coordinates", swapped.event_id, "location") == (
            warning.code,
            warning.event_id,
            warning.field,
        )
        assert pickle.loads(pickle.dumps(batch)).warnings == batch.warnings
        clean = ledger.record(
            AircraftReported(
                incident_id=incident_id,
                source_id=source.source_id,
                type_designation="Su-27",
                nation="RU",
                valid_time=DAY,
            )
        )
        assert clean.warnings == ()
