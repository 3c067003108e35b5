"""
The processes the reliability tests start, kill and wait for.

Run as a script: ``python soak_child.py MODE JSON-ARGUMENTS``. The modes:

``crash``
    Record random batches for ever, through the public API, and acknowledge
    each batch once ``record`` has returned: one line of JSON appended to the
    acknowledgement file and fsync'd. Now and then catch up a read model.
    The test kills it with SIGKILL at a random moment.
``write``
    Record a given number of events in random batches, into the writer's own
    incidents and into a shared one (there sometimes with optimistic
    concurrency, retrying on :class:`~incidents.ConcurrencyError`),
    acknowledging each batch as ``crash`` does; then exit.
``read``
    Until a stop file appears: read the shared incident's events (every batch
    seen must be whole), ask for its state as known at recording times seen
    before, and now and then verify the whole ledger; then print figures.
``follow``
    Keep a read model caught up (``ReadModel.follow``) until the stop file
    appears; then print where it got to.

A failed check raises, so the process exits with status 1 and a traceback
the test shows.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from soak_batches import Book, batch_size, whole_batches

from incidents import ConcurrencyError, Ledger, Recorded, SigningKey
from incidents.projections import AircraftRoster, ReadModel, Timeline

PROJECTIONS = {"timeline": Timeline, "aircraft-roster": AircraftRoster}


def _ledger(args: dict[str, Any], recorder: str) -> Ledger:
    key = SigningKey.from_text(Path(args["key"]).read_text(encoding="utf-8"))
    return Ledger.open(args["target"], signing_key=key, recorder=recorder)


class Acknowledgements:
    """An append-only file of acknowledged batches, each line on disk before the next batch."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, writer: int, recorded: tuple[Recorded, ...]) -> None:
        line = {
            "writer": writer,
            "ids": [str(r.event_id) for r in recorded],
            "sequences": [r.sequence for r in recorded],
        }
        os.write(self.fd, (json.dumps(line) + "\n").encode())
        os.fsync(self.fd)


def crash(args: dict[str, Any]) -> None:
    rng = random.Random(args["seed"])
    writer = args["writer"]
    ledger = _ledger(args, "soak-crash")
    book = Book.from_ledger(ledger, writer)
    models = [
        ReadModel(ledger, cls(), batch_size=rng.randint(1, 64)) for cls in PROJECTIONS.values()
    ]
    acks = Acknowledgements(args["acks"])
    while True:
        events = book.batch(rng, batch_size(rng))
        recorded = ledger.record(*events)
        book.remember(events)
        acks.write(writer, recorded)
        if rng.random() < 0.3:
            rng.choice(models).catch_up()


def write(args: dict[str, Any]) -> None:
    rng = random.Random(args["seed"])
    writer = args["writer"]
    shared = UUID(args["shared"])
    ledger = _ledger(args, f"writer-{writer}")
    book = Book(writer, {shared: [UUID(args["shared_source"])]})
    acks = Acknowledgements(args["acks"])
    left = args["events"]
    conflicts = 0
    while left:
        size = min(batch_size(rng), left)
        if rng.random() < 0.4:
            events = book.shared_batch(rng, shared, size)
            optimistic = rng.random() < 0.5
            while True:
                expected = {shared: ledger.incident(shared).last_position} if optimistic else None
                try:
                    recorded = ledger.record(*events, expected_positions=expected)
                except ConcurrencyError:
                    conflicts += 1  # another writer came first: nothing was recorded
                    continue
                break
        else:
            events = book.batch(rng, size)
            recorded = ledger.record(*events)
            size = len(events)
        book.remember(events)
        acks.write(writer, recorded)
        left -= size
    print(json.dumps({"conflicts": conflicts}))


def _stopped(path: Path) -> threading.Event:
    """An event set once *path* exists (looked for ten times a second)."""
    stop = threading.Event()

    def watch() -> None:
        while not path.exists():
            time.sleep(0.1)
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    return stop


def read(args: dict[str, Any]) -> None:
    rng = random.Random(args["seed"])
    shared = UUID(args["shared"])
    key = SigningKey.from_text(Path(args["key"]).read_text(encoding="utf-8"))
    stop = _stopped(Path(args["stop"]))
    reads = verifies = time_travels = 0
    seen: list[Recorded] = []
    with Ledger.open(args["target"]) as ledger:
        while True:
            last = stop.is_set()  # one more round after the writers are done
            records = list(ledger.events(shared))
            assert [r.position for r in records] == list(range(1, len(records) + 1))
            assert [r.event_id for r in records[: len(seen)]] == [r.event_id for r in seen], (
                "an incident's events changed under a reader"
            )
            whole_batches(records)
            reads += 1
            if seen:
                earlier = rng.choice(seen)
                then = ledger.incident(shared, known_at=earlier.recorded_at)
                assert then.last_position >= earlier.position, (
                    f"as known at {earlier.recorded_at}, the incident lacks position "
                    f"{earlier.position}, recorded then"
                )
                time_travels += 1
            seen = records
            if last or reads % 10 == 1:
                report = ledger.verify(keys=[key.verifier], integrity="quick")
                assert report.ok, report.render()
                assert report.authenticated, report.render()
                verifies += 1
            if last:
                break
    print(json.dumps({"reads": reads, "time_travels": time_travels, "verifies": verifies}))


def follow(args: dict[str, Any]) -> None:
    stop = _stopped(Path(args["stop"]))
    with Ledger.open(args["target"]) as ledger:
        model = ReadModel(ledger, PROJECTIONS[args["projection"]](), batch_size=50)
        reached = model.follow(interval=0.05, stop=stop)
    print(json.dumps({"sequence": reached.sequence}))


MODES = {"crash": crash, "write": write, "read": read, "follow": follow}

if __name__ == "__main__":
    MODES[sys.argv[1]](json.loads(sys.argv[2]))
