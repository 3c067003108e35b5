"""
Interchange: the STIX 2.1 export, the flat table, and importing events.

* STIX: a ledger of 600 incidents (300 with ``--quick``), each an opening,
  two sources, ten aircraft reports with positions, a statement and an
  assessment, exports more than 25,000 objects; the target is under 10 s
  for 25,000. Beside it: ``json.dumps`` of the very same objects as plain
  dicts (the least any exporter writing JSON must do), and the ``stix2``
  library building and serialising a sample of 300 of them
  (``stix2.parse`` then ``serialize``), extrapolated per object.
* The flat table of fact versions as Arrow, beside ``pyarrow.Table.from_pylist``
  of the same rows (the table's own rows, already made).
* ``import_events`` of an events file into an empty SQLite ledger, beside
  ``Ledger.record`` of the same events already built (what the import adds:
  reading, checking each line, looking for events already there).
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._harness import Figure, interleaved_medians, median_seconds
from incidents import (
    AircraftReported,
    AssessmentMade,
    Credibility,
    Event,
    FixedClock,
    IncidentOpened,
    Ledger,
    Location,
    Position,
    Reliability,
    SourceKind,
    SourceRegistered,
    Speaker,
    StatementIssued,
    ValidTime,
)
from incidents.interchange import fact_table, import_events, stix_objects, write_events, write_stix

AT = datetime(2024, 7, 25, tzinfo=UTC)
TYPES = ("H-6K", "Tu-95MS", "Y-9", "J-16", "Su-30SM")


def incident_events(n: int) -> list[Event]:
    incident = uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{n}")
    sources = [
        SourceRegistered(
            incident_id=incident,
            source_id=uuid.uuid5(incident, f"source/{i}"),
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=f"Ministry {i}",
            url=f"https://example.org/{n}/{i}",
            published_at=AT,
            reliability=Reliability.B,
            credibility=Credibility.PROBABLY_TRUE,
        )
        for i in range(2)
    ]
    events: list[Event] = [
        IncidentOpened(
            incident_id=incident,
            source_id=sources[0].source_id,
            event_id=uuid.uuid5(incident, "opened"),
            title=f"Incident {n}",
        ),
        *sources,
    ]
    for i in range(10):
        events.append(
            AircraftReported(
                incident_id=incident,
                source_id=sources[i % 2].source_id,
                event_id=uuid.uuid5(incident, f"aircraft/{i}"),
                type_designation=TYPES[i % len(TYPES)],
                nation="CN" if i % 2 else "RU",
                count=1 + i % 3,
                valid_time=ValidTime.minute(AT + timedelta(minutes=n * 10 + i)),
                location=Location(position=Position(lat=30 + (n % 20), lon=120 + i)),
            )
        )
    statement = StatementIssued(
        incident_id=incident,
        source_id=sources[0].source_id,
        event_id=uuid.uuid5(incident, "statement"),
        speaker=Speaker(organization="Ministry 0"),
        medium="press release",
        quotes=(f"Aircraft were seen, incident {n}.",),
        valid_time=ValidTime.day("2024-07-25", tz="Asia/Tokyo"),
    )
    events.append(statement)
    events.append(
        AssessmentMade(
            incident_id=incident,
            source_id=sources[1].source_id,
            event_id=uuid.uuid5(incident, "assessment"),
            target_id=statement.event_id,
            credibility=Credibility.POSSIBLY_TRUE,
            reasoning="One ministry only.",
        )
    )
    return events


def run(quick: bool) -> list[Figure]:
    incidents = 300 if quick else 600
    repeat = 3
    folder = Path(tempfile.mkdtemp(prefix="bench-interchange-"))
    events = [e for n in range(incidents) for e in incident_events(n)]
    figures = []
    with Ledger.open(folder / "ledger.db", clock=FixedClock(AT)) as ledger:
        ledger.record(*events)
        objects = list(stix_objects(ledger))
        count = len(objects)
        stix_seconds = median_seconds(lambda: write_stix(ledger, folder / "b.json"), repeat=repeat)
        dumps_seconds = median_seconds(
            lambda: json.dumps({"type": "bundle", "id": "bundle--x", "objects": objects}),
            repeat=repeat,
        )
        figures.append(
            Figure(
                "interchange",
                f"STIX 2.1 bundle of {count:,} objects, from the ledger",
                count / stix_seconds,
                "objects/s",
                "json.dumps of the same dicts",
                count / dumps_seconds,
                target=f"25,000 in < 10 s: {25_000 * stix_seconds / count:.2f} s",
            )
        )
        try:
            import stix2
        except ModuleNotFoundError:  # pragma: no cover - a dev dependency
            stix2 = None
        if stix2 is not None:
            sample = objects[:300]
            bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": sample}
            started = time.perf_counter()
            stix2.parse(bundle, allow_custom=False).serialize()
            per_object = (time.perf_counter() - started) / len(sample)
            figures.append(
                Figure(
                    "interchange",
                    "STIX 2.1 bundle, per object",
                    count / stix_seconds,
                    "objects/s",
                    f"stix2 build + serialize, {len(sample)} extrapolated: "
                    f"{25_000 * per_object:.0f} s for 25,000",
                    1 / per_object,
                )
            )
        table = fact_table(ledger)
        rows = table.rows
        arrow_pa = __import__("pyarrow")
        schema = table.arrow_schema()
        seconds = interleaved_medians(
            {
                "ledger": (lambda: fact_table(ledger).to_arrow(), None),
                "pylist": (lambda: arrow_pa.Table.from_pylist(rows, schema=schema), None),
            },
            repeat=repeat,
        )
        figures.append(
            Figure(
                "interchange",
                f"flat table of {len(rows):,} fact versions as Arrow, from the ledger",
                len(rows) / seconds["ledger"],
                "rows/s",
                "pyarrow from_pylist of the rows made",
                len(rows) / seconds["pylist"],
            )
        )
        write_events(ledger, folder / "events.jsonl")
    counter = iter(range(1_000_000))

    def fresh() -> Ledger:
        return Ledger.open(folder / f"import-{next(counter)}.db", clock=FixedClock(AT))

    def imported() -> None:
        with fresh() as target:
            import_events(target, folder / "events.jsonl")

    def recorded() -> None:
        with fresh() as target:
            target.record(*events)

    seconds = interleaved_medians(
        {"ledger": (imported, None), "record": (recorded, None)}, repeat=repeat
    )
    figures.append(
        Figure(
            "interchange",
            f"import_events of {len(events):,} events into SQLite",
            len(events) / seconds["ledger"],
            "events/s",
            "Ledger.record of the events built",
            len(events) / seconds["record"],
        )
    )
    return figures
