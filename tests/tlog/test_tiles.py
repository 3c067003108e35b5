"""Tests of incidents._tlog.tiles: the audit tree stored as tiles, grown batch by batch."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from memory_tree import InMemorySubtreeHashes

from incidents._errors import StorageError
from incidents._tlog.hashing import EMPTY_ROOT, leaf_hash, root_from_leaf_hashes
from incidents._tlog.prove import consistency_proof, inclusion_proof
from incidents._tlog.subtrees import root_from_subtrees
from incidents._tlog.tiles import TILE_WIDTH, TileSubtrees, TreeEdge, leaf_hashes
from incidents.storage import Tile

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "merkle" / "reference_tree.json").read_text()
)


class Tiles:
    """Tiles kept in a dict, as a store keeps them (later writes replace earlier ones)."""

    def __init__(self) -> None:
        self.tiles: dict[tuple[int, int], Tile] = {}
        self.reads = 0

    def write(self, tiles: list[Tile]) -> None:
        for tile in tiles:
            self.tiles[(tile.level, tile.index)] = tile

    def fetch(self, level: int, index: int) -> Tile | None:
        self.reads += 1
        return self.tiles.get((level, index))

    def edge(self) -> list[Tile]:
        tops: dict[int, int] = {}
        for level, index in self.tiles:
            tops[level] = max(tops.get(level, -1), index)
        return [self.tiles[(level, tops[level])] for level in sorted(tops)]


def grow(leaves: list[bytes], batches: list[int]) -> tuple[TreeEdge, Tiles]:
    edge, tiles = TreeEdge(), Tiles()
    start = 0
    for size in batches:
        chunk = leaves[start : start + size]
        tiles.write(edge.append(chunk, [bytes(32)] * len(chunk)))
        start += len(chunk)
    tiles.write(edge.append(leaves[start:], [bytes(32)] * len(leaves[start:])))
    return edge, tiles


def test_reference_vectors_through_stored_tiles() -> None:
    """The RFC 6962/9162 known answers (transparency-dev), computed from tiles."""
    inputs = [bytes.fromhex(v) for v in REFERENCE["leaf_inputs"]]
    leaves = [leaf_hash(d) for d in inputs]
    for size, root in enumerate(REFERENCE["root_hashes"]):
        edge, tiles = grow(leaves[:size], [1] * size)
        assert root == edge.root().hex()
        assert root == TreeEdge.from_tiles(tiles.edge()).root().hex()
        assert root == root_from_subtrees(size, TileSubtrees(tiles.fetch)).hex()
    _, tiles = grow(leaves, [3, 1, 4])
    source = TileSubtrees(tiles.fetch)
    for case in REFERENCE["inclusion_proofs"]:
        if case["size"]:
            proof = inclusion_proof(case["leaf"] - 1, case["size"], source)
            assert case["proof"] == [h.hex() for h in proof]
    for case in REFERENCE["consistency_proofs"]:
        if case["size1"]:
            proof = consistency_proof(case["size1"], case["size2"], source)
            assert case["proof"] == [h.hex() for h in proof]


@given(
    size=st.integers(0, 1200),
    batches=st.lists(st.integers(1, 300), max_size=12),
    data=st.data(),
)
def test_tiles_answer_like_the_whole_tree(
    size: int, batches: list[int], data: st.DataObject
) -> None:
    leaves = leaf_hashes(i.to_bytes(4, "big") for i in range(size))
    edge, tiles = grow(leaves, batches)
    reference = InMemorySubtreeHashes(leaves)
    assert size == edge.size
    assert reference.root() == edge.root()
    reloaded = TreeEdge.from_tiles(tiles.edge())
    assert size == reloaded.size
    assert edge.root() == reloaded.root()
    if not size:
        assert edge.root() == EMPTY_ROOT
        return
    source = TileSubtrees(tiles.fetch)
    at = data.draw(st.integers(1, size), label="tree size")
    index = data.draw(st.integers(0, at - 1), label="leaf")
    old = data.draw(st.integers(1, at), label="old size")
    assert inclusion_proof(index, at, reference) == inclusion_proof(index, at, source)
    assert consistency_proof(old, at, reference) == consistency_proof(old, at, source)
    assert root_from_leaf_hashes(leaves[:at]) == root_from_subtrees(at, source)


@given(first=st.integers(0, 600), more=st.lists(st.integers(1, 70), min_size=1, max_size=6))
def test_appending_after_reloading_equals_appending_at_once(first: int, more: list[int]) -> None:
    leaves = leaf_hashes(i.to_bytes(4, "big") for i in range(first + sum(more)))
    whole, whole_tiles = grow(leaves, [])
    _, tiles = grow(leaves[:first], [])
    start = first
    for size in more:
        edge = TreeEdge.from_tiles(tiles.edge())
        chunk = leaves[start : start + size]
        tiles.write(edge.append(chunk, [bytes(32)] * size))
        start += size
    assert whole_tiles.tiles == tiles.tiles
    assert whole.root() == TreeEdge.from_tiles(tiles.edge()).root()


def test_leaf_ids_are_kept_with_level_zero_tiles() -> None:
    edge, tiles = TreeEdge(), Tiles()
    ids = [bytes([i]) * 32 for i in range(20)]
    tiles.write(edge.append(leaf_hashes(bytes([i]) for i in range(20)), ids))
    assert b"".join(ids[:16]) == tiles.tiles[(0, 0)].ids
    assert b"".join(ids[16:]) == tiles.tiles[(0, 1)].ids
    assert tiles.tiles[(1, 0)].ids is None


def test_proofs_read_logarithmically_many_tiles() -> None:
    size = 70_001
    leaves = leaf_hashes(i.to_bytes(4, "big") for i in range(size))
    _, tiles = grow(leaves, [])
    bound = 2 * math.ceil(math.log2(size)) + 2
    for index in (0, 12_345, size // 2, size - 1):
        tiles.reads = 0
        proof = inclusion_proof(index, size, TileSubtrees(tiles.fetch))
        assert len(proof) <= math.ceil(math.log2(size))
        assert tiles.reads <= bound
    tiles.reads = 0
    consistency_proof(40_000, size, TileSubtrees(tiles.fetch))
    assert tiles.reads <= bound


def test_damaged_tiles_are_reported() -> None:
    leaves = leaf_hashes(i.to_bytes(4, "big") for i in range(3 * TILE_WIDTH + 5))
    _, tiles = grow(leaves, [])
    edge = tiles.edge()
    with pytest.raises(StorageError, match="damaged"):
        TreeEdge.from_tiles(edge[1:])  # the leaf level is gone
    bottom = edge[0]
    with pytest.raises(StorageError, match="damaged"):
        TreeEdge.from_tiles([Tile(0, bottom.index, bottom.hashes[:-32], bottom.ids), *edge[1:]])
    del tiles.tiles[(0, 1)]
    with pytest.raises(StorageError, match="lacks"):
        inclusion_proof(20, len(leaves), TileSubtrees(tiles.fetch))
