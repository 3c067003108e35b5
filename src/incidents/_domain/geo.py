"""
Geography carried by events: positions and locations.

Coordinates are WGS84 longitude/latitude in degrees. Latitude must lie in
[-90, 90] and longitude in [-180, 180]; anything else is an
:class:`~incidents.InvalidInputError`. A :class:`Location` may carry an exact
shapely geometry (a track, an area) that survives serialization bit for bit.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import attrs

from incidents._domain.limits import MAX_NAME_LENGTH, MAX_NESTING, MAX_VERTICES, check_text, shown
from incidents._errors import InvalidInputError
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
    import shapely
    from shapely.geometry.base import BaseGeometry as Geometry
else:
    # shapely (and numpy under it) are imported when a geometry is first used.
    np = LazyModule("numpy", globals(), "np")
    shapely = LazyModule("shapely", globals(), "shapely")

    class Geometry:
        """
        The type of :attr:`Location.geometry`: any shapely geometry.

        A stand-in, so that shapely is imported only once a geometry is
        used; the converter, the encoders and the decoders treat this type
        as shapely's ``BaseGeometry`` (see :func:`is_geometry_type`).
        """


__all__ = [
    "METRES_PER_NAUTICAL_MILE",
    "Geometry",
    "Location",
    "Position",
    "check_lon_lat",
    "is_geometry",
    "is_geometry_type",
]


def is_geometry_type(hint: object) -> bool:
    """
    Whether a type names shapely geometries: :class:`Geometry`, or a shapely geometry class.

    Args:
        hint: A type, or anything a type hint holds.

    Returns:
        True for :class:`Geometry` and for ``BaseGeometry`` and its subclasses
        (which exist only once shapely is imported).
    """
    if hint is Geometry:
        return True
    base = sys.modules.get("shapely.geometry.base")
    return isinstance(hint, type) and base is not None and issubclass(hint, base.BaseGeometry)


def is_geometry(value: object) -> bool:
    """
    Whether *value* is a shapely geometry (never true before shapely is imported).
    """
    base = sys.modules.get("shapely.geometry.base")
    return base is not None and isinstance(value, base.BaseGeometry)


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
            raise InvalidInputError(f"{name} must be a number, got {shown(value)}")
        # An integer too large for a float is out of range: compared as it is.
        if not -bound <= value <= bound or not math.isfinite(value):
            raise InvalidInputError(
                f"{name} {shown(value)} is outside [-{bound:g}, {bound:g}] degrees"
            )


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"coordinate must be a number, got {shown(value)}")
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float is out of range anyway
        raise InvalidInputError(f"coordinate {shown(value)} is out of range") from None


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


def _check_geometry(_: Any, __: Any, value: Geometry | None) -> None:
    if value is None:
        return
    if not is_geometry(value):
        raise InvalidInputError(f"geometry must be a shapely geometry, got {shown(value)}")
    vertices = shapely.get_num_coordinates(value)
    if vertices > MAX_VERTICES:
        raise InvalidInputError(
            f"geometry has {vertices:,} coordinate pairs: at most {MAX_VERTICES:,} are accepted"
        )
    _check_nesting(value)
    if value.is_empty:
        raise InvalidInputError("geometry is empty")
    if shapely.has_z(value):
        raise InvalidInputError("geometry must be two-dimensional (lon, lat)")
    coordinates = shapely.get_coordinates(value)
    lons, lats = coordinates[:, 0], coordinates[:, 1]
    # Checked all at once; the first bad pair, if any, names itself.
    bad = ~(np.isfinite(coordinates).all(axis=1) & (np.abs(lons) <= 180) & (np.abs(lats) <= 90))
    if bad.any():
        lon, lat = coordinates[int(np.argmax(bad))].tolist()
        check_lon_lat(lon, lat)


def _check_nesting(value: Geometry) -> None:
    """Refuse geometry collections nested more than MAX_NESTING levels deep."""
    level = [value]
    depth = 0
    while level:
        collections = [g for g in level if g.geom_type == "GeometryCollection"]
        if not collections:
            return
        depth += 1
        if depth > MAX_NESTING:
            raise InvalidInputError(
                f"geometry collections are nested more than {MAX_NESTING} levels deep"
            )
        level = [part for c in collections for part in c.geoms]


def _check_name(_: Any, __: Any, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidInputError(f"location name must be text, got {shown(value)}")
    check_text(value, "location name", MAX_NAME_LENGTH)
    if not value.strip():
        raise InvalidInputError("location name is empty")


def _check_position(_: Any, __: Any, value: Position | None) -> None:
    if value is not None and not isinstance(value, Position):
        raise InvalidInputError(f"position must be a Position, got {shown(value)}")


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

    name: str | None = attrs.field(default=None, validator=_check_name)
    position: Position | None = attrs.field(default=None, validator=_check_position)
    geometry: Geometry | None = attrs.field(default=None, validator=_check_geometry)

    def __attrs_post_init__(self) -> None:
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


def _same_geometry(a: Geometry | None, b: Geometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.geom_type == b.geom_type and shapely.equals_exact(a, b, tolerance=0))
