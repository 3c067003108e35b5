"""
Geography carried by events: positions, locations and how precise they are.

Coordinates are WGS84 longitude/latitude in degrees. Latitude must lie in
[-90, 90] and longitude in [-180, 180]; anything else is an
:class:`~incidents.InvalidInputError`. A :class:`Location` may carry an exact
shapely geometry (a track, an area) that survives serialization bit for bit;
each segment of a track is taken the short way, across 180° where that is
shorter (see :mod:`incidents._domain.geodesy`). A location may say how
precise it is (:class:`LocationPrecision`): exact, within a radius, or only a named
area.
"""

from __future__ import annotations

import enum
import math
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from incidents._domain.geodesy import METRES_PER_NAUTICAL_MILE
from incidents._domain.limits import (
    MAX_NAME_LENGTH,
    MAX_NESTING,
    MAX_VERTICES,
    OMIT_WHEN_DEFAULT,
    check_text,
    shown,
)
from incidents._domain.time import check_instant, to_utc
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
    "Fix",
    "Geometry",
    "Location",
    "LocationPrecision",
    "LocationPrecisionKind",
    "Position",
    "check_geometry",
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


def check_geometry(_: Any, __: Any, value: Geometry | None) -> None:
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


class LocationPrecisionKind(enum.Enum):
    """
    How precisely a source placed something.
    """

    EXACT = "exact"
    """The position (or geometry) is as precise as it is written."""
    RADIUS = "radius"
    """Somewhere within a stated radius of the position."""
    AREA = "area"
    """Only a named area is known ("over the Bering Sea")."""


def _radius(instance: LocationPrecision, _: Any, value: Any) -> None:
    if value is None:
        if instance.kind is LocationPrecisionKind.RADIUS:
            raise InvalidInputError("a precision within a radius needs the radius in metres")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"a radius must be a number of metres, got {shown(value)}")
    if not math.isfinite(value) or not 0 < value <= 20_100_000:
        raise InvalidInputError(
            f"a radius must be more than 0 and at most 20,100 km (half the globe), got {shown(value)}"
        )
    if instance.kind is not LocationPrecisionKind.RADIUS:
        raise InvalidInputError(
            f"only a precision within a radius has a radius, not {instance.kind.value}"
        )


def _precision_kind(value: Any) -> LocationPrecisionKind:
    try:
        return LocationPrecisionKind(value)
    except ValueError:
        raise InvalidInputError(
            f"precision must be one of exact, radius, area; got {shown(value)}"
        ) from None


@attrs.frozen(kw_only=True)
class LocationPrecision:
    """
    How precise a location is: exact, within a radius, or only a named area.

    Build one with :meth:`exact`, :meth:`within` or :meth:`area`. Exports map it
    to the codes of other datasets: UCDP GED ``where_prec``, ACLED
    ``geo_precision``, STIX 2.1 ``location.precision`` (metres); see
    :func:`~incidents.ucdp_where_prec`.

    Attributes:
        kind: Exact, within a radius, or a named area.
        radius_m: The radius in metres (only for :attr:`LocationPrecisionKind.RADIUS`).

    >>> LocationPrecision.within(nm=20).radius_m
    37040.0
    """

    kind: LocationPrecisionKind = attrs.field(converter=_precision_kind)
    radius_m: float | None = attrs.field(
        default=None, validator=_radius, metadata={OMIT_WHEN_DEFAULT: True}
    )

    @classmethod
    def exact(cls) -> LocationPrecision:
        """
        As precise as written.
        """
        return cls(kind=LocationPrecisionKind.EXACT)

    @classmethod
    def within(cls, *, metres: float | None = None, nm: float | None = None) -> LocationPrecision:
        """
        Somewhere within a radius of the position, given in metres or nautical miles.

        Raises:
            InvalidInputError: Unless exactly one of *metres*, *nm* is a positive number.
        """
        if (metres is None) == (nm is None):
            raise InvalidInputError("give a radius in metres or in nautical miles, not both")
        if nm is not None:
            if isinstance(nm, bool) or not isinstance(nm, int | float):
                raise InvalidInputError(f"a radius must be a number, got {shown(nm)}")
            metres = nm * METRES_PER_NAUTICAL_MILE
        return cls(kind=LocationPrecisionKind.RADIUS, radius_m=metres)

    @classmethod
    def area(cls) -> LocationPrecision:
        """
        Only the named area is known.
        """
        return cls(kind=LocationPrecisionKind.AREA)

    def describe(self) -> str:
        """
        The precision in words, e.g. ``"within 20 NM (37,040 m)"``.
        """
        if self.radius_m is not None:
            return (
                f"within {self.radius_m / METRES_PER_NAUTICAL_MILE:,.4g} NM "
                f"({self.radius_m:,.0f} m)"
            )
        return "exact" if self.kind is LocationPrecisionKind.EXACT else "named area only"


def _check_precision(_: Any, __: Any, value: Any) -> None:
    if value is not None and not isinstance(value, LocationPrecision):
        raise InvalidInputError(f"precision must be a LocationPrecision, got {shown(value)}")


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
        geometry: An exact shapely geometry (track, area) in lon/lat degrees;
            each segment is taken the short way, across 180° where shorter.
        precision: How precise the position or geometry is, if the source
            says (``None``: not stated).
    """

    name: str | None = attrs.field(default=None, validator=_check_name)
    position: Position | None = attrs.field(default=None, validator=_check_position)
    geometry: Geometry | None = attrs.field(default=None, validator=check_geometry)
    # Left out of the encoding when None: locations recorded before keep their bytes.
    precision: LocationPrecision | None = attrs.field(
        default=None, validator=_check_precision, metadata={OMIT_WHEN_DEFAULT: True}
    )

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.position is None and self.geometry is None:
            raise InvalidInputError("a location needs a name, a position or a geometry")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (
            self.name == other.name
            and self.position == other.position
            and self.precision == other.precision
            and _same_geometry(self.geometry, other.geometry)
        )

    def __hash__(self) -> int:
        wkb = None if self.geometry is None else shapely.to_wkb(self.geometry)
        return hash((self.name, self.position, wkb, self.precision))


def _same_geometry(a: Geometry | None, b: Geometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.geom_type == b.geom_type and shapely.equals_exact(a, b, tolerance=0))


def _optional_metres(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"{attribute.name} must be a number of metres, got {shown(value)}")
    if attribute.name == "uncertainty_m" and value < 0:
        raise InvalidInputError(f"uncertainty_m must not be negative, got {shown(value)}")
    if abs(value) > 1_000_000:
        raise InvalidInputError(f"{attribute.name} must be within 1,000 km, got {shown(value)}")


def _fix_time(value: datetime) -> datetime:
    return to_utc(check_instant(value, what="a fix's time"))


@attrs.frozen(kw_only=True)
class Fix:
    """
    One observed position of a track: where, when, how high, how sure.

    Attributes:
        time: When (timezone-aware; kept in UTC).
        lat: Latitude in degrees, in [-90, 90].
        lon: Longitude in degrees, in [-180, 180].
        altitude_m: Altitude above mean sea level in metres, if known.
        uncertainty_m: The radius of the position's uncertainty in metres, if known.
    """

    time: datetime = attrs.field(converter=_fix_time)
    lat: float = attrs.field(converter=_float)
    lon: float = attrs.field(converter=_float)
    altitude_m: float | None = attrs.field(
        default=None, validator=_optional_metres, metadata={OMIT_WHEN_DEFAULT: True}
    )
    uncertainty_m: float | None = attrs.field(
        default=None, validator=_optional_metres, metadata={OMIT_WHEN_DEFAULT: True}
    )

    def __attrs_post_init__(self) -> None:
        check_lon_lat(self.lon, self.lat)
