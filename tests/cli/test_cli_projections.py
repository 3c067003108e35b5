"""``incidents timeline`` and ``incidents project``, run through ``main``."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from pathlib import Path

import pytest

from incidents import FixedClock, Ledger, examples
from incidents._cli import main
from incidents._cli.projections import ProgressBar
from incidents.projections import AircraftRoster, ReadModel

PREFIX = examples.ALASKA_2024.hex[:8]


@pytest.fixture
def ledger_path(tmp_path: Path) -> str:
    path = tmp_path / "cli.db"
    with Ledger.open(path, clock=FixedClock(examples.ALASKA_2024_PUBLISHED_AT)) as ledger:
        clock = ledger.clock
        assert isinstance(clock, FixedClock)
        for recorded_at, events in examples.alaska_2024_batches():
            clock.set(recorded_at)
            ledger.record(*events)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_timeline_table(ledger_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger_path, "timeline", PREFIX, "--width", "100")
    assert status == 0
    assert out.startswith(
        "Joint Chinese-Russian bomber patrol near Alaska (Bering Sea / Alaska ADIZ)\n"
    )
    assert "1   2024-07-24 (America/Anchorage)  2 x H-6 (CN), bomber, in Alaska ADIZ" in out
    assert "CORRECTED [1]" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_timeline_known_at_csv_and_json(
    ledger_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "--ledger",
        ledger_path,
        "timeline",
        PREFIX,
        "--known-at",
        "2024-07-25T12:00Z",
        "--format",
        "csv",
    )
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    assert any(r["what"].startswith("Chen Xiaogang") for r in rows)
    status, out, _ = run(
        capsys, "--ledger", ledger_path, "timeline", str(examples.ALASKA_2024), "--format", "json"
    )
    assert status == 0
    data = json.loads(out)
    assert data["known_at"] is None
    assert any(e["what"].startswith("Zhang Xiaogang") for e in data["entries"])


def test_timeline_errors(ledger_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys, "--ledger", ledger_path, "timeline", PREFIX, "--known-at", "2999-01-01T00:00Z"
    )
    assert status == 2
    assert "in the future" in err
    status, _, err = run(
        capsys, "--ledger", ledger_path, "timeline", PREFIX, "--known-at", "yesterday"
    )
    assert status == 2
    assert "not an ISO-8601 date-time" in err
    status, _, err = run(capsys, "--ledger", ledger_path, "timeline", "ffffffff")
    assert status == 2
    assert "no incident match" in err
    status, _, err = run(
        capsys, "--ledger", ledger_path, "timeline", PREFIX, "--known-at", "2024-07-24T00:00Z"
    )
    assert status == 2
    assert "not recorded as known at" in err


def test_project_catches_up_then_has_nothing_to_do(
    ledger_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "--ledger", ledger_path, "project", "aircraft-roster", "--batch-size", "5"
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "aircraft-roster: caught up from sequence 0 to 19"
    assert lines[1].startswith("aircraft-roster: state digest ")
    assert "CN      H-6     2          2        1          H-6, H-6K" in out
    assert "catching up aircraft-roster [" in err
    status, out, _ = run(capsys, "--ledger", ledger_path, "project", "aircraft-roster", "--quiet")
    assert status == 0
    assert out.splitlines()[0] == "aircraft-roster: already caught up at sequence 19"
    assert len(out.splitlines()) == 2
    with Ledger.open(ledger_path) as ledger:
        assert (
            ReadModel(ledger, AircraftRoster()).status() or pytest.fail("no status")
        ).sequence == 19


def test_project_rebuild_with_progress_and_json(
    ledger_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--ledger", ledger_path, "project", "timeline")
    status, out, err = run(
        capsys,
        "--ledger",
        ledger_path,
        "project",
        "timeline",
        "--rebuild",
        "--format",
        "json",
        "--batch-size",
        "3",
    )
    assert status == 0
    assert out.startswith(
        "timeline: rebuilt from zero to sequence 19 and swapped in (generation 2)\n"
    )
    state = json.loads(out[out.index("\n\n") + 2 :])
    assert [str(examples.ALASKA_2024)] == list(state)
    progress = [line for line in err.splitlines() if line.startswith("rebuilding timeline")]
    assert progress
    assert "100% sequence 19/19" in progress[-1]


def test_project_list_and_errors(ledger_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger_path, "project", "--list")
    assert status == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert {"aircraft-roster", "intercepts", "sources", "statements", "timeline"} <= set(names)
    status, _, err = run(capsys, "--ledger", ledger_path, "project", "no-such-view")
    assert status == 2
    assert "no projection is registered as 'no-such-view'" in err
    assert "timeline" in err
    status, _, err = run(capsys, "--ledger", ledger_path, "project")
    assert status == 2
    assert "name a projection" in err
    status, _, err = run(
        capsys, "--ledger", ledger_path, "project", "timeline", "--import", "no_such_module_x"
    )
    assert status == 2
    assert "cannot import 'no_such_module_x'" in err
    status, _, err = run(
        capsys, "--ledger", ledger_path, "project", "timeline", "--batch-size", "0"
    )  # a usage error, from the command line parser
    assert status == 2
    assert err.startswith("incidents: error: Invalid value for '--batch-size': '0' is not a whole")
    assert "Try 'incidents project --help' for help." in err


def test_project_imports_user_projections(
    ledger_path: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "my_cli_projections.py").write_text(
        textwrap.dedent(
            '''
            from incidents import StatementIssued
            from incidents.projections import Projection, handles, register

            @register
            class SpeakersSeen(Projection):
                """Who spoke."""

                name = "test-cli-speakers"
                version = VERSION

                @handles(StatementIssued)
                def statement(self, state, change):
                    who = change.event.speaker.name or change.event.speaker.organization
                    state[who] = state.get(who, 0) + change.sign
                    if not state[who]:
                        del state[who]
            '''
        ).replace("VERSION", "1")
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    status, out, _ = run(
        capsys,
        "--ledger",
        ledger_path,
        "project",
        "test-cli-speakers",
        "--import",
        "my_cli_projections",
    )
    assert status == 0
    state = json.loads(out[out.index("\n\n") + 2 :])
    assert state["Zhang Xiaogang"] == 1
    assert "Chen Xiaogang" not in state
    # The code changes meaning: a new version refuses the old read model until rebuilt.
    import importlib
    import sys

    import incidents.projections._registry as registry

    (tmp_path / "my_cli_projections.py").write_text(
        (tmp_path / "my_cli_projections.py").read_text().replace("version = 1", "version = 2")
    )
    registry._REGISTRY.pop("test-cli-speakers")
    sys.modules.pop("my_cli_projections")
    importlib.invalidate_caches()
    status, _, err = run(
        capsys,
        "--ledger",
        ledger_path,
        "project",
        "test-cli-speakers",
        "--import",
        "my_cli_projections",
    )
    assert status == 1
    assert "incidents project test-cli-speakers --rebuild" in err
    status, out, _ = run(
        capsys,
        "--ledger",
        ledger_path,
        "project",
        "test-cli-speakers",
        "--import",
        "my_cli_projections",
        "--rebuild",
    )
    assert status == 0
    registry._REGISTRY.pop("test-cli-speakers")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_in_a_log() -> None:
    terminal = _Terminal()
    bar = ProgressBar("rebuilding x", stream=terminal)
    for reached in (250, 500, 1000):
        bar(reached, 1000)
    bar.close()
    text = terminal.getvalue()
    # Drawn by rich in place: the line is cleared and drawn again, the cursor shown at the end.
    assert text.count("\r\x1b[2K") >= 2
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert "rebuilding x" in plain
    assert "100% sequence 1000/1000" in plain
    assert text.endswith("\n\x1b[?25h")
    log = io.StringIO()
    bar = ProgressBar("catching up x", start=100, stream=log)
    for reached in range(110, 1001, 10):
        bar(reached, 1000)
    bar.close()
    lines = log.getvalue().splitlines()
    assert 10 <= len(lines) <= 11  # about one line per tenth
    assert lines[-1].startswith(
        "catching up x [##############################] 100% sequence 1,000/1,000"
    )
    empty = io.StringIO()
    ProgressBar("nothing", stream=empty)(0, 0)
    assert "100% sequence 0/0" in empty.getvalue()


def test_demo_shows_the_timeline_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "demo", "--path", str(tmp_path / "demo.db"))
    assert status == 0
    table = out.index("#   WHEN (valid time)")
    assert (
        out.index("Joint Chinese-Russian bomber patrol near Alaska (Bering Sea / Alaska ADIZ)")
        < table
    )
    assert table < out.index("Aircraft (4):")
    assert "CORRECTED [1]" in out
