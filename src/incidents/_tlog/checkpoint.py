"""
Checkpoints: a log's size and root as a small, signable text (C2SP tlog-checkpoint).

A checkpoint is the note text specified at https://c2sp.org/tlog-checkpoint::

    <origin>
    <tree size>
    <base64 root hash>

optionally followed by extension lines, and optionally signed
(:mod:`incidents._tlog.notes`): a blank line, then one line per signature. The
origin names the log; the size counts its events; the root is the RFC 9162
Merkle tree hash of their canonical bytes. Anyone holding a checkpoint can
later ask for proofs that an event is in the log it describes, or that a
later log extends it without rewriting anything.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

import attrs

from incidents._errors import InvalidInputError, VerificationError
from incidents._tlog.hashing import HASH_SIZE
from incidents._tlog.notes import (
    NoteSignature,
    SignatureCheck,
    SigningKey,
    VerifierKey,
    b64decode_strict,
    check_key_name,
    check_signatures,
    format_note,
    open_note,
    parse_note,
    sign_note,
)

__all__ = ["MAX_TREE_SIZE", "Checkpoint", "check_new_origin", "check_origin", "parse_size"]

MAX_TREE_SIZE = 2**63 - 1
"""The largest tree size a checkpoint may state."""

_SIZE = re.compile(r"^(?:0|[1-9][0-9]{0,18})$")


def check_origin(origin: str) -> str:
    """
    Check a log origin as C2SP tlog-checkpoint allows it: a non-empty line of text.

    The specification recommends a schema-less URL without spaces or ``+``
    but tells clients not to assume that form, so checkpoints, bundles and
    proofs of any origin are read. A log this library starts takes the
    recommended form (:func:`check_new_origin`).

    Args:
        origin: The origin.

    Returns:
        The origin.

    Raises:
        InvalidInputError: If it is empty or holds a line break or a control
            character (which no note may hold).

    """
    if not isinstance(origin, str) or not origin:
        raise InvalidInputError(f"an origin must be a non-empty string, got {origin!r}")
    if any(ord(c) < 0x20 or 0xD800 <= ord(c) < 0xE000 for c in origin):
        raise InvalidInputError(f"origin {origin!r} must be one line without control characters")
    return origin


def check_new_origin(origin: str) -> str:
    """
    Check the origin of a log this library starts: the form C2SP recommends.

    A schema-less URL such as ``example.org/incidents``: no spaces and no
    ``+``, so that the origin can also be the name of the key that signs the
    log's checkpoints (C2SP tlog-checkpoint: the log's key name SHOULD match
    its origin).

    Args:
        origin: The origin.

    Returns:
        The origin.

    Raises:
        InvalidInputError: If it could not name a key.

    """
    check_origin(origin)
    try:
        check_key_name(origin)
    except InvalidInputError:
        raise InvalidInputError(
            f"origin {origin!r} must not contain spaces, '+' or control characters "
            "(use a schema-less URL such as example.org/incidents)"
        ) from None
    return origin


def parse_size(text: str, *, what: str) -> int:
    """
    Read a tree size or index written in ASCII decimal without leading zeros.

    Args:
        text: The digits.
        what: What the number is, for the error message.

    Returns:
        The number.

    Raises:
        InvalidInputError: If the text is not such a number or exceeds 2**63 - 1.

    """
    if not _SIZE.match(text) or int(text) > MAX_TREE_SIZE:
        raise InvalidInputError(
            f"{what} must be a decimal number without leading zeros, got {text!r}"
        )
    return int(text)


def _check_root(_: object, __: object, root: bytes) -> None:
    if not isinstance(root, bytes) or len(root) != HASH_SIZE:
        raise InvalidInputError(f"a checkpoint root is {HASH_SIZE} bytes")


def _check_size(_: object, __: object, size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_TREE_SIZE:
        raise InvalidInputError(f"a tree size is an int from 0 to {MAX_TREE_SIZE}, got {size!r}")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _signatures(value: Iterable[NoteSignature]) -> tuple[NoteSignature, ...]:
    return tuple(value)


def _check_extensions(_: object, __: object, lines: tuple[str, ...]) -> None:
    for line in lines:
        if not isinstance(line, str) or not line or any(c == "\n" or ord(c) < 0x20 for c in line):
            raise InvalidInputError(
                f"a checkpoint extension line must be non-empty text, got {line!r}"
            )


@attrs.frozen
class Checkpoint:
    """
    A log's tree size and root hash, optionally signed.

    Build one with :meth:`incidents.Ledger.checkpoint`, write it with
    :attr:`text`, read it back with :meth:`parse`.

    >>> cp = Checkpoint(origin="example.org/incidents", size=0, root=bytes(32))
    >>> print(cp.text, end="")
    example.org/incidents
    0
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
    >>> Checkpoint.parse(cp.text) == cp
    True

    Attributes:
        origin: The log's name.
        size: How many events the log held.
        root: The 32-byte Merkle tree hash of those events.
        extensions: Extra lines after the root (C2SP does not recommend them).
        signatures: Signatures over the body (:attr:`body`).

    """

    origin: str = attrs.field(validator=lambda _, __, value: check_origin(value))
    size: int = attrs.field(validator=_check_size)
    root: bytes = attrs.field(validator=_check_root)
    extensions: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_check_extensions
    )
    signatures: tuple[NoteSignature, ...] = attrs.field(default=(), converter=_signatures)

    @property
    def body(self) -> str:
        """The note text: origin, size, base64 root and extensions, each on its line."""
        root = base64.b64encode(self.root).decode("ascii")
        extra = "".join(f"{line}\n" for line in self.extensions)
        return f"{self.origin}\n{self.size}\n{root}\n{extra}"

    @property
    def text(self) -> str:
        """The whole checkpoint: the body, then (if signed) a blank line and the signatures."""
        return format_note(self.body, self.signatures)

    def __str__(self) -> str:
        return self.text

    @property
    def root_hex(self) -> str:
        """The root as lower-case hex."""
        return self.root.hex()

    def signed(self, *keys: SigningKey) -> Checkpoint:
        """
        Return this checkpoint with signatures by the given keys added.

        Args:
            *keys: The signing keys.

        Returns:
            The signed checkpoint.

        """
        return attrs.evolve(self, signatures=self.signatures + sign_note(self.body, keys))

    def unsigned(self) -> Checkpoint:
        """
        Return this checkpoint without signatures.

        Returns:
            The bare checkpoint.

        """
        return attrs.evolve(self, signatures=())

    @classmethod
    def parse(cls, text: str | bytes) -> Checkpoint:
        """
        Read a checkpoint, signed or not.

        Parsing is strict: the size must be plain decimal, the root canonical
        base64 of 32 bytes, every signature line well formed. Where the
        checkpoint must be signed by a key you trust, read it with
        :meth:`open` instead.

        Args:
            text: The checkpoint text (or its UTF-8 bytes).

        Returns:
            The checkpoint.

        Raises:
            InvalidInputError: If the text is not a checkpoint.

        """
        body, signatures = parse_note(text)
        return cls._from_body(body, signatures)

    @classmethod
    def open(cls, text: str | bytes, keys: Iterable[VerifierKey]) -> Checkpoint:
        """
        Read a checkpoint that must be signed by one of the given keys (Go's ``note.Open``).

        A bare checkpoint (no signature lines) is refused, as is one that no
        given key signed or that carries an invalid signature by one of them.

        Args:
            text: The checkpoint text (or its UTF-8 bytes).
            keys: The verifier keys the caller trusts.

        Returns:
            The checkpoint, with all its signature lines.

        Raises:
            InvalidInputError: If the text is not a checkpoint.
            VerificationError: If it is not signed as required.

        """
        open_note(text, keys)
        return cls.parse(text)

    @classmethod
    def _from_body(cls, body: str, signatures: tuple[NoteSignature, ...]) -> Checkpoint:
        lines = body[:-1].split("\n")
        if len(lines) < 3 or not all(lines):
            raise InvalidInputError(
                "a checkpoint has at least three non-empty lines: origin, tree size, root hash"
            )
        origin, size, root, *extensions = lines
        raw_root = b64decode_strict(root, what="the checkpoint's root hash")
        if len(raw_root) != HASH_SIZE:
            raise InvalidInputError(f"the checkpoint's root hash is not {HASH_SIZE} bytes long")
        return cls(
            origin=origin,
            size=parse_size(size, what="the checkpoint's tree size"),
            root=raw_root,
            extensions=tuple(extensions),
            signatures=signatures,
        )

    def check_signatures(self, keys: Iterable[VerifierKey]) -> tuple[SignatureCheck, ...]:
        """
        Check every signature against the keys known to the caller.

        Args:
            keys: The verifier keys to check with.

        Returns:
            One :class:`~incidents.SignatureCheck` per signature line.

        """
        return check_signatures(self.body, self.signatures, keys)

    def verify_signatures(self, keys: Iterable[VerifierKey]) -> tuple[SignatureCheck, ...]:
        """
        Require a valid signature by one of the keys, and no invalid one (Go's ``note.Open``).

        Args:
            keys: The verifier keys the caller trusts.

        Returns:
            The checks (see :meth:`check_signatures`).

        Raises:
            VerificationError: If the checkpoint is not signed, a signature by
                a known key is invalid, or no known key signed.

        """
        try:
            _, checks = open_note(self.text, keys)
        except VerificationError as exc:
            raise VerificationError(
                f"checkpoint of {self.origin} at size {self.size}: {exc}"
            ) from None
        return checks
