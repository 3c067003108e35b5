"""Projections: the API, the changes handlers see, pure and live runs."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import (
    EVENT_TYPES,
    AircraftReported,
    Correction,
    Event,
    FixedClock,
    FutureKnowledgeError,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    Retraction,
    StatementIssued,
    UnknownIncidentError,
    converter,
    examples,
)
from incidents._codec.canonical import dumps
from incidents._domain.state import effective_events
from incidents.projections import (
    Change,
    ChangeKind,
    Projection,
    ProjectionError,
    Timeline,
    UnknownProjectionError,
    get,
    handles,
    live,
    project,
    register,
    registered,
    state_bytes,
)
from incidents.projections import _engine as projections_module
from support.backends import Backend
from support.histories import histories

# Every event that states a fact: all but corrections and retractions.
FACT_TYPES = tuple(cls for cls in EVENT_TYPES.values() if cls not in (Correction, Retraction))


class Facts(Projection):
    """Every fact as it now stands, by id: the reference a fold can check."""

    @handles(*FACT_TYPES)
    def fact(self, state: dict[str, Any], change: Change[Event]) -> None:
        key = str(change.event_id)
        form = converter.unstructure(change.event, Event)
        if change.added:
            assert key not in state
            state[key] = form
        else:
            # A fact leaves in exactly the form it entered.
            assert state.pop(key) == form


class Journal(Projection):
    """Every change, in order: what handlers were called with."""

    @handles(Event)
    def anything(self, state: dict[str, Any], change: Change[Event]) -> None:
        state.setdefault("log", []).append(
            [
                change.kind.value,
                change.sign,
                change.event.TYPE,
                str(change.event_id)[:8],
                change.cause.type,
                len(change.corrections),
                change.previous is not None,
            ]
        )


class AircraftJournal(Journal):
    """The journal of aircraft alone: amendments of every other fact must not reach it."""

    @handles(AircraftReported)
    def anything(self, state: dict[str, Any], change: Change[Event]) -> None:
        super().anything(state, change)


def record_example(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    for recorded_at, batch in examples.alaska_2024_batches():
        clock.set(recorded_at)
        ledger.record(*batch)


def record_history(ledger: Ledger, batches: list[list[Event]]) -> list[datetime]:
    """Record each batch one second after the last; return the recording times."""
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    start = datetime(2024, 7, 25, 12, tzinfo=UTC)
    times = []
    for n, batch in enumerate(batches):
        clock.set(start + timedelta(seconds=n))
        times.append(clock())
        ledger.record(*batch)
    return times


def reference_facts(ledger: Ledger, known_at: datetime | None = None) -> dict[str, Any]:
    """What Facts must show: the fold's effective events, computed from scratch."""
    expected: dict[str, Any] = {}
    for incident_id in ledger.incident_ids():
        records = list(ledger.events(incident_id, known_at=known_at))
        events, _, _ = effective_events(records)
        for event_id, event in events.items():
            if not isinstance(event, Correction | Retraction):
                expected[str(event_id)] = converter.unstructure(event, Event)
    return expected


# -- declaring projections ---------------------------------------------------------------


def test_name_defaults_to_kebab_case_and_is_not_inherited() -> None:
    class InterceptsPerNation(Projection):
        @handles(AircraftReported)
        def a(self, state: dict[str, Any], change: Change[AircraftReported]) -> None: ...

    class Mine(InterceptsPerNation):
        pass

    class Named(Projection):
        name = "my.view_2"

    assert InterceptsPerNation.name == "intercepts-per-nation"
    assert Mine.name == "mine"
    assert Named.name == "my.view_2"
    assert frozenset({"aircraft-reported"}) == Mine.handled_types()


@pytest.mark.parametrize("name", ["", "Upper", "has space", "-dash-first", "x" * 101])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInputError, match="projection name"):
        type("Bad", (Projection,), {"name": name})


def test_handles_takes_event_classes_only() -> None:
    with pytest.raises(InvalidInputError):
        handles()
    with pytest.raises(InvalidInputError, match="event classes"):
        handles(str)  # type: ignore[arg-type]


def test_handles_event_means_every_type_and_overrides_drop_handlers() -> None:
    class Base(Projection):
        @handles(Event)
        def everything(self, state: dict[str, Any], change: Change[Event]) -> None: ...

    class Quiet(Base):
        def everything(self, state: dict[str, Any], change: Change[Event]) -> None: ...

    assert len(Base.handled_types()) == len(EVENT_TYPES)
    assert Base.handled_types() == frozenset(EVENT_TYPES)
    assert frozenset() == Quiet.handled_types()
    with pytest.raises(ProjectionError, match="handles no event type"):
        project(Quiet(), [])


def test_summary_is_the_first_docstring_line() -> None:
    assert Facts.summary() == "Every fact as it now stands, by id: the reference a fold can check."


# -- what handlers see ---------------------------------------------------------------------


def test_a_correction_takes_the_old_form_out_and_puts_the_new_one_in(ledger: Ledger) -> None:
    record_example(ledger)
    log = live(ledger, Journal()).state["log"]
    ids = examples.alaska_2024_ids()
    statement = str(ids["statement/china"])[:8]
    assert ["recorded", 1, "statement-issued", statement, "statement-issued", 0, False] in log
    corrected = [entry for entry in log if entry[3] == statement and entry[0] == "corrected"]
    assert [
        ["corrected", -1, "statement-issued", statement, "correction", 0, False],
        ["corrected", 1, "statement-issued", statement, "correction", 1, True],
    ] == corrected
    # The correction itself is handed over once, as recorded.
    assert sum(1 for entry in log if entry[2] == "correction") == 1


def test_changes_carry_the_corrected_and_previous_forms(ledger: Ledger) -> None:
    seen: list[Change[StatementIssued]] = []

    class Watch(Projection):
        @handles(StatementIssued)
        def statement(self, state: dict[str, Any], change: Change[StatementIssued]) -> None:
            seen.append(change)

    record_example(ledger)
    live(ledger, Watch())
    ids = examples.alaska_2024_ids()
    corrected = [c for c in seen if c.kind is ChangeKind.CORRECTED]
    assert corrected[0].event.speaker.name == "Chen Xiaogang"
    assert corrected[0].removed
    assert corrected[1].event.speaker.name == "Zhang Xiaogang"
    assert corrected[1].previous is not None
    assert corrected[1].previous.speaker.name == "Chen Xiaogang"
    assert (ids["correction/spokesman"],) == corrected[1].corrections
    assert ids["statement/china"] == corrected[1].event_id == corrected[1].fact.event_id
    assert ids["correction/spokesman"] == corrected[1].cause.event_id
    assert corrected[1].incident_id == examples.ALASKA_2024


def test_retraction_withdrawal_and_correction_of_a_correction(ledger: Ledger) -> None:
    record_example(ledger)
    ids = examples.alaska_2024_ids()
    transcript = ids["source/china-mnd-transcript"]
    aircraft = ledger.event(ids["aircraft/h-6"]).event
    fix = Correction.of(aircraft, source_id=transcript, reason="three, not two", count=3)
    fix_again = Correction.of(fix, source_id=transcript, reason="four", changes={"count": 4})
    retract = Retraction(
        incident_id=examples.ALASKA_2024,
        source_id=transcript,
        target_id=aircraft.event_id,
        reason="x",
    )
    unretract = Retraction(
        incident_id=examples.ALASKA_2024,
        source_id=transcript,
        target_id=retract.event_id,
        reason="y",
    )
    drop_fix = Retraction(
        incident_id=examples.ALASKA_2024, source_id=transcript, target_id=fix.event_id, reason="z"
    )
    counts = []

    class Airframes(Projection):
        @handles(AircraftReported)
        def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            state["airframes"] = state.get("airframes", 0) + change.sign * change.event.count
            state.setdefault("kinds", []).append(change.kind.value)

    for event in (fix, fix_again, retract, unretract, drop_fix):
        ledger.record(event)
        counts.append(live(ledger, Airframes()).state["airframes"])
        assert reference_facts(ledger) == live(ledger, Facts()).state
    # Four reports of 2 airframes, added up (this projection does not reconcile them);
    # H-6 count 3, then 4, then withdrawn, restored (4), correction dropped (2).
    assert counts == [9, 10, 6, 10, 8]
    kinds = live(ledger, Airframes()).state["kinds"]
    assert [
        "recorded",
        "recorded",
        "recorded",
        "recorded",
        *["corrected"] * 4,
        "retracted",
        "restored",
        "corrected",
        "corrected",
    ] == kinds


def test_amendments_of_facts_a_projection_ignores_are_skipped(ledger: Ledger) -> None:
    record_example(ledger)

    class Aircraft(Projection):
        @handles(AircraftReported)
        def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            state.setdefault("changes", []).append(change.kind.value)

    # The only correction targets a statement: no aircraft change comes of it.
    assert live(ledger, Aircraft()).state["changes"] == ["recorded"] * 4


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories(), data=st.data())
def test_facts_equal_the_fold_at_every_recording_time(
    backend: Backend, history: list[list[Event]], data: st.DataObject
) -> None:
    ledger = backend.open()
    try:
        times = record_history(ledger, history)
        known_at = data.draw(st.sampled_from([None, *times]))
        expected = reference_facts(ledger, known_at)
        assert expected == live(ledger, Facts(), known_at=known_at).state
        if known_at is None:
            records = [r for i in ledger.incident_ids() for r in ledger.events(i)]
            records.sort(key=lambda r: r.sequence)
            assert expected == project(Facts(), records).state
    finally:
        _close(ledger)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories(), data=st.data())
def test_facts_looked_up_from_storage_equal_the_fold(
    backend: Backend, history: list[list[Event]], data: st.DataObject
) -> None:
    # No decoded fact kept at hand and small batches: amendments find their
    # facts in storage, read for each batch at its first miss.
    batch_size = data.draw(st.integers(1, 6), label="batch_size")
    ledger = backend.open()
    try:
        record_history(ledger, history)
        records = [r for i in ledger.incident_ids() for r in ledger.events(i)]
        records.sort(key=lambda r: r.sequence)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(projections_module, "_RECENT", 1)
            facts = live(ledger, Facts(), batch_size=batch_size).state
            journal = live(ledger, Journal(), batch_size=batch_size)
            narrow = live(ledger, AircraftJournal(), batch_size=batch_size)
        assert facts == reference_facts(ledger)
        assert journal.digest == project(Journal(), records).digest
        # Amendments of facts it does not handle (statements, patrols...) leave it alone.
        assert narrow.digest == project(AircraftJournal(), records).digest
    finally:
        _close(ledger)


def test_the_facts_a_batch_misses_are_read_in_one_query(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_example(ledger)
    statements = [
        r.event for r in ledger.events(examples.ALASKA_2024) if isinstance(r.event, StatementIssued)
    ]
    late = [
        Correction.of(s, source_id=s.source_id, reason="recheck", medium="transcript")
        for s in statements
    ]
    assert isinstance(ledger.clock, FixedClock)
    ledger.clock.set(examples.ALASKA_2024_CORRECTED_AT + timedelta(days=2))
    ledger.record(*late)  # one batch of late corrections, after all their facts
    first_late = ledger.event(late[0].event_id).sequence
    store = ledger.store
    reads: list[object] = []
    rows_of, row = store.rows_of, store.row
    monkeypatch.setattr(store, "rows_of", lambda ids: reads.append(len(ids)) or rows_of(ids))
    monkeypatch.setattr(store, "row", lambda event_id: reads.append("one") or row(event_id))
    # A batch boundary just before the late corrections: their facts are from the
    # batch before, which also holds the example's own correction; no fact is kept at hand.
    monkeypatch.setattr(projections_module, "_RECENT", 1)
    result = live(ledger, Journal(), batch_size=first_late - 1)
    # One query in each batch, at its first miss: the example's correction's
    # fact, then every other fact the late corrections need, at once (the
    # statement the example corrected was read already, and is remembered).
    assert reads == [1, len(late) - 1]
    records = [ledger.event(r.event_id) for r in ledger.store.rows()]
    assert result.digest == project(Journal(), records).digest
    corrected = [entry for entry in result.state["log"] if entry[0] == "corrected"]
    # Each statement out in its old form and in in its new: for the late
    # corrections and for the example's own.
    assert len(corrected) == 2 * (len(late) + 1)


def _close(ledger: Ledger) -> None:
    drop = getattr(ledger.store, "drop", None)
    if drop is not None:
        drop()
    ledger.close()


# -- running live and pure -------------------------------------------------------------------


def test_live_one_incident_as_known_at(ledger: Ledger) -> None:
    record_example(ledger)
    published = live(
        ledger,
        Journal(),
        incident_id=examples.ALASKA_2024,
        known_at=examples.ALASKA_2024_PUBLISHED_AT,
    )
    everything = live(ledger, Journal(), incident_id=examples.ALASKA_2024)
    assert published.sequence == 15
    assert everything.sequence == 19
    assert not any(entry[0] == "corrected" for entry in published.state["log"])
    assert any(entry[0] == "corrected" for entry in everything.state["log"])


def test_live_refuses_unknown_incidents_and_future_knowledge(ledger: Ledger) -> None:
    record_example(ledger)
    with pytest.raises(UnknownIncidentError):
        live(ledger, Journal(), incident_id=UUID(int=1))
    with pytest.raises(UnknownIncidentError, match="as known at"):
        live(
            ledger,
            Journal(),
            incident_id=examples.ALASKA_2024,
            known_at=examples.ALASKA_2024_PUBLISHED_AT - timedelta(seconds=1),
        )
    with pytest.raises(FutureKnowledgeError):
        live(ledger, Journal(), known_at=datetime(2999, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidInputError, match="naive"):
        live(ledger, Journal(), known_at=datetime(2024, 7, 25))
    with pytest.raises(InvalidInputError, match="batch_size"):
        live(ledger, Journal(), batch_size=0)


def test_live_before_anything_was_recorded_is_the_initial_state(ledger: Ledger) -> None:
    record_example(ledger)
    early = live(ledger, Journal(), known_at=examples.ALASKA_2024_PUBLISHED_AT - timedelta(days=1))
    assert early.sequence == 0
    assert early.state == {}


def test_project_checks_its_input() -> None:
    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        records = list(ledger.events(examples.ALASKA_2024))
    with pytest.raises(InvalidInputError, match="ledger order"):
        project(Journal(), [records[1], records[0]])
    correction = next(r for r in records if r.type == "correction")
    with pytest.raises(InvalidInputError, match="not among the records"):
        project(Journal(), [records[0], correction])


def test_a_failing_handler_names_the_event() -> None:
    class Broken(Projection):
        @handles(StatementIssued)
        def statement(self, state: dict[str, Any], change: Change[StatementIssued]) -> None:
            raise KeyError("oops")

    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        with pytest.raises(
            ProjectionError, match=r"statement failed on statement-issued .* KeyError"
        ):
            live(ledger, Broken())


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ((1, 2), "survive canonical JSON"),
        ({1: "a"}, "survive canonical JSON"),
        ({"a"}, "must be JSON"),
        (math.nan, "must be JSON"),
        (datetime(2024, 1, 1, tzinfo=UTC), "must be JSON"),
    ],
)
def test_states_must_be_canonical_json(value: object, problem: str) -> None:
    class Odd(Projection):
        @handles(IncidentOpened)
        def opened(self, state: dict[str, Any], change: Change[IncidentOpened]) -> None:
            state["value"] = value

    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        with pytest.raises(ProjectionError, match=problem):
            live(ledger, Odd())


def test_digest_is_sha256_of_canonical_bytes() -> None:
    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        result = live(ledger, Timeline())
    assert dumps(result.state) == result.canonical == state_bytes(result.state)
    assert hashlib.sha256(result.canonical).hexdigest() == result.digest


# -- the registry -----------------------------------------------------------------------------


def test_builtins_are_registered() -> None:
    assert {"aircraft-roster", "intercepts", "sources", "statements", "timeline"} <= set(
        registered()
    )
    assert isinstance(get("timeline"), Timeline)


def test_register_get_replace_and_unknown() -> None:
    class Counting(Projection):
        name = "test-counting"

        @handles(Event)
        def anything(self, state: dict[str, Any], change: Change[Event]) -> None: ...

    register(Counting)
    register(Counting)  # the same factory again is fine
    assert isinstance(get("test-counting"), Counting)
    with pytest.raises(InvalidInputError, match="already registered"):
        register(lambda: Counting(), name="test-counting")
    register(lambda: Counting(), name="test-counting", replace=True)
    with pytest.raises(UnknownProjectionError, match="test-counting"):
        get("no-such-projection")
    with pytest.raises(InvalidInputError, match="does not make a Projection"):
        register(lambda: 42)


def test_register_as_decorator_and_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    import incidents.projections._registry as module

    @register(name="test-decorated")
    class Decorated(Projection):
        @handles(Event)
        def anything(self, state: dict[str, Any], change: Change[Event]) -> None: ...

    class Plugin(Projection):
        name = "test-plugin"

        @handles(Event)
        def anything(self, state: dict[str, Any], change: Change[Event]) -> None: ...

    class Point:
        name = "test-plugin"

        def load(self) -> type[Projection]:
            return Plugin

    monkeypatch.setattr(module, "_entry_points_loaded", False)
    monkeypatch.setattr(
        module, "entry_points", lambda group: [Point()] if group == "incidents.projections" else []
    )
    assert isinstance(get("test-decorated"), Decorated)
    assert isinstance(get("test-plugin"), Plugin)


def test_project_over_records_equals_live_for_narrow_projections() -> None:
    from incidents.projections import AircraftRoster, StatementsBySpeaker

    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        records = list(ledger.events(examples.ALASKA_2024))
        # The example's correction targets a statement, which the roster ignores.
        for projection in (AircraftRoster(), StatementsBySpeaker(), Journal()):
            assert live(ledger, projection).digest == project(projection, records).digest
