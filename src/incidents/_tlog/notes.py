"""
Signed notes and the Ed25519 keys that sign them (C2SP signed-note).

A *note* is UTF-8 text signed by one or more keys, as specified at
https://c2sp.org/signed-note and implemented by Go's
``golang.org/x/mod/sumdb/note``: the text (ending in a newline), a blank
line, then one line per signature, ``— <key name> <base64(key ID || sig)>``.
Checkpoints (:mod:`incidents._tlog.checkpoint`) are notes.

Keys are written the way Go's ``note`` package writes them, so keys made here
work with the transparency-log tools of that ecosystem and back:

* a verifier (public) key: ``<name>+<key ID, 8 hex digits>+<base64(0x01 || public key)>``;
* a signing (private) key: ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>``.

The key ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``, big-endian.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from incidents._errors import InvalidInputError, VerificationError
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
else:
    # Imported when a key is first made or a signature first checked.
    ed25519 = LazyModule("cryptography.hazmat.primitives.asymmetric.ed25519", globals(), "ed25519")
    serialization = LazyModule(
        "cryptography.hazmat.primitives.serialization", globals(), "serialization"
    )

__all__ = [
    "MAX_SIGNATURES",
    "NoteSignature",
    "SignatureCheck",
    "SignatureStatus",
    "SigningKey",
    "VerifierKey",
    "b64decode_strict",
    "check_key_name",
    "check_signatures",
    "format_note",
    "open_note",
    "parse_note",
    "sign_note",
]

ED25519 = 0x01
"""The signature type byte of Ed25519 in C2SP signed-note."""

MAX_SIGNATURES = 64
"""Most signature lines a note may carry (the specification asks for at least 16)."""

_DASH = "\u2014"  # em dash, the start of every signature line
_PRIVATE = "PRIVATE+KEY+"
_NOT_IN_NAMES = ("Cc", "Cs", "Zs", "Zl", "Zp")  # Cs: a lone surrogate cannot be encoded
_B64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


def b64decode_strict(text: str, *, what: str, secret: bool = False) -> bytes:
    """
    Decode standard base64 (RFC 4648 section 4), accepting only its canonical form.

    Non-canonical encodings (stray padding bits, missing padding, whitespace)
    are refused, so that no two texts decode to the same bytes: a flipped bit
    always changes the meaning or breaks the parse.

    Args:
        text: The base64 text.
        what: What is being decoded, for the error message.
        secret: The text is secret (a private key): never quote it.

    Returns:
        The decoded bytes.

    Raises:
        InvalidInputError: If ``text`` is not canonical base64.

    """
    shown = "" if secret else f": {text!r}"
    if not isinstance(text, str) or not _B64.match(text):
        raise InvalidInputError(f"{what} is not base64{shown}")
    raw = _b64decode(text)
    if raw is None:  # pragma: no cover - the pattern rules it out
        raise InvalidInputError(f"{what} is not base64{shown}")
    if base64.b64encode(raw).decode("ascii") != text:
        raise InvalidInputError(f"{what} is not canonical base64{shown}")
    return raw


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_key_name(name: str) -> str:
    """
    Check a key name: non-empty; no Unicode spaces, ``+``, control characters or lone surrogates.

    Args:
        name: The name, e.g. ``"example.org/alice"``.

    Returns:
        The name.

    Raises:
        InvalidInputError: If the name cannot name a note key.

    """
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"a key name must be a non-empty string, got {name!r}")
    if not _is_key_name(name):
        raise InvalidInputError(
            f"key name {name!r} must not contain spaces, '+', control characters or lone surrogates"
        )
    return name


def _is_key_name(name: str) -> bool:
    return bool(name) and not any(
        char == "+" or char.isspace() or unicodedata.category(char) in _NOT_IN_NAMES
        for char in name
    )


def _key_id(name: str, public: bytes) -> int:
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public).digest()
    return int.from_bytes(digest[:4], "big")


def _parse_key(text: str, what: str, form: str) -> tuple[str, int, bytes]:
    """
    Split ``name+id+base64`` into the name, the key ID and the Ed25519 key.

    The messages quote nothing of the text but a name and key ID that are
    well formed: what is given as a key may be a secret (a signing key, or a
    verifier key's place taken by one), and a field of a garbled key may be
    a piece of its material.
    """
    # The base64 part may itself contain '+', so split from the left only.
    fields = text.split("+", 2)
    if len(fields) != 3:
        raise InvalidInputError(f"not a {what}: expected {form} ({len(fields)} fields found)")
    name, hex_id, material = fields
    if not _is_key_name(name):
        raise InvalidInputError(
            f"not a {what}: its name is empty or holds spaces or control characters"
        )
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise InvalidInputError(f"not a {what}: its key ID is not 8 lowercase hex digits")
    raw = b64decode_strict(material, what=f"the key material of {what} {name!r}", secret=True)
    if len(raw) != 33 or raw[0] != ED25519:
        raise InvalidInputError(
            f"{what} {name!r} is not an Ed25519 key (type byte and 32 key bytes expected)"
        )
    return name, int(hex_id, 16), raw[1:]


@attrs.frozen
class VerifierKey:
    """
    A public Ed25519 key with its name: what checks a signature.

    Publish it (its :attr:`text`) so that others can check what the holder
    of the matching :class:`SigningKey` signed.

    Attributes:
        name: The key name, e.g. ``"example.org/alice"``.
        public: The 32-byte Ed25519 public key.

    """

    name: str = attrs.field(validator=lambda _, __, value: check_key_name(value))
    public: bytes = attrs.field(repr=False)

    @public.validator
    def _check_public(self, _: object, value: bytes) -> None:
        if not isinstance(value, bytes) or len(value) != 32:
            raise InvalidInputError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> int:
        """The 32-bit key ID, as C2SP signed-note derives it."""
        return _key_id(self.name, self.public)

    @property
    def text(self) -> str:
        """The key in Go ``note`` verifier-key form: ``name+id+base64``."""
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + self.public)}"

    def __str__(self) -> str:
        return self.text

    @classmethod
    def from_text(cls, text: str) -> VerifierKey:
        """
        Read a verifier key written as ``name+id+base64``.

        Args:
            text: The key text (surrounding whitespace is ignored).

        Returns:
            The key.

        Raises:
            InvalidInputError: If the text is not a verifier key or its ID
                does not match its name and key. The message quotes no key
                material (see :meth:`SigningKey.from_text`); a signing key
                given by mistake is refused as one.

        """
        if not isinstance(text, str):
            raise InvalidInputError(f"a verifier key is text, got {type(text).__name__}")
        if _PRIVATE.casefold() in text.casefold():
            raise InvalidInputError(
                "a signing (private) key was given where a verifier key belongs: give its "
                "verifier key (name+id+base64, as `incidents keygen` prints it), and keep the "
                "signing key secret"
            )
        name, key_id, public = _parse_key(text.strip(), "verifier key", "name+id+base64")
        key = cls(name=name, public=public)
        if key.key_id != key_id:
            raise InvalidInputError(
                f"verifier key {name!r}: key ID {key_id:08x} does not match the key "
                f"(expected {key.key_id:08x})"
            )
        return key

    def verify(self, message: bytes, signature: bytes) -> bool:
        """
        Check an Ed25519 signature made by the matching signing key.

        Args:
            message: The signed bytes.
            signature: The 64-byte signature.

        Returns:
            Whether the signature is valid.

        """
        from cryptography.exceptions import InvalidSignature

        try:
            ed25519.Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class SigningKey:
    """
    A named Ed25519 private key: what a recorder signs with.

    Keep its :meth:`to_text` secret (a file only its holder reads); publish
    its :attr:`verifier`. ``repr`` never shows the private key.

    Args:
        name: The key name, e.g. ``"example.org/alice"``: no spaces, no ``+``.
        seed: The 32-byte Ed25519 private key (RFC 8032 seed).

    Raises:
        InvalidInputError: If the name or seed is not acceptable.

    """

    __slots__ = ("_name", "_private", "_verifier")

    def __init__(self, name: str, seed: bytes) -> None:
        check_key_name(name)
        if not isinstance(seed, bytes) or len(seed) != 32:
            raise InvalidInputError("an Ed25519 private key is 32 bytes")
        self._name = name
        self._private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._verifier = VerifierKey(name=name, public=public)

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """
        Make a new random key.

        Args:
            name: The key name.

        Returns:
            The new key.

        """
        seed = ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(name, seed)

    @classmethod
    def from_text(cls, text: str) -> SigningKey:
        """
        Read a signing key written as ``PRIVATE+KEY+name+id+base64``.

        Args:
            text: The key text (surrounding whitespace is ignored).

        Returns:
            The key.

        Raises:
            InvalidInputError: If the text is not a signing key or its ID does
                not match. The message says what is wrong (not base64, wrong
                length, another algorithm, ...) and names the key by its
                name at most: it never quotes the key material, nor a field
                of a garbled key that could be a piece of it.

        """
        if not isinstance(text, str) or not text.strip().startswith(_PRIVATE):
            raise InvalidInputError("not a signing key (expected PRIVATE+KEY+name+id+base64)")
        name, key_id, seed = _parse_key(
            text.strip()[len(_PRIVATE) :], "signing key", "PRIVATE+KEY+name+id+base64"
        )
        key = cls(name, seed)
        if key.key_id != key_id:
            raise InvalidInputError(
                f"signing key {name!r}: key ID {key_id:08x} does not match the key "
                f"(expected {key.key_id:08x})"
            )
        return key

    def to_text(self) -> str:
        """
        Write the key as ``PRIVATE+KEY+name+id+base64`` (secret: store it safely).

        Returns:
            The key text.

        """
        seed = self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return f"{_PRIVATE}{self._name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + seed)}"

    @property
    def name(self) -> str:
        """The key name."""
        return self._name

    @property
    def key_id(self) -> int:
        """The 32-bit key ID."""
        return self._verifier.key_id

    @property
    def verifier(self) -> VerifierKey:
        """The public half, to publish."""
        return self._verifier

    def sign(self, message: bytes) -> bytes:
        """
        Sign bytes with Ed25519 (deterministic, RFC 8032).

        Args:
            message: The bytes to sign.

        Returns:
            The 64-byte signature.

        """
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey({self._verifier.text!r})"


@attrs.frozen
class NoteSignature:
    """
    One signature line of a note.

    Attributes:
        name: The signing key's name.
        key_id: The signing key's 32-bit ID.
        signature: The signature bytes (64 for Ed25519), without the key ID.

    """

    name: str
    key_id: int
    signature: bytes = attrs.field(repr=False)

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_DASH} {self.name} {_b64(blob)}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        """
        Read one signature line (without its newline).

        Args:
            line: ``— <name> <base64>``.

        Returns:
            The signature.

        Raises:
            InvalidInputError: If the line is malformed.

        """
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != _DASH:
            raise InvalidInputError(f"malformed signature line: {line!r}")
        name = check_key_name(parts[1])
        blob = b64decode_strict(parts[2], what=f"the signature of {name!r}")
        if len(blob) < 5:
            raise InvalidInputError(f"the signature of {name!r} is too short")
        return cls(name=name, key_id=int.from_bytes(blob[:4], "big"), signature=blob[4:])


def _check_note_text(text: str) -> None:
    if not isinstance(text, str):
        raise InvalidInputError(f"a note is text, got {type(text).__name__}")
    if not text.endswith("\n"):
        raise InvalidInputError("a note's text must end with a newline")
    for char in text:
        if char != "\n" and ord(char) < 0x20:
            raise InvalidInputError(
                f"a note must not contain control characters (found U+{ord(char):04X})"
            )
        if 0xD800 <= ord(char) < 0xE000:
            raise InvalidInputError(
                f"a note is UTF-8 text: it cannot hold a lone surrogate (found U+{ord(char):04X})"
            )


def sign_note(text: str, keys: Iterable[SigningKey]) -> tuple[NoteSignature, ...]:
    """
    Sign a note's text with each key.

    Args:
        text: The note text (ends with a newline, no control characters).
        keys: The signing keys.

    Returns:
        One signature per key.

    Raises:
        InvalidInputError: If the text cannot be a note.

    """
    _check_note_text(text)
    message = text.encode("utf-8")
    return tuple(NoteSignature(k.name, k.key_id, k.sign(message)) for k in keys)


def format_note(text: str, signatures: Sequence[NoteSignature]) -> str:
    """
    Write a signed note: the text, a blank line, the signature lines.

    Args:
        text: The note text.
        signatures: Its signatures (none gives the bare text).

    Returns:
        The note.

    """
    if not signatures:
        return text
    return text + "\n" + "".join(s.line for s in signatures)


def parse_note(note: str | bytes) -> tuple[str, tuple[NoteSignature, ...]]:
    """
    Split a signed note into its text and signatures; a bare text has none.

    Args:
        note: The note (text, or UTF-8 bytes).

    Returns:
        The text (with its final newline) and the signatures, in order.

    Raises:
        InvalidInputError: If the note is not valid UTF-8, contains control
            characters, does not end with a newline, or has a malformed
            signature line or too many signatures.

    """
    if isinstance(note, bytes | bytearray | memoryview):
        try:
            note = bytes(note).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"a note must be valid UTF-8: {exc}") from None
    _check_note_text(note)
    cut = note.rfind("\n\n")
    if cut < 0:
        return note, ()
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = block[:-1].split("\n") if block else []
    if not lines:
        raise InvalidInputError("a note's blank line must be followed by signatures")
    if len(lines) > MAX_SIGNATURES:
        raise InvalidInputError(f"a note may carry at most {MAX_SIGNATURES} signatures")
    return text, tuple(NoteSignature.parse_line(line) for line in lines)


class SignatureStatus(enum.Enum):
    """What became of one signature when it was checked."""

    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN_KEY = "unknown key"


@attrs.frozen
class SignatureCheck:
    """
    The outcome of checking one signature line.

    Attributes:
        name: The key name on the line.
        key_id: The key ID on the line.
        status: Valid, invalid, or from a key not known to the checker.
        key: The verifier key used, when it was known.

    """

    name: str
    key_id: int
    status: SignatureStatus
    key: VerifierKey | None = None

    def describe(self) -> str:
        """
        Say in words what was found.

        Returns:
            e.g. ``"valid signature by example.org/alice+1a2b3c4d"``.

        """
        who = f"{self.name}+{self.key_id:08x}"
        if self.status is SignatureStatus.UNKNOWN_KEY:
            return f"signature by unknown key {who} (not checked)"
        return f"{self.status.value} signature by {who}"


def check_signatures(
    text: str, signatures: Sequence[NoteSignature], keys: Iterable[VerifierKey]
) -> tuple[SignatureCheck, ...]:
    """
    Check each signature of a note against the keys known to the checker.

    Following C2SP signed-note, a signature is checked only by the key with
    the same name *and* ID; signatures of other keys are reported as unknown.

    Args:
        text: The note text the signatures are over.
        signatures: The signatures.
        keys: The verifier keys known to the checker.

    Returns:
        One check per signature, in order.

    """
    known = {(k.name, k.key_id): k for k in keys}
    message = text.encode("utf-8")
    checks = []
    for s in signatures:
        key = known.get((s.name, s.key_id))
        if key is None:
            checks.append(SignatureCheck(s.name, s.key_id, SignatureStatus.UNKNOWN_KEY))
            continue
        status = (
            SignatureStatus.VALID if key.verify(message, s.signature) else SignatureStatus.INVALID
        )
        checks.append(SignatureCheck(s.name, s.key_id, status, key))
    return tuple(checks)


def open_note(
    note: str | bytes, keys: Iterable[VerifierKey]
) -> tuple[str, tuple[SignatureCheck, ...]]:
    """
    Read a note that must be signed, and verify it: what Go's ``note.Open`` does.

    Where a signed note is required, a bare text is not one: the note must
    end in a block of signature lines after a blank line, carry a valid
    signature by at least one of the known keys, and no invalid one by any
    of them. Signatures by other keys are ignored (C2SP signed-note); a
    second signature line by the same key is ignored, as Go ignores it.

    Args:
        note: The note (text, or UTF-8 bytes).
        keys: The verifier keys the caller trusts.

    Returns:
        The text (with its final newline) and the check of each counted
        signature line, in order.

    Raises:
        InvalidInputError: If the note is malformed (:func:`parse_note`).
        VerificationError: If it has no signature lines, a known key's
            signature is invalid, or no known key signed it.

    """
    text, signatures = parse_note(note)
    if not signatures:
        raise VerificationError("the note is not signed: it has no signature lines")
    seen: set[tuple[str, int]] = set()
    counted = []
    for signature in signatures:
        who = (signature.name, signature.key_id)
        if who in seen:
            continue
        seen.add(who)
        counted.append(signature)
    checks = check_signatures(text, counted, keys)
    bad = next((c for c in checks if c.status is SignatureStatus.INVALID), None)
    if bad is not None:
        raise VerificationError(f"the note has an {bad.describe()}")
    if not any(c.status is SignatureStatus.VALID for c in checks):
        names = ", ".join(f"{c.name}+{c.key_id:08x}" for c in checks)
        raise VerificationError(
            f"the note is not signed by any of the given keys (signatures: {names})"
        )
    return text, checks
