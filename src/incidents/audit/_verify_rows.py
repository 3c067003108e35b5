"""
Verifying a ledger's stored rows: recompute the log and say exactly what is wrong.

:func:`verify_rows` is what :meth:`incidents.Ledger.verify` and
``incidents verify`` run. It reads the ledger, never writes to it, and
trusts nothing in it. It streams the stored rows in batches, and for each row

* hashes its canonical bytes into a leaf and compares the leaf, and the
  event and incident ids kept beside it, with those stored when the event
  was recorded;
* checks that the row's columns (sequence, incident, stream position, event
  id, type, recording time) say what its bytes say, with the byte patterns
  of :mod:`incidents._codec.envelope` rather than by decoding;

then compares the tree it rebuilt with the stored tree and with every
checkpoint (stored, signed with a batch, or given by the caller), checks
every signature and what batch checkpoints say of their batches, measures
how far checkpoints signed by the caller's keys cover the log, and adds what
the storage's own check found. The result is a
:class:`~incidents.audit.VerifyReport`. When something is wrong it names the
first bad position, the kind of damage and the incident and event affected
(:mod:`incidents.audit._classify_rows`).
"""

from __future__ import annotations

from binascii import unhexlify
from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

from incidents._codec.envelope import (
    EVENT_ID,
    EVENT_ID_LENGTH,
    TAIL,
    TAIL_END_FORMAT,
    TAIL_FORMAT,
    TAIL_HEAD_FORMAT,
    TYPE_MARKS,
    incident_text,
)
from incidents._errors import StorageError
from incidents._gc import Turns
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.hashing import HASH_SIZE
from incidents._tlog.notes import VerifierKey
from incidents._tlog.tiles import IDS_SIZE, TILE_WIDTH, Tile, TreeEdge, leaf_hashes
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
from incidents.audit._classify_rows import BATCH, Anomaly, Isos, classify, classify_without_tree
from incidents.audit._report import CheckpointCheck, Damage, DamageKind, VerifyReport
from incidents.audit._stored import TimeRuns, batch_damages, stored_candidates
from incidents.storage import AuditReader, AuditRow, IntegrityCheck, from_micros

__all__ = ["BATCH", "verify_rows"]


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


def verify_rows(
    reader: AuditReader,
    *,
    subject: str,
    checkpoints: Iterable[Checkpoint] = (),
    keys: Iterable[VerifierKey] = (),
    notes: Sequence[str] = (),
    storage: Callable[[], IntegrityCheck] | None = None,
) -> VerifyReport:
    """
    Verify a ledger: every row, the stored tree, every checkpoint and signature.

    Args:
        reader: A snapshot of the ledger (:meth:`~incidents.storage.Store.audit_reading`).
        subject: What is verified, for the report.
        checkpoints: More checkpoints to check the log against (published copies).
        keys: Verifier keys the caller trusts: the whole log must be covered
            by checkpoints they signed. Without any, signatures are checked
            with the keys stored in the ledger, and nothing is authenticated.
        notes: Remarks to add to the report.
        storage: The storage's own check, called once the rows are read (it
            may have run meanwhile, on a connection of its own).

    Returns:
        The report.

    """
    given_keys = list(keys)
    damages: list[Damage] = []
    all_notes = list(notes)
    origin = reader.audit_origin()
    edge_tiles = reader.audit_edge()
    stored, problems, stored_keys, batches = stored_candidates(reader.audit_checkpoints())
    damages.extend(problems)
    has_tree = origin is not None or bool(edge_tiles)
    if origin is None:
        # The log's name is gone with its tree: the stored checkpoints still say it.
        origin = next((c.checkpoint.origin for c in stored), "")
        if edge_tiles:
            damages.append(
                Damage(DamageKind.TREE_DAMAGED, 1, detail="the audit tree's origin is gone")
            )
    try:
        stored_edge: TreeEdge | None = TreeEdge.from_tiles(edge_tiles) if has_tree else None
    except StorageError as exc:
        stored_edge = None
        damages.append(Damage(DamageKind.TREE_DAMAGED, 1, detail=str(exc)))
    tree_size = stored_edge.size if stored_edge is not None else 0
    try:
        build = reader.audit_tree_build()
    except StorageError as exc:
        build = None
        damages.append(Damage(DamageKind.TREE_DAMAGED, 1, detail=str(exc)))
    if build is not None:
        all_notes.append(
            f"the audit tree of the first {build.size} events was computed from the stored rows "
            f"by {build.recorder!r} at {from_micros(build.built_at).isoformat()} (incidents "
            "build-tree): changes made to them before then cannot be detected, except against "
            "checkpoints published before"
        )
    if not given_keys and stored_keys:
        all_notes.append(
            "signatures were checked with the keys stored in the ledger itself: "
            "give the keys you trust to make them evidence"
        )
    candidates = stored + [Candidate(c, "given") for c in checkpoints]
    rebuild = Rebuild([tree_size, *(c.checkpoint.size for c in candidates)])

    scan = _Scan(reader, tree_size if stored_edge is not None else None)
    count = 0
    after = 0
    with Turns() as turns:  # a long read keeps the collector paused (incidents._gc)
        while True:
            rows = reader.audit_rows(after, BATCH)
            if not rows:
                break
            turns.step(len(rows))
            hashes = leaf_hashes([r[6] for r in rows])
            if scan.anomaly is None:
                scan.batch(rows, hashes, count, after)
            rebuild.feed(hashes)
            count += len(rows)
            after = rows[-1][0]
    anomaly = scan.anomaly
    if anomaly is None and count < tree_size:  # (with no readable tree, checkpoints decide)
        anomaly = Anomaly(count, "short", after)
    if not has_tree and count:
        damages.append(
            Damage(
                DamageKind.TREE_MISSING,
                1,
                detail=f"the ledger holds {count} events but no audit tree: nothing it keeps says "
                "what they were when they were recorded. A ledger recorded before its audit "
                "tree existed gets one with `incidents build-tree`, which records who built "
                "it and when; otherwise its audit tables were emptied",
            )
        )

    root = rebuild.edge.root()
    tree_bad: int | None = None
    if anomaly is None and stored_edge is not None:
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
        elif stored_edge is None:
            damages.append(classify_without_tree(reader, anomaly, scan.isos))
        else:
            damages.append(classify(reader, anomaly, count, tree_size, scan.isos))
    elif tree_bad is not None:
        damages.append(
            Damage(
                DamageKind.TREE_DAMAGED,
                tree_bad,
                detail="the events match their stored leaf hashes, but the stored hashes above them "
                "(which answer proofs) do not",
            )
        )
    if scan.ids_bad is not None:
        damages.append(scan.ids_bad)
    checked = min(scan.runs.last, anomaly.index if anomaly is not None else count)
    scan.runs.last = checked
    scan.runs.finish()
    damages.extend(batch_damages(batches, scan.runs.runs, scan.times, checked))
    damages.extend(checkpoint_damages(checks, damages, count, origin))
    covered, uncovered = coverage(checks, given_keys, count, damages)
    if uncovered is not None:
        damages.append(uncovered)
    damages.sort(key=lambda d: d.position)
    integrity = storage() if storage is not None else None
    return VerifyReport(
        subject=subject,
        origin=origin,
        size=count,
        expected_size=tree_size,
        root=root,
        damages=tuple(damages),
        checkpoints=tuple(checks),
        recorders=scan.runs.parts(checks, given_keys),
        notes=tuple(all_notes),
        trusted=tuple(key_label(k.name, k.key_id) for k in given_keys),
        covered=covered,
        storage="" if integrity is None else integrity.method,
        storage_findings=() if integrity is None else integrity.findings,
    )


class _Scan:
    """
    The quick check of every row, batch after batch, up to the first anomaly.

    ``tree_size`` is ``None`` when the ledger has no audit tree: the rows are
    then only checked against themselves (columns against bytes, sequence).
    """

    def __init__(self, reader: AuditReader, tree_size: int | None) -> None:
        self.reader = reader
        self.tree_size = tree_size
        self.isos = Isos()
        self.runs = Runs()
        self.times = TimeRuns()
        self.anomaly: Anomaly | None = None
        self.ids_bad: Damage | None = None  # the first leaf whose kept ids are not its row's

    def _stop(self, index: int, cause: str, anchor: int) -> None:
        """The first anomaly, at 0-based ``index``: the recorders' runs end just before it."""
        self.runs.last = index
        self.anomaly = Anomaly(index, cause, anchor)

    def batch(
        self, rows: Sequence[AuditRow], hashes: Sequence[bytes], count: int, after: int
    ) -> None:
        """Check one batch quickly, stopping at its first anomaly, if any."""
        n = len(rows)
        tree_size = self.tree_size
        limit = n if tree_size is None else max(0, min(n, tree_size - count))  # beyond: extra
        leaf_bad = ids_bad = None
        if tree_size is not None and limit:
            leaf_bad, ids_bad = self._leaves(rows, hashes, count, limit)
        runs, times, isos = self.runs, self.times, self.isos
        previous = after
        incidents = _INCIDENT_TEXT
        marks = TYPE_MARKS
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
                return self._stop(count + i, "leaf", previous)
            if i >= limit:
                return self._stop(count + i, "extra", previous)
            sequence, incident, pos, event, topic, micros, state = row
            if sequence != count + i + 1:
                return self._stop(count + i, "sequence", previous)
            try:
                if micros != last_micros:
                    iso, last_micros = isos(micros), micros
                    times.add(micros, count + i + 1)
                # The whole envelope at once, assuming the same recorder as the row before.
                tail = tail_format % (pos, iso, recorder, sequence)
                if state.endswith(tail):
                    k = len(state) - len(tail)
                else:  # another recorder, or a column that disagrees
                    k = state.rfind(envelope_start)
                    head = head_format % (pos, iso)
                    end = end_format % sequence
                    if k < 0 or not state.startswith(head, k) or not state.endswith(end):
                        return self._stop(count + i, "columns", previous)
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
                return self._stop(count + i, "columns", previous)
            if i == ids_bad and self.ids_bad is None:
                self.ids_bad = self._wrong_ids(count + i, row)
            previous = sequence
        runs.last = count + n
        return None

    def _leaves(
        self, rows: Sequence[AuditRow], hashes: Sequence[bytes], count: int, limit: int
    ) -> tuple[int | None, int | None]:
        """The first row whose leaf hash, and the first whose kept ids, differ from the stored tree's."""
        first_tile, last_tile = count // TILE_WIDTH, (count + limit - 1) // TILE_WIDTH
        tiles = self.reader.audit_tiles(0, first_tile, last_tile)
        skip = count % TILE_WIDTH
        stored_leaves = b"".join(t.hashes for t in tiles)[
            skip * HASH_SIZE : (skip + limit) * HASH_SIZE
        ]
        leaf_bad = None
        if b"".join(hashes[:limit]) != stored_leaves:
            leaf_bad = next(
                (
                    i
                    for i in range(limit)
                    if stored_leaves[i * HASH_SIZE : (i + 1) * HASH_SIZE] != hashes[i]
                ),
                None,
            )
        stored_ids = b"".join(t.ids or b"" for t in tiles)[
            skip * IDS_SIZE : (skip + limit) * IDS_SIZE
        ]
        try:
            kept = b"".join([r[3] + r[1] for r in rows[:limit]])
        except TypeError:  # a column of the wrong type: the row's own check names it
            kept = b""
        ids_bad = None
        if kept != stored_ids:
            ids_bad = next(
                (
                    i
                    for i in range(limit)
                    if stored_ids[i * IDS_SIZE : (i + 1) * IDS_SIZE] != _ids(rows[i])
                ),
                None,
            )
        return leaf_bad, ids_bad

    def _wrong_ids(self, index: int, row: AuditRow) -> Damage:
        """The ids kept with leaf ``index`` are not those of the row whose bytes it hashes."""
        tile = self.reader.audit_tiles(0, index // TILE_WIDTH, index // TILE_WIDTH)
        slot = index % TILE_WIDTH
        kept = (tile[0].ids or b"")[slot * IDS_SIZE : (slot + 1) * IDS_SIZE] if tile else b""
        said = (
            f"event {UUID(bytes=kept[:16])} of incident {UUID(bytes=kept[16:])}"
            if len(kept) == IDS_SIZE
            else "no ids"
        )
        return Damage(
            DamageKind.TREE_DAMAGED,
            index + 1,
            UUID(bytes=row[1]),
            UUID(bytes=row[3]),
            detail=f"the event at position {index + 1} matches its stored leaf hash, but the ids "
            f"kept with that leaf say {said}: reports that name events by these ids would name "
            "the wrong one",
        )


def _ids(row: AuditRow) -> bytes:
    event, incident = row[3], row[1]
    return event + incident if isinstance(event, bytes) and isinstance(incident, bytes) else b""


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
