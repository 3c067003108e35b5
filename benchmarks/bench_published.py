"""
"As published by": reading an incident as its sources had published it, vs. the reads it builds on.

One incident in an SQLite ledger with 10,000 and with 200,000 events, recorded
in batches of 1,000 over a month as the clock advances, citing sources of
three kinds:

* its own source without a publication time (each event counts from its
  recording time), for about half the facts;
* its own source published before the recording began (a press release
  recorded later), for a fifth of the facts and the incident's opening;
* three shared sources of the sources registry (``SOURCES_REGISTRY``), each
  registered with its publication time before the events citing it are
  recorded, for the rest; one of them has its ``published_at`` corrected
  halfway through (the correction applies as known at ``known_at``).

A fifth of the facts are then corrected, each from its own fact's source,
and a few from the undated source. So the events published by a time are
mostly not the first ones recorded: the registry's and the press release's
events count before undated events recorded earlier.

For each size, at random points (a valid time within the month, a recording
time within the history, a publication time from the press release's until
the last recording), in rounds taking turns:

* the figure, ``ledger.incident(id, valid_at, known_at, published_by=P)``;
* beside the plain as-of read at the same (valid_at, known_at) point,
  ``ledger.incident(id, valid_at, known_at)``, answered from the bitemporal
  fold kept in memory;
* and beside a raw read of the incident's rows as known then (``SELECT
  state ... WHERE incident_id = ? AND recorded_at <= ?`` and ``orjson.loads``
  of each), what any answer built from the rows at least costs.

Reads are warm (the ledger has read the incident once, as any long-lived
process has). The answer folded from scratch (decode the stream, fold the
events that count: what every "as published by" read did before) is
measured at a few of the same points, and every fast answer checked equal
to it there. Printed for context: how many reads the folds could not answer
(a fact's tree with an event that counts after one that does not), and the
first read after the fold was loaded, which takes the fold's columns.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import orjson

from benchmarks._harness import Figure
from benchmarks.bench_timetravel import MONTH_START, RECORDING_START, random_fact
from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    Correction,
    Event,
    FixedClock,
    IncidentOpened,
    Ledger,
    Reading,
    SourceKind,
    SourceRegistered,
    Speaker,
)
from incidents._timetravel.published import Published
from incidents.storage import to_micros

RECORDING_SPAN = timedelta(days=30)
BATCH = 1000
PUBLISHED_FROM = MONTH_START + timedelta(days=5)


def _correction(rng: random.Random, target: Event, source_id: UUID) -> Correction:
    if isinstance(target, AircraftReported):
        return Correction.of(
            target, source_id=source_id, reason="recount", count=rng.randrange(1, 5)
        )
    return Correction.of(
        target,
        source_id=source_id,
        reason="transcript",
        speaker=Speaker(name=rng.choice(["Zhang Xiaogang", "Tan Kefei"]), role="spokesman"),
    )


class _Incident:
    """One incident citing its own and shared sources, recorded into an SQLite ledger."""

    def __init__(self, folder: Path, size: int, seed: int) -> None:
        self.rng = rng = random.Random(seed)
        self.path = folder / f"published-{size}.db"
        self.clock = FixedClock(RECORDING_START)
        self.ledger = Ledger.open(self.path, clock=self.clock, recorder="bench")
        self.incident_id = incident_id = uuid4()
        batches = max(1, size // BATCH)
        self.step = RECORDING_SPAN / (batches + 3)
        undated = SourceRegistered(
            incident_id=incident_id, kind=SourceKind.WIRE_REPORT, publisher="Reuters"
        )
        release = SourceRegistered(
            incident_id=incident_id,
            kind=SourceKind.PRESS_RELEASE,
            publisher="NORAD",
            published_at=PUBLISHED_FROM,
        )
        # Shared sources, each published before the first event citing it is recorded.
        shared = [
            SourceRegistered(
                incident_id=SOURCES_REGISTRY,
                kind=SourceKind.OFFICIAL_STATEMENT,
                publisher=publisher,
                published_at=RECORDING_START + RECORDING_SPAN * share - timedelta(days=2),
            )
            for publisher, share in (("PRC MND", 0.0), ("Russian MoD", 0.3), ("JSO", 0.6))
        ]
        opened = IncidentOpened(
            incident_id=incident_id, source_id=release.source_id, title="A month of patrols"
        )
        self._record([*shared])
        self._record([opened, undated, release])
        self.first = self.clock()
        facts: list[Event] = []
        written = 3
        halfway = size // 2
        while written < size * 4 // 5:
            count = min(BATCH, size * 4 // 5 - written)
            now = self.clock()
            citable = [s.source_id for s in shared if s.published_at and s.published_at <= now]
            batch = []
            for _ in range(count):
                draw = rng.random()
                if draw < 0.55 or not citable:
                    source_id = undated.source_id
                elif draw < 0.75:
                    source_id = release.source_id
                else:
                    source_id = rng.choice(citable)
                batch.append(random_fact(rng, incident_id, source_id))
            facts.extend(batch)
            written += len(batch)
            if written >= halfway > written - len(batch):
                # The MND's statement was in fact published a day later than registered.
                target = shared[0]
                assert target.published_at is not None
                self._record(
                    [
                        Correction.of(
                            target,
                            source_id=target.source_id,
                            reason="publication time",
                            published_at=target.published_at + timedelta(days=1),
                        )
                    ]
                )
            self._record(batch)
        touched = rng.sample(facts, size - written)
        for start in range(0, len(touched), BATCH):
            chunk = touched[start : start + BATCH]
            self._record(
                [
                    _correction(rng, t, undated.source_id if rng.random() < 0.02 else t.source_id)
                    for t in chunk
                ]
            )
        state = self.ledger.incident(incident_id)
        assert state.last_recorded_at is not None
        self.last = state.last_recorded_at

    def _record(self, events: list[Event]) -> None:
        self.clock.set(self.clock() + self.step)
        self.ledger.record(*events)


class _Reads:
    """The reads of one incident at fixed random points, one point per round."""

    def __init__(self, incident: _Incident, repeat: int) -> None:
        self.ledger, self.incident_id, self.path = (
            incident.ledger,
            incident.incident_id,
            incident.path,
        )
        rng = random.Random(11)
        span = (incident.last - incident.first).total_seconds()
        self.points = [
            (
                MONTH_START + timedelta(seconds=rng.uniform(0, 31 * 86_400)),
                incident.first + timedelta(seconds=rng.uniform(0, span)),
                PUBLISHED_FROM
                + timedelta(
                    seconds=rng.uniform(0, (incident.last - PUBLISHED_FROM).total_seconds())
                ),
            )
            for _ in range(repeat)
        ]
        self.ledger.incident(self.incident_id)  # warm: the fold in memory
        started = time.perf_counter()
        valid_at, known_at, published_by = self.points[0]
        self.ledger.incident(self.incident_id, valid_at, known_at, published_by=published_by)
        self.first_read_ms = (time.perf_counter() - started) * 1000
        self.db = sqlite3.connect(self.path)

    def published(self, i: int) -> object:
        valid_at, known_at, published_by = self.points[i]
        return self.ledger.incident(self.incident_id, valid_at, known_at, published_by=published_by)

    def as_of(self, i: int) -> object:
        valid_at, known_at, _ = self.points[i]
        return self.ledger.incident(self.incident_id, valid_at, known_at)

    def raw(self, i: int) -> object:
        until = to_micros(self.points[i][1])
        rows = self.db.execute(
            "SELECT state FROM incident_events WHERE incident_id = ? AND recorded_at <= ?"
            " ORDER BY position",
            (self.incident_id.bytes, until),
        )
        return [orjson.loads(state) for (state,) in rows]

    def from_scratch(self, i: int) -> object:
        valid_at, known_at, published_by = self.points[i]
        return Published(self.ledger.store).state_from_scratch(
            self.incident_id, valid_at, to_micros(known_at), published_by, Reading.POSSIBLY
        )


def _interleaved(
    readers: dict[int, _Reads], repeat: int
) -> dict[int, tuple[list[float], list[float], list[float]]]:
    """Each incident's published, as-of and raw reads (seconds), all taking turns."""
    times: dict[int, tuple[list[float], list[float], list[float]]] = {
        key: ([], [], []) for key in readers
    }
    for i in range(repeat):
        for key, reads in readers.items():
            for slot, read in enumerate((reads.published, reads.as_of, reads.raw)):
                start = time.perf_counter()
                read(i)
                times[key][slot].append(time.perf_counter() - start)
    return times


def _ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def _span(times: list[float]) -> str:
    return f"{min(times) * 1000:,.2f}-{max(times) * 1000:,.2f} ms"


def run(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (10_000, 200_000)
    repeat = 21 if quick else 51
    scratch_repeat = 3
    folder = Path(tempfile.mkdtemp(prefix="incidents-bench-published-"))
    figures: list[Figure] = []
    try:
        incidents: dict[int, _Incident] = {}
        for size in sizes:
            started = time.perf_counter()
            incidents[size] = _Incident(folder, size, seed=size)
            print(
                f"  {size:,} events: recorded in {time.perf_counter() - started:.0f} s", flush=True
            )
        readers = {size: _Reads(incident, repeat) for size, incident in incidents.items()}
        folded_from_scratch = _count_fallbacks(readers)
        times = _interleaved(readers, repeat)
        for size, reads in readers.items():
            published, as_of, raw = times[size]
            scratch = []
            for i in range(scratch_repeat):
                start = time.perf_counter()
                expected = reads.from_scratch(i)
                seconds = time.perf_counter() - start
                scratch.append(seconds)
                assert reads.published(i) == expected
            group = f"{size:,} events, registry sources"
            print(
                f"  {group}: as-published-by read median {_ms(published):.2f} ms "
                f"(range {_span(published)}); as-of {_ms(as_of):.2f} ms ({_span(as_of)}); "
                f"raw rows {_ms(raw):.2f} ms ({_span(raw)}); from scratch {_ms(scratch):,.0f} ms "
                f"({_span(scratch)}); first read after loading {reads.first_read_ms:.0f} ms; "
                f"folded from scratch at {folded_from_scratch[size]} of {repeat} points",
                flush=True,
            )
            for baseline_name, baseline in (
                ("as-of read, same point", as_of),
                ("raw read of its rows", raw),
                ("folded from scratch", scratch),
            ):
                figures.append(
                    Figure(
                        group=group,
                        name="as-published-by read at random (valid_at, known_at, published_by)",
                        value=_ms(published),
                        unit="ms",
                        baseline_name=baseline_name,
                        baseline=_ms(baseline),
                        higher_is_better=False,
                    )
                )
            reads.db.close()
    finally:
        for incident in incidents.values():
            incident.ledger.close()
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def _count_fallbacks(readers: dict[int, _Reads]) -> dict[int, int]:
    """At how many of each incident's points the folds could not answer."""
    found = {}
    for size, reads in readers.items():
        published = reads.ledger._published  # the ledger's own, with its folds
        count = 0
        for valid_at, known_at, published_by in reads.points:
            done, _ = published._from_folds(
                reads.incident_id, valid_at, to_micros(known_at), published_by, Reading.POSSIBLY
            )
            count += not done
        found[size] = count
    return found
