"""
Geography carried by events: positions and locations.

Coordinates are WGS84 longitude/latitude in degrees. Latitude must lie in
[-90, 90] and longitude in [-180, 180]; anything else is an
:class:`~incidents.InvalidInputError`. A :class:`Location` may carry an exact
shapely geometry (a track, an area) that survives serialization bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import shapely
from shapely.geometry.base import BaseGeometry

from incidents._errors import InvalidInputError

__all__ = ["METRES_PER_NAUTICAL_MILE", "Location", "Position", "check_lon_lat"]

METRES_PER_NAUTICAL_MILE = 1852.0
"""One international nautical mile, exactly."""


def check_lon_lat(lon: float, lat: float) -> None:
    """
    Check one coordinate pair.

    Args:
        lon: Longitude in degrees.
        lat: Latitude in degrees.

    Raises:
        InvalidInputError: If either value is not a finite number in range.
    """
    for name, value, bound in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInputError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value) or not -bound <= value <= bound:
            raise InvalidInputError(f"{name} {value!r} is outside [-{bound:g}, {bound:g}] degrees")


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"coordinate must be a number, got {value!r}")
    return float(value)


@attrs.frozen
class Position:
    """
    A point on the WGS84 ellipsoid.

    Attributes:
        lat: Latitude in degrees, in [-90, 90].
        lon: Longitude in degrees, in [-180, 180].
    """

    lat: float = attrs.field(converter=_float)
    lon: float = attrs.field(converter=_float)

    def __attrs_post_init__(self) -> None:
        check_lon_lat(self.lon, self.lat)


def _check_geometry(_: Any, __: Any, value: BaseGeometry | None) -> None:
    if value is None:
        return
    if not isinstance(value, BaseGeometry):
        raise InvalidInputError(f"geometry must be a shapely geometry, got {value!r}")
    if value.is_empty:
        raise InvalidInputError("geometry is empty")
    if shapely.has_z(value):
        raise InvalidInputError("geometry must be two-dimensional (lon, lat)")
    for lon, lat in shapely.get_coordinates(value).tolist():
        check_lon_lat(lon, lat)


@attrs.frozen(eq=False)
class Location:
    """
    Where something happened, as precisely as the source said.

    At least one of the attributes must be given.

    Attributes:
        name: A named area, e.g. ``"Bering Sea"`` or ``"Alaska ADIZ"``.
        position: A point, if the source gave one.
        geometry: An exact shapely geometry (track, area) in lon/lat degrees.
    """

    name: str | None = None
    position: Position | None = None
    geometry: BaseGeometry | None = attrs.field(default=None, validator=_check_geometry)

    def __attrs_post_init__(self) -> None:
        if self.name is not None and not self.name.strip():
            raise InvalidInputError("location name is empty")
        if self.name is None and self.position is None and self.geometry is None:
            raise InvalidInputError("a location needs a name, a position or a geometry")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (
            self.name == other.name
            and self.position == other.position
            and _same_geometry(self.geometry, other.geometry)
        )

    def __hash__(self) -> int:
        wkb = None if self.geometry is None else shapely.to_wkb(self.geometry)
        return hash((self.name, self.position, wkb))


def _same_geometry(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.geom_type == b.geom_type and shapely.equals_exact(a, b, tolerance=0))
