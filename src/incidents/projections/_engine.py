"""
The engine: stored rows in, changes out, a projection's handlers called.

A fact's row becomes one :class:`~incidents.projections.Change` (it enters).
A correction or retraction is resolved against the fact it amends: the
engine keeps, per incident, a book of what amends what, works out how the
fact stands before and after, and calls the handlers with the fact leaving
in its old form and entering in its new one. Facts recorded before the rows
at hand are found through a lookup: in storage (:class:`StoreLookup`) or
among the records given (:class:`RecordsLookup`).
"""

from __future__ import annotations

import bisect
import contextlib
import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any
from uuid import UUID

import attrs

from incidents._codec.canonical import apply_changes, converter
from incidents._codec.trusted import decode_trusted
from incidents._domain.convert import field_types
from incidents._domain.events import EVENT_TYPES, Correction, Event, Recorded, Retraction
from incidents._domain.state import effective_events
from incidents._errors import IncidentsError, InvalidInputError, ProjectionError
from incidents.projections._projection import Change, ChangeKind, Projection, State
from incidents.storage import Store

__all__ = ["AMENDMENT_TOPICS", "Engine", "RecordsLookup", "StoreLookup"]

AMENDMENT_TOPICS = frozenset({Correction.TYPE, Retraction.TYPE})
_CACHE_SIZE = 10_000
_AMENDMENTS = (Correction, Retraction)
_ALL_TOPICS = frozenset(EVENT_TYPES)
_RECENT = 256


def _recorded_change(recorded: Recorded) -> Change[Any]:
    """The change a fact makes when it is recorded: it enters, as recorded."""
    return Change(recorded.event, True, ChangeKind.RECORDED, recorded, recorded)


class _Book:
    """
    The amendments of one incident: what targets what.
    """

    __slots__ = ("by_target", "target_of")

    def __init__(self) -> None:
        self.by_target: dict[UUID, list[Recorded]] = {}
        self.target_of: dict[UUID, UUID] = {}

    def add(self, recorded: Recorded) -> None:
        event = recorded.event
        assert isinstance(event, _AMENDMENTS)
        self.by_target.setdefault(event.target_id, []).append(recorded)
        self.target_of[event.event_id] = event.target_id

    def root(self, event_id: UUID) -> UUID:
        target = self.target_of.get(event_id)
        while target is not None:
            event_id = target
            target = self.target_of.get(event_id)
        return event_id

    def affecting(self, root: UUID) -> list[Recorded]:
        found: list[Recorded] = []
        pending = [root]
        while pending:
            for amendment in self.by_target.get(pending.pop(), ()):
                found.append(amendment)
                pending.append(amendment.event.event_id)
        found.sort(key=_sequence_of)
        return found


_sequence_of = operator.attrgetter("sequence")
_FIRST = operator.itemgetter(0)


class _Lookup:
    """Where the engine finds facts recorded before the rows it is given."""

    def fact(self, event_id: UUID, topics: frozenset[str]) -> Recorded | None:
        raise NotImplementedError

    def facts(
        self, event_ids: Collection[UUID], topics: frozenset[str], before: int
    ) -> dict[UUID, Recorded | None]:
        """
        Several facts recorded before sequence *before*, by their ids.

        A fact of a type outside *topics* maps to ``None``; an id that is not
        a fact recorded before *before* is left out.
        """
        return {}

    def amendments(self, incident_id: UUID, before: int) -> list[Recorded]:
        raise NotImplementedError


class StoreLookup(_Lookup):
    def __init__(self, store: Store) -> None:
        self.store = store

    def fact(self, event_id: UUID, topics: frozenset[str]) -> Recorded | None:
        row = self.store.row(event_id)
        if row is None:  # pragma: no cover - the ledger checks references
            raise ProjectionError(f"an amendment targets event {event_id}, which is not stored")
        return decode_trusted(row.state) if row.topic in topics else None

    def facts(
        self, event_ids: Collection[UUID], topics: frozenset[str], before: int
    ) -> dict[UUID, Recorded | None]:
        return {
            row.event_id: decode_trusted(row.state) if row.topic in topics else None
            for row in self.store.rows_of(event_ids)
            if row.id < before and row.topic not in AMENDMENT_TOPICS
        }

    def amendments(self, incident_id: UUID, before: int) -> list[Recorded]:
        rows = self.store.projection_rows(
            after=0, until=before - 1, topics=AMENDMENT_TOPICS, incident_id=incident_id
        )
        return [decode_trusted(state) for _, _, state in rows]


class RecordsLookup(_Lookup):
    def __init__(self) -> None:
        self.seen: dict[UUID, Recorded] = {}

    def fact(self, event_id: UUID, topics: frozenset[str]) -> Recorded | None:
        found = self.seen.get(event_id)
        if found is None:
            raise InvalidInputError(
                f"an amendment targets event {event_id}, which is not among the records "
                "given: give the records from the start of the ledger or of the incident"
            )
        return found if found.type in topics else None

    def amendments(self, incident_id: UUID, before: int) -> list[Recorded]:
        return []  # every record is seen from the start


_Status = tuple[bool, Event | None, tuple[UUID, ...]]


def _corrected(event: Event, changes: Mapping[str, Any]) -> Event:
    """
    What ``apply_changes`` (of the codec) returns, validated just as strictly.

    Only the changed fields are structured (the others are valid values
    already); ``attrs.evolve`` then runs the class's validators. Anything
    unusual goes through ``apply_changes`` itself, which words the errors.
    """
    kind = type(event)
    hints = _HINTS.get(kind)
    if hints is None:
        hints = _HINTS[kind] = field_types(kind)
    if not changes.keys() <= hints.keys():
        return apply_changes(event, changes)
    try:
        new = {name: converter.structure(value, hints[name]) for name, value in changes.items()}
        return attrs.evolve(event, **new)
    except InvalidInputError:
        raise
    except Exception:  # cattrs' own errors and the like
        return apply_changes(event, changes)


_HINTS: dict[type, dict[str, Any]] = {}


def _status(fact: Recorded, amendments: list[Recorded]) -> _Status:
    events, applied, _ = effective_events([fact, *amendments])
    found = events.get(fact.event_id)
    return (found is not None, found, applied.get(fact.event_id, ()))


class Engine:
    """Turns recorded events into changes and calls a projection's handlers."""

    def __init__(self, projection: Projection, lookup: _Lookup, *, complete: bool) -> None:
        self.projection = projection
        self.lookup = lookup
        self.complete = complete  # every amendment since sequence 0 will pass through
        self.handlers: dict[str, tuple[Callable[[State, Change[Any]], Any], ...]] = {
            topic: tuple(getattr(projection, m) for m in methods)
            for topic, methods in type(projection)._dispatch.items()
        }
        if not self.handlers:
            raise ProjectionError(
                f"projection {projection.name!r} handles no event type: mark methods with "
                "@handles(EventClass)"
            )
        self.fact_topics = frozenset(t for t in self.handlers if t not in AMENDMENT_TOPICS)
        self.topics = frozenset(self.handlers) | (AMENDMENT_TOPICS if self.fact_topics else set())
        # What to ask storage for: no filter at all when every type is wanted.
        self.row_topics = None if self.topics >= _ALL_TOPICS else self.topics
        self.books: dict[UUID, _Book] = {}  # by incident
        # How each amended fact stands after its last amendment, and the fact itself:
        # caches only, rebuilt from the log when an engine starts again.
        self.statuses: dict[UUID, _Status] = {}
        self.facts: dict[UUID, Recorded | None] = {}
        # Amendments mostly target facts recorded shortly before them: keep the
        # last few hundred facts as decoded (two generations, so eviction costs
        # nothing).
        self.recent: dict[UUID, Recorded] = {}
        self.older: dict[UUID, Recorded] = {}
        self.seen = lookup.seen if isinstance(lookup, RecordsLookup) else None
        # The batch feed_rows is applying, for _prefetch.
        self.batch: Sequence[tuple[int, str, bytes]] = ()
        self.early: dict[int, Recorded] = {}
        self.prefetched = False

    def feed_rows(self, state: State, rows: Sequence[tuple[int, str, bytes]]) -> None:
        """Apply stored rows (``(sequence, topic, bytes)``) in ledger order: the hot path."""
        fact_topics, handlers = self.fact_topics, self.handlers
        recent = self.recent
        decode, recorded_kind = decode_trusted, ChangeKind.RECORDED
        handler: Any = None
        recorded: Recorded | None = None
        # For a prefetch on the batch's first miss (see _prefetch): what it decodes is kept.
        early = self.early = {}
        self.batch, self.prefetched = rows, False
        try:
            for sequence, topic, data in rows:
                handler = None
                if topic in fact_topics:
                    recorded = decode(data)
                    event = recorded.event
                    recent[event.event_id] = recorded  # for amendments to come
                    if len(recent) >= _RECENT:
                        self.older, self.recent = recent, {}
                        recent = self.recent
                    change = Change(event, True, recorded_kind, recorded, recorded)
                    for handler in handlers[topic]:
                        handler(state, change)
                else:
                    recorded = early.pop(sequence, None) or decode(data)
                    self._amendment(state, recorded)
        except Exception as exc:
            failure = self._failure(exc, handler, recorded)
            if failure is exc:
                raise
            raise failure from exc
        finally:
            self.batch, self.early = (), {}

    def _prefetch(self, sequence: int, root: UUID) -> None:
        """
        On a batch's first miss, read every fact its amendments still need from before it.

        A correction often comes long after its fact, which is then neither
        recent nor remembered: read one by one, each such fact cost a query
        of its own. The first one missed in a batch (the fact *root* of the
        amendment at *sequence*) is read with every other fact the batch's
        later amendments target and do not have at hand, in one query. Facts
        recorded after that amendment are not read: they are still to come in
        the batch. The amendments decoded on the way are kept for the batch.
        """
        self.prefetched = True
        rows, early = self.batch, self.early
        facts, recent, older = self.facts, self.recent, self.older
        wanted = {root: None}  # in order, each once
        at = bisect.bisect_right(rows, sequence, key=_FIRST)
        for later, topic, data in islice(rows, at, None):
            if topic in AMENDMENT_TOPICS:
                recorded = early[later] = decode_trusted(data)
                target = recorded.event.target_id  # type: ignore[attr-defined]
                if target not in facts and target not in recent and target not in older:
                    wanted[target] = None
        found = self.lookup.facts(wanted.keys(), self.fact_topics, before=sequence)
        self._make_room(len(found))
        self.facts.update(found)

    def _make_room(self, more: int) -> None:
        """Forget every looked-up fact and status if *more* would overfill the cache."""
        if len(self.facts) + more > _CACHE_SIZE:
            self.facts.clear()
            self.statuses.clear()

    def feed(self, state: State, records: Iterable[Recorded]) -> int:
        """Apply recorded events in ledger order; return the last sequence seen (0 if none)."""
        handler: Any = None
        recorded: Recorded | None = None
        last = 0
        try:
            for recorded in records:
                handler = None
                topic = recorded.event.TYPE
                last = recorded.sequence
                if topic in self.fact_topics:
                    if self.seen is not None:
                        self.seen[recorded.event.event_id] = recorded
                    change = _recorded_change(recorded)
                    for handler in self.handlers[topic]:
                        handler(state, change)
                elif topic in AMENDMENT_TOPICS:
                    if topic in self.topics:
                        self._amendment(state, recorded)
                elif self.seen is not None:
                    self.seen[recorded.event.event_id] = recorded  # amendments may target it
        except Exception as exc:
            failure = self._failure(exc, handler, recorded)
            if failure is exc:
                raise
            raise failure from exc
        return last

    def _amendment(self, state: State, recorded: Recorded) -> None:
        topic = recorded.event.TYPE
        if topic in self.handlers:
            self._call(topic, state, _recorded_change(recorded))
        if self.fact_topics:
            self._amend(state, recorded)

    def _failure(self, exc: Exception, handler: Any, recorded: Recorded | None) -> Exception:
        if isinstance(exc, IncidentsError) or handler is None or recorded is None:
            return exc
        return ProjectionError(
            f"projection {self.projection.name!r}: {handler.__name__} failed on "
            f"{recorded.type} {recorded.event_id} (sequence {recorded.sequence}): "
            f"{type(exc).__name__}: {exc}"
        )

    def _call(self, topic: str, state: State, change: Change[Any]) -> None:
        for handler in self.handlers[topic]:
            try:
                handler(state, change)
            except IncidentsError:
                raise
            except Exception as exc:
                cause = change.cause
                raise ProjectionError(
                    f"projection {self.projection.name!r}: {handler.__name__} failed on "
                    f"{cause.type} {cause.event_id} (sequence {cause.sequence}): "
                    f"{type(exc).__name__}: {exc}"
                ) from exc

    def _book(self, incident_id: UUID, sequence: int) -> _Book:
        book = self.books.get(incident_id)
        if book is None:
            book = self.books[incident_id] = _Book()
            if not self.complete:
                for earlier in self.lookup.amendments(incident_id, sequence):
                    book.add(earlier)
        return book

    def _amend(self, state: State, recorded: Recorded) -> None:
        event = recorded.event
        assert isinstance(event, _AMENDMENTS)
        book = self._book(event.incident_id, recorded.sequence)
        root = book.root(event.target_id)
        earlier = book.affecting(root)
        book.add(recorded)
        key = root
        if key in self.facts:
            fact = self.facts[key]
        elif (found := self.recent.get(key) or self.older.get(key)) is not None:
            fact = self.facts[key] = found
        else:
            if self.batch and not self.prefetched:
                self._prefetch(recorded.sequence, root)
            if key in self.facts:
                fact = self.facts[key]
            else:
                self._make_room(1)
                fact = self.facts[key] = self.lookup.fact(root, self.fact_topics)
        if fact is None:
            return  # a fact of a type this projection does not handle
        before = self.statuses.get(key)
        if before is None:
            before = _status(fact, earlier) if earlier else (True, fact.event, ())
        if event.target_id == root:
            # Aimed at the fact itself: the fold's left-to-right rule gives the new
            # status from the old one (a retraction withdraws; a correction applies
            # to the fact as it stands, or is skipped if it no longer fits).
            was_in, current, fixes = before
            after = before
            if isinstance(event, Retraction):
                after = (False, None, ())
            elif was_in:
                assert current is not None
                with contextlib.suppress(InvalidInputError):  # no longer fits: skipped
                    after = (True, _corrected(current, event.changes), (*fixes, event.event_id))
            # Unchanged only if skipped, or out before and after (a correction that
            # applies always adds its id): no need to compare the events field by field.
            unchanged = after is before or not (after[0] or before[0])
        else:
            after = _status(fact, [*earlier, recorded])
            unchanged = before == after
        self.statuses[key] = after
        if unchanged:
            return
        was_in, old, old_fixes = before
        now_in, new, new_fixes = after
        topic = fact.type
        if was_in and now_in:
            assert old is not None
            kind = ChangeKind.CORRECTED
            self._call(topic, state, Change(old, False, kind, fact, recorded, old_fixes))
            self._call(topic, state, Change(new, True, kind, fact, recorded, new_fixes, old))
        elif was_in:
            kind = ChangeKind.RETRACTED
            self._call(topic, state, Change(old, False, kind, fact, recorded, old_fixes))
        elif now_in:
            kind = ChangeKind.RESTORED
            self._call(topic, state, Change(new, True, kind, fact, recorded, new_fixes))
