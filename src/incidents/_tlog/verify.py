"""
Proofs checked: inclusion and consistency proofs verified as RFC 9162 sections 2.1.3.2 and 2.1.4.2 say.

A proof ties a leaf (or an old root) to a root; the root is what pins the
tree size. A proof may also verify for another size whose path has the same
shape, *against the same root*, so always take the size and the root together
from one signed tree head.

A proof that does not verify raises :class:`~incidents.InvalidInputError` (a
:class:`ValueError`) with a message saying what failed; :func:`is_included`
and :func:`is_consistent` answer ``True`` or ``False`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from incidents._errors import InvalidInputError
from incidents._tlog.hashing import EMPTY_ROOT, HASH_SIZE, check_count, node_hash

__all__ = ["is_consistent", "is_included", "verify_consistency", "verify_inclusion"]


def _failed(message: str) -> InvalidInputError:
    # One factory for every failed proof, so that the failure kind stays
    # distinguishable in one place should the library grow a class for it.
    return InvalidInputError(message)


def _check_proof_hash(kind: str, name: str, value: bytes) -> None:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _failed(
            f"{kind} proof verification failed: {name} must be bytes, got {type(value).__name__}"
        )
    if len(value) != HASH_SIZE:
        raise _failed(
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
    check_count("index", index)
    check_count("size", size)
    kind = "inclusion"
    # Step 1.
    if index >= size:
        raise _failed(
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
            raise _failed(
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
        raise _failed(
            f"inclusion proof verification failed: the proof is too short for "
            f"leaf {index} in a tree of size {size} (got {len(proof)} hashes)"
        )
    if r != root:
        raise _failed(
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
    check_count("old_size", old_size)
    check_count("new_size", new_size)
    kind = "consistency"
    if old_size > new_size:
        raise _failed(
            f"consistency proof verification failed: old_size {old_size} is "
            f"larger than new_size {new_size}"
        )
    _check_proof_hash(kind, "old_root", old_root)
    _check_proof_hash(kind, "new_root", new_root)
    for i, p in enumerate(proof):
        _check_proof_hash(kind, f"proof[{i}]", p)
    if old_size == new_size:
        if proof:
            raise _failed(
                "consistency proof verification failed: the sizes are equal, "
                f"so the proof must be empty (got {len(proof)} hashes)"
            )
        if old_root != new_root:
            raise _failed(
                "consistency proof verification failed: the sizes are equal but the roots differ"
            )
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise _failed(
                "consistency proof verification failed: the root of the empty "
                "tree must be SHA-256 of the empty string"
            )
        return
    if old_size == 0:
        raise _failed(
            "consistency proof verification failed: a proof from the empty "
            "tree is not defined (RFC 9162 requires 0 < old_size)"
        )
    # Step 1.
    if not proof:
        raise _failed("consistency proof verification failed: the proof is empty")
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
            raise _failed(
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
        raise _failed(
            f"consistency proof verification failed: the proof is too short "
            f"from size {old_size} to size {new_size} (got {len(proof)} hashes)"
        )
    if fr != old_root:
        raise _failed(
            f"consistency proof verification failed: calculated old root "
            f"{fr.hex()} does not match the expected old root "
            f"{bytes(old_root).hex()}"
        )
    if sr != new_root:
        raise _failed(
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
