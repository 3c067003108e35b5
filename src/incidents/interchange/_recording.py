"""
Recording what an import checked: all of it in one batch, or nothing; what is there already, skipped.

Every event an import makes has an id that does not change when the same
file is imported again (the event's own id, or a UUIDv5 of what a row says).
An event already in the ledger with the same content is skipped; one with
the same id and other content is a problem of its line (the file was edited
since it was imported). What is left is recorded in one
:meth:`~incidents.Ledger.record`: one transaction, all or nothing, with the
ledger's own checks (sources registered, references, corrections); a
problem they find is reported on its line too.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import attrs

from incidents._codec.canonical import event_text
from incidents._codec.trusted import decode_trusted
from incidents._domain.events import Event, Recorded
from incidents._domain.limits import MAX_BATCH_EVENTS
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger
from incidents.interchange._problems import ImportRejectedError, Problems

__all__ = ["ImportResult", "record_all"]

_LOOKUP = 5_000  # event ids looked up at a time


@attrs.frozen
class ImportResult:
    """
    What an import recorded.

    Attributes:
        recorded: The events recorded, as the ledger recorded them (one
            batch; empty when everything was there already).
        skipped: How many events of the file were in the ledger already.
    """

    recorded: tuple[Recorded, ...]
    skipped: int

    def __len__(self) -> int:
        return len(self.recorded)


def record_all(
    ledger: Ledger,
    events: Sequence[tuple[int, Event]],
    problems: Problems,
    *,
    recorder: str | None = None,
) -> ImportResult:
    """
    Record the events not yet in the ledger, in one batch, or raise naming every problem.

    Args:
        ledger: The ledger.
        events: Each event with the line it comes from, in the order to record them.
        problems: The problems found so far (raised if there are any).
        recorder: Who records the batch (default: the ledger's recorder).

    Returns:
        What was recorded and what was skipped.

    Raises:
        ImportRejectedError: If any line has a problem; nothing was recorded.
    """
    problems.check()
    ids = [e.event_id for _, e in events]
    stored: dict[UUID, Event] = {}
    for start in range(0, len(ids), _LOOKUP):
        for row in ledger.store.rows_of(ids[start : start + _LOOKUP]):
            stored[row.event_id] = decode_trusted(row.state).event
    new: list[Event] = []
    lines: dict[UUID, int] = {}
    for line, event in events:
        lines[event.event_id] = line
        there = stored.get(event.event_id)
        if there is None:
            new.append(event)
        elif event_text(there) != event_text(event):
            problems.add(
                line,
                "event_id",
                f"a new event, but {event.TYPE} {event.event_id} is recorded already with "
                "other content (was the file changed since it was imported?)",
            )
    if len(new) > MAX_BATCH_EVENTS:
        problems.add(
            0,
            "",
            f"at most {MAX_BATCH_EVENTS:,} events are recorded in one import, this file makes "
            f"{len(new):,}: split it",
        )
    problems.check()
    if not new:
        return ImportResult((), len(events))
    try:
        recorded = ledger.record(*new, recorder=recorder)
    except ImportRejectedError:
        raise
    except InvalidInputError as exc:
        message = str(exc)
        line = next((n for i, n in lines.items() if str(i) in message), 0)
        problems.add(line, "", message)
        raise problems.error() from None
    return ImportResult(tuple(recorded), len(events) - len(new))
