"""
What verification found: the report, its damages, checkpoints and recorders.

:class:`VerifyReport` is what :meth:`incidents.Ledger.verify`,
:meth:`incidents.Bundle.verify` and ``incidents verify`` return. When
something is wrong it names the first bad position, the kind of damage
(:class:`DamageKind`) and the incident and event affected; it says how every
checkpoint fared (:class:`CheckpointCheck`) and who recorded each part of the
log and who signed it (:class:`RecorderPart`).
"""

from __future__ import annotations

import enum
from uuid import UUID

import attrs

from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SignatureCheck, SignatureStatus, VerifierKey

__all__ = [
    "CheckpointCheck",
    "Damage",
    "DamageKind",
    "RecorderPart",
    "VerifyReport",
    "span",
]


class DamageKind(enum.Enum):
    """What kind of damage verification found."""

    MODIFIED = "content modified"
    """An event's bytes, or a row's columns, differ from what was recorded."""
    DELETED = "event deleted"
    """Events recorded at these positions are gone; later ones remain."""
    INSERTED = "event inserted"
    """A row that was not recorded there: a copy of another event, or a stranger."""
    REORDERED = "events reordered"
    """Recorded events are all there, but not in the order they were recorded."""
    TRUNCATED = "log truncated"
    """The log ends early: the last recorded events are gone."""
    SIGNATURE_INVALID = "checkpoint signature invalid"
    """A checkpoint carries a signature that its key does not verify."""
    CHECKPOINT_MISMATCH = "log does not match checkpoint"
    """The rows agree with the stored hashes, but not with a checkpoint."""
    TREE_DAMAGED = "stored tree damaged"
    """The events are intact, but the stored hashes that answer proofs are not."""


@attrs.frozen
class Damage:
    """
    One thing verification found wrong.

    Attributes:
        kind: The kind of damage.
        position: The first position (sequence number, from 1) it affects;
            for a checkpoint problem, the checkpoint's tree size.
        incident_id: The incident affected, when known.
        event_id: The event affected, when known.
        detail: What was found, in a sentence or two.

    """

    kind: DamageKind
    position: int
    incident_id: UUID | None = None
    event_id: UUID | None = None
    detail: str = ""

    def describe(self) -> str:
        """
        Say it in words.

        Returns:
            e.g. ``"event deleted at position 5 (incident …, event …): …"``.

        """
        ids = []
        if self.incident_id is not None:
            ids.append(f"incident {self.incident_id}")
        if self.event_id is not None:
            ids.append(f"event {self.event_id}")
        where = f" ({', '.join(ids)})" if ids else ""
        return f"{self.kind.value} at position {self.position}{where}: {self.detail}"


@attrs.frozen
class CheckpointCheck:
    """
    How one checkpoint fared.

    Attributes:
        checkpoint: The checkpoint.
        source: Where it came from: ``"batch"`` (signed with a recorded
            batch), ``"ledger"`` (stored on request), ``"bundle"`` or ``"given"``.
        matches: Whether the log's root at the checkpoint's size is its root
            (``False`` also when the log is shorter, or the origin differs).
        signatures: Each signature's check.
        first: For a batch checkpoint, the batch's first position.
        recorder: For a batch checkpoint, who recorded the batch.
        key: The signer's key as kept with the checkpoint, if any: it must
            have signed it.
        trusted: Whether a key the caller gave signed it validly.

    """

    checkpoint: Checkpoint
    source: str
    matches: bool
    signatures: tuple[SignatureCheck, ...] = ()
    first: int | None = None
    recorder: str | None = None
    key: VerifierKey | None = None
    trusted: bool = False

    @property
    def signature_invalid(self) -> bool:
        """Whether a known key's signature fails, or the key kept with it did not sign it."""
        if any(s.status is SignatureStatus.INVALID for s in self.signatures):
            return True
        return self.key is not None and not any(
            s.status is SignatureStatus.VALID and s.key == self.key for s in self.signatures
        )

    @property
    def signature_valid(self) -> bool:
        """Whether a known key signed it validly and nothing about its signatures fails."""
        valid = any(s.status is SignatureStatus.VALID for s in self.signatures)
        return valid and not self.signature_invalid


@attrs.frozen
class RecorderPart:
    """
    A run of consecutive events recorded by one recorder, and who signed them.

    Attributes:
        recorder: The recorder named in the events' envelopes.
        first: The first position of the run.
        last: The last position of the run.
        signed: How many of its events are covered by a valid batch signature.
        keys: The keys (``name+id``) whose valid batch signatures cover them.
        invalid: How many of its events are covered by a signature that fails.

    """

    recorder: str
    first: int
    last: int
    signed: int = 0
    keys: tuple[str, ...] = ()
    invalid: int = 0

    @property
    def events(self) -> int:
        """The number of events in the run."""
        return self.last - self.first + 1

    def describe(self) -> str:
        """
        Say it in words.

        Returns:
            e.g. ``"positions 1-17 recorded by 'alice': all 17 signed by alice+1a2b3c4d"``.

        """
        text = f"{span(self.first, self.last)} recorded by {self.recorder!r}: "
        if self.invalid:
            return text + f"{self.invalid} of {self.events} under an INVALID signature"
        if not self.signed:
            return text + "not signed"
        share = (
            f"all {self.events}"
            if self.signed == self.events
            else f"{self.signed} of {self.events}"
        )
        return text + f"{share} signed by {', '.join(self.keys)}"


@attrs.frozen
class VerifyReport:
    """
    What verification found.

    Attributes:
        subject: What was verified (a ledger's location, a bundle's path).
        origin: The log's origin.
        size: How many events were read.
        expected_size: How many events the stored tree or the checkpoint says there are.
        root: The root recomputed over the events read.
        damages: Everything found wrong, first position first.
        checkpoints: How every checkpoint fared.
        recorders: Who recorded each part of the log, and who signed it.
        notes: Remarks on how far the result can be trusted.

    """

    subject: str
    origin: str
    size: int
    expected_size: int
    root: bytes
    damages: tuple[Damage, ...] = ()
    checkpoints: tuple[CheckpointCheck, ...] = ()
    recorders: tuple[RecorderPart, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong."""
        return not self.damages

    @property
    def first(self) -> Damage | None:
        """The damage at the first position, or ``None``."""
        return self.damages[0] if self.damages else None

    def render(self) -> str:
        """
        The report as text for people.

        Returns:
            Several lines: the verdict, then damage, checkpoints and recorders.

        """
        lines = [f"verified {self.subject} (log {self.origin})"]
        lines.append(
            f"  events: {self.size} read, {self.expected_size} recorded; root {self.root.hex()}"
        )
        if self.ok:
            lines.append("  result: OK, nothing was changed")
        else:
            first = self.damages[0]
            lines.append(
                f"  result: DAMAGED, first bad position {first.position}: {first.kind.value}"
            )
            for damage in self.damages:
                lines.append(f"  - {damage.describe()}")
        if self.checkpoints:
            batch = [c for c in self.checkpoints if c.source == "batch"]
            others = [c for c in self.checkpoints if c.source != "batch"]
            for check in others:
                lines.append("  " + _describe_check(check))
            if batch:
                good = sum(1 for c in batch if c.matches and c.signature_valid)
                lines.append(
                    f"  batch checkpoints: {good} of {len(batch)} match and are validly signed"
                )
                failing = [c for c in batch if not (c.matches and c.signature_valid)]
                lines.extend("  " + _describe_check(c) for c in failing[:_SHOWN])
                if len(failing) > _SHOWN:
                    lines.append(
                        f"  ... and {len(failing) - _SHOWN} more batch checkpoints like these"
                    )
        if self.recorders and not self.ok:
            lines.append("  who recorded, as far as the first damage:")
        for part in self.recorders:
            lines.append(f"  {part.describe()}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


_SHOWN = 5  # failing batch checkpoints listed by name; all are in ``checkpoints``


def _describe_check(check: CheckpointCheck) -> str:
    cp = check.checkpoint
    verdict = "matches" if check.matches else "DOES NOT MATCH"
    signatures = "; ".join(s.describe() for s in check.signatures) or "unsigned"
    return f"{check.source} checkpoint at size {cp.size}: {verdict} ({signatures})"


def span(first: int, last: int) -> str:
    """
    Say which positions: ``position N`` or ``positions N-M``.

    Args:
        first: The first position.
        last: The last position.

    Returns:
        The words.

    """
    return f"position {first}" if first == last else f"positions {first}-{last}"
