"""
``incidents record``: record a fact, or a batch of them, without writing Python.

From a JSON or TOML file (or standard input), or from flags for one event;
each event decoded and checked by the ledger's codec, the batch recorded by
:meth:`~incidents.Ledger.record`: all or nothing, with the same checks as
the API. The format is described in :mod:`incidents._cli.batch`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from incidents._cli.batch import ALIASES, events_from, parse_document, parse_value
from incidents._cli.common import (
    App,
    is_remote,
    open_existing,
    parse_incident,
    read_signing_key,
)
from incidents._cli.output import displayed, emit, emit_json, printable
from incidents._domain.events import SourceRegistered
from incidents._domain.words import render_history, short_id, stamp
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger, RecordedBatch

__all__ = ["register"]

_TIME_HELP = "ISO-8601 with an offset, whose zone is kept (e.g. 2024-07-24T20:05+09:00)"

EXAMPLE = """\b
Examples:
  incidents record batch.json
  incidents record batch.toml --incident a5da836a
  incidents events a5da836a --json | incidents record -   # the same facts elsewhere
  incidents record --type aircraft --incident a5da836a --source 1e1d8755 \\
      --set type_designation=H-6 --set nation=CN --set count=2 \\
      --day 2024-07-24 --tz America/Anchorage --wording "on Wednesday"
"""


def register(group: click.Group) -> None:
    """
    Add the ``record`` command.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(record)


@click.command(
    "record",
    short_help="record a fact or a batch from a JSON or TOML file, standard input or flags",
    help="Record the events of FILE (JSON or TOML; '-' for standard input), or one event "
    "given with --type and --set, all or nothing, with the checks the API makes. An event is "
    "what `incidents events --json` prints: a type (aircraft-reported, or in short: "
    f"{', '.join(ALIASES)}) and its fields. A batch is a list of events, or an object with "
    "events and the incident_id and source_id of the events that give none. A valid_time "
    'may be {"day": "2024-07-24", "tz": "America/Anchorage"}, {"minute": T}, {"hour": T}, '
    '{"instant": T}, {"between": [T, T]} or "unknown", each with "wording". "ref": "name" '
    'names an event of the batch, which others point at as "@name". Every bad event is '
    "reported, with the field, and nothing is recorded.",
    epilog=EXAMPLE,
)
@click.argument("file", required=False, metavar="[FILE]")
@click.option(
    "--format",
    "form",
    type=click.Choice(["json", "toml"]),
    help="the format of FILE (default: toml for a .toml file, else json)",
)
@click.option(
    "--incident",
    metavar="ID",
    help="the incident of events that name none: a recorded incident's id or a unique "
    "prefix of it, or a new incident's full id",
)
@click.option(
    "--source",
    metavar="ID",
    help="the source of events that name none: its id, or a unique prefix of a source "
    "of the ledger-wide registry or registered in --incident",
)
@click.option("--type", "kind", metavar="TYPE", help="record one event of this type from flags")
@click.option(
    "--set",
    "fields",
    multiple=True,
    metavar="FIELD=VALUE",
    help="a field of the event given with --type (repeatable): VALUE is read as JSON when it "
    "reads as JSON (2, true, [...]), else as text; FIELD may be dotted (speaker.name)",
)
@click.option("--day", metavar="DATE", help="valid time: this day (YYYY-MM-DD) in --tz")
@click.option("--tz", metavar="ZONE", help="with --day: its time zone (IANA name or +HH:MM)")
@click.option("--hour", metavar="T", help=f"valid time: the hour of T ({_TIME_HELP})")
@click.option("--minute", metavar="T", help=f"valid time: the minute of T ({_TIME_HELP})")
@click.option("--at", "instant", metavar="T", help=f"valid time: the instant T ({_TIME_HELP})")
@click.option(
    "--between",
    nargs=2,
    metavar="T1 T2",
    help="valid time: some time from T1 to T2 (both included)",
)
@click.option("--unknown-time", is_flag=True, help="valid time: not given by the source")
@click.option("--wording", metavar="TEXT", help="the source's own words for the valid time")
@click.option("--create", is_flag=True, help="create the ledger if there is none")
@click.option("--recorder", help="who records (default: $INCIDENTS_RECORDER or your login)")
@click.option(
    "--signing-key",
    metavar="FILE",
    help="sign the batch with this key (named after the log's origin)",
)
@click.option("--json", "as_json", is_flag=True, help="print the recorded events as JSON")
@click.pass_obj
def record(
    app: App,
    file: str | None,
    form: str | None,
    incident: str | None,
    source: str | None,
    kind: str | None,
    fields: tuple[str, ...],
    day: str | None,
    tz: str | None,
    hour: str | None,
    minute: str | None,
    instant: str | None,
    between: tuple[str, str] | None,
    unknown_time: bool,
    wording: str | None,
    create: bool,
    recorder: str | None,
    signing_key: str | None,
    as_json: bool,
) -> int:
    """Record a batch of events."""
    time_given = _valid_time_flags(day, tz, hour, minute, instant, between, unknown_time, wording)
    if file is not None and (kind or fields or time_given):
        raise InvalidInputError("give a FILE, or one event with --type and --set, not both")
    if file is None and not kind:
        raise InvalidInputError("give a FILE to record ('-' for standard input), or --type")
    if file is not None:
        document = _read(file, form)
    else:
        assert kind is not None
        event: dict[str, Any] = {"type": kind}
        for given in fields:
            _set(event, given)
        if time_given is not None:
            event["valid_time"] = time_given
        document = event
    key = read_signing_key(signing_key) if signing_key else None
    file_ledger = not is_remote(app.ledger)
    if create and file_ledger and Path(app.ledger).is_dir():
        raise InvalidInputError(f"{app.ledger} is not a ledger file")
    created = create and file_ledger and not os.path.lexists(app.ledger)
    if create:
        ledger = Ledger.open(app.ledger, signing_key=key, recorder=recorder)
    else:
        ledger = open_existing(app.ledger, signing_key=key, recorder=recorder)
    try:
        with ledger:
            incident_id = _incident(ledger, incident)
            source_id = _source(ledger, source, incident_id)
            events = events_from(document, incident=incident_id, source=source_id)
            batch = ledger.record(*events)
    except BaseException:
        if created:  # all or nothing: not even the empty ledger made for the batch
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(app.ledger + suffix)
        raise
    _warn(batch)
    if as_json:
        emit_json(list(batch))
        return 0
    incidents = sorted({str(r.incident_id) for r in batch})
    emit(
        f"recorded {len(batch)} event{'' if len(batch) == 1 else 's'} at "
        f"{stamp(batch[0].recorded_at)} in incident{'' if len(incidents) == 1 else 's'} "
        f"{', '.join(incidents)}"
        + (" (the clock was behind: adjusted)" if batch.clock_adjusted else "")
    )
    emit(render_history(displayed(list(batch))))
    return 0


def _warn(batch: RecordedBatch) -> None:
    """The batch's warnings (suspicious locations, recorded all the same) on standard error."""
    where = {r.event_id: f"{short_id(r.incident_id)}#{r.position}" for r in batch}
    for warning in batch.warnings:
        event = where.get(warning.event_id) if warning.event_id is not None else None
        place = f" ({event}, {printable(warning.field)})" if event else ""
        emit(
            f"incidents: warning: {printable(warning.code)}{place}: {printable(warning.message)}",
            error=True,
        )


def _read(file: str, form: str | None) -> Any:
    if file == "-":
        where = "standard input"
        text = sys.stdin.read()
    else:
        where = file
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise InvalidInputError(f"cannot read {file}: {reason}") from None
    if form is None:
        form = "toml" if file.lower().endswith(".toml") else "json"
    return parse_document(text, form, printable(where))


def _set(event: dict[str, Any], given: str) -> None:
    name, mark, value = given.partition("=")
    if not mark or not name:
        raise InvalidInputError(f"--set takes FIELD=VALUE, got {given!r}")
    *parents, last = name.split(".")
    where = event
    for part in parents:
        inner = where.setdefault(part, {})
        if not isinstance(inner, dict):
            raise InvalidInputError(f"--set {name}: {part} was given a value already")
        where = inner
    where[last] = parse_value(value)


def _valid_time_flags(
    day: str | None,
    tz: str | None,
    hour: str | None,
    minute: str | None,
    instant: str | None,
    between: tuple[str, str] | None,
    unknown: bool,
    wording: str | None,
) -> Any:
    given: dict[str, Any] = {
        k: v
        for k, v in {
            "day": day,
            "hour": hour,
            "minute": minute,
            "instant": instant,
            "between": list(between) if between else None,
        }.items()
        if v is not None
    }
    if unknown:
        given["unknown"] = True
    if len(given) > 1:
        flags = ", ".join(f"--{'at' if k == 'instant' else k}" for k in given)
        raise InvalidInputError(f"give one valid time, not {flags}")
    if tz is not None and "day" not in given:
        raise InvalidInputError("--tz goes with --day (other times carry their offset)")
    if not given:
        if wording is not None:
            raise InvalidInputError("--wording goes with a valid time (--day, --minute...)")
        return None
    if "day" in given and tz is None:
        raise InvalidInputError("--day needs --tz, the time zone whose day it is")
    if tz is not None:
        given["tz"] = tz
    if wording is not None:
        given["wording"] = wording
    return given


def _incident(ledger: Ledger, text: str | None) -> UUID | None:
    if text is None:
        return None
    try:
        return UUID(text)  # a full id: a recorded incident or a new one
    except ValueError:
        return parse_incident(ledger, text)


def _source(ledger: Ledger, text: str | None, incident: UUID | None) -> UUID | None:
    if text is None:
        return None
    try:
        return UUID(text)
    except ValueError:
        pass
    prefix = text.replace("-", "").lower()
    matches = [s.id for s in ledger.sources() if prefix and s.id.hex.startswith(prefix)]
    if incident is not None and incident in ledger.incident_ids():
        matches += [
            r.event_id
            for r in ledger.events(incident)
            if r.type == SourceRegistered.TYPE and prefix and r.event_id.hex.startswith(prefix)
        ]
    if len(matches) != 1:
        found = "no source" if not matches else f"{len(matches)} sources"
        where = "of the registry" if incident is None else f"of the registry or incident {incident}"
        raise InvalidInputError(f"{found} {where} match --source {text!r}")
    return matches[0]
