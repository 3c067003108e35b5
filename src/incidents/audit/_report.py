"""
What verification found: the report, its damages, checkpoints and recorders.

:class:`VerifyReport` is what :meth:`incidents.Ledger.verify`,
:meth:`incidents.Bundle.verify` and ``incidents verify`` return. When
something is wrong it names the first bad position, the kind of damage
(:class:`DamageKind`) and the incident and event affected; it says how every
checkpoint fared (:class:`CheckpointCheck`), who recorded each part of the
log and whose signatures cover it (:class:`RecorderPart`), how far checkpoints
signed by the keys the caller trusts cover the log, and what the storage's
own check found.

A report has one of three outcomes, which ``incidents verify`` gives as its
exit status: *authenticated* (nothing wrong, and checkpoints signed by keys
the caller named cover the whole log: 0), *damaged* (1), or *consistent but
not authenticated* (nothing wrong, but no trusted key was given: 3).
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
    TREE_MISSING = "audit tree missing"
    """The ledger holds events but no audit tree: nothing says what they were when recorded."""
    UNCOVERED = "not covered by a trusted signature"
    """The log is consistent, but no checkpoint signed by a key the caller trusts covers its end."""


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
            batch), ``"ledger"`` (stored on request), ``"bundle"`` (a bundle's
            own), ``"carried"`` (another a bundle carries) or ``"given"``.
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
    A run of consecutive events recorded by one recorder, and whose signatures cover them.

    A signed checkpoint at size ``n`` vouches for positions 1 to ``n``: its
    root is computed over all of them.

    Attributes:
        recorder: The recorder named in the events' envelopes.
        first: The first position of the run.
        last: The last position of the run.
        signed: How many of its events are covered by a valid signature on a
            checkpoint that matches the log.
        keys: The keys (``name+id``) whose valid signatures cover them.
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
        recorders: Who recorded each part of the log, and whose signatures cover it.
        notes: Remarks on how far the result can be trusted.
        trusted: The keys the caller trusts (``name+id``); empty when none was
            given, and then nothing is authenticated.
        covered: Positions 1 to ``covered`` are covered by a checkpoint that
            matches the log and is signed by a trusted key; ``None`` when no
            such checkpoint was found.
        storage: The storage's own check that ran (e.g. ``"SQLite
            quick_check"``); empty for a bundle.
        storage_findings: What it found wrong.

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
    trusted: tuple[str, ...] = ()
    covered: int | None = None
    storage: str = ""
    storage_findings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong: no damage, and nothing found by the storage's check."""
        return not self.damages and not self.storage_findings

    @property
    def authenticated(self) -> bool:
        """
        Whether nothing is wrong and the whole log is covered by checkpoints signed by trusted keys.

        Without trusted keys, a log can be consistent (:attr:`ok`) but is
        never authenticated: whoever wrote it could have written its
        checkpoints and keys too.
        """
        return (
            self.ok
            and bool(self.trusted)
            and self.covered is not None
            and self.covered >= self.size
        )

    @property
    def first(self) -> Damage | None:
        """The damage at the first position, or ``None``."""
        return self.damages[0] if self.damages else None

    def render(self) -> str:
        """
        The report as text for people.

        Returns:
            Several lines: the outcome and what was verified, then damage,
            what is authenticated, checkpoints, recorders and notes.

        """
        what = f"{self.subject} (log {self.origin or 'of unknown origin'})"
        if not self.ok:
            where = (
                f"first bad position {self.damages[0].position}: {self.damages[0].kind.value}"
                if self.damages
                else "the storage is damaged"
            )
            unkeyed = "" if self.trusted else "; nothing was authenticated (no trusted key given)"
            lines = [f"FAILED: {what}: {where}{unkeyed}"]
        elif self.authenticated:
            lines = [
                f"VERIFIED: {what}: every event is covered by a checkpoint signed by a key you trust"
            ]
        else:
            lines = [
                f"NOT AUTHENTICATED: {what} is consistent, but nothing was authenticated: "
                "no trusted key was given (--key)"
            ]
        lines.append(
            f"  events: {self.size} read, {self.expected_size} recorded; root {self.root.hex()}"
        )
        if self.ok and self.trusted:
            lines.append("  result: OK, nothing was changed")
        elif self.ok:
            lines.append(
                "  result: OK, consistent: the events, the tree and the checkpoints agree "
                "(so would a forgery by whoever could write them all)"
            )
        elif self.damages:
            uncovered = all(d.kind is DamageKind.UNCOVERED for d in self.damages)
            lines.append(f"  result: {'NOT COVERED' if uncovered else 'DAMAGED'}, {where}")
            for damage in self.damages:
                lines.append(f"  - {damage.describe()}")
        else:
            lines.append("  result: the events are intact, but the storage is damaged")
        if self.trusted:
            keys = ", ".join(self.trusted)
            if self.covered is None:
                lines.append(
                    f"  authenticated: nothing: no checkpoint that matches the log is signed by {keys}"
                )
            else:
                covered = "the empty log" if not self.covered else span(1, self.covered)
                lines.append(f"  authenticated: {covered}, by checkpoints signed by {keys}")
        if self.storage:
            found = "; ".join(self.storage_findings) if self.storage_findings else "nothing wrong"
            lines.append(f"  storage: {self.storage}: {found}")
        lines.extend(_render_checks(self.checkpoints, bool(self.trusted)))
        if self.recorders and not self.ok:
            lines.append("  who recorded, as far as the first damage:")
        for part in self.recorders:
            lines.append(f"  {part.describe()}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


_SHOWN = 5  # failing checkpoints of a group listed by name; all are in ``checkpoints``
_GROUPED = ("batch", "carried")  # sources of many checkpoints, summed up in one line each


def _render_checks(checks: tuple[CheckpointCheck, ...], trusted: bool) -> list[str]:
    lines = ["  " + _describe_check(c) for c in checks if c.source not in _GROUPED]
    for source in _GROUPED:
        group = [c for c in checks if c.source == source]
        if not group:
            continue
        if trusted:  # only a key the caller gave makes a signature count
            good = [c.matches and c.trusted for c in group]
            said = "match and are signed by a key you trust"
        else:
            good = [c.matches and c.signature_valid for c in group]
            said = "match and are validly signed"
        lines.append(f"  {source} checkpoints: {sum(good)} of {len(group)} {said}")
        failing = [c for c, ok in zip(group, good, strict=True) if not ok]
        lines.extend("  " + _describe_check(c) for c in failing[:_SHOWN])
        if len(failing) > _SHOWN:
            lines.append(f"  ... and {len(failing) - _SHOWN} more {source} checkpoints like these")
    return lines


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
