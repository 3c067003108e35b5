"""The incident timeline: order, honest precision, sources, marks, formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from test_projections import record_example

from incidents import (
    AircraftReported,
    Correction,
    FixedClock,
    IncidentOpened,
    Ledger,
    Retraction,
    SourceKind,
    SourceRegistered,
    UnknownIncidentError,
    ValidTime,
    examples,
)
from incidents.projections import IncidentTimeline, Timeline, incident_timeline, live
from support.backends import Backend

IDS = examples.alaska_2024_ids()


@pytest.fixture
def alaska(tmp_path: object) -> Ledger:
    ledger = Ledger.open(":memory:", clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT))
    record_example(ledger)
    return ledger


def test_worked_example_reads_in_valid_time_order(alaska: Ledger) -> None:
    timeline = incident_timeline(alaska, examples.ALASKA_2024)
    assert [
        ("2024-07-24 (America/Anchorage)", "on Wednesday", IDS["aircraft/h-6"]),
        ("2024-07-24 (America/Anchorage)", "on Wednesday", IDS["aircraft/tu-95"]),
        ("2024-07-24 (America/Anchorage)", "on Wednesday", IDS["intercept"]),
        ("2024-07-24 (America/Anchorage)", "on Wednesday", IDS["statement/norad"]),
        ("2024-07-25 (Asia/Shanghai)", "today", IDS["patrol"]),
        ("2024-07-25 (Asia/Shanghai)", "today", IDS["statement/china"]),
        ("2024-07-25 (Asia/Shanghai)", "today", IDS["aircraft/h-6k"]),
        ("2024-07-25 (Europe/Moscow)", None, IDS["statement/russia"]),
        ("2024-07-25 (Europe/Moscow)", None, IDS["aircraft/tu-95ms"]),
        ("time unknown", "officially confirmed on X", IDS["statement/x"]),
    ] == [(e.when, e.wording, e.event_id) for e in timeline.entries]
    assert [e.number for e in timeline.entries] == list(range(1, 11))
    assert timeline.title == "Joint Chinese-Russian bomber patrol near Alaska"
    intercept = timeline.entries[2]
    assert intercept.what == (
        "2 x H-6 (CN) and 2 x Tu-95 (RU) intercepted by 2 F-16 (US), 2 F-35 (US) and 2 CF-18 (CA)"
        " in Alaska ADIZ"
    )
    assert intercept.source == "NORAD [B2]"
    assert intercept.precision == "day"
    assert datetime(2024, 7, 24, 8, tzinfo=UTC) == intercept.valid_from
    assert datetime(2024, 7, 25, 7, 59, 59, 999999, tzinfo=UTC) == intercept.valid_to


def test_the_table_marks_the_correction_and_explains_it(alaska: Ledger) -> None:
    text = incident_timeline(alaska, examples.ALASKA_2024).table(width=100)
    lines = text.splitlines()
    assert lines[0] == "Joint Chinese-Russian bomber patrol near Alaska (Bering Sea / Alaska ADIZ)"
    assert "as known now: 10 dated facts" in lines[1]
    row = next(i for i, line in enumerate(lines) if line.startswith("6  "))
    assert "Zhang Xiaogang, spokesman" in lines[row]
    assert any("CORRECTED [1]" in line for line in lines[row : row + 6])
    notes = text[text.index("Notes:") :]
    assert "[1] #6 corrected 2024-07-26 12:00:00Z" in notes
    assert 'Its speaker was "Chen Xiaogang, spokesman' in " ".join(notes.split())
    assert "Zhang Xiaogang (张晓刚)" in notes
    # A day is printed as a day: no invented midnight anywhere in the table.
    assert "00:00" not in text[: text.index("Notes:")]


def test_as_known_before_the_correction(alaska: Ledger) -> None:
    before = incident_timeline(
        alaska, examples.ALASKA_2024, known_at=examples.ALASKA_2024_PUBLISHED_AT
    )
    statement = next(e for e in before.entries if e.event_id == IDS["statement/china"])
    assert statement.what.startswith("Chen Xiaogang, spokesman (statement)")
    assert statement.notes == ()
    assert not statement.corrected
    text = before.table()
    assert "as known at 2024-07-25 12:00:00Z" in text
    assert "Notes:" not in text


@pytest.mark.parametrize("width", [72, 100, 140])
def test_table_rows_fit_the_width(alaska: Ledger, width: int) -> None:
    text = incident_timeline(alaska, examples.ALASKA_2024).table(width=width)
    assert max(len(line) for line in text.splitlines()) <= width


def test_precisions_are_shown_as_given(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    norad = IDS["source/norad"]
    at = datetime(2024, 7, 24, 19, 31, 12, tzinfo=UTC)
    times = [
        ValidTime.instant(at),
        ValidTime.minute(at),
        ValidTime.hour(at),
        ValidTime.span(at, at + timedelta(hours=5), wording="over 5 hours"),
    ]
    for n, valid_time in enumerate(times, start=1):
        ledger.record(
            AircraftReported(
                incident_id=examples.ALASKA_2024,
                source_id=norad,
                type_designation="Su-35",
                nation="RU",
                count=n,
                valid_time=valid_time,
            )
        )
    whens = {
        e.what.split(",")[0]: e.when
        for e in incident_timeline(ledger, examples.ALASKA_2024).entries
    }
    # One convention for every precision: the wall clock in the source's zone, named.
    assert whens["1 x Su-35 (RU)"] == "2024-07-24 19:31:12 (UTC)"
    assert whens["2 x Su-35 (RU)"] == "2024-07-24 19:31 (UTC)"
    assert whens["3 x Su-35 (RU)"] == "2024-07-24 19h (UTC)"
    assert whens["4 x Su-35 (RU)"] == "between 2024-07-24 19:31 and 2024-07-25 00:31 (UTC)"


def test_retraction_and_its_withdrawal_are_marked(alaska: Ledger) -> None:
    transcript = IDS["source/china-mnd-transcript"]
    clock = alaska.clock
    assert isinstance(clock, FixedClock)
    clock.set(examples.ALASKA_2024_ACCOUNTS_AT + timedelta(hours=1))
    retraction = Retraction(
        incident_id=examples.ALASKA_2024,
        source_id=IDS["source/norad"],
        target_id=IDS["statement/x"],
        reason="The post was deleted.",
    )
    alaska.record(retraction)
    timeline = incident_timeline(alaska, examples.ALASKA_2024)
    x = next(e for e in timeline.entries if e.event_id == IDS["statement/x"])
    assert x.retracted
    assert [n.kind for n in x.notes] == ["retracted"]
    assert x.notes[0].reason == "The post was deleted."
    text = timeline.table()
    assert "RETRACTED [2]" in text
    assert (
        "[2] #10 retracted 2024-07-27 13:00:00Z, citing NORAD [B2]. Reason: The post was deleted."
        in " ".join(text.split())
    )
    clock.set(examples.ALASKA_2024_ACCOUNTS_AT + timedelta(hours=2))
    alaska.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=transcript,
            target_id=retraction.event_id,
            reason="Deleted by mistake, restored.",
        )
    )
    x = next(
        e
        for e in incident_timeline(alaska, examples.ALASKA_2024).entries
        if e.event_id == IDS["statement/x"]
    )
    assert not x.retracted
    assert [n.kind for n in x.notes] == ["retracted", "restored"]
    # As known before the retraction, nothing of it shows.
    earlier = incident_timeline(
        alaska, examples.ALASKA_2024, known_at=examples.ALASKA_2024_ACCOUNTS_AT
    )
    assert not any(e.retracted for e in earlier.entries)


def test_a_withdrawn_correction_is_noted(alaska: Ledger) -> None:
    clock = alaska.clock
    assert isinstance(clock, FixedClock)
    clock.set(examples.ALASKA_2024_ACCOUNTS_AT + timedelta(hours=1))
    alaska.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=IDS["source/article"],
            target_id=IDS["correction/spokesman"],
            reason="testing a withdrawn correction",
        )
    )
    entry = next(
        e
        for e in incident_timeline(alaska, examples.ALASKA_2024).entries
        if e.event_id == IDS["statement/china"]
    )
    assert entry.what.startswith("Chen Xiaogang")
    assert [(n.kind, n.by) for n in entry.notes] == [
        ("corrected", "correction"),
        ("corrected", "retraction"),
    ]
    assert entry.notes[1].was["speaker"].startswith("Zhang Xiaogang")
    assert (
        "a correction of it was withdrawn"
        in incident_timeline(alaska, examples.ALASKA_2024).table()
    )


def test_dated_sources_and_corrected_times(alaska: Ledger) -> None:
    published = datetime(2024, 7, 25, 9, 30, tzinfo=UTC)
    source = SourceRegistered(
        incident_id=examples.ALASKA_2024,
        kind=SourceKind.PRESS_RELEASE,
        publisher="Joint Staff Office",
        title="Press release",
        published_at=published,
    )
    alaska.record(source)
    entry = next(
        e
        for e in incident_timeline(alaska, examples.ALASKA_2024).entries
        if e.event_id == source.event_id
    )
    assert entry.what == 'Joint Staff Office published a press release: "Press release"'
    assert entry.when == "2024-07-25 09:30:00 (UTC)"
    aircraft = alaska.event(IDS["aircraft/h-6"]).event
    alaska.record(
        Correction.of(
            aircraft,
            source_id=source.source_id,
            reason="NORAD gave the time",
            valid_time=ValidTime.minute(datetime(2024, 7, 24, 20, 5, tzinfo=UTC)),
        )
    )
    entries = incident_timeline(alaska, examples.ALASKA_2024).entries
    h6 = next(e for e in entries if e.event_id == IDS["aircraft/h-6"])
    assert h6.when == "2024-07-24 20:05 (UTC)"
    assert h6.notes[0].was == {"valid_time": '2024-07-24 (America/Anchorage) "on Wednesday"'}


def test_csv_and_json(alaska: Ledger) -> None:
    timeline = incident_timeline(alaska, examples.ALASKA_2024)
    rows = list(csv.DictReader(io.StringIO(timeline.csv())))
    assert len(rows) == 10
    assert rows[-1]["when"] == "time unknown"
    assert rows[-1]["valid_from"] == ""
    assert rows[5]["corrected"] == "true"
    assert "Chen Xiaogang" in rows[5]["notes"]
    data = json.loads(timeline.json())
    assert str(examples.ALASKA_2024) == data["incident_id"]
    assert data["known_at"] is None
    entry = data["entries"][5]
    assert str(IDS["statement/china"]) == entry["event_id"]
    assert entry["corrected"] is True
    assert entry["notes"][0]["kind"] == "corrected"
    assert entry["valid_from"] == "2024-07-24T16:00:00+00:00"


def test_unknown_incidents_and_empty_timelines(alaska: Ledger) -> None:
    with pytest.raises(UnknownIncidentError):
        incident_timeline(alaska, UUID(int=5))
    opened = IncidentOpened(incident_id=UUID(int=6), source_id=UUID(int=7), title="Quiet")
    alaska.record(
        opened,
        SourceRegistered(
            incident_id=UUID(int=6),
            source_id=UUID(int=7),
            kind=SourceKind.NEWS_ARTICLE,
            publisher="X",
        ),
    )
    empty = incident_timeline(alaska, UUID(int=6))
    assert empty.entries == ()
    assert "No dated facts recorded." in empty.table()
    assert IncidentTimeline.from_state(UUID(int=9), {}).entries == ()


def test_one_state_holds_every_incident(alaska: Ledger) -> None:
    state = live(alaska, Timeline()).state
    assert [str(examples.ALASKA_2024)] == list(state)
    from_all = IncidentTimeline.from_state(examples.ALASKA_2024, state)
    assert from_all.entries == incident_timeline(alaska, examples.ALASKA_2024).entries


def test_the_new_kinds_of_fact_are_dated_entries(backend: Backend) -> None:
    ledger = backend.open()
    for at, batch in examples.dokdo_2019_batches():
        ledger.clock.set(at)  # type: ignore[attr-defined]
        ledger.record(*batch)
    timeline = incident_timeline(ledger, examples.DOKDO_2019)
    by_type: dict[str, list[str]] = {}
    for entry in timeline.entries:
        by_type.setdefault(entry.type, []).append(entry.what)
    assert by_type["warning-shots-reported"] == [
        "warning shots by KR F-15K/KF-16 at aircraft of RU: flares (number not given) and "
        "about 360 rounds of 20 mm, at 1 x A-50 (RU)",
        "warning shots by KR at aircraft of RU: 10 flares and 80 rounds, at 1 x A-50 (RU)",
        "warning shots by KR at aircraft of RU: about 400 rounds, at 1 x A-50 (RU)",
    ]
    assert by_type["airspace-violation-alleged"][0] == (
        "KR alleges aircraft of RU violated KR's airspace (2 times, over Dokdo), with 1 x A-50 (RU)"
    )
    assert [w.split(":")[0] for w in by_type["diplomatic-protest"]] == [
        "JP protested to KR",
        "JP protested to RU",
    ]
    assert by_type["zone-entry-reported"] == [
        "aircraft of CN entered KADIZ, with 2 x H-6K (CN)",
        "aircraft of RU entered KADIZ, with 2 x Tu-95MS (RU) and 1 x A-50 (RU)",
    ]
    # The series has no valid time: it is not a dated entry.
    assert "series-assigned" not in by_type
    # A retracted account stays, marked.
    shots = examples.dokdo_2019_ids()["warning-shots/war-zone"]
    ledger.clock.set(examples.DOKDO_2019_FOLLOWED_UP_AT + timedelta(days=1))  # type: ignore[attr-defined]
    ledger.record(
        Retraction(
            incident_id=examples.DOKDO_2019,
            source_id=examples.dokdo_2019_ids()["source/war-zone"],
            target_id=shots,
            reason="test",
        )
    )
    entry = next(
        e for e in incident_timeline(ledger, examples.DOKDO_2019).entries if e.event_id == shots
    )
    assert entry.retracted


def test_entries_with_the_same_valid_time_hold_their_own_timing(alaska: Ledger) -> None:
    # Facts often share a valid time; each entry's fields are its own objects all the same.
    state = live(alaska, Timeline()).state
    entries = state[str(examples.ALASKA_2024)]["entries"]
    h6, tu95 = entries[str(IDS["aircraft/h-6"])], entries[str(IDS["aircraft/tu-95"])]
    assert h6["order"] == tu95["order"]
    assert h6["order"] is not tu95["order"]
    h6["order"].append(0)
    again = live(alaska, Timeline()).state[str(examples.ALASKA_2024)]["entries"]
    assert again[str(IDS["aircraft/tu-95"])]["order"] == tu95["order"] != h6["order"]
