"""
Tests of verification (incidents.audit._verify_rows and _verify_lines): tampering with a ledger is detected and named.

The mutation tests change an SQLite ledger file directly with sqlite3, the
way someone with access to the file could: they modify, delete, duplicate,
swap or truncate rows of the events table. Verification must detect every
change and name its kind and first position correctly.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import AircraftReported, FixedClock, Ledger, Recorded, ValidTime
from incidents._errors import StorageError
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey
from incidents.audit import DamageKind
from incidents.examples import (
    ALASKA_2024,
    ALASKA_2024_ACCOUNTS_AT,
    ALASKA_2024_PUBLISHED_AT,
    alaska_2024_batches,
    alaska_2024_ids,
)

KEY = SigningKey.generate("example.org/tester")
EXTRA_BATCHES = (8, 1, 15)  # after the example's 19 events: 43 events, several tiles


def aircraft(n: int) -> list[AircraftReported]:
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


def build(path: Path, *, signing_key: SigningKey | None = KEY) -> list[Recorded]:
    """Record the worked example and a few more batches; return what was recorded."""
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    recorded: list[Recorded] = []
    with Ledger.open(path, clock=clock, recorder="tester", signing_key=signing_key) as ledger:
        for at, events in alaska_2024_batches():
            clock.set(at)
            recorded.extend(ledger.record(*events))
        for hours, size in enumerate(EXTRA_BATCHES, start=1):
            clock.set(ALASKA_2024_ACCOUNTS_AT + timedelta(hours=hours))
            recorded.extend(ledger.record(*aircraft(size)))
    return recorded


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Recorded]]:
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    return path, build(path)


_copies = itertools.count()


@pytest.fixture(scope="module")
def copies(
    template: tuple[Path, list[Recorded]], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Path]:
    folder = tmp_path_factory.mktemp("copies")

    def copy() -> Path:
        target = folder / f"ledger-{next(_copies)}.db"
        shutil.copyfile(template[0], target)
        return target

    return copy


def tamper(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    with sqlite3.connect(path) as db:
        for sql, params in statements:
            db.execute(sql, params)


def verify(path: Path) -> object:
    with Ledger.open(path) as ledger:
        return ledger.verify()


# -- the mutations: each changes the file and says what verify must report -----------
#
# A mutation takes the file, the number of events and ``draw(low, high, label)``,
# which picks an integer (hypothesis picks them in the property test; the edge
# test picks the smallest and the largest).

Draw = Callable[[int, int, str], int]
Mutation = Callable[[Path, int, Draw], tuple[DamageKind, int]]

E = "incident_events"
COLUMNS = ("incident_id", "event_id", "position", "recorded_at", "topic", "type of position")


def modify_bytes(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size, "row")
    modify_bytes_of(path, s, draw)
    return DamageKind.MODIFIED, s


def modify_bytes_of(path: Path, s: int, draw: Draw) -> None:
    with sqlite3.connect(path) as db:
        (state,) = db.execute(f"SELECT state FROM {E} WHERE sequence=?", (s,)).fetchone()
        at = draw(0, len(state) - 1, "byte")
        value = (state[at] + draw(1, 255, "change")) % 256
        changed = state[:at] + bytes([value]) + state[at + 1 :]
        db.execute(f"UPDATE {E} SET state=? WHERE sequence=?", (changed, s))


def modify_column(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size, "row")
    column = COLUMNS[draw(0, len(COLUMNS) - 1, "column")]
    if column in ("incident_id", "event_id"):
        change = (f"UPDATE {E} SET {column}=? WHERE sequence=?", (uuid.uuid4().bytes, s))
    elif column == "position":
        change = (f"UPDATE {E} SET position = position + 100000 WHERE sequence=?", (s,))
    elif column == "type of position":
        # Stored as text that no longer reads as a number (the column takes anything).
        change = (f"UPDATE {E} SET position = 'p' || position WHERE sequence=?", (s,))
    elif column == "recorded_at":
        change = (f"UPDATE {E} SET recorded_at = recorded_at + 1 WHERE sequence=?", (s,))
    else:
        change = (
            f"UPDATE {E} SET topic = CASE topic WHEN 'statement-issued' THEN 'aircraft-reported'"
            " ELSE 'statement-issued' END WHERE sequence=?",
            (s,),
        )
    tamper(path, change)
    return DamageKind.MODIFIED, s


def delete(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size, "row")
    tamper(path, (f"DELETE FROM {E} WHERE sequence=?", (s,)))
    # Deleting the last event is indistinguishable from cutting the log short.
    return (DamageKind.TRUNCATED if s == size else DamageKind.DELETED), s


def delete_several(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size - 1, "first row")
    n = draw(2, size - s + 1, "rows")
    tamper(path, (f"DELETE FROM {E} WHERE sequence>=? AND sequence<?", (s, s + n)))
    return (DamageKind.TRUNCATED if s + n > size else DamageKind.DELETED), s


def duplicate(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size, "row")
    # Make room after row s, then insert a copy of its bytes there (the copy
    # needs its own event id and stream position to pass the table's checks).
    tamper(
        path,
        (f"UPDATE {E} SET sequence = -sequence - 1 WHERE sequence > ?", (s,)),
        (f"UPDATE {E} SET sequence = -sequence WHERE sequence < 0", ()),
        (
            f"INSERT INTO {E} (sequence, incident_id, position, event_id, topic, recorded_at, state)"
            f" SELECT sequence + 1, incident_id, position + 100000, ?, topic, recorded_at, state"
            f" FROM {E} WHERE sequence = ?",
            (uuid.uuid4().bytes, s),
        ),
    )
    return DamageKind.INSERTED, s + 1


def swap(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size - 1, "row")
    t = draw(s + 1, size, "other row")
    tamper(
        path,
        (f"UPDATE {E} SET sequence = -1 WHERE sequence = ?", (s,)),
        (f"UPDATE {E} SET sequence = ? WHERE sequence = ?", (s, t)),
        (f"UPDATE {E} SET sequence = ? WHERE sequence = -1", (t,)),
    )
    return DamageKind.REORDERED, s


def swap_contents(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size - 1, "row")
    t = draw(s + 1, size, "other row")
    with sqlite3.connect(path) as db:
        a = db.execute(f"SELECT state FROM {E} WHERE sequence=?", (s,)).fetchone()[0]
        b = db.execute(f"SELECT state FROM {E} WHERE sequence=?", (t,)).fetchone()[0]
        db.execute(f"UPDATE {E} SET state=? WHERE sequence=?", (b, s))
        db.execute(f"UPDATE {E} SET state=? WHERE sequence=?", (a, t))
    return DamageKind.REORDERED, s


def delete_and_modify_next(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    # Two damages: the first (the deletion) is the one to name, although the
    # row that now stands in its place no longer matches any recorded leaf.
    s = draw(1, size - 1, "row")
    tamper(path, (f"DELETE FROM {E} WHERE sequence=?", (s,)))
    modify_bytes_of(path, s + 1, draw)
    return DamageKind.DELETED, s


def truncate(path: Path, size: int, draw: Draw) -> tuple[DamageKind, int]:
    s = draw(1, size, "first row cut")
    tamper(path, (f"DELETE FROM {E} WHERE sequence >= ?", (s,)))
    return DamageKind.TRUNCATED, s


MUTATIONS: dict[str, Mutation] = {
    "modify bytes": modify_bytes,
    "modify a column": modify_column,
    "delete": delete,
    "delete several": delete_several,
    "delete, and modify the next": delete_and_modify_next,
    "duplicate": duplicate,
    "swap": swap,
    "swap contents": swap_contents,
    "truncate": truncate,
}


def check_named(path: Path, recorded: list[Recorded], kind: DamageKind, position: int) -> None:
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert not report.ok
    first = report.first
    assert first is not None
    assert (first.kind, first.position) == (kind, position), report.render()
    # Who recorded what is told as far as the first damage, and no further.
    told = [p.last for p in report.recorders]
    assert told[-1:] == ([position - 1] if position > 1 else []), report.render()
    if kind is not DamageKind.INSERTED:
        original = recorded[position - 1]
        assert (first.incident_id, first.event_id) == (original.incident_id, original.event_id)


@given(name=st.sampled_from(sorted(MUTATIONS)), data=st.data())
def test_every_mutation_is_detected_and_named(
    template: tuple[Path, list[Recorded]],
    copies: Callable[[], Path],
    name: str,
    data: st.DataObject,
) -> None:
    path, recorded = copies(), template[1]

    def draw(low: int, high: int, label: str) -> int:
        return data.draw(st.integers(low, high), label=label)

    kind, position = MUTATIONS[name](path, len(recorded), draw)
    check_named(path, recorded, kind, position)


@pytest.mark.parametrize("edge", ["low", "high"])
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_at_the_first_and_last_rows(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path], name: str, edge: str
) -> None:
    path, recorded = copies(), template[1]

    def draw(low: int, high: int, label: str) -> int:
        return low if edge == "low" else high

    kind, position = MUTATIONS[name](path, len(recorded), draw)
    check_named(path, recorded, kind, position)


def test_an_untouched_ledger_verifies(template: tuple[Path, list[Recorded]]) -> None:
    with Ledger.open(template[0]) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    assert report.ok, report.render()
    assert report.size == len(template[1]) == report.expected_size
    assert all(c.matches and c.signature_valid and c.trusted for c in report.checkpoints)
    (part,) = report.recorders
    assert (part.recorder, part.first, part.last) == ("tester", 1, len(template[1]))
    assert part.signed == part.events
    assert part.keys == (f"{KEY.name}+{KEY.key_id:08x}",)
    assert "OK" in report.render()


# -- damage to the audit tables and checkpoints ----------------------------------------


def _rehash_leaf(db: sqlite3.Connection, sequence: int, state: bytes) -> None:
    """Rewrite the stored leaf hash of one event, as someone covering their tracks would."""
    index = sequence - 1
    tile_index, slot = divmod(index, 16)
    (hashes,) = db.execute(
        "SELECT hashes FROM audit_tiles WHERE level=0 AND idx=?", (tile_index,)
    ).fetchone()
    leaf = hashlib.sha256(b"\x00" + state).digest()
    hashes = hashes[: slot * 32] + leaf + hashes[(slot + 1) * 32 :]
    db.execute("UPDATE audit_tiles SET hashes=? WHERE level=0 AND idx=?", (hashes, tile_index))


def test_rewriting_an_event_and_its_leaf_hash_is_still_caught(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path]
) -> None:
    path = copies()
    with sqlite3.connect(path) as db:
        (state,) = db.execute(f"SELECT state FROM {E} WHERE sequence=20").fetchone()
        changed = state.replace(b'"count":2', b'"count":3')
        db.execute(f"UPDATE {E} SET state=? WHERE sequence=20", (changed,))
        _rehash_leaf(db, 20, changed)
    with Ledger.open(path) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    kinds = {d.kind for d in report.damages}
    assert DamageKind.CHECKPOINT_MISMATCH in kinds  # the signed batch checkpoints disagree
    assert report.first is not None
    assert report.first.position <= 20


def test_a_consistent_rewrite_is_caught_by_a_published_checkpoint(tmp_path: Path) -> None:
    """Someone rewrites an event and recomputes every stored hash: only a checkpoint kept elsewhere tells."""
    path = tmp_path / "ledger.db"
    build(path, signing_key=None)
    with Ledger.open(path) as ledger:
        published = ledger.checkpoint()
        origin = ledger.origin
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT sequence, state FROM {E} ORDER BY sequence").fetchall()
        rows[29] = (30, rows[29][1].replace(b'"count":2', b'"count":1'))
        db.execute(f"UPDATE {E} SET state=? WHERE sequence=30", (rows[29][1],))
        db.execute("DELETE FROM audit_tiles")
        db.execute("DELETE FROM audit_tree")
    # Opening builds nothing: verify says the tree is missing.
    with Ledger.open(path, read_only=True) as ledger:
        report = ledger.verify()
    assert [d.kind for d in report.damages] == [DamageKind.TREE_MISSING]
    # Building it is an act of its own, recorded; the rows then agree with the tree.
    with Ledger.open(path, recorder="mallory") as ledger:
        ledger.build_audit_tree(origin=origin)
        report = ledger.verify()
        assert report.ok
        assert "computed from the stored rows by 'mallory'" in " ".join(report.notes)
        report = ledger.verify(checkpoints=[published])
    assert not report.ok
    first = report.first
    assert first is not None
    assert first.kind is DamageKind.CHECKPOINT_MISMATCH
    assert "given checkpoint at size 43" in first.detail


def test_damaged_stored_hashes_with_intact_events_are_tree_damage(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path]
) -> None:
    path = copies()
    with sqlite3.connect(path) as db:
        _rehash_leaf(db, 5, b"not the event")
    with Ledger.open(path) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    assert report.first is not None
    assert (report.first.kind, report.first.position) == (DamageKind.TREE_DAMAGED, 5)
    assert "events are intact" in report.first.detail
    path = copies()
    tamper(path, ("UPDATE audit_tiles SET hashes = zeroblob(512) WHERE level=1 AND idx=0", ()))
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert report.first is not None
    assert (report.first.kind, report.first.position) == (DamageKind.TREE_DAMAGED, 1)


def test_a_broken_signature_is_named(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path]
) -> None:
    path = copies()
    with sqlite3.connect(path) as db:
        ident, note = db.execute(
            "SELECT id, note FROM audit_checkpoints WHERE first IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1"
        ).fetchone()
        checkpoint = Checkpoint.parse(note)
        (signature,) = checkpoint.signatures
        forged = Checkpoint(
            origin=checkpoint.origin,
            size=checkpoint.size,
            root=checkpoint.root,
            signatures=[attrs.evolve(signature, signature=bytes(64))],
        )
        db.execute("UPDATE audit_checkpoints SET note=? WHERE id=?", (forged.text, ident))
    with Ledger.open(path) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    (damage,) = report.damages
    assert damage.kind is DamageKind.SIGNATURE_INVALID
    assert damage.position == 16  # the second batch: the transcript and the correction
    assert "recorded by 'tester'" in damage.detail
    assert any(p.invalid for p in report.recorders)


def test_a_checkpoint_signed_by_another_key_than_the_one_kept_with_it(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path]
) -> None:
    path = copies()
    impostor = SigningKey.generate(KEY.name)
    tamper(path, ("UPDATE audit_checkpoints SET key=? WHERE id=1", (impostor.verifier.text,)))
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert [d.kind for d in report.damages] == [DamageKind.SIGNATURE_INVALID]
    assert "not signed by the key kept with it" in report.damages[0].detail


def test_checkpoints_of_another_log_or_beyond_the_log_do_not_match(
    template: tuple[Path, list[Recorded]],
) -> None:
    with Ledger.open(template[0]) as ledger:
        now = ledger.checkpoint()
        other = Checkpoint(origin="example.org/other", size=now.size, root=now.root)
        longer = Checkpoint(origin=now.origin, size=now.size + 5, root=now.root)
        report = ledger.verify(checkpoints=[now, other, longer])
    assert [d.kind for d in report.damages] == [
        DamageKind.CHECKPOINT_MISMATCH,
        DamageKind.TRUNCATED,  # as far as the checkpoint given says: it is for 48 events
    ]
    mismatch, truncated = report.damages
    assert "names log 'example.org/other'" in mismatch.detail
    assert truncated.position == now.size + 1
    assert f"says it held {now.size + 5} events" in truncated.detail


def test_writing_to_a_ledger_changed_behind_its_back_is_refused(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path]
) -> None:
    path = copies()
    tamper(path, (f"DELETE FROM {E} WHERE sequence = (SELECT MAX(sequence) FROM {E})", ()))
    with Ledger.open(path, clock=FixedClock(ALASKA_2024_ACCOUNTS_AT + timedelta(days=1))) as ledger:
        with pytest.raises(StorageError, match="changed outside incidents"):
            ledger.record(*aircraft(1))
        assert len(ledger) == len(template[1]) - 1


def test_an_unreadable_tree_is_reported_and_checkpoints_still_decide(
    template: tuple[Path, list[Recorded]], copies: Callable[[], Path]
) -> None:
    path = copies()
    tamper(path, ("DELETE FROM audit_tiles WHERE level = 0", ()))
    with Ledger.open(path) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    assert [d.kind for d in report.damages] == [DamageKind.TREE_DAMAGED]
    assert all(c.matches for c in report.checkpoints)
    path = copies()
    tamper(
        path,
        ("DELETE FROM audit_tiles WHERE level = 0", ()),
        (f"DELETE FROM {E} WHERE sequence = 3", ()),
    )
    with Ledger.open(path) as ledger:
        report = ledger.verify(keys=[KEY.verifier])
    # With no tree to match, the rows still speak for themselves: a gap in the sequence.
    assert [(d.kind, d.position) for d in report.damages] == [
        (DamageKind.TREE_DAMAGED, 1),
        (DamageKind.DELETED, 3),
    ]
