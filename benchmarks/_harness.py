"""
The benchmark harness: timing helpers and the table every benchmark prints.

A benchmark module (``benchmarks/bench_*.py``) defines ``run(quick: bool)``
returning a list of :class:`Figure`. Each figure is a median over several
repetitions, printed beside its baseline (raw sqlite3, psycopg, hashlib or
shapely doing the same work the same way) and the ratio of the two, measured
in the same run. Ratios are the figures to quote: the machines are noisy.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measured figure and its baseline."""

    group: str
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    higher_is_better: bool = True
    target: str = ""

    @property
    def ratio(self) -> float:
        """incidents relative to the baseline; above 1 means incidents is better."""
        if self.higher_is_better:
            return self.value / self.baseline if self.baseline else float("nan")
        return self.baseline / self.value if self.value else float("nan")


def rates(
    group: str,
    name: str,
    count: int,
    cases: dict[str, tuple[Callable[[], object], Callable[[], object] | None]],
    baselines: Mapping[str, str],
    *,
    repeat: int,
    target: str = "",
) -> list[Figure]:
    """
    Time the cases taking turns, then the ledger's events per second beside each baseline's.

    Args:
        group: The table's group.
        name: What was measured.
        count: Events handled in each timed run of every case.
        cases: As for :func:`interleaved_medians`: ``"ledger"`` and the baselines.
        baselines: Each baseline's case name and its label, in the order to print.
        repeat: Rounds.
        target: Printed on the first figure.
    """
    seconds = interleaved_medians(cases, repeat=repeat)
    return [
        Figure(
            group,
            name,
            count / seconds["ledger"],
            "events/s",
            label,
            count / seconds[case],
            target=target if i == 0 else "",
        )
        for i, (case, label) in enumerate(baselines.items())
    ]


def median_seconds(
    fn: Callable[[], object], *, repeat: int = 5, setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``fn()`` over *repeat* runs (``setup()`` untimed before each)."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(
    cases: dict[str, tuple[Callable[[], object], Callable[[], object] | None]],
    *,
    repeat: int = 5,
) -> dict[str, float]:
    """
    Median wall time of each case, the cases taking turns in every round.

    Each case is ``(fn, setup)``; ``setup()`` runs untimed before each
    ``fn()``. Taking turns spreads the machine's noise (other jobs, the disk's
    flushes) over all the cases alike, so their ratios hold better than with
    one case measured after the other.
    """
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, (fn, setup) in cases.items():
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def wal_checkpoint(path: Path) -> None:
    """
    Move an SQLite file's write-ahead log into the database, untimed, before a timed run.

    SQLite does it by itself whenever the log reaches 1,000 pages, in the
    middle of whatever commit gets there, and a timed run that happens to
    hold one more of them than another case's pays for it. Each case
    starting from an empty log makes them fall alike. ``RESTART``, not
    ``TRUNCATE``: the log file keeps its size, as it does between SQLite's
    own checkpoints, so commits do not pay for growing it again.
    """
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
    db.close()


def fmt(value: float) -> str:
    """A number for the table: thousands separators, three significant digits for small ones."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def render(figures: list[Figure]) -> str:
    """The table every benchmark prints."""
    header = ("benchmark", "incidents", "baseline", "ratio", "target")
    rows = [header]
    for f in figures:
        rows.append(
            (
                f"{f.group}: {f.name}",
                f"{fmt(f.value)} {f.unit}",
                f"{fmt(f.baseline)} {f.unit} ({f.baseline_name})",
                f"{f.ratio:.2f}x",
                f.target,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
