"""
``incidents timeline`` and ``incidents project``: projections on the command line.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from typing import Any, TextIO

from incidents._cli.common import parse_incident, parse_time, seconds, terminal_width, whole_number
from incidents._cli.output import displayed, emit, json_text, printable
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger
from incidents.projections import (
    ProjectionCheckpoint,
    ReadModel,
    get,
    incident_timeline,
    registered,
)

__all__ = ["ProgressBar", "register", "run_project", "run_timeline"]


def register(sub: Any) -> None:
    """
    Add the subcommands of this module.

    Args:
        sub: The parser's subparsers.
    """
    timeline = sub.add_parser(
        "timeline",
        help="print an incident's timeline (dated facts in valid-time order)",
        description="Print an incident's dated facts in valid-time order, each with its "
        "precision as the source gave it, its source and Admiralty grade, and marks for "
        "corrected and retracted entries. Computed live from the record.",
    )
    timeline.add_argument("incident", help="incident id (or a unique prefix)")
    timeline.add_argument(
        "--known-at",
        metavar="R",
        help="as known at this recording time (ISO-8601 with offset, e.g. 2024-07-25T18:00Z)",
    )
    timeline.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="output format"
    )
    timeline.add_argument(
        "--width",
        type=whole_number(1),
        help="table width in characters, at least 72 are used (default: the terminal's)",
    )
    timeline.set_defaults(run=run_timeline)

    project = sub.add_parser(
        "project",
        help="catch up (or rebuild) a registered projection's read model and print it",
        description="Catch up a registered projection's read model, kept in the ledger's "
        "own database, from its checkpoint: one transaction per batch, checkpoint included, "
        "so an interrupted run resumes where it stopped. --rebuild builds it again from "
        "zero and swaps it in when complete.",
    )
    project.add_argument("name", nargs="?", help="projection name (see --list)")
    project.add_argument("--list", action="store_true", help="list registered projections")
    project.add_argument(
        "--rebuild", action="store_true", help="rebuild from zero, then swap the result in"
    )
    project.add_argument(
        "--batch-size",
        type=whole_number(1),
        default=1000,
        help="events per transaction (default: 1000)",
    )
    project.add_argument(
        "--format", choices=("text", "json"), default="text", help="how to print the state"
    )
    project.add_argument("--quiet", action="store_true", help="print only the status line")
    project.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import a module that registers projections (repeatable)",
    )
    project.add_argument(
        "--follow",
        action="store_true",
        help="keep catching up as events are recorded (Ctrl-C to stop)",
    )
    project.add_argument(
        "--interval",
        type=seconds,
        default=1.0,
        help="with --follow: the longest time, in seconds, between two looks at the log "
        "(above 0, at most a day; default: 1)",
    )
    project.set_defaults(run=run_project)


def run_timeline(args: argparse.Namespace) -> int:
    """
    Print one incident's timeline.
    """
    known_at = parse_time(args.known_at, "--known-at")
    with Ledger.open(args.ledger) as ledger:
        incident_id = parse_incident(ledger, args.incident)
        timeline = incident_timeline(ledger, incident_id, known_at=known_at)
    if args.format == "json":
        emit(json_text(timeline.json()))
    elif args.format == "csv":
        emit(displayed(timeline).csv(), end="")
    else:
        emit(displayed(timeline).table(terminal_width(args.width)))
    return 0


class ProgressBar:
    """
    A progress bar on a stream: redrawn in place on a terminal, a few lines otherwise.

    Args:
        label: What is progressing, e.g. ``"rebuilding timeline"``.
        start: The sequence the run starts from (for the rate).
        stream: Where to draw (default: standard error).
    """

    def __init__(self, label: str, start: int = 0, stream: TextIO | None = None) -> None:
        self.label = label
        self.start = start
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.shown_tenths = -1
        self.drawn = False

    def __call__(self, reached: int, head: int) -> None:
        """
        Show that *reached* of *head* is done.
        """
        fraction = 1.0 if head <= 0 else min(1.0, reached / head)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        bar = "#" * int(fraction * 30)
        text = (
            f"{self.label} [{bar:<30}] {fraction:4.0%} sequence {reached:,}/{head:,}"
            f" ({max(reached - self.start, 0) / elapsed:,.0f} events/s)"
        )
        text = printable(text)
        if self.stream.isatty():
            self.stream.write("\r" + text)  # the bar's own carriage return: drawn in place
            self.drawn = True
        elif int(fraction * 10) > self.shown_tenths:
            self.shown_tenths = int(fraction * 10)
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """
        End the bar's line.
        """
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


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


def run_project(args: argparse.Namespace) -> int:
    """
    Catch up or rebuild a registered projection and print it.
    """
    for module in args.imports:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise InvalidInputError(f"cannot import {module!r}: {exc}") from exc
    if args.list:
        for name, factory in registered().items():
            summary = factory().summary()
            emit(f"{printable(name):<20} {printable(summary)}")
        return 0
    if not args.name:
        raise InvalidInputError("name a projection (incidents project --list shows them)")
    projection = get(args.name)
    with Ledger.open(args.ledger) as ledger:
        model = ReadModel(ledger, projection, batch_size=args.batch_size)
        before = model.status()
        start = 0 if args.rebuild or before is None else before.sequence
        label = f"{'rebuilding' if args.rebuild else 'catching up'} {projection.name}"
        bar = ProgressBar(label, start)
        try:
            reached = model.rebuild(progress=bar) if args.rebuild else model.catch_up(progress=bar)
            if args.follow:
                emit(
                    f"{printable(projection.name)}: following the ledger (Ctrl-C to stop)",
                    error=True,
                )
                try:
                    reached = model.follow(interval=args.interval, on_batch=bar)
                except KeyboardInterrupt:
                    reached = model.status() or reached
        finally:
            bar.close()
        result = model.read()
    name = printable(projection.name)
    emit(_status(name, before, reached, args.rebuild))
    emit(f"{name}: state digest {result.digest}")
    if not args.quiet:
        emit()
        if args.format == "json":
            emit(json_text(json.dumps(result.state, indent=2, sort_keys=True, ensure_ascii=False)))
        else:
            emit(projection.render(displayed(result.state)))
    return 0
