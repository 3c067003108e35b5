"""
Time travel on every backend: the worked example, the semantics, history, diff, listing, snapshots.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    Correction,
    FactChangeKind,
    FixedClock,
    FutureKnowledgeError,
    Incident,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    Reading,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    UnknownIncidentError,
    ValidTime,
    fold,
)
from incidents._timetravel.service import TimeTravel
from incidents._timetravel.snapshots import SNAPSHOT_FORMAT
from incidents.examples import (
    ALASKA_2024,
    ALASKA_2024_ACCOUNTS_AT,
    ALASKA_2024_CORRECTED_AT,
    ALASKA_2024_PUBLISHED_AT,
    alaska_2024_batches,
    alaska_2024_ids,
)
from incidents.storage import FoldSnapshot
from support.backends import Backend

IDS = alaska_2024_ids()
NOON_IN_ALASKA = datetime(2024, 7, 24, 20, 0, tzinfo=UTC)  # 12:00 AKDT on "Wednesday"
BEFORE_THE_INTERCEPT = datetime(2024, 7, 24, 7, 0, tzinfo=UTC)  # 23:00 AKDT on Tuesday
LATER = datetime(2024, 8, 1, tzinfo=UTC)


def record_alaska(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    for recorded_at, events in alaska_2024_batches():
        clock.set(recorded_at)
        ledger.record(*events)
    clock.set(LATER)


@pytest.fixture
def alaska(backend: Backend) -> Ledger:
    ledger = backend.open()
    record_alaska(ledger)
    return ledger


def spokesmen(ledger: Ledger, **when: datetime) -> list[str | None]:
    state = ledger.incident(ALASKA_2024, **when)
    return [s.speaker.name for s in state.statements if s.speaker.name]


# -- the worked example's three as-of answers --------------------------------------------


def test_as_known_when_the_article_appeared_the_spokesman_is_chen(alaska: Ledger) -> None:
    assert spokesmen(alaska, known_at=ALASKA_2024_PUBLISHED_AT) == ["Chen Xiaogang"]


def test_as_known_after_the_correction_the_spokesman_is_zhang(alaska: Ledger) -> None:
    assert spokesmen(alaska, known_at=ALASKA_2024_CORRECTED_AT) == ["Zhang Xiaogang"]
    assert spokesmen(alaska) == ["Zhang Xiaogang"]
    just_before = ALASKA_2024_CORRECTED_AT - timedelta(microseconds=1)
    assert spokesmen(alaska, known_at=just_before) == ["Chen Xiaogang"]


def test_at_a_valid_time_before_the_intercept_there_is_no_intercept(alaska: Ledger) -> None:
    assert alaska.incident(ALASKA_2024, valid_at=BEFORE_THE_INTERCEPT).intercepts == ()
    assert len(alaska.incident(ALASKA_2024, valid_at=NOON_IN_ALASKA).intercepts) == 1
    assert len(alaska.incident(ALASKA_2024).intercepts) == 1


# -- readings of imprecise valid times ---------------------------------------------------


def test_possibly_is_the_default_and_certainly_waits_for_the_whole_day(alaska: Ledger) -> None:
    possibly = alaska.incident(ALASKA_2024, NOON_IN_ALASKA)
    assert possibly == alaska.incident(ALASKA_2024, NOON_IN_ALASKA, reading=Reading.POSSIBLY)
    certainly = alaska.incident(ALASKA_2024, NOON_IN_ALASKA, reading=Reading.CERTAINLY)
    assert len(possibly.intercepts) == 1
    assert certainly.intercepts == ()
    # NORAD's Wednesday ends at 07:59:59.999999Z on the 25th (Alaska time).
    end_of_wednesday = datetime(2024, 7, 25, 7, 59, 59, 999999, tzinfo=UTC)
    assert (
        len(alaska.incident(ALASKA_2024, end_of_wednesday, reading=Reading.CERTAINLY).intercepts)
        == 1
    )


def test_undated_facts_are_possibly_but_never_certainly_in_effect(alaska: Ledger) -> None:
    x_post = IDS["statement/x"]
    early = datetime(1990, 1, 1, tzinfo=UTC)
    assert [x_post] == [s.id for s in alaska.incident(ALASKA_2024, early).statements]
    late = datetime(2030, 1, 1, tzinfo=UTC)
    certainly = alaska.incident(ALASKA_2024, late, reading=Reading.CERTAINLY)
    assert x_post not in [s.id for s in certainly.statements]
    assert len(certainly.statements) == 3


def test_reading_must_be_a_reading(alaska: Ledger) -> None:
    with pytest.raises(InvalidInputError, match=r"Reading\.POSSIBLY"):
        alaska.incident(ALASKA_2024, NOON_IN_ALASKA, reading="certainly")  # type: ignore[arg-type]


# -- recording time ------------------------------------------------------------------------


def test_the_state_as_known_equals_the_fold_of_what_was_recorded(alaska: Ledger) -> None:
    records = list(alaska.events(ALASKA_2024))
    for cut in (ALASKA_2024_PUBLISHED_AT, ALASKA_2024_CORRECTED_AT, ALASKA_2024_ACCOUNTS_AT, LATER):
        known = [r for r in records if r.recorded_at <= cut]
        for valid_at in (None, BEFORE_THE_INTERCEPT, NOON_IN_ALASKA):
            for reading in Reading:
                expected = fold(known, valid_at=valid_at, reading=reading)
                assert expected == alaska.incident(ALASKA_2024, valid_at, cut, reading=reading)


def test_an_incident_not_yet_recorded_at_known_at_is_unknown(alaska: Ledger) -> None:
    before = ALASKA_2024_PUBLISHED_AT - timedelta(microseconds=1)
    with pytest.raises(UnknownIncidentError, match="not yet recorded as known at"):
        alaska.incident(ALASKA_2024, known_at=before)
    assert list(alaska.events(ALASKA_2024, known_at=before)) == []
    assert alaska.incidents(known_at=before) == []
    assert alaska.incident(ALASKA_2024, known_at=ALASKA_2024_PUBLISHED_AT).last_position == 15


def test_an_incident_never_recorded_is_unknown(alaska: Ledger) -> None:
    with pytest.raises(UnknownIncidentError, match="is not recorded"):
        alaska.incident(uuid4())
    with pytest.raises(UnknownIncidentError):
        alaska.incident(uuid4(), known_at=ALASKA_2024_PUBLISHED_AT)
    with pytest.raises(UnknownIncidentError):
        alaska.history(uuid4())
    with pytest.raises(UnknownIncidentError):
        alaska.diff(uuid4(), ALASKA_2024_PUBLISHED_AT)


def test_known_at_in_the_future_is_refused(alaska: Ledger) -> None:
    future = LATER + timedelta(seconds=1)
    with pytest.raises(FutureKnowledgeError):
        alaska.incident(ALASKA_2024, known_at=future)
    with pytest.raises(FutureKnowledgeError):
        alaska.diff(ALASKA_2024, ALASKA_2024_PUBLISHED_AT, future)
    with pytest.raises(FutureKnowledgeError):
        alaska.incidents(known_at=future)
    assert alaska.incident(ALASKA_2024, known_at=LATER)  # now itself is fine


def test_naive_times_are_refused(alaska: Ledger) -> None:
    with pytest.raises(InvalidInputError, match="naive"):
        alaska.incident(ALASKA_2024, valid_at=datetime(2024, 7, 24))
    with pytest.raises(InvalidInputError, match="naive"):
        alaska.incident(ALASKA_2024, known_at=datetime(2024, 7, 26))
    with pytest.raises(InvalidInputError, match="naive"):
        alaska.incidents((datetime(2024, 7, 24), None))


def test_times_in_any_offset_mean_the_same_instant(alaska: Ledger) -> None:
    beijing = datetime(2024, 7, 25, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert alaska.incident(ALASKA_2024, known_at=beijing) == alaska.incident(
        ALASKA_2024, known_at=ALASKA_2024_PUBLISHED_AT
    )


# -- a small incident with late facts, corrections of corrections and retractions ----------


class Story:
    """An incident recorded step by step, one recording time per step."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.clock = ledger.clock
        assert isinstance(self.clock, FixedClock)
        self.start = datetime(2025, 1, 1, tzinfo=UTC)
        self.times: list[datetime] = []
        self.incident_id = uuid4()
        self.source = SourceRegistered(
            incident_id=self.incident_id, kind=SourceKind.PRESS_RELEASE, publisher="JSO"
        )
        self.step(
            IncidentOpened(
                incident_id=self.incident_id, source_id=self.source.source_id, title="Sea of Japan"
            ),
            self.source,
        )

    def step(self, *events: object) -> datetime:
        at = self.start + timedelta(hours=len(self.times))
        self.clock.set(at)
        self.ledger.record(*events)  # type: ignore[arg-type]
        self.times.append(at)
        return at

    def aircraft(self, day: int, **fields: object) -> AircraftReported:
        values: dict[str, object] = {
            "type_designation": "Tu-95",
            "nation": "RU",
            "count": 2,
            "valid_time": ValidTime.day(f"2024-12-{day:02d}", tz="Asia/Tokyo"),
        }
        values.update(fields)
        return AircraftReported(
            incident_id=self.incident_id,
            source_id=self.source.source_id,
            **values,  # type: ignore[arg-type]
        )

    def correct(self, target: object, **changes: object) -> Correction:
        return Correction.of(
            target,  # type: ignore[arg-type]
            source_id=self.source.source_id,
            reason="a better count",
            **changes,
        )

    def retract(self, target: object) -> Retraction:
        return Retraction(
            incident_id=self.incident_id,
            source_id=self.source.source_id,
            target_id=target.event_id,  # type: ignore[attr-defined]
            reason="withdrawn",
        )

    def state(self, known_at: datetime, valid_at: datetime | None = None) -> Incident:
        return self.ledger.incident(self.incident_id, valid_at, known_at)


@pytest.fixture
def story(backend: Backend) -> Story:
    return Story(backend.open(clock=FixedClock(datetime(2025, 1, 1, tzinfo=UTC))))


def test_late_facts_take_their_place_in_valid_time_order(story: Story) -> None:
    late = story.aircraft(10, type_designation="Tu-142")
    early = story.aircraft(3, type_designation="Il-20")
    same_day = story.aircraft(10, type_designation="Tu-95")
    t1 = story.step(late)
    t2 = story.step(early, same_day)
    assert [a.type_designation for a in story.state(t1).aircraft] == ["Tu-142"]
    # The late arrival sorts first; same valid time ties by stream position.
    assert [a.type_designation for a in story.state(t2).aircraft] == ["Il-20", "Tu-142", "Tu-95"]
    on_the_5th = datetime(2024, 12, 5, tzinfo=UTC)
    assert [a.type_designation for a in story.state(t2, on_the_5th).aircraft] == ["Il-20"]
    assert [a.type_designation for a in story.state(t1, on_the_5th).aircraft] == []


def test_corrections_apply_from_their_recording_time_and_can_be_corrected(story: Story) -> None:
    fact = story.aircraft(3)
    t1 = story.step(fact)
    first = story.correct(fact, count=3)
    t2 = story.step(first)
    second = story.correct(first, changes={"count": 4})  # corrects the correction
    t3 = story.step(second)
    undo = story.retract(second)
    t4 = story.step(undo)
    counts = [story.state(t).aircraft[0].count for t in (t1, t2, t3, t4)]
    assert counts == [2, 3, 4, 3]
    assert (first.event_id,) == story.state(t3).aircraft[0].corrections


def test_retractions_withdraw_and_a_retracted_retraction_restores(story: Story) -> None:
    fact = story.aircraft(3)
    t1 = story.step(fact)
    withdraw = story.retract(fact)
    t2 = story.step(withdraw)
    t3 = story.step(story.retract(withdraw))
    assert [len(story.state(t).aircraft) for t in (t1, t2, t3)] == [1, 0, 1]
    assert (fact.event_id,) == story.state(t2).retracted
    assert (withdraw.event_id,) == story.state(t3).retracted

    diff = story.ledger.diff(story.incident_id, t1, t2)
    assert [c.kind for c in diff.changes] == [FactChangeKind.RETRACTED]
    assert (withdraw.event_id,) == diff.changes[0].by
    diff = story.ledger.diff(story.incident_id, t2, t3)
    assert [c.kind for c in diff.changes] == [FactChangeKind.RESTORED]
    assert story.ledger.diff(story.incident_id, t1, t3).changes == ()


def test_a_correction_of_a_retracted_fact_shows_once_it_is_restored(story: Story) -> None:
    fact = story.aircraft(3)
    withdraw = story.retract(fact)
    story.step(fact, withdraw)
    t2 = story.step(story.correct(fact, count=5))
    assert story.state(t2).aircraft == ()
    t3 = story.step(story.retract(withdraw))
    assert [a.count for a in story.state(t3).aircraft] == [5]
    history = story.ledger.history(story.incident_id)
    correction = history[-2]
    assert correction.effects == ()  # its target was withdrawn when it was recorded
    assert correction.changes[0].field == "count"
    assert (correction.changes[0].before, correction.changes[0].after) == (2, 5)
    assert "effect: none" in correction.describe()
    assert history[-1].effects[0].kind == FactChangeKind.RESTORED


def test_a_correction_that_changes_the_valid_time_moves_the_fact(story: Story) -> None:
    fact = story.aircraft(10)
    t1 = story.step(fact)
    t2 = story.step(story.correct(fact, valid_time=ValidTime.day("2024-12-02", tz="Asia/Tokyo")))
    on_the_5th = datetime(2024, 12, 5, tzinfo=UTC)
    assert story.state(t1, on_the_5th).aircraft == ()
    assert len(story.state(t2, on_the_5th).aircraft) == 1
    change = story.ledger.diff(story.incident_id, t1, t2).changes[0]
    assert change.kind == FactChangeKind.CORRECTED
    assert [f.field for f in change.fields] == ["valid_time"]
    assert "2024-12-02 (Asia/Tokyo)" in str(story.ledger.diff(story.incident_id, t1, t2))


def test_a_second_ledger_sees_what_another_recorded(backend: Backend) -> None:
    target = backend.target()
    first = backend.open(target)
    if backend.name == "memory":
        # A memory store lives in one object: a second ledger shares it.
        second = Ledger(first.store, clock=FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC)))
    else:
        second = backend.open(target)
    story = Story(first)
    t0 = story.times[0]
    assert second.incident(story.incident_id).last_position == 2  # folded and kept in memory
    t1 = story.step(story.aircraft(3))
    second.clock.set(t1)  # type: ignore[attr-defined]
    assert second.incident(story.incident_id).last_position == 3
    assert second.incident(story.incident_id, known_at=t0).last_position == 2


# -- history ------------------------------------------------------------------------------------


def test_history_says_who_recorded_what_when_and_from_which_source(alaska: Ledger) -> None:
    history = alaska.history(ALASKA_2024)
    assert len(history) == 19
    assert list(range(1, 20)) == [e.position for e in history]
    assert {"tester"} == {e.recorder for e in history}
    assert [e.recorded_at for e in history] == [ALASKA_2024_PUBLISHED_AT] * 15 + [
        ALASKA_2024_CORRECTED_AT
    ] * 2 + [ALASKA_2024_ACCOUNTS_AT] * 2
    h6 = next(e for e in history if e.event_id == IDS["aircraft/h-6"])
    assert h6.source.publisher == "North American Aerospace Defense Command (NORAD)"
    assert [c.kind for c in h6.effects] == [FactChangeKind.ADDED]

    correction = history[16]
    assert IDS["correction/spokesman"] == correction.event_id
    assert IDS["statement/china"] == correction.target_id
    assert correction.target_position == 12
    assert correction.target_type == "statement-issued"
    assert correction.reason
    assert "transcript" in correction.reason
    assert correction.source.kind.value == "transcript"
    (change,) = correction.changes
    assert (
        change.field,
        change.before["name"],
        change.after["name"],
    ) == ("speaker", "Chen Xiaogang", "Zhang Xiaogang")
    (effect,) = correction.effects
    assert (effect.kind, effect.fact_position) == (FactChangeKind.CORRECTED, 12)


def test_history_renders_for_people(alaska: Ledger) -> None:
    text = str(alaska.history(ALASKA_2024))
    assert text.startswith('History of "Joint Chinese-Russian bomber patrol near Alaska"')
    assert "#17   2024-07-26 12:00:00Z  tester  correction: corrects #12 statement-issued" in text
    assert "speaker: Chen Xiaogang, spokesman" in text
    assert "-> Zhang Xiaogang, spokesman" in text
    assert "effect: corrected #12 statement-issued" in text
    assert "source RIA Novosti (news article) [C3], citing Ministry of Defence" in text


# -- diff ----------------------------------------------------------------------------------------


def test_diff_between_publication_and_correction(alaska: Ledger) -> None:
    diff = alaska.diff(ALASKA_2024, ALASKA_2024_PUBLISHED_AT, ALASKA_2024_CORRECTED_AT)
    assert (diff.position_a, diff.position_b) == (15, 17)
    assert [IDS["source/china-mnd-transcript"]] == [c.fact_id for c in diff.added]
    (corrected,) = diff.corrected
    assert IDS["statement/china"] == corrected.fact_id
    assert (IDS["correction/spokesman"],) == corrected.by
    assert [f.field for f in corrected.fields] == ["speaker"]
    assert corrected.before is not None
    assert corrected.after is not None
    assert corrected.before.speaker.name == "Chen Xiaogang"  # type: ignore[attr-defined]
    assert corrected.after.speaker.name == "Zhang Xiaogang"  # type: ignore[attr-defined]
    assert () == diff.retracted == diff.restored
    text = diff.render()
    assert "1 added, 1 corrected" in text
    assert "speaker: Chen Xiaogang, spokesman" in text
    assert "by #17 correction: The ministry's transcript" in text


def test_diff_from_before_anything_was_recorded_adds_everything(alaska: Ledger) -> None:
    diff = alaska.diff(ALASKA_2024, datetime(2024, 1, 1, tzinfo=UTC))
    assert diff.position_a == 0
    assert len(diff.added) == 18  # 19 events, one of them the correction
    assert diff.known_at_b == LATER  # "now", by the ledger's clock
    assert alaska.diff(ALASKA_2024, LATER, LATER).changes == ()


def test_diff_wants_the_earlier_time_first(alaska: Ledger) -> None:
    with pytest.raises(InvalidInputError, match="earlier recording time first"):
        alaska.diff(ALASKA_2024, ALASKA_2024_CORRECTED_AT, ALASKA_2024_PUBLISHED_AT)


def test_diff_before_the_incident_existed_is_unknown(alaska: Ledger) -> None:
    with pytest.raises(UnknownIncidentError, match="not yet recorded"):
        alaska.diff(ALASKA_2024, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))


# -- listing by valid-time window ----------------------------------------------------------------


def test_incidents_in_a_valid_time_window(alaska: Ledger) -> None:
    story = Story(alaska)
    story.step(story.aircraft(3))
    alaska.clock.set(LATER + timedelta(days=365))  # type: ignore[attr-defined]

    def titles(window: object, **kwargs: object) -> list[str]:
        return [i.title for i in alaska.incidents(window, **kwargs)]  # type: ignore[arg-type]

    july = (datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 31, tzinfo=UTC))
    assert titles(july) == ["Joint Chinese-Russian bomber patrol near Alaska"]
    assert titles((datetime(2024, 12, 1, tzinfo=UTC), None)) == ["Sea of Japan"]
    assert titles(None) == ["Joint Chinese-Russian bomber patrol near Alaska", "Sea of Japan"]
    assert titles((datetime(2030, 1, 1, tzinfo=UTC), None)) == []  # undated facts place nothing
    # Possibly overlaps, certainly lies within: a window cutting NORAD's Wednesday in two.
    cut = (datetime(2024, 7, 24, 20, tzinfo=UTC), datetime(2024, 7, 24, 21, tzinfo=UTC))
    assert len(titles(cut)) == 1
    assert titles(cut, reading=Reading.CERTAINLY) == []
    assert len(titles(july, reading=Reading.CERTAINLY)) == 1
    # As known before the Sea of Japan incident was recorded.
    assert len(titles(None, known_at=LATER)) == 1


def test_a_window_must_not_end_before_it_starts(alaska: Ledger) -> None:
    with pytest.raises(InvalidInputError, match="ends"):
        alaska.incidents((datetime(2024, 7, 31, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)))
    with pytest.raises(InvalidInputError, match="pair"):
        alaska.incidents(datetime(2024, 7, 31, tzinfo=UTC))  # type: ignore[arg-type]


# -- snapshots: derived data ------------------------------------------------------------------


def snapshotted(backend: Backend, every: int = 3) -> tuple[Ledger, Story]:
    ledger = backend.open()
    ledger._time_travel.snapshot_every = every
    story = Story(ledger)
    facts = [story.aircraft(d) for d in range(1, 8)]
    story.step(*facts[:4])
    story.step(story.correct(facts[0], count=3), story.retract(facts[1]))
    story.step(*facts[4:])
    story.step(story.correct(facts[4], count=1))
    ledger.incident(story.incident_id)
    return ledger, story


def cold_ledger(backend: Backend, ledger: Ledger) -> Ledger:
    if backend.name == "memory":
        return Ledger(ledger.store, clock=ledger.clock)
    return backend.open(backend.targets[-1], clock=ledger.clock)


def answers(ledger: Ledger, story: Story) -> list[object]:
    return [ledger.incident(story.incident_id, known_at=t) for t in story.times]


def test_snapshots_are_written_as_incidents_are_read(backend: Backend) -> None:
    ledger, story = snapshotted(backend)
    saved = ledger.store.fold_snapshots(story.incident_id, SNAPSHOT_FORMAT)
    assert saved
    assert saved[0].first_position == 1
    assert len(list(ledger.events(story.incident_id))) == saved[-1].last_position


def test_a_cold_ledger_replays_snapshots_without_reapplying_corrections(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, story = snapshotted(backend)
    expected = answers(ledger, story)
    applied: list[object] = []
    import incidents._timetravel.fold as bitemporal_module

    real = bitemporal_module.apply_changes
    monkeypatch.setattr(
        bitemporal_module, "apply_changes", lambda *a: applied.append(a) or real(*a)
    )
    cold = cold_ledger(backend, ledger)
    assert expected == answers(cold, story)
    assert applied == []  # the corrections' effects came from the snapshots


@pytest.mark.parametrize(
    "damage",
    ["garbage", "other events", "other format", "wrong effect"],
)
def test_snapshots_are_never_trusted_over_the_events(backend: Backend, damage: str) -> None:
    ledger, story = snapshotted(backend, every=1000)
    expected = answers(ledger, story)
    ledger.rebuild_snapshots(story.incident_id)
    (snapshot,) = ledger.store.fold_snapshots(story.incident_id, SNAPSHOT_FORMAT)
    ledger.store.drop_fold_snapshots()
    if damage == "garbage":
        bad = FoldSnapshot(**{**snapshot.__dict__, "data": b"not a snapshot"})
    elif damage == "other events":
        bad = FoldSnapshot(**{**snapshot.__dict__, "last_event_id": uuid4()})
    elif damage == "other format":
        bad = FoldSnapshot(**{**snapshot.__dict__, "format": SNAPSHOT_FORMAT + 1})
    else:
        import json
        import zlib

        body = json.loads(zlib.decompress(snapshot.data))
        body["effects"][0][1] = 2  # the correction now claims another fact
        data = zlib.compress(json.dumps(body).encode())
        bad = FoldSnapshot(**{**snapshot.__dict__, "data": data})
    ledger.store.save_fold_snapshot(bad)
    cold = cold_ledger(backend, ledger)
    assert expected == answers(cold, story)
    kept = ledger.store.fold_snapshots(story.incident_id, SNAPSHOT_FORMAT)
    assert bad not in kept  # dropped (and rewritten from the events when due)


def test_snapshots_can_be_dropped_and_rebuilt(backend: Backend) -> None:
    ledger, story = snapshotted(backend)
    expected = answers(ledger, story)
    assert ledger.drop_snapshots(story.incident_id) >= 1
    assert ledger.store.fold_snapshots(story.incident_id, SNAPSHOT_FORMAT) == []
    assert expected == answers(ledger, story)
    assert ledger.rebuild_snapshots() == 1
    assert len(ledger.store.fold_snapshots(story.incident_id, SNAPSHOT_FORMAT)) == 1
    assert expected == answers(cold_ledger(backend, ledger), story)


def test_store_keeps_the_snapshot_that_reaches_furthest(backend: Backend) -> None:
    store = backend.open().store
    incident = uuid4()

    def snapshot(first: int, last: int, fmt: int = SNAPSHOT_FORMAT) -> FoldSnapshot:
        return FoldSnapshot(
            incident_id=incident,
            format=fmt,
            first_position=first,
            last_position=last,
            last_event_id=UUID(int=last),
            last_sequence=last,
            data=f"{first}-{last}".encode(),
        )

    store.save_fold_snapshot(snapshot(1, 10))
    store.save_fold_snapshot(snapshot(1, 5))  # reaches less far: ignored
    store.save_fold_snapshot(snapshot(11, 20))
    store.save_fold_snapshot(snapshot(1, 10, fmt=SNAPSHOT_FORMAT + 1))
    assert [snapshot(1, 10), snapshot(11, 20)] == store.fold_snapshots(incident, SNAPSHOT_FORMAT)
    store.save_fold_snapshot(snapshot(11, 25))
    assert [c.last_position for c in store.fold_snapshots(incident, SNAPSHOT_FORMAT)] == [10, 25]
    assert store.fold_snapshots(uuid4(), SNAPSHOT_FORMAT) == []
    assert store.drop_fold_snapshots(uuid4()) == 0
    assert store.drop_fold_snapshots(incident) == 3
    store.save_fold_snapshot(snapshot(1, 10))
    assert store.drop_fold_snapshots() == 1


def test_a_fold_is_rebuilt_when_the_stream_no_longer_continues_it() -> None:
    first, second = Ledger.open(":memory:"), Ledger.open(":memory:")
    incident = uuid4()
    for ledger, title in ((first, "one"), (second, "two")):
        source = SourceRegistered(incident_id=incident, kind=SourceKind.TRANSCRIPT, publisher="x")
        ledger.record(
            IncidentOpened(incident_id=incident, source_id=source.source_id, title=title), source
        )
    travel = TimeTravel(first.store)
    assert travel.state(incident, None, None, Reading.POSSIBLY).title == "one"  # type: ignore[union-attr]
    travel._store = second.store  # the same incident, other events
    assert travel.state(incident, None, None, Reading.POSSIBLY).title == "two"  # type: ignore[union-attr]


def test_memory_is_bounded_by_evicting_old_folds() -> None:
    ledger = Ledger.open(":memory:")
    ledger._time_travel.max_positions = 5
    ids = []
    for n in range(4):
        incident = uuid4()
        source = SourceRegistered(incident_id=incident, kind=SourceKind.TRANSCRIPT, publisher="x")
        ledger.record(
            IncidentOpened(incident_id=incident, source_id=source.source_id, title=f"{n}"), source
        )
        ids.append(incident)
    assert [i.title for i in ledger.incidents()] == ["0", "1", "2", "3"]
    assert len(ledger._time_travel._cache) == 2
    assert ledger.incident(ids[0]).title == "0"


def _small_incidents(ledger: Ledger, count: int) -> list[UUID]:
    ids = []
    for n in range(count):
        incident = uuid4()
        source = SourceRegistered(incident_id=incident, kind=SourceKind.TRANSCRIPT, publisher="x")
        ledger.record(
            IncidentOpened(incident_id=incident, source_id=source.source_id, title=f"{n}"), source
        )
        ids.append(incident)
    return ids


def test_the_cache_keeps_a_running_total_of_its_positions() -> None:
    ledger = Ledger.open(":memory:")
    travel = ledger._time_travel
    travel.max_positions = 7
    ids = _small_incidents(ledger, 6)

    def total_is_right() -> None:
        assert travel._cached_positions == sum(c.folded.position for c in travel._cache.values())
        assert travel._cached_positions <= travel.max_positions or len(travel._cache) == 1

    for incident in ids * 2:
        ledger.incident(incident)
        total_is_right()
    source = ledger.incident(ids[0]).sources[0]
    ledger.record(
        AircraftReported(
            incident_id=ids[0],
            source_id=source.id,
            type_designation="H-6",
            nation="CN",
            count=2,
            role="bomber",
            valid_time=ValidTime.unknown(),
        )
    )
    ledger.incident(ids[0])  # grows from 2 positions to 3
    total_is_right()
    ledger.incidents()
    total_is_right()
    ledger.rebuild_snapshots()
    total_is_right()
    ledger.drop_snapshots()
    assert travel._cached_positions == 0
    assert len(travel._cache) == 0


def test_listing_more_than_the_cache_holds_neither_evicts_nor_reloads_what_it_keeps() -> None:
    ledger = Ledger.open(":memory:")
    travel = ledger._time_travel
    travel.max_positions = 6  # three incidents of two events
    ids = _small_incidents(ledger, 10)
    ledger.incident(ids[9])  # read by someone: kept
    loads: list[UUID] = []
    load = travel._load

    def counting(incident_id: UUID, *, use_snapshots: bool) -> object:
        loads.append(incident_id)
        return load(incident_id, use_snapshots=use_snapshots)

    travel._load = counting  # type: ignore[method-assign, assignment]
    assert [i.title for i in ledger.incidents()] == [str(n) for n in range(10)]
    assert ids[9] in travel._cache
    assert set(travel._cache) == {ids[9], ids[0], ids[1]}
    assert loads == ids[:9]
    loads.clear()
    assert len(ledger.incidents()) == 10
    assert loads == ids[2:9]  # those kept are not loaded again


def test_iter_incidents_yields_what_incidents_lists_and_checks_its_arguments_at_once() -> None:
    ledger = Ledger.open(":memory:")
    travel = ledger._time_travel
    travel.max_positions = 4
    _small_incidents(ledger, 5)
    listing = ledger.iter_incidents()
    assert [i.title for i in listing] == [i.title for i in ledger.incidents()]
    with pytest.raises(InvalidInputError):
        ledger.iter_incidents(valid_between=(LATER, NOON_IN_ALASKA))


def test_statements_corrections_keep_the_speakers_history(story: Story) -> None:
    statement = StatementIssued(
        incident_id=story.incident_id,
        source_id=story.source.source_id,
        speaker=Speaker(name="Chen Xiaogang"),
        medium="statement",
        valid_time=ValidTime.unknown(),
    )
    t1 = story.step(statement)
    t2 = story.step(story.correct(statement, speaker=Speaker(name="Zhang Xiaogang")))
    assert story.state(t1).statements[0].speaker.name == "Chen Xiaogang"
    assert story.state(t2).statements[0].speaker.name == "Zhang Xiaogang"


def test_a_cold_ledger_reads_skipped_corrections_when_a_retraction_needs_them(
    backend: Backend,
) -> None:
    ledger, story = snapshotted(backend, every=1)
    cold = cold_ledger(backend, ledger)
    cold.incident(story.incident_id)  # replayed: the corrections' events were not decoded
    correction = next(r.event for r in cold.events(story.incident_id) if r.type == "correction")
    assert isinstance(correction, Correction)
    cold.clock.set(story.times[-1] + timedelta(hours=1))  # type: ignore[attr-defined]
    cold.record(
        Retraction(
            incident_id=story.incident_id,
            source_id=story.source.source_id,
            target_id=correction.event_id,
            reason="the recount was wrong",
        )
    )
    records = list(cold.events(story.incident_id))
    assert fold(records) == cold.incident(story.incident_id)
    target = next(
        a for a in cold.incident(story.incident_id).aircraft if a.id == correction.target_id
    )
    assert (target.count, target.corrections) == (2, ())
    assert [e.event for e in cold.history(story.incident_id)] == [r.event for r in records]


def test_relocated_objects_are_equal_copies_in_the_same_order(alaska: Ledger) -> None:
    from incidents._timetravel.index import relocated

    state = alaska.incident(ALASKA_2024)
    objs: list[object] = [*state.aircraft, *state.statements, *state.sources, state.id]
    copies = relocated(objs)
    assert copies == objs
    for original, copy in zip(objs, copies, strict=True):
        assert type(copy) is type(original)
        # Slotted attrs objects are copied; anything else is kept as it is.
        assert (copy is original) == (type(original) is UUID)


def test_reading_the_sources_registry_never_evicts_the_incident_it_answers_for() -> None:
    # A published_by read folds the incident, then the registry: with both over the
    # budget, the incident was evicted and loaded again on every such read.
    ledger = Ledger.open(":memory:")
    travel = ledger._time_travel
    shared = ledger.register_source(kind=SourceKind.WIRE_REPORT, publisher="Yonhap")
    (incident,) = _small_incidents(ledger, 1)
    for n in range(4):
        ledger.record(
            AircraftReported(
                incident_id=incident,
                source_id=shared,
                type_designation="H-6",
                nation="CN",
                count=n + 1,
                valid_time=ValidTime.unknown(),
            )
        )
    travel.max_positions = 3  # fewer than the incident's six positions
    loads: list[UUID] = []
    load = travel._load

    def counting(incident_id: UUID, *, use_snapshots: bool) -> object:
        loads.append(incident_id)
        return load(incident_id, use_snapshots=use_snapshots)

    travel._load = counting  # type: ignore[method-assign, assignment]
    now = ledger.clock()
    for _ in range(3):
        assert len(ledger.incident(incident, published_by=now).aircraft) == 4
    assert loads.count(incident) <= 1
    assert {incident, SOURCES_REGISTRY} <= set(travel._cache)
