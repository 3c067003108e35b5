"""
The README as a new user reads it: its API example runs twice against one ledger, and the
commands it shows exist.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from incidents._cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", TEXT, re.S | re.M)


def test_the_api_example_runs_twice_against_one_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (code,) = python_blocks()
    printed = []
    for _ in range(2):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
        printed.append(out.getvalue())
    assert (tmp_path / "incidents.db").is_file()
    assert printed[0] == printed[1]
    assert "{'CN': {'H-6': 2}, 'RU': {'Tu-95': 2}}" in printed[0]


def test_the_readme_says_how_to_run_the_installed_command() -> None:
    assert ".venv/bin/incidents" in TEXT
    assert "source .venv/bin/activate" in TEXT


def test_every_command_the_readme_shows_exists() -> None:
    commands = set(cli.commands)  # type: ignore[attr-defined]
    shown = re.findall(r"^\$ incidents (.*?)(?:\s+#.*)?$", TEXT, re.M)
    assert shown
    for line in shown:
        words = [w for w in shlex.split(line.rstrip("\\ ")) if not w.startswith(("<", ">"))]
        while words and words[0].startswith("--"):
            words = words[2:]  # --ledger PATH
        assert words, line
        assert words[0] in commands, line


def test_the_toml_batch_the_readme_shows_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from incidents._cli import main

    (toml,) = re.findall(r"^```toml\n(.*?)^```", TEXT, re.S | re.M)
    batch = tmp_path / "okinawa.toml"
    batch.write_text(toml, encoding="utf-8")
    ledger = tmp_path / "my.db"
    assert main(["--ledger", str(ledger), "init"]) == 0
    assert main(["--ledger", str(ledger), "record", str(batch)]) == 0
    assert "recorded 3 events" in capsys.readouterr().out
