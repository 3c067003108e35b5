"""
Verifying a bundle's lines: canonical event bytes against checkpoints alone.

Bundles (:mod:`incidents.audit._bundle`) carry no stored leaves, only
checkpoints; :func:`verify_lines` classifies their damage from the envelope
every event carries (its own sequence number) and, where two lines claim one
position, from the checkpoints: the line whose removal gives back a
checkpoint's root is the one that was inserted. Modifications are narrowed
down to the span between two checkpoints. With trusted keys, the lines must
be covered, to the last, by checkpoints those keys signed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from incidents._codec.envelope import embedded_sequence, line_ids, recorder_text
from incidents._gc import Turns
from incidents._tlog.notes import VerifierKey
from incidents._tlog.tiles import TreeEdge, leaf_hashes
from incidents.audit._checkpoints import (
    Candidate,
    Rebuild,
    Runs,
    check_candidates,
    checkpoint_damages,
    coverage,
    key_label,
    note_untrusted,
)
from incidents.audit._report import CheckpointCheck, Damage, DamageKind, VerifyReport, span

__all__ = ["verify_lines"]

Lines = Callable[[], Iterator[Sequence[bytes]]]
"""Returns a fresh iterator of batches of lines, so the lines can be read again."""


def verify_lines(
    lines: Lines,
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
        keys: Verifier keys the caller trusts: the whole log must then be
            covered by checkpoints they signed.
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
        damages.append(_classify(lines, anomaly, count, checks, origin))
    elif count < size:
        damages.append(
            Damage(
                DamageKind.TRUNCATED,
                count + 1,
                detail=f"the bundle ends after position {count}; it should hold {size} events: "
                f"{span(count + 1, size)} are gone",
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
            c.checkpoint.size
            for c in checks
            if not c.matches and c.checkpoint.origin == origin and c.checkpoint.size <= count
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
    covered, uncovered = coverage(checks, keys, count, damages)
    if uncovered is not None:
        damages.append(uncovered)
    damages.sort(key=lambda d: d.position)
    return VerifyReport(
        subject=subject,
        origin=origin,
        size=count,
        expected_size=size,
        root=rebuild.edge.root(),
        damages=tuple(damages),
        checkpoints=tuple(checks),
        recorders=runs.parts(checks, keys),
        notes=tuple(all_notes),
        trusted=tuple(key_label(k.name, k.key_id) for k in keys),
        covered=covered,
    )


def _line_at(lines: Lines, position: int) -> bytes | None:
    """The line at ``position`` (from 1), reading from the start."""
    seen = 0
    for batch in lines():
        if seen + len(batch) >= position:
            return batch[position - seen - 1]
        seen += len(batch)
    return None


def _fits_without(
    lines: Lines, drop: int, count: int, checks: Sequence[CheckpointCheck], origin: str
) -> bool | None:
    """
    Whether the lines, less the one at ``drop``, give back the root of a checkpoint of the log.

    Tried against the checkpoint the caller can best rely on that reaches
    the dropped line (given or trusted first); ``None`` when none reaches it.
    """
    usable = [
        c
        for c in checks
        if c.checkpoint.origin == origin and drop <= c.checkpoint.size <= count - 1
    ]
    if not usable:
        return None
    best = min(
        usable,
        key=lambda c: (
            not (c.source == "given" or c.trusted),
            not c.signature_valid,
            c.checkpoint.size,
        ),
    )
    want = best.checkpoint.size
    edge = TreeEdge()
    position = 0
    for batch in lines():
        kept = []
        for line in batch:
            position += 1
            if position != drop:
                kept.append(line)
        kept = kept[: want - edge.size]
        edge.append(leaf_hashes(kept))
        if edge.size >= want:
            break
    return edge.size == want and edge.root() == best.checkpoint.root


def _inserted_at(position: int, line: bytes, detail: str) -> Damage:
    incident, event = line_ids(line)
    return Damage(DamageKind.INSERTED, position, incident, event, detail)


def _classify(
    lines: Lines,
    anomaly: int,
    count: int,
    checks: Sequence[CheckpointCheck],
    origin: str,
) -> Damage:
    """Name the damage at the first line whose envelope does not state its own position."""
    position = anomaly + 1
    line = _line_at(lines, position)
    assert line is not None
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
        return _claims_earlier(lines, position, claimed, line, count, checks, origin)
    return _claims_later(lines, position, claimed, line, count, checks, origin)


def _claims_earlier(
    lines: Lines,
    position: int,
    claimed: int,
    line: bytes,
    count: int,
    checks: Sequence[CheckpointCheck],
    origin: str,
) -> Damage:
    """Line ``position`` states an earlier position, which the line there states too."""
    earlier = _line_at(lines, claimed)
    if earlier == line:
        return _inserted_at(
            position,
            line,
            f"position {position} holds a second copy of the event recorded at position {claimed}",
        )
    if position == claimed + 1:
        # Two different lines in a row claim one position: the inserted one is
        # the one whose removal gives back a checkpoint's root.
        if _fits_without(lines, claimed, count, checks, origin):
            assert earlier is not None
            return _inserted_at(
                claimed,
                earlier,
                f"position {claimed} holds an event that was never recorded in this log; "
                f"the event recorded at position {claimed} follows it (at position {position})",
            )
        if _fits_without(lines, position, count, checks, origin):
            return _inserted_at(
                position,
                line,
                f"position {position} holds an event that was never recorded in this log, "
                f"though it claims position {claimed}",
            )
        return _inserted_at(
            claimed,
            line,
            f"positions {claimed} and {position} hold two different events that both claim "
            f"position {claimed}: one of them was never recorded here, and no checkpoint "
            "reaching them tells which",
        )
    following = _line_at(lines, position + 1)
    if following is not None and embedded_sequence(following) == position:
        return _inserted_at(
            position,
            line,
            f"position {position} holds an event that was never recorded here (it claims "
            f"position {claimed}, which position {claimed} holds); the events recorded from "
            f"position {position} on follow it",
        )
    return Damage(
        DamageKind.MODIFIED,
        position,
        *line_ids(line),
        detail=f"line {position} was changed: it now claims position {claimed}",
    )


def _claims_later(
    lines: Lines,
    position: int,
    claimed: int,
    line: bytes,
    count: int,
    checks: Sequence[CheckpointCheck],
    origin: str,
) -> Damage:
    """Line ``position`` states a later position: events deleted, moved, or a line put in early."""
    moved_to = twin_at = None
    twin = None
    stream = (item for batch in lines() for item in batch)
    for offset, later in enumerate(stream, start=1):
        if offset <= position:
            continue
        said = embedded_sequence(later)
        if moved_to is None and said == position:
            moved_to = offset
        if twin_at is None and said == claimed:
            twin_at, twin = offset, later
        if moved_to is not None and twin_at is not None:
            break
    if twin is not None:
        if twin == line:
            return _inserted_at(
                position,
                line,
                f"position {position} holds a copy of the event recorded at position {claimed}, "
                f"which is still there (now at position {twin_at}): a duplicate placed before "
                "its original",
            )
        if _fits_without(lines, position, count, checks, origin) is not False:
            return _inserted_at(
                position,
                line,
                f"position {position} holds an event that was never recorded in this log, though "
                f"it claims position {claimed} (the event recorded there is at position {twin_at})",
            )
    if moved_to is not None:
        moved = _line_at(lines, moved_to)
        moved_incident, moved_event = line_ids(moved or b"")
        return Damage(
            DamageKind.REORDERED,
            position,
            moved_incident,
            moved_event,
            f"position {position} holds the event recorded at position {claimed}; the event "
            f"recorded at position {position} is at position {moved_to}",
        )
    return Damage(
        DamageKind.DELETED,
        position,
        detail=f"the {claimed - position} event(s) recorded at {span(position, claimed - 1)} "
        f"are missing; the next line is the event recorded at position {claimed}",
    )
