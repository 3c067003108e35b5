"""
What a claim can state: typed propositions, with parameters that can be compared.

A :class:`~incidents.Claim` of a statement states one proposition, which it
affirms or denies. A claim that names only a topic and words is a *free-text*
claim (every claim recorded before propositions existed is one): it can be
compared with other claims on the same topic, by stance only. A claim with a
:data:`Proposition` states something of a known kind with typed parameters,
so that "about 360 rounds" and "80 rounds" can be told apart, and so can
"the airspace of South Korea" and "any country's airspace":

=================================  ==================================================
Kind (``KIND``)                    What it states
=================================  ==================================================
:class:`AirspaceEntered`           a nation's territorial airspace was entered (by
                                   aircraft of a nation, of a type, so many times)
:class:`ZoneEntered`               a declared zone (an ADIZ) was entered
:class:`AircraftCounted`           so many aircraft of a nation and type (or family)
:class:`EventDated`                the event happened on a local date in a time zone
:class:`WarningShotsFired`         a nation's aircraft fired warning shots: rounds,
                                   flares
:class:`EscortedBy`                aircraft of a type of a nation escorted the patrol
:class:`AimedAtThirdParties`       the activity was aimed at third parties
:class:`Sovereignty`               a territory (known by several names) belongs to a
                                   nation
=================================  ==================================================

Every parameter is checked like the events' own fields: nations are assigned
ISO 3166-1 alpha-2 codes, texts are bounded (:data:`~incidents.MAX_NAME_LENGTH`),
counts are whole numbers from 0 to :data:`~incidents.MAX_INTEGER`. A parameter
left ``None`` means "not said": a claim that no country's airspace was
entered leaves ``airspace`` out, and is compared with every claim about a
particular country's.

Claims are judged by id (see :class:`~incidents.AssessmentMade`): a claim
keeps the ``claim_id`` it was given, and a claim given none (every claim
recorded before claim ids existed) is known by :func:`derived_claim_id`, a
UUID derived from its statement's id and its place among the statement's
claims.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5

import attrs

from incidents._domain.convert import register_tagged_union
from incidents._domain.limits import MAX_INTEGER, MAX_ITEMS, MAX_NAME_LENGTH, check_text, shown
from incidents._domain.nations import ASSIGNED_NATIONS, nation_error
from incidents._domain.time import ValidTime
from incidents._errors import InvalidInputError

__all__ = [
    "FREE_TEXT",
    "PROPOSITION_KINDS",
    "PROPOSITION_TYPES",
    "TAG",
    "AimedAtThirdParties",
    "AircraftCounted",
    "AirspaceEntered",
    "EscortedBy",
    "EventDated",
    "Proposition",
    "Sovereignty",
    "WarningShotsFired",
    "ZoneEntered",
    "derived_claim_id",
    "name_key",
]

FREE_TEXT = "free-text"
"""The kind of a claim without a proposition: a topic and words, compared by stance."""

TAG = "kind"
"""The member that names a proposition's kind in its JSON form, e.g. ``{"kind": "sovereignty", ...}``."""


# -- validators: each raises InvalidInputError ---------------------------------------


def _text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"{attribute.name} must be text, got {shown(value)}")
    check_text(value, attribute.name, MAX_NAME_LENGTH)
    if not value.strip():
        raise InvalidInputError(f"{attribute.name} must be non-empty text, got {shown(value)}")


def _optional_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _text(instance, attribute, value)


def _nation(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or value not in ASSIGNED_NATIONS:
        raise InvalidInputError(nation_error(attribute.name, value))


def _optional_nation(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _nation(instance, attribute, value)


def _amount(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INTEGER:
        raise InvalidInputError(
            f"{attribute.name} must be a whole number from 0 to {MAX_INTEGER:,} "
            f"(a 64-bit integer), got {shown(value)}"
        )


def _optional_amount(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _amount(instance, attribute, value)


def _bool(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{attribute.name} must be True or False, got {shown(value)}")


def _names(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise InvalidInputError(f"aliases must be a sequence of names, got {shown(value)}")
    return tuple(value) if isinstance(value, tuple) else tuple(_first(value, MAX_ITEMS + 1))


def _first(values: Any, count: int) -> list[Any]:
    found = []
    for value in values:
        found.append(value)
        if len(found) >= count:
            break
    return found


def _aliases(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if len(value) > MAX_ITEMS:
        raise InvalidInputError(
            f"{attribute.name} holds {len(value):,} items: at most {MAX_ITEMS:,} are accepted"
        )
    for name in value:
        _text(instance, attribute, name)


_NAME_KEY = re.compile(r"[\s\-_.'/]+")


def name_key(name: str) -> str:
    """
    A name as compared with other names: case, spaces and punctuation ignored.

    Args:
        name: e.g. ``"Liancourt Rocks"``.

    Returns:
        e.g. ``"liancourtrocks"``.
    """
    return _NAME_KEY.sub("", name).casefold()


def _nation_words(code: str | None, whose: bool = False) -> str:
    if code is None:
        return "any nation's" if whose else "any nation"
    return f"{code}'s" if whose else code


# -- the propositions ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AirspaceEntered:
    """
    A nation's territorial airspace was entered (violated).

    Attributes:
        airspace: Whose airspace (ISO 3166-1 alpha-2); ``None``: any nation's,
            as in "did not enter any country's airspace".
        by: The nation whose aircraft entered it, if said.
        aircraft_type: The type that entered it, e.g. ``"A-50"``, if said.
        entries: How many times, if said (0 or more).
        over: Where, in the source's words, e.g. ``"Dokdo"``.
    """

    KIND: ClassVar[str] = "airspace-entered"

    airspace: str | None = attrs.field(default=None, validator=_optional_nation)
    by: str | None = attrs.field(default=None, validator=_optional_nation)
    aircraft_type: str | None = attrs.field(default=None, validator=_optional_text)
    entries: int | None = attrs.field(default=None, validator=_optional_amount)
    over: str | None = attrs.field(default=None, validator=_optional_text)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"airspace of KR entered by RU A-50 (2 times, over Dokdo)"``.
        """
        text = f"airspace of {_nation_words(self.airspace)} entered"
        text += _by(self.by, self.aircraft_type)
        details = []
        if self.entries is not None:
            details.append(f"{self.entries} time{'' if self.entries == 1 else 's'}")
        if self.over is not None:
            details.append(f"over {self.over}")
        return text + (f" ({', '.join(details)})" if details else "")


def _by(nation: str | None, aircraft_type: str | None) -> str:
    who = " ".join(p for p in (nation, aircraft_type) if p)
    return f" by {who}" if who else ""


@attrs.frozen(kw_only=True)
class ZoneEntered:
    """
    A declared zone, such as an air defence identification zone, was entered.

    Attributes:
        zone: The zone's name as text, e.g. ``"KADIZ"``.
        by: The nation whose aircraft entered it, if said.
        aircraft_type: The type that entered it, if said.
    """

    KIND: ClassVar[str] = "zone-entered"

    zone: str = attrs.field(validator=_text)
    by: str | None = attrs.field(default=None, validator=_optional_nation)
    aircraft_type: str | None = attrs.field(default=None, validator=_optional_text)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"KADIZ entered by CN"``.
        """
        return f"{self.zone} entered{_by(self.by, self.aircraft_type)}"


@attrs.frozen(kw_only=True)
class AircraftCounted:
    """
    So many aircraft of a nation and a type (or a family of types) took part.

    Attributes:
        nation: The operating nation (ISO 3166-1 alpha-2).
        aircraft_type: A type or family, e.g. ``"H-6K"`` or ``"H-6"``.
        count: How many (0 or more).
    """

    KIND: ClassVar[str] = "aircraft-count"

    nation: str = attrs.field(validator=_nation)
    aircraft_type: str = attrs.field(validator=_text)
    count: int = attrs.field(validator=_amount)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"2 x H-6K (CN)"``.
        """
        return f"{self.count} x {self.aircraft_type} ({self.nation})"


def _day(value: Any) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidInputError(f"day must be a date or YYYY-MM-DD, got {shown(value)}")


@attrs.frozen(kw_only=True)
class EventDated:
    """
    The event happened on a calendar date, in a time zone.

    Two dates in different time zones may be the same day: 24 July in
    Alaska and 25 July in Beijing overlap, and are compared so.

    Attributes:
        day: The local date, ``YYYY-MM-DD`` (a :class:`~datetime.date` is
            taken too).
        tz: The IANA time zone it is a date in, e.g. ``"Asia/Seoul"``.
    """

    KIND: ClassVar[str] = "event-date"

    day: str = attrs.field(converter=_day)
    tz: str = attrs.field(validator=_text)

    def __attrs_post_init__(self) -> None:
        self.valid_time  # noqa: B018 - checks that the zone is known and the day in range

    @property
    def valid_time(self) -> ValidTime:
        """
        The whole day, as a valid time.

        Raises:
            InvalidInputError: If the date or the time zone is not valid.
        """
        return ValidTime.day(self.day, tz=self.tz)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"on 2019-07-23 (Asia/Seoul)"``.
        """
        return f"on {self.day} ({self.tz})"


@attrs.frozen(kw_only=True)
class WarningShotsFired:
    """
    A nation's aircraft fired warning shots (rounds) and flares.

    Attributes:
        by: The nation that fired (ISO 3166-1 alpha-2).
        at: The nation whose aircraft were warned, if said.
        rounds: Rounds fired, if said (0 or more).
        flares: Flares fired, if said (0 or more).
        approximate: The figures are approximate ("about 360", "nearly 400").
    """

    KIND: ClassVar[str] = "warning-shots"

    by: str = attrs.field(validator=_nation)
    at: str | None = attrs.field(default=None, validator=_optional_nation)
    rounds: int | None = attrs.field(default=None, validator=_optional_amount)
    flares: int | None = attrs.field(default=None, validator=_optional_amount)
    approximate: bool = attrs.field(default=False, validator=_bool)

    def figures(self) -> str:
        """
        The figures in words, e.g. ``"about 360 rounds"`` or ``"10 flares and 80 rounds"``.
        """
        about = "about " if self.approximate else ""
        parts = []
        if self.flares is not None:
            parts.append(f"{about}{self.flares} flare{'' if self.flares == 1 else 's'}")
        if self.rounds is not None:
            parts.append(f"{about}{self.rounds} round{'' if self.rounds == 1 else 's'}")
        return " and ".join(parts) if parts else "figures not given"

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"warning shots fired by KR at RU (about 360 rounds)"``.
        """
        at = f" at {self.at}" if self.at else ""
        figures = self.figures()
        shown = "" if figures == "figures not given" else f" ({figures})"
        return f"warning shots fired by {self.by}{at}{shown}"


@attrs.frozen(kw_only=True)
class EscortedBy:
    """
    Aircraft of a type, of a nation, escorted (or shadowed) the patrol.

    Attributes:
        nation: Whose aircraft (ISO 3166-1 alpha-2).
        aircraft_type: Their type, e.g. ``"Su-35S"``.
    """

    KIND: ClassVar[str] = "escorted-by"

    nation: str = attrs.field(validator=_nation)
    aircraft_type: str = attrs.field(validator=_text)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"escorted by JP F-15J"``.
        """
        return f"escorted by {self.nation} {self.aircraft_type}"


@attrs.frozen(kw_only=True)
class AimedAtThirdParties:
    """
    The activity was aimed at third parties (at one nation, if said).

    Attributes:
        at: The nation it was aimed at, if said.
    """

    KIND: ClassVar[str] = "aimed-at-third-parties"

    at: str | None = attrs.field(default=None, validator=_optional_nation)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"aimed at third parties"``.
        """
        return "aimed at " + (self.at if self.at else "third parties")


@attrs.frozen(kw_only=True)
class Sovereignty:
    """
    A territory belongs to a nation.

    A territory is often known by several names: claims naming any of the
    same names (compared without case, spaces or punctuation) are about the
    same territory, so that "Dokdo" and "Takeshima" are compared.

    Attributes:
        territory: Its name as the claim gives it, e.g. ``"Dokdo"``.
        aliases: Its other names, e.g. ``("Takeshima", "Liancourt Rocks")``.
        nation: The nation it belongs to (ISO 3166-1 alpha-2).
    """

    KIND: ClassVar[str] = "sovereignty"

    territory: str = attrs.field(validator=_text)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names, validator=_aliases)
    nation: str = attrs.field(validator=_nation)

    @property
    def names(self) -> tuple[str, ...]:
        """
        The territory's name and its aliases.
        """
        return (self.territory, *self.aliases)

    def describe(self) -> str:
        """
        The proposition in words, e.g. ``"Dokdo (Takeshima) belongs to KR"``.
        """
        aliases = f" ({', '.join(self.aliases)})" if self.aliases else ""
        return f"{self.territory}{aliases} belongs to {self.nation}"


Proposition = (
    AirspaceEntered
    | ZoneEntered
    | AircraftCounted
    | EventDated
    | WarningShotsFired
    | EscortedBy
    | AimedAtThirdParties
    | Sovereignty
)
"""Any proposition of a known kind."""

PROPOSITION_TYPES: tuple[type[Any], ...] = (
    AirspaceEntered,
    ZoneEntered,
    AircraftCounted,
    EventDated,
    WarningShotsFired,
    EscortedBy,
    AimedAtThirdParties,
    Sovereignty,
)
"""Every proposition class, in the order the kinds are listed."""

PROPOSITION_KINDS: dict[str, type[Any]] = {cls.KIND: cls for cls in PROPOSITION_TYPES}
"""Every proposition class by its kind, e.g. ``"sovereignty"``."""

# In JSON, a proposition names its kind: {"kind": "sovereignty", "nation": "KR", ...}.
register_tagged_union(PROPOSITION_KINDS, TAG)

_CLAIMS = UUID("0b6f3e0a-6d1f-5c8e-9a57-2f4e8d1c7b30")


def derived_claim_id(statement_id: UUID, index: int) -> UUID:
    """
    The id of a claim recorded without one: derived from its statement and place.

    The same statement id and index always give the same id, on any machine.
    A correction that reorders a statement's claims moves the derived ids
    with the places: give claims their own ``claim_id`` when they are to be
    judged and may be reordered.

    Args:
        statement_id: The id of the statement's event.
        index: The claim's place among the statement's claims, from 0.

    Returns:
        A UUID 5.
    """
    return uuid5(_CLAIMS, f"{statement_id}/claim/{index}")
