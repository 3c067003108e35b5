"""
The event classes refuse oversized and malformed input with the library's error.

Every text field has a length limit (short for names and titles, longer for
free text) and must be valid Unicode; collections, geometries and whole
numbers are bounded; a correction's changes must be JSON the canonical
encoding can write (finite numbers, 64-bit integers, text keys, bounded
nesting). The limits are named in ``incidents._domain.limits`` and exported
by ``incidents``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

import incidents
from incidents import (
    MAX_INTEGER,
    MAX_ITEMS,
    MAX_NAME_LENGTH,
    MAX_NESTING,
    MAX_TEXT_LENGTH,
    MAX_VERTICES,
    AircraftReported,
    Claim,
    Correction,
    Count,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    InvalidInputError,
    Location,
    PatrolReported,
    Position,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
)

INC = uuid.uuid4()
SRC = uuid.uuid4()
DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")
IDS = {"incident_id": INC, "source_id": SRC}


def aircraft(**fields: Any) -> AircraftReported:
    values: dict[str, Any] = {
        "type_designation": "H-6",
        "nation": "CN",
        "valid_time": DAY,
        **IDS,
        **fields,
    }
    return AircraftReported(**values)


def statement(**fields: Any) -> StatementIssued:
    values: dict[str, Any] = {
        "speaker": Speaker(organization="NORAD"),
        "medium": "news release",
        "valid_time": DAY,
        **IDS,
        **fields,
    }
    return StatementIssued(**values)


def patrol(**fields: Any) -> PatrolReported:
    values: dict[str, Any] = {"aircraft": (), "nations": ("CN",), "valid_time": DAY, **IDS}
    return PatrolReported(**{**values, **fields})


def correction(changes: Any) -> Correction:
    return Correction(target_id=uuid.uuid4(), changes=changes, reason="typo", **IDS)


Build = Callable[[str], object]

SHORT_TEXTS: dict[str, Build] = {
    "title": lambda s: IncidentOpened(title=s, **IDS),
    "region": lambda s: IncidentOpened(title="t", region=s, **IDS),
    "publisher": lambda s: SourceRegistered(
        incident_id=INC, kind=SourceKind.TRANSCRIPT, publisher=s
    ),
    "url": lambda s: SourceRegistered(
        incident_id=INC, kind=SourceKind.TRANSCRIPT, publisher="p", url=s
    ),
    "type_designation": lambda s: aircraft(type_designation=s),
    "operator": lambda s: aircraft(operator=s),
    "name": lambda s: Speaker(name=s),
    "organization": lambda s: Speaker(organization=s),
    "topic": lambda s: Claim(topic=s, stance=Stance.AFFIRMS, text="t"),
    "medium": lambda s: statement(medium=s),
    "areas": lambda s: patrol(areas=("Bering Sea", s)),
    "location name": lambda s: Location(name=s),
    "wording": lambda s: ValidTime.unknown(wording=s),
    "interceptor type": lambda s: Interceptor(nation="US", type_designation=s),
}

FREE_TEXTS: dict[str, Build] = {
    "summary": lambda s: IncidentOpened(title="t", summary=s, **IDS),
    "quotes": lambda s: statement(quotes=(s,)),
    "claim text": lambda s: Claim(topic="t", stance=Stance.DENIES, text=s),
    "purpose": lambda s: patrol(purpose=s),
    "correction reason": lambda s: Correction(
        target_id=uuid.uuid4(), changes={"title": "x"}, reason=s, **IDS
    ),
    "retraction reason": lambda s: Retraction(target_id=uuid.uuid4(), reason=s, **IDS),
    "a string in changes": lambda s: correction({"summary": s}),
}


def test_the_limits_are_exported_and_documented() -> None:
    from incidents._domain import limits

    for name in limits.__all__:
        if name.isupper():
            assert getattr(incidents, name) is getattr(limits, name), name
            assert name in (limits.__doc__ or ""), f"{name} is not in the limits' table"


@pytest.mark.parametrize("field", sorted(SHORT_TEXTS))
def test_short_texts_are_bounded(field: str) -> None:
    build = SHORT_TEXTS[field]
    build("x" * MAX_NAME_LENGTH)
    with pytest.raises(InvalidInputError, match=f"at most {MAX_NAME_LENGTH:,}"):
        build("x" * (MAX_NAME_LENGTH + 1))


@pytest.mark.parametrize("field", sorted(FREE_TEXTS))
def test_free_texts_are_bounded(field: str) -> None:
    build = FREE_TEXTS[field]
    build("x" * MAX_TEXT_LENGTH)
    with pytest.raises(InvalidInputError, match=f"at most {MAX_TEXT_LENGTH:,}"):
        build("x" * (MAX_TEXT_LENGTH + 1))


@pytest.mark.parametrize(
    "build",
    [
        lambda s: IncidentOpened(title=s, **IDS),
        lambda s: Interceptor(nation=s),
        lambda s: aircraft(count=s),
        lambda s: Location(geometry=s),
        lambda s: ValidTime.day(s, tz="UTC"),
        lambda s: ValidTime.day("2024-07-24", tz=s),
    ],
    ids=["title", "nation", "count", "geometry", "day", "zone"],
)
def test_ten_megabytes_are_refused_without_being_repeated(build: Build) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build("x" * 10_000_000)
    assert len(str(caught.value)) < 300


def test_quotes_together_are_bounded_like_one_free_text() -> None:
    quote = "x" * (MAX_TEXT_LENGTH // 4)
    statement(quotes=(quote,) * 4)
    with pytest.raises(InvalidInputError, match="quotes"):
        statement(quotes=(quote,) * 4 + ("y",))
    with pytest.raises(InvalidInputError, match="quotes"):
        statement(quotes=("x" * 1_000_000,) * 100)  # 100 MB of quotes


@pytest.mark.parametrize("field", sorted(SHORT_TEXTS | FREE_TEXTS))
@pytest.mark.parametrize("surrogate", ["\ud800", "ok \udfff", "\udc80 after"])
def test_lone_surrogates_are_refused_in_every_text(field: str, surrogate: str) -> None:
    build = (SHORT_TEXTS | FREE_TEXTS)[field]
    with pytest.raises(InvalidInputError, match="surrogate"):
        build(surrogate)


def test_valid_unicode_beyond_ascii_is_accepted() -> None:
    for text in ("Zhāng Xiǎogāng", "张晓刚", "emoji \U0001f6e9", "\ufffd"):
        assert IncidentOpened(title=text, **IDS).title == text


COLLECTIONS: dict[str, Callable[[int], object]] = {
    "nations": lambda n: patrol(nations=("CN",) * n),
    "areas": lambda n: patrol(areas=("Bering Sea",) * n),
    "aircraft": lambda n: patrol(aircraft=(uuid.uuid4(),) * n),
    "quotes": lambda n: statement(quotes=("q",) * n),
    "claims": lambda n: statement(claims=(Claim(topic="t", stance=Stance.DENIES, text="c"),) * n),
    "interceptors": lambda n: InterceptReported(
        interceptors=(Interceptor(nation="US"),) * n,
        intercepted=(uuid.uuid4(),),
        valid_time=DAY,
        **IDS,
    ),
    "intercepted": lambda n: InterceptReported(
        interceptors=(Interceptor(nation="US"),),
        intercepted=(uuid.uuid4(),) * n,
        valid_time=DAY,
        **IDS,
    ),
}


@pytest.mark.parametrize("field", sorted(COLLECTIONS))
def test_collections_are_bounded(field: str) -> None:
    build = COLLECTIONS[field]
    build(MAX_ITEMS)
    with pytest.raises(InvalidInputError, match=f"{field}.*at most {MAX_ITEMS:,}"):
        build(MAX_ITEMS + 1)


def test_a_collection_is_not_read_past_its_limit() -> None:
    taken = 0

    def many() -> Any:
        nonlocal taken
        for _ in range(3 * MAX_ITEMS):
            taken += 1
            yield "CN"

    with pytest.raises(InvalidInputError, match=f"at most {MAX_ITEMS:,}"):
        patrol(nations=many())
    assert taken == MAX_ITEMS + 1


def track(points: int) -> shapely.LineString:
    steps = np.arange(points)
    return shapely.linestrings(steps % 360 - 180, (steps // 360) % 180 - 90)


def test_geometries_are_bounded() -> None:
    Location(geometry=track(MAX_VERTICES))
    with pytest.raises(InvalidInputError, match=f"at most {MAX_VERTICES:,}"):
        Location(geometry=track(MAX_VERTICES + 1))
    with pytest.raises(InvalidInputError, match="at most"):
        Location(geometry=track(1_000_000))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # shapely, building it
@pytest.mark.parametrize(
    ("lon", "lat", "named"),
    [
        (0, float("nan"), "latitude"),
        (0, 90.5, "latitude"),
        (-181, 0, "longitude"),
        (float("inf"), 0, "longitude"),
    ],
)
def test_every_point_of_a_long_track_is_checked(lon: float, lat: float, named: str) -> None:
    coordinates = shapely.get_coordinates(track(MAX_VERTICES))
    coordinates[77_777] = (lon, lat)
    with pytest.raises(InvalidInputError, match=named):
        Location(geometry=shapely.linestrings(coordinates))


def test_nested_geometry_collections_are_bounded() -> None:
    geometry: shapely.Geometry = shapely.Point(1, 2)
    for _ in range(MAX_NESTING + 1):
        geometry = shapely.GeometryCollection([geometry])
    with pytest.raises(InvalidInputError, match="nested"):
        Location(geometry=geometry)


def test_a_location_checks_its_parts() -> None:
    with pytest.raises(InvalidInputError, match="name"):
        Location(name=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="position"):
        Location(position="55N 170W")  # type: ignore[arg-type]
    assert Location(position=Position(lat=55, lon=-170)).position == Position(lat=55, lon=-170)


def test_huge_integer_coordinates_are_out_of_range() -> None:
    from incidents._domain.geo import check_lon_lat

    for huge in (10**400, -(10**5000)):
        with pytest.raises(InvalidInputError, match="outside"):
            check_lon_lat(huge, 0)
        with pytest.raises(InvalidInputError, match="out of range"):
            Position(lat=huge, lon=0)


def test_counts_are_64_bit() -> None:
    assert aircraft(count=MAX_INTEGER).count == Count.exact(MAX_INTEGER)
    assert aircraft(count=Count.at_least(MAX_INTEGER)).count.low == MAX_INTEGER
    for count in (MAX_INTEGER + 1, 10**5000):
        with pytest.raises(InvalidInputError, match="count"):
            aircraft(count=count)
        with pytest.raises(InvalidInputError, match="count"):
            aircraft(count=Count.between(1, count))
    with pytest.raises(InvalidInputError, match="count"):
        Interceptor(nation="US", count=2**64)


def test_a_valid_time_checks_its_wording_and_zone() -> None:
    with pytest.raises(InvalidInputError, match="wording"):
        ValidTime.unknown(wording=5)  # type: ignore[arg-type]
    for zone in ("a" * 100_000, 5, "\ud800", "Europe/\x00", "+24:00", "-05:60", "+05:00\n"):
        with pytest.raises(InvalidInputError, match="time zone"):
            ValidTime.day("2024-07-24", tz=zone)  # type: ignore[arg-type]


def nested(depth: int, kind: str) -> Any:
    """A value *depth* levels of lists or objects deep (0: a plain number)."""
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


@pytest.mark.parametrize("kind", ["list", "object"])
def test_changes_are_nested_at_most_max_nesting_levels(kind: str) -> None:
    # The changes mapping is the first level.
    correction({"summary": nested(MAX_NESTING - 1, kind)})
    with pytest.raises(InvalidInputError, match=f"nested.*{MAX_NESTING}"):
        correction({"summary": nested(MAX_NESTING, kind)})
    with pytest.raises(InvalidInputError, match="nested"):
        correction({"summary": nested(100_000, kind)})


def test_corrections_of_corrections_nested_deep_are_refused() -> None:
    changes: dict[str, Any] = {"title": "x"}
    for _ in range(100_000):
        changes = {"changes": changes}
    with pytest.raises(InvalidInputError, match="nested"):
        correction(changes)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ([1.0, float("-inf")], "finite"),
        ({"x": float("nan")}, "finite"),
        (10**5000, "64-bit"),
        (MAX_INTEGER + 1, "64-bit"),
        (-MAX_INTEGER - 2, "64-bit"),
        ({1: "x"}, "key"),
        ({"\ud800": "x"}, "surrogate"),
        ({"k" * (MAX_NAME_LENGTH + 1): "x"}, "at most"),
        (object(), "JSON"),
        (b"bytes", "JSON"),
        ({"a", "b"}, "JSON"),
        (uuid.uuid4(), "JSON"),
    ],
    ids=[
        "nan",
        "inf",
        "-inf-in-list",
        "nan-in-object",
        "huge-int",
        "int-above-64-bits",
        "int-below-64-bits",
        "int-key",
        "surrogate-key",
        "long-key",
        "object",
        "bytes",
        "set",
        "uuid",
    ],
)
def test_changes_must_be_json_the_encoding_can_write(value: Any, says: str) -> None:
    with pytest.raises(InvalidInputError, match=says):
        correction({"summary": value})


def test_changes_keys_are_checked_at_the_top_level_too() -> None:
    with pytest.raises(InvalidInputError, match="key"):
        correction({1: "x"})
    with pytest.raises(InvalidInputError, match="surrogate"):
        correction({"\udc00": "x"})


def test_ordinary_changes_are_kept_as_given() -> None:
    changes = {
        "count": MAX_INTEGER,
        "valid_time": {"earliest": None, "latest": None, "precision": "unknown"},
        "location": {"name": None, "position": {"lat": -1.5, "lon": 2.0}, "geometry": None},
        "areas": ["Bering Sea", "Chukchi Sea"],
        "joint": True,
        "offset": -MAX_INTEGER - 1,
    }
    assert correction(changes).changes == dict(sorted(changes.items()))


@given(st.text() | st.sampled_from(["+23:59", "-00:00", "+99:99", "UTC", "../UTC", "Etc/GMT+12"]))
def test_any_time_zone_name_gives_a_day_or_the_library_error(zone: str) -> None:
    try:
        day = ValidTime.day("2024-07-24", tz=zone)
    except InvalidInputError:
        return
    assert day.tz == zone
    assert day.describe().startswith("2024-07-24")
