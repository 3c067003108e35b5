"""
The incident timeline: every dated fact in valid-time order, honestly dated.

A built-in projection (:class:`Timeline`) and its presentation
(:class:`IncidentTimeline`: a table for terminals, CSV and JSON). Each entry
shows its valid time with the precision the source gave (a day is printed as
that day in the source's time zone, never as midnight), what was reported,
the source it comes from with its Admiralty grade, and marks for entries that
were corrected or retracted, with the details in numbered notes. Analysts'
assessments stand beside what they judge: marked on the entry (or listed
below the table, for what has no entry), never changing it.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._codec.canonical import converter
from incidents._domain.events import (
    SOURCES_REGISTRY,
    AircraftReported,
    AirspaceViolationAlleged,
    AssessmentMade,
    Credibility,
    DiplomaticProtest,
    Event,
    FlightDurationReported,
    IncidentOpened,
    InterceptReported,
    LandingReported,
    PatrolReported,
    Recorded,
    SourceRegistered,
    StatementIssued,
    WarningShotsReported,
    ZoneEntryReported,
)
from incidents._domain.time import ValidTime
from incidents._domain.words import (
    describe_fact,
    describe_statement,
    display_width,
    fact_name,
    join_and,
    old_values,
    pad,
    table_source_label,
)
from incidents.projections._projection import (
    Change,
    ChangeKind,
    LedgerReads,
    Projection,
    State,
    handles,
)
from incidents.projections._run import live
from incidents.storage import to_micros

__all__ = [
    "IncidentTimeline",
    "Timeline",
    "TimelineAssessment",
    "TimelineEntry",
    "TimelineNote",
    "incident_timeline",
]

# -- the projection -------------------------------------------------------------------------------

_DATED = (
    AircraftReported,
    PatrolReported,
    InterceptReported,
    StatementIssued,
    ZoneEntryReported,
    AirspaceViolationAlleged,
    WarningShotsReported,
    DiplomaticProtest,
    LandingReported,
    FlightDurationReported,
)

# How an entry names the facts it refers to: "1 x A-50 (RU) intercepted by ...",
# "warning shots by KR ..., at 1 x A-50 (RU)", "patrol ..., with 2 x H-6 (CN)".
_REFS_AS: dict[type[Event], str] = {
    InterceptReported: "subject",
    WarningShotsReported: "at",
    FlightDurationReported: "of",
}


_REGISTRY_KEY = str(SOURCES_REGISTRY)
_TEXTS: dict[UUID, str] = {}
_TEXTS_SIZE = 4096


def _text(value: UUID) -> str:
    """``str(value)`` for ids that repeat (incidents, sources): remembered, as it costs."""
    found = _TEXTS.get(value)
    if found is None:
        if len(_TEXTS) >= _TEXTS_SIZE:
            _TEXTS.clear()
        found = _TEXTS[value] = str(value)
    return found


def assessment_document(change: Change[AssessmentMade]) -> dict[str, Any]:
    """
    What the projections keep of an assessment: its judgement and who made it, when.

    Args:
        change: The assessment as it stands.

    Returns:
        A JSON-ready document.
    """
    event = change.event
    return {
        "target": str(event.target_id),
        "claim": None if event.claim_id is None else str(event.claim_id),
        "credibility": event.credibility.value,
        "reasoning": event.reasoning,
        "source_id": str(event.source_id),
        "recorder": change.fact.recorder,
        "recorded_at": change.fact.recorded_at.isoformat(),
        "sequence": change.fact.sequence,
    }


def _when(valid_time: ValidTime) -> dict[str, Any]:
    """
    An entry's timing fields; remembered per valid time, as facts of an incident share a few.

    Equal valid times (every bound in UTC) give equal fields. The caller copies
    what it keeps (``order`` is a list).
    """
    found = _WHENS.get(valid_time)
    if found is None:
        if len(_WHENS) >= _WHENS_SIZE:
            _WHENS.clear()
        found = _WHENS[valid_time] = _timing(valid_time)
    return found


_WHENS: dict[ValidTime, dict[str, Any]] = {}
_WHENS_SIZE = 4096


def _timing(valid_time: ValidTime) -> dict[str, Any]:
    when = valid_time.describe()
    if valid_time.wording:  # kept apart: the table prints it on a line of its own
        when = when.removesuffix(f' "{valid_time.wording}"')
    earliest, latest = valid_time.earliest, valid_time.latest
    return {
        "when": when,
        "wording": valid_time.wording,
        "precision": valid_time.precision.value,
        "time_zone": valid_time.tz,
        "valid_from": None if earliest is None else earliest.isoformat(),
        "valid_to": None if latest is None else latest.isoformat(),
        "order": [0, to_micros(earliest), to_micros(latest)]
        if earliest is not None and latest is not None
        else [1, 0, 0],
    }


def _entry(event: Event, fact: Recorded, publishers: dict[str, str]) -> dict[str, Any]:
    if isinstance(event, SourceRegistered):
        assert event.published_at is not None
        timing = _when(ValidTime.instant(event.published_at))
        refs: tuple[UUID, ...] = ()
    else:
        assert isinstance(event, _DATED)
        timing = _when(event.valid_time)
        refs = event.references()
    what = (
        describe_statement(event, publisher=publishers.get(_text(event.source_id)))
        if isinstance(event, StatementIssued)
        else describe_fact(event)
    )
    return {
        "type": event.TYPE,
        "what": what,
        "refs": [str(r) for r in refs],
        "refs_as": _REFS_AS.get(type(event), "with"),
        "source_id": _text(event.source_id),
        "sequence": fact.sequence,
        "position": fact.position,
        "recorded_at": fact.recorded_at.isoformat(),
        **timing,
        "order": [*timing["order"]],  # each entry its own list
    }


class Timeline(Projection):
    """
    Every dated fact of every incident, in valid-time order, with its source and marks.
    """

    name = "timeline"
    version = (
        2  # 2: valid times in the source's zone at every precision; acronyms that look like one
    )

    @staticmethod
    def _incident(state: State, change: Change[Any]) -> dict[str, Any]:
        key = _text(change.incident_id)
        found: dict[str, Any] | None = state.get(key)
        if found is not None:
            return found
        found = state.setdefault(
            key,
            {
                "title": None,
                "region": None,
                "sources": {},
                "publishers": {},
                "names": {},
                "entries": {},
            },
        )
        return found

    @handles(IncidentOpened)
    def opened(self, state: State, change: Change[IncidentOpened]) -> None:
        """
        Keep the incident's title and region.
        """
        if change.added:
            incident = self._incident(state, change)
            incident["title"] = change.event.title
            incident["region"] = change.event.region

    @handles(SourceRegistered)
    def source(self, state: State, change: Change[SourceRegistered]) -> None:
        """
        Keep a label per source; sources with a publication time are dated facts too.
        """
        incident = self._incident(state, change)
        if change.added:
            incident["sources"][str(change.event_id)] = table_source_label(change.event)
            incident["publishers"][str(change.event_id)] = change.event.publisher
        if change.event.published_at is not None or change.kind is not ChangeKind.RECORDED:
            self._dated(incident, change)

    @handles(*_DATED)
    def fact(self, state: State, change: Change[Any]) -> None:
        """
        Add, correct or mark the entry of a dated fact.
        """
        incident = self._incident(state, change)
        if change.added and isinstance(change.event, AircraftReported | PatrolReported):
            incident["names"][str(change.event_id)] = fact_name(change.event)
        registry = state.get(_REGISTRY_KEY)
        if registry is not None and _text(change.event.source_id) in registry["publishers"]:
            # Cites a source of the registry: its publisher is kept there.
            publishers = {**registry["publishers"], **incident["publishers"]}
            self._dated({**incident, "publishers": publishers}, change)
            return
        self._dated(incident, change)

    @handles(AssessmentMade)
    def assessment(self, state: State, change: Change[AssessmentMade]) -> None:
        """
        Keep an assessment beside what it judges, while it stands.
        """
        # Only incidents with assessments hold the key: the states (and their
        # digests) of the others are what they were before assessments existed.
        assessments = self._incident(state, change).setdefault("assessments", {})
        key = str(change.event_id)
        if change.removed:
            del assessments[key]
            return
        assessments[key] = assessment_document(change)

    @staticmethod
    def _dated(incident: dict[str, Any], change: Change[Any]) -> None:
        entries = incident["entries"]
        key = str(change.event_id)
        current = entries.get(key)
        dated = not isinstance(change.event, SourceRegistered) or change.event.published_at
        if change.added:
            notes = current["notes"] if current else []
            if change.kind is ChangeKind.CORRECTED:
                assert change.previous is not None
                notes.append(Timeline._note(change, was=old_values(change.previous, change.event)))
            elif change.kind is ChangeKind.RESTORED:
                notes.append(Timeline._note(change))
            if dated:
                entries[key] = {
                    **_entry(change.event, change.fact, incident["publishers"]),
                    "notes": notes,
                    "retracted": False,
                }
            elif current is not None:  # a correction removed the publication time
                del entries[key]
        elif change.kind is ChangeKind.RETRACTED and current is not None:
            current["retracted"] = True
            current["notes"].append(Timeline._note(change))

    @staticmethod
    def _note(change: Change[Any], was: dict[str, str] | None = None) -> dict[str, Any]:
        cause = change.cause
        reason = getattr(cause.event, "reason", "")
        return {
            "kind": change.kind.value,
            "by": cause.type,
            "event_id": str(cause.event_id),
            "recorded_at": cause.recorded_at.isoformat(),
            "source_id": str(cause.source_id),
            "reason": reason,
            "was": was or {},
        }


# -- presenting one incident's timeline ---------------------------------------------------------


@attrs.frozen
class TimelineNote:
    """
    Why an entry is marked: a correction, retraction or restoration.

    Attributes:
        kind: ``"corrected"``, ``"retracted"`` or ``"restored"``.
        by: The type of the event that did it (``"correction"`` or ``"retraction"``).
        event_id: That event's id.
        recorded_at: When it was recorded.
        source: The source it cites, as labelled in the table.
        reason: The reason it gives.
        was: For corrections: each changed field and its previous value, in words.
    """

    kind: str
    by: str
    event_id: UUID
    recorded_at: datetime
    source: str
    reason: str
    was: dict[str, str]


@attrs.frozen
class TimelineAssessment:
    """
    An analyst's assessment, beside the entry (or the undated fact or source) it judges.

    Attributes:
        event_id: The assessment's id.
        target_id: The event it judges.
        claim_id: The claim of that statement it judges, if any.
        credibility: The analyst's grade.
        reasoning: Why.
        source: The source it rests on, as labelled in the table.
        recorder: Who recorded it: the analyst.
        recorded_at: When.
    """

    event_id: UUID
    target_id: UUID
    claim_id: UUID | None
    credibility: Credibility
    reasoning: str
    source: str
    recorder: str
    recorded_at: datetime

    def describe(self) -> str:
        """
        The assessment in words, e.g. ``"assessed doubtful (4) by analyst 2019-07-24 12:00:00Z, citing NORAD [B2]: ..."``.

        Returns:
            What it judges (a claim, when it judges one), the grade, who and when, its source and why.
        """
        claim = f"its claim {self.claim_id.hex[:8]} " if self.claim_id else ""
        grade = f"{self.credibility.meaning} ({self.credibility.value})"
        return (
            f"{claim}assessed {grade} by {self.recorder} "
            f"{self.recorded_at:%Y-%m-%d %H:%M:%SZ}, citing {self.source}: {self.reasoning}"
        )


@attrs.frozen
class TimelineEntry:
    """
    One dated fact of a timeline.

    Attributes:
        number: Its place in the timeline, from 1.
        event_id: The fact's id.
        type: Its event type.
        when: Its valid time, as precisely as the source gave it.
        wording: The source's own words for the time, if kept.
        precision: ``"instant"``, ``"minute"``, ``"hour"``, ``"day"``, ``"span"`` or ``"unknown"``.
        time_zone: The source's time zone.
        valid_from: Earliest possible instant (UTC), if known.
        valid_to: Latest possible instant (UTC), if known.
        what: What it reports.
        source: Its source, labelled with its Admiralty grade.
        source_id: The source's id.
        recorded_at: When the fact was recorded.
        retracted: Whether it is withdrawn.
        notes: Corrections, retractions and restorations, in recording order.
        assessments: Assessments of it (or of its claims), in recording order.
    """

    number: int
    event_id: UUID
    type: str
    when: str
    wording: str | None
    precision: str
    time_zone: str | None
    valid_from: datetime | None
    valid_to: datetime | None
    what: str
    source: str
    source_id: UUID
    recorded_at: datetime
    retracted: bool
    notes: tuple[TimelineNote, ...]
    assessments: tuple[TimelineAssessment, ...] = ()

    @property
    def corrected(self) -> bool:
        """
        Whether a correction changed it (and still applies or applied before a retraction).
        """
        return any(n.kind == "corrected" for n in self.notes)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@attrs.frozen
class IncidentTimeline:
    """
    One incident's timeline as known at a recording time.

    Attributes:
        incident_id: The incident.
        title: Its title.
        region: Its region.
        known_at: The recording time it is as known at (``None``: now).
        sequence: The ledger sequence it accounts for.
        entries: The entries, in valid-time order.
        assessments: The assessments of what has no entry (undated sources,
            the incident itself, corrections...), in recording order.
    """

    incident_id: UUID
    title: str | None
    region: str | None
    known_at: datetime | None
    sequence: int
    entries: tuple[TimelineEntry, ...]
    assessments: tuple[TimelineAssessment, ...] = ()

    @classmethod
    def from_state(
        cls,
        incident_id: UUID,
        state: State,
        *,
        known_at: datetime | None = None,
        sequence: int = 0,
    ) -> IncidentTimeline:
        """
        Build the presentation of one incident from a :class:`Timeline` state.

        Args:
            incident_id: The incident.
            state: The timeline projection's state.
            known_at: What it is as known at, for the heading.
            sequence: The ledger sequence it accounts for.

        Returns:
            The timeline (empty if the state does not know the incident).
        """
        data = state.get(str(incident_id)) or {"sources": {}, "names": {}, "entries": {}}
        names = data["names"]
        # The incident's own sources, and those of the registry it may cite.
        registry = state.get(str(SOURCES_REGISTRY)) or {"sources": {}}
        sources = {**registry["sources"], **data["sources"]}
        ordered = sorted(
            data["entries"].items(), key=lambda item: (*item[1]["order"], item[1]["sequence"])
        )
        judged: dict[str, list[TimelineAssessment]] = {}
        for key, a in sorted(data.get("assessments", {}).items(), key=lambda i: i[1]["sequence"]):
            judged.setdefault(a["target"], []).append(
                TimelineAssessment(
                    event_id=UUID(key),
                    target_id=UUID(a["target"]),
                    claim_id=None if a["claim"] is None else UUID(a["claim"]),
                    credibility=Credibility(a["credibility"]),
                    reasoning=a["reasoning"],
                    source=sources.get(a["source_id"], a["source_id"][:8]),
                    recorder=a["recorder"],
                    recorded_at=datetime.fromisoformat(a["recorded_at"]),
                )
            )
        entries = []
        for number, (key, e) in enumerate(ordered, start=1):
            what = e["what"]
            if e["refs"]:
                refs = join_and([names.get(r, r[:8]) for r in e["refs"]])
                what = (
                    f"{refs} {what}"
                    if e["refs_as"] == "subject"
                    else f"{what}, {e['refs_as']} {refs}"
                )
            notes = tuple(
                TimelineNote(
                    kind=n["kind"],
                    by=n["by"],
                    event_id=UUID(n["event_id"]),
                    recorded_at=datetime.fromisoformat(n["recorded_at"]),
                    source=sources.get(n["source_id"], n["source_id"][:8]),
                    reason=n["reason"],
                    was=dict(n["was"]),
                )
                for n in e["notes"]
            )
            entries.append(
                TimelineEntry(
                    number=number,
                    event_id=UUID(key),
                    type=e["type"],
                    when=e["when"],
                    wording=e["wording"],
                    precision=e["precision"],
                    time_zone=e["time_zone"],
                    valid_from=_time(e["valid_from"]),
                    valid_to=_time(e["valid_to"]),
                    what=what,
                    source=sources.get(e["source_id"], e["source_id"][:8]),
                    source_id=UUID(e["source_id"]),
                    recorded_at=datetime.fromisoformat(e["recorded_at"]),
                    retracted=e["retracted"],
                    notes=notes,
                    assessments=tuple(judged.pop(key, ())),
                )
            )
        return cls(
            incident_id=incident_id,
            title=data.get("title"),
            region=data.get("region"),
            known_at=known_at,
            sequence=sequence,
            entries=tuple(entries),
            assessments=tuple(
                sorted(
                    (a for found in judged.values() for a in found),
                    key=lambda a: a.recorded_at,
                )
            ),
        )

    # -- formats ---------------------------------------------------------------------------

    def heading(self) -> list[str]:
        """
        The lines above the table: title and region, incident id, what it is as known at.

        Returns:
            Lines of text.
        """
        title = self.title or f"Incident {self.incident_id}"
        known = (
            f"as known at {self.known_at:%Y-%m-%d %H:%M:%SZ}"
            if self.known_at is not None
            else "as known now"
        )
        count = len(self.entries)
        return [
            title + (f" ({self.region})" if self.region else ""),
            f"incident {self.incident_id}, {known}: {count} dated fact{'' if count == 1 else 's'}",
        ]

    def notes(self) -> list[tuple[TimelineEntry, TimelineNote]]:
        """
        Every note of every entry, numbered in the table from 1 in this order.

        Returns:
            ``(entry, note)`` pairs.
        """
        return [(entry, note) for entry in self.entries for note in entry.notes]

    def table(self, width: int = 100) -> str:
        """
        The timeline as a table for a terminal, with numbered notes below it.

        Marks for corrected, retracted and restored entries sit under their
        source and point at the notes, which say when, on whose word, what the
        entry said before and why.

        Args:
            width: Characters per line (at least 72).

        Returns:
            The text, without a final newline.
        """
        width = max(width, 72)
        lines = [*self.heading(), ""]
        if not self.entries:
            lines.append("No dated facts recorded.")
            return "\n".join(lines)
        marks: dict[int, list[str]] = {}
        footnotes = []
        for number, (entry, note) in enumerate(self.notes(), start=1):
            marks.setdefault(entry.number, []).append(f"{note.kind.upper()} [{number}]")
            footnotes.append(f"[{number}] {self._footnote(entry, note)}")
        for entry in self.entries:
            for assessment in entry.assessments:
                number = len(footnotes) + 1
                grade = assessment.credibility.value
                marks.setdefault(entry.number, []).append(f"ASSESSED {grade} [{number}]")
                footnotes.append(f"[{number}] #{entry.number}: {assessment.describe()}")
        rows = [
            (
                str(e.number),
                e.when + (f'\n"{e.wording}"' if e.wording else ""),
                e.what,
                "\n".join([e.source, *marks.get(e.number, [])]),
            )
            for e in self.entries
        ]
        header = ("#", "WHEN (valid time)", "WHAT", "SOURCE [grade]")
        lines.extend(_table(header, rows, width, flexible=2, caps=(4, 32, 0, 24)))
        lines.append("")
        lines.append(
            "Times are as precise as the sources gave them: a date is that whole day in the "
            "time zone shown. Entries are in order of their earliest possible instant; "
            "grades are Admiralty source reliability (A-F) and information credibility (1-6)."
        )
        if footnotes:
            lines.extend(["", "Notes:", *footnotes])
        if self.assessments:
            lines.extend(["", "Assessments of what has no entry:"])
            lines.extend(f"- {a.target_id.hex[:8]}: {a.describe()}" for a in self.assessments)
        return "\n".join(_wrap_free(lines, width))

    @staticmethod
    def _footnote(entry: TimelineEntry, note: TimelineNote) -> str:
        at = f"{note.recorded_at:%Y-%m-%d %H:%M:%SZ}"
        if note.kind == "corrected" and note.by == "retraction":
            text = f"#{entry.number}: a correction of it was withdrawn {at}, citing {note.source}."
        elif note.kind == "restored":
            text = f"#{entry.number} restored {at} (its retraction was withdrawn), citing {note.source}."
        else:
            text = f"#{entry.number} {note.kind} {at}, citing {note.source}."
        for field, old in note.was.items():
            text += f' Its {field.replace("_", " ")} was "{old}".'
        if note.reason:
            text += f" Reason: {note.reason}"
        return text

    def csv(self) -> str:
        """
        The timeline as CSV, one row per entry, with a header row.

        Returns:
            The CSV text.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "number",
                "incident_id",
                "event_id",
                "type",
                "when",
                "wording",
                "precision",
                "time_zone",
                "valid_from",
                "valid_to",
                "what",
                "source",
                "source_id",
                "recorded_at",
                "corrected",
                "retracted",
                "notes",
                "assessments",
            ]
        )
        for e in self.entries:
            writer.writerow(
                [
                    e.number,
                    self.incident_id,
                    e.event_id,
                    e.type,
                    e.when,
                    e.wording or "",
                    e.precision,
                    e.time_zone or "",
                    e.valid_from.isoformat() if e.valid_from else "",
                    e.valid_to.isoformat() if e.valid_to else "",
                    e.what,
                    e.source,
                    e.source_id,
                    e.recorded_at.isoformat(),
                    str(e.corrected).lower(),
                    str(e.retracted).lower(),
                    " | ".join(self._footnote(e, n) for n in e.notes),
                    " | ".join(a.describe() for a in e.assessments),
                ]
            )
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        """
        The timeline as JSON-ready data.

        Returns:
            A dict with the heading fields and the entries.
        """
        return {
            "incident_id": str(self.incident_id),
            "title": self.title,
            "region": self.region,
            "known_at": None if self.known_at is None else self.known_at.isoformat(),
            "sequence": self.sequence,
            "entries": [
                {**converter.unstructure(e), "corrected": e.corrected} for e in self.entries
            ],
            "assessments": [converter.unstructure(a) for a in self.assessments],
        }

    def json(self) -> str:
        """
        The timeline as indented JSON text.

        Returns:
            The JSON.
        """
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)


def _wrap_free(lines: list[str], width: int) -> list[str]:
    """Wrap lines that are prose (not table rows), indenting continuation lines."""
    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            indent = " " * (line.index("]") + 2) if line.startswith("[") else ""
            out.extend(textwrap.wrap(line, width, subsequent_indent=indent))
    return out


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    flexible: int,
    caps: Sequence[int],
) -> list[str]:
    """Rows of text cells in columns, wrapping cells to fit *width* (one flexible column)."""
    gap = 2
    natural = [
        max(display_width(part) for cell in [h, *(r[i] for r in rows)] for part in cell.split("\n"))
        for i, h in enumerate(header)
    ]
    widths = [min(n, c) if c else n for n, c in zip(natural, caps, strict=True)]
    fixed = sum(w for i, w in enumerate(widths) if i != flexible) + gap * (len(header) - 1)
    widths[flexible] = max(24, min(natural[flexible], width - fixed))
    lines = []
    for row in [header, *rows]:
        cells = [
            [
                wrapped
                for part in cell.split("\n")
                for wrapped in (textwrap.wrap(part, w, break_on_hyphens=False) or [""])
            ]
            for cell, w in zip(row, widths, strict=True)
        ]
        for n in range(max(len(c) for c in cells)):
            parts = [pad(c[n] if n < len(c) else "", w) for c, w in zip(cells, widths, strict=True)]
            lines.append((" " * gap).join(parts).rstrip())
        if row is header:
            lines.append((" " * gap).join("-" * w for w in widths))
    return lines


def incident_timeline(
    ledger: LedgerReads, incident_id: UUID, *, known_at: datetime | None = None
) -> IncidentTimeline:
    """
    One incident's timeline, computed live from the log, as known at a recording time.

    Args:
        ledger: The ledger.
        incident_id: The incident.
        known_at: Only what had been recorded by this time (default: now).

    Returns:
        The timeline.

    Raises:
        UnknownIncidentError: If the incident is not recorded (by *known_at*).
        FutureKnowledgeError: If *known_at* is in the future.

    Example:
        >>> from incidents import Ledger, examples
        >>> with Ledger.open(":memory:") as ledger:
        ...     _ = ledger.record(*examples.alaska_2024())
        ...     timeline = incident_timeline(ledger, examples.ALASKA_2024)
        >>> [e.when for e in timeline.entries][:2]
        ['2024-07-24 (America/Anchorage)', '2024-07-24 (America/Anchorage)']
    """
    projected = live(ledger, Timeline(), incident_id=incident_id, known_at=known_at)
    return IncidentTimeline.from_state(
        incident_id, projected.state, known_at=known_at, sequence=projected.sequence
    )
