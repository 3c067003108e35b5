"""
``incidents init``, ``demo``, ``list`` and ``events``.
"""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

import click

from incidents._cli.common import (
    App,
    is_remote,
    open_existing,
    parse_incident,
    parse_time,
    terminal_width,
)
from incidents._cli.filters import Filters, filter_options
from incidents._cli.output import displayed, emit, emit_json, printable
from incidents._cli.timeline import emit_timeline
from incidents._codec.trusted import decode_trusted
from incidents._domain.events import Correction, IncidentOpened, Recorded, Retraction
from incidents._domain.state import fold
from incidents._domain.time import FixedClock
from incidents._domain.words import render_history, render_incident, short_id, stamp
from incidents._errors import DuplicateEventError, InvalidInputError
from incidents._ledger import Ledger

__all__ = [
    "incident_listing",
    "register",
    "short_id",
]

DEMO_LEDGER = "incidents-demo.db"

JSON_HELP = "print JSON instead of text"


def register(group: click.Group) -> None:
    """
    Add the commands of this module.

    Args:
        group: The ``incidents`` group.
    """
    for command in (init, demo, listing, events, completion):
        group.add_command(command)


@click.command(
    "init",
    short_help="create an empty ledger",
    help="Create an empty ledger at LEDGER (default: the --ledger given before the command). "
    "Refused if something is there already. The other commands that record (demo, record "
    "--create) create one too; the commands that read never do.",
)
@click.argument("path", metavar="LEDGER", required=False)
@click.option("--origin", help="the log's name (default: incidents/<uuid>)")
@click.pass_obj
def init(app: App, path: str | None, origin: str | None) -> int:
    """Create an empty ledger."""
    target = path if path is not None else app.ledger
    if not is_remote(target) and os.path.lexists(target):
        raise InvalidInputError(f"not creating a ledger at {target}: something is there already")
    with Ledger.open(target, origin=origin) as ledger:
        emit(f"created ledger {printable(ledger.store.location)}, log {printable(ledger.origin)}")
    return 0


@click.command(
    "demo",
    short_help="record the July 2024 Alaska joint patrol and show it",
    help="Record the worked example (the July 2024 joint Chinese-Russian patrol "
    "near Alaska) into a ledger as it was learned: the article's facts on "
    "publication, the correction of the spokesman's name a day later. Running it "
    "again adds nothing. It records into --path, else into the ledger given with "
    f"`incidents --ledger`, else into {DEMO_LEDGER}.",
)
@click.option(
    "--path",
    default=None,
    help="ledger to record into: an SQLite file, ':memory:' or a postgresql:// URL "
    f"(default: the --ledger given before the command, else {DEMO_LEDGER})",
)
@click.pass_obj
def demo(app: App, path: str | None) -> int:
    """Record the worked example and print the state and history."""
    from incidents.examples import ALASKA_2024, ALASKA_2024_PUBLISHED_AT, alaska_2024_batches
    from incidents.projections import incident_timeline

    if app.ledger_given:
        if path is not None and path != app.ledger:
            raise InvalidInputError(
                f"two ledgers given: --ledger {app.ledger!r} and --path {path!r}; give one"
            )
        path = app.ledger
    path = path if path is not None else DEMO_LEDGER
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(path, clock=clock, recorder="incidents demo") as ledger:
        added = 0
        for recorded_at, batch in alaska_2024_batches():
            clock.set(recorded_at)
            try:
                added += len(ledger.record(*batch))
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
        emit_timeline(incident_timeline(ledger, ALASKA_2024), terminal_width())
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
    found = []
    for incident_id, length in store.stream_lengths().items():
        opening = openings.get(incident_id)
        if opening is None:  # opened after the rows above were read
            continue
        title = _title(opening, amendments.get(incident_id, []))
        found.append((incident_id, title, length))
    return found


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


def listed(rows: list[tuple[UUID, str, int]], *, published: bool) -> list[dict[str, Any]]:
    """
    Incidents as ``list --json`` and ``search --json`` print them.

    Args:
        rows: ``(id, title, events)`` per incident.
        published: Whether the count is the last position published by a time.

    Returns:
        One object per incident.
    """
    key = "last_position" if published else "events"
    return [{"id": str(i), "title": title, key: n} for i, title, n in rows]


@click.command(
    "list",
    short_help="list the incidents in the ledger",
    help="One line per incident: id, title, number of events. With "
    "--published-by, only the incidents whose sources had published their opening by "
    "then, with the title and the events as published by then. The filters (--nation, "
    "--aircraft, --area, --box, --series, --source, --linked-to, --zone, --near) keep the "
    "incidents whose facts match: each filter given must match, any of a filter's values.",
)
@click.option(
    "--published-by",
    metavar="P",
    help="only what the sources had published by then (ISO-8601 with offset)",
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@filter_options
@click.pass_obj
def listing(app: App, published_by: str | None, as_json: bool, filters: Filters) -> int:
    """Print one line per incident."""
    by = parse_time(published_by, "--published-by")
    filters.check()
    with open_existing(app.ledger) as ledger:
        if by is None and not filters:
            rows = incident_listing(ledger)
        else:
            found = ledger.incidents(published_by=by, **filters.arguments(ledger))
            rows = [(i.id, i.title, i.last_position) for i in filters.places(ledger, found)]
    if as_json:
        emit_json(listed(rows, published=by is not None))
        return 0
    counted = "{} events" if by is None else "events up to #{}"
    for incident_id, title, length in rows:
        emit(f"{incident_id}  {printable(title)}  ({counted.format(length)})")
    if filters and not rows:
        emit("no incident matches")
    elif by is not None and not rows:
        emit(f"no incident was published by {stamp(by)}")
    return 0


@click.command("events", short_help="print an incident's recorded events")
@click.argument("incident")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def events(app: App, incident: str, as_json: bool) -> int:
    """Print the recorded events of INCIDENT (an id or a unique prefix), in recording order."""
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        recorded = list(ledger.events(incident_id))
    if as_json:
        emit_json(recorded)
    else:
        emit(render_history(displayed(recorded)))
    return 0


@click.command(
    "completion",
    short_help="print the shell completion script for bash, zsh or fish",
    help="Print the script that completes `incidents` commands and options in SHELL. "
    'For bash, add `eval "$(incidents completion bash)"` to ~/.bashrc; for zsh, the same '
    "with zsh in ~/.zshrc; for fish, `incidents completion fish > "
    "~/.config/fish/completions/incidents.fish`.",
)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> int:
    """Print a shell completion script."""
    from click.shell_completion import get_completion_class

    root = ctx.find_root().command
    kind = get_completion_class(shell)
    assert kind is not None  # the three are click's own
    emit(kind(root, {}, "incidents", "_INCIDENTS_COMPLETE").source())
    return 0
