"""
The reliability tests' figures: a summary at the end of the run, and optionally a JSON report.

Each test records its figures with ``record_property`` (kills survived,
events acknowledged, writers, events, fuzz cases per decoder); they travel
with the test's report, also from ``pytest -n`` workers. At the end of the
run they are printed under "reliability figures", and written as JSON to
``$INCIDENTS_SOAK_REPORT`` when it is set (``make soak`` sets it).
"""

from __future__ import annotations

import json
import os
from typing import Any


def _figures(reporter: Any) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for outcome in ("passed", "failed", "xfailed", "xpassed"):
        for report in reporter.stats.get(outcome, []):
            if getattr(report, "when", None) != "call" or not report.user_properties:
                continue
            found.append((report.nodeid, outcome, dict(report.user_properties)))
    return sorted(found)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print every reliability test's figures, and write them to $INCIDENTS_SOAK_REPORT."""
    found = _figures(terminalreporter)
    if not found:
        return
    terminalreporter.section("reliability figures")
    for nodeid, outcome, figures in found:
        name = nodeid.split("::", 1)[-1]
        shown = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in figures.items()
        )
        terminalreporter.write_line(f"{name} [{outcome}]: {shown}")
    path = os.environ.get("INCIDENTS_SOAK_REPORT")
    if path:
        document = [{"test": n, "outcome": o, "figures": f} for n, o, f in found]
        with open(path, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.write("\n")
