from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    FixedClock,
    InvalidInputError,
    Precision,
    SteppingClock,
    ValidTime,
    parse_instant,
)
from incidents._domain.time import to_utc
from support.strategies import aware_datetimes, valid_times

ANCHORAGE_24 = ValidTime.day("2024-07-24", tz="America/Anchorage", wording="on Wednesday")
BEIJING_25 = ValidTime.day("2024-07-25", tz="Asia/Shanghai", wording="today")


def test_norad_wednesday_is_24_july_in_alaska() -> None:
    assert datetime(2024, 7, 24, 8, tzinfo=UTC) == ANCHORAGE_24.earliest
    assert datetime(2024, 7, 25, 7, 59, 59, 999999, tzinfo=UTC) == ANCHORAGE_24.latest
    assert ANCHORAGE_24.describe() == '2024-07-24 (America/Anchorage) "on Wednesday"'


def test_beijing_today_is_25_july_in_china_and_overlaps_norad() -> None:
    assert datetime(2024, 7, 24, 16, tzinfo=UTC) == BEIJING_25.earliest
    assert ANCHORAGE_24.overlaps(BEIJING_25)
    assert BEIJING_25.overlaps(ANCHORAGE_24)
    # Calendar dates differ; UTC intervals overlap for 16 hours.
    assert ANCHORAGE_24.latest is not None
    assert BEIJING_25.earliest is not None
    assert timedelta(hours=16) == ANCHORAGE_24.latest - BEIJING_25.earliest + timedelta(
        microseconds=1
    )


def test_days_in_different_zones_do_not_always_overlap() -> None:
    assert not ValidTime.day("2024-07-23", tz="America/Anchorage").overlaps(BEIJING_25)


def test_precision_bounds() -> None:
    at = datetime(2024, 7, 24, 19, 31, 5, 123, tzinfo=timezone(timedelta(hours=-8)))
    minute = ValidTime.minute(at)
    assert (minute.earliest, minute.latest) == (
        datetime(2024, 7, 25, 3, 31, tzinfo=UTC),
        datetime(2024, 7, 25, 3, 31, 59, 999999, tzinfo=UTC),
    )
    hour = ValidTime.hour(at)
    assert datetime(2024, 7, 25, 3, tzinfo=UTC) == hour.earliest
    assert Precision.HOUR is hour.precision
    instant = ValidTime.instant(at)
    assert instant.earliest == instant.latest == at
    assert instant.tz == "-08:00"


def test_certainly_and_possibly() -> None:
    noon_25_utc = datetime(2024, 7, 25, 0, tzinfo=UTC)
    assert ANCHORAGE_24.possibly_by(noon_25_utc)
    assert not ANCHORAGE_24.certainly_by(noon_25_utc)
    assert ANCHORAGE_24.certainly_by(datetime(2024, 7, 25, 8, tzinfo=UTC))
    assert not ANCHORAGE_24.possibly_by(datetime(2024, 7, 24, 7, 59, tzinfo=UTC))
    unknown = ValidTime.unknown()
    assert unknown.possibly_by(noon_25_utc)
    assert not unknown.certainly_by(noon_25_utc)


def test_day_across_daylight_saving_change_is_23_hours() -> None:
    spring = ValidTime.day(date(2024, 3, 10), tz="America/Anchorage")
    assert spring.earliest is not None
    assert spring.latest is not None
    assert timedelta(hours=23) == spring.latest - spring.earliest + timedelta(microseconds=1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ValidTime.instant(datetime(2024, 7, 24, 12)),
        lambda: ValidTime.span(datetime(2024, 7, 24, tzinfo=UTC), datetime(2024, 7, 25)),
        lambda: ValidTime.minute(datetime(2024, 7, 24)),
        lambda: to_utc(datetime(2024, 7, 24)),
    ],
)
def test_naive_datetimes_are_refused(build: object) -> None:
    with pytest.raises(InvalidInputError, match="naive"):
        build()  # type: ignore[operator]


def test_bad_values_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="time zone"):
        ValidTime.day("2024-07-24", tz="Mars/Olympus")
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        ValidTime.day("24/07/2024", tz="UTC")
    with pytest.raises(InvalidInputError, match="before it starts"):
        ValidTime.span(datetime(2024, 7, 25, tzinfo=UTC), datetime(2024, 7, 24, tzinfo=UTC))
    with pytest.raises(InvalidInputError, match=r"offset|naive"):
        parse_instant("2024-07-25T18:00:00")
    with pytest.raises(InvalidInputError, match="ISO-8601"):
        parse_instant("yesterday")


def test_parse_instant_accepts_offsets_and_z() -> None:
    assert datetime(2024, 7, 25, 18, tzinfo=UTC) == parse_instant("2024-07-25T18:00Z")
    assert datetime(2024, 7, 25, 10, tzinfo=UTC) == parse_instant("2024-07-25T18:00:00+08:00")


@given(valid_times(), aware_datetimes)
def test_certainly_implies_possibly(vt: ValidTime, at: datetime) -> None:
    if vt.certainly_by(at):
        assert vt.possibly_by(at)


@given(valid_times(), valid_times())
def test_overlap_is_symmetric(a: ValidTime, b: ValidTime) -> None:
    assert a.overlaps(b) == b.overlaps(a)


@given(valid_times())
def test_bounds_are_ordered_and_utc(vt: ValidTime) -> None:
    if vt.is_known:
        assert vt.earliest is not None
        assert vt.latest is not None
        assert vt.earliest <= vt.latest
        assert vt.earliest.tzinfo is UTC
        assert vt.latest.tzinfo is UTC
    assert vt.describe()


def test_clocks() -> None:
    start = datetime(2024, 7, 25, tzinfo=UTC)
    stepping = SteppingClock(start, timedelta(minutes=1))
    assert [start, start + timedelta(minutes=1)] == [stepping(), stepping()]
    fixed = FixedClock(start)
    assert start == fixed()
    fixed.set(start + timedelta(days=1))
    assert start + timedelta(days=1) == fixed()
    with pytest.raises(InvalidInputError):
        FixedClock(datetime(2024, 7, 25))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)))
def test_day_in_utc_is_exactly_24_hours(day: date) -> None:
    vt = ValidTime.day(day, tz="UTC")
    assert vt.earliest is not None
    assert vt.latest is not None
    assert timedelta(days=1) == vt.latest - vt.earliest + timedelta(microseconds=1)


def _bounds(vt: ValidTime) -> tuple[datetime | None, datetime | None]:
    return vt.earliest, vt.latest


def test_hour_in_chatham_after_the_jump_at_quarter_to_three() -> None:
    # Chatham moves from +12:45 to +13:45 at 02:45 local (14:00Z): 02:45 becomes
    # 03:45, so the local hour 03 lasts fifteen minutes that day.
    at = datetime(2024, 9, 29, 3, 50, tzinfo=ZoneInfo("Pacific/Chatham"))  # 14:05Z
    assert _bounds(ValidTime.hour(at)) == (
        datetime(2024, 9, 28, 14, 0, tzinfo=UTC),
        datetime(2024, 9, 28, 14, 14, 59, 999999, tzinfo=UTC),
    )
    # The hour before the jump is cut short by it too.
    before = datetime(2024, 9, 29, 2, 30, tzinfo=ZoneInfo("Pacific/Chatham"))  # 13:45Z
    assert _bounds(ValidTime.hour(before)) == (
        datetime(2024, 9, 28, 13, 15, tzinfo=UTC),
        datetime(2024, 9, 28, 13, 59, 59, 999999, tzinfo=UTC),
    )


def test_hour_in_lord_howe_on_each_side_of_the_half_hour_fold() -> None:
    # Lord Howe moves from +11 to +10:30 at 02:00 local (15:00Z): 01:30 to 01:59
    # is lived twice, and each pass is its own hour.
    zone = ZoneInfo("Australia/Lord_Howe")
    second_pass = datetime(2024, 4, 7, 1, 45, tzinfo=zone, fold=1)  # 15:15Z
    assert _bounds(ValidTime.hour(second_pass)) == (
        datetime(2024, 4, 6, 15, 0, tzinfo=UTC),
        datetime(2024, 4, 6, 15, 29, 59, 999999, tzinfo=UTC),
    )
    first_pass = datetime(2024, 4, 7, 1, 45, tzinfo=zone)  # 14:45Z
    assert _bounds(ValidTime.hour(first_pass)) == (
        datetime(2024, 4, 6, 14, 0, tzinfo=UTC),
        datetime(2024, 4, 6, 14, 59, 59, 999999, tzinfo=UTC),
    )


def test_hour_across_a_whole_hour_change_is_unchanged() -> None:
    # New York falls back at 02:00 EDT: 01:00 to 01:59 is lived twice, an hour each.
    zone = ZoneInfo("America/New_York")
    first = ValidTime.hour(datetime(2024, 11, 3, 1, 30, tzinfo=zone))
    second = ValidTime.hour(datetime(2024, 11, 3, 1, 30, tzinfo=zone, fold=1))
    assert _bounds(first) == (
        datetime(2024, 11, 3, 5, tzinfo=UTC),
        datetime(2024, 11, 3, 5, 59, 59, 999999, tzinfo=UTC),
    )
    assert _bounds(second) == (
        datetime(2024, 11, 3, 6, tzinfo=UTC),
        datetime(2024, 11, 3, 6, 59, 59, 999999, tzinfo=UTC),
    )


def test_a_wall_time_in_a_gap_means_the_instant_it_names() -> None:
    # 02:30 does not exist in New York on 10 March 2024; with fold=0 Python reads
    # it at the old offset, 07:30Z, which the clocks showed as 03:30 EDT.
    at = datetime(2024, 3, 10, 2, 30, tzinfo=ZoneInfo("America/New_York"))
    assert _bounds(ValidTime.hour(at)) == (
        datetime(2024, 3, 10, 7, tzinfo=UTC),
        datetime(2024, 3, 10, 7, 59, 59, 999999, tzinfo=UTC),
    )
    assert ValidTime.minute(at).earliest == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)
