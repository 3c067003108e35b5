"""
Tracks against zones: entries and exits, time inside, closest approach.

A track is a sequence of :class:`~incidents.Fix` in time order. Between two
fixes the aircraft is taken to fly the geodesic at constant ground speed, the
short way (across 180° where shorter). :func:`analyse_track` walks each leg
in steps of at most ``step_nm``, finds where the track enters or leaves each
zone, and places each crossing on the geodesic by bisection (to well under a
metre), with its time interpolated along the leg. A zone counts only while
it is in force (:meth:`~incidents.Zone.in_force`) at the moment of the
crossing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from incidents._domain.geo import Fix
from incidents._domain.geodesy import (
    METRES_PER_NAUTICAL_MILE,
    geod,
    normalize_lon,
    path_length_nm,
)
from incidents._domain.zones import Zone
from incidents._errors import InvalidInputError
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
    import shapely
else:
    # Imported when first used: `import incidents` stays light (tests/test_import_time.py).
    np = LazyModule("numpy", globals(), "np")
    shapely = LazyModule("shapely", globals(), "shapely")

__all__ = ["Approach", "Crossing", "TrackAnalysis", "ZoneVisit", "analyse_track", "dense_track"]

_BISECTIONS = 40


@attrs.frozen(kw_only=True)
class Crossing:
    """
    The track crossed a zone's edge.

    Attributes:
        zone: The zone's key.
        entering: True for an entry, False for an exit.
        at: When (UTC), interpolated along the geodesic leg.
        lon: Where: longitude, degrees.
        lat: Where: latitude, degrees.
    """

    zone: str
    entering: bool
    at: datetime
    lon: float
    lat: float


@attrs.frozen(kw_only=True)
class ZoneVisit:
    """
    One stay inside a zone.

    Attributes:
        zone: The zone's key.
        entered_at: When the track entered (``None``: it began inside).
        exited_at: When it left (``None``: it ended inside).
        duration: How long it was inside, within the track's span.
    """

    zone: str
    entered_at: datetime | None
    exited_at: datetime | None
    duration: timedelta


@attrs.frozen(kw_only=True)
class Approach:
    """
    The track's closest approach to a zone.

    Attributes:
        zone: The zone's key.
        distance_nm: The least distance from the zone, in NM (0: it was inside).
        at: When (UTC).
        lon: Where the track was: longitude.
        lat: Where the track was: latitude.
        margin_nm: How much the distance could be off: the zone's own stated
            accuracy (``None`` when it states none).
    """

    zone: str
    distance_nm: float
    at: datetime
    lon: float
    lat: float
    margin_nm: float | None

    @property
    def certainly_outside(self) -> bool:
        """
        Whether the track stayed out of the zone by more than the zone's stated error.
        """
        return self.margin_nm is not None and self.distance_nm > self.margin_nm


@attrs.frozen(kw_only=True)
class TrackAnalysis:
    """
    What a track did with respect to a set of zones.

    Attributes:
        length_nm: The track's geodesic length, in NM.
        crossings: Every entry and exit, in time order.
        visits: Every stay inside a zone, in time order.
        approaches: The closest approach to each zone asked about, by zone key.
    """

    length_nm: float
    crossings: tuple[Crossing, ...]
    visits: tuple[ZoneVisit, ...]
    approaches: dict[str, Approach]

    def time_inside(self, zone: str) -> timedelta:
        """
        How long the track was inside a zone, all stays together.
        """
        return sum((v.duration for v in self.visits if v.zone == zone), timedelta())

    def entered(self, zone: str) -> bool:
        """
        Whether the track was inside a zone at any moment.
        """
        return any(v.zone == zone for v in self.visits)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _at(micros: float) -> datetime:
    return _EPOCH + timedelta(microseconds=round(micros))


def dense_track(fixes: Sequence[Fix], step_nm: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """
    Points along a track's geodesic legs, at most *step_nm* apart, with their times.

    Args:
        fixes: The fixes, in time order.
        step_nm: The longest step.

    Returns:
        ``(points, micros)``: an ``(n, 2)`` array of lon/lat and the time of
        each point in microseconds since 1970 (UTC).

    Raises:
        InvalidInputError: If fewer than two fixes are given, or they go back in time.
    """
    if len(fixes) < 2:
        raise InvalidInputError("a track needs at least two fixes")
    lon = np.array([f.lon for f in fixes])
    lat = np.array([f.lat for f in fixes])
    t = np.array([_utc_micros(f.time) for f in fixes], dtype=float)
    if np.any(np.diff(t) < 0):
        raise InvalidInputError("a track's fixes must be in time order")
    g = geod()
    azimuths, _, legs = g.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    azimuths = np.atleast_1d(np.asarray(azimuths, dtype=float))
    legs = np.atleast_1d(np.asarray(legs, dtype=float))
    steps = np.maximum(np.ceil(legs / (step_nm * METRES_PER_NAUTICAL_MILE)).astype(int), 1)
    # Every point after the first: leg i gives steps[i] points, at fractions k/steps[i].
    leg = np.repeat(np.arange(len(steps)), steps)
    k = np.arange(len(leg)) - np.repeat(np.cumsum(steps) - steps, steps) + 1
    fraction = k / steps[leg]
    x, y, _ = g.fwd(lon[leg], lat[leg], azimuths[leg], legs[leg] * fraction)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ends = fraction == 1.0
    x[ends], y[ends] = lon[leg[ends] + 1], lat[leg[ends] + 1]
    xy = np.vstack(([[lon[0], lat[0]]], np.column_stack((x, y))))
    xy[:, 0] = normalize_lon(xy[:, 0])
    micros = np.concatenate((t[:1], t[leg] + (t[leg + 1] - t[leg]) * fraction))
    return xy, micros


def _utc_micros(at: datetime) -> int:
    # Whole seconds from the timestamp, microseconds exactly (a float would round them).
    return math.floor(at.timestamp()) * 1_000_000 + at.microsecond


def _in_force(zone: Zone, micros: np.ndarray) -> np.ndarray:
    ok = np.ones(len(micros), dtype=bool)
    if zone.effective_from is not None:
        ok &= micros >= _utc_micros(zone.effective_from)
    if zone.effective_until is not None:
        ok &= micros < _utc_micros(zone.effective_until)
    return ok


def _refine(
    zone: Zone, a: np.ndarray, b: np.ndarray, inside_a: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Bisect each geodesic from a[i] to b[i] for the point where "inside" changes,
    # all of them at once. Returns lon, lat and the fraction of the way.
    g = geod()
    azimuth, _, length = g.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    azimuth, length = np.asarray(azimuth, dtype=float), np.asarray(length, dtype=float)
    lo, hi = np.zeros(len(a)), np.ones(len(a))
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2.0
        lon, lat, _ = g.fwd(a[:, 0], a[:, 1], azimuth, length * mid)
        same = np.asarray(zone.covers(lon, lat), dtype=bool) == inside_a
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    lon, lat, _ = g.fwd(a[:, 0], a[:, 1], azimuth, length * hi)
    return (
        np.asarray(normalize_lon(np.asarray(lon, dtype=float)), dtype=float),
        np.asarray(lat, dtype=float),
        hi,
    )


def _approach(zone: Zone, xy: np.ndarray, micros: np.ndarray, inside: np.ndarray) -> Approach:
    if inside.any():
        k = int(np.argmax(inside))
        return Approach(
            zone=zone.key,
            distance_nm=0.0,
            at=_at(micros[k]),
            lon=float(xy[k, 0]),
            lat=float(xy[k, 1]),
            margin_nm=zone.accuracy_nm,
        )
    area = zone.area()
    boundary = area.boundary if not zone.is_line else area
    # Candidates by planar distance (each point also a turn of the globe away),
    # scaled by the cosine of latitude; then measured on the ellipsoid.
    planar = np.full(len(xy), np.inf)
    for shift in (-360.0, 0.0, 360.0):
        d = shapely.distance(boundary, shapely.points(xy[:, 0] + shift, xy[:, 1]))
        planar = np.minimum(planar, d)
    order = np.argsort(planar)[: min(24, len(planar))]
    best: tuple[float, int] = (math.inf, 0)
    for k in order:
        d = zone.distance_nm(float(xy[k, 0]), float(xy[k, 1]))
        best = min(best, (d, int(k)))
    d, k = best
    return Approach(
        zone=zone.key,
        distance_nm=d,
        at=_at(micros[k]),
        lon=float(xy[k, 0]),
        lat=float(xy[k, 1]),
        margin_nm=zone.accuracy_nm,
    )


def analyse_track(
    fixes: Sequence[Fix],
    zones: Iterable[Zone],
    *,
    step_nm: float = 2.0,
    approaches: bool = True,
) -> TrackAnalysis:
    """
    Entries, exits, time inside and closest approach of a track, for each zone.

    Args:
        fixes: The track's fixes, in time order (at least two).
        zones: The zones to test (a :class:`~incidents.ZoneCatalogue` or any
            iterable); each counts only while in force.
        step_nm: The longest step along a leg between containment tests;
            a zone narrower than this along the track can be missed.
        approaches: Also find the closest approach to each zone.

    Returns:
        The analysis.

    Raises:
        InvalidInputError: If the fixes are fewer than two or out of time order.
    """
    xy, micros = dense_track(fixes, step_nm)
    crossings: list[Crossing] = []
    visits: list[ZoneVisit] = []
    nearest: dict[str, Approach] = {}
    start, end = micros[0], micros[-1]
    for zone in zones:
        if zone.is_line:
            continue
        inside = np.asarray(zone.covers(xy[:, 0], xy[:, 1]), dtype=bool) & _in_force(zone, micros)
        changes = np.nonzero(inside[1:] != inside[:-1])[0]
        entered: float | None = None if not inside[0] else start
        began_inside = bool(inside[0])
        if len(changes):
            lons, lats, fractions = _refine(zone, xy[changes], xy[changes + 1], inside[changes])
            at = micros[changes] + (micros[changes + 1] - micros[changes]) * fractions
        for n, k in enumerate(changes):
            t = float(at[n])
            entering = not inside[k]
            crossings.append(
                Crossing(
                    zone=zone.key,
                    entering=bool(entering),
                    at=_at(t),
                    lon=float(lons[n]),
                    lat=float(lats[n]),
                )
            )
            if entering:
                entered = t
            elif entered is not None:
                visits.append(
                    ZoneVisit(
                        zone=zone.key,
                        entered_at=None if began_inside and entered == start else _at(entered),
                        exited_at=_at(t),
                        duration=timedelta(microseconds=round(t - entered)),
                    )
                )
                entered = None
                began_inside = False
        if entered is not None:
            visits.append(
                ZoneVisit(
                    zone=zone.key,
                    entered_at=None if began_inside and entered == start else _at(entered),
                    exited_at=None,
                    duration=timedelta(microseconds=round(end - entered)),
                )
            )
        if approaches:
            nearest[zone.key] = _approach(zone, xy, micros, inside)
    crossings.sort(key=lambda c: c.at)
    visits.sort(key=lambda v: (v.entered_at or _at(start), v.zone))
    return TrackAnalysis(
        length_nm=path_length_nm(np.array([(f.lon, f.lat) for f in fixes])),
        crossings=tuple(crossings),
        visits=tuple(visits),
        approaches=nearest,
    )
