"""The escaping of what the command line prints: control and formatting characters only."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from incidents._cli.output import displayed, json_text, printable
from incidents._domain.events import Claim, Stance

UNSAFE = ("Cc", "Cf", "Cs", "Zl", "Zp")
JOINERS = "\u200c\u200d"


def unsafe(text: str, keep: str = "") -> list[str]:
    return [c for c in text if c not in keep + JOINERS and unicodedata.category(c) in UNSAFE]


def test_what_is_escaped_and_how() -> None:
    assert printable("a\x1b[31mb\rc\nd\te\x7f\x9b\u202e\u2066\u2028\x00\U000e0041") == (
        r"a\x1b[31mb\rc\nd\te\x7f\x9b\u202e\u2066\u2028\x00\U000e0041"
    )
    assert printable("\ud800") == r"\ud800"  # a lone surrogate could not even be printed
    assert printable("line\nnext\tcell\x1b", layout=True) == "line\nnext\tcell\\x1b"


def test_text_of_any_script_is_kept() -> None:
    for text in (
        "张晓刚",
        "Сяоган",
        "김정은",
        "می‌خواهم",  # a zero-width non-joiner, which Persian needs
        "👩‍✈️",  # a pilot: an emoji sequence with a zero-width joiner
        "C:\\ledgers\\x1b.db",  # a backslash is not an escape of ours
        "non\u00a0breaking and ideographic\u3000spaces",
    ):
        assert printable(text) == text


@given(st.text())
def test_nothing_unsafe_is_left_and_safe_text_is_unchanged(text: str) -> None:
    shown = printable(text)
    assert unsafe(shown) == []
    if not unsafe(text):
        assert shown == text
    assert unsafe(printable(text, layout=True), keep="\n\t") == []


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_text_reads_back_the_same_and_is_safe(value: object) -> None:
    text = json_text(json.dumps(value, ensure_ascii=False, indent=2))
    assert unsafe(text, keep="\n") == []
    assert json.loads(text) == value


def test_displayed_escapes_inside_values_and_keeps_what_has_nothing_to_escape() -> None:
    claim = Claim(topic="t", stance=Stance.AFFIRMS, text="said\x1b[2J")
    shown = displayed({"claims": (claim,), "count": 2})
    assert shown == {
        "claims": (Claim(topic="t", stance=Stance.AFFIRMS, text=r"said\x1b[2J"),),
        "count": 2,
    }
    assert shown["claims"][0].stance is Stance.AFFIRMS
    plain = Claim(topic="t", stance=Stance.DENIES, text="said")
    assert displayed(plain) is plain
