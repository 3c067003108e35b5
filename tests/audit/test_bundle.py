"""Tests of incidents.audit._bundle and incidents.audit._replay: offline verification and replay."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from incidents import FixedClock, Ledger, Recorded
from incidents._errors import InvalidInputError, StorageError, VerificationError
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey
from incidents.audit import DamageKind
from incidents.audit._bundle import BUNDLE_FORMAT, Bundle, is_bundle
from incidents.audit._replay import incident_states, replay_digests
from incidents.examples import ALASKA_2024, ALASKA_2024_PUBLISHED_AT, alaska_2024_batches
from support.backends import Backend

KEY = SigningKey.generate("example.org/recorder")


def record_example(ledger: Ledger) -> list[Recorded]:
    recorded: list[Recorded] = []
    for recorded_at, events in alaska_2024_batches():
        ledger.clock.set(recorded_at)  # type: ignore[attr-defined]
        recorded.extend(ledger.record(*events))
    return recorded


def live_digests(ledger: Ledger) -> dict[str, str]:
    return replay_digests(r for i in ledger.incident_ids() for r in ledger.events(i))


def test_the_worked_example_bundle_verifies_offline_and_replays_to_the_live_digests(
    backend: Backend, tmp_path: Path
) -> None:
    ledger = backend.open(signing_key=KEY, recorder=None)
    record_example(ledger)
    path = tmp_path / "alaska.jsonl"
    checkpoint = ledger.export_bundle(path)
    expected = live_digests(ledger)
    ledger.close()  # nothing below needs the ledger

    assert is_bundle(path)
    bundle = Bundle.open(path)
    assert (bundle.origin, bundle.size, bundle.checkpoint) == (
        checkpoint.origin,
        19,
        checkpoint,
    )
    assert bundle.keys == (KEY.verifier,)
    report = bundle.verify(keys=[KEY.verifier])
    assert report.ok, report.render()
    assert all(c.matches and c.trusted for c in report.checkpoints)
    (part,) = report.recorders
    assert (part.recorder, part.signed, part.events) == (KEY.name, 19, 19)
    report, digests = bundle.replay(keys=[KEY.verifier])
    assert digests == expected
    assert [
        f"incident/{ALASKA_2024}",
        "projection/aircraft-roster",
        "projection/intercepts",
        "projection/sources",
        "projection/statements",
        "projection/timeline",
    ] == list(digests)


def test_replay_digests_are_the_same_on_every_backend(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    # The digest pins the fold's result: record it once for the reference backend.
    digests = live_digests(ledger)
    memory = Ledger.open(":memory:", clock=FixedClock(ALASKA_2024_PUBLISHED_AT), recorder="tester")
    record_example(memory)
    assert digests == live_digests(memory)


def test_incident_states_are_canonical_bytes_of_the_fold() -> None:
    with Ledger.open(":memory:", clock=FixedClock(ALASKA_2024_PUBLISHED_AT)) as ledger:
        records = record_example(ledger)
        state = incident_states(records)[f"incident/{ALASKA_2024}"]
        incident = ledger.incident(ALASKA_2024)
    data = json.loads(state)
    assert data["id"] == str(ALASKA_2024)
    assert len(data["aircraft"]) == len(incident.aircraft)
    assert "Zhang Xiaogang" in state.decode()


# -- a damaged bundle ------------------------------------------------------------------


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    path = tmp_path / "alaska.jsonl"
    with Ledger.open(":memory:", clock=FixedClock(ALASKA_2024_PUBLISHED_AT)) as ledger:
        record_example(ledger)
        ledger.export_bundle(path)
    return path


def edit_lines(path: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    header, *lines = path.read_bytes().split(b"\n")[:-1]
    path.write_bytes(b"\n".join([header, *change(lines)]) + b"\n")


@pytest.mark.parametrize(
    ("change", "kind", "position"),
    [
        (lambda ls: [*ls[:8], ls[8].replace(b'"count":2', b'"count":3'), *ls[9:]], "MODIFIED", 1),
        (lambda ls: [*ls[:5], ls[5][:-10], *ls[6:]], "MODIFIED", 6),
        (lambda ls: [*ls[:5], *ls[6:]], "DELETED", 6),
        (lambda ls: [*ls[:6], ls[5], *ls[6:]], "INSERTED", 7),
        (lambda ls: [*ls[:3], ls[9], *ls[4:9], ls[3], *ls[10:]], "REORDERED", 4),
        (lambda ls: ls[:12], "TRUNCATED", 13),
        (lambda ls: [*ls, ls[0]], "INSERTED", 20),
    ],
)
def test_damage_to_a_bundle_is_named(
    exported: Path, change: Callable[[list[bytes]], list[bytes]], kind: str, position: int
) -> None:
    edit_lines(exported, change)
    bundle = Bundle.open(exported)
    report = bundle.verify()
    assert report.first is not None, report.render()
    assert (report.first.kind, report.first.position) == (DamageKind[kind], position)
    with pytest.raises(VerificationError, match="does not verify"):
        bundle.replay()


def test_a_modified_event_is_narrowed_down_to_its_batch(tmp_path: Path) -> None:
    path = tmp_path / "signed.jsonl"
    with Ledger.open(
        ":memory:", clock=FixedClock(ALASKA_2024_PUBLISHED_AT), signing_key=KEY
    ) as ledger:
        record_example(ledger)
        ledger.export_bundle(path)
    edit_lines(path, lambda ls: [*ls[:16], ls[16].replace(b"Zhang", b"Chen"), *ls[17:]])
    report = Bundle.open(path).verify(keys=[KEY.verifier])
    first = report.first
    assert first is not None
    assert (first.kind, first.position) == (DamageKind.MODIFIED, 16)  # the second batch: 16-17
    assert "positions 16-17" in first.detail


def test_flipping_any_bit_of_the_bundle_checkpoint_fails_verification(exported: Path) -> None:
    bundle = Bundle.open(exported)
    raw = bundle.checkpoint.text.encode()
    for bit in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            checkpoint = Checkpoint.parse(bytes(flipped))
        except InvalidInputError:
            continue
        assert not bundle.verify(checkpoints=[checkpoint]).ok, f"bit {bit}"


def test_what_is_not_a_bundle_is_refused(tmp_path: Path, exported: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read"):
        Bundle.open(tmp_path / "missing.jsonl")
    other = tmp_path / "other.jsonl"
    other.write_text('{"format": "something-else"}\n')
    assert not is_bundle(tmp_path / "missing.jsonl")
    with pytest.raises(InvalidInputError, match="not a bundle of a version this library reads"):
        Bundle.open(other)
    header, rest = exported.read_bytes().split(b"\n", 1)
    data = json.loads(header)
    assert data["format"] == BUNDLE_FORMAT
    data["size"] = 16
    other.write_bytes(json.dumps(data).encode() + b"\n" + rest)
    with pytest.raises(InvalidInputError, match="header says"):
        Bundle.open(other)


def test_a_damaged_ledger_is_not_exported(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path, clock=FixedClock(ALASKA_2024_PUBLISHED_AT)) as ledger:
        record_example(ledger)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE incident_events SET state = state || ' ' WHERE sequence = 3")
    out = tmp_path / "bundle.jsonl"
    with Ledger.open(path) as ledger, pytest.raises(StorageError, match="damaged"):
        ledger.export_bundle(out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path] or all(
        p.name.startswith("ledger.db") for p in tmp_path.iterdir()
    )
