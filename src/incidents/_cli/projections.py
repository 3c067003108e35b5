"""
``incidents timeline`` and ``incidents project``: projections on the command line.
"""

from __future__ import annotations

import importlib
import json

import click

from incidents._cli.common import (
    App,
    Seconds,
    WholeNumber,
    open_existing,
    parse_incident,
    parse_time,
    terminal_width,
)
from incidents._cli.output import displayed, emit, emit_json, json_text, printable
from incidents._cli.progress import ProgressBar
from incidents._cli.timeline import emit_timeline
from incidents._errors import InvalidInputError
from incidents.projections import (
    ProjectionCheckpoint,
    ReadModel,
    get,
    incident_timeline,
    registered,
)

__all__ = ["ProgressBar", "register"]


def register(group: click.Group) -> None:
    """
    Add the commands of this module.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(timeline)
    group.add_command(project)


@click.command(
    "timeline",
    short_help="print an incident's timeline (dated facts in valid-time order)",
    help="Print the dated facts of INCIDENT (an id or a unique prefix) in valid-time order, "
    "each with its precision as the source gave it, its source and Admiralty grade, and marks "
    "for corrected and retracted entries. Computed live from the record. Valid times are shown "
    "as the wall clock read in the time zone the source gave, named in brackets.",
)
@click.argument("incident")
@click.option(
    "--known-at",
    metavar="R",
    help="as known at this recording time (ISO-8601 with offset, e.g. 2024-07-25T18:00Z)",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="output format",
)
@click.option("--json", "as_json", is_flag=True, help="the same as --format json")
@click.option(
    "--width",
    type=WholeNumber(1),
    help="table width in display columns, at least 72 are used (default: the terminal's)",
)
@click.pass_obj
def timeline(
    app: App, incident: str, known_at: str | None, output: str, as_json: bool, width: int | None
) -> int:
    """Print one incident's timeline."""
    known = parse_time(known_at, "--known-at")
    with open_existing(app.ledger) as ledger:
        incident_id = parse_incident(ledger, incident)
        found = incident_timeline(ledger, incident_id, known_at=known)
    if as_json or output == "json":
        emit(json_text(found.json()))
    elif output == "csv":
        emit(displayed(found).csv(), end="")
    else:
        emit_timeline(found, terminal_width(width))
    return 0


def _status(
    name: str, before: ProjectionCheckpoint | None, after: ProjectionCheckpoint, rebuilt: bool
) -> str:
    if rebuilt:
        return (
            f"{name}: rebuilt from zero to sequence {after.sequence:,} and swapped in "
            f"(generation {after.generation})"
        )
    start = 0 if before is None or before.generation != after.generation else before.sequence
    if start == after.sequence:
        return f"{name}: already caught up at sequence {after.sequence:,}"
    return f"{name}: caught up from sequence {start:,} to {after.sequence:,}"


@click.command(
    "project",
    short_help="catch up (or rebuild) a registered projection's read model and print it",
    help="Catch up the read model of the registered projection NAME, kept in the ledger's "
    "own database, from its checkpoint: one transaction per batch, checkpoint included, "
    "so an interrupted run resumes where it stopped. --rebuild builds it again from "
    "zero and swaps it in when complete. Progress is shown on standard error.",
)
@click.argument("name", required=False)
@click.option("--list", "listing", is_flag=True, help="list registered projections")
@click.option("--rebuild", is_flag=True, help="rebuild from zero, then swap the result in")
@click.option(
    "--batch-size",
    type=WholeNumber(1),
    default=1000,
    show_default=True,
    help="events per transaction",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="how to print the state",
)
@click.option("--json", "as_json", is_flag=True, help="the same as --format json")
@click.option("--quiet", is_flag=True, help="print only the status line")
@click.option(
    "--import",
    "imports",
    multiple=True,
    metavar="MODULE",
    help="import a module that registers projections (repeatable)",
)
@click.option(
    "--follow", is_flag=True, help="keep catching up as events are recorded (Ctrl-C to stop)"
)
@click.option(
    "--interval",
    type=Seconds(),
    default=1.0,
    help="with --follow: the longest time, in seconds, between two looks at the log "
    "(above 0, at most a day; default: 1)",
)
@click.pass_obj
def project(
    app: App,
    name: str | None,
    listing: bool,
    rebuild: bool,
    batch_size: int,
    output: str,
    as_json: bool,
    quiet: bool,
    imports: tuple[str, ...],
    follow: bool,
    interval: float,
) -> int:
    """Catch up or rebuild a registered projection and print it."""
    for module in imports:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise InvalidInputError(f"cannot import {module!r}: {exc}") from exc
    if listing:
        if as_json:
            emit_json({n: f().summary() for n, f in registered().items()})
            return 0
        for registered_name, factory in registered().items():
            summary = factory().summary()
            emit(f"{printable(registered_name):<20} {printable(summary)}")
        return 0
    if not name:
        raise InvalidInputError("name a projection (incidents project --list shows them)")
    projection = get(name)
    with open_existing(app.ledger) as ledger:
        model = ReadModel(ledger, projection, batch_size=batch_size)
        before = model.status()
        start = 0 if rebuild or before is None else before.sequence
        label = f"{'rebuilding' if rebuild else 'catching up'} {projection.name}"
        with ProgressBar(label, start) as bar:
            reached = model.rebuild(progress=bar) if rebuild else model.catch_up(progress=bar)
            if follow:
                emit(
                    f"{printable(projection.name)}: following the ledger (Ctrl-C to stop)",
                    error=True,
                )
                try:
                    reached = model.follow(interval=interval, on_batch=bar)
                except KeyboardInterrupt:
                    reached = model.status() or reached
        result = model.read()
    shown = printable(projection.name)
    emit(_status(shown, before, reached, rebuild))
    emit(f"{shown}: state digest {result.digest}")
    if not quiet:
        emit()
        if as_json or output == "json":
            emit(json_text(json.dumps(result.state, indent=2, sort_keys=True, ensure_ascii=False)))
        else:
            emit(projection.render(displayed(result.state)))
    return 0
