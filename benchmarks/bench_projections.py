"""
Projection catch-up throughput over 100,000 recorded events (10,000 with --quick).

The ledger is an SQLite file of synthetic incidents (aircraft, patrols,
intercepts, statements, with about 7% corrections and retractions). Every
figure is events of the log per second (the log's length over the time to
catch up from zero), beside the raw baseline measured in the same run: the
same rows read with one ``SELECT state ... ORDER BY sequence`` and decoded
with ``json.loads``, nothing else. The library parses the rows it stored with
orjson; the same read with ``orjson.loads`` is shown as a second baseline.

* into memory: ``live()``, the state held in memory;
* into SQLite: ``ReadModel.catch_up()`` from zero, one transaction per batch
  of 1,000 events with the checkpoint in it, ``synchronous=FULL``;
* two projections: one with a handler for every event type (so every row is
  decoded) and the documentation's intercepts per nation per month (one type
  of eight: the other rows are filtered out in SQL and never decoded);
* once more into memory, over a second ledger of the same events where every
  correction and retraction is recorded after all the facts (as when sources
  are corrected days later), beside the raw read of that ledger.

The ``decode:`` rows time decoding alone over the same rows held in memory,
each result dropped at once (as in a catch-up), beside ``json.loads``.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from benchmarks._harness import Figure, interleaved_medians
from incidents import (
    AircraftReported,
    Claim,
    Correction,
    Credibility,
    Event,
    FixedClock,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    Ledger,
    Location,
    PatrolReported,
    Reliability,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
)
from incidents._codec.canonical import decode_recorded
from incidents._codec.trusted import decode_trusted
from incidents.projections import Change, Projection, ReadModel, Timeline, handles, live


class EventsByType(Projection):
    """Events by type and incident: a handler for every type, so every row is decoded."""

    @handles(Event)
    def anything(self, state: dict[str, Any], change: Change[Event]) -> None:
        counts = state.setdefault(change.event.TYPE, {})
        key = str(change.incident_id)
        counts[key] = counts.get(key, 0) + change.sign


class InterceptsByNationMonth(Projection):
    """Intercepts per responding nation per month (the documentation's first example)."""

    @handles(InterceptReported)
    def intercept(self, state: dict[str, Any], change: Change[InterceptReported]) -> None:
        earliest = change.event.valid_time.earliest
        month = "unknown" if earliest is None else f"{earliest:%Y-%m}"
        for nation in sorted({i.nation for i in change.event.interceptors}):
            months = state.setdefault(nation, {})
            months[month] = months.get(month, 0) + change.sign


def _incident(rng: random.Random, day: datetime, size: int) -> list[Event]:
    def uid() -> UUID:
        return UUID(int=rng.getrandbits(128), version=4)

    incident = uid()
    sources = [uid() for _ in range(3)]
    events: list[Event] = [
        IncidentOpened(
            incident_id=incident, source_id=sources[0], title="Synthetic", region="Bering Sea"
        )
    ]
    events += [
        SourceRegistered(
            incident_id=incident,
            source_id=s,
            kind=SourceKind.NEWS_ARTICLE,
            publisher=rng.choice(["NORAD", "RIA Novosti", "PRC MND"]),
            reliability=Reliability.B,
            credibility=Credibility.PROBABLY_TRUE,
        )
        for s in sources
    ]
    aircraft: list[AircraftReported] = []
    facts: list[Event] = []
    while len(events) < size:
        when = ValidTime.day(
            (day + timedelta(days=rng.randrange(365))).date(),
            tz="America/Anchorage",
            wording="on Wednesday",
        )
        source = rng.choice(sources)
        r = rng.random()
        event: Event
        if r < 0.35 or not aircraft:
            event = AircraftReported(
                incident_id=incident,
                source_id=source,
                type_designation=rng.choice(["H-6", "Tu-95", "Su-35", "Y-9"]),
                nation=rng.choice(["CN", "RU"]),
                count=rng.randint(1, 4),
                role="bomber",
                valid_time=when,
                location=Location(name="Alaska ADIZ"),
            )
            aircraft.append(event)
        elif r < 0.5:
            event = PatrolReported(
                incident_id=incident,
                source_id=source,
                aircraft=[a.event_id for a in rng.sample(aircraft, min(2, len(aircraft)))],
                nations=("CN", "RU"),
                joint=True,
                areas=("Bering Sea",),
                valid_time=when,
            )
        elif r < 0.65:
            event = InterceptReported(
                incident_id=incident,
                source_id=source,
                interceptors=(
                    Interceptor(nation=rng.choice(["US", "CA"]), type_designation="F-16", count=2),
                ),
                intercepted=[rng.choice(aircraft).event_id],
                valid_time=when,
                location=Location(name="Alaska ADIZ"),
            )
        elif r < 0.93 or not facts:
            event = StatementIssued(
                incident_id=incident,
                source_id=source,
                speaker=Speaker(name="Zhang Xiaogang", role="spokesman", organization="PRC MND"),
                medium="statement",
                quotes=("nothing to do with the current international situation",),
                claims=(
                    Claim(
                        topic="violated-foreign-airspace",
                        stance=Stance.DENIES,
                        text="No airspace was violated.",
                    ),
                ),
                valid_time=when,
            )
        else:
            target = rng.choice(facts)
            if r < 0.98 and isinstance(target, AircraftReported):
                event = Correction.of(
                    target, source_id=source, reason="recount", count=rng.randint(1, 4)
                )
            elif r < 0.98 and isinstance(target, StatementIssued):
                event = Correction.of(
                    target,
                    source_id=source,
                    reason="name",
                    speaker=Speaker(name="Chen Xiaogang", organization="PRC MND"),
                )
            else:
                event = Retraction(
                    incident_id=incident,
                    source_id=source,
                    target_id=target.event_id,
                    reason="withdrawn",
                )
        events.append(event)
        if not isinstance(event, Correction | Retraction):
            facts.append(event)
    return events


def build_ledger(path: Path, total: int, *, late: bool = False) -> None:
    """
    Record *total* synthetic events, about 1,000 per batch, 100 per incident.

    With *late*, the same events, but every correction and retraction is
    recorded after all the facts, as when sources are corrected days later:
    an amendment then finds its fact far back in the log.
    """
    rng = random.Random(20240724)
    clock = FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC))
    day = datetime(2024, 1, 1, tzinfo=UTC)
    recorded = 0
    amendments: list[Event] = []
    with Ledger.open(path, clock=clock, recorder="benchmark") as ledger:
        while recorded + len(amendments) < total:
            batch: list[Event] = []
            while len(batch) < 1000 and recorded + len(amendments) + len(batch) < total:
                events = _incident(
                    rng, day, min(100, total - recorded - len(amendments) - len(batch))
                )
                if late:
                    amendments += [e for e in events if isinstance(e, Correction | Retraction)]
                    events = [e for e in events if not isinstance(e, Correction | Retraction)]
                batch += events
            clock.set(clock() + timedelta(seconds=1))
            ledger.record(*batch)
            recorded += len(batch)
        for start in range(0, len(amendments), 1000):
            clock.set(clock() + timedelta(seconds=1))
            ledger.record(*amendments[start : start + 1000])


def _each(decode: Callable[[bytes], object], rows: list[bytes]) -> None:
    for row in rows:
        decode(row)


def _raw_read(path: Path, loads: Callable[[bytes], object] = json.loads) -> int:
    connection = sqlite3.connect(path)
    try:
        count = 0
        for (state,) in connection.execute("SELECT state FROM incident_events ORDER BY sequence"):
            loads(state)
            count += 1
        return count
    finally:
        connection.close()


def run(quick: bool) -> list[Figure]:
    total = 10_000 if quick else 100_000
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        build_ledger(path, total)
        print(
            f"recorded {total:,} synthetic events in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        assert total == _raw_read(path)
        late_path = Path(folder) / "late.db"
        build_ledger(late_path, total, late=True)
        assert total == _raw_read(late_path)
        with Ledger.open(path) as ledger, Ledger.open(late_path) as late:
            rows = [state for _, _, state in ledger.store.projection_rows(after=0)]
            sample = rows[: len(rows) // 5]
            models = {
                name: ReadModel(ledger, projection, batch_size=1000)
                for name, projection in (
                    ("sqlite all", EventsByType()),
                    ("sqlite intercepts", InterceptsByNationMonth()),
                    ("sqlite timeline", Timeline()),
                )
            }
            few = min(total, 2_000)
            single = ReadModel(ledger, EventsByType(), batch_size=1)
            runs: dict[str, tuple[Callable[[], object], Callable[[], object] | None]] = {
                "raw": (lambda: _raw_read(path), None),
                "raw orjson": (lambda: _raw_read(path, orjson.loads), None),
                # Each result dropped at once, as a catch-up does: a list of them all
                # would make the garbage collector walk it again and again.
                "loads": (lambda: _each(json.loads, rows), None),
                "orjson": (lambda: _each(orjson.loads, rows), None),
                "trusted": (lambda: _each(decode_trusted, rows), None),
                "validating": (lambda: _each(decode_recorded, sample), None),
                "memory all": (lambda: live(ledger, EventsByType()), None),
                "memory intercepts": (lambda: live(ledger, InterceptsByNationMonth()), None),
                "raw late": (lambda: _raw_read(late_path), None),
                "memory late": (lambda: live(late, EventsByType()), None),
                **{name: (model.catch_up, model.drop) for name, model in models.items()},
                "sqlite 1/txn": (lambda: single.catch_up(until=few), single.drop),
            }
            seconds = interleaved_medians(runs, repeat=repeat)
    rate = {name: total / s for name, s in seconds.items()}
    rate["validating"] = len(sample) / seconds["validating"]
    rate["sqlite 1/txn"] = few / seconds["sqlite 1/txn"]
    raw, per, baseline = rate["raw"], f"events/s ({total // 1000}k)", "raw SELECT+json.loads"
    into_sqlite = ">= 50,000 events/s"
    return [
        Figure(
            "decode",
            "decode_trusted (stored rows)",
            rate["trusted"],
            "rows/s",
            "json.loads",
            rate["loads"],
        ),
        Figure(
            "decode",
            "decode_trusted (stored rows)",
            rate["trusted"],
            "rows/s",
            "orjson.loads, the parser it uses",
            rate["orjson"],
        ),
        Figure(
            "decode",
            "decode_recorded (validating)",
            rate["validating"],
            "rows/s",
            "json.loads",
            rate["loads"],
        ),
        Figure(
            "into memory",
            "every type decoded (events by type)",
            rate["memory all"],
            per,
            baseline,
            raw,
            target=">= 0.5x",
        ),
        Figure(
            "into memory",
            "every type decoded (events by type)",
            rate["memory all"],
            per,
            "raw SELECT+orjson.loads",
            rate["raw orjson"],
        ),
        Figure(
            "into memory",
            "every type, amendments recorded after all their facts",
            rate["memory late"],
            per,
            f"{baseline}, same rows",
            rate["raw late"],
        ),
        Figure(
            "into memory",
            "intercepts per nation per month (1 type of 8)",
            rate["memory intercepts"],
            per,
            baseline,
            raw,
            target=">= 0.5x",
        ),
        Figure(
            "into SQLite, 1,000/txn",
            "every type decoded (events by type)",
            rate["sqlite all"],
            per,
            baseline,
            raw,
            target=into_sqlite,
        ),
        Figure(
            "into SQLite, 1,000/txn",
            "intercepts per nation per month (1 type of 8)",
            rate["sqlite intercepts"],
            per,
            baseline,
            raw,
            target=into_sqlite,
        ),
        Figure(
            "into SQLite, 1,000/txn",
            "timeline of every incident",
            rate["sqlite timeline"],
            per,
            baseline,
            raw,
        ),
        Figure(
            "into SQLite, 1/txn",
            f"every type decoded, first {few:,} events",
            rate["sqlite 1/txn"],
            "events/s",
            baseline,
            raw,
        ),
    ]
