from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import assume, given
from hypothesis import strategies as st

from incidents import InvalidInputError
from incidents._domain import geodesy
from incidents._domain.geodesy import (
    METRES_PER_NAUTICAL_MILE,
    bearing,
    buffer_nm,
    covers,
    crosses_antimeridian,
    densify,
    destination,
    distance_nm,
    path_length_nm,
    split_at_antimeridian,
)

GEOD = pyproj.Geod(ellps="WGS84")

# The Bering Sea track across 180°: planar lon/lat length 351.0 "degrees",
# geodesic 321.8 NM.
BERING = [(174.0, 58.5), (-177.0, 56.25)]

lats = st.floats(min_value=-89.0, max_value=89.0)
near_180 = st.floats(min_value=-20.0, max_value=20.0).map(
    lambda d: geodesy.normalize_lon(180.0 + d)
)


def test_a_nautical_mile_is_1852_metres() -> None:
    assert METRES_PER_NAUTICAL_MILE == 1852.0


def test_known_lengths_on_wgs84() -> None:
    # A degree of longitude on the equator is a * pi / 180; a degree of
    # latitude from the equator is the meridian arc (to the millimetre).
    assert pytest.approx(distance_nm((0, 0), (1, 0)) * 1852, abs=0.001) == 111_319.491
    assert pytest.approx(distance_nm((0, 0), (0, 1)) * 1852, abs=0.001) == 110_574.389


def test_the_bering_sea_track_is_measured_the_short_way() -> None:
    assert shapely.LineString(BERING).length == pytest.approx(351.0, abs=0.01)
    assert round(path_length_nm(BERING), 1) == 321.8
    assert round(path_length_nm(shapely.LineString(BERING)), 1) == 321.8
    assert crosses_antimeridian(BERING)
    assert not crosses_antimeridian([(170, 50), (175, 51)])


def test_densified_track_stays_short() -> None:
    dense = densify(BERING, max_step_nm=5)
    steps = [distance_nm(a, b) for a, b in itertools.pairwise(dense)]
    assert max(steps) <= 5.0 + 1e-9
    assert path_length_nm(dense) == pytest.approx(path_length_nm(BERING), abs=1e-6)
    assert np.all(np.abs(dense[:, 0]) <= 180)
    # Every point lies between the two ends, across 180°, never over Asia or America.
    assert np.all((dense[:, 0] >= 174.0) | (dense[:, 0] <= -177.0))


def test_densify_refuses_a_bad_step() -> None:
    with pytest.raises(InvalidInputError, match="positive"):
        densify(BERING, max_step_nm=0)


@given(near_180, lats, near_180, lats)
def test_distances_agree_with_geod_to_the_metre(
    lon1: float, lat1: float, lon2: float, lat2: float
) -> None:
    expected = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    assert expected == pytest.approx(distance_nm((lon1, lat1), (lon2, lat2)) * 1852, abs=1.0)


@given(near_180, lats, near_180, lats)
def test_antimeridian_symmetry(lon1: float, lat1: float, lon2: float, lat2: float) -> None:
    # The same two points turned 180° round the axis lie either side of 0°,
    # where nothing wraps: the same length there means the short way here.
    # Mirrored east-west: the same length too.
    turned = [
        (geodesy.normalize_lon(lon + 180.0), lat) for lon, lat in ((lon1, lat1), (lon2, lat2))
    ]
    mirrored = [(-lon1, lat1), (-lon2, lat2)]
    length = path_length_nm([(lon1, lat1), (lon2, lat2)])
    assert length == pytest.approx(path_length_nm(turned), abs=1e-6)
    assert length == pytest.approx(path_length_nm(mirrored), abs=1e-6)
    dense = densify([(lon1, lat1), (lon2, lat2)], max_step_nm=50)
    assert path_length_nm(dense) == pytest.approx(length, abs=1e-3)


@given(
    near_180, lats, st.floats(min_value=0, max_value=359.9), st.floats(min_value=0.1, max_value=500)
)
def test_destination_and_bearing_invert(lon: float, lat: float, course: float, nm: float) -> None:
    lon2, lat2 = destination((lon, lat), course, nm)
    assert -180 <= lon2 <= 180
    assert nm == pytest.approx(distance_nm((lon, lat), (lon2, lat2)), abs=1e-6)
    azimuth = bearing((lon, lat), (lon2, lat2))
    assert pytest.approx(math.remainder(azimuth - course, 360.0), abs=1e-6) == 0


def test_a_box_across_180_is_split_and_classified_on_both_sides() -> None:
    area = split_at_antimeridian(shapely.Polygon([(170, 50), (-170, 50), (-170, 60), (170, 60)]))
    assert area.geom_type == "MultiPolygon"
    assert list(covers(area, [175, -175, 180, -180, 0, 165], [55] * 6)) == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    # Shapely alone, on the unsplit polygon, answers the opposite.
    plain = shapely.Polygon([(170, 50), (-170, 50), (-170, 60), (170, 60)])
    assert not plain.covers(shapely.Point(175, 55))
    assert plain.covers(shapely.Point(0, 55))


def test_a_ring_round_the_pole_is_closed_over_it() -> None:
    ring = [(-180 + i * 30.0, 80.0) for i in range(12)]
    area = split_at_antimeridian(shapely.Polygon(ring))
    assert list(covers(area, [0, 100, -100], [89.9, 85, 70])) == [True, True, False]


def test_a_track_across_180_is_drawn_in_two_parts() -> None:
    drawn = split_at_antimeridian(shapely.LineString(densify(BERING)))
    assert drawn.geom_type == "MultiLineString"
    east, west = drawn.geoms
    assert east.coords[-1][0] == 180.0
    assert west.coords[0][0] == -180.0
    assert east.coords[-1][1] == west.coords[0][1]


def test_buffers_are_metric_not_degrees() -> None:
    # 12 NM round a point near 65°N reaches 12 NM east and north alike,
    # where a buffer of 0.2° would reach only about 5 NM east.
    circle = buffer_nm(shapely.Point(-168.0, 65.0), 12)
    for course in (0, 90, 180, 270):
        assert covers(circle, *destination((-168.0, 65.0), course, 11.9))
        assert not covers(circle, *destination((-168.0, 65.0), course, 12.1))
    across = buffer_nm(shapely.Point(179.95, 60.0), 12)
    assert covers(across, *destination((179.95, 60.0), 90, 11.9))
    with pytest.raises(InvalidInputError, match="positive"):
        buffer_nm(shapely.Point(0, 0), -1)


def _star(draw: st.DrawFn, radius_km: float) -> np.ndarray:
    n = draw(st.integers(min_value=5, max_value=12))
    radii = draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n))
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.column_stack(
        (np.cos(angles) * radii * radius_km * 1000, np.sin(angles) * radii * radius_km * 1000)
    )
    return np.vstack((ring, ring[:1]))


@st.composite
def projected_cases(draw: st.DrawFn) -> tuple[tuple[float, float], np.ndarray, np.ndarray]:
    centre = draw(
        st.sampled_from([(180.0, 60.0), (180.0, -60.0), (0.0, 90.0), (45.0, -90.0), (179.5, 85.0)])
    )
    ring = _star(draw, draw(st.sampled_from([300.0, 1500.0])))
    points = np.asarray(
        draw(
            st.lists(
                st.tuples(st.floats(-1.6e6, 1.6e6), st.floats(-1.6e6, 1.6e6)),
                min_size=20,
                max_size=40,
            )
        )
    )
    return centre, ring, points


@given(projected_cases())
def test_classification_matches_a_projected_crs(
    case: tuple[tuple[float, float], np.ndarray, np.ndarray],
) -> None:
    # The independent check: a polygon drawn in a polar or antimeridian-centred
    # projection, densified there, and points classified in that projection.
    centre, ring, points = case
    crs = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={centre[1]} +lon_0={centre[0]} +datum=WGS84 +units=m"
    )
    to_lonlat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    projected = shapely.segmentize(shapely.Polygon(ring), 2000.0)
    xy = shapely.get_coordinates(projected.exterior)
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    assume(np.all(np.abs(lat) < 89.999))
    area = split_at_antimeridian(shapely.Polygon(np.column_stack((lon, lat))))
    plon, plat = to_lonlat.transform(points[:, 0], points[:, 1])
    far = shapely.distance(projected.exterior, shapely.points(points)) > 5000.0
    expected = shapely.contains_xy(projected, points[:, 0], points[:, 1])
    got = covers(area, plon, plat)
    assert list(expected[far]) == list(got[far])


def test_import_incidents_does_not_import_pyproj() -> None:
    code = "import sys, incidents; print('pyproj' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_ring_round_the_pole_keeps_its_last_meridian() -> None:
    # The ring starts and ends on 90°E; the sliver between its last edge and
    # the meridian up to the pole is inside (once lost to a dropped vertex).
    ring = [(90.0 + 0.75 * i, 88.66) for i in range(480)]
    area = split_at_antimeridian(shapely.Polygon(ring))
    assert covers(area, 89.99, 89.0)
    assert covers(area, 90.01, 89.0)
    assert not covers(area, 89.98, 88.0)


def test_a_ring_round_the_pole_leaves_no_sliver_along_its_first_meridian() -> None:
    # Found by the projected-CRS property test: a ring round the south pole whose
    # first vertex is on 135°E; after unwrapping, its last vertex was a rounding
    # error away from 135° + 360°, and points on 135°E near the pole fell outside.
    ring = np.array(
        [
            [1.3125e6, 0.0],
            [7.5e5, 1.29903811e6],
            [-7.5e5, 1.29903811e6],
            [-1.5e6, 1.83697020e-10],
            [-7.5e5, -1.29903811e6],
            [7.5e5, -1.29903811e6],
            [1.3125e6, 0.0],
        ]
    )
    crs = pyproj.CRS.from_proj4("+proj=aeqd +lat_0=-90 +lon_0=45 +datum=WGS84 +units=m")
    to_lonlat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    projected = shapely.segmentize(shapely.Polygon(ring), 2000.0)
    xy = shapely.get_coordinates(projected.exterior)
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    area = split_at_antimeridian(shapely.Polygon(np.column_stack((lon, lat))))
    # 17 m from the pole, a hair east of 135°E (135.0000000000006).
    plon, plat = to_lonlat.transform(np.array([17.0]), np.array([-1.84787659e-13]))
    assert list(covers(area, plon, plat)) == [True]
    assert covers(area, 135.0, -89.5)
