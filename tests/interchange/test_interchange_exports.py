"""Exports: fact versions as Arrow, pandas, polars, DuckDB, Parquet and CSV; Datasette; STIX 2.1."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from uuid import uuid4

import attrs
import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import stix2

from incidents import (
    AssessmentMade,
    Credibility,
    Event,
    FixedClock,
    InvalidInputError,
    Ledger,
    Recorded,
    Retraction,
    ValidTime,
    examples,
)
from incidents._domain import events as _events
from incidents.interchange import (
    ADMIRALTY_CONFIDENCE,
    COLUMNS,
    example_file,
    fact_table,
    import_rows,
    versions,
    write_datasette,
    write_stix,
)
from incidents.interchange._table import fact_rows
from support.backends import Backend


def filled(ledger: Ledger) -> Ledger:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    for at, events in examples.alaska_2024_batches():
        clock.set(at)
        ledger.record(*events)
    for at, events in examples.dokdo_2019_batches():
        clock.set(max(at, clock() + timedelta(seconds=1)))
        ledger.record(*events)
    clock.set(clock() + timedelta(days=1))
    import_rows(
        ledger,
        example_file("aircraft-around-japan.csv"),
        example_file("aircraft-around-japan.toml"),
    )
    incident = ledger.incident(examples.ALASKA_2024)
    ledger.record(
        AssessmentMade(
            incident_id=examples.ALASKA_2024,
            source_id=incident.sources[0].id,
            target_id=incident.statements[0].id,
            credibility=Credibility.PROBABLY_TRUE,
            reasoning="Two ministries say the same.",
        ),
        recorder="analyst",
    )
    return ledger


@pytest.fixture
def full(backend: Backend) -> Ledger:
    return filled(backend.open(clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT)))


def test_a_correction_makes_a_second_version_and_a_retraction_ends_the_last(
    backend: Backend,
) -> None:
    clock = FixedClock(examples.ALASKA_2024_PUBLISHED_AT)
    ledger = backend.open(clock=clock)
    for at, events in examples.alaska_2024_batches():
        clock.set(at)
        ledger.record(*events)
    corrected = {r["fact_id"] for r in fact_table(ledger) if r["version"] == 2}
    assert len(corrected) == 1  # the ministry's spokesman, Chen Xiaogang -> Zhang Xiaogang
    rows = [r for r in fact_table(ledger) if r["fact_id"] in corrected]
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[0]["ended_at"] == rows[1]["recorded_at"]
    assert not rows[0]["standing"]
    assert rows[1]["standing"]
    assert rows[1]["version_event_type"] == "correction"
    assert "Chen Xiaogang" in rows[0]["payload"]
    assert "Zhang Xiaogang" in rows[1]["payload"]
    aircraft = next(r for r in fact_table(ledger) if r["fact_type"] == "aircraft-reported")
    clock.set(clock() + timedelta(days=1))
    ledger.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=ledger.incident(examples.ALASKA_2024).sources[0].id,
            target_id=_uuid(aircraft["fact_id"]),
            reason="a test",
        )
    )
    after = [r for r in fact_table(ledger) if r["fact_id"] == aircraft["fact_id"]]
    assert len(after) == 1
    assert after[0]["withdrawn"]
    assert after[0]["ended_at"] is not None
    before = fact_table(ledger, known_at=examples.ALASKA_2024_PUBLISHED_AT)
    assert all(r["standing"] or r["ended_at"] <= examples.ALASKA_2024_PUBLISHED_AT for r in before)


def _uuid(text: str) -> object:
    from uuid import UUID

    return UUID(text)


@attrs.frozen(kw_only=True)
class SightingLogged(Event):
    """An event type the vocabulary does not have (yet)."""

    TYPE: ClassVar[str] = "sighting-logged"

    note: str
    valid_time: ValidTime


# Its annotations and those of the Event it extends, resolved where both are defined.
attrs.resolve_types(SightingLogged, globalns={**vars(_events), **globals()})


def test_an_event_type_added_later_is_exported_with_its_type_and_payload() -> None:
    incident, source = uuid4(), uuid4()
    at = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    event = SightingLogged(
        incident_id=incident, source_id=source, note="a drone", valid_time=ValidTime.minute(at)
    )
    record = Recorded(event=event, sequence=1, position=1, recorded_at=at, recorder="r")
    (row,) = fact_rows(versions([record]))
    assert row["fact_type"] == "sighting-logged"
    assert json.loads(row["payload"])["note"] == "a drone"
    assert json.loads(row["payload"])["type"] == "sighting-logged"
    assert row["valid_from"] == at
    assert row["valid_precision"] == "minute"
    assert row["description"] == "sighting-logged"


def test_the_table_reads_in_arrow_pandas_polars_and_duckdb_without_copies(full: Ledger) -> None:
    table = fact_table(full)
    arrow = pa.table(table)
    assert arrow.num_rows == len(table)
    assert arrow.column_names == list(COLUMNS)
    assert arrow.schema.field("recorded_at").type == pa.timestamp("us", tz="UTC")
    frame = pd.DataFrame.from_arrow(table)
    assert len(frame) == len(table)
    assert frame["latitude"].notna().any()
    assert len(table.to_pandas()) == len(table)
    assert pl.DataFrame(table).height == len(table)
    counted = (
        duckdb.from_arrow(table)
        .query("facts", "select fact_type, count(*) from facts group by fact_type")
        .fetchall()
    )
    assert dict(counted)["aircraft-reported"] >= 9
    # Zero-copy: pyarrow reads the very buffers the table holds.
    assert pa.table(table).column("payload").chunks[0].buffers()[2].address == (
        table.to_arrow().column("payload").chunks[0].buffers()[2].address
    )


def test_parquet_and_csv(full: Ledger, tmp_path: Path) -> None:
    table = fact_table(full)
    table.write_parquet(tmp_path / "facts.parquet")
    assert pq.read_table(tmp_path / "facts.parquet").equals(table.to_arrow())
    table.write_csv(tmp_path / "facts.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "facts.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(table)
    assert list(rows[0]) == list(COLUMNS)
    aircraft = [r for r in rows if r["fact_type"] == "aircraft-reported" and r["latitude"]]
    assert aircraft
    assert datetime.fromisoformat(aircraft[0]["valid_from"]).tzinfo is not None


def test_the_datasette_file_has_text_ids_iso_times_a_map_and_search(
    full: Ledger, tmp_path: Path
) -> None:
    path = tmp_path / "incidents.db"
    write_datasette(full, path)
    db = sqlite3.connect(path)
    columns = {r[1]: r[2] for r in db.execute("pragma table_info(fact_versions)")}
    assert columns["latitude"] == "REAL"
    assert columns["longitude"] == "REAL"
    assert columns["incident_id"] == "TEXT"
    assert columns["recorded_at"] == "TEXT"
    incident, recorded = db.execute("select incident_id, recorded_at from fact_versions").fetchone()
    assert isinstance(incident, str)
    assert len(incident) == 36
    assert datetime.fromisoformat(recorded).tzinfo is not None
    assert db.execute("select count(*) from incidents").fetchone()[0] == len(full.incident_ids())
    found = db.execute(
        "select quote from quotes where id in (select rowid from quotes_fts where quotes_fts match ?)",
        ("presence",),
    ).fetchall()
    assert found
    standing = db.execute("select count(*) from current_facts").fetchone()[0]
    assert 0 < standing < db.execute("select count(*) from fact_versions").fetchone()[0]
    db.close()


def test_the_datasette_file_never_replaces_the_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        ledger.record(*examples.alaska_2024())
        with pytest.raises(InvalidInputError, match="the ledger's own file"):
            write_datasette(ledger, path)
        assert len(ledger) == len(examples.alaska_2024())


def test_the_datasette_file_opens_in_datasette(full: Ledger, tmp_path: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app")
    path = tmp_path / "incidents.db"
    write_datasette(full, path)

    async def ask() -> tuple[dict[str, object], dict[str, object]]:
        ds = datasette_app.Datasette([str(path)])
        table = await ds.client.get("/incidents/fact_versions.json?_shape=objects&_size=5")
        search = await ds.client.get("/incidents/quotes.json?_search=presence&_shape=objects")
        assert table.status_code == 200
        assert search.status_code == 200
        return table.json(), search.json()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table, search = asyncio.run(ask())
    rows = table["rows"]
    assert isinstance(rows, list)
    assert rows
    assert "latitude" in rows[0]
    assert search["rows"]


def test_the_stix_bundle_parses_with_stix2(full: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "incidents.stix.json"
    count = write_stix(full, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "bundle"
    assert len(data["objects"]) == count
    bundle = stix2.parse(path.read_text(encoding="utf-8"), allow_custom=False)
    kinds = {o.type for o in bundle.objects}
    assert {
        "identity",
        "location",
        "observed-data",
        "sighting",
        "relationship",
        "report",
        "opinion",
        "grouping",
        "note",
    } <= kinds
    confidences = {o.get("confidence") for o in bundle.objects}
    assert confidences - {None} <= set(ADMIRALTY_CONFIDENCE.values())
    located = [o for o in bundle.objects if o.type == "location"]
    assert all(-90 <= o.latitude <= 90 for o in located)
    ids = [o["id"] for o in data["objects"]]
    assert len(ids) == len(set(ids))
    again = tmp_path / "again.stix.json"
    write_stix(full, again)
    assert again.read_bytes() == path.read_bytes()  # the same ledger, the same bundle


def test_a_retracted_fact_is_revoked_in_stix(tmp_path: Path) -> None:
    clock = FixedClock(examples.ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(":memory:", clock=clock) as ledger:
        for at, events in examples.alaska_2024_batches():
            clock.set(at)
            ledger.record(*events)
        statement = _uuid(
            next(r["fact_id"] for r in fact_table(ledger) if r["fact_type"] == "statement-issued")
        )
        source = ledger.incident(examples.ALASKA_2024).sources[0].id
        clock.set(clock() + timedelta(days=1))
        ledger.record(
            Retraction(
                incident_id=examples.ALASKA_2024,
                source_id=source,
                target_id=statement,
                reason="a test",
            )
        )
        write_stix(ledger, tmp_path / "b.json")
    objects = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["objects"]
    revoked = [o for o in objects if o.get("revoked")]
    assert [o["type"] for o in revoked] == ["report"]
    stix2.parse(json.dumps({"type": "bundle", "id": "bundle--" + str(uuid4()), "objects": objects}))
