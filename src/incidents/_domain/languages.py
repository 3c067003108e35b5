"""
Language tags: BCP 47 tags whose language is an ISO 639 code.

A source's language is written as a BCP 47 tag (``"en"``, ``"zh-Hant"``,
``"ko-KR"``, ``"yue"``). The check is syntactic for the tag as a whole
(RFC 5646: subtags of letters and digits joined by hyphens, each in its
place) and looks up what the ``pycountry`` package knows:

* the primary language subtag is an ISO 639-1 code (two letters) or an
  ISO 639-2/3 code (three letters), such as ``"en"``, ``"cmn"`` or ``"und"``;
* a script subtag (four letters) is an ISO 15924 code, such as ``"Hant"``;
* a region subtag is an ISO 3166-1 alpha-2 code (``"KR"``) or three digits
  (a UN M.49 area, such as ``"419"``);
* variants, extensions and private use (``"x-..."``) keep RFC 5646's shapes.

Case does not matter (``"EN-us"`` is accepted), as in BCP 47; the tag is
kept as written.

>>> why_not_a_language("zh-Hant-TW") is None, why_not_a_language("english")
(True, "'english' is not an ISO 639 language code")
"""

from __future__ import annotations

import functools
import re
from types import ModuleType

from incidents._domain.limits import shown

__all__ = ["why_not_a_language"]

_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}\Z")
_LETTERS = re.compile(r"[A-Za-z]+\Z")


def _pycountry() -> ModuleType:
    # Imported when a tag is first checked: pycountry (and importlib.metadata
    # under it) is not loaded by `import incidents` (tests/test_import_time.py).
    import pycountry

    return pycountry


@functools.cache
def _languages() -> frozenset[str]:
    codes: set[str] = set()
    for language in _pycountry().languages:
        for name in ("alpha_2", "alpha_3", "bibliographic"):
            code = getattr(language, name, None)
            if code:
                codes.add(code.lower())
    return frozenset(codes)


@functools.cache
def _scripts() -> frozenset[str]:
    return frozenset(s.alpha_4.lower() for s in _pycountry().scripts)


@functools.cache
def _regions() -> frozenset[str]:
    return frozenset(c.alpha_2.lower() for c in _pycountry().countries)


def why_not_a_language(tag: object) -> str | None:
    """
    Why a value is not an acceptable BCP 47 language tag, or ``None`` when it is.

    Args:
        tag: The value, e.g. ``"en"`` or ``"zh-Hant"``.

    Returns:
        The reason in words, or ``None``.
    """
    if not isinstance(tag, str) or not tag or len(tag) > 64:
        return f"{shown(tag)} is not a language tag"
    parts = tag.split("-")
    if not all(_SUBTAG.match(p) for p in parts):
        return f"{shown(tag)} is not a BCP 47 tag (subtags of 1 to 8 letters or digits)"
    low = [p.lower() for p in parts]
    if low[0] == "x":  # a private-use tag as a whole
        return None if len(low) > 1 else f"{shown(tag)} is not a BCP 47 tag"
    if not _LETTERS.match(low[0]) or low[0] not in _languages():
        return f"{shown(parts[0])} is not an ISO 639 language code"
    rest = low[1:]
    # extlang (up to three of three letters), script, region, variants: in that order.
    while rest and len(rest[0]) == 3 and _LETTERS.match(rest[0]) and rest[0] in _languages():
        rest = rest[1:]
    if rest and len(rest[0]) == 4 and _LETTERS.match(rest[0]):
        if rest[0] not in _scripts():
            return f"{shown(rest[0])} is not an ISO 15924 script code"
        rest = rest[1:]
    if rest and (len(rest[0]) == 2 or (len(rest[0]) == 3 and rest[0].isdigit())):
        if len(rest[0]) == 2 and rest[0] not in _regions():
            return f"{shown(rest[0])} is not an ISO 3166-1 region code"
        rest = rest[1:]
    while rest and len(rest[0]) > 1:
        variant = rest[0]
        if not (5 <= len(variant) <= 8 or (len(variant) == 4 and variant[0].isdigit())):
            return f"{shown(variant)} is not a subtag in its place in a BCP 47 tag"
        rest = rest[1:]
    while rest:  # extensions and private use: a singleton, then subtags of 2 to 8
        singleton, rest = rest[0], rest[1:]
        size = 1 if singleton == "x" else 2
        taken = 0
        while rest and len(rest[0]) >= size and (singleton == "x" or len(rest[0]) > 1):
            rest, taken = rest[1:], taken + 1
        if not taken:
            return f"{shown(tag)} is not a BCP 47 tag (the {singleton!r} extension is empty)"
    return None
