"""
``incidents contradictions``: an incident's claims compared, on the command line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from test_cli_terminal import EVIL, SHOWN, assert_safe

from incidents import (
    AssessmentMade,
    Claim,
    Credibility,
    FixedClock,
    IncidentOpened,
    Ledger,
    SourceKind,
    SourceRegistered,
    Sovereignty,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
    examples,
)
from incidents._cli import main

INCIDENT = str(examples.DOKDO_2019)


@pytest.fixture(scope="module")
def dokdo(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("claims") / "dokdo.db"
    clock = FixedClock(examples.DOKDO_2019_REPORTED_AT)
    with Ledger.open(path, clock=clock) as ledger:
        for at, batch in examples.dokdo_2019_batches():
            clock.set(at)
            ledger.record(*batch)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_disputes_of_the_dokdo_patrol(dokdo: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", dokdo, "contradictions", INCIDENT[:8])
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "First China-Russia joint air patrol, near Dokdo/Takeshima"
    assert "5 disputed, 0 agreed, 3 uncontested" in lines[1]
    for dispute in (
        "DISPUTED: airspace of KR entered by RU A-50",
        "DISPUTED: warning shots fired by KR at RU",
        "DISPUTED: sovereignty over Dokdo / Takeshima / Liancourt Rocks",
    ):
        assert dispute in lines
    assert "  affirms: KR (contradicts: affirms: JP)" in lines


def test_as_known_before_china_spoke(dokdo: str, capsys: pytest.CaptureFixture[str]) -> None:
    known_at = examples.DOKDO_2019_REPORTED_AT.isoformat()
    status, out, _ = run(
        capsys, "--ledger", dokdo, "contradictions", INCIDENT, "--known-at", known_at
    )
    assert status == 0
    assert "Wu Qian" not in out
    assert "about 400 rounds" not in out
    assert "DISPUTED: airspace of KR entered by RU A-50" in out


def test_json_reads_back(dokdo: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", dokdo, "contradictions", INCIDENT, "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["incident_id"] == INCIDENT
    verdicts = {c["subject"]: c["verdict"] for c in data["comparisons"]}
    assert verdicts["warning shots fired by KR at RU"] == "disputed"
    assert verdicts["KADIZ entered by CN"] == "uncontested"


def test_an_unknown_incident_is_an_error(dokdo: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--ledger", dokdo, "contradictions", str(uuid4()))
    assert status == 2
    assert err.startswith("incidents: error:")


def test_stored_text_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    incident, source = uuid4(), uuid4()
    day = ValidTime.day("2019-07-23", tz="Asia/Seoul")

    def said(name: str, nation: str) -> StatementIssued:
        return StatementIssued(
            incident_id=incident,
            source_id=source,
            speaker=Speaker(name=f"{name}{EVIL}"),
            medium=f"medium{EVIL}",
            claims=(
                Claim(
                    stance=Stance.AFFIRMS,
                    text=f"claim{EVIL}",
                    proposition=Sovereignty(
                        territory=f"isle{EVIL}", aliases=(f"alias{EVIL}",), nation=nation
                    ),
                ),
            ),
            valid_time=day,
        )

    first = said("a", "KR")
    clock = FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC))
    with Ledger.open(tmp_path / "hostile.db", clock=clock) as ledger:
        ledger.record(
            IncidentOpened(incident_id=incident, source_id=source, title=f"title{EVIL}"),
            SourceRegistered(
                incident_id=incident,
                source_id=source,
                kind=SourceKind.NEWS_ARTICLE,
                publisher=f"publisher{EVIL}",
            ),
            first,
            said("b", "JP"),
        )
        clock.set(clock() + timedelta(hours=1))
        ledger.record(
            AssessmentMade(
                incident_id=incident,
                source_id=source,
                target_id=first.event_id,
                claim_id=first.claim_ids()[0],
                credibility=Credibility.DOUBTFUL,
                reasoning=f"reasoning{EVIL}",
            ),
            recorder=f"analyst{EVIL}",
        )
    for output in ("text", "json"):
        status, out, err = run(
            capsys,
            "--ledger",
            str(tmp_path / "hostile.db"),
            "contradictions",
            str(incident),
            "--format",
            output,
        )
        assert status == 0, err
        assert_safe(out)
        if output == "text":
            assert f"reasoning{SHOWN}" in out
            assert f"isle{SHOWN}" in out
            assert f"DISPUTED: sovereignty over isle{SHOWN} / alias{SHOWN}" in out
        else:
            assert json.loads(out)["title"] == f"title{EVIL}"
