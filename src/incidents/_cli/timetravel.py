"""
``incidents state``, ``history``, ``diff``, ``search`` and ``snapshots``: time travel.

Times are ISO-8601 with an offset (``2024-07-25T18:00:00+00:00``, ``...Z``);
a time without one is refused rather than guessed.
"""

from __future__ import annotations

import click

from incidents._cli.basic import JSON_HELP, listed
from incidents._cli.common import App, open_existing, parse_incident, parse_time
from incidents._cli.filters import Filters, filter_options
from incidents._cli.output import displayed, emit, emit_json, printable
from incidents._cli.progress import ProgressBar
from incidents._domain.state import Reading
from incidents._domain.words import render_incident, stamp
from incidents._errors import InvalidInputError

__all__ = ["register"]

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


def register(group: click.Group) -> None:
    """
    Add the commands of this module.

    Args:
        group: The ``incidents`` group.
    """
    for command in (state, history, diff, search, snapshots):
        group.add_command(command)


@click.command(
    "state",
    short_help="show an incident at a valid time, as known at a recording time",
    help="Show INCIDENT (an id or a unique prefix) as it stood at valid time --valid-at "
    "(default: every fact), built only from what had been recorded by --known-at (default: "
    "now) and, with --published-by, only from what its sources had published by then.",
)
@click.argument("incident")
@click.option("--valid-at", metavar="T", help=f"valid time ({_TIME_HELP})")
@click.option("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
@click.option("--published-by", metavar="P", help=_PUBLISHED_HELP)
@click.option(
    "--reading",
    default="possibly",
    metavar="possibly|certainly",
    help="facts of imprecise time count at --valid-at if they possibly (default) or "
    "certainly had happened by then",
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def state(
    app: App,
    incident: str,
    valid_at: str | None,
    known_at: str | None,
    published_by: str | None,
    reading: str,
    as_json: bool,
) -> int:
    """Print an incident at a valid time, as known at a recording time."""
    valid = parse_time(valid_at, "--valid-at")
    known = parse_time(known_at, "--known-at")
    published = parse_time(published_by, "--published-by")
    how = _reading(reading)
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = ledger.incident(incident_id, valid, known, reading=how, published_by=published)
    if as_json:
        emit_json(found)
        return 0
    said = "now" if known is None else f"at {stamp(known)}"
    counted = f"{found.last_position} events recorded"
    if published is not None:
        said += f", as published by {stamp(published)}"
        counted = f"events up to #{found.last_position}"
    facts = "every fact" if valid is None else f"facts {how.value} in effect at {stamp(valid)}"
    emit(f"As known {said} ({counted}, the last at {stamp(found.last_recorded_at)}); {facts}")
    emit()
    emit(render_incident(displayed(found)))
    return 0


@click.command(
    "history",
    short_help="print an incident's audit trail",
    help="Every recorded event of INCIDENT in recording order: who recorded "
    "what, when, from which source; corrections and retractions with what they target "
    "and change.",
)
@click.argument("incident")
@click.option("--published-by", metavar="P", help=f"only the entries of {_PUBLISHED_HELP}")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def history(app: App, incident: str, published_by: str | None, as_json: bool) -> int:
    """Print an incident's audit trail."""
    published = parse_time(published_by, "--published-by")
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = ledger.history(incident_id, published_by=published)
    if as_json:
        emit_json(found)
    else:
        emit(displayed(found).render())
    return 0


@click.command(
    "diff",
    short_help="what the record of an incident says differently between two recording times",
    help="Facts added, corrected, retracted or restored in INCIDENT between what was known at "
    "recording time A and at recording time B (default: now). With --published-by-a "
    "and --published-by-b, each side keeps only what its sources had published by then "
    "(A may then be left out: now).",
)
@click.argument("incident")
@click.argument("a", metavar="[A]", required=False)
@click.argument("b", metavar="[B]", required=False)
@click.option("--published-by-a", metavar="P", help="earlier publication time")
@click.option("--published-by-b", metavar="P", help="later publication time")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def diff(
    app: App,
    incident: str,
    a: str | None,
    b: str | None,
    published_by_a: str | None,
    published_by_b: str | None,
    as_json: bool,
) -> int:
    """Print what changed in an incident's record between two recording times."""
    earlier = parse_time(a, "A")
    later = parse_time(b, "B")
    published_a = parse_time(published_by_a, "--published-by-a")
    published_b = parse_time(published_by_b, "--published-by-b")
    if earlier is None and published_a is None:
        raise InvalidInputError("give the earlier recording time A, or --published-by-a")
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = ledger.diff(
            incident_id, earlier, later, published_by_a=published_a, published_by_b=published_b
        )
    if as_json:
        emit_json(found)
    else:
        emit(displayed(found).render())
    return 0


@click.command(
    "search",
    short_help="list the incidents with facts in a valid-time window",
    help="List the incidents (as known at --known-at) with an aircraft, patrol, "
    "intercept or statement whose valid time possibly (default) or certainly falls "
    "between --from and --to (both included; either may be left open), and whose facts "
    "match the filters given (see `incidents list --help`).",
)
@click.option("--from", "start", metavar="T", help=f"window start ({_TIME_HELP})")
@click.option("--to", "end", metavar="T", help=f"window end ({_TIME_HELP})")
@click.option("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
@click.option("--published-by", metavar="P", help=_PUBLISHED_HELP)
@click.option("--reading", default="possibly", metavar="possibly|certainly", help="see 'state'")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@filter_options
@click.pass_obj
def search(
    app: App,
    start: str | None,
    end: str | None,
    known_at: str | None,
    published_by: str | None,
    reading: str,
    as_json: bool,
    filters: Filters,
) -> int:
    """Print the incidents with facts in a valid-time window."""
    first = parse_time(start, "--from")
    last = parse_time(end, "--to")
    known = parse_time(known_at, "--known-at")
    published = parse_time(published_by, "--published-by")
    how = _reading(reading)
    window = None if first is None and last is None else (first, last)
    filters.check()
    with open_existing(app.ledger) as ledger:
        found = ledger.incidents(
            window, known, reading=how, published_by=published, **filters.arguments(ledger)
        )
        found = filters.places(ledger, found, known)
    if as_json:
        rows = [(i.id, i.title, i.last_position) for i in found]
        emit_json(listed(rows, published=published is not None))
        return 0
    counted = "{} events" if published is None else "events up to #{}"
    for incident in found:
        shown = counted.format(incident.last_position)
        emit(f"{incident.id}  {printable(incident.title)}  ({shown})")
    if not found:
        emit("no incident matches")
    return 0


@click.command(
    "snapshots",
    short_help="rebuild or drop the snapshots kept to read large incidents fast",
    help="Rebuild or drop the snapshots of INCIDENT (default: every incident). Snapshots are "
    "derived data, written as incidents are read and never trusted over the events: dropping "
    "them loses nothing.",
)
@click.argument("action", type=click.Choice(["rebuild", "drop"]))
@click.argument("incident", required=False)
@click.pass_obj
def snapshots(app: App, action: str, incident: str | None) -> int:
    """Rebuild or drop snapshots."""
    with open_existing(app.ledger) as ledger:
        incident_id = None if incident is None else parse_incident(ledger, incident)
        if action == "drop":
            emit(f"dropped {ledger.drop_snapshots(incident_id)} snapshots")
            return 0
        ids = ledger.incident_ids() if incident_id is None else [incident_id]
        done = 0
        with ProgressBar("snapshotting", unit="incidents", total=len(ids)) as bar:
            for number, one in enumerate(ids, start=1):
                done += ledger.rebuild_snapshots(one)
                bar(number, len(ids))
        emit(f"snapshotted {done} incidents")
    return 0
