"""
What both verifiers share: the rebuilt tree, who recorded what, and what the checkpoints say.

A stored ledger (:mod:`incidents.audit._verify_rows`) and a bundle
(:mod:`incidents.audit._verify_lines`) are verified the same way once their
events are read: the tree is rebuilt leaf by leaf, noting its root at every
checkpoint's size (:class:`Rebuild`); runs of events by one recorder are
collected (:class:`Runs`); every checkpoint is checked against those roots and
its signatures (:func:`check_candidates`); and checkpoints that fail beyond
what the events already explain become damage (:func:`checkpoint_damages`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import attrs

from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.hashing import EMPTY_ROOT, HASH_SIZE
from incidents._tlog.notes import SignatureStatus, VerifierKey
from incidents._tlog.tiles import TILE_WIDTH, Tile, TreeEdge
from incidents.audit._report import CheckpointCheck, Damage, DamageKind, RecorderPart

__all__ = [
    "Candidate",
    "Rebuild",
    "Runs",
    "check_candidates",
    "checkpoint_damages",
    "note_untrusted",
]


# -- roots at every checkpoint size ----------------------------------------------------


class Rebuild:
    """Rebuilds the tree leaf by leaf, noting the root at each wanted size and the full tiles."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self.edge = TreeEdge()
        self.wanted = sorted({s for s in sizes if s > 0})
        self.next = 0
        self.roots: dict[int, bytes] = {0: EMPTY_ROOT}
        self.tiles: list[Tile] = []

    def feed(self, hashes: Sequence[bytes]) -> None:
        """Append the next leaf hashes, in log order."""
        start = 0
        while start < len(hashes):
            take = len(hashes) - start
            if self.next < len(self.wanted):
                take = min(take, self.wanted[self.next] - self.edge.size)
            for tile in self.edge.append(hashes[start : start + take]):
                if tile.level and len(tile.hashes) == TILE_WIDTH * HASH_SIZE:
                    self.tiles.append(tile)
            start += take
            while self.next < len(self.wanted) and self.wanted[self.next] == self.edge.size:
                self.roots[self.edge.size] = self.edge.root()
                self.next += 1


# -- signatures and recorders ----------------------------------------------------------


class Runs:
    """Collects runs of consecutive events by the same recorder (raw JSON string bytes)."""

    def __init__(self) -> None:
        self.runs: list[tuple[bytes, int, int]] = []  # (raw recorder, first, last)
        self.current: bytes | None = None
        self.last = 0  # the last position seen

    def start(self, raw: bytes, position: int) -> None:
        """A new recorder from ``position`` on (the previous run ends just before it)."""
        if self.runs:
            previous, first, _ = self.runs[-1]
            self.runs[-1] = (previous, first, position - 1)
        self.current = raw
        self.runs.append((raw, position, position))

    def add(self, raw: bytes, position: int) -> None:
        """The event at ``position`` was recorded by ``raw`` (its JSON string)."""
        if raw != self.current:
            self.start(raw, position)
        self.last = position

    def finish(self) -> None:
        """Close the last run at the last position seen (dropped if it starts after it)."""
        if self.runs:
            raw, first, _ = self.runs[-1]
            if first > self.last:
                self.runs.pop()
            else:
                self.runs[-1] = (raw, first, self.last)

    def parts(self, checks: Sequence[CheckpointCheck]) -> tuple[RecorderPart, ...]:
        """The runs as the report shows them, with the batch signatures that cover them."""
        self.finish()
        batches = [c for c in checks if c.source == "batch" and c.first is not None]
        parts = []
        for raw, first, last in self.runs:
            try:
                name = json.loads(raw)
            except ValueError:
                name = raw.decode("utf-8", "replace")
            signed = invalid = 0
            keys: list[str] = []
            for c in batches:
                assert c.first is not None
                overlap = min(last, c.checkpoint.size) - max(first, c.first) + 1
                if overlap <= 0:
                    continue
                if c.signature_invalid:
                    invalid += overlap
                elif c.signature_valid:
                    signed += overlap
                    for s in c.signatures:
                        label = f"{s.name}+{s.key_id:08x}"
                        if s.status is SignatureStatus.VALID and label not in keys:
                            keys.append(label)
            parts.append(RecorderPart(str(name), first, last, signed, tuple(keys), invalid))
        return tuple(parts)


# -- checkpoints -----------------------------------------------------------------------


@attrs.frozen
class Candidate:
    """A checkpoint to check the log against, with where it came from."""

    checkpoint: Checkpoint
    source: str
    first: int | None = None
    recorder: str | None = None
    key: VerifierKey | None = None


def check_candidates(
    candidates: Sequence[Candidate],
    given: Sequence[VerifierKey],
    fallback: Sequence[VerifierKey],
    origin: str,
    roots: dict[int, bytes],
) -> list[CheckpointCheck]:
    """
    Check every candidate's root against the rebuilt roots, and its signatures.

    Args:
        candidates: The checkpoints.
        given: The keys the caller trusts.
        fallback: The keys to check with when the caller gave none.
        origin: The log's origin.
        roots: The rebuilt root at each candidate's size (:attr:`Rebuild.roots`).

    Returns:
        One check per candidate, in order.

    """
    checks = []
    for c in candidates:
        known = list(given or fallback)
        if c.key is not None and c.key not in known:
            known.append(c.key)
        signatures = c.checkpoint.check_signatures(known)
        trusted = any(s.status is SignatureStatus.VALID and s.key in given for s in signatures)
        matches = c.checkpoint.origin == origin and c.checkpoint.root == roots.get(
            c.checkpoint.size
        )
        checks.append(
            CheckpointCheck(
                c.checkpoint, c.source, matches, signatures, c.first, c.recorder, c.key, trusted
            )
        )
    return checks


def note_untrusted(
    checks: Sequence[CheckpointCheck], given: Sequence[VerifierKey], notes: list[str]
) -> None:
    """Add a note naming the keys that signed validly but were not among those given."""
    if not given:
        return
    others = sorted(
        {
            f"{s.name}+{s.key_id:08x}"
            for c in checks
            for s in c.signatures
            if s.status is SignatureStatus.VALID and s.key not in given
        }
    )
    if others:
        notes.append(
            f"some checkpoints are signed only by keys you did not give: {', '.join(others)}"
        )


def checkpoint_damages(
    checks: Sequence[CheckpointCheck], found: Sequence[Damage], count: int, origin: str
) -> list[Damage]:
    """Damage that the checkpoints show beyond what the rows already explain."""
    # Damage to the rows explains checkpoints that no longer match; damage to
    # the stored tree does not (it leaves the rows, and so their roots, alone).
    row_damage = min(
        (d.position for d in found if d.kind not in _NOT_ROW_KINDS),
        default=None,
    )
    good_sizes = sorted(c.checkpoint.size for c in checks if c.matches)
    out: list[Damage] = []
    named: set[str] = set()  # one stored mismatch per source is enough; all are in the checks
    for c in sorted(checks, key=lambda c: c.checkpoint.size):
        cp = c.checkpoint
        whose = f"{c.source} checkpoint at size {cp.size}"
        if c.signature_invalid:
            bad = next((s for s in c.signatures if s.status is SignatureStatus.INVALID), None)
            by = f" (recorded by {c.recorder!r})" if c.recorder else ""
            span = f" over positions {c.first}-{cp.size}" if c.first is not None else ""
            if bad is not None:
                what = f"has an {bad.describe()}"
            else:
                assert c.key is not None
                what = f"is not signed by the key kept with it, {c.key.name}+{c.key.key_id:08x}"
            out.append(
                Damage(
                    DamageKind.SIGNATURE_INVALID,
                    c.first if c.first is not None else cp.size,
                    detail=f"the {whose}{span}{by} {what}",
                )
            )
        if c.matches or c.source in named:
            continue
        if row_damage is not None and row_damage <= cp.size:
            continue  # explained by the damage to the rows
        if c.source != "given":
            named.add(c.source)
        below = max((s for s in good_sizes if s < cp.size), default=0)
        if cp.origin != origin:
            reason = f"it names log {cp.origin!r}"
        elif cp.size > count:
            reason = f"it is for {cp.size} events and the log holds {count}"
        else:
            reason = (
                f"the first {cp.size} events do not hash to its root; they agree with the hashes stored "
                f"in the ledger, so either events after position {below} were rewritten together with "
                "those hashes, or the checkpoint is not of this log"
            )
        out.append(
            Damage(
                DamageKind.CHECKPOINT_MISMATCH,
                below + 1,
                detail=f"the {whose} does not match: {reason}",
            )
        )
    return out


_NOT_ROW_KINDS = (
    DamageKind.SIGNATURE_INVALID,
    DamageKind.CHECKPOINT_MISMATCH,
    DamageKind.TREE_DAMAGED,
)
