"""
Projections: views over the whole record, written as small classes and run three ways.

A projection is a class with an initial state and one handler per event type.
Handlers are pure with respect to the record: they see the state and one
:class:`Change` (a fact entering or leaving the view, with the recorded
events that caused it) and nothing else, so every replay of the same record
gives the same state, byte for byte.

Corrections and retractions are applied for the projection: a fact enters
once when it is recorded; if it is corrected later it leaves in the form it
entered and re-enters corrected; if it is retracted it leaves; if the
retraction is withdrawn it re-enters. A handler written for a fact entering
only needs its mirror image for the fact leaving.

A state is a JSON object: a ``dict`` from ``str`` keys to JSON values
(``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``). Its
canonical bytes are :func:`incidents._codec.canonical.dumps` of it, and its digest the
SHA-256 of those bytes. Each top-level key is stored as one row of the read
model, so a batch rewrites only the keys its events touched.

Three ways to run one:

* :func:`live` computes the state from the log on demand (optionally for one
  incident, as known at a recording time);
* :class:`ReadModel` keeps it in the ledger's own database, with a
  checkpoint written in the same transaction as each batch of state, so it
  resumes after a restart and applies each event exactly once;
* :meth:`ReadModel.rebuild` builds it again from zero in a new generation and
  swaps it in only when complete.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import enum
import hashlib
import json
import json.encoder
import operator
import re
import threading
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from importlib.metadata import entry_points
from itertools import compress, islice, repeat
from operator import is_not
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

import attrs

from incidents._codec.canonical import apply_changes, converter, dumps
from incidents._codec.slots import slot_setter
from incidents._codec.trusted import decode_trusted
from incidents._domain.events import EVENT_TYPES, Correction, Event, Recorded, Retraction
from incidents._domain.state import effective_events
from incidents._domain.time import Clock, to_utc
from incidents._errors import (
    ConcurrencyError,
    IncidentsError,
    InvalidInputError,
    ProjectionError,
    UnknownIncidentError,
    UnknownProjectionError,
)
from incidents._gc import Turns, paused_gc
from incidents._timetravel.knowledge import known_until
from incidents.storage import ProjectionCheckpoint, Store

__all__ = [
    "Change",
    "ChangeKind",
    "Progress",
    "Projected",
    "Projection",
    "ProjectionCheckpoint",
    "ReadModel",
    "State",
    "get",
    "handles",
    "live",
    "project",
    "register",
    "registered",
    "state_bytes",
]

E = TypeVar("E", bound=Event)
P = TypeVar("P", bound="Projection")

State = dict[str, Any]
"""A projection's state: a JSON object (``str`` keys, JSON values)."""

Progress = Callable[[int, int], None]
"""Called after each batch with ``(sequence reached, sequence to reach)``."""

AMENDMENT_TOPICS = frozenset({Correction.TYPE, Retraction.TYPE})
_CACHE_SIZE = 10_000
_AMENDMENTS = (Correction, Retraction)
_ALL_TOPICS = frozenset(EVENT_TYPES)
_RECENT = 256
DEFAULT_BATCH_SIZE = 1000
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class LedgerReads(Protocol):
    """
    The part of a ledger that projections read (:class:`incidents.Ledger` has it).

    Typed as a protocol so that projections sit below the ledger: its store,
    its clock (for the rule on ``known_at``) and its check that it is open.
    """

    @property
    def store(self) -> Store:
        """The storage backend."""

    @property
    def clock(self) -> Clock:
        """The clock recording times come from."""

    def _check_open(self) -> None: ...


class ChangeKind(enum.Enum):
    """
    Why a fact enters or leaves a projection.
    """

    RECORDED = "recorded"
    """The fact was recorded (it enters)."""
    CORRECTED = "corrected"
    """A correction, or the withdrawal of one, changed it (it leaves, then re-enters)."""
    RETRACTED = "retracted"
    """A retraction withdrew it (it leaves)."""
    RESTORED = "restored"
    """The retraction that withdrew it was itself withdrawn (it re-enters)."""


@attrs.frozen
class Change(Generic[E]):
    """
    One fact entering or leaving a projection: what a handler receives.

    Attributes:
        event: The fact in the form that enters (``added``) or leaves.
        added: True when it enters, False when it leaves.
        kind: Why.
        fact: The fact's own recording (its envelope: sequence, position,
            recording time and recorder, and the event as first recorded).
        cause: The recording that brought this change: the fact itself, or
            the correction or retraction recorded later.
        corrections: Ids of the corrections applied to ``event``.
        previous: When a corrected fact re-enters, the form that just left.
    """

    event: E
    added: bool
    kind: ChangeKind
    fact: Recorded
    cause: Recorded
    corrections: tuple[UUID, ...] = ()
    previous: E | None = None

    @property
    def sign(self) -> int:
        """
        ``+1`` when the fact enters, ``-1`` when it leaves: add it to counts.
        """
        return 1 if self.added else -1

    @property
    def removed(self) -> bool:
        """
        True when the fact leaves.
        """
        return not self.added

    @property
    def event_id(self) -> UUID:
        """
        The fact's id.
        """
        return self.fact.event.event_id

    @property
    def incident_id(self) -> UUID:
        """
        The incident the fact belongs to.
        """
        return self.fact.event.incident_id


(
    _set_event,
    _set_added,
    _set_kind,
    _set_fact,
    _set_cause,
    _set_corrections,
    _set_previous,
) = (
    slot_setter(Change, name)
    for name in ("event", "added", "kind", "fact", "cause", "corrections", "previous")
)


def _recorded_change(recorded: Recorded) -> Change[Any]:
    """``Change(event, True, RECORDED, recorded, recorded)``, built through its slots (hot path)."""
    change: Change[Any] = object.__new__(Change)
    _set_event(change, recorded.event)
    _set_added(change, True)
    _set_kind(change, ChangeKind.RECORDED)
    _set_fact(change, recorded)
    _set_cause(change, recorded)
    _set_corrections(change, ())
    _set_previous(change, None)
    return change


_HANDLES = "__incidents_handles__"


def handles(*types: type[Event]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """
    Mark a method of a :class:`Projection` as the handler of some event types.

    The method is called as ``method(state, change)`` for every :class:`Change`
    of a fact of those types (or of their subclasses: ``handles(Event)``
    handles everything) and updates ``state`` in place; its return value is
    ignored. Handlers of :class:`~incidents.Correction` and
    :class:`~incidents.Retraction` receive each amendment once, as recorded.

    Args:
        *types: Event classes of the vocabulary.

    Returns:
        A decorator that returns the method unchanged.

    Raises:
        InvalidInputError: If no type is given or one is not an event class.
    """
    if not types:
        raise InvalidInputError("handles() needs at least one event class")
    for kind in types:
        if not (isinstance(kind, type) and issubclass(kind, Event)):
            raise InvalidInputError(f"handles() takes event classes, got {kind!r}")

    def mark(method: Callable[..., Any]) -> Callable[..., Any]:
        setattr(method, _HANDLES, (*getattr(method, _HANDLES, ()), *types))
        return method

    return mark


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


class Projection:
    """
    Base class of projections: subclass it, give an initial state and handlers.

    Class attributes:

    * ``name``: the projection's name, which keys its read model and its
      checkpoint (default: the class name in kebab case);
    * ``version``: bump it when the handlers change meaning, so a stored read
      model built by the old code is not silently continued (it must be rebuilt).

    Example:
        >>> from incidents import InterceptReported
        >>> class InterceptCount(Projection):
        ...     def initial(self):
        ...         return {"intercepts": 0}
        ...
        ...     @handles(InterceptReported)
        ...     def intercept(self, state, change):
        ...         state["intercepts"] += change.sign
        >>> InterceptCount.name
        'intercept-count'
    """

    name: ClassVar[str] = "projection"
    version: ClassVar[int | str] = 1
    _dispatch: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = _kebab(cls.__name__)
        if not isinstance(cls.name, str) or not _NAME_RE.match(cls.name):
            raise InvalidInputError(
                f"projection name {cls.name!r} must be 1-100 lower-case letters, digits, "
                "'.', '-' or '_', starting with a letter or digit"
            )
        marked: dict[str, tuple[type[Event], ...]] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                types = getattr(value, _HANDLES, None)
                if types is not None:
                    marked[attribute] = types
                elif attribute in marked:
                    del marked[attribute]  # overridden without @handles
        cls._dispatch = {
            topic: tuple(m for m, types in marked.items() if issubclass(concrete, types))
            for topic, concrete in EVENT_TYPES.items()
        }
        cls._dispatch = {topic: methods for topic, methods in cls._dispatch.items() if methods}

    def initial(self) -> State:
        """
        The state before any event: an empty object unless overridden.

        Returns:
            A new JSON object.
        """
        return {}

    def render(self, state: State) -> str:
        """
        The state as text for people (the command line prints it).

        Args:
            state: A state of this projection.

        Returns:
            Indented JSON unless overridden.
        """
        return json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False)

    @classmethod
    def summary(cls) -> str:
        """
        The first line of the class docstring, for listings.

        Returns:
            One line (empty when there is no docstring).
        """
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0].strip() if doc else ""

    @classmethod
    def handled_types(cls) -> frozenset[str]:
        """
        The type names of the events this projection has handlers for.

        Returns:
            Type names such as ``"intercept-reported"``.
        """
        return frozenset(cls._dispatch)


# -- the engine: rows in, changes out, handlers called -----------------------------------


class _Book:
    """
    The amendments of one incident: what targets what.

    Keyed by the ids' integers, hashed in C (``UUID.__hash__`` is Python code).
    """

    __slots__ = ("by_target", "target_of")

    def __init__(self) -> None:
        self.by_target: dict[int, list[Recorded]] = {}
        self.target_of: dict[int, UUID] = {}

    def add(self, recorded: Recorded) -> None:
        event = recorded.event
        assert isinstance(event, _AMENDMENTS)
        self.by_target.setdefault(event.target_id.int, []).append(recorded)
        self.target_of[event.event_id.int] = event.target_id

    def root(self, event_id: UUID) -> UUID:
        target = self.target_of.get(event_id.int)
        while target is not None:
            event_id = target
            target = self.target_of.get(event_id.int)
        return event_id

    def affecting(self, root: UUID) -> list[Recorded]:
        found: list[Recorded] = []
        pending = [root.int]
        while pending:
            for amendment in self.by_target.get(pending.pop(), ()):
                found.append(amendment)
                pending.append(amendment.event.event_id.int)
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
    ) -> dict[int, Recorded | None]:
        """
        Several facts recorded before sequence *before*, by their ids' integers.

        A fact of a type outside *topics* maps to ``None``; an id that is not
        a fact recorded before *before* is left out.
        """
        return {}

    def amendments(self, incident_id: UUID, before: int) -> list[Recorded]:
        raise NotImplementedError


class _StoreLookup(_Lookup):
    def __init__(self, store: Store) -> None:
        self.store = store

    def fact(self, event_id: UUID, topics: frozenset[str]) -> Recorded | None:
        row = self.store.row(event_id)
        if row is None:  # pragma: no cover - the ledger checks references
            raise ProjectionError(f"an amendment targets event {event_id}, which is not stored")
        return decode_trusted(row.state) if row.topic in topics else None

    def facts(
        self, event_ids: Collection[UUID], topics: frozenset[str], before: int
    ) -> dict[int, Recorded | None]:
        return {
            row.event_id.int: decode_trusted(row.state) if row.topic in topics else None
            for row in self.store.rows_of(event_ids)
            if row.id < before and row.topic not in AMENDMENT_TOPICS
        }

    def amendments(self, incident_id: UUID, before: int) -> list[Recorded]:
        rows = self.store.projection_rows(
            after=0, until=before - 1, topics=AMENDMENT_TOPICS, incident_id=incident_id
        )
        return [decode_trusted(state) for _, _, state in rows]


class _RecordsLookup(_Lookup):
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
    What :func:`incidents._codec.canonical.apply_changes` returns, validated just as strictly.

    Only the changed fields are structured (the others are valid values
    already); ``attrs.evolve`` then runs the class's validators. Anything
    unusual goes through ``apply_changes`` itself, which words the errors.
    """
    kind = type(event)
    hints = _HINTS.get(kind)
    if hints is None:
        every = typing.get_type_hints(kind)
        hints = _HINTS[kind] = {f.name: every[f.name] for f in attrs.fields(kind)}
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


class _Engine:
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
        self.books: dict[int, _Book] = {}  # by the incident id's integer
        # How each amended fact stands after its last amendment, and the fact itself:
        # caches only, rebuilt from the log when an engine starts again.
        # Both keyed by the id's integer: hashed in C, not by UUID.__hash__.
        self.statuses: dict[int, _Status] = {}
        self.facts: dict[int, Recorded | None] = {}
        # Amendments mostly target facts recorded shortly before them: keep the
        # last few thousand facts as decoded (two generations, so eviction costs
        # nothing), keyed by the id's integer (hashed in C, not by UUID.__hash__).
        self.recent: dict[int, Recorded] = {}
        self.older: dict[int, Recorded] = {}
        self.seen = lookup.seen if isinstance(lookup, _RecordsLookup) else None
        # The batch feed_rows is applying, for _prefetch.
        self.batch: Sequence[tuple[int, str, bytes]] = ()
        self.early: dict[int, Recorded] = {}
        self.prefetched = False

    def feed_rows(self, state: State, rows: Sequence[tuple[int, str, bytes]]) -> None:
        """Apply stored rows (``(sequence, topic, bytes)``) in ledger order: the hot path."""
        fact_topics, handlers = self.fact_topics, self.handlers
        recent = self.recent
        decode, new, recorded_kind = decode_trusted, object.__new__, ChangeKind.RECORDED
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
                    recent[event.event_id.int] = recorded  # for amendments to come
                    if len(recent) >= _RECENT:
                        self.older, self.recent = recent, {}
                        recent = self.recent
                    # Change(event, True, RECORDED, recorded, recorded), through its slots.
                    change = new(Change)
                    _set_event(change, event)
                    _set_added(change, True)
                    _set_kind(change, recorded_kind)
                    _set_fact(change, recorded)
                    _set_cause(change, recorded)
                    _set_corrections(change, ())
                    _set_previous(change, None)
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
        wanted: dict[int, UUID] = {root.int: root}
        at = bisect.bisect_right(rows, sequence, key=_FIRST)
        for later, topic, data in islice(rows, at, None):
            if topic in AMENDMENT_TOPICS:
                recorded = early[later] = decode_trusted(data)
                target = recorded.event.target_id  # type: ignore[attr-defined]
                key = target.int
                if key not in facts and key not in recent and key not in older:
                    wanted[key] = target
        found = self.lookup.facts(wanted.values(), self.fact_topics, before=sequence)
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
        book = self.books.get(incident_id.int)
        if book is None:
            book = self.books[incident_id.int] = _Book()
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
        key = root.int
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
        if event.target_id.int == root.int:
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


# -- states: canonical bytes, digests, change tracking ------------------------------------


def state_bytes(state: Mapping[str, Any]) -> bytes:
    """
    The canonical bytes of a state: compact, sorted-key UTF-8 JSON.

    Args:
        state: A projection's state.

    Returns:
        The bytes whose SHA-256 is the state's digest.

    Raises:
        ProjectionError: If the state is not a JSON object that survives its
            own encoding unchanged (tuples, sets, non-``str`` keys, NaN).
    """
    plain = dict(state)
    try:
        data = dumps(plain)
    except InvalidInputError as exc:
        raise ProjectionError(f"a projection state must be JSON: {exc}") from exc
    # Parsed back, a large state is many containers at once: bulk work (incidents._gc).
    with paused_gc(len(data) // _BYTES_PER_CONTAINER):
        same = json.loads(data) == plain
    if not same:
        raise ProjectionError(_NOT_CANONICAL)
    return data


_BYTES_PER_CONTAINER = 64
"""Roughly how many bytes of a state's JSON make one dict or list: what sizes its check as bulk."""


_NOT_CANONICAL = (
    "a projection state must survive canonical JSON unchanged: use dicts with str keys, "
    "lists (not tuples or sets), str, int, float, bool and None"
)


def _assemble(documents: Mapping[str, bytes]) -> bytes:
    """Canonical bytes of a state from the canonical bytes of its top-level values."""
    parts = [dumps(key) + b":" + documents[key] for key in sorted(documents)]
    return b"{" + b",".join(parts) + b"}"


_PLAIN = (str, int, bool, type(None))  # exact types: compared by value, encoded once
_PARTS_MIN = 64  # a dict value this large is re-encoded member by member


class _Parts:
    """
    The canonical encoding of one large ``dict`` value of a state, member by member.

    ``order`` holds the keys, sorted, and ``encoded`` beside it the bytes
    ``"key":value`` of each as last encoded; ``plain`` maps the keys whose
    value is a ``str``, ``int``, ``bool`` or ``None`` to that very object.
    """

    __slots__ = ("encoded", "order", "plain")

    def __init__(self) -> None:
        self.order: list[str] = []
        self.encoded: list[bytes] = []
        self.plain: dict[str, Any] = {}

    def encode(self, name: str, key: str, value: dict[Any, Any]) -> bytes:
        """
        ``dumps(value)``, re-encoding only the members that changed since the last call.

        A member is unchanged when it holds the very object last encoded and
        that object is a ``str``, ``int``, ``bool`` or ``None`` (immutable, so
        its bytes stand); every other member is encoded and checked again.

        Raises:
            ProjectionError: If a member is not canonical JSON.
        """
        order, encoded, plain = self.order, self.encoded, self.plain
        # The members whose value is not the object last encoded, found in C.
        keys = value.keys()
        changed = list(
            compress(keys, map(is_not, map(plain.get, keys, repeat(_MISSING)), value.values()))
        )
        removed = len(order) + sum(1 for m in changed if m not in plain) != len(value)
        fresh: list[tuple[str, bytes]] = []
        for member in changed:
            item = value[member]
            known = member in plain
            if not known and not isinstance(member, str):
                raise ProjectionError(
                    f"projection {name!r}: state[{key!r}]: keys must be str, got {member!r}"
                )
            kind = type(item)
            if kind is int:  # the commonest members, written as json.dumps would
                text = int.__repr__(item)
            elif kind is str:
                text = _escape(item)
            else:
                try:
                    text = dumps(item).decode()
                except InvalidInputError as exc:
                    raise ProjectionError(
                        f"projection {name!r}: state[{key!r}][{member!r}]: {exc}"
                    ) from exc
            if kind in _PLAIN:
                plain[member] = item
            else:
                if json.loads(text) != item:
                    raise ProjectionError(
                        f"projection {name!r}: state[{key!r}][{member!r}]: {_NOT_CANONICAL}"
                    )
                plain[member] = _MISSING  # known, but encoded again every time
            data = f"{_escape(member)}:{text}".encode()
            if known:
                encoded[bisect.bisect_left(order, member)] = data
            else:
                fresh.append((member, data))
        if removed:
            for member in [m for m in order if m not in value]:
                del plain[member]
            kept = [i for i, m in enumerate(order) if m in value]
            self.order = order = [order[i] for i in kept]
            self.encoded = encoded = [encoded[i] for i in kept]
        if len(fresh) > 32:
            pairs = sorted([*zip(order, encoded, strict=True), *fresh])
            self.order = order = [m for m, _ in pairs]
            self.encoded = encoded = [d for _, d in pairs]
        else:
            for member, data in fresh:
                at = bisect.bisect_left(order, member)
                order.insert(at, member)
                encoded.insert(at, data)
        return b"{" + b",".join(encoded) + b"}"


_MISSING = object()
_escape: Callable[[str], str] = json.encoder.encode_basestring  # as json.dumps writes text


class _Tracked(dict[str, Any]):
    """A state that remembers which top-level keys a batch may have changed."""

    __slots__ = ("everything", "parts", "stored", "touched")

    def __init__(self, data: Mapping[str, Any], stored: Iterable[str]) -> None:
        super().__init__(data)
        self.touched: set[Any] = set()
        self.everything = False
        self.stored = set(stored)
        self.parts: dict[str, _Parts] = {}

    # Reads that hand out a value may precede a change inside it.
    def __getitem__(self, key: Any) -> Any:
        self.touched.add(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.touched.add(key)
        return dict.get(self, key, default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self.touched.add(key)
        return dict.setdefault(self, key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self.touched.add(key)
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        self.touched.add(key)
        return dict.pop(self, key, *default)

    def _all(self) -> None:
        self.everything = True

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._all()
        dict.update(self, *args, **kwargs)

    def values(self) -> Any:
        self._all()
        return dict.values(self)

    def items(self) -> Any:
        self._all()
        return dict.items(self)

    def popitem(self) -> tuple[str, Any]:
        self._all()
        return dict.popitem(self)

    def clear(self) -> None:
        self._all()
        dict.clear(self)

    def copy(self) -> dict[str, Any]:
        self._all()
        return dict(self)

    def __ior__(self, other: Any) -> _Tracked:  # type: ignore[override,misc]
        self._all()
        dict.update(self, other)
        return self

    def changes(self, name: str) -> tuple[dict[str, bytes], set[str]]:
        """
        Encode what may have changed since the last commit: (documents, deleted keys).

        A large ``dict`` value is encoded member by member and its members'
        bytes kept, so the next batch re-encodes only the members that changed
        (the bytes are those of :func:`dumps` of the whole value all the same).
        """
        keys = set(dict.keys(self)) | self.stored if self.everything else self.touched
        documents: dict[str, bytes] = {}
        deleted: set[str] = set()
        parts = self.parts
        for key in keys:
            if not dict.__contains__(self, key):
                parts.pop(key, None)
                if key in self.stored:
                    deleted.add(key)
                continue
            if not isinstance(key, str):
                raise ProjectionError(f"projection {name!r}: state keys must be str, got {key!r}")
            value = dict.__getitem__(self, key)
            if type(value) is dict and (key in parts or len(value) >= _PARTS_MIN):
                found = parts.get(key)
                if found is None:
                    found = parts[key] = _Parts()
                try:
                    documents[key] = found.encode(name, key, value)
                except BaseException:
                    del parts[key]  # half updated: start afresh next time
                    raise
                continue
            parts.pop(key, None)
            try:
                data = dumps(value)
            except InvalidInputError as exc:
                raise ProjectionError(f"projection {name!r}: state[{key!r}]: {exc}") from exc
            if json.loads(data) != value:
                raise ProjectionError(f"projection {name!r}: state[{key!r}]: {_NOT_CANONICAL}")
            documents[key] = data
        return documents, deleted

    def committed(self) -> None:
        """The changes were stored: start tracking afresh."""
        self.stored = set(dict.keys(self))
        self.touched = set()
        self.everything = False


@attrs.frozen
class Projected:
    """
    A projection's state at a point of the ledger, with its canonical bytes.

    Attributes:
        name: The projection's name.
        version: The projection's version.
        state: The state (yours to keep: nothing else refers to it).
        sequence: The ledger's sequence the state accounts for: every event
            up to it was considered.
        canonical: The state's canonical bytes.
    """

    name: str
    version: str
    state: State
    sequence: int
    canonical: bytes = attrs.field(repr=False)

    @property
    def digest(self) -> str:
        """
        SHA-256 of the canonical bytes, in hex: equal states have equal digests.
        """
        return hashlib.sha256(self.canonical).hexdigest()


# -- running: pure, live, persistent ---------------------------------------------------------


def project(projection: Projection, records: Iterable[Recorded]) -> Projected:
    """
    Run a projection over recorded events you already hold (pure, no storage).

    Args:
        projection: The projection.
        records: Recorded events in ledger order, from the start of the ledger
            (or of an incident), e.g. ``ledger.events(incident_id, known_at=R)``.

    Returns:
        The state after the last record.

    Raises:
        InvalidInputError: If the records are out of order or an amendment
            targets an event not among them.
        ProjectionError: If a handler fails or the state is not canonical JSON.
    """
    engine = _Engine(projection, _RecordsLookup(), complete=True)
    state = projection.initial()
    last = engine.feed(state, _in_order(records))
    return _projected(projection, state, last)


def _in_order(records: Iterable[Recorded]) -> Iterator[Recorded]:
    last = 0
    for recorded in records:
        if recorded.sequence <= last:
            raise InvalidInputError(
                f"records must be in ledger order: sequence {recorded.sequence} after {last}"
            )
        last = recorded.sequence
        yield recorded


def _projected(projection: Projection, state: State, sequence: int) -> Projected:
    return Projected(
        name=projection.name,
        version=str(projection.version),
        state=state,
        sequence=sequence,
        canonical=state_bytes(state),
    )


def _sequence_known_at(store: Store, limit: int, head: int) -> int:
    """The last sequence recorded at or before *limit* µs (recording time never decreases)."""
    low, high = 0, head  # invariant: sequence low is known by then; high + 1 is not
    while low < high:
        middle = (low + high + 1) // 2
        row = store.rows(after=middle - 1, limit=1)
        if row and row[0].recorded_at <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def live(
    ledger: LedgerReads,
    projection: Projection,
    *,
    incident_id: UUID | None = None,
    known_at: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Projected:
    """
    Compute a projection from the log now, without storing anything.

    Rows of event types the projection has no handler for are skipped in
    storage, never decoded.

    Args:
        ledger: The ledger.
        projection: The projection.
        incident_id: Only this incident's events.
        known_at: Only what had been recorded by this time.
        batch_size: Rows read per query.

    Returns:
        The state.

    Raises:
        UnknownIncidentError: If *incident_id* names no incident (as known at *known_at*).
        FutureKnowledgeError: If *known_at* is in the future.
        ProjectionError: If a handler fails or the state is not canonical JSON.
    """
    ledger._check_open()
    store = ledger.store
    _check_batch_size(batch_size)
    head = store.last_sequence()
    limit = known_until(ledger.clock, known_at)  # the ledger's own rule for future known_at
    if limit is not None:
        head = _sequence_known_at(store, limit, head)
    if incident_id is not None and not store.projection_rows(
        after=0, until=head, incident_id=incident_id, limit=1
    ):
        when = "" if known_at is None else f" as known at {to_utc(known_at).isoformat()}"
        raise UnknownIncidentError(f"incident {incident_id} is not recorded{when}")
    engine = _Engine(projection, _StoreLookup(store), complete=True)
    state = projection.initial()
    after = 0
    with Turns() as turns:  # a long catch-up keeps the collector paused (incidents._gc)
        while after < head:
            rows = store.projection_rows(
                after=after,
                until=head,
                topics=engine.row_topics,
                limit=batch_size,
                incident_id=incident_id,
            )
            turns.step(len(rows))
            engine.feed_rows(state, rows)  # other topics were filtered out in storage
            if len(rows) < batch_size:
                break
            after = rows[-1][0]
    return _projected(projection, state, head)


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a whole number >= 1, got {batch_size!r}")


class ReadModel:
    """
    A projection kept in the ledger's own database, caught up in batches.

    Each batch of state changes and the checkpoint (the last sequence
    applied) are written in one transaction, so after a crash the read model
    resumes exactly where its last committed batch ended: every event is
    applied once. Every projection has its own checkpoint; any number of them
    can live in one ledger.

    A ``ReadModel`` keeps the state in memory between catch-ups, so each one
    only reads what is new; use one per thread. Several processes may catch
    up the same read model: each transaction checks the checkpoint it started
    from, and the one that lost reloads and carries on.

    Args:
        ledger: The ledger whose database holds the read model.
        projection: The projection (its ``name`` keys the read model).
        batch_size: Events applied per transaction.

    Example:
        >>> from incidents import Ledger, examples
        >>> from incidents.projections import AircraftRoster
        >>> with Ledger.open(":memory:") as ledger:
        ...     _ = ledger.record(*examples.alaska_2024())
        ...     model = ReadModel(ledger, AircraftRoster())
        ...     model.catch_up().sequence
        ...     model.read().state["CN"]["H-6"]["airframes"]
        17
        2
    """

    def __init__(
        self, ledger: LedgerReads, projection: Projection, *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        _check_batch_size(batch_size)
        self.ledger = ledger
        self.projection = projection
        self.batch_size = batch_size
        self._cached: tuple[ProjectionCheckpoint, _Tracked, _Engine] | None = None

    @property
    def name(self) -> str:
        """
        The projection's name.
        """
        return self.projection.name

    @property
    def _store(self) -> Store:
        self.ledger._check_open()
        return self.ledger.store

    def status(self) -> ProjectionCheckpoint | None:
        """
        Where the active read model stands, or ``None`` if it was never built.

        Returns:
            The active generation's checkpoint.
        """
        return next((c for c in self._store.projection_checkpoints(self.name) if c.active), None)

    def _version(self) -> str:
        return str(self.projection.version)

    def _check_version(self, checkpoint: ProjectionCheckpoint) -> None:
        if checkpoint.version != self._version():
            raise ProjectionError(
                f"the read model {self.name!r} was built by version {checkpoint.version} of "
                f"the projection; this is version {self._version()}: rebuild it "
                f"(ReadModel.rebuild(), or: incidents project {self.name} --rebuild)"
            )

    def _load(
        self, checkpoint: ProjectionCheckpoint
    ) -> tuple[ProjectionCheckpoint, _Tracked] | None:
        stored, documents = self._store.projection_load(self.name, checkpoint.generation)
        if stored is None:
            return None  # swapped out meanwhile
        data = {key: json.loads(value) for key, value in documents.items()}
        return stored, _Tracked(data, documents)

    def _fresh(self, generation: int, *, active: bool) -> tuple[ProjectionCheckpoint, _Tracked]:
        state = _Tracked(self.projection.initial(), ())
        state.everything = True
        checkpoint = ProjectionCheckpoint(self.name, generation, self._version(), 0, active)
        return checkpoint, state

    def _engine(self, checkpoint: ProjectionCheckpoint) -> _Engine:
        return _Engine(
            self.projection, _StoreLookup(self._store), complete=checkpoint.sequence == 0
        )

    def _active(self) -> tuple[ProjectionCheckpoint, _Tracked, _Engine, bool]:
        """The active generation, loaded (or a new one); the last item: whether it is stored."""
        if self._cached is not None:
            checkpoint, state, engine = self._cached
            return checkpoint, state, engine, True
        for _ in range(5):
            checkpoints = self._store.projection_checkpoints(self.name)
            active = next((c for c in checkpoints if c.active), None)
            if active is None:
                generation = 1 + max((c.generation for c in checkpoints), default=0)
                checkpoint, state = self._fresh(generation, active=True)
                return checkpoint, state, self._engine(checkpoint), False
            self._check_version(active)
            loaded = self._load(active)
            if loaded is not None:
                checkpoint, state = loaded
                return checkpoint, state, self._engine(checkpoint), True
        raise ConcurrencyError(f"the read model {self.name!r} keeps being swapped; try again")

    def catch_up(
        self, *, progress: Progress | None = None, until: int | None = None
    ) -> ProjectionCheckpoint:
        """
        Apply every event recorded since the checkpoint, one transaction per batch.

        Args:
            progress: Called after each committed batch with the sequence
                reached and the sequence to reach.
            until: Stop at this sequence (default: the last one recorded).

        Returns:
            The checkpoint reached.

        Raises:
            ProjectionError: If a handler fails (nothing of that batch is
                stored) or the stored read model needs a rebuild.
        """
        for _ in range(5):
            checkpoint, state, engine, stored = self._active()
            try:
                reached = self._run(checkpoint, state, engine, stored, progress, until)
            except ConcurrencyError:
                self._cached = None  # another process moved it: reload and go on
                continue
            except BaseException:
                self._cached = None  # the in-memory state may hold a failed batch
                raise
            self._cached = (reached, state, engine)
            return reached
        raise ConcurrencyError(f"the read model {self.name!r} keeps being moved; try again")

    def _run(
        self,
        checkpoint: ProjectionCheckpoint,
        state: _Tracked,
        engine: _Engine,
        stored: bool,
        progress: Progress | None,
        head: int | None = None,
    ) -> ProjectionCheckpoint:
        store = self._store
        last = store.last_sequence()
        head = last if head is None else max(min(head, last), checkpoint.sequence)
        expected = checkpoint if stored else None
        with Turns() as turns:  # a long catch-up keeps the collector paused (incidents._gc)
            while expected is None or checkpoint.sequence < head:
                checkpoint = expected = self._batch(
                    checkpoint, expected, state, engine, head, turns
                )
                if progress is not None:
                    progress(checkpoint.sequence, head)
        return checkpoint

    def _batch(
        self,
        checkpoint: ProjectionCheckpoint,
        expected: ProjectionCheckpoint | None,
        state: _Tracked,
        engine: _Engine,
        head: int,
        turns: Turns,
    ) -> ProjectionCheckpoint:
        """Apply and commit one batch, checkpoint included; return the checkpoint reached."""
        store = self._store
        rows = store.projection_rows(
            after=checkpoint.sequence, until=head, topics=engine.row_topics, limit=self.batch_size
        )
        turns.step(len(rows))
        engine.feed_rows(state, rows)  # other topics were filtered out in storage
        end = rows[-1][0] if len(rows) == self.batch_size else head
        reached = dataclasses.replace(checkpoint, sequence=end)
        documents, deleted = state.changes(self.name)
        with store.projection_writing(self.name, checkpoint.generation) as writer:
            if writer.checkpoint() != expected:
                raise ConcurrencyError(
                    f"the read model {self.name!r} was changed by another writer"
                )
            writer.put(documents)
            writer.delete(deleted)
            writer.advance(reached)
        state.committed()
        return reached

    def rebuild(self, *, progress: Progress | None = None) -> ProjectionCheckpoint:
        """
        Build the read model again from zero and swap it in when complete.

        The new generation is written beside the active one, which readers
        keep seeing until the swap; the swap (activating the new generation
        and deleting the old) is one transaction.

        Args:
            progress: Called after each committed batch.

        Returns:
            The new active checkpoint.

        Raises:
            ProjectionError: If a handler fails (the active read model is untouched).
        """
        store = self._store
        self._cached = None
        checkpoints = store.projection_checkpoints(self.name)
        for abandoned in (c for c in checkpoints if not c.active):
            store.projection_drop(self.name, abandoned.generation)  # an earlier rebuild's
        generation = 1 + max((c.generation for c in checkpoints), default=0)
        checkpoint, state = self._fresh(generation, active=False)
        engine = self._engine(checkpoint)
        reached = self._run(checkpoint, state, engine, False, progress)
        reached = self._run(reached, state, engine, True, progress)  # what arrived meanwhile
        with store.projection_writing(self.name, generation) as writer:
            if writer.checkpoint() != reached:
                raise ConcurrencyError(
                    f"the rebuild of {self.name!r} was changed by another writer"
                )
            writer.activate()
        active = dataclasses.replace(reached, active=True)
        self._cached = (active, state, engine)
        return active

    def read(self) -> Projected:
        """
        The stored read model, read in one consistent snapshot.

        Returns:
            Its state and checkpoint; an empty initial state at sequence 0 if it
            was never built.

        Raises:
            ProjectionError: If the stored read model needs a rebuild.
        """
        active = self.status()
        if active is not None:
            self._check_version(active)
            stored, documents = self._store.projection_load(self.name, active.generation)
            if stored is not None:
                return Projected(
                    name=self.name,
                    version=stored.version,
                    state={key: json.loads(value) for key, value in documents.items()},
                    sequence=stored.sequence,
                    canonical=_assemble(documents),
                )
            return self.read()  # swapped meanwhile
        return _projected(self.projection, self.projection.initial(), 0)

    def drop(self) -> None:
        """
        Delete the read model (every generation) and its checkpoints.
        """
        self._cached = None
        self._store.projection_drop(self.name)

    def follow(
        self,
        *,
        interval: float = 1.0,
        stop: threading.Event | None = None,
        on_batch: Progress | None = None,
    ) -> ProjectionCheckpoint:
        """
        Keep the read model caught up until *stop* is set: a subscription.

        Between catch-ups it waits for new events
        (:meth:`~incidents.storage.Store.wait_for_events`): a commit made in
        this process wakes it at once, and so does any commit on PostgreSQL,
        from any machine (``LISTEN``/``NOTIFY``). Commits it cannot be told of
        (another process writing the same SQLite file) are seen by reading the
        log's last sequence, one cheap query, every *interval* seconds. New
        events are applied in batches as in :meth:`catch_up`.

        Args:
            interval: Seconds between two reads of the log's last sequence
                when no commit is announced.
            stop: Set it (from another thread) to return; it is noticed
                within a tenth of a second.
            on_batch: Called after each committed batch.

        Returns:
            The checkpoint reached when stopped.
        """
        stop = stop if stop is not None else threading.Event()
        reached = self.catch_up(progress=on_batch)
        while not stop.is_set():
            last = self._store.wait_for_events(
                reached.sequence, timeout=_FOLLOW_WAIT, poll=interval, stop=stop
            )
            if last != reached.sequence and not stop.is_set():
                reached = self.catch_up(progress=on_batch)
        return reached


_FOLLOW_WAIT = 60.0
"""Seconds one wait of :meth:`ReadModel.follow` lasts before it looks again anyway."""


# -- the registry of named projections ----------------------------------------------------------

Factory = Callable[[], Projection]
_REGISTRY: dict[str, Factory] = {}
_ENTRY_POINT_GROUP = "incidents.projections"
_entry_points_loaded = False


def register(factory: Any = None, *, name: str | None = None, replace: bool = False) -> Any:
    """
    Register a projection by name, for ``incidents project NAME`` and :func:`get`.

    Use it as a class decorator (``@register``) or call it with a projection
    class or a function returning a projection. Installed packages can offer
    projections through the ``incidents.projections`` entry point group.

    Args:
        factory: A :class:`Projection` subclass, or a callable returning a projection.
        name: The name to register under (default: the projection's ``name``).
        replace: Replace a projection already registered under that name.

    Returns:
        *factory*, unchanged (or a decorator when called without it).

    Raises:
        InvalidInputError: If the name is taken (and *replace* is false) or
            *factory* does not make a projection.
    """
    if factory is None:
        return lambda f: register(f, name=name, replace=replace)
    if isinstance(factory, type) and issubclass(factory, Projection):
        key = name or factory.name
    elif callable(factory):
        made = factory()
        if not isinstance(made, Projection):
            raise InvalidInputError(f"{factory!r} does not make a Projection")
        key = name or made.name
    else:
        raise InvalidInputError(f"register() takes a Projection class or factory, got {factory!r}")
    if not _NAME_RE.match(key):
        raise InvalidInputError(f"projection name {key!r} is not valid")
    if key in _REGISTRY and _REGISTRY[key] is not factory and not replace:
        raise InvalidInputError(
            f"a projection named {key!r} is already registered; pass replace=True to replace it"
        )
    _REGISTRY[key] = factory
    return factory


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for point in entry_points(group=_ENTRY_POINT_GROUP):
        if point.name not in _REGISTRY:
            register(point.load(), name=point.name)


def registered() -> dict[str, Factory]:
    """
    Every registered projection, by name (built-ins, yours, installed plugins).

    Returns:
        Name to factory, sorted by name.
    """
    _load_entry_points()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Projection:
    """
    A new instance of the projection registered under *name*.

    Args:
        name: e.g. ``"timeline"``.

    Returns:
        The projection.

    Raises:
        UnknownProjectionError: If no projection has that name.
    """
    factories = registered()
    if name not in factories:
        raise UnknownProjectionError(
            f"no projection is registered as {name!r} (registered: {', '.join(factories)})"
        )
    return factories[name]()
