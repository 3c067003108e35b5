"""
Inclusion and consistency proofs, and the versioned text they are written in.

An :class:`InclusionProof` shows that one event is leaf ``leaf_index`` of the
log a checkpoint describes; a :class:`ConsistencyProof` shows that the log of
a later checkpoint extends the log of an earlier one, nothing rewritten
(RFC 9162 sections 2.1.3 and 2.1.4). An inclusion proof holds at most
``ceil(log2 n)`` hashes; a consistency proof at most ``ceil(log2 n)``, plus
one when the old size is odd and above one (RFC 9162's own bound: its
example proof from size 3 to size 7 has four hashes). Both verify against
checkpoints alone: no ledger, no network.

Both are written as a few lines of text, versioned from the start::

    incidents/inclusion-proof/v1        incidents/consistency-proof/v1
    <origin>                            <origin>
    <leaf index>                        <old size>
    <tree size>                         <new size>
    <base64 hash>                       <base64 hash>
    ...                                 ...

Parsing is strict (plain decimal numbers, canonical base64), so changing any
bit of a proof makes it fail to parse or fail to verify.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

import attrs

from incidents._codec.canonical import encode_recorded
from incidents._domain.events import Recorded
from incidents._errors import InvalidInputError, VerificationError
from incidents._tlog.checkpoint import Checkpoint, check_origin, parse_size
from incidents._tlog.hashing import HASH_SIZE, leaf_hash
from incidents._tlog.notes import b64decode_strict
from incidents._tlog.verify import verify_consistency, verify_inclusion

__all__ = ["ConsistencyProof", "InclusionProof", "parse_proof"]

INCLUSION_HEADER = "incidents/inclusion-proof/v1"
CONSISTENCY_HEADER = "incidents/consistency-proof/v1"


def _hashes(value: Iterable[bytes]) -> tuple[bytes, ...]:
    return tuple(value)


def _check_hashes(_: object, __: object, hashes: tuple[bytes, ...]) -> None:
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise InvalidInputError(f"every proof hash is {HASH_SIZE} bytes")


def _count(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"{attribute.name} must be a non-negative int, got {value!r}")


def _lines(kind: str, origin: str, a: int, b: int, hashes: Sequence[bytes]) -> str:
    encoded = "".join(base64.b64encode(h).decode("ascii") + "\n" for h in hashes)
    return f"{kind}\n{origin}\n{a}\n{b}\n{encoded}"


def _parse_lines(text: str | bytes, header: str) -> tuple[str, int, int, tuple[bytes, ...]]:
    if isinstance(text, bytes | bytearray | memoryview):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            raise InvalidInputError("a proof is ASCII text") from None
    if not isinstance(text, str) or not text.endswith("\n"):
        raise InvalidInputError("a proof is text ending with a newline")
    lines = text[:-1].split("\n")
    if lines[0] != header:
        raise InvalidInputError(f"not a {header} (first line {lines[0][:60]!r})")
    if len(lines) < 4:
        raise InvalidInputError(f"a {header} has an origin and two numbers")
    origin = check_origin(lines[1])
    first = parse_size(lines[2], what="the proof's first number")
    second = parse_size(lines[3], what="the proof's second number")
    hashes = []
    for number, line in enumerate(lines[4:], start=1):
        raw = b64decode_strict(line, what=f"proof hash {number}")
        if len(raw) != HASH_SIZE:
            raise InvalidInputError(f"proof hash {number} is not {HASH_SIZE} bytes long")
        hashes.append(raw)
    return origin, first, second, tuple(hashes)


def _leaf_hash(leaf: bytes | Recorded) -> bytes:
    if isinstance(leaf, Recorded):
        return leaf_hash(encode_recorded(leaf))
    if isinstance(leaf, bytes | bytearray | memoryview):
        return leaf_hash(bytes(leaf))
    raise InvalidInputError(
        f"a leaf is a Recorded event or its canonical bytes, got {type(leaf).__name__}"
    )


def _same_log(proof_origin: str, checkpoint: Checkpoint, what: str) -> None:
    if proof_origin != checkpoint.origin:
        raise VerificationError(
            f"{what} is for log {proof_origin!r}, the checkpoint for {checkpoint.origin!r}"
        )


@attrs.frozen
class InclusionProof:
    """
    Proof that an event is in the log a checkpoint describes.

    Get one from :meth:`incidents.Ledger.inclusion_proof`; check it with
    :meth:`verify`, which needs only the event (or its canonical bytes) and
    the checkpoint.

    Attributes:
        origin: The log the proof is for.
        leaf_index: The event's leaf: its sequence number minus one.
        tree_size: The size of the tree (the checkpoint) the proof is for.
        hashes: The audit path, bottom-up (at most ``ceil(log2 tree_size)``).

    """

    origin: str = attrs.field(validator=lambda _, __, value: check_origin(value))
    leaf_index: int = attrs.field(validator=_count)
    tree_size: int = attrs.field(validator=_count)
    hashes: tuple[bytes, ...] = attrs.field(converter=_hashes, validator=_check_hashes)

    @property
    def sequence(self) -> int:
        """The event's sequence number (``leaf_index + 1``)."""
        return self.leaf_index + 1

    @property
    def text(self) -> str:
        """The proof in its versioned text form."""
        return _lines(INCLUSION_HEADER, self.origin, self.leaf_index, self.tree_size, self.hashes)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str | bytes) -> InclusionProof:
        """
        Read a proof written by :attr:`text`.

        Args:
            text: The proof text.

        Returns:
            The proof.

        Raises:
            InvalidInputError: If the text is not an inclusion proof of a known version.

        """
        origin, index, size, hashes = _parse_lines(text, INCLUSION_HEADER)
        return cls(origin=origin, leaf_index=index, tree_size=size, hashes=hashes)

    def verify(self, leaf: bytes | Recorded, checkpoint: Checkpoint) -> None:
        """
        Check that ``leaf`` is leaf :attr:`leaf_index` of the checkpoint's log.

        Only the checkpoint's origin, size and root are used: check its
        signatures separately (:meth:`Checkpoint.verify_signatures`).

        Args:
            leaf: The recorded event, or its canonical bytes.
            checkpoint: The checkpoint the proof is for.

        Raises:
            VerificationError: If the proof does not hold.

        """
        _same_log(self.origin, checkpoint, "the inclusion proof")
        if self.tree_size != checkpoint.size:
            raise VerificationError(
                f"the inclusion proof is for a tree of {self.tree_size} events, "
                f"the checkpoint for {checkpoint.size}"
            )
        try:
            verify_inclusion(
                _leaf_hash(leaf),
                self.leaf_index,
                self.tree_size,
                self.hashes,
                checkpoint.root,
            )
        except VerificationError:
            raise
        except InvalidInputError as exc:
            raise VerificationError(str(exc)) from None


@attrs.frozen
class ConsistencyProof:
    """
    Proof that a later checkpoint's log extends an earlier one's, nothing rewritten.

    Get one from :meth:`incidents.Ledger.consistency_proof`; check it with
    :meth:`verify`, which needs only the two checkpoints.

    Attributes:
        origin: The log the proof is for.
        old_size: The earlier tree size.
        new_size: The later tree size.
        hashes: The proof hashes.

    """

    origin: str = attrs.field(validator=lambda _, __, value: check_origin(value))
    old_size: int = attrs.field(validator=_count)
    new_size: int = attrs.field(validator=_count)
    hashes: tuple[bytes, ...] = attrs.field(converter=_hashes, validator=_check_hashes)

    @property
    def text(self) -> str:
        """The proof in its versioned text form."""
        return _lines(CONSISTENCY_HEADER, self.origin, self.old_size, self.new_size, self.hashes)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str | bytes) -> ConsistencyProof:
        """
        Read a proof written by :attr:`text`.

        Args:
            text: The proof text.

        Returns:
            The proof.

        Raises:
            InvalidInputError: If the text is not a consistency proof of a known version.

        """
        origin, old, new, hashes = _parse_lines(text, CONSISTENCY_HEADER)
        return cls(origin=origin, old_size=old, new_size=new, hashes=hashes)

    def verify(self, old: Checkpoint, new: Checkpoint) -> None:
        """
        Check that ``new``'s log extends ``old``'s.

        Args:
            old: The earlier checkpoint.
            new: The later checkpoint.

        Raises:
            VerificationError: If the proof does not hold.

        """
        _same_log(self.origin, old, "the consistency proof")
        _same_log(self.origin, new, "the consistency proof")
        if (self.old_size, self.new_size) != (old.size, new.size):
            raise VerificationError(
                f"the consistency proof is from size {self.old_size} to {self.new_size}, "
                f"the checkpoints are at {old.size} and {new.size}"
            )
        try:
            verify_consistency(old.size, new.size, old.root, new.root, self.hashes)
        except VerificationError:
            raise
        except InvalidInputError as exc:
            raise VerificationError(str(exc)) from None


def parse_proof(text: str | bytes) -> InclusionProof | ConsistencyProof:
    """
    Read either kind of proof, by its first line.

    Args:
        text: The proof text.

    Returns:
        The proof.

    Raises:
        InvalidInputError: If the text is neither kind.

    """
    raw = (
        text.decode("ascii", "replace")
        if isinstance(text, bytes | bytearray | memoryview)
        else text
    )
    if raw.startswith(CONSISTENCY_HEADER + "\n"):
        return ConsistencyProof.parse(text)
    return InclusionProof.parse(text)
