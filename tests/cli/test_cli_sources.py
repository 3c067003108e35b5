"""
``incidents sources register`` and ``sources list``: the ledger-wide registry on the command line.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from test_cli_terminal import EVIL, SHOWN, assert_safe

from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    Correction,
    FixedClock,
    IncidentOpened,
    Ledger,
    Reliability,
    SourceKind,
    ValidTime,
)
from incidents._cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def ledger(tmp_path: Path) -> str:
    path = str(tmp_path / "sources.db")
    assert main(["--ledger", path, "init"]) == 0
    return path


def registry_size(path: str) -> int:
    with Ledger.open(path) as opened:
        return len(opened.sources())


def test_register_prints_the_id_and_list_shows_the_source(
    ledger: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(
        capsys,
        *("--ledger", ledger, "sources", "register", "--kind", "press-release"),
        *("--publisher", "JCS", "--language", "ko", "--reliability", "c", "--credibility", "3"),
    )
    assert status == 0
    jcs = UUID(out.strip())
    page = tmp_path / "page.html"
    page.write_bytes("<html>중국·러시아 군용기</html>".encode())
    status, out, _ = run(
        capsys,
        *("--ledger", ledger, "sources", "register", "--kind", "wire_report"),
        *("--publisher", "Yonhap", "--cites", jcs.hex[:8], "--content", str(page)),
        *("--published-at", "2019-07-23T05:00Z", "--original-title", "군용기"),
    )
    assert status == 0
    yonhap = UUID(out.strip())
    with Ledger.open(ledger) as opened:
        found = {s.id: s for s in opened.sources()}
    assert [jcs, yonhap] == list(found)
    assert (
        found[jcs].kind,
        found[jcs].reliability,
        found[jcs].credibility.value,
        found[jcs].language,
    ) == (SourceKind.PRESS_RELEASE, Reliability.C, 3, "ko")
    assert (jcs,) == found[yonhap].cites
    assert hashlib.sha256(page.read_bytes()).hexdigest() == found[yonhap].content_sha256
    assert datetime(2019, 7, 23, 5, tzinfo=UTC) == found[yonhap].published_at

    status, out, _ = run(capsys, "--ledger", ledger, "sources", "list")
    assert status == 0
    lines = out.splitlines()
    assert f"{jcs}  JCS (press release) [C3]; in ko" == lines[0]
    assert lines[1].startswith(f"{yonhap}  Yonhap (wire report) [F6]; published 2019-07-23")
    assert "citing JCS" in lines[1]

    status, out, _ = run(capsys, "--ledger", ledger, "sources", "list", "--json")
    data = json.loads(out)
    assert [str(jcs), str(yonhap)] == [s["id"] for s in data]
    assert [s["shared"] for s in data] == [True, True]

    status, out, _ = run(
        capsys, "--ledger", ledger, "sources", "list", "--published-by", "2019-07-24T00:00Z"
    )
    assert [str(yonhap)] == [line.split()[0] for line in out.splitlines()]


def test_bad_input_records_nothing(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--ledger", ledger, "sources", "register", "--publisher", "KBS")
    for extra, said in (
        (("--kind", "blog"), "--kind must be one of"),
        (("--kind", "broadcast", "--language", "Korean"), "BCP 47"),
        (("--kind", "broadcast", "--sha256", "ABC"), "sha256"),
        (("--kind", "broadcast", "--sha256", "a" * 64, "--content", "x"), "not both"),
        (("--kind", "broadcast", "--reliability", "G"), "--reliability"),
        (("--kind", "broadcast", "--cites", "ffff"), "no registry source"),
        (("--kind", "broadcast", "--published-at", "2019-07-23"), "--published-at"),
    ):
        status, _, err = run(capsys, *base, *extra)
        assert status == 2, extra
        assert said in err, (extra, err)
    assert registry_size(ledger) == 0
    status, out, _ = run(capsys, "--ledger", ledger, "sources", "list")
    assert (status, out) == (0, "no source in the registry\n")


def test_list_as_known_at_a_time_and_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "evil.db")
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    with Ledger.open(path, clock=clock) as opened:
        source = opened.register_source(SourceKind.BROADCAST, f"KBS {EVIL}", title=EVIL)
        registration = next(r.event for r in opened.events(SOURCES_REGISTRY))
        clock.set(datetime(2026, 3, 3, 9, tzinfo=UTC))
        opened.record(Correction.of(registration, source_id=source, reason="r", publisher="KBS"))
    status, out, _ = run(capsys, "--ledger", path, "sources", "list")
    assert status == 0
    assert_safe(out)
    assert f'{source}  KBS (broadcast) "{SHOWN}" [F6]' == out.strip()
    status, out, _ = run(
        capsys, "--ledger", path, "sources", "list", "--known-at", "2026-03-02T12:00Z"
    )
    assert_safe(out)
    assert f"KBS {SHOWN} (broadcast)" in out
    assert f'"{SHOWN}"' in out


def test_state_marks_the_shared_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "shared.db")
    incident = uuid4()
    with Ledger.open(path) as opened:
        jcs = opened.register_source(SourceKind.PRESS_RELEASE, "JCS")
        mod = opened.register_source(SourceKind.OFFICIAL_STATEMENT, "Russian MoD")
        own = opened.register_source(SourceKind.WIRE_REPORT, "Yonhap", cites=[jcs, mod])
        opened.record(
            IncidentOpened(incident_id=incident, source_id=own, title="Patrol"),
            AircraftReported(
                incident_id=incident,
                source_id=own,
                type_designation="H-6K",
                nation="CN",
                valid_time=ValidTime.day("2019-07-23", tz="Asia/Seoul"),
            ),
        )
    status, out, _ = run(capsys, "--ledger", path, "state", incident.hex[:8])
    assert status == 0
    assert (
        "  Yonhap (wire report) [F6] (shared: the ledger-wide registry), citing JCS and Russian MoD"
    ) in out.splitlines()
    assert "  JCS (press release) [F6] (shared: the ledger-wide registry)" in out.splitlines()


def test_record_cites_a_registry_source_by_prefix(
    ledger: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "--ledger",
        ledger,
        "sources",
        "register",
        "--kind",
        "news_article",
        "--publisher",
        "AP",
    )
    source = UUID(out.strip())
    incident = uuid4()
    status, out, err = run(
        capsys,
        *("--ledger", ledger, "record", "--type", "incident", "--incident", str(incident)),
        *("--source", source.hex[:8], "--set", "title=Patrol"),
    )
    assert status == 0, err
    with Ledger.open(ledger) as opened:
        (opening,) = opened.events(incident)
    assert opening.event.source_id == source
    status, _, err = run(
        capsys,
        *("--ledger", ledger, "record", "--type", "incident", "--incident", str(uuid4())),
        *("--source", "ffffffff", "--set", "title=Patrol"),
    )
    assert status == 2
    assert "no source of the registry or incident" in err
