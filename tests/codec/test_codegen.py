"""Generated code shows its own lines in tracebacks, as hand-written code does."""

from __future__ import annotations

import linecache
import traceback
import uuid

import pytest

from incidents import EVENT_TYPES, IncidentOpened
from incidents._codec import trusted
from incidents._codec.canonical import _ENCODERS
from incidents._codec.codegen import compile_function


def _last_frame(exc: BaseException) -> traceback.FrameSummary:
    return traceback.extract_tb(exc.__traceback__)[-1]


def test_a_generated_function_shows_its_source_line_in_tracebacks() -> None:
    source = "def ratio(a, b):\n    total = a + b\n    return a / (total - total)\n"
    ratio = compile_function(source, "ratio", {}, description="test ratio")
    with pytest.raises(ZeroDivisionError) as caught:
        ratio(1, 2)
    frame = _last_frame(caught.value)
    assert frame.filename.startswith("<generated test ratio")
    assert frame.lineno == 3
    assert frame.line == "return a / (total - total)"
    assert "return a / (total - total)" in "".join(traceback.format_tb(caught.value.__traceback__))


def test_different_sources_of_one_description_keep_their_own_lines() -> None:
    first = compile_function("def f():\n    return 1\n", "f", {}, description="twice")
    second = compile_function("def f():\n\n    return 2\n", "f", {}, description="twice")
    again = compile_function("def f():\n    return 1\n", "f", {}, description="twice")
    names = [g.__code__.co_filename for g in (first, second, again)]
    assert names[0] != names[1]
    assert names[0] == names[2]  # the same source reuses its entry
    assert linecache.getline(names[0], 2).strip() == "return 1"
    assert linecache.getline(names[1], 3).strip() == "return 2"
    linecache.checkcache()  # no file behind them: the entries stay
    assert linecache.getline(names[1], 3).strip() == "return 2"
    assert (first(), second()) == (1, 2)


def test_a_compiled_encoder_shows_its_generated_line() -> None:
    encode = _ENCODERS[IncidentOpened]
    with pytest.raises(AttributeError) as caught:
        encode(object())
    frame = _last_frame(caught.value)
    assert frame.filename.startswith("<generated encoder of incidents.")
    assert "IncidentOpened" in frame.filename
    assert frame.line is not None
    assert frame.line.startswith("_v")
    assert "= o." in frame.line


def test_a_trusted_builder_shows_its_generated_line() -> None:
    build = trusted._TRUSTED[IncidentOpened.TYPE]
    with pytest.raises(KeyError) as caught:
        build({"event_id": str(uuid.uuid4())})
    frame = _last_frame(caught.value)
    assert frame.filename.startswith("<generated trusted builder of incidents.")
    assert "IncidentOpened" in frame.filename
    assert frame.line is not None
    assert "data['incident_id']" in frame.line


def test_every_generated_function_has_its_lines_registered() -> None:
    for build in trusted._TRUSTED.values():
        filename = build.__code__.co_filename
        assert filename.startswith("<generated trusted builder of ")
        assert linecache.getline(filename, 1).startswith("def ")
    for cls in EVENT_TYPES.values():
        # A type of several versions wraps the generated encoder of its current one.
        encoder = getattr(_ENCODERS[cls], "__wrapped__", _ENCODERS[cls])
        filename = encoder.__code__.co_filename
        assert filename.startswith("<generated encoder of ")
        assert linecache.getline(filename, 1).startswith("def ")
