"""
``incidents state``, ``history``, ``diff``, ``search`` and ``snapshots`` on the worked example.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents._cli import main
from incidents.examples import ALASKA_2024

INCIDENT = str(ALASKA_2024)


@pytest.fixture
def ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "cli.db"
    assert main(["demo", "--path", str(path)]) == 0
    capsys.readouterr()
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_state_as_known_when_the_article_appeared(
    ledger: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, "--ledger", ledger, "state", INCIDENT[:8], "--known-at", "2024-07-25T12:00Z"
    )
    assert status == 0
    assert out.startswith("As known at 2024-07-25 12:00:00Z (15 events recorded")
    assert "Chen Xiaogang, spokesman" in out
    assert "Zhang Xiaogang" not in out


def test_state_now_and_at_a_valid_time(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "state", INCIDENT)
    assert status == 0
    assert out.startswith("As known now (19 events recorded")
    assert "Zhang Xiaogang, spokesman" in out
    status, out, _ = run(
        capsys, "--ledger", ledger, "state", INCIDENT, "--valid-at", "2024-07-23T23:00-08:00"
    )
    assert status == 0
    assert "facts possibly in effect at 2024-07-24 07:00:00Z" in out
    assert "Intercepts (0):" in out
    status, out, _ = run(
        capsys,
        "--ledger", ledger, "state", INCIDENT,
        "--valid-at", "2024-07-24T12:00-08:00", "--reading", "certainly",
    )  # fmt: skip
    assert status == 0
    assert "Intercepts (0):" in out
    status, out, _ = run(
        capsys, "--ledger", ledger, "state", INCIDENT, "--valid-at", "2024-07-24T12:00-08:00"
    )
    assert "Intercepts (1):" in out


def test_history(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "history", INCIDENT)
    assert status == 0
    assert out.startswith('History of "Joint Chinese-Russian bomber patrol near Alaska"')
    assert "correction: corrects #12 statement-issued" in out
    assert "speaker: Chen Xiaogang, spokesman" in out
    assert "effect: corrected #12 statement-issued" in out


def test_diff(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "--ledger", ledger, "diff", INCIDENT, "2024-07-25T12:00Z", "2024-07-26T12:00Z"
    )
    assert status == 0
    assert "1 added, 1 corrected" in out
    assert "-> Zhang Xiaogang, spokesman" in out
    status, out, _ = run(capsys, "--ledger", ledger, "diff", INCIDENT, "2024-07-26T12:00Z")
    assert status == 0
    assert "2 added" in out  # the ministries' accounts of the aircraft
    assert "added #18 aircraft-reported: 2 x H-6K (CN), bomber" in out
    status, out, _ = run(capsys, "--ledger", ledger, "diff", INCIDENT, "2024-07-27T12:00Z")
    assert status == 0
    assert "no differences" in out


def test_search(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "--ledger",
        ledger,
        "search",
        "--from",
        "2024-07-24T00:00Z",
        "--to",
        "2024-07-25T00:00Z",
    )
    assert status == 0
    assert f"{INCIDENT}  Joint Chinese-Russian bomber patrol near Alaska  (19 events)" in out
    status, out, _ = run(capsys, "--ledger", ledger, "search", "--from", "2025-01-01T00:00Z")
    assert status == 0
    assert "no incident matches" in out


def test_snapshots(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--ledger", ledger, "snapshots", "rebuild")[:2] == (
        0,
        "snapshotted 1 incidents\n",
    )
    assert run(capsys, "--ledger", ledger, "snapshots", "drop", INCIDENT[:6])[:2] == (
        0,
        "dropped 1 snapshots\n",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["state", INCIDENT, "--known-at", "2024-07-25T12:00"],
            "--known-at '2024-07-25T12:00' is not an ISO-8601 date-time with an offset",
        ),
        (
            ["state", INCIDENT, "--valid-at", "yesterday"],
            "--valid-at 'yesterday' is not an ISO-8601",
        ),
        (["state", INCIDENT, "--reading", "maybe"], "--reading must be 'possibly' or 'certainly'"),
        (["state", INCIDENT, "--known-at", "2999-01-01T00:00Z"], "is in the future"),
        (["state", INCIDENT, "--known-at", "2024-07-01T00:00Z"], "not yet recorded as known at"),
        (["state", "ffffffff"], "no incident match"),
        (["history", "zz"], "no incident match"),
        (
            ["diff", INCIDENT, "2024-07-26T12:00Z", "2024-07-25T12:00Z"],
            "earlier recording time first",
        ),
        (["diff", INCIDENT, "26 July"], "A '26 July' is not an ISO-8601"),
        (["search", "--from", "2024-07-26T00:00Z", "--to", "2024-07-25T00:00Z"], "ends"),
    ],
)
def test_bad_input_is_a_clear_error_with_status_2(
    ledger: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, "--ledger", ledger, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("incidents: error: ")
    assert message in err
