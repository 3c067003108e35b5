"""
How values are shown to people: valid times in one convention, acronyms, display width, tzinfo.

Every valid time is shown as the wall clock read in the time zone the source
gave, named in brackets, to the precision the source gave: a whole day in
Anchorage and a minute in Tokyo read the same way. A trailing "(...)" in a
source's name is shown instead of the name only when it looks like an
acronym.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import SourceKind, SourceRegistered, ValidTime
from incidents._domain.words import display_width, pad, table_source_label

TOKYO = timezone(timedelta(hours=9))
ANCHORAGE = ZoneInfo("America/Anchorage")


def test_every_precision_is_shown_in_the_zone_the_source_gave() -> None:
    at = datetime(2024, 7, 24, 11, 31, 12, tzinfo=ANCHORAGE)
    assert ValidTime.day("2024-07-24", tz="America/Anchorage").describe() == (
        "2024-07-24 (America/Anchorage)"
    )
    assert ValidTime.hour(at).describe() == "2024-07-24 11h (America/Anchorage)"
    assert ValidTime.minute(at).describe() == "2024-07-24 11:31 (America/Anchorage)"
    assert ValidTime.instant(at).describe() == "2024-07-24 11:31:12 (America/Anchorage)"
    assert ValidTime.span(at, at + timedelta(hours=5)).describe() == (
        "between 2024-07-24 11:31 and 2024-07-24 16:31 (America/Anchorage)"
    )
    in_utc = datetime(2024, 7, 24, 19, 31, tzinfo=UTC)
    assert ValidTime.minute(in_utc).describe() == "2024-07-24 19:31 (UTC)"
    assert ValidTime.minute(in_utc.astimezone(TOKYO)).describe() == ("2024-07-25 04:31 (+09:00)")
    assert ValidTime.instant(in_utc + timedelta(microseconds=5)).describe() == (
        "2024-07-24 19:31:00.000005 (UTC)"
    )
    assert ValidTime.unknown(wording="soon").describe() == 'time unknown "soon"'


def test_a_day_and_a_minute_of_it_read_alike() -> None:
    # The complaint: a minute printed in UTC beside its day in local time.
    day = ValidTime.day("2024-07-25", tz="Asia/Tokyo")
    minute = ValidTime.minute(datetime(2024, 7, 25, 8, 5, tzinfo=ZoneInfo("Asia/Tokyo")))
    assert day.describe().startswith("2024-07-25 ")
    assert minute.describe().startswith("2024-07-25 08:05 ")
    assert "(Asia/Tokyo" in day.describe()
    assert "(Asia/Tokyo" in minute.describe()


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("+09:00", timezone(timedelta(hours=9))),
        ("-03:30", timezone(-timedelta(hours=3, minutes=30))),
        ("UTC", ZoneInfo("UTC")),
        ("America/Anchorage", ANCHORAGE),
    ],
)
def test_tzinfo_takes_a_fixed_offset_too(tz: str, expected: object) -> None:
    day = ValidTime.day("2024-07-24", tz=tz)
    assert day.tz == tz
    assert day.tzinfo == expected
    # Usable wherever a tzinfo is: the day begins at midnight there.
    assert day.earliest is not None
    assert day.earliest.astimezone(day.tzinfo).time().isoformat() == "00:00:00"


def test_tzinfo_of_a_time_given_at_an_offset() -> None:
    minute = ValidTime.minute(datetime(2024, 7, 24, 20, 5, tzinfo=TOKYO))
    assert minute.tz == "+09:00"
    with pytest.raises(ZoneInfoNotFoundError):  # what the issue found: ZoneInfo refuses it
        ZoneInfo(minute.tz)
    assert minute.earliest is not None
    assert minute.earliest.astimezone(minute.tzinfo) == datetime(2024, 7, 24, 20, 5, tzinfo=TOKYO)
    assert ValidTime.unknown().tzinfo is None


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, TOKYO, ANCHORAGE, ZoneInfo("Asia/Kathmandu")]),
    )
)
def test_the_minute_shown_is_the_minute_given(at: datetime) -> None:
    shown = ValidTime.minute(at).describe()
    local = at.astimezone(at.tzinfo)
    assert shown.startswith(f"{local:%Y-%m-%d %H:%M} (")


def source(publisher: str) -> SourceRegistered:
    from uuid import uuid4

    return SourceRegistered(
        incident_id=uuid4(), kind=SourceKind.OFFICIAL_STATEMENT, publisher=publisher
    )


@pytest.mark.parametrize(
    ("publisher", "label"),
    [
        ("North American Aerospace Defense Command (NORAD)", "NORAD"),
        ("Ministry of National Defense (MND)", "MND"),
        ("UK Ministry of Defence (MoD)", "MoD"),
        ("Republic of Korea Joint Chiefs of Staff (ROK-JCS)", "ROK-JCS"),
        ("Ministry of Defence of the Russian Federation (Shoigu)", None),
        ("Office of the Senator (McCarthy)", None),
        ("Navy (Ab)", None),
        ("Japan (X)", None),
        ("中华人民共和国国防部", None),
    ],
)
def test_a_trailing_parenthesis_is_an_acronym_only_if_it_looks_like_one(
    publisher: str, label: str | None
) -> None:
    assert table_source_label(source(publisher)) == f"{label or publisher} [F6]"


def test_display_width_counts_terminal_columns() -> None:
    assert display_width("NORAD") == 5
    assert display_width("中华人民共和国国防部") == 20
    assert display_width("\uff28-6") == 4  # a full-width H
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert pad("国防部", 8) == "国防部  "
    assert pad("toolong", 3) == "toolong"
