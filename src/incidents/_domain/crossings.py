"""
An incident's geography against zones: each track's crossings, and search by zone and distance.

:func:`track_crossings` runs :func:`~incidents.analyse_track` on every track
of a folded incident; :func:`touches_zone` and :func:`distance_to` look at
everything an incident places somewhere (tracks, reported areas with an
outline or a position, the locations of aircraft, patrols and intercepts),
and :func:`find_incidents` filters incidents by them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from uuid import UUID

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from incidents._domain.geo import Location
from incidents._domain.geodesy import densify, geod, split_at_antimeridian
from incidents._domain.state import Incident
from incidents._domain.tracks import TrackAnalysis, analyse_track, dense_track
from incidents._domain.zones import Zone
from incidents._errors import InvalidInputError

__all__ = ["distance_to", "find_incidents", "places_of", "touches_zone", "track_crossings"]


def track_crossings(
    incident: Incident, zones: Iterable[Zone], *, step_nm: float = 2.0
) -> dict[UUID, TrackAnalysis]:
    """
    Entries, exits, time inside and closest approaches of each of an incident's tracks.

    Args:
        incident: A folded incident (as it stood, as known, at any times).
        zones: The zones to test, e.g. :func:`~incidents.zone_catalogue` or
            the zones recorded in the ledger as known then
            (:func:`~incidents.recorded_zones`).
        step_nm: The longest step between containment tests.

    Returns:
        Track id to its analysis (tracks of a single fix are left out).
    """
    zones = list(zones)
    return {
        track.id: analyse_track(track.points, zones, step_nm=step_nm)
        for track in incident.tracks
        if len(track.points) > 1
    }


def _locations(incident: Incident) -> list[Location]:
    found = [area.location for area in incident.areas]
    for group in (incident.aircraft, incident.patrols, incident.intercepts):
        found.extend(item.location for item in group if item.location is not None)
    return found


def places_of(incident: Incident, *, step_nm: float = 2.0) -> np.ndarray:
    """
    Every point an incident places something at: its tracks (densified) and located facts.

    Areas given only by outline contribute their outline's vertices
    (densified); names alone contribute nothing.

    Args:
        incident: A folded incident.
        step_nm: The step along tracks and outlines.

    Returns:
        An ``(n, 2)`` array of lon/lat.
    """
    parts: list[np.ndarray] = [np.empty((0, 2))]
    for track in incident.tracks:
        if len(track.points) > 1:
            parts.append(dense_track(track.points, step_nm)[0])
        else:
            parts.extend(np.array([[f.lon, f.lat]]) for f in track.points)
    for location in _locations(incident):
        if location.position is not None:
            parts.append(np.array([[location.position.lon, location.position.lat]]))
        if location.geometry is not None:
            for part in shapely.get_parts(location.geometry):
                if part.geom_type == "Point":
                    parts.append(shapely.get_coordinates(part))
                else:
                    boundary = part.exterior if part.geom_type == "Polygon" else part
                    parts.append(densify(shapely.get_coordinates(boundary), step_nm))
    return np.concatenate(parts)


def _areas(incident: Incident) -> list[BaseGeometry]:
    return [
        split_at_antimeridian(location.geometry)
        for location in _locations(incident)
        if location.geometry is not None
        and location.geometry.geom_type in ("Polygon", "MultiPolygon")
    ]


def touches_zone(incident: Incident, zone: Zone, *, step_nm: float = 2.0) -> bool:
    """
    Whether anything the incident places somewhere lies in a zone.

    Tracks count only while the zone is in force; located facts (positions,
    outlines of reported areas) whatever their time.

    Args:
        incident: A folded incident.
        zone: The zone.
        step_nm: The step along tracks and outlines.

    Returns:
        True if a track passes through the zone, a position lies in it, or
        a reported area overlaps it.
    """
    if zone.is_line:
        return False
    for track in incident.tracks:
        if len(track.points) > 1 and analyse_track(
            track.points, [zone], step_nm=step_nm, approaches=False
        ).entered(zone.key):
            return True
        if len(track.points) == 1:
            fix = track.points[0]
            if zone.covers(fix.lon, fix.lat) and zone.in_force(fix.time):
                return True
    for location in _locations(incident):
        if location.position is not None and zone.covers(
            location.position.lon, location.position.lat
        ):
            return True
    return any(shapely.intersects(area, zone.area()) for area in _areas(incident))


def distance_to(
    incident: Incident, lon: float, lat: float, *, step_nm: float = 2.0
) -> float | None:
    """
    How close the incident comes to a point: the least geodesic distance of its places, in NM.

    Args:
        incident: A folded incident.
        lon: The point's longitude.
        lat: The point's latitude.
        step_nm: The step along tracks and outlines.

    Returns:
        Nautical miles (0 inside a reported area's outline), or ``None`` if
        the incident places nothing anywhere.
    """
    if any(shapely.intersects_xy(area, lon, lat) for area in _areas(incident)):
        return 0.0
    points = places_of(incident, step_nm=step_nm)
    if not len(points):
        return None
    _, _, metres = geod().inv(
        np.full(len(points), float(lon)),
        np.full(len(points), float(lat)),
        points[:, 0],
        points[:, 1],
    )
    return float(np.min(metres)) / 1852.0


def find_incidents(
    incidents: Iterable[Incident],
    *,
    zone: Zone | None = None,
    near: tuple[float, float] | None = None,
    within_nm: float | None = None,
) -> list[Incident]:
    """
    The incidents in a zone, or within a distance of a point, or both.

    Args:
        incidents: Folded incidents, e.g. ``ledger.incidents(...)``.
        zone: Keep those that touch this zone (:func:`touches_zone`).
        near: ``(lon, lat)``: keep those within *within_nm* of it.
        within_nm: The distance for *near*.

    Returns:
        The incidents kept, nearest first when *near* is given.
    """
    if (near is None) != (within_nm is None):
        raise InvalidInputError("give near and within_nm together")
    kept: list[tuple[float, int, Incident]] = []
    for index, incident in enumerate(incidents):
        if zone is not None and not touches_zone(incident, zone):
            continue
        distance = 0.0
        if near is not None:
            found = distance_to(incident, *near)
            if found is None or found > (within_nm if within_nm is not None else math.inf):
                continue
            distance = found
        kept.append((distance, index, incident))
    kept.sort(key=lambda item: item[:2])
    return [incident for _, _, incident in kept]
