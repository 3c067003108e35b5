"""
The words used to show values to people: one place for how a fact, a source or a value is named.

Pure functions from domain values to strings. The command line prints them;
the built-in projections keep some of them in their states (so what they
return is part of those states' digests: change one only with the
projection's version); history and diff use them to show what changed.

Some things are named more than one way, each for a place:

* a source: :func:`table_source_label` (``"NORAD [B2]"``, a table column:
  the publisher's acronym and the grade) and :func:`history_source_label`
  (``"NORAD (press release) [B2]"``, a line of a history: the publisher in
  full, the kind and the grade);
* a field's value: :func:`field_text` (a value as an event holds it:
  ``None`` is ``"(none)"``, tuples are joined with commas) and
  :func:`show_value` (a value in serialized JSON form, as history and diff
  hold it: ``None`` is ``"-"``, lists are bracketed).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._domain.convert import converter
from incidents._domain.events import (
    AircraftReported,
    AirspaceViolationAlleged,
    AssessmentMade,
    Claim,
    Correction,
    Count,
    DiplomaticProtest,
    Event,
    FlightDurationReported,
    IncidentLinked,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    LandingReported,
    LinkRelation,
    PatrolReported,
    ProtestKind,
    Recorded,
    ReportsReconciled,
    Retraction,
    SeriesAssigned,
    SourceRegistered,
    Speaker,
    StatementIssued,
    WarningShotsReported,
    ZoneEntryReported,
)
from incidents._domain.geo import Location
from incidents._domain.state import (
    AircraftGroup,
    AirspaceViolation,
    FlightDuration,
    Incident,
    IncidentLink,
    Landing,
    Protest,
    SeriesMembership,
    Source,
    WarningShots,
    ZoneEntry,
)
from incidents._domain.time import ValidTime
from incidents._errors import InvalidInputError

__all__ = [
    "describe_duration",
    "describe_event",
    "display_width",
    "pad",
    "describe_fact",
    "describe_group",
    "describe_new_fact",
    "describe_statement",
    "fact_name",
    "field_text",
    "history_source_label",
    "join_and",
    "old_values",
    "render_history",
    "render_incident",
    "short_id",
    "show_value",
    "stamp",
    "table_source_label",
]

# -- ids and recording times ---------------------------------------------------------------


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


def display_width(text: str) -> int:
    """
    How many columns of a terminal *text* takes: wide (CJK) characters two, combining marks none.

    Args:
        text: One line of text.

    Returns:
        e.g. 20 for ``"中华人民共和国国防部"``, 5 for ``"NORAD"``.
    """
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200b\u200c\u200d":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """
    *text* padded with spaces to *width* terminal columns (:func:`display_width`).

    Args:
        text: One line of text.
        width: The columns it should fill.

    Returns:
        The text and the spaces after it.
    """
    return text + " " * max(0, width - display_width(text))


# -- facts in words ---------------------------------------------------------------------------


def _location(location: Location | None) -> str:
    if location is None:
        return ""
    if location.name:
        return location.name
    if location.position is not None:
        p = location.position
        return f"{abs(p.lat):.2f}{'N' if p.lat >= 0 else 'S'} {abs(p.lon):.2f}{'E' if p.lon >= 0 else 'W'}"
    assert location.geometry is not None
    return f"a {location.geometry.geom_type.lower()}"


def _interceptors(interceptors: Sequence[Interceptor]) -> str:
    """Interceptors in a sentence: ``"2 F-16 (US) and fighters of CA"``."""
    parts = []
    for i in interceptors:
        what = " ".join(p for p in (str(i.count) if i.count else "", i.type_designation or "") if p)
        parts.append(f"{what} ({i.nation})" if what else f"fighters of {i.nation}")
    return join_and(parts)


def join_and(parts: Sequence[str]) -> str:
    """
    Words joined as in a sentence: ``"a"``, ``"a and b"``, ``"a, b and c"``.

    Args:
        parts: The words.

    Returns:
        The words joined.
    """
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _claims(claims: Sequence[Claim]) -> str:
    by_stance: dict[str, list[str]] = {}
    for claim in claims:
        what = claim.topic if claim.proposition is None else claim.proposition.describe()
        by_stance.setdefault(claim.stance.value, []).append(what)
    return "; ".join(f"{stance} {', '.join(topics)}" for stance, topics in by_stance.items())


def fact_name(event: Event) -> str:
    """
    A short name for a fact other facts refer to, e.g. ``"2 x H-6 (CN)"``.

    Args:
        event: Any event.

    Returns:
        A few words.
    """
    if isinstance(event, AircraftReported):
        return f"{event.count} x {event.type_designation} ({event.nation})"
    if isinstance(event, PatrolReported):
        return f"{'joint ' if event.joint else ''}patrol by {'/'.join(event.nations)}"
    return event.TYPE


def describe_fact(event: Event) -> str:
    """
    What a fact reports, in one sentence without its time or source.

    Args:
        event: Any event.

    Returns:
        e.g. ``"2 x H-6 (CN), bomber, in Alaska ADIZ"``.
    """
    if isinstance(event, AircraftReported):
        extras = [x for x in (event.role, event.operator) if x]
        where = _location(event.location)
        return ", ".join([fact_name(event), *extras]) + (f", in {where}" if where else "")
    if isinstance(event, PatrolReported):
        text = f"{'joint ' if event.joint else ''}patrol by {join_and(list(event.nations))}"
        if event.areas:
            text += f" over {join_and(list(event.areas))}"
        where = _location(event.location)
        if where:
            text += f", {where}"
        if event.purpose:
            text += f'; declared purpose: "{event.purpose}"'
        return text
    if isinstance(event, InterceptReported):
        where = _location(event.location)
        return f"intercepted by {_interceptors(event.interceptors)}" + (
            f" in {where}" if where else ""
        )
    if isinstance(event, StatementIssued):
        return describe_statement(event, publisher=None)
    if isinstance(event, SourceRegistered):
        kind = event.kind.value.replace("_", " ")
        title = f': "{event.title}"' if event.title else ""
        return f"{event.publisher} published a {kind}{title}"
    if isinstance(event, IncidentOpened):
        return f'opened "{event.title}"'
    if isinstance(event, AssessmentMade):
        return f"assessed {_grade(event)}: {event.reasoning}"
    if isinstance(event, ReportsReconciled):
        return f"{len(event.reports)} aircraft reports {_reconciled(event.same)}"
    found = describe_new_fact(event)
    return event.TYPE if found is None else found


def describe_duration(minutes: Count) -> str:
    """
    A duration in minutes, in words: ``"5 h"``, ``"at least 5 h"``, ``"4 h 30 min to 5 h"``.

    Args:
        minutes: The duration as a count of minutes.

    Returns:
        The duration in hours and minutes.
    """

    def hours(n: int) -> str:
        h, m = divmod(n, 60)
        return " ".join(p for p in (f"{h} h" if h else "", f"{m} min" if m else "") if p)

    if minutes.is_exact:
        return hours(minutes.low)
    if minutes.is_unknown:
        return "of unknown length"
    if minutes.high is None:
        return f"at least {hours(minutes.low)}"
    return f"{hours(minutes.low)} to {hours(minutes.high)}"


_PROTEST_VERBS = {
    ProtestKind.PROTEST: "protested to",
    ProtestKind.SUMMONS: "summoned a diplomat of",
    ProtestKind.DEMARCHE: "delivered a demarche to",
}

_RELATIONS = {LinkRelation.SAME_EVENT: "the same event as", LinkRelation.RELATED: "related to"}


def _times(event: ZoneEntryReported | ZoneEntry) -> str:
    parts = []
    if event.entered_at is not None:
        parts.append(f"entered {stamp(event.entered_at)}")
    if event.left_at is not None:
        parts.append(f"left {stamp(event.left_at)}")
    return f" ({', '.join(parts)})" if parts else ""


def _shots(event: WarningShotsReported | WarningShots) -> str:
    def figure(count: Count, what: str) -> str:
        if count.is_unknown:
            return f"{what} (number not given)"
        about = "about " if event.approximate and count.is_exact else ""
        return f"{about}{count.describe()} {what}"

    parts = []
    if event.warning_flares is not None:
        parts.append(figure(event.warning_flares, "flares"))
    if event.rounds is not None:
        calibre = f" of {event.calibre}" if event.calibre else ""
        parts.append(figure(event.rounds, "rounds") + calibre)
    return join_and(parts) if parts else "figures not given"


def describe_new_fact(event: Event | object) -> str | None:
    """
    A zone entry, violation, warning shots, protest, landing, duration, series or link in words.

    Args:
        event: Any event, or the folded state of one of these facts
            (:class:`~incidents.ZoneEntry`...), which has the same fields.

    Returns:
        One sentence without time or source, or ``None`` for other kinds of event.
    """
    if isinstance(event, ZoneEntryReported | ZoneEntry):
        where = _location(event.location)
        return f"aircraft of {event.nation} entered {event.zone}{_times(event)}" + (
            f", {where}" if where and where != event.zone else ""
        )
    if isinstance(event, AirspaceViolationAlleged | AirspaceViolation):
        text = (
            f"{event.alleged_by} alleges aircraft of {event.nation} violated "
            f"{event.airspace}'s airspace"
        )
        details = []
        if event.entries is not None:
            details.append(
                "entries not counted"
                if event.entries.is_unknown
                else f"{event.entries.describe()} time{'' if event.entries == 1 else 's'}"
            )
        if event.over:
            details.append(f"over {event.over}")
        return text + (f" ({', '.join(details)})" if details else "")
    if isinstance(event, WarningShotsReported | WarningShots):
        who = f"{event.by}" + (f" {'/'.join(event.shooter_types)}" if event.shooter_types else "")
        at = f" at aircraft of {event.at}" if event.at else ""
        return f"warning shots by {who}{at}: {_shots(event)}"
    if isinstance(event, DiplomaticProtest | Protest):
        summoned = f" ({event.summoned})" if event.summoned else ""
        return f"{event.by} {_PROTEST_VERBS[event.kind]} {event.to}{summoned}: {event.about}"
    if isinstance(event, LandingReported | Landing):
        where = _location(event.location)
        return (
            f"aircraft of {event.nation} landed at {event.airfield} ({event.airfield_nation})"
            + (f", {where}" if where and where != event.airfield else "")
        )
    if isinstance(event, FlightDurationReported | FlightDuration):
        words = f' ("{event.wording}")' if event.wording else ""
        return f"flight lasted {describe_duration(event.minutes)}{words}"
    if isinstance(event, SeriesAssigned | SeriesMembership):
        number = f" no. {event.number}" if event.number is not None else ""
        return f"{event.series}{number}"
    if isinstance(event, IncidentLinked | IncidentLink):
        return f"{_RELATIONS[event.relation]} incident {short_id(event.other_incident)}: {event.reason}"
    return None


def _grade(event: AssessmentMade) -> str:
    """An assessment's grade in words: ``"doubtful (4)"``."""
    return f"{event.credibility.meaning} ({event.credibility.value})"


def _reconciled(same: bool) -> str:
    return "describe the same aircraft" if same else "describe distinct aircraft"


_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,11})\)\s*$")


def _looks_like_acronym(text: str) -> bool:
    """
    Whether *text* reads as an acronym: mostly capitals, at least two of them.

    ``NORAD``, ``MND``, ``JASDF``, ``MoD``, ``DoD``, ``ROK-JCS`` and ``PLAAF``
    do; a name such as ``Shoigu`` or ``McCarthy`` does not, nor does a word
    in capitals after one lower-case letter.
    """
    letters = [c for c in text if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return (
        capitals >= 2 and capitals * 2 >= len(letters) and "aaa" not in re.sub(r"[a-z]", "a", text)
    )


def _acronym(name: str) -> str:
    """
    The acronym a name ends with, as in ``"Ministry of National Defense (MND)"``, or the name.

    A trailing parenthesis that is not an acronym is part of the name:
    ``"Ministry of Defence of the Russian Federation (Shoigu)"`` stays whole.
    """
    found = _ACRONYM.search(name)
    return found.group(1) if found and _looks_like_acronym(found.group(1)) else name


def describe_statement(event: StatementIssued, *, publisher: str | None) -> str:
    """
    Who said it and what it claims; the organization is left out when it is the source.

    Args:
        event: The statement.
        publisher: The publisher of the statement's source, if known.

    Returns:
        e.g. ``"Zhang Xiaogang, spokesman (statement): denies violated-foreign-airspace"``.
    """
    speaker = event.speaker
    organization = speaker.organization
    if organization is not None and speaker.name is not None and organization == publisher:
        organization = None
    who = ", ".join(
        p for p in (speaker.name, speaker.role, organization and _acronym(organization)) if p
    )
    claims = _claims(event.claims)
    return f"{who} ({event.medium})" + (f": {claims}" if claims else "")


# -- sources ----------------------------------------------------------------------------------


def table_source_label(event: SourceRegistered) -> str:
    """
    A source as a table column shows it: its publisher (or the acronym it gives) and grade.

    The timeline and the views keep it in their states.

    Args:
        event: The source's registration.

    Returns:
        e.g. ``"NORAD [B2]"``.
    """
    return f"{_acronym(event.publisher)} [{event.reliability.value}{event.credibility.value}]"


def history_source_label(source: Source) -> str:
    """
    A source as a line of history shows it: publisher, kind and Admiralty grade.

    Args:
        source: The source.

    Returns:
        e.g. ``"RIA Novosti (news article) [C3]"``.
    """
    kind = source.kind.value.replace("_", " ")
    return f"{source.publisher} ({kind}) [{source.reliability.value}{source.credibility.value}]"


# -- values ----------------------------------------------------------------------------------


def field_text(value: Any) -> str:
    """
    A field's value as an event holds it, in words (the timeline's notes show old values so).

    Args:
        value: A field value: a speaker, valid time, location, claims,
            interceptors, a tuple, an enum member or a plain value.

    Returns:
        Short text; ``"(none)"`` for ``None`` or an empty tuple.
    """
    if isinstance(value, Speaker):
        return value.describe()
    if isinstance(value, ValidTime):
        return value.describe()
    if isinstance(value, Location):
        return _location(value)
    if isinstance(value, tuple) and value and isinstance(value[0], Claim):
        return _claims(value)
    if isinstance(value, tuple) and value and isinstance(value[0], Interceptor):
        return _interceptors(value)
    if isinstance(value, tuple):
        return ", ".join(field_text(v) for v in value) or "(none)"
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return str(value.value)
    return "(none)" if value is None else str(value)


def old_values(before: Event, after: Event) -> dict[str, str]:
    """
    What a correction changed: each changed field and its old value, in words.

    Args:
        before: The fact before.
        after: The fact after (same type).

    Returns:
        Field name to :func:`field_text` of its old value, in field order.
    """
    return {
        field.name: field_text(getattr(before, field.name))
        for field in attrs.fields(type(before))
        if getattr(before, field.name) != getattr(after, field.name)
    }


def show_value(value: Any) -> str:
    """
    A field value in serialized form, for people (history and diff show values so).

    Valid times, speakers and locations are described as the library
    describes them elsewhere; lists are joined; ``None`` is ``-``.

    Args:
        value: A JSON-ready value.

    Returns:
        Short text.
    """
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        count = _count(value)
        if count is not None:
            return str(count)
        if "precision" in value:
            try:
                return converter.structure(value, ValidTime).describe()
            except Exception:  # not a valid time after all: show it raw
                pass
        if {"name", "role", "organization"} >= set(value) and value:
            parts = [str(value[k]) for k in ("name", "role", "organization") if value.get(k)]
            return ", ".join(parts) or "-"
        if "geometry" in value and "position" in value:
            if value.get("name"):
                return str(value["name"])
            return "position" if value.get("position") else "geometry"
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    return str(value)


# -- events, incidents and histories ---------------------------------------------------------


def _interceptor_list(event: InterceptReported) -> str:
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
        cites = f", citing {join_and([name(c) for c in event.cites])}" if event.cites else ""
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
        return f"intercepted by {_interceptor_list(event)}"
    if isinstance(event, StatementIssued):
        claims = "; ".join(c.describe() for c in event.claims)
        return f"{event.speaker.describe()} ({event.medium})" + (f": {claims}" if claims else "")
    if isinstance(event, AssessmentMade):
        claim = f" claim {short_id(event.claim_id)} of" if event.claim_id else ""
        cites = f", citing {', '.join(name(c) for c in event.citations)}" if event.citations else ""
        return (
            f"assesses{claim} {name(event.target_id)}: {_grade(event)}{cites} ({event.reasoning})"
        )
    if isinstance(event, ReportsReconciled):
        reports = join_and([name(r) for r in event.reports])
        return f"{reports} {_reconciled(event.same)} ({event.reason})"
    found = describe_new_fact(event)
    if found is not None:
        refs = event.references()
        return found + (f" [{join_and([name(r) for r in refs])}]" if refs else "")
    if isinstance(event, Correction):
        changed = ", ".join(f"{k} -> {_value(v)}" for k, v in event.changes.items())
        return f"corrects {name(event.target_id)}: {changed} ({event.reason})"
    if isinstance(event, Retraction):
        return f"retracts {name(event.target_id)} ({event.reason})"
    return event.TYPE  # pragma: no cover - the vocabulary is closed


def _count(value: dict[str, Any]) -> Count | None:
    """The count a serialized value stands for (``{"low": 2}`` is ``2+``), if it is one."""
    if not value or not set(value) <= {"low", "high"}:
        return None
    try:
        return converter.structure(value, Count)
    except InvalidInputError:
        return None


def _value(value: Any) -> str:
    """A corrected value as ``describe_event`` and ``render_history`` show it (``None`` is ``"None"``)."""
    if isinstance(value, dict) and _count(value) is not None:
        return str(_count(value))
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

    aircraft = {a.id: a for a in incident.aircraft}
    lines.append(f"Aircraft ({incident.aircraft_count}):")
    for group in incident.aircraft_groups:
        lines.append(f"  {describe_group(group)}")
        for report_id in group.reports:
            a = aircraft[report_id]
            lines.append(
                f"    {a.count} x {a.type_designation} ({a.nation})"
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
            lines.append(f"    {c.describe()}: {c.text}")
    if incident.reconciliations:
        lines.append(f"Reconciliations ({len(incident.reconciliations)}):")
    for r in incident.reconciliations:
        reports = join_and(
            [
                f"{aircraft[i].count} x {aircraft[i].type_designation} ({aircraft[i].nation})"
                if i in aircraft
                else short_id(i)
                for i in r.reports
            ]
        )
        lines.append(
            f"  {reports} {_reconciled(r.same)} - {cite(r.source_id)}{mark(r.corrections)}"
        )
        lines.append(f"    {r.reason}")
    names = {a.id: f"{a.count} x {a.type_designation} ({a.nation})" for a in aircraft.values()}
    names.update({p.id: "patrol by " + "/".join(p.nations) for p in incident.patrols})
    for heading, facts in _new_facts(incident):
        if not facts:
            continue
        lines.append(f"{heading} ({len(facts)}):")
        for fact in facts:
            text = describe_new_fact(fact)
            refs = getattr(fact, "aircraft", ()) or getattr(fact, "of", ())
            if refs:
                text = f"{text} [{join_and([names.get(r, short_id(r)) for r in refs])}]"
            when = getattr(fact, "valid_time", None)
            dated = f" - {when.describe()}" if when is not None else ""
            lines.append(f"  {text}{dated} - {cite(fact.source_id)}{mark(fact.corrections)}")
    lines.append(f"Sources ({len(incident.sources)}):")
    for src in incident.sources:
        cites = f", citing {join_and([cite(c) for c in src.cites])}" if src.cites else ""
        shared = " (shared: the ledger-wide registry)" if src.shared else ""
        lines.append(f"  {src.describe()}{shared}{cites}")
    if incident.assessments:
        lines.append(f"Assessments ({len(incident.assessments)}):")
        for judged in incident.assessments:
            claim = f"claim {short_id(judged.claim_id)} of " if judged.claim_id else ""
            lines.append(
                f"  {claim}{short_id(judged.target_id)}: {judged.describe()} - "
                f"{cite(judged.source_id)}{mark(judged.corrections)}"
            )
    if incident.retracted:
        lines.append(f"Retracted: {', '.join(short_id(r) for r in incident.retracted)}")
    return "\n".join(lines)


def _new_facts(incident: Incident) -> list[tuple[str, tuple[Any, ...]]]:
    return [
        ("Zone entries", incident.zone_entries),
        ("Airspace violations alleged", incident.airspace_violations),
        ("Warning shots", incident.warning_shots),
        ("Protests", incident.protests),
        ("Landings", incident.landings),
        ("Flight durations", incident.flight_durations),
        ("Series", incident.series),
        ("Links", incident.links),
    ]


def describe_group(group: AircraftGroup) -> str:
    """
    A group of reports of the same aircraft: its reconciled figure, and what the reports say.

    Args:
        group: One of :attr:`incidents.Incident.aircraft_groups`.

    Returns:
        e.g. ``"2 x H-6 (CN), from 2 reports (H-6, H-6K)"``, or, when the
        reports give other numbers, ``"2 x H-6 (CN), from 2 reports
        (H-6, H-6K); the reports say 2 to 4"``.
    """
    reports = len(group.reports)
    text = (
        f"{group.figure} x {group.family} ({group.nation}), from {reports} "
        f"report{'s' if reports != 1 else ''} ({', '.join(group.designations)})"
    )
    if all(a.count.is_unknown for a in group.accounts):
        text += "; no report gives a number"
    elif group.span != Count.exact(group.figure):
        span = "at least 1" if group.span.is_unknown else group.span.describe()
        text += f"; the reports say {span}"
    return text


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
    return converter.unstructure(getattr(event, field, None))
