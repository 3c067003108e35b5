"""
Verifying a bundle's lines: canonical event bytes against checkpoints alone.

Bundles (:mod:`incidents.audit._bundle`) carry no stored leaves, only
checkpoints; :func:`verify_lines` classifies their damage from the envelope
every event carries (its own sequence number) and narrows modifications down
to the span between two checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from incidents._codec.envelope import embedded_sequence, line_ids, recorder_text
from incidents._gc import Turns
from incidents._tlog.notes import VerifierKey
from incidents._tlog.tiles import leaf_hashes
from incidents.audit._checkpoints import (
    Candidate,
    Rebuild,
    Runs,
    check_candidates,
    checkpoint_damages,
    note_untrusted,
)
from incidents.audit._report import Damage, DamageKind, VerifyReport, span

__all__ = ["verify_lines"]


def verify_lines(
    lines: Callable[[], Iterator[Sequence[bytes]]],
    *,
    subject: str,
    origin: str,
    size: int,
    checkpoints: Sequence[Candidate],
    keys: Sequence[VerifierKey],
    fallback: Sequence[VerifierKey] = (),
    notes: Sequence[str] = (),
) -> VerifyReport:
    """
    Verify canonical event lines against checkpoints alone (a bundle).

    Args:
        lines: Returns a fresh iterator of batches of lines (each line the
            canonical bytes of one event), so the lines can be read twice.
        subject: What is verified, for the report.
        origin: The log's origin.
        size: How many events the bundle says it holds.
        checkpoints: The checkpoints to check against.
        keys: Verifier keys the caller trusts.
        fallback: Keys to check signatures with when the caller gave none.
        notes: Remarks to add to the report.

    Returns:
        The report.

    """
    rebuild = Rebuild([size, *(c.checkpoint.size for c in checkpoints)])
    runs = Runs()
    anomaly: int | None = None
    count = 0
    with Turns() as turns:
        for batch in lines():
            turns.step(len(batch))
            rebuild.feed(leaf_hashes(batch))
            if anomaly is None:
                for i, line in enumerate(batch):
                    position = count + i + 1
                    if embedded_sequence(line) != position:
                        anomaly = count + i
                        break
                    runs.add(recorder_text(line), position)
            count += len(batch)

    checks = check_candidates(checkpoints, keys, fallback, origin, rebuild.roots)
    all_notes = list(notes)
    note_untrusted(checks, keys, all_notes)

    damages: list[Damage] = []
    if anomaly is not None:
        damages.append(_classify_lines(lines, anomaly))
    elif count < size:
        damages.append(
            Damage(
                DamageKind.TRUNCATED,
                count + 1,
                detail=f"the bundle ends after position {count}; it should hold {size} events",
            )
        )
    elif count > size:
        damages.append(
            Damage(
                DamageKind.INSERTED,
                size + 1,
                detail=f"the bundle holds {count} events; its checkpoint covers {size}",
            )
        )
    else:
        bad = sorted(
            c.checkpoint.size for c in checks if not c.matches and c.checkpoint.origin == origin
        )
        if bad:
            below = max(
                (c.checkpoint.size for c in checks if c.matches and c.checkpoint.size < bad[0]),
                default=0,
            )
            where = span(below + 1, bad[0])
            damages.append(
                Damage(
                    DamageKind.MODIFIED,
                    below + 1,
                    detail=f"an event at {where} was changed: the events are in order, but the first "
                    f"{bad[0]} no longer hash to the checkpoint's root",
                )
            )
    damages.extend(checkpoint_damages(checks, damages, count, origin))
    damages.sort(key=lambda d: d.position)
    return VerifyReport(
        subject=subject,
        origin=origin,
        size=count,
        expected_size=size,
        root=rebuild.edge.root(),
        damages=tuple(damages),
        checkpoints=tuple(checks),
        recorders=runs.parts(checks),
        notes=tuple(all_notes),
    )


def _classify_lines(lines: Callable[[], Iterator[Sequence[bytes]]], anomaly: int) -> Damage:
    position = anomaly + 1
    stream = (line for batch in lines() for line in batch)
    for _ in range(anomaly):
        next(stream)
    line = next(stream)
    claimed = embedded_sequence(line)
    incident, event = line_ids(line)
    if claimed is None:
        return Damage(
            DamageKind.MODIFIED,
            position,
            incident,
            event,
            f"line {position} is not a recorded event any more",
        )
    if claimed < position:
        return Damage(
            DamageKind.INSERTED,
            position,
            incident,
            event,
            f"position {position} holds another copy of the event recorded at position {claimed}",
        )
    for offset, later in enumerate(stream, start=position + 1):
        if embedded_sequence(later) == position:
            moved_incident, moved_event = line_ids(later)
            return Damage(
                DamageKind.REORDERED,
                position,
                moved_incident,
                moved_event,
                f"position {position} holds the event recorded at position {claimed}; the event "
                f"recorded at position {position} is at position {offset}",
            )
    return Damage(
        DamageKind.DELETED,
        position,
        detail=f"the {claimed - position} event(s) recorded at {span(position, claimed - 1)} "
        f"are missing; the next line is the event recorded at position {claimed}",
    )
