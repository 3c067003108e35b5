"""The JSON Lines event format: round trips, its schema, and files with problems on several lines."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import attrs
import jsonschema
import pytest

from incidents import FixedClock, InvalidInputError, Ledger, examples, fold
from incidents.interchange import (
    ImportRejectedError,
    event_schema,
    example_file,
    import_events,
    read_events,
    schema_text,
    write_events,
)
from support.backends import Backend

ROOT = Path(__file__).resolve().parents[2]


def alaska(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    for at, events in examples.alaska_2024_batches():
        clock.set(at)
        ledger.record(*events)


def test_the_schema_file_is_the_vocabulary_s() -> None:
    shipped = (ROOT / "schema" / "events.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), "run `make schema`: the event vocabulary changed"
    jsonschema.Draft202012Validator.check_schema(event_schema())


def test_every_event_written_validates_against_the_schema(tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(event_schema())
    with Ledger.open(":memory:", clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT)) as ledger:
        alaska(ledger)
        ledger.record(*examples.dokdo_2019())
        path = tmp_path / "events.jsonl"
        assert write_events(ledger, path) == len(ledger)
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        assert not list(validator.iter_errors(json.loads(line))), line[:200]


def test_a_round_trip_keeps_every_incident(backend: Backend, tmp_path: Path) -> None:
    source = backend.open(clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT))
    alaska(source)
    path = tmp_path / "alaska.jsonl"
    write_events(source, path)
    target = backend.open()
    result = import_events(target, path)
    assert len(result) == len(source)
    assert result.skipped == 0
    imported = fold(list(target.events(examples.ALASKA_2024)))
    original = fold(list(source.events(examples.ALASKA_2024)))
    assert imported is not None
    assert original is not None
    # The same incident, recorded anew at the importing ledger's own time.
    assert attrs.evolve(imported, last_recorded_at=original.last_recorded_at) == original
    again = import_events(target, path)
    assert len(again) == 0
    assert again.skipped == len(source)
    assert len(target) == len(source)


def test_the_shipped_example_imports() -> None:
    with Ledger.open(":memory:") as ledger:
        assert len(import_events(ledger, example_file("alaska-2024.jsonl"))) == 19
        assert ledger.incident(examples.ALASKA_2024).aircraft_by_nation() == {
            "CN": {"H-6": 2},
            "RU": {"Tu-95": 2},
        }


def bad_file(tmp_path: Path) -> Path:
    lines = example_file("alaska-2024.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert events[7]["type"] == events[8]["type"] == "aircraft-reported"
    events[7]["nation"] = "China"  # line 8: not a nation code
    del events[8]["event_id"]  # line 9: no id of its own
    events[11]["type"] = "aircraft-spotted"  # line 12: no such type
    events[12]["colour"] = "red"  # line 13: no such field
    text = [json.dumps(e, ensure_ascii=False) for e in events]
    text[14] = "{not json"  # line 15
    text[15] = "[" * 5000 + "]" * 5000  # line 16: nested too deeply
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def test_a_file_with_problems_on_several_lines_names_them_all_and_records_nothing(
    backend: Backend, tmp_path: Path
) -> None:
    ledger = backend.open()
    path = bad_file(tmp_path)
    with pytest.raises(ImportRejectedError) as raised:
        import_events(ledger, path)
    error = raised.value
    assert error.lines == (8, 9, 12, 13, 15, 16)
    fields = {(p.line, p.field) for p in error.problems}
    assert {(8, "nation"), (9, "event_id"), (12, "type"), (13, "colour")} <= fields
    assert "line 8, nation" in str(error)
    assert "nothing was recorded" in str(error)
    assert len(ledger) == 0
    assert isinstance(error, InvalidInputError)


def test_what_the_ledger_refuses_is_named_on_its_line(tmp_path: Path) -> None:
    lines = example_file("alaska-2024.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "no-opening.jsonl"
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # the opening left out
    with Ledger.open(":memory:") as ledger, pytest.raises(ImportRejectedError) as raised:
        import_events(ledger, path)
    assert raised.value.problems[0].line >= 1
    assert "not recorded" in str(raised.value)


def test_an_edited_file_is_refused_not_recorded_twice(tmp_path: Path) -> None:
    original = example_file("alaska-2024.jsonl")
    events = [json.loads(line) for line in original.read_text(encoding="utf-8").splitlines()]
    events[0]["title"] = "Another title"
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    with Ledger.open(":memory:") as ledger:
        import_events(ledger, original)
        with pytest.raises(ImportRejectedError) as raised:
            import_events(ledger, edited)
        assert raised.value.problems[0].line == 1
        assert raised.value.problems[0].field == "event_id"
        assert len(ledger) == 19


def test_a_line_too_long_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incidents.interchange import _jsonl

    monkeypatch.setattr(_jsonl, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "long.jsonl"
    first = example_file("alaska-2024.jsonl").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(first + "\n" + "x" * 50_000 + "\n" + first + "\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as raised:
        read_events(path)
    assert [p.line for p in raised.value.problems] == [2, 3]  # the long line, then line 1 again
    assert "at most 1,000 bytes" in str(raised.value)


def test_huge_fields_and_bytes_that_are_not_text(tmp_path: Path) -> None:
    event = json.loads(
        example_file("alaska-2024.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    event["title"] = "x" * 20_000
    path = tmp_path / "huge.jsonl"
    path.write_bytes(json.dumps(event).encode() + b"\n\xff\xfe\n")
    with pytest.raises(ImportRejectedError) as raised:
        read_events(path)
    assert [(p.line, p.field) for p in raised.value.problems] == [(1, "title"), (2, "")]
    assert "UTF-8" in raised.value.problems[1].expected


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_events(tmp_path / "missing.jsonl")


def test_every_earlier_version_of_a_type_has_its_form_in_the_schema() -> None:
    from incidents import EVENT_TYPES
    from incidents.interchange._schema import EARLIER_FORMS

    for name, cls in EVENT_TYPES.items():
        for version in range(1, cls.VERSION):
            assert (name, version) in EARLIER_FORMS, (name, version)


def test_a_version_1_source_line_imports_as_version_2(tmp_path: Path) -> None:
    # As 0.1.0 wrote a source citing one other: "cites" holds one id, and no version.
    from incidents import Ledger, SourceRegistered
    from incidents.interchange import import_events

    incident = "a5da836a-20c9-5525-9fbb-9012d0ceea86"
    cited = "608241c0-41f4-50c2-ab2c-bf690384367c"
    lines = [
        {
            "type": "incident-opened",
            "event_id": "0b7e4c2a-91d3-4f58-8a6e-3c5d7f1e2a94",
            "incident_id": incident,
            "source_id": cited,
            "title": "t",
        },
        {
            "type": "source-registered",
            "source_id": cited,
            "incident_id": incident,
            "event_id": cited,
            "kind": "news_article",
            "publisher": "Reuters",
            "cites": None,
        },
        {
            "type": "source-registered",
            "source_id": "5e2a8d14-7c3b-4a9f-b6e1-d4f8c2a7e305",
            "incident_id": incident,
            "event_id": "5e2a8d14-7c3b-4a9f-b6e1-d4f8c2a7e305",
            "kind": "news_article",
            "publisher": "RIA Novosti",
            "cites": cited,
        },
    ]
    path = tmp_path / "v1.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with Ledger.open(":memory:") as ledger:
        import_events(ledger, path)
        events = [r.event for r in ledger.events(UUID(incident))]
    sources = [e for e in events if isinstance(e, SourceRegistered)]
    assert [s.cites for s in sources] == [(), (UUID(cited),)]
