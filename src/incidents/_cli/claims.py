"""
``incidents contradictions``: an incident's claims compared.
"""

from __future__ import annotations

import json

import click

from incidents._cli.common import TIME_HELP, App, open_existing, parse_incident, parse_time
from incidents._cli.output import displayed, emit, json_text
from incidents._codec.canonical import converter

__all__ = ["register"]


def register(group: click.Group) -> None:
    """
    Add the commands of this module.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(contradictions)


@click.command(
    "contradictions",
    short_help="compare an incident's claims: what is disputed, what is agreed",
    help="Group the claims of INCIDENT by proposition (the airspace of a nation "
    "entered, warning shots fired, sovereignty over a territory, a free-text topic...) "
    "and show, for each, the sides and who takes them, with their sources' Admiralty "
    "grades and the analysts' assessments beside them; then the claims that contradict "
    "reference data (an aircraft type a nation does not fly). Built only from what had "
    "been recorded by --known-at (default: now).",
)
@click.argument("incident")
@click.option("--known-at", metavar="R", help=f"recording time ({TIME_HELP})")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="output format",
)
@click.option("--json", "as_json", is_flag=True, help="the same as --format json")
@click.pass_obj
def contradictions(
    app: App, incident: str, known_at: str | None, output: str, as_json: bool
) -> int:
    """Print an incident's claims compared."""
    known = parse_time(known_at, "--known-at")
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = ledger.incident(incident_id, known_at=known).contradictions()
    if as_json or output == "json":
        data = converter.unstructure(found)
        emit(json_text(json.dumps(data, indent=2, ensure_ascii=False)))
    else:
        emit(displayed(found).render())
    return 0
