"""Persistent projections: read models with checkpoints, on every backend."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_projections import Facts, Journal, record_example

from incidents import (
    AircraftReported,
    ConcurrencyError,
    Event,
    FixedClock,
    Ledger,
    StatementIssued,
    examples,
)
from incidents.projections import (
    AircraftRoster,
    Change,
    Projection,
    ProjectionError,
    ReadModel,
    SourceSupport,
    StatementsBySpeaker,
    Timeline,
    handles,
    live,
)
from incidents.storage import ProjectionWriter, Store
from support.backends import Backend
from support.histories import histories


class SimulatedCrash(Exception):
    """Raised inside a read model's transaction, between writing state and checkpoint."""


@contextlib.contextmanager
def crash_on(store: Store, commits: set[int]) -> Iterator[list[int]]:
    """Make the n-th projection transactions (from 1) fail after the state is written."""
    original = store.projection_writing
    count = [0]

    @contextlib.contextmanager
    def writing(name: str, generation: int) -> Iterator[ProjectionWriter]:
        with original(name, generation) as writer:
            count[0] += 1
            if count[0] in commits:
                put, delete = writer.put, writer.delete
                written = []

                def advance(*_: object) -> None:
                    assert written, "the state is written before the checkpoint"
                    raise SimulatedCrash(f"crash in transaction {count[0]}")

                def put_then_note(documents: Any) -> None:
                    put(documents)
                    written.append(True)

                writer.put = put_then_note  # type: ignore[method-assign]
                writer.delete = delete  # type: ignore[method-assign]
                writer.advance = advance  # type: ignore[method-assign]
            yield writer

    store.projection_writing = writing  # type: ignore[method-assign]
    try:
        yield count
    finally:
        del store.projection_writing


PROJECTIONS = (Facts, Journal, Timeline, SourceSupport)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories(max_events=24), data=st.data())
def test_persistent_state_equals_live_and_rebuild_despite_crashes(
    backend: Backend, history: list[list[Event]], data: st.DataObject
) -> None:
    """
    Random histories, caught up at random points in random batch sizes, with
    random crashes between writing state and writing the checkpoint: the read
    model always ends equal to the live state and to a rebuild, byte for byte.
    """
    ledger = backend.open()
    projection = data.draw(st.sampled_from(PROJECTIONS))()
    model: ReadModel | None = None
    try:
        for n, batch in enumerate(history):
            record_history_batch(ledger, batch, n)
            if data.draw(st.booleans(), label="catch up now"):
                if model is None or data.draw(st.booleans(), label="restart"):
                    # What a restarted process would have; otherwise the same
                    # object carries on after its failure, as a retrying loop would.
                    model = ReadModel(ledger, projection, batch_size=data.draw(st.integers(1, 6)))
                crashes = data.draw(st.sets(st.integers(1, 5), max_size=2), label="crashes")
                with crash_on(ledger.store, crashes), contextlib.suppress(SimulatedCrash):
                    model.catch_up()
        final = ReadModel(ledger, projection, batch_size=data.draw(st.integers(1, 50)))
        reached = final.catch_up()
        stored = final.read()
        expected = live(ledger, projection)
        assert expected.sequence == reached.sequence == stored.sequence
        assert expected.state == stored.state
        assert expected.digest == stored.digest
        rebuilt = ReadModel(ledger, projection, batch_size=7)
        rebuilt.rebuild()
        assert expected.digest == rebuilt.read().digest
    finally:
        backend.discard(ledger)


def record_history_batch(ledger: Ledger, batch: list[Event], n: int) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2024, 7, 25, 12, tzinfo=UTC) + timedelta(seconds=n))
    ledger.record(*batch)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories(max_events=20), data=st.data())
def test_several_projections_keep_separate_checkpoints(
    backend: Backend, history: list[list[Event]], data: st.DataObject
) -> None:
    ledger = backend.open()
    try:
        models = [
            ReadModel(ledger, Journal(), batch_size=data.draw(st.integers(1, 5))),
            ReadModel(ledger, Facts(), batch_size=data.draw(st.integers(1, 5))),
            ReadModel(ledger, AircraftRoster(), batch_size=data.draw(st.integers(1, 5))),
        ]
        for n, batch in enumerate(history):
            record_history_batch(ledger, batch, n)
            model = data.draw(st.sampled_from(models))
            reached = model.catch_up()
            assert len(ledger) == reached.sequence
            statuses = {m.name: m.status() for m in models}
            assert reached == statuses[model.name]
        for model in models:
            model.catch_up()
            assert live(ledger, model.projection).digest == model.read().digest
        names = [c.name for c in ledger.store.projection_checkpoints()]
        assert sorted(m.name for m in models) == names
    finally:
        backend.discard(ledger)


def test_catch_up_resumes_from_the_checkpoint(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    calls: list[int] = []

    class Counting(Projection):
        name = "counting"

        @handles(Event)
        def anything(self, state: dict[str, Any], change: Change[Event]) -> None:
            calls.append(change.cause.sequence)
            state[str(change.cause.sequence)] = change.sign

    first = ReadModel(ledger, Counting(), batch_size=4)
    progress: list[tuple[int, int]] = []
    assert first.catch_up(progress=lambda a, b: progress.append((a, b))).sequence == 19
    assert progress == [(4, 19), (8, 19), (12, 19), (16, 19), (19, 19)]
    applied = len(calls)
    # A new process sees the checkpoint and applies nothing again.
    again = ReadModel(ledger, Counting(), batch_size=4)
    assert again.catch_up().sequence == 19
    assert applied == len(calls)
    # New events: only those are applied.
    aircraft = AircraftReported(
        incident_id=examples.ALASKA_2024,
        source_id=examples.alaska_2024_ids()["source/norad"],
        type_designation="Su-35",
        nation="RU",
        count=2,
        valid_time=ledger.event(examples.alaska_2024_ids()["aircraft/h-6"]).event.valid_time,  # type: ignore[attr-defined]
    )
    ledger.record(aircraft)
    assert again.catch_up().sequence == 20
    assert [*calls[:applied], 20] == calls
    assert live(ledger, Counting()).digest == again.read().digest


def test_a_failed_batch_leaves_nothing_behind(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    fail = {"on": 12}

    class Fragile(Projection):
        name = "fragile"

        @handles(Event)
        def anything(self, state: dict[str, Any], change: Change[Event]) -> None:
            if change.cause.sequence == fail["on"]:
                raise RuntimeError("handler bug")
            state[str(change.cause.sequence)] = True

    model = ReadModel(ledger, Fragile(), batch_size=5)
    with pytest.raises(ProjectionError, match="handler bug"):
        model.catch_up()
    status = model.status()
    assert status is not None
    assert status.sequence == 10  # two batches committed, the third not at all
    assert sorted(str(n) for n in range(1, 11)) == sorted(model.read().state)
    fail["on"] = -1  # the bug is fixed: carry on from the checkpoint
    assert model.catch_up().sequence == 19
    assert live(ledger, Fragile()).digest == model.read().digest


def test_non_canonical_state_is_refused_before_anything_is_written(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)

    class Tuples(Projection):
        @handles(AircraftReported)
        def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            state["pair"] = (1, 2)

    model = ReadModel(ledger, Tuples())
    with pytest.raises(ProjectionError, match="survive canonical JSON"):
        model.catch_up()
    assert model.status() is None


def test_rebuild_swaps_in_only_when_complete(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    model = ReadModel(ledger, StatementsBySpeaker(), batch_size=3)
    model.catch_up()
    before = model.read()
    seen_during: list[str] = []

    def peek(reached: int, head: int) -> None:
        # While rebuilding, readers still see the old, complete read model.
        seen_during.append(ReadModel(ledger, StatementsBySpeaker()).read().digest)

    checkpoint = model.rebuild(progress=peek)
    assert checkpoint.active
    assert checkpoint.generation == 2
    assert {before.digest} == set(seen_during)
    assert before.digest == model.read().digest
    assert [checkpoint] == ledger.store.projection_checkpoints("statements")


def test_a_failed_rebuild_leaves_the_active_read_model_alone(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    broken = {"yes": False}

    class Flaky(Projection):
        name = "flaky"

        @handles(StatementIssued)
        def statement(self, state: dict[str, Any], change: Change[StatementIssued]) -> None:
            if broken["yes"]:
                raise ValueError("new code, new bug")
            state[str(change.event_id)] = change.event.medium

    model = ReadModel(ledger, Flaky(), batch_size=4)
    model.catch_up()
    before = model.read()
    broken["yes"] = True
    with pytest.raises(ProjectionError):
        model.rebuild()
    assert before.digest == model.read().digest
    assert before.sequence == (model.status() or before).sequence
    broken["yes"] = False
    model.rebuild()
    assert before.digest == model.read().digest
    assert len([c for c in ledger.store.projection_checkpoints("flaky") if c.active]) == 1


def test_a_new_version_must_be_rebuilt(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)

    class Versioned(Projection):
        name = "versioned"
        version = 1

        @handles(AircraftReported)
        def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            state[change.event.nation] = state.get(change.event.nation, 0) + change.sign

    ReadModel(ledger, Versioned()).catch_up()

    class Versioned2(Versioned):
        name = "versioned"
        version = 2

        @handles(AircraftReported)
        def aircraft(self, state: dict[str, Any], change: Change[AircraftReported]) -> None:
            state[change.event.nation] = state.get(change.event.nation, 0) + change.sign * 10

    model = ReadModel(ledger, Versioned2())
    with pytest.raises(ProjectionError, match=r"version 1 .* version 2: rebuild it"):
        model.catch_up()
    with pytest.raises(ProjectionError, match="rebuild it"):
        model.read()
    checkpoint = model.rebuild()
    assert checkpoint.version == "2"
    assert model.read().state == {"CN": 20, "RU": 20}  # two reports each, ten apiece


def test_two_writers_of_one_projection_do_not_apply_anything_twice(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    a = ReadModel(ledger, Journal(), batch_size=3)
    b = ReadModel(ledger, Journal(), batch_size=5)
    a.catch_up()
    ledger.record(
        AircraftReported(
            incident_id=examples.ALASKA_2024,
            source_id=examples.alaska_2024_ids()["source/norad"],
            type_designation="Su-35",
            nation="RU",
            valid_time=ledger.event(examples.alaska_2024_ids()["aircraft/h-6"]).event.valid_time,  # type: ignore[attr-defined]
        )
    )
    b.catch_up()  # moves the checkpoint behind a's back
    a.catch_up()  # a's cached state is stale: it notices, reloads, carries on
    assert live(ledger, Journal()).digest == a.read().digest == b.read().digest


def test_drop_and_read_of_a_never_built_model(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    model = ReadModel(ledger, AircraftRoster())
    assert model.status() is None
    assert model.read().state == AircraftRoster().initial()
    assert model.read().sequence == 0
    model.catch_up()
    assert model.status() is not None
    model.drop()
    assert model.status() is None
    assert ledger.store.projection_checkpoints("aircraft-roster") == []


def test_an_empty_ledger_gets_a_checkpoint_at_zero(backend: Backend) -> None:
    ledger = backend.open()
    model = ReadModel(ledger, AircraftRoster())
    checkpoint = model.catch_up()
    assert checkpoint.sequence == 0
    assert checkpoint == model.status()


def test_follow_keeps_up_until_stopped(backend: Backend) -> None:
    ledger = backend.open()
    model = ReadModel(ledger, Journal(), batch_size=4)
    stop = threading.Event()
    reached: list[int] = []
    follower = threading.Thread(
        target=lambda: reached.append(model.follow(interval=0.01, stop=stop).sequence)
    )
    follower.start()
    try:
        record_example(ledger)
        for _ in range(500):
            status = ReadModel(ledger, Journal()).status()
            if status is not None and status.sequence == 19:
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert reached == [19]
    assert live(ledger, Journal()).digest == model.read().digest


# Long enough to tell a follower that was woken from one left to its next look.
NEVER = 60.0


def _follow_in_thread(
    model: ReadModel, stop: threading.Event, interval: float
) -> tuple[threading.Thread, list[int]]:
    reached: list[int] = []
    follower = threading.Thread(
        target=lambda: reached.append(model.follow(interval=interval, stop=stop).sequence)
    )
    follower.start()
    return follower, reached


def _caught_up(ledger: Ledger, sequence: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = ReadModel(ledger, Journal()).status()
        if status is not None and status.sequence == sequence:
            return True
        time.sleep(0.01)
    return False


def test_follow_is_woken_by_commits_and_stops_promptly(backend: Backend) -> None:
    ledger = backend.open()
    model = ReadModel(ledger, Journal(), batch_size=4)
    stop = threading.Event()
    # It would read the log's last sequence only once a minute: only the
    # commits' announcements can make it catch up sooner.
    follower, reached = _follow_in_thread(model, stop, interval=NEVER)
    try:
        record_example(ledger)
        assert _caught_up(ledger, 19, within=NEVER / 2)
    finally:
        stop.set()
        follower.join(timeout=NEVER / 2)
    assert not follower.is_alive()
    assert reached == [19]
    assert live(ledger, Journal()).digest == model.read().digest


_WRITER = textwrap.dedent(
    """
    import sys
    from incidents import FixedClock, Ledger
    from incidents.examples import alaska_2024_batches

    with Ledger.open(sys.argv[1], clock=FixedClock(alaska_2024_batches()[0][0])) as ledger:
        for recorded_at, events in alaska_2024_batches():
            ledger.clock.set(recorded_at)
            ledger.record(*events)
    """
)


def test_follow_sees_another_process_writing_by_reading_the_log(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    ledger = Ledger.open(path)
    try:
        model = ReadModel(ledger, Journal(), batch_size=4)
        stop = threading.Event()
        follower, reached = _follow_in_thread(model, stop, interval=0.05)
        try:
            child = subprocess.run(
                [sys.executable, "-c", _WRITER, str(path)],
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )
            assert child.returncode == 0, child.stderr
            assert _caught_up(ledger, 19, within=NEVER / 2)
        finally:
            stop.set()
            follower.join(timeout=NEVER / 2)
        assert reached == [19]
        assert live(ledger, Journal()).digest == model.read().digest
    finally:
        ledger.close()


def test_concurrency_error_after_repeated_interference(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    model = ReadModel(ledger, Journal(), batch_size=3)

    @contextlib.contextmanager
    def always_moved(name: str, generation: int) -> Iterator[ProjectionWriter]:
        raise ConcurrencyError("moved")
        yield  # pragma: no cover

    ledger.store.projection_writing = always_moved  # type: ignore[method-assign]
    try:
        with pytest.raises(ConcurrencyError, match="keeps being moved"):
            model.catch_up()
    finally:
        del ledger.store.projection_writing


def test_digests_are_equal_on_every_backend(tmp_path: Path) -> None:
    from support.backends import postgres_unavailable

    names = ["memory", "sqlite"] + ([] if postgres_unavailable() else ["postgres"])
    digests: dict[str, set[str]] = {}
    for name in names:
        backend = Backend(name, tmp_path)
        try:
            ledger = backend.open()
            record_example(ledger)
            for projection in (Timeline(), AircraftRoster(), SourceSupport(), Journal()):
                model = ReadModel(ledger, projection, batch_size=4)
                model.catch_up()
                found = {live(ledger, projection).digest, model.read().digest}
                model.rebuild()
                found.add(model.read().digest)
                assert len(found) == 1
                digests.setdefault(projection.name, set()).update(found)
        finally:
            backend.close()
    assert all(len(d) == 1 for d in digests.values()), digests


# -- a real kill, mid-transaction ---------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import contextlib, os, signal, sys
    from incidents import Ledger
    from incidents.projections import ReadModel, Timeline

    path, kill_at = sys.argv[1], int(sys.argv[2])
    ledger = Ledger.open(path)
    store = ledger.store
    original = store.projection_writing
    count = 0

    @contextlib.contextmanager
    def writing(name, generation):
        global count
        with original(name, generation) as writer:
            count += 1
            yield writer
            if count == kill_at:
                # State and checkpoint are written, the transaction is not committed.
                os.kill(os.getpid(), signal.SIGKILL)

    store.projection_writing = writing
    ReadModel(ledger, Timeline(), batch_size=2).catch_up()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("kill_at", [1, 4, 9])
def test_killed_mid_batch_resumes_exactly_once(tmp_path: Path, kill_at: int) -> None:
    path = tmp_path / "killed.db"
    with Ledger.open(path, clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT)) as ledger:
        record_example(ledger)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    with Ledger.open(path) as ledger:
        model = ReadModel(ledger, Timeline(), batch_size=2)
        status = model.status()
        # The killed batch left no trace: the checkpoint is the one before it.
        assert (2 * (kill_at - 1) or None) == (status and status.sequence)
        model.catch_up()
        assert live(ledger, Timeline()).digest == model.read().digest


def test_retrying_after_a_crash_applies_nothing_twice(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    history = list(ledger.events(examples.ALASKA_2024))
    model = ReadModel(ledger, Journal(), batch_size=3)
    model.catch_up()
    aircraft = history[7].event
    assert isinstance(aircraft, AircraftReported)
    for count in (3, 4):
        ledger.record(
            AircraftReported(
                incident_id=examples.ALASKA_2024,
                source_id=aircraft.source_id,
                type_designation="Su-35",
                nation="RU",
                count=count,
                valid_time=aircraft.valid_time,
            )
        )
    # The very next transaction fails after writing state: nothing of it may stay,
    # not in the database and not in the object that carries on.
    with crash_on(ledger.store, {1}), pytest.raises(SimulatedCrash):
        model.catch_up()
    status = model.status()
    assert status is not None
    assert status.sequence == 19
    model.catch_up()
    assert live(ledger, Journal()).digest == model.read().digest


def test_rebuild_clears_an_abandoned_rebuild(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    model = ReadModel(ledger, Journal(), batch_size=4)
    model.catch_up()
    # A rebuild killed before its swap: its generation stays, inactive.
    with crash_on(ledger.store, {3}), pytest.raises(SimulatedCrash):
        model.rebuild()
    generations = [(c.generation, c.active) for c in ledger.store.projection_checkpoints("journal")]
    assert generations == [(1, True), (2, False)]
    assert live(ledger, Journal()).digest == model.read().digest  # readers never noticed
    model.rebuild()
    assert [(c.generation, c.active) for c in ledger.store.projection_checkpoints("journal")] == [
        (3, True)
    ]
    assert live(ledger, Journal()).digest == model.read().digest
