"""
The decoders give only the library's errors, whatever bytes they are fed.

Arbitrary bytes, arbitrary JSON, and sound records with one value replaced by
arbitrary JSON (or by something nested very deep) go through every decoder:
each either decodes or raises a subclass of :class:`IncidentsError`.

A few examples run by default; ``INCIDENTS_FUZZ_EXAMPLES`` sets how many
(``make soak`` raises it).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import (
    Event,
    IncidentsError,
    Recorded,
    canonical_bytes,
    decode_event,
    decode_recorded,
)
from incidents._codec.trusted import decode_trusted, structure_trusted
from support.strategies import Deep, dumps, events

EXAMPLES = int(os.environ.get("INCIDENTS_FUZZ_EXAMPLES", "50"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DECODERS: dict[str, Callable[[bytes], object]] = {
    "decode_event": decode_event,
    "decode_recorded": decode_recorded,
    "decode_trusted": decode_trusted,
}

# JSON as a hostile writer may make it: NaN, infinities, huge integers, any text.
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**64 + 2)
    | st.floats()
    | st.text()
    | st.sampled_from(
        [
            "",
            "2024-07-25T12:00:00+00:00",
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59:59-05:00",
            "6f1c9e52-3b0e-4d6a-9c44-0a7d2f9e1b38",
            "correction",
            "incident-opened",
            "statement-issued",
            "day",
            "unknown",
            "Point",
            "America/Anchorage",
            "\ud800",
            "x" * 10_001,
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(["type", "v", "event"]), children, max_size=4
        )
    ),
    max_leaves=12,
)


def only_library_errors(decode: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(IncidentsError):
        decode(data)


def paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, as a path of keys and indexes."""
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*here, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = value.copy()
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


AT = datetime(2024, 7, 25, 12, tzinfo=UTC)


def record_of(event: Event) -> Any:
    return json.loads(
        canonical_bytes(Recorded(event=event, sequence=5, position=2, recorded_at=AT, recorder="r"))
    )


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@fuzz
@given(st.binary(max_size=200))
def test_arbitrary_bytes(decoder: str, data: bytes) -> None:
    only_library_errors(DECODERS[decoder], data)


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@fuzz
@given(json_values)
def test_arbitrary_json(decoder: str, value: Any) -> None:
    only_library_errors(DECODERS[decoder], dumps(value))


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@fuzz
@given(events(), st.data())
def test_sound_records_with_one_value_replaced(
    decoder: str, event: Event, data: st.DataObject
) -> None:
    record = record_of(event)
    if decoder == "decode_event":
        record = record["event"]
    where = data.draw(st.sampled_from(paths(record)), label="where")
    new = data.draw(
        json_values | st.integers(0, 100_000).map(Deep) | st.sampled_from([[], {}, None]),
        label="new",
    )
    only_library_errors(DECODERS[decoder], dumps(replaced(record, where, new)))


@fuzz
@given(events(), st.data())
def test_stored_event_mappings_with_one_value_replaced(event: Event, data: st.DataObject) -> None:
    mapping = record_of(event)["event"]
    where = data.draw(st.sampled_from(paths(mapping)), label="where")
    # Parsed from stored bytes, a value is at most about 1,000 levels deep.
    new = data.draw(json_values | st.integers(0, 990).map(nested), label="new")
    changed = replaced(mapping, where, new)
    if isinstance(changed, dict):
        only_library_errors(structure_trusted, changed)  # type: ignore[arg-type]


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@fuzz
@given(events(), st.data())
def test_sound_records_cut_or_flipped(decoder: str, event: Event, data: st.DataObject) -> None:
    record = record_of(event)
    raw = dumps(record["event"] if decoder == "decode_event" else record)
    at = data.draw(st.integers(0, len(raw) - 1), label="at")
    if data.draw(st.booleans(), label="cut"):
        changed = raw[:at]
    else:
        changed = raw[:at] + bytes([raw[at] ^ (1 << data.draw(st.integers(0, 7)))]) + raw[at + 1 :]
    only_library_errors(DECODERS[decoder], changed)
