"""
Maps of an incident: PNG or SVG (matplotlib, the ``maps`` extra), or interactive HTML.

The HTML is a Leaflet page with the features embedded as GeoJSON; it needs no extra.

Why here, above the domain and beside :mod:`incidents.interchange`: a map is
an output format of an incident, like an export. It reads only the domain
(a folded incident, zones, the shipped coastline) and writes a file, so it
cannot live in the domain, which stays pure of I/O and of optional
dependencies; it needs nothing of the ledger but what the caller hands it
(anything with ``events``, for zones recorded in a ledger). matplotlib is
imported when a map is drawn, with its non-interactive Agg backend: never a
window, and ``import incidents`` stays as light as it was.

Everything is drawn in an azimuthal equidistant projection centred on the
incident's data (pyproj), so a Bering Sea track crossing 180° is drawn the
short way, on a map a few hundred miles wide, and distances from the centre
are true for the scale bar.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from incidents._domain.geo import Location, LocationPrecisionKind
from incidents._domain.geodesy import (
    METRES_PER_NAUTICAL_MILE,
    centre_of,
    geod,
    local_projection,
    split_at_antimeridian,
)
from incidents._domain.places import area_named, land
from incidents._domain.state import Incident
from incidents._domain.tracks import analyse_track, dense_track
from incidents._domain.zone_history import EventReader, catalogue_stream_ids, recorded_zones
from incidents._domain.zones import Zone, ZoneKind, zone_catalogue
from incidents._errors import InvalidInputError, MissingExtraError
from incidents._files import write_file
from incidents._lazy import LazyModule
from incidents._text import printable

if TYPE_CHECKING:
    import numpy as np
    import shapely
    from matplotlib.axes import Axes
    from shapely.geometry.base import BaseGeometry
else:
    np = LazyModule("numpy", globals(), "np")
    shapely = LazyModule("shapely", globals(), "shapely")

__all__ = ["IncidentMap", "incident_map"]

CREDIT = (
    "Coastline: Natural Earth 1:10m (public domain). Zones: the incidents zone catalogue"
    " and the ledger; approximate outlines are not the legal lines."
)
"""The credit line printed under every map."""

_FORMATS = ("png", "svg", "html")
_ADIZ_COLOURS = ("#1f77b4", "#9467bd", "#2ca02c", "#8c564b", "#17becf", "#bcbd22")
_TRACK_COLOURS = ("#d62728", "#ff7f0e", "#e377c2", "#7f7f7f")
_TERRITORIAL = "#d62728"
_KIND_WORDS = {
    "area": "Reported area: its position",
    "aircraft": "Reported position of aircraft",
    "patrol": "Reported position of a patrol",
    "intercept": "Reported position of an intercept",
}
# SVG text stays text (searchable, selectable); ids and metadata fixed, so the same
# incident gives the same file.
_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "incidents"}
_MIN_HALF_WIDTH_M = 60 * METRES_PER_NAUTICAL_MILE


@attrs.frozen(kw_only=True)
class IncidentMap:
    """
    What :func:`incident_map` drew.

    Attributes:
        path: The file written.
        format: ``"png"``, ``"svg"`` or ``"html"``.
        centre: ``(lon, lat)`` the projection is centred on.
        width_nm: The map's width, in nautical miles (at its centre).
        height_nm: The map's height, in nautical miles.
        bounds: ``(west, south, east, north)`` in degrees of the area shown;
            *west* is greater than *east* when the map spans 180°.
        span_lon: How many degrees of longitude the map spans (never the long way round).
        at: The valid time the zones were taken as standing at.
        zones: Keys of the zones drawn.
        approximate: Keys of the zones drawn as approximate.
        crossings: The crossings marked, as ``(zone key, "entry"|"exit", time)``.
        labels: Every text on the map (titles, labels, legend, credit).
    """

    path: str
    format: str
    centre: tuple[float, float]
    width_nm: float
    height_nm: float
    bounds: tuple[float, float, float, float]
    span_lon: float
    at: datetime
    zones: tuple[str, ...]
    approximate: tuple[str, ...]
    crossings: tuple[tuple[str, str, datetime], ...]
    labels: tuple[str, ...]


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingExtraError(
            "maps need matplotlib: pip install 'incidents[maps]'", extra="maps", module="matplotlib"
        ) from exc
    return matplotlib


def _located(incident: Incident) -> list[tuple[str, Location]]:
    found: list[tuple[str, Location]] = [("area", a.location) for a in incident.areas]
    for kind, group in (
        ("aircraft", incident.aircraft),
        ("patrol", incident.patrols),
        ("intercept", incident.intercepts),
    ):
        found.extend((kind, item.location) for item in group if item.location is not None)
    return found


def _incident_time(incident: Incident) -> datetime | None:
    # The first fix when there are tracks; else the earliest time a located fact may have had.
    times = [track.points[0].time for track in incident.tracks if track.points]
    if times:
        return min(times)
    for group in (incident.intercepts, incident.aircraft, incident.patrols, incident.areas):
        times.extend(i.valid_time.earliest for i in group if i.valid_time.earliest is not None)
    return min(times) if times else None


def _circle(lon: float, lat: float, radius_m: float) -> np.ndarray:
    azimuths = np.linspace(0.0, 360.0, 73)
    lons, lats, _ = geod().fwd(
        np.full(73, lon), np.full(73, lat), azimuths, np.full(73, float(radius_m))
    )
    return np.column_stack((lons, lats))


class _Frame:
    """The projection centred on the data, and the lon/lat window worth projecting."""

    def __init__(self, centre: tuple[float, float]) -> None:
        self.centre = centre
        self.forward, self.inverse = local_projection(*centre)
        self.window: BaseGeometry | None = None
        self.extent = (0.0, 0.0, 0.0, 0.0)
        self.lon_range = (0.0, 0.0)
        self.lat_range = (0.0, 0.0)

    def xy(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = self.forward.transform(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack((x, y))

    def shifted(self, lons: np.ndarray) -> np.ndarray:
        return (lons - self.centre[0] + 180.0) % 360.0 - 180.0 + self.centre[0]

    def set_window(self, extent: tuple[float, float, float, float]) -> None:
        # The lon/lat box round the shown area (twice as large): shapes are clipped to it
        # before they are projected, so nothing far away (or near the antipode) is projected.
        self.extent = extent
        x0, y0, x1, y1 = extent
        cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0), (y1 - y0)
        t = np.linspace(0.0, 1.0, 41)
        xs = np.concatenate((cx - hw + 2 * hw * t, np.full(41, cx + hw)))
        xs = np.concatenate((xs, cx + hw - 2 * hw * t, np.full(41, cx - hw)))
        ys = np.concatenate((np.full(41, cy - hh), cy - hh + 2 * hh * t))
        ys = np.concatenate((ys, np.full(41, cy + hh), cy + hh - 2 * hh * t))
        lons, lats = self.inverse.transform(xs, ys)
        lons = self.shifted(np.asarray(lons))
        north = float(np.max(lats)) + 1.0
        south = float(np.min(lats)) - 1.0
        if self.forward.transform(self.centre[0], 90.0)[1] < y1 + hh:
            north = 90.0  # the pole is in view: every longitude is
        west, east = float(np.min(lons)) - 1.0, float(np.max(lons)) + 1.0
        if north == 90.0:
            west, east = self.centre[0] - 180.0, self.centre[0] + 180.0
        self.window = shapely.box(west, max(south, -90.0), east, north)
        self.lon_range = (west, east)
        self.lat_range = (max(south, -90.0), north)

    def project(self, geometry: BaseGeometry) -> BaseGeometry:
        """A lon/lat shape (parts within [-180, 180]) clipped to the window and projected."""
        parts = []
        for part in shapely.get_parts(split_at_antimeridian(geometry)):
            lon = shapely.get_coordinates(part.centroid)[0, 0]
            offset = float(self.shifted(np.array([lon]))[0] - lon)
            moved = shapely.transform(part, lambda c, o=offset: c + np.array([o, 0.0]))
            if self.window is not None:
                moved = shapely.intersection(moved, self.window)
            if moved.is_empty:
                continue
            parts.append(shapely.make_valid(shapely.transform(moved, self.xy)))
        if not parts:
            return shapely.GeometryCollection()
        # Parts cut at 180° meet again in the projection: dissolve the cut.
        try:
            joined: BaseGeometry = shapely.union_all(parts, grid_size=1.0)
        except shapely.errors.GEOSException:
            # A shape too distorted to dissolve is drawn as it is, parts and all.
            joined = shapely.GeometryCollection(
                [p for whole in parts for p in shapely.get_parts(whole)]
            )
        return joined


def _polygons(shape: BaseGeometry) -> list[Any]:
    return [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon" and not p.is_empty]


def _lines(shape: BaseGeometry) -> list[np.ndarray]:
    out = []
    for part in shapely.get_parts(shape):
        if part.geom_type == "Polygon":
            out.append(shapely.get_coordinates(part.exterior))
            out.extend(shapely.get_coordinates(r) for r in part.interiors)
        elif part.geom_type in ("LineString", "LinearRing"):
            out.append(shapely.get_coordinates(part))
    return out


def _fill(ax: Axes, shape: BaseGeometry, **style: Any) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    for polygon in _polygons(shape):
        rings = [shapely.get_coordinates(polygon.exterior)]
        rings.extend(shapely.get_coordinates(r) for r in polygon.interiors)
        vertices = np.concatenate(rings)
        codes = np.concatenate(
            [[Path.MOVETO] + [Path.LINETO] * (len(r) - 2) + [Path.CLOSEPOLY] for r in rings]
        )
        ax.add_patch(PathPatch(Path(vertices, codes), **style))


def _outline(ax: Axes, shape: BaseGeometry, **style: Any) -> None:
    for xy in _lines(shape):
        ax.plot(xy[:, 0], xy[:, 1], **style)


def _short(zone: Zone) -> str:
    return min((zone.name, *zone.aliases), key=len)


def _zone_label(zone: Zone) -> str:
    if not zone.approximate:
        return zone.name
    error = f", ±{zone.accuracy_nm:g} NM" if zone.accuracy_nm is not None else ""
    return f"{zone.name} (approximate{error})"


def _hhmm(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%MZ")


def incident_map(
    incident: Incident,
    path: str | os.PathLike[str],
    *,
    zones: Iterable[Zone] | None = None,
    ledger: EventReader | None = None,
    known_at: datetime | None = None,
    at: datetime | None = None,
    format: str | None = None,
    title: str | None = None,
    width_in: float = 9.0,
    dpi: int = 150,
) -> IncidentMap:
    """
    Draw a map of an incident and write it as PNG, SVG or interactive HTML.

    The map shows the coastline (Natural Earth, where the shipped data has
    it), the zones in force at the incident's time (approximate ones dashed
    and labelled approximate, with their stated error: never the legal
    line), territorial airspace, each track along its geodesics with its
    first and last times, the reported positions with their precision (a
    geodesic circle for a radius; the area's outline for a named sea), every
    zone entry and exit with its time, a legend, a scale bar and the credit
    line. It is drawn in an azimuthal equidistant projection centred on the
    data, so a track across 180° is drawn the short way.

    HTML is one page with the same content on a Leaflet map (OpenStreetMap
    background, loaded from the web when the page is opened): every feature
    is embedded as a GeoJSON ``FeatureCollection`` in the page's
    ``<script id="incident-data">``, with longitudes continuous across 180°
    (past ±180 where needed), so Leaflet draws the short way. Text from the
    ledger is escaped.

    PNG and SVG need matplotlib: ``pip install 'incidents[maps]'``; HTML needs nothing more.

    Args:
        incident: A folded incident (as it stood, as known, at any times).
        path: The file to write; its suffix (``.png``, ``.svg``, ``.html``) gives the format.
        zones: The zones to consider (default: the shipped catalogue,
            :func:`~incidents.zone_catalogue`); only those in force at *at*
            are drawn.
        ledger: If given, the zones are those recorded in this ledger under
            the streams of *zones* (:func:`~incidents.catalogue_events`), as
            they stood at *at*, as the ledger knew them at *known_at*.
        known_at: The recording time for the zones read from *ledger*.
        at: The valid time the zones stood at (default: the incident's
            earliest fix or fact time).
        format: ``"png"``, ``"svg"`` or ``"html"`` (default: from the suffix).
        title: The title (default: the incident's title and date).
        width_in: The figure's width, in inches (PNG and SVG).
        dpi: Dots per inch, for PNG.

    Returns:
        What was drawn, its extent and its labels.

    Raises:
        MissingExtraError: Without matplotlib (the ``maps`` extra), for PNG or SVG.
        InvalidInputError: If the format is unknown, *known_at* is given
            without *ledger*, no time can be found, or the incident places
            nothing anywhere.
        FileWriteError: If the file cannot be written.
    """
    destination = os.fspath(path)
    kind = (format or os.path.splitext(destination)[1].lstrip(".")).lower()
    kind = "html" if kind == "htm" else kind
    if kind not in _FORMATS:
        raise InvalidInputError(
            f"a map is written as PNG, SVG or HTML (.png, .svg, .html), not {kind!r}"
        )
    if not (isinstance(width_in, int | float) and 2 <= width_in <= 40):
        raise InvalidInputError(f"width_in must be 2 to 40 inches, got {width_in!r}")
    if not (isinstance(dpi, int) and 30 <= dpi <= 1200):
        raise InvalidInputError(f"dpi must be a whole number from 30 to 1200, got {dpi!r}")
    if known_at is not None and ledger is None:
        raise InvalidInputError("known_at applies to the zones recorded in a ledger: give ledger")
    if not isinstance(incident, Incident):
        raise InvalidInputError("incident_map needs a folded Incident (ledger.incident(...))")
    when = at if at is not None else _incident_time(incident)
    if when is None:
        raise InvalidInputError("the incident has no time to take the zones at: give at=")
    if kind != "html":
        _matplotlib()  # before any work: the extra is missing or it is not

    candidates: Sequence[Zone] = list(zone_catalogue() if zones is None else zones)
    if ledger is not None:
        candidates = list(
            recorded_zones(ledger, catalogue_stream_ids(candidates), when, known_at=known_at)
        )
    standing = [z for z in candidates if z.in_force(when)]

    # -- what the incident places: tracks, positions, precision circles ------------------
    tracks = [(t, dense_track(t.points, 2.0)[0]) for t in incident.tracks if len(t.points) > 1]
    singles = [t for t in incident.tracks if len(t.points) == 1]
    located = _located(incident)
    data: list[np.ndarray] = [xy for _, xy in tracks]
    data.extend(np.array([[f.lon, f.lat] for f in t.points]) for t in singles)
    marks: list[tuple[str, Location, BaseGeometry | None]] = []
    for what, location in located:
        shape: BaseGeometry | None = None
        precision = location.precision
        if location.geometry is not None:
            shape = location.geometry
        elif location.position is not None:
            p = location.position
            if precision is not None and precision.radius_m is not None:
                shape = shapely.Polygon(_circle(p.lon, p.lat, precision.radius_m))
            elif precision is not None and precision.kind is LocationPrecisionKind.AREA:
                shape = area_named(location.name) if location.name else None
        elif what == "area" and location.name:
            # An area reported by name only ("over the Bering Sea"): its outline, if known.
            shape = area_named(location.name)
        if location.position is None and shape is None:
            continue
        marks.append((what, location, shape))
        if location.position is not None:
            data.append(np.array([[location.position.lon, location.position.lat]]))
        if shape is not None:
            data.append(shapely.get_coordinates(split_at_antimeridian(shape)))
    if not data:
        raise InvalidInputError("nothing to draw: the incident has no track, position or outline")
    points = np.concatenate(data)
    frame = _Frame(centre_of(shapely.MultiPoint(points)))
    xy = frame.xy(np.column_stack((frame.shifted(points[:, 0]), points[:, 1])))
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 * 1.25, _MIN_HALF_WIDTH_M)
    half_h = max((y1 - y0) / 2 * 1.25, _MIN_HALF_WIDTH_M)
    half_w, half_h = max(half_w, half_h * 1.25), max(half_h, half_w * 0.6)
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    frame.set_window(extent)

    if kind == "html":
        labels = _html(destination, frame, incident, standing, tracks, singles, marks, when, title)
    else:
        matplotlib = _matplotlib()
        with matplotlib.rc_context(_STYLE):
            # A figure of its own on the Agg canvas: no pyplot, no global state, never a window.
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            from matplotlib.text import Text

            fig = Figure(figsize=(width_in, width_in * half_h / half_w + 1.6))
            FigureCanvasAgg(fig)
            ax = fig.subplots()
            labels = _draw(ax, frame, incident, standing, tracks, singles, marks, when, title)
            ax.set_xlim(extent[0], extent[2])
            ax.set_ylim(extent[1], extent[3])
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            _graticule(ax, frame, extent)
            _scale_bar(ax, extent)
            fig.text(0.01, 0.005, CREDIT, fontsize=6.5, color="#444444", ha="left", va="bottom")
            legend = ax.legend(
                loc="upper left",
                bbox_to_anchor=(0.0, -0.04),
                fontsize=7,
                ncol=2,
                frameon=False,
            )
            # Text from a ledger (titles, labels, names) is drawn with its control
            # and invisible characters shown as escapes: a glyph for each, and
            # never a character SVG cannot hold.
            for text in fig.findobj(Text):
                lines = text.get_text().split("\n")  # the map's own line breaks stay
                text.set_text("\n".join(printable(line) for line in lines))
            labels["legend"] = [t.get_text() for t in legend.get_texts()]
            fig.tight_layout(rect=(0, 0.03, 1, 1))
            buffer = io.BytesIO()
            fig.savefig(
                buffer,
                format=kind,
                dpi=dpi,
                metadata=_metadata(kind),
                bbox_inches="tight",
                pad_inches=0.15,
            )
        write_file(destination, buffer.getvalue(), what="map")

    corners_lon, corners_lat = frame.inverse.transform(
        [extent[0], extent[2], extent[0], extent[2], cx, cx],
        [extent[1], extent[1], extent[3], extent[3], extent[1], extent[3]],
    )
    shifted = frame.shifted(np.asarray(corners_lon))
    west, east = float(np.min(shifted)), float(np.max(shifted))
    south, north = float(np.min(corners_lat)), float(np.max(corners_lat))
    px, py = frame.forward.transform(frame.centre[0], 90.0 if frame.centre[1] >= 0 else -90.0)
    if extent[0] <= px <= extent[2] and extent[1] <= py <= extent[3]:
        # A pole in view: every meridian is.
        west, east = frame.centre[0] - 180.0, frame.centre[0] + 180.0
        if frame.centre[1] >= 0:
            north = 90.0
        else:
            south = -90.0
    drawn_zones = labels.pop("zones")
    return IncidentMap(
        path=destination,
        format=kind,
        centre=frame.centre,
        width_nm=float(extent[2] - extent[0]) / METRES_PER_NAUTICAL_MILE,
        height_nm=float(extent[3] - extent[1]) / METRES_PER_NAUTICAL_MILE,
        bounds=(
            _wrap(west),
            south,
            _wrap(east),
            north,
        ),
        span_lon=east - west,
        at=when,
        zones=tuple(drawn_zones),
        approximate=tuple(
            k for k in drawn_zones if next(z for z in standing if z.key == k).approximate
        ),
        crossings=tuple(labels.pop("crossings")),
        labels=(*(t for values in labels.values() for t in values), CREDIT),
    )


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _metadata(kind: str) -> dict[str, Any]:
    # No creation date: the same incident gives the same file.
    return {"Date": None} if kind == "svg" else {"Software": "incidents (matplotlib)"}


def _draw(
    ax: Axes,
    frame: _Frame,
    incident: Incident,
    standing: list[Zone],
    tracks: list[tuple[Any, np.ndarray]],
    singles: list[Any],
    marks: list[tuple[str, Location, BaseGeometry | None]],
    when: datetime,
    title: str | None,
) -> dict[str, Any]:
    texts: list[str] = []
    drawn: list[str] = []
    ax.set_facecolor("#eef4f8")
    land_shape = frame.project(land())
    _fill(ax, land_shape, facecolor="#e6e1d3", edgecolor="#8a8474", linewidth=0.6, zorder=1)

    avoid = np.concatenate(
        [frame.xy(dense) for _, dense in tracks]
        + [
            frame.xy(np.array([[loc.position.lon, loc.position.lat]]))
            for _, loc, _ in marks
            if loc.position is not None
        ]
        + [np.empty((0, 2))]
    )
    # Where the names of areas reported by name only go: zone labels keep clear of them.
    spots = {
        index: _clear_spot(frame.project(shape), avoid)
        for index, (_, location, shape) in enumerate(marks)
        if shape is not None and location.position is None
    }
    avoid = np.concatenate([avoid, *(np.array([spot]) for spot in spots.values() if spot)])
    territorial_labelled = False
    colours = iter(_ADIZ_COLOURS * 4)
    for zone in standing:
        shape = frame.project(zone.area())
        if shape.is_empty or not shape.intersects(shapely.box(*frame.extent)):
            continue  # not in view
        drawn.append(zone.key)
        dashed = "--" if zone.approximate else "-"
        if zone.kind is ZoneKind.TERRITORIAL_AIRSPACE:
            label = None
            if not territorial_labelled:
                label = "Territorial airspace, 12 NM"
                if zone.approximate:
                    label += " (approximate: from the coastline, not the legal baselines)"
                territorial_labelled = True
            _fill(ax, shape, facecolor=_TERRITORIAL, alpha=0.12, linewidth=0, zorder=2)
            _outline(ax, shape, color=_TERRITORIAL, linewidth=0.7, linestyle=dashed, zorder=2)
            ax.plot([], [], color=_TERRITORIAL, linewidth=0.7, linestyle=dashed, label=label)
            continue
        colour = next(colours)
        label = _zone_label(zone)
        _outline(ax, shape, color=colour, linewidth=1.4, linestyle=dashed, zorder=3)
        ax.plot([], [], color=colour, linewidth=1.4, linestyle=dashed, label=label)
        # The label on the map, inside the part of the zone in view.
        x0, y0, x1, y1 = frame.extent
        dx, dy = (x1 - x0) * 0.15, (y1 - y0) * 0.08
        inner = shapely.box(x0 + dx, y0 + dy, x1 - dx, y1 - dy)
        visible = shapely.intersection(shapely.make_valid(shape), inner)
        where = _clear_spot(visible, avoid)
        if where is not None:
            text = _short(zone) + ("\napproximate, not the legal line" if zone.approximate else "")
            ax.annotate(
                text,
                where,
                fontsize=7,
                color=colour,
                ha="center",
                zorder=6,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7},
            )
            texts.append(text)

    crossings: list[tuple[str, str, datetime]] = []
    placed: list[tuple[float, float]] = []
    crowded = (frame.extent[2] - frame.extent[0]) * 0.06
    names = {z.key: _short(z) for z in standing}
    for index, (track, dense) in enumerate(tracks):
        colour = _TRACK_COLOURS[index % len(_TRACK_COLOURS)]
        line = frame.xy(dense)
        label = f"Track: {track.label or 'observed'} ({len(track.points)} fixes)"
        ax.plot(line[:, 0], line[:, 1], color=colour, linewidth=2.0, zorder=5, label=label)
        fixes = frame.xy(np.array([[f.lon, f.lat] for f in track.points]))
        ax.plot(fixes[:, 0], fixes[:, 1], "o", color=colour, markersize=3.5, zorder=5)
        for fix, (x, y) in ((track.points[0], fixes[0]), (track.points[-1], fixes[-1])):
            text = _hhmm(fix.time)
            ax.annotate(text, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7)
            texts.append(text)
        for fix in track.points:
            if fix.uncertainty_m:
                ring = frame.xy(_circle(fix.lon, fix.lat, fix.uncertainty_m))
                ax.plot(ring[:, 0], ring[:, 1], color=colour, linewidth=0.6, zorder=4)
        analysis = analyse_track(track.points, standing)
        for crossing in analysis.crossings:
            x, y = frame.xy(np.array([[crossing.lon, crossing.lat]]))[0]
            word = "entry" if crossing.entering else "exit"
            ax.plot(x, y, marker="D", color="black", markersize=5, zorder=7)
            crossings.append((crossing.zone, word, crossing.at))
            if any(math.hypot(x - u, y - v) < crowded for u, v in placed):
                continue  # marked, but too close to a labelled one to label legibly
            placed.append((x, y))
            text = f"{word} {names.get(crossing.zone, crossing.zone)} {_hhmm(crossing.at)}"
            ax.annotate(
                text, (x, y), xytext=(6, -10), textcoords="offset points", fontsize=7, zorder=7
            )
            texts.append(text)
    if crossings:
        ax.plot([], [], "D", color="black", markersize=5, label="Zone entry or exit, with its time")
    for track in singles:
        fix = track.points[0]
        x, y = frame.xy(np.array([[fix.lon, fix.lat]]))[0]
        ax.plot(x, y, "o", color=_TRACK_COLOURS[0], zorder=5)

    shown_kinds: set[str] = set()
    outlines: set[str] = set()
    for index, (what, location, shape) in enumerate(marks):
        precision = location.precision
        if shape is not None:
            projected = frame.project(shape)
            # Solid: a stated outline or radius; dashed: the outline a name stands for.
            named = location.geometry is None and (
                precision is None or precision.kind is not LocationPrecisionKind.RADIUS
            )
            style = "--" if named else "-"
            outlines.add(style)
            _outline(ax, projected, color="#555555", linewidth=0.9, linestyle=style, zorder=4)
            if location.position is None:
                where = spots.get(index)
                if where is not None:
                    words = (
                        f"{location.name or what} (named area)"
                        if named
                        else (location.name or what)
                    )
                    ax.annotate(words, where, fontsize=7, color="#333333", ha="center")
                    texts.append(words)
        if location.position is not None:
            x, y = frame.xy(np.array([[location.position.lon, location.position.lat]]))[0]
            legend = None
            if what not in shown_kinds:
                legend = _KIND_WORDS[what]
                shown_kinds.add(what)
            ax.plot(
                x,
                y,
                marker="*",
                color="#333333",
                markersize=9,
                zorder=6,
                label=legend,
                linestyle="none",
            )
            words = location.name or what
            if precision is not None:
                words += f", {precision.describe()}"
            ax.annotate(words, (x, y), xytext=(6, 4), textcoords="offset points", fontsize=7)
            texts.append(words)
    if outlines & {"-"}:
        ax.plot(
            [], [], color="#555555", linewidth=0.9, label="Precision radius (geodesic) or outline"
        )
    if outlines & {"--"}:
        ax.plot(
            [],
            [],
            color="#555555",
            linewidth=0.9,
            linestyle="--",
            label="Named area (approximate outline of the name)",
        )

    heading = title or f"{incident.title}: {when.astimezone(UTC):%Y-%m-%d}"
    ax.set_title(heading, fontsize=10)
    texts.append(heading)
    return {"texts": texts, "zones": drawn, "crossings": crossings}


def _clear_spot(area: BaseGeometry, avoid: np.ndarray) -> tuple[float, float] | None:
    # A point inside the area as far as can be from the incident's data, for a label.
    if area.is_empty or area.area <= 0:
        return None
    x0, y0, x1, y1 = area.bounds
    grid_x, grid_y = np.meshgrid(np.linspace(x0, x1, 25), np.linspace(y0, y1, 25))
    gx, gy = grid_x.ravel(), grid_y.ravel()
    inside = shapely.contains_xy(area, gx, gy)
    if not inside.any():
        point = area.representative_point()
        return float(point.x), float(point.y)
    gx, gy = gx[inside], gy[inside]
    if len(avoid) == 0:
        best = len(gx) // 2
    else:
        d = np.min(
            np.hypot(gx[:, None] - avoid[None, :, 0], gy[:, None] - avoid[None, :, 1]), axis=1
        )
        best = int(np.argmax(d))
    return float(gx[best]), float(gy[best])


def _degrees(value: float, positive: str, negative: str) -> str:
    value = _wrap(value) if positive == "E" else value
    if abs(value) < 1e-9 or (positive == "E" and abs(abs(value) - 180.0) < 1e-9):
        return "0°" if abs(value) < 1e-9 else "180°"
    return f"{abs(value):g}°{positive if value > 0 else negative}"


def _graticule(ax: Axes, frame: _Frame, extent: tuple[float, float, float, float]) -> None:
    # Meridians and parallels, labelled where they leave the map (left and bottom edges).
    west, east = frame.lon_range
    south, north = frame.lat_range
    x0, y0, x1, y1 = extent
    # About a dozen lines each way: latitude from the map's height (60 NM a degree),
    # longitude from the meridians the map spans (all of them when a pole is in view).
    lat_span = (y1 - y0) / 60.0 / METRES_PER_NAUTICAL_MILE
    lat_step = next((s for s in (1, 2, 5, 10, 15, 30) if lat_span / s <= 10), 45)
    lon_step = next((s for s in (1, 2, 5, 10, 15, 30) if (east - west) / 2 / s <= 12), 45)
    labelled: list[float] = []
    gap = (x1 - x0) * 0.05
    view = shapely.box(x0, y0, x1, y1)
    style = {"color": "#9aa9b5", "linewidth": 0.4, "zorder": 1.5}
    lats = np.linspace(south, north, 200)
    for lon in np.arange(math.ceil(west / lon_step) * lon_step, east + 1e-9, lon_step):
        line = shapely.LineString(frame.xy(np.column_stack((np.full(200, lon), lats))))
        seen = shapely.intersection(line, view)
        if seen.is_empty:
            continue
        _outline(ax, seen, **style)
        xy = shapely.get_coordinates(seen)
        low = xy[np.argmin(xy[:, 1])]
        if low[1] <= extent[1] + 1.0 and all(abs(low[0] - x) > gap for x in labelled):
            labelled.append(float(low[0]))
            ax.annotate(
                _degrees(float(lon), "E", "W"),
                (low[0], extent[1]),
                xytext=(0, -9),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
                color="#50606c",
                annotation_clip=False,
            )
    lons = np.linspace(west, east, 400)
    for lat in np.arange(math.ceil(south / lat_step) * lat_step, north + 1e-9, lat_step):
        if abs(lat) >= 90:
            continue
        line = shapely.LineString(frame.xy(np.column_stack((lons, np.full(400, lat)))))
        seen = shapely.intersection(line, view)
        if seen.is_empty:
            continue
        _outline(ax, seen, **style)
        xy = shapely.get_coordinates(seen)
        left = xy[np.argmin(xy[:, 0])]
        if left[0] <= extent[0] + 1.0:
            ax.annotate(
                _degrees(float(lat), "N", "S"),
                (extent[0], left[1]),
                xytext=(-3, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=6.5,
                color="#50606c",
                annotation_clip=False,
            )


def _scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    from matplotlib import patheffects

    x0, y0, x1, y1 = extent
    width_nm = (x1 - x0) / METRES_PER_NAUTICAL_MILE
    step = 10 ** math.floor(math.log10(width_nm / 4))
    nm = max(s * step for s in (1, 2, 5) if s * step <= width_nm / 4)
    length = nm * METRES_PER_NAUTICAL_MILE
    left, bottom = x1 - (x1 - x0) * 0.05 - length, y0 + (y1 - y0) * 0.05
    halo = [patheffects.withStroke(linewidth=4.5, foreground="white")]
    ax.plot(
        [left, left + length],
        [bottom, bottom],
        color="black",
        linewidth=2.5,
        zorder=8,
        path_effects=halo,
    )
    ax.annotate(
        f"{nm:g} NM",
        (left + length / 2, bottom),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize=7,
        zorder=8,
        path_effects=halo,
    )


# -- the interactive map: one HTML file, Leaflet, the features as embedded GeoJSON -----------

_LEAFLET = "https://unpkg.com/leaflet@1.9.4/dist/leaflet"
_LEAFLET_CSS_SRI = "sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY="
_LEAFLET_JS_SRI = "sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo="
_TILES_CREDIT = "Background: © OpenStreetMap contributors."

# Ledger text reaches the page only as escaped HTML or as JSON text read with textContent
# and set with textContent: never as markup.
_SCRIPT = """
const data = JSON.parse(document.getElementById("incident-data").textContent);
const map = L.map("map", {worldCopyJump: false});
L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
  maxZoom: 12, attribution: "&copy; OpenStreetMap contributors"
}).addTo(map);
function text(words) {
  const span = document.createElement("span");
  span.style.whiteSpace = "pre";
  span.textContent = words;
  return span;
}
const layer = L.geoJSON(data, {
  style: (f) => ({
    color: f.properties.colour, weight: f.properties.weight,
    dashArray: f.properties.dashed ? "6 4" : null,
    fillColor: f.properties.colour, fillOpacity: f.properties.fill,
  }),
  pointToLayer: (f, latlng) => L.circleMarker(latlng, {
    radius: f.properties.radius, color: f.properties.colour,
    fillColor: f.properties.colour, fillOpacity: 0.9, weight: 1,
  }),
  onEachFeature: (f, l) => {
    if (f.properties.label) {
      l.bindTooltip(text(f.properties.label), {permanent: f.properties.permanent});
    }
  },
}).addTo(map);
const b = data.bbox;
map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
"""

# Nautical miles on the scale: Leaflet's scale control speaks metres and miles; this adds NM.
_SCALE = """
L.Control.NauticalScale = L.Control.Scale.extend({
  _update: function () {
    const m = this._map, y = m.getSize().y / 2;
    const maxMeters = m.distance(m.containerPointToLatLng([0, y]),
                                 m.containerPointToLatLng([this.options.maxWidth, y]));
    const nm = maxMeters / 1852, p = Math.pow(10, Math.floor(Math.log10(nm)));
    const d = nm / p, step = (d >= 5 ? 5 : d >= 2 ? 2 : 1) * p;
    this._mScale.style.width = Math.round(this.options.maxWidth * step / nm) + "px";
    this._mScale.textContent = step + " NM";
  },
});
new L.Control.NauticalScale({metric: true, imperial: false, maxWidth: 200}).addTo(map);
"""


def _unwrapped(frame: _Frame, geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat shape with its longitudes moved next to the map's centre (past ±180 if need be)."""
    parts = []
    for part in shapely.get_parts(split_at_antimeridian(geometry)):
        lon = shapely.get_coordinates(part.centroid)[0, 0]
        offset = float(frame.shifted(np.array([lon]))[0] - lon)
        moved = shapely.transform(part, lambda c, o=offset: c + np.array([o, 0.0]))
        if frame.window is not None:
            moved = shapely.intersection(moved, frame.window)
        if not moved.is_empty:
            parts.append(moved)
    if not parts:
        return shapely.GeometryCollection()
    try:
        joined: BaseGeometry = shapely.union_all(parts, grid_size=1e-6)
    except shapely.errors.GEOSException:
        joined = shapely.GeometryCollection([p for w in parts for p in shapely.get_parts(w)])
    return shapely.transform(joined, lambda c: np.round(c, 5))


def _feature(geometry: BaseGeometry, **properties: Any) -> dict[str, Any]:
    import json

    defaults = {"weight": 2, "dashed": False, "fill": 0.0, "radius": 4, "permanent": False}
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geometry)),
        "properties": {**defaults, **properties},
    }


def _html(
    destination: str,
    frame: _Frame,
    incident: Incident,
    standing: list[Zone],
    tracks: list[tuple[Any, np.ndarray]],
    singles: list[Any],
    marks: list[tuple[str, Location, BaseGeometry | None]],
    when: datetime,
    title: str | None,
) -> dict[str, Any]:
    import html
    import json

    features: list[dict[str, Any]] = []
    texts: list[str] = []
    legend: list[tuple[str, str, bool]] = []
    drawn: list[str] = []
    view = shapely.box(*frame.window.bounds) if frame.window is not None else None
    territorial_labelled = False
    colours = iter(_ADIZ_COLOURS * 4)
    for zone in standing:
        shape = _unwrapped(frame, zone.area())
        if shape.is_empty or (view is not None and not shape.intersects(view)):
            continue
        drawn.append(zone.key)
        if zone.kind is ZoneKind.TERRITORIAL_AIRSPACE:
            label = "Territorial airspace, 12 NM"
            if zone.approximate:
                label += " (approximate: from the coastline, not the legal baselines)"
            if not territorial_labelled:
                legend.append((label, _TERRITORIAL, zone.approximate))
                territorial_labelled = True
            features.append(
                _feature(
                    shape,
                    kind="territorial",
                    zone=zone.key,
                    label=f"{zone.name}\n{label}",
                    approximate=zone.approximate,
                    colour=_TERRITORIAL,
                    weight=1,
                    dashed=zone.approximate,
                    fill=0.12,
                )
            )
            continue
        colour = next(colours)
        label = _zone_label(zone)
        legend.append((label, colour, zone.approximate))
        words = _short(zone) + ("\napproximate, not the legal line" if zone.approximate else "")
        texts.append(words)
        features.append(
            _feature(
                shape,
                kind="zone",
                zone=zone.key,
                label=words,
                approximate=zone.approximate,
                colour=colour,
                dashed=zone.approximate,
                fill=0.04,
            )
        )

    crossings: list[tuple[str, str, datetime]] = []
    names = {z.key: _short(z) for z in standing}
    for index, (track, dense) in enumerate(tracks):
        colour = _TRACK_COLOURS[index % len(_TRACK_COLOURS)]
        label = f"Track: {track.label or 'observed'} ({len(track.points)} fixes)"
        legend.append((label, colour, False))
        # Continuous longitudes (past ±180 if need be): Leaflet draws the short way.
        lons = frame.shifted(np.unwrap(dense[:, 0], period=360.0))
        line = shapely.LineString(np.column_stack((np.round(lons, 5), np.round(dense[:, 1], 5))))
        features.append(_feature(line, kind="track", label=label, colour=colour, weight=3))
        fix_lons = frame.shifted(np.array([f.lon for f in track.points]))
        for n, (fix, lon) in enumerate(zip(track.points, fix_lons, strict=True)):
            words = _hhmm(fix.time)
            first_or_last = n in (0, len(track.points) - 1)
            if first_or_last:
                texts.append(words)
            features.append(
                _feature(
                    shapely.Point(round(float(lon), 5), fix.lat),
                    kind="fix",
                    label=words,
                    time=fix.time.isoformat(),
                    colour=colour,
                    permanent=first_or_last,
                    radius=3,
                )
            )
            if fix.uncertainty_m:
                ring = _unwrapped(
                    frame, shapely.Polygon(_circle(fix.lon, fix.lat, fix.uncertainty_m))
                )
                features.append(
                    _feature(
                        ring,
                        kind="precision",
                        label=f"{words}: within {fix.uncertainty_m / METRES_PER_NAUTICAL_MILE:.1f} NM",
                        colour=colour,
                        weight=1,
                    )
                )
        for crossing in analyse_track(track.points, standing).crossings:
            word = "entry" if crossing.entering else "exit"
            crossings.append((crossing.zone, word, crossing.at))
            words = f"{word} {names.get(crossing.zone, crossing.zone)} {_hhmm(crossing.at)}"
            texts.append(words)
            lon = float(frame.shifted(np.array([crossing.lon]))[0])
            features.append(
                _feature(
                    shapely.Point(round(lon, 5), round(crossing.lat, 5)),
                    kind="crossing",
                    zone=crossing.zone,
                    entering=crossing.entering,
                    time=crossing.at.isoformat(),
                    label=words,
                    colour="#000000",
                    permanent=True,
                    radius=5,
                )
            )
    if crossings:
        legend.append(("Zone entry or exit, with its time", "#000000", False))
    for track in singles:
        fix = track.points[0]
        lon = float(frame.shifted(np.array([fix.lon]))[0])
        features.append(
            _feature(
                shapely.Point(lon, fix.lat),
                kind="fix",
                label=_hhmm(fix.time),
                time=fix.time.isoformat(),
                colour=_TRACK_COLOURS[0],
            )
        )

    shown_kinds: set[str] = set()
    for what, location, shape in marks:
        precision = location.precision
        named = location.geometry is None and (
            precision is None or precision.kind is not LocationPrecisionKind.RADIUS
        )
        if shape is not None:
            words = location.name or what
            if named:
                words += " (named area: approximate outline of the name)"
            elif precision is not None:
                words += f", {precision.describe()}"
            features.append(
                _feature(
                    _unwrapped(frame, shape),
                    kind="precision",
                    label=words,
                    colour="#555555",
                    weight=1,
                    dashed=named,
                )
            )
            if location.position is None:
                texts.append(words)
        if location.position is not None:
            words = location.name or what
            if precision is not None:
                words += f", {precision.describe()}"
            texts.append(words)
            if what not in shown_kinds:
                legend.append((_KIND_WORDS[what], "#333333", False))
                shown_kinds.add(what)
            lon = float(frame.shifted(np.array([location.position.lon]))[0])
            features.append(
                _feature(
                    shapely.Point(lon, location.position.lat),
                    kind="position",
                    what=what,
                    label=words,
                    colour="#333333",
                    permanent=True,
                    radius=6,
                )
            )

    heading = title or f"{incident.title}: {when.astimezone(UTC):%Y-%m-%d}"
    texts.append(heading)
    west, south, east, north = (
        (float(v) for v in frame.window.bounds) if frame.window else (0, 0, 0, 0)
    )
    shrink_x, shrink_y = (east - west) / 4, (north - south) / 4
    collection = {
        "type": "FeatureCollection",
        "bbox": [
            round(west + shrink_x, 5),
            round(south + shrink_y, 5),
            round(east - shrink_x, 5),
            round(north - shrink_y, 5),
        ],
        "features": features,
    }
    # JSON inside <script>: "<", ">" and "&" as \\u escapes, so no text can close the tag.
    embedded = (
        json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    rows = "\n".join(
        f'<li><span class="key{" dashed" if dashed else ""}" style="border-color:{colour}">'
        f"</span>{html.escape(words)}</li>"
        for words, colour, dashed in legend
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="incidents">
<title>{html.escape(heading)}</title>
<link rel="stylesheet" href="{_LEAFLET}.css" integrity="{_LEAFLET_CSS_SRI}" crossorigin="">
<script src="{_LEAFLET}.js" integrity="{_LEAFLET_JS_SRI}" crossorigin=""></script>
<style>
body {{ margin: 0; font: 13px sans-serif; }}
h1 {{ font-size: 15px; margin: 6px 10px; }}
#map {{ height: 75vh; }}
#legend ul {{ list-style: none; padding: 0 10px; margin: 6px 0; columns: 2; }}
.key {{ display: inline-block; width: 24px; margin-right: 6px; border-top: 3px solid;
  vertical-align: middle; }}
.key.dashed {{ border-top-style: dashed; }}
.credit {{ color: #444; font-size: 11px; margin: 4px 10px; }}
</style>
</head>
<body>
<h1>{html.escape(heading)}</h1>
<div id="map"></div>
<div id="legend"><ul>
{rows}
</ul></div>
<p class="credit">{html.escape(CREDIT)} {html.escape(_TILES_CREDIT)}</p>
<script type="application/json" id="incident-data">{embedded}</script>
<script>{_SCRIPT}{_SCALE}</script>
</body>
</html>
"""
    write_file(destination, page.encode("utf-8"), what="map")
    return {
        "texts": texts,
        "zones": drawn,
        "crossings": crossings,
        "legend": [words for words, _, _ in legend],
    }
