"""
The layer contract in pyproject.toml holds, and breaks when a layer imports upward.

``make lint`` runs import-linter on the package as it is; these tests also
show that the contract is not vacuous: the same contract run on a copy of the
package with one upward import added fails and names that import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import incidents

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(incidents.__file__).resolve().parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent))


def _lint(source_root: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS is not None, "import-linter is part of the dev extra"
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=source_root,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "incidents", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_package_keeps_its_layers() -> None:
    result = _lint(PACKAGE.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("_domain/time.py", "incidents._ledger"),  # the pure domain reaching the ledger
        ("storage/_memory.py", "incidents.projections"),  # storage reaching a read model
        ("_domain/geo.py", "incidents._domain.events"),  # inside the domain: geometry above events
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path: Path, module: str, upward: str) -> None:
    copy = _copy(tmp_path)
    target = copy / "incidents" / module
    target.write_text(target.read_text() + f"\nimport {upward}  # upward on purpose\n")

    result = _lint(copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert upward in result.stdout


def test_an_import_cycle_breaks_the_contract(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    target = copy / "incidents" / "_cli" / "common.py"
    target.write_text(target.read_text() + "\nimport incidents._cli.basic  # a cycle on purpose\n")

    result = _lint(copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "No cycles are allowed in incidents._cli" in result.stdout
