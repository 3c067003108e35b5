"""
Several accounts of one event: reports of the same aircraft are reconciled, never added up.

By default reports of one nation and one type family are the same aircraft;
``ReportsReconciled`` splits them (``same=False``) or joins them across
families (``same=True``), the later recorded winning; each group gets one
figure, from its best-graded report, clipped into what all its reports allow.
"""

from __future__ import annotations

import itertools
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    AircraftReported,
    Correction,
    Count,
    Credibility,
    Event,
    FixedClock,
    Incident,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    Recorded,
    Reliability,
    ReportsReconciled,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    UnknownEventError,
    ValidTime,
    default_catalogue,
    examples,
    fold,
)
from incidents._domain.words import render_incident

DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")
NEXT_DAY = ValidTime.day("2024-07-26", tz="America/Anchorage")
START = datetime(2024, 7, 25, 12, tzinfo=UTC)


class Story:
    """An incident written event by event, folded on demand."""

    def __init__(self) -> None:
        self.incident = uuid.uuid4()
        self.note = uuid.uuid4()  # the analyst's own note is a source like any other
        self.events: list[Event] = [
            IncidentOpened(incident_id=self.incident, source_id=self.note, title="Patrol"),
            SourceRegistered(
                incident_id=self.incident,
                source_id=self.note,
                kind=SourceKind.TRANSCRIPT,
                publisher="analyst's note",
                reliability=Reliability.B,
                credibility=Credibility.PROBABLY_TRUE,
            ),
        ]

    def source(self, publisher: str, reliability: Reliability, credibility: Credibility) -> UUID:
        source = SourceRegistered(
            incident_id=self.incident,
            kind=SourceKind.PRESS_RELEASE,
            publisher=publisher,
            reliability=reliability,
            credibility=credibility,
        )
        self.events.append(source)
        return source.source_id

    def seen(
        self,
        source: UUID,
        designation: str,
        count: Count | int,
        nation: str = "CN",
        valid_time: ValidTime = DAY,
    ) -> UUID:
        report = AircraftReported(
            incident_id=self.incident,
            source_id=source,
            type_designation=designation,
            nation=nation,
            count=count,
            valid_time=valid_time,
        )
        self.events.append(report)
        return report.event_id

    def reconcile(self, *reports: UUID, same: bool) -> ReportsReconciled:
        event = ReportsReconciled(
            incident_id=self.incident,
            source_id=self.note,
            reports=reports,
            same=same,
            reason="the analyst's reading",
        )
        self.events.append(event)
        return event

    def records(self) -> list[Recorded]:
        return [
            Recorded(
                event=e,
                sequence=i,
                position=i,
                recorded_at=START + timedelta(seconds=i),
                recorder="t",
            )
            for i, e in enumerate(self.events, start=1)
        ]

    def state(self, valid_at: datetime | None = None) -> Incident:
        state = fold(self.records(), valid_at=valid_at)
        assert state is not None
        return state


def groups(state: Incident) -> list[set[UUID]]:
    return [set(g.reports) for g in state.aircraft_groups]


# -- the default grouping ----------------------------------------------------------------------


def test_reports_of_one_nation_and_family_are_the_same_aircraft() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    mnd = story.source("MND", Reliability.B, Credibility.POSSIBLY_TRUE)
    h6 = story.seen(norad, "H-6", 2)
    h6k = story.seen(mnd, "H-6K", 2)
    tu95 = story.seen(norad, "Tu-95", 2, nation="RU")
    a50 = story.seen(mnd, "A-50", 1, nation="RU")
    state = story.state()

    assert len(state.aircraft) == 4  # every report is kept
    assert groups(state) == [{h6, h6k}, {a50}, {tu95}]
    assert state.aircraft_count == 5
    assert state.aircraft_by_nation() == {"CN": {"H-6": 2}, "RU": {"A-50": 1, "Tu-95": 2}}
    (chinese, _, _) = state.aircraft_groups
    assert (chinese.family, chinese.designations, chinese.figure) == ("H-6", ("H-6", "H-6K"), 2)
    assert chinese.span == Count.exact(2)
    assert [(a.source_id, a.count) for a in chinese.accounts] == [(norad, 2), (mnd, 2)]


def test_the_same_type_of_two_nations_is_two_groups() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    story.seen(norad, "Su-35", 2, nation="RU")
    story.seen(norad, "Su-35", 4, nation="CN")
    state = story.state()
    assert state.aircraft_by_nation() == {"CN": {"Su-35": 4}, "RU": {"Su-35": 2}}


def test_a_designation_the_catalogue_does_not_know_is_a_family_of_its_own() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    story.seen(norad, "bombers", Count.unknown())
    story.seen(norad, "H-6K", 2)
    assert default_catalogue().family_of("bombers") is None
    assert story.state().aircraft_by_nation() == {"CN": {"H-6": 2, "bombers": 1}}


# -- unknown counts and the figure ---------------------------------------------------------------


def test_an_unknown_count_is_at_least_one() -> None:
    story = Story()
    article = story.source("article", Reliability.F, Credibility.CANNOT_BE_JUDGED)
    story.seen(article, "H-6K", Count.unknown())
    (group,) = story.state().aircraft_groups
    assert (group.figure, group.span) == (1, Count.unknown())
    assert "no report gives a number" in render_incident(story.state())


def test_a_number_beats_an_unknown_count_whatever_the_grades() -> None:
    story = Story()
    best = story.source("MND transcript", Reliability.A, Credibility.CONFIRMED)
    worst = story.source("a post", Reliability.E, Credibility.CANNOT_BE_JUDGED)
    story.seen(best, "H-6", Count.unknown())
    story.seen(worst, "H-6K", 2)
    (group,) = story.state().aircraft_groups
    # The best source allows any number from 1: clipped into what both allow.
    assert (group.figure, group.span) == (2, Count.at_least(1))


def test_the_best_graded_source_wins_when_the_reports_disagree() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    post = story.source("a post", Reliability.E, Credibility.CANNOT_BE_JUDGED)
    story.seen(post, "H-6K", 4)
    story.seen(norad, "H-6", 2)
    (group,) = story.state().aircraft_groups
    assert (group.figure, group.span) == (2, Count.between(2, 4))
    assert "the reports say 2 to 4" in render_incident(story.state())


def test_credibility_decides_between_sources_of_one_reliability() -> None:
    story = Story()
    sure = story.source("NORAD", Reliability.B, Credibility.CONFIRMED)
    unsure = story.source("MND", Reliability.B, Credibility.DOUBTFUL)
    story.seen(sure, "H-6K", 3)
    story.seen(unsure, "H-6", 2)
    assert story.state().aircraft_groups[0].figure == 3


def test_the_figure_is_clipped_into_what_every_report_allows() -> None:
    story = Story()
    best = story.source("NORAD", Reliability.A, Credibility.CONFIRMED)
    other = story.source("MND", Reliability.C, Credibility.POSSIBLY_TRUE)
    story.seen(best, "H-6", Count.between(2, 4))
    story.seen(other, "H-6K", 3)
    (group,) = story.state().aircraft_groups
    assert (group.figure, group.span) == (3, Count.between(2, 4))


def test_ties_go_to_the_narrowest_count_then_to_the_later_report() -> None:
    story = Story()
    one = story.source("one", Reliability.C, Credibility.POSSIBLY_TRUE)
    two = story.source("two", Reliability.C, Credibility.POSSIBLY_TRUE)
    story.seen(one, "H-6", 1)
    story.seen(two, "H-6K", Count.at_least(2))  # disagrees: no overlap
    assert story.state().aircraft_groups[0].figure == 1  # the narrower
    story.seen(two, "H-6N", 3)
    assert story.state().aircraft_groups[0].figure == 3  # as narrow, and later


# -- reconciliations -------------------------------------------------------------------------


def test_distinct_splits_and_same_merges_across_families() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    jso = story.source("JSO", Reliability.B, Credibility.PROBABLY_TRUE)
    first = story.seen(norad, "H-6K", 2)
    second = story.seen(jso, "H-6K", 2, valid_time=NEXT_DAY)
    bombers = story.seen(jso, "bombers", Count.unknown())
    assert story.state().aircraft_by_nation() == {"CN": {"H-6": 2, "bombers": 1}}

    story.reconcile(first, second, same=False)  # two pairs of bombers, two days apart
    state = story.state()
    assert groups(state) == [{first}, {second}, {bombers}]
    assert state.aircraft_by_nation() == {"CN": {"H-6": 4, "bombers": 1}}

    story.reconcile(bombers, second, same=True)  # "bombers, type not given" were those
    state = story.state()
    assert groups(state) == [{first}, {second, bombers}]
    assert state.aircraft_by_nation() == {"CN": {"H-6": 4}}
    assert state.aircraft_groups[1].designations == ("H-6K", "bombers")
    assert state.aircraft_count == 4
    text = render_incident(state)
    assert "Reconciliations (2):" in text
    assert "2 x H-6K (CN) and 2 x H-6K (CN) describe distinct aircraft" in text


def test_reports_of_different_nations_are_never_joined() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    h6 = story.seen(norad, "H-6", 2)
    tu95 = story.seen(norad, "Tu-95", 2, nation="RU")
    story.reconcile(h6, tu95, same=True)
    assert groups(story.state()) == [{h6}, {tu95}]


def test_the_later_reconciliation_wins() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    a = story.seen(norad, "H-6", 2)
    b = story.seen(norad, "H-6K", 2)
    c = story.seen(norad, "H-6N", 2)
    apart = story.reconcile(a, b, same=False)
    assert groups(story.state()) == [{a, c}, {b}]
    story.reconcile(a, b, c, same=True)
    assert groups(story.state()) == [{a, b, c}]
    # A correction changes what a reconciliation says, not where it ranks.
    story.events.append(Correction.of(apart, source_id=story.note, reason="r", same=True))
    assert groups(story.state()) == [{a, b, c}]
    later = story.reconcile(b, c, same=False)
    assert groups(story.state()) == [{a, b}, {c}]
    # Withdrawn, the later one no longer counts.
    story.events.append(
        Retraction(
            incident_id=story.incident, source_id=story.note, target_id=later.event_id, reason="r"
        )
    )
    assert groups(story.state()) == [{a, b, c}]


def test_a_reconciliation_of_reports_not_in_effect_leaves_them_out() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    a = story.seen(norad, "H-6K", 2)
    b = story.seen(norad, "H-6K", 2)
    c = story.seen(norad, "H-6K", 2, valid_time=NEXT_DAY)
    story.reconcile(a, b, c, same=False)
    assert len(story.state().aircraft_groups) == 3
    noon = datetime(2024, 7, 24, 20, tzinfo=UTC)
    assert groups(story.state(valid_at=noon)) == [{a}, {b}]


# -- recording ------------------------------------------------------------------------------


def test_a_reconciliation_is_recorded_corrected_and_retracted_like_any_fact() -> None:
    story = Story()
    norad = story.source("NORAD", Reliability.B, Credibility.PROBABLY_TRUE)
    a = story.seen(norad, "H-6K", 2)
    b = story.seen(norad, "H-6", 2)
    statement = StatementIssued(
        incident_id=story.incident,
        source_id=norad,
        speaker=Speaker(organization="NORAD"),
        medium="news release",
        valid_time=DAY,
    )
    story.events.append(statement)
    clock = FixedClock(START)
    with Ledger.open(":memory:", clock=clock) as ledger:
        ledger.record(*story.events)
        apart = ReportsReconciled(
            incident_id=story.incident, source_id=story.note, reports=(a, b), same=False, reason="r"
        )
        ledger.record(apart)
        assert ledger.incident(story.incident).aircraft_count == 4
        ledger.record(Correction.of(apart, source_id=story.note, reason="on reflection", same=True))
        assert ledger.incident(story.incident).aircraft_count == 2
        (reconciliation,) = ledger.incident(story.incident).reconciliations
        assert (reconciliation.same, len(reconciliation.corrections)) == (True, 1)
        history = str(ledger.history(story.incident))
        assert "describe distinct aircraft (r)" in history
        assert "same: False -> True" in history

        # What it points at is checked, and cannot be corrected.
        with pytest.raises(InvalidInputError, match="cannot refer to a statement-issued"):
            ledger.record(
                ReportsReconciled(
                    incident_id=story.incident,
                    source_id=story.note,
                    reports=(a, statement.event_id),
                    same=True,
                    reason="r",
                )
            )
        with pytest.raises(UnknownEventError):
            ledger.record(
                ReportsReconciled(
                    incident_id=story.incident,
                    source_id=story.note,
                    reports=(a, uuid.uuid4()),
                    same=True,
                    reason="r",
                )
            )
        with pytest.raises(InvalidInputError, match="cannot change reports"):
            Correction.of(apart, source_id=story.note, reason="r", reports=(b, a))
        ledger.record(
            Retraction(
                incident_id=story.incident,
                source_id=story.note,
                target_id=apart.event_id,
                reason="withdrawn",
            )
        )
        assert ledger.incident(story.incident).reconciliations == ()
        assert ledger.incident(story.incident).aircraft_count == 2


@pytest.mark.parametrize(
    ("reports", "message"),
    [
        ((), "at least two"),
        ((UUID(int=1),), "at least two"),
        ((UUID(int=1), UUID(int=1)), "each aircraft report once"),
        ((UUID(int=1), "x"), "must be UUID"),
    ],
)
def test_a_reconciliation_needs_two_reports_or_more(reports: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ReportsReconciled(
            incident_id=UUID(int=2), source_id=UUID(int=3), reports=reports, same=True, reason="r"
        )
    with pytest.raises(InvalidInputError, match="same must be bool"):
        ReportsReconciled(
            incident_id=UUID(int=2),
            source_id=UUID(int=3),
            reports=(UUID(int=1), UUID(int=4)),
            same="yes",  # type: ignore[arg-type]
            reason="r",
        )


def test_the_alaska_example_folds_to_one_figure_per_family() -> None:
    clock = FixedClock(examples.ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(":memory:", clock=clock) as ledger:
        for recorded_at, batch in examples.alaska_2024_batches():
            clock.set(recorded_at)
            ledger.record(*batch)
        state = ledger.incident(examples.ALASKA_2024)
        first_day = ledger.incident(
            examples.ALASKA_2024, known_at=examples.ALASKA_2024_PUBLISHED_AT
        )
    ids = examples.alaska_2024_ids()
    assert state.aircraft_by_nation() == {"CN": {"H-6": 2}, "RU": {"Tu-95": 2}}
    assert first_day.aircraft_by_nation() == state.aircraft_by_nation()
    assert [g.designations for g in state.aircraft_groups] == [
        ("H-6", "H-6K"),
        ("Tu-95", "Tu-95MS"),
    ]
    chinese = state.aircraft_groups[0]
    assert [a.source_id for a in chinese.accounts] == [
        ids["source/norad"],
        ids["source/china-mnd"],
    ]
    assert len(state.aircraft) == 4


# -- the properties, under any reconciliation ------------------------------------------------

TYPES = ("H-6", "H-6K", "Tu-95MS", "bombers", "Y-9")
GRADES = [(r, c) for r in (Reliability.A, Reliability.C, Reliability.F) for c in (1, 3, 6)]
COUNTS = st.one_of(
    st.integers(1, 4).map(Count.exact),
    st.integers(1, 4).map(Count.at_least),
    st.tuples(st.integers(1, 3), st.integers(1, 3)).map(lambda p: Count.between(p[0], p[0] + p[1])),
    st.just(Count.unknown()),
)


@st.composite
def reconciled_stories(draw: st.DrawFn) -> Story:
    """The same kind of reports, under random reconciliations, corrections and retractions."""
    story = Story()
    sources = [
        story.source(f"source {i}", *draw(st.sampled_from(GRADES)))
        for i in range(draw(st.integers(1, 3)))
    ]
    reports = [
        story.seen(
            draw(st.sampled_from(sources)),
            draw(st.sampled_from(TYPES)),
            draw(COUNTS),
            nation=draw(st.sampled_from(("CN", "RU"))),
        )
        for _ in range(draw(st.integers(2, 7)))
    ]
    said: list[Event] = []
    for _ in range(draw(st.integers(0, 8))):
        action = draw(st.sampled_from(("same", "distinct", "correct", "retract")))
        if action in ("same", "distinct") or not said:
            chosen = draw(st.lists(st.sampled_from(reports), min_size=2, max_size=4, unique=True))
            said.append(story.reconcile(*chosen, same=draw(st.booleans())))
        elif action == "correct":
            target = draw(st.sampled_from(said))
            if isinstance(target, ReportsReconciled):
                fix = Correction.of(
                    target, source_id=story.note, reason="r", same=draw(st.booleans())
                )
                story.events.append(fix)
                said.append(fix)
        else:
            gone = Retraction(
                incident_id=story.incident,
                source_id=story.note,
                target_id=draw(st.sampled_from(said)).event_id,
                reason="r",
            )
            story.events.append(gone)
            said.append(gone)
    return story


@given(reconciled_stories())
def test_figures_stay_within_what_the_reports_allow(story: Story) -> None:
    state = story.state()
    by_id = {a.id: a for a in state.aircraft}
    # Every report is in exactly one group, of one nation.
    assert sorted(r for g in state.aircraft_groups for r in g.reports) == sorted(by_id)
    for group in state.aircraft_groups:
        counts = [by_id[r].count for r in group.reports]
        assert {by_id[r].nation for r in group.reports} == {group.nation}
        assert [a.count for a in group.accounts] == counts
        highs = [c.high for c in counts]
        top = None if None in highs else max(h for h in highs if h is not None)
        assert group.span == Count(low=min(c.low for c in counts), high=top)
        # The figure lies within the range its reports give, and is no more
        # than the largest number all of them are sure of.
        assert group.span.contains(group.figure)
        assert group.figure <= max(c.low for c in counts)
    total = state.aircraft_count
    highs = [a.count.high for a in state.aircraft]
    most = math.inf if None in highs else sum(h for h in highs if h is not None)
    assert max(g.span.low for g in state.aircraft_groups) <= total <= most
    # Never more than adding up the reports would give.
    assert total <= sum(a.count.low for a in state.aircraft)
    assert sum(sum(n.values()) for n in state.aircraft_by_nation().values()) == total


@given(reconciled_stories())
def test_the_latest_reconciliation_holds_and_without_any_families_decide(story: Story) -> None:
    state = story.state()
    group_of = {r: i for i, g in enumerate(state.aircraft_groups) for r in g.reports}
    nation = {a.id: a.nation for a in state.aircraft}
    if state.reconciliations:
        latest = state.reconciliations[-1]
        for x, y in itertools.combinations(latest.reports, 2):
            if nation[x] == nation[y]:
                assert (group_of[x] == group_of[y]) is latest.same
    else:
        catalogue = default_catalogue()

        def key(report: UUID) -> tuple[str, str]:
            a = next(a for a in state.aircraft if a.id == report)
            return a.nation, catalogue.family_of(a.type_designation) or a.type_designation

        for x, y in itertools.combinations(group_of, 2):
            assert (group_of[x] == group_of[y]) is (key(x) == key(y))


@given(reconciled_stories())
def test_the_ledger_reconciles_as_the_fold_does(story: Story) -> None:
    clock = FixedClock(START)
    with Ledger.open(":memory:", clock=clock) as ledger:
        ledger.record(*story.events[:2])  # the opening, with the source it cites
        for event in story.events[2:]:
            clock.set(clock() + timedelta(seconds=1))
            ledger.record(event)
        state = ledger.incident(story.incident)
        folded = fold(ledger.events(story.incident))
    assert folded is not None
    assert state == folded
    assert state.aircraft_groups == folded.aircraft_groups
