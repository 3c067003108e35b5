"""
Scale: a ledger of 10,000,000 events (``BENCH_SCALE_EVENTS``), each operation beside a raw baseline, with its peak RSS.

``make bench-scale`` bulk-loads an SQLite ledger (``benchmarks/_bulk.py``:
rows written from templates of real events, then checked, and the audit
tree built by the library), 100 events per incident and one incident of
1% of the log in chunks of 1,000. Then each operation runs in a fresh
process of its own, so that its peak resident memory (``VmHWM``) is its
own, beside a raw baseline timed in the same process:

* appends: 10 batches of 1,000 events into the large ledger, beside raw
  sqlite3 inserting rows of the same size into a copy of the table;
* listing: ``Ledger.iter_incidents()`` over every incident (nothing kept),
  beside a raw read and ``orjson`` parse of every row;
* a cold read (a new ``Ledger``) and a warm read of the large incident,
  and an as-of read of it, beside a naive fold of its rows;
* verify (``integrity="quick"``), beside a raw read and hash of every row;
* catch-up of the timeline into SQLite (``ReadModel``), beside the raw read;
* export of a bundle, beside the raw read.

``BENCH_SCALE_EVENTS=100000 make bench-scale`` is the size for CI; the
ledger is kept in ``BENCH_SCALE_DIR`` (default: a temporary folder) and
reused when it is there with the same size.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from benchmarks._harness import Figure

EVENTS = int(os.environ.get("BENCH_SCALE_EVENTS", "10000000"))
OPS = ("append", "listing", "cold", "warm", "as-of", "verify", "catch-up", "export")


def _peak_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


def _raw_read(path: Path, hashed: bool = False) -> float:
    start = time.perf_counter()
    db = sqlite3.connect(path)
    for (state,) in db.execute("SELECT state FROM incident_events ORDER BY sequence"):
        if hashed:
            hashlib.sha256(b"\0" + state).digest()
        else:
            orjson.loads(state)
    db.close()
    return time.perf_counter() - start


def _op(name: str, path: Path, info: dict[str, Any]) -> dict[str, float]:
    """One operation and its baseline, in this (fresh) process."""
    from uuid import UUID

    from incidents import Ledger, decode_recorded, fold

    big = UUID(info["big"])
    if name == "append":
        from benchmarks.bench_append import _events

        with Ledger.open(path, recorder="bench") as ledger:
            head = ledger.incident(UUID(info["sample"]))
            source = head.sources[0].id
            batches = [_events(head.id, source, 1000) for _ in range(10)]
            start = time.perf_counter()
            for batch in batches:
                ledger.record(*batch)
            value = time.perf_counter() - start
            state = ledger.store.rows(after=len(ledger) - 1)[0].state
        raw = path.with_suffix(".raw.db")
        db = sqlite3.connect(raw, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        from incidents.storage._sqlite._schema import SCHEMA

        for statement in SCHEMA:
            db.execute(statement)
        import uuid

        start = time.perf_counter()
        for b in range(10):
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO incident_events VALUES (?,?,?,?,?,?,?)",
                [
                    (
                        b * 1000 + n + 1,
                        big.bytes,
                        b * 1000 + n + 1,
                        uuid.uuid4().bytes,
                        "x",
                        0,
                        state,
                    )
                    for n in range(1000)
                ],
            )
            db.execute("COMMIT")
        baseline = time.perf_counter() - start
        db.close()
        raw.unlink()
        return {"value": 10_000 / value, "baseline": 10_000 / baseline, "peak": _peak_mib()}
    if name == "listing":
        with Ledger.open(path) as ledger:
            start = time.perf_counter()
            count = sum(1 for _ in ledger.iter_incidents())
            value = time.perf_counter() - start
        assert count == info["incidents"], count
        return {"value": value, "baseline": _raw_read(path), "peak": _peak_mib()}
    if name in ("cold", "warm", "as-of"):
        with Ledger.open(path) as ledger:
            start = time.perf_counter()
            state = ledger.incident(big)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            ledger.incident(big)
            warm = time.perf_counter() - start
            assert state.last_recorded_at is not None
            from datetime import timedelta

            known = state.last_recorded_at - timedelta(seconds=info["span"] // 2)
            start = time.perf_counter()
            ledger.incident(big, known_at=known)
            as_of = time.perf_counter() - start
            start = time.perf_counter()
            naive = fold([decode_recorded(r.state) for r in ledger.store.stream(big)])
            baseline = time.perf_counter() - start
            assert naive == state
        value = {"cold": cold, "warm": warm, "as-of": as_of}[name]
        return {"value": value, "baseline": baseline, "peak": _peak_mib()}
    if name == "verify":
        with Ledger.open(path, read_only=True) as ledger:
            start = time.perf_counter()
            report = ledger.verify(integrity="quick")
            value = time.perf_counter() - start
            assert report.ok, report.render()
        return {"value": value, "baseline": _raw_read(path, hashed=True), "peak": _peak_mib()}
    if name == "catch-up":
        from incidents.projections import ReadModel, Timeline

        with Ledger.open(path) as ledger:
            model = ReadModel(ledger, Timeline(), batch_size=1000)
            start = time.perf_counter()
            model.catch_up()
            value = time.perf_counter() - start
            model.drop()
        return {"value": value, "baseline": _raw_read(path), "peak": _peak_mib()}
    if name == "export":
        out = path.with_suffix(".bundle")
        with Ledger.open(path) as ledger:
            start = time.perf_counter()
            ledger.export_bundle(out)
            value = time.perf_counter() - start
        out.unlink()
        return {"value": value, "baseline": _raw_read(path), "peak": _peak_mib()}
    raise ValueError(name)


def run(quick: bool) -> list[Figure]:
    from benchmarks._bulk import bulk_ledger

    events = 100_000 if quick and "BENCH_SCALE_EVENTS" not in os.environ else EVENTS
    keep = os.environ.get("BENCH_SCALE_DIR")
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="incidents-bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scale-{events}.db"
    meta = path.with_suffix(".json")
    try:
        if path.exists() and meta.exists():
            info = json.loads(meta.read_text())
        else:
            for stale in (path, meta):
                stale.unlink(missing_ok=True)
            loaded = bulk_ledger(path, events, big=max(1004, events // 100 // 1000 * 1000 + 4))
            info = {
                "events": loaded.events,
                "incidents": loaded.incidents,
                "big": str(loaded.big_incident),
                "sample": str(loaded.sample_incident),
                "span": int((loaded.last_recorded - loaded.first_recorded).total_seconds()),
                "load": loaded.load_seconds,
                "tree": loaded.tree_seconds,
            }
            meta.write_text(json.dumps(info))
        print(
            f"  {info['events']:,} events, {info['incidents']:,} incidents: bulk-loaded and "
            f"checked in {info['load']:.0f} s, audit tree built in {info['tree']:.0f} s",
            flush=True,
        )
        figures = []
        for op in OPS:
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_scale", op, str(path), json.dumps(info)],
                check=True,
                capture_output=True,
                text=True,
            )
            found = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {op}: {found} (peak RSS {found['peak']:,.0f} MiB)", flush=True)
            rate = op == "append"
            figures.append(
                Figure(
                    f"{info['events']:,} events",
                    f"{op} (peak RSS {found['peak']:,.0f} MiB)",
                    found["value"],
                    "events/s" if rate else "s",
                    {
                        "append": "raw sqlite3, 1,000 rows/txn",
                        "verify": "raw read + SHA-256 of every row",
                        "cold": "naive fold of the incident",
                        "warm": "naive fold of the incident",
                        "as-of": "naive fold of the incident",
                    }.get(op, "raw read + orjson of every row"),
                    found["baseline"],
                    higher_is_better=rate,
                    target="peak < 1 GiB",
                )
            )
        return figures
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(_op(sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]))))
