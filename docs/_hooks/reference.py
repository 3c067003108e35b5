"""
MkDocs hook: an API reference page for every ``reference/<module>.md`` in the nav.

A nav line such as ``- incidents.storage: reference/incidents.storage.md``
is all a reference page needs: when no such file exists, this hook adds one
that renders ``::: incidents.storage`` (mkdocstrings) from the module's
docstrings. A real file at that path wins, for a page that needs prose.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

PREFIX = "reference/"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path in _nav_paths(config.nav or []):
        if not (path.startswith(PREFIX) and path.endswith(".md")):
            continue
        if files.get_file_from_path(path) is None:
            module = path.removeprefix(PREFIX).removesuffix(".md")
            files.append(File.generated(config, path, content=f"# `{module}`\n\n::: {module}\n"))
    return files


def _nav_paths(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_paths(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_paths(value)
