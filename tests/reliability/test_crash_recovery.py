"""
A recording process killed at random moments loses nothing it acknowledged and leaves no torn batch.

A child process records random batches (one event to hundreds, new
incidents, sources, aircraft, corrections, retractions, some batches
across two incidents) into a signed ledger, acknowledging each batch in an
fsync'd file once ``record`` has returned, and now and then catches up two
read models. The test SIGKILLs it after a random delay, restarts it, and
kills it again, ``INCIDENTS_SOAK_KILLS`` times per backend. Afterwards:

* every acknowledged batch is there in full, at the sequences acknowledged;
* every batch is whole or absent: all its events, consecutive sequences,
  one recording time; of each run, the batches present are those
  acknowledged and at most one more (the one being recorded at the kill);
* ``verify`` with the signing key finds the whole log intact and covered by
  signed checkpoints;
* the read models, caught up after the kills, equal the live state and a
  rebuild from zero.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest
from soak_batches import batch_of, every_record, whole_batches
from soak_processes import (
    acknowledged,
    acknowledged_ids,
    check_read_model,
    new_key,
    output,
    start,
)
from soak_sizes import KILLS, SEED, TIMEOUT

from incidents import SystemClock
from incidents.projections import AircraftRoster, Timeline
from support.backends import opened_backend

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _wait_for_first_ack(acks: Path, child: subprocess.Popen[str], deadline: float) -> None:
    """Wait until the child has acknowledged a batch: it is up and recording."""
    while not any(True for _ in acknowledged(acks)):
        if child.poll() is not None:
            pytest.fail(
                f"{acks.stem} ended before it was killed:\n{output(acks.parent, acks.stem)}"
            )
        assert time.monotonic() < deadline, f"{acks.stem} acknowledged nothing in time"
        time.sleep(0.01)


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_killed_writers_lose_nothing_acknowledged(
    backend_name: str, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    seed = SEED if SEED is not None else random.randrange(2**32)
    print(f"INCIDENTS_SOAK_SEED={seed}")  # shown if the test fails
    rng = random.Random(seed)
    key, key_file = new_key(tmp_path)
    runs = [tmp_path / f"run-{run}.acks" for run in range(KILLS)]
    deadline = time.monotonic() + TIMEOUT
    with opened_backend(backend_name, tmp_path) as backend:
        target = backend.target()
        for run, acks in enumerate(runs):
            child = start(
                "crash",
                tmp_path,
                acks.stem,
                target=target,
                key=key_file,
                acks=str(acks),
                writer=run,
                seed=rng.randrange(2**32),
            )
            try:
                _wait_for_first_ack(acks, child, deadline)
                time.sleep(rng.uniform(0, 0.5))
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait()
            assert child.returncode == -signal.SIGKILL, output(tmp_path, acks.stem)

        ledger = backend.open(target, clock=SystemClock(), signing_key=key)
        records = every_record(ledger)
        assert [r.sequence for r in records] == list(range(1, len(ledger) + 1))
        batches = whole_batches(records)

        stored = {r.event_id: r.sequence for r in records}
        acked = {i: s for acks in runs for i, s in acknowledged_ids(acks).items()}
        missing = {i: s for i, s in acked.items() if stored.get(i) != s}
        assert not missing, f"acknowledged, then lost or moved: {missing}"

        # A run records batch n + 1 only once batch n has returned: the batches
        # present are those it acknowledged and at most the one it was in.
        for run, acks in enumerate(runs):
            present = {number for (writer, number) in batches if writer == run}
            confirmed = {batch_of(UUID(a["ids"][0])).batch for a in acknowledged(acks)}
            assert sorted(present) == list(range(len(present))), f"run {run} has gaps"
            assert confirmed <= present
            assert len(present - confirmed) <= 1, (
                f"run {run} left {len(present - confirmed)} batches recorded, not acknowledged"
            )

        report = ledger.verify(keys=[key.verifier])
        assert report.ok, report.render()
        assert report.authenticated, report.render()
        for projection in (Timeline(), AircraftRoster()):
            check_read_model(ledger, projection)

    record_property("kills", KILLS)
    record_property("acknowledged events", len(acked))
    record_property("recorded events", len(records))
    record_property("batches", len(batches))
