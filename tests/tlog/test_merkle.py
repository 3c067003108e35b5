"""Tests of the RFC 9162 section 2.1 Merkle trees of incidents._tlog: hashing, proofs made and checked, compact ranges."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from memory_tree import InMemorySubtreeHashes

from incidents._errors import InvalidInputError
from incidents._tlog.compact import Frontier
from incidents._tlog.hashing import (
    EMPTY_ROOT,
    HASH_SIZE,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
)
from incidents._tlog.prove import consistency_proof, inclusion_proof
from incidents._tlog.subtrees import Subtree, SubtreeHashes, root_from_subtrees
from incidents._tlog.verify import is_consistent, is_included, verify_consistency, verify_inclusion

DATA = Path(__file__).parent / "data" / "merkle"
REFERENCE = json.loads((DATA / "reference_tree.json").read_text())
TD_DATA = DATA / "transparency-dev-testdata"


def _hex(values: Sequence[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def _ceil_log2(n: int) -> int:
    return (n - 1).bit_length()


REF_INPUTS = _hex(REFERENCE["leaf_inputs"])
REF_LEAVES = [leaf_hash(d) for d in REF_INPUTS]
REF_ROOTS = _hex(REFERENCE["root_hashes"])
REF_SOURCE = InMemorySubtreeHashes(REF_LEAVES)


# ---------------------------------------------------------------------------
# A naive reference implementation, written straight from RFC 9162 2.1.1,
# 2.1.3.1 and 2.1.4.1 (recursive, on ranges of one list of leaf inputs, with
# the MTH of each range memoized so that many proofs stay cheap).
# ---------------------------------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class NaiveTree:
    def __init__(self, inputs: Sequence[bytes]) -> None:
        self.inputs = list(inputs)
        self._memo: dict[tuple[int, int], bytes] = {}

    def mth(self, start: int, end: int) -> bytes:
        """MTH(D[start:end])."""
        key = (start, end)
        if key in self._memo:
            return self._memo[key]
        n = end - start
        if n == 0:
            result = hashlib.sha256(b"").digest()
        elif n == 1:
            result = hashlib.sha256(b"\x00" + self.inputs[start]).digest()
        else:
            k = _largest_power_of_two_below(n)
            result = hashlib.sha256(
                b"\x01" + self.mth(start, start + k) + self.mth(start + k, end)
            ).digest()
        self._memo[key] = result
        return result

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        """PATH(m, D[start:end])."""
        n = end - start
        if n == 1:
            return []
        k = _largest_power_of_two_below(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def subproof(self, m: int, start: int, end: int, b: bool) -> list[bytes]:
        """SUBPROOF(m, D[start:end], b)."""
        n = end - start
        if m == n:
            return [] if b else [self.mth(start, end)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return [*self.subproof(m, start, start + k, b), self.mth(start + k, end)]
        return [
            *self.subproof(m - k, start + k, end, False),
            self.mth(start, start + k),
        ]

    def proof(self, m: int, n: int) -> list[bytes]:
        """PROOF(m, D[n])."""
        return self.subproof(m, 0, n, True)


MAX_N = 4096
BIG_INPUTS = [i.to_bytes(4, "big") for i in range(MAX_N)]
BIG_LEAVES = [leaf_hash(d) for d in BIG_INPUTS]
BIG_SOURCE = InMemorySubtreeHashes(BIG_LEAVES)
NAIVE = NaiveTree(BIG_INPUTS)


class BoundedSource:
    """Wraps a source; fails on any lookup outside the first ``size`` leaves."""

    def __init__(self, inner: SubtreeHashes, size: int) -> None:
        self.inner = inner
        self.size = size
        self.lookups = 0

    def subtree_hash(self, level: int, index: int) -> bytes:
        assert level >= 0
        assert index >= 0
        assert (index + 1) << level <= self.size, (level, index, self.size)
        self.lookups += 1
        return self.inner.subtree_hash(level, index)


def flip_bit(value: bytes, bit: int) -> bytes:
    mutable = bytearray(value)
    mutable[bit // 8] ^= 1 << (bit % 8)
    return bytes(mutable)


sizes = st.one_of(
    st.integers(min_value=1, max_value=3000),
    st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1023, 1024, 1025, 2048]),
)


# ---------------------------------------------------------------------------
# Hash functions
# ---------------------------------------------------------------------------


def test_leaf_and_node_hash_domain_separation() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert node_hash(a, b) != node_hash(b, a)
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert len(EMPTY_ROOT) == HASH_SIZE


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33])
def test_node_hash_rejects_wrong_lengths(bad: bytes) -> None:
    good = leaf_hash(b"")
    with pytest.raises(InvalidInputError, match="32 bytes"):
        node_hash(bad, good)
    with pytest.raises(InvalidInputError, match="32 bytes"):
        node_hash(good, bad)


def test_root_from_leaf_hashes_rejects_wrong_lengths() -> None:
    with pytest.raises(InvalidInputError, match=r"hashes\[2\]"):
        root_from_leaf_hashes([REF_LEAVES[0], REF_LEAVES[1], b"short"])
    assert issubclass(InvalidInputError, ValueError)


# ---------------------------------------------------------------------------
# Known-answer vectors (transparency-dev/merkle, see tests/tlog/data/merkle/README.md)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(9))
def test_reference_roots(size: int) -> None:
    expected = REF_ROOTS[size]
    assert root_from_leaf_hashes(REF_LEAVES[:size]) == expected
    assert root_from_subtrees(size, REF_SOURCE) == expected
    assert REF_SOURCE.root(size) == expected
    assert InMemorySubtreeHashes(REF_LEAVES[:size]).root() == expected
    frontier = Frontier()
    frontier.extend(REF_LEAVES[:size])
    assert frontier.root() == expected
    assert list(frontier.hashes) == _hex(REFERENCE["compact_trees"][size])


def test_reference_node_hashes() -> None:
    for level, nodes in enumerate(REFERENCE["node_hashes"]):
        for index, expected in enumerate(_hex(nodes)):
            assert REF_SOURCE.subtree_hash(level, index) == expected


def test_reference_frontier_reports_every_node() -> None:
    frontier = Frontier()
    completed = frontier.extend(REF_LEAVES)
    reported = {(s.level, s.index): s.hash for s in completed}
    expected = {
        (level, index): h
        for level, nodes in enumerate(REFERENCE["node_hashes"])
        for index, h in enumerate(_hex(nodes))
    }
    assert reported == expected
    assert len(completed) == len(expected)


@pytest.mark.parametrize(
    "vector", REFERENCE["inclusion_proofs"], ids=lambda v: f"{v['leaf']}-{v['size']}"
)
def test_reference_inclusion_proofs(vector: dict[str, Any]) -> None:
    index, size = vector["leaf"] - 1, vector["size"]
    expected = _hex(vector["proof"])
    assert inclusion_proof(index, size, BoundedSource(REF_SOURCE, size)) == expected
    verify_inclusion(REF_LEAVES[index], index, size, expected, REF_ROOTS[size])
    assert is_included(REF_LEAVES[index], index, size, expected, REF_ROOTS[size])


@pytest.mark.parametrize(
    "vector",
    REFERENCE["consistency_proofs"],
    ids=lambda v: f"{v['size1']}-{v['size2']}",
)
def test_reference_consistency_proofs(vector: dict[str, Any]) -> None:
    m, n = vector["size1"], vector["size2"]
    expected = _hex(vector["proof"])
    assert consistency_proof(m, n, BoundedSource(REF_SOURCE, n)) == expected
    verify_consistency(m, n, REF_ROOTS[m], REF_ROOTS[n], expected)
    assert is_consistent(m, n, REF_ROOTS[m], REF_ROOTS[n], expected)


def test_reference_vectors_every_bit_flip_fails() -> None:
    for vector in REFERENCE["inclusion_proofs"]:
        index, size = vector["leaf"] - 1, vector["size"]
        proof = _hex(vector["proof"])
        root = REF_ROOTS[size]
        for bit in range(HASH_SIZE * 8):
            assert not is_included(REF_LEAVES[index], index, size, proof, flip_bit(root, bit))
            assert not is_included(flip_bit(REF_LEAVES[index], bit), index, size, proof, root)
            for i in range(len(proof)):
                bad = [*proof[:i], flip_bit(proof[i], bit), *proof[i + 1 :]]
                assert not is_included(REF_LEAVES[index], index, size, bad, root)
    for vector in REFERENCE["consistency_proofs"]:
        m, n = vector["size1"], vector["size2"]
        proof = _hex(vector["proof"])
        for bit in range(HASH_SIZE * 8):
            assert not is_consistent(m, n, flip_bit(REF_ROOTS[m], bit), REF_ROOTS[n], proof)
            assert not is_consistent(m, n, REF_ROOTS[m], flip_bit(REF_ROOTS[n], bit), proof)
            for i in range(len(proof)):
                bad = [*proof[:i], flip_bit(proof[i], bit), *proof[i + 1 :]]
                assert not is_consistent(m, n, REF_ROOTS[m], REF_ROOTS[n], bad)


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _probe_files(kind: str) -> list[Path]:
    return sorted((TD_DATA / kind).rglob("*.json"))


@pytest.mark.parametrize(
    "path", _probe_files("inclusion"), ids=lambda p: str(p.relative_to(TD_DATA))
)
def test_transparency_dev_inclusion_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    index = probe["leafIdx"] if "leafIdx" in probe else probe["leafIndex"]
    size = probe["treeSize"]
    leaf, root = _b64(probe["leafHash"]), _b64(probe["root"])
    proof = [_b64(p) for p in probe["proof"] or []]
    if probe["wantErr"]:
        with pytest.raises(InvalidInputError, match="inclusion proof verification"):
            verify_inclusion(leaf, index, size, proof, root)
        assert not is_included(leaf, index, size, proof, root)
        return
    verify_inclusion(leaf, index, size, proof, root)
    # Our generator must reproduce the published proof.
    if leaf in REF_LEAVES:
        assert REF_LEAVES.index(leaf) == index
        assert root == REF_ROOTS[size]
        source: SubtreeHashes = REF_SOURCE
    else:
        assert size == 1
        source = InMemorySubtreeHashes([leaf])
        assert root_from_leaf_hashes([leaf]) == root
    assert inclusion_proof(index, size, source) == proof


@pytest.mark.parametrize(
    "path", _probe_files("consistency"), ids=lambda p: str(p.relative_to(TD_DATA))
)
def test_transparency_dev_consistency_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    m, n = probe["size1"], probe["size2"]
    root1, root2 = _b64(probe["root1"]), _b64(probe["root2"])
    proof = [_b64(p) for p in probe["proof"] or []]
    if probe["wantErr"]:
        with pytest.raises(InvalidInputError, match="consistency proof verification"):
            verify_consistency(m, n, root1, root2, proof)
        assert not is_consistent(m, n, root1, root2, proof)
        return
    verify_consistency(m, n, root1, root2, proof)
    assert root1 == REF_ROOTS[m]
    assert root2 == REF_ROOTS[n]
    assert consistency_proof(m, n, REF_SOURCE) == proof


def test_probe_files_are_present() -> None:
    assert len(_probe_files("inclusion")) >= 10
    assert len(_probe_files("consistency")) >= 10


# ---------------------------------------------------------------------------
# Properties against the naive RFC implementation
# ---------------------------------------------------------------------------


def test_naive_reference_agrees_with_vectors() -> None:
    naive = NaiveTree(REF_INPUTS)
    for size in range(9):
        assert naive.mth(0, size) == REF_ROOTS[size]
    for vector in REFERENCE["inclusion_proofs"]:
        assert naive.path(vector["leaf"] - 1, 0, vector["size"]) == _hex(vector["proof"])
    for vector in REFERENCE["consistency_proofs"]:
        assert naive.proof(vector["size1"], vector["size2"]) == _hex(vector["proof"])


@given(size=sizes, data=st.data())
@settings(deadline=None)
def test_inclusion_proofs(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    source = BoundedSource(BIG_SOURCE, size)
    proof = inclusion_proof(index, size, source)
    root = NAIVE.mth(0, size)

    assert proof == NAIVE.path(index, 0, size)
    assert len(proof) <= _ceil_log2(size)
    # O(log n) lookups: the path plus the pieces of one incomplete sibling.
    assert source.lookups <= 2 * _ceil_log2(size) + 1
    assert root_from_leaf_hashes(BIG_LEAVES[:size]) == root
    verify_inclusion(BIG_LEAVES[index], index, size, proof, root)

    # Any single flipped bit, in any proof hash, the leaf or the root, fails.
    bit = data.draw(st.integers(min_value=0, max_value=HASH_SIZE * 8 - 1), label="bit")
    leaf = BIG_LEAVES[index]
    assert not is_included(leaf, index, size, proof, flip_bit(root, bit))
    assert not is_included(flip_bit(leaf, bit), index, size, proof, root)
    if proof:
        i = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="i")
        bad = [*proof[:i], flip_bit(proof[i], bit), *proof[i + 1 :]]
        assert not is_included(leaf, index, size, bad, root)
        assert not is_included(leaf, index, size, proof[:-1], root)
    assert not is_included(leaf, index, size, [*proof, root], root)
    assert not is_included(leaf, index, size, [root, *proof], root)

    # Another index of the same tree fails.
    other = data.draw(st.integers(min_value=0, max_value=size), label="other")
    if other != index:
        with pytest.raises(InvalidInputError, match="inclusion proof verification"):
            verify_inclusion(leaf, other, size, proof, root)
    # Claiming another tree size fails, whether against the root of that
    # size or (for the transparency-dev mutations) against the same root.
    other_size = data.draw(st.integers(min_value=1, max_value=MAX_N), label="size2")
    if other_size != size:
        assert not is_included(leaf, index, other_size, proof, NAIVE.mth(0, other_size))
    for mutated in (size * 2, size // 2):
        assert not is_included(leaf, index, mutated, proof, root)


@given(size=sizes, data=st.data())
@settings(deadline=None)
def test_consistency_proofs(size: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(min_value=1, max_value=size), label="old")
    source = BoundedSource(BIG_SOURCE, size)
    proof = consistency_proof(old, size, source)
    old_root, new_root = NAIVE.mth(0, old), NAIVE.mth(0, size)

    assert proof == NAIVE.proof(old, size)
    # RFC 9162 proofs are up to ceil(log2 n) + 1 hashes long; the extra one is
    # only needed when old is odd (and not 1): see test_consistency_bound.
    bound = _ceil_log2(size) + (1 if old % 2 == 1 and old != 1 else 0)
    assert len(proof) <= bound
    assert source.lookups <= 2 * _ceil_log2(size) + 2
    verify_consistency(old, size, old_root, new_root, proof)

    bit = data.draw(st.integers(min_value=0, max_value=HASH_SIZE * 8 - 1), label="bit")
    assert not is_consistent(old, size, flip_bit(old_root, bit), new_root, proof)
    assert not is_consistent(old, size, old_root, flip_bit(new_root, bit), proof)
    if proof:
        i = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="i")
        bad = [*proof[:i], flip_bit(proof[i], bit), *proof[i + 1 :]]
        assert not is_consistent(old, size, old_root, new_root, bad)
        assert not is_consistent(old, size, old_root, new_root, proof[:-1])
        assert not is_consistent(old, size, old_root, new_root, [*proof, new_root])
        assert not is_consistent(old, size, old_root, new_root, [old_root, *proof])
        assert not is_consistent(old, size, new_root, old_root, proof)
        assert not is_consistent(old, size, old_root, new_root, [])

    # Other sizes (with their own, correct roots) do not verify with this proof.
    other_old = data.draw(st.integers(min_value=1, max_value=size), label="old2")
    if other_old != old:
        assert not is_consistent(other_old, size, NAIVE.mth(0, other_old), new_root, proof)
    other_new = data.draw(st.integers(min_value=old, max_value=MAX_N), label="new2")
    if other_new != size:
        assert not is_consistent(old, other_new, old_root, NAIVE.mth(0, other_new), proof)


def test_consistency_bound() -> None:
    # RFC 9162: PROOF(3, D[4]) = [leaf 2, leaf 3, MTH(D[0:2])], three hashes
    # for a tree of four, so ceil(log2 n) alone does not bound these proofs.
    proof = consistency_proof(3, 4, BIG_SOURCE)
    assert proof == [BIG_LEAVES[2], BIG_LEAVES[3], BIG_SOURCE.subtree_hash(1, 0)]
    worst = max(
        len(consistency_proof(m, n, BIG_SOURCE)) - _ceil_log2(n)
        for n in range(2, 130)
        for m in range(1, n)
    )
    assert worst == 1


def test_size_is_pinned_by_the_root_not_by_the_proof() -> None:
    # Leaf 0's paths in trees of 5 and 6 have the same shape, so the size-5
    # proof also verifies as "size 6" against the size-5 root (documented in
    # the module docstring); against the real size-6 root it fails.
    proof = inclusion_proof(0, 5, BIG_SOURCE)
    verify_inclusion(BIG_LEAVES[0], 0, 6, proof, BIG_SOURCE.root(5))
    assert not is_included(BIG_LEAVES[0], 0, 6, proof, BIG_SOURCE.root(6))


def test_sizes_equal_or_from_empty() -> None:
    root = BIG_SOURCE.root(5)
    assert consistency_proof(5, 5, BIG_SOURCE) == []
    assert consistency_proof(0, 0, BIG_SOURCE) == []
    verify_consistency(5, 5, root, root, [])
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(InvalidInputError, match="roots differ"):
        verify_consistency(5, 5, root, BIG_SOURCE.root(4), [])
    with pytest.raises(InvalidInputError, match="must be empty"):
        verify_consistency(5, 5, root, root, [root])
    with pytest.raises(InvalidInputError, match="empty string"):
        verify_consistency(0, 0, root, root, [])
    with pytest.raises(InvalidInputError, match="empty tree"):
        consistency_proof(0, 5, BIG_SOURCE)
    with pytest.raises(InvalidInputError, match="empty tree"):
        verify_consistency(0, 5, EMPTY_ROOT, root, [])
    with pytest.raises(InvalidInputError, match="larger than"):
        consistency_proof(6, 5, BIG_SOURCE)
    with pytest.raises(InvalidInputError, match="larger than"):
        verify_consistency(6, 5, root, root, [])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inclusion_proof(5, 5, BIG_SOURCE), "not within"),
        (lambda: inclusion_proof(0, 0, BIG_SOURCE), "not within"),
        (lambda: inclusion_proof(-1, 5, BIG_SOURCE), "negative"),
        (lambda: inclusion_proof(True, 5, BIG_SOURCE), "must be an int"),
        (lambda: consistency_proof(1, -2, BIG_SOURCE), "negative"),
        (lambda: root_from_subtrees(-1, BIG_SOURCE), "negative"),
        (
            lambda: verify_inclusion(BIG_LEAVES[0], 1, 1, [], BIG_LEAVES[0]),
            "not within",
        ),
        (lambda: verify_inclusion(b"x", 0, 1, [], BIG_LEAVES[0]), "leaf_hash"),
        (lambda: verify_inclusion(BIG_LEAVES[0], 0, 1, [], b"x"), "root"),
        (
            lambda: verify_inclusion(BIG_LEAVES[0], 0, 2, ["x"], BIG_LEAVES[0]),  # type: ignore[list-item]
            "must be bytes",
        ),
        (lambda: verify_consistency(1, 2, b"x", EMPTY_ROOT, [EMPTY_ROOT]), "old_root"),
        (
            lambda: verify_consistency(1, 3, EMPTY_ROOT, EMPTY_ROOT, [b"x"]),
            r"proof\[0\]",
        ),
        (
            lambda: verify_inclusion(BIG_LEAVES[0], 0, 8, [], BIG_SOURCE.root(8)),
            "too short",
        ),
        (
            lambda: verify_inclusion(BIG_LEAVES[0], 0, 1, [EMPTY_ROOT], BIG_LEAVES[0]),
            "more than the expected",
        ),
        (
            lambda: verify_inclusion(BIG_LEAVES[1], 0, 2, [BIG_LEAVES[1]], BIG_SOURCE.root(2)),
            "does not match the expected root",
        ),
    ],
)
def test_error_messages(call: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_proof_generation_reads_few_subtrees_of_a_huge_tree() -> None:
    # A source that is not a real log, only to count what proof generation
    # reads for a tree far too large to hold: no leaf scan can hide here.
    class Synthetic:
        def __init__(self, size: int) -> None:
            self.size = size
            self.lookups = 0

        def subtree_hash(self, level: int, index: int) -> bytes:
            assert (index + 1) << level <= self.size
            self.lookups += 1
            return hashlib.sha256(f"{level}:{index}".encode()).digest()

    size = (1 << 40) + 12345
    for index in (0, 1, size // 3, size - 2, size - 1):
        source = Synthetic(size)
        proof = inclusion_proof(index, size, source)
        assert len(proof) <= _ceil_log2(size)
        assert source.lookups <= 2 * _ceil_log2(size) + 1
    for old in (1, 3, 1 << 39, size // 3, size - 1):
        source = Synthetic(size)
        proof = consistency_proof(old, size, source)
        assert len(proof) <= _ceil_log2(size) + 1
        assert source.lookups <= 2 * _ceil_log2(size) + 2
    source = Synthetic(size)
    root_from_subtrees(size, source)
    assert source.lookups == size.bit_count()


# ---------------------------------------------------------------------------
# Frontier
# ---------------------------------------------------------------------------


def test_frontier_root_equals_batch_root_at_every_size() -> None:
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    for size in range(1, 600):
        frontier.append(BIG_LEAVES[size - 1])
        assert frontier.size == size
        assert frontier.root() == root_from_leaf_hashes(BIG_LEAVES[:size])


@given(size=st.integers(min_value=0, max_value=MAX_N), data=st.data())
@settings(deadline=None)
def test_frontier_matches_batch_and_store(size: int, data: st.DataObject) -> None:
    checkpoints = set(data.draw(st.lists(st.integers(min_value=0, max_value=size), max_size=8))) | {
        0,
        size,
    }
    frontier = Frontier()
    store: dict[tuple[int, int], bytes] = {}
    if 0 in checkpoints:
        assert frontier.root() == EMPTY_ROOT
    for i in range(size):
        completed = frontier.append(BIG_LEAVES[i])
        # The completed subtrees: the leaf, then one per trailing 1 bit of i.
        assert completed[0] == Subtree(0, i, BIG_LEAVES[i])
        assert len(completed) == 1 + ((i ^ (i + 1)).bit_length() - 1)
        for s in completed:
            assert (s.index + 1) << s.level == i + 1
            store[(s.level, s.index)] = s.hash
        if i + 1 in checkpoints:
            assert frontier.root() == root_from_leaf_hashes(BIG_LEAVES[: i + 1])
    assert frontier.size == size
    assert frontier.root() == NAIVE.mth(0, size)
    # Every perfect subtree was reported exactly once, with the right hash.
    assert len(store) == 2 * size - size.bit_count()
    for (level, index), h in store.items():
        assert BIG_SOURCE.subtree_hash(level, index) == h
    # Persisting and restoring, three ways.
    restored = Frontier.from_bytes(frontier.to_bytes())
    assert restored == frontier
    assert Frontier.from_hashes(size, frontier.hashes) == frontier
    assert Frontier.from_source(size, BoundedSource(BIG_SOURCE, size)) == frontier
    assert len(frontier.to_bytes()) == 8 + HASH_SIZE * size.bit_count()
    assert [s.hash for s in frontier.subtrees()] == list(frontier.hashes)
    for s in frontier.subtrees():
        assert BIG_SOURCE.subtree_hash(s.level, s.index) == s.hash
    # A restored frontier keeps growing like the original.
    if size < MAX_N:
        restored.append(BIG_LEAVES[size])
        assert restored.root() == NAIVE.mth(0, size + 1)
        assert restored != frontier


def test_frontier_copy_eq_repr() -> None:
    frontier = Frontier()
    frontier.extend(REF_LEAVES[:5])
    snapshot = frontier.copy()
    frontier.append(REF_LEAVES[5])
    assert snapshot.size == 5
    assert snapshot.root() == REF_ROOTS[5]
    assert frontier.root() == REF_ROOTS[6]
    assert snapshot != frontier
    assert snapshot != "not a frontier"
    assert REF_ROOTS[6].hex() in repr(frontier)
    with pytest.raises(TypeError):
        hash(frontier)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "at least 8 bytes"),
        ((3).to_bytes(8, "big") + b"\x00" * 32, "carries 64 hash bytes"),
        ((0).to_bytes(8, "big") + b"\x00" * 32, "carries 0 hash bytes"),
    ],
)
def test_frontier_from_bytes_rejects_malformed(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Frontier.from_bytes(data)


def test_frontier_rejects_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="right-edge hashes"):
        Frontier.from_hashes(3, [EMPTY_ROOT])
    with pytest.raises(InvalidInputError, match="32 bytes"):
        Frontier.from_hashes(1, [b"short"])
    with pytest.raises(InvalidInputError, match="negative"):
        Frontier.from_hashes(-1, [])
    frontier = Frontier()
    with pytest.raises(InvalidInputError, match="32 bytes"):
        frontier.append(b"short")
    assert frontier.size == 0


def test_large_tree_batch_equals_incremental() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range((1 << 15) + 3)]
    frontier = Frontier()
    frontier.extend(leaves)
    source = InMemorySubtreeHashes(leaves)
    assert root_from_leaf_hashes(leaves) == frontier.root() == source.root()


# ---------------------------------------------------------------------------
# InMemorySubtreeHashes
# ---------------------------------------------------------------------------


def test_in_memory_source_append_matches_constructor() -> None:
    grown = InMemorySubtreeHashes()
    assert grown.size == 0
    assert grown.root() == EMPTY_ROOT
    for i in range(70):
        grown.append(BIG_LEAVES[i])
        built = InMemorySubtreeHashes(BIG_LEAVES[: i + 1])
        assert len(grown) == len(built) == i + 1
        assert grown.root() == built.root() == NAIVE.mth(0, i + 1)
        for level in range((i + 1).bit_length()):
            for index in range((i + 1) >> level):
                assert grown.subtree_hash(level, index) == built.subtree_hash(level, index)
    grown.extend(BIG_LEAVES[70:80])
    assert grown.root() == NAIVE.mth(0, 80)
    assert isinstance(grown, SubtreeHashes)


def test_in_memory_source_rejects_missing_subtrees() -> None:
    source = InMemorySubtreeHashes(REF_LEAVES[:6])
    with pytest.raises(InvalidInputError, match="no complete subtree"):
        source.subtree_hash(0, 6)
    with pytest.raises(InvalidInputError, match="no complete subtree"):
        source.subtree_hash(1, 3)
    with pytest.raises(InvalidInputError, match="no complete subtree"):
        source.subtree_hash(3, 0)
    with pytest.raises(InvalidInputError, match="beyond"):
        source.root(7)
    with pytest.raises(InvalidInputError, match="32 bytes"):
        InMemorySubtreeHashes([b"short"])
