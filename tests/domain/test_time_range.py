"""
Instants outside the supported range are refused with the library's error.

Python's datetime holds the years 1 to 9999; converting to UTC or adding a
day near either end overflows. Valid times, recording times and clocks keep
to ``MIN_INSTANT``..``MAX_INSTANT`` (the years 2 to 9998 in UTC), and every
conversion that could overflow raises :class:`InvalidInputError` instead.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    MAX_INSTANT,
    MAX_NAME_LENGTH,
    MIN_INSTANT,
    FixedClock,
    IncidentOpened,
    InvalidInputError,
    Recorded,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    ValidTime,
    parse_instant,
)
from incidents._domain.time import check_instant, to_utc

PLUS_FIVE = timezone(timedelta(hours=5))
MINUS_FIVE = timezone(timedelta(hours=-5))
US = timedelta(microseconds=1)


@pytest.mark.parametrize("end", [MIN_INSTANT, MAX_INSTANT])
@pytest.mark.parametrize("hours", [-23, 23])
def test_instants_in_range_can_be_shown_anywhere_and_moved_by_a_day(
    end: datetime, hours: int
) -> None:
    # What the range's margin is for: no conversion or day's step overflows.
    zone = timezone(timedelta(hours=hours, minutes=59 if hours > 0 else -59))
    local = end.astimezone(zone)
    assert local + timedelta(days=1) - timedelta(days=2) < local
    assert (end + timedelta(days=1)).astimezone(zone) > (end - timedelta(days=1)).astimezone(zone)


def test_check_instant_accepts_the_range_and_refuses_beyond_it() -> None:
    assert check_instant(MIN_INSTANT) == MIN_INSTANT
    assert check_instant(MAX_INSTANT) == MAX_INSTANT
    assert check_instant(MIN_INSTANT.astimezone(PLUS_FIVE)) == MIN_INSTANT
    assert check_instant(MIN_INSTANT.astimezone(PLUS_FIVE)).tzinfo is UTC
    for outside in (MIN_INSTANT - US, MAX_INSTANT + US, datetime.max.replace(tzinfo=UTC)):
        with pytest.raises(InvalidInputError, match=r"clock reading .* outside"):
            check_instant(outside, what="clock reading")
    with pytest.raises(InvalidInputError, match="naive"):
        check_instant(datetime(2024, 7, 25))
    with pytest.raises(InvalidInputError, match="outside"):
        check_instant(datetime(1, 1, 1, tzinfo=PLUS_FIVE))


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=PLUS_FIVE),
        datetime.min.replace(tzinfo=PLUS_FIVE),
        datetime.max.replace(tzinfo=MINUS_FIVE),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
    ],
)
def test_to_utc_never_overflows(value: datetime) -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        to_utc(value)


def test_parse_instant_never_overflows() -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        parse_instant("0001-01-01T00:00:00+05:00")


@pytest.mark.parametrize(
    ("day", "zone"),
    [
        ("9999-12-31", "America/Anchorage"),
        ("9999-12-31", "UTC"),
        ("9998-12-31", "America/Anchorage"),
        ("0001-01-01", "Asia/Tokyo"),
        ("0001-01-01", "UTC"),
        ("0001-01-01", "-05:00"),
    ],
)
def test_days_at_the_ends_of_the_calendar_are_refused(day: str, zone: str) -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        ValidTime.day(day, tz=zone)


def test_days_at_the_ends_of_the_range_are_accepted() -> None:
    last = ValidTime.day("9998-12-31", tz="UTC")
    assert last.latest == MAX_INSTANT
    first = ValidTime.day(date(2, 1, 1), tz="UTC")
    assert first.earliest == MIN_INSTANT


@pytest.mark.parametrize("build", ["instant", "minute", "hour"])
@pytest.mark.parametrize(
    "at",
    [
        datetime.max.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=MINUS_FIVE),
        datetime.min.replace(tzinfo=UTC),
        datetime.min.replace(tzinfo=PLUS_FIVE),
        MAX_INSTANT + US,
        MIN_INSTANT - US,
    ],
)
def test_instants_minutes_and_hours_beyond_the_range_are_refused(build: str, at: datetime) -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        getattr(ValidTime, build)(at)


def test_spans_beyond_the_range_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        ValidTime.span(datetime(2024, 1, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
    with pytest.raises(InvalidInputError, match="outside"):
        ValidTime.span(datetime.min.replace(tzinfo=PLUS_FIVE), datetime(2024, 1, 1, tzinfo=UTC))


def test_publication_times_beyond_the_range_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        SourceRegistered(
            incident_id=uuid.uuid4(),
            kind=SourceKind.NEWS_ARTICLE,
            publisher="p",
            published_at=datetime.max.replace(tzinfo=UTC),
        )


zones = st.sampled_from(
    [
        "UTC",
        "America/Anchorage",
        "Asia/Tokyo",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "+23:59",
        "-23:59",
    ]
)
offsets = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
)


@given(
    st.datetimes(timezones=st.builds(timezone, offsets)),
    st.sampled_from(["instant", "minute", "hour"]),
)
def test_any_aware_datetime_gives_a_valid_time_or_the_library_error(
    at: datetime, build: str
) -> None:
    try:
        made = getattr(ValidTime, build)(at)
    except InvalidInputError:
        return
    assert made.earliest is not None
    assert MIN_INSTANT <= made.earliest <= made.latest <= MAX_INSTANT


@given(st.dates(), zones)
def test_any_day_gives_a_valid_time_or_the_library_error(day: date, zone: str) -> None:
    try:
        made = ValidTime.day(day, tz=zone)
    except InvalidInputError:
        return
    assert made.earliest is not None
    assert MIN_INSTANT <= made.earliest <= made.latest <= MAX_INSTANT
    assert made.describe().startswith(day.isoformat())


def test_clocks_refuse_readings_beyond_the_range() -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        FixedClock(datetime.max.replace(tzinfo=UTC))
    clock = FixedClock(MAX_INSTANT)
    with pytest.raises(InvalidInputError, match="outside"):
        clock.set(datetime.min.replace(tzinfo=UTC))
    assert clock() == MAX_INSTANT
    with pytest.raises(InvalidInputError, match="outside"):
        SteppingClock(datetime.max.replace(tzinfo=UTC))
    stepping = SteppingClock(MAX_INSTANT - timedelta(seconds=1))
    assert stepping() == MAX_INSTANT - timedelta(seconds=1)
    assert stepping() == MAX_INSTANT
    with pytest.raises(InvalidInputError, match="outside"):
        stepping()
    huge = SteppingClock(datetime(2024, 1, 1, tzinfo=UTC), step=timedelta(days=999_999_999))
    huge()
    with pytest.raises(InvalidInputError, match="outside"):
        huge()


def test_recording_times_beyond_the_range_are_refused() -> None:
    event = IncidentOpened(incident_id=uuid.uuid4(), source_id=uuid.uuid4(), title="t")
    for at in (datetime.max.replace(tzinfo=UTC), datetime(1, 1, 1, tzinfo=PLUS_FIVE)):
        with pytest.raises(InvalidInputError, match="recording time"):
            Recorded(event=event, sequence=1, position=1, recorded_at=at, recorder="r")


def test_recorders_the_encoding_cannot_hold_are_refused() -> None:
    event = IncidentOpened(incident_id=uuid.uuid4(), source_id=uuid.uuid4(), title="t")
    for recorder in ("\udc00", "r" * (MAX_NAME_LENGTH + 1), 5):
        with pytest.raises(InvalidInputError, match="recorder"):
            Recorded(
                event=event, sequence=1, position=1, recorded_at=MIN_INSTANT, recorder=recorder
            )
