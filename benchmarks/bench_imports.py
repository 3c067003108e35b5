"""
Import time: ``import incidents`` beside ``python -c pass`` and ``import eventsourcing``.

Each case is a fresh interpreter (``python -c ...``), the cases taking
turns in every round; the figure is the median wall time of 10 rounds (5
with --quick). Printed beside it: what ``python -X importtime`` counts for
every module the case imports (self times added up, so the interpreter's
own start-up modules count in every case, ``pass`` included), and which
heavy modules each case imported.

Target: ``import incidents`` under 0.2 s. Heavy modules (numpy and shapely,
cryptography, pycountry, ``importlib.metadata``, psycopg) are imported when
first used (see ``incidents._lazy``); ``from incidents import Ledger``
imports what the ledger needs and no more.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time

from benchmarks._harness import Figure

CASES = {
    "pass": "pass",
    "eventsourcing": "import eventsourcing",
    "eventsourcing app": "import eventsourcing.application",
    "incidents": "import incidents",
    "Ledger": "from incidents import Ledger",
    "Ledger opened": "from incidents import Ledger; Ledger.open(':memory:').close()",
}
HEAVY = ("numpy", "shapely", "psycopg", "cryptography", "pycountry", "importlib.metadata")


def _wall(code: str) -> tuple[float, set[str]]:
    """Wall seconds of a fresh interpreter running *code*, and the heavy modules it imported."""
    probe = f"{code}\nimport sys as _s\nprint(' '.join(_s.modules))"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    modules = set(done.stdout.split())
    return wall, {m for m in HEAVY if m in modules}


def _importtime(code: str) -> float:
    """Seconds ``-X importtime`` counts for everything *code* imports (self times added up)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True,
        capture_output=True,
        text=True,
    )
    total = 0
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|", line)
        if m:
            total += int(m.group(1))
    return total / 1e6


def run(quick: bool) -> list[Figure]:
    rounds = 5 if quick else 10
    walls: dict[str, list[float]] = {name: [] for name in CASES}
    counted: dict[str, list[float]] = {name: [] for name in CASES}
    heavy: dict[str, set[str]] = {}
    for _ in range(rounds):
        for name, code in CASES.items():
            wall, found = _wall(code)
            walls[name].append(wall)
            heavy[name] = found
            counted[name].append(_importtime(code))
    for name in CASES:
        w, c = walls[name], counted[name]
        print(
            f"  {CASES[name]!r}: median {statistics.median(w) * 1000:.0f} ms "
            f"({min(w) * 1000:.0f}-{max(w) * 1000:.0f}); -X importtime, all imports: "
            f"{statistics.median(c) * 1000:.0f} ms ({min(c) * 1000:.0f}-{max(c) * 1000:.0f}); "
            f"heavy modules: {', '.join(sorted(heavy[name])) or 'none'}",
            flush=True,
        )
    median = {name: statistics.median(w) for name, w in walls.items()}
    return [
        Figure(
            "import",
            f"{CASES[name]} (fresh interpreter, wall)",
            median[name],
            "s",
            baseline,
            median[base],
            higher_is_better=False,
            target="< 0.2 s" if name == "incidents" else "",
        )
        for name, base, baseline in (
            ("incidents", "pass", "python -c pass"),
            ("incidents", "eventsourcing", "import eventsourcing"),
            ("Ledger", "eventsourcing app", "import eventsourcing.application"),
            ("Ledger opened", "eventsourcing app", "import eventsourcing.application"),
        )
    ]
