"""
Compact ranges: the right edge of a growing tree, enough to append and to compute roots.

:class:`Frontier` is the incremental (mutable) appender of RFC 9162 trees, as
transparency-dev/merkle's ``compact.Range`` over ``[0, size)``: it keeps only
the ``O(log n)`` perfect subtrees of the right edge, so a database can
persist it and extend the tree without reading old leaves. (The ledger's own
stored tree, in tiles, is :class:`~incidents._tlog.tiles.TreeEdge`.)
"""

from __future__ import annotations

from collections.abc import Iterable

from incidents._errors import InvalidInputError
from incidents._tlog.hashing import (
    EMPTY_ROOT,
    HASH_SIZE,
    check_count,
    check_hash,
    check_hash_list,
    node_hash_unchecked,
)
from incidents._tlog.subtrees import Subtree, SubtreeHashes

__all__ = ["Frontier"]

_SIZE_BYTES = 8


class Frontier:
    """
    The right edge of a growing tree: enough to append and to compute roots.

    Holds the hashes of the perfect subtrees that make up the tree's right
    edge: one per set bit of :attr:`size`, largest (leftmost) first, i.e. the
    "compact range" ``[0, size)``. That is at most ``log2(size) + 1`` hashes,
    so a database can persist it (:meth:`to_bytes`, :attr:`hashes`) and later
    keep appending without reading old leaves.

    A ``Frontier`` is *mutable*: :meth:`append` changes it in place. Use
    :meth:`copy` to keep a snapshot. Instances compare equal when size and
    hashes are equal.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        """Create the frontier of the empty tree."""
        self._size = 0
        self._hashes: list[bytes] = []

    # -- construction and persistence ------------------------------------

    @classmethod
    def from_hashes(cls, size: int, hashes: Iterable[bytes]) -> Frontier:
        """
        Restore a frontier from its size and right-edge hashes.

        Args:
            size: The tree size.
            hashes: The right-edge perfect-subtree hashes, largest first, as
                returned by :attr:`hashes`; exactly ``popcount(size)`` of them.

        Returns:
            The restored frontier.

        Raises:
            InvalidInputError: If ``size`` is negative, if the number of hashes
                does not match ``size``, or if a hash is not 32 bytes long.

        """
        check_count("size", size)
        restored = [bytes(h) for h in hashes]
        expected = size.bit_count()
        if len(restored) != expected:
            raise InvalidInputError(
                f"a tree of size {size} has {expected} right-edge hashes, got {len(restored)}"
            )
        check_hash_list("hashes", restored)
        frontier = cls()
        frontier._size = size
        frontier._hashes = restored
        return frontier

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        """
        Restore a frontier serialized by :meth:`to_bytes`.

        Args:
            data: An 8-byte big-endian size followed by the right-edge hashes.

        Returns:
            The restored frontier.

        Raises:
            InvalidInputError: If ``data`` is not a valid serialization.

        """
        raw = bytes(data)
        if len(raw) < _SIZE_BYTES:
            raise InvalidInputError(
                f"a serialized frontier is at least {_SIZE_BYTES} bytes long, got {len(raw)}"
            )
        size = int.from_bytes(raw[:_SIZE_BYTES], "big")
        body = raw[_SIZE_BYTES:]
        expected = size.bit_count() * HASH_SIZE
        if len(body) != expected:
            raise InvalidInputError(
                f"a serialized frontier of size {size} carries {expected} hash "
                f"bytes, got {len(body)}"
            )
        return cls.from_hashes(
            size,
            [body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)],
        )

    @classmethod
    def from_source(cls, size: int, source: SubtreeHashes) -> Frontier:
        """
        Build the frontier of the first ``size`` leaves of a source.

        Reads only the ``popcount(size)`` right-edge perfect subtrees.

        Args:
            size: The tree size.
            source: Where perfect subtree hashes are read from.

        Returns:
            The frontier.

        Raises:
            InvalidInputError: If ``size`` is negative or not an int.

        """
        check_count("size", size)
        hashes: list[bytes] = []
        offset = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if (size >> level) & 1:
                hashes.append(source.subtree_hash(level, offset >> level))
                offset += 1 << level
        return cls.from_hashes(size, hashes)

    def to_bytes(self) -> bytes:
        """
        Serialize: an 8-byte big-endian size followed by the hashes.

        Returns:
            ``8 + 32 * popcount(size)`` bytes; see :meth:`from_bytes`.

        """
        return self._size.to_bytes(_SIZE_BYTES, "big") + b"".join(self._hashes)

    def copy(self) -> Frontier:
        """
        Return an independent copy.

        Returns:
            A new frontier with the same size and hashes.

        """
        duplicate = Frontier()
        duplicate._size = self._size
        duplicate._hashes = list(self._hashes)
        return duplicate

    # -- reading ------------------------------------------------------------

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The right-edge perfect-subtree hashes, largest (leftmost) first."""
        return tuple(self._hashes)

    def subtrees(self) -> tuple[Subtree, ...]:
        """
        Return the right-edge perfect subtrees with their positions.

        Returns:
            One :class:`Subtree` per set bit of :attr:`size`, largest first.

        """
        result: list[Subtree] = []
        offset = 0
        hashes = iter(self._hashes)
        for level in range(self._size.bit_length() - 1, -1, -1):
            if (self._size >> level) & 1:
                result.append(Subtree(level, offset >> level, next(hashes)))
                offset += 1 << level
        return tuple(result)

    def root(self) -> bytes:
        """
        Return the Merkle Tree Hash of the tree so far, in ``O(log n)``.

        Returns:
            The 32-byte root; :data:`EMPTY_ROOT` for the empty tree.

        """
        if not self._hashes:
            return EMPTY_ROOT
        result = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            result = node_hash_unchecked(left, result)
        return result

    # -- growing ------------------------------------------------------------

    def append(self, leaf_hash: bytes) -> tuple[Subtree, ...]:
        """
        Append one leaf hash, in ``O(log n)`` worst case and ``O(1)`` amortized.

        Args:
            leaf_hash: The 32-byte leaf hash (see :func:`leaf_hash`).

        Returns:
            The perfect subtrees this append completed, bottom-up: always the
            new leaf itself at level 0, then one more for each merge (as many
            as the trailing one bits of the old size). A store may persist
            them to serve :class:`SubtreeHashes` lookups later.

        Raises:
            InvalidInputError: If ``leaf_hash`` is not 32 bytes long.

        """
        check_hash("leaf_hash", leaf_hash)
        current = bytes(leaf_hash)
        position = self._size
        hashes = self._hashes
        self._size = position + 1
        if not position & 1:  # Half of all appends: nothing to merge.
            hashes.append(current)
            return (Subtree(0, position, current),)
        completed = [Subtree(0, position, current)]
        level = 0
        while (position >> level) & 1:
            current = node_hash_unchecked(hashes.pop(), current)
            level += 1
            completed.append(Subtree(level, position >> level, current))
        hashes.append(current)
        return tuple(completed)

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[Subtree]:
        """
        Append several leaf hashes in order.

        Args:
            leaf_hashes: The 32-byte leaf hashes.

        Returns:
            All perfect subtrees completed, in the order they were completed.

        Raises:
            InvalidInputError: If a leaf hash is not 32 bytes long (the leaves
                before it stay appended).

        """
        completed: list[Subtree] = []
        for h in leaf_hashes:
            completed.extend(self.append(h))
        return completed

    # -- dunder ---------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frontier):
            return NotImplemented
        return self._size == other._size and self._hashes == other._hashes

    __hash__ = None  # type: ignore[assignment]  # Mutable: not hashable.

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"
