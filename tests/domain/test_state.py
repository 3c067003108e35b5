"""
The fold: deterministic, and explicit about which recording orders matter.

Orders that do not matter: independent facts (aircraft, patrols, intercepts,
statements, sources) can be recorded in any order; the state lists facts by
valid time, so only facts with identical valid times keep their recording
order. Orders that matter: two corrections of the same field of the same
event (the later recorded wins), and the order of corrections relative to
a correction of a correction. A retraction withdraws its target whatever
corrections come before or after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    AircraftReported,
    Correction,
    Event,
    IncidentOpened,
    Recorded,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    ValidTime,
    fold,
)
from support.strategies import events, valid_times

INC = uuid.uuid4()
START = datetime(2024, 7, 25, 12, tzinfo=UTC)


def opening() -> list[Event]:
    source = SourceRegistered(incident_id=INC, kind=SourceKind.PRESS_RELEASE, publisher="NORAD")
    return [IncidentOpened(incident_id=INC, source_id=source.source_id, title="Test"), source]


def record(events_: Sequence[Event]) -> list[Recorded]:
    return [
        Recorded(
            event=e, sequence=i, position=i, recorded_at=START + timedelta(seconds=i), recorder="t"
        )
        for i, e in enumerate(events_, start=1)
    ]


def aircraft(source_id: uuid.UUID, count: int = 2, vt: ValidTime | None = None) -> AircraftReported:
    return AircraftReported(
        incident_id=INC,
        source_id=source_id,
        type_designation="H-6",
        nation="CN",
        count=count,
        valid_time=vt or ValidTime.day("2024-07-24", tz="America/Anchorage"),
    )


facts = st.lists(
    st.one_of(
        events(AircraftReported, incident_id=st.just(INC)),
        events(StatementIssued, incident_id=st.just(INC)),
    ),
    max_size=8,
    unique_by=lambda e: e.event_id,
)


@given(facts, st.randoms(use_true_random=False))
def test_independent_facts_fold_the_same_in_any_recording_order(
    batch: list[Event], random: object
) -> None:
    head = opening()
    source_id = head[1].source_id
    batch = [attr_source(e, source_id) for e in batch]
    shuffled = list(batch)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    a = fold(record(head + batch))
    b = fold(record(head + shuffled))
    assert a is not None
    assert b is not None
    # Same facts, same values; order differs only among facts of equal valid time.
    assert sorted(a.aircraft, key=lambda x: x.id.int) == sorted(b.aircraft, key=lambda x: x.id.int)
    assert sorted(a.statements, key=lambda x: x.id.int) == sorted(
        b.statements, key=lambda x: x.id.int
    )
    keys = [x.valid_time.sort_key() for x in a.aircraft]
    if len(set(keys)) == len(keys):
        assert a.aircraft == b.aircraft
    for state in (a, b):
        assert [x.valid_time.sort_key() for x in state.aircraft] == sorted(
            x.valid_time.sort_key() for x in state.aircraft
        )


def attr_source(event: Event, source_id: uuid.UUID) -> Event:
    import attrs

    return attrs.evolve(event, source_id=source_id)


@given(st.integers(1, 50), st.integers(1, 50))
def test_later_correction_of_the_same_field_wins(first: int, second: int) -> None:
    head = opening()
    target = aircraft(head[1].source_id)
    c1 = Correction.of(target, source_id=head[1].source_id, reason="one", count=first)
    c2 = Correction.of(target, source_id=head[1].source_id, reason="two", count=second)
    one_then_two = fold(record([*head, target, c1, c2]))
    two_then_one = fold(record([*head, target, c2, c1]))
    assert one_then_two is not None
    assert two_then_one is not None
    assert second == one_then_two.aircraft[0].count
    assert first == two_then_one.aircraft[0].count
    assert (c1.event_id, c2.event_id) == one_then_two.aircraft[0].corrections


@given(st.permutations(["correct", "retract"]), st.integers(1, 50))
def test_retraction_withdraws_whatever_the_order_of_corrections(
    order: list[str], count: int
) -> None:
    head = opening()
    target = aircraft(head[1].source_id)
    later = {
        "correct": Correction.of(target, source_id=head[1].source_id, reason="count", count=count),
        "retract": Retraction(
            incident_id=INC, source_id=head[1].source_id, target_id=target.event_id, reason="wrong"
        ),
    }
    state = fold(record([*head, target, *(later[k] for k in order)]))
    assert state is not None
    assert state.aircraft == ()
    assert target.event_id in state.retracted


def test_retracting_a_correction_restores_the_original() -> None:
    head = opening()
    target = aircraft(head[1].source_id, count=2)
    fix = Correction.of(target, source_id=head[1].source_id, reason="count", count=3)
    undo = Retraction(
        incident_id=INC, source_id=head[1].source_id, target_id=fix.event_id, reason="bad fix"
    )
    state = fold(record([*head, target, fix, undo]))
    assert state is not None
    assert state.aircraft[0].count == 2
    assert state.aircraft[0].corrections == ()


def test_retracting_a_retraction_reinstates_the_fact() -> None:
    head = opening()
    target = aircraft(head[1].source_id)
    gone = Retraction(
        incident_id=INC, source_id=head[1].source_id, target_id=target.event_id, reason="r"
    )
    back = Retraction(
        incident_id=INC, source_id=head[1].source_id, target_id=gone.event_id, reason="r2"
    )
    state = fold(record([*head, target, gone, back]))
    assert state is not None
    assert [target.event_id] == [a.id for a in state.aircraft]


def test_a_correction_can_be_corrected() -> None:
    head = opening()
    statement = StatementIssued(
        incident_id=INC,
        source_id=head[1].source_id,
        speaker=Speaker(name="Chen Xiaogang"),
        medium="statement",
        valid_time=ValidTime.unknown(),
    )
    fix = Correction.of(
        statement, source_id=head[1].source_id, reason="typo", speaker=Speaker(name="Zhang Xiaogan")
    )
    fix_fix = Correction.of(
        fix,
        source_id=head[1].source_id,
        reason="typo in the fix",
        changes={"speaker": {"name": "Zhang Xiaogang", "role": None, "organization": None}},
    )
    state = fold(record([*head, statement, fix, fix_fix]))
    assert state is not None
    assert state.statements[0].speaker.name == "Zhang Xiaogang"


def test_late_arriving_fact_is_placed_by_valid_time() -> None:
    head = opening()
    late = aircraft(head[1].source_id, vt=ValidTime.day("2024-07-20", tz="UTC"))
    early = aircraft(head[1].source_id, vt=ValidTime.day("2024-07-24", tz="UTC"))
    state = fold(record([*head, early, late]))
    assert state is not None
    assert [late.event_id, early.event_id] == [a.id for a in state.aircraft]


@given(valid_times(), valid_times())
def test_ties_and_order_follow_valid_time_then_position(a: ValidTime, b: ValidTime) -> None:
    head = opening()
    first = aircraft(head[1].source_id, vt=a)
    second = aircraft(head[1].source_id, vt=b)
    state = fold(record([*head, first, second]))
    assert state is not None
    expected = (
        [first.event_id, second.event_id]
        if a.sort_key() <= b.sort_key()
        else [second.event_id, first.event_id]
    )
    assert expected == [x.id for x in state.aircraft]


def test_nothing_before_the_opening_gives_no_state() -> None:
    assert fold([]) is None
