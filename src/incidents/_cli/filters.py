"""
The search filters ``list`` and ``search`` share, over :meth:`~incidents.Ledger.incidents`.

``--nation``, ``--aircraft``, ``--area``, ``--series``, ``--source`` and
``--linked-to`` are repeatable (any of the values given matches); each filter
given must match. ``--box W,S,E,N`` keeps the incidents with a position or a
shape in the box. ``--zone KEY`` and ``--near LAT,LON --within NM`` keep
those whose places (tracks, positions, reported outlines) touch a zone (one the
ledger records, else one of the shipped catalogue), or come within a distance of a point
(:func:`~incidents.find_incidents`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs
import click

from incidents._cli.common import parse_incident
from incidents._domain.state import Incident
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger

__all__ = ["Filters", "filter_options"]

F = TypeVar("F", bound=Callable[..., Any])


def filter_options(command: F) -> F:
    """
    Add the search filters to a command: it receives them as one ``filters`` argument.

    Args:
        command: The click command's function.

    Returns:
        The function with the options added.
    """
    options = [
        click.option(
            "--nation",
            multiple=True,
            metavar="CC",
            help="a nation involved, ISO 3166-1 alpha-2 (repeatable: any of them)",
        ),
        click.option(
            "--aircraft",
            multiple=True,
            metavar="TYPE",
            help="an aircraft type or family (H-6 matches H-6K; repeatable)",
        ),
        click.option(
            "--area",
            multiple=True,
            metavar="NAME",
            help="an area's name: patrolled area, location, zone, airfield, region (repeatable)",
        ),
        click.option(
            "--box",
            metavar="W,S,E,N",
            help="a position or shape within this box, in degrees (W > E crosses 180°)",
        ),
        click.option("--series", multiple=True, metavar="NAME", help="a series (repeatable)"),
        click.option(
            "--source",
            multiple=True,
            metavar="ID|PUBLISHER",
            help="a source cited: its id, its publisher or the acronym in brackets (repeatable)",
        ),
        click.option(
            "--linked-to",
            multiple=True,
            metavar="INCIDENT",
            help="an incident it links to: an id or a unique prefix (repeatable)",
        ),
        click.option(
            "--zone",
            metavar="KEY",
            help="its places touch this zone: recorded in the ledger, else of the shipped catalogue "
            "(see `incidents zones list`)",
        ),
        click.option("--near", metavar="LAT,LON", help="its places come within --within of here"),
        click.option("--within", metavar="NM", type=float, help="with --near: nautical miles"),
    ]
    for option in reversed(options):
        command = option(command)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["filters"] = Filters(
            nation=kwargs.pop("nation"),
            aircraft=kwargs.pop("aircraft"),
            area=kwargs.pop("area"),
            box=_box(kwargs.pop("box")),
            series=kwargs.pop("series"),
            source=kwargs.pop("source"),
            linked_to=kwargs.pop("linked_to"),
            zone=kwargs.pop("zone"),
            near=_point(kwargs.pop("near")),
            within=kwargs.pop("within"),
        )
        return command(*args, **kwargs)

    return functools.update_wrapper(wrapper, command)  # type: ignore[return-value]


def _numbers(text: str, count: int, what: str, example: str) -> list[float]:
    parts = text.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise InvalidInputError(f"{what} takes {example} in degrees, got {text!r}")
    return numbers


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    west, south, east, north = _numbers(text, 4, "--box", "W,S,E,N")
    return (west, south, east, north)


def _point(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    lat, lon = _numbers(text, 2, "--near", "LAT,LON")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInputError(f"--near {text!r}: latitude -90 to 90, longitude -180 to 180")
    return (lon, lat)


@attrs.frozen
class Filters:
    """
    The filters given on the command line.

    Attributes:
        nation: Nations involved.
        aircraft: Types or families.
        area: Area names.
        box: ``(west, south, east, north)``.
        series: Series names.
        source: Source ids or publishers.
        linked_to: Incidents linked to (ids or prefixes).
        zone: A zone key of the shipped catalogue.
        near: ``(lon, lat)``.
        within: Nautical miles from *near*.
    """

    nation: tuple[str, ...] = ()
    aircraft: tuple[str, ...] = ()
    area: tuple[str, ...] = ()
    box: tuple[float, float, float, float] | None = None
    series: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    linked_to: tuple[str, ...] = ()
    zone: str | None = None
    near: tuple[float, float] | None = None
    within: float | None = None

    def __bool__(self) -> bool:
        return self != Filters()

    def check(self) -> None:
        """
        Refuse what cannot go together, before the ledger is opened.

        Raises:
            InvalidInputError: If --near and --within are not given together.
        """
        if (self.near is None) != (self.within is None):
            raise InvalidInputError("give --near and --within together")
        if self.within is not None and not (math.isfinite(self.within) and self.within >= 0):
            raise InvalidInputError(
                f"--within must be a distance of 0 NM or more, got {self.within}"
            )

    def arguments(self, ledger: Ledger) -> dict[str, Any]:
        """
        The keyword arguments of :meth:`~incidents.Ledger.incidents` for these filters.

        Args:
            ledger: The open ledger (to resolve incident prefixes).

        Returns:
            The filters given, by the API's names.
        """
        found: dict[str, Any] = {}
        for name in ("nation", "aircraft", "area", "series"):
            values = getattr(self, name)
            if values:
                found[name] = list(values)
        if self.box is not None:
            found["box"] = self.box
        if self.source:
            found["source"] = [_source(s) for s in self.source]
        if self.linked_to:
            found["linked_to"] = [parse_incident(ledger, i) for i in self.linked_to]
        return found

    def places(
        self, ledger: Ledger, incidents: list[Incident], known_at: datetime | None = None
    ) -> list[Incident]:
        """
        Keep the incidents whose places match --zone and --near/--within, if given.

        Args:
            ledger: The open ledger: --zone is a zone it records (as known at
                *known_at*), or of the shipped catalogue if it records none.
            incidents: The incidents the other filters kept.
            known_at: The recording time the zones are read as known at.

        Returns:
            Those kept, nearest first with --near.
        """
        if self.zone is None and self.near is None:
            return incidents
        from incidents._cli.zone_sets import zones_for
        from incidents._domain.crossings import find_incidents

        zone = None if self.zone is None else zones_for(ledger, known_at)[0][self.zone]
        return find_incidents(incidents, zone=zone, near=self.near, within_nm=self.within)


def _source(text: str) -> UUID | str:
    try:
        return UUID(text)
    except ValueError:
        return text
