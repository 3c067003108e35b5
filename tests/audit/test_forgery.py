"""
Forgeries by someone without the recorder's key: with the key given, none passes.

Each attack is built with the forger's own tools (``forger.py``: hashlib and
``cryptography``, never the library's signing or hashing), the way someone
holding the file but not the key would: change events, recompute every hash
and root, drop or re-sign checkpoints with a key of their own. ``verify
--key`` and ``replay --key`` must exit with status 1 and say what is wrong
or not covered; the genuine ledger and bundle pass with status 0; without a
key, a consistent forgery is reported as not authenticated (status 3), never
as verified.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from forger import (
    EVENTS,
    Signer,
    checkpoint_body,
    leaf,
    read_bundle,
    recount,
    rehead,
    rewrite_tiles,
    root,
    sha256_file,
    states,
)

from incidents import AircraftReported, FixedClock, Ledger, ValidTime
from incidents._cli import main
from incidents._tlog.notes import SigningKey
from incidents.audit import DamageKind
from incidents.examples import (
    ALASKA_2024,
    ALASKA_2024_ACCOUNTS_AT,
    ALASKA_2024_PUBLISHED_AT,
    alaska_2024_batches,
    alaska_2024_ids,
)

ORIGIN = "example.org/incidents"
KEY = SigningKey.generate(ORIGIN)
SIZE = 43  # the worked example's 19 events and batches of 8, 1 and 15


@attrs.frozen
class Genuine:
    """The recorder's ledger file and its bundle, and a checkpoint published at size 15."""

    ledger: Path
    bundle: Path
    published_15: Path
    published_17: Path


def _aircraft(n: int) -> list[AircraftReported]:
    source = alaska_2024_ids()["source/norad"]
    return [
        AircraftReported(
            incident_id=ALASKA_2024,
            source_id=source,
            type_designation="F-16",
            nation="US",
            count=2,
            valid_time=ValidTime.day("2024-07-24", tz="America/Anchorage"),
        )
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Genuine:
    folder = tmp_path_factory.mktemp("genuine")
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(
        folder / "ledger.db", clock=clock, signing_key=KEY, recorder="maria"
    ) as ledger:
        assert ledger.origin == ORIGIN  # a new ledger takes its key's name
        for at, events in alaska_2024_batches():
            clock.set(at)
            ledger.record(*events)
        for hours, size in enumerate((8, 1, 15), start=1):
            clock.set(ALASKA_2024_ACCOUNTS_AT + timedelta(hours=hours))
            ledger.record(*_aircraft(size))
        ledger.export_bundle(folder / "bundle.jsonl")
        (folder / "published-15.txt").write_text(ledger.checkpoint(size=15).text)
        (folder / "published-17.txt").write_text(ledger.checkpoint(size=17).text)
    return Genuine(
        folder / "ledger.db",
        folder / "bundle.jsonl",
        folder / "published-15.txt",
        folder / "published-17.txt",
    )


@pytest.fixture
def copy(genuine: Genuine, tmp_path: Path) -> Callable[[str], Path]:
    def make(which: str) -> Path:
        source = genuine.ledger if which == "ledger" else genuine.bundle
        target = tmp_path / source.name
        shutil.copyfile(source, target)
        return target

    return make


Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def command(*args: str) -> tuple[int, str]:
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out + captured.err

    return command


def verify_with_key(run: Run, target: Path, *more: str) -> tuple[int, str]:
    return run("verify", str(target), "--key", KEY.verifier.text, *more)


# -- the genuine record passes -----------------------------------------------------------


def test_the_genuine_ledger_and_bundle_are_verified_with_the_key(
    genuine: Genuine, run: Run
) -> None:
    before = sha256_file(genuine.ledger)
    for target in (genuine.ledger, genuine.bundle):
        status, out = verify_with_key(run, target, "--checkpoint", str(genuine.published_15))
        assert status == 0, out
        assert out.startswith("VERIFIED: ")
        assert f"authenticated: positions 1-{SIZE}" in out
        status, out = run("replay", str(target), "--key", KEY.verifier.text)
        assert status == 0, out
        # Without a key they are consistent, and nothing is authenticated.
        status, out = run("verify", str(target))
        assert status == 3, out
        assert out.startswith("NOT AUTHENTICATED: ")
    assert sha256_file(genuine.ledger) == before


# -- bundles -----------------------------------------------------------------------------


def test_an_unsigned_bundle_with_a_changed_event_and_a_recomputed_root_fails(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("bundle")
    _, lines = read_bundle(path)
    lines[20] = recount(lines[20], 3)
    rehead(path, lines, origin=ORIGIN)  # unsigned; carried checkpoints and keys dropped
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert out.startswith("FAILED: bundle ")
    assert "first bad position 1: not covered by a trusted signature" in out
    assert f"positions 1-{SIZE} are not covered by a checkpoint signed by a key you trust" in out
    assert f"bundle checkpoint at size {SIZE}, unsigned" in out
    status, out = run("replay", str(path), "--key", KEY.verifier.text)
    assert status == 1
    assert "replayed" not in out
    # Without the key it is consistent: not authenticated, never verified.
    assert run("verify", str(path))[0] == 3


def test_a_bundle_signed_by_the_forger_under_the_recorder_s_name_fails(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("bundle")
    _, lines = read_bundle(path)
    lines[20] = recount(lines[20], 3)
    impostor = Signer(ORIGIN)  # the same name, another key
    rehead(path, lines, origin=ORIGIN, signer=impostor)
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert f"signed only by {ORIGIN}+{impostor.key_id.hex()}" in out
    assert run("replay", str(path), "--key", KEY.verifier.text)[0] == 1
    # The key the bundle carries proves nothing: without --key, not authenticated.
    status, out = run("verify", str(path))
    assert status == 3, out
    assert "give the keys you trust" in out


def test_a_bundle_cut_short_fails_at_its_first_missing_position(
    genuine: Genuine, copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("bundle")
    _, lines = read_bundle(path)
    rehead(path, lines[:12], origin=ORIGIN)
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert "positions 1-12 are not covered" in out
    # A published checkpoint of an earlier size than the genuine log, but later than the cut.
    status, out = verify_with_key(run, path, "--checkpoint", str(genuine.published_15))
    assert status == 1, out
    assert "first bad position 13: log truncated" in out
    assert "the log ends after position 12, but the given checkpoint at size 15" in out
    assert "positions 13-15 are gone" in out


def test_forged_events_appended_to_a_bundle_fail_even_with_an_earlier_checkpoint(
    genuine: Genuine, copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("bundle")
    header, lines = read_bundle(path)
    forged = [recount(lines[-1], 9).replace(b'"sequence":43,', b'"sequence":44,')]
    forged[0] = forged[0].replace(b'"sequence":43', b'"sequence":44')
    rehead(path, [*lines, *forged], origin=ORIGIN, keep=header["checkpoints"])  # type: ignore[arg-type]
    status, out = verify_with_key(run, path, "--checkpoint", str(genuine.published_17))
    assert status == 1, out
    assert f"first bad position {SIZE + 1}: not covered by a trusted signature" in out
    assert f"position {SIZE + 1} is not covered" in out
    assert f"authenticated: positions 1-{SIZE}" in out
    assert run("replay", str(path), "--key", KEY.verifier.text)[0] == 1


def test_a_forged_line_inserted_mid_bundle_is_named_at_its_own_position(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("bundle")
    header, lines = read_bundle(path)
    forged = recount(lines[5], 7)  # claims position 6, like the genuine event it precedes
    rehead(path, [*lines[:5], forged, *lines[5:]], origin=ORIGIN, keep=header["checkpoints"])  # type: ignore[arg-type]
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert "first bad position 6: event inserted" in out
    assert "position 6 holds an event that was never recorded in this log" in out
    assert "the event recorded at position 6 follows it (at position 7)" in out
    assert "copy" not in out


def test_a_copy_placed_before_its_original_is_a_duplicate_not_a_reordering(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("bundle")
    header, lines = read_bundle(path)
    rehead(path, [*lines[:3], lines[9], *lines[3:]], origin=ORIGIN, keep=header["checkpoints"])  # type: ignore[arg-type]
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert "first bad position 4: event inserted" in out
    assert "a duplicate placed before its original" in out
    assert "reordered" not in out


def test_what_a_bundle_carries_besides_signed_checkpoints_is_not_relied_on(
    genuine: Genuine, copy: Callable[[str], Path], run: Run
) -> None:
    header, _ = read_bundle(genuine.bundle)
    carried = header["checkpoints"]
    assert isinstance(carried, list)
    assert carried
    assert all(set(c) == {"checkpoint", "key"} for c in carried)  # no unsigned metadata
    # A bundle written before (v1) carried who recorded each batch and when, unsigned:
    # edited, it still verifies, and the report says none of it.
    old = Path(__file__).parent / "data" / "bundle-v1.jsonl"
    path = copy("bundle")
    first, rest = old.read_text(encoding="utf-8").split("\n", 1)
    edited = first.replace('"created_at":"2024-07-25T12:00:00+00:00"', '"created_at":"1999-01-01"')
    edited = edited.replace('"recorder":"maria"', '"recorder":"mallory"')
    assert edited.count("1999") == 1
    assert edited.count("mallory") == 3
    path.write_text(edited + "\n" + rest, encoding="utf-8")
    status, out = run("verify", str(path))
    assert status == 3, out
    assert "1999" not in out
    assert "mallory" not in out


# -- ledgers -----------------------------------------------------------------------------


def test_a_rewritten_ledger_without_its_checkpoints_fails_and_is_not_written_to(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        (state,) = db.execute(f"SELECT state FROM {EVENTS} WHERE sequence = 20").fetchone()
        db.execute(f"UPDATE {EVENTS} SET state = ? WHERE sequence = 20", (recount(state, 3),))
        rewrite_tiles(db)
        db.execute("DELETE FROM audit_checkpoints")
    db.close()
    before = sha256_file(path)
    for _ in range(2):  # the second verify sees exactly what the first did
        status, out = verify_with_key(run, path)
        assert status == 1, out
        assert (
            f"positions 1-{SIZE} are not covered by a checkpoint signed by a key you trust" in out
        )
        assert "no checkpoint reaches them" in out
        assert sha256_file(path) == before
    assert run("verify", str(path))[0] == 3  # consistent, not authenticated


def test_a_rewritten_ledger_is_caught_by_its_own_signed_checkpoints(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        (state,) = db.execute(f"SELECT state FROM {EVENTS} WHERE sequence = 20").fetchone()
        db.execute(f"UPDATE {EVENTS} SET state = ? WHERE sequence = 20", (recount(state, 3),))
        rewrite_tiles(db)
    db.close()
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert "log does not match checkpoint" in out
    assert "first bad position 20" in out  # the batch checkpoints vouch up to 19


def test_a_ledger_whose_audit_tables_were_emptied_fails_and_gets_no_new_tree(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        for table in ("audit_tree", "audit_tiles", "audit_checkpoints"):
            db.execute(f"DELETE FROM {table}")
    db.close()
    before = sha256_file(path)
    for args in ((), ("--key", KEY.verifier.text)):
        for _ in range(2):
            status, out = run("verify", str(path), *args)
            assert status == 1, out
            assert "first bad position 1: audit tree missing" in out
            assert "incidents build-tree" in out
            assert sha256_file(path) == before
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM audit_tree").fetchone() == (0,)
    db.close()


def test_a_truncated_ledger_with_a_recomputed_tree_is_named_truncated_at_its_first_missing_position(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        db.execute(f"DELETE FROM {EVENTS} WHERE sequence > 30")
        rewrite_tiles(db)
    db.close()
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert "first bad position 31: log truncated" in out
    assert f"the log ends after position 30, but the batch checkpoint at size {SIZE}" in out
    assert f"positions 31-{SIZE} are gone; positions 29-30 cannot be checked against it" in out


def test_a_row_copied_before_its_original_is_a_duplicate_not_a_reordering(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE {EVENTS} SET sequence = -sequence - 1 WHERE sequence >= 4")
        db.execute(f"UPDATE {EVENTS} SET sequence = -sequence WHERE sequence < 0")
        db.execute(
            f"INSERT INTO {EVENTS} SELECT 4, incident_id, position + 100000, ?, topic, recorded_at,"
            f" state FROM {EVENTS} WHERE sequence = 11",  # the event recorded at 10, now at 11
            (uuid.uuid4().bytes,),
        )
    db.close()
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert "first bad position 4: event inserted" in out
    assert (
        "a copy of the event recorded at position 10, which is still there (now at position 11)"
        in out
    )
    assert "reordered" not in out


def test_checkpoints_re_signed_by_the_forger_do_not_pass(
    copy: Callable[[str], Path], run: Run
) -> None:
    path = copy("ledger")
    impostor = Signer(ORIGIN)
    with sqlite3.connect(path) as db:
        (state,) = db.execute(f"SELECT state FROM {EVENTS} WHERE sequence = 20").fetchone()
        db.execute(f"UPDATE {EVENTS} SET state = ? WHERE sequence = 20", (recount(state, 3),))
        rewrite_tiles(db)
        hashes = [leaf(s) for s in states(db)]
        for ident, size in db.execute("SELECT id, size FROM audit_checkpoints").fetchall():
            note = impostor.sign(checkpoint_body(ORIGIN, size, root(hashes[:size])))
            db.execute(
                "UPDATE audit_checkpoints SET note = ?, key = ? WHERE id = ?",
                (note, impostor.verifier_text, ident),
            )
    db.close()
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert f"signed only by {ORIGIN}+{impostor.key_id.hex()}" in out
    assert "some checkpoints are signed only by keys you did not give" in out
    assert run("verify", str(path))[0] == 3  # self-consistent: not authenticated, not verified


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("recorder", "'mallory'", "recorded by 'mallory', the events do not"),
        ("created_at", "created_at - 3600000000", "recorded at 2024-07-26T11:00:00+00:00"),
        ("first", "3", "its batch (positions 3-17) overlaps the batch before it"),
        ("size", "size + 1", "has 18 in its size column"),
    ],
)
def test_what_a_stored_checkpoint_says_of_its_batch_is_checked(
    copy: Callable[[str], Path], run: Run, column: str, value: str, said: str
) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE audit_checkpoints SET {column} = {value} WHERE id = 2")  # 16-17
    db.close()
    status, out = verify_with_key(run, path)
    assert status == 1, out
    assert said in out


def test_changed_leaf_ids_are_stored_tree_damage(copy: Callable[[str], Path], run: Run) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        (ids,) = db.execute("SELECT ids FROM audit_tiles WHERE level = 0 AND idx = 1").fetchone()
        other = uuid.uuid4().bytes
        db.execute(
            "UPDATE audit_tiles SET ids = ? WHERE level = 0 AND idx = 1",
            (ids[:64] + other + ids[80:],),  # the event id kept for position 19
        )
    db.close()
    with Ledger.open(path, read_only=True) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    (damage,) = report.damages
    assert (damage.kind, damage.position) == (DamageKind.TREE_DAMAGED, 19)
    assert f"event {uuid.UUID(bytes=other)}" in damage.detail


def test_a_deleted_stored_checkpoint_is_reported(copy: Callable[[str], Path], run: Run) -> None:
    path = copy("ledger")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM audit_checkpoints WHERE id = 3")
    db.close()
    status, out = verify_with_key(run, path)
    assert status == 1, out  # the later ones still cover the log: the deletion alone fails it
    assert "stored checkpoint row(s) 3 are missing: a stored checkpoint was deleted" in out


def test_a_checkpoint_with_no_signature_line_is_refused_where_a_signed_one_is_required(
    genuine: Genuine, tmp_path: Path, run: Run
) -> None:
    # A forger hands over an inclusion proof against a checkpoint they computed, unsigned.
    _, lines = read_bundle(genuine.bundle)
    event = tmp_path / "event.json"
    event.write_bytes(lines[0] + b"\n")
    hashes = [leaf(line) for line in lines]
    bare = tmp_path / "checkpoint.txt"
    bare.write_text(checkpoint_body(ORIGIN, len(lines), root(hashes)))
    status, proof = run(
        "--ledger", str(genuine.ledger), "prove", "a5da836a#1", "--checkpoint", str(bare)
    )
    assert status == 0, proof
    (tmp_path / "proof.txt").write_text(proof)
    command = ["check-proof", str(tmp_path / "proof.txt"), "--checkpoint", str(bare)]
    command += ["--event", str(event)]
    status, out = run(*command, "--key", KEY.verifier.text)
    assert status == 1, out
    assert "no signature lines" in out
    status, out = run(*command)  # without a key: the hashes hold, nothing is authenticated
    assert status == 3, out
