"""
Audit: verify throughput, proof generation, and what leaf hashing adds to appends.

* Verify over 1,000,000 events (100,000 with ``--quick``) of a real SQLite
  ledger file, beside raw ``hashlib.sha256`` over the same canonical bytes
  held in memory (the issue's baseline), and beside raw sqlite3 reading
  those bytes and hashing them (the least any verifier of the file must do).
* Inclusion and consistency proof generation at 1,000 and at 1,000,000
  events: the figure is the time at 1,000,000 beside the time at 1,000;
  logarithmic growth means about 2x (log2 10^6 / log2 10^3), ratio 0.5x.
* Appends with and without the audit hook, measured in the same run on
  ledgers alike in everything else: 1 event per transaction and 1,000 per
  transaction; and once more with a signing key (a signed checkpoint per batch).
  The target is on the whole hook: leaf hashes, the tree above them and the
  tiles written. Three more ledgers show how that cost divides: one computes
  the leaf hashes alone; one computes the leaf hashes and the tree above
  them (every SHA-256 that RFC 9162 asks for) but stores nothing; one writes
  the tiles, of the same sizes at the same places, but hashes nothing.
  Each timed run appends to a fresh copy of one ledger of 20,000 events,
  starting from an empty write-ahead log, so that every case starts from
  the same ledger and SQLite's own checkpoints of the log fall alike.

The big ledger is built fast and for real: rows are generated from the
library's own canonical bytes of one event (ids, positions and sequence
numbers substituted), inserted with raw sqlite3, and the ledger's audit tree
is computed with ``build_audit_tree``, as for any ledger recorded before the
audit tables existed. The benchmark then checks that the ledger verifies.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._harness import Figure, median_seconds, wal_checkpoint
from incidents import (
    AircraftReported,
    IncidentOpened,
    Ledger,
    Location,
    Position,
    Recorded,
    SigningKey,
    SourceKind,
    SourceRegistered,
    SteppingClock,
    ValidTime,
    canonical_bytes,
)
from incidents._codec.canonical import FORMAT_VERSION
from incidents._tlog.tiles import TreeEdge, leaf_hashes
from incidents.storage import to_micros
from incidents.storage._sqlite._schema import SCHEMA as _SCHEMA
from incidents.storage._sqlite._schema import TABLE

BATCH = 1_000
AT = datetime(2024, 7, 25, tzinfo=UTC)
_SENTINEL = uuid.UUID("00000000-0000-4000-8000-0000000000ee")


def _event(incident_id: uuid.UUID, source_id: uuid.UUID, event_id: uuid.UUID) -> AircraftReported:
    return AircraftReported(
        incident_id=incident_id,
        source_id=source_id,
        event_id=event_id,
        type_designation="H-6K",
        nation="CN",
        count=2,
        role="strategic bomber",
        valid_time=ValidTime.minute(datetime(2024, 7, 24, 20, 7, tzinfo=UTC)),
        location=Location(name="Bering Sea", position=Position(lat=60.5, lon=-175.25)),
    )


def build_ledger(path: Path, size: int) -> float:
    """Write a ledger of ``size`` events; return the seconds the audit tree took to build."""
    incident_id, source_id = uuid.uuid4(), uuid.uuid4()
    opened = IncidentOpened(incident_id=incident_id, source_id=source_id, title="bench")
    source = SourceRegistered(
        incident_id=incident_id,
        source_id=source_id,
        kind=SourceKind.PRESS_RELEASE,
        publisher="NORAD",
    )
    head = [
        Recorded(event=e, sequence=n, position=n, recorded_at=AT, recorder="bench")
        for n, e in enumerate([opened, source], start=1)
    ]
    # The canonical bytes of one more event, cut where its id and numbers go.
    probe = canonical_bytes(
        Recorded(
            event=_event(incident_id, source_id, _SENTINEL),
            sequence=3,
            position=3,
            recorded_at=AT,
            recorder="bench",
        )
    )
    before_id, after_id = probe.split(str(_SENTINEL).encode())
    body = after_id[: after_id.rindex(b',"position":')]
    recorded_at = b',"recorded_at":"%s","recorder":"bench","sequence":' % AT.isoformat().encode()
    micros = to_micros(AT)
    rng = random.Random(7)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for statement in _SCHEMA:
        db.execute(statement)
    insert = f"INSERT INTO {TABLE} VALUES (?,?,?,?,?,?,?)"
    db.execute("BEGIN")
    db.executemany(
        insert,
        [
            (r.sequence, incident_id.bytes, r.position, r.event_id.bytes, r.type, micros, s)
            for r, s in ((r, canonical_bytes(r)) for r in head)
        ],
    )
    incident = incident_id.bytes
    for start in range(3, size + 1, 50_000):
        rows = []
        for n in range(start, min(start + 50_000, size + 1)):
            event_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            state = b'%s%s%s,"position":%d%s%d,"v":%d}' % (
                before_id,
                str(event_id).encode(),
                body,
                n,
                recorded_at,
                n,
                FORMAT_VERSION,
            )
            rows.append((n, incident, n, event_id.bytes, "aircraft-reported", micros, state))
        db.executemany(insert, rows)
    db.execute("COMMIT")
    db.close()
    with Ledger.open(path) as ledger:
        started = time.perf_counter()
        ledger.build_audit_tree()  # computes the audit tree from the rows
        built = time.perf_counter() - started
        sample = ledger.event(ledger.store.rows(after=size - 1, limit=1)[0].event_id)
        assert sample.sequence == size
        stored = ledger.store.rows(after=size - 1, limit=1)[0].state
        assert canonical_bytes(sample) == stored, "generated rows must be canonical"
    return built


def _states(path: Path) -> list[bytes]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute(f"SELECT state FROM {TABLE} ORDER BY sequence")]


def _raw_read_and_hash(path: Path, *, columns: bool = False) -> Callable[[], None]:
    what = (
        "sequence, incident_id, position, event_id, topic, recorded_at, state"
        if columns
        else "state"
    )

    def run() -> None:
        db = sqlite3.connect(path)
        sha = hashlib.sha256
        cursor = db.execute(f"SELECT {what} FROM {TABLE} ORDER BY sequence")
        while True:
            rows = cursor.fetchmany(8192)
            if not rows:
                break
            for row in rows:
                sha(b"\x00" + row[-1]).digest()
        db.close()

    return run


def _verify(path: Path) -> Callable[[], None]:
    def run() -> None:
        with Ledger.open(path) as ledger:
            report = ledger.verify()
        assert report.ok, report.render()

    return run


def verify_figures(folder: Path, size: int, repeat: int) -> tuple[list[Figure], Path]:
    path = folder / f"verify-{size}.db"
    built = build_ledger(path, size)
    states = _states(path)

    def raw_hash() -> None:
        sha = hashlib.sha256
        for state in states:
            sha(state).digest()

    t_verify = median_seconds(_verify(path), repeat=repeat)
    t_hash = median_seconds(raw_hash, repeat=repeat)
    t_read = median_seconds(_raw_read_and_hash(path), repeat=repeat)
    t_columns = median_seconds(_raw_read_and_hash(path, columns=True), repeat=repeat)
    label = f"verify {size:,} events"
    return [
        Figure(
            "audit",
            label,
            size / t_verify,
            "events/s",
            "raw hashlib.sha256 over the same bytes in memory",
            size / t_hash,
            target=">= 0.50x",
        ),
        Figure(
            "audit",
            label,
            size / t_verify,
            "events/s",
            "raw sqlite3 SELECT of the bytes + sha256",
            size / t_read,
        ),
        Figure(
            "audit",
            label,
            size / t_verify,
            "events/s",
            "raw sqlite3 SELECT of all 7 columns + sha256",
            size / t_columns,
        ),
        Figure(
            "audit",
            f"build the audit tree of {size:,} stored events (incidents build-tree)",
            size / built,
            "events/s",
            "raw sqlite3 SELECT of the bytes + sha256",
            size / t_read,
        ),
    ], path


def _proof_times(path: Path, samples: int) -> tuple[float, float]:
    with Ledger.open(path) as ledger:
        size = len(ledger)
        rng = random.Random(11)
        ids = [
            ledger.store.rows(after=rng.randrange(size), limit=1)[0].event_id
            for _ in range(samples)
        ]
        old = [rng.randrange(1, size) for _ in range(samples)]
        checkpoint = ledger.checkpoint()
        for event_id in ids[:5]:  # warm the caches as a long-running service would be
            ledger.inclusion_proof(event_id, checkpoint)

        def inclusion() -> None:
            for event_id in ids:
                ledger.inclusion_proof(event_id, checkpoint)

        def consistency() -> None:
            for size_then in old:
                ledger.consistency_proof(size_then, checkpoint)

        return (
            median_seconds(inclusion, repeat=5) / samples,
            median_seconds(consistency, repeat=5) / samples,
        )


def proof_figures(folder: Path, big: Path, big_size: int) -> list[Figure]:
    small = folder / "proofs-1000.db"
    build_ledger(small, 1_000)
    samples = 200
    small_inclusion, small_consistency = _proof_times(small, samples)
    big_inclusion, big_consistency = _proof_times(big, samples)
    target = ">= 0.50x (log growth: 2x)" if big_size == 1_000_000 else "log growth"
    return [
        Figure(
            "audit",
            f"inclusion proof at {big_size:,} events",
            big_inclusion * 1e6,
            "µs",
            "same at 1,000 events",
            small_inclusion * 1e6,
            higher_is_better=False,
            target=target,
        ),
        Figure(
            "audit",
            f"consistency proof at {big_size:,} events",
            big_consistency * 1e6,
            "µs",
            "same at 1,000 events",
            small_consistency * 1e6,
            higher_is_better=False,
            target=target,
        ),
    ]


class _NoAudit:
    """Stands in for a ledger's audit log: appends without leaf hashing or tiles."""

    def append(self, *args: Any) -> None:
        return None

    def committed(self, edge: object) -> None:
        return None


class _LeafHashesOnly(_NoAudit):
    """Stands in for a ledger's audit log: hashes the leaves, keeps no tree and writes no tiles."""

    def append(self, writer: object, last: int, rows: Any, *args: Any) -> None:
        leaf_hashes([r.state for r in rows])


class _HashesOnly(_NoAudit):
    """Stands in for a ledger's audit log: hashes the leaves and the tree above them, writes nothing."""

    def __init__(self) -> None:
        self._edge = TreeEdge()

    def append(self, writer: object, last: int, rows: Any, ids: Any, *args: Any) -> None:
        self._edge.append(leaf_hashes([r.state for r in rows]), ids)


class _UnhashedEdge(TreeEdge):
    """The tree's edge with every node hash replaced by its first child's: nothing hashed."""

    __slots__ = ()
    _root = staticmethod(lambda nodes: nodes[0])


class _TilesOnly(_NoAudit):
    """
    Stands in for a ledger's audit log: writes the tiles, of the same sizes and
    at the same places, with each leaf's ids standing in for its hash: nothing
    is hashed.
    """

    def __init__(self) -> None:
        self._edge = _UnhashedEdge()

    def append(self, writer: Any, last: int, rows: Any, ids: Any, *args: Any) -> None:
        writer.put_audit_tiles(self._edge.append(ids, ids))


def _append_ledger(
    path: Path, *, audit: bool, key: SigningKey | None = None, stand_in: type | None = None
) -> Ledger:
    ledger = Ledger.open(path, clock=SteppingClock(AT), recorder="bench", signing_key=key)
    if not audit:
        ledger._audit = _NoAudit()  # type: ignore[assignment]
    elif stand_in is not None:
        ledger._audit = stand_in()
    return ledger


def _fresh_events(ledger: Ledger, n: int) -> list[AircraftReported]:
    incident_id, source_id = uuid.uuid4(), uuid.uuid4()
    ledger.record(
        IncidentOpened(incident_id=incident_id, source_id=source_id, title="bench"),
        SourceRegistered(
            incident_id=incident_id,
            source_id=source_id,
            kind=SourceKind.PRESS_RELEASE,
            publisher="NORAD",
        ),
    )
    return [_event(incident_id, source_id, uuid.uuid4()) for _ in range(n)]


def append_figures(folder: Path, quick: bool) -> list[Figure]:
    singles = 200 if quick else 1_000
    batches = 3 if quick else 10
    repeat = 3 if quick else 9
    variants: dict[str, dict[str, Any]] = {
        "with": {"audit": True},
        "without": {"audit": False},
        "signed": {"audit": True},  # with the log's key, made below
        "leaves": {"audit": True, "stand_in": _LeafHashesOnly},
        "hashes": {"audit": True, "stand_in": _HashesOnly},
        "tiles": {"audit": True, "stand_in": _TilesOnly},
    }
    # Every timed run appends to a fresh copy of one ledger, so that every
    # case starts every round from the same ledger, on a new file, instead of
    # from one its own earlier rounds grew. (Single appends to this kind of
    # disk still vary by up to 10% between runs doing the same work: hence
    # medians over rounds.)
    template = folder / "template.db"
    with _append_ledger(template, audit=True) as ledger:
        for _ in range(2 if quick else 20):
            ledger.record(*_fresh_events(ledger, BATCH))
        # A log's key is named after the log (C2SP tlog-checkpoint).
        variants["signed"]["key"] = SigningKey.generate(ledger.origin)
    times: dict[tuple[str, str], list[float]] = {}
    shuffle = random.Random(5).shuffle
    for round_ in range(repeat):
        # In a new order each time, so that the machine's noise and any
        # effect of going first or last fall on all alike.
        order = list(variants.items())
        shuffle(order)
        for name, options in order:
            path = folder / f"{name}-{round_}.db"
            shutil.copyfile(template, path)
            with _append_ledger(path, **options) as ledger:
                events = _fresh_events(ledger, singles)
                wal_checkpoint(path)
                started = time.perf_counter()
                for event in events:
                    ledger.record(event)
                times.setdefault((name, "single"), []).append(time.perf_counter() - started)
                chunks = [_fresh_events(ledger, BATCH) for _ in range(batches)]
                wal_checkpoint(path)
                started = time.perf_counter()
                for chunk in chunks:
                    ledger.record(*chunk)
                times.setdefault((name, "batch"), []).append(time.perf_counter() - started)
                if name in ("with", "signed"):
                    assert ledger.verify().ok
            for leftover in folder.glob(f"{name}-{round_}.db*"):
                leftover.unlink()

    def rate(name: str, kind: str) -> float:
        count = singles if kind == "single" else BATCH * batches
        ordered = sorted(times[(name, kind)])
        return count / ordered[len(ordered) // 2]

    figures = []
    for kind, label in (("single", "1 event per transaction"), ("batch", "1,000 per transaction")):
        figures.append(
            Figure(
                "audit",
                f"append with leaf hashing, {label}",
                rate("with", kind),
                "events/s",
                "same appends without the audit hook",
                rate("without", kind),
                target=">= 0.91x (< 10% more time)",
            )
        )
        for name, what in (
            ("leaves", "of which leaf hashes alone (no tree, no tiles)"),
            ("hashes", "of which every SHA-256 (leaves and tree, nothing stored)"),
            ("tiles", "of which the tiles written (nothing hashed)"),
            ("signed", "append signed per batch (Ed25519)"),
        ):
            figures.append(
                Figure(
                    "audit",
                    f"{what}, {label}",
                    rate(name, kind),
                    "events/s",
                    "same appends without the audit hook",
                    rate("without", kind),
                )
            )
    return figures


def run(quick: bool = False) -> list[Figure]:
    size = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures, big = verify_figures(folder, size, repeat=1 if quick else 3)
        figures.extend(proof_figures(folder, big, size))
        figures.extend(append_figures(folder, quick))
    return figures


if __name__ == "__main__":  # pragma: no cover
    from benchmarks._harness import render

    print(render(run(quick=True)))
