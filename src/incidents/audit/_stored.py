"""
The checkpoints a ledger keeps, read and checked against the events they describe.

Every column of a stored checkpoint is checked or left out of what verify
reports. The note (origin, size, root, signatures) is checked against the
rebuilt tree and the keys; the signer's key kept beside it must have signed
it; the ``size`` column must be the note's. A checkpoint signed with a
recorded batch also says which batch (``first`` to its size), who recorded
it and when: those events must all carry that recorder and that recording
time, and batches do not overlap. What a checkpoint stored on request says
of who stored it and when is the ledger's word only: verify does not report
it, and bundles do not carry it.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence

import attrs

from incidents._errors import IncidentsError
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import VerifierKey
from incidents.audit._checkpoints import Candidate
from incidents.audit._report import Damage, DamageKind, span
from incidents.storage import AuditCheckpointRow, from_micros

__all__ = ["Batch", "TimeRuns", "batch_damages", "stored_candidates"]


@attrs.frozen
class Batch:
    """What a batch checkpoint's row says of its batch: positions, recorder, recording time."""

    first: int
    size: int
    recorder: str | None
    created_at: int


class TimeRuns:
    """Runs of consecutive events recorded at the same time: ``(µs, first position)``, in order."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.times: list[int] = []

    def add(self, micros: int, position: int) -> None:
        """The events from ``position`` on were recorded at ``micros`` (until the next run)."""
        if not self.times or self.times[-1] != micros:
            self.starts.append(position)
            self.times.append(micros)

    def span_of(self, first: int, last: int) -> int | None:
        """The one recording time of positions ``first`` to ``last``, or ``None`` if they differ."""
        at = bisect.bisect_right(self.starts, first) - 1
        if at < 0:
            return None
        if at + 1 < len(self.starts) and self.starts[at + 1] <= last:
            return None
        return self.times[at]


def stored_candidates(
    rows: Sequence[AuditCheckpointRow],
) -> tuple[list[Candidate], list[Damage], list[VerifierKey], list[Batch]]:
    """
    Read the stored checkpoints.

    Args:
        rows: As the ledger keeps them, in the order they were stored.

    Returns:
        The checkpoints to check the log against; damage found in reading
        them (unreadable, or a size column that is not the note's); the
        signers' keys kept with them; and what the batch checkpoints say of
        their batches, to be checked against the events.

    """
    found: list[Candidate] = []
    damages: list[Damage] = []
    stored_keys: list[VerifierKey] = []
    batches: list[Batch] = []
    for row in rows:
        key = None
        try:
            checkpoint = Checkpoint.parse(row.note)
        except IncidentsError as exc:
            damages.append(
                Damage(
                    DamageKind.CHECKPOINT_MISMATCH,
                    _position(row.size),
                    detail=f"a stored checkpoint cannot be read: {exc}",
                )
            )
            continue
        if row.size != checkpoint.size:
            damages.append(
                Damage(
                    DamageKind.CHECKPOINT_MISMATCH,
                    checkpoint.size,
                    detail=f"the stored checkpoint at size {checkpoint.size} has {row.size!r} in its "
                    "size column: its row was changed",
                )
            )
        if row.key is not None:
            try:
                key = VerifierKey.from_text(row.key)
            except IncidentsError as exc:
                damages.append(
                    Damage(
                        DamageKind.SIGNATURE_INVALID,
                        checkpoint.size,
                        detail=f"the key stored with the checkpoint at size {checkpoint.size} "
                        f"cannot be read: {exc}",
                    )
                )
            else:
                if key not in stored_keys:
                    stored_keys.append(key)
        if row.first is None:
            found.append(Candidate(checkpoint, "ledger", key=key))
            continue
        found.append(Candidate(checkpoint, "batch", row.first, row.recorder, key))
        batches.append(Batch(row.first, checkpoint.size, row.recorder, row.created_at))
    return found, damages, stored_keys, batches


def _position(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def batch_damages(
    batches: Sequence[Batch],
    recorders: Sequence[tuple[bytes, int, int]],
    times: TimeRuns,
    checked: int,
) -> list[Damage]:
    """
    Check what batch checkpoints say of their batches against the events.

    Args:
        batches: From :func:`stored_candidates`, in the order stored.
        recorders: Runs of events by one recorder (raw JSON name, first, last),
            as far as the events were checked.
        times: Runs of events recorded at one time, as far as checked.
        checked: The last position whose row was checked (batches beyond it
            are not: the damage there is reported already).

    Returns:
        One damage per batch checkpoint whose record disagrees with the events.

    """
    starts = [first for _, first, _ in recorders]
    out: list[Damage] = []
    previous = 0
    for batch in batches:
        first, size = batch.first, batch.size
        whose = f"the batch checkpoint at size {size}"
        problem = None
        if not isinstance(first, int) or isinstance(first, bool) or not 1 <= first <= size:
            problem = f"its batch starts at {first!r}, which is not a position up to {size}"
        elif first <= previous:
            problem = f"its batch ({span(first, size)}) overlaps the batch before it, which ends at {previous}"
        elif size <= checked:
            problem = _disagreement(batch, recorders, starts, times)
        if problem is not None:
            out.append(
                Damage(
                    DamageKind.CHECKPOINT_MISMATCH,
                    _position(first if isinstance(first, int) else size),
                    detail=f"{whose} does not match the events it describes: {problem}; "
                    "its stored record was changed",
                )
            )
        if isinstance(first, int) and not isinstance(first, bool):
            previous = max(previous, size)
    return out


def _disagreement(
    batch: Batch,
    recorders: Sequence[tuple[bytes, int, int]],
    starts: Sequence[int],
    times: TimeRuns,
) -> str | None:
    first, size = batch.first, batch.size
    at = bisect.bisect_right(starts, first) - 1
    raw, _, last = recorders[at] if at >= 0 else (b"", 0, 0)
    try:
        name = json.loads(raw) if raw else None
    except ValueError:
        name = None
    if last < size or name != batch.recorder:
        return f"it says {_were(first, size)} recorded by {batch.recorder!r}, the events do not"
    micros = times.span_of(first, size)
    if micros != batch.created_at:
        try:
            said = from_micros(batch.created_at).isoformat()
        except (TypeError, OverflowError):
            said = repr(batch.created_at)
        return f"it says {_were(first, size)} recorded at {said}, the events do not"
    return None


def _were(first: int, last: int) -> str:
    return f"{span(first, last)} {'was' if first == last else 'were'}"
