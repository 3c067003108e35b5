"""
An incident's geography against zones: each track's crossings, and search by zone and distance.

:func:`track_crossings` runs :func:`~incidents.analyse_track` on every track
of a folded incident; :func:`touches_zone` and :func:`distance_to` look at
everything an incident places somewhere (tracks, reported areas with an
outline or a position, the locations of aircraft, patrols and intercepts),
and :func:`find_incidents` filters incidents by them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from incidents._domain.claims import AirspaceEntered, ZoneEntered
from incidents._domain.events import Stance
from incidents._domain.geo import Location
from incidents._domain.geodesy import densify, geod, split_at_antimeridian
from incidents._domain.state import Incident, Track
from incidents._domain.tracks import TrackAnalysis, analyse_track, dense_track
from incidents._domain.zones import EdgeRule, Zone, ZoneCatalogue, ZoneKind, nearest_edge_nm
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

__all__ = [
    "GeometryCheck",
    "claims_against_geometry",
    "distance_to",
    "find_incidents",
    "incident_geojson",
    "places_of",
    "touches_zone",
    "track_crossings",
    "zone_feature",
]


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


# -- claims against geometry ---------------------------------------------------------

FOREIGN_AIRSPACE_TOPIC = "violated-foreign-airspace"
"""The free-text claim topic read as "entered the airspace of a nation not the aircraft's own"."""


@attrs.frozen(kw_only=True)
class GeometryCheck:
    """
    A claim about airspace or a zone, compared with the recorded tracks and the zones.

    Attributes:
        statement_id: The statement making the claim.
        claim_id: The claim's id.
        claim: The claim in words, e.g. ``"denies airspace of any nation entered by RU"``.
        geometry: What the tracks show: ``"entered"``, ``"not entered"``,
            ``"undetermined"`` (a track comes within the zone's stated error
            of its edge, or no zone answers the claim) or ``"no track"``.
        agrees: Whether the geometry agrees with the claim (``None`` when
            it cannot say).
        zones: The keys of the zones compared.
        detail: Why, in words: the zone, the depth or distance, the margin.
    """

    statement_id: UUID
    claim_id: UUID
    claim: str
    geometry: str
    agrees: bool | None
    zones: tuple[str, ...]
    detail: str


def _tracks_of(incident: Incident, by: str | None, aircraft_type: str | None) -> list[Track]:
    # The tracks of the aircraft the claim is about, when the tracks say whose they are.
    aircraft = {a.id: a for a in incident.aircraft}
    patrols = {p.id: p for p in incident.patrols}
    chosen = []
    for track in incident.tracks:
        if len(track.points) < 2:
            continue
        owners = [aircraft[i] for i in track.aircraft if i in aircraft]
        nations = {a.nation for a in owners} | {
            n for i in track.aircraft if i in patrols for n in patrols[i].nations
        }
        if by is not None and nations and by not in nations:
            continue
        if (
            aircraft_type is not None
            and owners
            and all(a.type_designation.casefold() != aircraft_type.casefold() for a in owners)
        ):
            continue
        chosen.append(track)
    return chosen


def _in_force_during(zone: Zone, tracks: list[Track]) -> bool:
    return any(zone.in_force(fix.time) for track in tracks for fix in track.points)


def _nations_of(incident: Incident, tracks: list[Track]) -> set[str | None]:
    aircraft = {a.id: a.nation for a in incident.aircraft}
    patrols = {p.id: p.nations for p in incident.patrols}
    found: set[str | None] = set()
    for track in tracks:
        for ref in track.aircraft:
            if ref in aircraft:
                found.add(aircraft[ref])
            found.update(patrols.get(ref, ()))
    return found


def _depth_nm(zone: Zone, xy: np.ndarray, inside: np.ndarray) -> float:
    # How far inside the zone the deepest of the points lies, in NM.
    points = xy[inside]
    if not len(points):
        return 0.0
    boundary = zone.area().boundary
    planar = shapely.distance(boundary, shapely.points(points[:, 0], points[:, 1]))
    candidates = np.argsort(-planar)[:12]
    return max(_nearest(zone, float(points[k, 0]), float(points[k, 1])) for k in candidates)


def _nearest(zone: Zone, lon: float, lat: float) -> float:
    return nearest_edge_nm(zone, lon, lat)


def _verdict(tracks: list[Track], zones: list[Zone], step_nm: float) -> tuple[str, str]:
    if not tracks:
        return "no track", "no recorded track of the aircraft concerned"
    if not zones:
        return "undetermined", "no zone in force answers the claim"
    closest: tuple[float, str, float | None] = (math.inf, "", None)
    for track in tracks:
        xy, _ = dense_track(track.points, step_nm)
        for zone in zones:
            analysis = analyse_track(track.points, [zone], step_nm=step_nm)
            if analysis.entered(zone.key):
                inside = np.asarray(zone.covers(xy[:, 0], xy[:, 1]), dtype=bool)
                depth = _depth_nm(zone, xy, inside)
                margin = zone.accuracy_nm
                if margin is not None and depth > margin:
                    first = next(c for c in analysis.crossings if c.zone == zone.key and c.entering)
                    return "entered", (
                        f"track {track.id} entered {zone.key} at {first.at.isoformat()}, "
                        f"{depth:.1f} NM deep (the line's stated error: {margin:g} NM)"
                    )
                closest = min(closest, (-depth, zone.key, margin))
                continue
            approach = analysis.approaches[zone.key]
            closest = min(closest, (approach.distance_nm, zone.key, approach.margin_nm))
    distance, key, margin = closest
    if margin is not None and distance > margin:
        return "not entered", (
            f"the tracks came no closer than {distance:.1f} NM to {key} "
            f"(the line's stated error: {margin:g} NM)"
        )
    return "undetermined", f"a track came within the stated error of {key}'s edge"


def claims_against_geometry(
    incident: Incident, zones: ZoneCatalogue, *, step_nm: float = 1.0
) -> tuple[GeometryCheck, ...]:
    """
    The incident's claims about airspace and zones, compared with its tracks and the zones.

    A claim that airspace was (or was not) entered (``AirspaceEntered``, or
    a free-text claim on the topic :data:`FOREIGN_AIRSPACE_TOPIC`) is
    compared with the territorial airspace of that nation in *zones* (of
    every nation but the aircraft's own when the claim names none, as in
    "did not enter any country's airspace"); a claim that a zone was entered (``ZoneEntered``)
    with the zones of that name in force at the track's time. Only the
    tracks of the aircraft named (by nation, by type), when the tracks say
    whose they are. The tracks must go deeper into a zone than its stated
    error to count as entering it, and stay further out than that to count
    as not entering it; otherwise the answer is ``"undetermined"``.

    Args:
        incident: A folded incident with tracks.
        zones: The zones to compare with (the shipped catalogue, or those
            recorded in the ledger as known then).
        step_nm: The step along tracks.

    Returns:
        One check per claim about airspace or a zone, in statement order.
    """
    checks: list[GeometryCheck] = []
    for statement in incident.statements:
        for claim, claim_id in zip(statement.claims, statement.claim_ids(), strict=True):
            proposition = claim.proposition
            if proposition is None and claim.topic == FOREIGN_AIRSPACE_TOPIC:
                # The free-text claim the worked examples make ("did not violate
                # any foreign airspace"): any airspace but the aircraft's own.
                proposition = AirspaceEntered()
            if isinstance(proposition, AirspaceEntered):
                tracks = _tracks_of(incident, proposition.by, proposition.aircraft_type)
                own = _nations_of(incident, tracks) | {proposition.by}
                chosen = [
                    z
                    for z in zones
                    if z.kind is ZoneKind.TERRITORIAL_AIRSPACE
                    and (
                        z.nation == proposition.airspace
                        if proposition.airspace is not None
                        else z.nation not in own
                    )
                ]
            elif isinstance(proposition, ZoneEntered):
                tracks = _tracks_of(incident, proposition.by, proposition.aircraft_type)
                chosen = zones.named(proposition.zone)
            else:
                continue
            chosen = [z for z in chosen if _in_force_during(z, tracks)] if tracks else chosen
            geometry, detail = _verdict(tracks, chosen, step_nm)
            entered = {"entered": True, "not entered": False}.get(geometry)
            affirms = claim.stance is Stance.AFFIRMS
            checks.append(
                GeometryCheck(
                    statement_id=statement.id,
                    claim_id=claim_id,
                    claim=claim.describe(),
                    geometry=geometry,
                    agrees=None if entered is None else entered == affirms,
                    zones=tuple(z.key for z in chosen),
                    detail=detail,
                )
            )
    return tuple(checks)


# -- GeoJSON (RFC 7946) -----------------------------------------------------------------


def _rfc7946(geometry: BaseGeometry) -> dict[str, Any]:
    # Cut at 180°, exteriors counterclockwise, holes clockwise (RFC 7946, 3.1.6 and 3.1.9).
    shape = split_at_antimeridian(geometry)
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        shape = shapely.orient_polygons(shape, exterior_cw=False)
    mapped: dict[str, Any] = json.loads(shapely.to_geojson(shape))
    return mapped


def _time(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def zone_feature(zone: Zone) -> dict[str, Any]:
    """
    A zone as an RFC 7946 GeoJSON Feature, its metadata as properties.

    The properties are those :func:`~incidents.zones_from_geojson` reads, so
    a zone written here reads back; the geometry is the zone's area (edges
    densified by its rule), cut at 180°.

    Args:
        zone: The zone.

    Returns:
        A GeoJSON Feature (a dict ready for ``json.dumps``).
    """
    return {
        "type": "Feature",
        "properties": {
            "feature": "zone",
            "key": zone.key,
            "name": zone.name,
            "kind": zone.kind.value,
            "authority": zone.authority,
            "nation": zone.nation,
            "legal_source": zone.legal_source,
            "effective_from": _time(zone.effective_from),
            "effective_until": _time(zone.effective_until),
            "edge_rule": EdgeRule.AS_DRAWN.value,
            "declared_edge_rule": zone.edge_rule.value,
            "accuracy": zone.accuracy,
            "accuracy_nm": zone.accuracy_nm,
            "approximate": zone.approximate,
            "provenance": zone.provenance,
            "aliases": list(zone.aliases),
        },
        "geometry": _rfc7946(zone.area()),
    }


def incident_geojson(
    incident: Incident, zones: Iterable[Zone] = (), *, step_nm: float = 5.0
) -> dict[str, Any]:
    """
    An incident's geography as an RFC 7946 FeatureCollection, readable by GeoPandas and shapely.

    Features, each with a ``feature`` property saying what it is: ``track``
    (a LineString along the geodesics, cut at 180°), ``area`` (a reported
    area's outline or position), ``aircraft``, ``patrol`` or ``intercept``
    (their located positions), ``crossing`` (each entry or exit of the
    *zones*, a Point with its time) and ``zone`` (the *zones* themselves).

    Args:
        incident: A folded incident.
        zones: Zones to include, and to compute crossings with.
        step_nm: The densifying step along tracks.

    Returns:
        The FeatureCollection (a dict ready for ``json.dumps``).
    """
    zones = list(zones)
    features: list[dict[str, Any]] = []
    for track in incident.tracks:
        if len(track.points) > 1:
            line: BaseGeometry = shapely.LineString(dense_track(track.points, step_nm)[0])
        else:
            line = shapely.Point(track.points[0].lon, track.points[0].lat)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "feature": "track",
                    "id": str(track.id),
                    "label": track.label,
                    "start": _time(track.points[0].time),
                    "end": _time(track.points[-1].time),
                    "fixes": len(track.points),
                },
                "geometry": _rfc7946(line),
            }
        )
    located = [("area", a.id, a.location) for a in incident.areas]
    for kind, group in (
        ("aircraft", incident.aircraft),
        ("patrol", incident.patrols),
        ("intercept", incident.intercepts),
    ):
        located.extend((kind, item.id, item.location) for item in group if item.location)
    for kind, fact_id, location in located:
        if location.geometry is not None:
            geometry = location.geometry
        elif location.position is not None:
            geometry = shapely.Point(location.position.lon, location.position.lat)
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"feature": kind, "id": str(fact_id), "name": location.name},
                "geometry": _rfc7946(geometry),
            }
        )
    for analysis in track_crossings(incident, zones).values():
        for crossing in analysis.crossings:
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "feature": "crossing",
                        "zone": crossing.zone,
                        "entering": crossing.entering,
                        "at": crossing.at.isoformat(),
                    },
                    "geometry": {"type": "Point", "coordinates": [crossing.lon, crossing.lat]},
                }
            )
    features.extend(zone_feature(zone) for zone in zones)
    return {"type": "FeatureCollection", "features": features}
