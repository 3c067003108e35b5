"""
Opening, verifying and reading a bundle gives only the library's errors, whatever the file holds.

Arbitrary headers (bytes, JSON, a sound header with one value replaced) and
sound bundles with one event line replaced (by bytes, by JSON, by the line
with one value replaced) go through :meth:`Bundle.open`, :meth:`Bundle.verify`
and :meth:`Bundle.records`: each either works or raises a subclass of
:class:`IncidentsError`.

A few examples run by default; ``INCIDENTS_FUZZ_EXAMPLES`` sets how many
(``make soak`` raises it).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import Bundle, FixedClock, IncidentsError, Ledger, SigningKey
from incidents.examples import ALASKA_2024_PUBLISHED_AT, alaska_2024_batches
from support.strategies import Deep, dumps

EXAMPLES = int(os.environ.get("INCIDENTS_FUZZ_EXAMPLES", "50"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**64 + 2)
    | st.floats()
    | st.text()
    | st.sampled_from(["incidents-bundle/v1", "incidents-bundle/v2", "\ud800", "", "-", "\n"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


new_values = json_values | st.integers(0, 100_000).map(Deep)


def paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
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


@pytest.fixture(scope="module")
def sound() -> tuple[bytes, list[bytes]]:
    """The header and event lines of a signed bundle of the worked example."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "alaska.jsonl"
        clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
        key = SigningKey.generate("example.org/recorder")
        with Ledger.open(":memory:", clock=clock, signing_key=key) as ledger:
            for at, events in alaska_2024_batches():
                clock.set(at)
                ledger.record(*events)
            ledger.export_bundle(path)
        header, *lines = path.read_bytes().split(b"\n")[:-1]
    return header, lines


def exercise(content: bytes) -> None:
    """Open, verify and read a bundle of *content*: only the library's errors may come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.jsonl"
        path.write_bytes(content)
        try:
            bundle = Bundle.open(path)
        except IncidentsError:
            return
        with contextlib.suppress(IncidentsError):
            bundle.verify().render()
        with contextlib.suppress(IncidentsError):
            for _ in bundle.records():
                pass


@fuzz
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    exercise(data)


@fuzz
@given(json_values)
def test_arbitrary_json_headers(sound: tuple[bytes, list[bytes]], value: Any) -> None:
    _, lines = sound
    exercise(b"\n".join([dumps(value), *lines]) + b"\n")


@fuzz
@given(st.data())
def test_sound_headers_with_one_value_replaced(
    sound: tuple[bytes, list[bytes]], data: st.DataObject
) -> None:
    header, lines = sound
    parsed = json.loads(header)
    where = data.draw(st.sampled_from(paths(parsed)), label="where")
    new = data.draw(new_values, label="new")
    exercise(b"\n".join([dumps(replaced(parsed, where, new)), *lines]) + b"\n")


@fuzz
@given(st.data())
def test_sound_bundles_with_one_line_replaced(
    sound: tuple[bytes, list[bytes]], data: st.DataObject
) -> None:
    header, lines = sound
    number = data.draw(st.integers(0, len(lines) - 1), label="line")
    how = data.draw(st.sampled_from(["bytes", "json", "value"]), label="how")
    if how == "bytes":
        line = data.draw(st.binary(max_size=200).map(lambda b: b.replace(b"\n", b"")))
    elif how == "json":
        line = dumps(data.draw(json_values))
    else:
        parsed = json.loads(lines[number])
        where = data.draw(st.sampled_from(paths(parsed)), label="where")
        line = dumps(replaced(parsed, where, data.draw(new_values, label="new")))
    exercise(b"\n".join([header, *lines[:number], line, *lines[number + 1 :]]) + b"\n")
