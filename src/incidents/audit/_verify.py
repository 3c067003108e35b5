"""
Verification: recompute the log from its rows and say exactly what is wrong.

:func:`verify_rows` is what :meth:`incidents.Ledger.verify` and
``incidents verify`` run. It streams the stored rows in batches, and for
each row

* hashes its canonical bytes into a leaf and compares the leaf with the one
  stored when the event was recorded;
* checks that the row's columns (sequence, incident, stream position, event
  id, type, recording time) say what its bytes say;

then compares the tree it rebuilt with the stored tree and with every
checkpoint (stored, signed with a batch, or given by the caller), and checks
every signature. The result is a :class:`VerifyReport`. When something is
wrong it names the first bad position, the kind of damage
(:class:`DamageKind`) and the incident and event affected: rows are matched
against the stored leaf hashes (which also hold each leaf's event and
incident ids) to tell a modified event from a deleted, inserted or moved
one, and a truncated log from all of these.

Bundles (:mod:`incidents.audit._bundle`) carry no stored leaves, only checkpoints;
:func:`verify_lines` classifies their damage from the envelope every event
carries (its own sequence number) and narrows modifications down to the
span between two checkpoints.
"""

from __future__ import annotations

import enum
import hashlib
import json
from binascii import Error as BinasciiError
from binascii import unhexlify
from collections.abc import Callable, Iterable, Iterator, Sequence
from uuid import UUID

import attrs

from incidents._domain.events import EVENT_TYPES
from incidents._errors import IncidentsError, StorageError
from incidents._gc import Turns
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.merkle import EMPTY_ROOT, HASH_SIZE
from incidents._tlog.notes import SignatureCheck, SignatureStatus, VerifierKey
from incidents._tlog.tiles import IDS_SIZE, TILE_WIDTH, TreeEdge, leaf_hashes
from incidents.storage import (
    AuditCheckpointRow,
    AuditReader,
    AuditRow,
    Tile,
    from_micros,
)

__all__ = [
    "Candidate",
    "CheckpointCheck",
    "Damage",
    "DamageKind",
    "RecorderPart",
    "VerifyReport",
    "verify_lines",
    "verify_rows",
]

BATCH = 8192
"""Rows read per query while verifying (a multiple of the tile width)."""


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
        text = f"{_span(self.first, self.last)} recorded by {self.recorder!r}: "
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


# -- reading the envelope without decoding ---------------------------------------------
#
# Canonical bytes are sorted-key compact JSON ending with the envelope:
#   ...},"position":P,"recorded_at":"T","recorder":"R","sequence":S,"v":1}
# Quotes inside JSON strings are escaped, so the last '},"position":' in a
# record is the envelope's, and within the event object the last
# '"event_id":"' is the event's own (only a Correction's earlier "changes"
# can hold another). These checks are exact for bytes the ledger wrote;
# bytes it did not write are caught by their hash first.

_TAIL = b'},"position":'
_EVENT_ID = b'"event_id":"'


def _type_marks() -> dict[str, bytes]:
    marks = {}
    for name, cls in EVENT_TYPES.items():
        keys = sorted([f.name for f in attrs.fields(cls)] + ["type"])
        after = keys.index("type") + 1
        follow = b"}" if after == len(keys) else b',"' + keys[after].encode() + b'":'
        marks[name] = b',"type":"' + name.encode() + b'"' + follow
    return marks


_TYPE_MARKS = _type_marks()


def _embedded_sequence(state: bytes) -> int | None:
    cut = state.rfind(b',"sequence":')
    if cut < 0 or not state.endswith(b',"v":1}'):
        return None
    digits = state[cut + 12 : -7]
    return int(digits) if digits.isdigit() else None


def _uuid_at(state: bytes, start: int) -> bytes | None:
    text = state[start : start + 36]
    try:
        return unhexlify(text.replace(b"-", b"")) if len(text) == 36 else None
    except (BinasciiError, ValueError):
        return None


class _Isos:
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


def _column_problem(row: AuditRow, isos: _Isos) -> str | None:
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


# -- roots at every checkpoint size ----------------------------------------------------


class _Rebuild:
    """Rebuilds the tree leaf by leaf, noting the root at each wanted size and the full tiles."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self.edge = TreeEdge()
        self.wanted = sorted({s for s in sizes if s > 0})
        self.next = 0
        self.roots: dict[int, bytes] = {0: EMPTY_ROOT}
        self.tiles: list[Tile] = []

    def feed(self, hashes: Sequence[bytes]) -> None:
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


class _Runs:
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


# -- the ledger ----------------------------------------------------------------------


@attrs.frozen
class _Anomaly:
    index: int  # 0-based position in the order rows were read
    cause: str  # "leaf", "columns", "sequence", "extra", "short"
    anchor: int  # sequence column of the row before it (0 if none)


def _ids_at(reader: AuditReader, index: int) -> tuple[UUID | None, UUID | None, bytes | None]:
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


def _span(first: int, last: int) -> str:
    """``position N`` or ``positions N-M``."""
    return f"position {first}" if first == last else f"positions {first}-{last}"


def _leaf(state: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + state).digest()


def _moved_to(rows: Iterator[AuditRow], position: int, wanted: bytes | None) -> int | None:
    """Where, among the rows after ``position``, the event recorded at ``position`` now is."""
    for offset, later in enumerate(rows, start=position + 1):
        if _embedded_sequence(later[6]) == position and _leaf(later[6]) == wanted:
            return offset
    return None


def _later_event(
    rows: Iterator[AuditRow],
    position: int,
    later: int,
    incident: UUID | None,
    event: UUID | None,
    wanted: bytes | None,
    *,
    changed: bool,
) -> Damage:
    """
    Name the damage where ``position`` holds the event recorded at ``later``.

    The events recorded before ``later`` were moved further on, or are gone.
    ``incident`` and ``event`` are those recorded at ``position``, ``wanted``
    its leaf hash; ``changed`` says that the bytes of the row found there no
    longer match their own leaf either.
    """
    holds = f"the event recorded at position {later}" + (
        ", whose bytes were changed too" if changed else ""
    )
    moved_to = _moved_to(rows, position, wanted)
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
        f"the {later - position} event(s) recorded at {_span(position, later - 1)} are gone; "
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
            and _ids_at(reader, guess - 1)[1] == event
        ):
            return guess
    return None


def _classify_rows(
    reader: AuditReader, anomaly: _Anomaly, size: int, tree_size: int, isos: _Isos
) -> Damage:
    """Name the damage at the first anomaly, matching rows against the stored leaves."""
    a = anomaly.index
    position = a + 1
    if anomaly.cause == "short":
        incident, event, _ = _ids_at(reader, a)
        missing = tree_size - size
        return Damage(
            DamageKind.TRUNCATED,
            position,
            incident,
            event,
            f"the log ends after position {size}; the {missing} event(s) recorded at positions "
            f"{position}-{tree_size} are gone",
        )
    rows = _rows_from(reader, anomaly.anchor)
    row = next(rows)
    state = row[6]
    h = _leaf(state)
    claimed = _embedded_sequence(state)
    row_incident, row_event = _row_ids(row)

    def expected(index: int) -> bytes | None:
        return _ids_at(reader, index)[2] if 0 <= index < tree_size else None

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
    if h == expected(a):
        problem = _column_problem(row, isos) or (
            f"its sequence column says {row[0]} but it is the event recorded at position {position}"
        )
        incident, event, _ = _ids_at(reader, a)
        return Damage(
            DamageKind.MODIFIED,
            position,
            incident,
            event,
            f"the row's columns were changed: {problem}",
        )
    incident, event, _ = _ids_at(reader, a)
    if claimed is not None and claimed != position and expected(claimed - 1) == h:
        if claimed < position:
            return Damage(
                DamageKind.INSERTED,
                position,
                row_incident,
                row_event,
                f"position {position} holds a second copy of the event recorded at position {claimed}",
            )
        return _later_event(rows, position, claimed, incident, event, expected(a), changed=False)
    # The row's event id (a column) says which recorded event it is, whatever its
    # bytes say now: a later one means the events before it are gone, even when
    # its own bytes were changed as well.
    later_at = _recorded_position(reader, row_event, (claimed, row[0]), position, tree_size)
    if later_at is not None:
        return _later_event(rows, position, later_at, incident, event, expected(a), changed=True)
    following = next(rows, None)
    if following is not None and _leaf(following[6]) == expected(a):
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


@attrs.frozen
class Candidate:
    """A checkpoint to check the log against, with where it came from."""

    checkpoint: Checkpoint
    source: str
    first: int | None = None
    recorder: str | None = None
    key: VerifierKey | None = None


def _check_candidates(
    candidates: Sequence[Candidate],
    given: Sequence[VerifierKey],
    fallback: Sequence[VerifierKey],
    origin: str,
    roots: dict[int, bytes],
) -> list[CheckpointCheck]:
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


def _anchored(checks: Sequence[CheckpointCheck], keys_given: bool) -> int:
    """The largest size up to which a checkpoint the caller can rely on vouches for the rows."""
    return max(
        (
            c.checkpoint.size
            for c in checks
            if c.matches
            and (c.source == "given" or c.trusted or (not keys_given and c.signature_valid))
        ),
        default=0,
    )


def _stored_checks(
    rows: Sequence[AuditCheckpointRow],
) -> tuple[list[Candidate], list[Damage], list[VerifierKey]]:
    found: list[Candidate] = []
    damages: list[Damage] = []
    stored_keys: list[VerifierKey] = []
    for row in rows:
        key = None
        try:
            checkpoint = Checkpoint.parse(row.note)
        except IncidentsError as exc:
            damages.append(
                Damage(
                    DamageKind.CHECKPOINT_MISMATCH,
                    row.size,
                    detail=f"a stored checkpoint cannot be read: {exc}",
                )
            )
            continue
        if row.key is not None:
            try:
                key = VerifierKey.from_text(row.key)
            except IncidentsError as exc:
                damages.append(
                    Damage(
                        DamageKind.SIGNATURE_INVALID,
                        row.size,
                        detail=f"the key stored with the checkpoint at size {row.size} cannot be read: {exc}",
                    )
                )
            else:
                if key not in stored_keys:
                    stored_keys.append(key)
        source = "batch" if row.first is not None else "ledger"
        found.append(Candidate(checkpoint, source, row.first, row.recorder, key))
    return found, damages, stored_keys


def verify_rows(
    reader: AuditReader,
    *,
    subject: str,
    checkpoints: Iterable[Checkpoint] = (),
    keys: Iterable[VerifierKey] = (),
    notes: Sequence[str] = (),
) -> VerifyReport:
    """
    Verify a ledger: every row, the stored tree, every checkpoint and signature.

    Args:
        reader: A snapshot of the ledger (:meth:`~incidents.storage._contract.Store.audit_reading`).
        subject: What is verified, for the report.
        checkpoints: More checkpoints to check the log against (published copies).
        keys: Verifier keys the caller trusts. Without any, signatures are
            checked with the keys stored in the ledger, and the report says so.
        notes: Remarks to add to the report.

    Returns:
        The report.

    """
    origin = reader.audit_origin() or ""
    given_keys = list(keys)
    damages: list[Damage] = []
    all_notes = list(notes)
    try:
        stored_edge: TreeEdge | None = TreeEdge.from_tiles(reader.audit_edge())
    except StorageError as exc:
        stored_edge = None
        damages.append(Damage(DamageKind.TREE_DAMAGED, 1, detail=str(exc)))
    tree_size = stored_edge.size if stored_edge is not None else 0

    stored, problems, stored_keys = _stored_checks(reader.audit_checkpoints())
    damages.extend(problems)
    if not given_keys and stored_keys:
        all_notes.append(
            "signatures were checked with the keys stored in the ledger itself; "
            "give the keys you trust to make them evidence"
        )
    candidates = stored + [Candidate(c, "given") for c in checkpoints]
    rebuild = _Rebuild([tree_size, *(c.checkpoint.size for c in candidates)])

    isos = _Isos()
    marks = _TYPE_MARKS
    runs = _Runs()
    anomaly: _Anomaly | None = None
    tree_bad: int | None = None
    count = 0
    after = 0
    with Turns() as turns:  # a long read keeps the collector paused (incidents._gc)
        while True:
            rows = reader.audit_rows(after, BATCH)
            if not rows:
                break
            turns.step(len(rows))
            hashes = leaf_hashes([r[6] for r in rows])
            if anomaly is None and stored_edge is not None:
                anomaly = _scan_batch(
                    reader, rows, hashes, count, after, tree_size, isos, marks, runs
                )
            rebuild.feed(hashes)
            count += len(rows)
            after = rows[-1][0]
    if anomaly is None and count < tree_size:  # (with no readable tree, checkpoints decide)
        anomaly = _Anomaly(count, "short", after)

    root = rebuild.edge.root()
    if tree_bad is None and anomaly is None and stored_edge is not None:
        upper = [t for t in rebuild.edge.partial_tiles() if t.level]
        tree_bad = _compare_upper_tiles(reader, [*rebuild.tiles, *upper])
        if tree_bad is None and stored_edge.root() != root:
            tree_bad = _first_edge_difference(stored_edge, rebuild.edge)

    # Checkpoints: signatures, and roots at their sizes.
    checks = _check_candidates(candidates, given_keys, stored_keys, origin, rebuild.roots)
    anchored = _anchored(checks, bool(given_keys))
    _note_untrusted(checks, given_keys, all_notes)

    if anomaly is not None:
        if anomaly.index < anchored and anomaly.cause in ("leaf", "extra"):
            damages.append(
                Damage(
                    DamageKind.TREE_DAMAGED,
                    anomaly.index + 1,
                    detail=f"the stored leaf hash at position {anomaly.index + 1} is wrong, but the events up to "
                    f"position {anchored} match a trusted checkpoint: the events are intact",
                )
            )
        else:
            damages.append(_classify_rows(reader, anomaly, count, tree_size, isos))
    elif tree_bad is not None:
        damages.append(
            Damage(
                DamageKind.TREE_DAMAGED,
                tree_bad,
                detail="the events match their stored leaf hashes, but the stored hashes above them "
                "(which answer proofs) do not",
            )
        )
    damages.extend(_checkpoint_damages(checks, damages, count, origin))
    damages.sort(key=lambda d: d.position)
    return VerifyReport(
        subject=subject,
        origin=origin,
        size=count,
        expected_size=tree_size,
        root=root,
        damages=tuple(damages),
        checkpoints=tuple(checks),
        recorders=runs.parts(checks),
        notes=tuple(all_notes),
    )


def _anomaly(runs: _Runs, index: int, cause: str, anchor: int) -> _Anomaly:
    """The first anomaly, at 0-based ``index``: the recorders' runs end just before it."""
    runs.last = index
    return _Anomaly(index, cause, anchor)


def _scan_batch(
    reader: AuditReader,
    rows: Sequence[AuditRow],
    hashes: Sequence[bytes],
    count: int,
    after: int,
    tree_size: int,
    isos: _Isos,
    marks: dict[str, bytes],
    runs: _Runs,
) -> _Anomaly | None:
    """Check one batch quickly; return the first anomaly in it, if any."""
    n = len(rows)
    # Leaves against the stored leaf hashes (whole batch at once).
    stored_leaves = b""
    if count < tree_size:
        first_tile, last_tile = (
            count // TILE_WIDTH,
            (min(count + n, tree_size) - 1) // TILE_WIDTH,
        )
        blob = b"".join(t.hashes for t in reader.audit_tiles(0, first_tile, last_tile))
        skip = (count % TILE_WIDTH) * HASH_SIZE
        stored_leaves = blob[skip : skip + min(n, tree_size - count) * HASH_SIZE]
    computed = b"".join(hashes[: max(0, min(n, tree_size - count))])
    leaf_bad: int | None = None
    if computed != stored_leaves:
        for i in range(n):
            if i >= tree_size - count:
                break
            if stored_leaves[i * HASH_SIZE : (i + 1) * HASH_SIZE] != hashes[i]:
                leaf_bad = i
                break
    previous = after
    limit = min(n, tree_size - count)  # rows beyond the stored tree are extra
    incidents = _INCIDENT_TEXT
    recorder = runs.current or b'""'
    last_micros: object = None
    iso = b""
    for i, row in enumerate(rows):
        if i == leaf_bad:
            return _anomaly(runs, count + i, "leaf", previous)
        if i >= limit:
            return _anomaly(runs, count + i, "extra", previous)
        sequence, incident, pos, event, topic, micros, state = row
        if sequence != count + i + 1:
            return _anomaly(runs, count + i, "sequence", previous)
        try:
            if micros != last_micros:
                iso, last_micros = isos(micros), micros
            # The whole envelope at once, assuming the same recorder as the row before.
            tail = b'},"position":%d,"recorded_at":"%s","recorder":%s,"sequence":%d,"v":1}' % (
                pos,
                iso,
                recorder,
                sequence,
            )
            if state.endswith(tail):
                k = len(state) - len(tail)
            else:  # another recorder, or a column that disagrees
                k = state.rfind(_TAIL)
                head = b'},"position":%d,"recorded_at":"%s","recorder":' % (pos, iso)
                end = b',"sequence":%d,"v":1}' % sequence
                if k < 0 or not state.startswith(head, k) or not state.endswith(end):
                    return _anomaly(runs, count + i, "columns", previous)
                recorder = state[k + len(head) : len(state) - len(end)]
                runs.start(recorder, count + i + 1)
            j = state.rfind(_EVENT_ID, 0, k)
            pattern = incidents.get(incident)
            if pattern is None:
                pattern = _incident_text(incident)
            agree = (
                j > 0
                and unhexlify(state[j + 12 : j + 48].replace(b"-", b"")) == event
                and state.startswith(pattern, j + 48)
                and state.rfind(marks[topic], j, k + 1) >= 0
            )
        except (TypeError, ValueError, OverflowError, KeyError):  # a column of the wrong type
            agree = False
        if not agree:
            return _anomaly(runs, count + i, "columns", previous)
        previous = sequence
    runs.last = count + n
    return None


_INCIDENT_TEXT: dict[object, bytes] = {}


def _incident_text(incident: object) -> bytes:
    """What follows the event id in canonical bytes: ``","incident_id":"<uuid>"``."""
    if not isinstance(incident, bytes):
        raise TypeError("not an incident id")
    text = b'","incident_id":"' + str(UUID(bytes=incident)).encode() + b'"'
    if len(_INCIDENT_TEXT) > 65_536:
        _INCIDENT_TEXT.clear()
    _INCIDENT_TEXT[incident] = text
    return text


def _compare_upper_tiles(reader: AuditReader, tiles: Sequence[Tile]) -> int | None:
    """Compare rebuilt full tiles above the leaves with the stored ones; first leaf under a bad hash."""
    by_level: dict[int, list[Tile]] = {}
    for tile in tiles:
        by_level.setdefault(tile.level, []).append(tile)
    bad: int | None = None
    for level, built in by_level.items():
        for start in range(0, len(built), 1024):
            chunk = built[start : start + 1024]
            stored = {
                t.index: t.hashes
                for t in reader.audit_tiles(level, chunk[0].index, chunk[-1].index)
            }
            for tile in chunk:
                found = stored.get(tile.index, b"")
                if found == tile.hashes:
                    continue
                slot = next(
                    (
                        k
                        for k in range(TILE_WIDTH)
                        if found[k * HASH_SIZE : (k + 1) * HASH_SIZE]
                        != tile.hashes[k * HASH_SIZE : (k + 1) * HASH_SIZE]
                    ),
                    0,
                )
                leaf = (tile.index * TILE_WIDTH + slot) * TILE_WIDTH**level + 1
                bad = leaf if bad is None else min(bad, leaf)
                break
    return bad


def _note_untrusted(
    checks: Sequence[CheckpointCheck], given: Sequence[VerifierKey], notes: list[str]
) -> None:
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


def _checkpoint_damages(
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


def _first_edge_difference(stored: TreeEdge, rebuilt: TreeEdge) -> int:
    """The first leaf position under a right-edge subtree where two edges of one size differ."""
    offset = 0
    for (height, mine), (_, theirs) in zip(stored.subtrees(), rebuilt.subtrees(), strict=False):
        if mine != theirs:
            return offset + 1
        offset += 1 << height
    return 1


# -- bundles ---------------------------------------------------------------------------


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
    rebuild = _Rebuild([size, *(c.checkpoint.size for c in checkpoints)])
    runs = _Runs()
    anomaly: int | None = None
    count = 0
    with Turns() as turns:
        for batch in lines():
            turns.step(len(batch))
            rebuild.feed(leaf_hashes(batch))
            if anomaly is None:
                for i, line in enumerate(batch):
                    position = count + i + 1
                    if _embedded_sequence(line) != position:
                        anomaly = count + i
                        break
                    start = line.rfind(b',"recorder":')
                    runs.add(line[start + 12 : line.rfind(b',"sequence":')], position)
            count += len(batch)

    checks = _check_candidates(checkpoints, keys, fallback, origin, rebuild.roots)
    all_notes = list(notes)
    _note_untrusted(checks, keys, all_notes)

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
            span = _span(below + 1, bad[0])
            damages.append(
                Damage(
                    DamageKind.MODIFIED,
                    below + 1,
                    detail=f"an event at {span} was changed: the events are in order, but the first "
                    f"{bad[0]} no longer hash to the checkpoint's root",
                )
            )
    damages.extend(_checkpoint_damages(checks, damages, count, origin))
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


def _line_ids(line: bytes) -> tuple[UUID | None, UUID | None]:
    j = line.rfind(_EVENT_ID, 0, max(line.rfind(_TAIL), 0))
    if j < 0:
        return None, None
    event = _uuid_at(line, j + 12)
    incident = _uuid_at(line, j + 65)
    return (
        UUID(bytes=incident) if incident and len(incident) == 16 else None,
        UUID(bytes=event) if event and len(event) == 16 else None,
    )


def _classify_lines(lines: Callable[[], Iterator[Sequence[bytes]]], anomaly: int) -> Damage:
    position = anomaly + 1
    stream = (line for batch in lines() for line in batch)
    for _ in range(anomaly):
        next(stream)
    line = next(stream)
    claimed = _embedded_sequence(line)
    incident, event = _line_ids(line)
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
        if _embedded_sequence(later) == position:
            moved_incident, moved_event = _line_ids(later)
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
        detail=f"the {claimed - position} event(s) recorded at {_span(position, claimed - 1)} "
        f"are missing; the next line is the event recorded at position {claimed}",
    )
