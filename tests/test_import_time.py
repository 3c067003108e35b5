"""
Importing incidents imports no heavy module: they are imported when first used.

Checked in a fresh interpreter each (``sys.modules`` after the import), not
timed: how long an import takes depends on the machine; which modules it
pulls in does not.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "numpy",
    "shapely",
    "psycopg",
    "cryptography",
    "pycountry",
    "importlib.metadata",
)


def _imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "code",
    [
        "import incidents",
        "from incidents import Ledger; Ledger.open(':memory:').close()",
        "import incidents; incidents.Incident, incidents.ValidTime, incidents.Location",
    ],
)
def test_importing_incidents_imports_no_heavy_module(code: str) -> None:
    found = _imported_after(code)
    assert not {m for m in HEAVY if m in found}


def test_importing_incidents_imports_none_of_its_parts() -> None:
    found = _imported_after("import incidents")
    assert {m for m in found if m.startswith("incidents")} <= {"incidents", "incidents._public"}
    assert "eventsourcing" not in found


def test_heavy_modules_come_in_when_first_used() -> None:
    found = _imported_after(
        "import shapely.geometry\n"
        "from incidents import Location, Ledger, examples\n"
        "Location(name='track', geometry=shapely.geometry.LineString([(0, 0), (1, 1)]))\n"
        "with Ledger.open(':memory:') as ledger:\n"
        "    ledger.record(*examples.alaska_2024())\n"
        "    ledger.incident(examples.ALASKA_2024)\n"
    )
    assert {"numpy", "shapely", "pycountry"} <= found
