"""
``incidents map``: a map of an incident, as PNG or SVG for reports, or interactive HTML.
"""

from __future__ import annotations

import click

from incidents._cli.common import TIME_HELP, App, open_existing, parse_incident, parse_time
from incidents._cli.output import emit, printable
from incidents._cli.zone_sets import zone_streams
from incidents._errors import InvalidInputError

__all__ = ["register"]


def register(group: click.Group) -> None:
    """
    Add the commands of this module.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(map_command)


@click.command(
    "map",
    short_help="draw a map of an incident (PNG, SVG or interactive HTML)",
    help="Draw INCIDENT (as known at --known-at) to FILE, PNG, SVG or HTML by its suffix: the "
    "coastline, the zones in force at the incident's time (approximate ones dashed and "
    "labelled with their error, never as the legal line), territorial airspace, tracks the "
    "short way across 180°, reported positions with their precision, and zone entries and "
    "exits with their times. The zones are those recorded in the ledger, once any is, else "
    "the shipped catalogue. PNG and SVG need the 'maps' extra: pip install 'incidents[maps]'.",
)
@click.argument("incident")
@click.option(
    "-o", "--output", "out", required=True, metavar="FILE", help="FILE.png, FILE.svg or FILE.html"
)
@click.option("--at", "at", metavar="T", help=f"the zones in force then ({TIME_HELP})")
@click.option("--known-at", metavar="R", help=f"only what was recorded by then ({TIME_HELP})")
@click.option("--catalogue", "shipped", is_flag=True, help="use the shipped zone catalogue")
@click.option("--title", help="the map's title (default: the incident's title and date)")
@click.option("--dpi", type=int, default=150, show_default=True, help="dots per inch (PNG)")
@click.option("--width", "width_in", type=float, default=9.0, show_default=True, help="inches")
@click.pass_obj
def map_command(
    app: App,
    incident: str,
    out: str,
    at: str | None,
    known_at: str | None,
    shipped: bool,
    title: str | None,
    dpi: int,
    width_in: float,
) -> int:
    """Draw a map of an incident."""
    from incidents._maps import incident_map

    known = parse_time(known_at, "--known-at")
    when = parse_time(at, "--at")
    if not 10 <= dpi <= 1200:
        raise InvalidInputError(f"--dpi must be from 10 to 1200, got {dpi}")
    if not 1.0 <= width_in <= 100.0:
        raise InvalidInputError(f"--width must be from 1 to 100 inches, got {width_in:g}")
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = ledger.incident(incident_id, known_at=known)
        recorded = not shipped and bool(zone_streams(ledger))
        drawn = incident_map(
            found,
            out,
            ledger=ledger if recorded else None,
            known_at=known if recorded else None,
            at=when,
            title=title,
            width_in=width_in,
            dpi=dpi,
        )
    said = "the zones recorded in the ledger" if recorded else "the shipped zone catalogue"
    emit(
        f"wrote {printable(out)}: {drawn.width_nm:.0f} x {drawn.height_nm:.0f} NM, "
        f"{len(drawn.zones)} zone{'s' * (len(drawn.zones) != 1)} from {said}, "
        f"{len(drawn.crossings)} crossing{'s' * (len(drawn.crossings) != 1)}"
    )
    for zone in drawn.approximate:
        emit(f"  {printable(zone)}: approximate, not the legal line")
    return 0
