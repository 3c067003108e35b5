"""
``incidents demo``, ``incidents list`` and ``incidents events``.
"""

from __future__ import annotations

import argparse
from typing import Any
from uuid import UUID

from incidents._errors import DuplicateEventError, InvalidInputError
from incidents._ledger import Ledger
from incidents._render import render_history, render_incident, short_id
from incidents._time import FixedClock

DEMO_LEDGER = "incidents-demo.db"


def parse_incident(ledger: Ledger, text: str) -> UUID:
    """
    Resolve an incident given as a full UUID or a unique prefix of its hex.

    Args:
        ledger: The open ledger.
        text: The id or prefix.

    Returns:
        The incident id.

    Raises:
        InvalidInputError: If nothing or more than one incident matches.
    """
    try:
        return UUID(text)
    except ValueError:
        pass
    prefix = text.replace("-", "").lower()
    matches = [i for i in ledger.incident_ids() if i.hex.startswith(prefix)] if prefix else []
    if len(matches) != 1:
        found = "no incident" if not matches else f"{len(matches)} incidents"
        raise InvalidInputError(f"{found} match {text!r}")
    return matches[0]


def register(sub: Any) -> None:
    """
    Add the subcommands of this module.

    Args:
        sub: The parser's subparsers.
    """
    demo = sub.add_parser(
        "demo",
        help="record the July 2024 Alaska joint patrol and show it",
        description="Record the worked example (the July 2024 joint Chinese-Russian patrol "
        "near Alaska) into an SQLite ledger as it was learned: the article's facts on "
        "publication, the correction of the spokesman's name a day later. Running it "
        "again adds nothing.",
    )
    demo.add_argument(
        "--path", default=DEMO_LEDGER, help=f"SQLite file to record into (default: {DEMO_LEDGER})"
    )
    demo.set_defaults(run=run_demo)

    listing = sub.add_parser("list", help="list the incidents in the ledger")
    listing.set_defaults(run=run_list)

    events = sub.add_parser("events", help="print an incident's recorded events")
    events.add_argument("incident", help="incident id (or a unique prefix)")
    events.set_defaults(run=run_events)


def run_demo(args: argparse.Namespace) -> int:
    """
    Record the worked example and print the state and history.
    """
    from incidents._commands.projections import terminal_width
    from incidents.examples import ALASKA_2024, ALASKA_2024_PUBLISHED_AT, alaska_2024_batches
    from incidents.projections import incident_timeline

    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(args.path, clock=clock, recorder="incidents demo") as ledger:
        added = 0
        for recorded_at, events in alaska_2024_batches():
            clock.set(recorded_at)
            try:
                added += len(ledger.record(*events))
            except DuplicateEventError:
                continue
        # Reads are answered as of now, not as of the example's last batch.
        clock.set(max(recorded_at, _now()))
        print(f"ledger: {args.path}")
        if added:
            print(f"recorded {added} events of the July 2024 Alaska joint patrol")
        else:
            print("the July 2024 Alaska joint patrol was already recorded: nothing added")
        print()
        print(incident_timeline(ledger, ALASKA_2024).table(terminal_width()))
        print()
        print(render_incident(ledger.incident(ALASKA_2024)))
        print()
        print("Recorded history (who recorded what, when, from which source):")
        print(render_history(ledger.events(ALASKA_2024)))
    return 0


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def run_list(args: argparse.Namespace) -> int:
    """
    Print one line per incident.
    """
    with Ledger.open(args.ledger) as ledger:
        for incident_id in ledger.incident_ids():
            incident = ledger.incident(incident_id)
            print(f"{incident_id}  {incident.title}  ({incident.last_position} events)")
    return 0


def run_events(args: argparse.Namespace) -> int:
    """
    Print an incident's recorded events.
    """
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        print(render_history(ledger.events(incident_id)))
    return 0


__all__ = ["parse_incident", "register", "run_demo", "run_events", "run_list", "short_id"]
