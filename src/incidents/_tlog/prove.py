"""
Proofs made: inclusion and consistency proofs from perfect subtrees (RFC 9162 2.1.3.1, 2.1.4.1).

:func:`inclusion_proof` and :func:`consistency_proof` read only ``O(log n)``
perfect subtrees through a :class:`~incidents._tlog.subtrees.SubtreeHashes`
and never all leaves. :mod:`incidents._tlog.verify` checks what they make.
"""

from __future__ import annotations

from incidents._errors import InvalidInputError
from incidents._tlog.hashing import check_count
from incidents._tlog.subtrees import SubtreeHashes, range_hash

__all__ = ["consistency_proof", "inclusion_proof"]


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
            path.append(range_hash(begin, end, source))
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
    check_count("index", index)
    check_count("size", size)
    if index >= size:
        raise InvalidInputError(f"leaf index {index} is not within a tree of size {size}")
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
    check_count("old_size", old_size)
    check_count("new_size", new_size)
    if old_size > new_size:
        raise InvalidInputError(f"old_size {old_size} is larger than new_size {new_size}")
    if old_size == new_size:
        return []
    if old_size == 0:
        raise InvalidInputError(
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
