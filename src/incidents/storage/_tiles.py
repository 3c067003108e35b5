"""
Writing the audit tree's tiles inside a store's write transaction.

The tree itself (the transparency log's tiles) knows nothing of storage;
these two functions feed it stored rows and write back the tiles it changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from incidents._errors import StorageError
from incidents._gc import Turns
from incidents._tlog.tiles import IDS_SIZE, TreeEdge, leaf_hashes
from incidents.storage._rows import AuditRow, StoredRecord
from incidents.storage._writing import AuditWriter

__all__ = ["append_rows", "build_tree"]


def append_rows(
    writer: AuditWriter, rows: Sequence[StoredRecord], ids: Sequence[bytes]
) -> TreeEdge | None:
    """
    Extend the stored tree with rows just inserted outside a ledger's ``record``.

    Used by the store's eventsourcing interface (``Store.insert_events``), so that
    rows inserted through it are covered like any other. Does nothing before
    the ledger's tree is set up (``incidents build-tree`` then builds it).

    Args:
        writer: The write transaction the rows were inserted in.
        rows: The rows, in sequence order.
        ids: Their leaf ids, as the writer's ``insert`` returned them.

    Returns:
        The tree's new edge, or ``None`` when there is no tree yet.

    Raises:
        StorageError: If the stored tree does not end just before the rows.

    """
    if not rows or writer.audit_origin() is None:
        return None
    edge = TreeEdge.from_tiles(writer.audit_edge())
    if edge.size != rows[0].id - 1:
        raise StorageError(
            f"the audit tree covers {edge.size} events, but the rows start at sequence "
            f"{rows[0].id}: run `incidents verify`"
        )
    writer.put_audit_tiles(edge.append(leaf_hashes([r.state for r in rows]), ids))
    return edge


def _ids(row: AuditRow) -> bytes:
    event, incident = row[3], row[1]
    if (
        isinstance(event, bytes)
        and isinstance(incident, bytes)
        and len(event + incident) == IDS_SIZE
    ):
        return event + incident
    return bytes(IDS_SIZE)  # a damaged row: verification will say so


def build_tree(writer: AuditWriter, *, batch: int = 8192) -> TreeEdge:
    """
    Compute the audit tree of every stored row and write its tiles.

    Used once, by ``incidents build-tree`` (:meth:`incidents.Ledger.build_audit_tree`),
    for a ledger recorded before the audit tables existed: the tree is built
    from the rows as they stand. Nothing else builds a tree.

    Args:
        writer: An open write transaction.
        batch: Rows read at a time.

    Returns:
        The tree's edge.

    """
    edge = TreeEdge()
    after = 0
    with Turns() as turns:  # a long read keeps the collector paused (incidents._gc)
        while True:
            rows: list[AuditRow] = writer.audit_rows(after, batch)
            if not rows:
                return edge
            turns.step(len(rows))
            hashes = leaf_hashes(r[6] for r in rows)
            ids = [_ids(r) for r in rows]
            writer.put_audit_tiles(edge.append(hashes, ids))
            after = rows[-1][0]
