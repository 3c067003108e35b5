"""
An incident's timeline as a table on a terminal, laid out by :mod:`rich`.

Columns are measured in display cells, not characters: a source named
中华人民共和国国防部 takes the twenty cells it fills, and the columns
after it stay aligned. Cells wrap within their column; the notes below wrap
with a hanging indent. Every piece of text is escaped (:func:`cell`) before
rich sees it, and rich is never asked to read markup.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table

from incidents._cli.output import cell, displayed, emit_rendered
from incidents.projections import IncidentTimeline

__all__ = ["emit_timeline", "timeline_renderable"]

TIMES_NOTE = (
    "Times are as precise as the sources gave them, each as the wall clock read in the "
    "time zone the source gave (named in brackets): a date is that whole day there. "
    "Entries are in order of their earliest possible instant; grades are Admiralty "
    "source reliability (A-F) and information credibility (1-6)."
)


def _notes_table(rows: list[tuple[str, str]]) -> Table:
    """Numbered notes: the mark, then its text wrapped under itself."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for mark, text in rows:
        grid.add_row(cell(mark), cell(text))
    return grid


def timeline_renderable(timeline: IncidentTimeline) -> Any:
    """
    The timeline as a rich renderable: heading, table, what the times mean, notes.

    Args:
        timeline: The timeline (its text is escaped here).

    Returns:
        A ``rich.console.Group``.
    """
    timeline = displayed(timeline)
    parts: list[Any] = [cell(line) for line in timeline.heading()]
    parts.append(cell(""))
    if not timeline.entries:
        parts.append(cell("No dated facts recorded."))
        return Group(*parts)
    marks: dict[int, list[str]] = {}
    footnotes: list[tuple[str, str]] = []
    for entry, note in timeline.notes():
        number = len(footnotes) + 1
        marks.setdefault(entry.number, []).append(f"{note.kind.upper()} [{number}]")
        footnotes.append((f"[{number}]", timeline._footnote(entry, note)))
    for entry in timeline.entries:
        for assessment in entry.assessments:
            number = len(footnotes) + 1
            grade = assessment.credibility.value
            marks.setdefault(entry.number, []).append(f"ASSESSED {grade} [{number}]")
            footnotes.append((f"[{number}]", f"#{entry.number}: {assessment.describe()}"))
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        header_style="bold",
    )
    table.add_column("#", no_wrap=True, max_width=4)
    table.add_column("WHEN (valid time)", max_width=32, overflow="fold")
    table.add_column("WHAT", min_width=24, overflow="fold")
    table.add_column("SOURCE [grade]", max_width=24, overflow="fold")
    for e in timeline.entries:
        when = e.when + (f'\n"{e.wording}"' if e.wording else "")
        source = "\n".join([e.source, *marks.get(e.number, [])])
        table.add_row(cell(str(e.number)), cell(when), cell(e.what), cell(source))
    parts.extend([table, cell(""), cell(TIMES_NOTE)])
    if footnotes:
        parts.extend([cell(""), cell("Notes:"), _notes_table(footnotes)])
    if timeline.assessments:
        parts.extend([cell(""), cell("Assessments of what has no entry:")])
        rows = [("-", f"{a.target_id.hex[:8]}: {a.describe()}") for a in timeline.assessments]
        parts.append(_notes_table(rows))
    return Group(*parts)


def emit_timeline(timeline: IncidentTimeline, width: int) -> None:
    """
    Print the timeline as a table *width* display cells wide (at least 72).

    Args:
        timeline: The timeline.
        width: Display cells per line.
    """
    emit_rendered(timeline_renderable(timeline), max(72, min(width, 4096)))
