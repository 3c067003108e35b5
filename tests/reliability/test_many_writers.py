"""
Many processes recording at once: nothing lost, nothing twice, no deadlock, every reader consistent.

``INCIDENTS_SOAK_WRITERS`` writer processes each record
``INCIDENTS_SOAK_EVENTS`` events in random batches into one signed ledger:
into incidents of their own and into one incident they all share, there
half the time with optimistic concurrency (``expected_positions``),
retrying when another writer came first. Meanwhile a reader process reads
the shared incident (every batch it sees must be whole, what it saw before
must still be there), asks for its state as known at times it saw, and
verifies the whole ledger now and then; and a follower keeps a read model
caught up. The whole run must end within a generous timeout (a stuck run
is a deadlock; nothing is timed). Afterwards every acknowledged event is
recorded once, nothing else is, the read model equals a rebuild, and
verify finds the log intact and covered by signed checkpoints.
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import time
from pathlib import Path

import pytest
from soak_batches import batch_of, every_record, opening, whole_batches
from soak_processes import (
    acknowledged_ids,
    check_read_model,
    figures,
    new_key,
    output,
    start,
)
from soak_sizes import EVENTS, SEED, TIMEOUT, WRITERS

from incidents import SystemClock
from incidents.projections import AircraftRoster, ReadModel
from support.backends import opened_backend

SETUP = 0
"""The writer number of the batch that opens the shared incident; writers are 1 to N."""


def _wait(
    children: dict[str, subprocess.Popen[str]], workdir: Path, deadline: float, context: str
) -> None:
    """Wait for every child to end with status 0; kill them all if the run gets stuck."""
    try:
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"{context}: {name} still ran after the timeout: a deadlock or a stall")
            assert child.returncode == 0, f"{context}: {name} failed:\n{output(workdir, name)}"
    finally:
        for child in children.values():
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            child.wait()


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_concurrent_writers_lose_and_duplicate_nothing(
    backend_name: str, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    seed = SEED if SEED is not None else random.randrange(2**32)
    print(f"INCIDENTS_SOAK_SEED={seed}")  # shown if the test fails
    rng = random.Random(seed)
    context = f"seed {seed}"
    key, key_file = new_key(tmp_path)
    stop = tmp_path / "stop"
    deadline = time.monotonic() + TIMEOUT
    with opened_backend(backend_name, tmp_path) as backend:
        target = backend.target()
        ledger = backend.open(target, clock=SystemClock(), signing_key=key)
        shared = ledger.record(*opening(SETUP))
        incident, source = shared[0].event_id, shared[1].event_id
        common = {"target": target, "key": key_file, "shared": str(incident)}

        watchers = {
            "reader": start("read", tmp_path, "reader", stop=str(stop), seed=seed, **common),
            "follower": start(
                "follow",
                tmp_path,
                "follower",
                stop=str(stop),
                projection="aircraft-roster",
                **common,
            ),
        }
        writers = {
            f"writer-{w}": start(
                "write",
                tmp_path,
                f"writer-{w}",
                writer=w,
                events=EVENTS,
                shared_source=str(source),
                acks=str(tmp_path / f"acks-{w}.jsonl"),
                seed=rng.randrange(2**32),
                **common,
            )
            for w in range(1, WRITERS + 1)
        }
        try:
            _wait(writers, tmp_path, deadline, context)
        finally:
            stop.touch()
            _wait(watchers, tmp_path, deadline, context)

        records = every_record(ledger)
        assert [r.sequence for r in records] == list(range(1, len(ledger) + 1)), context
        whole_batches(records)
        acked: dict[object, int] = {}
        for w in range(1, WRITERS + 1):
            mine = acknowledged_ids(tmp_path / f"acks-{w}.jsonl")
            assert len(mine) == EVENTS, f"{context}: writer {w} acknowledged {len(mine)} events"
            assert all(batch_of(i).writer == w for i in mine), context
            acked.update(mine)
        stored = {r.event_id: r.sequence for r in records if batch_of(r.event_id).writer != SETUP}
        assert acked == stored, f"{context}: lost, duplicated or moved events"
        assert len(ledger) == 2 + WRITERS * EVENTS, context

        followed = figures(tmp_path, "follower")["sequence"]
        status = ReadModel(ledger, AircraftRoster()).status()
        assert status is not None
        assert followed == status.sequence <= len(ledger)
        check_read_model(ledger, AircraftRoster())
        report = ledger.verify(keys=[key.verifier])
        assert report.ok, report.render()
        assert report.authenticated, report.render()

    reader = figures(tmp_path, "reader")
    conflicts = sum(figures(tmp_path, name)["conflicts"] for name in writers)
    record_property("writers", WRITERS)
    record_property("events", len(records))
    record_property("conflicts retried", conflicts)
    record_property("reads", reader["reads"])
    record_property("verifies while writing", reader["verifies"])
    record_property("read model followed to", followed)
