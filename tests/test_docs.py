"""
The documentation's examples are executed: every ```python block of every page.

Pages are README.md and every Markdown file under docs/. Blocks of one page
run in order in one namespace, in a fresh temporary folder, so a page reads
like a session; a block nested in a list or an admonition runs too. A block
that cannot run here (a fragment that needs a live server) starts with
``# not executed: <why>``, and the reason is required.

Every fenced block names its language, and Python is always ``python``:
a ```py, ```python3 or unlabelled block would otherwise be skipped unseen.
The docstrings' examples run as doctests, in every module of the package.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import textwrap
from pathlib import Path

import attrs
import pytest

import incidents

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(
    [
        ROOT / "README.md",
        *(
            p
            for p in (ROOT / "docs").rglob("*.md")
            if not p.relative_to(ROOT / "docs").parts[0].startswith("_")
        ),
    ]
)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
NOT_EXECUTED = re.compile(r"^# not executed(?::\s*(?P<why>\S.*))?$")
# Languages whose blocks are Python in all but name: they must say `python`.
PYTHON_ALIASES = {"py", "python3", "py3", "pycon", "pyi", "ipython", "ipython3"}


@attrs.frozen
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def fenced_blocks(page: Path) -> list[Block]:
    """Every fenced code block of *page*, at any indentation, dedented."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if opening is None:
            number += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].strip().split(" ")[0].strip("{}.").lower()
        body: list[str] = []
        end = number + 1
        while end < len(lines):
            closing = FENCE.match(lines[end])
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            body.append(lines[end].removeprefix(indent))
            end += 1
        else:
            pytest.fail(f"{page.relative_to(ROOT)}:{number + 1}: a code block is never closed")
        found.append(Block(page, number + 1, language, textwrap.dedent("\n".join(body)) + "\n"))
        number = end + 1
    return found


def python_blocks(page: Path) -> list[Block]:
    """The blocks of *page* that run: ```python, less those marked ``# not executed``."""
    return [
        b
        for b in fenced_blocks(page)
        if b.language == "python" and NOT_EXECUTED.match(b.code.split("\n", 1)[0]) is None
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(python_blocks(page), start=1):
        try:
            exec(compile(block.code, f"{block.where}[block {number}]", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{block.where} (block {number}) failed: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_blocks_are_labelled(page: Path) -> None:
    for block in fenced_blocks(page):
        assert block.language, (
            f"{block.where}: name the block's language (python, console, text...)"
        )
        assert block.language not in PYTHON_ALIASES, (
            f"{block.where}: write ```python (```{block.language} blocks are not executed)"
        )
        first = block.code.split("\n", 1)[0]
        if block.language == "python" and first.startswith("# not executed"):
            marked = NOT_EXECUTED.match(first)
            why = marked["why"] if marked else None
            assert why, f"{block.where}: say why it is not executed: '# not executed: <why>'"


def test_every_page_is_checked() -> None:
    for name in ("index.md", "tutorial.md", "architecture.md", "time-travel.md"):
        assert (ROOT / "docs" / name) in PAGES
    assert (ROOT / "README.md") in PAGES
    assert python_blocks(ROOT / "docs" / "tutorial.md")


def test_the_block_reader() -> None:
    page = ROOT / "docs" / "tutorial.md"
    blocks = fenced_blocks(page)
    assert all(b.language == "python" for b in blocks)
    assert blocks[0].code.startswith("from datetime import UTC, datetime\n")
    assert blocks[0].line == next(
        n
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if line == "```python"
    )


def _modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(incidents.__path__, "incidents.")]
    return ["incidents", *sorted(n for n in names if n != "incidents.__main__")]  # it runs the CLI


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_package_is_importable_with_version() -> None:
    assert incidents.__version__ != "0.0.0+unknown"
