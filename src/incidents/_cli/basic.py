"""
``incidents demo``, ``incidents list`` and ``incidents events``.
"""

from __future__ import annotations

import argparse
from typing import Any
from uuid import UUID

from incidents._cli.common import parse_incident, parse_time, terminal_width
from incidents._cli.output import displayed, emit, printable
from incidents._codec.trusted import decode_trusted
from incidents._domain.events import Correction, IncidentOpened, Recorded, Retraction
from incidents._domain.state import fold
from incidents._domain.time import FixedClock
from incidents._domain.words import render_history, render_incident, short_id, stamp
from incidents._errors import DuplicateEventError, InvalidInputError
from incidents._ledger import Ledger

DEMO_LEDGER = "incidents-demo.db"


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
        "near Alaska) into a ledger as it was learned: the article's facts on "
        "publication, the correction of the spokesman's name a day later. Running it "
        f"again adds nothing. It records into --path, else into the ledger given with "
        f"`incidents --ledger`, else into {DEMO_LEDGER}.",
    )
    demo.add_argument(
        "--path",
        default=None,
        help=f"ledger to record into: an SQLite file, ':memory:' or a postgresql:// URL "
        f"(default: the --ledger given before the command, else {DEMO_LEDGER})",
    )
    demo.set_defaults(run=run_demo)

    listing = sub.add_parser(
        "list",
        help="list the incidents in the ledger",
        description="One line per incident: id, title, number of events. With "
        "--published-by, only the incidents whose sources had published their opening by "
        "then, with the title and the events as published by then.",
    )
    listing.add_argument(
        "--published-by",
        metavar="P",
        help="only what the sources had published by then (ISO-8601 with offset)",
    )
    listing.set_defaults(run=run_list)

    events = sub.add_parser("events", help="print an incident's recorded events")
    events.add_argument("incident", help="incident id (or a unique prefix)")
    events.set_defaults(run=run_events)


def run_demo(args: argparse.Namespace) -> int:
    """
    Record the worked example and print the state and history.
    """
    from incidents.examples import ALASKA_2024, ALASKA_2024_PUBLISHED_AT, alaska_2024_batches
    from incidents.projections import incident_timeline

    path = args.path
    if getattr(args, "ledger_given", False):
        if path is not None and path != args.ledger:
            raise InvalidInputError(
                f"two ledgers given: --ledger {args.ledger!r} and --path {path!r}; give one"
            )
        path = args.ledger
    path = path if path is not None else DEMO_LEDGER
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(path, clock=clock, recorder="incidents demo") as ledger:
        added = 0
        for recorded_at, events in alaska_2024_batches():
            clock.set(recorded_at)
            try:
                added += len(ledger.record(*events))
            except DuplicateEventError:
                continue
        # Reads are answered as of now, not as of the example's last batch.
        clock.set(max(recorded_at, _now()))
        emit(f"ledger: {printable(ledger.store.location)}")
        if added:
            emit(f"recorded {added} events of the July 2024 Alaska joint patrol")
        else:
            emit("the July 2024 Alaska joint patrol was already recorded: nothing added")
        emit()
        emit(displayed(incident_timeline(ledger, ALASKA_2024)).table(terminal_width()))
        emit()
        emit(render_incident(displayed(ledger.incident(ALASKA_2024))))
        emit()
        emit("Recorded history (who recorded what, when, from which source):")
        emit(render_history(displayed(list(ledger.events(ALASKA_2024)))))
    return 0


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def incident_listing(ledger: Ledger) -> list[tuple[UUID, str, int]]:
    """
    Every incident's id, title as now known, and number of events, in order of first recording.

    A title is the incident's opening event as corrected since: only the
    openings and the corrections and retractions are read, and an incident
    is folded from its opening and the amendments that reach it (a
    correction of it, a correction of that correction, a retraction of
    either), never from all its events.

    Args:
        ledger: An open ledger.

    Returns:
        ``(incident id, title, events)`` per incident.
    """
    store = ledger.store
    last = store.last_sequence()
    openings: dict[UUID, Recorded] = {}
    amendments: dict[UUID, list[Recorded]] = {}
    topics = (IncidentOpened.TYPE, Correction.TYPE, Retraction.TYPE)
    for _, topic, data in store.projection_rows(after=0, until=last, topics=topics):
        recorded = decode_trusted(data)
        if topic == IncidentOpened.TYPE:
            openings[recorded.incident_id] = recorded
        else:
            amendments.setdefault(recorded.incident_id, []).append(recorded)
    listing = []
    for incident_id, length in store.stream_lengths().items():
        opening = openings.get(incident_id)
        if opening is None:  # opened after the rows above were read
            continue
        title = _title(opening, amendments.get(incident_id, []))
        listing.append((incident_id, title, length))
    return listing


def _title(opening: Recorded, amendments: list[Recorded]) -> str:
    """The opening's title after the amendments that reach it."""
    targets = {}
    for amendment in amendments:
        event = amendment.event
        assert isinstance(event, Correction | Retraction)
        targets[event.event_id] = event.target_id
    opened = opening.event_id

    def reaches(event_id: UUID) -> bool:
        while event_id in targets:
            event_id = targets[event_id]
        return event_id == opened

    relevant = [a for a in amendments if reaches(a.event_id)]
    if not relevant:
        event = opening.event
        assert isinstance(event, IncidentOpened)
        return event.title
    state = fold([opening, *relevant])
    assert state is not None
    return state.title


def run_list(args: argparse.Namespace) -> int:
    """
    Print one line per incident.
    """
    published_by = parse_time(args.published_by, "--published-by")
    with Ledger.open(args.ledger) as ledger:
        if published_by is None:
            listing = incident_listing(ledger)
        else:
            listing = [
                (i.id, i.title, i.last_position)
                for i in ledger.incidents(published_by=published_by)
            ]
        counted = "{} events" if published_by is None else "events up to #{}"
        for incident_id, title, length in listing:
            emit(f"{incident_id}  {printable(title)}  ({counted.format(length)})")
        if published_by is not None and not listing:
            emit(f"no incident was published by {stamp(published_by)}")
    return 0


def run_events(args: argparse.Namespace) -> int:
    """
    Print an incident's recorded events.
    """
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        emit(render_history(displayed(list(ledger.events(incident_id)))))
    return 0


__all__ = [
    "incident_listing",
    "register",
    "run_demo",
    "run_events",
    "run_list",
    "short_id",
]
