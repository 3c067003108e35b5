"""
Numbers and times out of range are usage errors (exit status 2), never a traceback.

Positions, sizes, batch sizes and widths must fit in 64 bits (what the
databases store); intervals must be a positive number of seconds; a time
whose offset moves it out of the years 1 to 9999 is refused with the same
message as any other bad time.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from incidents._cli import main
from incidents.examples import ALASKA_2024

BIG = "99999999999999999999999"
INCIDENT = ALASKA_2024.hex[:8]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--path", str(path)]) == 0
    return path


def status_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out + err


NUMBERS = {
    "a position": ["prove", f"{INCIDENT}#{BIG}"],
    "a position just past 64 bits": ["prove", f"{INCIDENT}#{2**63 + 1}"],
    "a size": ["checkpoint", "--size", BIG],
    "a negative size": ["checkpoint", "--size", "-1"],
    "a batch size": ["project", "timeline", "--batch-size", BIG],
    "a batch size of zero": ["project", "timeline", "--batch-size", "0"],
    "a width": ["timeline", INCIDENT, "--width", BIG],
    "a width of zero": ["timeline", INCIDENT, "--width", "0"],
    "an interval of nan": ["project", "timeline", "--interval", "nan"],
    "an infinite interval": ["project", "timeline", "--interval", "inf"],
    "a negative interval": ["project", "timeline", "--interval", "-1"],
    "an interval of zero": ["project", "timeline", "--interval", "0"],
    "an interval too long": ["project", "timeline", "--interval", "1e300"],
}


@pytest.mark.parametrize("argv", list(NUMBERS.values()), ids=list(NUMBERS))
def test_a_number_out_of_range_is_a_usage_error(
    demo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = status_of(capsys, ["--ledger", str(demo), *argv])
    assert status == 2, output
    assert "error: " in output
    assert "Traceback" not in output


def test_the_largest_numbers_are_still_read(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    largest = str(2**63 - 1)
    status, output = status_of(capsys, ["--ledger", str(demo), "prove", f"{INCIDENT}#{largest}"])
    assert status == 2
    assert f"has no event at position {largest}" in output
    status, output = status_of(capsys, ["--ledger", str(demo), "checkpoint", "--size", largest])
    assert status == 2
    assert "the log's size" in output
    argv = ["--ledger", str(demo), "project", "timeline", "--batch-size", largest, "--quiet"]
    assert status_of(capsys, argv)[0] == 0
    argv = ["--ledger", str(demo), "timeline", INCIDENT, "--width", largest]
    assert status_of(capsys, argv)[0] == 0


TIMES = {
    "before year 1": ["state", INCIDENT, "--known-at", "0001-01-01T00:00+05:00"],
    "after year 9999": ["state", INCIDENT, "--valid-at", "9999-12-31T23:00-05:00"],
    "diff A": ["diff", INCIDENT, "0001-01-01T00:00+05:00"],
    "diff B": ["diff", INCIDENT, "2024-07-25T00:00Z", "9999-12-31T23:00-05:00"],
    "search --from": ["search", "--from", "0001-01-01T00:00+05:00"],
    "search --to": ["search", "--to", "9999-12-31T23:00-05:00"],
    "search --known-at": ["search", "--known-at", "0001-01-01T00:00+05:00"],
    "timeline --known-at": ["timeline", INCIDENT, "--known-at", "0001-01-01T00:00+05:00"],
}


@pytest.mark.parametrize("argv", list(TIMES.values()), ids=list(TIMES))
def test_a_time_out_of_range_is_a_usage_error(
    demo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = status_of(capsys, ["--ledger", str(demo), *argv])
    assert status == 2, output
    assert "out of range" in output or "not an ISO-8601" in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    "argv",
    [
        ["state", INCIDENT, "--valid-at", "0001-01-01T00:00Z"],
        ["state", INCIDENT, "--valid-at", "9999-12-31T23:59:59.999999Z"],
        ["search", "--from", "0001-01-01T00:00Z", "--to", "9999-12-31T23:59:59.999999Z"],
        ["diff", INCIDENT, "0001-01-01T00:00Z"],
    ],
)
def test_the_first_and_last_instants_are_still_read(
    demo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = status_of(capsys, ["--ledger", str(demo), *argv])
    assert status == 0, output
