"""
Listing every incident, ``Ledger.incidents()``, on 100,000 and 1,000,000 events (10k and 100k with --quick).

Bulk-loaded SQLite ledgers (see ``benchmarks/_bulk.py``) of incidents of 100
events each (1,000 and 10,000 incidents). Each round opens a new ``Ledger``
and lists every incident twice: the first call folds every incident from
its rows; the second finds what the first left in memory, or folds again
what it could not keep (the fold cache holds at most
``TimeTravel.max_positions`` stream positions). Both are printed beside the
raw read of the same rows in the same round: one ``SELECT state ... ORDER BY
sequence`` with each row parsed by ``orjson.loads`` and dropped.

The peak resident memory of the first call is printed for each size (the
process's high-water mark reset just before it, Linux only).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from benchmarks._bulk import bulk_ledger
from benchmarks._harness import Figure
from incidents import Ledger


def reset_peak() -> None:
    """Reset this process's peak resident memory (Linux: ``/proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:  # pragma: no cover - not Linux
        pass


def peak_mib() -> float:
    """This process's peak resident memory since the last :func:`reset_peak`, in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_read(path: Path) -> int:
    """Every row's state parsed by orjson, each dropped at once."""
    db = sqlite3.connect(path)
    try:
        count = 0
        for (state,) in db.execute("SELECT state FROM incident_events ORDER BY sequence"):
            orjson.loads(state)
            count += 1
        return count
    finally:
        db.close()


def run(quick: bool) -> list[Figure]:
    sizes = (10_000, 100_000) if quick else (100_000, 1_000_000)
    repeat = int(os.environ.get("BENCH_LISTING_REPEAT", "3"))
    folder = Path(tempfile.mkdtemp(prefix="incidents-bench-listing-"))
    figures: list[Figure] = []
    try:
        for size in sizes:
            info = bulk_ledger(folder / f"listing-{size}.db", size)
            print(
                f"  {size:,} events, {info.incidents:,} incidents: loaded in "
                f"{info.load_seconds + info.tree_seconds:.0f} s",
                flush=True,
            )
            first, second, raw, peaks = [], [], [], []
            for _ in range(repeat):
                start = time.perf_counter()
                assert raw_read(info.path) == size
                raw.append(time.perf_counter() - start)
                with Ledger.open(info.path) as ledger:
                    reset_peak()
                    start = time.perf_counter()
                    listed = len(ledger.incidents())
                    first.append(time.perf_counter() - start)
                    peaks.append(peak_mib())
                    start = time.perf_counter()
                    assert len(ledger.incidents()) == listed == info.incidents
                    second.append(time.perf_counter() - start)
            print(
                f"  {size:,} events: first call {min(first):.2f}-{max(first):.2f} s, "
                f"second {min(second):.2f}-{max(second):.2f} s, raw {min(raw):.2f}-{max(raw):.2f} s; "
                f"peak RSS of the first call {max(peaks):,.0f} MiB",
                flush=True,
            )
            r = statistics.median(raw)
            for name, times in (("first call", first), ("second call", second)):
                figures.append(
                    Figure(
                        f"incidents() on {size:,} events",
                        name,
                        statistics.median(times),
                        "s",
                        "raw SELECT+orjson.loads",
                        r,
                        higher_is_better=False,
                    )
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures
