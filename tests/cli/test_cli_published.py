"""
``--published-by`` on ``state``, ``history``, ``search`` and ``list``; ``diff --published-by-a/-b``.

A 2019 incident recorded in 2026 from sources published over a week.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from incidents import (
    AircraftReported,
    Correction,
    FixedClock,
    IncidentOpened,
    Ledger,
    SourceKind,
    SourceRegistered,
    ValidTime,
)
from incidents._cli import main

EVENT = datetime(2019, 7, 23, 0, 0, tzinfo=UTC)
INCIDENT = uuid4()


@pytest.fixture
def ledger(tmp_path: Path) -> str:
    path = tmp_path / "backfill.db"
    jcs = SourceRegistered(
        incident_id=INCIDENT,
        kind=SourceKind.PRESS_RELEASE,
        publisher="South Korea JCS",
        published_at=EVENT + timedelta(hours=3),
    )
    embassy = SourceRegistered(
        incident_id=INCIDENT,
        kind=SourceKind.OFFICIAL_STATEMENT,
        publisher="Russian embassy in Seoul",
        published_at=EVENT + timedelta(days=1, hours=3),
    )
    a50 = AircraftReported(
        incident_id=INCIDENT,
        source_id=jcs.source_id,
        type_designation="A-50",
        nation="RU",
        valid_time=ValidTime.day("2019-07-23", tz="Asia/Seoul"),
    )
    with Ledger.open(path, clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC))) as recording:
        recording.record(
            IncidentOpened(incident_id=INCIDENT, source_id=jcs.source_id, title="Dokdo"),
            jcs,
            embassy,
            a50,
            Correction.of(a50, source_id=embassy.source_id, reason="two", count=2),
        )
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_state_as_published_by(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "--ledger", ledger, "state", str(INCIDENT), "--published-by", "2019-07-24T00:00Z"
    )
    assert status == 0
    assert out.startswith(
        "As known now, as published by 2019-07-24 00:00:00Z (events up to #4, the last at "
        "2026-03-02 00:00:00Z); every fact"
    )
    assert "Russian embassy" not in out
    status, out, _ = run(capsys, "--ledger", ledger, "state", str(INCIDENT))
    assert "Russian embassy" in out


def test_history_as_published_by(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "--ledger", ledger, "history", str(INCIDENT), "--published-by", "2019-07-24T00:00Z",
    )  # fmt: skip
    assert status == 0
    assert out.startswith(
        f'History of "Dokdo" (incident {INCIDENT}), 3 events published by 2019-07-24 00:00:00Z'
    )
    assert "correction" not in out


def test_diff_between_publication_times(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "--ledger", ledger, "diff", str(INCIDENT),
        "--published-by-a", "2019-07-24T00:00Z", "--published-by-b", "2019-07-30T00:00Z",
    )  # fmt: skip
    assert status == 0
    assert "as published by 2019-07-24 00:00:00Z (events up to #4)" in out
    assert "1 added, 1 corrected" in out
    assert "count: 1 -> 2" in out


def test_search_and_list_as_published_by(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    july = ("--from", "2019-07-01T00:00Z", "--to", "2019-07-31T00:00Z")
    status, out, _ = run(
        capsys, "--ledger", ledger, "search", *july, "--published-by", "2019-07-24T00:00Z"
    )
    assert (status, out) == (0, f"{INCIDENT}  Dokdo  (events up to #4)\n")
    status, out, _ = run(
        capsys, "--ledger", ledger, "search", *july, "--published-by", "2019-07-22T00:00Z"
    )
    assert (status, out) == (0, "no incident matches\n")
    status, out, _ = run(capsys, "--ledger", ledger, "list", "--published-by", "2019-07-30T00:00Z")
    assert (status, out) == (0, f"{INCIDENT}  Dokdo  (events up to #5)\n")
    status, out, _ = run(capsys, "--ledger", ledger, "list", "--published-by", "2019-07-22T00:00Z")
    assert (status, out) == (0, "no incident was published by 2019-07-22 00:00:00Z\n")
    status, out, _ = run(capsys, "--ledger", ledger, "list")
    assert (status, out) == (0, f"{INCIDENT}  Dokdo  (5 events)\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["state", str(INCIDENT), "--published-by", "2019-07-24"],
            "--published-by '2019-07-24' is not an ISO-8601 date-time with an offset",
        ),
        (["state", str(INCIDENT), "--published-by", "2019-07-22T00:00Z"], "not yet published"),
        (["history", str(INCIDENT), "--published-by", "soon"], "--published-by 'soon'"),
        (["list", "--published-by", "2019-07-24T00:00"], "--published-by '2019-07-24T00:00'"),
        (["diff", str(INCIDENT)], "give the earlier recording time A, or --published-by-a"),
        (
            ["diff", str(INCIDENT), "--published-by-a", "2019-07-24T00:00Z"],
            "give both published_by_a and published_by_b",
        ),
        (
            [
                "diff",
                str(INCIDENT),
                "--published-by-a",
                "2019-07-30T00:00Z",
                "--published-by-b",
                "2019-07-24T00:00Z",
            ],
            "earlier publication time first",
        ),
        (["diff", str(INCIDENT), "--published-by-b", "x"], "--published-by-b 'x'"),
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
