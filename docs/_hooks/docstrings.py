"""
Griffe extension: the docstrings' habits, shown as Markdown.

The docstrings are written for ``help()`` and doctest as much as for this
site, and keep habits that Markdown or the Google-style parser would
misread:

* **Bare doctest examples**, outside any ``Examples:`` section, as the
  standard library writes them: Markdown would read ``>>>`` as nested quotes
  and ``[...][...]`` as links. Each run of lines from a ``>>>`` at the margin
  to the next blank line (an example and its expected output, as doctest
  reads them) is fenced as ``pycon``. Examples inside an ``Examples:``
  section are indented, and the docstring parser already shows them as code.
* **``Example:``**, which the parser does not know as a section heading
  (Napoleon does): it is read as ``Examples:``.
* **Sphinx roles**: ``:class:`~incidents.Recorded``` becomes a link to that
  name's reference where the site documents it, and plain code where it does
  not (a private module, say); ``:doc:`time-travel``` becomes a link to that
  page, which the strict build checks like any other link.
* **Classes made by ``__new__``** (a tuple subclass, say) document its
  arguments under ``Args:``; the parser checks those against ``__init__``,
  so such a class is given an ``__init__`` with ``__new__``'s parameters,
  which the reference then shows as the class's signature.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|mod|data|exc|obj|doc):`(~?)([^`]+)`")
EXAMPLE = re.compile(r"^(\s*)Example:\s*$")


def markdown(text: str, resolve: Callable[[str], str]) -> str:
    """
    *text* with its bare doctests fenced and its roles made links.

    Args:
        text: A docstring.
        resolve: The full name of a name used in it, as Python would look
            it up from where the docstring is.

    Returns:
        The docstring as Markdown.
    """
    lines: list[str] = []
    in_fence = in_example = False
    for line in text.splitlines():
        if in_example and not line.strip():
            lines.append("```")
            in_example = False
        elif not in_example and not in_fence and line.startswith(">>>"):
            if lines and lines[-1].strip():
                lines.append("")
            lines.append("```pycon")
            in_example = True
        elif not in_example and line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_example or in_fence:
            lines.append(line)
        else:
            heading = EXAMPLE.sub(r"\1Examples:", line)
            lines.append(ROLE.sub(lambda match: _link(match, resolve), heading))
    if in_example:
        lines.append("```")
    return "\n".join(lines)


def _link(match: re.Match[str], resolve: Callable[[str], str]) -> str:
    kind, short, target = match.groups()
    if kind == "doc":
        return f"[{target}](../{target}.md)"  # reference pages live in reference/
    title = target.rsplit(".", 1)[-1] if short else target
    if kind in ("func", "meth"):
        title += "()"
    # Optional: an unresolved identifier renders as plain code, without a warning.
    return f'<autoref optional identifier="{resolve(target)}"><code>{title}</code></autoref>'


class Docstrings(griffe.Extension):
    """Rewrites every docstring of the package once it is loaded, before any is parsed."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = markdown(obj.docstring.value, _resolver(obj))
            if isinstance(obj, griffe.Class):
                _init_from_new(obj)


def _init_from_new(cls: griffe.Class) -> None:
    new = cls.members.get("__new__")
    if "__init__" in cls.members or not isinstance(new, griffe.Function) or not new.parameters:
        return
    first, *rest = new.parameters
    self = griffe.Parameter("self", kind=first.kind)
    init = griffe.Function(
        "__init__",
        lineno=new.lineno,
        endlineno=new.endlineno,
        parameters=griffe.Parameters(self, *rest),
        returns="None",
    )
    cls.set_member("__init__", init)


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


def _resolver(obj: griffe.Object) -> Callable[[str], str]:
    scope = obj if obj.is_module or obj.is_class or obj.parent is None else obj.parent

    def resolve(name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "incidents":
            return name
        try:
            found = scope.resolve(head)
        except griffe.NameResolutionError:
            return name
        return f"{found}.{rest}" if rest else found

    return resolve
