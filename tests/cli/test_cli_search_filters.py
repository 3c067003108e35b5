"""
``list`` and ``search`` filters (nation, aircraft, area, box, series, source, linked-to, zone,
near), and ``incidents series``.
"""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest
from test_cli_terminal import EVIL, SHOWN, assert_safe

from incidents import (
    AircraftReported,
    FixedClock,
    IncidentLinked,
    IncidentOpened,
    Ledger,
    LinkRelation,
    Location,
    Position,
    SeriesAssigned,
    SourceKind,
    SourceRegistered,
    ValidTime,
    examples,
)
from incidents._cli import main

DOKDO = str(examples.DOKDO_2019)
ALASKA = str(examples.ALASKA_2024)
LOCATED = uuid4()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("filters") / "filters.db")
    clock = FixedClock(examples.DOKDO_2019_REPORTED_AT)
    batches = [*examples.dokdo_2019_batches(), *examples.alaska_2024_batches()]
    with Ledger.open(path, clock=clock) as opened:
        for at, batch in batches:
            clock.set(at)
            opened.record(*batch)
        for at, batch in examples.alaska_2024_further():
            clock.set(at)
            opened.record(*batch)
        source = SourceRegistered(
            incident_id=LOCATED, kind=SourceKind.NEWS_ARTICLE, publisher=f"Paper {EVIL}"
        )
        opened.record(
            IncidentOpened(incident_id=LOCATED, source_id=source.source_id, title=f"Tu-95 {EVIL}"),
            source,
            AircraftReported(
                incident_id=LOCATED,
                source_id=source.source_id,
                type_designation="Il-20",
                nation="RU",
                valid_time=ValidTime.day("2019-07-23", tz="Asia/Seoul"),
                location=Location(name="East Sea", position=Position(lat=37.3, lon=131.9)),
            ),
            SeriesAssigned(
                incident_id=LOCATED,
                source_id=source.source_id,
                series=examples.JOINT_PATROLS,
                number=1,
            ),
            IncidentLinked(
                incident_id=LOCATED,
                source_id=source.source_id,
                other_incident=examples.DOKDO_2019,
                relation=LinkRelation.RELATED,
                reason="the same day",
            ),
        )
    return path


def ids(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines()]


@pytest.mark.parametrize("command", ["list", "search"])
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("--nation", "KR"), [DOKDO]),
        (("--nation", "KR", "--nation", "US"), [DOKDO, ALASKA]),
        (("--nation", "RU", "--aircraft", "H-6"), [DOKDO, ALASKA]),
        (("--aircraft", "Tu-95"), [DOKDO, ALASKA]),
        (("--aircraft", "Il-20", "--aircraft", "A-50"), [DOKDO, str(LOCATED)]),
        (("--area", "Dokdo"), [DOKDO]),
        (("--box", "130,36,133,38"), [str(LOCATED)]),
        (("--box", "-180,50,-140,72"), []),
        (("--series", "china russia joint strategic air patrol", "--nation", "US"), [ALASKA]),
        (("--source", "DW"), [DOKDO]),
        (("--linked-to", DOKDO[:8]), [str(LOCATED)]),
        (("--linked-to", ALASKA), []),
        (("--zone", "kr/kadiz-2013"), [str(LOCATED)]),
        (("--near", "37.24,131.87", "--within", "10"), [str(LOCATED)]),
        (("--near", "65,-168", "--within", "100"), []),
    ],
)
def test_the_filters(
    ledger: str,
    capsys: pytest.CaptureFixture[str],
    command: str,
    given: tuple[str, ...],
    expected: list[str],
) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, command, *given)
    assert status == 0
    assert_safe(out)
    if expected:
        assert ids(out) == expected
    else:
        assert out == "no incident matches\n"
    status, out, _ = run(capsys, "--ledger", ledger, command, *given, "--json")
    assert [i["id"] for i in json.loads(out)] == expected


def test_titles_are_escaped(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "list", "--aircraft", "Il-20")
    assert status == 0
    assert f"{LOCATED}  Tu-95 {SHOWN}  (5 events)\n" == out


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (("--box", "1,2,3"), "--box takes W,S,E,N"),
        (("--box", "a,b,c,d"), "--box takes W,S,E,N"),
        (("--near", "37,131"), "give --near and --within together"),
        (("--within", "5"), "give --near and --within together"),
        (("--near", "137,31", "--within", "5"), "latitude -90 to 90"),
        (("--nation", "XX"), "ISO 3166-1"),
        (("--zone", "kr/nowhere"), "no zone 'kr/nowhere'"),
        (("--linked-to", "ffffffff"), "no incident match"),
    ],
)
def test_bad_filters_are_usage_errors(
    ledger: str, capsys: pytest.CaptureFixture[str], given: tuple[str, ...], said: str
) -> None:
    status, out, err = run(capsys, "--ledger", ledger, "list", *given)
    assert (status, out) == (2, "")
    assert said in err


def test_list_without_filters_is_unchanged(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "list")
    assert status == 0
    assert ids(out) == [DOKDO, ALASKA, str(LOCATED)]


def test_series(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "--ledger", ledger, "series", "China-Russia joint strategic air patrol"
    )
    assert status == 0
    assert_safe(out)
    lines = out.splitlines()
    assert len(lines) == 3
    # Two incidents are numbered 1 by their sources: both come first, in order of recording.
    assert lines[0].startswith(f"  #1  {DOKDO}  First China-Russia joint air patrol")
    assert lines[1] == f"  #1  {LOCATED}  Tu-95 {SHOWN}"
    assert lines[2].startswith(f"  #8  {ALASKA}  Joint Chinese-Russian bomber patrol")
    status, out, _ = run(capsys, "--ledger", ledger, "series", examples.JOINT_PATROLS, "--json")
    data = json.loads(out)
    assert [(e["number"], e["id"]) for e in data] == [(1, DOKDO), (1, str(LOCATED)), (8, ALASKA)]
    status, out, _ = run(capsys, "--ledger", ledger, "series", "no such series")
    assert (status, out) == (0, "no incident is in the series 'no such series'\n")


def test_series_as_known_before_the_alaska_numbering(
    ledger: str, capsys: pytest.CaptureFixture[str]
) -> None:
    known = examples.ALASKA_2024_PUBLISHED_AT.isoformat()
    status, out, _ = run(
        capsys, "--ledger", ledger, "series", examples.JOINT_PATROLS, "--known-at", known
    )
    assert status == 0
    assert ALASKA not in out
    assert DOKDO in out


def test_a_file_ledger_is_needed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--ledger", str(tmp_path / "none.db"), "series", "x")
    assert status == 2
    assert "no ledger at" in err
