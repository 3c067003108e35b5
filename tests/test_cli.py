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
    assert "recorded 17 events" in out
    assert "Aircraft (4):" in out
    assert "2 x H-6 (CN)" in out
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
