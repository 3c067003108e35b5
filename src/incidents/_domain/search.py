"""
What an incident can be found by: nations, aircraft, areas, series, sources, links.

Pure functions over folded facts. :func:`fact_terms` gives the search terms
of one folded fact (an :class:`~incidents.Aircraft`, a
:class:`~incidents.Patrol`, a :class:`~incidents.Source`...), and
:class:`Search` says whether a set of terms, or a whole incident, matches
what was asked. The ledger's listing (:meth:`incidents.Ledger.incidents`)
keeps the terms of every version of every fact ever recorded per incident,
so that it folds only the incidents that may match.

The rules, decided once:

* **Nations** an incident involves: the operators of its aircraft, a
  patrol's nations, the interceptors', a zone entry's, a violation's three
  (who alleges, whose airspace, whose aircraft), who fired warning shots and
  at whom, who protested to whom, a landing's (whose aircraft, whose
  airfield). Statements and claims do not count: "Russia denies" is not
  Russia taking part.
* **Aircraft**: the designations of reported aircraft, interceptors and the
  types that fired warning shots. A name asked for matches a designation
  naming the same type in the catalogue (``"Tu-95MS"`` matches the Russian spelling);
  a family's own name matches every type of the family (``"H-6"`` matches
  ``"H-6K"``), a variant's name only that variant. A name the catalogue does
  not know matches the same name (case, spaces and hyphens ignored).
* **Areas by name**: a patrol's areas, the names of recorded locations, zone
  names, where a violation was alleged (``over``), airfields, and the
  incident's region split at ``/``; compared without case, spaces or
  punctuation.
* **Areas by box**: ``(west, south, east, north)`` in degrees; a box whose
  west edge is east of its east edge crosses the antimeridian (``(170, 50,
  -170, 60)`` is the 20 degrees around 180). A recorded location matches when
  its position lies in the box or its geometry meets it.
* **Series**: by name (compared as area names are).
* **Sources**: a source's id, or its publisher's name or the acronym it
  ends with (``"NORAD"`` for ``"North American Aerospace Defense Command
  (NORAD)"``), compared as area names are.
* **Links**: the incidents an incident links to (same event or related).

Within one filter, any of the values given matches; every filter given must
match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from incidents._domain.catalogue import AircraftCatalogue, default_catalogue
from incidents._domain.catalogue import name_key as designation_key
from incidents._domain.claims import name_key
from incidents._domain.events import IncidentOpened
from incidents._domain.geo import Location, check_lon_lat
from incidents._domain.limits import shown
from incidents._domain.nations import ASSIGNED_NATIONS, nation_error
from incidents._domain.state import (
    Aircraft,
    AirspaceViolation,
    Incident,
    IncidentLink,
    Intercept,
    Landing,
    Patrol,
    Protest,
    SeriesMembership,
    Source,
    WarningShots,
    ZoneEntry,
)
from incidents._errors import InvalidInputError
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import shapely
    from shapely.geometry.base import BaseGeometry
else:
    # shapely is imported when a box is first searched (tests/test_import_time.py).
    shapely = LazyModule("shapely", globals(), "shapely")

__all__ = [
    "Box",
    "Search",
    "SeriesEntry",
    "Term",
    "fact_terms",
    "incident_terms",
    "series_entries",
]

Term = tuple[str, Any]
"""One search term: ``("nation", "CN")``, ``("type", "H-6K")``, ``("area", "beringsea")``..."""

Box = tuple[float, float, float, float]
"""``(west, south, east, north)`` in degrees."""

_ACRONYM = re.compile(r"\(([^()]{1,20})\)\s*$")


def _location_terms(location: Location | None) -> Iterator[Term]:
    if location is None:
        return
    if location.name:
        yield ("area", name_key(location.name))
    if location.position is not None:
        p = location.position
        yield ("box", (p.lon, p.lat, p.lon, p.lat))
    if location.geometry is not None:
        yield ("box", tuple(location.geometry.bounds))
        yield ("geometry", location)
    elif location.position is not None:
        yield ("geometry", location)


def fact_terms(fact: object) -> Iterator[Term]:
    """
    The search terms of one folded fact.

    Args:
        fact: A state object of a folded incident (aircraft, a patrol, a
            source, a zone entry...), or the incident's opening event.

    Yields:
        Terms: ``("nation", code)``, ``("type", designation)``,
        ``("area", key)``, ``("box", bounds)``, ``("geometry", location)``,
        ``("series", key)``, ``("source", id)``, ``("publisher", key)``,
        ``("linked", incident id)``.
    """
    if isinstance(fact, Aircraft):
        yield ("nation", fact.nation)
        yield ("type", fact.type_designation)
        yield from _location_terms(fact.location)
    elif isinstance(fact, Patrol):
        for nation in fact.nations:
            yield ("nation", nation)
        for area in fact.areas:
            yield ("area", name_key(area))
        yield from _location_terms(fact.location)
    elif isinstance(fact, Intercept):
        for interceptor in fact.interceptors:
            yield ("nation", interceptor.nation)
            if interceptor.type_designation:
                yield ("type", interceptor.type_designation)
        yield from _location_terms(fact.location)
    elif isinstance(fact, ZoneEntry):
        yield ("nation", fact.nation)
        yield ("area", name_key(fact.zone))
        yield from _location_terms(fact.location)
    elif isinstance(fact, AirspaceViolation):
        for nation in (fact.alleged_by, fact.airspace, fact.nation):
            yield ("nation", nation)
        if fact.over:
            yield ("area", name_key(fact.over))
        yield from _location_terms(fact.location)
    elif isinstance(fact, WarningShots):
        yield ("nation", fact.by)
        if fact.at:
            yield ("nation", fact.at)
        for designation in fact.shooter_types:
            yield ("type", designation)
        yield from _location_terms(fact.location)
    elif isinstance(fact, Landing):
        yield ("nation", fact.nation)
        yield ("nation", fact.airfield_nation)
        yield ("area", name_key(fact.airfield))
        yield from _location_terms(fact.location)
    elif isinstance(fact, SeriesMembership):
        yield ("series", name_key(fact.series))
    elif isinstance(fact, IncidentLink):
        yield ("linked", fact.other_incident)
    elif isinstance(fact, Source):
        yield ("source", fact.id)
        yield ("publisher", name_key(fact.publisher))
        acronym = _ACRONYM.search(fact.publisher)
        if acronym:
            yield ("publisher", name_key(acronym.group(1)))
    elif isinstance(fact, Protest):
        yield ("nation", fact.by)
        yield ("nation", fact.to)
    elif isinstance(fact, IncidentOpened):
        yield from _region_terms(fact.region)


def _region_terms(region: str | None) -> Iterator[Term]:
    for part in (region or "").split("/"):
        if part.strip():
            yield ("area", name_key(part))


def incident_terms(incident: Incident) -> set[Term]:
    """
    Every search term of an incident as folded.

    Args:
        incident: The incident.

    Returns:
        The terms of its region, sources and facts.
    """
    found: set[Term] = set(_region_terms(incident.region))
    for facts in (
        incident.sources,
        *incident.dated_facts(),
        incident.series,
        incident.links,
    ):
        for fact in facts:
            found.update(fact_terms(fact))
    return found


def _values(value: Any, what: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str | UUID):
        return (value,)
    try:
        values = tuple(value)
    except TypeError:
        raise InvalidInputError(
            f"{what} must be a value or a list of values, got {shown(value)}"
        ) from None
    if not values:
        raise InvalidInputError(f"{what} is empty: give at least one value, or None")
    return values


def _texts(value: Any, what: str) -> tuple[str, ...]:
    values = _values(value, what)
    for item in values:
        if not isinstance(item, str) or not item.strip():
            raise InvalidInputError(f"{what} must be non-empty text, got {shown(item)}")
    return values


def _box(value: Any) -> Box | None:
    if value is None:
        return None
    try:
        west, south, east, north = value
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"box must be (west, south, east, north) in degrees, got {shown(value)}"
        ) from None
    check_lon_lat(west, south)
    check_lon_lat(east, north)
    if north < south:
        raise InvalidInputError(f"box's north edge ({north}) is south of its south edge ({south})")
    return (float(west), float(south), float(east), float(north))


def _box_shapes(box: Box) -> BaseGeometry:
    west, south, east, north = box
    if west <= east:
        return shapely.box(west, south, east, north)
    # Across the antimeridian: the part east of the west edge, and the part west of the east edge.
    return shapely.MultiPolygon(
        [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]
    )


def _lon_ranges(box: Box) -> list[tuple[float, float]]:
    west, _, east, _ = box
    return [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]


@attrs.frozen(kw_only=True)
class Search:
    """
    What a listing asks for: each filter given must match; within one, any value.

    Build one with :meth:`of`. See the module documentation for the rules.

    Attributes:
        nations: Nations (ISO 3166-1 alpha-2), any of.
        aircraft: Type designations or family names, any of.
        areas: Area names, any of.
        box: A lon/lat box ``(west, south, east, north)``.
        series: Series names, any of.
        sources: Source ids or publishers (name or acronym), any of.
        linked_to: Incident ids the incident links to, any of.
        catalogue: Where types and families are looked up.
    """

    nations: tuple[str, ...] = ()
    aircraft: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    box: Box | None = None
    series: tuple[str, ...] = ()
    sources: tuple[UUID | str, ...] = ()
    linked_to: tuple[UUID, ...] = ()
    catalogue: AircraftCatalogue = attrs.field(factory=default_catalogue, eq=False)

    @classmethod
    def of(
        cls,
        *,
        nation: str | Iterable[str] | None = None,
        aircraft: str | Iterable[str] | None = None,
        area: str | Iterable[str] | None = None,
        box: Box | None = None,
        series: str | Iterable[str] | None = None,
        source: UUID | str | Iterable[UUID | str] | None = None,
        linked_to: UUID | Iterable[UUID] | None = None,
        catalogue: AircraftCatalogue | None = None,
    ) -> Search | None:
        """
        A search from the arguments of :meth:`incidents.Ledger.incidents`, checked.

        Returns:
            The search, or ``None`` when nothing is asked for.

        Raises:
            InvalidInputError: For a nation that is not an assigned code, an
                empty name, a box out of range, or an id that is not a UUID.
        """
        nations = _texts(nation, "nation")
        for code in nations:
            if code not in ASSIGNED_NATIONS:
                raise InvalidInputError(nation_error("nation", code))
        sources = _values(source, "source")
        for item in sources:
            if not isinstance(item, UUID) and (not isinstance(item, str) or not item.strip()):
                raise InvalidInputError(
                    f"source must be a source id or a publisher, got {shown(item)}"
                )
        linked = _values(linked_to, "linked_to")
        for item in linked:
            if not isinstance(item, UUID):
                raise InvalidInputError(f"linked_to must be incident ids, got {shown(item)}")
        if catalogue is not None and not isinstance(catalogue, AircraftCatalogue):
            raise InvalidInputError(
                f"catalogue must be an AircraftCatalogue, got {shown(catalogue)}"
            )
        found = cls(
            nations=nations,
            aircraft=_texts(aircraft, "aircraft"),
            areas=tuple(name_key(a) for a in _texts(area, "area")),
            box=_box(box),
            series=tuple(name_key(s) for s in _texts(series, "series")),
            sources=tuple(s if isinstance(s, UUID) else name_key(s) for s in sources),
            linked_to=linked,
            catalogue=default_catalogue() if catalogue is None else catalogue,
        )
        return found if found.asks() else None

    def asks(self) -> bool:
        """
        Whether any filter is given.
        """
        return bool(
            self.nations
            or self.aircraft
            or self.areas
            or self.box is not None
            or self.series
            or self.sources
            or self.linked_to
        )

    def names_aircraft(self, designation: str) -> bool:
        """
        Whether a designation is one of the aircraft asked for (a type, or a type of a family).

        Args:
            designation: A designation as a source gave it.

        Returns:
            True when it matches one of :attr:`aircraft`.
        """
        catalogue = self.catalogue
        found = catalogue.lookup(designation)
        for asked in self.aircraft:
            wanted = catalogue.lookup(asked)
            if wanted is None or found is None:
                if designation_key(asked) == designation_key(designation):
                    return True
            elif wanted.designation == found.designation or (
                wanted.family == wanted.designation and found.family == wanted.designation
            ):
                return True
        return False

    def matches(self, terms: Iterable[Term], *, exact: bool) -> bool:
        """
        Whether an incident with these terms matches.

        Args:
            terms: The incident's terms (:func:`incident_terms`), or a
                superset of them (the terms of every version ever recorded).
            exact: Test recorded geometries against the box itself; without
                it, their bounding boxes (a superset, for ruling incidents out).

        Returns:
            True when every filter given matches.
        """
        by_kind: dict[str, set[Any]] = {}
        for kind, value in terms:
            by_kind.setdefault(kind, set()).add(value)
        return self.matches_kinds(by_kind, exact=exact)

    def matches_kinds(self, by_kind: Mapping[str, AbstractSet[Any]], *, exact: bool) -> bool:
        """
        :meth:`matches`, with the terms already sorted by kind.

        Args:
            by_kind: Each kind of term (``"nation"``, ``"type"``...) to its values.
            exact: As for :meth:`matches`.

        Returns:
            True when every filter given matches.
        """
        empty: frozenset[Any] = frozenset()
        if self.nations and by_kind.get("nation", empty).isdisjoint(self.nations):
            return False
        if self.aircraft and not any(self.names_aircraft(d) for d in by_kind.get("type", empty)):
            return False
        if self.areas and by_kind.get("area", empty).isdisjoint(self.areas):
            return False
        if self.series and by_kind.get("series", empty).isdisjoint(self.series):
            return False
        if self.sources and (
            by_kind.get("source", empty).isdisjoint(self.sources)
            and by_kind.get("publisher", empty).isdisjoint(self.sources)
        ):
            return False
        if self.linked_to and by_kind.get("linked", empty).isdisjoint(self.linked_to):
            return False
        if self.box is not None:
            if exact:
                return self._meets_box(by_kind.get("geometry", ()))
            return any(self._box_overlaps(b) for b in by_kind.get("box", ()))
        return True

    def _box_overlaps(self, bounds: Box) -> bool:
        assert self.box is not None
        min_lon, min_lat, max_lon, max_lat = bounds
        _, south, _, north = self.box
        if max_lat < south or min_lat > north:
            return False
        return any(min_lon <= high and max_lon >= low for low, high in _lon_ranges(self.box))

    def _meets_box(self, locations: Iterable[Location]) -> bool:
        assert self.box is not None
        shape = _box_shapes(self.box)
        for location in locations:
            if location.geometry is not None and shape.intersects(location.geometry):
                return True
            p = location.position
            if p is not None and shape.covers(shapely.Point(p.lon, p.lat)):
                return True
        return False

    def matches_incident(self, incident: Incident) -> bool:
        """
        Whether a folded incident matches.

        Args:
            incident: The incident, as known at the time asked about.

        Returns:
            True when every filter given matches its facts.
        """
        return self.matches(incident_terms(incident), exact=True)


@attrs.frozen(kw_only=True)
class SeriesEntry:
    """
    One incident of a series, with its number.

    Attributes:
        series: The series' name, as the incident's first assignment gives it.
        number: The incident's number in the series, when every source that
            numbers it agrees (``None`` when none numbers it, or they disagree).
        numbers: Every number the sources give, sorted, each once.
        incident: The incident.
    """

    series: str
    number: int | None
    numbers: tuple[int, ...]
    incident: Incident


def series_entries(series: str, incidents: Iterable[Incident]) -> list[SeriesEntry]:
    """
    The incidents of a series, in order of their numbers.

    Incidents are ordered by the lowest number a source gives them;
    incidents without a number come last; ties keep the order given (first
    recording).

    Args:
        series: The series' name (compared without case, spaces or punctuation).
        incidents: Incidents (those outside the series are left out).

    Returns:
        The series' entries, in order.
    """
    key = name_key(series)
    found = []
    for place, incident in enumerate(incidents):
        memberships = [m for m in incident.series if name_key(m.series) == key]
        if not memberships:
            continue
        numbers = tuple(sorted({m.number for m in memberships if m.number is not None}))
        entry = SeriesEntry(
            series=memberships[0].series,
            number=numbers[0] if len(numbers) == 1 else None,
            numbers=numbers,
            incident=incident,
        )
        found.append(((numbers[0] if numbers else None) is None, numbers[:1], place, entry))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]
