"""
Time travel against a deliberately naive reference model, as a hypothesis state machine.

The machine records random facts (statements with typed claims among them),
analysts' assessments of anything recorded, corrections (also of corrections
and of assessments) and retractions (also of corrections and of retractions)
with random valid times, in random batches, while the ledger's clock advances by random steps
(zero included, so batches share recording times). At any point it asks
``ledger.incident(id, valid_at, known_at, reading=...)`` for random pairs and
compares the answer with a model that knows nothing of bitemporal indexes or
snapshots: keep the events recorded by ``known_at``, fold them from
scratch with the rules written out plainly below, filter by valid time, sort.
It also checks ``diff`` against the model's two states, and that a second,
cold ledger on the same storage (replaying the snapshots the first one
wrote) answers the same.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from incidents import (
    AircraftReported,
    AssessmentMade,
    Claim,
    Correction,
    Count,
    Credibility,
    Event,
    FactChangeKind,
    FixedClock,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    InvalidInputError,
    Ledger,
    Reading,
    Recorded,
    ReportsReconciled,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    UnknownIncidentError,
    ValidTime,
)
from incidents._codec.canonical import apply_changes, converter
from incidents._domain.state import fold
from incidents._timetravel.index import Index
from incidents._timetravel.service import TimeTravel
from support.backends import fresh_postgres_url, require_postgres
from support.histories import propositions

START = datetime(2024, 7, 25, 12, tzinfo=UTC)
BASE = datetime(2024, 7, 24, tzinfo=UTC)
FACTS = (AircraftReported, StatementIssued, InterceptReported, SourceRegistered, AssessmentMade)
FACTS = (
    AircraftReported,
    StatementIssued,
    InterceptReported,
    SourceRegistered,
    ReportsReconciled,
)

# A small pool of valid times around one day, so that queries land on their edges.
valid_times = st.one_of(
    st.integers(0, 72).map(lambda h: ValidTime.instant(BASE + timedelta(hours=h))),
    st.integers(0, 72).map(lambda h: ValidTime.hour(BASE + timedelta(hours=h))),
    st.tuples(
        st.sampled_from(["2024-07-23", "2024-07-24", "2024-07-25", "2024-07-26"]),
        st.sampled_from(["UTC", "America/Anchorage", "Asia/Shanghai"]),
    ).map(lambda d: ValidTime.day(d[0], tz=d[1])),
    st.tuples(st.integers(0, 60), st.integers(0, 30)).map(
        lambda s: ValidTime.span(BASE + timedelta(hours=s[0]), BASE + timedelta(hours=s[0] + s[1]))
    ),
    st.just(ValidTime.unknown()),
)
type_designations = st.sampled_from(["H-6", "H-6K", "Tu-95", "Su-35", "Y-8"])
counts = st.one_of(
    st.integers(1, 4),
    st.integers(1, 4).map(Count.at_least),
    st.tuples(st.integers(1, 3), st.integers(1, 2)).map(lambda p: Count.between(p[0], p[0] + p[1])),
    st.just(Count.unknown()),
)
names = st.sampled_from(["Chen Xiaogang", "Zhang Xiaogang", "Wu Qian", "Tan Kefei"])
clock_steps = st.sampled_from(
    [timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(hours=1)]
)


# -- the naive reference model ------------------------------------------------------------


def naive_state(
    records: list[Recorded], known_at: datetime, valid_at: datetime | None, reading: Reading
) -> dict[str, Any] | None:
    """The incident as known at *known_at*, folded from scratch, as plain data."""
    known = [r.event for r in records if r.recorded_at <= known_at]
    if not known:
        return None
    position = {e.event_id: i for i, e in enumerate(known, start=1)}
    by_id = {e.event_id: e for e in known}

    def withdrawn(event_id: UUID) -> bool:
        return any(
            isinstance(e, Retraction) and e.target_id == event_id and not withdrawn(e.event_id)
            for e in known
        )

    def effective(event_id: UUID) -> tuple[Event, tuple[UUID, ...]]:
        value = by_id[event_id]
        applied: list[UUID] = []
        for e in known:
            if isinstance(e, Correction) and e.target_id == event_id and not withdrawn(e.event_id):
                correction = effective(e.event_id)[0]
                assert isinstance(correction, Correction)
                try:
                    value = apply_changes(value, correction.changes)
                except InvalidInputError:
                    continue
                applied.append(e.event_id)
        return value, tuple(applied)

    def in_effect(valid_time: ValidTime) -> bool:
        if valid_at is None:
            return True
        if reading is Reading.CERTAINLY:
            return valid_time.latest is not None and valid_time.latest <= valid_at
        return valid_time.earliest is None or valid_time.earliest <= valid_at

    def order(item: tuple[Any, ...]) -> tuple[Any, ...]:
        valid_time: ValidTime = item[-2]
        if valid_time.earliest is None:
            return (1, 0, 0, position[item[0]])
        return (0, valid_time.earliest, valid_time.latest, position[item[0]])

    state: dict[str, Any] = {
        "sources": [],
        "aircraft": [],
        "intercepts": [],
        "statements": [],
        "assessments": [],
        "reconciliations": [],
        "retracted": [e.event_id for e in known if withdrawn(e.event_id)],
        "last_position": len(known),
    }
    for e in known:
        if isinstance(e, Correction | Retraction) or withdrawn(e.event_id):
            continue
        value, applied = effective(e.event_id)
        if isinstance(value, IncidentOpened):
            state["title"] = value.title
            state["title_corrections"] = applied
        elif isinstance(value, SourceRegistered):
            state["sources"].append((value.event_id, value.publisher, applied))
        elif isinstance(value, AssessmentMade):
            # Undated, like sources: in recording order, whatever the valid time asked.
            state["assessments"].append(
                (e.event_id, value.target_id, value.claim_id, value.credibility, applied)
            )
        elif isinstance(value, ReportsReconciled):  # no valid time: stands at any
            state["reconciliations"].append((e.event_id, value.reports, value.same, applied))
        elif in_effect(value.valid_time):  # type: ignore[attr-defined]
            if isinstance(value, AircraftReported):
                item = (e.event_id, value.type_designation, value.count, value.valid_time)
                state["aircraft"].append((*item, applied))
            elif isinstance(value, InterceptReported):
                state["intercepts"].append(
                    (e.event_id, value.intercepted, value.valid_time, applied)
                )
            elif isinstance(value, StatementIssued):
                state["statements"].append((e.event_id, value.speaker, value.valid_time, applied))
    for kind in ("aircraft", "intercepts", "statements"):
        state[kind].sort(key=order)
    return state


def summary(incident: Any) -> dict[str, Any]:
    """The library's answer, as the same plain data."""
    return {
        "title": incident.title,
        "sources": [(s.id, s.publisher, s.corrections) for s in incident.sources],
        "aircraft": [
            (a.id, a.type_designation, a.count, a.valid_time, a.corrections)
            for a in incident.aircraft
        ],
        "intercepts": [
            (i.id, i.intercepted, i.valid_time, i.corrections) for i in incident.intercepts
        ],
        "statements": [(s.id, s.speaker, s.valid_time, s.corrections) for s in incident.statements],
        "assessments": [
            (a.id, a.target_id, a.claim_id, a.credibility, a.corrections)
            for a in incident.assessments
        ],
        "reconciliations": [
            (r.id, r.reports, r.same, r.corrections) for r in incident.reconciliations
        ],
        "retracted": list(incident.retracted),
        "last_position": incident.last_position,
    }


# -- the machine --------------------------------------------------------------------------


class TimeTravelMachine(RuleBasedStateMachine):
    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="incidents-stateful-")
        self.clock = FixedClock(START)
        self.target = self._target()
        self.ledger = Ledger.open(self.target, clock=self.clock, recorder="machine")
        self.records: list[Recorded] = []
        self.incident_id = UUID(int=1)
        self.source_ids: list[UUID] = []
        self.saved_limit = Index.pending_limit
        self.saved_relocate = Index.relocate_from
        self.saved_every = TimeTravel.snapshot_every

    def _target(self) -> str:
        if self.backend == "memory":
            return ":memory:"
        if self.backend == "sqlite":
            return f"{self.folder}/ledger.db"
        return fresh_postgres_url()

    def teardown(self) -> None:
        Index.pending_limit = self.saved_limit
        Index.relocate_from = self.saved_relocate
        TimeTravel.snapshot_every = self.saved_every
        drop = getattr(self.ledger.store, "drop", None)
        if drop is not None:
            drop()
        self.ledger.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def record(self, *events: Event) -> None:
        self.records.extend(self.ledger.record(*events))

    def event(self, event_id: UUID) -> Event:
        return next(r.event for r in self.records if r.event_id == event_id)

    @initialize(
        pending_limit=st.sampled_from([0, 2, 64]),
        relocate_from=st.sampled_from([0, 4096]),
        snapshot_every=st.sampled_from([1, 3, 1000]),
        step=clock_steps,
    )
    def open_incident(
        self, pending_limit: int, relocate_from: int, snapshot_every: int, step: timedelta
    ) -> None:
        # Exercise the compiled and the pending paths of the indexes, objects
        # relocated in key order or left where they were built, and snapshots.
        Index.pending_limit = pending_limit
        Index.relocate_from = relocate_from
        TimeTravel.snapshot_every = snapshot_every
        self.ledger._time_travel.snapshot_every = snapshot_every
        source = SourceRegistered(
            incident_id=self.incident_id, kind=SourceKind.NEWS_ARTICLE, publisher="first"
        )
        self.source_ids.append(source.source_id)
        self.clock.set(START + step)
        self.record(
            IncidentOpened(
                incident_id=self.incident_id, source_id=source.source_id, title="an incident"
            ),
            source,
        )

    @rule(step=clock_steps)
    def advance_clock(self, step: timedelta) -> None:
        self.clock.set(self.clock() + step)

    @rule(data=st.data(), count=st.integers(1, 3))
    def record_facts(self, data: st.DataObject, count: int) -> None:
        batch: list[Event] = []
        for _ in range(count):
            source_id = data.draw(st.sampled_from(self.source_ids))
            kind = data.draw(st.sampled_from(FACTS))
            aircraft = [
                r.event_id for r in self.records if isinstance(r.event, AircraftReported)
            ] + [e.event_id for e in batch if isinstance(e, AircraftReported)]
            if kind is InterceptReported and not aircraft:
                kind = AircraftReported
            if kind is ReportsReconciled and len(aircraft) < 2:
                kind = AircraftReported
            common = {"incident_id": self.incident_id, "source_id": source_id}
            if kind is AircraftReported:
                event: Event = AircraftReported(
                    **common,
                    type_designation=data.draw(type_designations),
                    nation="CN",
                    count=data.draw(counts),
                    valid_time=data.draw(valid_times),
                )
            elif kind is ReportsReconciled:
                event = ReportsReconciled(
                    **common,
                    reports=data.draw(
                        st.lists(st.sampled_from(aircraft), min_size=2, max_size=3, unique=True)
                    ),
                    same=data.draw(st.booleans()),
                    reason="an analyst's reading",
                )
            elif kind is StatementIssued:
                event = StatementIssued(
                    **common,
                    speaker=Speaker(name=data.draw(names)),
                    medium="statement",
                    claims=[
                        Claim(stance=Stance.AFFIRMS, text="typed", proposition=p)
                        for p in data.draw(st.lists(propositions(), max_size=2))
                    ],
                    valid_time=data.draw(valid_times),
                )
            elif kind is AssessmentMade:
                recorded = [r.event for r in self.records] + batch
                target = data.draw(st.sampled_from(recorded))
                claims = target.claim_ids() if isinstance(target, StatementIssued) else ()
                event = AssessmentMade(
                    **common,
                    target_id=target.event_id,
                    claim_id=data.draw(st.sampled_from([None, *claims])),
                    credibility=data.draw(st.sampled_from(Credibility)),
                    reasoning="judged",
                )
            elif kind is InterceptReported:
                event = InterceptReported(
                    **common,
                    interceptors=(Interceptor(nation="US"),),
                    intercepted=(data.draw(st.sampled_from(aircraft)),),
                    valid_time=data.draw(valid_times),
                )
            else:
                event = SourceRegistered(
                    incident_id=self.incident_id,
                    kind=SourceKind.PRESS_RELEASE,
                    publisher=f"source {len(self.source_ids) + 1}",
                )
                self.source_ids.append(event.source_id)
            batch.append(event)
        self.record(*batch)

    def _changes_for(self, data: st.DataObject, target: Event) -> dict[str, Any]:
        if isinstance(target, Correction):
            return {"changes": self._changes_for(data, self.event(target.target_id))}
        if isinstance(target, IncidentOpened):
            return {"title": data.draw(st.sampled_from(["renamed", "renamed again"]))}
        if isinstance(target, SourceRegistered):
            return {"publisher": data.draw(st.sampled_from(["NORAD", "RIA Novosti"]))}
        if isinstance(target, AssessmentMade):
            return {"credibility": data.draw(st.sampled_from([1, 4, 6]))}
        if isinstance(target, StatementIssued):
            field = data.draw(st.sampled_from(["speaker", "valid_time"]))
            value: Any = (
                Speaker(name=data.draw(names)) if field == "speaker" else data.draw(valid_times)
            )
        elif isinstance(target, InterceptReported):
            field, value = "valid_time", data.draw(valid_times)
        elif isinstance(target, ReportsReconciled):
            field = data.draw(st.sampled_from(["same", "reason"]))
            value = data.draw(st.booleans()) if field == "same" else "on reflection"
        else:
            assert isinstance(target, AircraftReported)
            field = data.draw(st.sampled_from(["count", "valid_time", "type_designation"]))
            value = {
                "count": counts,
                "valid_time": valid_times,
                "type_designation": type_designations,
            }[field]
            value = data.draw(value)
        return {field: converter.unstructure(value, type(value))}

    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        targets = [r.event for r in self.records if not isinstance(r.event, Retraction)]
        target = data.draw(st.sampled_from(targets))
        changes = self._changes_for(data, target)
        correction = Correction(
            incident_id=self.incident_id,
            source_id=data.draw(st.sampled_from(self.source_ids)),
            target_id=target.event_id,
            changes=changes,
            reason="a better source",
        )
        self.record(correction)

    @rule(data=st.data())
    def retract(self, data: st.DataObject) -> None:
        targets = [r.event for r in self.records if not isinstance(r.event, IncidentOpened)]
        target = data.draw(st.sampled_from(targets))
        self.record(
            Retraction(
                incident_id=self.incident_id,
                source_id=data.draw(st.sampled_from(self.source_ids)),
                target_id=target.event_id,
                reason="withdrawn",
            )
        )

    # -- questions ----------------------------------------------------------------------

    def known_ats(self) -> st.SearchStrategy[datetime]:
        times = sorted({r.recorded_at for r in self.records})
        tiny = timedelta(microseconds=1)
        candidates = [*times, *(t - tiny for t in times), *(t + tiny for t in times)]
        candidates += [START - timedelta(days=1), self.clock()]
        return st.sampled_from([t for t in candidates if t <= self.clock()])

    def valid_ats(self) -> st.SearchStrategy[datetime | None]:
        edges: set[datetime] = set()
        for r in self.records:
            valid_time = getattr(r.event, "valid_time", None)
            if valid_time is not None and valid_time.earliest is not None:
                edges |= {valid_time.earliest, valid_time.latest}
        tiny = timedelta(microseconds=1)
        near = sorted(edges | {t - tiny for t in edges} | {t + tiny for t in edges})
        return (
            st.none()
            | st.sampled_from(near or [BASE])
            | st.datetimes(
                min_value=datetime(2024, 7, 22),
                max_value=datetime(2024, 7, 28),
                timezones=st.just(UTC),
            )
        )

    def check_state(self, ledger: Ledger, data: st.DataObject) -> None:
        known_at = data.draw(self.known_ats(), label="known_at")
        valid_at = data.draw(self.valid_ats(), label="valid_at")
        reading = data.draw(st.sampled_from(Reading), label="reading")
        expected = naive_state(self.records, known_at, valid_at, reading)
        if expected is None:
            with pytest.raises(UnknownIncidentError):
                ledger.incident(self.incident_id, valid_at, known_at, reading=reading)
            return
        state = ledger.incident(self.incident_id, valid_at, known_at, reading=reading)
        del expected["title_corrections"]  # the header keeps no list of its corrections
        assert expected == summary(state)
        known = [r for r in self.records if r.recorded_at <= known_at]
        folded = fold(known, valid_at=valid_at, reading=reading)
        assert folded == state
        # The groups are worked out from the state: the same from either fold.
        assert folded is not None
        assert folded.aircraft_groups == state.aircraft_groups
        grouped = sorted(r for g in state.aircraft_groups for r in g.reports)
        assert grouped == sorted(a.id for a in state.aircraft)

    @rule(data=st.data())
    def ask(self, data: st.DataObject) -> None:
        self.check_state(self.ledger, data)

    def cold(self) -> Ledger:
        """A second ledger on the same storage: nothing in memory, snapshots replayed."""
        if self.backend == "memory":
            cold = Ledger(self.ledger.store, clock=self.clock, recorder="machine")
        else:
            cold = Ledger.open(self.target, clock=self.clock, recorder="machine")
        cold._time_travel.snapshot_every = TimeTravel.snapshot_every
        return cold

    @rule(data=st.data())
    def ask_a_cold_ledger(self, data: st.DataObject) -> None:
        cold = self.cold()
        try:
            self.check_state(cold, data)
            self.check_state(cold, data)
        finally:
            if self.backend != "memory":
                cold.close()

    @rule()
    def restart(self) -> None:
        # Go on with a cold ledger: its folds replay snapshots and read the
        # corrections they skipped from storage only when a retraction needs them.
        cold = self.cold()
        if self.backend != "memory":
            self.ledger.close()
        self.ledger = cold

    @rule(data=st.data())
    def ask_for_a_diff(self, data: st.DataObject) -> None:
        a = data.draw(self.known_ats(), label="a")
        b = data.draw(self.known_ats().filter(lambda t: t >= a), label="b")
        if naive_state(self.records, b, None, Reading.POSSIBLY) is None:
            with pytest.raises(UnknownIncidentError):
                self.ledger.diff(self.incident_id, a, b)
            return
        diff = self.ledger.diff(self.incident_id, a, b)
        before, after = self._fact_values(a), self._fact_values(b)
        expected = {}
        for fact_id in before.keys() | after.keys():
            old, new = before.get(fact_id), after.get(fact_id)
            if old == new:
                continue
            if old is None:
                existed = fact_id in self._recorded_ids(a)
                expected[fact_id] = FactChangeKind.RESTORED if existed else FactChangeKind.ADDED
            elif new is None:
                expected[fact_id] = FactChangeKind.RETRACTED
            else:
                expected[fact_id] = FactChangeKind.CORRECTED
        assert expected == {c.fact_id: c.kind for c in diff.changes}
        assert [c.fact_position for c in diff.changes] == sorted(
            c.fact_position for c in diff.changes
        )
        assert str(diff)

    def _recorded_ids(self, known_at: datetime) -> set[UUID]:
        return {r.event_id for r in self.records if r.recorded_at <= known_at}

    def _fact_values(self, known_at: datetime) -> dict[UUID, Any]:
        state = naive_state(self.records, known_at, None, Reading.POSSIBLY)
        if state is None:
            return {}
        values: dict[UUID, Any] = {}
        for kind in (
            "sources",
            "aircraft",
            "intercepts",
            "statements",
            "assessments",
            "reconciliations",
        ):
            for item in state[kind]:
                values[item[0]] = item
        opened = next(r.event_id for r in self.records if isinstance(r.event, IncidentOpened))
        values[opened] = (state["title"], state["title_corrections"])
        return values

    @invariant()
    def history_follows_the_record(self) -> None:
        if not self.records:
            return
        history = self.ledger.history(self.incident_id)
        assert [e.position for e in history] == [r.position for r in self.records]
        assert [e.event for e in history] == [r.event for r in self.records]
        for entry in history:
            if isinstance(entry.event, Correction):
                assert entry.target_id == entry.event.target_id
                assert [c.field for c in entry.changes] == list(entry.event.changes)
                assert [c.after for c in entry.changes] == list(entry.event.changes.values())


class SQLiteTimeTravelMachine(TimeTravelMachine):
    backend = "sqlite"


class PostgresTimeTravelMachine(TimeTravelMachine):
    backend = "postgres"


# Example counts come from the hypothesis profile (fast locally, thorough in CI).
STEPS = settings(stateful_step_count=25)
TimeTravelMachine.TestCase.settings = STEPS
SQLiteTimeTravelMachine.TestCase.settings = STEPS

TestTimeTravelInMemory = TimeTravelMachine.TestCase
TestTimeTravelOnSQLite = SQLiteTimeTravelMachine.TestCase


@pytest.mark.postgres
def test_time_travel_on_postgres() -> None:
    # Each example creates a schema: fewer examples, the same rules.
    require_postgres()
    examples = max(5, settings().max_examples // 4)
    run_state_machine_as_test(
        PostgresTimeTravelMachine,
        settings=settings(max_examples=examples, stateful_step_count=15),
    )
