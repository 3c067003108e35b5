"""
``incidents contradictions``: an incident's claims compared.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from incidents._cli.common import parse_incident, parse_time
from incidents._cli.output import displayed, emit, json_text
from incidents._codec.canonical import converter
from incidents._ledger import Ledger

__all__ = ["register", "run_contradictions"]

_TIME_HELP = "ISO-8601 with offset, e.g. 2024-07-25T18:00:00+00:00"


def register(sub: Any) -> None:
    """
    Add the subcommands of this module.

    Args:
        sub: The parser's subparsers.
    """
    contradictions = sub.add_parser(
        "contradictions",
        help="compare an incident's claims: what is disputed, what is agreed",
        description="Group an incident's claims by proposition (the airspace of a nation "
        "entered, warning shots fired, sovereignty over a territory, a free-text topic...) "
        "and show, for each, the sides and who takes them, with their sources' Admiralty "
        "grades and the analysts' assessments beside them; then the claims that contradict "
        "reference data (an aircraft type a nation does not fly). Built only from what had "
        "been recorded by --known-at (default: now).",
    )
    contradictions.add_argument("incident", help="incident id (or a unique prefix)")
    contradictions.add_argument("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
    contradictions.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )
    contradictions.set_defaults(run=run_contradictions)


def run_contradictions(args: argparse.Namespace) -> int:
    """
    Print an incident's claims compared.
    """
    known_at = parse_time(args.known_at, "--known-at")
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        found = ledger.incident(incident_id, known_at=known_at).contradictions()
        if args.format == "json":
            data = converter.unstructure(found)
            emit(json_text(json.dumps(data, indent=2, ensure_ascii=False)))
        else:
            emit(displayed(found).render())
    return 0
