"""
Hypothesis strategies that damage files: bytes flipped, cut, inserted, lines duplicated or lost.

:func:`mutated` starts from a real file (a checkpoint, a proof, a key, an
event, a bundle) and applies one to four random edits, byte-level or
line-level; now and then it gives arbitrary bytes instead. :func:`mutated_text`
does the same to text, with any code point (lone surrogates included, which
no file holds but a caller of the API can pass).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from soak_sizes import FUZZ_EXAMPLES, IN_CI

# Bytes that mean something to one of the formats: line breaks, the blank
# line before signatures, the em dash, key separators, base64 padding, JSON.
TOKENS = (
    b"\n",
    b"\n\n",
    b"\r\n",
    "\u2014".encode(),
    b" ",
    b"+",
    b"=",
    b"==",
    b"0",
    b"-1",
    b"18446744073709551616",
    b"\x00",
    b"\xff",
    "\u2028".encode(),
    b'"',
    b"{",
    b"}",
    b"[]",
    b"null",
    b"\\ud800",
    b"\\u0000",
    b"1e999",
    b"NaN",
)

any_character = st.sampled_from("\ud800\udfff\u2014\u2028\u00a0\x00\n\r\t +=/é") | st.characters(
    codec=None, exclude_categories=()
)
"""Any code point, lone surrogates included, and often one that means something to a format."""


def fuzz_settings() -> settings:
    """``INCIDENTS_FUZZ_EXAMPLES`` examples; in CI derandomized and without a database."""
    extra: dict[str, Any] = {"derandomize": True, "database": None} if IN_CI else {}
    return settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=IN_CI,
        **extra,
    )


def _lines(data: bytearray) -> list[bytes]:
    return bytes(data).split(b"\n")


@st.composite
def _edit(draw: st.DrawFn, data: bytearray) -> bytearray:
    kind = draw(
        st.sampled_from(
            (
                "flip",
                "set",
                "insert",
                "token",
                "delete",
                "truncate",
                "duplicate line",
                "remove line",
                "swap lines",
                "replace line",
            )
        )
    )
    at = draw(st.integers(0, len(data)))
    if kind in ("flip", "set") and data:
        at = min(at, len(data) - 1)
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        else:
            data[at] = draw(st.integers(0, 255))
    elif kind == "insert":
        data[at:at] = draw(st.binary(min_size=1, max_size=16))
    elif kind == "token":
        data[at:at] = draw(st.sampled_from(TOKENS))
    elif kind == "delete":
        data[at : at + draw(st.integers(1, 64))] = b""
    elif kind == "truncate":
        del data[at:]
    else:
        lines = _lines(data)
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "duplicate line":
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
        elif kind == "remove line":
            del lines[i]
        elif kind == "swap lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = draw(st.binary(max_size=80) | st.sampled_from(TOKENS))
        data = bytearray(b"\n".join(lines))
    return data


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """*original* with one to four random edits, or (one time in ten) arbitrary bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=512))
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        data = draw(_edit(data))
    return bytes(data)


@st.composite
def mutated_text(draw: st.DrawFn, original: str) -> str:
    """*original* with characters inserted, deleted or replaced, any code point allowed."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(any_character, max_size=200))
    text = original
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(("insert", "delete", "replace", "bytes")))
        if kind == "insert":
            text = text[:at] + draw(st.text(any_character, min_size=1, max_size=4)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 16)) :]
        elif kind == "replace" and text:
            at = min(at, len(text) - 1)
            text = text[:at] + draw(any_character) + text[at + 1 :]
        else:  # a byte-level edit, read back as UTF-8 as far as it goes
            text = draw(mutated(text.encode("utf-8", "surrogatepass"))).decode("utf-8", "replace")
    return text


def write(path: os.PathLike[str] | str, data: bytes) -> str:
    """Write *data* to *path* (replacing it) and return the path as text."""
    with open(path, "wb") as f:
        f.write(data)
    return str(path)
