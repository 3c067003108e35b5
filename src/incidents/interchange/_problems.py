"""
What an import found wrong: every bad line, the field and what was expected.

An import checks the whole file before it records anything. Each problem
found is a :class:`Problem`; when there is any, the import raises one
:class:`ImportRejectedError` naming them all (the first
:data:`MAX_PROBLEMS` of them, and how many more there were), and nothing is
recorded.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from incidents._domain.limits import shown
from incidents._errors import InvalidInputError

__all__ = ["MAX_PROBLEMS", "ImportRejectedError", "Problem", "Problems"]

MAX_PROBLEMS = 1_000
"""Problems kept (and listed in the message) for one import; the rest are only counted."""

# A message quotes at most this much of what was found in a cell or a line.
_SHOWN = 80


@attrs.frozen
class Problem:
    """
    One thing wrong with one line of an imported file.

    Attributes:
        line: The line (or spreadsheet row) it is on, from 1; 0 for the
            file as a whole (or its mapping).
        field: The column, JSON member or mapping key concerned (``""``
            when it is the line as a whole).
        expected: What was expected there, and what was found.
    """

    line: int
    field: str
    expected: str

    def describe(self) -> str:
        """
        The problem in one line, e.g. ``"line 4, count: expected a whole number..."``.
        """
        where = "the file" if self.line == 0 else f"line {self.line}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.expected}"

    def __str__(self) -> str:
        return self.describe()


class ImportRejectedError(InvalidInputError):
    """
    An imported file has problems: none of it was recorded.

    The message lists every problem found (up to :data:`MAX_PROBLEMS`).

    Attributes:
        problems: The problems, in the order of the file's lines.
        more: How many further problems were found but not kept.
        path: The file, as given.
    """

    def __init__(self, path: str, problems: Iterable[Problem], more: int = 0) -> None:
        self.path = path
        self.problems = tuple(problems)
        self.more = more
        count = len(self.problems) + more
        lines = [f"{path}: {count:,} problem{'s' * (count != 1)}; nothing was recorded"]
        lines.extend(f"  {p.describe()}" for p in self.problems)
        if more:
            lines.append(f"  ... and {more:,} more")
        super().__init__("\n".join(lines))

    @property
    def lines(self) -> tuple[int, ...]:
        """
        The lines with problems, each once, in order.
        """
        return tuple(sorted({p.line for p in self.problems}))


class Problems:
    """
    The problems of one import, as they are found.

    Args:
        path: The file, to name it in the error.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Problem] = []
        self.more = 0

    def add(self, line: int, field: str, expected: str) -> None:
        """
        Note a problem.

        Args:
            line: Its line, from 1 (0: the file as a whole).
            field: The field concerned, if any.
            expected: What was expected, and what was found.
        """
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(Problem(line, field, expected))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.found)

    def __len__(self) -> int:
        return len(self.found) + self.more

    def error(self) -> ImportRejectedError:
        """
        The error naming every problem, in line order.
        """
        found = sorted(self.found, key=lambda p: p.line)
        return ImportRejectedError(self.path, found, self.more)

    def check(self) -> None:
        """
        Raise the error if there is any problem.

        Raises:
            ImportRejectedError: If a problem was noted.
        """
        if self.found:
            raise self.error()


def found(value: object) -> str:
    """
    A short rendering of what was found, for a problem's ``expected``.

    Args:
        value: A cell, a member or a line.

    Returns:
        Its repr, cut to a few dozen characters.
    """
    if isinstance(value, str) and len(value) > _SHOWN:
        return f"{value[:_SHOWN]!r}... ({len(value):,} characters)"
    return shown(value)
