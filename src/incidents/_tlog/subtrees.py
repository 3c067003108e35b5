"""
Perfect subtrees: where proofs and old roots read their hashes from.

The *perfect subtree* at ``(level, index)`` is the complete, aligned subtree
over the ``2**level`` leaves ``[index * 2**level, (index + 1) * 2**level)``;
level 0 holds the leaf hashes. Every perfect subtree that lies entirely
within a tree of size ``n`` is a node of that tree. The tree's right edge,
and any incomplete subtree on it, is made of at most ``log2(n) + 1`` such
perfect subtrees (one per set bit of the size).

:class:`SubtreeHashes` is the protocol proof generation
(:mod:`incidents._tlog.prove`) reads from: one method returning the hash of a
perfect subtree. :func:`root_from_subtrees` gives the root of any earlier
size from ``O(log n)`` of them.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol, runtime_checkable

from incidents._tlog.hashing import EMPTY_ROOT, check_count, node_hash

__all__ = ["Subtree", "SubtreeHashes", "range_hash", "root_from_subtrees"]


class Subtree(NamedTuple):
    """
    A perfect subtree: its position and its hash.

    Attributes:
        level: The height; the subtree covers ``2**level`` leaves.
        index: Its position within its level; it covers the leaves
            ``[index * 2**level, (index + 1) * 2**level)``.
        hash: Its 32-byte Merkle Tree Hash.

    """

    level: int
    index: int  # type: ignore[assignment]  # Shadows tuple.index on purpose.
    hash: bytes


@runtime_checkable
class SubtreeHashes(Protocol):
    """
    Read access to the hashes of perfect subtrees of a log.

    Proof generation calls only this. An implementation may look hashes up in
    a database table of persisted nodes (see
    :class:`~incidents._tlog.tiles.TileSubtrees`), compute them from leaves,
    or keep them in memory. It is only ever asked for subtrees that lie
    entirely within the tree size the proof is generated for.
    """

    def subtree_hash(self, level: int, index: int) -> bytes:
        """
        Return the hash of the perfect subtree at ``(level, index)``.

        Args:
            level: The height; level 0 asks for a leaf hash.
            index: The position within the level.

        Returns:
            The 32-byte hash of the subtree over leaves
            ``[index * 2**level, (index + 1) * 2**level)``.

        """
        ...


def range_hash(begin: int, end: int, source: SubtreeHashes) -> bytes:
    """
    Return MTH(D[begin:end]) for a range at the right edge of an aligned node.

    ``begin`` must be a multiple of a power of two that is at least
    ``end - begin``; such a range decomposes into one perfect subtree per set
    bit of ``end - begin`` (largest first), whose hashes are folded from the
    right. Uses ``popcount(end - begin)`` lookups.

    Args:
        begin: The first leaf of the range.
        end: One past its last leaf (``end > begin``).
        source: Where perfect subtree hashes are read from.

    Returns:
        The 32-byte hash of the range.

    """
    width = end - begin
    parts: list[bytes] = []
    offset = begin
    for level in range(width.bit_length() - 1, -1, -1):
        if (width >> level) & 1:
            parts.append(source.subtree_hash(level, offset >> level))
            offset += 1 << level
    result = parts.pop()
    while parts:
        result = node_hash(parts.pop(), result)
    return result


def root_from_subtrees(size: int, source: SubtreeHashes) -> bytes:
    """
    Compute the root of the tree of the first ``size`` leaves of a source.

    Reads only the ``popcount(size)`` perfect subtrees of the right edge.

    Args:
        size: The tree size.
        source: Where perfect subtree hashes are read from.

    Returns:
        The 32-byte Merkle Tree Hash; :data:`~incidents._tlog.hashing.EMPTY_ROOT`
        when ``size`` is 0.

    Raises:
        InvalidInputError: If ``size`` is negative or not an int.

    """
    check_count("size", size)
    if size == 0:
        return EMPTY_ROOT
    return range_hash(0, size, source)
