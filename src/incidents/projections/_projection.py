"""
The projection: a small class with an initial state and one handler per event type.

Handlers are pure with respect to the record: they see the state and one
:class:`Change` (a fact entering or leaving the view, with the recorded
events that caused it) and nothing else, so every replay of the same record
gives the same state, byte for byte.

Corrections and retractions are applied for the projection: a fact enters
once when it is recorded; if it is corrected later it leaves in the form it
entered and re-enters corrected; if it is retracted it leaves; if the
retraction is withdrawn it re-enters. A handler written for a fact entering
only needs its mirror image for the fact leaving.

Also the one thing projections know of a ledger: :class:`LedgerReads`, the
protocol they read it through, so that they sit below the ledger.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

import attrs

from incidents._domain.events import EVENT_TYPES, Event, Recorded
from incidents._domain.time import Clock
from incidents._errors import InvalidInputError
from incidents.storage import Store

__all__ = [
    "NAME_RE",
    "Change",
    "ChangeKind",
    "LedgerReads",
    "Projection",
    "State",
    "handles",
]

E = TypeVar("E", bound=Event)

State = dict[str, Any]
"""A projection's state: a JSON object (``str`` keys, JSON values)."""

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
"""What a projection's name may be."""


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

    def _known_until(self, known_at: datetime | None) -> int | None:
        """The last recording time (µs) an answer as known at *known_at* covers."""


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
        if not isinstance(cls.name, str) or not NAME_RE.match(cls.name):
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
