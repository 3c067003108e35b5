"""
Geodesy on the WGS84 ellipsoid: distances, bearings, geodesic lines, and shapes across 180°.

Distances and bearings are geodesic (Karney's algorithm, through
:class:`pyproj.Geod`), in nautical miles (1 NM = 1852 m exactly) and degrees
true. Coordinates are longitude/latitude in degrees, longitudes in [-180, 180].

Across the antimeridian, every segment between two vertices is taken the
short way: a track from 179°E to 179°W is 2° of longitude long, not 358°.
:func:`unwrap` makes such coordinates continuous (longitudes may then leave
[-180, 180]); :func:`split_at_antimeridian` cuts a shape at 180° into parts
that each lie within [-180, 180] (RFC 7946, section 3.1.9), so that plain
planar tests (``shapely.covers``) answer correctly on both sides.

Buffers are made in a local metric projection (azimuthal equidistant,
centred on the shape), never in degrees.

pyproj is imported on first use, so that ``import incidents`` stays cheap.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from incidents._errors import InvalidInputError
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
    import shapely
    from shapely.geometry.base import BaseGeometry
else:
    # Imported when first used: `import incidents` stays light (tests/test_import_time.py).
    np = LazyModule("numpy", globals(), "np")
    shapely = LazyModule("shapely", globals(), "shapely")

if TYPE_CHECKING:
    import pyproj

__all__ = [
    "METRES_PER_NAUTICAL_MILE",
    "bearing",
    "buffer_nm",
    "covers",
    "crosses_antimeridian",
    "densify",
    "destination",
    "distance_nm",
    "geod",
    "local_projection",
    "normalize_lon",
    "path_length_nm",
    "split_at_antimeridian",
    "to_local",
    "unwrap",
]

METRES_PER_NAUTICAL_MILE = 1852.0
"""One international nautical mile, exactly."""

_DEFAULT_STEP_NM = 10.0


@functools.cache
def geod() -> pyproj.Geod:
    """
    The WGS84 ellipsoid's geodesic calculator (pyproj, imported on first use).

    Returns:
        A shared :class:`pyproj.Geod` on WGS84.
    """
    import pyproj

    return pyproj.Geod(ellps="WGS84")


def normalize_lon(lon: Any) -> Any:
    """
    Longitudes brought into [-180, 180), arrays too; 180 stays 180.

    Args:
        lon: A longitude or an array of them, in degrees.

    Returns:
        The same meridians in [-180, 180] (180 itself is kept).
    """
    wrapped = (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0
    wrapped = np.where((wrapped == -180.0) & (np.asarray(lon) > 0), 180.0, wrapped)
    return float(wrapped) if np.ndim(wrapped) == 0 else wrapped


def _pair(point: Any) -> tuple[float, float]:
    # A Position (lat/lon attributes) or a (lon, lat) pair.
    if hasattr(point, "lat") and hasattr(point, "lon"):
        return float(point.lon), float(point.lat)
    lon, lat = point
    return float(lon), float(lat)


def distance_nm(a: Any, b: Any) -> float:
    """
    The geodesic distance between two points, in nautical miles.

    Args:
        a: A :class:`~incidents.Position` or a ``(lon, lat)`` pair.
        b: Another.

    Returns:
        The length of the shortest path on the WGS84 ellipsoid, in NM.

    >>> round(distance_nm((179.5, 60.0), (-179.5, 60.0)), 2)
    30.13
    """
    (lon1, lat1), (lon2, lat2) = _pair(a), _pair(b)
    return float(geod().inv(lon1, lat1, lon2, lat2)[2]) / METRES_PER_NAUTICAL_MILE


def bearing(a: Any, b: Any) -> float:
    """
    The initial true bearing of the geodesic from *a* to *b*, in [0, 360) degrees.

    Args:
        a: A :class:`~incidents.Position` or a ``(lon, lat)`` pair.
        b: Another.

    Returns:
        Degrees clockwise from true north.

    >>> round(bearing((179.5, 60.0), (-179.5, 60.0)), 1)
    89.6
    """
    (lon1, lat1), (lon2, lat2) = _pair(a), _pair(b)
    azimuth = float(geod().inv(lon1, lat1, lon2, lat2)[0])
    return azimuth % 360.0


def destination(start: Any, bearing_deg: float, nm: float) -> tuple[float, float]:
    """
    The point reached from *start* along a geodesic.

    Args:
        start: A :class:`~incidents.Position` or a ``(lon, lat)`` pair.
        bearing_deg: Initial true bearing, in degrees.
        nm: Distance, in nautical miles.

    Returns:
        ``(lon, lat)``, longitude in [-180, 180].
    """
    lon, lat = _pair(start)
    lon2, lat2, _ = geod().fwd(lon, lat, bearing_deg, nm * METRES_PER_NAUTICAL_MILE)
    return float(normalize_lon(lon2)), float(lat2)


def _coords(line: BaseGeometry | Sequence[Any] | np.ndarray) -> np.ndarray:
    if isinstance(line, shapely.Geometry):
        coordinates: np.ndarray = shapely.get_coordinates(line)
        return coordinates
    if isinstance(line, np.ndarray) and line.ndim == 2 and line.shape[1] == 2:
        return line.astype(float, copy=False)
    return np.asarray([_pair(p) for p in line], dtype=float).reshape(-1, 2)


def path_length_nm(line: BaseGeometry | Sequence[Any] | np.ndarray) -> float:
    """
    The geodesic length of a path, each segment taken the short way, in nautical miles.

    Args:
        line: A shapely LineString, or a sequence of ``(lon, lat)`` pairs or positions.

    Returns:
        The sum of the segments' geodesic lengths, in NM.

    >>> round(path_length_nm([(174.0, 58.5), (-177.0, 56.25)]), 1)
    321.8
    """
    xy = _coords(line)
    if len(xy) < 2:
        return 0.0
    metres = geod().line_length(xy[:, 0], xy[:, 1])
    return float(metres) / METRES_PER_NAUTICAL_MILE


def crosses_antimeridian(line: BaseGeometry | Sequence[Any] | np.ndarray) -> bool:
    """
    Whether a path, taken the short way between vertices, crosses 180°.

    Args:
        line: A geometry or a sequence of ``(lon, lat)`` pairs.

    Returns:
        True if some segment spans more than 180° of longitude as written.
    """
    xy = _coords(line)
    return bool(len(xy) > 1 and np.any(np.abs(np.diff(xy[:, 0])) > 180.0))


def unwrap(lons: np.ndarray) -> np.ndarray:
    """
    Longitudes made continuous along a path: each step the short way.

    Args:
        lons: Longitudes in degrees, in path order.

    Returns:
        The same meridians, each within 180° of the one before (the first is kept).
    """
    lons = np.asarray(lons, dtype=float)
    if len(lons) < 2:
        return lons.copy()
    steps = np.diff(lons)
    steps = (steps + 180.0) % 360.0 - 180.0
    return np.concatenate(([lons[0]], lons[0] + np.cumsum(steps)))


def densify(
    line: BaseGeometry | Sequence[Any] | np.ndarray, max_step_nm: float = _DEFAULT_STEP_NM
) -> np.ndarray:
    """
    Points along the geodesics between a path's vertices, at most *max_step_nm* apart.

    Args:
        line: A LineString, or ``(lon, lat)`` pairs.
        max_step_nm: The longest step between consecutive output points.

    Returns:
        An ``(n, 2)`` array of ``(lon, lat)``, longitudes in [-180, 180]; the
        input vertices are kept, and each segment is taken the short way.

    Raises:
        InvalidInputError: If *max_step_nm* is not a positive number.
    """
    if not max_step_nm > 0 or not math.isfinite(max_step_nm):
        raise InvalidInputError(f"a densifying step must be a positive distance, got {max_step_nm}")
    xy = _coords(line)
    if len(xy) < 2:
        return xy.copy()
    g = geod()
    out: list[np.ndarray] = [xy[:1]]
    step_m = max_step_nm * METRES_PER_NAUTICAL_MILE
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(xy):
        length = g.inv(lon1, lat1, lon2, lat2)[2]
        between = math.ceil(length / step_m) - 1
        if between > 0:
            middle = np.asarray(g.npts(lon1, lat1, lon2, lat2, between), dtype=float)
            out.append(middle.reshape(-1, 2))
        out.append(np.asarray([[lon2, lat2]]))
    dense = np.concatenate(out)
    dense[:, 0] = normalize_lon(dense[:, 0])
    return dense


def _split_line(xy: np.ndarray) -> list[np.ndarray]:
    # Cut a path (longitudes unwrapped) wherever it passes an odd multiple of 180°.
    lons = unwrap(xy[:, 0])
    pts = np.column_stack((lons, xy[:, 1]))
    parts: list[list[tuple[float, float]]] = [[(float(pts[0, 0]), float(pts[0, 1]))]]
    for (x1, y1), (x2, y2) in itertools.pairwise(pts):
        k1, k2 = math.floor((x1 + 180.0) / 360.0), math.floor((x2 + 180.0) / 360.0)
        if k1 != k2:
            edge = 360.0 * max(k1, k2) - 180.0
            t = (edge - x1) / (x2 - x1)
            y = y1 + t * (y2 - y1)
            parts[-1].append((edge, y))
            parts.append([(edge, y)])
        parts[-1].append((x2, y2))
    result = []
    for part in parts:
        arr = np.asarray(part, dtype=float)
        mid = float(np.mean(arr[:, 0]))
        shift = 360.0 * math.floor((mid + 180.0) / 360.0)
        arr[:, 0] -= shift
        result.append(arr)
    return result


def _ring_unwrapped(ring: np.ndarray) -> np.ndarray:
    lons = unwrap(ring[:, 0])
    closed = np.column_stack((lons, ring[:, 1]))
    gap = closed[-1, 0] - closed[0, 0]
    if abs(gap) > 180.0:
        # The ring goes round a pole: close it over the pole on the side it encircles.
        pole = 90.0 if np.mean(ring[:, 1]) > 0 else -90.0
        # The last vertex is the first, a whole turn on: exactly, so that the
        # two meridians to the pole meet once cut at 180° (unwrapping leaves
        # a rounding error that opened a sliver along the first meridian).
        closed[-1, 0] = closed[0, 0] + 360.0 * round(gap / 360.0)
        # The last vertex (the first, a turn of the globe on) stays: the ring
        # rises from it to the pole along its meridian.
        closed = np.vstack((closed, [[closed[-1, 0], pole], [closed[0, 0], pole], closed[0]]))
    return closed


def _split_polygon(polygon: shapely.Polygon) -> BaseGeometry:
    shell = _ring_unwrapped(shapely.get_coordinates(polygon.exterior))
    base = math.floor((float(np.min(shell[:, 0])) + 180.0) / 360.0)
    holes = []
    for interior in polygon.interiors:
        ring = _ring_unwrapped(shapely.get_coordinates(interior))
        # Put each hole in the same frame as the shell.
        offset = 360.0 * round((float(np.mean(ring[:, 0])) - float(np.mean(shell[:, 0]))) / 360.0)
        ring[:, 0] -= offset
        holes.append(ring)
    unwrapped = shapely.make_valid(shapely.Polygon(shell, holes))
    pieces = []
    for k in range(base - 1, base + 3):
        box = shapely.box(360.0 * k - 180.0, -90.0, 360.0 * k + 180.0, 90.0)
        piece = shapely.intersection(unwrapped, box)
        if not piece.is_empty:
            pieces.append(shapely.transform(piece, lambda c, k=k: c - [360.0 * k, 0.0]))
    return _polygons(shapely.union_all(pieces))


def _polygons(geometry: BaseGeometry) -> BaseGeometry:
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    flat = [p for g in parts for p in shapely.get_parts(g)]
    return shapely.MultiPolygon(flat) if len(flat) != 1 else flat[0]


def split_at_antimeridian(geometry: BaseGeometry) -> BaseGeometry:
    """
    A shape cut at 180° into parts that each lie within [-180, 180] longitude.

    Each segment between two vertices is taken the short way. A polygon ring
    that goes round a pole is closed over that pole. Points pass unchanged.

    Args:
        geometry: A Point, LineString, Polygon or a Multi- form of one (lon/lat).

    Returns:
        A geometry of the same dimension (Multi- where cut), ready for
        planar tests and for RFC 7946 GeoJSON.
    """
    kind = geometry.geom_type
    if kind in ("Point", "MultiPoint"):
        return geometry
    if kind in ("LineString", "MultiLineString"):
        lines = [
            part
            for g in shapely.get_parts(geometry)
            for part in _split_line(shapely.get_coordinates(g))
        ]
        if len(lines) == 1:
            return shapely.LineString(lines[0])
        return shapely.MultiLineString(lines)
    if kind in ("Polygon", "MultiPolygon"):
        pieces = [_split_polygon(p) for p in shapely.get_parts(geometry)]
        return _polygons(shapely.union_all(pieces)) if len(pieces) > 1 else pieces[0]
    raise InvalidInputError(f"cannot split a {kind} at the antimeridian")


def covers(area: BaseGeometry, lon: Any, lat: Any) -> Any:
    """
    Whether an area (already split at 180°) covers points, boundary included.

    Args:
        area: A (Multi)Polygon from :func:`split_at_antimeridian`.
        lon: Longitude(s) in degrees, any meridian (normalized here).
        lat: Latitude(s) in degrees.

    Returns:
        A bool, or an array of them.
    """
    lon = normalize_lon(lon)
    inside = shapely.intersects_xy(area, lon, lat)
    # A point on 180° may be written -180: test it on both sides of the cut.
    edge = np.abs(np.asarray(lon)) == 180.0
    if np.any(edge):
        other = shapely.intersects_xy(area, -np.asarray(lon, dtype=float), lat)
        inside = np.where(edge, inside | other, inside)
    return bool(inside) if np.ndim(inside) == 0 else inside


@functools.lru_cache(maxsize=256)
def local_projection(lon0: float, lat0: float) -> tuple[Any, Any]:
    """
    A local metric projection (azimuthal equidistant on WGS84) centred on a point.

    Args:
        lon0: Centre longitude, degrees.
        lat0: Centre latitude, degrees.

    Returns:
        ``(forward, inverse)`` :class:`pyproj.Transformer` from lon/lat to
        metres and back (always x = longitude/easting first).
    """
    import pyproj

    crs = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat0:.6f} +lon_0={lon0:.6f} +datum=WGS84 +units=m +no_defs"
    )
    forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inverse = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return forward, inverse


def centre_of(geometry: BaseGeometry) -> tuple[float, float]:
    """
    A centre for a local projection of a lon/lat shape, found the short way round.

    Args:
        geometry: Any geometry (lon/lat).

    Returns:
        ``(lon, lat)``, longitude in [-180, 180], rounded to 0.1°.
    """
    xy = shapely.get_coordinates(geometry)
    # The widest gap between sorted meridians is the side the shape is not on.
    sorted_lons = np.sort(normalize_lon(xy[:, 0]))
    gaps = np.diff(np.concatenate((sorted_lons, [sorted_lons[0] + 360.0])))
    start = (int(np.argmax(gaps)) + 1) % len(sorted_lons)
    lons = np.concatenate((sorted_lons[start:], sorted_lons[:start] + 360.0))
    lon0 = float(normalize_lon((lons[0] + lons[-1]) / 2.0))
    lat0 = float((np.min(xy[:, 1]) + np.max(xy[:, 1])) / 2.0)
    return round(lon0, 1), round(lat0, 1)


def to_local(geometry: BaseGeometry, centre: tuple[float, float]) -> BaseGeometry:
    """
    A lon/lat shape in the local projection centred at *centre* (metres).

    Args:
        geometry: A lon/lat geometry (parts may lie on either side of 180°).
        centre: ``(lon, lat)`` of the projection's centre.

    Returns:
        The shape in metres; parts cut at 180° meet again.
    """
    forward, _ = local_projection(*centre)
    return shapely.transform(
        geometry, lambda c: np.column_stack(forward.transform(c[:, 0], c[:, 1]))
    )


def from_local(geometry: BaseGeometry, centre: tuple[float, float]) -> BaseGeometry:
    """
    A shape in the local projection centred at *centre* back in lon/lat.

    Args:
        geometry: A geometry in metres.
        centre: ``(lon, lat)`` of the projection's centre.

    Returns:
        The shape in lon/lat, split at 180° where it crosses.
    """
    _, inverse = local_projection(*centre)
    back = shapely.transform(
        geometry, lambda c: np.column_stack(inverse.transform(c[:, 0], c[:, 1]))
    )
    return split_at_antimeridian(back)


def buffer_nm(geometry: BaseGeometry, nm: float, *, quad_segs: int = 16) -> BaseGeometry:
    """
    Everything within *nm* nautical miles of a shape, made in a local metric projection.

    Args:
        geometry: A lon/lat geometry (split at 180° or not).
        nm: The distance, in nautical miles.
        quad_segs: Segments per quarter circle of a round corner.

    Returns:
        The buffered area in lon/lat, split at 180°.

    Raises:
        InvalidInputError: If *nm* is not a positive number.
    """
    if not nm > 0 or not math.isfinite(nm):
        raise InvalidInputError(f"a buffer needs a positive distance, got {nm}")
    centre = centre_of(geometry)
    local = to_local(geometry, centre)
    grown = shapely.buffer(local, nm * METRES_PER_NAUTICAL_MILE, quad_segs=quad_segs)
    return from_local(grown, centre)
