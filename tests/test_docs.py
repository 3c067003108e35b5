"""
The documentation's examples are executed: every ```python block of every page.

Blocks of one page run in order in one namespace, in a fresh temporary
folder, so a page reads like a session. A block whose first line is
``# not executed`` is skipped (for fragments that need a live server).
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import incidents

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks(page: Path) -> list[str]:
    return [
        b
        for b in BLOCK.findall(page.read_text(encoding="utf-8"))
        if not b.startswith("# not executed")
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, code in enumerate(blocks(page), start=1):
        try:
            exec(compile(code, f"{page.name}[block {number}]", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{page.name} block {number} failed: {type(exc).__name__}: {exc}")


def test_every_page_is_checked() -> None:
    assert (ROOT / "docs" / "tutorial.md") in PAGES
    assert (ROOT / "docs" / "architecture.md") in PAGES


@pytest.mark.parametrize(
    "module",
    [
        m
        for m in __import__("sys").modules.values()
        if getattr(m, "__name__", "").startswith("incidents")
    ],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module: object) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert failures == 0


def test_package_is_importable_with_version() -> None:
    assert incidents.__version__ != "0.0.0+unknown"
