"""
An in-memory tree of every perfect subtree, for the tests: a reference source of subtree hashes.

The library reads subtree hashes from stored tiles
(:class:`incidents._tlog.tiles.TileSubtrees`); the tests check proofs and
roots against this simpler source, which keeps every level in lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from incidents._errors import InvalidInputError
from incidents._tlog.hashing import (
    check_count,
    check_hash,
    check_hash_list,
    hash_pairs,
    node_hash_unchecked,
)
from incidents._tlog.subtrees import root_from_subtrees

__all__ = ["InMemorySubtreeHashes"]


class InMemorySubtreeHashes:
    """
    An in-memory :class:`SubtreeHashes` built from a list of leaf hashes.

    Every perfect subtree hash is computed once and cached per level (about
    ``n`` hashes in total), so lookups are list indexing. Mutable: it grows
    with :meth:`append` / :meth:`extend`. Meant for tests and small logs.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        """
        Build the cache from leaf hashes.

        Args:
            leaf_hashes: The leaf hashes in log order (32 bytes each).

        Raises:
            InvalidInputError: If a leaf hash is not 32 bytes long.

        """
        leaves = [bytes(h) for h in leaf_hashes]
        check_hash_list("leaf_hashes", leaves)
        self._levels: list[list[bytes]] = [leaves]
        while len(self._levels[-1]) > 1:
            self._levels.append(hash_pairs(self._levels[-1]))

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0])

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> None:
        """
        Append one leaf hash, updating the cached perfect subtrees.

        Args:
            leaf_hash: The 32-byte leaf hash.

        Raises:
            InvalidInputError: If ``leaf_hash`` is not 32 bytes long.

        """
        check_hash("leaf_hash", leaf_hash)
        current = bytes(leaf_hash)
        level = 0
        while True:
            if level == len(self._levels):
                self._levels.append([])
            nodes = self._levels[level]
            nodes.append(current)
            if len(nodes) & 1:
                return
            current = node_hash_unchecked(nodes[-2], nodes[-1])
            level += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """
        Append several leaf hashes in order.

        Args:
            leaf_hashes: The 32-byte leaf hashes.

        Raises:
            InvalidInputError: If a leaf hash is not 32 bytes long.

        """
        for h in leaf_hashes:
            self.append(h)

    def subtree_hash(self, level: int, index: int) -> bytes:
        """
        Return the hash of the perfect subtree at ``(level, index)``.

        Args:
            level: The height; 0 for a leaf hash.
            index: The position within the level.

        Returns:
            The 32-byte subtree hash.

        Raises:
            InvalidInputError: If no such complete subtree exists yet.

        """
        check_count("level", level)
        check_count("index", index)
        if level >= len(self._levels) or index >= len(self._levels[level]):
            raise InvalidInputError(
                f"no complete subtree at level {level}, index {index} "
                f"in a log of {self.size} leaves"
            )
        return self._levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        """
        Return the root of the whole log, or of its first ``size`` leaves.

        Args:
            size: The tree size; ``None`` for all leaves.

        Returns:
            The 32-byte Merkle Tree Hash.

        Raises:
            InvalidInputError: If ``size`` is negative or beyond the log.

        """
        if size is None:
            size = self.size
        check_count("size", size)
        if size > self.size:
            raise InvalidInputError(f"size {size} is beyond the log of {self.size} leaves")
        return root_from_subtrees(size, self)
