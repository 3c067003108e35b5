"""
``incidents state``, ``history``, ``diff``, ``search`` and ``snapshots``: time travel.

Times are ISO-8601 with an offset (``2024-07-25T18:00:00+00:00``, ``...Z``);
a time without one is refused rather than guessed.
"""

from __future__ import annotations

import argparse
from typing import Any

from incidents._cli.common import parse_incident, parse_time
from incidents._cli.output import displayed, emit, printable
from incidents._domain.state import Reading
from incidents._domain.words import render_incident, stamp
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger

__all__ = [
    "register",
    "run_snapshots",
    "run_diff",
    "run_history",
    "run_search",
    "run_state",
]

_TIME_HELP = "ISO-8601 with offset, e.g. 2024-07-25T18:00:00+00:00"
_PUBLISHED_HELP = (
    "only what the sources had published by then: a source's published_at, or for a "
    f"source without one the event's recording time ({_TIME_HELP})"
)


def _reading(text: str) -> Reading:
    try:
        return Reading(text)
    except ValueError:
        raise InvalidInputError(
            f"--reading must be 'possibly' or 'certainly', got {text!r}"
        ) from None


def register(sub: Any) -> None:
    """
    Add the subcommands of this module.

    Args:
        sub: The parser's subparsers.
    """
    state = sub.add_parser(
        "state",
        help="show an incident at a valid time, as known at a recording time",
        description="Show an incident as it stood at valid time --valid-at (default: every "
        "fact), built only from what had been recorded by --known-at (default: now) and, "
        "with --published-by, only from what its sources had published by then.",
    )
    state.add_argument("incident", help="incident id (or a unique prefix)")
    state.add_argument("--valid-at", metavar="T", help=f"valid time ({_TIME_HELP})")
    state.add_argument("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
    state.add_argument("--published-by", metavar="P", help=_PUBLISHED_HELP)
    state.add_argument(
        "--reading",
        default="possibly",
        metavar="possibly|certainly",
        help="facts of imprecise time count at --valid-at if they possibly (default) or "
        "certainly had happened by then",
    )
    state.set_defaults(run=run_state)

    history = sub.add_parser(
        "history",
        help="print an incident's audit trail",
        description="Every recorded event of an incident in recording order: who recorded "
        "what, when, from which source; corrections and retractions with what they target "
        "and change.",
    )
    history.add_argument("incident", help="incident id (or a unique prefix)")
    history.add_argument(
        "--published-by", metavar="P", help=f"only the entries of {_PUBLISHED_HELP}"
    )
    history.set_defaults(run=run_history)

    diff = sub.add_parser(
        "diff",
        help="what the record of an incident says differently between two recording times",
        description="Facts added, corrected, retracted or restored between what was known at "
        "recording time A and at recording time B (default: now). With --published-by-a "
        "and --published-by-b, each side keeps only what its sources had published by then "
        "(A may then be left out: now).",
    )
    diff.add_argument("incident", help="incident id (or a unique prefix)")
    diff.add_argument("a", metavar="A", nargs="?", help=f"earlier recording time ({_TIME_HELP})")
    diff.add_argument("b", metavar="B", nargs="?", help="later recording time (default: now)")
    diff.add_argument("--published-by-a", metavar="P", help="earlier publication time")
    diff.add_argument("--published-by-b", metavar="P", help="later publication time")
    diff.set_defaults(run=run_diff)

    search = sub.add_parser(
        "search",
        help="list the incidents with facts in a valid-time window",
        description="List the incidents (as known at --known-at) with an aircraft, patrol, "
        "intercept or statement whose valid time possibly (default) or certainly falls "
        "between --from and --to (both included; either may be left open).",
    )
    search.add_argument("--from", dest="start", metavar="T", help=f"window start ({_TIME_HELP})")
    search.add_argument("--to", dest="end", metavar="T", help=f"window end ({_TIME_HELP})")
    search.add_argument("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
    search.add_argument("--published-by", metavar="P", help=_PUBLISHED_HELP)
    search.add_argument(
        "--reading", default="possibly", metavar="possibly|certainly", help="see 'state'"
    )
    search.set_defaults(run=run_search)

    snapshots = sub.add_parser(
        "snapshots",
        help="rebuild or drop the snapshots kept to read large incidents fast",
        description="Snapshots are derived data, written as incidents are read and never "
        "trusted over the events: dropping them loses nothing.",
    )
    snapshots.add_argument("action", choices=("rebuild", "drop"))
    snapshots.add_argument("incident", nargs="?", help="incident id (default: every incident)")
    snapshots.set_defaults(run=run_snapshots)


def run_state(args: argparse.Namespace) -> int:
    """
    Print an incident at a valid time, as known at a recording time.
    """
    valid_at = parse_time(args.valid_at, "--valid-at")
    known_at = parse_time(args.known_at, "--known-at")
    published_by = parse_time(args.published_by, "--published-by")
    reading = _reading(args.reading)
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        state = ledger.incident(
            incident_id, valid_at, known_at, reading=reading, published_by=published_by
        )
        known = "now" if known_at is None else f"at {stamp(known_at)}"
        counted = f"{state.last_position} events recorded"
        if published_by is not None:
            known += f", as published by {stamp(published_by)}"
            counted = f"events up to #{state.last_position}"
        valid = (
            "every fact"
            if valid_at is None
            else f"facts {reading.value} in effect at {stamp(valid_at)}"
        )
        emit(f"As known {known} ({counted}, the last at {stamp(state.last_recorded_at)}); {valid}")
        emit()
        emit(render_incident(displayed(state)))
    return 0


def run_history(args: argparse.Namespace) -> int:
    """
    Print an incident's audit trail.
    """
    published_by = parse_time(args.published_by, "--published-by")
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        emit(displayed(ledger.history(incident_id, published_by=published_by)).render())
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """
    Print what changed in an incident's record between two recording times.
    """
    a = parse_time(args.a, "A")
    b = parse_time(args.b, "B")
    published_a = parse_time(args.published_by_a, "--published-by-a")
    published_b = parse_time(args.published_by_b, "--published-by-b")
    if a is None and published_a is None:
        raise InvalidInputError("give the earlier recording time A, or --published-by-a")
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        diff = ledger.diff(
            incident_id, a, b, published_by_a=published_a, published_by_b=published_b
        )
        emit(displayed(diff).render())
    return 0


def run_search(args: argparse.Namespace) -> int:
    """
    Print the incidents with facts in a valid-time window.
    """
    start = parse_time(args.start, "--from")
    end = parse_time(args.end, "--to")
    known_at = parse_time(args.known_at, "--known-at")
    published_by = parse_time(args.published_by, "--published-by")
    reading = _reading(args.reading)
    window = None if start is None and end is None else (start, end)
    with Ledger.open(args.ledger) as ledger:
        found = ledger.incidents(window, known_at, reading=reading, published_by=published_by)
        counted = "{} events" if published_by is None else "events up to #{}"
        for incident in found:
            shown = counted.format(incident.last_position)
            emit(f"{incident.id}  {printable(incident.title)}  ({shown})")
        if not found:
            emit("no incident matches")
    return 0


def run_snapshots(args: argparse.Namespace) -> int:
    """
    Rebuild or drop snapshots.
    """
    with Ledger.open(args.ledger) as ledger:
        incident_id = None if args.incident is None else parse_incident(ledger, args.incident)
        if args.action == "drop":
            emit(f"dropped {ledger.drop_snapshots(incident_id)} snapshots")
        else:
            emit(f"snapshotted {ledger.rebuild_snapshots(incident_id)} incidents")
    return 0
