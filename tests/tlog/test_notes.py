"""Tests of incidents._tlog.notes: C2SP signed notes and Ed25519 keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents._errors import InvalidInputError, VerificationError
from incidents._tlog.notes import (
    NoteSignature,
    SignatureStatus,
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

GO = json.loads((Path(__file__).parent / "data" / "notes" / "go-sumdb-note.json").read_text())


def test_go_example_keys_are_read_and_written_back() -> None:
    signer = SigningKey.from_text(GO["signing_key"])
    verifier = VerifierKey.from_text(GO["verifier_key"])
    assert verifier == signer.verifier
    assert GO["verifier_key"] == verifier.text
    assert GO["signing_key"] == signer.to_text()
    assert verifier.key_id == 0xC74F20A3
    assert verifier.name == "PeterNeumann"


def test_go_example_note_is_reproduced_byte_for_byte() -> None:
    signer = SigningKey.from_text(GO["signing_key"])
    note = format_note(GO["text"], sign_note(GO["text"], [signer]))
    assert GO["note"] == note


def test_go_example_note_verifies_and_fails_when_changed() -> None:
    verifier = VerifierKey.from_text(GO["verifier_key"])
    text, signatures = parse_note(GO["note"])
    assert GO["text"] == text
    (check,) = check_signatures(text, signatures, [verifier])
    assert check.status == SignatureStatus.VALID
    changed = text.replace("cryptography", "cryptographY")
    (check,) = check_signatures(changed, signatures, [verifier])
    assert check.status == SignatureStatus.INVALID


def test_signatures_of_other_keys_are_unknown_not_checked() -> None:
    text, signatures = parse_note(GO["note"])
    other = SigningKey.generate("PeterNeumann").verifier  # same name, other key id
    (check,) = check_signatures(text, signatures, [other])
    assert check.status == SignatureStatus.UNKNOWN_KEY
    assert check.key is None


@given(
    name=st.from_regex(r"[a-z0-9./_-]{1,30}", fullmatch=True), text=st.text(min_size=0, max_size=50)
)
def test_keys_and_notes_round_trip(name: str, text: str) -> None:
    text = "".join(
        c for c in text if c == "\n" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) < 0xE000)
    )
    text += "\n"
    key = SigningKey.generate(name)
    assert key.verifier == VerifierKey.from_text(key.verifier.text)
    assert key.to_text() == SigningKey.from_text(key.to_text()).to_text()
    note = format_note(text, sign_note(text, [key]))
    parsed, signatures = parse_note(note)
    if "\n\n" in text:
        return  # a text with blank lines is cut at its last one: not a round trip
    assert text == parsed
    assert [c.status for c in check_signatures(parsed, signatures, [key.verifier])] == [
        SignatureStatus.VALID
    ]


def test_repr_never_shows_the_private_key() -> None:
    key = SigningKey.from_text(GO["signing_key"])
    assert "AYEKFALV" not in repr(key)
    assert GO["verifier_key"] in repr(key)


@pytest.mark.parametrize(
    "name", ["", "has space", "plus+sign", "tab\tname", "new\nline", "nbsp\u00a0name"]
)
def test_bad_key_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInputError):
        check_key_name(name)


@pytest.mark.parametrize(
    "text",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong type
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # not base64
        "PeterNeumann+c74f20a3",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "",
    ],
)
def test_malformed_verifier_keys_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        VerifierKey.from_text(text)


def test_malformed_signing_keys_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        SigningKey.from_text(GO["verifier_key"])
    with pytest.raises(InvalidInputError):
        SigningKey.from_text(GO["signing_key"].replace("c74f20a3", "c74f20a4"))


@pytest.mark.parametrize(
    "note",
    [
        "no final newline",
        "text\n\n",  # a blank line with no signature after it
        "text\n\n\u2014 name\n",
        "text\n\n- name AAAAAAA=\n",
        "bell \x07\n",
        "text\n\n\u2014 name AAAA\n",  # a signature shorter than a key id
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_note(note)


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        parse_note(b"caf\xe9\n")


def test_non_canonical_base64_is_refused() -> None:
    assert b64decode_strict("A" * 43 + "=", what="x") == b"\x00" * 32
    with pytest.raises(InvalidInputError):
        b64decode_strict("A" * 42 + "B=", what="x")  # stray bits in the last character
    with pytest.raises(InvalidInputError):
        b64decode_strict("A" * 43, what="x")  # padding missing


def test_signature_line_round_trip() -> None:
    signature = NoteSignature("example.org/a", 0x01020304, bytes(range(64)))
    assert signature == NoteSignature.parse_line(signature.line[:-1])


def test_open_requires_a_signed_note_as_go_does() -> None:
    verifier = VerifierKey.from_text(GO["verifier_key"])
    text, checks = open_note(GO["note"], [verifier])
    assert text == GO["text"]
    assert [c.status for c in checks] == [SignatureStatus.VALID]
    # A bare text is not a signed note, even though parse_note reads it.
    assert parse_note(GO["text"]) == (GO["text"], ())
    with pytest.raises(VerificationError, match="no signature lines"):
        open_note(GO["text"], [verifier])
    # Signed by nobody known, or with a known key's signature broken.
    with pytest.raises(VerificationError, match="not signed by any of the given keys"):
        open_note(GO["note"], [SigningKey.generate("PeterNeumann").verifier])
    broken = GO["note"].replace(GO["text"], GO["text"].replace("cryptography", "cryptographY"))
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(broken, [verifier])
    # Unknown signatures are ignored; a second line by the same key is not counted (as in Go).
    other = SigningKey.generate("example.org/witness")
    cosigned = format_note(GO["text"], parse_note(GO["note"])[1] + sign_note(GO["text"], [other]))
    _, checks = open_note(cosigned, [verifier])
    assert [c.status for c in checks] == [SignatureStatus.VALID, SignatureStatus.UNKNOWN_KEY]
    (signature,) = parse_note(GO["note"])[1]
    twice = format_note(
        GO["text"], (signature, NoteSignature(signature.name, signature.key_id, bytes(64)))
    )
    _, checks = open_note(twice, [verifier])
    assert [c.status for c in checks] == [SignatureStatus.VALID]
