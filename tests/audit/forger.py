"""
A forger's toolkit, written without the library: what someone without the signing key can do.

Nothing here imports :mod:`incidents`. The hashes follow RFC 9162 with
:mod:`hashlib`, the tiles follow the layout the ledger stores (C2SP
tlog-tiles: 16 hashes per tile, level ``L`` holding the roots of subtrees of
``16**L`` leaves), and notes are signed as C2SP signed-note says with
``cryptography``'s Ed25519 directly. A forger holds their own keys, never the
recorder's: every attack built with these must fail verification with the
recorder's key, however consistent the forgery is in itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

EVENTS = "incident_events"


def leaf(data: bytes) -> bytes:
    """RFC 9162 leaf hash."""
    return hashlib.sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(leaves: list[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return node(root(leaves[:split]), root(leaves[split:]))


def tiles(leaves: list[bytes]) -> list[tuple[int, int, bytes]]:
    """Every stored tile of the tree over ``leaves``: ``(level, index, hashes)``."""
    out = []
    level, hashes = 0, leaves
    while hashes:
        for index in range(0, len(hashes), 16):
            out.append((level, index // 16, b"".join(hashes[index : index + 16])))
        full = [hashes[i : i + 16] for i in range(0, len(hashes) - len(hashes) % 16, 16)]
        hashes = [root(group) for group in full]
        level += 1
    return out


def checkpoint_body(origin: str, size: int, tree_root: bytes) -> str:
    """C2SP tlog-checkpoint note text."""
    return f"{origin}\n{size}\n{base64.b64encode(tree_root).decode()}\n"


class Signer:
    """An Ed25519 note key of the forger's own (C2SP signed-note), under any name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.private = Ed25519PrivateKey.generate()
        self.public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        digest = hashlib.sha256(name.encode() + b"\n\x01" + self.public).digest()
        self.key_id = digest[:4]

    @property
    def verifier_text(self) -> str:
        """The verifier key, as Go's note package writes it."""
        material = base64.b64encode(b"\x01" + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def sign(self, text: str) -> str:
        """The signed note: the text, a blank line, one signature line."""
        signature = self.private.sign(text.encode())
        blob = base64.b64encode(self.key_id + signature).decode()
        return f"{text}\n\u2014 {self.name} {blob}\n"


# -- bundles ---------------------------------------------------------------------------


def read_bundle(path: Path) -> tuple[dict[str, object], list[bytes]]:
    """A bundle's header and event lines."""
    first, *lines = path.read_bytes().split(b"\n")
    return json.loads(first), [line for line in lines if line]


def write_bundle(path: Path, header: dict[str, object], lines: list[bytes]) -> None:
    """Write a bundle back, its header as compact sorted JSON (as the library writes it)."""
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    path.write_bytes(text.encode() + b"\n" + b"".join(line + b"\n" for line in lines))


def rehead(
    path: Path,
    lines: list[bytes],
    *,
    origin: str,
    signer: Signer | None = None,
    keep: list[dict[str, object]] | None = None,
) -> None:
    """
    Give a bundle of these lines a header of the forger's making.

    Its checkpoint is over the lines as they are (unsigned, or signed by the
    forger's own key); the carried checkpoints are dropped unless given.
    """
    body = checkpoint_body(origin, len(lines), root([leaf(line) for line in lines]))
    header: dict[str, object] = {
        "format": "incidents-bundle/v2",
        "origin": origin,
        "size": len(lines),
        "checkpoint": body if signer is None else signer.sign(body),
        "checkpoints": keep or [],
        "keys": [] if signer is None else [signer.verifier_text],
        "exported_by": "a forger",
    }
    write_bundle(path, header, lines)


def recount(line: bytes, count: int) -> bytes:
    """An event line with its aircraft count changed (the envelope left alone)."""
    data = json.loads(line)
    data["event"]["count"] = count
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# -- ledger files ----------------------------------------------------------------------


def states(db: sqlite3.Connection) -> list[bytes]:
    """Every stored event's bytes, in sequence order."""
    return [bytes(r[0]) for r in db.execute(f"SELECT state FROM {EVENTS} ORDER BY sequence")]


def rewrite_tiles(db: sqlite3.Connection) -> None:
    """Recompute every stored tile from the rows as they now stand, keeping each leaf's ids."""
    rows = db.execute(
        f"SELECT state, event_id, incident_id FROM {EVENTS} ORDER BY sequence"
    ).fetchall()
    hashes = [leaf(bytes(r[0])) for r in rows]
    ids = [bytes(r[1]) + bytes(r[2]) for r in rows]
    db.execute("DELETE FROM audit_tiles")
    for level, index, blob in tiles(hashes):
        kept = b"".join(ids[index * 16 : index * 16 + 16]) if level == 0 else None
        db.execute("INSERT INTO audit_tiles VALUES (?,?,?,?)", (level, index, blob, kept))


def sha256_file(path: Path) -> str:
    """The file's SHA-256, to show that verify left it alone."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
