"""
RFC 9162 hashing: leaf and node hashes, and the root of a list of leaves.

The Certificate Transparency version 2 tree (RFC 9162 section 2.1; the same
tree as RFC 6962 section 2.1):

* the hash function is SHA-256;
* a leaf hash is ``SHA-256(0x00 || data)`` (:func:`leaf_hash`);
* an interior node hash is ``SHA-256(0x01 || left || right)``
  (:func:`node_hash`);
* the Merkle Tree Hash (MTH) of the empty list is ``SHA-256(b"")``
  (:data:`EMPTY_ROOT`), and a list of ``n > 1`` entries is split at ``k``, the
  largest power of two strictly smaller than ``n``.

The argument checks shared by the other modules of the package live here too:
a bad argument (a negative size, a hash that is not 32 bytes long where one
is being produced) raises :class:`~incidents.InvalidInputError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from incidents._errors import InvalidInputError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "check_count",
    "check_hash",
    "check_hash_list",
    "hash_pairs",
    "leaf_hash",
    "node_hash",
    "node_hash_unchecked",
    "root_from_leaf_hashes",
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


def check_count(name: str, value: int) -> None:
    """
    Check a size or an index: a non-negative int.

    Args:
        name: The argument's name, for the message.
        value: Its value.

    Raises:
        InvalidInputError: If it is not an int, or negative.

    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise InvalidInputError(f"{name} must not be negative, got {value}")


def check_hash(name: str, value: bytes) -> None:
    """
    Check a hash being hashed further: 32 bytes.

    Args:
        name: The argument's name, for the message.
        value: Its value.

    Raises:
        InvalidInputError: If it is not bytes, or not 32 of them.

    """
    if not isinstance(value, bytes | bytearray | memoryview):
        raise InvalidInputError(f"{name} must be bytes, got {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise InvalidInputError(f"{name} must be {HASH_SIZE} bytes long, got {len(value)}")


def check_hash_list(name: str, hashes: Sequence[bytes]) -> None:
    """
    Check that every hash of a list is 32 bytes long.

    Args:
        name: The argument's name, for the message (``name[i]``).
        hashes: The hashes.

    Raises:
        InvalidInputError: Naming the first hash of another length.

    """
    lengths = set(map(len, hashes))
    if lengths and lengths != {HASH_SIZE}:
        bad = next(i for i, h in enumerate(hashes) if len(h) != HASH_SIZE)
        raise InvalidInputError(
            f"{name}[{bad}] must be {HASH_SIZE} bytes long, got {len(hashes[bad])}"
        )


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
    check_hash("left", left)
    check_hash("right", right)
    return node_hash_unchecked(left, right)


def node_hash_unchecked(left: bytes, right: bytes) -> bytes:
    """
    :func:`node_hash` of children already known to be 32 bytes each.

    Args:
        left: The left child's hash.
        right: The right child's hash.

    Returns:
        The 32-byte node hash.

    """
    state = _NODE_STATE.copy()
    state.update(left)
    state.update(right)
    return state.digest()


def hash_pairs(level: Sequence[bytes]) -> list[bytes]:
    """
    Hash ``level[0:2]``, ``level[2:4]``, ... into their parents; an odd last node is dropped.

    Args:
        level: Node hashes of one level, already checked.

    Returns:
        The parents, ``len(level) // 2`` of them.

    """
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
    check_hash_list("hashes", hashes)
    if not hashes:
        return EMPTY_ROOT
    level: Sequence[bytes] = hashes
    while len(level) > 1:
        parents = hash_pairs(level)
        if len(level) & 1:
            parents.append(level[-1])
        level = parents
    return bytes(level[0])
