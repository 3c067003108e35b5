"""
Any damage to a signed ledger file or bundle: verify with the key never crashes and never passes a change.

Random bytes of the whole file are flipped or overwritten (pages, headers,
free space; the bundle's header and lines alike). ``incidents verify --key``
must answer with a status (1 or 2 when it finds something), never a
traceback; and when it says 0, verified, whatever it read must be exactly
what was recorded: the change fell where nothing is kept (a page's free
space, the bundle's ``exported_by``), or on what verification rightly
ignores (a signature line by a key nobody knows, as C2SP signed-note says).
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import Checkpoint, FixedClock, Ledger, SigningKey
from incidents._cli import main
from incidents.examples import ALASKA_2024_PUBLISHED_AT, alaska_2024_batches

KEY = SigningKey.generate("example.org/mutations")
TABLES = ("incident_events", "audit_tree", "audit_tiles", "audit_checkpoints", "ledger_meta")


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("originals")
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(folder / "ledger.db", clock=clock, signing_key=KEY) as ledger:
        for at, events in alaska_2024_batches():
            clock.set(at)
            ledger.record(*events)
        ledger.export_bundle(folder / "bundle.jsonl")
    with sqlite3.connect(folder / "ledger.db") as db:  # one file: no write-ahead log beside it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    return {
        "ledger": (folder / "ledger.db").read_bytes(),
        "bundle": (folder / "bundle.jsonl").read_bytes(),
    }


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    finally:
        db.close()


def _meaning(data: bytes) -> tuple[object, ...]:
    """The events, and what the bundle's checkpoint says of them."""
    first, rest = data.split(b"\n", 1)
    checkpoint = Checkpoint.parse(json.loads(first)["checkpoint"])
    return checkpoint.origin, checkpoint.size, checkpoint.root, rest


mutation = st.lists(
    st.tuples(st.integers(min_value=0), st.integers(0, 255), st.booleans()),
    min_size=1,
    max_size=4,
)


@given(which=st.sampled_from(["ledger", "bundle"]), changes=mutation)
def test_no_change_passes_and_nothing_crashes(
    originals: dict[str, bytes],
    tmp_path_factory: pytest.TempPathFactory,
    which: str,
    changes: list[tuple[int, int, bool]],
) -> None:
    data = bytearray(originals[which])
    for at, value, flip in changes:
        at %= len(data)
        data[at] = data[at] ^ (1 << (value % 8)) if flip else value
    folder = tmp_path_factory.mktemp("mutated")
    path = folder / ("ledger.db" if which == "ledger" else "bundle.jsonl")
    path.write_bytes(bytes(data))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(["verify", str(path), "--key", KEY.verifier.text])
    assert status in (0, 1, 2)
    if status != 0:
        return
    if which == "ledger":
        genuine = folder / "genuine.db"
        genuine.write_bytes(originals["ledger"])
        assert _rows(path) == _rows(genuine)
    else:
        assert _meaning(bytes(data)) == _meaning(originals["bundle"])
