"""Bulk work pauses the cyclic garbage collector and always gives it back as it found it."""

from __future__ import annotations

import gc
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from incidents import (
    AircraftReported,
    Bundle,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    ProjectionError,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    ValidTime,
)
from incidents._gc import AGE_FROM, BULK, Turns, paused_gc, set_gc_pauses
from incidents.projections import Change, Projection, ReadModel, handles, live, state_bytes


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def _bulk(ledger: Ledger, n: int) -> tuple[uuid.UUID, list[AircraftReported]]:
    incident_id = uuid.uuid4()
    source = SourceRegistered(incident_id=incident_id, kind=SourceKind.NEWS_ARTICLE, publisher="X")
    ledger.record(
        IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="t"), source
    )
    start = datetime(2024, 7, 24, tzinfo=UTC)
    return incident_id, [
        AircraftReported(
            incident_id=incident_id,
            source_id=source.source_id,
            type_designation="H-6K",
            nation="CN",
            valid_time=ValidTime.minute(start + timedelta(minutes=i)),
        )
        for i in range(n)
    ]


def test_pauses_nest_and_resume_only_at_the_outermost() -> None:
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_work_below_bulk_size_leaves_the_collector_alone() -> None:
    with paused_gc(BULK - 1):
        assert gc.isenabled()
    with paused_gc(BULK):
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_program_that_disabled_the_collector_keeps_it_disabled() -> None:
    gc.disable()
    with paused_gc():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_resumes_after_an_error() -> None:
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_pauses_from_two_threads_resume_when_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with paused_gc():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with paused_gc():
        pass
    assert not gc.isenabled()  # the other thread's pause still runs
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_large_batch_pauses_the_collector_and_gives_it_back() -> None:
    seen: list[bool] = []

    class Clock(SteppingClock):
        def __call__(self) -> datetime:
            seen.append(gc.isenabled())  # read inside record()
            return super().__call__()

    with Ledger.open(":memory:", clock=Clock(datetime(2024, 7, 25, tzinfo=UTC))) as ledger:
        incident_id, events = _bulk(ledger, BULK)
        seen.clear()
        ledger.record(*events)
        assert seen == [False]
        assert gc.isenabled()
        _, one = _bulk(ledger, 1)
        seen.clear()
        ledger.record(*one)  # small batches leave it alone
        assert seen == [True]
        # A batch refused for bad input gives the collector back too, and records nothing.
        _, more = _bulk(ledger, BULK)
        with pytest.raises(InvalidInputError):
            ledger.record(*more, *more[:1])
        assert gc.isenabled()
        assert len(list(ledger.events(incident_id))) == BULK + 2


def test_a_program_can_forbid_the_pauses(tmp_path: Path, pauses: list[bool]) -> None:
    before = set_gc_pauses(False)
    try:
        assert before is True
        path, clock, (incident_id,) = _ledger_file(tmp_path, BULK)  # a large batch
        with Ledger.open(path, clock=clock) as fresh:  # a cold read of a long incident
            incident = fresh.incident(incident_id)
            with paused_gc(), Turns() as turns:
                turns.step(BULK)
                assert gc.isenabled()
        assert pauses == []
        assert len(incident.aircraft) == BULK
    finally:
        assert set_gc_pauses(before) is False
    with paused_gc():
        assert not gc.isenabled()
    assert pauses == [True]


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was running each time something disabled it."""
    seen: list[bool] = []
    original = gc.disable

    def spy() -> None:
        seen.append(gc.isenabled())
        original()

    monkeypatch.setattr(gc, "disable", spy)
    return seen


def _ledger_file(tmp_path: Path, *sizes: int) -> tuple[Path, SteppingClock, list[uuid.UUID]]:
    path = tmp_path / "ledger.db"
    clock = SteppingClock(datetime(2024, 7, 25, tzinfo=UTC))
    ids = []
    with Ledger.open(path, clock=clock) as ledger:
        for size in sizes:
            incident_id, events = _bulk(ledger, size)
            ledger.record(*events)
            ids.append(incident_id)
    return path, clock, ids


def test_loading_a_long_incident_pauses_the_collector(tmp_path: Path, pauses: list[bool]) -> None:
    path, clock, (incident_id,) = _ledger_file(tmp_path, BULK)
    pauses.clear()  # the batch itself paused it
    with Ledger.open(path, clock=clock) as fresh:
        incident = fresh.incident(incident_id)
    assert pauses == [True]  # paused once, while the fold was loaded
    assert gc.isenabled()
    assert len(incident.aircraft) == BULK


def test_reading_a_long_incident_s_events_pauses_while_the_rows_are_fetched(
    tmp_path: Path, pauses: list[bool]
) -> None:
    path, clock, (long_id, short_id) = _ledger_file(tmp_path, BULK, 1)
    pauses.clear()
    with Ledger.open(path, clock=clock) as fresh:
        assert len(list(fresh.events(long_id))) == BULK + 2  # unknown length: paused
        assert pauses == [True]
        fresh.incident(short_id)  # a short incident, once its fold is known: left alone
        pauses.clear()
        assert len(list(fresh.events(short_id))) == 3
        assert pauses == []
    assert gc.isenabled()


def test_listing_every_incident_pauses_the_collector_once(
    tmp_path: Path, pauses: list[bool]
) -> None:
    path, clock, _ = _ledger_file(tmp_path, 2, 2, 2)
    with Ledger.open(path, clock=clock) as fresh:
        found = fresh.incidents()
    assert len(found) == 3
    assert pauses == [True]  # one pause around all three folds, not one each
    assert gc.isenabled()


class Seen(Projection):
    """Counts aircraft, noting whether the collector ran while each was handled."""

    collector: ClassVar[list[bool]] = []

    @handles(AircraftReported)
    def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
        Seen.collector.append(gc.isenabled())
        state["n"] = state.get("n", 0) + change.sign


def test_a_long_catch_up_pauses_the_collector_and_a_short_one_does_not(tmp_path: Path) -> None:
    path, clock, _ = _ledger_file(tmp_path, BULK + 1)
    with Ledger.open(path, clock=clock) as ledger:
        Seen.collector.clear()
        assert live(ledger, Seen()).state == {"n": BULK + 1}  # one batch of them all
        assert Seen.collector == [False] * (BULK + 1)
        assert gc.isenabled()
        Seen.collector.clear()
        # Once a batch was bulky, the pause holds across the next ones too.
        assert live(ledger, Seen(), batch_size=BULK).state == {"n": BULK + 1}
        assert Seen.collector == [False] * (BULK + 1)
        assert gc.isenabled()
        Seen.collector.clear()
        # Small batches alone never pause it.
        assert live(ledger, Seen(), batch_size=BULK // 2).state == {"n": BULK + 1}
        assert Seen.collector == [True] * (BULK + 1)
        model = ReadModel(ledger, Seen(), batch_size=BULK)
        Seen.collector.clear()
        model.catch_up()
        assert Seen.collector == [False] * (BULK + 1)
        assert model.read().state == {"n": BULK + 1}
        assert gc.isenabled()
    (tmp_path / "small").mkdir()
    path, clock, _ = _ledger_file(tmp_path / "small", 3)
    with Ledger.open(path, clock=clock) as ledger:
        Seen.collector.clear()
        assert live(ledger, Seen()).state == {"n": 3}
        ReadModel(ledger, Seen()).catch_up()
        assert Seen.collector == [True] * 6


def test_checking_a_large_state_pauses_the_collector(pauses: list[bool]) -> None:
    large = {"entries": [{"n": i, "tags": ["a", "b"]} for i in range(2_000)]}
    assert state_bytes(large).startswith(b'{"entries":[{"n":0,')
    assert pauses == [True]
    assert gc.isenabled()
    pauses.clear()
    assert state_bytes({"n": 1}) == b'{"n":1}'
    assert pauses == []
    with pytest.raises(ProjectionError):
        state_bytes({"entries": [(i, i) for i in range(2_000)]})  # tuples do not survive
    assert gc.isenabled()


def test_long_audit_reads_pause_the_collector_and_give_it_back(
    tmp_path: Path, pauses: list[bool]
) -> None:
    path, clock, _ = _ledger_file(tmp_path, BULK)  # BULK + 2 events in all
    with Ledger.open(path, clock=clock) as ledger:
        pauses.clear()
        assert ledger.verify().ok
        assert pauses == [True]  # one pause for the whole read
        assert gc.isenabled()
        pauses.clear()
        ledger.export_bundle(tmp_path / "ledger.bundle")
        assert pauses == [True]
        assert gc.isenabled()
    bundle = Bundle.open(tmp_path / "ledger.bundle")
    pauses.clear()
    assert bundle.verify().ok
    assert pauses == [True]
    assert gc.isenabled()
    pauses.clear()
    report, digests = bundle.replay()
    assert report.ok
    assert digests
    assert pauses == [True, True]  # its verify, then the states rebuilt
    assert gc.isenabled()
    # Building the audit tree of a ledger that has none is a long read too.
    with sqlite3.connect(path) as db:
        for table in ("audit_tree", "audit_tiles", "audit_checkpoints"):
            db.execute(f"DROP TABLE {table}")
    db.close()
    with Ledger.open(path, clock=clock) as upgraded:
        pauses.clear()
        upgraded.build_audit_tree()
        assert pauses == [True]
        assert gc.isenabled()
        assert upgraded.verify().ok
    # A ledger of a few events never pauses it.
    (tmp_path / "small").mkdir()
    path, clock, _ = _ledger_file(tmp_path / "small", 3)
    with Ledger.open(path, clock=clock) as ledger:
        pauses.clear()
        assert ledger.verify().ok
        ledger.export_bundle(tmp_path / "small.bundle")
        assert Bundle.open(tmp_path / "small.bundle").replay()[0].ok
        assert pauses == []


@pytest.fixture
def collections() -> Iterator[list[tuple[str, dict[str, int]]]]:
    """Every collection from here on: ``("start" | "stop", info)`` as gc reports them."""
    seen: list[tuple[str, dict[str, int]]] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        seen.append((phase, info))

    gc.collect()
    gc.callbacks.append(callback)
    yield seen
    gc.callbacks.remove(callback)


def test_turns_give_the_collector_a_turn_and_collect_cycles_on_the_way(
    collections: list[tuple[str, dict[str, int]]],
) -> None:
    def collected() -> list[int]:
        return [info["collected"] for phase, info in collections if phase == "stop"]

    with Turns(every=2 * BULK) as turns:
        turns.step(1)  # small: no pause yet
        assert gc.isenabled()
        turns.step(BULK)  # bulky: paused from here on
        assert not gc.isenabled()
        for _ in range(10):  # cyclic garbage, left behind by the work
            cycle: list[object] = []
            cycle.append(cycle)
            del cycle
        turns.step(BULK)
        assert not gc.isenabled()
        assert not collected()
        turns.step(BULK)  # 2 * BULK since the pause began: a turn
        assert not gc.isenabled()
        assert len(collected()) == 1
        assert collected()[0] >= 10
    assert gc.isenabled()


def test_turns_skip_while_another_pause_holds_the_collector(
    collections: list[tuple[str, dict[str, int]]],
) -> None:
    with paused_gc(), Turns(every=BULK) as turns:
        turns.step(BULK)
        turns.step(BULK)
        turns.step(BULK)
        assert not collections
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failing_handler_gives_the_collector_back(tmp_path: Path) -> None:
    class Failing(Projection):
        @handles(AircraftReported)
        def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            raise RuntimeError("handler bug")

    path, clock, _ = _ledger_file(tmp_path, BULK)
    with Ledger.open(path, clock=clock) as ledger, pytest.raises(ProjectionError):
        live(ledger, Failing())
    assert gc.isenabled()


class _Node:
    """A tracked object the tests build during a pause."""

    def __init__(self) -> None:
        self.other: object = None


def test_what_a_pause_built_goes_to_the_oldest_generation_without_a_walk(
    collections: list[tuple[str, dict[str, int]]],
) -> None:
    with paused_gc():
        built = [_Node() for _ in range(AGE_FROM)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 10  # no young collection is due over them
    assert not collections
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in built)
    assert gc.get_freeze_count() == 0
    with paused_gc():
        few = [_Node() for _ in range(100)]  # small work: left young
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert all(id(node) in young for node in few)


def test_cycles_left_by_paused_work_are_still_collected() -> None:
    gc.collect()
    with paused_gc():
        for _ in range(AGE_FROM // 2):
            a, b = _Node(), _Node()
            a.other, b.other = b, a
        del a, b
    assert gc.get_count()[0] < 10  # moved to the oldest generation
    assert gc.collect() >= AGE_FROM  # the next full collection finds them


def test_a_program_that_froze_objects_keeps_them_frozen() -> None:
    gc.collect()
    keep = [_Node() for _ in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            more = [_Node() for _ in range(100)]
        assert gc.get_freeze_count() == frozen
        assert gc.isenabled()
        assert len(keep) == len(more)
    finally:
        gc.unfreeze()
