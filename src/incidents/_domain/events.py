"""
The event vocabulary: every fact the ledger can hold, as an immutable value.

Each event is a frozen, slotted attrs class whose fields are keyword-only.
Every event names the incident it belongs to (``incident_id``), the source it
comes from (``source_id``) and carries its own id (``event_id``, a random
UUID unless given). The ledger wraps each recorded event in a
:class:`Recorded` envelope that adds its place in the global order
(``sequence``), its position in the incident's stream, the recording time and
who recorded it: those are never chosen by the caller.

Facts are never edited. A :class:`Correction` names an earlier event and the
fields it changes; a :class:`Retraction` withdraws an earlier event. Both are
events in their own right, attributed to their own source.

Some fields are *references*: they hold the ids of other events of the
incident (a patrol's aircraft, the source a source cites, the event a
correction targets). Each class names them in ``REFERENCE_FIELDS`` and the
types they may point at in ``REFERS_TO``; the ledger checks them when the
event is recorded. Ids and references are not facts: a correction may not
change them (:data:`UNCORRECTABLE_FIELDS`).

The vocabulary is closed: :data:`EVENT_TYPES` maps each stable type name
(used in storage, bundles and the command line) to its class.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit
from uuid import UUID, uuid4, uuid5

import attrs

from incidents._domain.claims import FREE_TEXT, PROPOSITION_TYPES, Proposition, derived_claim_id
from incidents._domain.convert import (
    OMIT_WHEN_DEFAULT,
    apply_changes,
    converter,
    unstructure_changes,
)
from incidents._domain.geo import Fix, Geometry, Location, check_geometry
from incidents._domain.languages import why_not_a_language
from incidents._domain.limits import (
    MAX_INTEGER,
    MAX_ITEMS,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_VERTICES,
    check_items,
    check_json,
    check_text,
    shown,
)
from incidents._domain.nations import ASSIGNED_NATIONS, nation_error
from incidents._domain.time import ValidTime, check_instant
from incidents._domain.zones import ZONE_NAMESPACE, EdgeRule, Zone, ZoneKind
from incidents._errors import InvalidInputError

__all__ = [
    "EVENT_TYPES",
    "UNCORRECTABLE_FIELDS",
    "AircraftReported",
    "AirspaceViolationAlleged",
    "AreaReported",
    "AssessmentMade",
    "Claim",
    "Correction",
    "Count",
    "Credibility",
    "DiplomaticProtest",
    "Event",
    "FlightDurationReported",
    "IncidentLinked",
    "IncidentOpened",
    "Interceptor",
    "InterceptReported",
    "LandingReported",
    "LinkRelation",
    "PatrolReported",
    "ProtestKind",
    "Recorded",
    "REGISTRY_TYPES",
    "Reliability",
    "ReportsReconciled",
    "Retraction",
    "SOURCES_REGISTRY",
    "SeriesAssigned",
    "SourceKind",
    "SourceRegistered",
    "Speaker",
    "Stance",
    "StatementIssued",
    "WarningShotsReported",
    "ZoneEntryReported",
    "TrackObserved",
    "ZoneAmended",
    "ZoneDeclared",
]

# -- validators: every one raises InvalidInputError, never TypeError ----------
#
# Short texts (names, titles, designations) take at most MAX_NAME_LENGTH
# characters, free texts (summaries, quotes, reasons) MAX_TEXT_LENGTH, and
# collections MAX_ITEMS items: see incidents._domain.limits.


def _instance_of(kind: type | tuple[type, ...]) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise InvalidInputError(
                f"{attribute.name} must be {names}, got {type(value).__name__} {shown(value)}"
            )

    return check


def _bounded_text(limit: int, *, empty: bool = False) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            raise InvalidInputError(f"{attribute.name} must be text, got {shown(value)}")
        check_text(value, attribute.name, limit)
        if not empty and not value.strip():
            raise InvalidInputError(f"{attribute.name} must be non-empty text, got {shown(value)}")

    return check


_text = _bounded_text(MAX_NAME_LENGTH)
_free_text = _bounded_text(MAX_TEXT_LENGTH)


def _optional(check: Any) -> Any:
    def run(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            check(instance, attribute, value)

    return run


_optional_text = _optional(_text)
_optional_free_text = _optional(_free_text)


def _nation(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Assigned ISO 3166-1 alpha-2 codes only: see incidents._domain.nations.
    if not isinstance(value, str) or value not in ASSIGNED_NATIONS:
        raise InvalidInputError(nation_error(attribute.name, value))


def _whole_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTEGER:
        raise InvalidInputError(
            f"{name} must be a whole number from 1 to {MAX_INTEGER:,} "
            f"(a 64-bit integer), got {shown(value)}"
        )
    return value


def _count(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _whole_count(value, attribute.name)


_optional_count = _optional(_count)


def _each(check: Any) -> Any:
    """Check a collection's size (at most MAX_ITEMS), then each of its items."""

    def run(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_items(value, attribute.name)
        for item in value:
            check(instance, attribute, item)

    return run


def _tuple(value: Any) -> tuple[Any, ...]:
    """
    A collection field's value as a tuple.

    At most one item more than MAX_ITEMS is read from it, so that an endless
    or huge iterable is refused by the field's validator without being read
    whole.
    """
    if isinstance(value, tuple) and len(value) <= MAX_ITEMS:
        return value
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise InvalidInputError(f"expected a sequence, got {shown(value)}")
    return tuple(itertools.islice(value, MAX_ITEMS + 1))


def _quotes(instance: Any, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    _each(_free_text)(instance, attribute, value)
    total = sum(map(len, value))
    if total > MAX_TEXT_LENGTH:
        raise InvalidInputError(
            f"{attribute.name} are {total:,} characters long together: at most "
            f"{MAX_TEXT_LENGTH:,} are accepted"
        )


def _recorded_at(value: datetime) -> datetime:
    return check_instant(value, what="recording time")


def _recorder(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Only what the canonical bytes need: valid Unicode of bounded length.
    if not isinstance(value, str):
        raise InvalidInputError(f"recorder must be text, got {shown(value)}")
    check_text(value, "recorder", MAX_NAME_LENGTH)


def _optional_aware(value: datetime | None) -> datetime | None:
    return None if value is None else check_instant(value, what="publication time")


# -- value types used inside events ---------------------------------------------


class SourceKind(enum.Enum):
    """
    What kind of document a source is.
    """

    NEWS_ARTICLE = "news_article"
    OFFICIAL_STATEMENT = "official_statement"
    PRESS_RELEASE = "press_release"
    SOCIAL_MEDIA_POST = "social_media_post"
    TRANSCRIPT = "transcript"
    #: An item from a wire service (news agency): Reuters, AP, AFP, Xinhua, TASS, Yonhap, Kyodo.
    WIRE_REPORT = "wire_report"
    #: A radio or television broadcast, or a segment of one.
    BROADCAST = "broadcast"
    #: A dataset a government publishes, e.g. Japan's Joint Staff scramble records.
    GOVERNMENT_DATASET = "government_dataset"
    #: A dataset a research institute or think tank publishes.
    THINK_TANK_DATASET = "think_tank_dataset"


class Reliability(enum.Enum):
    """
    Source reliability on the Admiralty (NATO) scale, A (best) to F.
    """

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"

    @property
    def meaning(self) -> str:
        """
        The conventional wording of the grade.
        """
        return _RELIABILITY_MEANING[self]


_RELIABILITY_MEANING = {
    Reliability.A: "completely reliable",
    Reliability.B: "usually reliable",
    Reliability.C: "fairly reliable",
    Reliability.D: "not usually reliable",
    Reliability.E: "unreliable",
    Reliability.F: "reliability cannot be judged",
}


class Credibility(enum.IntEnum):
    """
    Information credibility on the Admiralty (NATO) scale, 1 (best) to 6.
    """

    CONFIRMED = 1
    PROBABLY_TRUE = 2
    POSSIBLY_TRUE = 3
    DOUBTFUL = 4
    IMPROBABLE = 5
    CANNOT_BE_JUDGED = 6

    @property
    def meaning(self) -> str:
        """
        The conventional wording of the grade.
        """
        return self.name.replace("_", " ").lower()


class Stance(enum.Enum):
    """
    Whether a claim asserts or denies its proposition.
    """

    AFFIRMS = "affirms"
    DENIES = "denies"


@attrs.frozen(kw_only=True)
class Speaker:
    """
    Who made a statement: a person, a role, an organization.

    At least a name or an organization must be given.

    Attributes:
        name: The person's name as the source gave it, e.g. ``"Zhang Xiaogang"``.
        role: The person's role, e.g. ``"spokesperson"``.
        organization: The body speaking, e.g. ``"Ministry of National Defense (PRC)"``.
    """

    name: str | None = attrs.field(default=None, validator=_optional_text)
    role: str | None = attrs.field(default=None, validator=_optional_text)
    organization: str | None = attrs.field(default=None, validator=_optional_text)

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.organization is None:
            raise InvalidInputError("a speaker needs a name or an organization")

    def describe(self) -> str:
        """
        Render the speaker for people, e.g. ``"Zhang Xiaogang, spokesperson, MND"``.

        Returns:
            The non-empty parts joined by commas.
        """
        return ", ".join(p for p in (self.name, self.role, self.organization) if p)


def _claim_topic(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Empty only until __attrs_post_init__ fills it in from the proposition.
    if not isinstance(value, str):
        raise InvalidInputError(f"topic must be text, got {shown(value)}")
    check_text(value, "topic", MAX_NAME_LENGTH)


@attrs.frozen(kw_only=True)
class Claim:
    """
    One proposition a statement makes, comparable across statements.

    A claim with only a topic and words is a *free-text* claim: it is
    compared with the claims on the same topic, by stance. A claim with a
    ``proposition`` states something of a known kind with typed parameters
    (see :data:`~incidents.Proposition`), compared parameter by parameter;
    its topic defaults to the proposition's kind.

    Attributes:
        topic: A short, stable key for the proposition, e.g.
            ``"violated-foreign-airspace"``; statements about the same topic can
            be compared. Required for a free-text claim.
        stance: Whether the statement affirms or denies it.
        text: The claim in words.
        proposition: What it states, typed, e.g.
            ``WarningShotsFired(by="KR", rounds=360, approximate=True)``;
            ``None`` for a free-text claim.
        claim_id: The claim's own id, by which assessments judge it; ``None``
            for claims known by their statement and place
            (:func:`~incidents.derived_claim_id`).
    """

    topic: str = attrs.field(default="", validator=_claim_topic)
    stance: Stance = attrs.field(validator=_instance_of(Stance))
    text: str = attrs.field(validator=_free_text)
    # Left out of the encoding when None: a claim of only the fields above
    # encodes exactly as claims always did.
    proposition: Proposition | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_instance_of(PROPOSITION_TYPES)),
        metadata={OMIT_WHEN_DEFAULT: True},
    )
    claim_id: UUID | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_instance_of(UUID)),
        metadata={OMIT_WHEN_DEFAULT: True},
    )

    def __attrs_post_init__(self) -> None:
        if not self.topic.strip():
            if self.topic or self.proposition is None:
                raise InvalidInputError(
                    f"topic must be non-empty text, got {shown(self.topic)}: a claim "
                    "without a proposition needs a topic"
                )
            object.__setattr__(self, "topic", self.proposition.KIND)

    @property
    def kind(self) -> str:
        """
        The kind of proposition: its ``KIND`` (e.g. ``"sovereignty"``) or ``"free-text"``.
        """
        return FREE_TEXT if self.proposition is None else self.proposition.KIND

    def describe(self) -> str:
        """
        What the claim states, e.g. ``"denies airspace of KR entered by RU"``.

        Returns:
            The stance and the proposition in words (the topic for a free-text claim).
        """
        what = self.topic if self.proposition is None else self.proposition.describe()
        return f"{self.stance.value} {what}"


@attrs.frozen(kw_only=True)
class Interceptor:
    """
    Aircraft sent to intercept, as far as the source says.

    Attributes:
        nation: ISO 3166-1 alpha-2 code of the responding nation.
        type_designation: e.g. ``"F-35"``, if known.
        count: How many, if known.
    """

    nation: str = attrs.field(validator=_nation)
    type_designation: str | None = attrs.field(default=None, validator=_optional_text)
    count: int | None = attrs.field(default=None, validator=_optional_count)


def _count_low(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _whole_count(value, f"a count's {attribute.name}")


def _count_high(instance: Count, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    _whole_count(value, f"a count's {attribute.name}")
    if value < instance.low:
        raise InvalidInputError(
            f"a count's high ({value:,}) must not be below its low ({instance.low:,})"
        )


@attrs.frozen(kw_only=True)
class Count:
    """
    How many airframes a source reports: exactly N, at least N, N to M, or unknown.

    A count is a range ``low..high`` of whole numbers from 1; ``high`` is
    ``None`` when the range is open ("at least N"). Build one with
    :meth:`exact`, :meth:`at_least`, :meth:`between` or :meth:`unknown`;
    wherever a count is expected, a plain ``int`` stands for an exact count.

    An unknown number is at least one (a report says aircraft were there),
    so ``Count.unknown() == Count.at_least(1)``. An exact count equals its
    number and works as one in ``int()``, sums, differences and products
    (``Count.exact(2) == 2``, ``sign * count``), as counts did when they
    were plain numbers; any other count refuses to be taken for one number
    (:class:`~incidents.InvalidInputError`): use :attr:`low` and :attr:`high`.

    Canonical form: an exact count is written as the plain number (``2``),
    any other as an object, ``{"low": 2}`` (at least 2) or ``{"high": 4,
    "low": 2}`` (2 to 4).

    Attributes:
        low: The fewest airframes the source allows for (at least 1).
        high: The most (``None``: no upper bound).

    >>> Count.exact(2), Count.at_least(2).describe(), str(Count.between(2, 4))
    (Count(low=2, high=2), 'at least 2', '2-4')
    """

    low: int = attrs.field(validator=_count_low)
    high: int | None = attrs.field(validator=_count_high)

    @classmethod
    def exact(cls, n: int) -> Count:
        """
        Exactly *n* airframes (what a plain ``int`` count means).

        Raises:
            InvalidInputError: If *n* is not a whole number from 1.
        """
        return cls(low=n, high=n)

    @classmethod
    def at_least(cls, n: int) -> Count:
        """
        At least *n* airframes, with no upper bound.

        Raises:
            InvalidInputError: If *n* is not a whole number from 1.
        """
        return cls(low=n, high=None)

    @classmethod
    def between(cls, low: int, high: int) -> Count:
        """
        From *low* to *high* airframes, both included (``between(2, 2)`` is exactly 2).

        Raises:
            InvalidInputError: If either is not a whole number from 1, or
                *high* is below *low*.
        """
        return cls(low=low, high=high)

    @classmethod
    def unknown(cls) -> Count:
        """
        An unknown number of airframes: at least one.
        """
        return cls(low=1, high=None)

    @classmethod
    def of(cls, value: Count | int) -> Count:
        """
        A count from a :class:`Count` or a plain ``int`` (an exact count).

        Raises:
            InvalidInputError: If *value* is neither, or out of range.
        """
        if isinstance(value, Count):
            return value
        return cls.exact(_whole_count(value, "count"))

    @property
    def is_exact(self) -> bool:
        """
        Whether the source gives one number.
        """
        return self.high == self.low

    @property
    def is_unknown(self) -> bool:
        """
        Whether the source gives no number at all (at least one).
        """
        return self.low == 1 and self.high is None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Count):
            return self.low == other.low and self.high == other.high
        if isinstance(other, int) and not isinstance(other, bool):
            return self.low == other and self.high == other
        return NotImplemented

    def __hash__(self) -> int:
        # Equal values hash alike: an exact count hashes as its number.
        return hash(self.low) if self.high == self.low else hash((self.low, self.high))

    def __int__(self) -> int:
        if self.high != self.low:
            raise InvalidInputError(
                f"a count of {self.describe()} is not one number: use its low and high"
            )
        return self.low

    __index__ = __int__

    def __add__(self, other: int) -> int:
        return int(self) + other

    def __radd__(self, other: int) -> int:
        return other + int(self)

    def __sub__(self, other: int) -> int:
        return int(self) - other

    def __rsub__(self, other: int) -> int:
        return other - int(self)

    def __mul__(self, other: int) -> int:
        return int(self) * other

    def __rmul__(self, other: int) -> int:
        return other * int(self)

    def contains(self, n: int) -> bool:
        """
        Whether *n* airframes fit the count.
        """
        return self.low <= n and (self.high is None or n <= self.high)

    def describe(self) -> str:
        """
        The count in words: ``"2"``, ``"at least 2"``, ``"2 to 4"`` or ``"unknown"``.
        """
        if self.is_exact:
            return str(self.low)
        if self.is_unknown:
            return "unknown"
        if self.high is None:
            return f"at least {self.low}"
        return f"{self.low} to {self.high}"

    def __str__(self) -> str:
        """
        The count in short: ``"2"``, ``"2+"``, ``"2-4"`` or ``"?"``.
        """
        if self.is_exact:
            return str(self.low)
        if self.is_unknown:
            return "?"
        if self.high is None:
            return f"{self.low}+"
        return f"{self.low}-{self.high}"


def _as_count(value: Count | int) -> Count:
    return Count.of(value)


def unstructure_count(value: Count | int) -> int | dict[str, int]:
    """
    A count's canonical JSON-ready form: the number when exact, else ``{"low"[, "high"]}``.

    Args:
        value: A count, or a plain ``int`` (an exact count).

    Returns:
        ``2``, ``{"low": 2}`` or ``{"high": 4, "low": 2}``.
    """
    count = Count.of(value)
    if count.high == count.low:
        return count.low
    if count.high is None:
        return {"low": count.low}
    return {"high": count.high, "low": count.low}


def structure_count(value: Any, _: Any = None) -> Count:
    """
    Read a count from its canonical JSON form, refusing any other form.

    Args:
        value: ``2``, ``{"low": 2}`` or ``{"high": 4, "low": 2}``.

    Returns:
        The count.

    Raises:
        InvalidInputError: If *value* is not a count in canonical form.
    """
    if isinstance(value, Count):
        return value
    if not isinstance(value, Mapping):
        return Count.exact(_whole_count(value, "count"))
    if "low" not in value or not set(value) <= {"low", "high"}:
        raise InvalidInputError(
            f"a count is a whole number or an object with low and (optionally) high, "
            f"got {shown(value)}"
        )
    if "high" in value and value["high"] is None:
        raise InvalidInputError('an open count is written without "high", as {"low": N}')
    count = Count(low=value["low"], high=value.get("high"))
    if count.is_exact:
        raise InvalidInputError(
            f"an exact count is written as the plain number {count.low}, not as a range"
        )
    return count


converter.register_unstructure_hook(Count, unstructure_count)
converter.register_structure_hook(Count, structure_count)


# -- events ---------------------------------------------------------------------

SOURCES_REGISTRY: UUID = UUID("c83436e4-32f9-5bcf-8183-4ca244f7cd29")
"""
The stream of the ledger-wide sources registry: the same id in every ledger.

Sources registered there (``SourceRegistered(incident_id=SOURCES_REGISTRY,
...)``, or :meth:`incidents.Ledger.register_source`) are registered once for
the whole ledger, and any incident's events may cite them. The stream needs
no opening event; it holds only the :data:`REGISTRY_TYPES`: registrations,
and the corrections, retractions and assessments of them. (The id is
``uuid5(NAMESPACE_URL, "https://github.com/incidents/sources-registry")``.)
"""


@attrs.frozen(kw_only=True)
class Event:
    """
    Base class of every event: the fields every fact carries.

    Attributes:
        incident_id: The incident the event belongs to.
        source_id: The registered source the event comes from.
        event_id: The event's own id (random unless given).
    """

    TYPE: ClassVar[str] = ""
    #: The fields that hold ids of other events of the incident (one id, a
    #: tuple of ids, or ``None``).
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ()
    #: The types (by type name) of the events those fields may point at.
    REFERS_TO: ClassVar[frozenset[str]] = frozenset()
    #: The version of the type's encoded form: 1 until a field changes its
    #: form; see ``docs/schema-evolution.md``. Records of version 1 carry no
    #: version; later ones carry ``"version": N`` beside their ``"type"``.
    VERSION: ClassVar[int] = 1
    #: Whether this event opens a stream of its own (an incident, say): it
    #: must then be the first event of its stream, and every other stream
    #: (but the :data:`SOURCES_REGISTRY`) must begin with such an event.
    OPENS_STREAM: ClassVar[bool] = False
    #: The reference fields that may also point at sources of the ledger-wide
    #: :data:`SOURCES_REGISTRY`, besides events of the event's own stream.
    REGISTRY_FIELDS: ClassVar[tuple[str, ...]] = ()

    incident_id: UUID = attrs.field(validator=_instance_of(UUID))
    source_id: UUID = attrs.field(validator=_instance_of(UUID))
    event_id: UUID = attrs.field(factory=uuid4, validator=_instance_of(UUID))

    def references(self) -> tuple[UUID, ...]:
        """
        The ids of other events this event points at (aircraft, targets).

        Returns:
            Event ids that must already be recorded in the same incident, or be
            recorded in the same batch.
        """
        found: list[UUID] = []
        for name in self.REFERENCE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, UUID):
                found.append(value)
            elif value is not None:
                found.extend(value)
        return tuple(found)


@attrs.frozen(kw_only=True)
class IncidentOpened(Event):
    """
    A new incident is opened in the ledger. Every incident's stream starts here.

    Attributes:
        title: Short title.
        summary: What the incident is about.
        region: Where, broadly, e.g. ``"Bering Sea / Alaska ADIZ"``.
    """

    TYPE: ClassVar[str] = "incident-opened"
    OPENS_STREAM: ClassVar[bool] = True

    title: str = attrs.field(validator=_text)
    summary: str = attrs.field(default="", validator=_bounded_text(MAX_TEXT_LENGTH, empty=True))
    region: str | None = attrs.field(default=None, validator=_optional_text)


def _credibility(value: Any) -> Credibility:
    if isinstance(value, bool):
        raise InvalidInputError(f"credibility must be 1 to 6, got {shown(value)}")
    try:
        return Credibility(value)
    except ValueError:
        raise InvalidInputError(f"credibility must be 1 to 6, got {shown(value)}") from None


def _own_id(instance: SourceRegistered) -> UUID:
    return instance.source_id


def _cites(value: Any) -> tuple[Any, ...]:
    # One source, as version 1 took it, or any number.
    if value is None:
        return ()
    if isinstance(value, UUID):
        return (value,)
    return _tuple(value)


def _distinct_cites(
    instance: SourceRegistered, attribute: attrs.Attribute[Any], value: Any
) -> None:
    _each(_instance_of(UUID))(instance, attribute, value)
    if len(set(value)) != len(value):
        raise InvalidInputError("a source cites each source once")


_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


def _sha256(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not _SHA256.match(value)):
        raise InvalidInputError(
            f"{attribute.name} must be a SHA-256 digest, 64 lowercase hexadecimal digits, "
            f"got {shown(value)}"
        )


def _web_address(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    _text(_, attribute, value)
    parts = urlsplit(value) if value.isprintable() and " " not in value else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(
            f"{attribute.name} must be an http or https address, got {shown(value)}"
        )


def _optional_captured(value: datetime | None) -> datetime | None:
    return None if value is None else check_instant(value, what="capture time")


def check_language(event: SourceRegistered) -> None:
    """
    Check a source's language: a BCP 47 tag whose language is an ISO 639 code.

    Checked when the source is recorded, not when it is built or read:
    version 1 of the vocabulary took any text, and what was recorded then
    stays readable.

    Raises:
        InvalidInputError: If the language is given and is not such a tag.
    """
    if event.language is not None:
        why = why_not_a_language(event.language)
        if why is not None:
            raise InvalidInputError(
                f"source {event.source_id}: its language must be a BCP 47 tag such as "
                f"'en' or 'zh-Hant': {why}"
            )


@attrs.frozen(kw_only=True)
class SourceRegistered(Event):
    """
    A source is registered, so that facts can cite it: in an incident, or for the whole ledger.

    The source's id is the event's own id: ``source_id`` defaults to a new
    UUID and ``event_id`` always equals it. Registered with ``incident_id``
    set to :data:`SOURCES_REGISTRY` (or through
    :meth:`incidents.Ledger.register_source`), a source belongs to the whole
    ledger and any incident's events may cite it.

    The preservation fields (``archive_url``, ``content_sha256``,
    ``captured_at``, ``original_title``) make the record a chain of custody:
    where a copy of the document was kept, what exactly it said (the digest
    of the bytes captured) and when it was captured.

    Version 2 of this type (see ``docs/schema-evolution.md``): ``cites``
    became a tuple of any number of sources, where version 1 held one
    source or ``None``; records of version 1 are read as version 2.

    Attributes:
        kind: What kind of document it is.
        publisher: Who published it, e.g. ``"NORAD"`` or ``"RIA Novosti"``.
        title: Its title, if any (in English, or as the recorder gives it).
        url: Where it can be read, if anywhere.
        published_at: When it was published, timezone-aware, if known.
        language: Its language as a BCP 47 tag, e.g. ``"en"``, ``"zh-Hans"``
            or ``"ko"`` (checked when recorded: the language must be an ISO
            639 code).
        cites: The sources it reports from, e.g. an article quoting both the
            Joint Chiefs of Staff and the Russian defence ministry; each
            registered in the same incident or in the sources registry (a
            source of the registry cites registry sources only). A single
            id is taken as one source.
        reliability: Admiralty source reliability, A to F.
        credibility: Admiralty information credibility, 1 to 6.
        archive_url: Where an archived copy is kept, e.g. a Wayback Machine
            address (http or https).
        content_sha256: SHA-256 of the content as captured, 64 lowercase
            hexadecimal digits.
        captured_at: When the content was captured, timezone-aware.
        original_title: The title in the document's own language, e.g.
            ``"中俄两军组织第八次联合空中战略巡航"``.
    """

    TYPE: ClassVar[str] = "source-registered"
    VERSION: ClassVar[int] = 2
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("cites",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({TYPE})
    REGISTRY_FIELDS: ClassVar[tuple[str, ...]] = ("cites",)

    source_id: UUID = attrs.field(factory=uuid4, validator=_instance_of(UUID))
    event_id: UUID = attrs.field(
        default=attrs.Factory(_own_id, takes_self=True), validator=_instance_of(UUID)
    )
    kind: SourceKind = attrs.field(validator=_instance_of(SourceKind))
    publisher: str = attrs.field(validator=_text)
    title: str | None = attrs.field(default=None, validator=_optional_text)
    url: str | None = attrs.field(default=None, validator=_optional_text)
    published_at: datetime | None = attrs.field(default=None, converter=_optional_aware)
    language: str | None = attrs.field(default=None, validator=_optional_text)
    cites: tuple[UUID, ...] = attrs.field(default=(), converter=_cites, validator=_distinct_cites)
    reliability: Reliability = attrs.field(
        default=Reliability.F, validator=_instance_of(Reliability)
    )
    credibility: Credibility = attrs.field(
        default=Credibility.CANNOT_BE_JUDGED, converter=_credibility
    )
    archive_url: str | None = attrs.field(
        default=None, validator=_web_address, metadata={OMIT_WHEN_DEFAULT: True}
    )
    content_sha256: str | None = attrs.field(
        default=None, validator=_sha256, metadata={OMIT_WHEN_DEFAULT: True}
    )
    captured_at: datetime | None = attrs.field(
        default=None, converter=_optional_captured, metadata={OMIT_WHEN_DEFAULT: True}
    )
    original_title: str | None = attrs.field(
        default=None, validator=_optional_text, metadata={OMIT_WHEN_DEFAULT: True}
    )

    def __attrs_post_init__(self) -> None:
        if self.event_id != self.source_id:
            raise InvalidInputError(
                "a source registration's event_id is its source_id; give only source_id"
            )
        if self.source_id in self.cites:
            raise InvalidInputError("a source cannot cite itself")


@attrs.frozen(kw_only=True)
class AircraftReported(Event):
    """
    Aircraft were seen or reported: one type, one nation, one or more airframes.

    Attributes:
        type_designation: e.g. ``"H-6"``, ``"Tu-95MS"``.
        nation: ISO 3166-1 alpha-2 code of the operating nation.
        count: How many airframes, as the source gives it: a plain ``int``
            (exactly that many) or a :class:`Count` (at least N, N to M,
            unknown). Several reports of one group of aircraft are
            reconciled, not added up (see :attr:`incidents.Incident.aircraft_groups`).
        valid_time: When they were there.
        operator: The operating service, e.g. ``"PLA Air Force"``.
        role: e.g. ``"strategic bomber"``.
        location: Where, if the source says.
    """

    TYPE: ClassVar[str] = "aircraft-reported"

    type_designation: str = attrs.field(validator=_text)
    nation: str = attrs.field(validator=_nation)
    count: Count = attrs.field(default=Count(low=1, high=1), converter=_as_count)
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    operator: str | None = attrs.field(default=None, validator=_optional_text)
    role: str | None = attrs.field(default=None, validator=_optional_text)
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )


@attrs.frozen(kw_only=True)
class PatrolReported(Event):
    """
    A patrol: aircraft flying together for a declared purpose.

    Attributes:
        aircraft: Event ids of the :class:`AircraftReported` taking part.
        nations: Participating nations (ISO 3166-1 alpha-2).
        areas: Named areas patrolled, e.g. ``("Bering Sea", "Chukchi Sea")``.
        joint: Whether it was a joint patrol of several nations.
        valid_time: When it took place.
        purpose: The declared purpose, if any.
        location: Where, if the source gives a track or area.
    """

    TYPE: ClassVar[str] = "patrol-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE})

    aircraft: tuple[UUID, ...] = attrs.field(converter=_tuple, validator=_each(_instance_of(UUID)))
    nations: tuple[str, ...] = attrs.field(converter=_tuple, validator=_each(_nation))
    areas: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_each(_text))
    joint: bool = attrs.field(default=False, validator=_instance_of(bool))
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    purpose: str | None = attrs.field(default=None, validator=_optional_free_text)
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )

    def __attrs_post_init__(self) -> None:
        if not self.nations:
            raise InvalidInputError("a patrol needs at least one nation")
        if self.joint and len(set(self.nations)) < 2:
            raise InvalidInputError("a joint patrol needs at least two nations")


@attrs.frozen(kw_only=True)
class InterceptReported(Event):
    """
    Aircraft were intercepted.

    Attributes:
        interceptors: Who responded, by nation and type where known.
        intercepted: Event ids of the aircraft or patrol intercepted.
        valid_time: When.
        location: Where, if the source says.
    """

    TYPE: ClassVar[str] = "intercept-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("intercepted",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE, PatrolReported.TYPE})

    interceptors: tuple[Interceptor, ...] = attrs.field(
        converter=_tuple, validator=_each(_instance_of(Interceptor))
    )
    intercepted: tuple[UUID, ...] = attrs.field(
        converter=_tuple, validator=_each(_instance_of(UUID))
    )
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )

    def __attrs_post_init__(self) -> None:
        if not self.interceptors:
            raise InvalidInputError("an intercept needs at least one interceptor")
        if not self.intercepted:
            raise InvalidInputError("an intercept must name what was intercepted")


@attrs.frozen(kw_only=True)
class StatementIssued(Event):
    """
    Somebody said something about the incident.

    Attributes:
        speaker: Who spoke.
        medium: How, e.g. ``"press conference"``, ``"news release"``, ``"post on X"``.
        quotes: Verbatim quotes, each non-empty.
        claims: The structured propositions the statement makes.
        language: The language spoken, as a BCP 47 tag.
        valid_time: When it was said.
    """

    TYPE: ClassVar[str] = "statement-issued"

    speaker: Speaker = attrs.field(validator=_instance_of(Speaker))
    medium: str = attrs.field(validator=_text)
    quotes: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_quotes)
    claims: tuple[Claim, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(_instance_of(Claim))
    )
    language: str | None = attrs.field(default=None, validator=_optional_text)
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))

    def __attrs_post_init__(self) -> None:
        check_claim_ids(self.event_id, self.claims)

    def claim_ids(self) -> tuple[UUID, ...]:
        """
        The id of each claim, in order: its own ``claim_id``, else the one derived from its place.

        Returns:
            One id per claim (see :func:`~incidents.derived_claim_id`).
        """
        return claim_ids(self.event_id, self.claims)


def claim_ids(statement_id: UUID, claims: tuple[Claim, ...]) -> tuple[UUID, ...]:
    """
    The ids of a statement's claims: each claim's own, else derived from its place.

    Args:
        statement_id: The statement's event id.
        claims: Its claims, in order.

    Returns:
        One id per claim.
    """
    return tuple(
        derived_claim_id(statement_id, i) if c.claim_id is None else c.claim_id
        for i, c in enumerate(claims)
    )


def check_claim_ids(statement_id: UUID, claims: tuple[Claim, ...]) -> None:
    """
    Check that no two claims of a statement have the same id.

    Raises:
        InvalidInputError: If two do.
    """
    if any(c.claim_id is not None for c in claims):
        ids = claim_ids(statement_id, claims)
        if len(set(ids)) != len(ids):
            repeated = next(i for i in ids if ids.count(i) > 1)
            raise InvalidInputError(f"two claims of one statement have the id {repeated}")


@attrs.frozen(kw_only=True)
class AssessmentMade(Event):
    """
    An analyst's judgement of a claim, a fact or a source: its credibility, and why.

    An assessment never changes what it judges: the claim, fact or source
    stays as recorded, and the assessment stands beside it (in the folded
    incident's ``assessments``, the timeline and the contradictions). It is
    attributed to whoever records it (the recording's ``recorder``), and
    can itself be corrected, retracted or assessed.

    Attributes:
        target_id: The event judged: any fact, a source (its source id), a
            statement (with ``claim_id``, one of its claims), a correction,
            a retraction or another assessment.
        claim_id: The claim judged, when the target is a statement: its
            ``claim_id``, or the id derived from its place
            (:meth:`StatementIssued.claim_ids`).
        credibility: The analyst's grade, Admiralty information credibility
            1 (confirmed) to 6 (cannot be judged).
        reasoning: Why, in words.
        citations: Further sources the judgement rests on, besides its own
            ``source_id``; each must be registered in the incident.
    """

    TYPE: ClassVar[str] = "assessment-made"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("target_id", "citations")
    REGISTRY_FIELDS: ClassVar[tuple[str, ...]] = ("target_id", "citations")
    # Every type of the vocabulary: set below, once EVENT_TYPES exists.
    REFERS_TO: ClassVar[frozenset[str]] = frozenset()

    target_id: UUID = attrs.field(validator=_instance_of(UUID))
    claim_id: UUID | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(UUID))
    )
    credibility: Credibility = attrs.field(converter=_credibility)
    reasoning: str = attrs.field(validator=_free_text)
    citations: tuple[UUID, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(_instance_of(UUID))
    )

    def __attrs_post_init__(self) -> None:
        if self.target_id == self.event_id:
            raise InvalidInputError("an assessment cannot judge itself")
        if len(set(self.citations)) != len(self.citations):
            raise InvalidInputError("an assessment cites each source once")


# -- geography: zones as recorded facts, observed tracks, reported areas -------------


def _zone_kind(value: Any) -> ZoneKind:
    return ZoneKind(value) if isinstance(value, ZoneKind) else _zone_enum(ZoneKind, value)


def _edge_rule(value: Any) -> EdgeRule:
    return EdgeRule(value) if isinstance(value, EdgeRule) else _zone_enum(EdgeRule, value)


def _zone_enum(cls: Any, value: Any) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise InvalidInputError(
            f"{cls.__name__} must be one of {', '.join(m.value for m in cls)}; got {shown(value)}"
        ) from None


def _zone_geometry(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    check_geometry(instance, attribute, value)
    if value.geom_type not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
        raise InvalidInputError(f"a zone is an area or a line, not a {value.geom_type}")


def _optional_zone_instant(value: Any) -> datetime | None:
    return None if value is None else check_instant(value, what="a zone's effective time")


def _accuracy_nm(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e6:
        raise InvalidInputError(f"{attribute.name} must be a distance in NM, got {shown(value)}")


_texts = _each(_text)


@attrs.frozen(kw_only=True)
class ZoneDeclared(Event):
    """
    A zone is declared: an ADIZ, territorial airspace, an exercise area, a median line.

    A zone is a stream of its own, opened by this event: ``incident_id`` is
    the zone's stream id (:meth:`of` takes ``uuid5(ZONE_NAMESPACE, key)``).
    Its source is any registered source, usually one of the ledger-wide
    sources registry (the legal text, the catalogue). An amendment is a new
    event in the stream (:class:`ZoneAmended`), so the zone as it stood on a
    day, as the ledger knew it then, is an ordinary bitemporal question
    (:func:`~incidents.zone_as_of`).

    Attributes:
        key: The zone's stable key, e.g. ``"kr/kadiz"``.
        name: Its name.
        kind: What it is (:class:`~incidents.ZoneKind`).
        authority: Who declared it.
        nation: The declaring nation (ISO 3166-1 alpha-2), if any.
        legal_source: The instrument that declares it.
        effective_from: When it came into force, if known.
        effective_until: When it ended, if it has.
        edge_rule: What its edges between vertices are (:class:`~incidents.EdgeRule`).
        accuracy: How accurate its vertices are, in words.
        accuracy_nm: The largest error of the boundary in NM, if it can be stated.
        approximate: Whether the vertices approximate the legal ones.
        outline: Its outline or line, lon/lat, vertices as declared.
        provenance: Where the vertices come from.
        aliases: Other names it goes by.
        outside_of: Keys of zones whose area is not part of this one (the
            zone's ``excludes``), e.g. China's territorial airspace for its
            East China Sea ADIZ.
    """

    TYPE: ClassVar[str] = "zone-declared"
    OPENS_STREAM: ClassVar[bool] = True

    key: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    kind: ZoneKind = attrs.field(converter=_zone_kind)
    authority: str = attrs.field(validator=_text)
    nation: str | None = attrs.field(default=None, validator=attrs.validators.optional(_nation))
    legal_source: str = attrs.field(validator=_free_text)
    effective_from: datetime | None = attrs.field(default=None, converter=_optional_zone_instant)
    effective_until: datetime | None = attrs.field(default=None, converter=_optional_zone_instant)
    edge_rule: EdgeRule = attrs.field(converter=_edge_rule)
    accuracy: str = attrs.field(validator=_free_text)
    accuracy_nm: float | None = attrs.field(default=None, validator=_accuracy_nm)
    approximate: bool = attrs.field(validator=_instance_of(bool))
    outline: Geometry = attrs.field(validator=_zone_geometry)
    provenance: str = attrs.field(validator=_free_text)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)
    outside_of: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_texts)

    def __attrs_post_init__(self) -> None:
        if (
            self.effective_from is not None
            and self.effective_until is not None
            and self.effective_until <= self.effective_from
        ):
            raise InvalidInputError("a zone's effective_until must be after its effective_from")

    @classmethod
    def of(cls, zone: Zone, *, source_id: UUID, stream: str | None = None) -> ZoneDeclared:
        """
        The declaration of a zone, in the stream named by *stream* (default: the zone's key).

        Args:
            zone: The zone.
            source_id: The registered source it comes from.
            stream: The key the stream's id derives from (a series of versions
                shares one stream, e.g. ``"kr/kadiz"``).

        Returns:
            The event, with ``incident_id = uuid5(ZONE_NAMESPACE, stream)``.
        """
        return cls(
            incident_id=uuid5(ZONE_NAMESPACE, stream or zone.key),
            source_id=source_id,
            **_zone_fields(zone),
        )

    def zone(self) -> Zone:
        """
        The zone as declared.
        """
        return Zone(
            key=self.key,
            name=self.name,
            kind=self.kind,
            authority=self.authority,
            nation=self.nation,
            legal_source=self.legal_source,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            edge_rule=self.edge_rule,
            accuracy=self.accuracy,
            accuracy_nm=self.accuracy_nm,
            approximate=self.approximate,
            geometry=self.outline,
            provenance=self.provenance,
            aliases=self.aliases,
            excludes=self.outside_of,
        )


def _zone_fields(zone: Zone) -> dict[str, Any]:
    return {
        "key": zone.key,
        "name": zone.name,
        "kind": zone.kind,
        "authority": zone.authority,
        "nation": zone.nation,
        "legal_source": zone.legal_source,
        "effective_from": zone.effective_from,
        "effective_until": zone.effective_until,
        "edge_rule": zone.edge_rule,
        "accuracy": zone.accuracy,
        "accuracy_nm": zone.accuracy_nm,
        "approximate": zone.approximate,
        "outline": zone.geometry,
        "provenance": zone.provenance,
        "aliases": zone.aliases,
        "outside_of": zone.excludes,
    }


@attrs.frozen(kw_only=True)
class ZoneAmended(Event):
    """
    A declared zone changes from a given instant: new vertices, a new legal source, an end.

    The fields left ``None`` keep their value; the amendment applies from
    ``effective_from`` on, so a question about an earlier day still sees the
    zone as it stood then (KADIZ before and after 2013-12-15).

    Attributes:
        effective_from: When the amendment takes effect.
        key: The new version's key, if it has its own (``"kr/kadiz-2013"``).
        name: A new name.
        legal_source: The amending instrument.
        outline: New vertices.
        edge_rule: A new edge rule.
        accuracy: A new accuracy statement.
        accuracy_nm: A new largest error, in NM.
        approximate: Whether the new vertices are approximate.
        provenance: Where the new vertices come from.
        effective_until: When the zone ends (from this amendment on), if it does.
    """

    TYPE: ClassVar[str] = "zone-amended"

    effective_from: datetime = attrs.field(converter=_optional_zone_instant)
    key: str | None = attrs.field(default=None, validator=_optional_text)
    name: str | None = attrs.field(default=None, validator=_optional_text)
    legal_source: str | None = attrs.field(default=None, validator=_optional_free_text)
    outline: Geometry | None = attrs.field(default=None, validator=_zone_geometry)
    edge_rule: EdgeRule | None = attrs.field(
        default=None, converter=attrs.converters.optional(_edge_rule)
    )
    accuracy: str | None = attrs.field(default=None, validator=_optional_free_text)
    accuracy_nm: float | None = attrs.field(default=None, validator=_accuracy_nm)
    approximate: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(bool))
    )
    provenance: str | None = attrs.field(default=None, validator=_optional_free_text)
    effective_until: datetime | None = attrs.field(default=None, converter=_optional_zone_instant)

    def __attrs_post_init__(self) -> None:
        if self.effective_from is None:
            raise InvalidInputError("an amendment needs the instant it takes effect")
        if self.effective_until is not None and self.effective_until <= self.effective_from:
            raise InvalidInputError("a zone's effective_until must be after its effective_from")

    @classmethod
    def to(cls, zone: Zone, *, stream: str, source_id: UUID) -> ZoneAmended:
        """
        The amendment that turns a zone's stream into *zone* from its ``effective_from``.

        Args:
            zone: The new version (its ``effective_from`` is required).
            stream: The stream's key.
            source_id: The registered source it comes from.

        Raises:
            InvalidInputError: If the zone has no ``effective_from``.
        """
        fields = _zone_fields(zone)
        return cls(
            incident_id=uuid5(ZONE_NAMESPACE, stream),
            source_id=source_id,
            effective_from=fields["effective_from"],
            key=fields["key"],
            name=fields["name"],
            legal_source=fields["legal_source"],
            outline=fields["outline"],
            edge_rule=fields["edge_rule"],
            accuracy=fields["accuracy"],
            accuracy_nm=fields["accuracy_nm"],
            approximate=fields["approximate"],
            provenance=fields["provenance"],
            effective_until=fields["effective_until"],
        )


def _fixes(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if len(value) > MAX_VERTICES:
        raise InvalidInputError(
            f"a track of {len(value):,} fixes: at most {MAX_VERTICES:,} are accepted"
        )
    if not value:
        raise InvalidInputError("a track needs at least one fix")
    for fix in value:
        if not isinstance(fix, Fix):
            raise InvalidInputError(f"fixes must be Fix values, got {shown(fix)}")
    times = [f.time for f in value]
    if any(b < a for a, b in itertools.pairwise(times)):
        raise InvalidInputError("a track's fixes must be in time order")


def _fixes_tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise InvalidInputError(f"expected a sequence of fixes, got {shown(value)}")
    return tuple(itertools.islice(value, MAX_VERTICES + 1))


def _track_time(instance: TrackObserved) -> ValidTime:
    points = instance.points
    if not points:
        raise InvalidInputError("a track needs at least one fix")
    return ValidTime.span(points[0].time, points[-1].time)


@attrs.frozen(kw_only=True)
class TrackObserved(Event):
    """
    Positions observed over time: a track (radar, ADS-B, a published map's points).

    Between fixes the aircraft is taken to fly the geodesic at constant
    speed, the short way (across 180° where shorter).

    Attributes:
        points: The observed positions, in time order (:class:`~incidents.Fix`:
            time, position, altitude and uncertainty where known).
        aircraft: The :class:`AircraftReported` or :class:`PatrolReported`
            the track is of, if known.
        label: A name for the track, e.g. ``"Tu-95MS pair"``.
        valid_time: When (default: from the first fix to the last).
    """

    TYPE: ClassVar[str] = "track-observed"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE, PatrolReported.TYPE})

    points: tuple[Fix, ...] = attrs.field(converter=_fixes_tuple, validator=_fixes)
    aircraft: tuple[UUID, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(_instance_of(UUID))
    )
    label: str | None = attrs.field(default=None, validator=_optional_text)
    valid_time: ValidTime = attrs.field(
        default=attrs.Factory(_track_time, takes_self=True), validator=_instance_of(ValidTime)
    )


@attrs.frozen(kw_only=True)
class AreaReported(Event):
    """
    Aircraft were reported in an area known only by name or outline ("over the Bering Sea").

    Attributes:
        location: The area: a name, and an outline or a position with its
            precision where the source gives one.
        aircraft: The :class:`AircraftReported` or :class:`PatrolReported`
            it is about, if known.
        valid_time: When.
    """

    TYPE: ClassVar[str] = "area-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE, PatrolReported.TYPE})

    location: Location = attrs.field(validator=_instance_of(Location))
    aircraft: tuple[UUID, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(_instance_of(UUID))
    )
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))


GEOGRAPHY_TYPES: frozenset[str] = frozenset(
    {ZoneDeclared.TYPE, ZoneAmended.TYPE, TrackObserved.TYPE, AreaReported.TYPE}
)
"""The event types of geography: zones, their amendments, tracks and reported areas."""


def _distinct_reports(
    instance: ReportsReconciled, attribute: attrs.Attribute[Any], value: Any
) -> None:
    _each(_instance_of(UUID))(instance, attribute, value)
    if len(value) < 2:
        raise InvalidInputError("a reconciliation needs at least two aircraft reports")
    if len(set(value)) != len(value):
        raise InvalidInputError("a reconciliation names each aircraft report once")


@attrs.frozen(kw_only=True)
class ReportsReconciled(Event):
    """
    Aircraft reports describe the same aircraft, or distinct aircraft: an analyst's reconciliation.

    Two sources reporting "2 x H-6K" usually describe the same two bombers:
    without any reconciliation, reports of one nation and one type family
    (:meth:`~incidents.AircraftCatalogue.family_of`) in an incident count as
    the same aircraft. A reconciliation says otherwise where needed:
    ``same=False`` keeps its reports apart (two different pairs of H-6K),
    ``same=True`` joins reports across families ("bombers, type not
    given" and "2 x H-6K"). Reports of different nations are never joined.
    Where reconciliations disagree about two reports, the one recorded
    later wins. Like every fact it is attributed to a source (an analyst's
    own note is a source) and can be corrected (``same``, ``reason``) or
    retracted; its reports cannot be changed. (A correction's own reason
    takes the keyword of :meth:`Correction.of`: to correct ``reason``, build
    the :class:`Correction` with ``changes={"reason": ...}``.)

    Attributes:
        reports: Event ids of the :class:`AircraftReported` reconciled (at
            least two, each once).
        same: Whether they describe the same aircraft (``True``) or distinct
            aircraft (``False``).
        reason: Why, e.g. ``"the ministry's H-6K are the two H-6 NORAD tracked"``.
    """

    TYPE: ClassVar[str] = "reports-reconciled"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("reports",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE})

    reports: tuple[UUID, ...] = attrs.field(converter=_tuple, validator=_distinct_reports)
    same: bool = attrs.field(validator=_instance_of(bool))
    reason: str = attrs.field(validator=_free_text)


# -- what else a source can report: zones, violations, warning shots, protests, landings ----
#
# Each is a fact like the others: attributed to a source, dated (valid time),
# correctable and retractable; aircraft they name are references to
# AircraftReported events of the incident, checked when recorded. Nations go
# through the same ISO 3166-1 check as everywhere else.


def _optional_nation(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _nation(instance, attribute, value)


def _optional_counted(value: Count | int | None) -> Count | None:
    return None if value is None else Count.of(value)


def _optional_instant(value: datetime | None) -> datetime | None:
    return None if value is None else check_instant(value, what="an entry or exit time")


def _aircraft_refs() -> Any:
    return attrs.field(default=(), converter=_tuple, validator=_distinct_ids("aircraft"))


def _distinct_ids(what: str) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _each(_instance_of(UUID))(instance, attribute, value)
        if len(set(value)) != len(value):
            raise InvalidInputError(f"{what} names each event once")

    return check


@attrs.frozen(kw_only=True)
class ZoneEntryReported(Event):
    """
    Aircraft entered a declared zone (an air defence identification zone), as a source reports it.

    A zone is named as the source names it (``"KADIZ"``, ``"Alaska ADIZ"``);
    ``zone_id`` may name a recorded zone with its geometry once the ledger
    holds one. Entering an ADIZ is not entering a nation's airspace: see
    :class:`AirspaceViolationAlleged` for that.

    Attributes:
        zone: The zone's name, as the source gives it.
        nation: Whose aircraft entered it (ISO 3166-1 alpha-2).
        aircraft: Event ids of the :class:`AircraftReported` that entered it,
            if the source says which (each once).
        valid_time: When, as the source dates it.
        entered_at: When they entered, if the source gives the instant.
        left_at: When they left, if given (not before ``entered_at``).
        location: Where they entered or flew, if the source says.
        zone_id: The id of a recorded zone, if any (not checked yet: zones
            are not recorded in this version).
    """

    TYPE: ClassVar[str] = "zone-entry-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE})

    zone: str = attrs.field(validator=_text)
    nation: str = attrs.field(validator=_nation)
    aircraft: tuple[UUID, ...] = _aircraft_refs()
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    entered_at: datetime | None = attrs.field(default=None, converter=_optional_instant)
    left_at: datetime | None = attrs.field(default=None, converter=_optional_instant)
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )
    zone_id: UUID | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(UUID))
    )

    def __attrs_post_init__(self) -> None:
        if (
            self.entered_at is not None
            and self.left_at is not None
            and self.left_at < self.entered_at
        ):
            raise InvalidInputError(
                f"left_at ({self.left_at.isoformat()}) is before entered_at "
                f"({self.entered_at.isoformat()})"
            )


@attrs.frozen(kw_only=True)
class AirspaceViolationAlleged(Event):
    """
    A nation alleges that aircraft violated (entered) its, or another nation's, territorial airspace.

    An allegation, not a finding: South Korea alleges that a Russian A-50
    entered its airspace over Dokdo twice; Russia denies it. The denial is a
    statement's claim (:class:`StatementIssued`), and the contradictions
    compare them.

    Attributes:
        alleged_by: The nation making the allegation (ISO 3166-1 alpha-2).
        airspace: Whose territorial airspace was violated.
        nation: Whose aircraft violated it.
        aircraft: Event ids of the :class:`AircraftReported` alleged to have
            violated it, if the source says which (each once).
        entries: How many times, if said: exact, at least, a range or unknown
            (a :class:`Count`; a plain ``int`` is exact).
        over: Where, in the source's words, e.g. ``"Dokdo"``.
        valid_time: When.
        location: Where, if the source gives a position or area.
    """

    TYPE: ClassVar[str] = "airspace-violation-alleged"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE})

    alleged_by: str = attrs.field(validator=_nation)
    airspace: str = attrs.field(validator=_nation)
    nation: str = attrs.field(validator=_nation)
    aircraft: tuple[UUID, ...] = _aircraft_refs()
    entries: Count | None = attrs.field(default=None, converter=_optional_counted)
    over: str | None = attrs.field(default=None, validator=_optional_text)
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )


@attrs.frozen(kw_only=True)
class WarningShotsReported(Event):
    """
    Aircraft of a nation fired warning shots (rounds) or flares at other aircraft.

    The figures are :class:`Count` values, so that accounts can say "about
    360" (with ``approximate``), "at least 80", "80 to 100" or nothing at
    all; accounts that differ are recorded each from its own source.

    Attributes:
        by: The nation that fired (ISO 3166-1 alpha-2).
        at: The nation whose aircraft were warned, if said.
        aircraft: Event ids of the :class:`AircraftReported` fired at, if
            the source says which (each once).
        rounds: Rounds fired, if said.
        warning_flares: Flares fired, if said.
        calibre: The rounds' calibre, e.g. ``"20 mm"``.
        shooter_types: The types that fired, e.g. ``("F-15K", "KF-16")``.
        approximate: The figures are approximate ("about 360", "nearly 400").
        valid_time: When.
        location: Where, if the source says.
    """

    TYPE: ClassVar[str] = "warning-shots-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE})

    by: str = attrs.field(validator=_nation)
    at: str | None = attrs.field(default=None, validator=_optional_nation)
    aircraft: tuple[UUID, ...] = _aircraft_refs()
    rounds: Count | None = attrs.field(default=None, converter=_optional_counted)
    warning_flares: Count | None = attrs.field(default=None, converter=_optional_counted)
    calibre: str | None = attrs.field(default=None, validator=_optional_text)
    shooter_types: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_each(_text)
    )
    approximate: bool = attrs.field(default=False, validator=_instance_of(bool))
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )


class ProtestKind(enum.Enum):
    """
    How a nation protested: a protest, a summons of a diplomat, a démarche.
    """

    PROTEST = "protest"
    SUMMONS = "summons"
    DEMARCHE = "demarche"


@attrs.frozen(kw_only=True)
class DiplomaticProtest(Event):
    """
    A nation protested to another: a protest, the summons of a diplomat, a démarche.

    One event per nation protested to: Japan protesting to both South Korea
    and Russia is two protests.

    Attributes:
        by: The protesting nation (ISO 3166-1 alpha-2).
        to: The nation protested to.
        kind: Protest, summons or démarche.
        about: What it was about, in words.
        summoned: Who was summoned, e.g. ``"Russian deputy military
            attaché"``, for a summons.
        valid_time: When.
    """

    TYPE: ClassVar[str] = "diplomatic-protest"

    by: str = attrs.field(validator=_nation)
    to: str = attrs.field(validator=_nation)
    kind: ProtestKind = attrs.field(
        default=ProtestKind.PROTEST, validator=_instance_of(ProtestKind)
    )
    about: str = attrs.field(validator=_free_text)
    summoned: str | None = attrs.field(default=None, validator=_optional_text)
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))

    def __attrs_post_init__(self) -> None:
        if self.by == self.to:
            raise InvalidInputError(f"a nation does not protest to itself ({self.by})")


@attrs.frozen(kw_only=True)
class LandingReported(Event):
    """
    Aircraft landed at an airfield, such as a partner's (Russian bombers at a Chinese base).

    Attributes:
        nation: Whose aircraft landed (ISO 3166-1 alpha-2).
        aircraft: Event ids of the :class:`AircraftReported` that landed, if
            the source says which (each once).
        airfield: The airfield, as the source names it.
        airfield_nation: The nation the airfield is in.
        valid_time: When they landed.
        location: The airfield's position, if known.
    """

    TYPE: ClassVar[str] = "landing-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("aircraft",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE})

    nation: str = attrs.field(validator=_nation)
    aircraft: tuple[UUID, ...] = _aircraft_refs()
    airfield: str = attrs.field(validator=_text)
    airfield_nation: str = attrs.field(validator=_nation)
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))
    location: Location | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Location))
    )


@attrs.frozen(kw_only=True)
class FlightDurationReported(Event):
    """
    How long a flight lasted, as a source gives it: "over 5 hours".

    A fact of its own rather than a field of :class:`PatrolReported`: the
    duration usually comes from another source than the patrol's report (the
    Russian defence ministry gives "over 5 hours" for a patrol the Chinese
    ministry reported), and as a field it could only be recorded by
    re-reporting the patrol or by correcting another source's fact, which
    rewrites what that source said. As an event it keeps its own source,
    corrections and assessments, may concern part of a patrol (one nation's
    aircraft), and may disagree with another source's duration side by side.

    Attributes:
        of: Event ids of the :class:`PatrolReported` or
            :class:`AircraftReported` it is about (each once); empty: the
            incident's flight as a whole.
        minutes: The duration in whole minutes, as a :class:`Count`:
            ``Count.at_least(300)`` for "over 5 hours", a range for "five
            to six hours" (a plain ``int`` is exact).
        wording: The source's own words, e.g. ``"over 5 hours"``.
        valid_time: When the flight took place.
    """

    TYPE: ClassVar[str] = "flight-duration-reported"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("of",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset({AircraftReported.TYPE, PatrolReported.TYPE})

    of: tuple[UUID, ...] = attrs.field(
        default=(), converter=_tuple, validator=_distinct_ids("a duration")
    )
    minutes: Count = attrs.field(converter=_as_count)
    wording: str | None = attrs.field(default=None, validator=_optional_text)
    valid_time: ValidTime = attrs.field(validator=_instance_of(ValidTime))


# -- series and links between incidents ------------------------------------------------------


def _series_number(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _whole_count(value, attribute.name)


@attrs.frozen(kw_only=True)
class SeriesAssigned(Event):
    """
    The incident is one of a series, with its number if the source gives one.

    "The eighth China-Russia joint strategic air patrol": series
    ``"China-Russia joint strategic air patrol"``, number 8. A series is known
    by its name (compared without case, spaces or punctuation), so use one
    name for one series; :meth:`incidents.Ledger.series` lists its incidents
    in order. Sources may disagree about the number: each assignment is a
    fact of its own source, correctable and retractable.

    Attributes:
        series: The series' name.
        number: The incident's place in the series, from 1, if given.
        reason: Why, or where the number comes from, if worth saying.
    """

    TYPE: ClassVar[str] = "series-assigned"

    series: str = attrs.field(validator=_text)
    number: int | None = attrs.field(default=None, validator=_series_number)
    reason: str | None = attrs.field(default=None, validator=_optional_free_text)


class LinkRelation(enum.Enum):
    """
    How one incident relates to another.
    """

    SAME_EVENT = "same-event"
    """Both incidents record the same event (recorded twice, from different sides)."""
    RELATED = "related"
    """The incidents are related (a follow-up, a response, the same exercise)."""


@attrs.frozen(kw_only=True)
class IncidentLinked(Event):
    """
    The incident is linked to another incident of the ledger: the same event, or related.

    The other incident must be recorded (opened earlier, or earlier in the
    same batch): the ledger checks it when the link is recorded. The link is
    a fact of this incident, attributed to a source (an analyst's note is
    one); its relation and reason can be corrected, the incident it points
    at cannot (retract the link and record a new one).

    Attributes:
        other_incident: The id of the other incident.
        relation: Same event, or related.
        reason: Why.
    """

    TYPE: ClassVar[str] = "incident-linked"
    #: Fields holding the ids of other incidents, checked when recorded.
    INCIDENT_FIELDS: ClassVar[tuple[str, ...]] = ("other_incident",)

    other_incident: UUID = attrs.field(validator=_instance_of(UUID))
    relation: LinkRelation = attrs.field(validator=_instance_of(LinkRelation))
    reason: str = attrs.field(validator=_free_text)

    def __attrs_post_init__(self) -> None:
        if self.other_incident == self.incident_id:
            raise InvalidInputError("an incident cannot be linked to itself")


NEW_FACT_TYPES: tuple[type[Event], ...] = (
    ZoneEntryReported,
    AirspaceViolationAlleged,
    WarningShotsReported,
    DiplomaticProtest,
    LandingReported,
    FlightDurationReported,
    SeriesAssigned,
    IncidentLinked,
)
"""The kinds of fact added after reconciliations: zones, violations, shots, protests, landings, durations, series and links."""


def _changes(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"changes must be a mapping of field to value, got {shown(value)}")
    changes = dict(value)
    check_json(changes, "changes")
    return dict(sorted(changes.items()))


@attrs.frozen(kw_only=True)
class Correction(Event):
    """
    Changes fields of an earlier event, citing the source that shows it wrong.

    ``changes`` maps field names of the target event to their new values in
    serialized (JSON) form; build it with :meth:`of` to pass ordinary values.
    Only facts can be corrected: ids, the source and references to other
    events (:data:`UNCORRECTABLE_FIELDS`) cannot, not even through the
    ``changes`` of a corrected correction; retract the event and record a
    new one instead. A correction may target any event but a retraction,
    including another correction.

    Attributes:
        target_id: The event corrected.
        changes: Field name to new value (JSON form).
        reason: Why.
    """

    TYPE: ClassVar[str] = "correction"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("target_id",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset(
        {
            IncidentOpened.TYPE,
            SourceRegistered.TYPE,
            AircraftReported.TYPE,
            PatrolReported.TYPE,
            InterceptReported.TYPE,
            StatementIssued.TYPE,
            AssessmentMade.TYPE,
            ReportsReconciled.TYPE,
            *(cls.TYPE for cls in NEW_FACT_TYPES),
            TYPE,
        }
    )

    target_id: UUID = attrs.field(validator=_instance_of(UUID))
    changes: dict[str, Any] = attrs.field(converter=_changes)
    reason: str = attrs.field(validator=_free_text)

    def __attrs_post_init__(self) -> None:
        if not self.changes:
            raise InvalidInputError("a correction must change at least one field")
        protected = _uncorrectable(self.changes)
        if protected:
            raise InvalidInputError(
                f"a correction cannot change {', '.join(sorted(protected))}: ids and "
                "references to other events are not facts to correct; record a "
                "retraction and a new event instead"
            )
        if self.target_id == self.event_id:
            raise InvalidInputError("an event cannot correct itself")

    @classmethod
    def of(
        cls,
        target: Event,
        *,
        source_id: UUID,
        reason: str,
        event_id: UUID | None = None,
        **changes: Any,
    ) -> Correction:
        """
        Build a correction of *target* from ordinary field values.

        The new values are checked against the target's type right away.

        Args:
            target: The event to correct.
            source_id: The source showing the correction.
            reason: Why.
            event_id: The correction's own id (random unless given).
            **changes: New values of the target's fields, e.g.
                ``speaker=Speaker(name="Zhang Xiaogang", ...)``.

        Returns:
            The correction, ready for :meth:`incidents.Ledger.record`.

        Raises:
            InvalidInputError: If a field does not exist, is an id or a
                reference, or a value is invalid.
        """
        serialized = unstructure_changes(type(target), changes)
        apply_changes(target, serialized)
        extra = {} if event_id is None else {"event_id": event_id}
        return cls(
            incident_id=target.incident_id,
            source_id=source_id,
            target_id=target.event_id,
            changes=serialized,
            reason=reason,
            **extra,
        )


def _uncorrectable(changes: Mapping[str, Any]) -> set[str]:
    found = set(changes) & UNCORRECTABLE_FIELDS
    # A correction of a correction changes its changes, which apply in turn
    # to its target: they obey the same rule.
    inner = changes.get("changes")
    if isinstance(inner, Mapping):
        found |= _uncorrectable(inner)
    return found


@attrs.frozen(kw_only=True)
class Retraction(Event):
    """
    Withdraws an earlier event (or correction); the original stays in the record.

    Attributes:
        target_id: The event withdrawn.
        reason: Why.
    """

    TYPE: ClassVar[str] = "retraction"
    REFERENCE_FIELDS: ClassVar[tuple[str, ...]] = ("target_id",)
    REFERS_TO: ClassVar[frozenset[str]] = frozenset(
        {
            SourceRegistered.TYPE,
            AircraftReported.TYPE,
            PatrolReported.TYPE,
            InterceptReported.TYPE,
            StatementIssued.TYPE,
            AssessmentMade.TYPE,
            ReportsReconciled.TYPE,
            *(cls.TYPE for cls in NEW_FACT_TYPES),
            Correction.TYPE,
            TYPE,
        }
    )

    target_id: UUID = attrs.field(validator=_instance_of(UUID))
    reason: str = attrs.field(validator=_free_text)

    def __attrs_post_init__(self) -> None:
        if self.target_id == self.event_id:
            raise InvalidInputError("an event cannot retract itself")


EVENT_TYPES: Mapping[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        IncidentOpened,
        SourceRegistered,
        AircraftReported,
        PatrolReported,
        InterceptReported,
        StatementIssued,
        AssessmentMade,
        ReportsReconciled,
        ZoneEntryReported,
        AirspaceViolationAlleged,
        WarningShotsReported,
        DiplomaticProtest,
        LandingReported,
        FlightDurationReported,
        SeriesAssigned,
        IncidentLinked,
        ZoneDeclared,
        ZoneAmended,
        TrackObserved,
        AreaReported,
        Correction,
        Retraction,
    )
}
"""Every event class, by its stable type name."""

AssessmentMade.REFERS_TO = frozenset(EVENT_TYPES)
# Geography's facts can be corrected and (but for a zone's declaration, which
# opens its stream) retracted.
Correction.REFERS_TO = Correction.REFERS_TO | GEOGRAPHY_TYPES
Retraction.REFERS_TO = Retraction.REFERS_TO | (GEOGRAPHY_TYPES - {ZoneDeclared.TYPE})

REGISTRY_TYPES: frozenset[str] = frozenset(
    {SourceRegistered.TYPE, Correction.TYPE, Retraction.TYPE, AssessmentMade.TYPE}
)
"""The types of event the :data:`SOURCES_REGISTRY` stream holds: registrations, and what judges or amends them."""

UNCORRECTABLE_FIELDS: frozenset[str] = frozenset(
    {"event_id", "incident_id", "source_id", "claim_id", "zone_id"}.union(
        *(cls.REFERENCE_FIELDS for cls in EVENT_TYPES.values()),
        *(getattr(cls, "INCIDENT_FIELDS", ()) for cls in EVENT_TYPES.values()),
    )
)
"""The fields no correction may change: the ids (an assessment's ``claim_id``, a zone entry's
``zone_id`` too), every reference field and every field naming another incident."""


# -- the envelope -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Recorded:
    """
    An event as the ledger recorded it: the event plus its envelope.

    Built only by the ledger. Its canonical bytes (see
    :func:`incidents.canonical_bytes`) are what storage keeps and what audit
    hashes.

    Attributes:
        event: The event as given to :meth:`incidents.Ledger.record`.
        sequence: Place in the ledger's global order, from 1, without gaps.
        position: Place in the incident's stream, from 1, without gaps.
        recorded_at: When the ledger recorded it (UTC, set by the ledger's clock;
            never decreases along ``sequence``), within
            :data:`~incidents.MIN_INSTANT` to :data:`~incidents.MAX_INSTANT`.
        recorder: Who recorded it (at most :data:`~incidents.MAX_NAME_LENGTH`
            characters of valid Unicode).
    """

    event: Event
    sequence: int
    position: int
    recorded_at: datetime = attrs.field(converter=_recorded_at)
    recorder: str = attrs.field(validator=_recorder)

    @property
    def event_id(self) -> UUID:
        """
        The event's id.
        """
        return self.event.event_id

    @property
    def incident_id(self) -> UUID:
        """
        The incident the event belongs to.
        """
        return self.event.incident_id

    @property
    def source_id(self) -> UUID:
        """
        The source the event comes from.
        """
        return self.event.source_id

    @property
    def type(self) -> str:
        """
        The event's stable type name, e.g. ``"statement-issued"``.
        """
        return self.event.TYPE

    # eventsourcing's Mapper and recorders speak of originators and versions.
    @property
    def originator_id(self) -> UUID:
        """
        The incident id, under eventsourcing's name for a stream id.
        """
        return self.event.incident_id

    @property
    def originator_version(self) -> int:
        """
        The stream position, under eventsourcing's name.
        """
        return self.position
