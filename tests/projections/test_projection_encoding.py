"""
A read model re-encodes only the members of a large dict value that changed: same bytes.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    AircraftReported,
    Correction,
    Credibility,
    Event,
    IncidentOpened,
    Ledger,
    Reliability,
    Retraction,
    SourceKind,
    SourceRegistered,
    ValidTime,
)
from incidents._codec.canonical import dumps
from incidents.projections import Change, Projection, ProjectionError, ReadModel, handles, live
from incidents.projections._encoding import Tracked, _Parts, state_bytes
from support.backends import Backend


def record_incident(ledger: Ledger, seed: int, size: int = 12) -> None:
    """One incident: aircraft, a correction and a retraction, ids drawn from *seed*."""
    rng = random.Random(seed)

    def uid() -> UUID:
        return UUID(int=rng.getrandbits(128), version=4)

    incident, source = uid(), uid()
    events: list[Event] = [
        IncidentOpened(incident_id=incident, source_id=source, title="t", event_id=uid()),
        SourceRegistered(
            incident_id=incident,
            source_id=source,
            kind=SourceKind.NEWS_ARTICLE,
            publisher="NORAD",
            reliability=Reliability.B,
            credibility=Credibility.PROBABLY_TRUE,
        ),
    ]
    aircraft = [
        AircraftReported(
            incident_id=incident,
            source_id=source,
            type_designation="H-6",
            nation="CN",
            count=n % 3 + 1,
            valid_time=ValidTime.day(date(2024, 7, 24), tz="UTC"),
            event_id=uid(),
        )
        for n in range(size)
    ]
    events += aircraft
    events.append(Correction.of(aircraft[0], source_id=source, reason="r", count=4))
    events.append(
        Retraction(
            incident_id=incident, source_id=source, target_id=aircraft[1].event_id, reason="r"
        )
    )
    ledger.record(*events)


KEYS = st.text(min_size=0, max_size=3)
SCALARS = (
    st.integers(-3, 300)
    | st.booleans()
    | st.none()
    | st.sampled_from([0.0, -0.0, 1.0, 0.5])
    | st.text(max_size=3)
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=4)


@given(
    start=st.dictionaries(KEYS, VALUES, max_size=40),
    steps=st.lists(
        st.tuples(st.sampled_from(["set", "delete", "bump"]), KEYS, VALUES), max_size=30
    ),
    every=st.integers(1, 5),
)
def test_member_by_member_encoding_gives_the_bytes_of_dumps(
    start: dict[str, Any], steps: list[tuple[str, str, Any]], every: int
) -> None:
    parts = _Parts()
    value = dict(start)
    assert parts.encode("p", "k", value) == dumps(value)
    for n, (action, key, item) in enumerate(steps, 1):
        if action == "set":
            value[key] = item
        elif action == "delete":
            value.pop(key, None)
        elif isinstance(value.get(key), list):
            value[key].append(item)  # changed in place: the same list object
        elif isinstance(value.get(key), int):
            value[key] += 1
        if n % every == 0:
            assert parts.encode("p", "k", value) == dumps(value)
    assert parts.encode("p", "k", value) == dumps(value)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({1: 1}, "keys must be str"),
        ({"a": (1, 2)}, "survive canonical JSON"),
        ({"a": {2: 0}}, "survive canonical JSON"),
        ({"a": float("nan")}, "cannot encode"),
    ],
)
def test_member_by_member_encoding_refuses_what_is_not_canonical(
    bad: dict[Any, Any], message: str
) -> None:
    parts = _Parts()
    value: dict[Any, Any] = {str(n): n for n in range(100)}
    parts.encode("p", "k", value)
    value.update(bad)
    with pytest.raises(ProjectionError, match=message):
        parts.encode("p", "k", value)


@pytest.mark.parametrize("number", [2**64 + 1, -(2**70) - 3, 10**30 + 7])
def test_integers_beyond_64_bits_are_canonical_at_every_level(number: int) -> None:
    # The fast parser reads these as rounded floats: the check must not refuse them.
    state = {"big": number, "nested": {"deep": [number, {"n": number}]}}
    assert state_bytes(state) == dumps(state)
    tracked = Tracked(state, ())
    tracked.everything = True
    documents, _ = tracked.changes("p")
    assert documents == {"big": dumps(number), "nested": dumps(state["nested"])}
    parts = _Parts()
    members: dict[str, Any] = {str(n): [number, n] for n in range(100)}
    assert parts.encode("p", "k", members) == dumps(members)


@pytest.mark.parametrize(
    "bad", [{"a": (1, 2)}, {"a": [{2: 0}]}, {"a": [2**64 + 1, (1,)]}, {"a": {True: 1}}]
)
def test_a_state_that_does_not_survive_its_encoding_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ProjectionError, match="survive canonical JSON"):
        state_bytes(bad)
    tracked = Tracked(bad, ())
    tracked.everything = True
    with pytest.raises(ProjectionError, match="survive canonical JSON"):
        tracked.changes("p")


class EveryEvent(Projection):
    """One large dict value: a member per event, changed again by later events."""

    @handles(Event)
    def anything(self, state: dict[str, Any], change: Change[Event]) -> None:
        members = state.setdefault("members", {})
        members[str(change.event_id)] = change.sign if change.added else None
        members["count"] = members.get("count", 0) + change.sign
        members.pop(str(change.cause.event_id) + "-gone", None)
        members[str(change.event_id) + "-gone"] = [change.fact.sequence]


def test_large_dict_values_stored_in_batches_equal_the_live_state(backend: Backend) -> None:
    ledger = backend.open()
    for seed in range(8):
        record_incident(ledger, seed)
    model = ReadModel(ledger, EveryEvent(), batch_size=5)
    model.catch_up()
    expected = live(ledger, EveryEvent())
    assert len(expected.state["members"]) > 64
    assert expected.digest == model.read().digest
    assert expected.state == model.read().state
    resumed = ReadModel(ledger, EveryEvent(), batch_size=3)  # loaded from storage
    record_incident(ledger, 99)
    resumed.catch_up()
    model.catch_up()
    expected = live(ledger, EveryEvent())
    assert expected.digest == resumed.read().digest == model.read().digest


def test_a_tuple_inside_a_large_dict_value_is_refused(backend: Backend) -> None:
    ledger = backend.open()
    for seed in range(6):
        record_incident(ledger, seed)

    class Late(EveryEvent):
        @handles(AircraftReported)
        def late(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            if len(state.get("members", ())) > 70:
                state["members"]["pair"] = (1, 2)

    model = ReadModel(ledger, Late(), batch_size=4)
    with pytest.raises(ProjectionError, match="survive canonical JSON"):
        model.catch_up()
    stored = model.status()
    assert stored is not None
    assert "pair" not in model.read().state["members"]
