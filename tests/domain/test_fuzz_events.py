"""
The vocabulary's classes give only the library's error, whatever values they are given.

Every field of every event, and of the values inside events, is given odd
values (wrong types, naive and extreme datetimes, NaN, huge integers, bytes,
arbitrary text): each construction either works, giving an event the
canonical encoding can write, or raises :class:`InvalidInputError`.

A few examples run by default; ``INCIDENTS_FUZZ_EXAMPLES`` sets how many
(``make soak`` raises it).
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import (
    Claim,
    Event,
    Interceptor,
    InvalidInputError,
    Location,
    Position,
    Precision,
    Speaker,
    Stance,
    ValidTime,
    encode_event,
)
from support.strategies import events

EXAMPLES = int(os.environ.get("INCIDENTS_FUZZ_EXAMPLES", "50"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

offsets = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**30),
    st.floats(),
    st.text(),
    st.just("\ud800"),
    st.binary(max_size=5),
    st.datetimes(timezones=st.none() | st.just(UTC) | st.builds(timezone, offsets)),
    st.uuids(),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers() | st.floats(), max_size=3),
    st.sampled_from(list(Precision)),
    st.sampled_from(list(Stance)),
    st.just(ValidTime.unknown()),
    st.just(Location(name="Bering Sea")),
    st.just(Position(lat=1, lon=2)),
    st.just(Speaker(name="a")),
    st.just((Interceptor(nation="US"),)),
    st.just(object()),
)


@fuzz
@given(events(), st.data())
def test_any_value_in_any_event_field(event: Event, data: st.DataObject) -> None:
    field = data.draw(st.sampled_from([f.name for f in attrs.fields(type(event))]), label="field")
    try:
        changed = attrs.evolve(event, **{field: data.draw(odd_values, label="value")})
    except InvalidInputError:
        return
    encode_event(changed)


@pytest.mark.parametrize("cls", [ValidTime, Location, Position, Speaker, Claim, Interceptor])
@fuzz
@given(data=st.data())
def test_any_values_in_the_values_inside_events(cls: type, data: st.DataObject) -> None:
    fields: dict[str, Any] = {
        f.name: data.draw(odd_values, label=f.name)
        for f in attrs.fields(cls)
        if f.default is attrs.NOTHING or data.draw(st.booleans(), label=f"give {f.name}")
    }
    with contextlib.suppress(InvalidInputError):
        cls(**fields)
