from __future__ import annotations

import math

import pytest
import shapely
from hypothesis import given

from incidents import METRES_PER_NAUTICAL_MILE, InvalidInputError, Location, Position
from incidents._codec.canonical import converter
from support.strategies import geometries, locations


def test_nautical_mile_is_exact() -> None:
    assert METRES_PER_NAUTICAL_MILE == 1852.0


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (90.0001, 0, "latitude"),
        (-91, 0, "latitude"),
        (0, 180.5, "longitude"),
        (0, -181, "longitude"),
        (math.nan, 0, "latitude"),
        (0, math.inf, "longitude"),
    ],
)
def test_out_of_range_coordinates_are_refused(lat: float, lon: float, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Position(lat=lat, lon=lon)


def test_geometry_coordinates_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="longitude"):
        Location(geometry=shapely.LineString([(170, 60), (190, 61)]))
    with pytest.raises(InvalidInputError, match="empty"):
        Location(geometry=shapely.Point())
    with pytest.raises(InvalidInputError, match="needs"):
        Location()


def test_edges_of_the_range_are_accepted() -> None:
    assert Position(lat=90, lon=-180).lon == -180.0


@given(locations())
def test_locations_round_trip_exactly(location: Location) -> None:
    again = converter.structure(converter.unstructure(location), Location)
    assert location == again
    if location.geometry is not None:
        assert again.geometry is not None
        assert (
            shapely.get_coordinates(location.geometry).tolist()
            == shapely.get_coordinates(again.geometry).tolist()
        )


@given(geometries)
def test_location_equality_is_exact(geometry: shapely.Geometry) -> None:
    moved = shapely.transform(geometry, lambda c: c * 0.5)
    assert Location(geometry=geometry) == Location(geometry=geometry)
    if not shapely.equals_exact(geometry, moved, tolerance=0):
        assert Location(geometry=geometry) != Location(geometry=moved)
