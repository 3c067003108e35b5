"""
Readable text for people: an incident's state and its recorded history.

Pure functions from domain values to strings; the command line prints them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from incidents._domain.events import (
    AircraftReported,
    Correction,
    Event,
    IncidentOpened,
    InterceptReported,
    PatrolReported,
    Recorded,
    Retraction,
    SourceRegistered,
    StatementIssued,
)
from incidents._domain.state import Incident

__all__ = ["describe_event", "render_history", "render_incident", "short_id", "stamp"]


def short_id(value: UUID) -> str:
    """
    The first eight hex digits of an id, enough to tell events apart on screen.

    Args:
        value: A UUID.

    Returns:
        e.g. ``"3f2a9c1b"``.
    """
    return value.hex[:8]


def stamp(value: datetime | None) -> str:
    """
    A recording time for people: UTC to the second.

    Args:
        value: An aware datetime or ``None``.

    Returns:
        e.g. ``"2024-07-25 12:00:00Z"``, or ``"-"``.
    """
    if value is None:
        return "-"
    return value.strftime("%Y-%m-%d %H:%M:%SZ")


def _interceptors(event: InterceptReported) -> str:
    parts = []
    for i in event.interceptors:
        what = " ".join(
            p for p in (str(i.count) if i.count else "", i.type_designation or "fighters") if p
        )
        parts.append(f"{what} ({i.nation})")
    return ", ".join(parts)


def describe_event(event: Event, names: Mapping[UUID, str] | None = None) -> str:
    """
    One line saying what an event records.

    Args:
        event: Any event.
        names: Short names for ids the event refers to (aircraft, targets).

    Returns:
        e.g. ``"2 x H-6 (CN), bomber"``.
    """
    names = names or {}

    def name(ref: UUID) -> str:
        return names.get(ref, short_id(ref))

    if isinstance(event, IncidentOpened):
        return f'opened "{event.title}"' + (f" ({event.region})" if event.region else "")
    if isinstance(event, SourceRegistered):
        kind = event.kind.value.replace("_", " ")
        cites = f", citing {name(event.cites)}" if event.cites else ""
        return (
            f"source {event.publisher} ({kind}) "
            f"[{event.reliability.value}{event.credibility.value}]{cites}"
        )
    if isinstance(event, AircraftReported):
        role = f", {event.role}" if event.role else ""
        return f"{event.count} x {event.type_designation} ({event.nation}){role}"
    if isinstance(event, PatrolReported):
        joint = "joint patrol" if event.joint else "patrol"
        areas = f" over {', '.join(event.areas)}" if event.areas else ""
        return f"{joint} by {'/'.join(event.nations)}{areas}"
    if isinstance(event, InterceptReported):
        return f"intercepted by {_interceptors(event)}"
    if isinstance(event, StatementIssued):
        claims = "; ".join(f"{c.stance.value} {c.topic}" for c in event.claims)
        return f"{event.speaker.describe()} ({event.medium})" + (f": {claims}" if claims else "")
    if isinstance(event, Correction):
        changed = ", ".join(f"{k} -> {_value(v)}" for k, v in event.changes.items())
        return f"corrects {name(event.target_id)}: {changed} ({event.reason})"
    if isinstance(event, Retraction):
        return f"retracts {name(event.target_id)} ({event.reason})"
    return event.TYPE  # pragma: no cover - the vocabulary is closed


def _value(value: Any) -> str:
    if isinstance(value, dict):
        if "name" in value or "organization" in value:
            return ", ".join(
                str(value[k]) for k in ("name", "role", "organization") if value.get(k)
            )
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def render_incident(incident: Incident) -> str:
    """
    The incident's current state as text.

    Args:
        incident: A folded incident.

    Returns:
        Several lines: title, aircraft, patrols, intercepts, statements, sources.
    """
    lines = [f"{incident.title}", f"  incident {incident.id}"]
    if incident.region:
        lines.append(f"  region: {incident.region}")
    if incident.summary:
        lines.append(f"  {incident.summary}")
    sources = {s.id: s for s in incident.sources}

    def cite(source_id: UUID) -> str:
        s = sources.get(source_id)
        return s.publisher if s else short_id(source_id)

    def mark(corrections: Sequence[UUID]) -> str:
        return f" [corrected x{len(corrections)}]" if corrections else ""

    lines.append(f"Aircraft ({incident.aircraft_count}):")
    for a in incident.aircraft:
        lines.append(
            f"  {a.count} x {a.type_designation} ({a.nation})"
            f"{', ' + a.role if a.role else ''} - {a.valid_time.describe()} - {cite(a.source_id)}{mark(a.corrections)}"
        )
    lines.append(f"Patrols ({len(incident.patrols)}):")
    for p in incident.patrols:
        joint = "joint " if p.joint else ""
        lines.append(
            f"  {joint}patrol by {'/'.join(p.nations)} over {', '.join(p.areas) or '?'}"
            f" - {p.valid_time.describe()} - {cite(p.source_id)}{mark(p.corrections)}"
        )
        if p.purpose:
            lines.append(f"    purpose: {p.purpose}")
    lines.append(f"Intercepts ({len(incident.intercepts)}):")
    for i in incident.intercepts:
        who = ", ".join(
            f"{n.count or ''} {n.type_designation or 'fighters'} ({n.nation})".strip()
            for n in i.interceptors
        )
        lines.append(
            f"  by {who} - {i.valid_time.describe()} - {cite(i.source_id)}{mark(i.corrections)}"
        )
    lines.append(f"Statements ({len(incident.statements)}):")
    for s in incident.statements:
        lines.append(
            f"  {s.speaker.describe()} ({s.medium}) - {s.valid_time.describe()} - {cite(s.source_id)}{mark(s.corrections)}"
        )
        for q in s.quotes:
            lines.append(f'    "{q}"')
        for c in s.claims:
            lines.append(f"    {c.stance.value} {c.topic}: {c.text}")
    lines.append(f"Sources ({len(incident.sources)}):")
    for src in incident.sources:
        cites = f", citing {cite(src.cites)}" if src.cites else ""
        lines.append(f"  {src.describe()}{cites}")
    if incident.retracted:
        lines.append(f"Retracted: {', '.join(short_id(r) for r in incident.retracted)}")
    return "\n".join(lines)


def render_history(records: Iterable[Recorded]) -> str:
    """
    The recorded history as text: who recorded what, when, from which source.

    Args:
        records: Recorded events of one incident, in recording order.

    Returns:
        One line per event (corrections show old and new values).
    """
    ordered = list(records)
    events = {r.event_id: r.event for r in ordered}
    sources = {
        r.event_id: r.event.publisher for r in ordered if isinstance(r.event, SourceRegistered)
    }
    names = {r.event_id: f"#{r.position} {r.type}" for r in ordered}
    lines = []
    for r in ordered:
        text = describe_event(r.event, names)
        if isinstance(r.event, Correction) and r.event.target_id in events:
            target = events[r.event.target_id]
            was = ", ".join(f"{k} was {_value(_current(target, k))}" for k in r.event.changes)
            text += f" [{was}]"
        source = sources.get(r.source_id, short_id(r.source_id))
        lines.append(
            f"#{r.position:<3} {stamp(r.recorded_at)}  {r.recorder}  {r.type:<18} {text}  <- {source}"
        )
    return "\n".join(lines)


def _current(event: Event, field: str) -> Any:
    from incidents._domain.convert import converter

    return converter.unstructure(getattr(event, field, None))
