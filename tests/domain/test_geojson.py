from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely
import shapely.geometry

from incidents import (
    Fix,
    Ledger,
    TrackObserved,
    examples,
    incident_geojson,
    zone_catalogue,
    zone_feature,
    zones_from_geojson,
)


def alaska_with_track() -> object:
    ids = examples.alaska_2024_ids()
    t0 = datetime(2024, 7, 24, 20, 0, tzinfo=UTC)
    points = [(174.0, 58.5), (-177.0, 56.25), (-172.0, 58.5)]
    track = TrackObserved(
        incident_id=ids["incident"],
        source_id=ids["source/norad"],
        aircraft=(ids["patrol"],),
        label="illustrative",
        points=tuple(
            Fix(time=t0 + timedelta(hours=i), lon=lon, lat=lat)
            for i, (lon, lat) in enumerate(points)
        ),
    )
    with Ledger.open() as ledger:
        for _, batch in examples.alaska_2024_batches():
            ledger.record(*batch)
        ledger.record(track)
        return ledger.incident(ids["incident"])


def test_the_worked_example_opens_in_shapely_with_the_right_features() -> None:
    catalogue = zone_catalogue()
    zones = [catalogue["us/alaska-adiz"], catalogue["us/us-alaska-territorial"]]
    data = json.loads(json.dumps(incident_geojson(alaska_with_track(), zones)))
    kinds = [f["properties"]["feature"] for f in data["features"]]
    assert kinds.count("track") == 1
    assert kinds.count("zone") == 2
    assert kinds.count("crossing") >= 1
    shapes = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    assert all(s.is_valid for s in shapes)
    (track,) = [s for s, k in zip(shapes, kinds, strict=True) if k == "track"]
    # Drawn the short way, cut at 180°: no segment spans more than 180° of longitude.
    assert track.geom_type == "MultiLineString"
    for part in track.geoms:
        assert np.all(np.abs(np.diff(shapely.get_coordinates(part)[:, 0])) < 180)
    adiz = shapes[kinds.index("zone")]
    assert adiz.geom_type == "MultiPolygon"
    # RFC 7946: exterior rings counterclockwise.
    for polygon in adiz.geoms:
        assert polygon.exterior.is_ccw


def test_a_zone_written_reads_back() -> None:
    zone = zone_catalogue()["kr/kadiz-2013"]
    (again,) = zones_from_geojson(
        json.dumps({"type": "FeatureCollection", "features": [zone_feature(zone)]})
    )
    assert (again.key, again.effective_from, again.accuracy_nm) == (
        zone.key,
        zone.effective_from,
        zone.accuracy_nm,
    )
    for lon, lat in [(125.18, 32.12), (124.5, 37.0), (130.0, 40.0)]:
        assert bool(again.covers(lon, lat)) == bool(zone.covers(lon, lat))
