"""
Every version of every fact, read from a ledger in recording order: what the exports are made of.

A *fact* is what any event but a correction or a retraction states (an
incident's opening, a source, aircraft, a statement, an assessment, and any
type the vocabulary gains later). Each has one or more *versions*: the fact
as first recorded, then the fact as each correction or retraction of its
tree left it (the rules of :func:`incidents.fold`: corrections apply in
recording order, a withdrawn correction no longer applies, a retraction
withdraws unless it is itself withdrawn). A version stands from the
recording time of the event that made it until the recording time of the
event that replaced or withdrew it.

Nothing here names an event type but the two that change facts
(``correction`` and ``retraction``): an event type added to the vocabulary
later is a fact like the others, and its versions are exported with their
type and JSON payload.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from uuid import UUID

import attrs

from incidents._domain.events import Correction, Event, Recorded, Retraction
from incidents._domain.state import settle_events
from incidents._ledger import Ledger

__all__ = ["FactVersion", "ledger_versions", "versions"]


@attrs.frozen(kw_only=True)
class FactVersion:
    """
    One version of one fact, and the stretch of recording time it stood.

    Attributes:
        incident_id: The incident.
        fact_id: The id of the event that stated the fact.
        fact_type: Its type, e.g. ``"aircraft-reported"``.
        number: Which version, from 1.
        event: The fact as this version has it (corrections applied).
        made_by: The recorded event that made this version: the fact itself
            for version 1, else a correction or retraction.
        applied: The corrections applied, in order.
        ended_at: When the next event of its tree replaced or withdrew it
            (``None`` while it stands).
        ended_by: That event.
        withdrawn: Whether it ended because the fact was withdrawn (not
            replaced by a corrected version).
    """

    incident_id: UUID
    fact_id: UUID
    fact_type: str
    number: int
    event: Event
    made_by: Recorded
    applied: tuple[UUID, ...]
    ended_at: datetime | None = None
    ended_by: Recorded | None = None
    withdrawn: bool = False

    @property
    def recorded_at(self) -> datetime:
        """
        When this version was recorded: the recording time of :attr:`made_by`.
        """
        return self.made_by.recorded_at

    @property
    def standing(self) -> bool:
        """
        Whether it is the fact's current version.
        """
        return self.ended_at is None


def _is_change(event: Event) -> bool:
    return isinstance(event, Correction | Retraction)


def versions(records: Iterable[Recorded]) -> list[FactVersion]:
    """
    Every version of every fact of recorded events, in the order they were made.

    Args:
        records: Recorded events in recording order (one incident or several).

    Returns:
        The versions, each ended where a later event ended it.
    """
    made: list[FactVersion] = []
    index_of: dict[UUID, int] = {}  # fact id -> index in made of its latest version
    root_of: dict[UUID, UUID] = {}  # event id -> the fact its tree belongs to
    trees: dict[UUID, list[Event]] = {}
    for record in records:
        event = record.event
        if not _is_change(event):
            root_of[event.event_id] = event.event_id
            trees[event.event_id] = [event]
            index_of[event.event_id] = len(made)
            made.append(
                FactVersion(
                    incident_id=event.incident_id,
                    fact_id=event.event_id,
                    fact_type=event.TYPE,
                    number=1,
                    event=event,
                    made_by=record,
                    applied=(),
                )
            )
            continue
        target = getattr(event, "target_id", None)
        root = root_of.get(target) if isinstance(target, UUID) else None
        if root is None:  # a ledger never holds one: its references are checked
            continue
        root_of[event.event_id] = root
        tree = trees[root]
        tree.append(event)
        withdrawn, effective = settle_events(tree)
        latest = made[index_of[root]]
        gone = withdrawn(root)
        value, applied = effective(root)
        if latest.standing and not gone and (value, applied) == (latest.event, latest.applied):
            continue  # nothing this fact shows changed (a correction of a withdrawn one...)
        if latest.standing:
            made[index_of[root]] = attrs.evolve(
                latest, ended_at=record.recorded_at, ended_by=record, withdrawn=gone
            )
        if gone:
            continue
        index_of[root] = len(made)
        made.append(
            attrs.evolve(
                latest,
                number=latest.number + 1,
                event=value,
                made_by=record,
                applied=applied,
                ended_at=None,
                ended_by=None,
                withdrawn=False,
            )
        )
    return made


def ledger_versions(
    ledger: Ledger, *, known_at: datetime | None = None
) -> Iterator[tuple[UUID, list[FactVersion]]]:
    """
    The versions of every incident of a ledger, as known at a recording time.

    Args:
        ledger: The ledger.
        known_at: Only what had been recorded by then (default: everything).

    Yields:
        Each incident's id and its versions, incidents in order of first recording.
    """
    for incident_id in ledger.incident_ids():
        records = list(ledger.events(incident_id, known_at=known_at))
        if records:
            yield incident_id, versions(records)
