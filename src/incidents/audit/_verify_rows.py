"""
Verifying a ledger's stored rows: recompute the log and say exactly what is wrong.

:func:`verify_rows` is what :meth:`incidents.Ledger.verify` and
``incidents verify`` run. It streams the stored rows in batches, and for
each row

* hashes its canonical bytes into a leaf and compares the leaf with the one
  stored when the event was recorded;
* checks that the row's columns (sequence, incident, stream position, event
  id, type, recording time) say what its bytes say, with the byte patterns
  of :mod:`incidents._codec.envelope` rather than by decoding;

then compares the tree it rebuilt with the stored tree and with every
checkpoint (stored, signed with a batch, or given by the caller), and checks
every signature. The result is a :class:`~incidents.audit.VerifyReport`.
When something is wrong it names the first bad position, the kind of damage
and the incident and event affected: rows are matched against the stored
leaf hashes (which also hold each leaf's event and incident ids) to tell a
modified event from a deleted, inserted or moved one, and a truncated log
from all of these.
"""

from __future__ import annotations

import json
from binascii import unhexlify
from collections.abc import Iterable, Iterator, Sequence
from uuid import UUID

import attrs

from incidents._codec.envelope import (
    EVENT_ID,
    EVENT_ID_LENGTH,
    TAIL,
    TAIL_END_FORMAT,
    TAIL_FORMAT,
    TAIL_HEAD_FORMAT,
    TYPE_MARKS,
    embedded_sequence,
    incident_text,
)
from incidents._errors import IncidentsError, StorageError
from incidents._gc import Turns
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.hashing import HASH_SIZE, leaf_hash
from incidents._tlog.notes import VerifierKey
from incidents._tlog.tiles import IDS_SIZE, TILE_WIDTH, Tile, TreeEdge, leaf_hashes
from incidents.audit._checkpoints import (
    Candidate,
    Rebuild,
    Runs,
    check_candidates,
    checkpoint_damages,
    note_untrusted,
)
from incidents.audit._report import CheckpointCheck, Damage, DamageKind, VerifyReport, span
from incidents.storage import (
    AuditCheckpointRow,
    AuditReader,
    AuditRow,
    from_micros,
)

__all__ = ["BATCH", "verify_rows"]

BATCH = 8192
"""Rows read per query while verifying (a multiple of the tile width)."""


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


def _moved_to(rows: Iterator[AuditRow], position: int, wanted: bytes | None) -> int | None:
    """Where, among the rows after ``position``, the event recorded at ``position`` now is."""
    for offset, later in enumerate(rows, start=position + 1):
        if embedded_sequence(later[6]) == position and leaf_hash(later[6]) == wanted:
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
    h = leaf_hash(state)
    claimed = embedded_sequence(state)
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
        reader: A snapshot of the ledger (:meth:`~incidents.storage.Store.audit_reading`).
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
    rebuild = Rebuild([tree_size, *(c.checkpoint.size for c in candidates)])

    isos = _Isos()
    marks = TYPE_MARKS
    runs = Runs()
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
    checks = check_candidates(candidates, given_keys, stored_keys, origin, rebuild.roots)
    anchored = _anchored(checks, bool(given_keys))
    note_untrusted(checks, given_keys, all_notes)

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
    damages.extend(checkpoint_damages(checks, damages, count, origin))
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


def _anomaly(runs: Runs, index: int, cause: str, anchor: int) -> _Anomaly:
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
    runs: Runs,
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
    # No recorder seen yet: the empty name, which no record has, sends the
    # first row to the slow path that reads it.
    recorder = runs.current or b'""'
    last_micros: object = None
    iso = b""
    # The encoder's patterns (incidents._codec.envelope), as locals for the loop.
    tail_format, head_format, end_format = TAIL_FORMAT, TAIL_HEAD_FORMAT, TAIL_END_FORMAT
    envelope_start, event_id_mark = TAIL, EVENT_ID
    id_at = len(EVENT_ID)
    id_end = id_at + EVENT_ID_LENGTH
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
            tail = tail_format % (pos, iso, recorder, sequence)
            if state.endswith(tail):
                k = len(state) - len(tail)
            else:  # another recorder, or a column that disagrees
                k = state.rfind(envelope_start)
                head = head_format % (pos, iso)
                end = end_format % sequence
                if k < 0 or not state.startswith(head, k) or not state.endswith(end):
                    return _anomaly(runs, count + i, "columns", previous)
                recorder = state[k + len(head) : len(state) - len(end)]
                runs.start(recorder, count + i + 1)
            j = state.rfind(event_id_mark, 0, k)
            pattern = incidents.get(incident)
            if pattern is None:
                pattern = _incident_text(incident)
            agree = (
                j > 0
                and unhexlify(state[j + id_at : j + id_end].replace(b"-", b"")) == event
                and state.startswith(pattern, j + id_end)
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
    """What follows the event id in canonical bytes (cached: a batch is mostly one incident)."""
    if not isinstance(incident, bytes):  # a column of the wrong type
        raise TypeError("not an incident id")
    text = incident_text(incident)
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


def _first_edge_difference(stored: TreeEdge, rebuilt: TreeEdge) -> int:
    """The first leaf position under a right-edge subtree where two edges of one size differ."""
    offset = 0
    for (height, mine), (_, theirs) in zip(stored.subtrees(), rebuilt.subtrees(), strict=False):
        if mine != theirs:
            return offset + 1
        offset += 1 << height
    return 1
