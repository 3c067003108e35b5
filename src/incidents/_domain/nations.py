"""
Nation codes: the ISO 3166-1 alpha-2 codes the library accepts.

Only codes assigned to a country or territory today are accepted (the 249 of
ISO 3166-1, as the ``pycountry`` package ships them). Refused, each with a
message that says why:

* codes that were never assigned, such as ``"XX"``;
* codes that are reserved but not assigned, such as ``"UK"`` (the United
  Kingdom is ``"GB"``) and ``"EU"``;
* the user-assigned codes ``AA``, ``QM``-``QZ``, ``XA``-``XZ`` and ``ZZ``,
  which the standard leaves to private use. ``"XK"``, which some
  organisations use for Kosovo, is one of them: it means different things
  to different users, so a ledger meant to be read by others does not hold it;
* withdrawn codes, such as ``"SU"`` (USSR): record the assigned code of the
  state that operated the aircraft.

The set of accepted codes is built once, at import; checking a code is one
set lookup.

>>> "GB" in ASSIGNED_NATIONS, "UK" in ASSIGNED_NATIONS
(True, False)
>>> print(why_not_a_nation("UK"))
the United Kingdom's code is 'GB'
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Set
from typing import TYPE_CHECKING

from incidents._domain.limits import shown
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import pycountry
else:
    # pycountry (and importlib.metadata under it) when a code is first checked.
    pycountry = LazyModule("pycountry", globals(), "pycountry")

__all__ = ["ASSIGNED_NATIONS", "nation_error", "nation_name", "why_not_a_nation"]


class _AssignedNations(Set[str]):
    """A frozen set of codes read from pycountry when first asked about."""

    __slots__ = ("_codes",)

    def __init__(self) -> None:
        self._codes: frozenset[str] | None = None

    def _load(self) -> frozenset[str]:
        codes = self._codes
        if codes is None:
            codes = self._codes = frozenset(c.alpha_2 for c in pycountry.countries)
        return codes

    def __contains__(self, value: object) -> bool:
        codes = self._codes
        return value in (self._load() if codes is None else codes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __hash__(self) -> int:
        return hash(self._load())

    def __repr__(self) -> str:
        return f"frozenset({sorted(self._load())!r})"


ASSIGNED_NATIONS: Set[str] = _AssignedNations()
"""Every ISO 3166-1 alpha-2 code assigned today (read from pycountry when first used)."""

# No country's name is longer (the longest are about 50 characters): a longer
# text is not looked up.
_LONGEST_NAME = 200

# Reserved codes people write for an assigned one. ISO 3166-1 reserves "UK"
# for the United Kingdom at its request, but the assigned code is "GB".
_INSTEAD = {"UK": ("the United Kingdom", "GB")}


def _user_assigned(code: str) -> bool:
    return code in ("AA", "ZZ") or code[0] == "X" or (code[0] == "Q" and code[1] >= "M")


@functools.cache
def _withdrawn() -> dict[str, str]:
    names: dict[str, list[str]] = {}
    for country in pycountry.historic_countries:
        code = country.alpha_2
        if code not in ASSIGNED_NATIONS:
            names.setdefault(code, []).append(country.name)
    return {code: "; ".join(found) for code, found in names.items()}


def why_not_a_nation(value: object) -> str | None:
    """
    Say why *value* is not an assigned ISO 3166-1 alpha-2 code.

    Args:
        value: Anything.

    Returns:
        ``None`` for an assigned code, else a short explanation, with the
        code to use where there is one.

    >>> print(why_not_a_nation("China"))
    did you mean 'CN' (China)?
    >>> print(why_not_a_nation("XK"))
    'XK' is a user-assigned code (AA, QM-QZ, XA-XZ and ZZ are left to private use)
    """
    if isinstance(value, str) and value in ASSIGNED_NATIONS:
        return None
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    upper = value.strip().upper()
    if upper in _INSTEAD:
        name, code = _INSTEAD[upper]
        return f"{name}'s code is {code!r}"
    if upper in ASSIGNED_NATIONS:
        return f"codes are written in capitals: {upper!r}"
    if len(upper) == 2 and upper.isascii() and upper.isalpha():
        if _user_assigned(upper):
            return f"{upper!r} is a user-assigned code (AA, QM-QZ, XA-XZ and ZZ are left to private use)"
        if upper in _withdrawn():
            return f"{upper!r} was withdrawn ({_withdrawn()[upper]})"
        return f"{upper!r} is not assigned to any country"
    if len(value) > _LONGEST_NAME:
        return "a code is two capital letters"
    try:
        country = pycountry.countries.lookup(value.strip())
    except LookupError:
        return "a code is two capital letters"
    return f"did you mean {country.alpha_2!r} ({country.name})?"


def nation_error(what: str, value: object) -> str:
    """
    The message for a *value* of field *what* that is not an assigned code.

    Args:
        what: The field, e.g. ``"nation"``.
        value: The value given.

    Returns:
        One sentence naming the field, the value and what is wrong with it.
    """
    why = why_not_a_nation(value)
    return f"{what} must be an assigned ISO 3166-1 alpha-2 code such as 'US', got {shown(value)}: {why}"


def nation_name(code: str) -> str:
    """
    The name people use for a nation: its common name where ISO 3166 gives one.

    Args:
        code: An assigned ISO 3166-1 alpha-2 code.

    Returns:
        e.g. ``"South Korea"`` for ``"KR"``, ``"Japan"`` for ``"JP"``; the code
        itself if it is not assigned.

    >>> nation_name("KR"), nation_name("JP")
    ('South Korea', 'Japan')
    """
    country = pycountry.countries.get(alpha_2=code) if code in ASSIGNED_NATIONS else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)
