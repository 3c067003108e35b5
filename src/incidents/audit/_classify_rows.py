"""
Naming the damage at the first bad row of a ledger: modified, deleted, inserted, reordered, truncated.

:func:`~incidents.audit._verify_rows.verify_rows` finds the first row that
does not agree with the stored tree (an :class:`Anomaly`); :func:`classify`
then says what happened there, matching rows against the stored leaf hashes
(which also hold each leaf's event and incident ids): a modified event, a
deleted one (even when the row now standing in its place was changed as
well), an inserted row (a copy of a recorded event, placed before or after
its original, or a stranger), two events that swapped places, or a log cut
short at its first missing position.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from uuid import UUID

import attrs

from incidents._codec.envelope import embedded_sequence
from incidents._tlog.hashing import HASH_SIZE, leaf_hash
from incidents._tlog.tiles import IDS_SIZE, TILE_WIDTH
from incidents.audit._report import Damage, DamageKind, span
from incidents.storage import AuditReader, AuditRow, from_micros

__all__ = ["BATCH", "Anomaly", "Isos", "classify", "classify_without_tree", "ids_at"]

BATCH = 8192
"""Rows read per query while verifying (a multiple of the tile width)."""


class Isos:
    """Recording times as their ISO-8601 bytes, cached (a batch shares one time)."""

    def __init__(self) -> None:
        self.cache: dict[int, bytes] = {}

    def __call__(self, micros: int) -> bytes:
        found = self.cache.get(micros)
        if found is None:
            if len(self.cache) > 4096:
                self.cache.clear()
            found = self.cache[micros] = from_micros(micros).isoformat().encode()
        return found


@attrs.frozen
class Anomaly:
    """The first row that does not agree with the stored tree."""

    index: int  # 0-based position in the order rows were read
    cause: str  # "leaf", "columns", "sequence", "extra", "short"
    anchor: int  # sequence column of the row before it (0 if none)


def ids_at(reader: AuditReader, index: int) -> tuple[UUID | None, UUID | None, bytes | None]:
    """The incident id, event id and leaf hash the stored tree keeps for leaf ``index``."""
    tiles = reader.audit_tiles(0, index // TILE_WIDTH, index // TILE_WIDTH)
    if not tiles:
        return None, None, None
    tile = tiles[0]
    slot = index % TILE_WIDTH
    leaf = tile.hashes[slot * HASH_SIZE : (slot + 1) * HASH_SIZE] or None
    ids = (tile.ids or b"")[slot * IDS_SIZE : (slot + 1) * IDS_SIZE]
    if len(ids) != IDS_SIZE:
        return None, None, leaf
    return UUID(bytes=ids[16:]), UUID(bytes=ids[:16]), leaf


def _row_ids(row: AuditRow) -> tuple[UUID | None, UUID | None]:
    try:
        return UUID(bytes=row[1]), UUID(bytes=row[3])
    except (TypeError, ValueError):
        return None, None


def _rows_from(reader: AuditReader, after: int) -> Iterator[AuditRow]:
    while True:
        rows = reader.audit_rows(after, BATCH)
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


def _column_problem(row: AuditRow, isos: Isos) -> str | None:
    """Say which column disagrees with the row's bytes, or ``None`` (slow path, for reports)."""
    sequence, incident, position, event, topic, micros, state = row
    try:
        recorded_at: object = isos(micros).decode()
    except (TypeError, ValueError, OverflowError):
        recorded_at = micros
    try:
        data = json.loads(state)
        envelope = data["event"]
        found = {
            "sequence": data["sequence"],
            "position": data["position"],
            "recorded_at": data["recorded_at"],
            "incident_id": UUID(envelope["incident_id"]).bytes,
            "event_id": UUID(envelope["event_id"]).bytes,
            "topic": envelope["type"],
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return "its bytes are not a recorded event"
    stored = {
        "sequence": sequence,
        "position": position,
        "recorded_at": recorded_at,
        "incident_id": incident,
        "event_id": event,
        "topic": topic,
    }
    for name, value in stored.items():
        if found[name] != value or type(found[name]) is not type(value):
            shown = [
                str(UUID(bytes=v)) if isinstance(v, bytes) and len(v) == 16 else repr(v)
                for v in (value, found[name])
            ]
            return f"its {name} column says {shown[0]} but its bytes say {shown[1]}"
    return None


def _look_ahead(
    rows: Iterator[AuditRow], position: int, wanted: bytes | None, copied: bytes | None
) -> tuple[int | None, int | None]:
    """
    Look further on: where the event recorded at ``position`` is now, and its copy's original.

    The original is another row of the same bytes as the one found at
    ``position`` (``copied`` is their leaf hash).
    """
    moved_to = original = None
    for offset, later in enumerate(rows, start=position + 1):
        state = later[6]
        if moved_to is None and embedded_sequence(state) == position and leaf_hash(state) == wanted:
            moved_to = offset
        if original is None and copied is not None and leaf_hash(later[6]) == copied:
            original = offset
        if moved_to is not None and (original is not None or copied is None):
            break
    return moved_to, original


def _later_event(
    rows: Iterator[AuditRow],
    position: int,
    later: int,
    ids: tuple[UUID | None, UUID | None],
    wanted: bytes | None,
    found: bytes | None,
    copy_ids: tuple[UUID | None, UUID | None] = (None, None),
) -> Damage:
    """
    Name the damage where ``position`` holds the event recorded at ``later``.

    ``ids`` are the incident and event recorded at ``position``, ``wanted``
    its leaf hash; ``found`` is the leaf hash of the row found there when its
    bytes are those recorded at ``later`` (``None`` when they were changed
    too), ``copy_ids`` the incident and event recorded at ``later``. If that
    event is also found further on, the row is a copy placed before its
    original; otherwise the events recorded before ``later`` were moved
    further on, or are gone.
    """
    incident, event = ids
    holds = f"the event recorded at position {later}" + (
        "" if found is not None else ", whose bytes were changed too"
    )
    moved_to, original = _look_ahead(rows, position, wanted, found)
    if original is not None:
        return Damage(
            DamageKind.INSERTED,
            position,
            *copy_ids,
            detail=f"position {position} holds a copy of the event recorded at position {later}, "
            f"which is still there (now at position {original}): a duplicate placed before its "
            "original",
        )
    if moved_to is not None:
        return Damage(
            DamageKind.REORDERED,
            position,
            incident,
            event,
            f"position {position} holds {holds}; "
            f"the event recorded at position {position} is now at position {moved_to}",
        )
    return Damage(
        DamageKind.DELETED,
        position,
        incident,
        event,
        f"the {later - position} event(s) recorded at {span(position, later - 1)} are gone; "
        f"position {position} now holds {holds}",
    )


def _recorded_position(
    reader: AuditReader,
    event: UUID | None,
    guesses: Sequence[object],
    position: int,
    tree_size: int,
) -> int | None:
    """
    The position after ``position`` at which ``event`` was recorded, if any.

    Found by the ids kept with the leaves, trying the positions the row itself
    names (``guesses``: its embedded sequence and its sequence column).
    """
    if event is None:
        return None
    for guess in guesses:
        if (
            isinstance(guess, int)
            and not isinstance(guess, bool)
            and position < guess <= tree_size
            and ids_at(reader, guess - 1)[1] == event
        ):
            return guess
    return None


def classify(
    reader: AuditReader, anomaly: Anomaly, size: int, tree_size: int, isos: Isos
) -> Damage:
    """
    Name the damage at the first anomaly, matching rows against the stored leaves.

    Args:
        reader: The snapshot being verified.
        anomaly: The first row that does not agree with the stored tree.
        size: How many rows were read.
        tree_size: How many leaves the stored tree holds.
        isos: The recording-time cache of the scan.

    Returns:
        The damage.

    """
    a = anomaly.index
    position = a + 1
    if anomaly.cause == "short":
        incident, event, _ = ids_at(reader, a)
        missing = tree_size - size
        return Damage(
            DamageKind.TRUNCATED,
            position,
            incident,
            event,
            f"the log ends after position {size}; the {missing} event(s) recorded at "
            f"{span(position, tree_size)} are gone",
        )
    rows = _rows_from(reader, anomaly.anchor)
    row = next(rows)
    state = row[6]
    h = leaf_hash(state)
    claimed = embedded_sequence(state)
    row_incident, row_event = _row_ids(row)

    def expected(index: int) -> bytes | None:
        return ids_at(reader, index)[2] if 0 <= index < tree_size else None

    if anomaly.cause == "extra" or a >= tree_size:
        if claimed is not None and 1 <= claimed <= tree_size and expected(claimed - 1) == h:
            what = f"a second copy of the event recorded at position {claimed}"
        else:
            what = "an event that was never recorded in this log"
        return Damage(
            DamageKind.INSERTED,
            position,
            row_incident,
            row_event,
            f"position {position} is beyond the {tree_size} recorded events and holds {what}",
        )
    incident, event, _ = ids_at(reader, a)
    if h == expected(a):
        problem = _column_problem(row, isos) or (
            f"its sequence column says {row[0]} but it is the event recorded at position {position}"
        )
        return Damage(
            DamageKind.MODIFIED,
            position,
            incident,
            event,
            f"the row's columns were changed: {problem}",
        )
    if claimed is not None and claimed != position and expected(claimed - 1) == h:
        if claimed < position:
            return Damage(
                DamageKind.INSERTED,
                position,
                row_incident,
                row_event,
                f"position {position} holds a second copy of the event recorded at position {claimed}",
            )
        copy_ids = ids_at(reader, claimed - 1)[:2]
        return _later_event(rows, position, claimed, (incident, event), expected(a), h, copy_ids)
    # The row's event id (a column) says which recorded event it is, whatever its
    # bytes say now: a later one means the events before it are gone, even when
    # its own bytes were changed as well.
    later_at = _recorded_position(reader, row_event, (claimed, row[0]), position, tree_size)
    if later_at is not None:
        return _later_event(rows, position, later_at, (incident, event), expected(a), None)
    following = next(rows, None)
    if following is not None and leaf_hash(following[6]) == expected(a):
        return Damage(
            DamageKind.INSERTED,
            position,
            row_incident,
            row_event,
            f"position {position} holds an event that was never recorded here; "
            f"the events recorded from position {position} on follow it",
        )
    return Damage(
        DamageKind.MODIFIED,
        position,
        incident,
        event,
        f"the bytes of the event recorded at position {position} were changed "
        f"(leaf hash {h.hex()[:16]}..., recorded {(expected(a) or b'').hex()[:16]}...)",
    )


def classify_without_tree(reader: AuditReader, anomaly: Anomaly, isos: Isos) -> Damage:
    """
    Name the damage at the first row that disagrees with itself, when there is no tree to match.

    Without stored leaves only the rows themselves speak: a row whose columns
    disagree with its bytes, or a gap in the sequence numbers.

    Args:
        reader: The snapshot being verified.
        anomaly: The first row whose columns disagree with its bytes, or whose
            sequence is not the next one.
        isos: The recording-time cache of the scan.

    Returns:
        The damage.

    """
    position = anomaly.index + 1
    row = next(_rows_from(reader, anomaly.anchor))
    incident, event = _row_ids(row)
    sequence = row[0]
    if (
        anomaly.cause == "sequence"
        and isinstance(sequence, int)
        and not isinstance(sequence, bool)
        and sequence > position
    ):
        return Damage(
            DamageKind.DELETED,
            position,
            detail=f"the sequence numbers jump from {position - 1} to {sequence}: the events at "
            f"{span(position, sequence - 1)} are gone",
        )
    problem = _column_problem(row, isos) or f"its sequence column says {sequence!r}"
    return Damage(
        DamageKind.MODIFIED,
        position,
        incident,
        event,
        f"the row at position {position} disagrees with itself: {problem}",
    )
