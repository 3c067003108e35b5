"""
The JSON Lines event format: one event per line, as the library writes events.

Each line is one JSON object: the event's type name in ``"type"`` and its
fields, exactly as :func:`incidents.encode_event` writes them (times in
ISO 8601 with their offset, ids as text, counts as numbers or
``{"low", "high"}``, geometry as GeoJSON). Every event carries its own id
(``event_id``; a source's is its ``source_id``), so importing the same file
again adds nothing. Blank lines are skipped. ``schema/events.schema.json``
describes a line (see :func:`~incidents.interchange.event_schema`).

:func:`read_events` checks every line and names every problem: the line,
the member and what was expected. :func:`import_events` records the events
in one batch, or nothing. :func:`write_events` writes a ledger's events in
this format (without their envelopes: the importing ledger records them
anew, at its own recording time).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from incidents._codec.canonical import event_text
from incidents._codec.upcast import VERSION_KEY, read_version, upcast
from incidents._domain.convert import converter, field_types, structure
from incidents._domain.events import EVENT_TYPES, Event, SourceRegistered
from incidents._domain.limits import MAX_BUNDLE_LINE_BYTES
from incidents._errors import InvalidInputError
from incidents._files import atomic_file
from incidents._ledger import Ledger
from incidents.interchange._problems import Problems, found
from incidents.interchange._recording import ImportResult, record_all
from incidents.interchange._schema import required_fields

__all__ = ["MAX_LINE_BYTES", "import_events", "read_events", "write_events"]

MAX_LINE_BYTES = MAX_BUNDLE_LINE_BYTES
"""Bytes of one line of an events file: a line longer than this is refused unread."""

_CHUNK = 1024 * 1024


def _lines(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Each line with its number; ``None`` for a line too long, which is not read further."""
    number = 0
    while True:
        line = f.readline(MAX_LINE_BYTES + 2)
        if not line:
            return
        number += 1
        if len(line) - line.endswith(b"\n") > MAX_LINE_BYTES:
            while line and not line.endswith(b"\n"):  # skip the rest of it
                line = f.readline(_CHUNK)
            yield number, None
            continue
        yield number, line


def _parse(line: bytes, number: int, problems: Problems) -> dict[str, Any] | None:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            number, "", f"expected UTF-8 text, found a byte {line[exc.start]:#04x} at {exc.start}"
        )
        return None
    try:
        data = json.loads(text)
    except RecursionError:
        problems.add(number, "", "expected a JSON object, found JSON nested too deeply")
        return None
    except ValueError as exc:
        problems.add(number, "", f"expected a JSON object: {exc}")
        return None
    if not isinstance(data, dict):
        problems.add(number, "", f"expected a JSON object (one event), found {type(data).__name__}")
        return None
    return data


def event_from(data: dict[str, Any], number: int, problems: Problems) -> Event | None:
    """
    The event a line's JSON object describes, or ``None`` after noting every problem.

    Args:
        data: The parsed line.
        number: Its line number.
        problems: Where problems go.

    Returns:
        The event, checked by the library's own rules.
    """
    name = data.get("type")
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        problems.add(
            number, "type", f"expected one of {', '.join(EVENT_TYPES)}, found {found(name)}"
        )
        return None
    name = cls.TYPE
    try:
        version = read_version(name, data)
    except InvalidInputError as exc:
        problems.add(number, VERSION_KEY, str(exc))
        return None
    # The fields are checked one by one in their current form; structuring
    # the whole event brings an earlier version's to it by itself.
    original = data
    fields = {k: v for k, v in data.items() if k not in ("type", VERSION_KEY)}
    data = {"type": name, **upcast(name, version, fields)}
    types = field_types(cls)
    bad = False
    for key in data:
        if key != "type" and key not in types:
            problems.add(number, key, f"not a field of {name} (its fields: {', '.join(types)})")
            bad = True
    own_id = "source_id" if cls is SourceRegistered else "event_id"
    for key in [*required_fields(cls), own_id]:
        if key not in data:
            what = (
                "the event's own id (a UUID), so that importing the file again adds nothing"
                if key == own_id
                else f"a value ({name} needs it)"
            )
            problems.add(number, key, f"expected {what}, found nothing")
            bad = True
    for key, value in data.items():
        hint = types.get(key)
        if hint is None:
            continue
        try:
            converter.structure(value, hint)
        except Exception as exc:  # the converter's and the validators' errors alike
            problems.add(number, key, f"expected {_expected(exc)}, found {found(value)}")
            bad = True
    if bad:
        return None
    try:
        event = structure(dict(original), Event)
        event_text(event)  # its size is checked when encoded
    except InvalidInputError as exc:
        message = str(exc)
        problems.add(number, field_named(message, types), message)
        return None
    return event


def field_named(message: str, fields: Iterable[str]) -> str:
    """
    The field a validator's message is about: the one it starts with, if any.

    Args:
        message: The message, e.g. ``"nation must be an assigned ISO 3166-1 code..."``.
        fields: The fields it could be about.

    Returns:
        The field's name, or ``""``.
    """
    message = re.sub(r"^invalid \w+: ", "", message)
    for name in sorted(fields, key=len, reverse=True):
        if message.startswith((f"{name} ", f"{name}:", f"{name}[")):
            return name
    return ""


def _expected(exc: BaseException) -> str:
    message = str(exc)
    notes = getattr(exc, "exceptions", None)
    if notes:
        message = "; ".join(str(e) for e in notes)
    return message.split("\n")[0][:500] or type(exc).__name__


def read_events(path: str | os.PathLike[str]) -> list[tuple[int, Event]]:
    """
    Read and check an events file (JSON Lines), naming every problem.

    Args:
        path: The file.

    Returns:
        Each event with its line number, in file order.

    Raises:
        ImportRejectedError: If any line has a problem (all are named).
        InvalidInputError: If the file cannot be read.
    """
    where = os.fspath(path)
    problems = Problems(where)
    events: list[tuple[int, Event]] = []
    seen: dict[Any, int] = {}
    try:
        with open(where, "rb") as f:
            for number, line in _lines(f):
                if line is None:
                    problems.add(number, "", f"expected a line of at most {MAX_LINE_BYTES:,} bytes")
                    continue
                if not line.strip():
                    continue
                data = _parse(line, number, problems)
                event = None if data is None else event_from(data, number, problems)
                if event is None:
                    continue
                first = seen.setdefault(event.event_id, number)
                if first != number:
                    problems.add(
                        number, "event_id", f"a new id, found the id of line {first} again"
                    )
                    continue
                events.append((number, event))
    except OSError as exc:
        raise InvalidInputError(f"cannot read {where}: {exc.strerror or exc}") from None
    problems.check()
    return events


def import_events(
    ledger: Ledger, path: str | os.PathLike[str], *, recorder: str | None = None
) -> ImportResult:
    """
    Import an events file (JSON Lines) into a ledger: all of it, in one batch, or nothing.

    Events already in the ledger (the same id, the same content) are
    skipped, so importing a file again adds nothing.

    Args:
        ledger: The ledger.
        path: The file.
        recorder: Who records the batch (default: the ledger's recorder).

    Returns:
        What was recorded, and how many events were there already.

    Raises:
        ImportRejectedError: If any line has a problem, including what the
            ledger's checks find (an unregistered source, a reference to an
            unknown event); nothing was recorded.
    """
    events = read_events(path)
    return record_all(ledger, events, Problems(os.fspath(path)), recorder=recorder)


def write_events(
    ledger: Ledger, path: str | os.PathLike[str], *, known_at: datetime | None = None
) -> int:
    """
    Write a ledger's events as an events file (JSON Lines), in recording order.

    Args:
        ledger: The ledger.
        path: The file (written whole or not at all).
        known_at: Only what had been recorded by then (default: everything).

    Returns:
        How many events were written.

    Raises:
        FileWriteError: If the file cannot be written.
    """
    count = 0
    records = sorted(
        (r for i in ledger.incident_ids() for r in ledger.events(i, known_at=known_at)),
        key=lambda r: r.sequence,
    )
    with atomic_file(Path(path), what="events file") as out:
        for record in records:
            out.write(event_text(record.event).encode("utf-8") + b"\n")
            count += 1
    return count
