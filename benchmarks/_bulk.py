"""
Bulk-load a large SQLite ledger quickly: rows written straight into the table, then checked.

Recording millions of events through :meth:`Ledger.record` costs what it
should (validation, encoding, the audit tree, one transaction per batch),
which is what the append benchmarks measure; a benchmark about *reading*
ten million events only needs them there. So a few prototype incidents are
recorded into a scratch ledger the ordinary way, their canonical bytes cut
into templates where ids, sequence, position and recording time go, and
every incident of the large ledger is one of those templates filled in
with fresh ids: real events of every kind (aircraft, patrols, intercepts,
statements, corrections, retractions), each row byte-for-byte what the
ledger itself would have stored.

Then it is checked: a sample of rows decoded by the validating decoder and
encoded back to the same bytes, and the audit tree built from the rows by
the library (``build_audit_tree``), so that verify and proofs work on it.

Layout: incidents of ``per_incident`` events, about 1,000 events to a
batch, every batch recorded one second after the last; optionally one large
incident that receives a chunk of 1,000 events every so often.
"""

from __future__ import annotations

import random
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from benchmarks.bench_projections import _incident
from incidents import Event, Ledger, Recorded
from incidents._codec.canonical import canonical_bytes, decode_recorded
from incidents.storage import to_micros
from incidents.storage._sqlite._schema import SCHEMA, TABLE

__all__ = ["BulkLedger", "bulk_ledger"]

START = datetime(2024, 8, 1, tzinfo=UTC)
_SEQ = 987_654_321_987
_POS = 876_543_219
_AT = datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
_UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SLOTS = re.compile(
    rb"(%s)|(%d)|(%d)|(%s)" % (_UUID, _SEQ, _POS, re.escape(_AT.isoformat().encode()))
)


@dataclass(frozen=True)
class _Row:
    """One event's template: literal pieces and the slots between them."""

    topic: str
    event_slot: int  # which id slot is the event's own id
    parts: tuple[
        bytes | int, ...
    ]  # bytes, or a slot: >= 0 an id, -1 sequence, -2 position, -3 time


def _templates(events: list[Event], fixed: dict[UUID, int]) -> tuple[list[_Row], int]:
    """
    Templates of *events*; ids in *fixed* get those slots, every other id a slot of its own.

    Returns:
        The templates and the number of id slots.
    """
    slots = dict(fixed)
    rows = []
    for event in events:
        slots.setdefault(event.event_id, len(slots))
        data = canonical_bytes(
            Recorded(event=event, sequence=_SEQ, position=_POS, recorded_at=_AT, recorder="bulk")
        )
        parts: list[bytes | int] = []
        at = 0
        for m in _SLOTS.finditer(data):
            parts.append(data[at : m.start()])
            if m.group(1):
                parts.append(slots.setdefault(UUID(m.group(1).decode()), len(slots)))
            elif m.group(2):
                parts.append(-1)
            elif m.group(3):
                parts.append(-2)
            else:
                parts.append(-3)
            at = m.end()
        parts.append(data[at:])
        rows.append(_Row(event.TYPE, slots[event.event_id], tuple(parts)))
    return rows, len(slots)


@dataclass
class BulkLedger:
    """What was loaded: the file, its size, and a few ids to read."""

    path: Path
    events: int
    incidents: int
    big_incident: UUID | None
    sample_incident: UUID
    first_recorded: datetime
    last_recorded: datetime
    load_seconds: float
    tree_seconds: float


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


class _Filler:
    """Fills templates in, row by row."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sequence = 0

    def rows(
        self,
        templates: list[_Row],
        ids: list[UUID],
        incident: UUID,
        first_position: int,
        at: datetime,
    ) -> Iterator[tuple[int, bytes, int, bytes, str, int, bytes]]:
        text = [str(i).encode() for i in ids]
        stamp = at.isoformat().encode()
        micros = to_micros(at)
        incident_bytes = incident.bytes
        for n, row in enumerate(templates):
            self.sequence += 1
            position = first_position + n
            values = {-1: b"%d" % self.sequence, -2: b"%d" % position, -3: stamp}
            state = b"".join(
                p if isinstance(p, bytes) else (text[p] if p >= 0 else values[p]) for p in row.parts
            )
            yield (
                self.sequence,
                incident_bytes,
                position,
                ids[row.event_slot].bytes,
                row.topic,
                micros,
                state,
            )


def bulk_ledger(
    path: Path,
    events: int,
    *,
    per_incident: int = 100,
    big: int = 0,
    seed: int = 7,
    check: int = 1000,
    progress: bool = False,
) -> BulkLedger:
    """
    Write an SQLite ledger of *events* events at *path* (which must not exist), then check it.

    Args:
        path: The new file.
        events: How many events in all.
        per_incident: Events of each ordinary incident.
        big: Events of one large incident, in chunks of 1,000 spread over the
            log (0: none).
        seed: For the ids.
        check: Rows decoded by the validating decoder and encoded back.
        progress: Print progress.

    Returns:
        What was loaded.
    """
    rng = random.Random(seed)
    day = datetime(2024, 1, 1, tzinfo=UTC)
    prototypes = []
    for _ in range(8):
        proto = _incident(rng, day, per_incident)
        opened = proto[0]
        sources = [e.event_id for e in proto[1:4]]
        fixed = {opened.incident_id: 0}
        prototypes.append(_templates(proto, fixed))
        del sources
    chunk_templates: list[tuple[list[_Row], int]] = []
    big_head: tuple[list[_Row], int] | None = None
    big_fixed: dict[UUID, int] = {}
    if big:
        proto = _incident(rng, day, 1004)
        big_fixed = {proto[0].incident_id: 0}
        big_fixed.update({e.event_id: n for n, e in enumerate(proto[1:4], start=1)})
        big_head = _templates(proto[:4], big_fixed)
        # Chunks: the facts and amendments after the opening, the sources fixed.
        for _ in range(4):
            proto = _incident(rng, day, 1004)
            fixed = {proto[0].incident_id: 0}
            fixed.update({e.event_id: n for n, e in enumerate(proto[1:4], start=1)})
            chunk_templates.append(_templates(proto[4:1004], fixed))
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")  # 256 MiB
    for statement in SCHEMA:
        db.execute(statement)
    insert = f"INSERT INTO {TABLE} VALUES (?,?,?,?,?,?,?)"
    filler = _Filler(rng)
    at = START
    small_total = events - big
    chunks = (big - 4) // 1000 if big else 0
    every = max(1, (small_total // per_incident) // (chunks + 1)) if chunks else 0
    big_id = _uuid(rng) if big else None
    big_ids: list[UUID] = []
    big_position = 0
    incidents = 0
    sample: UUID | None = None
    pending: list[tuple[int, bytes, int, bytes, str, int, bytes]] = []
    db.execute("BEGIN")

    def flush(final: bool = False) -> None:
        nonlocal at
        if len(pending) >= 50_000 or (final and pending):
            db.executemany(insert, pending)
            pending.clear()

    if big_head is not None and big_id is not None:
        templates, count = big_head
        big_ids = [big_id, *(_uuid(rng) for _ in range(count - 1))]
        pending.extend(filler.rows(templates, big_ids, big_id, 1, at))
        big_position = len(templates)
    small_written = 0
    chunk_written = 0
    batch_fill = 0
    while small_written < small_total or (big and chunk_written < chunks):
        if (
            big_id is not None
            and chunk_written < chunks
            and ((incidents and incidents % every == 0) or small_written >= small_total)
        ):
            templates, count = chunk_templates[chunk_written % len(chunk_templates)]
            ids = [*big_ids[:4], *(_uuid(rng) for _ in range(count - 4))]
            at += timedelta(seconds=1)
            pending.extend(filler.rows(templates, ids, big_id, big_position + 1, at))
            big_position += len(templates)
            chunk_written += 1
            flush()
            if small_written >= small_total:
                continue
        size = min(per_incident, small_total - small_written)
        if size <= 0:
            continue
        if batch_fill == 0:
            at += timedelta(seconds=1)
        templates, count = prototypes[incidents % len(prototypes)]
        templates = templates[:size]
        incident = _uuid(rng)
        ids = [incident, *(_uuid(rng) for _ in range(count - 1))]
        pending.extend(filler.rows(templates, ids, incident, 1, at))
        small_written += size
        batch_fill = (batch_fill + size) % 1000 if batch_fill + size < 1000 else 0
        incidents += 1
        if sample is None or incidents == 7:
            sample = incident
        flush()
        if progress and incidents % 10_000 == 0:
            print(f"  bulk: {filler.sequence:,} rows", flush=True)
    flush(final=True)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = filler.sequence
    checked = db.execute(
        f"SELECT state FROM {TABLE} WHERE sequence IN ({','.join('?' * min(check, total))})",
        random.Random(seed).sample(range(1, total + 1), min(check, total)),
    ).fetchall()
    db.close()
    for (state,) in checked:
        if canonical_bytes(decode_recorded(state)) != state:
            raise AssertionError("bulk-loaded rows must be canonical")
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with Ledger.open(path, recorder="bulk") as ledger:
        ledger.build_audit_tree()
    tree = time.perf_counter() - started
    assert sample is not None
    return BulkLedger(
        path=path,
        events=total,
        incidents=incidents + (1 if big else 0),
        big_incident=big_id,
        sample_incident=sample,
        first_recorded=START + timedelta(seconds=1),
        last_recorded=at,
        load_seconds=loaded,
        tree_seconds=tree,
    )


if __name__ == "__main__":  # a quick look: python -m benchmarks._bulk EVENTS [BIG]
    import sys

    folder = Path(tempfile.mkdtemp(prefix="incidents-bulk-"))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    b = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    info = bulk_ledger(folder / "bulk.db", n, big=b, progress=True)
    print(info)
