"""
Progress on long runs: a rich progress bar on a terminal, a few plain lines in a log.

Progress goes to standard error, so what a command prints on standard
output stays the same whether or not it is watched. On a terminal the bar is
redrawn in place by :mod:`rich` (in colour unless ``NO_COLOR`` is set);
anywhere else (a file, a pipe, CI) about one line is written per tenth of
the way, so that a log shows the run without filling up.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, TextIO

from incidents._cli.output import cell, colour_wanted, printable

__all__ = ["ProgressBar", "working"]


def _console(stream: TextIO) -> Any:
    from rich.console import Console

    colour = colour_wanted(stream)
    return Console(
        file=stream,
        force_terminal=True,
        color_system="standard" if colour else None,
        no_color=not colour,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )


class ProgressBar:
    """
    A progress bar on a stream: drawn by rich in place on a terminal, a few lines otherwise.

    Call it with how far the run has reached and where it ends; close it (or
    use it as a context manager) when the run is over.

    Args:
        label: What is progressing, e.g. ``"rebuilding timeline"``.
        start: Where the run starts from (for the rate).
        stream: Where to draw (default: standard error).
        counting: What the numbers count, e.g. ``"sequence"`` or ``"incident"``.
        unit: What the rate counts, e.g. ``"events"``.
        total: Where the run ends, if known before the first call.
    """

    def __init__(
        self,
        label: str,
        start: int = 0,
        stream: TextIO | None = None,
        *,
        counting: str = "sequence",
        unit: str = "events",
        total: int | None = None,
    ) -> None:
        self.label = printable(label)
        self.start = start
        self.stream = stream if stream is not None else sys.stderr
        self.counting = counting
        self.unit = unit
        self.started = time.monotonic()
        self.shown_tenths = -1
        self.terminal = _isatty(self.stream)
        self.progress: Any = None
        self.task: Any = None
        self.last_drawn = 0.0
        if self.terminal:
            self._start_rich(total)

    def _start_rich(self, total: int | None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn(self.counting, markup=False),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=_console(self.stream),
            auto_refresh=False,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(cell(self.label), total=total, completed=self.start)

    def __call__(self, reached: int, head: int) -> None:
        """
        Show that *reached* of *head* is done.
        """
        if self.progress is not None:
            self.progress.update(self.task, completed=reached, total=max(head, reached))
            now = time.monotonic()
            if reached >= head or now - self.last_drawn >= 0.1:
                self.last_drawn = now
                self.progress.refresh()
            return
        fraction = 1.0 if head <= 0 else min(1.0, reached / head)
        if int(fraction * 10) <= self.shown_tenths:
            return
        self.shown_tenths = int(fraction * 10)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        bar = "#" * int(fraction * 30)
        text = (
            f"{self.label} [{bar:<30}] {fraction:4.0%} {self.counting} {reached:,}/{head:,}"
            f" ({max(reached - self.start, 0) / elapsed:,.0f} {self.unit}/s)"
        )
        self.stream.write(printable(text) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """
        End the bar: its last state stays on the terminal.
        """
        if self.progress is not None:
            self.progress.refresh()
            self.progress.stop()
            self.progress = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:
        return False


@contextlib.contextmanager
def working(label: str, stream: TextIO | None = None) -> Iterator[None]:
    """
    A spinner with *label* on a terminal while a run of unknown length goes on; nothing elsewhere.

    Args:
        label: What is being done, e.g. ``"verifying ledger.db"``.
        stream: Where to draw (default: standard error).
    """
    stream = stream if stream is not None else sys.stderr
    if not _isatty(stream):
        yield
        return
    with _console(stream).status(cell(printable(label))):
        yield
