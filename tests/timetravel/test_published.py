"""
"As published by": the third clock, on every backend and against two invariants.

An event counts as published by P when its source's ``published_at`` (as
known at ``known_at``) is at or before P; a source without one counts from
each event's own recording time. With no publication times at all, "as
published by R" is "as known at R" (checked for random histories), and a
source published after P never contributes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    AircraftReported,
    Correction,
    Event,
    FactChangeKind,
    FixedClock,
    FutureKnowledgeError,
    Incident,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    PatrolReported,
    Reading,
    Recorded,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    UnknownIncidentError,
    ValidTime,
    fold,
)
from support.backends import Backend
from support.histories import histories

PATROL_DAY = ValidTime.day("2019-07-23", tz="Asia/Seoul")
EVENT = datetime(2019, 7, 23, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
DAY_AFTER = EVENT + timedelta(days=1)
WEEK_AFTER = EVENT + timedelta(days=7)
TODAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Backfill:
    """A 2019 incident recorded in 2026, its sources published over a week."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.clock = ledger.clock
        assert isinstance(self.clock, FixedClock)
        self.clock.set(TODAY)
        self.id = uuid4()
        i = self.id
        self.jcs = SourceRegistered(
            incident_id=i,
            kind=SourceKind.PRESS_RELEASE,
            publisher="South Korea JCS",
            published_at=EVENT + timedelta(hours=3),
        )
        self.mod = SourceRegistered(
            incident_id=i,
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher="Russian MoD",
            published_at=EVENT + timedelta(hours=8),
        )
        self.embassy = SourceRegistered(
            incident_id=i,
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher="Russian embassy in Seoul",
            published_at=EVENT + timedelta(days=1, hours=3),  # after DAY_AFTER
        )
        self.opened = IncidentOpened(
            incident_id=i, source_id=self.jcs.source_id, title="Joint patrol near Dokdo"
        )
        self.a50 = AircraftReported(
            incident_id=i,
            source_id=self.jcs.source_id,
            type_designation="A-50",
            nation="RU",
            valid_time=PATROL_DAY,
        )
        self.denial = StatementIssued(
            incident_id=i,
            source_id=self.mod.source_id,
            speaker=Speaker(organization="Russian MoD"),
            medium="statement",
            valid_time=PATROL_DAY,
        )
        self.recount = Correction.of(
            self.a50, source_id=self.embassy.source_id, reason="a second A-50", count=2
        )
        self.first = ledger.record(
            self.opened, self.jcs, self.mod, self.embassy, self.a50, self.denial, self.recount
        )
        self.clock.set(TODAY + timedelta(hours=1))

    def state(self, **when: datetime) -> Incident:
        return self.ledger.incident(self.id, **when)


@pytest.fixture
def backfill(backend: Backend) -> Backfill:
    return Backfill(backend.open())


# -- the rule ---------------------------------------------------------------------------


def test_recorded_today_every_recording_time_is_today(backfill: Backfill) -> None:
    with pytest.raises(UnknownIncidentError, match="not yet recorded"):
        backfill.state(known_at=WEEK_AFTER)
    assert backfill.state(known_at=TODAY) == backfill.state()


def test_only_what_was_published_by_then_counts(backfill: Backfill) -> None:
    day = backfill.state(published_by=DAY_AFTER)
    week = backfill.state(published_by=WEEK_AFTER)
    assert [s.publisher for s in day.sources] == ["South Korea JCS", "Russian MoD"]
    assert [s.publisher for s in week.sources] == [
        "South Korea JCS",
        "Russian MoD",
        "Russian embassy in Seoul",
    ]
    assert [s.id for s in day.statements] == [backfill.denial.event_id]
    # The embassy's correction was not published a day after: it does not apply yet.
    assert [(a.count, a.corrections) for a in day.aircraft] == [(1, ())]
    assert [(a.count, a.corrections) for a in week.aircraft] == [(2, (backfill.recount.event_id,))]
    assert week == backfill.state()


def test_publication_time_is_inclusive(backfill: Backfill) -> None:
    at = EVENT + timedelta(hours=8)
    assert len(backfill.state(published_by=at).statements) == 1
    assert backfill.state(published_by=at - timedelta(microseconds=1)).statements == ()


def test_before_the_opening_source_was_published_there_is_no_incident(
    backfill: Backfill,
) -> None:
    with pytest.raises(UnknownIncidentError, match="was not yet published as published by"):
        backfill.state(published_by=EVENT)
    assert backfill.ledger.incidents(published_by=EVENT) == []
    with pytest.raises(UnknownIncidentError, match="not yet published"):
        backfill.ledger.history(backfill.id, published_by=EVENT)


def test_a_source_without_publication_time_counts_from_each_events_recording(
    ledger: Ledger,
) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    i = uuid4()
    notes = SourceRegistered(
        incident_id=i, kind=SourceKind.SOCIAL_MEDIA_POST, publisher="a post on X"
    )
    opened = IncidentOpened(incident_id=i, source_id=notes.source_id, title="Undated")
    t1 = clock()
    ledger.record(opened, notes)
    clock.set(t1 + timedelta(days=1))
    later = AircraftReported(
        incident_id=i,
        source_id=notes.source_id,
        type_designation="H-6",
        nation="CN",
        valid_time=ValidTime.unknown(),
    )
    t2 = ledger.record(later).recorded_at
    assert ledger.incident(i, published_by=t1).aircraft == ()
    assert ledger.incident(i, published_by=t1) == ledger.incident(i, known_at=t1)
    assert [a.id for a in ledger.incident(i, published_by=t2).aircraft] == [later.event_id]


def test_published_by_combines_with_known_at_and_valid_at(backfill: Backfill) -> None:
    ledger, clock = backfill.ledger, backfill.clock
    late = StatementIssued(
        incident_id=backfill.id,
        source_id=backfill.mod.source_id,  # published on the day, recorded a day later
        speaker=Speaker(organization="Russian MoD"),
        medium="second statement",
        valid_time=ValidTime.day("2019-07-24", tz="Europe/Moscow"),
    )
    clock.set(TODAY + timedelta(days=1))
    ledger.record(late)
    clock.set(TODAY + timedelta(days=2))
    both = backfill.state(published_by=DAY_AFTER)
    assert [s.medium for s in both.statements] == ["statement", "second statement"]
    then = backfill.state(published_by=DAY_AFTER, known_at=TODAY + timedelta(hours=12))
    assert [s.medium for s in then.statements] == ["statement"]
    on_the_day = backfill.state(published_by=DAY_AFTER, valid_at=EVENT + timedelta(hours=1))
    assert [s.medium for s in on_the_day.statements] == ["statement"]
    certainly = backfill.state(
        published_by=WEEK_AFTER, valid_at=DAY_AFTER, reading=Reading.CERTAINLY
    )
    assert [s.medium for s in certainly.statements] == ["statement"]


def test_a_corrected_publication_time_applies_as_known_at(backfill: Backfill) -> None:
    ledger, clock = backfill.ledger, backfill.clock
    earlier = Correction.of(
        backfill.embassy,
        source_id=backfill.jcs.source_id,
        reason="the embassy spoke the same evening",
        published_at=EVENT + timedelta(hours=12),
    )
    clock.set(TODAY + timedelta(days=1))
    corrected_at = ledger.record(earlier).recorded_at
    clock.set(TODAY + timedelta(days=2))
    assert len(backfill.state(published_by=DAY_AFTER).sources) == 3
    assert backfill.state(published_by=DAY_AFTER).aircraft[0].count == 2
    before = backfill.state(published_by=DAY_AFTER, known_at=corrected_at - timedelta(seconds=1))
    assert len(before.sources) == 2
    assert before.aircraft[0].count == 1
    # And a diff across the correction's recording time shows what it made public.
    diff = ledger.diff(
        backfill.id,
        corrected_at - timedelta(seconds=1),
        corrected_at,
        published_by_a=DAY_AFTER,
        published_by_b=DAY_AFTER,
    )
    assert [(c.kind, c.fact_id) for c in diff.changes] == [
        (FactChangeKind.ADDED, backfill.embassy.source_id),
        (FactChangeKind.CORRECTED, backfill.a50.event_id),
    ]


def test_a_withdrawn_registration_still_dates_its_sources_events(backfill: Backfill) -> None:
    backfill.clock.set(TODAY + timedelta(days=1))
    backfill.ledger.record(
        Retraction(
            incident_id=backfill.id,
            source_id=backfill.jcs.source_id,
            target_id=backfill.embassy.source_id,
            reason="not a source",
        )
    )
    backfill.clock.set(TODAY + timedelta(days=2))
    assert backfill.state(published_by=DAY_AFTER).aircraft[0].count == 1
    assert backfill.state(published_by=WEEK_AFTER).aircraft[0].count == 2
    assert len(backfill.state(published_by=WEEK_AFTER).sources) == 2


def test_references_stay_as_recorded(backfill: Backfill) -> None:
    patrol = PatrolReported(
        incident_id=backfill.id,
        source_id=backfill.mod.source_id,
        aircraft=(backfill.a50.event_id,),
        nations=("RU",),
        valid_time=PATROL_DAY,
    )
    ledger = backfill.ledger
    ledger.record(patrol)
    backfill.clock.set(TODAY + timedelta(days=1))
    early = backfill.state(published_by=EVENT + timedelta(hours=8))
    assert [p.aircraft for p in early.patrols] == [(backfill.a50.event_id,)]


# -- the questions around it ----------------------------------------------------------------


def test_diff_between_two_publication_times(backfill: Backfill) -> None:
    diff = backfill.ledger.diff(backfill.id, published_by_a=DAY_AFTER, published_by_b=WEEK_AFTER)
    assert [(c.kind, c.fact_type) for c in diff.changes] == [
        (FactChangeKind.ADDED, "source-registered"),
        (FactChangeKind.CORRECTED, "aircraft-reported"),
    ]
    (recount,) = diff.corrected
    assert [(f.field, f.before, f.after) for f in recount.fields] == [("count", 1, 2)]
    assert recount.by == (backfill.recount.event_id,)
    assert list(diff.events.values()) == [backfill.recount]
    assert (diff.published_by_a, diff.published_by_b) == (DAY_AFTER, WEEK_AFTER)
    assert diff.known_at_a == diff.known_at_b == backfill.clock()
    text = str(diff)
    assert "as published by 2019-07-24 00:00:00Z" in text
    assert "as published by 2019-07-30 00:00:00Z" in text


def test_diff_from_before_publication_adds_everything(backfill: Backfill) -> None:
    diff = backfill.ledger.diff(backfill.id, published_by_a=EVENT, published_by_b=WEEK_AFTER)
    assert diff.position_a == 0
    assert len(diff.added) == 6


def test_diff_asks_for_its_times_in_order(backfill: Backfill) -> None:
    diff = backfill.ledger.diff
    with pytest.raises(InvalidInputError, match="give known_at_a"):
        diff(backfill.id)
    with pytest.raises(InvalidInputError, match="published_by_a and published_by_b"):
        diff(backfill.id, published_by_a=DAY_AFTER)
    with pytest.raises(InvalidInputError, match="published_by_a and published_by_b"):
        diff(backfill.id, TODAY, published_by_b=DAY_AFTER)
    with pytest.raises(InvalidInputError, match="give the earlier publication time first"):
        diff(backfill.id, published_by_a=WEEK_AFTER, published_by_b=DAY_AFTER)
    with pytest.raises(InvalidInputError, match="give the earlier recording time first"):
        diff(backfill.id, known_at_b=TODAY, published_by_a=DAY_AFTER, published_by_b=WEEK_AFTER)
    with pytest.raises(UnknownIncidentError, match="not yet published"):
        diff(backfill.id, published_by_a=EVENT, published_by_b=EVENT)


def test_history_as_published_by(backfill: Backfill) -> None:
    history = backfill.ledger.history(backfill.id, published_by=DAY_AFTER)
    whole = backfill.ledger.history(backfill.id)
    assert history.published_by == DAY_AFTER
    b = backfill
    assert [e.event_id for e in history] == [
        e.event_id for e in (b.opened, b.jcs, b.mod, b.a50, b.denial)
    ]
    # Each entry as in the whole trail.
    assert list(history) == [e for e in whole if e.event_id in {h.event_id for h in history}]
    assert str(history).startswith(
        'History of "Joint patrol near Dokdo" (incident '
        f"{backfill.id}), 5 events published by 2019-07-24 00:00:00Z"
    )


def test_listing_as_published_by(backfill: Backfill) -> None:
    ledger = backfill.ledger
    july = (datetime(2019, 7, 1, tzinfo=UTC), datetime(2019, 7, 31, tzinfo=UTC))
    (found,) = ledger.incidents(july, published_by=DAY_AFTER)
    assert found == backfill.state(published_by=DAY_AFTER)
    assert ledger.incidents((EVENT, None), published_by=DAY_AFTER) == [found]
    assert ledger.incidents((DAY_AFTER, None), published_by=WEEK_AFTER) == []
    assert ledger.incidents(july, reading=Reading.CERTAINLY, published_by=DAY_AFTER) == [found]
    on_the_day = (EVENT, EVENT + timedelta(hours=1))
    assert ledger.incidents(on_the_day, published_by=DAY_AFTER) == [found]
    assert ledger.incidents(on_the_day, reading=Reading.CERTAINLY, published_by=DAY_AFTER) == []


def test_which_error_wins(backfill: Backfill) -> None:
    ledger = backfill.ledger
    naive = datetime(2019, 7, 24)
    nowhere = uuid4()
    tomorrow = backfill.clock() + timedelta(days=1)
    with pytest.raises(FutureKnowledgeError):
        ledger.incident(nowhere, known_at=tomorrow, published_by=naive)
    with pytest.raises(InvalidInputError, match="published_by 2019-07-24T00:00:00 is naive"):
        ledger.incident(nowhere, published_by=naive)
    with pytest.raises(InvalidInputError, match="published_by must be a datetime"):
        ledger.incidents(published_by="2019-07-24")  # type: ignore[arg-type]
    with pytest.raises(UnknownIncidentError, match="is not recorded"):
        ledger.incident(nowhere, published_by=DAY_AFTER)
    # A publication time in the future is a question like any other.
    assert backfill.state(published_by=tomorrow) == backfill.state()


# -- the invariants -----------------------------------------------------------------------


def _without_publication_times(batches: list[list[Event]]) -> list[list[Event]]:
    return [
        [
            attrs.evolve(e, published_at=None) if isinstance(e, SourceRegistered) else e
            for e in batch
        ]
        for batch in batches
    ]


def _record(batches: list[list[Event]], steps: list[int]) -> tuple[Ledger, list[datetime]]:
    clock = FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC))
    ledger = Ledger.open(":memory:", clock=clock, recorder="tester")
    times = []
    for batch, step in zip(batches, steps, strict=False):
        clock.set(clock() + timedelta(seconds=step))
        times.append(ledger.record(*batch).recorded_at)
    clock.set(times[-1] + timedelta(days=1))
    return ledger, times


def _answer(call: object, *args: object, **kwargs: object) -> object:
    try:
        return call(*args, **kwargs)  # type: ignore[operator]
    except UnknownIncidentError:
        return UnknownIncidentError


def _diff_facts(diff: object) -> object:
    if diff is UnknownIncidentError:
        return diff
    return (
        diff.title,  # type: ignore[attr-defined]
        diff.position_a,  # type: ignore[attr-defined]
        diff.position_b,  # type: ignore[attr-defined]
        diff.changes,  # type: ignore[attr-defined]
        dict(diff.events),  # type: ignore[attr-defined]
    )


@given(
    batches=histories(max_events=25).map(_without_publication_times),
    steps=st.lists(st.sampled_from([0, 0, 1, 60]), min_size=30, max_size=30),
    data=st.data(),
)
def test_without_publication_times_published_by_is_known_at(
    batches: list[list[Event]], steps: list[int], data: st.DataObject
) -> None:
    ledger, times = _record(batches, steps)
    with ledger:
        points = sorted({*times, *(t - timedelta(microseconds=1) for t in times)})
        valid_at = data.draw(st.none() | st.sampled_from(points))
        reading = data.draw(st.sampled_from(list(Reading)))
        for incident_id in ledger.incident_ids():
            whole = ledger.history(incident_id)
            for r in points:
                known = _answer(ledger.incident, incident_id, valid_at, r, reading=reading)
                published = _answer(
                    ledger.incident, incident_id, valid_at, reading=reading, published_by=r
                )
                assert published == known
                if known is not UnknownIncidentError:
                    history = ledger.history(incident_id, published_by=r)
                    assert list(history) == [e for e in whole if e.recorded_at <= r]
            for i, ra in enumerate(points):
                for rb in points[i:]:
                    by_known = _answer(ledger.diff, incident_id, ra, rb)
                    by_published = _answer(
                        ledger.diff, incident_id, published_by_a=ra, published_by_b=rb
                    )
                    assert _diff_facts(by_published) == _diff_facts(by_known)
        r = data.draw(st.sampled_from(points))
        window = (valid_at, None)
        assert ledger.incidents(window, published_by=r, reading=reading) == ledger.incidents(
            window, r, reading=reading
        )


@given(
    batches=histories(max_events=25),
    steps=st.lists(st.sampled_from([0, 1, 3600]), min_size=30, max_size=30),
    data=st.data(),
)
def test_a_source_published_later_never_contributes(
    batches: list[list[Event]], steps: list[int], data: st.DataObject
) -> None:
    ledger, times = _record(batches, steps)
    with ledger:
        for incident_id in ledger.incident_ids():
            records = list(ledger.events(incident_id))
            # Around every publication and recording time.
            edges = {*times} | {
                r.event.published_at
                for r in records
                if isinstance(r.event, SourceRegistered) and r.event.published_at is not None
            }
            points = sorted({t + timedelta(microseconds=d) for t in edges for d in (-1, 0)})
            published_by = data.draw(st.sampled_from(points))
            late = _late_sources(records, published_by)
            undated = _undated_sources(records)
            from_late = {r.event_id for r in records if r.source_id in late}
            recorded_late = {
                r.event_id
                for r in records
                if r.source_id in undated and r.recorded_at > published_by
            }
            expected = fold([r for r in records if r.event_id not in from_late | recorded_late])
            answer = _answer(ledger.incident, incident_id, published_by=published_by)
            if expected is None:
                assert answer is UnknownIncidentError
                continue
            assert answer == expected
            assert isinstance(answer, Incident)
            assert not late & {s.id for s in answer.sources}
            facts = (*answer.aircraft, *answer.patrols, *answer.intercepts, *answer.statements)
            assert not late & {f.source_id for f in facts}
            applied = {c for f in (*facts, *answer.sources) for c in f.corrections}
            assert not from_late & applied


# The generated histories never correct published_at: the registrations say it.


def _late_sources(records: list[Recorded], published_by: datetime) -> set[UUID]:
    """The sources published after *published_by*."""
    return {
        r.event.source_id
        for r in records
        if isinstance(r.event, SourceRegistered)
        and r.event.published_at is not None
        and r.event.published_at > published_by
    }


def _undated_sources(records: list[Recorded]) -> set[UUID]:
    """The sources without a publication time."""
    return {
        r.event.source_id
        for r in records
        if isinstance(r.event, SourceRegistered) and r.event.published_at is None
    }


def test_a_correction_published_before_its_target_waits_for_it(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    i = uuid4()
    early = SourceRegistered(
        incident_id=i, kind=SourceKind.NEWS_ARTICLE, publisher="wire", published_at=EVENT
    )
    late = SourceRegistered(
        incident_id=i, kind=SourceKind.PRESS_RELEASE, publisher="ministry", published_at=WEEK_AFTER
    )
    opened = IncidentOpened(incident_id=i, source_id=early.source_id, title="Out of order")
    count = AircraftReported(
        incident_id=i,
        source_id=late.source_id,
        type_designation="H-6",
        nation="CN",
        valid_time=PATROL_DAY,
    )
    # Recorded in this order, though the wire's correction was public first.
    fix = Correction.of(count, source_id=early.source_id, reason="two", count=2)
    ledger.record(opened, early, late, count, fix)
    assert ledger.incident(i, published_by=DAY_AFTER).aircraft == ()
    assert [
        (a.count, a.corrections) for a in ledger.incident(i, published_by=WEEK_AFTER).aircraft
    ] == [(2, (fix.event_id,))]
    diff = ledger.diff(i, published_by_a=DAY_AFTER, published_by_b=WEEK_AFTER)
    source, added = diff.changes
    assert (source.kind, source.fact_id) == (FactChangeKind.ADDED, late.source_id)
    assert (added.kind, added.fact_id, added.after.count) == (  # type: ignore[union-attr]
        FactChangeKind.ADDED,
        count.event_id,
        2,
    )
    # The correction counted on both sides: only the fact's arrival made the difference.
    assert added.by == (count.event_id,)
    assert diff.events == {}


def test_a_retraction_and_its_retraction_published_on_different_days(
    backfill: Backfill,
) -> None:
    i, jcs, a50 = backfill.id, backfill.jcs, backfill.a50
    second_day = SourceRegistered(
        incident_id=i,
        kind=SourceKind.PRESS_RELEASE,
        publisher="South Korea JCS",
        published_at=EVENT + timedelta(days=2),
    )
    fourth_day = SourceRegistered(
        incident_id=i,
        kind=SourceKind.PRESS_RELEASE,
        publisher="South Korea JCS",
        published_at=EVENT + timedelta(days=4),
    )
    withdrawn = Retraction(
        incident_id=i, source_id=second_day.source_id, target_id=a50.event_id, reason="unsure"
    )
    restored = Retraction(
        incident_id=i,
        source_id=fourth_day.source_id,
        target_id=withdrawn.event_id,
        reason="confirmed after all",
    )
    backfill.ledger.record(second_day, fourth_day, withdrawn, restored)
    backfill.clock.set(TODAY + timedelta(days=1))
    diff = backfill.ledger.diff
    day = [EVENT + timedelta(days=d, hours=12) for d in range(5)]
    retracted = diff(i, published_by_a=day[1], published_by_b=day[2])
    assert [(c.kind, c.fact_id, c.by) for c in retracted.changes if c.fact_id == a50.event_id] == [
        (FactChangeKind.RETRACTED, a50.event_id, (withdrawn.event_id,))
    ]
    back = diff(i, published_by_a=day[2], published_by_b=day[4])
    assert [(c.kind, c.by) for c in back.changes if c.fact_id == a50.event_id] == [
        (FactChangeKind.RESTORED, (restored.event_id,))
    ]
    assert backfill.state(published_by=day[3]).retracted == (a50.event_id,)
    assert jcs.source_id in {s.id for s in backfill.state(published_by=day[3]).sources}


def test_a_source_published_later_than_thought_takes_its_facts_out(backfill: Backfill) -> None:
    ledger, clock = backfill.ledger, backfill.clock
    later = Correction.of(
        backfill.mod,
        source_id=backfill.jcs.source_id,
        reason="the statement came out a week later",
        published_at=WEEK_AFTER,
    )
    clock.set(TODAY + timedelta(days=1))
    corrected_at = ledger.record(later).recorded_at
    clock.set(TODAY + timedelta(days=2))
    diff = ledger.diff(
        backfill.id,
        TODAY,
        corrected_at,
        published_by_a=DAY_AFTER,
        published_by_b=DAY_AFTER,
    )
    assert [(c.kind, c.fact_type) for c in diff.changes] == [
        (FactChangeKind.RETRACTED, "source-registered"),
        (FactChangeKind.RETRACTED, "statement-issued"),
    ]
    assert backfill.state(published_by=DAY_AFTER).statements == ()
