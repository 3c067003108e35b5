"""Tests of incidents._tlog.checkpoint: C2SP tlog-checkpoint text, signed and not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents._errors import InvalidInputError, VerificationError
from incidents._tlog.checkpoint import Checkpoint, check_new_origin
from incidents._tlog.notes import SignatureStatus, SigningKey

GO = json.loads((Path(__file__).parent / "data" / "notes" / "go-sumdb-note.json").read_text())
KEY = SigningKey.from_text(GO["signing_key"])
ROOT = bytes(range(32))


def test_the_c2sp_example_checkpoint_parses() -> None:
    checkpoint = Checkpoint.parse(GO["c2sp-checkpoint"])
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hex == "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62"
    assert GO["c2sp-checkpoint"] == checkpoint.text
    (check,) = checkpoint.check_signatures([KEY.verifier])
    assert check.status == SignatureStatus.UNKNOWN_KEY


def test_layout_is_origin_size_base64_root() -> None:
    checkpoint = Checkpoint(origin="example.org/incidents", size=17, root=ROOT)
    assert (
        checkpoint.text
        == "example.org/incidents\n17\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    )


@given(
    origin=st.from_regex(r"[a-z0-9./_-]{1,40}", fullmatch=True),
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    signed=st.booleans(),
)
def test_round_trip(origin: str, size: int, root: bytes, signed: bool) -> None:
    checkpoint = Checkpoint(origin=origin, size=size, root=root)
    if signed:
        checkpoint = checkpoint.signed(KEY)
    assert checkpoint == Checkpoint.parse(checkpoint.text)
    assert checkpoint == Checkpoint.parse(checkpoint.text.encode())


def test_signatures_verify_with_the_key_only() -> None:
    checkpoint = Checkpoint(origin="example.org/incidents", size=3, root=ROOT).signed(KEY)
    assert [c.status for c in checkpoint.verify_signatures([KEY.verifier])] == [
        SignatureStatus.VALID
    ]
    with pytest.raises(VerificationError, match="not signed by any"):
        checkpoint.verify_signatures([SigningKey.generate("other").verifier])
    with pytest.raises(VerificationError, match="no signature lines"):
        checkpoint.unsigned().verify_signatures([KEY.verifier])
    forged = Checkpoint(
        origin="example.org/incidents", size=4, root=ROOT, signatures=checkpoint.signatures
    )
    with pytest.raises(VerificationError, match="invalid signature"):
        forged.verify_signatures([KEY.verifier])


def test_flipping_any_bit_of_a_signed_checkpoint_fails_verification() -> None:
    checkpoint = Checkpoint(origin="example.org/incidents", size=1234, root=ROOT).signed(KEY)
    raw = checkpoint.text.encode()
    for bit in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            parsed = Checkpoint.parse(bytes(flipped))
            parsed.verify_signatures([KEY.verifier])
        except InvalidInputError:
            continue
        pytest.fail(f"flipping bit {bit} still verifies: {bytes(flipped)!r}")


@pytest.mark.parametrize(
    "text",
    [
        "example.org/x\n17\n",  # no root
        "example.org/x\n017\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # leading zero
        "example.org/x\n+17\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "example.org/x\n17\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n",  # 31 bytes
        "example.org/x\n17\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n",  # stray bits
        "\n17\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # empty origin
        "example.org/x\n17\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n",
        "example.org/x\n9223372036854775808\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        Checkpoint.parse(text)


def test_bad_values_are_refused() -> None:
    for origin in ("", "two\nlines", "bell\x07"):
        with pytest.raises(InvalidInputError):
            Checkpoint(origin=origin, size=1, root=ROOT)
    with pytest.raises(InvalidInputError):
        Checkpoint(origin="x", size=-1, root=ROOT)
    with pytest.raises(InvalidInputError):
        Checkpoint(origin="x", size=1, root=b"short")
    with pytest.raises(InvalidInputError):
        Checkpoint(origin="x", size=1, root=ROOT, extensions=("",))


def test_extension_lines_are_kept() -> None:
    checkpoint = Checkpoint(origin="x", size=1, root=ROOT, extensions=("a", "b c"))
    assert checkpoint == Checkpoint.parse(checkpoint.text)
    assert checkpoint.text.endswith("\na\nb c\n")


@pytest.mark.parametrize("origin", ["has space", "plus+sign", "日志 1", "\u00a0nbsp"])
def test_origins_are_read_as_c2sp_allows(origin: str) -> None:
    # C2SP tlog-checkpoint: clients MUST NOT assume the recommended form of the origin.
    checkpoint = Checkpoint(origin=origin, size=2, root=ROOT).signed(KEY)
    assert Checkpoint.parse(checkpoint.text) == checkpoint
    assert Checkpoint.open(checkpoint.text, [KEY.verifier]).origin == origin
    # A log this library starts takes the recommended form: it names the log's key.
    with pytest.raises(InvalidInputError, match="schema-less URL"):
        check_new_origin(origin)


def test_a_checkpoint_that_must_be_signed_is_opened_as_go_opens_a_note() -> None:
    signed = Checkpoint(origin="example.org/incidents", size=3, root=ROOT).signed(KEY)
    assert Checkpoint.open(signed.text, [KEY.verifier]) == signed
    with pytest.raises(VerificationError, match="no signature lines"):
        Checkpoint.open(signed.unsigned().text, [KEY.verifier])
    with pytest.raises(VerificationError, match="not signed by any of the given keys"):
        Checkpoint.open(signed.text, [SigningKey.generate("other").verifier])
    with pytest.raises(VerificationError, match="not signed by any of the given keys"):
        Checkpoint.open(signed.text, [])
    forged = Checkpoint(
        origin="example.org/incidents", size=4, root=ROOT, signatures=signed.signatures
    )
    with pytest.raises(VerificationError, match="invalid signature"):
        Checkpoint.open(forged.text, [KEY.verifier])
