"""
``incidents record`` says what looks wrong in a location it recorded, on standard error, escaped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from test_cli_terminal import EVIL, SHOWN, assert_safe

from incidents import LocationWarning, RecordedBatch
from incidents._cli import main
from incidents._cli.record import _warn

BATCH = """\
incident_id = "@x"
source_id = "@s"

[[events]]
type = "incident"
ref = "x"
title = "Il-20 over the Baltic"

[[events]]
type = "source"
ref = "s"
kind = "press_release"
publisher = "NATO"

[[events]]
type = "aircraft"
type_designation = "Il-20"
nation = "RU"
valid_time = { day = "2024-07-24", tz = "Europe/Tallinn" }
location = { name = "Baltic Sea", position = { lat = LAT, lon = LON } }
"""


def record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lat: float, lon: float, *more: str
) -> tuple[int, str, str]:
    batch = tmp_path / "batch.toml"
    batch.write_text(BATCH.replace("LAT", str(lat)).replace("LON", str(lon)), encoding="utf-8")
    status = main(["--ledger", str(tmp_path / "w.db"), "record", "--create", str(batch), *more])
    out, err = capsys.readouterr()
    return status, out, err


def test_swapped_coordinates_are_recorded_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = record(tmp_path, capsys, 20.0, 57.0)
    assert status == 0
    assert out.startswith("recorded 3 events")
    (line,) = err.splitlines()
    assert line.startswith("incidents: warning: swapped-coordinates (")
    assert "#3, location): lat 20, lon 57 is 2,662 NM from 'Baltic Sea'" in line
    assert "latitude and longitude look swapped" in line


def test_the_warnings_go_to_standard_error_with_json_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = record(tmp_path, capsys, 20.0, 57.0, "--json")
    assert status == 0
    assert len(json.loads(out)) == 3
    assert "swapped-coordinates" in err


def test_a_plausible_location_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = record(tmp_path, capsys, 57.0, 20.0)
    assert (status, err) == (0, "")


def test_the_warnings_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    warning = LocationWarning(code=f"on-land{EVIL}", message=f"in {EVIL}", event_id=uuid4())
    _warn(RecordedBatch([], clock_reading=datetime.now(UTC), warnings=[warning]))
    out, err = capsys.readouterr()
    assert out == ""
    assert_safe(err)
    assert err == f"incidents: warning: on-land{SHOWN}: in {SHOWN}\n"
