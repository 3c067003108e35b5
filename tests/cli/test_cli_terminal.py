"""
Stored text never reaches the terminal raw.

A ledger (or a bundle someone sent) can hold any text: an escape sequence in
an incident's title could clear the screen or rewrite what was printed
before it, a carriage return or a line break could forge a line of a
report, a right-to-left override could reverse what a reader sees. Every
command shows such characters as visible escapes (``\\x1b``, ``\\n``,
``\\u202e``) and keeps ordinary text of any script as it is; the JSON
outputs escape them the JSON way, so they still read back exactly.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from incidents import (
    AircraftReported,
    Claim,
    Correction,
    FixedClock,
    IncidentOpened,
    Ledger,
    Location,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
)
from incidents._cli import main

# What an attacker would store: clear the screen, set the window title,
# ring the bell, return to the line's start, break the line, tab, DEL, a C1
# control (CSI), a right-to-left override, an isolate, a line separator and NUL.
EVIL = "\x1b[2J\x1b]0;owned\x07\rX\nY\tZ\x7f\x9b\u202eQ\u2066\u2028\x00"
# How it must be shown.
SHOWN = r"\x1b[2J\x1b]0;owned\x07\rX\nY\tZ\x7f\x9b\u202eQ\u2066\u2028\x00"
# Ordinary text in other scripts, with a joiner Persian needs: kept as it is.
NAMES = "张晓刚 Чэнь Сяоган 김정은 می‌خواهم"

START = datetime(2024, 7, 25, 12, 0, tzinfo=UTC)
# A log's name may hold a right-to-left override: it reads "example.org/incidents".
ORIGIN = "example.org/\u202estnedicni"


def _unsafe(char: str) -> bool:
    if char in "\n\t\u200c\u200d":  # the CLI's own layout, and the joiners of scripts
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def assert_safe(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in text if _unsafe(c)})
    assert not found, f"raw control characters printed: {found}"


class Hostile:
    """A ledger whose every kind of stored text carries EVIL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.incident = uuid4()
        clock = FixedClock(START)
        with Ledger.open(path, clock=clock, recorder=f"recorder{EVIL}", origin=ORIGIN) as ledger:
            source, other = uuid4(), uuid4()
            self.opened = IncidentOpened(
                incident_id=self.incident,
                source_id=source,
                title=f"title{EVIL}{NAMES}",
                summary=f"summary{EVIL}",
                region=f"region{EVIL}",
            )
            day = ValidTime.day("2024-07-24", tz="UTC", wording=f"wording{EVIL}")
            aircraft = AircraftReported(
                incident_id=self.incident,
                source_id=source,
                type_designation=f"type{EVIL}",
                nation="CN",
                count=2,
                role=f"role{EVIL}",
                valid_time=day,
                location=Location(name=f"place{EVIL}"),
            )
            statement = StatementIssued(
                incident_id=self.incident,
                source_id=other,
                speaker=Speaker(name=f"speaker{EVIL}", organization=f"org{EVIL}"),
                medium=f"medium{EVIL}",
                quotes=(f"quote{EVIL}",),
                claims=(
                    Claim(
                        topic="joint-patrol-conducted", stance=Stance.AFFIRMS, text=f"claim{EVIL}"
                    ),
                ),
                valid_time=day,
            )
            ledger.record(
                self.opened,
                SourceRegistered(
                    incident_id=self.incident,
                    source_id=source,
                    kind=SourceKind.NEWS_ARTICLE,
                    publisher=f"publisher{EVIL}",
                    title=f"article{EVIL}",
                ),
                SourceRegistered(
                    incident_id=self.incident,
                    source_id=other,
                    kind=SourceKind.OFFICIAL_STATEMENT,
                    publisher=f"ministry{EVIL}",
                ),
                aircraft,
                statement,
            )
            self.recorded = START
            clock.set(START + timedelta(hours=1))
            correction = Correction.of(
                aircraft, source_id=other, reason=f"reason{EVIL}", role=f"newrole{EVIL}"
            )
            ledger.record(correction)
            clock.set(START + timedelta(hours=2))
            ledger.record(
                Retraction(
                    incident_id=self.incident,
                    source_id=source,
                    target_id=statement.event_id,
                    reason=f"withdrawn{EVIL}",
                )
            )
            clock.set(START + timedelta(days=1))

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
        status = main(["--ledger", str(self.path), *map(str, argv)])
        out, err = capsys.readouterr()
        assert status in (0, 3), out + err
        assert_safe(out)
        assert_safe(err)
        self.out = out
        return out + err


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return Hostile(tmp_path_factory.mktemp("hostile") / "hostile.db")


def prefix(incident: UUID) -> str:
    return incident.hex[:12]


def test_list_and_search_escape_titles(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["list"], ["search"], ["search", "--from", "2024-07-01T00:00Z"]):
        out = hostile.run(capsys, *command)
        assert f"title{SHOWN}{NAMES}" in out


def test_events_and_history_escape_everything_recorded(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("events", "history"):
        out = hostile.run(capsys, command, prefix(hostile.incident))
        for field in ("title", "publisher", "type", "reason", "withdrawn", "recorder"):
            assert f"{field}{SHOWN}" in out, (command, field)
        assert NAMES in out


def test_state_escapes_the_facts(hostile: Hostile, capsys: pytest.CaptureFixture[str]) -> None:
    out = hostile.run(capsys, "state", prefix(hostile.incident))
    for field in ("title", "summary", "region", "publisher", "article", "type", "newrole"):
        assert f"{field}{SHOWN}" in out, field
    out = hostile.run(
        capsys, "state", prefix(hostile.incident), "--known-at", hostile.recorded.isoformat()
    )
    for field in ("speaker", "quote", "claim", "role"):
        assert f"{field}{SHOWN}" in out, field


def test_diff_escapes_what_changed(hostile: Hostile, capsys: pytest.CaptureFixture[str]) -> None:
    out = hostile.run(capsys, "diff", prefix(hostile.incident), "2024-07-25T12:30Z")
    assert f"newrole{SHOWN}" in out
    out = hostile.run(capsys, "diff", prefix(hostile.incident), "2024-07-01T00:00Z")
    assert f"type{SHOWN}" in out


def test_timeline_table_and_csv_escape_and_json_reads_back(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    where = prefix(hostile.incident)
    out = hostile.run(capsys, "timeline", where, "--width", "2000")
    for field in ("title", "type", "reason"):
        assert f"{field}{SHOWN}" in out, field
    out = hostile.run(capsys, "timeline", where, "--format", "csv")
    assert f"type{SHOWN}" in out
    hostile.run(capsys, "timeline", where, "--format", "json")
    data = json.loads(hostile.out)
    assert data["title"] == f"title{EVIL}{NAMES}"


def test_project_escapes_text_and_json_reads_back(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    out = hostile.run(capsys, "project", "sources")
    assert f"publisher{SHOWN}" in out
    hostile.run(capsys, "project", "aircraft-roster", "--format", "json")
    state = json.loads(hostile.out.split("\n\n", 1)[1])
    assert f"type{EVIL}" in state["CN"]


def test_the_audit_commands_escape_recorders_and_the_log_name(
    hostile: Hostile, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shown = r"example.org/\u202estnedicni"
    bundle, checkpoint, proof, event = (tmp_path / name for name in ("b", "c", "p", "e"))
    assert shown in hostile.run(capsys, "export", "--bundle", bundle)
    assert shown in hostile.run(capsys, "checkpoint")
    for target in (hostile.path, bundle):
        out = hostile.run(capsys, "verify", target)
        assert shown in out
        assert "recorder" in out
        assert shown in hostile.run(capsys, "replay", target)
    assert shown in hostile.run(
        capsys, "prove", f"{prefix(hostile.incident)}#2", "--event-out", event
    )
    # What is printed is escaped: the files checked are the ledger's own.
    with Ledger.open(hostile.path, read_only=True) as ledger:
        checkpoint.write_text(ledger.checkpoint().text, encoding="utf-8")
        proof.write_text(ledger.inclusion_proof(hostile.opened.event_id).text, encoding="utf-8")
        event.write_bytes(ledger.store.rows_of([hostile.opened.event_id])[0].state)
    out = hostile.run(capsys, "check-proof", proof, "--checkpoint", checkpoint, "--event", event)
    assert shown in out


def test_errors_escape_what_they_quote(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--ledger", str(hostile.path), "events", f"nothing{EVIL}"])
    out, err = capsys.readouterr()
    assert status == 2
    assert_safe(out + err)
