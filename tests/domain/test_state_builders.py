"""The state of each kind of fact carries every field of the event that stated it."""

from __future__ import annotations

import uuid

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents._domain.state import ENTITY_BUILDERS, UNDATED_BUILDERS
from support.strategies import events

OWN = ("id", "source_id", "corrections")


BUILDERS = {**ENTITY_BUILDERS, **UNDATED_BUILDERS}


@pytest.mark.parametrize("cls", list(BUILDERS), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_every_field_comes_from_the_event(cls: type, data: st.DataObject) -> None:
    event = data.draw(events(cls))
    fixes = (uuid.uuid4(),)
    state = BUILDERS[cls](event.event_id, event, fixes)
    assert (state.id, state.source_id, state.corrections) == (
        event.event_id,
        event.source_id,
        fixes,
    )
    names = [f.name for f in attrs.fields(type(state)) if f.name not in OWN]
    assert names  # the state's own fields, each taken from the event's field of that name
    for name in names:
        assert getattr(state, name) is getattr(event, name)
