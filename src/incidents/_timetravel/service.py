"""
Time travel: an incident at any valid time, as known at any recording time.

Two clocks describe every fact (see :mod:`incidents._domain.time`): *valid time*,
when it happened, and *recording time*, when the ledger learned it. This
module answers the questions that combine them, for :class:`incidents.Ledger`:

* :meth:`TimeTravel.state`: the incident as it stood at valid time T, built
  only from what had been recorded by recording time R;
* :meth:`TimeTravel.history`: the audit trail, in recording order, with what
  each correction and retraction targeted and changed (:class:`History`);
* :meth:`TimeTravel.diff`: what the record says differently between two
  recording times (:class:`Diff`);
* :meth:`TimeTravel.incidents`: the incidents with facts in a valid-time window.

Semantics, decided once:

* recording time never goes backwards along the ledger's order, so "as known
  at R" is exactly the prefix of the incident's stream recorded at or before
  R, found by bisecting the stored ``recorded_at`` column (nothing decoded);
* corrections and retractions apply from their recording time on: before it
  the original stands; a correction can be corrected or retracted;
* facts are listed in valid-time order, ties broken by stream position, so
  late-arriving facts (a valid time earlier than facts already recorded)
  take their place and every replay gives the same state;
* "in effect at valid time T" follows :class:`incidents.Reading`: possibly
  (the default: the fact may have happened by T) or certainly (it had
  certainly happened by T).

Speed comes from :class:`incidents._timetravel.fold.BitemporalFold`, which folds a stream
once and keeps every version of every fact with the stretch of the stream it
stood over; it is kept in memory per incident and brought up to date with
only the rows recorded since. The expensive part of the fold (applying
corrections, settling retractions) is kept in storage as *snapshots*:
derived data that can be dropped and rebuilt at any time, versioned by
:data:`SNAPSHOT_FORMAT`, and never trusted over the events (a snapshot
whose positions, event ids or effects do not fit the stream as read is
dropped and the fold recomputed).
"""

from __future__ import annotations

import contextlib
import enum
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, overload
from uuid import UUID

import attrs

from incidents._codec.canonical import FORMAT_VERSION, converter
from incidents._codec.trusted import decode_trusted, structure_trusted
from incidents._domain.events import (
    Correction,
    Event,
    Recorded,
    Retraction,
    SourceRegistered,
)
from incidents._domain.state import Incident, Reading, Source
from incidents._domain.time import ValidTime
from incidents._domain.words import describe_event, stamp
from incidents._errors import StorageError
from incidents._gc import paused_gc
from incidents._timetravel.fold import (
    BitemporalFold,
    Effect,
    Kind,
    Loader,
    StaleSnapshotError,
    Version,
    build_entity,
    settle,
)
from incidents.storage import FoldSnapshot, Store, StoredRecord, from_micros

__all__ = [
    "SNAPSHOT_FORMAT",
    "FactChange",
    "FactChangeKind",
    "Diff",
    "FieldChange",
    "History",
    "HistoryEntry",
    "TimeTravel",
    "encode_snapshot",
    "field_changes",
    "show_value",
    "source_label",
]

SNAPSHOT_FORMAT = 1
"""Version of the snapshot layout and of the fold rules it records.

Bump it whenever either changes: snapshots of another format are ignored
(and rebuilt from the events), never misread.
"""


# -- data returned to users ------------------------------------------------------------


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
    """

    incident_id: UUID
    title: str
    known_at_a: datetime
    known_at_b: datetime
    position_a: int
    position_b: int
    changes: tuple[FactChange, ...]
    events: Mapping[int, Event] = attrs.field(factory=dict, repr=False)

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
            f"  from: as known at {stamp(self.known_at_a)} ({self.position_a} events)",
            f"  to:   as known at {stamp(self.known_at_b)} ({self.position_b} events)",
            f"  {counts or 'no differences'}",
        ]
        return "\n".join(lines + _render_changes(self.changes, self.events))

    def __str__(self) -> str:
        return self.render()


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
            lines.append(f"        source: {source_label(self.source)}")
        if self.target_position is not None:
            if self.effects:
                lines.extend(
                    f"        effect: {e.kind.value} #{e.fact_position} {e.fact_type}"
                    for e in self.effects
                )
            else:
                lines.append("        effect: none on the incident's state")
        return "\n".join(lines)


def source_label(source: Source) -> str:
    """
    A source in a few words: publisher, kind and Admiralty grade.

    Args:
        source: The source.

    Returns:
        e.g. ``"RIA Novosti (news article) [C3]"``.
    """
    kind = source.kind.value.replace("_", " ")
    return f"{source.publisher} ({kind}) [{source.reliability.value}{source.credibility.value}]"


@attrs.frozen(kw_only=True)
class History(Sequence[HistoryEntry]):
    """
    An incident's audit trail: every recorded event, in recording order.

    A sequence of :class:`HistoryEntry`; ``str(history)`` renders it for people.

    Attributes:
        incident_id: The incident.
        title: Its current title.
        entries: The entries.
    """

    incident_id: UUID
    title: str
    entries: tuple[HistoryEntry, ...]

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
        names: dict[UUID, str] = {e.event_id: f"#{e.position} {e.type}" for e in self.entries}
        names.update(
            (e.event_id, e.event.publisher)
            for e in self.entries
            if isinstance(e.event, SourceRegistered)
        )
        return "\n".join([heading, *(e.describe(names) for e in self.entries)])

    def __str__(self) -> str:
        return self.render()


# -- rendering values --------------------------------------------------------------------


def show_value(value: Any) -> str:
    """
    A field value in serialized form, for people.

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


def _change(folded: BitemporalFold, fact: Any, a: int, b: int) -> FactChange | None:
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


# -- snapshots -----------------------------------------------------------------------


def encode_snapshot(folded: BitemporalFold, first: int) -> FoldSnapshot:
    """
    The journaled effects of positions ``first..folded.position`` as a snapshot.

    Args:
        folded: A fold whose journal covers those positions.
        first: The first position covered.

    Returns:
        The snapshot, ready for :meth:`incidents.storage.Store.save_fold_snapshot`.
    """
    last = folded.position
    effects = []
    for q in range(first, last + 1):
        effect = folded.journal.get(q)
        if effect is None:
            continue
        if isinstance(effect.version, tuple):
            event, applied = effect.version
            version: Any = [
                converter.unstructure(event, Event),
                [folded.position_of[i] for i in applied],
            ]
        else:
            version = effect.version
        effects.append([q, effect.root, version, [[p, int(w)] for p, w in effect.flips]])
    body = {
        "format": SNAPSHOT_FORMAT,
        "codec": FORMAT_VERSION,
        "incident": str(folded.incident_id),
        "first": first,
        "last": last,
        "last_event": str(folded.event_ids[last - 1]),
        "last_sequence": folded.sequence,
        "effects": effects,
    }
    data = zlib.compress(json.dumps(body, separators=(",", ":")).encode("utf-8"), 6)
    return FoldSnapshot(
        incident_id=folded.incident_id,
        format=SNAPSHOT_FORMAT,
        first_position=first,
        last_position=last,
        last_event_id=folded.event_ids[last - 1],
        last_sequence=folded.sequence,
        data=data,
    )


class _Plan:
    """The effects a chain of snapshots journals, waiting for their positions."""

    def __init__(self) -> None:
        self.covered_until = 0
        self.effects: dict[int, list[Any]] = {}
        self.marks: dict[int, tuple[UUID, int]] = {}


def _plan(snapshots: Sequence[FoldSnapshot], incident_id: UUID) -> _Plan:
    plan = _Plan()
    following = 1
    while True:
        best = max(
            (c for c in snapshots if c.first_position <= following <= c.last_position),
            key=lambda c: c.last_position,
            default=None,
        )
        if best is None:
            return plan
        body = json.loads(zlib.decompress(best.data))
        if (
            body["format"] != SNAPSHOT_FORMAT
            or body["codec"] != FORMAT_VERSION
            or body["incident"] != str(incident_id)
            or body["first"] != best.first_position
            or body["last"] != best.last_position
        ):
            raise StaleSnapshotError("snapshot header does not match its row")
        for effect in body["effects"]:
            if effect[0] >= following:
                plan.effects[int(effect[0])] = effect
        plan.marks[best.last_position] = (best.last_event_id, best.last_sequence)
        plan.covered_until = best.last_position
        following = best.last_position + 1


_CORRECTING = frozenset({Correction.TYPE, Retraction.TYPE})


def _decode_effect(raw: list[Any], folded: BitemporalFold, event_id: UUID) -> Effect:
    q, root, version, flips = raw
    if version is None or version == "close":
        decoded: Any = version
    else:
        event = structure_trusted(version[0])
        # The effect is decoded before its own event joins the fold.
        applied = tuple(
            event_id if int(p) == q else folded.event_ids[int(p) - 1] for p in version[1]
        )
        decoded = (event, applied)
    return Effect(int(root), decoded, tuple((int(p), bool(w)) for p, w in flips))


# -- the service ----------------------------------------------------------------------


class _Cached:
    """A fold and what the stored snapshots still have to replay into it."""

    def __init__(self, folded: BitemporalFold, plan: _Plan) -> None:
        self.folded = folded
        self.plan = plan


class TimeTravel:
    """
    Answers questions about an incident's past for one ledger's store.

    Keeps the folds of recently read incidents in memory (brought up to
    date with the rows recorded since on every read) and the expensive part
    of their folds as snapshots in the store.

    Args:
        store: The ledger's storage.
    """

    #: Save a snapshot once this many positions are folded beyond the last one.
    snapshot_every = 1000
    #: Keep at most this many stream positions in memory, over all folds.
    max_positions = 500_000

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: OrderedDict[UUID, _Cached] = OrderedDict()
        self._lock = threading.RLock()

    # -- folds ----------------------------------------------------------------------

    def folded(self, incident_id: UUID, recorded_until: int | None = None) -> BitemporalFold:
        """
        The incident's bitemporal fold, folded at least up to recording time *recorded_until*.

        Args:
            incident_id: The incident.
            recorded_until: Recording time (µs); ``None`` for everything recorded.

        Returns:
            The fold (empty if nothing of the incident was recorded by then).
        """
        with self._lock:
            cached = self._cache.pop(incident_id, None)
            # Loading a fold builds many long-lived objects and no cycles: the
            # collector would walk them again and again (see incidents._gc).
            with paused_gc() if cached is None else contextlib.nullcontext():
                cached = self._folded(incident_id, cached, recorded_until)
            self._cache[incident_id] = cached
            self._save_snapshot(cached)
            self._evict()
            return cached.folded

    def _folded(
        self, incident_id: UUID, cached: _Cached | None, recorded_until: int | None
    ) -> _Cached:
        for attempt in range(3):
            if cached is None:
                cached = self._load(incident_id, use_snapshots=attempt == 0)
            try:
                self._sync(cached, recorded_until)
            except StaleSnapshotError:
                self._drop_snapshots(incident_id)
                cached = None
                continue
            except _DivergedError:
                cached = None
                continue
            return cached
        # The stream changed under us three times.
        raise StorageError(  # pragma: no cover
            f"incident {incident_id}: the stream changed while being read"
        )

    def _load(self, incident_id: UUID, *, use_snapshots: bool) -> _Cached:
        plan = _Plan()
        if use_snapshots:
            try:
                plan = _plan(self._store.fold_snapshots(incident_id, SNAPSHOT_FORMAT), incident_id)
            except (StaleSnapshotError, ValueError, KeyError, TypeError, zlib.error):
                self._drop_snapshots(incident_id)
                plan = _Plan()
        return _Cached(BitemporalFold(incident_id, self._loader(incident_id)), plan)

    def _loader(self, incident_id: UUID) -> Loader:
        def load(event_ids: list[UUID]) -> dict[UUID, Event]:
            found: dict[UUID, Event] = {}
            for event_id in event_ids:  # the members of one tree: a few, each by its index
                row = self._store.row(event_id)
                if row is not None and row.originator_id == incident_id:
                    found[event_id] = decode_trusted(row.state).event
            return found

        return load

    def _sync(self, cached: _Cached, recorded_until: int | None) -> None:
        folded = cached.folded
        position = folded.position
        if position and recorded_until is not None and folded.recorded_at[-1] > recorded_until:
            return  # everything recorded by then is already folded
        rows = self._store.stream(
            folded.incident_id,
            after_position=max(position - 1, 0),
            recorded_until=recorded_until,
        )
        if position:
            if (
                not rows
                or rows[0].originator_version != position
                or rows[0].event_id != folded.event_ids[-1]
            ):
                raise _DivergedError
            rows = rows[1:]
        with paused_gc(len(rows)):  # the fold only grows, and holds no cycles
            self._fold(cached, rows)

    def _fold(self, cached: _Cached, rows: Sequence[StoredRecord]) -> None:
        folded, plan = cached.folded, cached.plan
        for row in rows:
            q = folded.position + 1
            if q > plan.covered_until:
                folded.append(decode_trusted(row.state), row.recorded_at)
                continue
            raw = plan.effects.pop(q, None)
            if row.topic in _CORRECTING:
                if raw is None:
                    raise StaleSnapshotError(f"no effect journaled for the {row.topic} at {q}")
                try:
                    effect = _decode_effect(raw, folded, row.event_id)
                except (ValueError, TypeError, IndexError, StorageError) as exc:
                    raise StaleSnapshotError(f"snapshot effect at {q}: {exc}") from exc
                folded.append_unread(
                    position=row.originator_version,
                    event_id=row.event_id,
                    sequence=row.id,
                    recorded_at=row.recorded_at,
                    effect=effect,
                )
            else:
                if raw is not None:
                    raise StaleSnapshotError(f"an effect is journaled for the fact at {q}")
                folded.append(decode_trusted(row.state), row.recorded_at, covered=True)
            mark = plan.marks.get(q)
            if mark is not None and mark != (row.event_id, row.id):
                raise StaleSnapshotError(f"snapshot ending at {q} is for other events")

    def _save_snapshot(self, cached: _Cached, *, force: bool = False) -> None:
        folded, plan = cached.folded, cached.plan
        first = plan.covered_until + 1
        if folded.position < first:
            return
        if not force and folded.position - plan.covered_until < self.snapshot_every:
            return
        try:
            self._store.save_fold_snapshot(encode_snapshot(folded, first))
        except StorageError:
            return  # derived data: reading goes on without it, the next read tries again
        plan.covered_until = folded.position
        folded.journal.clear()

    def _drop_snapshots(self, incident_id: UUID) -> None:
        with contextlib.suppress(StorageError):  # they will be ignored again next time
            self._store.drop_fold_snapshots(incident_id)

    def _evict(self) -> None:
        total = sum(c.folded.position for c in self._cache.values())
        while len(self._cache) > 1 and total > self.max_positions:
            _, oldest = self._cache.popitem(last=False)
            total -= oldest.folded.position

    def forget(self) -> None:
        """
        Drop every folded kept in memory (the next reads fold again).
        """
        with self._lock:
            self._cache.clear()

    def rebuild_snapshots(self, incident_ids: Sequence[UUID]) -> int:
        """
        Drop the incidents' snapshots and write new ones from their events.

        Args:
            incident_ids: The incidents.

        Returns:
            The number of snapshots written.
        """
        written = 0
        with self._lock:
            for incident_id in incident_ids:
                self._store.drop_fold_snapshots(incident_id)
                self._cache.pop(incident_id, None)
                cached = self._load(incident_id, use_snapshots=False)
                self._sync(cached, None)
                self._save_snapshot(cached, force=True)
                if cached.plan.covered_until:
                    written += 1
                self._cache[incident_id] = cached
            self._evict()
        return written

    # -- questions -------------------------------------------------------------------------

    def state(
        self,
        incident_id: UUID,
        valid_at: datetime | None,
        recorded_until: int | None,
        reading: Reading,
    ) -> Incident | None:
        """
        The incident at valid time *valid_at* as known at recording time *recorded_until*.

        Args:
            incident_id: The incident.
            valid_at: Valid time, or ``None`` for every fact.
            recorded_until: Recording time (µs), or ``None`` for now.
            reading: How imprecise valid times count.

        Returns:
            The state, or ``None`` if the incident was not recorded by then.
        """
        with self._lock:
            folded = self.folded(incident_id, recorded_until)
            return folded.state(folded.prefix(recorded_until), valid_at, reading)

    def history(self, incident_id: UUID) -> History | None:
        """
        The incident's audit trail.

        Args:
            incident_id: The incident.

        Returns:
            The history, or ``None`` if the incident is not recorded.
        """
        rows = self._store.stream(incident_id)
        if not rows:
            return None
        with self._lock:
            folded = self.folded(incident_id)
            records = [decode_trusted(row.state) for row in rows[: folded.position]]
            entries = [self._entry(folded, r) for r in records]
            head = folded.state(len(records))
        assert head is not None
        return History(incident_id=incident_id, title=head.title, entries=tuple(entries))

    def _entry(self, folded: BitemporalFold, record: Recorded) -> HistoryEntry:
        q = record.position
        event = record.event
        fact = folded.fact_at(q)
        source = self._source_at(folded, event.source_id, q)
        if not isinstance(event, Correction | Retraction):
            change = _change(folded, fact, q - 1, q)
            return HistoryEntry(
                sequence=record.sequence,
                position=q,
                recorded_at=record.recorded_at,
                recorder=record.recorder,
                event=event,
                source=source,
                effects=() if change is None else (change,),
            )
        target_position = folded.position_of[event.target_id]
        target = folded.event_at(target_position)
        changes: tuple[FieldChange, ...] = ()
        if isinstance(event, Correction):
            before = self._value_before(folded, fact, event.target_id, q)
            old = converter.unstructure(before, Event)
            changes = tuple(
                FieldChange(field=name, before=old.get(name), after=value)
                for name, value in event.changes.items()
            )
        change = _change(folded, fact, q - 1, q)
        return HistoryEntry(
            sequence=record.sequence,
            position=q,
            recorded_at=record.recorded_at,
            recorder=record.recorder,
            event=event,
            source=source,
            target_id=event.target_id,
            target_position=target_position,
            target_type=target.TYPE,
            changes=changes,
            effects=() if change is None else (change,),
        )

    @staticmethod
    def _value_before(folded: BitemporalFold, fact: Any, target_id: UUID, q: int) -> Event:
        """The target of a correction recorded at *q* as it stood just before."""
        if target_id == fact.event_id:
            standing = fact.version_at(q - 1)
            if standing is not None:
                return standing.event  # type: ignore[no-any-return]
        # Withdrawn, or a correction: settle the tree as it was, ignoring the
        # target's own withdrawal (its value is what the correction changes).
        tree = [
            e
            for position, e in fact.members(folded.read)
            if position < q and not (isinstance(e, Retraction) and e.target_id == target_id)
        ]
        _, effective = settle(fact.raw, tree)
        return effective(target_id)[0]

    @staticmethod
    def _source_at(folded: BitemporalFold, source_id: UUID, q: int) -> Source:
        fact = folded.facts[source_id]
        standing = fact.version_at(q)
        if standing is not None:
            entity = folded.entity(Kind.SOURCE, standing)
            assert isinstance(entity, Source)
            return entity
        raw = fact.raw
        assert isinstance(raw, SourceRegistered)
        entity = build_entity(Kind.SOURCE, fact.event_id, raw, ())
        assert isinstance(entity, Source)
        return entity

    def diff(self, incident_id: UUID, a: int, b: int | None) -> Diff | None:
        """
        How the record of the incident changed between two recording times.

        Args:
            incident_id: The incident.
            a: The first recording time (µs).
            b: The second recording time (µs), or ``None`` for now.

        Returns:
            The differences, or ``None`` if the incident was not recorded by *b*.
        """
        with self._lock:
            folded = self.folded(incident_id, b)
            pa, pb = folded.prefix(a), folded.prefix(b)
            head = folded.state(pb)
            if head is None:
                return None
            changes = [
                change
                for fact in folded.facts_changed(pa, pb)
                if (change := _change(folded, fact, pa, pb)) is not None
            ]
            events = {
                q: folded.event_at(q)
                for change in changes
                for q in change.by_positions
                if q != change.fact_position
            }
            known_b = from_micros(b) if b is not None else from_micros(folded.recorded_at[pb - 1])
            return Diff(
                incident_id=incident_id,
                title=head.title,
                known_at_a=from_micros(a),
                known_at_b=known_b,
                position_a=pa,
                position_b=pb,
                changes=tuple(changes),
                events=events,
            )

    def incidents(
        self,
        window: tuple[int, int] | None,
        recorded_until: int | None,
        reading: Reading,
    ) -> list[Incident]:
        """
        The incidents known at a recording time, optionally only those with facts in a window.

        Args:
            window: ``(start, end)`` valid times in µs (inclusive), or ``None``.
            recorded_until: Recording time (µs), or ``None`` for now.
            reading: Possibly: a fact's valid time overlaps the window;
                certainly: it lies within the window.

        Returns:
            The incidents' states as known then, in order of first recording.
        """
        found = []
        with paused_gc():  # every incident's fold may be loaded: bulk work (see incidents._gc)
            for incident_id in self._store.incident_ids():
                with self._lock:
                    folded = self.folded(incident_id, recorded_until)
                    p = folded.prefix(recorded_until)
                    if p == 0:
                        continue
                    if window is not None and not folded.meets_window(
                        p, window[0], window[1], within=reading is Reading.CERTAINLY
                    ):
                        continue
                    state = folded.state(p)
                if state is not None:
                    found.append(state)
        return found


class _DivergedError(Exception):
    """The stored stream no longer continues the fold kept in memory."""
