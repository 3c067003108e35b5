"""
Time: valid time with honest precision, instants in UTC, and clocks.

This module owns every rule about time in :mod:`incidents`:

* instants are timezone-aware and stored in UTC; a naive datetime is an error;
* a fact's *valid time* (when it happened) is a closed interval
  ``[earliest, latest]`` of possible instants plus the precision the source
  gave (an instant, a minute, an hour, a day in a named time zone, a span, or
  unknown), the source's time zone and the source's own wording;
* *recording time* (when the ledger learned a fact) comes only from a
  :class:`Clock` owned by the ledger.

NORAD's "on Wednesday" (24 July 2024 in Alaska) and the Chinese ministry's
"today" (25 July 2024 in Beijing) are two different calendar days that
overlap in UTC, which is why facts are never matched by calendar date alone::

    >>> norad = ValidTime.day("2024-07-24", tz="America/Anchorage")
    >>> beijing = ValidTime.day("2024-07-25", tz="Asia/Shanghai")
    >>> norad.overlaps(beijing)
    True
"""

from __future__ import annotations

import enum
import itertools
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from incidents._domain.limits import MAX_INSTANT, MAX_NAME_LENGTH, MIN_INSTANT, check_text, shown
from incidents._errors import InvalidInputError

__all__ = [
    "Clock",
    "FixedClock",
    "Precision",
    "SteppingClock",
    "SystemClock",
    "ValidTime",
    "check_instant",
    "parse_instant",
    "to_utc",
]

_ONE_MICROSECOND = timedelta(microseconds=1)
_ONE_MINUTE = timedelta(minutes=1)
_ONE_HOUR = timedelta(hours=1)
_OFFSET_RE = re.compile(r"[+-][0-9]{2}:[0-9]{2}")
_MAX_ZONE_NAME = 255  # the longest IANA name is 32 characters
# The range is whole years, so an instant is checked by its year alone.
_FIRST_YEAR, _LAST_YEAR = MIN_INSTANT.year, MAX_INSTANT.year
assert datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC) == MIN_INSTANT
assert datetime(_LAST_YEAR + 1, 1, 1, tzinfo=UTC) - timedelta(microseconds=1) == MAX_INSTANT


def to_utc(value: datetime, *, what: str = "datetime") -> datetime:
    """
    Return *value* as an aware datetime in UTC.

    Args:
        value: A timezone-aware datetime.
        what: How to name the value in an error message.

    Returns:
        The same instant with ``tzinfo=UTC``.

    Raises:
        InvalidInputError: If *value* is not a datetime, is naive, or is so
            close to the ends of the calendar that in UTC it would fall
            outside the years 1 to 9999.
    """
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{what} must be a datetime, got {shown(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            f"{what} {value.isoformat()} is naive: give a timezone-aware datetime "
            "(for example with tzinfo=datetime.UTC or a zoneinfo.ZoneInfo)"
        )
    if value.tzinfo is UTC and type(value) is datetime:
        return value  # already what astimezone would make of it
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise _outside(f"{what} {value.isoformat()}") from None


def _outside(what: str) -> InvalidInputError:
    return InvalidInputError(
        f"{what} is outside the range of instants this library accepts "
        f"({MIN_INSTANT.isoformat()} to {MAX_INSTANT.isoformat()})"
    )


def check_instant(value: datetime, *, what: str = "instant") -> datetime:
    """
    Return *value* in UTC, refusing it outside :data:`~incidents.MIN_INSTANT` to :data:`~incidents.MAX_INSTANT`.

    Valid times, recording times and clock readings keep to this range (the
    years 2 to 9998 in UTC), so that any of them can be written in any time
    zone and moved by a day without leaving what :class:`datetime.datetime`
    can hold.

    Args:
        value: A timezone-aware datetime.
        what: How to name the value in an error message, e.g. ``"clock reading"``.

    Returns:
        The same instant with ``tzinfo=UTC``.

    Raises:
        InvalidInputError: If *value* is not an aware datetime, or lies
            outside the range.
    """
    utc = to_utc(value, what=what)
    if not _FIRST_YEAR <= utc.year <= _LAST_YEAR:
        raise _outside(f"{what} {value.isoformat()}")
    return utc


def parse_instant(text: str, *, what: str = "time") -> datetime:
    """
    Parse an ISO-8601 instant that carries its offset, returning it in UTC.

    Args:
        text: For example ``"2024-07-25T18:00:00+00:00"`` or ``"2024-07-25T18:00Z"``.
        what: How to name the value in an error message.

    Returns:
        The instant, in UTC.

    Raises:
        InvalidInputError: If *text* is not ISO-8601 or has no offset.
    """
    try:
        parsed = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInputError(
            f"{what} {shown(text)} is not an ISO-8601 date-time "
            "(expected e.g. 2024-07-25T18:00:00+00:00)"
        ) from None
    return to_utc(parsed, what=what)


def _zone(name: str) -> tzinfo:
    if not isinstance(name, str) or len(name) > _MAX_ZONE_NAME:
        raise InvalidInputError(
            f"time zone must be an IANA name or a fixed offset, got {shown(name)}"
        )
    if _OFFSET_RE.fullmatch(name):
        sign = -1 if name[0] == "-" else 1
        hours, minutes = int(name[1:3]), int(name[4:6])
        if hours > 23 or minutes > 59:
            raise InvalidInputError(
                f"time zone offset {name} is out of range: from -23:59 to +23:59"
            )
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInputError(
            f"unknown time zone {shown(name)}: use an IANA name such as "
            "'America/Anchorage' or a fixed offset such as '+08:00'"
        ) from None


def _zone_name(value: datetime) -> str:
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo):
        return tz.key
    offset = value.utcoffset()
    assert offset is not None  # checked by to_utc before we get here
    if offset == timedelta(0):
        return "UTC"
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _offset_at(zone: tzinfo, instant: datetime) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def _local_period(at: datetime, unit: timedelta, *, what: str) -> tuple[datetime, datetime]:
    """
    The local minute or hour of *at* as lived: ``[begin, end)`` in UTC.

    The instants whose wall time at the offset in force at *at* reads the
    same as at *at* when truncated to *unit*: the truncated wall time shifted
    by that offset, cut at any change of offset within it.
    """
    instant = check_instant(at, what=what)
    zone = at.tzinfo
    assert zone is not None  # checked by to_utc
    # Read the wall clock back from the instant: a wall time the clocks
    # skipped (in a gap) is replaced by the reading they showed.
    local = instant.astimezone(zone)
    offset = local.utcoffset()
    assert offset is not None
    wall = local.replace(tzinfo=None, second=0, microsecond=0)
    if unit == _ONE_HOUR:
        wall = wall.replace(minute=0)
    begin = (wall - offset).replace(tzinfo=UTC)
    end = begin + unit
    if isinstance(zone, timezone):  # a fixed offset never changes
        return begin, end
    # In the tz database a zone's offset changes at most once in an hour (the
    # closest two changes are four days apart), so one change is searched
    # for on each side of the instant.
    if _offset_at(zone, begin) != offset:
        begin = _change(zone, offset, instant, begin)
    last = end - _ONE_MICROSECOND
    if _offset_at(zone, last) != offset:
        end = _change(zone, offset, instant, last)
    return begin, end


def _change(zone: tzinfo, offset: timedelta, inside: datetime, outside: datetime) -> datetime:
    """
    The instant at which *zone* changes offset between *inside* and *outside*.

    Found by bisection, to the microsecond: *inside* has *offset*, *outside*
    has another; the result is the first instant of the later offset.
    """
    while abs(outside - inside) > _ONE_MICROSECOND:
        middle = inside + (outside - inside) // 2
        if _offset_at(zone, middle) == offset:
            inside = middle
        else:
            outside = middle
    return max(inside, outside)


class Precision(enum.Enum):
    """
    How precisely a source gave the time of a fact.
    """

    INSTANT = "instant"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    SPAN = "span"
    UNKNOWN = "unknown"


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else check_instant(value, what="valid time bound")


def _check_tz(_: Any, __: Any, value: str | None) -> None:
    if value is not None:
        _zone(value)


def _check_precision(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, Precision):
        raise InvalidInputError(f"precision must be a Precision, got {shown(value)}")


def _check_wording(_: Any, __: Any, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidInputError(f"wording must be text, got {shown(value)}")
    check_text(value, "wording", MAX_NAME_LENGTH)


@attrs.frozen
class ValidTime:
    """
    When a fact happened: the closed interval of possible instants and its precision.

    Build one with the named constructors (:meth:`instant`, :meth:`minute`,
    :meth:`hour`, :meth:`day`, :meth:`span`, :meth:`unknown`) rather than by
    hand. Bounds are stored in UTC; ``tz`` keeps the source's time zone and
    ``wording`` the source's own words ("on Wednesday", "today").

    Attributes:
        earliest: Earliest possible instant (UTC), ``None`` when unknown.
        latest: Latest possible instant (UTC, inclusive), ``None`` when unknown.
        precision: The precision the source gave.
        tz: The source's time zone (IANA name or fixed offset), if any.
        wording: The source's own words for the time, if worth keeping.
    """

    earliest: datetime | None = attrs.field(converter=_optional_utc)
    latest: datetime | None = attrs.field(converter=_optional_utc)
    precision: Precision = attrs.field(validator=_check_precision)
    tz: str | None = attrs.field(default=None, validator=_check_tz)
    wording: str | None = attrs.field(default=None, validator=_check_wording)

    def __attrs_post_init__(self) -> None:
        if (self.earliest is None) != (self.latest is None):
            raise InvalidInputError("valid time needs both bounds or neither")
        if self.earliest is None and self.precision is not Precision.UNKNOWN:
            raise InvalidInputError("only an unknown valid time may lack bounds")
        if self.earliest is not None and self.precision is Precision.UNKNOWN:
            raise InvalidInputError("an unknown valid time has no bounds")
        if self.earliest is not None and self.latest is not None and self.latest < self.earliest:
            raise InvalidInputError(
                f"valid time ends ({self.latest.isoformat()}) before it starts "
                f"({self.earliest.isoformat()})"
            )
        if self.precision is Precision.INSTANT and self.earliest != self.latest:
            raise InvalidInputError("an instant has equal bounds")

    # -- constructors -------------------------------------------------------

    @classmethod
    def instant(cls, at: datetime, *, wording: str | None = None) -> ValidTime:
        """
        A fact known to the microsecond.

        Args:
            at: The instant, timezone-aware.
            wording: The source's own words, if any.

        Returns:
            The valid time.

        Raises:
            InvalidInputError: If *at* is naive.
        """
        utc = to_utc(at, what="instant")
        return cls(utc, utc, Precision.INSTANT, _zone_name(at), wording)

    @classmethod
    def minute(cls, at: datetime, *, wording: str | None = None) -> ValidTime:
        """
        A fact known to the minute, in the time zone of *at*.

        The minute is the local clock's minute as lived, as for :meth:`hour`:
        the instants whose wall time, at the UTC offset in force at *at*,
        reads the same date, hour and minute (shorter where a change of
        offset cuts it).

        Args:
            at: Any instant within the minute, timezone-aware.
            wording: The source's own words, if any.

        Returns:
            The valid time covering the whole minute.

        Raises:
            InvalidInputError: If *at* is naive.
        """
        begin, end = _local_period(at, _ONE_MINUTE, what="minute")
        return cls(begin, end - _ONE_MICROSECOND, Precision.MINUTE, _zone_name(at), wording)

    @classmethod
    def hour(cls, at: datetime, *, wording: str | None = None) -> ValidTime:
        """
        A fact known to the hour, in the time zone of *at*.

        The hour is the local clock's hour as lived: the instants whose wall
        time, at the UTC offset in force at *at*, reads the same date and
        hour as *at* does. Usually that is a whole hour. A change of offset
        inside it cuts it at the change, because the clock then jumps to
        another reading: in Chatham, whose clocks go from 02:45 to 03:45 on
        29 September 2024, the hour 03 lasts the fifteen minutes from 03:45
        to 04:00, and on Lord Howe Island, whose clocks go back from 02:00 to
        01:30 on 7 April 2024, 01:30 to 01:59 is lived twice and each pass
        belongs to its own hour (01:00 to 02:00 before the change, 01:30 to
        02:00 after it). The interval always contains *at*, and every instant
        in it gives the same interval. A wall time that the clocks skipped
        means the instant Python gives it (with its ``fold``).

        Args:
            at: Any instant within the hour, timezone-aware.
            wording: The source's own words, if any.

        Returns:
            The valid time covering the whole hour.

        Raises:
            InvalidInputError: If *at* is naive.
        """
        begin, end = _local_period(at, _ONE_HOUR, what="hour")
        return cls(begin, end - _ONE_MICROSECOND, Precision.HOUR, _zone_name(at), wording)

    @classmethod
    def day(cls, day: date | str, *, tz: str, wording: str | None = None) -> ValidTime:
        """
        A fact known to the calendar day, in the named time zone.

        Args:
            day: The calendar day, as a date or ``"YYYY-MM-DD"``.
            tz: The time zone whose day is meant, e.g. ``"America/Anchorage"``.
            wording: The source's own words, e.g. ``"on Wednesday"``.

        Returns:
            The valid time from local midnight to the next local midnight
            (exclusive), in UTC.

        Raises:
            InvalidInputError: For a malformed day, an unknown time zone, or a
                day not wholly within :data:`~incidents.MIN_INSTANT` to
                :data:`~incidents.MAX_INSTANT`.
        """
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise InvalidInputError(f"day {shown(day)} is not YYYY-MM-DD") from None
        if isinstance(day, datetime) or not isinstance(day, date):
            raise InvalidInputError(f"day must be a date, got {shown(day)}")
        zone = _zone(tz)
        what = f"day {day.isoformat()} ({tz})"
        if day == date.max:
            raise _outside(what)
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        following = day + timedelta(days=1)
        end = datetime(following.year, following.month, following.day, tzinfo=zone)
        latest = to_utc(end, what=what) - _ONE_MICROSECOND
        if not MIN_INSTANT <= latest <= MAX_INSTANT:
            raise _outside(what)
        return cls(check_instant(start, what=what), latest, Precision.DAY, tz, wording)

    @classmethod
    def span(cls, start: datetime, end: datetime, *, wording: str | None = None) -> ValidTime:
        """
        A fact that happened at some time between two instants (both included).

        Args:
            start: Earliest possible instant, timezone-aware.
            end: Latest possible instant, timezone-aware.
            wording: The source's own words, if any.

        Returns:
            The valid time.

        Raises:
            InvalidInputError: If either bound is naive or *end* precedes *start*.
        """
        to_utc(start, what="span start")
        to_utc(end, what="span end")
        return cls(start, end, Precision.SPAN, _zone_name(start), wording)

    @classmethod
    def unknown(cls, *, wording: str | None = None) -> ValidTime:
        """
        A fact whose time the source did not give.

        Args:
            wording: The source's own words, if any.

        Returns:
            The valid time with no bounds.
        """
        return cls(None, None, Precision.UNKNOWN, None, wording)

    # -- comparisons --------------------------------------------------------

    @property
    def is_known(self) -> bool:
        """
        Whether the valid time has bounds.
        """
        return self.earliest is not None

    def possibly_by(self, at: datetime) -> bool:
        """
        Whether the fact may have happened at or before *at*.

        Unknown valid times count as possibly true at any time.

        Args:
            at: A timezone-aware instant.

        Returns:
            ``earliest <= at``.
        """
        return self.earliest is None or self.earliest <= to_utc(at)

    def certainly_by(self, at: datetime) -> bool:
        """
        Whether the fact had certainly happened by *at* (its whole interval is before).

        Unknown valid times are never certainly in effect.

        Args:
            at: A timezone-aware instant.

        Returns:
            ``latest <= at``.
        """
        return self.latest is not None and self.latest <= to_utc(at)

    def overlaps(self, other: ValidTime) -> bool:
        """
        Whether two valid times could refer to the same moment.

        Unknown valid times overlap everything.

        Args:
            other: Another valid time.

        Returns:
            True when the closed intervals intersect.
        """
        if not self.is_known or not other.is_known:
            return True
        assert self.earliest
        assert self.latest
        assert other.earliest
        assert other.latest
        return self.earliest <= other.latest and other.earliest <= self.latest

    def sort_key(self) -> tuple[int, datetime, datetime]:
        """
        Key that orders valid times by earliest, then latest; unknown last.

        Returns:
            A tuple usable with :func:`sorted`.
        """
        if self.earliest is None or self.latest is None:
            return (1, datetime.max.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
        return (0, self.earliest, self.latest)

    @property
    def tzinfo(self) -> tzinfo | None:
        """
        The source's time zone as a :class:`datetime.tzinfo`, whatever form :attr:`tz` takes.

        :attr:`tz` is an IANA name (``"Asia/Tokyo"``) or a fixed offset
        (``"+09:00"``), which :class:`zoneinfo.ZoneInfo` does not take: this
        gives a ``ZoneInfo`` for the one and a :class:`datetime.timezone` for
        the other, so that either can be used directly::

            >>> from datetime import datetime, timedelta, timezone
            >>> tokyo = timezone(timedelta(hours=9))
            >>> when = ValidTime.minute(datetime(2024, 7, 24, 20, 5, tzinfo=tokyo))
            >>> when.tz, when.earliest.astimezone(when.tzinfo).isoformat()
            ('+09:00', '2024-07-24T20:05:00+09:00')
            >>> ValidTime.day("2024-07-24", tz="America/Anchorage").tzinfo
            zoneinfo.ZoneInfo(key='America/Anchorage')

        Returns:
            The time zone, or ``None`` when the valid time has none (unknown).
        """
        return None if self.tz is None else _zone(self.tz)

    def describe(self) -> str:
        """
        Render the valid time honestly: a day is printed as a day, not as midnight.

        Every precision follows one convention: the wall clock as it read in
        the time zone the source gave (:attr:`tz`, named in brackets; UTC
        when there is none), written to the precision the source gave: a
        date for a day, ``19h`` for an hour, ``19:31`` for a minute,
        seconds for an instant, two times for a span.

        Returns:
            Text such as ``"2024-07-24 (America/Anchorage)"`` (that whole
            day there), ``"2024-07-24 11:30 (America/Anchorage)"`` (that
            minute), ``"2024-07-24 19h (UTC)"`` (that hour) or
            ``"between 2024-07-24 11:31 and 2024-07-24 16:31 (+09:00)"``.
        """
        text = self._describe_bounds()
        if self.wording:
            text += f' "{self.wording}"'
        return text

    def _describe_bounds(self) -> str:
        if self.earliest is None or self.latest is None:
            return "time unknown"
        zone = self.tz or "UTC"
        local_zone = self.tzinfo or UTC
        start = self.earliest.astimezone(local_zone)
        if self.precision is Precision.DAY:
            return f"{start.date().isoformat()} ({zone})"
        if self.precision is Precision.HOUR:
            return f"{start:%Y-%m-%d %H}h ({zone})"
        if self.precision is Precision.MINUTE:
            return f"{start:%Y-%m-%d %H:%M} ({zone})"
        if self.precision is Precision.INSTANT:
            fraction = f".{start.microsecond:06d}" if start.microsecond else ""
            return f"{start:%Y-%m-%d %H:%M:%S}{fraction} ({zone})"
        end = self.latest.astimezone(local_zone)
        return f"between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} ({zone})"


# -- clocks -------------------------------------------------------------------


class Clock(Protocol):
    """
    Where the ledger gets recording time: a callable returning an aware datetime.
    """

    def __call__(self) -> datetime: ...


class SystemClock:
    """
    The system's wall clock, in UTC. The ledger's default clock.
    """

    def __call__(self) -> datetime:
        """
        Return the current time.

        Returns:
            ``datetime.now(UTC)``.
        """
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """
    A clock that always answers the same instant (for tests and examples).

    Args:
        at: The instant, timezone-aware, within :data:`~incidents.MIN_INSTANT`
            to :data:`~incidents.MAX_INSTANT`.

    Raises:
        InvalidInputError: If *at* is naive or outside that range.
    """

    def __init__(self, at: datetime) -> None:
        self.at = check_instant(at, what="clock time")

    def __call__(self) -> datetime:
        """
        Return the fixed instant.

        Returns:
            The instant given at construction, in UTC.
        """
        return self.at

    def set(self, at: datetime) -> None:
        """
        Move the clock to another instant.

        Args:
            at: The new instant, timezone-aware, within range.

        Raises:
            InvalidInputError: If *at* is naive or outside the range.
        """
        self.at = check_instant(at, what="clock time")

    def __repr__(self) -> str:
        return f"FixedClock({self.at.isoformat()!r})"


class SteppingClock:
    """
    A clock that advances by a fixed step every time it is read.

    Useful for reproducible recordings: the n-th reading is ``start + n * step``.

    Args:
        start: The first reading, timezone-aware, within
            :data:`~incidents.MIN_INSTANT` to :data:`~incidents.MAX_INSTANT`.
        step: How far each reading advances (default one second).

    Raises:
        InvalidInputError: If *start* is naive or outside that range, or
            *step* is not a timedelta.
    """

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        self.start = check_instant(start, what="clock start")
        if not isinstance(step, timedelta):
            raise InvalidInputError(f"step must be a timedelta, got {shown(step)}")
        self.step = step
        self._counter: Callable[[], int] = itertools.count().__next__
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        """
        Return the next reading.

        Returns:
            ``start + n * step`` for the n-th call (from zero).

        Raises:
            InvalidInputError: If the reading would leave the range of
                instants (:data:`~incidents.MAX_INSTANT`); the clock stays there.
        """
        with self._lock:
            n = self._counter()
        try:
            reading = self.start + n * self.step
        except OverflowError:
            reading = None
        if reading is None or not MIN_INSTANT <= reading <= MAX_INSTANT:
            raise _outside(f"reading {n} of {self!r} (start + {n} x step)")
        return reading

    def __repr__(self) -> str:
        return f"SteppingClock({self.start.isoformat()!r}, {self.step!r})"
