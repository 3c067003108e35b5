"""
Named sea areas, the land of the catalogue's coasts, suspicious locations, and precision codes.

Three things a location is checked for when it is recorded (see
:attr:`incidents.RecordedBatch.warnings`), each a warning, never a refusal:

- ``swapped-coordinates``: the position is far from the area it names, and
  with latitude and longitude swapped it would lie in it;
- ``on-land``: the location names a sea (a maritime report) but its position
  is on land;
- ``far-from-named-area``: the position is more than
  :data:`FAR_FROM_AREA_NM` outside the area it names.

The named areas are a small gazetteer of the seas of the North Pacific and
of northern Europe (:data:`SEA_AREAS`), drawn coarsely by hand (edges good to about 50 NM: a
hint, never a boundary), and the zones of the shipped catalogue. Land is
Natural Earth 1:10m (public domain), for the coasts the catalogue touches
only: Alaska and the Aleutians, the Russian Far East, Japan, Korea, Taiwan
and China's east coast. Elsewhere no land check is made.

A location's precision maps to the codes of other datasets:
:func:`ucdp_where_prec`, :func:`acled_geo_precision`, :func:`stix_precision`.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from incidents._domain.geo import Location, LocationPrecision, LocationPrecisionKind
from incidents._domain.geodesy import covers, distance_nm, geod, split_at_antimeridian
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
    import shapely
    from shapely.geometry.base import BaseGeometry
else:
    # Imported when first used: `import incidents` stays light (tests/test_import_time.py).
    np = LazyModule("numpy", globals(), "np")
    shapely = LazyModule("shapely", globals(), "shapely")

__all__ = [
    "FAR_FROM_AREA_NM",
    "SEA_AREAS",
    "LocationWarning",
    "acled_geo_precision",
    "area_named",
    "event_warnings",
    "is_maritime",
    "land",
    "location_warnings",
    "on_land",
    "register_area",
    "stix_precision",
    "ucdp_where_prec",
]

FAR_FROM_AREA_NM = 100.0
"""How far outside the area it names a position may lie before it is called far from it."""

# Coarse outlines of the seas, (lon, lat) in order; each edge the short way.
# Drawn from small-scale maps of the IHO limits: good to about 50 NM, no better.
_SEAS: dict[str, tuple[tuple[str, ...], list[tuple[float, float]]]] = {
    "bering-sea": (
        ("Bering Sea",),
        [
            (162, 58),
            (163, 55.5),
            (170, 53),
            (180, 51.5),
            (-170, 52),
            (-163, 54.5),
            (-157, 57),
            (-158, 61),
            (-165, 64),
            (-168, 65.7),
            (-172, 65.5),
            (-178, 64.5),
            (177, 62.5),
            (170, 60),
            (162, 58),
        ],
    ),
    "chukchi-sea": (
        ("Chukchi Sea",),
        [
            (-180, 68.5),
            (-172, 66.5),
            (-168, 65.7),
            (-166, 68),
            (-156.5, 71.3),
            (-156, 73),
            (-170, 75),
            (-180, 72),
            (-180, 68.5),
        ],
    ),
    "sea-of-okhotsk": (
        ("Sea of Okhotsk", "Okhotsk Sea"),
        [
            (135, 54),
            (143, 59.5),
            (155, 62),
            (156.7, 57),
            (156, 51),
            (151, 46),
            (145, 43.5),
            (142, 46),
            (141.5, 52),
            (135, 54),
        ],
    ),
    "sea-of-japan": (
        ("Sea of Japan", "East Sea", "Japan Sea", "Sea of Japan (East Sea)"),
        [
            (127.5, 35),
            (129.5, 34.5),
            (131, 34),
            (136, 35.5),
            (140, 38),
            (140, 41.5),
            (141.5, 45.5),
            (142, 48),
            (140.5, 52),
            (138, 47),
            (132, 42.5),
            (129.5, 41),
            (128.5, 38),
            (129.5, 36),
            (127.5, 35),
        ],
    ),
    "east-china-sea": (
        ("East China Sea",),
        [
            (121, 31.5),
            (126, 33.3),
            (129.5, 33.5),
            (131, 31),
            (131, 29),
            (128, 26),
            (123, 24.8),
            (121.5, 25.3),
            (120, 26.5),
            (121, 29),
            (121, 31.5),
        ],
    ),
    "yellow-sea": (
        ("Yellow Sea", "West Sea"),
        [
            (119, 35),
            (120, 37.5),
            (121.5, 39),
            (125, 39.8),
            (126.5, 37.5),
            (126.5, 34.3),
            (126, 33.3),
            (121, 31.5),
            (119, 35),
        ],
    ),
    "korea-strait": (
        ("Korea Strait", "Tsushima Strait"),
        [
            (126.5, 34.3),
            (129.5, 35.3),
            (130.5, 34),
            (130.2, 33.4),
            (128, 33.2),
            (126.5, 33.4),
            (126.5, 34.3),
        ],
    ),
    "taiwan-strait": (
        ("Taiwan Strait",),
        [(117.5, 23.5), (119.5, 25.9), (121, 25.6), (120.3, 22.5), (119, 22.5), (117.5, 23.5)],
    ),
    "philippine-sea": (
        ("Philippine Sea",),
        [
            (122, 19),
            (126, 8),
            (135, 5),
            (145, 13),
            (142, 30),
            (135, 33),
            (130, 31),
            (128, 26),
            (123, 24.8),
            (122, 19),
        ],
    ),
    "gulf-of-alaska": (
        ("Gulf of Alaska",),
        [
            (-157, 57),
            (-150, 60.5),
            (-145, 60.3),
            (-137, 58.5),
            (-134, 55),
            (-145, 53),
            (-157, 54),
            (-157, 57),
        ],
    ),
    # Where NATO intercepts happen: here a swap of latitude and longitude
    # can still look like a valid position.
    "baltic-sea": (
        ("Baltic Sea",),
        [
            (10, 54),
            (14, 53.8),
            (19, 54.3),
            (21, 55),
            (21, 57),
            (24, 57.5),
            (24, 59.5),
            (30, 60),
            (22.5, 60.5),
            (21, 61),
            (21, 65.8),
            (25, 65.8),
            (23, 63),
            (19, 60.5),
            (17, 57),
            (16, 56),
            (12.5, 56),
            (10, 55),
            (10, 54),
        ],
    ),
    "black-sea": (
        ("Black Sea",),
        [
            (28, 41.5),
            (28, 45),
            (30, 46.5),
            (33, 46),
            (35, 45.5),
            (38, 47),
            (39.5, 44),
            (41.5, 41.5),
            (36, 41.5),
            (32, 41.5),
            (28, 41.5),
        ],
    ),
    "north-sea": (
        ("North Sea",),
        [
            (-3, 51),
            (2, 51),
            (5, 53),
            (8, 54),
            (8.5, 57),
            (10, 59),
            (5, 62),
            (-1, 61),
            (-4, 58.5),
            (-2, 56),
            (0, 53),
            (-3, 51),
        ],
    ),
    "norwegian-sea": (
        ("Norwegian Sea",),
        [
            (5, 62),
            (10, 64),
            (15, 68.5),
            (20, 70),
            (15, 72),
            (5, 74),
            (-5, 72),
            (-10, 70),
            (-7, 63),
            (-1, 61),
            (5, 62),
        ],
    ),
    "barents-sea": (
        ("Barents Sea",),
        [
            (20, 70),
            (30, 70),
            (40, 67),
            (45, 68),
            (55, 68.5),
            (58, 70.5),
            (55, 73),
            (60, 76.5),
            (60, 80),
            (30, 80),
            (20, 76),
            (15, 72),
            (20, 70),
        ],
    ),
    "beaufort-sea": (
        ("Beaufort Sea",),
        [
            (-156.5, 71.3),
            (-141, 69.6),
            (-125, 69.5),
            (-125, 74),
            (-141, 76),
            (-156, 74),
            (-156.5, 71.3),
        ],
    ),
}


@attrs.frozen
class _Area:
    key: str
    names: tuple[str, ...]
    shape: BaseGeometry


SEA_AREAS: Mapping[str, tuple[str, ...]] = {key: names for key, (names, _) in _SEAS.items()}
"""The seas the gazetteer knows, by key: the names each goes by."""

_MARITIME_WORDS = re.compile(r"\b(sea|ocean|strait|gulf|bay|channel|waters)\b", re.IGNORECASE)


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", name.casefold()).split()).removeprefix("the ")


@functools.cache
def _seas() -> dict[str, _Area]:
    found = {}
    for key, (names, ring) in _SEAS.items():
        area = _Area(key, names, split_at_antimeridian(shapely.Polygon(ring)))
        for name in names:
            found[_norm(name)] = area
    return found


_extra_areas: dict[str, _Area] = {}


def register_area(name: str, shape: BaseGeometry, key: str | None = None) -> None:
    """
    Let the checks know one more named area (the zone catalogue registers its zones).

    Args:
        name: The name a location may give.
        shape: Its area in lon/lat, split at 180°.
        key: A stable key (default: the name).
    """
    _extra_areas[_norm(name)] = _Area(key or name, (name,), shape)


def area_named(name: str) -> BaseGeometry | None:
    """
    The area a name stands for, if the gazetteer or the zone catalogue knows it.

    Args:
        name: e.g. ``"Bering Sea"``, ``"East Sea"``, ``"Alaska ADIZ"``.

    Returns:
        Its (approximate) area in lon/lat, split at 180°, or ``None``.
    """
    key = _norm(name)
    found = _seas().get(key) or _extra_areas.get(key)
    return None if found is None else found.shape


def is_maritime(location: Location) -> bool:
    """
    Whether a location reads as a report over the sea: it names a sea, strait, gulf or ocean.

    Args:
        location: The location.

    Returns:
        True for ``"Bering Sea"``, ``"over the Sea of Japan"``; False without a name.
    """
    if location.name is None:
        return False
    return _norm(location.name) in _seas() or bool(_MARITIME_WORDS.search(location.name))


@functools.cache
def land() -> BaseGeometry:
    """
    The shipped land of the North Pacific coasts (Natural Earth 1:10m), read once and prepared.
    """
    resource = importlib.resources.files("incidents") / "data" / "land-north-pacific.geojson"
    data = json.loads(resource.read_bytes())
    shape = shapely.geometry.shape(data["features"][0]["geometry"])
    shapely.prepare(shape)
    return shape


def on_land(lon: Any, lat: Any) -> Any:
    """
    Whether points are on the land of the catalogue's coasts (Natural Earth 1:10m).

    Only Alaska and the Aleutians, the Russian Far East, Japan, Korea,
    Taiwan and China's east coast are known; elsewhere the answer is False.

    Args:
        lon: Longitude(s), degrees.
        lat: Latitude(s), degrees.

    Returns:
        A bool or an array of them.
    """
    return covers(land(), lon, lat)


@attrs.frozen(kw_only=True)
class LocationWarning:
    """
    Something suspicious about a recorded location: recorded all the same, and said.

    Attributes:
        code: ``"swapped-coordinates"``, ``"on-land"`` or ``"far-from-named-area"``.
        message: What was found, in words.
        event_id: The event whose location it is (``None`` when a location is
            checked by itself).
        field: The event's field holding the location, e.g. ``"location"``.
    """

    code: str
    message: str
    event_id: UUID | None = None
    field: str = "location"


def _outside_nm(area: BaseGeometry, lon: float, lat: float) -> float:
    # How far outside an area a point is, in NM (0 inside): the nearest point
    # of the boundary is found in lon/lat, then measured on the ellipsoid.
    if covers(area, lon, lat):
        return 0.0
    best = float("inf")
    for shift in (-360.0, 0.0, 360.0):
        point = shapely.Point(lon + shift, lat)
        nearest = shapely.shortest_line(area, point)
        (x, y), _ = shapely.get_coordinates(nearest)
        best = min(best, distance_nm((x, y), (lon, lat)))
    return best


def location_warnings(location: Location) -> tuple[LocationWarning, ...]:
    """
    What looks wrong about a location: swapped coordinates, land under a sea report, a far name.

    Args:
        location: The location.

    Returns:
        The warnings (none for a location that looks right or cannot be checked).
    """
    if location.position is None:
        return ()
    lat, lon = location.position.lat, location.position.lon
    found: list[LocationWarning] = []
    area = None if location.name is None else area_named(location.name)
    can_swap = abs(lon) <= 90.0 and lat != lon
    if area is not None:
        outside = _outside_nm(area, lon, lat)
        if outside > FAR_FROM_AREA_NM:
            if can_swap and _outside_nm(area, lat, lon) <= FAR_FROM_AREA_NM:
                found.append(
                    LocationWarning(
                        code="swapped-coordinates",
                        message=(
                            f"lat {lat:g}, lon {lon:g} is {outside:,.0f} NM from "
                            f"{location.name!r}, but lat {lon:g}, lon {lat:g} is in it: "
                            "latitude and longitude look swapped"
                        ),
                    )
                )
                return tuple(found)
            found.append(
                LocationWarning(
                    code="far-from-named-area",
                    message=(
                        f"lat {lat:g}, lon {lon:g} is {outside:,.0f} NM outside "
                        f"{location.name!r} (more than {FAR_FROM_AREA_NM:g} NM)"
                    ),
                )
            )
    if is_maritime(location) and on_land(lon, lat):
        sea = _sea_at(lat, lon) if can_swap and not on_land(lat, lon) else None
        if sea is not None:
            found.append(
                LocationWarning(
                    code="swapped-coordinates",
                    message=(
                        f"lat {lat:g}, lon {lon:g} is on land, but {location.name!r} is a "
                        f"maritime report, and lat {lon:g}, lon {lat:g} is in the {sea}: "
                        "latitude and longitude look swapped"
                    ),
                )
            )
        else:
            found.append(
                LocationWarning(
                    code="on-land",
                    message=(
                        f"lat {lat:g}, lon {lon:g} is on land, but {location.name!r} is a "
                        "maritime report"
                    ),
                )
            )
    return tuple(found)


def _sea_at(lon: float, lat: float) -> str | None:
    for area in _seas().values():
        if covers(area.shape, lon, lat):
            return area.names[0]
    return None


@functools.cache
def _location_fields(cls: type) -> tuple[str, ...]:
    if not attrs.has(cls):
        return ()
    return tuple(f.name for f in attrs.fields(cls) if "Location" in str(f.type))


def event_warnings(event: Any, event_id: UUID | None = None) -> tuple[LocationWarning, ...]:
    """
    The location warnings of an event: each of its fields that holds a :class:`Location`.

    Args:
        event: Any event (or attrs value).
        event_id: The id to name (default: the event's own ``event_id``).

    Returns:
        The warnings, each naming the event and the field.
    """
    found: list[LocationWarning] = []
    cls: type = type(event)
    for name in _location_fields(cls):
        value = getattr(event, name)
        if isinstance(value, Location):
            for warning in location_warnings(value):
                found.append(
                    attrs.evolve(
                        warning, event_id=event_id or getattr(event, "event_id", None), field=name
                    )
                )
    return tuple(found)


# -- precision codes of other datasets ---------------------------------------------------


def _precision(location: Location) -> LocationPrecision:
    if location.precision is not None:
        return location.precision
    # Not stated: a point or a track is taken as written; an area or a bare name is an area.
    if location.position is not None or (
        location.geometry is not None and location.geometry.geom_type in ("Point", "LineString")
    ):
        return LocationPrecision.exact()
    return LocationPrecision.area()


_UCDP_RADIUS_M = 25_000.0


def ucdp_where_prec(location: Location) -> int:
    """
    The UCDP GED ``where_prec`` code of a location.

    1 exact; 2 within about 25 km of a known point; 3 a wider radius over
    land (a second-order division); 4 a named area over land (a first-order
    division); 7 over international waters or airspace (a maritime report
    known only by its area or a radius wider than 25 km). A location that
    states no precision is taken as exact when it has a position or track,
    else as a named area.

    Args:
        location: The location.

    Returns:
        1, 2, 3, 4 or 7.
    """
    precision = _precision(location)
    if precision.kind is LocationPrecisionKind.EXACT:
        return 1
    if precision.radius_m is not None and precision.radius_m <= _UCDP_RADIUS_M:
        return 2
    if is_maritime(location):
        return 7
    return 3 if precision.kind is LocationPrecisionKind.RADIUS else 4


def acled_geo_precision(location: Location) -> int:
    """
    The ACLED ``geo_precision`` code of a location.

    1 the exact place; 2 near it, within a radius (its vicinity, part of a
    region); 3 only a larger area. Unstated precision is inferred as for
    :func:`ucdp_where_prec`.

    Args:
        location: The location.

    Returns:
        1, 2 or 3.
    """
    precision = _precision(location)
    if precision.kind is LocationPrecisionKind.EXACT:
        return 1
    if precision.radius_m is not None and precision.radius_m <= _UCDP_RADIUS_M:
        return 2
    return 3


def stix_precision(location: Location) -> float | None:
    """
    The STIX 2.1 ``location.precision`` of a location: metres from its point, or unspecified.

    Exact is 0; within a radius is the radius; a named area known to the
    gazetteer or the zone catalogue, with a position, is the farthest its
    area reaches from that position; otherwise ``None`` (STIX: unspecified).

    Args:
        location: The location.

    Returns:
        Metres, or ``None``.
    """
    precision = _precision(location)
    if precision.kind is LocationPrecisionKind.EXACT:
        return 0.0
    if precision.radius_m is not None:
        return float(precision.radius_m)
    if location.position is None or location.name is None:
        return None
    area = area_named(location.name)
    if area is None:
        return None
    xy = shapely.get_coordinates(area)
    lon, lat = location.position.lon, location.position.lat
    _, _, metres = geod().inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    return round(float(np.max(metres)), 0)
