"""
Filtered listings: the search index against folding every incident and filtering.

A ledger of many small incidents (a patrol's worth of facts each: aircraft of
two nations, a patrol over named areas, an intercept, a zone entry, one
source), of which about one in a hundred involves Japan. Measured, each in
milliseconds:

* ``incidents(nation="JP")`` with the index built and every fold in memory
  (warm), beside listing every incident and filtering the states in Python
  (what a caller without filters has to do);
* the same query in a new ``Ledger`` on the same file (cold: the first
  filtered listing indexes every incident once), beside the unfiltered
  listing in a new ``Ledger`` (which folds every incident too);
* the same warm query after one more event in one incident (only that
  incident is folded again).
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from benchmarks._harness import Figure
from incidents import (
    AircraftReported,
    FixedClock,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    Ledger,
    PatrolReported,
    SourceKind,
    SourceRegistered,
    ValidTime,
    ZoneEntryReported,
)
from incidents._domain.search import Search

AREAS = ("Sea of Japan", "East China Sea", "Bering Sea", "Chukchi Sea", "Philippine Sea")


def _incident(rng: random.Random, n: int, japan: bool) -> list[object]:
    incident, source = uuid4(), uuid4()
    day = datetime(2019, 7, 23, tzinfo=UTC) + timedelta(days=n % 2000)
    when = ValidTime.day(day.date(), tz="Asia/Seoul")
    common = {"incident_id": incident, "source_id": source}
    bombers = [
        AircraftReported(**common, type_designation=t, nation=c, count=2, valid_time=when)
        for t, c in (("H-6K", "CN"), ("Tu-95MS", "RU"))
    ]
    responder = "JP" if japan else rng.choice(("KR", "US", "CA"))
    return [
        IncidentOpened(**common, title=f"Patrol {n}"),
        SourceRegistered(
            incident_id=incident,
            source_id=source,
            kind=SourceKind.PRESS_RELEASE,
            publisher=f"Ministry {n % 7}",
        ),
        *bombers,
        PatrolReported(
            **common,
            aircraft=tuple(b.event_id for b in bombers),
            nations=("CN", "RU"),
            joint=True,
            areas=tuple(rng.sample(AREAS, 2)),
            valid_time=when,
        ),
        InterceptReported(
            **common,
            interceptors=(Interceptor(nation=responder, type_designation="F-15", count=2),),
            intercepted=(bombers[0].event_id,),
            valid_time=when,
        ),
        ZoneEntryReported(**common, zone="ADIZ", nation="CN", valid_time=when),
    ]


def _ms(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] * 1000


def run(quick: bool) -> list[Figure]:
    """Measure filtered listings with and without the index."""
    count = 300 if quick else 3000
    repeat = 3 if quick else 5
    rng = random.Random(16)
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "search.db"
        clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
        with Ledger.open(path, clock=clock) as ledger:
            batch: list[object] = []
            for n in range(count):
                batch.extend(_incident(rng, n, japan=n % 100 == 0))
                if len(batch) >= 500:
                    clock.set(clock() + timedelta(seconds=1))
                    ledger.record(*batch)  # type: ignore[arg-type]
                    batch = []
            if batch:
                clock.set(clock() + timedelta(seconds=1))
                ledger.record(*batch)  # type: ignore[arg-type]
        search = Search.of(nation="JP")
        assert search is not None

        def cold_filtered() -> object:
            with Ledger.open(path) as fresh:
                return fresh.incidents(nation="JP")

        def cold_all() -> object:
            with Ledger.open(path) as fresh:
                return fresh.incidents()

        cold = _ms(cold_filtered, repeat)
        cold_baseline = _ms(cold_all, repeat)
        with Ledger.open(path, clock=clock) as ledger:
            found = ledger.incidents(nation="JP")
            assert len(found) == (count + 99) // 100
            warm = _ms(lambda: ledger.incidents(nation="JP"), repeat)
            baseline = _ms(
                lambda: [i for i in ledger.incidents() if search.matches_incident(i)], repeat
            )
            one = found[0]
            clock.set(clock() + timedelta(seconds=1))
            ledger.record(
                ZoneEntryReported(
                    incident_id=one.id,
                    source_id=one.sources[0].id,
                    zone="JADIZ",
                    nation="RU",
                    valid_time=ValidTime.unknown(),
                )
            )
            after_write = _ms(lambda: ledger.incidents(nation="JP"), 1)
        group = f"search ({count:,} incidents, 1 in 100 matching)"
        figures += [
            Figure(
                group,
                'incidents(nation="JP"), warm',
                warm,
                "ms",
                "list all, then filter",
                baseline,
                higher_is_better=False,
            ),
            Figure(
                group,
                'incidents(nation="JP"), new Ledger',
                cold,
                "ms",
                "incidents() in a new Ledger",
                cold_baseline,
                higher_is_better=False,
            ),
            Figure(
                group,
                "warm, after one more event",
                after_write,
                "ms",
                "list all, then filter",
                baseline,
                higher_is_better=False,
            ),
        ]
    return figures
