"""
Hour and minute precision in every IANA time zone, across every kind of transition.

The transitions are read once from the zone files: the instants each file
lists from 1970 (files list them up to 2037, then give a rule, which is not
read), kept where the UTC offset really changes. That is exact, and far
faster than scanning every zone's offsets (seconds, even a week at a time).
Instants are drawn on the local wall
clock within hours of a transition, on either side of a fold or inside a
gap, so that transitions that fall between local hour boundaries (Chatham's
quarter hours, Lord Howe's half-hour shift) are met often.
"""

from __future__ import annotations

import importlib.resources
import struct
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from incidents import ValidTime
from incidents._domain.time import to_utc

FROM = int(datetime(1970, 1, 1, tzinfo=UTC).timestamp())
UNTIL = int(datetime(2040, 1, 1, tzinfo=UTC).timestamp())
ONE_MICROSECOND = timedelta(microseconds=1)
ZONES = sorted(zoneinfo.available_timezones())


def _zone_file(key: str) -> bytes | None:
    for root in zoneinfo.TZPATH:
        path = Path(root, key)
        if path.is_file():
            return path.read_bytes()
    try:  # the tzdata package, where the system has no zone files
        return importlib.resources.files("tzdata.zoneinfo").joinpath(key).read_bytes()
    except (ModuleNotFoundError, OSError):
        return None


def _declared_transitions(data: bytes) -> tuple[int, ...]:
    """The transition instants of a TZif file (RFC 8536), in POSIX seconds."""
    if data[:4] != b"TZif":
        return ()
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = struct.unpack(">6l", data[20:44])
    if data[4] == 0:  # version 1: 32-bit times only
        return struct.unpack(f">{timecnt}l", data[44 : 44 + 4 * timecnt])
    # Version 2 and later repeat the data with 64-bit times after the first block.
    second = 44 + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt
    (timecnt,) = struct.unpack(">l", data[second + 32 : second + 36])
    start = second + 44
    return struct.unpack(f">{timecnt}q", data[start : start + 8 * timecnt])


def _transitions() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Every change of offset from 1970 to 2040, and those off the local hour."""
    found, off_the_hour = [], []
    for key in ZONES:
        data = _zone_file(key)
        if data is None:
            continue
        zone = ZoneInfo(key)
        for second in _declared_transitions(data):
            if not FROM <= second < UNTIL:
                continue
            before = datetime.fromtimestamp(second - 1, zone)
            after = datetime.fromtimestamp(second, zone)
            if before.utcoffset() == after.utcoffset():
                continue  # only the name or the daylight-saving flag changes
            found.append((key, second))
            if (after.minute, after.second) != (0, 0) or (before.minute, before.second) != (59, 59):
                off_the_hour.append((key, second))
    return found, off_the_hour


TRANSITIONS, OFF_THE_HOUR = _transitions()
near_transitions = st.sampled_from(OFF_THE_HOUR) | st.sampled_from(TRANSITIONS)
anywhere = st.tuples(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2039, 12, 31)),
)


def test_the_zone_files_were_read() -> None:
    keys = {key for key, _ in TRANSITIONS}
    assert {"Pacific/Chatham", "Australia/Lord_Howe", "America/New_York"} <= keys
    assert len(TRANSITIONS) > 10_000
    assert OFF_THE_HOUR


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """An aware datetime in an IANA zone, usually within hours of a transition."""
    if draw(st.integers(0, 9)) == 0:  # now and then anywhere, in any zone
        key, at = draw(anywhere)
        return at.replace(tzinfo=UTC).astimezone(ZoneInfo(key))
    key, second = draw(near_transitions)
    zone = ZoneInfo(key)
    wall = datetime.fromtimestamp(second, zone).replace(tzinfo=None)
    shift = timedelta(microseconds=draw(st.integers(-3 * 3600 * 10**6, 3 * 3600 * 10**6)))
    # On the wall clock: the result may be ambiguous (either fold) or in a gap.
    return (wall + shift).replace(tzinfo=zone, fold=draw(st.integers(0, 1)))


def _reading(instant: datetime, zone: ZoneInfo, unit: timedelta) -> tuple[datetime, timedelta]:
    """The local wall clock truncated to *unit*, and the offset, at an instant."""
    local = instant.astimezone(zone)
    wall = local.replace(tzinfo=None)
    if unit == timedelta(hours=1):
        wall = wall.replace(minute=0, second=0, microsecond=0)
    else:
        wall = wall.replace(second=0, microsecond=0)
    offset = local.utcoffset()
    assert offset is not None
    return wall, offset


@given(instants())
def test_hour_and_minute_are_the_local_clock_as_lived(at: datetime) -> None:
    zone = at.tzinfo
    assert isinstance(zone, ZoneInfo)
    instant = to_utc(at)
    for build, unit in (
        (ValidTime.hour, timedelta(hours=1)),
        (ValidTime.minute, timedelta(minutes=1)),
    ):
        vt = build(at)
        assert vt.earliest is not None
        assert vt.latest is not None
        # It contains the instant, and is no longer than the unit.
        assert vt.earliest <= instant <= vt.latest
        assert vt.latest - vt.earliest < unit
        # Every instant in it reads the same local hour (or minute) at the same offset ...
        reading = _reading(instant, zone, unit)
        assert _reading(vt.earliest, zone, unit) == reading
        assert _reading(vt.latest, zone, unit) == reading
        # ... and no instant just outside it does.
        assert _reading(vt.earliest - ONE_MICROSECOND, zone, unit) != reading
        assert _reading(vt.latest + ONE_MICROSECOND, zone, unit) != reading
        # So every instant in it gives the same interval.
        assert build(vt.earliest.astimezone(zone)) == vt
        assert build(vt.latest.astimezone(zone)) == vt
