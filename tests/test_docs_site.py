"""
The documentation site builds with every warning an error, as ``make docs`` does.

Strict mode fails on a broken link or anchor, a page left out of the nav, and
a docstring the reference cannot read. Beyond that, the reference must cover
the public API: every public module has a page in the nav, and every name in
its ``__all__`` is documented there.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import incidents

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"^\s*- [^:]+: reference/(?P<module>[\w.]+)\.md\s*$", re.M)


def reference_modules() -> list[str]:
    """The modules with a reference page, as the nav of mkdocs.yml lists them."""
    return REFERENCE.findall((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def public_modules() -> list[str]:
    found = ["incidents"]
    for module in pkgutil.iter_modules(incidents.__path__, "incidents."):
        if not module.name.rsplit(".", 1)[-1].startswith("_"):
            found.append(module.name)
    return sorted(found)


def test_every_public_module_has_a_reference_page() -> None:
    missing = sorted(set(public_modules()) - set(reference_modules()))
    assert not missing, "add to the nav in mkdocs.yml: " + ", ".join(
        f"'- {m}: reference/{m}.md'" for m in missing
    )


def test_site_builds_strictly_and_documents_every_public_name(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (site / "index.html").is_file()
    assert (site / "tutorial" / "index.html").is_file()

    undocumented = []
    for name in reference_modules():
        page = (site / "reference" / name / "index.html").read_text(encoding="utf-8")
        anchors = set(re.findall(r'id="([^"]+)"', page))
        module = importlib.import_module(name)
        undocumented += [f"{name}.{n}" for n in module.__all__ if f"{name}.{n}" not in anchors]
    assert not undocumented, "give these a docstring: " + ", ".join(undocumented)
