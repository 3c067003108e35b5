"""
What both verifiers share: the rebuilt tree, who recorded what, and what the checkpoints say.

A stored ledger (:mod:`incidents.audit._verify_rows`) and a bundle
(:mod:`incidents.audit._verify_lines`) are verified the same way once their
events are read: the tree is rebuilt leaf by leaf, noting its root at every
checkpoint's size (:class:`Rebuild`); runs of events by one recorder are
collected (:class:`Runs`); every checkpoint is checked against those roots and
its signatures (:func:`check_candidates`); checkpoints that fail beyond what
the events already explain become damage (:func:`checkpoint_damages`); and
the part of the log that checkpoints signed by trusted keys cover is
measured (:func:`coverage`): with trusted keys, anything beyond it fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import attrs

from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.hashing import EMPTY_ROOT, HASH_SIZE
from incidents._tlog.notes import SignatureStatus, VerifierKey
from incidents._tlog.tiles import TILE_WIDTH, Tile, TreeEdge
from incidents.audit._report import CheckpointCheck, Damage, DamageKind, RecorderPart, span

__all__ = [
    "LOG_DAMAGE",
    "Candidate",
    "Rebuild",
    "Runs",
    "check_candidates",
    "checkpoint_damages",
    "coverage",
    "key_label",
    "note_untrusted",
]


def key_label(name: str, key_id: int) -> str:
    """A key as reports name it: ``name+id`` (the start of its verifier key text)."""
    return f"{name}+{key_id:08x}"


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

    def parts(
        self, checks: Sequence[CheckpointCheck], trusted: Sequence[VerifierKey] = ()
    ) -> tuple[RecorderPart, ...]:
        """
        The runs as the report shows them, with the signatures that cover them.

        A valid signature on a checkpoint that matches the log at size ``n``
        covers positions 1 to ``n``; when the caller gave keys (``trusted``),
        only their signatures count.
        """
        self.finish()
        vouching = [
            c for c in checks if c.matches and (c.trusted if trusted else c.signature_valid)
        ]
        vouching.sort(key=lambda c: c.checkpoint.size)
        failing = [c for c in checks if c.signature_invalid]
        parts = []
        for raw, first, last in self.runs:
            name = _recorder_name(raw)
            covering = [c for c in vouching if c.checkpoint.size >= first]
            top = max((c.checkpoint.size for c in covering), default=0)
            signed = max(0, min(last, top) - first + 1)
            keys: list[str] = []
            for c in covering:
                for s in c.signatures:
                    label = key_label(s.name, s.key_id)
                    counts = not trusted or s.key in trusted
                    if s.status is SignatureStatus.VALID and counts and label not in keys:
                        keys.append(label)
            invalid = _union(
                (max(first, c.first or 1), min(last, c.checkpoint.size)) for c in failing
            )
            parts.append(RecorderPart(name, first, last, signed, tuple(keys), invalid))
        return tuple(parts)


def _recorder_name(raw: bytes) -> str:
    """A recorder's name from its JSON string; what is no such string is shown as it is."""
    try:
        name = json.loads(raw)
        name.encode("utf-8")  # valid Unicode, printable anywhere
    except (ValueError, RecursionError, AttributeError):
        return raw.decode("utf-8", "replace")
    return name if isinstance(name, str) else raw.decode("utf-8", "replace")


def _union(spans: Iterable[tuple[int, int]]) -> int:
    """How many positions the spans ``(first, last)`` cover together."""
    total, reach = 0, 0
    for first, last in sorted(spans):
        first = max(first, reach + 1)
        if last >= first:
            total += last - first + 1
            reach = last
    return total


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
    """Add notes on keys: those that signed validly but were not given; trusted keys not named after the log."""
    if not given:
        return
    others = sorted(
        {
            key_label(s.name, s.key_id)
            for c in checks
            for s in c.signatures
            if s.status is SignatureStatus.VALID and s.key not in given
        }
    )
    if others:
        notes.append(
            f"some checkpoints are signed only by keys you did not give: {', '.join(others)}"
        )
    misnamed = sorted(
        {
            key_label(s.name, s.key_id)
            for c in checks
            if c.trusted
            for s in c.signatures
            if s.status is SignatureStatus.VALID
            and s.key in given
            and s.name != c.checkpoint.origin
        }
    )
    if misnamed:
        notes.append(
            f"the log's checkpoints are signed by {', '.join(misnamed)}, not named after the log "
            "(C2SP tlog-checkpoint asks that the log's key be named after its origin): the "
            "signatures hold, as the keys you gave"
        )


def checkpoint_damages(
    checks: Sequence[CheckpointCheck], found: Sequence[Damage], count: int, origin: str
) -> list[Damage]:
    """
    Damage that the checkpoints show beyond what the events already explain.

    Signatures that fail; checkpoints that do not match the log; and a log
    shorter than a checkpoint of it, which is a truncation at its first
    missing position (whatever the checkpoint says of the events before).
    """
    # Damage to the rows explains checkpoints that no longer match; damage to
    # the stored tree does not (it leaves the rows, and so their roots, alone).
    row_damage = min((d.position for d in found if d.kind in LOG_DAMAGE), default=None)
    good_sizes = sorted(c.checkpoint.size for c in checks if c.matches)
    out: list[Damage] = []
    named: set[str] = set()  # one stored mismatch per source is enough; all are in the checks
    beyond = [c for c in checks if c.checkpoint.origin == origin and c.checkpoint.size > count]
    if beyond and row_damage is None:
        out.append(_truncation(max(beyond, key=lambda c: c.checkpoint.size), count, good_sizes))
    for c in sorted(checks, key=lambda c: c.checkpoint.size):
        cp = c.checkpoint
        whose = f"{c.source} checkpoint at size {cp.size}"
        if c.signature_invalid:
            bad = next((s for s in c.signatures if s.status is SignatureStatus.INVALID), None)
            by = f" (recorded by {c.recorder!r})" if c.recorder else ""
            over = f" over positions {c.first}-{cp.size}" if c.first is not None else ""
            if bad is not None:
                what = f"has an {bad.describe()}"
            else:
                assert c.key is not None
                what = (
                    f"is not signed by the key kept with it, {key_label(c.key.name, c.key.key_id)}"
                )
            out.append(
                Damage(
                    DamageKind.SIGNATURE_INVALID,
                    c.first if c.first is not None else cp.size,
                    detail=f"the {whose}{over}{by} {what}",
                )
            )
        if c.matches or c.source in named or c in beyond:
            continue
        if row_damage is not None and row_damage <= cp.size:
            continue  # explained by the damage to the rows
        if c.source != "given":
            named.add(c.source)
        below = max((s for s in good_sizes if s < cp.size), default=0)
        if cp.origin != origin:
            reason = f"it names log {cp.origin!r}"
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


def _truncation(c: CheckpointCheck, count: int, good_sizes: Sequence[int]) -> Damage:
    """A checkpoint of the log is for more events than it holds: the first missing one is ``count + 1``."""
    size = c.checkpoint.size
    signers = [
        s.describe() for s in c.signatures if s.status is not SignatureStatus.UNKNOWN_KEY
    ] or ["unsigned" if not c.signatures else "signed by keys not known here"]
    below = max((s for s in good_sizes if s <= count), default=0)
    unchecked = f"; {span(below + 1, count)} cannot be checked against it" if below < count else ""
    return Damage(
        DamageKind.TRUNCATED,
        count + 1,
        detail=f"the log ends after position {count}, but the {c.source} checkpoint at size "
        f"{size} ({'; '.join(signers)}) says it held {size} events: {span(count + 1, size)} "
        f"are gone{unchecked}",
    )


def coverage(
    checks: Sequence[CheckpointCheck],
    trusted: Sequence[VerifierKey],
    count: int,
    found: Sequence[Damage],
) -> tuple[int | None, Damage | None]:
    """
    How far checkpoints signed by trusted keys cover the log, and what is not covered.

    Args:
        checks: Every checkpoint's check.
        trusted: The keys the caller gave.
        count: How many events the log holds.
        found: The damage found so far.

    Returns:
        The size up to which a matching checkpoint signed by a trusted key
        vouches for the log (``None`` if none does), and, when keys were given
        and the log is otherwise intact, the damage naming what is not covered.

    """
    vouching = [c for c in checks if c.matches and c.trusted]
    covered = max((c.checkpoint.size for c in vouching), default=None)
    if not trusted or (covered is not None and covered >= count):
        return covered, None
    if any(d.kind in LOG_DAMAGE for d in found):
        return covered, None  # the log is damaged already: that is what the report names
    start = (covered or 0) + 1
    missing = span(start, count) if count else "the empty log"
    beyond = sorted(
        (c for c in checks if c.matches and not c.trusted and c.checkpoint.size >= start),
        key=lambda c: c.checkpoint.size,
    )
    if beyond:
        shown = "; ".join(_signed_by(c) for c in beyond[-3:])
        more = f" (and {len(beyond) - 3} more)" if len(beyond) > 3 else ""
        them = "them" if count > start else "it"
        what = f"the checkpoints that reach {them} are not signed by a key you trust: {shown}{more}"
    else:
        what = f"no checkpoint reaches {'them' if count > start else 'it'}"
    keys = ", ".join(key_label(k.name, k.key_id) for k in trusted)
    return covered, Damage(
        DamageKind.UNCOVERED,
        start,
        detail=f"{missing} {'are' if count > start else 'is'} not covered by a checkpoint signed by "
        f"a key you trust ({keys}): {what}",
    )


def _signed_by(c: CheckpointCheck) -> str:
    signers = [
        key_label(s.name, s.key_id) for s in c.signatures if s.status is not SignatureStatus.INVALID
    ]
    who = f"signed only by {', '.join(signers)}" if signers else "unsigned"
    return f"{c.source} checkpoint at size {c.checkpoint.size}, {who}"


LOG_DAMAGE = frozenset(
    {
        DamageKind.MODIFIED,
        DamageKind.DELETED,
        DamageKind.INSERTED,
        DamageKind.REORDERED,
        DamageKind.TRUNCATED,
        DamageKind.CHECKPOINT_MISMATCH,
        DamageKind.TREE_MISSING,
    }
)
"""Damage to the log itself (not to signatures or the stored hashes): it explains checkpoints that fail."""
