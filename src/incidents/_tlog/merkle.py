"""
Merkle trees for the ledger's audit log, as specified by RFC 9162 section 2.1.

This module implements the Certificate Transparency version 2 Merkle tree
(RFC 9162, "Certificate Transparency Version 2.0", section 2.1; the same tree
as RFC 6962 section 2.1):

* the hash function is SHA-256;
* a leaf hash is ``SHA-256(0x00 || data)`` (:func:`leaf_hash`);
* an interior node hash is ``SHA-256(0x01 || left || right)``
  (:func:`node_hash`);
* the Merkle Tree Hash (MTH) of the empty list is ``SHA-256(b"")``
  (:data:`EMPTY_ROOT`), and a list of ``n > 1`` entries is split at ``k``, the
  largest power of two strictly smaller than ``n``.

Vocabulary used throughout: the *perfect subtree* at ``(level, index)`` is
the complete, aligned subtree over the ``2**level`` leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes.
Every perfect subtree that lies entirely within a tree of size ``n`` is a node
of that tree. The tree's right edge, and any incomplete subtree on it, is made
of at most ``log2(n) + 1`` such perfect subtrees (one per set bit of the size).

What is here:

* :func:`root_from_leaf_hashes` computes the root of a whole list of leaf
  hashes, level by level, at close to raw :mod:`hashlib` speed.
* :class:`Frontier` is the incremental (mutable) appender: it keeps only the
  ``O(log n)`` perfect subtrees of the right edge, so a database can persist it
  and extend the tree without reading old leaves.
* :class:`SubtreeHashes` is the protocol proof generation reads from: one
  method returning the hash of a perfect subtree. :func:`inclusion_proof` and
  :func:`consistency_proof` (RFC 9162 sections 2.1.3.1 and 2.1.4.1) use only
  ``O(log n)`` lookups through it and never read all leaves.
  :class:`InMemorySubtreeHashes` implements it for tests and small logs.
* :func:`verify_inclusion` and :func:`verify_consistency` implement the
  verification algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 exactly.

A proof ties a leaf (or an old root) to a root; the root is what pins the
tree size. A proof may also verify for another size whose path has the same
shape, *against the same root*, so always take the size and the root together
from one signed tree head.

Errors: a bad argument (a negative size, an index out of range, a hash that
is not 32 bytes long where one is being produced) raises
:class:`~incidents._errors.InvalidInputError`; a proof that does not verify
raises the same class (a :class:`ValueError`) with a message saying what
failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from incidents._errors import InvalidInputError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "InMemorySubtreeHashes",
    "Subtree",
    "SubtreeHashes",
    "consistency_proof",
    "inclusion_proof",
    "is_consistent",
    "is_included",
    "leaf_hash",
    "node_hash",
    "root_from_leaf_hashes",
    "root_from_subtrees",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""The length in bytes of every hash in the tree (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The Merkle Tree Hash of the empty tree, ``SHA-256(b"")``."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256
# A SHA-256 state that has already absorbed the node prefix; copying it is
# cheaper than re-creating and re-feeding a fresh object for every node.
_NODE_STATE = hashlib.sha256(_NODE_PREFIX)
_SIZE_BYTES = 8


# --------------------------------------------------------------------------
# Errors. Kept in two factories so the failure kinds stay distinguishable in
# one place should the library grow a dedicated class for failed proofs.
# --------------------------------------------------------------------------


def _bad_argument(message: str) -> InvalidInputError:
    return InvalidInputError(message)


def _verification_failed(message: str) -> InvalidInputError:
    return InvalidInputError(message)


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad_argument(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise _bad_argument(f"{name} must not be negative, got {value}")


def _check_hash(name: str, value: bytes) -> None:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _bad_argument(f"{name} must be bytes, got {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise _bad_argument(f"{name} must be {HASH_SIZE} bytes long, got {len(value)}")


# --------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """
    Hash one leaf input: ``SHA-256(0x00 || data)``.

    Args:
        data: The leaf input (any length, may be empty).

    Returns:
        The 32-byte leaf hash.

    """
    return _sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """
    Hash an interior node: ``SHA-256(0x01 || left || right)``.

    Args:
        left: The hash of the left child (32 bytes).
        right: The hash of the right child (32 bytes).

    Returns:
        The 32-byte node hash.

    Raises:
        InvalidInputError: If either child hash is not 32 bytes long.

    """
    _check_hash("left", left)
    _check_hash("right", right)
    return _node_unchecked(left, right)


def _node_unchecked(left: bytes, right: bytes) -> bytes:
    state = _NODE_STATE.copy()
    state.update(left)
    state.update(right)
    return state.digest()


def _hash_pairs(level: Sequence[bytes]) -> list[bytes]:
    """Hash ``level[0:2]``, ``level[2:4]``, ... into parents; drop an odd tail."""
    copy = _NODE_STATE.copy
    parents: list[bytes] = []
    append = parents.append
    pairs = iter(level)
    for left, right in zip(pairs, pairs, strict=False):
        state = copy()
        state.update(left)
        state.update(right)
        append(state.digest())
    return parents


def _check_hash_list(name: str, hashes: Sequence[bytes]) -> None:
    lengths = set(map(len, hashes))
    if lengths and lengths != {HASH_SIZE}:
        bad = next(i for i, h in enumerate(hashes) if len(h) != HASH_SIZE)
        raise _bad_argument(f"{name}[{bad}] must be {HASH_SIZE} bytes long, got {len(hashes[bad])}")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """
    Compute the Merkle Tree Hash of a complete list of leaf hashes.

    The tree is reduced level by level (pairs are hashed, an odd last node is
    carried up unchanged), which yields exactly the RFC 9162 tree with its
    split at the largest power of two below the size. No recursion is used;
    memory is ``O(n)`` for the first level.

    Args:
        hashes: The leaf hashes (each 32 bytes, as made by :func:`leaf_hash`),
            in log order.

    Returns:
        The 32-byte root; :data:`EMPTY_ROOT` for an empty sequence.

    Raises:
        InvalidInputError: If a leaf hash is not 32 bytes long.

    """
    _check_hash_list("hashes", hashes)
    if not hashes:
        return EMPTY_ROOT
    level: Sequence[bytes] = hashes
    while len(level) > 1:
        parents = _hash_pairs(level)
        if len(level) & 1:
            parents.append(level[-1])
        level = parents
    return bytes(level[0])


# --------------------------------------------------------------------------
# Perfect subtrees and the protocol proofs are generated from
# --------------------------------------------------------------------------


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
    a database table of persisted nodes (see :meth:`Frontier.append`), compute
    them from leaves, or keep them in memory (:class:`InMemorySubtreeHashes`).
    It is only ever asked for subtrees that lie entirely within the tree size
    the proof is generated for.
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


def _range_hash(begin: int, end: int, source: SubtreeHashes) -> bytes:
    """
    Return MTH(D[begin:end]) for a range at the right edge of an aligned node.

    ``begin`` must be a multiple of a power of two that is at least
    ``end - begin``; such a range decomposes into one perfect subtree per set
    bit of ``end - begin`` (largest first), whose hashes are folded from the
    right. Uses ``popcount(end - begin)`` lookups.
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
        The 32-byte Merkle Tree Hash; :data:`EMPTY_ROOT` when ``size`` is 0.

    Raises:
        InvalidInputError: If ``size`` is negative or not an int.

    """
    _check_count("size", size)
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, source)


def _node_path(level: int, index: int, size: int, source: SubtreeHashes) -> list[bytes]:
    """
    Return the audit path of the node at ``(level, index)`` in a tree of size.

    The node must lie within the tree (it may be the incomplete last node of
    its level). The path lists, bottom-up, the sibling of each node on the way
    to the root, skipping levels where the node has no sibling (it is carried
    up unchanged on the right edge). This is PATH (RFC 9162 2.1.3.1) when
    ``level`` is 0, and the tail of SUBPROOF (2.1.4.1) otherwise.
    """
    last = (size - 1) >> level  # Index of the last node on this level.
    # Below this height the paths to `index` and to `last` run apart, so
    # every step has a sibling; above it they coincide with the right edge.
    inner = (index ^ last).bit_length()
    path: list[bytes] = []
    for step in range(inner):
        sibling_level = level + step
        sibling = (index >> step) ^ 1
        if step == inner - 1:
            # The right sibling at the fork holds the last leaf: it may be
            # incomplete, so assemble it from its perfect parts.
            begin = sibling << sibling_level
            end = min(begin + (1 << sibling_level), size)
            path.append(_range_hash(begin, end, source))
        else:
            path.append(source.subtree_hash(sibling_level, sibling))
    for step in range(inner, last.bit_length()):
        if (index >> step) & 1:
            path.append(source.subtree_hash(level + step, (index >> step) ^ 1))
    return path


def inclusion_proof(index: int, size: int, source: SubtreeHashes) -> list[bytes]:
    """
    Generate the inclusion proof (audit path) of a leaf, RFC 9162 2.1.3.1.

    Uses at most ``ceil(log2(size))`` perfect subtrees for the path plus at
    most ``log2(size)`` more to assemble an incomplete sibling on the right
    edge; never reads all leaves.

    Args:
        index: The 0-based index of the leaf.
        size: The size of the tree the proof is for.
        source: Where perfect subtree hashes are read from.

    Returns:
        The proof hashes, bottom-up; at most ``ceil(log2(size))`` of them.

    Raises:
        InvalidInputError: If ``index`` or ``size`` is negative or not an int,
            or if ``index >= size``.

    """
    _check_count("index", index)
    _check_count("size", size)
    if index >= size:
        raise _bad_argument(f"leaf index {index} is not within a tree of size {size}")
    return _node_path(0, index, size, source)


def consistency_proof(old_size: int, new_size: int, source: SubtreeHashes) -> list[bytes]:
    """
    Generate the consistency proof between two tree sizes, RFC 9162 2.1.4.1.

    The proof is ``SUBPROOF(old_size, D[0:new_size], true)``: when
    ``old_size`` is not a power of two it starts with the largest perfect
    subtree ending at ``old_size``, followed by that subtree's audit path in
    the new tree. Equal sizes give an empty proof.

    Args:
        old_size: The size of the earlier tree; must be positive unless both
            sizes are 0 (RFC 9162 defines the proof for ``0 < old_size``).
        new_size: The size of the later tree, at least ``old_size``.
        source: Where perfect subtree hashes are read from (of a tree of at
            least ``new_size`` leaves).

    Returns:
        The proof hashes; at most ``ceil(log2(new_size)) + 1`` of them, and at
        most ``ceil(log2(new_size))`` when ``old_size`` is a power of two.

    Raises:
        InvalidInputError: If a size is negative or not an int, if
            ``old_size > new_size``, or if ``old_size`` is 0 while
            ``new_size`` is not.

    """
    _check_count("old_size", old_size)
    _check_count("new_size", new_size)
    if old_size > new_size:
        raise _bad_argument(f"old_size {old_size} is larger than new_size {new_size}")
    if old_size == new_size:
        return []
    if old_size == 0:
        raise _bad_argument(
            "a consistency proof from the empty tree is not defined "
            "(RFC 9162 requires 0 < old_size)"
        )
    # The largest perfect subtree ending at old_size: level = trailing zeros.
    level = (old_size & -old_size).bit_length() - 1
    index = (old_size - 1) >> level
    proof = _node_path(level, index, new_size, source)
    if index != 0:
        # old_size is not a power of two, so the verifier cannot use old_root
        # as the seed: send that subtree's hash first.
        proof.insert(0, source.subtree_hash(level, index))
    return proof


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
        _check_hash_list("leaf_hashes", leaves)
        self._levels: list[list[bytes]] = [leaves]
        while len(self._levels[-1]) > 1:
            self._levels.append(_hash_pairs(self._levels[-1]))

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
        _check_hash("leaf_hash", leaf_hash)
        current = bytes(leaf_hash)
        level = 0
        while True:
            if level == len(self._levels):
                self._levels.append([])
            nodes = self._levels[level]
            nodes.append(current)
            if len(nodes) & 1:
                return
            current = _node_unchecked(nodes[-2], nodes[-1])
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
        _check_count("level", level)
        _check_count("index", index)
        if level >= len(self._levels) or index >= len(self._levels[level]):
            raise _bad_argument(
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
        _check_count("size", size)
        if size > self.size:
            raise _bad_argument(f"size {size} is beyond the log of {self.size} leaves")
        return root_from_subtrees(size, self)


# --------------------------------------------------------------------------
# The incremental appender
# --------------------------------------------------------------------------


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
        _check_count("size", size)
        restored = [bytes(h) for h in hashes]
        expected = size.bit_count()
        if len(restored) != expected:
            raise _bad_argument(
                f"a tree of size {size} has {expected} right-edge hashes, got {len(restored)}"
            )
        _check_hash_list("hashes", restored)
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
            raise _bad_argument(
                f"a serialized frontier is at least {_SIZE_BYTES} bytes long, got {len(raw)}"
            )
        size = int.from_bytes(raw[:_SIZE_BYTES], "big")
        body = raw[_SIZE_BYTES:]
        expected = size.bit_count() * HASH_SIZE
        if len(body) != expected:
            raise _bad_argument(
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
        _check_count("size", size)
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
            result = _node_unchecked(left, result)
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
        _check_hash("leaf_hash", leaf_hash)
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
            current = _node_unchecked(hashes.pop(), current)
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


# --------------------------------------------------------------------------
# Verification (RFC 9162 2.1.3.2 and 2.1.4.2)
# --------------------------------------------------------------------------


def _check_proof_hash(kind: str, name: str, value: bytes) -> None:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _verification_failed(
            f"{kind} proof verification failed: {name} must be bytes, got {type(value).__name__}"
        )
    if len(value) != HASH_SIZE:
        raise _verification_failed(
            f"{kind} proof verification failed: {name} is not a {HASH_SIZE}-byte "
            f"hash (got {len(value)} bytes)"
        )


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """
    Verify an inclusion proof, following RFC 9162 section 2.1.3.2.

    Args:
        leaf_hash: The 32-byte hash of the leaf claimed to be included.
        index: The leaf's 0-based index.
        size: The size of the tree whose root is ``root``.
        proof: The inclusion path, bottom-up.
        root: The 32-byte root of the tree of ``size`` leaves.

    Raises:
        InvalidInputError: If the proof does not verify (the message says
            why: index out of range, a malformed hash, a proof too long or too
            short, or a calculated root that does not match ``root``), or if
            ``index`` or ``size`` is negative or not an int.

    """
    _check_count("index", index)
    _check_count("size", size)
    kind = "inclusion"
    # Step 1.
    if index >= size:
        raise _verification_failed(
            f"inclusion proof verification failed: leaf index {index} is not "
            f"within a tree of size {size}"
        )
    _check_proof_hash(kind, "leaf_hash", leaf_hash)
    _check_proof_hash(kind, "root", root)
    for i, p in enumerate(proof):
        _check_proof_hash(kind, f"proof[{i}]", p)
    # Steps 2 and 3.
    fn = index
    sn = size - 1
    r = bytes(leaf_hash)
    # Step 4.
    for p in proof:
        if sn == 0:
            raise _verification_failed(
                f"inclusion proof verification failed: the proof has more than "
                f"the expected hashes for leaf {index} in a tree of size {size} "
                f"(got {len(proof)})"
            )
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # Step 5.
    if sn != 0:
        raise _verification_failed(
            f"inclusion proof verification failed: the proof is too short for "
            f"leaf {index} in a tree of size {size} (got {len(proof)} hashes)"
        )
    if r != root:
        raise _verification_failed(
            f"inclusion proof verification failed: calculated root {r.hex()} "
            f"does not match the expected root {bytes(root).hex()}"
        )


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """
    Verify a consistency proof, following RFC 9162 section 2.1.4.2.

    RFC 9162 gives the algorithm for ``0 < old_size < new_size``. Beyond it:
    equal sizes verify only with an empty proof and equal roots; an
    ``old_size`` of 0 with a larger ``new_size`` never verifies (there is no
    such proof, and an empty tree says nothing about the new root).

    Args:
        old_size: The size of the earlier tree.
        new_size: The size of the later tree.
        old_root: The 32-byte root of the earlier tree.
        new_root: The 32-byte root of the later tree.
        proof: The consistency proof.

    Raises:
        InvalidInputError: If the proof does not verify (the message says
            why), or if a size is negative or not an int.

    """
    _check_count("old_size", old_size)
    _check_count("new_size", new_size)
    kind = "consistency"
    if old_size > new_size:
        raise _verification_failed(
            f"consistency proof verification failed: old_size {old_size} is "
            f"larger than new_size {new_size}"
        )
    _check_proof_hash(kind, "old_root", old_root)
    _check_proof_hash(kind, "new_root", new_root)
    for i, p in enumerate(proof):
        _check_proof_hash(kind, f"proof[{i}]", p)
    if old_size == new_size:
        if proof:
            raise _verification_failed(
                "consistency proof verification failed: the sizes are equal, "
                f"so the proof must be empty (got {len(proof)} hashes)"
            )
        if old_root != new_root:
            raise _verification_failed(
                "consistency proof verification failed: the sizes are equal but the roots differ"
            )
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise _verification_failed(
                "consistency proof verification failed: the root of the empty "
                "tree must be SHA-256 of the empty string"
            )
        return
    if old_size == 0:
        raise _verification_failed(
            "consistency proof verification failed: a proof from the empty "
            "tree is not defined (RFC 9162 requires 0 < old_size)"
        )
    # Step 1.
    if not proof:
        raise _verification_failed("consistency proof verification failed: the proof is empty")
    path = [bytes(p) for p in proof]
    # Step 2.
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    # Step 3.
    fn = old_size - 1
    sn = new_size - 1
    # Step 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise _verification_failed(
                f"consistency proof verification failed: the proof has more "
                f"than the expected hashes from size {old_size} to size "
                f"{new_size} (got {len(proof)})"
            )
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise _verification_failed(
            f"consistency proof verification failed: the proof is too short "
            f"from size {old_size} to size {new_size} (got {len(proof)} hashes)"
        )
    if fr != old_root:
        raise _verification_failed(
            f"consistency proof verification failed: calculated old root "
            f"{fr.hex()} does not match the expected old root "
            f"{bytes(old_root).hex()}"
        )
    if sr != new_root:
        raise _verification_failed(
            f"consistency proof verification failed: calculated new root "
            f"{sr.hex()} does not match the expected new root "
            f"{bytes(new_root).hex()}"
        )


def is_included(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """
    Tell whether an inclusion proof verifies; see :func:`verify_inclusion`.

    Args:
        leaf_hash: The 32-byte hash of the leaf.
        index: The leaf's 0-based index.
        size: The tree size.
        proof: The inclusion path.
        root: The 32-byte root of the tree of ``size`` leaves.

    Returns:
        ``True`` if the proof verifies, ``False`` for any failure.

    """
    try:
        verify_inclusion(leaf_hash, index, size, proof, root)
    except InvalidInputError:
        return False
    return True


def is_consistent(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """
    Tell whether a consistency proof verifies; see :func:`verify_consistency`.

    Args:
        old_size: The size of the earlier tree.
        new_size: The size of the later tree.
        old_root: The 32-byte root of the earlier tree.
        new_root: The 32-byte root of the later tree.
        proof: The consistency proof.

    Returns:
        ``True`` if the proof verifies, ``False`` for any failure.

    """
    try:
        verify_consistency(old_size, new_size, old_root, new_root, proof)
    except InvalidInputError:
        return False
    return True
