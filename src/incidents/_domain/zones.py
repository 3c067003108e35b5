"""
Zones: air defence identification zones, territorial airspace, exercise areas, median lines.

A :class:`Zone` is a declared shape with what makes it a fact: the
authority that declared it, its legal source, the period it is in force,
the rule its edges follow between vertices (:class:`EdgeRule`; US ADIZ edges
are great circles except along a parallel, 14 CFR 99.41) and an honest
statement of how accurate the shipped vertices are.

:func:`zone_catalogue` reads the catalogue shipped in
``incidents/data/zones/``; :func:`zones_from_geojson` reads a user's zones
from GeoJSON with the same metadata. Containment and distances are right on
both sides of 180° and near the poles: a zone's :meth:`Zone.area` is its
outline densified along its edge rule and split at the antimeridian.
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import itertools
import json
import math
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from incidents._domain.geo import Geometry, is_geometry
from incidents._domain.geodesy import (
    covers,
    densify,
    distance_nm,
    normalize_lon,
    split_at_antimeridian,
)
from incidents._domain.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, check_text, shown
from incidents._domain.nations import ASSIGNED_NATIONS, nation_error
from incidents._domain.time import check_instant, to_utc
from incidents._errors import InvalidInputError
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
    import shapely
else:
    # Imported when first used: `import incidents` stays light (tests/test_import_time.py).
    np = LazyModule("numpy", globals(), "np")
    shapely = LazyModule("shapely", globals(), "shapely")

__all__ = [
    "ZONE_NAMESPACE",
    "EdgeRule",
    "Zone",
    "ZoneCatalogue",
    "ZoneKind",
    "nearest_edge_nm",
    "zone_catalogue",
    "zones_from_geojson",
]

ZONE_NAMESPACE = uuid.UUID("3f7c2a4e-1f0b-5a51-9c1e-6b7a0e2d1c17")
"""The namespace of zone ids: a zone's id is ``uuid5(ZONE_NAMESPACE, key)``."""

_EDGE_STEP_NM = 10.0


class ZoneKind(enum.Enum):
    """
    What a zone is.
    """

    ADIZ = "adiz"
    """An air defence identification zone: declared, much larger than sovereign airspace."""
    TERRITORIAL_AIRSPACE = "territorial-airspace"
    """Sovereign airspace: over land and the territorial sea (12 NM from the baseline)."""
    EXERCISE_AREA = "exercise-area"
    """An area declared for an exercise, usually for days."""
    MEDIAN_LINE = "median-line"
    """A line (not an area), e.g. the Taiwan Strait median line: crossed, never entered."""
    OTHER = "other"
    """Any other declared area."""


class EdgeRule(enum.Enum):
    """
    What an edge between two vertices is.
    """

    GREAT_CIRCLE = "great-circle"
    """Every edge is a geodesic."""
    GREAT_CIRCLE_EXCEPT_PARALLELS = "great-circle-except-parallels"
    """Geodesics, except edges joining points on the same parallel: rhumb lines along it (14 CFR 99.41)."""
    RHUMB_LINE = "rhumb-line"
    """Every edge is a rhumb line (a straight line on a Mercator chart)."""
    AS_DRAWN = "as-drawn"
    """A dense outline: straight in longitude and latitude between close vertices."""


def _text(limit: int) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(
                f"zone {attribute.name} must be non-empty text, got {shown(value)}"
            )
        check_text(value, f"zone {attribute.name}", limit)

    return check


def _optional_instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(f"not an ISO-8601 date-time: {shown(value)}") from None
    return to_utc(check_instant(value, what="a zone's effective time"))


def _optional_nation(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or value not in ASSIGNED_NATIONS):
        raise InvalidInputError(nation_error(attribute.name, value))


def _accuracy_nm(_: Any, __: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"accuracy_nm must be a number of NM, got {shown(value)}")
    if value < 0:
        raise InvalidInputError(f"accuracy_nm must not be negative, got {shown(value)}")


def _geometry(_: Any, __: Any, value: Any) -> None:
    if not is_geometry(value) or value.is_empty:
        raise InvalidInputError(f"a zone needs a geometry, got {shown(value)}")
    if value.geom_type not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
        raise InvalidInputError(f"a zone is an area or a line, not a {value.geom_type}")
    xy = shapely.get_coordinates(value)
    if not (np.all(np.abs(xy[:, 0]) <= 180) and np.all(np.abs(xy[:, 1]) <= 90)):
        raise InvalidInputError("a zone's coordinates must be longitude/latitude in degrees")


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInputError(f"expected a list of names, got {shown(value)}")
    return tuple(value)


def _kind(value: Any) -> ZoneKind:
    try:
        return ZoneKind(value)
    except ValueError:
        raise InvalidInputError(
            f"zone kind must be one of {', '.join(k.value for k in ZoneKind)}; got {shown(value)}"
        ) from None


def _edge_rule(value: Any) -> EdgeRule:
    try:
        return EdgeRule(value)
    except ValueError:
        raise InvalidInputError(
            f"edge rule must be one of {', '.join(r.value for r in EdgeRule)}; got {shown(value)}"
        ) from None


@attrs.frozen(kw_only=True, eq=False)
class Zone:
    """
    A declared zone with its provenance.

    Attributes:
        key: A stable key, e.g. ``"kr/kadiz-2013"``; the zone's id derives from it.
        name: Its name, e.g. ``"KADIZ (from 2013-12-15)"``.
        kind: ADIZ, territorial airspace, exercise area, median line, other.
        authority: Who declared it, e.g. ``"Ministry of National Defense (Republic of Korea)"``.
        nation: The declaring nation (ISO 3166-1 alpha-2), if any.
        legal_source: The instrument that declares it, e.g. ``"14 CFR 99.45"``.
        effective_from: When it came into force (UTC), if known.
        effective_until: When it stopped being in force (UTC, exclusive), if it has.
        edge_rule: What the edges between vertices are.
        accuracy: How accurate the shipped vertices are, in words.
        accuracy_nm: The largest error of the boundary, in NM, if it can be stated.
        approximate: Whether the vertices are an approximation rather than
            the published ones; never present an approximate line as the legal line.
        geometry: The outline (Polygon or MultiPolygon) or line
            (LineString) in lon/lat degrees, vertices as declared.
        provenance: Where the vertices come from.
        aliases: Other names it goes by (``"KADIZ"``, ``"Alaska ADIZ"``).
        excludes: Keys of zones whose area is not part of this one, e.g.
            China's East China Sea ADIZ lies outside China's territorial
            airspace; resolved by the :class:`ZoneCatalogue` that holds both.
    """

    key: str = attrs.field(validator=_text(MAX_NAME_LENGTH))
    name: str = attrs.field(validator=_text(MAX_NAME_LENGTH))
    kind: ZoneKind = attrs.field(converter=_kind)
    authority: str = attrs.field(validator=_text(MAX_NAME_LENGTH))
    nation: str | None = attrs.field(default=None, validator=_optional_nation)
    legal_source: str = attrs.field(validator=_text(MAX_TEXT_LENGTH))
    effective_from: datetime | None = attrs.field(default=None, converter=_optional_instant)
    effective_until: datetime | None = attrs.field(default=None, converter=_optional_instant)
    edge_rule: EdgeRule = attrs.field(converter=_edge_rule)
    accuracy: str = attrs.field(validator=_text(MAX_TEXT_LENGTH))
    accuracy_nm: float | None = attrs.field(default=None, validator=_accuracy_nm)
    approximate: bool = attrs.field(validator=attrs.validators.instance_of(bool))
    geometry: Geometry = attrs.field(validator=_geometry)
    provenance: str = attrs.field(validator=_text(MAX_TEXT_LENGTH))
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    excludes: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    _area: list[Geometry] = attrs.field(init=False, factory=list, repr=False)

    def __attrs_post_init__(self) -> None:
        if (
            self.effective_from is not None
            and self.effective_until is not None
            and self.effective_until <= self.effective_from
        ):
            raise InvalidInputError(
                f"zone {self.key}: effective_until must be after effective_from"
            )
        for alias in self.aliases:
            _text(MAX_NAME_LENGTH)(self, attrs.fields(Zone).aliases, alias)

    @property
    def zone_id(self) -> uuid.UUID:
        """
        The zone's id: ``uuid5(ZONE_NAMESPACE, key)``.
        """
        return uuid.uuid5(ZONE_NAMESPACE, self.key)

    @property
    def is_line(self) -> bool:
        """
        Whether the zone is a line (a median line), crossed rather than entered.
        """
        return self.geometry.geom_type in ("LineString", "MultiLineString")

    def in_force(self, at: datetime) -> bool:
        """
        Whether the zone was in force at an instant.

        Args:
            at: A timezone-aware instant.

        Returns:
            True if *at* is within ``[effective_from, effective_until)``.
        """
        at = to_utc(check_instant(at, what="instant"))
        if self.effective_from is not None and at < self.effective_from:
            return False
        return self.effective_until is None or at < self.effective_until

    def area(self) -> Geometry:
        """
        The zone's shape as tests need it: edges densified by its rule, split at 180°.

        Returns:
            A (Multi)Polygon, or (Multi)LineString for a line, in lon/lat
            within [-180, 180] (RFC 7946), prepared for fast tests.
        """
        if not self._area:
            shape = split_at_antimeridian(_densified(self.geometry, self.edge_rule))
            shapely.prepare(shape)
            self._area.append(shape)
        return self._area[0]

    def covers(self, lon: Any, lat: Any) -> Any:
        """
        Whether the zone covers points (its boundary included); always False for a line.

        Args:
            lon: Longitude(s), degrees.
            lat: Latitude(s), degrees.

        Returns:
            A bool or an array of them.
        """
        if self.is_line:
            inside = np.zeros(np.shape(lon), dtype=bool)
            return bool(inside) if np.ndim(inside) == 0 else inside
        return covers(self.area(), lon, lat)

    def distance_nm(self, lon: float, lat: float) -> float:
        """
        How far a point is from the zone: 0 inside, else to its nearest edge, in NM.

        The nearest point of the boundary is found on the densified outline;
        the distance to it is geodesic.

        Args:
            lon: Longitude, degrees.
            lat: Latitude, degrees.

        Returns:
            Nautical miles.
        """
        if self.covers(lon, lat):
            return 0.0
        return _nearest_nm(self.area(), lon, lat)

    def describe(self) -> str:
        """
        The zone in one line, e.g. ``"KADIZ (from 2013-12-15) [adiz, KR, approximate]"``.
        """
        flags = [self.kind.value]
        if self.nation:
            flags.append(self.nation)
        if self.approximate:
            flags.append("approximate")
        return f"{self.name} [{', '.join(flags)}]"


def nearest_edge_nm(zone: Zone, lon: float, lat: float) -> float:
    """
    The geodesic distance from a point to a zone's nearest edge, inside or out, in NM.
    """
    return _nearest_nm(zone.area(), lon, lat)


def _nearest_nm(area: Geometry, lon: float, lat: float) -> float:
    best = math.inf
    boundary = area if area.geom_type in ("LineString", "MultiLineString") else area.boundary
    for shift in (-360.0, 0.0, 360.0):
        line = shapely.shortest_line(boundary, shapely.Point(lon + shift, lat))
        (x, y), _ = shapely.get_coordinates(line)
        best = min(best, distance_nm((x, y), (lon, lat)))
    return best


def _rhumb(lon1: float, lat1: float, lon2: float, lat2: float, n: int) -> np.ndarray:
    # Points of a rhumb line: straight in Mercator (longitude, isometric latitude).
    t = np.linspace(0.0, 1.0, n + 2)[1:-1]
    dlon = (lon2 - lon1 + 180.0) % 360.0 - 180.0
    lons = lon1 + t * dlon
    if lat1 == lat2:
        return np.column_stack((lons, np.full_like(t, lat1)))
    y1, y2 = (math.asinh(math.tan(math.radians(v))) for v in (lat1, lat2))
    lats = np.degrees(np.arctan(np.sinh(y1 + t * (y2 - y1))))
    return np.column_stack((lons, lats))


def _densify_ring(xy: np.ndarray, rule: EdgeRule) -> np.ndarray:
    if rule is EdgeRule.AS_DRAWN:
        return xy
    if rule is EdgeRule.GREAT_CIRCLE:
        return densify(xy, _EDGE_STEP_NM)
    out = [xy[:1]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(xy):
        along_parallel = lat1 == lat2
        if rule is EdgeRule.RHUMB_LINE or along_parallel:
            length = distance_nm((lon1, lat1), (lon2, lat2))
            n = math.ceil(length / _EDGE_STEP_NM) - 1
            if n > 0:
                out.append(_rhumb(lon1, lat1, lon2, lat2, n))
            out.append(np.asarray([[lon2, lat2]]))
        else:
            out.append(densify(np.asarray([[lon1, lat1], [lon2, lat2]]), _EDGE_STEP_NM)[1:])
    dense = np.concatenate(out)
    dense[:, 0] = normalize_lon(dense[:, 0])
    return dense


def _densified(geometry: Geometry, rule: EdgeRule) -> Geometry:
    def ring(r: Any) -> np.ndarray:
        return _densify_ring(shapely.get_coordinates(r), rule)

    if geometry.geom_type == "Polygon":
        return shapely.Polygon(ring(geometry.exterior), [ring(i) for i in geometry.interiors])
    if geometry.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([_densified(p, rule) for p in geometry.geoms])
    if geometry.geom_type == "LineString":
        return shapely.LineString(ring(geometry))
    return shapely.MultiLineString([_densified(g, rule) for g in geometry.geoms])


# -- reading zones from GeoJSON ---------------------------------------------------------

_REQUIRED = (
    "key",
    "name",
    "kind",
    "authority",
    "legal_source",
    "edge_rule",
    "accuracy",
    "approximate",
    "provenance",
)
_OPTIONAL = ("nation", "effective_from", "effective_until", "accuracy_nm", "aliases", "excludes")


def zone_from_feature(feature: Mapping[str, Any], **defaults: Any) -> Zone:
    """
    A zone from one GeoJSON feature whose properties carry the zone's metadata.

    Args:
        feature: A GeoJSON Feature: geometry in lon/lat, and properties
            ``key``, ``name``, ``kind``, ``authority``, ``legal_source``,
            ``edge_rule``, ``accuracy``, ``approximate``, ``provenance``
            (required) and ``nation``, ``effective_from``, ``effective_until``
            (ISO 8601 with offset), ``accuracy_nm``, ``aliases`` (optional).
        **defaults: Property values used where the feature has none.

    Returns:
        The zone.

    Raises:
        InvalidInputError: If a required property is missing or a value is invalid.
    """
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise InvalidInputError(f"expected a GeoJSON Feature, got {shown(feature)}")
    properties = {**defaults, **(feature.get("properties") or {})}
    missing = [name for name in _REQUIRED if name not in properties]
    if missing:
        raise InvalidInputError(f"a zone feature needs the properties {', '.join(missing)}")
    unknown = set(properties) - set(_REQUIRED) - set(_OPTIONAL)
    fields = {name: properties[name] for name in (*_REQUIRED, *_OPTIONAL) if name in properties}
    try:
        geometry = shapely.geometry.shape(feature["geometry"])
    except Exception as exc:  # shapely raises several unrelated types
        raise InvalidInputError(
            f"zone {properties['key']!r}: not a GeoJSON geometry ({exc})"
        ) from None
    del unknown  # other properties (styling, notes) are allowed and ignored
    return Zone(geometry=geometry, **fields)


def zones_from_geojson(data: str | bytes | Mapping[str, Any]) -> list[Zone]:
    """
    Zones from a GeoJSON FeatureCollection (or one Feature) with the zone metadata.

    Args:
        data: GeoJSON text or the parsed mapping. Each feature's properties
            carry the metadata (see :func:`zone_from_feature`).

    Returns:
        The zones, in order.

    Raises:
        InvalidInputError: If the data is not GeoJSON of zones.
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidInputError(f"not JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"expected a GeoJSON object, got {shown(data)}")
    if data.get("type") == "Feature":
        return [zone_from_feature(data)]
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise InvalidInputError("expected a GeoJSON FeatureCollection of zones")
    return [zone_from_feature(f) for f in data["features"]]


# -- the shipped catalogue -------------------------------------------------------------


class ZoneCatalogue:
    """
    A set of zones, searchable by key, name, time and position.

    Args:
        zones: The zones; keys must be distinct.
    """

    def __init__(self, zones: Iterable[Zone]) -> None:
        self._zones: dict[str, Zone] = {}
        for zone in zones:
            if zone.key in self._zones:
                raise InvalidInputError(f"two zones have the key {zone.key!r}")
            self._zones[zone.key] = zone
        for zone in self._zones.values():
            others = [self._zones[k].area() for k in zone.excludes if k in self._zones]
            if others and not zone._area:
                shape = shapely.difference(zone.area(), shapely.union_all(others))
                shapely.prepare(shape)
                zone._area[:] = [shape]
        self._parts_of: dict[str, list[tuple[Geometry, tuple[float, float, float, float]]]] = {}

    def __iter__(self) -> Iterator[Zone]:
        return iter(self._zones.values())

    def __len__(self) -> int:
        return len(self._zones)

    def __getitem__(self, key: str) -> Zone:
        try:
            return self._zones[key]
        except KeyError:
            raise InvalidInputError(f"no zone {key!r} in the catalogue") from None

    def keys(self) -> list[str]:
        """
        The zones' keys, in order.
        """
        return list(self._zones)

    def named(self, name: str, at: datetime | None = None) -> list[Zone]:
        """
        The zones a name (or alias) stands for, in force at *at* if given.

        Args:
            name: e.g. ``"KADIZ"`` or ``"Alaska ADIZ"`` (case and spaces ignored).
            at: An instant, to choose the version in force then.

        Returns:
            The matching zones.
        """
        wanted = " ".join(name.casefold().split())
        found = [
            z
            for z in self
            if wanted in {" ".join(n.casefold().split()) for n in (z.name, z.key, *z.aliases)}
        ]
        return [z for z in found if at is None or z.in_force(at)]

    def in_force(self, at: datetime) -> list[Zone]:
        """
        The zones in force at an instant.
        """
        return [z for z in self if z.in_force(at)]

    def classify(self, lon: Any, lat: Any, at: datetime | None = None) -> dict[str, np.ndarray]:
        """
        Which zones cover each point: one boolean array per zone key.

        Points are matched against the bounding box of each part of each
        zone first (a vectorized comparison), then tested exactly with the
        part's prepared shape.

        Args:
            lon: Longitudes, degrees.
            lat: Latitudes, degrees.
            at: Only zones in force at this instant, if given.

        Returns:
            Zone key to an array of bools, one per point (areas only).
        """
        lon = np.atleast_1d(normalize_lon(np.asarray(lon, dtype=float)))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        result = {}
        for zone in self:
            if zone.is_line or (at is not None and not zone.in_force(at)):
                continue
            inside = np.zeros(len(lon), dtype=bool)
            for part, (x0, y0, x1, y1) in self._parts(zone):
                # Each part's bounding box first: most points fall outside it.
                near = np.nonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))[0]
                if len(near):
                    inside[near] |= shapely.intersects_xy(part, lon[near], lat[near])
            edge = np.nonzero(np.abs(lon) == 180.0)[0]
            if len(edge):
                inside[edge] |= np.asarray(zone.covers(lon[edge], lat[edge]), dtype=bool)
            result[zone.key] = inside
        return result

    def _parts(self, zone: Zone) -> list[tuple[Geometry, tuple[float, float, float, float]]]:
        found = self._parts_of.get(zone.key)
        if found is None:
            found = []
            for part in shapely.get_parts(zone.area()):
                shapely.prepare(part)
                found.append((part, tuple(part.bounds)))
            self._parts_of[zone.key] = found
        return found

    def containing(self, lon: float, lat: float, at: datetime | None = None) -> list[Zone]:
        """
        The zones that cover a point, in force at *at* if given.
        """
        found = self.classify([lon], [lat], at)
        return [self[key] for key, inside in found.items() if inside[0]]

    def within_nm(
        self, lon: float, lat: float, nm: float, at: datetime | None = None
    ) -> list[Zone]:
        """
        The zones within *nm* nautical miles of a point (0 inside), nearest first.
        """
        near = [(z.distance_nm(lon, lat), z.key) for z in self if at is None or z.in_force(at)]
        return [self[key] for d, key in sorted(near) if d <= nm]


_TERRITORIAL = {
    "us-alaska-territorial": (
        "US territorial airspace: Alaska and the Aleutians (approximate)",
        ("US territorial airspace",),
    ),
    "ru-far-east-territorial": (
        "Russian territorial airspace: the Far East (approximate)",
        ("Russian territorial airspace",),
    ),
    "jp-territorial": (
        "Japanese territorial airspace (approximate)",
        ("Japanese territorial airspace",),
    ),
    "kr-territorial": (
        "South Korean territorial airspace (approximate)",
        ("South Korean territorial airspace", "Korean territorial airspace"),
    ),
    "kr-dokdo-territorial": (
        "South Korean territorial airspace round Dokdo (approximate; Japan claims the islets as Takeshima)",
        ("Dokdo territorial airspace", "Takeshima territorial airspace"),
    ),
    "tw-territorial": (
        "Taiwan's territorial airspace (approximate)",
        ("Taiwanese territorial airspace",),
    ),
    "cn-east-territorial": (
        "Chinese territorial airspace: the east coast (approximate)",
        ("Chinese territorial airspace",),
    ),
}

_TERRITORIAL_ACCURACY = (
    "Approximate: 12 NM from the Natural Earth 1:10m coastline (public domain), buffered in a "
    "local metric projection and simplified to 250 m. It is not drawn from the legal "
    "baselines: where a state draws straight baselines across bays and island fringes (China, "
    "Japan, South Korea and Russia do in places), the legal limit lies further out, by up to "
    "about 20 NM; along plain coasts the error is about 1 NM (the coastline's "
    "generalisation). Small islets missing from the coastline are missing here, except "
    "Dokdo/Takeshima, a zone of its own. Never the legal line."
)


_DOKDO_ACCURACY = (
    "Approximate: 12 NM round a point at the centre of the islets (37.2417N 131.8667E, public "
    "gazetteers), buffered in a local metric projection. The islets span about 0.1 NM and "
    "South Korea draws no straight baselines there, so the legal limit (12 NM from the "
    "low-water line) lies within about 0.5 NM of this line. The sovereignty is disputed: "
    "Japan claims the islets as Takeshima. Never the legal line."
)


def _territorial(feature: Mapping[str, Any], source: Mapping[str, Any]) -> Zone:
    key = feature["properties"]["key"]
    dokdo = key == "kr-dokdo-territorial"
    name, aliases = _TERRITORIAL[key]
    nation = feature["properties"]["nation"]
    return Zone(
        key=f"{nation.lower()}/{key}",
        name=name,
        kind=ZoneKind.TERRITORIAL_AIRSPACE,
        authority=f"approximation of the territorial sea's airspace of {nation} (not a declaration)",
        nation=nation,
        legal_source=(
            "UNCLOS articles 2-4 (the territorial sea, up to 12 NM from the baselines, and the "
            "airspace above it) and the state's own law of its baselines"
        ),
        edge_rule=EdgeRule.AS_DRAWN,
        accuracy=_DOKDO_ACCURACY if dokdo else _TERRITORIAL_ACCURACY,
        accuracy_nm=0.5 if dokdo else 20.0,
        approximate=True,
        geometry=shapely.geometry.shape(feature["geometry"]),
        provenance=f"{source['data']}, {source['via']}; {source['method']}. {feature['properties']['coast']}.",
        aliases=aliases,
    )


def _read(name: str) -> Any:
    resource = importlib.resources.files("incidents") / "data" / "zones" / name
    return json.loads(resource.read_bytes())


@functools.cache
def zone_catalogue() -> ZoneCatalogue:
    """
    The shipped zone catalogue: ADIZs with their versions in time, and approximate territorial airspace.

    Read once from ``incidents/data/zones/`` (see the README there for each
    entry's provenance).

    Returns:
        The catalogue.
    """
    declared = zones_from_geojson(_read("adiz.geojson"))
    territorial_data = _read("territorial-airspace.geojson")
    territorial = [
        _territorial(f, territorial_data["source"]) for f in territorial_data["features"]
    ]
    return ZoneCatalogue([*declared, *territorial])
