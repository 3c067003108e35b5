from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from incidents._cli import main


def test_demo_records_the_example_and_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"ledger: {path}" in out
    assert "recorded 19 events" in out
    assert "Aircraft (4):" in out
    assert "  2 x H-6 (CN), from 2 reports (H-6, H-6K)" in out  # reconciled, not added up
    assert "    2 x H-6K (CN), bomber" in out
    assert "Zhang Xiaogang" in out
    assert "speaker was Chen Xiaogang" in out
    assert "2024-07-24 (America/Anchorage)" in out


def test_demo_twice_adds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.db"
    main(["demo", "--path", str(path)])
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT COUNT(*) FROM incident_events").fetchone()[0]
    capsys.readouterr()
    assert main(["demo", "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert "already recorded: nothing added" in out
    with sqlite3.connect(path) as db:
        assert before == db.execute("SELECT COUNT(*) FROM incident_events").fetchone()[0]


def test_demo_records_into_the_ledger_given_before_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "chosen.db"
    assert main(["--ledger", str(path), "demo"]) == 0
    assert f"ledger: {path}" in capsys.readouterr().out
    assert not (tmp_path / "incidents-demo.db").exists()
    assert main(["--ledger", str(path), "list"]) == 0
    assert "Joint Chinese-Russian bomber patrol near Alaska  (19 events)" in capsys.readouterr().out
    # The same file twice is one ledger; two different ones are a mistake, and record nothing.
    assert main(["--ledger", str(path), "demo", "--path", str(path)]) == 0
    other = tmp_path / "other.db"
    assert main(["--ledger", str(path), "demo", "--path", str(other)]) == 2
    assert "two ledgers given" in capsys.readouterr().err
    assert not other.exists()


def test_demo_does_not_record_into_the_ledger_named_by_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # $INCIDENTS_LEDGER is the user's working ledger: the example stays out of it.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENTS_LEDGER", str(tmp_path / "work.db"))
    assert main(["demo"]) == 0
    assert "ledger: incidents-demo.db" in capsys.readouterr().out
    assert (tmp_path / "incidents-demo.db").exists()
    assert not (tmp_path / "work.db").exists()
    # Every other command reads the ledger the environment names.
    monkeypatch.setenv("INCIDENTS_LEDGER", str(tmp_path / "incidents-demo.db"))
    assert main(["list"]) == 0
    assert "(19 events)" in capsys.readouterr().out


def test_list_and_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.db"
    main(["demo", "--path", str(path)])
    capsys.readouterr()
    assert main(["--ledger", str(path), "list"]) == 0
    listing = capsys.readouterr().out
    assert "Joint Chinese-Russian bomber patrol near Alaska" in listing
    prefix = listing.split()[0][:8]
    assert main(["--ledger", str(path), "events", prefix]) == 0
    assert "correction" in capsys.readouterr().out


def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    main(["demo", "--path", str(path)])
    capsys.readouterr()
    assert main(["--ledger", str(path), "events", "ffffffff"]) == 2
    assert "no incident match" in capsys.readouterr().err


def test_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "incidents", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("incidents ")
