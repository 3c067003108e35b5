"""
Events to record, read from JSON, TOML or command-line flags, through the ledger's own codec.

A batch is JSON or TOML. In JSON: one event object, a list of them, or an
object with ``"events"`` (a list) and, optionally, the ``"incident_id"`` and
``"source_id"`` that events giving none take. In TOML: the same object,
events as ``[[events]]`` tables. Each event is what the codec writes
(``incidents events --json`` shows it) with ``"type"`` naming its kind
(``"aircraft-reported"``), and two conveniences:

* ``"valid_time"`` may be given the way a person says it:
  ``{"day": "2024-07-24", "tz": "America/Anchorage"}``, ``{"hour": T}``,
  ``{"minute": T}``, ``{"instant": T}`` (``T`` ISO-8601 with an offset,
  whose zone is kept), ``{"between": [T, T]}`` or ``"unknown"``; each may
  carry ``"wording"``, the source's own words. The codec's own form
  (``earliest``, ``latest``, ``precision``...) is taken too.
* a recorded event as ``incidents events --json`` prints it stands for its
  event: the facts of one ledger can be recorded into another (recorded
  anew: new recording times, the same ids).
* ``"ref": "norad"`` names an event of the batch so that others point at
  it with ``"@norad"`` in any of their fields (``source_id``,
  ``target_id``, ``cites``...): the event gets a new id, which for a source
  is its ``source_id`` and for an opening its ``incident_id`` too.

Each event is then decoded by :func:`incidents._codec.canonical.decode_event`,
with every check the API makes of an event; the batch's checks (that sources
and targets exist) are the ledger's when it records. Every bad event is
reported, naming its place in the batch, its type and the field.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from incidents._codec.canonical import decode_event
from incidents._domain.convert import converter
from incidents._domain.events import EVENT_TYPES, Event, IncidentOpened, SourceRegistered
from incidents._domain.time import ValidTime
from incidents._errors import InvalidInputError

__all__ = ["ALIASES", "BatchError", "events_from", "parse_document", "parse_value"]


class BatchError(InvalidInputError):
    """
    A batch with bad events: every problem, one per bad field or event.

    Args:
        summary: What is wrong, in one line.
        problems: Each problem, naming the event's place, its type and the field.
    """

    def __init__(self, summary: str, problems: Sequence[str]) -> None:
        super().__init__("\n  ".join([summary, *problems]))
        self.summary = summary
        self.problems = tuple(problems)


ALIASES = {
    "incident": IncidentOpened.TYPE,
    "source": SourceRegistered.TYPE,
    "aircraft": "aircraft-reported",
    "patrol": "patrol-reported",
    "intercept": "intercept-reported",
    "statement": "statement-issued",
    "assessment": "assessment-made",
    "reconciliation": "reports-reconciled",
    "correction": "correction",
    "retraction": "retraction",
}
"""Short names of event types for ``incidents record --type``."""

_TIME_KEYS = ("day", "hour", "minute", "instant", "between")


def parse_document(text: str, form: str, where: str) -> Any:
    """
    Parse a batch's text as JSON or TOML.

    Args:
        text: The text.
        form: ``"json"`` or ``"toml"``.
        where: How to name it in an error (the file, or standard input).

    Returns:
        The parsed document.

    Raises:
        InvalidInputError: If it is not JSON or TOML.
    """
    try:
        if form == "toml":
            return tomllib.loads(text)
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidInputError(f"{where} is not {form.upper()}: {exc}") from None


def parse_value(text: str) -> Any:
    """
    A value given on the command line: JSON if it reads as JSON, else the text itself.

    ``2`` is a number, ``true`` a boolean, ``["a", "b"]`` a list; ``H-6`` and
    ``Zhang Xiaogang`` are text.

    Args:
        text: What followed ``FIELD=``.

    Returns:
        The value.
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def _valid_time(value: Any, where: str) -> Any:
    """The codec's form of a valid time given the way a person says it (or as the codec has it)."""
    if value == "unknown":
        return converter.unstructure(ValidTime.unknown())
    if not isinstance(value, Mapping):
        return value
    keys = [k for k in _TIME_KEYS if k in value]
    if value.get("unknown") is True:
        keys.append("unknown")
    if not keys:
        return value  # the codec's own form, checked by the codec
    if len(keys) > 1:
        raise InvalidInputError(f"{where}: give one of {', '.join(keys)}, not several")
    (key,) = keys
    wording = value.get("wording")
    allowed = {key, "wording", *(("tz",) if key == "day" else ())}
    extra = sorted(set(value) - allowed)
    if extra:
        raise InvalidInputError(f"{where}: unexpected {', '.join(extra)} beside {key!r}")
    try:
        if key == "unknown":
            made = ValidTime.unknown(wording=wording)
        elif key == "day":
            if "tz" not in value:
                raise InvalidInputError(
                    "a day needs the time zone whose day it is: tz, e.g. 'America/Anchorage'"
                )
            made = ValidTime.day(value["day"], tz=value["tz"], wording=wording)
        elif key == "between":
            bounds = value["between"]
            if not isinstance(bounds, Sequence) or isinstance(bounds, str) or len(bounds) != 2:
                raise InvalidInputError("between takes two times: [start, end]")
            start, end = (_instant(b, "between") for b in bounds)
            made = ValidTime.span(start, end, wording=wording)
        else:
            at = _instant(value[key], key)
            made = getattr(ValidTime, key)(at, wording=wording)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None
    return converter.unstructure(made)


def _instant(value: Any, key: str) -> datetime:
    parsed: datetime | None = None
    if isinstance(value, datetime):  # TOML has date-times of its own
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidInputError(
            f"{key} {value!r} is not an ISO-8601 date-time with an offset "
            "(e.g. 2024-07-24T20:05+09:00)"
        )
    return parsed


def _replace_refs(value: Any, refs: Mapping[str, str], where: str, problems: list[str]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        name = value[1:]
        if name not in refs:
            known = ", ".join(f"@{r}" for r in refs) or "none"
            problems.append(
                f"{where}: {value!r} names no event of the batch (events named with ref: {known})"
            )
            return "00000000-0000-0000-0000-000000000000"  # in its place, to go on checking
        return refs[name]
    if isinstance(value, Mapping):
        return {
            k: _replace_refs(v, refs, f"{where}.{k}" if where else k, problems)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_replace_refs(v, refs, f"{where}[{n}]", problems) for n, v in enumerate(value)]
    return value


def _plain(value: Any) -> Any:
    """TOML's own dates and times as the ISO text JSON would give."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):  # a TOML date or time
        return value.isoformat()
    return value


def events_from(
    document: Any, *, incident: UUID | None = None, source: UUID | None = None
) -> list[Event]:
    """
    The events of a batch document, each decoded and checked by the codec.

    Args:
        document: Parsed JSON or TOML: an event, a list of events, or an
            object with ``events`` (and the defaults ``incident_id`` and ``source_id``).
        incident: The incident of events that name none (``--incident``).
        source: The source of events that name none (``--source``).

    Returns:
        The events, in the batch's order.

    Raises:
        InvalidInputError: Naming every bad event, its place, its type and the field.
    """
    defaults: dict[str, Any] = {}
    if incident is not None:
        defaults["incident_id"] = str(incident)
    if source is not None:
        defaults["source_id"] = str(source)
    if isinstance(document, Mapping) and "events" in document:
        extra = sorted(set(document) - {"events", "incident_id", "source_id"})
        if extra:
            raise InvalidInputError(
                f"unexpected {', '.join(extra)} beside events: a batch has events, "
                "and may have incident_id and source_id for the events that give none"
            )
        for key in ("incident_id", "source_id"):
            if key in document:
                defaults[key] = document[key]
        items = document["events"]
        if not isinstance(items, list):
            raise InvalidInputError("events must be a list of events")
        label = "events"
    elif isinstance(document, list):
        items, label = document, "events"
    elif isinstance(document, Mapping):
        items, label = [document], "event"
    else:
        raise InvalidInputError(
            "a batch is an event (an object with a type), a list of them, or an object with events"
        )
    if not items:
        raise InvalidInputError("the batch has no events")
    refs: dict[str, str] = {}
    places = [f"{label}[{n}]" if label == "events" else "the event" for n in range(len(items))]
    for place, item in zip(places, items, strict=True):
        if isinstance(item, Mapping) and "ref" in item:
            name = item["ref"]
            if not isinstance(name, str) or not name or name in refs:
                raise InvalidInputError(f"{place}: ref must be a name used once, got {name!r}")
            refs[name] = str(uuid4())
    problems: list[str] = []
    found: list[Event] = []
    bad = 0
    for place, item in zip(places, items, strict=True):
        mine: list[str] = []
        event = _event(item, place, defaults, refs, mine)
        if mine:
            bad += 1
            problems.extend(mine)
        elif event is not None:
            found.append(event)
    if problems:
        count = f"{bad} of {len(items)} events are" if len(items) > 1 else "the event is"
        raise BatchError(f"nothing recorded: {count} not valid", problems)
    return found


def _event(
    item: Any,
    place: str,
    defaults: Mapping[str, Any],
    refs: Mapping[str, str],
    problems: list[str],
) -> Event | None:
    """The event of one item of a batch, or None with what is wrong with it in *problems*."""
    if not isinstance(item, Mapping):
        problems.append(f"{place}: an event is an object with a type, got {item!r:.60}")
        return None
    if isinstance(item.get("event"), Mapping) and "recorded_at" in item:
        item = item["event"]  # a recorded event, as `incidents events --json` prints it: its fact
    data = dict(_plain(item))
    kind = data.get("type")
    kind = ALIASES.get(kind, kind) if isinstance(kind, str) else kind
    if kind not in EVENT_TYPES:
        known = ", ".join(sorted(EVENT_TYPES))
        problems.append(f"{place}: type {kind!r} is not an event type (one of {known})")
        return None
    data["type"] = kind
    place = f"{place} ({kind})"
    name = data.pop("ref", None)
    if name is not None:
        own = refs[name]
        data.setdefault("event_id", own)
        if kind == SourceRegistered.TYPE:
            data.setdefault("source_id", own)
        if kind == IncidentOpened.TYPE:
            data.setdefault("incident_id", own)
    if kind == SourceRegistered.TYPE and "event_id" in data:
        data.setdefault("source_id", data["event_id"])  # a source's id is its event's
    for key, value in defaults.items():
        if not (key == "source_id" and kind == SourceRegistered.TYPE):  # a new source's own
            data.setdefault(key, value)
    if "valid_time" in data:
        try:
            data["valid_time"] = _valid_time(data["valid_time"], "valid_time")
        except InvalidInputError as exc:
            problems.append(f"{place}: {exc}")
            # An unknown time in its place, to report the other fields' problems too.
            data["valid_time"] = _valid_time("unknown", "valid_time")
    ref_problems: list[str] = []
    data = _replace_refs(data, refs, "", ref_problems)
    problems.extend(f"{place}: {p}" for p in ref_problems)
    try:
        event = decode_event(json.dumps(data))
    except InvalidInputError as exc:
        problems.append(f"{place}: {_field_message(str(exc))}")
        return None
    return None if problems else event


_STRUCTURING = re.compile(r" ?\(Structuring class \w+ @ attribute (\w+)\)")
_MISSING = re.compile(r"^'(\w+)'$")
_EXTRA = re.compile(r"^Extra fields in constructor for \w+: (.+)$")


def _field_message(message: str) -> str:
    """
    The codec's message in the words of a batch: each problem with the field it is about.

    ``count must be ... (Structuring class AircraftReported @ attribute count)``
    becomes ``count: count must be ...``; a missing field ``'valid_time'``
    becomes ``valid_time: missing``; extra fields are called unexpected.
    """
    parts = []
    for part in message.removeprefix("invalid Event: ").split("; "):
        fields = _STRUCTURING.findall(part)
        text = _STRUCTURING.sub("", part).strip()
        missing = _MISSING.match(text)
        extra = _EXTRA.match(text)
        if missing:
            text = "missing"
        elif extra:
            text = f"unexpected field {extra.group(1)}"
        path = ".".join(reversed(fields))
        parts.append(f"{path}: {text}" if path else text)
    return "; ".join(parts)
