from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    EdgeRule,
    InvalidInputError,
    Zone,
    ZoneKind,
    destination,
    zone_catalogue,
    zones_from_geojson,
)

IEODO = (125.18, 32.12)  # Socotra Rock, inside the KADIZ only since 2013-12-15
DOKDO = (131.8667, 37.2417)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def keys(zones: list[Zone]) -> list[str]:
    return sorted(z.key for z in zones)


def test_the_catalogue_ships_every_zone_with_provenance() -> None:
    catalogue = zone_catalogue()
    assert {
        "us/alaska-adiz",
        "ca/cadiz-arctic-before-2018",
        "ca/cadiz-arctic-2018",
        "jp/jadiz",
        "kr/kadiz-1951",
        "kr/kadiz-2013",
        "cn/ecs-adiz",
        "tw/adiz",
        "us/us-alaska-territorial",
        "ru/ru-far-east-territorial",
        "jp/jp-territorial",
        "kr/kr-territorial",
        "kr/kr-dokdo-territorial",
        "tw/tw-territorial",
        "cn/cn-east-territorial",
    } == set(catalogue.keys())
    for zone in catalogue:
        assert zone.legal_source
        assert zone.accuracy
        assert zone.provenance
        assert zone.authority
        assert zone.area().is_valid
        # Nothing shipped is presented as the legal line without saying so.
        if zone.approximate:
            assert zone.accuracy_nm is not None
    for zone in catalogue:
        if zone.kind is ZoneKind.TERRITORIAL_AIRSPACE:
            assert zone.approximate
            assert "Never the legal line" in zone.accuracy


def test_kadiz_as_it_stood_on_the_day() -> None:
    catalogue = zone_catalogue()
    before, after = at("2013-12-14T12:00:00+09:00"), at("2013-12-15T12:00:00+09:00")
    assert keys(catalogue.named("KADIZ", before)) == ["kr/kadiz-1951"]
    assert keys(catalogue.named("KADIZ", after)) == ["kr/kadiz-2013"]
    assert "kr/kadiz-2013" not in keys(catalogue.containing(*IEODO, at=before))
    assert "kr/kadiz-2013" in keys(catalogue.containing(*IEODO, at=after))
    assert "kr/kadiz-1951" not in keys(catalogue.containing(*IEODO))
    # Midnight in Seoul is the boundary.
    assert catalogue["kr/kadiz-2013"].in_force(at("2013-12-15T00:00:00+09:00"))
    assert not catalogue["kr/kadiz-2013"].in_force(at("2013-12-14T23:59:59+09:00"))


def test_cadiz_before_and_after_its_extension() -> None:
    catalogue = zone_catalogue()
    ellesmere = (-80.0, 80.0)
    assert keys(catalogue.containing(*ellesmere, at=at("2018-05-23T12:00:00+00:00"))) == []
    assert keys(catalogue.containing(*ellesmere, at=at("2018-05-25T12:00:00+00:00"))) == [
        "ca/cadiz-arctic-2018"
    ]


def test_the_alaska_adiz_on_both_sides_of_180() -> None:
    zone = zone_catalogue()["us/alaska-adiz"]
    assert zone.covers(178.0, 52.0)
    assert zone.covers(-178.0, 52.0)
    assert zone.covers(180.0, 52.0)
    assert zone.covers(-180.0, 52.0)
    assert not zone.covers(160.0, 52.0)


def test_ecs_adiz_stops_at_chinas_territorial_airspace() -> None:
    catalogue = zone_catalogue()
    ecs = catalogue["cn/ecs-adiz"]
    assert ecs.covers(125.0, 29.0)
    shanghai_coast = (121.95, 30.85)
    assert catalogue["cn/cn-east-territorial"].covers(*shanghai_coast)
    assert not ecs.covers(*shanghai_coast)
    assert ecs.effective_from == at("2013-11-23T10:00:00+08:00")


def test_dokdo_territorial_airspace_reaches_12_nm() -> None:
    zone = zone_catalogue()["kr/kr-dokdo-territorial"]
    for course in (0, 90, 180, 270):
        assert zone.covers(*destination(DOKDO, course, 11.8))
        assert not zone.covers(*destination(DOKDO, course, 12.3))
    assert zone.distance_nm(*destination(DOKDO, 90, 20)) == pytest.approx(8.0, abs=0.3)


def test_search_by_distance_nearest_first() -> None:
    catalogue = zone_catalogue()
    point = destination(DOKDO, 90, 20)
    near = catalogue.within_nm(*point, nm=10)
    assert "kr/kr-dokdo-territorial" in keys(near)
    assert "kr/kr-territorial" not in keys(near)
    assert "jp/jp-territorial" not in keys(near)


def test_edges_along_a_parallel_follow_it_under_14_cfr_99_41() -> None:
    ring = [(-170.0, 60.0), (-150.0, 60.0), (-150.0, 50.0), (-170.0, 50.0), (-170.0, 60.0)]

    def zone(rule: EdgeRule) -> Zone:
        return Zone(
            key="test/box",
            name="box",
            kind=ZoneKind.OTHER,
            authority="test",
            legal_source="test",
            edge_rule=rule,
            accuracy="exact",
            approximate=False,
            geometry=shapely.Polygon(ring),
            provenance="test",
        )

    # A great circle between two points on 60°N bulges north of it, about
    # 0.6° halfway along 20° of longitude; a rhumb line stays on the parallel.
    just_north = (-160.0, 60.3)
    assert zone(EdgeRule.GREAT_CIRCLE).covers(*just_north)
    assert not zone(EdgeRule.GREAT_CIRCLE_EXCEPT_PARALLELS).covers(*just_north)
    assert not zone(EdgeRule.RHUMB_LINE).covers(*just_north)


def test_classify_matches_each_zone() -> None:
    catalogue = zone_catalogue()
    rng = np.random.default_rng(7)
    lon = rng.uniform(-180, 180, 2000)
    lat = rng.uniform(10, 85, 2000)
    found = catalogue.classify(lon, lat)
    for zone in catalogue:
        assert list(zone.covers(lon, lat)) == list(found[zone.key])


USER_ZONE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "key": "cn/exercise-2024-07",
                "name": "PLA exercise area off Fujian",
                "kind": "exercise-area",
                "authority": "Maritime Safety Administration (PRC)",
                "nation": "CN",
                "legal_source": "Navigation warning, July 2024",
                "effective_from": "2024-07-20T00:00:00+08:00",
                "effective_until": "2024-07-23T00:00:00+08:00",
                "edge_rule": "rhumb-line",
                "accuracy": "as published, to the arc-minute",
                "accuracy_nm": 1,
                "approximate": False,
                "provenance": "the warning's own coordinates",
                "fill": "#f00",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[119.5, 24.5], [120.0, 24.5], [120.0, 25.0], [119.5, 25.0], [119.5, 24.5]]
                ],
            },
        }
    ],
}


def test_users_add_zones_from_geojson() -> None:
    (zone,) = zones_from_geojson(json.dumps(USER_ZONE))
    assert ZoneKind.EXERCISE_AREA is zone.kind
    assert zone.in_force(at("2024-07-21T00:00:00+00:00"))
    assert not zone.in_force(at("2024-07-24T00:00:00+00:00"))
    assert zone.covers(119.75, 24.75)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "bubble"}, "zone kind"),
        ({"edge_rule": "wiggly"}, "edge rule"),
        ({"effective_until": "2024-07-19T00:00:00+08:00"}, "effective_until"),
        ({"nation": "XX"}, "nation"),
        ({"accuracy_nm": -1}, "accuracy_nm"),
        ({"effective_from": "July"}, "ISO-8601"),
    ],
)
def test_bad_zone_metadata_is_refused(change: dict[str, object], message: str) -> None:
    data = json.loads(json.dumps(USER_ZONE))
    data["features"][0]["properties"].update(change)
    with pytest.raises(InvalidInputError, match=message):
        zones_from_geojson(data)


def test_missing_metadata_is_named() -> None:
    data = json.loads(json.dumps(USER_ZONE))
    del data["features"][0]["properties"]["accuracy"]
    with pytest.raises(InvalidInputError, match="accuracy"):
        zones_from_geojson(data)
    with pytest.raises(InvalidInputError, match="JSON"):
        zones_from_geojson("{")


@given(st.floats(min_value=-25, max_value=25), st.floats(min_value=40, max_value=75))
def test_a_zone_across_180_answers_alike_when_turned(offset: float, lat: float) -> None:
    # The same box drawn across 180° and across 0°: the same answer for the same offset.
    def box(centre: float) -> Zone:
        ring = [(centre - 10, 45), (centre + 10, 45), (centre + 10, 70), (centre - 10, 70)]
        ring = [(((lon + 180) % 360) - 180, la) for lon, la in ring]
        return Zone(
            key="t",
            name="t",
            kind="other",
            authority="t",
            legal_source="t",
            edge_rule="great-circle",
            accuracy="t",
            approximate=False,
            geometry=shapely.Polygon(ring),
            provenance="t",
        )

    east = ((180 + offset + 180) % 360) - 180
    assert box(180.0).covers(east, lat) == box(0.0).covers(offset, lat)
