"""
No error about a key quotes its secret.

A signing key file with one bad character, a truncated key, a key pasted
where a verifier key belongs: each is refused with a message that says what
is wrong and names the key by its public name at most. Neither the message
nor any exception chained to it holds 8 or more consecutive characters of
the key material (as written in the file, or as hex).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from incidents import InvalidInputError
from incidents._tlog.notes import SigningKey, VerifierKey

NAME = "example.org/incidents"
SEED = bytes(range(101, 133))
KEY = SigningKey(NAME, SEED)
TEXT = KEY.to_text()
MATERIAL = TEXT.split("+", 4)[4]  # PRIVATE+KEY+name+id+material (which may hold '+')
PREFIX = TEXT[: -len(MATERIAL) - 1]
KEY_ID = f"{KEY.key_id:08x}"
# Material with '+' in it, to be split where the fields should be.
PLUSES = base64.b64encode(b"\x01" + bytes.fromhex("fb" * 32)).decode()
SECRETS = (MATERIAL, SEED.hex(), base64.b64encode(SEED).decode(), PLUSES)


def chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        todo += [current.__cause__, current.__context__]
    return found


def leaked(text: str) -> str | None:
    for secret in SECRETS:
        for start in range(len(secret) - 7):
            if secret[start : start + 8] in text:
                return secret[start : start + 8]
    return None


def assert_no_secret(exc: BaseException) -> None:
    for link in chain(exc):
        for text in (str(link), repr(link), *map(str, link.args)):
            piece = leaked(text)
            assert piece is None, f"{type(link).__name__} quotes {piece!r}: {text}"


def material(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def with_material(text: str) -> str:
    return f"{PREFIX}+{text}"


def not_canonical(raw: bytes) -> str:
    """Base64 of *raw* (length 2 mod 3) with padding bits that are not zero."""
    text = material(raw)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(text[-2])
    assert last % 4 == 0
    return text[:-2] + alphabet[last + 1] + "="


NOT_CANONICAL = not_canonical(b"\x01" + SEED[:31])

BAD_SIGNING_KEYS: dict[str, str] = {
    "a character not base64": with_material(MATERIAL[:30] + "!" + MATERIAL[31:]),
    "a space inside": with_material(MATERIAL[:20] + " " + MATERIAL[21:]),
    "a line break inside": with_material(MATERIAL[:20] + "\n" + MATERIAL[20:]),
    "a non-ASCII letter": with_material(MATERIAL[:10] + "é" + MATERIAL[11:]),
    "truncated by one": with_material(MATERIAL[:-1]),
    "truncated by four": with_material(MATERIAL[:-4]),
    "one character more": with_material(MATERIAL + "A"),
    "four characters more": with_material(MATERIAL[:-1] + "AAAAA="),
    "not canonical": with_material(NOT_CANONICAL),
    "a byte short": with_material(material(b"\x01" + SEED[:-1])),
    "a byte long": with_material(material(b"\x01" + SEED + b"\x00")),
    "another algorithm": with_material(material(b"\x02" + SEED)),
    "no type byte": with_material(material(SEED)),
    "another key ID": f"PRIVATE+KEY+{NAME}+{(KEY.key_id ^ 1):08x}+{MATERIAL}",
    "a key ID not hex": f"PRIVATE+KEY+{NAME}+zzzzzzzz+{MATERIAL}",
    "no key ID": f"PRIVATE+KEY+{NAME}+{MATERIAL}",
    "no name and no key ID": f"PRIVATE+KEY+{MATERIAL}",
    "only the material": MATERIAL,
    "a name with a space": f"PRIVATE+KEY+example org+{KEY_ID}+{MATERIAL}",
    "two keys": TEXT + "\n" + TEXT,
    "a line break in the name": f"PRIVATE+KEY+{MATERIAL[:12]}\n{MATERIAL[12:20]}+{MATERIAL[20:]}",
    "lower case": TEXT.replace("PRIVATE+KEY", "private+key"),
}
assert PLUSES.count("+") >= 2
BAD_SIGNING_KEYS["no name, material with '+'"] = f"PRIVATE+KEY+{PLUSES}"


@pytest.mark.parametrize("text", list(BAD_SIGNING_KEYS.values()), ids=list(BAD_SIGNING_KEYS))
def test_a_bad_signing_key_is_refused_without_quoting_it(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        SigningKey.from_text(text)
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("a character not base64", "is not base64"),
        ("truncated by four", "not an Ed25519 key"),
        ("another algorithm", "not an Ed25519 key"),
        ("another key ID", "does not match"),
        ("not canonical", "not canonical base64"),
    ],
)
def test_the_message_says_what_is_wrong_and_names_the_key(case: str, says: str) -> None:
    with pytest.raises(InvalidInputError, match=says) as caught:
        SigningKey.from_text(BAD_SIGNING_KEYS[case])
    assert NAME in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [TEXT, f"  {TEXT}\n", TEXT.replace("PRIVATE+KEY", "private+key"), "\ufeff" + TEXT],
    ids=["as written", "with spaces", "lower case", "with a byte order mark"],
)
def test_a_signing_key_given_as_a_verifier_key_is_refused_without_quoting_it(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        VerifierKey.from_text(text)
    assert_no_secret(caught.value)


def test_a_signing_key_given_as_a_verifier_key_is_named_for_what_it_is() -> None:
    with pytest.raises(InvalidInputError, match="signing key"):
        VerifierKey.from_text(TEXT)


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda t: t[:-5] + "!" + t[-4:],
        lambda t: t[:-4],
        lambda t: t.split("+", 2)[2],
        lambda t: t.split("+", 1)[1],
    ],
)
def test_a_bad_verifier_key_quotes_no_key_material(corrupt: Callable[[str], str]) -> None:
    # A verifier key is public, but what is given as one may be a secret.
    text = corrupt(f"{NAME}+{KEY_ID}+{MATERIAL}")
    assert MATERIAL[:8] in text
    with pytest.raises(InvalidInputError) as caught:
        VerifierKey.from_text(text)
    assert_no_secret(caught.value)
