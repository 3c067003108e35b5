"""
Run every benchmark: ``python -m benchmarks [--quick] [NAME ...]``.

Each module ``benchmarks/bench_NAME.py`` contributes rows to one table; a
ratio compares incidents with a raw baseline measured in the same run
(above 1x: incidents is faster or equal). Run together, each benchmark runs
in a process of its own, so that none inherits another's heap (the audit
benchmark leaves a million events' worth of freed memory behind).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
import time

import benchmarks
from benchmarks._harness import render


def main() -> int:
    names = sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "only",
        nargs="*",
        choices=[*names, []] if names else None,
        help="benchmarks to run (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repetitions")
    args = parser.parse_args()
    # The scale benchmark builds a ten-million-event ledger: only when named (make bench-scale).
    selected = args.only or [n for n in names if n != "scale"]
    if len(selected) > 1:
        for name in selected:
            command = [sys.executable, "-m", "benchmarks", name, *(["--quick"] * args.quick)]
            code = subprocess.call(command)
            if code:
                return code
        return 0
    for name in selected:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        started = time.perf_counter()
        print(f"== {name} ==", flush=True)
        figures = module.run(quick=args.quick)
        print(render(figures))
        print(f"({time.perf_counter() - started:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
