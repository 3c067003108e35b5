"""
Fields added later, and tagged unions: the encoders and decoders agree on both.

A field marked ``OMIT_WHEN_DEFAULT`` is left out of the JSON form while it
holds its default, so values stored before it existed keep their bytes; a
tagged union names each member's class in one member of its JSON form. The
reference encoder (the converter), the compiled encoders and the trusted
decoder must all read and write them the same way.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import attrs
import pytest

from incidents._codec.compiled import compile_encoder
from incidents._codec.trusted import _trusted_class
from incidents._domain.convert import (
    OMIT_WHEN_DEFAULT,
    converter,
    register_tagged_union,
    structure,
    unstructure_geometry,
)
from incidents._errors import InvalidInputError


@attrs.frozen
class _Circle:
    KIND: ClassVar[str] = "circle"
    radius: int


@attrs.frozen
class _Square:
    KIND: ClassVar[str] = "square"
    side: int
    rotated: bool = attrs.field(default=False, metadata={OMIT_WHEN_DEFAULT: True})


register_tagged_union({"circle": _Circle, "square": _Square}, "shape")


@attrs.frozen
class _Drawing:
    title: str
    shape: _Circle | _Square | None = attrs.field(default=None, metadata={OMIT_WHEN_DEFAULT: True})
    layers: tuple[str, ...] = attrs.field(default=(), metadata={OMIT_WHEN_DEFAULT: True})


def reference(value: Any) -> str:
    data = converter.unstructure(value)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


CASES = [
    _Drawing(title="empty"),
    _Drawing(title="circle", shape=_Circle(radius=3)),
    _Drawing(title="square", shape=_Square(side=2), layers=("ink",)),
    _Drawing(title="rotated", shape=_Square(side=2, rotated=True)),
]


@pytest.mark.parametrize("value", CASES, ids=lambda v: v.title)
def test_compiled_reference_and_trusted_paths_agree(value: _Drawing) -> None:
    encode = compile_encoder(_Drawing, geometry=unstructure_geometry)
    text = encode(value)
    assert text == reference(value)
    assert structure(json.loads(text), _Drawing) == value
    assert _trusted_class(_Drawing)(json.loads(text)) == value


def test_defaults_are_left_out_and_members_name_their_class() -> None:
    encode = compile_encoder(_Drawing, geometry=unstructure_geometry)
    assert encode(_Drawing(title="empty")) == '{"title":"empty"}'
    assert encode(_Drawing(title="s", shape=_Square(side=2))) == (
        '{"shape":{"shape":"square","side":2},"title":"s"}'
    )


def test_an_unknown_member_is_refused_by_the_validating_path() -> None:
    with pytest.raises(InvalidInputError, match="unknown shape 'hexagon'"):
        structure({"title": "t", "shape": {"shape": "hexagon"}}, _Drawing)
    with pytest.raises(InvalidInputError, match="unknown shape"):
        structure({"title": "t", "shape": {"radius": 1}}, _Drawing)
    with pytest.raises(KeyError):
        _trusted_class(_Drawing)({"title": "t", "shape": {"shape": "hexagon"}})
