"""Tests of the audit commands: export, verify, replay, checkpoint, prove, check-proof, keygen."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents._cli import main
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey, VerifierKey
from incidents.audit._proofs import ConsistencyProof, InclusionProof
from incidents.examples import ALASKA_2024, alaska_2024_ids


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_export_verify_and_replay_a_bundle(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "alaska.jsonl"
    status, out, _ = run(capsys, "--ledger", str(demo), "export", "--bundle", str(bundle))
    assert status == 0
    assert "19 events" in out
    checkpoint = Checkpoint.parse(out.split("\n", 1)[1])
    assert checkpoint.size == 19

    # The demo is not signed: consistent, but nothing is authenticated (status 3).
    status, out, _ = run(capsys, "verify", str(bundle))
    assert status == 3
    assert out.startswith("NOT AUTHENTICATED: bundle ")
    assert "nothing was authenticated" in out.splitlines()[0]
    assert "result: OK" in out
    assert "recorded by 'incidents demo'" in out

    status, from_bundle, err = run(capsys, "replay", str(bundle))
    assert status == 3
    assert "replayed 19 events" in err
    assert "NOT AUTHENTICATED" in err
    lines = from_bundle.splitlines()
    assert [f"incident/{ALASKA_2024}", "projection/aircraft-roster"] == [
        line.split("  ")[0] for line in lines[:2]
    ]
    assert all(len(line.split("  ")[1]) == 64 for line in lines)
    status, from_ledger, _ = run(capsys, "--ledger", str(demo), "replay")
    assert status == 3
    assert from_ledger == from_bundle


def test_verify_reports_tampering_with_exit_status_1(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(demo) as db:
        db.execute("DELETE FROM incident_events WHERE sequence = 4")
    status, out, _ = run(capsys, "verify", str(demo))
    assert status == 1
    assert "first bad position 4: event deleted" in out
    status, out, _ = run(capsys, "--ledger", str(demo), "replay")
    assert status == 1
    assert "event deleted" in out


def test_a_tampered_bundle_fails_verify_and_replay(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "alaska.jsonl"
    run(capsys, "--ledger", str(demo), "export", "--bundle", str(bundle))
    text = bundle.read_text(encoding="utf-8")
    bundle.write_text(text.replace("Chen Xiaogang", "Chen Xiaoming"), encoding="utf-8")
    status, out, _ = run(capsys, "verify", str(bundle))
    assert status == 1
    assert "content modified" in out
    status, out, err = run(capsys, "replay", str(bundle))
    assert status == 1
    assert out.startswith("FAILED: ")
    assert "content modified" in out
    assert "replayed" not in err


def origin_of(capsys: pytest.CaptureFixture[str], ledger: Path) -> str:
    status, out, _ = run(capsys, "--ledger", str(ledger), "checkpoint")
    assert status == 0
    return Checkpoint.parse(out).origin


def test_keys_checkpoints_and_proofs(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A log's key is named after the log: the demo's origin.
    origin = origin_of(capsys, demo)
    key_file = tmp_path / "log.key"
    status, out, _ = run(capsys, "keygen", origin, "--out", str(key_file))
    assert status == 0
    verifier = VerifierKey.from_text(out.strip())
    assert SigningKey.from_text(key_file.read_text()).verifier == verifier
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert run(capsys, "keygen", origin, "--out", str(key_file))[0] == 2
    other_file = tmp_path / "alice.key"
    assert run(capsys, "keygen", "example.org/alice", "--out", str(other_file))[0] == 0

    ledger = ["--ledger", str(demo)]
    # A key named otherwise is refused: it would sign checkpoints of another log's name.
    status, _, err = run(capsys, *ledger, "checkpoint", "--signing-key", str(other_file))
    assert status == 2
    assert "named after the log" in err
    status, out, _ = run(capsys, *ledger, "checkpoint", "--signing-key", str(key_file), "--store")
    assert status == 0
    signed = Checkpoint.parse(out)
    signed.verify_signatures([verifier])
    old = tmp_path / "old.txt"
    status, out, _ = run(capsys, *ledger, "checkpoint", "--size", "15")
    old.write_text(out)
    now = tmp_path / "now.txt"
    now.write_text(signed.text)

    event = alaska_2024_ids()["statement/china"]
    status, out, _ = run(capsys, *ledger, "prove", str(event), "--checkpoint", str(old))
    assert status == 0
    assert InclusionProof.parse(out).tree_size == 15
    status, out, _ = run(capsys, *ledger, "prove", "--since", str(old), "--checkpoint", str(now))
    assert status == 0
    ConsistencyProof.parse(out).verify(Checkpoint.parse(old.read_text()), signed)

    # The stored checkpoint, signed by the log's key, covers all 19 events: verified.
    trusted = out_key(tmp_path, verifier)
    status, out, _ = run(capsys, "verify", str(demo), "--key", trusted, "--checkpoint", str(now))
    assert status == 0, out
    assert out.startswith("VERIFIED: sqlite ledger ")
    assert "authenticated: positions 1-19, by checkpoints signed by " in out
    assert f"given checkpoint at size 19: matches (valid signature by {origin}" in out
    # Another key trusted instead: nothing it signed covers the log.
    alice = SigningKey.from_text(other_file.read_text()).verifier
    status, out, _ = run(capsys, "verify", str(demo), "--key", alice.text)
    assert status == 1, out
    assert "not covered by a trusted signature" in out
    assert f"signed only by {origin}+" in out
    # And the same through a bundle, verified and replayed.
    bundle = tmp_path / "signed.jsonl"
    assert run(capsys, *ledger, "export", "--bundle", str(bundle))[0] == 0
    assert run(capsys, "verify", str(bundle), "--key", trusted)[0] == 0
    status, _digests, err = run(capsys, "replay", str(bundle), "--key", trusted)
    assert status == 0
    assert "verified, root" in err
    status, out, err = run(capsys, "replay", str(bundle), "--key", alice.text)
    assert (status, out.startswith("FAILED: "), err) == (1, True, "")


def out_key(tmp_path: Path, key: VerifierKey) -> str:
    path = tmp_path / "trusted.txt"
    path.write_text(f"# keys I trust\n{key.text}\n")
    return str(path)


def test_bad_arguments_exit_with_status_2(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.db")
    assert run(capsys, "verify", missing)[0] == 2
    assert not Path(missing).exists()
    assert run(capsys, "verify", str(demo), "--key", "not-a-key")[0] == 2
    assert run(capsys, "--ledger", str(demo), "prove")[0] == 2
    assert run(capsys, "--ledger", str(demo), "prove", "nonsense")[0] == 2
    assert run(capsys, "--ledger", str(demo), "checkpoint", "--size", "99")[0] == 2
    assert run(capsys, "--ledger", str(demo), "prove", "a5da836a#0")[0] == 2
    assert run(capsys, "--ledger", str(demo), "prove", "a5da836a#\u00b2")[0] == 2
    assert run(capsys, "--ledger", str(demo), "prove", "a5da836a#20")[0] == 2
    assert run(capsys, "--ledger", str(demo), "prove", "ffff#1")[0] == 2


def test_a_third_party_checks_proofs_with_no_ledger(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = ["--ledger", str(demo)]
    key_file = tmp_path / "rec.key"
    status, public, _ = run(capsys, "keygen", origin_of(capsys, demo), "--out", str(key_file))
    assert status == 0
    trusted = out_key(tmp_path, VerifierKey.from_text(public.strip()))
    signed = tmp_path / "signed.txt"
    signed.write_text(run(capsys, *ledger, "checkpoint", "--signing-key", str(key_file))[1])
    old = tmp_path / "old.txt"
    old.write_text(run(capsys, *ledger, "checkpoint", "--size", "15")[1])

    # Inclusion: the event named as `incidents events` numbers it, its bytes written beside.
    event, proof = tmp_path / "event.json", tmp_path / "proof.txt"
    status, out, _ = run(
        capsys, *ledger, "prove", "a5da836a#12", "--checkpoint", str(signed),
        "--event-out", str(event),
    )  # fmt: skip
    assert status == 0
    proof.write_text(out)
    china = alaska_2024_ids()["statement/china"]
    assert InclusionProof.parse(out).leaf_index == 11
    assert str(china) in event.read_text()  # the 12th event is China's statement
    demo.rename(tmp_path / "elsewhere.db")  # nothing below reads the ledger
    check = ["check-proof", str(proof), "--checkpoint", str(signed), "--event", str(event)]
    status, out, _ = run(capsys, *check)
    assert status == 3, out  # the proof holds, but nothing was authenticated
    assert out.startswith("NOT AUTHENTICATED: the proof holds")
    assert f"event {china} (incident {ALASKA_2024}, sequence 12)" in out
    assert "signatures not checked" in out
    status, out, _ = run(capsys, *check, "--key", trusted)
    assert status == 0, out
    assert out.startswith(f"OK: event {china} (incident {ALASKA_2024}, sequence 12)")
    assert "checkpoints signed by a key given" in out

    # Changed bytes, a changed proof, another checkpoint: each fails with status 1.
    original = event.read_bytes()
    event.write_bytes(original.replace(b"annual", b"Annual"))
    status, out, _ = run(capsys, *check)
    assert (status, out.startswith("FAILED: inclusion proof verification failed")) == (1, True)
    event.write_bytes(original)
    lines = proof.read_text().splitlines()
    lines[4] = ("A" if lines[4][0] != "A" else "B") + lines[4][1:]
    proof.write_text("\n".join(lines) + "\n")
    assert run(capsys, *check)[0] == 1
    assert (
        run(capsys, "check-proof", str(proof), "--checkpoint", str(old), "--event", str(event))[0]
        == 1
    )
    unsigned_key = tmp_path / "other.key"
    status, other, _ = run(capsys, "keygen", "example.org/other", "--out", str(unsigned_key))
    status, out, _ = run(
        capsys, *check[:2], "--checkpoint", str(signed), "--event", str(event),
        "--key", other.strip(),
    )  # fmt: skip
    assert status == 1

    # Consistency: from the checkpoint at 15 to the signed one at 19, and not backwards.
    (tmp_path / "elsewhere.db").rename(demo)
    growth = tmp_path / "growth.txt"
    growth.write_text(
        run(capsys, *ledger, "prove", "--since", str(old), "--checkpoint", str(signed))[1]
    )
    demo.unlink()
    consistency = ["check-proof", str(growth), "--since", str(old), "--checkpoint", str(signed)]
    status, out, _ = run(capsys, *consistency)
    assert (status, out.splitlines()[0]) == (
        3,
        "NOT AUTHENTICATED: the proof holds, but nothing was authenticated: "
        f"log {Checkpoint.parse(old.read_text()).origin} at size 19 extends size 15: "
        "nothing recorded by then was changed",
    )
    backwards = ["check-proof", str(growth), "--since", str(signed), "--checkpoint", str(old)]
    assert run(capsys, *backwards)[0] == 1
    # Signatures required of both checkpoints: the one at 15 has none.
    assert run(capsys, *consistency, "--key", trusted)[0] == 1

    # The wrong pieces for the kind of proof are bad input (status 2).
    assert run(capsys, *consistency, "--event", str(event))[0] == 2
    assert run(capsys, "check-proof", str(proof), "--checkpoint", str(signed))[0] == 2
    assert run(capsys, *check[:4], "--event", str(growth))[0] == 2  # not an event
    assert run(capsys, "check-proof", str(event), "--checkpoint", str(signed))[0] == 2


@pytest.fixture(scope="module")
def proof_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A proof, the checkpoint it is for and the event it proves, as files hold them."""
    folder = tmp_path_factory.mktemp("proof")
    ledger = folder / "demo.db"
    assert main(["demo", "--path", str(ledger)]) == 0
    checkpoint, event = folder / "checkpoint.txt", folder / "event.json"
    key = folder / "rec.key"
    with open(checkpoint, "w") as out, contextlib.redirect_stdout(out):
        assert main(["--ledger", str(ledger), "checkpoint"]) == 0
    origin = Checkpoint.parse(checkpoint.read_text()).origin
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["keygen", origin, "--out", str(key)]) == 0
    with open(checkpoint, "w") as out, contextlib.redirect_stdout(out):
        assert main(["--ledger", str(ledger), "checkpoint", "--signing-key", str(key)]) == 0
    with open(folder / "proof.txt", "w") as out, contextlib.redirect_stdout(out):
        command = ["--ledger", str(ledger), "prove", "a5da836a#9", "--checkpoint"]
        assert main([*command, str(checkpoint), "--event-out", str(event)]) == 0
    public = SigningKey.from_text(key.read_text()).verifier.text
    return {
        "proof": (folder / "proof.txt").read_bytes(),
        "checkpoint": checkpoint.read_bytes(),
        "event": event.read_bytes(),
        "key": public.encode(),
    }


@given(part=st.sampled_from(["proof", "checkpoint", "event"]), bit=st.integers(min_value=0))
def test_check_proof_fails_when_any_bit_of_its_files_is_flipped(
    proof_files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, part: str, bit: int
) -> None:
    folder = tmp_path_factory.mktemp("flipped")
    for name in ("proof", "checkpoint", "event"):
        data = bytearray(proof_files[name])
        if name == part:
            at = bit % (len(data) * 8)
            data[at // 8] ^= 1 << (at % 8)
        (folder / name).write_bytes(bytes(data))
    command = ["check-proof", str(folder / "proof"), "--checkpoint", str(folder / "checkpoint")]
    command += ["--event", str(folder / "event"), "--key", proof_files["key"].decode()]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(command)
    assert status in (1, 2)  # fails, or is refused as bad input: never holds, never crashes


def test_check_proof_holds_for_the_files_unchanged(
    proof_files: dict[str, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("proof", "checkpoint", "event"):
        (tmp_path / name).write_bytes(proof_files[name])
    status, out, _ = run(
        capsys, "check-proof", str(tmp_path / "proof"), "--checkpoint", str(tmp_path / "checkpoint"),
        "--event", str(tmp_path / "event"), "--key", proof_files["key"].decode(),
    )  # fmt: skip
    assert status == 0, out
