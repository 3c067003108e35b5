"""
Hypothesis strategies for the whole vocabulary, derived from the classes.

Events are generated from their attrs fields and type hints, not listed by
hand: a new event class or field is covered as soon as it exists. Values
that fail the library's own validation are rejected, so every generated
event is one the library accepts.
"""

from __future__ import annotations

import enum
import hashlib
import json
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import attrs
import shapely
from hypothesis import reject
from hypothesis import strategies as st
from shapely.geometry.base import BaseGeometry

from incidents import (
    EVENT_TYPES,
    Count,
    Fix,
    InvalidInputError,
    Location,
    LocationPrecision,
    Position,
    ValidTime,
)
from incidents._domain.events import Event

NATIONS = ("CN", "RU", "US", "CA", "JP", "KR", "GB", "FR")
nations = st.sampled_from(NATIONS)

text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")

offsets = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=-8)),
        timezone(timedelta(hours=8)),
        timezone(timedelta(hours=5, minutes=30)),
    ]
)
aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1), timezones=offsets
)
zones = st.sampled_from(
    ["America/Anchorage", "Asia/Shanghai", "Europe/Moscow", "UTC", "Asia/Seoul"]
)


@st.composite
def valid_times(draw: st.DrawFn) -> ValidTime:
    kind = draw(st.sampled_from(["instant", "minute", "hour", "day", "span", "unknown"]))
    wording = draw(st.none() | text)
    if kind == "unknown":
        return ValidTime.unknown(wording=wording)
    at = draw(aware_datetimes)
    if kind == "day":
        return ValidTime.day(at.date(), tz=draw(zones), wording=wording)
    if kind == "span":
        length = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
        return ValidTime.span(at, at + length, wording=wording)
    constructor = getattr(ValidTime, kind)
    return constructor(at, wording=wording)  # type: ignore[no-any-return]


lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
positions = st.builds(Position, lat=lats, lon=lons)
points = st.tuples(lons, lats)
geometries: st.SearchStrategy[BaseGeometry] = st.one_of(
    st.builds(lambda p: shapely.Point(p), points),
    st.lists(points, min_size=2, max_size=6).map(shapely.LineString),
    st.lists(points, min_size=3, max_size=6).map(lambda ps: shapely.Polygon([*ps, ps[0]])),
)


@st.composite
def locations(draw: st.DrawFn) -> Location:
    name = draw(st.none() | text)
    position = draw(st.none() | positions)
    geometry = draw(st.none() | geometries)
    if name is None and position is None and geometry is None:
        name = "somewhere"
    precision = draw(
        st.none()
        | st.sampled_from([LocationPrecision.exact(), LocationPrecision.area()])
        | st.floats(min_value=0.5, max_value=1e6).map(lambda m: LocationPrecision.within(metres=m))
    )
    return Location(name=name, position=position, geometry=geometry, precision=precision)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | text
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=6,
)

small_counts = st.integers(min_value=1, max_value=1000)
counts: st.SearchStrategy[Count] = st.one_of(
    small_counts.map(Count.exact),
    small_counts.map(Count.at_least),
    st.tuples(small_counts, small_counts).map(lambda pair: Count.between(*sorted(pair))),
    st.just(Count.unknown()),
)
"""Counts of every form: exact, at least, a range, unknown."""

fixes: st.SearchStrategy[Fix] = st.builds(
    Fix,
    time=aware_datetimes,
    lat=lats,
    lon=lons,
    altitude_m=st.none() | st.floats(min_value=-400, max_value=30_000),
    uncertainty_m=st.none() | st.floats(min_value=0, max_value=100_000),
)
tracks: st.SearchStrategy[tuple[Fix, ...]] = st.lists(fixes, min_size=1, max_size=5).map(
    lambda found: tuple(sorted(found, key=lambda f: f.time))
)
zone_outlines: st.SearchStrategy[BaseGeometry] = st.one_of(
    st.lists(points, min_size=2, max_size=6).map(shapely.LineString),
    st.lists(points, min_size=3, max_size=6).map(lambda ps: shapely.Polygon([*ps, ps[0]])),
)

_SPECIAL: dict[Any, st.SearchStrategy[Any]] = {
    Fix: fixes,
    float: st.floats(min_value=0, max_value=1e5, allow_nan=False),
    Count: counts,
    UUID: st.uuids(),
    datetime: aware_datetimes,
    ValidTime: valid_times(),
    Location: locations(),
    Position: positions,
    BaseGeometry: geometries,
    bool: st.booleans(),
    int: st.integers(min_value=1, max_value=1000),
    str: text,
}


# Fields holding a nation code, by name (an event's, or a claim's proposition's).
NATION_FIELDS = frozenset({"nation", "airspace", "by", "at", "to", "alleged_by", "airfield_nation"})


def for_type(hint: Any, name: str = "") -> st.SearchStrategy[Any]:
    """A strategy for values of a (resolved) type hint of the vocabulary."""
    optional = type(None) in typing.get_args(hint)
    if name in NATION_FIELDS:
        return (st.none() | nations) if optional else nations
    if name == "day" and hint is str:  # a proposition's local date
        return st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)).map(date.isoformat)
    if name == "tz" and hint is str:
        return zones
    if name == "nations":
        return st.lists(nations, min_size=1, max_size=3, unique=True).map(tuple)
    if name == "points":  # a track's fixes, in time order
        return tracks
    if name == "outline":  # a zone's outline: an area or a line
        return (st.none() | zone_outlines) if optional else zone_outlines
    # A source's chain of custody: values of the shapes checked, not any text.
    if name == "content_sha256":
        return st.none() | st.binary(max_size=16).map(lambda b: hashlib.sha256(b).hexdigest())
    if name == "archive_url":
        return st.none() | st.from_regex(
            r"https://web\.archive\.org/web/[0-9]{14}/[a-z]{1,8}", fullmatch=True
        )
    if name == "cites":
        return st.lists(st.uuids(), max_size=3, unique=True).map(tuple)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(for_type(a, name) for a in args))
    if hint is type(None):
        return st.none()
    if origin is tuple:
        return st.lists(for_type(args[0], name), max_size=3).map(tuple)
    if origin is dict:
        return st.dictionaries(text, json_values, min_size=1, max_size=3)
    if hint in _SPECIAL:
        return _SPECIAL[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if attrs.has(hint):
        return instances(hint)
    raise NotImplementedError(f"no strategy for {hint!r} ({name})")


@st.composite
def _instance(draw: st.DrawFn, cls: type, overrides: dict[str, Any]) -> Any:
    attrs.resolve_types(cls)
    kwargs: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name in overrides:
            kwargs[field.name] = draw(overrides[field.name])
            continue
        has_default = field.default is not attrs.NOTHING
        if has_default and draw(st.booleans()):
            continue
        kwargs[field.name] = draw(for_type(field.type, field.name))
    try:
        return cls(**kwargs)
    except InvalidInputError:
        reject()


def instances(cls: type, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid instances of an attrs class of the vocabulary."""
    return _instance(cls, overrides)


def events(
    cls: type[Event] | None = None, **overrides: st.SearchStrategy[Any]
) -> st.SearchStrategy[Event]:
    """Valid events of one class, or of any class of the vocabulary."""
    if cls is not None:
        return instances(cls, **overrides)
    return st.one_of(*(instances(c, **overrides) for c in EVENT_TYPES.values()))


class Deep(int):
    """Stands for a list nested this many levels deep (json cannot write one itself)."""


def dumps(value: Any) -> bytes:
    """JSON bytes of *value* on one line, with each :class:`Deep` written as that many nested lists."""
    deep: list[int] = []

    def mark(item: Any) -> Any:
        if isinstance(item, Deep):
            deep.append(int(item))
            return f"@deep{len(deep) - 1}@"
        if isinstance(item, dict):
            return {k: mark(v) for k, v in item.items()}
        if isinstance(item, list):
            return [mark(v) for v in item]
        return item

    text = json.dumps(mark(value), allow_nan=True)
    for number, depth in enumerate(deep):
        text = text.replace(f'"@deep{number}@"', "[" * depth + "]" * depth)
    return text.encode()
