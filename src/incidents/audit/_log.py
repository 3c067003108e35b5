"""
The ledger's audit log: leaves appended with every batch, checkpoints, proofs, verify.

:class:`AuditLog` is a part of :class:`incidents.Ledger`. The ledger calls
:meth:`~AuditLog.append` inside its write transaction: it hashes the batch's
canonical bytes into leaves, extends the stored tree
(:mod:`incidents._tlog.tiles`) and, when the recorder has a signing key,
stores a checkpoint signed with the batch. The batch and its hashes commit
together or not at all. The ledger's audit methods
(:meth:`~incidents.Ledger.checkpoint`,
:meth:`~incidents.Ledger.inclusion_proof`,
:meth:`~incidents.Ledger.consistency_proof`, :meth:`~incidents.Ledger.verify`,
:meth:`~incidents.Ledger.build_audit_tree`) hand over to the rest of it.

A log's checkpoints are signed with a key named after the log (C2SP
tlog-checkpoint: the log's key name SHOULD be its origin): a new ledger
opened with a key takes the key's name as its origin, and a key of another
name is refused. Opening a ledger never builds or repairs its tree: a
ledger recorded before its audit tree existed gets one only from
:meth:`AuditLog.build`, which records who built it and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from uuid import UUID

import attrs

from incidents._domain.events import Recorded
from incidents._errors import (
    IncidentsError,
    InvalidInputError,
    StorageError,
    UnknownEventError,
)
from incidents._tlog.checkpoint import Checkpoint, check_new_origin
from incidents._tlog.notes import SigningKey, VerifierKey
from incidents._tlog.prove import consistency_proof, inclusion_proof
from incidents._tlog.subtrees import root_from_subtrees
from incidents._tlog.tiles import TileSubtrees, TreeEdge, leaf_hashes
from incidents.audit._proofs import ConsistencyProof, InclusionProof
from incidents.audit._report import VerifyReport
from incidents.audit._verify_rows import verify_rows
from incidents.storage import (
    AuditCheckpointRow,
    AuditReader,
    Store,
    StoredRecord,
    Tile,
    TreeBuild,
    Writer,
    from_micros,
)
from incidents.storage._tiles import build_tree

__all__ = ["INTEGRITY", "AuditLog", "StoredCheckpoint", "default_origin"]

INTEGRITY = ("quick", "full")
"""How far verify checks the storage itself: SQLite's ``quick_check`` or its ``integrity_check``."""


def default_origin() -> str:
    """
    A fresh origin for a new ledger: ``incidents/<random UUID>``.

    Returns:
        The origin.

    """
    return f"incidents/{uuid.uuid4()}"


@attrs.frozen
class StoredCheckpoint:
    """
    A checkpoint kept in the ledger.

    Attributes:
        checkpoint: The checkpoint.
        first: For a checkpoint signed with a recorded batch, the batch's
            first sequence number (the batch ends at the checkpoint's size);
            ``None`` for checkpoints stored with ``ledger.checkpoint(store=True)``.
        recorder: Who recorded the batch, or stored the checkpoint.
        created_at: When it was stored (the ledger's recording time).
        key: The signer's verifier key, when signed.

    For a batch checkpoint, verify checks ``first``, ``recorder`` and
    ``created_at`` against the events; for one stored on request they are
    the ledger's word only (verify does not report them, bundles do not
    carry them).

    """

    checkpoint: Checkpoint
    first: int | None
    recorder: str | None
    created_at: datetime
    key: VerifierKey | None


class AuditLog:
    """
    Keeps a ledger's Merkle tree in step with its events, and answers from it.

    A part of :class:`incidents.Ledger`, which checks that it is open and
    hands its audit methods over to this: checkpoints, proofs and verify.
    Opening sets up the tree of a new ledger (its origin); it never builds
    the tree of a ledger that has events but none (see :meth:`build`), and
    writes nothing to a ledger opened read-only.

    Args:
        store: The ledger's storage.
        signing_key: The recorder's key; every batch recorded is then signed.
            It must be named after the log (its origin).
        origin: The log's name, for a ledger that has none yet (default: the
            signing key's name, or a fresh ``incidents/<uuid>``).

    Raises:
        InvalidInputError: If ``origin`` differs from the ledger's own, or the
            signing key is not named after the log.

    """

    def __init__(
        self,
        store: Store,
        *,
        signing_key: SigningKey | None = None,
        origin: str | None = None,
    ) -> None:
        if signing_key is not None and not isinstance(signing_key, SigningKey):
            raise InvalidInputError(
                f"signing_key must be a SigningKey, got {type(signing_key).__name__}"
            )
        if origin is not None:
            check_new_origin(origin)
        self.store = store
        self.signing_key = signing_key
        self._edge: TreeEdge | None = None
        with store.audit_reading() as reader:
            found = reader.audit_origin()
        if found is None and not store.read_only and not store.last_sequence():
            found = self._set_up(_origin_for(signing_key, origin))
        if origin is not None and found is not None and origin != found:
            raise InvalidInputError(f"this ledger's origin is {found!r}, not {origin!r}")
        if found is not None:
            _check_key_name(signing_key, found)
        self.origin: str | None = found

    def _set_up(self, origin: str) -> str:
        with self.store.writing() as writer:
            existing = writer.audit_origin()
            if existing is not None:
                return existing  # another process set it up first
            writer.set_audit_origin(origin)
        return origin

    def _require_tree(self) -> str:
        if self.origin is None:
            raise StorageError(
                f"the ledger {self.store.location} has events but no audit tree: if it was "
                "recorded before audit trees existed, build one with `incidents build-tree` "
                "(Ledger.build_audit_tree); otherwise its audit tables were emptied: run "
                "`incidents verify`"
            )
        return self.origin

    def build(self, *, recorder: str, built_at: int, origin: str | None = None) -> Checkpoint:
        """
        Build the audit tree of a ledger recorded before audit trees existed, from its rows as they stand.

        Records who built it and when (``verify`` says so: changes made
        before then cannot be detected) and, when there is a signing key,
        keeps a checkpoint of the whole log signed by it: the key's holder
        vouches for the events as they now stand.

        Args:
            recorder: Who builds it.
            built_at: When (µs, the ledger's recording time).
            origin: The log's name (default: the signing key's name, or a
                fresh ``incidents/<uuid>``).

        Returns:
            The checkpoint of the log as built (signed if there is a key).

        Raises:
            StorageError: If the ledger has an audit tree already, or its
                audit tables are not empty (they are damaged, not missing:
                verify says how).
            InvalidInputError: If the origin is not acceptable, or the key is
                not named after it.

        """
        if origin is not None:
            check_new_origin(origin)
        name = _origin_for(self.signing_key, origin)
        _check_key_name(self.signing_key, name)
        with self.store.audit_reading() as reader:
            leftovers = (
                reader.audit_origin() is not None,
                bool(reader.audit_edge()),
                bool(reader.audit_checkpoints()),
            )
        if any(leftovers):
            raise StorageError(
                f"the ledger {self.store.location} has audit tables that are not empty: its tree "
                "is not missing, and building would hide what happened to it; run `incidents verify`"
            )
        key = self.signing_key
        with self.store.writing() as writer:
            if writer.audit_origin() is not None:
                raise StorageError("another process set up this ledger's audit tree meanwhile")
            writer.set_audit_origin(name)
            edge = build_tree(writer)
            writer.record_tree_build(TreeBuild(recorder, built_at, edge.size))
            checkpoint = Checkpoint(origin=name, size=edge.size, root=edge.root())
            if key is not None:
                checkpoint = checkpoint.signed(key)
                writer.add_audit_checkpoint(
                    AuditCheckpointRow(
                        size=edge.size,
                        first=None,
                        recorder=recorder,
                        created_at=built_at,
                        note=checkpoint.text,
                        key=key.verifier.text,
                    )
                )
        self.origin = name
        self._edge = edge
        return checkpoint

    def append(
        self,
        writer: Writer,
        last_sequence: int,
        rows: Sequence[StoredRecord],
        ids: Sequence[bytes],
        recorder: str,
        recorded_at: int,
    ) -> TreeEdge:
        """
        Extend the tree with a batch, inside the batch's write transaction.

        Args:
            writer: The open write transaction.
            last_sequence: The last sequence number before the batch.
            rows: The batch's rows, as inserted.
            ids: Their leaf ids, as the writer's ``insert`` returned them.
            recorder: Who records the batch.
            recorded_at: Its recording time (µs).

        Returns:
            The new edge; hand it to :meth:`committed` once the transaction commits.

        Raises:
            StorageError: If the stored tree does not cover exactly the events
                before the batch (the ledger was changed outside this library).

        """
        origin = self._require_tree()
        edge, self._edge = self._edge, None  # until committed: a failed batch must not leave it
        if edge is None or edge.size != last_sequence:
            edge = TreeEdge.from_tiles(writer.audit_edge())
            if edge.size != last_sequence:
                raise StorageError(
                    f"the audit tree of {self.store.location} covers {edge.size} events but the "
                    f"ledger holds {last_sequence}: it was changed outside incidents; run `incidents verify`"
                )
        hashes = leaf_hashes([r.state for r in rows])
        writer.put_audit_tiles(edge.append(hashes, ids))
        key = self.signing_key
        if key is not None:
            checkpoint = Checkpoint(origin=origin, size=edge.size, root=edge.root()).signed(key)
            writer.add_audit_checkpoint(
                AuditCheckpointRow(
                    size=edge.size,
                    first=last_sequence + 1,
                    recorder=recorder,
                    created_at=recorded_at,
                    note=checkpoint.text,
                    key=key.verifier.text,
                )
            )
        return edge

    def committed(self, edge: TreeEdge) -> None:
        """
        Remember the tree's edge after a commit, so the next batch need not read it.

        Args:
            edge: What :meth:`append` returned.

        """
        self._edge = edge

    # -- reading the log --------------------------------------------------------------

    def _size_and_root(self, reader: AuditReader, size: int | None) -> tuple[int, bytes]:
        edge = TreeEdge.from_tiles(reader.audit_edge())
        if size is None or size == edge.size:
            return edge.size, edge.root()
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= edge.size:
            raise InvalidInputError(
                f"size must be from 0 to {edge.size}, the log's size; got {size!r}"
            )
        return size, root_from_subtrees(size, _subtrees(reader))

    def checkpoint(self, *, size: int | None = None) -> Checkpoint:
        """
        The log's size and root as a checkpoint, signed if there is a signing key.

        Args:
            size: An earlier size to describe (default: the whole log now).

        Returns:
            The checkpoint.

        Raises:
            InvalidInputError: If ``size`` is beyond the log.

        """
        origin = self._require_tree()
        with self.store.audit_reading() as reader:
            tree_size, root = self._size_and_root(reader, size)
        checkpoint = Checkpoint(origin=origin, size=tree_size, root=root)
        key = self.signing_key
        return checkpoint if key is None else checkpoint.signed(key)

    def keep(self, checkpoint: Checkpoint, *, recorder: str, created_at: int) -> None:
        """
        Store a checkpoint in the ledger, beside those signed with batches.

        Args:
            checkpoint: What :meth:`checkpoint` returned.
            recorder: Who stores it.
            created_at: When (µs, the ledger's recording time; never before
                the last event was recorded).

        """
        key = self.signing_key
        with self.store.writing() as writer:
            _, last_micros = writer.head()
            if last_micros is not None:
                created_at = max(created_at, last_micros)
            writer.add_audit_checkpoint(
                AuditCheckpointRow(
                    size=checkpoint.size,
                    first=None,
                    recorder=recorder,
                    created_at=created_at,
                    note=checkpoint.text,
                    key=None if key is None else key.verifier.text,
                )
            )

    def checkpoints(self) -> list[StoredCheckpoint]:
        """
        The checkpoints kept in the ledger, in the order they were stored.

        Returns:
            Them.

        Raises:
            StorageError: If one cannot be read.

        """
        with self.store.audit_reading() as reader:
            rows = reader.audit_checkpoints()
        found = []
        for row in rows:
            try:
                checkpoint = Checkpoint.parse(row.note)
                key = None if row.key is None else VerifierKey.from_text(row.key)
            except IncidentsError as exc:
                raise StorageError(f"a stored checkpoint cannot be read: {exc}") from exc
            found.append(
                StoredCheckpoint(
                    checkpoint,
                    row.first,
                    row.recorder,
                    from_micros(row.created_at),
                    key,
                )
            )
        return found

    def _resolve_size(self, reader: AuditReader, at: Checkpoint | int | None) -> int:
        if at is None or isinstance(at, int):
            size, _ = self._size_and_root(reader, at)
            return size
        if not isinstance(at, Checkpoint):
            raise InvalidInputError(f"expected a Checkpoint or a size, got {type(at).__name__}")
        if at.origin != self._require_tree():
            raise InvalidInputError(
                f"the checkpoint is of log {at.origin!r}, this ledger is {self.origin!r}"
            )
        size, root = self._size_and_root(reader, at.size)
        if root != at.root:
            raise InvalidInputError(
                f"the checkpoint's root at size {at.size} is not this ledger's: "
                "the ledger was changed since, or the checkpoint is forged; run verify"
            )
        return size

    def inclusion_proof(
        self, event: UUID | Recorded, at: Checkpoint | int | None = None
    ) -> InclusionProof:
        """What :meth:`incidents.Ledger.inclusion_proof` answers (arguments and errors as there)."""
        event_id = event.event_id if isinstance(event, Recorded) else event
        row = self.store.row(event_id)
        if row is None:
            raise UnknownEventError(f"event {event_id} is not recorded")
        origin = self._require_tree()
        with self.store.audit_reading() as reader:
            size = self._resolve_size(reader, at)
            index = row.id - 1
            if index >= size:
                raise InvalidInputError(
                    f"event {event_id} was recorded at position {row.id}, after the checkpoint's {size} events"
                )
            hashes = inclusion_proof(index, size, _subtrees(reader))
        return InclusionProof(origin=origin, leaf_index=index, tree_size=size, hashes=hashes)

    def consistency_proof(
        self, old: Checkpoint | int, new: Checkpoint | int | None = None
    ) -> ConsistencyProof:
        """What :meth:`incidents.Ledger.consistency_proof` answers (arguments and errors as there)."""
        origin = self._require_tree()
        with self.store.audit_reading() as reader:
            old_size = self._resolve_size(reader, old)
            new_size = self._resolve_size(reader, new)
            hashes = consistency_proof(old_size, new_size, _subtrees(reader))
        return ConsistencyProof(origin=origin, old_size=old_size, new_size=new_size, hashes=hashes)

    def verify(
        self,
        *,
        checkpoints: Iterable[Checkpoint] = (),
        keys: Iterable[VerifierKey] = (),
        integrity: str = "full",
    ) -> VerifyReport:
        """
        Check the whole log from one snapshot: every event, the tree, every checkpoint and signature, the storage.

        Reads only. The storage's own check (:data:`INTEGRITY`) runs on a
        connection of its own, in a second thread, while the events are
        hashed: SQLite does its work without holding Python's lock.

        Args:
            checkpoints: Published checkpoints to check the log against.
            keys: The verifier keys the caller trusts.
            integrity: ``"quick"`` or ``"full"`` (see
                :meth:`incidents.storage.AuditReading.check_integrity`).

        Returns:
            The report.

        Raises:
            InvalidInputError: If ``integrity`` is neither.

        """
        if integrity not in INTEGRITY:
            raise InvalidInputError(f"integrity must be one of {INTEGRITY}, got {integrity!r}")
        with ThreadPoolExecutor(1, thread_name_prefix="incidents-integrity") as pool:
            check = pool.submit(self.store.check_integrity, full=integrity == "full")
            with self.store.audit_reading() as reader:
                return verify_rows(
                    reader,
                    subject=f"{self.store.backend} ledger {self.store.location}",
                    checkpoints=list(checkpoints),
                    keys=list(keys),
                    storage=check.result,
                )


def _origin_for(key: SigningKey | None, origin: str | None) -> str:
    """A new log's origin: the one asked for, else the signing key's name, else a fresh one."""
    if origin is not None:
        return origin
    return key.name if key is not None else default_origin()


def _check_key_name(key: SigningKey | None, origin: str) -> None:
    if key is not None and key.name != origin:
        raise InvalidInputError(
            f"the signing key is named {key.name!r}, but it would sign the checkpoints of log "
            f"{origin!r}: a log's key is named after the log (C2SP tlog-checkpoint). Make one "
            f"with `incidents keygen {origin} --out FILE`"
        )


def _subtrees(reader: AuditReader) -> TileSubtrees:
    def fetch(level: int, index: int) -> Tile | None:
        found = reader.audit_tiles(level, index, index)
        return found[0] if found else None

    return TileSubtrees(fetch)
