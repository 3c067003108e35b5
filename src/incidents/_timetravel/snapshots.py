"""
Fold snapshots: the expensive part of a fold, kept in storage as derived data.

A snapshot journals, for a stretch of an incident's stream, the *effect* of
each correction and retraction (which version of its fact it opened or
closed, which events it withdrew or reinstated), so that a fold can be
brought back without applying corrections again. Snapshots are versioned by
:data:`SNAPSHOT_FORMAT` and by the codec's format, can be dropped and
rebuilt at any time, and are never trusted over the events: one whose
header, positions, event ids or effects do not fit the stream as read is
rejected (:class:`~incidents._timetravel.fold.StaleSnapshotError`) and the
fold recomputed.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from incidents._codec.canonical import FORMAT_VERSION, converter
from incidents._codec.trusted import structure_trusted
from incidents._domain.events import Event
from incidents._timetravel.fold import BitemporalFold, Effect, StaleSnapshotError
from incidents.storage import FoldSnapshot

__all__ = ["SNAPSHOT_FORMAT", "Plan", "decode_effect", "encode_snapshot", "read_plan"]

SNAPSHOT_FORMAT = 1
"""Version of the snapshot layout and of the fold rules it records.

Bump it whenever either changes: snapshots of another format are ignored
(and rebuilt from the events), never misread.
"""


def encode_snapshot(folded: BitemporalFold, first: int) -> FoldSnapshot:
    """
    The journaled effects of positions ``first..folded.position`` as a snapshot.

    Args:
        folded: A fold whose journal covers those positions.
        first: The first position covered.

    Returns:
        The snapshot, ready to be saved in the store.
    """
    last = folded.position
    effects = []
    for q in range(first, last + 1):
        effect = folded.journal.get(q)
        if effect is None:
            continue
        if isinstance(effect.version, tuple):
            event, applied = effect.version
            version: Any = [
                converter.unstructure(event, Event),
                [folded.position_of[i] for i in applied],
            ]
        else:
            version = effect.version
        effects.append([q, effect.root, version, [[p, int(w)] for p, w in effect.flips]])
    body = {
        "format": SNAPSHOT_FORMAT,
        "codec": FORMAT_VERSION,
        "incident": str(folded.incident_id),
        "first": first,
        "last": last,
        "last_event": str(folded.event_ids[last - 1]),
        "last_sequence": folded.sequence,
        "effects": effects,
    }
    data = zlib.compress(json.dumps(body, separators=(",", ":")).encode("utf-8"), 6)
    return FoldSnapshot(
        incident_id=folded.incident_id,
        format=SNAPSHOT_FORMAT,
        first_position=first,
        last_position=last,
        last_event_id=folded.event_ids[last - 1],
        last_sequence=folded.sequence,
        data=data,
    )


class Plan:
    """The effects a chain of snapshots journals, waiting for their positions."""

    def __init__(self) -> None:
        self.covered_until = 0
        self.effects: dict[int, list[Any]] = {}
        self.marks: dict[int, tuple[UUID, int]] = {}


def read_plan(snapshots: Sequence[FoldSnapshot], incident_id: UUID) -> Plan:
    """
    The effects journaled by a chain of stored snapshots, from position 1 on.

    Args:
        snapshots: The incident's stored snapshots (of this format).
        incident_id: The incident.

    Returns:
        The plan: the effects by position, where each snapshot ends, and the
        last position covered (0 when no snapshot starts the chain).

    Raises:
        StaleSnapshotError: If a snapshot's header does not match its row.
        ValueError, KeyError, TypeError, zlib.error: If a snapshot cannot be read.
    """
    plan = Plan()
    following = 1
    while True:
        best = max(
            (c for c in snapshots if c.first_position <= following <= c.last_position),
            key=lambda c: c.last_position,
            default=None,
        )
        if best is None:
            return plan
        body = json.loads(zlib.decompress(best.data))
        if (
            body["format"] != SNAPSHOT_FORMAT
            or body["codec"] != FORMAT_VERSION
            or body["incident"] != str(incident_id)
            or body["first"] != best.first_position
            or body["last"] != best.last_position
        ):
            raise StaleSnapshotError("snapshot header does not match its row")
        for effect in body["effects"]:
            if effect[0] >= following:
                plan.effects[int(effect[0])] = effect
        plan.marks[best.last_position] = (best.last_event_id, best.last_sequence)
        plan.covered_until = best.last_position
        following = best.last_position + 1


def decode_effect(raw: list[Any], folded: BitemporalFold, event_id: UUID) -> Effect:
    """
    One journaled effect as the fold replays it.

    Args:
        raw: The effect as stored: ``[position, root, version, flips]``.
        folded: The fold it is replayed into (which has every earlier position).
        event_id: The id of the correction or retraction at that position.

    Returns:
        The effect.

    Raises:
        ValueError, TypeError, IndexError, StorageError: If it cannot be decoded.
    """
    q, root, version, flips = raw
    if version is None or version == "close":
        decoded: Any = version
    else:
        event = structure_trusted(version[0])
        # The effect is decoded before its own event joins the fold.
        applied = tuple(
            event_id if int(p) == q else folded.event_ids[int(p) - 1] for p in version[1]
        )
        decoded = (event, applied)
    return Effect(int(root), decoded, tuple((int(p), bool(w)) for p, w in flips))
