"""
The ledger on every backend: recording, reading, bad input, concurrency.

Every bad input listed in the foundation issue has a test here that checks
the error and that nothing was recorded.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidents import (
    AircraftReported,
    ConcurrencyError,
    Correction,
    DuplicateEventError,
    Event,
    FixedClock,
    IncidentOpened,
    IncidentsError,
    Interceptor,
    InterceptReported,
    InvalidInputError,
    Ledger,
    LedgerClosedError,
    Location,
    PatrolReported,
    Position,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    SteppingClock,
    StorageError,
    UnknownEventError,
    UnknownIncidentError,
    UnknownSourceError,
    ValidTime,
    canonical_bytes,
    examples,
)
from support.backends import Backend, require_postgres

DAY = ValidTime.day("2024-07-24", tz="America/Anchorage", wording="on Wednesday")


def opened(incident_id: uuid.UUID | None = None) -> tuple[uuid.UUID, SourceRegistered, list[Event]]:
    incident_id = incident_id or uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    return (
        incident_id,
        source,
        [IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="T"), source],
    )


def h6(incident_id: uuid.UUID, source_id: uuid.UUID, **kw: object) -> AircraftReported:
    fields: dict[str, object] = {
        "incident_id": incident_id,
        "source_id": source_id,
        "type_designation": "H-6",
        "nation": "CN",
        "count": 2,
        "valid_time": DAY,
    }
    fields.update(kw)
    return AircraftReported(**fields)  # type: ignore[arg-type]


def snapshot(ledger: Ledger) -> list[bytes]:
    return [r.state for r in ledger.store.rows()]


def test_record_and_read_back(ledger: Ledger) -> None:
    inc, source, head = opened()
    recorded = ledger.record(*head, h6(inc, source.source_id))
    assert [r.sequence for r in recorded] == [1, 2, 3]
    assert [r.position for r in recorded] == [1, 2, 3]
    assert {"tester"} == {r.recorder for r in recorded}
    assert {datetime(2024, 7, 25, 12, tzinfo=UTC)} == {r.recorded_at for r in recorded}
    assert list(recorded) == list(ledger.events(inc))
    state = ledger.incident(inc)
    assert state.aircraft_count == 2
    assert [inc] == ledger.incident_ids()
    assert recorded[2] == ledger.event(recorded[2].event_id)
    assert len(ledger) == 3


def test_stored_rows_are_the_returned_records_canonical_bytes(backend: Backend) -> None:
    ledger = backend.open()
    first, source, head = opened()
    ledger.record(*head, recorder='analyst "one"')
    second, other, other_head = opened()
    # One batch across two incidents, interleaved: positions count per incident.
    batch = [
        h6(first, source.source_id),
        *other_head,
        h6(first, source.source_id, count=3),
        h6(second, other.source_id, nation="RU"),
    ]
    recorded = ledger.record(*batch, recorder="b\u00e9atrice")
    assert [(r.incident_id, r.position) for r in recorded] == [
        (first, 3),
        (second, 1),
        (second, 2),
        (first, 4),
        (second, 3),
    ]
    assert [r.sequence for r in recorded] == [3, 4, 5, 6, 7]
    for r in recorded:
        row = ledger.store.row(r.event_id)
        assert row is not None
        assert row.state == canonical_bytes(r)
        assert (row.id, row.originator_id, row.originator_version, row.topic) == (
            r.sequence,
            r.incident_id,
            r.position,
            r.type,
        )
        assert ledger.event(r.event_id) == r
    ledger.close()


def test_rows_of_several_events_come_in_global_order(backend: Backend) -> None:
    ledger = backend.open()
    inc, source, head = opened()
    recorded = ledger.record(*head, *[h6(inc, source.source_id, count=n) for n in range(1, 6)])
    wanted = [recorded[5].event_id, recorded[2].event_id, uuid.uuid4(), recorded[5].event_id]
    rows = ledger.store.rows_of(wanted)
    assert [r.id for r in rows] == [3, 6]  # once each, in order; unknown ids left out
    assert [r.event_id for r in rows] == [recorded[2].event_id, recorded[5].event_id]
    assert [r.state for r in rows] == [canonical_bytes(recorded[2]), canonical_bytes(recorded[5])]
    assert ledger.store.rows_of([]) == []
    many = [r.event_id for r in ledger.record(*[h6(inc, source.source_id) for _ in range(1200)])]
    assert [r.event_id for r in ledger.store.rows_of(many[::-1])] == many  # beyond one query's ids
    ledger.close()


def test_level_zero_tiles_keep_each_events_ids(backend: Backend) -> None:
    # Verify names a deleted event from these ids; each backend's insert makes them.
    ledger = backend.open()
    first, first_source, first_head = opened()
    second, second_source, second_head = opened()
    recorded = ledger.record(
        *first_head,
        *second_head,
        *[h6(first, first_source.source_id, count=n) for n in range(1, 8)],
        *[h6(second, second_source.source_id, count=n) for n in range(1, 8)],
    )
    recorded += ledger.record(h6(second, second_source.source_id))  # the partial tile grows
    with ledger.store.audit_reading() as reader:
        tiles = reader.audit_tiles(0, 0, 1)
    kept = b"".join(t.ids or b"" for t in tiles)
    assert kept == b"".join(r.event_id.bytes + r.incident_id.bytes for r in recorded)
    assert len(recorded) == 19  # a full tile and a partial one
    ledger.close()


def test_worked_example_end_to_end(backend: Backend) -> None:
    clock = FixedClock(examples.ALASKA_2024_PUBLISHED_AT)
    ledger = backend.open(clock=clock)
    for at, batch in examples.alaska_2024_batches():
        clock.set(at)
        ledger.record(*batch)
    state = ledger.incident(examples.ALASKA_2024)
    # Four reports (NORAD's H-6 and Tu-95, the ministries' H-6K and Tu-95MS): four bombers.
    assert len(state.aircraft) == 4
    assert state.aircraft_count == 4
    assert state.aircraft_by_nation() == {"CN": {"H-6": 2}, "RU": {"Tu-95": 2}}
    assert len(state.patrols) == 1
    assert state.patrols[0].joint
    assert state.patrols[0].nations == ("CN", "RU")
    assert len(state.intercepts) == 1
    assert state.intercepts[0].nations == ("CA", "US")
    china = [s for s in state.statements if s.speaker.organization == examples.CN_MND]
    assert [s.speaker.name for s in china] == ["Zhang Xiaogang"]
    assert {"aimed-at-third-parties", "related-to-international-situation"} <= {
        c.topic for c in china[0].claims
    }
    russia = [s for s in state.statements if s.speaker.organization == examples.RU_MOD]
    assert [
        (c.topic, c.stance.value)
        for c in russia[0].claims
        if c.topic == "violated-foreign-airspace"
    ] == [("violated-foreign-airspace", "denies")]
    # The history keeps what the article printed.
    history = list(ledger.events(examples.ALASKA_2024))
    original = next(
        r for r in history if r.event_id == examples.alaska_2024_ids()["statement/china"]
    )
    assert isinstance(original.event, StatementIssued)
    assert original.event.speaker.name == "Chen Xiaogang"
    correction = next(r for r in history if r.type == "correction")
    assert isinstance(correction.event, Correction)
    assert correction.recorded_at == examples.ALASKA_2024_CORRECTED_AT
    assert (
        next(
            s.speaker.name
            for s in ledger.incident(
                examples.ALASKA_2024, known_at=examples.ALASKA_2024_PUBLISHED_AT
            ).statements
            if s.speaker.organization == examples.CN_MND
        )
        == "Chen Xiaogang"
    )


def test_recording_the_example_twice_duplicates_nothing(ledger: Ledger) -> None:
    ledger.record(*examples.alaska_2024())
    before = snapshot(ledger)
    with pytest.raises(DuplicateEventError, match="already recorded"):
        ledger.record(*examples.alaska_2024())
    assert before == snapshot(ledger)


# -- bad input: a clear error from the hierarchy, and nothing recorded ------------------


def _bad_inputs(inc: uuid.UUID, source: SourceRegistered) -> dict[str, Callable[[], Event]]:
    sid = source.source_id
    return {
        "latitude": lambda: h6(inc, sid, location=Location(position=Position(lat=91, lon=170))),
        "longitude": lambda: h6(inc, sid, location=Location(position=Position(lat=60, lon=-181))),
        "naive": lambda: h6(inc, sid, valid_time=ValidTime.instant(datetime(2024, 7, 24, 20))),
        "empty speaker": lambda: StatementIssued(
            incident_id=inc,
            source_id=sid,
            speaker=Speaker(name=""),
            medium="statement",
            valid_time=DAY,
        ),
        "empty quote": lambda: StatementIssued(
            incident_id=inc,
            source_id=sid,
            speaker=Speaker(organization="NORAD"),
            medium="statement",
            quotes=["  "],
            valid_time=DAY,
        ),
        "count": lambda: h6(inc, sid, count=0),
    }


@pytest.mark.parametrize(
    "case", ["latitude", "longitude", "naive", "empty speaker", "empty quote", "count"]
)
def test_invalid_values_are_refused_and_nothing_is_recorded(ledger: Ledger, case: str) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    before = snapshot(ledger)
    with pytest.raises(InvalidInputError) as info:
        ledger.record(h6(inc, source.source_id), _bad_inputs(inc, source)[case]())
    assert isinstance(info.value, IncidentsError)
    assert before == snapshot(ledger)


def test_correction_of_an_unknown_event_is_refused(ledger: Ledger) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    before = snapshot(ledger)
    ghost = h6(inc, source.source_id)  # never recorded
    fix = Correction.of(ghost, source_id=source.source_id, reason="r", count=3)
    with pytest.raises(UnknownEventError, match="not recorded"):
        ledger.record(h6(inc, source.source_id), fix)
    assert before == snapshot(ledger)


def test_event_for_an_unknown_incident_is_refused(ledger: Ledger) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    before = snapshot(ledger)
    stranger = uuid.uuid4()
    with pytest.raises(UnknownIncidentError, match="IncidentOpened first"):
        ledger.record(h6(inc, source.source_id), h6(stranger, source.source_id))
    assert before == snapshot(ledger)
    with pytest.raises(UnknownIncidentError):
        ledger.incident(stranger)


def test_missing_source_is_refused(ledger: Ledger) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    before = snapshot(ledger)
    with pytest.raises(UnknownSourceError, match="not a source registered"):
        ledger.record(h6(inc, source.source_id), h6(inc, uuid.uuid4()))
    # A source of another incident does not count either.
    _other, other_source, other_head = opened()
    ledger.record(*other_head)
    before = snapshot(ledger)
    with pytest.raises(UnknownSourceError):
        ledger.record(h6(inc, other_source.source_id))
    # Nor does an event that is not a source registration.
    aircraft = ledger.record(h6(inc, source.source_id))[0]
    before = snapshot(ledger)
    with pytest.raises(UnknownSourceError):
        ledger.record(h6(inc, aircraft.event_id))
    assert before == snapshot(ledger)


def test_references_must_point_backwards_at_the_right_kind(ledger: Ledger) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    sid = source.source_id
    aircraft = h6(inc, sid)
    patrol = PatrolReported(
        incident_id=inc, source_id=sid, aircraft=[aircraft.event_id], nations=["CN"], valid_time=DAY
    )
    before = snapshot(ledger)
    with pytest.raises(UnknownEventError):
        ledger.record(patrol, aircraft)  # the patrol points forwards
    assert before == snapshot(ledger)
    statement = StatementIssued(
        incident_id=inc,
        source_id=sid,
        speaker=Speaker(organization="NORAD"),
        medium="release",
        valid_time=DAY,
    )
    wrong = InterceptReported(
        incident_id=inc,
        source_id=sid,
        interceptors=[Interceptor(nation="US")],
        intercepted=[statement.event_id],
        valid_time=DAY,
    )
    with pytest.raises(InvalidInputError, match="cannot refer to a statement-issued"):
        ledger.record(statement, wrong)
    assert before == snapshot(ledger)
    ledger.record(aircraft, patrol)
    assert [patrol.event_id] == [p.id for p in ledger.incident(inc).patrols]


def test_correction_that_does_not_fit_is_refused(ledger: Ledger) -> None:
    inc, source, head = opened()
    aircraft = h6(inc, source.source_id)
    ledger.record(*head, aircraft)
    before = snapshot(ledger)
    bad = Correction(
        incident_id=inc,
        source_id=source.source_id,
        target_id=aircraft.event_id,
        changes={"count": 0},
        reason="r",
    )
    with pytest.raises(InvalidInputError, match="count"):
        ledger.record(bad)
    unknown_field = Correction(
        incident_id=inc,
        source_id=source.source_id,
        target_id=aircraft.event_id,
        changes={"colour": "red"},
        reason="r",
    )
    with pytest.raises(InvalidInputError, match="colour"):
        ledger.record(unknown_field)
    assert before == snapshot(ledger)


def test_corrections_of_stored_facts_read_their_targets_in_one_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incidents.storage._memory import _MemoryWriter

    ledger = Ledger.open(":memory:")
    inc, source, head = opened()
    facts = [h6(inc, source.source_id) for _ in range(50)]
    ledger.record(*head, *facts)
    corrections = [
        Correction.of(f, source_id=source.source_id, reason="recount", count=3) for f in facts
    ]
    queries: list[int] = []
    read = _MemoryWriter.rows_by_event_id

    def counting(self: _MemoryWriter, event_ids: list[uuid.UUID]) -> object:
        queries.append(len(event_ids))
        return read(self, event_ids)

    monkeypatch.setattr(_MemoryWriter, "rows_by_event_id", counting)
    ledger.record(*corrections)
    assert len(queries) == 1
    # Corrections of those corrections' changes: the originals in one more query.
    again = [
        Correction.of(c, source_id=source.source_id, reason="again", changes={"count": 4})
        for c in corrections[:10]
    ]
    queries.clear()
    ledger.record(*again)
    assert len(queries) == 2
    assert {a.count for a in ledger.incident(inc).aircraft} == {3, 4}
    bad = Correction.of(
        corrections[0], source_id=source.source_id, reason="r", changes={"count": 0}
    )
    with pytest.raises(InvalidInputError, match="count"):
        ledger.record(bad)


def test_opening_twice_and_retracting_the_opening_are_refused(ledger: Ledger) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    before = snapshot(ledger)
    with pytest.raises(InvalidInputError, match="already opened"):
        ledger.record(IncidentOpened(incident_id=inc, source_id=source.source_id, title="again"))
    with pytest.raises(InvalidInputError, match="cannot refer to a incident-opened"):
        ledger.record(
            Retraction(
                incident_id=inc, source_id=source.source_id, target_id=head[0].event_id, reason="r"
            )
        )
    assert before == snapshot(ledger)


def test_duplicates_in_a_batch_and_non_events_are_refused(ledger: Ledger) -> None:
    inc, source, head = opened()
    ledger.record(*head)
    before = snapshot(ledger)
    aircraft = h6(inc, source.source_id)
    with pytest.raises(DuplicateEventError):
        ledger.record(aircraft, aircraft)
    with pytest.raises(InvalidInputError, match="not an event"):
        ledger.record(aircraft, "H-6")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="at least one"):
        ledger.record()
    with pytest.raises(InvalidInputError, match="recorder"):
        ledger.record(aircraft, recorder=" ")
    assert before == snapshot(ledger)


def test_future_known_at_is_refused(ledger: Ledger) -> None:
    inc, _, head = opened()
    ledger.record(*head)
    with pytest.raises(InvalidInputError, match="future"):
        ledger.incident(inc, known_at=datetime(2099, 1, 1, tzinfo=UTC))


# -- time and concurrency ------------------------------------------------------------------


def test_recording_time_never_goes_backwards(backend: Backend) -> None:
    clock = FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC))
    ledger = backend.open(clock=clock)
    inc, source, head = opened()
    first = ledger.record(*head)
    clock.set(datetime(2024, 7, 20, tzinfo=UTC))  # the clock jumps back
    second = ledger.record(h6(inc, source.source_id))
    # Never earlier, and never equal: each batch is recorded after the last.
    assert first[-1].recorded_at + timedelta(microseconds=1) == second[0].recorded_at
    clock.set(datetime(2024, 7, 26, tzinfo=UTC))
    third = ledger.record(h6(inc, source.source_id))
    assert datetime(2024, 7, 26, tzinfo=UTC) == third[0].recorded_at


def test_expected_positions_detect_a_concurrent_append(backend: Backend) -> None:
    target = backend.target()
    a = backend.open(target)
    inc, source, head = opened()
    a.record(*head)
    b = backend.open(target) if backend.name != "memory" else a
    seen = a.incident(inc).last_position
    b.record(h6(inc, source.source_id), expected_positions={inc: seen})
    before = snapshot(a)
    with pytest.raises(ConcurrencyError, match="another writer"):
        a.record(h6(inc, source.source_id), expected_positions={inc: seen})
    assert before == snapshot(a)


def test_a_position_taken_concurrently_raises_concurrency_error(backend: Backend) -> None:
    ledger = backend.open()
    _inc, _source, head = opened()
    ledger.record(*head)
    rows = ledger.store.rows()
    taken = rows[-1]
    clash = type(taken)(
        id=taken.id + 1,
        originator_id=taken.originator_id,
        originator_version=taken.originator_version,
        topic=taken.topic,
        state=taken.state,
        event_id=uuid.uuid4(),
        recorded_at=taken.recorded_at,
    )
    with pytest.raises(ConcurrencyError):
        ledger.store.insert_events([clash])
    assert rows == ledger.store.rows()


def test_concurrent_writers_serialize_without_loss(backend: Backend) -> None:
    target = backend.target()
    first = backend.open(
        target, clock=SteppingClock(datetime(2024, 7, 25, tzinfo=UTC), timedelta(milliseconds=1))
    )
    inc, source, head = opened()
    first.record(*head)
    writers = (
        [first]
        + [
            backend.open(
                target,
                clock=SteppingClock(datetime(2024, 7, 25, tzinfo=UTC), timedelta(milliseconds=1)),
            )
            for _ in range(2)
        ]
        if backend.name != "memory"
        else [first] * 3
    )
    errors: list[BaseException] = []

    def work(w: Ledger) -> None:
        try:
            for _ in range(10):
                w.record(h6(inc, source.source_id))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    records = list(first.events(inc))
    assert list(range(1, 33)) == [r.position for r in records]
    assert list(range(1, 33)) == [r.sequence for r in records]
    times = [r.recorded_at for r in records]
    assert times == sorted(times)
    # Each writer kept its own view of the audit tree's edge: one tree came out.
    assert first.verify().ok
    assert len({w.checkpoint() for w in writers}) == 1


@pytest.mark.parametrize("name", ["sqlite", "postgres"])
def test_reopening_keeps_everything(name: str, tmp_path: Path) -> None:
    if name == "postgres":
        require_postgres()
    backend = Backend(name, tmp_path)
    target = backend.target()
    ledger = backend.open(target)
    inc, source, head = opened()
    recorded = ledger.record(*head, h6(inc, source.source_id))
    ledger.close()
    again = backend.open(target)
    try:
        assert list(recorded) == list(again.events(inc))
    finally:
        backend.close()


def test_closed_ledger_refuses_use(ledger: Ledger) -> None:
    ledger.close()
    with pytest.raises(LedgerClosedError):
        ledger.incident_ids()


def test_unopenable_storage_is_a_storage_error(tmp_path: object) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        Ledger.open("/nonexistent-folder/x.db")
    from pathlib import Path

    junk = Path(str(tmp_path)) / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot open"):
        Ledger.open(junk)
