"""
The ledger's Merkle tree as stored: tiles of node hashes, grown in O(log n).

Leaf ``i`` of the tree is the canonical bytes of the event with sequence
``i + 1`` (exactly the stored ``state``), hashed as RFC 9162 says
(:mod:`incidents._tlog.hashing`). Storing a row per tree node would double the
rows written per event; storing nothing would make every proof read every
leaf. The middle way, after C2SP tlog-tiles: node hashes are kept in
*tiles* of 16, one row per tile (see :class:`Tile`):

* tile level 0 holds leaf hashes (and each leaf's event and incident id);
* tile level ``L`` holds the hashes of the perfect subtrees of ``16**L``
  leaves, i.e. tree nodes at height ``4 * L``.

Any perfect subtree is then one tile read plus at most 7 node hashes, so an
inclusion or consistency proof at any size reads ``O(log n)`` tiles; and an
append rewrites only the last, partial tile of the levels it touches.

:class:`TreeEdge` is the appender. It keeps the partial last tile of each
level, which is all an append needs and also gives the tree's size and root:
the full tiles below are folded into the level above as they fill up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from incidents._errors import StorageError
from incidents._tlog.hashing import EMPTY_ROOT, HASH_SIZE
from incidents._tlog.subtrees import SubtreeHashes

__all__ = [
    "IDS_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "TileSubtrees",
    "TreeEdge",
    "leaf_hashes",
]

TILE_HEIGHT = 4
"""Tree levels per tile level: tile level ``L`` holds nodes at height ``4 * L``."""

TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes per full tile (16)."""

IDS_SIZE = 32
"""Bytes of ids per leaf in a level-0 tile: event id then incident id."""


class Tile(NamedTuple):
    """
    Up to 16 consecutive node hashes of the audit tree, stored as one row.

    Tile ``(level, index)`` holds the hashes of the tree nodes at height
    ``4 * level`` with indices ``16 * index`` to ``16 * index + 15``; level 0
    holds leaf hashes and, in ``ids``, each leaf's event id and incident id
    (16 + 16 bytes), so a verifier can name an event that has gone missing.
    Only the last tile of each level may hold fewer than 16 hashes.
    """

    level: int
    index: int  # type: ignore[assignment]  # Shadows tuple.index on purpose.
    hashes: bytes
    ids: bytes | None = None


_sha256 = hashlib.sha256
_LEAF_PREFIXED = _sha256(b"\x00")


def leaf_hashes(states: Iterable[bytes]) -> list[bytes]:
    """
    Hash leaves: ``SHA-256(0x00 || canonical bytes)`` for each.

    Args:
        states: The canonical bytes of recorded events.

    Returns:
        Their leaf hashes, in order.

    """
    # A copy of a hash already fed the 0x00 prefix: no concatenation of the
    # bytes, and OpenSSL copies a context faster than it sets one up.
    copy = _LEAF_PREFIXED.copy
    hashes = []
    for state in states:
        h = copy()
        h.update(state)
        hashes.append(h.digest())
    return hashes


def _perfect_root(nodes: Sequence[bytes]) -> bytes:
    """The root over a power-of-two number of node hashes (RFC 9162 interior nodes)."""
    sha = _sha256
    level = list(nodes)
    while len(level) > 1:
        level = [sha(b"\x01" + level[k] + level[k + 1]).digest() for k in range(0, len(level), 2)]
    return level[0]


def _split(blob: bytes, size: int) -> list[bytes]:
    return [blob[i : i + size] for i in range(0, len(blob), size)]


class TreeEdge:
    """
    The growing end of the tree: the partial last tile of every level.

    Appending returns the tiles to write; :meth:`root` and :meth:`subtrees`
    need nothing else. Mutable; :meth:`copy` before changing a shared one.
    """

    __slots__ = ("_buffers", "_ids", "_size")

    _root = staticmethod(_perfect_root)  # a full tile's parent hash

    def __init__(self) -> None:
        """Start an empty tree."""
        self._size = 0
        self._buffers: list[list[bytes]] = [[]]
        self._ids: list[bytes] = []

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._size

    def copy(self) -> TreeEdge:
        """
        Return an independent copy.

        Returns:
            The copy.

        """
        twin = TreeEdge()
        twin._size = self._size
        twin._buffers = [list(b) for b in self._buffers]
        twin._ids = list(self._ids)
        return twin

    @classmethod
    def from_tiles(cls, tiles: Sequence[Tile]) -> TreeEdge:
        """
        Rebuild the edge from the last stored tile of each level.

        Args:
            tiles: :meth:`~incidents.storage.AuditReader.audit_edge`.

        Returns:
            The edge.

        Raises:
            StorageError: If the tiles do not describe one tree (the audit
                tables were damaged).

        """
        edge = cls()
        if not tiles:
            return edge
        by_level = {t.level: t for t in tiles}
        bottom = by_level.get(0)
        if bottom is None or set(by_level) != set(range(len(by_level))):
            raise StorageError("the audit tree's tiles are damaged: a level is missing")
        size = bottom.index * TILE_WIDTH + len(bottom.hashes) // HASH_SIZE
        buffers: list[list[bytes]] = []
        for level in range(len(by_level)):
            tile = by_level[level]
            nodes = size >> (TILE_HEIGHT * level)
            count = nodes % TILE_WIDTH
            index = nodes // TILE_WIDTH
            stored = len(tile.hashes) // HASH_SIZE
            if len(tile.hashes) % HASH_SIZE or stored == 0 or stored > TILE_WIDTH:
                raise StorageError(f"the audit tree's tile ({level}, {tile.index}) is damaged")
            if count:
                ok = tile.index == index and stored == count
            else:
                ok = tile.index == index - 1 and stored == TILE_WIDTH
            if not ok:
                raise StorageError(
                    f"the audit tree's tiles are damaged: tile ({level}, {tile.index}) with "
                    f"{stored} hashes does not fit a tree of {size} leaves"
                )
            buffers.append(_split(tile.hashes, HASH_SIZE) if count else [])
        if size >> (TILE_HEIGHT * len(by_level)):
            raise StorageError("the audit tree's tiles are damaged: its top level is missing")
        edge._size = size
        edge._buffers = buffers
        ids = bottom.ids if buffers[0] else b""
        edge._ids = _split(ids or b"", IDS_SIZE) if buffers[0] else []
        if buffers[0] and len(edge._ids) != len(buffers[0]):
            raise StorageError("the audit tree's leaf ids are damaged")
        return edge

    def append(self, hashes: Sequence[bytes], ids: Sequence[bytes] | None = None) -> list[Tile]:
        """
        Append leaf hashes.

        Args:
            hashes: The new leaves' hashes, in order.
            ids: For each, its event id and incident id (32 bytes); ``None``
                when no ids are kept (verification).

        Returns:
            The tiles to write: every tile completed, then the new partial
            last tile of every level that changed.

        """
        buffers = self._buffers
        bottom = buffers[0]
        total = len(hashes)
        if 0 < total < TILE_WIDTH - len(bottom):  # the usual small batch: only the last tile grows
            bottom.extend(hashes)
            if ids is not None:
                self._ids.extend(ids)
            self._size += total
            kept = b"".join(self._ids) if ids is not None else None
            return [Tile(0, self._size >> TILE_HEIGHT, b"".join(bottom), kept)]
        written: dict[tuple[int, int], Tile] = {}
        changed = {0} if hashes else set()
        done = 0
        while done < total:  # a tile's worth at a time, not leaf by leaf
            bottom = buffers[0]
            take = min(TILE_WIDTH - len(bottom), total - done)
            bottom.extend(hashes[done : done + take])
            if ids is not None:
                self._ids.extend(ids[done : done + take])
            done += take
            self._size += take
            if len(bottom) == TILE_WIDTH:
                self._carry(written, changed)
        size = self._size
        for level in sorted(changed):
            buffer = buffers[level]
            if buffer:
                index = size >> (TILE_HEIGHT * (level + 1))
                kept = b"".join(self._ids) if level == 0 and ids is not None else None
                written[(level, index)] = Tile(level, index, b"".join(buffer), kept)
        return list(written.values())

    def _carry(self, written: dict[tuple[int, int], Tile], changed: set[int]) -> None:
        buffers = self._buffers
        level = 0
        while len(buffers[level]) == TILE_WIDTH:
            buffer = buffers[level]
            index = (self._size >> (TILE_HEIGHT * level)) // TILE_WIDTH - 1
            ids = b"".join(self._ids) if level == 0 and self._ids else None
            written[(level, index)] = Tile(level, index, b"".join(buffer), ids)
            parent = self._root(buffer)
            buffers[level] = []
            if level == 0:
                self._ids = []
            level += 1
            if level == len(buffers):
                buffers.append([])
            buffers[level].append(parent)
            changed.add(level)

    def partial_tiles(self) -> list[Tile]:
        """
        The last, partial tile of every level, as stored (without leaf ids).

        Returns:
            One tile per level whose last tile is not full, lowest level first.

        """
        tiles = []
        for level, buffer in enumerate(self._buffers):
            if buffer:
                index = self._size >> (TILE_HEIGHT * (level + 1))
                tiles.append(Tile(level, index, b"".join(buffer)))
        return tiles

    def subtrees(self) -> list[tuple[int, bytes]]:
        """
        The perfect subtrees along the right edge, largest (leftmost) first.

        Returns:
            ``(height, hash)`` pairs, one per set bit of the size.

        """
        parts: list[tuple[int, bytes]] = []
        for level in range(len(self._buffers) - 1, -1, -1):
            buffer = self._buffers[level]
            offset = 0
            for bit in range(TILE_HEIGHT - 1, -1, -1):
                width = 1 << bit
                if len(buffer) & width:
                    group = buffer[offset : offset + width]
                    parts.append((TILE_HEIGHT * level + bit, _perfect_root(group)))
                    offset += width
        return parts

    def root(self) -> bytes:
        """
        The tree's root (RFC 9162 Merkle tree hash), in ``O(log n)``.

        Returns:
            The 32-byte root; SHA-256 of nothing for the empty tree.

        """
        parts = self.subtrees()
        if not parts:
            return EMPTY_ROOT
        sha = _sha256
        result = parts[-1][1]
        for _, left in reversed(parts[:-1]):
            result = sha(b"\x01" + left + result).digest()
        return result


class TileSubtrees(SubtreeHashes):
    """
    Perfect-subtree hashes read from stored tiles, for proofs and old roots.

    Args:
        fetch: Reads the stored tile at ``(level, index)``, or ``None``.

    """

    def __init__(self, fetch: Callable[[int, int], Tile | None]) -> None:
        self._fetch = fetch
        self._cache: dict[tuple[int, int], Tile | None] = {}

    def _tile(self, level: int, index: int) -> Tile | None:
        key = (level, index)
        if key not in self._cache:
            self._cache[key] = self._fetch(level, index)
        return self._cache[key]

    def subtree_hash(self, level: int, index: int) -> bytes:
        """
        The hash of the perfect subtree at height ``level``, position ``index``.

        Args:
            level: The height (0 for a leaf).
            index: The position within that height.

        Returns:
            The 32-byte hash.

        Raises:
            StorageError: If the stored tiles lack it (the audit tables are damaged).

        """
        tile_level, rest = divmod(level, TILE_HEIGHT)
        span = 1 << rest
        first = index * span
        tile = self._tile(tile_level, first // TILE_WIDTH)
        start = (first % TILE_WIDTH) * HASH_SIZE
        blob = b"" if tile is None else tile.hashes[start : start + span * HASH_SIZE]
        if len(blob) != span * HASH_SIZE:
            raise StorageError(
                f"the audit tree lacks the subtree at height {level}, index {index}: "
                "its tables are damaged; run `incidents verify`"
            )
        if span == 1:
            return blob
        return _perfect_root(_split(blob, HASH_SIZE))
