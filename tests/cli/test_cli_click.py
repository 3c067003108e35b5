"""
The command line on click and rich: missing ledgers, ``init``, ``--json``, tables in display width.

Read commands never create a ledger; tables are laid out in terminal
columns, so text in Chinese keeps the columns after it aligned; rich markup
in stored text is printed as it is, never interpreted; colour only on a
terminal.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import CliRunner

from incidents import (
    AircraftReported,
    FixedClock,
    IncidentOpened,
    Ledger,
    SourceKind,
    SourceRegistered,
    ValidTime,
    examples,
)
from incidents._cli import cli, main
from incidents._domain.words import display_width

PREFIX = examples.ALASKA_2024.hex[:8]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    return str(path)


READS = {
    "list": ["list"],
    "events": ["events", PREFIX],
    "state": ["state", PREFIX],
    "history": ["history", PREFIX],
    "diff": ["diff", PREFIX, "2024-07-25T12:00Z"],
    "search": ["search"],
    "timeline": ["timeline", PREFIX],
    "contradictions": ["contradictions", PREFIX],
    "project": ["project", "timeline"],
    "snapshots": ["snapshots", "rebuild"],
    "checkpoint": ["checkpoint"],
    "prove": ["prove", f"{PREFIX}#1"],
    "export": ["export", "--bundle", "out.jsonl"],
    "verify": ["verify"],
    "replay": ["replay"],
    "build-tree": ["build-tree"],
    "series": ["series", "x"],
    "sources list": ["sources", "list"],
    "sources register": ["sources", "register", "--kind", "broadcast", "--publisher", "KBS"],
    "zones list": ["zones", "list"],
    "zones show": ["zones", "show", "kr/kadiz-2013"],
    "zones record-catalogue": ["zones", "record-catalogue"],
    "crossings": ["crossings", PREFIX],
    "check-claims": ["check-claims", PREFIX],
    "geojson": ["geojson", PREFIX, "-o", "out.geojson"],
}


@pytest.mark.parametrize("argv", list(READS.values()), ids=list(READS))
def test_a_missing_ledger_is_an_error_and_is_not_created(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "typo.db"
    status, out, err = run(capsys, "--ledger", str(typo), *argv)
    assert status == 2, out + err
    assert err.startswith("incidents: error: no ledger")
    assert str(typo) in err
    assert not typo.exists()
    assert os.listdir(tmp_path) == []


def test_the_default_ledger_is_not_created_either(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INCIDENTS_LEDGER", raising=False)
    status, _, err = run(capsys, "list")
    assert status == 2
    assert "no ledger at incidents.db" in err
    assert "incidents --ledger incidents.db init" in err
    assert os.listdir(tmp_path) == []


def test_init_creates_an_empty_ledger_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.db"
    status, out, _ = run(capsys, "--ledger", str(path), "init")
    assert status == 0
    assert out.startswith(f"created ledger {path}, log incidents/")
    assert run(capsys, "--ledger", str(path), "list") == (0, "", "")
    status, _, err = run(capsys, "init", str(path))
    assert status == 2
    assert "something is there already" in err
    other = tmp_path / "named.db"
    status, out, _ = run(capsys, "init", str(other), "--origin", "example.org/mine")
    assert status == 0
    assert "log example.org/mine" in out


def test_a_folder_is_not_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--ledger", str(tmp_path), "list")
    assert status == 2
    assert f"{tmp_path} is not a ledger file" in err


def test_json_of_the_read_commands(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", demo, "list", "--json")
    assert status == 0
    assert json.loads(out) == [
        {
            "id": str(examples.ALASKA_2024),
            "title": "Joint Chinese-Russian bomber patrol near Alaska",
            "events": 19,
        }
    ]
    status, out, _ = run(
        capsys, "--ledger", demo, "search", "--json", "--from", "2030-01-01T00:00Z"
    )
    assert (status, json.loads(out)) == (0, [])
    status, out, _ = run(capsys, "--ledger", demo, "events", PREFIX, "--json")
    events = json.loads(out)
    assert len(events) == 19
    assert events[0]["position"] == 1
    status, out, _ = run(capsys, "--ledger", demo, "state", PREFIX, "--json")
    assert json.loads(out)["title"] == "Joint Chinese-Russian bomber patrol near Alaska"
    for argv in (
        ["history", PREFIX, "--json"],
        ["diff", PREFIX, "2024-07-25T12:00Z", "--json"],
        ["timeline", PREFIX, "--json"],
        ["contradictions", PREFIX, "--json"],
        ["project", "--list", "--json"],
    ):
        status, out, err = run(capsys, "--ledger", demo, *argv)
        assert status == 0, err
        json.loads(out)


def _ledger_with_source(path: Path, publisher: str, type_designation: str = "H-6") -> None:
    incident = uuid4()
    clock = FixedClock(examples.ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(path, clock=clock) as ledger:
        source = SourceRegistered(
            incident_id=incident, kind=SourceKind.OFFICIAL_STATEMENT, publisher=publisher
        )
        ledger.record(
            IncidentOpened(incident_id=incident, source_id=source.source_id, title="t"),
            source,
            *(
                AircraftReported(
                    incident_id=incident,
                    source_id=source.source_id,
                    type_designation=type_designation,
                    nation="CN",
                    count=n,
                    valid_time=ValidTime.day("2024-07-25", tz="Asia/Shanghai"),
                )
                for n in (1, 2)
            ),
        )


def test_columns_after_chinese_text_stay_aligned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cn.db"
    _ledger_with_source(path, "中华人民共和国国防部", "轰-6K")
    status, out, _ = run(capsys, "--ledger", str(path), "timeline", _only(path), "--width", "100")
    assert status == 0, out
    rows = [line for line in out.splitlines() if "轰-6K" in line]
    assert len(rows) == 2
    # The source column starts at the same terminal column on every row.
    starts = [display_width(row[: row.index("中华")]) for row in rows]
    assert starts[0] == starts[1]
    assert all(display_width(line) <= 100 for line in out.splitlines())
    # The roster's columns too: the names as reported start under their heading.
    status, out, _ = run(capsys, "--ledger", str(path), "project", "aircraft-roster")
    header = next(line for line in out.splitlines() if line.startswith("NATION"))
    row = next(line for line in out.splitlines() if "轰-6K" in line)
    heading = display_width(header[: header.index("AS REPORTED")])
    assert display_width(row[: row.index("轰-6K")]) == heading


def _only(path: Path) -> str:
    with Ledger.open(path) as ledger:
        (incident,) = ledger.incident_ids()
    return str(incident)


def test_rich_markup_in_stored_text_is_printed_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "markup.db"
    publisher = "[bold red]Ministry[/] [link=http://x]:smile:[/link]"
    _ledger_with_source(path, publisher)
    status, out, _ = run(capsys, "--ledger", str(path), "timeline", _only(path), "--width", "200")
    assert status == 0
    # Wrapped within its column, but every character kept: nothing was read as markup.
    assert "".join(publisher.split()) in "".join(out.split())
    status, out, _ = run(capsys, "--ledger", str(path), "state", _only(path))
    assert publisher in out


def test_colour_only_on_a_terminal(demo: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--ledger", demo, "timeline", PREFIX], color=False)
    assert result.exit_code == 0
    assert "\x1b[" not in result.output
    assert re.search(r"#\s+WHEN \(valid time\)", result.output)


def test_usage_errors_say_what_and_where_to_look(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "--ledger", demo, "timeline")
    assert (status, out) == (2, "")
    assert err.startswith("incidents: error: Missing argument 'INCIDENT'.")
    assert "Try 'incidents timeline --help' for help." in err
    status, _, err = run(capsys, "no-such-command")
    assert status == 2
    assert "No such command 'no-such-command'" in err
    status, out, err = run(capsys)  # nothing: the help, as a usage error
    assert (status, out) == (2, "")
    assert err.startswith("Usage: incidents [OPTIONS] COMMAND [ARGS]...\n")
    assert "\\n" not in err
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "Exit status: 0 done; 1 verification failed" in out
    status, out, _ = run(capsys, "timeline", "-h")
    assert status == 0
    assert "--known-at" in out


def test_shell_completion_is_offered(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "completion", "bash")
    assert status == 0
    assert "_INCIDENTS_COMPLETE" in out
    status, _, _ = run(capsys, "completion", "tcsh")
    assert status == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_errors_in_red_on_a_terminal_only_and_escaped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["--ledger", str(tmp_path / "x\x1b[2J.db"), "list"]) == 2
    text = terminal.getvalue()
    assert text.startswith("\x1b[1;31mincidents: error:\x1b[0m no ledger at ")
    assert "x\\x1b[2J.db" in text
    assert "\x1b[2J" not in text
    monkeypatch.setenv("NO_COLOR", "1")
    terminal.truncate(0)
    terminal.seek(0)
    assert main(["--ledger", str(tmp_path / "y.db"), "list"]) == 2
    assert terminal.getvalue().startswith("incidents: error: no ledger at ")
