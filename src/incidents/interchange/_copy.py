"""
Moving a whole ledger: restore one from a bundle, copy one between SQLite, PostgreSQL and bundles.

A copy is the same log: every event keeps its canonical bytes, so its
sequence, stream position, recording time and recorder, and the copy's
Merkle tree has the same root at every size. The rows are written into an
empty ledger in one write transaction with the tree's tiles, and the root
they rebuild is compared with the source's before it commits: a copy that
would differ is not made. The checkpoints the source kept go along (a
bundle's carried checkpoints become checkpoints stored in the ledger), so
the copy verifies against the same published checkpoints and signatures.

A bundle is verified before anything is written (with the keys you trust,
it must also be authenticated): a damaged or forged bundle restores nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from uuid import UUID

from incidents._domain.time import Clock
from incidents._errors import InvalidInputError, StorageError, VerificationError
from incidents._gc import Turns
from incidents._ledger import Ledger
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey, VerifierKey
from incidents._tlog.tiles import TreeEdge, leaf_hashes
from incidents.audit import Bundle
from incidents.audit._bundle import is_bundle
from incidents.storage import (
    AuditCheckpointRow,
    LedgerMapper,
    Store,
    StoredRecord,
    TreeBuild,
    open_store,
)
from incidents.storage._rows import AuditRow, stored_record

__all__ = ["copy_ledger", "restore_bundle"]

_BATCH = 2_000  # rows inserted at a time, inside the one transaction
_BUNDLE_SUFFIXES = (".bundle", ".jsonl")


def _is_database(target: str) -> bool:
    return target == ":memory:" or target.startswith(("postgresql://", "postgres://"))


class _Last:
    """The recording time of the last row read (µs), once the rows are read."""

    micros = 0


def _bundle_rows(bundle: Bundle, last: _Last) -> Iterator[list[StoredRecord]]:
    mapper = LedgerMapper()
    batch: list[StoredRecord] = []
    expected = 1
    for record in bundle.records():  # decoded, and checked to be in canonical form
        if record.sequence != expected:
            raise VerificationError(
                f"line {expected} of the events of bundle {bundle.path} holds sequence "
                f"{record.sequence}, not {expected}"
            )
        expected += 1
        batch.append(mapper.to_stored_event(record))
        last.micros = batch[-1].recorded_at
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_rows(store: Store, size: int) -> Iterator[list[StoredRecord]]:
    with store.audit_reading() as reader:
        after = 0
        while after < size:
            rows = reader.audit_rows(after, min(_BATCH, size - after))
            if not rows:
                break
            yield [_row(row) for row in rows]
            after = rows[-1][0]


def _row(row: AuditRow) -> StoredRecord:
    sequence, incident, position, event, topic, micros, state = row
    return stored_record(
        sequence, UUID(bytes=incident), position, topic, state, UUID(bytes=event), micros
    )


def _write(
    store: Store,
    origin: str,
    checkpoint: Checkpoint,
    batches: Iterable[list[StoredRecord]],
    kept: Iterable[AuditCheckpointRow],
    build: TreeBuild | None,
) -> None:
    """Write the rows, their tree and the checkpoints into an empty store, all or nothing."""
    with store.writing() as writer, Turns() as turns:
        last, _ = writer.head()
        if last or writer.audit_origin() is not None:
            raise InvalidInputError(
                f"{store.backend} ledger {store.location} is not empty: a copy goes into a "
                "new ledger (or an empty one), never on top of another"
            )
        writer.set_audit_origin(origin)
        edge = TreeEdge()
        for rows in batches:
            turns.step(len(rows))
            if rows[0].id != edge.size + 1:
                raise StorageError(f"the source's sequence numbers have a gap after {edge.size}")
            ids = writer.insert(rows)
            writer.put_audit_tiles(edge.append(leaf_hashes([r.state for r in rows]), ids))
        if edge.size != checkpoint.size or edge.root() != checkpoint.root:
            raise VerificationError(
                f"the events copied rebuild a tree of {edge.size} events that does not match "
                f"the source's checkpoint at size {checkpoint.size}: nothing was written"
            )
        for row in kept:
            writer.add_audit_checkpoint(row)
        if build is not None:
            writer.record_tree_build(build)


def _carried(bundle: Bundle, last: _Last) -> Iterator[AuditCheckpointRow]:
    # Read once the rows are written: stored as of the last event's recording time.
    for c in bundle.checkpoints:
        yield AuditCheckpointRow(
            size=c.checkpoint.size,
            first=None,
            recorder="bundle",
            created_at=last.micros,
            note=c.checkpoint.text,
            key=None if c.key is None else c.key.text,
        )


def _verified(bundle: Bundle, keys: Iterable[VerifierKey]) -> None:
    trusted = list(keys)
    report = bundle.verify(keys=trusted)
    if not report.ok:
        damage = report.damages[0].describe() if report.damages else "see its report"
        raise VerificationError(f"bundle {bundle.path} does not verify: {damage}")
    if trusted and not report.authenticated:
        raise VerificationError(
            f"bundle {bundle.path} is not covered by checkpoints the keys you trust signed"
        )


def _restore_into(store: Store, bundle: Bundle, keys: Iterable[VerifierKey]) -> None:
    _verified(bundle, keys)
    last = _Last()
    _write(
        store,
        bundle.origin,
        Checkpoint(origin=bundle.origin, size=bundle.size, root=bundle.checkpoint.root),
        _bundle_rows(bundle, last),
        _carried(bundle, last),
        None,
    )


@contextlib.contextmanager
def _new_store(target: str) -> Iterator[Store]:
    """Open a target for a copy; an SQLite file created for it is removed if the copy fails."""
    existed = _is_database(target) or os.path.lexists(target)
    store = open_store(target)
    try:
        yield store
    except BaseException:
        store.close()
        if not existed:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(target + suffix)
        raise


def restore_bundle(
    bundle: str | os.PathLike[str] | Bundle,
    target: str | os.PathLike[str] = ":memory:",
    *,
    keys: Iterable[VerifierKey] = (),
    clock: Clock | None = None,
    recorder: str | None = None,
    signing_key: SigningKey | None = None,
) -> Ledger:
    """
    Make a ledger from a bundle: the same events, positions, recording times, recorders and root.

    The bundle is verified first (:meth:`incidents.audit.Bundle.verify`):
    a bundle that does not verify, or with *keys* one not covered by
    checkpoints they signed, restores nothing. The ledger takes the
    bundle's origin, and keeps the checkpoints it carries.

    Args:
        bundle: The bundle file (or an opened :class:`~incidents.audit.Bundle`).
        target: Where the ledger goes: an SQLite path, a ``postgresql://``
            URL or ``":memory:"``. It must be new or empty.
        keys: The verifier keys you trust.
        clock: The restored ledger's clock, for what is recorded into it later.
        recorder: Who records into it later.
        signing_key: The key that signs later batches (named after the bundle's origin).

    Returns:
        The restored ledger, open: close it when done.

    Raises:
        VerificationError: If the bundle does not verify (or is not authenticated by *keys*).
        InvalidInputError: If the file is not a bundle, or the target holds a ledger already.
        StorageError: If the target cannot be opened or written.
    """
    opened = bundle if isinstance(bundle, Bundle) else Bundle.open(bundle)
    with _new_store(os.fspath(target)) as store:
        _restore_into(store, opened, keys)
    return Ledger(store, clock=clock, recorder=recorder, signing_key=signing_key)


def _source_store(source: Ledger | str | os.PathLike[str]) -> tuple[Store, bool]:
    if isinstance(source, Ledger):
        return source.store, False
    text = os.fspath(source)
    if not _is_database(text) and not os.path.exists(text):
        raise InvalidInputError(f"no ledger at {text}: there is nothing to copy")
    return open_store(text, read_only=True), True


def _copy_store(source: Store, store: Store) -> Checkpoint:
    with source.audit_reading() as reader:
        origin = reader.audit_origin()
        edge = TreeEdge.from_tiles(reader.audit_edge())
        kept = reader.audit_checkpoints()
        build = reader.audit_tree_build()
    if origin is None:
        raise StorageError(
            f"the ledger {source.location} has no audit tree: build one first "
            "(`incidents build-tree`), so that its copy can be checked against it"
        )
    checkpoint = Checkpoint(origin=origin, size=edge.size, root=edge.root())
    _write(store, origin, checkpoint, _store_rows(source, edge.size), kept, build)
    return checkpoint


def copy_ledger(
    source: Ledger | str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    keys: Iterable[VerifierKey] = (),
    bundle: bool | None = None,
) -> Checkpoint:
    """
    Copy a ledger between SQLite, PostgreSQL and bundles, keeping every event and the root.

    Every event keeps its canonical bytes (so its sequence, position,
    recording time and recorder), the copy's tree has the source's root,
    and the checkpoints the source kept come along: the copy verifies
    against the same published checkpoints. A source that is a bundle is
    verified first; a target that is a bundle is written whole or not at all.

    Args:
        source: An open :class:`~incidents.Ledger`, an SQLite path, a
            ``postgresql://`` URL (opened read-only), or a bundle file.
        target: A new (or empty) SQLite path or ``postgresql://`` URL, or a
            bundle file to write.
        keys: The verifier keys you trust, for a source bundle.
        bundle: Whether *target* is a bundle (default: when its name ends
            in ``.bundle`` or ``.jsonl``).

    Returns:
        The checkpoint of the copy (unsigned): the source's origin, size and root.

    Raises:
        VerificationError: If a source bundle does not verify, or the copy
            would not rebuild the source's root (nothing is written).
        InvalidInputError: If the target holds a ledger already, or the source is missing.
        StorageError: If a ledger cannot be opened, read or written.
        FileWriteError: If a target bundle cannot be written.
    """
    text = os.fspath(target)
    to_bundle = text.endswith(_BUNDLE_SUFFIXES) if bundle is None else bundle
    from_bundle = not isinstance(source, Ledger) and (
        not _is_database(os.fspath(source)) and is_bundle(source)
    )
    if to_bundle:
        if from_bundle:
            assert not isinstance(source, Ledger)
            with restore_bundle(source, keys=keys) as ledger:
                return _unsigned(ledger.export_bundle(text))
        if isinstance(source, Ledger):
            return _unsigned(source.export_bundle(text))
        with Ledger.open(source, read_only=True) as ledger:
            return _unsigned(ledger.export_bundle(text))
    if from_bundle:
        assert not isinstance(source, Ledger)
        opened = Bundle.open(source)
        with _new_store(text) as store:
            _restore_into(store, opened, keys)
        store.close()
        return Checkpoint(origin=opened.origin, size=opened.size, root=opened.checkpoint.root)
    store_in, owned = _source_store(source)
    try:
        with _new_store(text) as store:
            checkpoint = _copy_store(store_in, store)
        store.close()
    finally:
        if owned:
            store_in.close()
    return checkpoint


def _unsigned(checkpoint: Checkpoint) -> Checkpoint:
    return Checkpoint(origin=checkpoint.origin, size=checkpoint.size, root=checkpoint.root)
