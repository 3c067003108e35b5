"""
Counts as sources give them: exactly N, at least N, N to M, or unknown.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from incidents import MAX_INTEGER, AircraftReported, Correction, Count, InvalidInputError, ValidTime
from incidents._domain.words import describe_event, fact_name, show_value

DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")


def report(**fields: Any) -> AircraftReported:
    return AircraftReported(
        incident_id=uuid.uuid4(),
        source_id=uuid.uuid4(),
        type_designation="H-6K",
        nation="CN",
        valid_time=DAY,
        **fields,
    )


def test_every_form_of_count() -> None:
    assert (Count.exact(2).low, Count.exact(2).high) == (2, 2)
    assert (Count.at_least(2).low, Count.at_least(2).high) == (2, None)
    assert (Count.between(2, 4).low, Count.between(2, 4).high) == (2, 4)
    assert (Count.unknown().low, Count.unknown().high) == (1, None)
    # An unknown number is at least one; a range of one number is exact.
    assert Count.unknown() == Count.at_least(1)
    assert Count.between(3, 3) == Count.exact(3)
    assert [c.is_exact for c in (Count.exact(2), Count.at_least(2), Count.between(2, 4))] == [
        True,
        False,
        False,
    ]
    assert Count.unknown().is_unknown
    assert not Count.at_least(2).is_unknown


def test_counts_in_words() -> None:
    forms = [Count.exact(2), Count.at_least(2), Count.between(2, 4), Count.unknown()]
    assert [c.describe() for c in forms] == ["2", "at least 2", "2 to 4", "unknown"]
    assert [str(c) for c in forms] == ["2", "2+", "2-4", "?"]
    # Names of facts keep their words for exact counts (projection states hold them).
    assert fact_name(report(count=2)) == "2 x H-6K (CN)"
    assert fact_name(report(count=Count.between(2, 4))) == "2-4 x H-6K (CN)"
    assert describe_event(report(count=Count.unknown(), role="bomber")) == "? x H-6K (CN), bomber"


def test_which_numbers_a_count_allows() -> None:
    assert Count.between(2, 4).contains(3)
    assert not Count.between(2, 4).contains(5)
    assert Count.at_least(2).contains(MAX_INTEGER)
    assert not Count.at_least(2).contains(1)
    assert Count.exact(2).contains(2)


def test_an_exact_count_equals_its_number() -> None:
    assert Count.exact(2) == 2
    assert 2 == Count.exact(2)  # noqa: SIM300 - the reflected comparison is the point
    assert Count.at_least(2) != 2
    assert Count.between(2, 4) != 2
    assert Count.exact(1) != True  # noqa: E712 - a flag is not a count
    assert len({Count.exact(2), 2, Count.at_least(2)}) == 2  # equal values hash alike
    assert Count.exact(2) != "2"


def test_a_plain_int_is_an_exact_count_and_the_default_is_one() -> None:
    assert report(count=2).count == Count.exact(2)
    assert report().count == Count.exact(1)
    assert report(count=Count.at_least(2)).count == Count.at_least(2)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Count.exact(0), "a count's low must be a whole number from 1"),
        (lambda: Count.at_least(-1), "a count's low must be a whole number from 1"),
        (lambda: Count.between(4, 2), r"a count's high \(2\) must not be below its low \(4\)"),
        (lambda: Count.between(1, MAX_INTEGER + 1), "a count's high must be a whole number"),
        (lambda: Count.exact(True), "got True"),
        (lambda: Count.exact(2.0), "got 2.0"),
        (lambda: Count(low=2, high="4"), "a count's high must be a whole number"),
        (lambda: report(count=0), "count must be a whole number from 1"),
        (lambda: report(count="2"), "count must be a whole number from 1"),
        (lambda: report(count=None), "count must be a whole number from 1"),
    ],
)
def test_a_count_out_of_range_is_refused(build: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()


def test_a_corrected_count_is_shown_in_words() -> None:
    target = report(count=2)
    correction = Correction.of(
        target, source_id=uuid.uuid4(), reason="recounted", count=Count.between(2, 4)
    )
    assert describe_event(correction).endswith("count -> 2-4 (recounted)")
    assert [show_value(v) for v in (2, {"low": 2}, {"high": 4, "low": 2}, {"low": 1})] == [
        "2",
        "2+",
        "2-4",
        "?",
    ]
    # A mapping that only looks like a count is shown as it is.
    assert show_value({"low": 2, "high": 2}) == "{low: 2, high: 2}"


def test_an_exact_count_works_as_a_number_and_no_other_does() -> None:
    # Code written when counts were plain numbers keeps working for exact counts.
    exact = Count.exact(2)
    assert (int(exact), -1 * exact, exact * 3, exact + 1, 1 + exact, 5 - exact) == (
        2,
        -2,
        6,
        3,
        3,
        3,
    )
    assert sum([exact, Count.exact(3)]) == 5
    for count in (Count.at_least(2), Count.between(2, 4), Count.unknown()):
        with pytest.raises(InvalidInputError, match="is not one number"):
            int(count)
        with pytest.raises(InvalidInputError, match="is not one number"):
            _ = 1 * count
