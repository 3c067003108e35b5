"""
Ledgers and bundles written before the trust rules still verify; old ledgers get a tree only on request.

``data/`` holds a ledger and an ``incidents-bundle/v1`` bundle written by the
library as it stood before (see ``data/README.md``): their key is not named
after their log, and the bundle carries unsigned checkpoint metadata. With
the key that signed them they are authenticated; without it, consistent and
not authenticated. A ledger recorded before audit trees existed gets one
from ``incidents build-tree``, which says who built it and when.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from forger import sha256_file

from incidents import Bundle, FixedClock, Ledger
from incidents._cli import main
from incidents._tlog.notes import SigningKey
from incidents.audit import DamageKind
from incidents.examples import ALASKA_2024_PUBLISHED_AT, alaska_2024_batches

DATA = Path(__file__).parent / "data"
OLD_KEY = SigningKey(
    "example.org/recorder",
    hashlib.sha256(b"incidents test key: example.org/recorder").digest(),
)
OLD_ORIGIN = "incidents/ae8dc748-6a9c-44da-bdae-02bafa73f3b5"

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def command(*args: str) -> tuple[int, str]:
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out + captured.err

    return command


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    target = tmp_path / "ledger-v0.db"
    shutil.copyfile(DATA / "ledger-v0.db", target)
    return target


def test_an_old_signed_ledger_is_authenticated_by_its_key(old_ledger: Path, run: Run) -> None:
    before = sha256_file(old_ledger)
    with Ledger.open(old_ledger, read_only=True) as ledger:
        assert ledger.origin == OLD_ORIGIN
        report = ledger.verify(keys=[OLD_KEY.verifier])
    assert report.authenticated, report.render()
    assert report.covered == 17
    # Its key is not named after its log: said, and the signatures still hold.
    assert "not named after the log" in " ".join(report.notes)
    status, out = run("verify", str(old_ledger), "--key", OLD_KEY.verifier.text)
    assert status == 0, out
    assert run("verify", str(old_ledger))[0] == 3
    assert run("--ledger", str(old_ledger), "replay", "--key", OLD_KEY.verifier.text)[0] == 0
    assert sha256_file(old_ledger) == before
    # Recording into it with that key would sign checkpoints under another name: refused.
    with pytest.raises(ValueError, match="named after the log"):
        Ledger.open(old_ledger, signing_key=OLD_KEY)


def test_an_old_bundle_is_authenticated_by_its_key(run: Run) -> None:
    bundle = Bundle.open(DATA / "bundle-v1.jsonl")
    assert [c.checkpoint.size for c in bundle.checkpoints] == [15, 17, 17]
    report, digests = bundle.replay(keys=[OLD_KEY.verifier])
    assert report.authenticated, report.render()
    assert digests
    status, out = run("verify", str(DATA / "bundle-v1.jsonl"), "--key", OLD_KEY.verifier.text)
    assert status == 0, out
    assert run("verify", str(DATA / "bundle-v1.jsonl"))[0] == 3


def test_an_old_ledger_without_a_tree_is_built_on_request_only(
    old_ledger: Path, tmp_path: Path, run: Run
) -> None:
    with sqlite3.connect(old_ledger) as db:
        for table in ("audit_tree", "audit_tiles", "audit_checkpoints"):
            db.execute(f"DROP TABLE {table}")
    db.close()
    before = sha256_file(old_ledger)
    status, out = run("verify", str(old_ledger))
    assert status == 1, out
    assert "audit tree missing" in out
    assert sha256_file(old_ledger) == before
    ledger = ["--ledger", str(old_ledger)]
    key_file = tmp_path / "log.key"
    assert run("keygen", "example.org/old", "--out", str(key_file))[0] == 0
    verifier = SigningKey.from_text(key_file.read_text()).verifier
    status, out = run(*ledger, "build-tree", "--signing-key", str(key_file), "--recorder", "ana")
    assert status == 0, out
    assert out.startswith("built the audit tree of 17 events of log example.org/old")
    assert "recorded as built by 'ana'" in out
    status, out = run("verify", str(old_ledger), "--key", verifier.text)
    assert status == 0, out
    assert "computed from the stored rows by 'ana'" in out
    # Once built, it is not built again (nor over audit tables that were emptied).
    status, out = run(*ledger, "build-tree")
    assert status == 1
    assert "not empty" in out


def test_build_tree_refuses_what_it_cannot_do(tmp_path: Path, run: Run) -> None:
    assert run("--ledger", str(tmp_path / "missing.db"), "build-tree")[0] == 2
    path = tmp_path / "ledger.db"
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(path, clock=clock) as ledger:
        ledger.record(*alaska_2024_batches()[0][1])
    status, out = run("--ledger", str(path), "build-tree")
    assert status == 1  # it has a tree: nothing to build
    assert "not empty" in out
    with Ledger.open(path, read_only=True) as ledger:
        report = ledger.verify()
    assert report.ok
    assert not [d for d in report.damages if d.kind is DamageKind.TREE_MISSING]
