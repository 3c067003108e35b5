"""Objects built through their slots equal those built the ordinary way."""

from __future__ import annotations

from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents._codec.slots import slot_setter, uuid_from_bytes, uuid_from_str


@given(st.uuids())
def test_stored_uuids_are_ordinary_uuids(value: UUID) -> None:
    for made in (uuid_from_str(str(value)), uuid_from_bytes(value.bytes)):
        assert value == made
        assert hash(value) == hash(made)
        assert str(value) == str(made)
        assert value.is_safe == made.is_safe
        assert {value: 1}[made] == 1


def test_wrong_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="canonical"):
        uuid_from_str("6f1c9e52")
    with pytest.raises(ValueError, match="16 bytes"):
        uuid_from_bytes(b"\x00")


@attrs.frozen
class _Slotted:
    a: int
    b: str


class _Plain:
    a: int


def test_slot_setters_fill_frozen_slotted_and_plain_objects() -> None:
    made = object.__new__(_Slotted)
    slot_setter(_Slotted, "a")(made, 1)
    slot_setter(_Slotted, "b")(made, "x")
    assert made == _Slotted(1, "x")
    plain = _Plain()
    slot_setter(_Plain, "a")(plain, 2)
    assert vars(plain) == {"a": 2}
