"""
Time travel: reading an incident as known at an old recording time vs. reading its current state.

One incident in an SQLite ledger with 10,000 and with 100,000 events
(aircraft and statements with valid times spread over a month, some only to
the day or hour, a few undated), recorded in batches of 1,000 as the clock
advances. For each size:

* the current-state read, ``ledger.incident(id)``, is the baseline;
* the as-of read, ``ledger.incident(id, valid_at, known_at)`` at random
  points (a random recording time within the history, a random valid time
  within the month) is the figure: target within 2x of the baseline;
* both again on a second incident of the same facts after 5 rounds of
  corrections, each touching a random 20% of the facts (the stream doubles);
* growth from the small to the large incident: target well below 10x for
  the as-of read. The answer itself (the facts in effect) grows with the
  incident, and copying it out is part of every read; so the growth is also
  shown for as-of reads whose answer holds about 100 facts at either size,
  which isolates what the history's length costs. The line printed for each
  size also gives the cost per fact answered: copying the answer out touches
  each fact's object once, and that touch costs more once the incident's
  objects outgrow the CPU's caches (after corrections, every fact has about
  two versions), so the as-of read can grow somewhat faster than its answer.

Reads are warm (the ledger has read the incident once, as any long-lived
process has); the figures are medians over many reads. The four incidents
are all recorded first, then read in rounds: in every round each of them
answers one current-state read, one as-of read and one ~100-fact read, so
that the machine's noise falls on the small and the large incident alike
and the growth between them holds. This also means that no read finds its
incident in the CPU's caches just because the same incident was read an
instant before, as in a process serving many incidents; measured one
incident after the other instead, the small incident's reads run hot in the
caches and the growth comes out larger. The cold read of a
new ``Ledger`` (replaying snapshots and decoding the stream) is printed
beside the naive fold the ledger used to do (decode and validate every
event, re-apply every correction), for context.

"As published by" reads (``ledger.incident(id, valid_at, published_by=P)``)
are not answered from the bitemporal index: the events published by P are
not a prefix of the stream, so each such read decodes the stream and folds
the events that count from scratch. They are measured beside the naive fold
at the as-of read's points (the incidents' source has no publication time,
so each answers exactly what the as-of read does), fewer times.
"""

from __future__ import annotations

import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from benchmarks._harness import Figure
from incidents import (
    AircraftReported,
    Correction,
    Event,
    FixedClock,
    Incident,
    IncidentOpened,
    Ledger,
    Reading,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    ValidTime,
    decode_recorded,
    fold,
)

MONTH_START = datetime(2024, 7, 1, tzinfo=UTC)
RECORDING_START = datetime(2024, 8, 1, tzinfo=UTC)
BATCH = 1000


def random_valid_time(rng: random.Random) -> ValidTime:
    """A valid time of July 2024, mostly to the minute, some hours, days, spans, a few unknown."""
    at = MONTH_START + timedelta(seconds=rng.randrange(30 * 86_400))
    kind = rng.random()
    if kind < 0.5:
        return ValidTime.minute(at)
    if kind < 0.7:
        return ValidTime.hour(at)
    if kind < 0.9:
        return ValidTime.day(at.date(), tz=rng.choice(["America/Anchorage", "Asia/Shanghai"]))
    if kind < 0.98:
        return ValidTime.span(at, at + timedelta(hours=rng.randrange(1, 48)))
    return ValidTime.unknown(wording="date not given")


def random_fact(rng: random.Random, incident_id: UUID, source_id: UUID) -> Event:
    """An aircraft report (three in four) or a spokesman's statement, of a random valid time."""
    if rng.random() < 0.75:
        return AircraftReported(
            incident_id=incident_id,
            source_id=source_id,
            type_designation=rng.choice(["H-6", "Tu-95", "Su-35", "Y-8", "Tu-142"]),
            nation=rng.choice(["CN", "RU"]),
            count=rng.randrange(1, 5),
            role="bomber",
            valid_time=random_valid_time(rng),
        )
    return StatementIssued(
        incident_id=incident_id,
        source_id=source_id,
        speaker=Speaker(name=rng.choice(["Chen Xiaogang", "Wu Qian"]), role="spokesman"),
        medium="statement",
        quotes=("nothing to do with the current international situation",),
        valid_time=random_valid_time(rng),
    )


def _correction(rng: random.Random, target: Event, source_id: UUID) -> Correction:
    if isinstance(target, AircraftReported):
        if rng.random() < 0.5:
            return Correction.of(
                target, source_id=source_id, reason="recount", count=rng.randrange(1, 5)
            )
        return Correction.of(
            target, source_id=source_id, reason="re-dated", valid_time=random_valid_time(rng)
        )
    return Correction.of(
        target,
        source_id=source_id,
        reason="transcript",
        speaker=Speaker(name=rng.choice(["Zhang Xiaogang", "Tan Kefei"]), role="spokesman"),
    )


class _Incident:
    """One incident being recorded into an SQLite ledger, batch by batch."""

    def __init__(self, folder: Path, size: int, seed: int, name: str = "") -> None:
        self.rng = random.Random(seed)
        self.path = folder / f"timetravel-{size}{name}.db"
        self.clock = FixedClock(RECORDING_START)
        self.ledger = Ledger.open(self.path, clock=self.clock, recorder="bench")
        self.incident_id = uuid4()
        source = SourceRegistered(
            incident_id=self.incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
        )
        self.source_id = source.source_id
        opened = IncidentOpened(
            incident_id=self.incident_id, source_id=self.source_id, title="A month of patrols"
        )
        self.facts: list[Event] = []
        self._record([opened, source])
        while len(self.facts) + 2 < size:
            count = min(BATCH, size - 2 - len(self.facts))
            batch = [random_fact(self.rng, self.incident_id, self.source_id) for _ in range(count)]
            self.facts.extend(batch)
            self._record(batch)

    def _record(self, events: list[Event]) -> None:
        self.clock.set(self.clock() + timedelta(minutes=1))
        self.ledger.record(*events)

    def correct(self, rounds: int, share: float) -> None:
        for _ in range(rounds):
            touched = self.rng.sample(self.facts, int(len(self.facts) * share))
            for start in range(0, len(touched), BATCH):
                chunk = touched[start : start + BATCH]
                self._record([_correction(self.rng, t, self.source_id) for t in chunk])

    def first_and_last(self) -> tuple[datetime, datetime]:
        state = self.ledger.incident(self.incident_id)
        assert state.last_recorded_at is not None
        return RECORDING_START + timedelta(minutes=1), state.last_recorded_at


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _facts(state: Incident) -> int:
    return len(state.aircraft) + len(state.statements)


def _label(size: int, corrected: bool) -> str:
    return f"{size:,} events + 5 rounds of corrections" if corrected else f"{size:,} events"


class _Reads:
    """
    The three reads of one incident, at fixed points, one point per round.

    The current-state read; the as-of read at a random (valid time, recording
    time) point; and the as-of read whose answer holds about 100 facts
    (whatever the incident's size).
    """

    def __init__(self, incident: _Incident, repeat: int) -> None:
        ledger, incident_id = incident.ledger, incident.incident_id
        self.ledger, self.incident_id = ledger, incident_id
        first, last = incident.first_and_last()
        span = (last - first).total_seconds()
        rng = random.Random(7)
        self.points = [
            (
                MONTH_START + timedelta(seconds=rng.uniform(0, 31 * 86_400)),
                first + timedelta(seconds=rng.uniform(0, span)),
            )
            for _ in range(repeat)
        ]
        # Warm: read once, as any long-lived process has.
        self.now = now = ledger.incident(incident_id)
        self.sizes = [_facts(ledger.incident(incident_id, v, k)) for v, k in self.points]
        # The valid time by which about 100 facts had certainly happened.
        times = [a.valid_time for a in now.aircraft] + [s.valid_time for s in now.statements]
        ends = sorted(t.latest for t in times if t.latest is not None)
        self.early = ends[min(99, len(ends) - 1)]

    def current(self, _: int) -> object:
        return self.ledger.incident(self.incident_id)

    def as_of(self, i: int) -> object:
        valid_at, known_at = self.points[i]
        return self.ledger.incident(self.incident_id, valid_at, known_at)

    def small(self, i: int) -> object:
        known_at = self.points[i][1]
        return self.ledger.incident(
            self.incident_id, self.early, known_at, reading=Reading.CERTAINLY
        )

    def note(self, current: float, as_of: float) -> str:
        # Per fact answered: copying the answer out touches every fact's object once, and
        # that cost per fact grows once the objects no longer fit the CPU's caches.
        average = statistics.mean(self.sizes)
        return (
            f"answers held {_facts(self.now):,} facts now, {average:,.0f} on average "
            f"at the random points; per fact answered: current "
            f"{current * 1e6 / _facts(self.now):.0f} ns, as-of {as_of * 1e6 / max(average, 1):.0f} ns"
        )


def _interleaved_reads(
    readers: dict[tuple[int, bool], _Reads], repeat: int
) -> dict[tuple[int, bool], tuple[float, float, float]]:
    """
    Median ms of each incident's current, as-of and ~100-fact reads, all taking turns.

    In every round each incident reads once of each kind, so that the
    machine's noise falls on the small and the large incident alike and
    their ratios (the growth) hold.
    """
    times: dict[tuple[int, bool], tuple[list[float], list[float], list[float]]] = {
        key: ([], [], []) for key in readers
    }
    for i in range(repeat):
        for key, reads in readers.items():
            for slot, read in enumerate((reads.current, reads.as_of, reads.small)):
                start = time.perf_counter()
                read(i)
                times[key][slot].append(time.perf_counter() - start)
    return {
        key: (
            statistics.median(c) * 1000,
            statistics.median(a) * 1000,
            statistics.median(s) * 1000,
        )
        for key, (c, a, s) in times.items()
    }


def _cold(incident: _Incident, repeat: int) -> tuple[float, float]:
    """
    Median ms of a new Ledger's first current-state read (opening it not counted),
    and of the naive fold: decode and validate every event, re-apply every correction.
    """
    times = []
    for _ in range(repeat):
        with Ledger.open(incident.path, clock=incident.clock) as fresh:
            start = time.perf_counter()
            fresh.incident(incident.incident_id)
            times.append(time.perf_counter() - start)

    def naive() -> object:
        rows = incident.ledger.store.stream(incident.incident_id)
        return fold([decode_recorded(r.state) for r in rows])

    return statistics.median(times) * 1000, _median_ms(naive, max(1, repeat // 2))


def _published(incident: _Incident, reads: _Reads, repeat: int) -> float:
    """
    Median ms of "as published by" reads at the as-of reads' points (folded from scratch).
    """
    ledger, incident_id = incident.ledger, incident.incident_id
    times = []
    for i in range(repeat):
        valid_at, known_at = reads.points[i]
        start = time.perf_counter()
        answer = ledger.incident(incident_id, valid_at, published_by=known_at)
        times.append(time.perf_counter() - start)
        assert answer == reads.as_of(i)  # no publication times: the same question
    return statistics.median(times) * 1000


def run(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (10_000, 100_000)
    repeat = 21 if quick else 101
    cold_repeat = 3
    folder = Path(tempfile.mkdtemp(prefix="incidents-bench-timetravel-"))
    figures: list[Figure] = []
    incidents: dict[tuple[int, bool], _Incident] = {}
    try:
        # Each size twice, the same facts: as recorded, and after 5 rounds of corrections.
        for size in sizes:
            for corrected in (False, True):
                started = time.perf_counter()
                incident = _Incident(
                    folder, size, seed=size, name="-corrected" if corrected else ""
                )
                if corrected:
                    incident.correct(rounds=5, share=0.2)
                incidents[size, corrected] = incident
                print(
                    f"  {_label(size, corrected)}: recorded in "
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
        readers = {key: _Reads(incident, repeat) for key, incident in incidents.items()}
        medians = _interleaved_reads(readers, repeat)
        current_ms = {key: m[0] for key, m in medians.items()}
        as_of_ms = {key: m[1] for key, m in medians.items()}
        small_ms = {key: m[2] for key, m in medians.items()}
        for key, reads in readers.items():
            print(f"  {_label(*key)}: {reads.note(current_ms[key], as_of_ms[key])}", flush=True)
            figures.append(
                Figure(
                    group=_label(*key),
                    name="as-of read at random (valid_at, known_at)",
                    value=as_of_ms[key],
                    unit="ms",
                    baseline_name="current-state read",
                    baseline=current_ms[key],
                    higher_is_better=False,
                    target=">= 0.5x (within 2x)",
                )
            )
            size, corrected = key
            if corrected:
                cold, naive = _cold(incidents[key], cold_repeat)
                figures.append(
                    Figure(
                        group=_label(*key),
                        name="cold current-state read (new Ledger)",
                        value=cold,
                        unit="ms",
                        baseline_name="naive fold",
                        baseline=naive,
                        higher_is_better=False,
                    )
                )
                published = _published(incidents[key], reads, cold_repeat)
                print(
                    f"  {_label(*key)}: as-published-by read {published:,.0f} ms, "
                    f"as-of read at the same points {as_of_ms[key]:.2f} ms",
                    flush=True,
                )
                figures.append(
                    Figure(
                        group=_label(*key),
                        name="as-published-by read (folded from scratch)",
                        value=published,
                        unit="ms",
                        baseline_name="naive fold",
                        baseline=naive,
                        higher_is_better=False,
                    )
                )
        small, large = sizes
        for corrected in (False, True):
            suffix = " after corrections" if corrected else ""
            growth = f"growth {small:,} -> {large:,} events{suffix}"
            figures.append(
                Figure(
                    group=growth,
                    name=f"as-of read at {large:,}",
                    value=as_of_ms[large, corrected],
                    unit="ms",
                    baseline_name=f"at {small:,}",
                    baseline=as_of_ms[small, corrected],
                    higher_is_better=False,
                    target="> 0.1x (growth < 10x)",
                )
            )
            figures.append(
                Figure(
                    group=growth,
                    name=f"as-of read answering ~100 facts at {large:,}",
                    value=small_ms[large, corrected],
                    unit="ms",
                    baseline_name=f"at {small:,}",
                    baseline=small_ms[small, corrected],
                    higher_is_better=False,
                    target="> 0.1x (growth < 10x)",
                )
            )
            figures.append(
                Figure(
                    group=growth,
                    name=f"current-state read at {large:,}",
                    value=current_ms[large, corrected],
                    unit="ms",
                    baseline_name=f"at {small:,}",
                    baseline=current_ms[small, corrected],
                    higher_is_better=False,
                )
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak resident memory of the run: {peak:,.0f} MiB")
    finally:
        for incident in incidents.values():
            incident.ledger.close()
        shutil.rmtree(folder, ignore_errors=True)
    return figures
