"""
``incidents record``: facts from JSON, TOML, standard input or flags, all or nothing.

Events are decoded by the ledger's codec and recorded by ``Ledger.record``:
the checks are the API's. A batch with bad events records nothing and
names every bad event, its place, its type and the field.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli_terminal import EVIL, assert_safe

from incidents import Ledger, examples
from incidents._cli import main

PREFIX = examples.ALASKA_2024.hex[:8]
NORAD = "1e1d8755-2b0f-552c-9c9c-db6a90b97c14"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    capsys.readouterr()
    return str(path)


def count(path: str) -> int:
    with Ledger.open(path, read_only=True) as ledger:
        return len(ledger)


BATCH_TOML = textwrap.dedent(
    """
    incident_id = "@okinawa"
    source_id = "@jso"

    [[events]]
    type = "incident"
    ref = "okinawa"
    title = "Chinese bombers between Okinawa and Miyako"
    region = "East China Sea"

    [[events]]
    type = "source"
    ref = "jso"
    kind = "press_release"
    publisher = "Joint Staff Office (JSO)"
    reliability = "B"
    credibility = 2
    published_at = 2024-07-25T09:30:00Z

    [[events]]
    type = "aircraft"
    type_designation = "轰-6K"
    nation = "CN"
    count = 2
    valid_time = { minute = "2024-07-24T20:05+09:00", wording = "午後8時ごろ" }

    [[events]]
    type = "statement"
    speaker = { organization = "Joint Staff Office (JSO)" }
    medium = "press release"
    claims = [{ stance = "affirms", topic = "scrambled", text = "ASDF fighters scrambled." }]
    valid_time = { day = "2024-07-24", tz = "Asia/Tokyo" }
    """
)


def test_a_toml_batch_with_names_for_its_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "okinawa.toml"
    batch.write_text(BATCH_TOML, encoding="utf-8")
    ledger = str(tmp_path / "new.db")
    status, out, err = run(capsys, "--ledger", ledger, "record", "--create", str(batch))
    assert status == 0, err
    assert out.startswith("recorded 4 events at ")
    assert "2 x 轰-6K (CN)" in out
    with Ledger.open(ledger, read_only=True) as opened:
        (incident,) = opened.incident_ids()
        state = opened.incident(incident)
    assert state.title == "Chinese bombers between Okinawa and Miyako"
    (source,) = state.sources
    assert source.publisher == "Joint Staff Office (JSO)"
    status, out, _ = run(capsys, "--ledger", ledger, "timeline", str(incident), "--width", "120")
    assert "2024-07-24 20:05 (+09:00)" in out
    assert '"午後8時ごろ"' in out
    assert "2024-07-24 (Asia/Tokyo)" in out
    assert "JSO [B2]" in out


def test_one_event_from_flags(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = count(demo)
    status, out, err = run(
        capsys, "--ledger", demo, "record", "--type", "aircraft",
        "--incident", PREFIX, "--source", NORAD[:8],
        "--set", "type_designation=Su-35", "--set", "nation=RU", "--set", "count=2",
        "--set", "location.name=Bering Sea",
        "--day", "2024-07-24", "--tz", "America/Anchorage", "--wording", "on Wednesday",
    )  # fmt: skip
    assert status == 0, err
    assert "#20" in out
    assert "2 x Su-35 (RU)" in out
    assert count(demo) == before + 1
    status, out, _ = run(capsys, "--ledger", demo, "state", PREFIX)
    assert "2 x Su-35 (RU)" in out
    assert "Bering Sea" in out


def test_from_standard_input_and_the_facts_of_another_ledger(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, printed, _ = run(capsys, "--ledger", demo, "events", PREFIX, "--json")
    assert status == 0
    copy = str(tmp_path / "copy.db")
    monkeypatch.setattr("sys.stdin", io.StringIO(printed))
    status, out, err = run(capsys, "--ledger", copy, "record", "--create", "-")
    assert status == 0, err
    assert out.startswith("recorded 19 events at ")
    with Ledger.open(demo, read_only=True) as a, Ledger.open(copy, read_only=True) as b:
        assert [r.event for r in a.events(examples.ALASKA_2024)] == [
            r.event for r in b.events(examples.ALASKA_2024)
        ]
    # Again: the same ids are refused, and nothing is recorded.
    monkeypatch.setattr("sys.stdin", io.StringIO(printed))
    status, _, err = run(capsys, "--ledger", copy, "record", "-")
    assert status == 2
    assert err.startswith("incidents: error: ")
    assert count(copy) == 19


def test_every_bad_event_is_named_and_nothing_is_recorded(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "type": "aircraft",
        "source_id": NORAD,
        "type_designation": "H-6",
        "nation": "CN",
        "valid_time": "unknown",
    }
    batch = {
        "incident_id": str(examples.ALASKA_2024),
        "events": [
            good,
            {**good, "count": "two"},
            {**good, "valid_time": {"day": "2024-07-24"}},
            {**good, "colour": "red"},
            {**good, "source_id": "@nowhere"},
            {"type": "bomber"},
            {k: v for k, v in good.items() if k != "nation"},
            {**good, "valid_time": {"minute": "2024-07-24T20:05"}},
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(batch), encoding="utf-8")
    before = count(demo)
    status, out, err = run(capsys, "--ledger", demo, "record", str(path))
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == "incidents: error: nothing recorded: 7 of 8 events are not valid:"
    assert "events[0]" not in err
    for expected in (
        "  events[1] (aircraft-reported): count: count must be a whole number",
        "  events[2] (aircraft-reported): valid_time: a day needs the time zone",
        "  events[3] (aircraft-reported): unexpected field colour",
        "  events[4] (aircraft-reported): source_id: '@nowhere' names no event of the batch",
        "  events[5]: type 'bomber' is not an event type",
        "  events[6] (aircraft-reported): nation: missing",
        "  events[7] (aircraft-reported): valid_time: minute '2024-07-24T20:05' is not an "
        "ISO-8601 date-time with an offset",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, err)
    assert count(demo) == before


def test_the_ledgers_checks_apply(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    # A source that is not registered in the incident: refused by Ledger.record.
    unknown = str(uuid4())
    status, _, err = run(
        capsys, "--ledger", demo, "record", "--type", "aircraft", "--incident", PREFIX,
        "--source", unknown, "--set", "type_designation=H-6", "--set", "nation=CN",
        "--unknown-time",
    )  # fmt: skip
    assert status == 2
    assert f"cites source {unknown}, which is not a source registered" in err


def test_a_missing_ledger_is_created_only_when_asked_and_not_left_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "typo.db"
    argv = ["--ledger", str(ledger), "record", "--type", "incident", "--set", "title=T"]
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "no ledger at" in err
    assert not ledger.exists()
    status, _, err = run(capsys, *argv, "--source", str(uuid4()), "--create")
    assert status == 2  # an opening must cite a source registered with it
    assert list(tmp_path.iterdir()) == []
    source = str(uuid4())
    batch = tmp_path / "new.json"
    batch.write_text(
        json.dumps(
            {
                "incident_id": str(uuid4()),
                "events": [
                    {"type": "incident", "title": "T", "source_id": source},
                    {
                        "type": "source",
                        "source_id": source,
                        "kind": "news_article",
                        "publisher": "P",
                    },
                ],
            }
        )
    )
    status, _, err = run(capsys, "--ledger", str(ledger), "record", "--create", str(batch))
    assert status == 0, err
    assert count(str(ledger)) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["record"], "give a FILE to record"),
        (["record", "x.json", "--type", "incident"], "not both"),
        (["record", "--type", "incident", "--set", "title"], "--set takes FIELD=VALUE"),
        (["record", "--type", "aircraft", "--day", "2024-07-24"], "--day needs --tz"),
        (["record", "--type", "aircraft", "--tz", "UTC"], "--tz goes with --day"),
        (["record", "--type", "aircraft", "--wording", "x"], "--wording goes with a valid time"),
        (
            ["record", "--type", "aircraft", "--unknown-time", "--at", "2024-07-24T00:00Z"],
            "give one valid time",
        ),
        (["record", "missing.json"], "cannot read missing.json"),
        (["record", "--type", "aircraft", "--source", "1e1d"], "no source of the registry match"),
    ],
)
def test_usage_is_checked(
    demo: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "--ledger", demo, *argv)
    assert status == 2
    assert message in err


def test_a_file_that_is_not_json_or_toml(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text, form in (("a.json", "{nope", "JSON"), ("a.toml", "= nope", "TOML")):
        path = tmp_path / name
        path.write_text(text)
        status, _, err = run(capsys, "--ledger", demo, "record", str(path))
        assert status == 2
        assert f"{path} is not {form}" in err


def test_errors_escape_what_they_quote(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.json"
    path.write_text(json.dumps({"type": f"bomber{EVIL}", f"field{EVIL}": 1}))
    status, out, err = run(capsys, "--ledger", demo, "record", str(path))
    assert status == 2
    assert_safe(out + err)
    path.write_text(
        json.dumps({"type": "incident", "incident_id": str(uuid4()), "source_id": NORAD, "x": EVIL})
    )
    status, out, err = run(capsys, "--ledger", demo, "record", str(path))
    assert status == 2
    assert_safe(out + err)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = ["type_designation", "nation", "count", "valid_time", "location", "role", "source_id"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(field=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_a_malformed_field_is_named_or_the_event_is_recorded(
    demo: str, tmp_path: Path, field: str, value: Any
) -> None:
    event = {
        "type": "aircraft",
        "incident_id": str(examples.ALASKA_2024),
        "source_id": NORAD,
        "type_designation": "H-6",
        "nation": "CN",
        "valid_time": "unknown",
        field: value,
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    before = count(demo)
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--ledger", demo, "record", str(path)])
    assert "Traceback" not in err.getvalue()
    if status == 0:
        assert count(demo) == before + 1
    else:
        assert status == 2, err.getvalue()
        assert count(demo) == before
        assert field in err.getvalue() or "cites source" in err.getvalue(), err.getvalue()


def test_recorded_events_as_json(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "--ledger", demo, "record", "--json", "--type", "incident",
        "--incident", str(uuid4()), "--source", NORAD, "--set", "title=T",
    )  # fmt: skip
    # A new incident must cite a source registered in it: refused, nothing printed on stdout.
    assert (status, out) == (2, "")
    source = str(uuid4())
    incident = str(uuid4())
    batch = [
        {"type": "incident", "title": "T", "incident_id": incident, "source_id": source},
        {
            "type": "source",
            "incident_id": incident,
            "source_id": source,
            "kind": "news_article",
            "publisher": "P",
        },
    ]
    path = Path(demo).with_name("b.json")
    path.write_text(json.dumps(batch))
    status, out, _ = run(capsys, "--ledger", demo, "record", "--json", str(path))
    assert status == 0
    recorded = json.loads(out)
    assert [r["position"] for r in recorded] == [1, 2]
    assert UUID(recorded[0]["event"]["incident_id"]) == UUID(incident)
