"""
What time travel tells people: an incident's history, and how its record changed.

:class:`History` is the audit trail (one :class:`HistoryEntry` per recorded
event, with what each correction and retraction targeted and changed);
:class:`Diff` is what the record says differently between two recording
times (one :class:`FactChange` per fact, with its :class:`FieldChange`
values). Both render themselves for people (``str()``) in the words of
:mod:`incidents._domain.words`. The last part compares two versions of a
fact of a :class:`~incidents._timetravel.fold.BitemporalFold`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, overload
from uuid import UUID

import attrs

from incidents._codec.canonical import converter
from incidents._domain.events import Correction, Event, Retraction, SourceRegistered
from incidents._domain.state import Source
from incidents._domain.words import describe_event, history_source_label, show_value, stamp
from incidents._timetravel.fold import BitemporalFold, Version

__all__ = [
    "Diff",
    "FactChange",
    "FactChangeKind",
    "FieldChange",
    "History",
    "HistoryEntry",
    "fact_change",
    "field_changes",
]


class FactChangeKind(enum.Enum):
    """
    How a fact differs between two recording times.
    """

    ADDED = "added"
    """Recorded in between."""
    CORRECTED = "corrected"
    """Stood at both times, with different values (or different corrections applied)."""
    RETRACTED = "retracted"
    """Stood at the first time, withdrawn by the second."""
    RESTORED = "restored"
    """Withdrawn at the first time, standing again by the second (its retraction was retracted)."""


@attrs.frozen(kw_only=True)
class FieldChange:
    """
    One field of a fact, before and after, in serialized (JSON) form.

    Attributes:
        field: The field's name, e.g. ``"speaker"``.
        before: Its value before.
        after: Its value after.
    """

    field: str
    before: Any
    after: Any

    def describe(self) -> str:
        """
        Render the change for people.

        Returns:
            e.g. ``"count: 2 -> 3"``.
        """
        return f"{self.field}: {show_value(self.before)} -> {show_value(self.after)}"


@attrs.frozen(kw_only=True)
class FactChange:
    """
    How one fact differs between two recording times.

    Attributes:
        kind: Added, corrected, retracted or restored.
        fact_id: Id of the event that stated the fact.
        fact_type: Its type, e.g. ``"statement-issued"``.
        fact_position: Its position in the incident's stream.
        before: The fact as it stood at the first time (``None`` if it did not stand).
        after: The fact as it stands at the second time (``None`` if it does not).
        fields: For corrections, the fields whose values differ.
        by: Ids of the events recorded in between that made the difference
            (the fact itself when it was added; corrections; retractions).
        by_positions: Their stream positions.
    """

    kind: FactChangeKind
    fact_id: UUID
    fact_type: str
    fact_position: int
    before: Event | None
    after: Event | None
    fields: tuple[FieldChange, ...] = ()
    by: tuple[UUID, ...] = ()
    by_positions: tuple[int, ...] = ()

    def describe(self) -> str:
        """
        One line for people, e.g. ``"corrected #12 statement-issued: ..."``.

        Returns:
            The kind, the fact's position and type, and what it says.
        """
        shown = self.after if self.after is not None else self.before
        assert shown is not None
        return f"{self.kind.value} #{self.fact_position} {self.fact_type}: {describe_event(shown)}"


def _render_changes(changes: Sequence[FactChange], events: Mapping[int, Event]) -> list[str]:
    lines = []
    for change in changes:
        lines.append(f"  {change.describe()}")
        for field in change.fields:
            lines.append(f"      {field.describe()}")
        causes = [p for p in change.by_positions if p != change.fact_position]
        for position in causes:
            event = events.get(position)
            reason = f": {event.reason}" if isinstance(event, Correction | Retraction) else ""
            kind = event.TYPE if event is not None else "event"
            lines.append(f"      by #{position} {kind}{reason}")
    return lines


@attrs.frozen(kw_only=True)
class Diff:
    """
    What the record of an incident says differently between two recording times.

    ``str(diff)`` renders it for people.

    Attributes:
        incident_id: The incident.
        title: Its title as known at the second time.
        known_at_a: The first recording time.
        known_at_b: The second recording time.
        position_a: The last stream position known at the first time (0: none).
        position_b: The last stream position known at the second time.
        changes: One entry per fact that differs, in stream order.
        events: The corrections and retractions recorded in between, by
            position (to show what made each change).
        published_by_a: The first publication time, if the first side was
            asked "as published by" (only events whose sources were
            published by then count).
        published_by_b: The second publication time, likewise.
    """

    incident_id: UUID
    title: str
    known_at_a: datetime
    known_at_b: datetime
    position_a: int
    position_b: int
    changes: tuple[FactChange, ...]
    events: Mapping[int, Event] = attrs.field(factory=dict, repr=False)
    published_by_a: datetime | None = None
    published_by_b: datetime | None = None

    def _of(self, kind: FactChangeKind) -> tuple[FactChange, ...]:
        return tuple(c for c in self.changes if c.kind is kind)

    @property
    def added(self) -> tuple[FactChange, ...]:
        """
        Facts recorded in between.
        """
        return self._of(FactChangeKind.ADDED)

    @property
    def corrected(self) -> tuple[FactChange, ...]:
        """
        Facts whose values changed in between.
        """
        return self._of(FactChangeKind.CORRECTED)

    @property
    def retracted(self) -> tuple[FactChange, ...]:
        """
        Facts withdrawn in between.
        """
        return self._of(FactChangeKind.RETRACTED)

    @property
    def restored(self) -> tuple[FactChange, ...]:
        """
        Facts standing again after their retraction was retracted.
        """
        return self._of(FactChangeKind.RESTORED)

    def render(self) -> str:
        """
        The differences as text for people.

        Returns:
            A heading with both recording times, then one line per change
            (with the fields changed and the events that changed them).
        """
        counts = ", ".join(
            f"{len(self._of(kind))} {kind.value}" for kind in FactChangeKind if self._of(kind)
        )
        lines = [
            f'Changes to "{self.title}" (incident {self.incident_id})',
            f"  from: {_view(self.known_at_a, self.published_by_a, self.position_a)}",
            f"  to:   {_view(self.known_at_b, self.published_by_b, self.position_b)}",
            f"  {counts or 'no differences'}",
        ]
        return "\n".join(lines + _render_changes(self.changes, self.events))

    def __str__(self) -> str:
        return self.render()


def _view(known_at: datetime, published_by: datetime | None, position: int) -> str:
    if published_by is None:
        return f"as known at {stamp(known_at)} ({position} events)"
    return (
        f"as known at {stamp(known_at)}, as published by {stamp(published_by)} "
        f"(events up to #{position})"
    )


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """
    One recorded event of an incident's audit trail.

    Attributes:
        sequence: Its place in the ledger's global order.
        position: Its place in the incident's stream.
        recorded_at: When the ledger recorded it.
        recorder: Who recorded it.
        event: The event as recorded.
        source: Its source as it stood when the event was recorded.
        target_id: For corrections and retractions, the event they point at.
        target_position: Its stream position.
        target_type: Its type, e.g. ``"statement-issued"``.
        changes: For corrections, each corrected field as it stood just
            before and as corrected.
        effects: What recording it changed in the incident's state (nothing
            when, for example, it corrects a withdrawn fact).
    """

    sequence: int
    position: int
    recorded_at: datetime
    recorder: str
    event: Event
    source: Source
    target_id: UUID | None = None
    target_position: int | None = None
    target_type: str | None = None
    changes: tuple[FieldChange, ...] = ()
    effects: tuple[FactChange, ...] = ()

    @property
    def type(self) -> str:
        """
        The event's type, e.g. ``"correction"``.
        """
        return self.event.TYPE

    @property
    def event_id(self) -> UUID:
        """
        The event's id.
        """
        return self.event.event_id

    @property
    def reason(self) -> str | None:
        """
        Why, for corrections and retractions.
        """
        return self.event.reason if isinstance(self.event, Correction | Retraction) else None

    def describe(self, names: Mapping[UUID, str] | None = None) -> str:
        """
        The entry for people: a heading line, then indented details.

        Args:
            names: Short names for ids the event refers to (as :class:`History` gives).

        Returns:
            Several lines.
        """
        event = self.event
        if self.target_position is not None:
            verb = "corrects" if isinstance(event, Correction) else "retracts"
            what = f"{verb} #{self.target_position} {self.target_type}"
        else:
            what = describe_event(event, names)
        lines = [
            f"#{self.position:<4} {stamp(self.recorded_at)}  {self.recorder}  {self.type}: {what}"
        ]
        lines.extend(f"        {c.describe()}" for c in self.changes)
        if self.reason:
            lines.append(f"        reason: {self.reason}")
        if not isinstance(event, SourceRegistered):
            lines.append(f"        source: {history_source_label(self.source)}")
        if self.target_position is not None:
            if self.effects:
                lines.extend(
                    f"        effect: {e.kind.value} #{e.fact_position} {e.fact_type}"
                    for e in self.effects
                )
            else:
                lines.append("        effect: none on the incident's state")
        return "\n".join(lines)


@attrs.frozen(kw_only=True)
class History(Sequence[HistoryEntry]):
    """
    An incident's audit trail: every recorded event, in recording order.

    A sequence of :class:`HistoryEntry`; ``str(history)`` renders it for people.

    Attributes:
        incident_id: The incident.
        title: Its current title (as published by :attr:`published_by`, if given).
        entries: The entries.
        published_by: If the history was asked "as published by" a time:
            that time (only the entries whose sources were published by
            then are listed).
    """

    incident_id: UUID
    title: str
    entries: tuple[HistoryEntry, ...]
    published_by: datetime | None = None

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> HistoryEntry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[HistoryEntry]: ...

    def __getitem__(self, index: int | slice) -> HistoryEntry | Sequence[HistoryEntry]:
        return self.entries[index]

    def __iter__(self) -> Iterator[HistoryEntry]:
        return iter(self.entries)

    def render(self) -> str:
        """
        The audit trail as text for people.

        Returns:
            A heading, then each entry (see :meth:`HistoryEntry.describe`).
        """
        heading = f'History of "{self.title}" (incident {self.incident_id}), {len(self)} events'
        if self.published_by is not None:
            heading += f" published by {stamp(self.published_by)}"
        names: dict[UUID, str] = {e.event_id: f"#{e.position} {e.type}" for e in self.entries}
        names.update(
            (e.event_id, e.event.publisher)
            for e in self.entries
            if isinstance(e.event, SourceRegistered)
        )
        return "\n".join([heading, *(e.describe(names) for e in self.entries)])

    def __str__(self) -> str:
        return self.render()


# -- comparing versions ------------------------------------------------------------------

_ENVELOPE = frozenset({"type", "event_id", "incident_id", "source_id"})


def field_changes(before: Event, after: Event) -> tuple[FieldChange, ...]:
    """
    The fields in which two values of one fact differ.

    Args:
        before: The earlier value.
        after: The later value (same type).

    Returns:
        One :class:`FieldChange` per differing field, in field order.
    """
    old = converter.unstructure(before, Event)
    new = converter.unstructure(after, Event)
    return tuple(
        FieldChange(field=f.name, before=old.get(f.name), after=new.get(f.name))
        for f in attrs.fields(type(after))
        if f.name not in _ENVELOPE and old.get(f.name) != new.get(f.name)
    )


def fact_change(folded: BitemporalFold, fact: Any, a: int, b: int) -> FactChange | None:
    """
    How one fact of a fold differs between stream positions *a* and *b*.

    Args:
        folded: The fold.
        fact: One of its facts.
        a: The earlier position (the prefix known at the first time).
        b: The later position.

    Returns:
        The change, or ``None`` if the fact stands the same at both (or
        changed and changed back in between).
    """
    before: Version | None = fact.version_at(a) if a >= fact.position else None
    after: Version | None = fact.version_at(b)
    if before is after:
        return None
    if (
        before is not None
        and after is not None
        and before.applied == after.applied
        and before.event == after.event
    ):
        return None  # changed and changed back in between
    if before is None:
        assert after is not None
        kind = FactChangeKind.ADDED if fact.position > a else FactChangeKind.RESTORED
        fields: tuple[FieldChange, ...] = ()
    elif after is None:
        kind = FactChangeKind.RETRACTED
        fields = ()
    else:
        kind = FactChangeKind.CORRECTED
        fields = field_changes(before.event, after.event)
    marks = {v.known_from for v in fact.versions} | {v.known_until for v in fact.versions}
    positions = tuple(q for q in sorted(marks) if a < q <= b)
    raw = fact.raw
    return FactChange(
        kind=kind,
        fact_id=fact.event_id,
        fact_type=raw.TYPE,
        fact_position=fact.position,
        before=None if before is None else before.event,
        after=None if after is None else after.event,
        fields=fields,
        by=tuple(folded.event_ids[q - 1] for q in positions),
        by_positions=positions,
    )
