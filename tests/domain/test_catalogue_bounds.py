"""
A catalogue file from anywhere gives a catalogue or the library's error, never another exception.

Deeply nested JSON, a format version that only compares equal to 1, text
that is not valid Unicode or is too long: each is an
:class:`InvalidInputError` naming what is wrong.

A few examples run by default; ``INCIDENTS_FUZZ_EXAMPLES`` sets how many
(``make soak`` raises it).
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, AircraftCatalogue, InvalidInputError

EXAMPLES = int(os.environ.get("INCIDENTS_FUZZ_EXAMPLES", "50"))
DEEP = "[" * 100_000 + "]" * 100_000
ENTRY = {"designation": "H-6K", "role": "bomber", "provenance": "public sources"}


def catalogue(**changes: Any) -> str:
    return json.dumps({"format": 1, "types": [{**ENTRY, **changes}]})


def test_a_sound_entry_reads() -> None:
    assert AircraftCatalogue.from_json(catalogue()).lookup("H6K") is not None


@pytest.mark.parametrize(
    "text",
    [
        DEEP,
        '{"types": [' + DEEP + "]}",
        '{"types": [{"designation": "X", "operators": [' + DEEP + "]}]}",
    ],
    ids=["document", "entry", "operator"],
)
def test_deeply_nested_json_is_the_library_error(text: str) -> None:
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        AircraftCatalogue.from_json(text)


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "[1]"])
def test_only_the_format_version_itself_is_read(version: str) -> None:
    with pytest.raises(InvalidInputError, match="format"):
        AircraftCatalogue.from_json('{"format": ' + version + ', "types": []}')


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"designation": "\ud800"}, "surrogate"),
        ({"provenance": "p" * (MAX_TEXT_LENGTH + 1)}, "at most"),
        ({"aliases": ["\udc00"]}, "surrogate"),
        ({"aliases": ["a" * (MAX_NAME_LENGTH + 1)]}, "at most"),
    ],
    ids=["surrogate-designation", "long-provenance", "surrogate-alias", "long-alias"],
)
def test_text_the_library_cannot_keep_is_refused(changes: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidInputError, match=says):
        AircraftCatalogue.from_json(catalogue(**changes))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted({*ENTRY, "family", "nato_name", "aliases", "operators"})),
    json_values,
)
def test_any_value_in_an_entry_gives_a_catalogue_or_the_library_error(
    field: str, value: Any
) -> None:
    with contextlib.suppress(InvalidInputError):
        AircraftCatalogue.from_json(catalogue(**{field: value}))
