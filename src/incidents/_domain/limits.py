"""
The limits on what the library accepts: every bound on input size, in one place.

Each limit is far above anything real data needs, and low enough that a
hostile or broken input is refused with an :class:`~incidents.InvalidInputError`
(a :class:`~incidents.VerificationError` for a bundle) before it can take
unbounded memory or time. The comment beside each says why its value is safe.

=============================  ========================================================
Limit                          What it bounds
=============================  ========================================================
:data:`MAX_NAME_LENGTH`        characters of a short text: a title, a name, a role, an
                               organization, a type designation, a topic, a URL, a
                               language tag, a medium, an area, a valid time's wording,
                               a recorder's name, a key of a correction's changes, a
                               proposition's zone, territory, alias or place
:data:`MAX_TEXT_LENGTH`        characters of a free text: a summary, a quote, a claim's
                               text, a purpose, a reason, an assessment's reasoning, a
                               string in a correction's changes; also of all of a
                               statement's quotes together
:data:`MAX_ITEMS`              items of one collection field (quotes, claims, nations,
                               areas, aircraft, interceptors, intercepted, a
                               territory's aliases, an assessment's citations)
:data:`MAX_VERTICES`           coordinate pairs of one geometry (a track, an area)
:data:`MAX_NESTING`            levels of lists and objects in a correction's changes,
                               and of geometry collections in a geometry
:data:`MAX_INTEGER`            magnitude of a whole number: a count (a proposition's
                               counts of entries, aircraft, rounds and flares from 0),
                               or a number in a correction's changes (from
                               ``-MAX_INTEGER - 1``)
:data:`MIN_INSTANT`,           the instants a valid time, a recording time or a clock
:data:`MAX_INSTANT`            reading may take (UTC)
:data:`MAX_EVENT_BYTES`        bytes of one event's canonical JSON
:data:`MAX_BATCH_EVENTS`       events in one call to :meth:`~incidents.Ledger.record`
:data:`MAX_BUNDLE_LINE_BYTES`  bytes of one event's line in a bundle
:data:`MAX_BUNDLE_HEADER`      bytes of a bundle's header (its first line)
=============================  ========================================================

Text is counted in characters (``len``); it must also be valid Unicode (no
lone surrogates, which no file or database can store). Floating-point
numbers must be finite everywhere.
"""

from __future__ import annotations

import math
import reprlib
from datetime import UTC, datetime
from typing import Any

from incidents._errors import InvalidInputError

__all__ = [
    "MAX_BATCH_EVENTS",
    "MAX_BUNDLE_HEADER",
    "MAX_BUNDLE_LINE_BYTES",
    "MAX_EVENT_BYTES",
    "MAX_INSTANT",
    "MAX_INTEGER",
    "MAX_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_NESTING",
    "MAX_TEXT_LENGTH",
    "MAX_VERTICES",
    "MIN_INSTANT",
    "check_items",
    "check_json",
    "check_text",
    "shown",
]

# The longest real titles, names and URLs are a few hundred characters (a long
# headline is about 200, a URL with its tracking parameters rarely passes 2,000).
OMIT_WHEN_DEFAULT = "incidents.omit_when_default"
"""
Field metadata key: the field is left out of the JSON form while it holds its default.

Defined here, at the bottom of the domain, so that value classes below the
converter (a location's precision) can mark their new fields too; see
:mod:`incidents._domain.convert`.
"""

MAX_NAME_LENGTH = 10_000
"""Characters in a short text (titles, names, designations, URLs, topics, wordings...)."""

# A transcript of a two-hour press conference is about 100,000 characters: a
# free text ten times that is still refused long before memory matters.
MAX_TEXT_LENGTH = 1_000_000
"""Characters in a free text (summaries, quotes, claims' texts, reasons, purposes...)."""

# Real events list a handful of nations, aircraft or quotes; even a transcript
# cut into one quote per sentence stays in the hundreds.
MAX_ITEMS = 10_000
"""Items in one collection field of an event."""

# A track sampled every second for a whole day has 86,400 points.
MAX_VERTICES = 100_000
"""Coordinate pairs in one geometry."""

# A correction of a location's multipolygon is 7 levels deep, and each
# correction of a correction's changes adds one: 64 leaves room for chains of
# corrections far longer than any real one, and stays far below the depth at
# which Python's JSON reader and writer run out of stack (about 1,000).
MAX_NESTING = 64
"""Levels of nested lists and objects in free-form values (a correction's changes)."""

# Storage and every JSON reader keep 64-bit integers exactly; no count of
# aircraft comes near.
MAX_INTEGER = 2**63 - 1
"""The largest whole number accepted (the smallest is ``-MAX_INTEGER - 1``)."""

# Python's datetime holds the years 1 to 9999; a year's margin on each side
# means that any instant in range can be written in any time zone and moved by
# a day without leaving what datetime can hold. (Whole years: an instant is
# checked by its year alone.)
MIN_INSTANT = datetime(2, 1, 1, tzinfo=UTC)
"""The earliest instant accepted: 0002-01-01T00:00:00Z."""

MAX_INSTANT = datetime(9998, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
"""The latest instant accepted: 9998-12-31T23:59:59.999999Z."""

# The largest real events are a track of MAX_VERTICES points (about 4 MB of
# JSON) or a free text of MAX_TEXT_LENGTH characters (at most 4 MB in UTF-8, 6 MB
# if every character had to be escaped): 16 MiB holds either with room to spare.
MAX_EVENT_BYTES = 16 * 1024 * 1024
"""Bytes of one event's canonical JSON (UTF-8)."""

# A batch is checked, encoded and written in one transaction, all in memory;
# imports record a thousand or so events at a time.
MAX_BATCH_EVENTS = 100_000
"""Events in one call to :meth:`incidents.Ledger.record`."""

# A bundle's line is an event and its envelope; the envelope adds about 200
# bytes and the recorder's name (at most MAX_NAME_LENGTH characters, 60 kB
# escaped): 1 MiB more than the largest event always suffices.
MAX_BUNDLE_LINE_BYTES = MAX_EVENT_BYTES + 1024 * 1024
"""Bytes of one event's line in a bundle (without its newline)."""

# The header carries every checkpoint the ledger kept, one per signed batch, a
# few hundred bytes each: 64 MiB holds over a hundred thousand of them.
MAX_BUNDLE_HEADER = 64 * 1024 * 1024
"""Bytes of a bundle's header line (without its newline)."""


_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlevel = 2


def shown(value: Any) -> str:
    """
    A short repr of *value* for an error message, whatever its size.

    Args:
        value: Anything.

    Returns:
        Its repr, shortened with ``...`` past a few dozen characters (an
        integer too large to print is named by its size).
    """
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of {value.bit_length():,} bits"
    try:
        return _repr.repr(value)
    except Exception:  # a repr that fails, or a huge integer nested in a value
        return f"a {type(value).__name__}"


def check_text(value: str, what: str, limit: int) -> None:
    """
    Check that a text is valid Unicode and at most *limit* characters long.

    Args:
        value: The text (already known to be a ``str``).
        what: How to name it in the error message.
        limit: Its maximum length, e.g. :data:`MAX_NAME_LENGTH`.

    Raises:
        InvalidInputError: If it is too long or holds a lone surrogate.
    """
    if len(value) > limit:
        raise InvalidInputError(
            f"{what} is {len(value):,} characters long: at most {limit:,} are accepted"
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInputError(
                f"{what} holds a lone surrogate (U+{ord(value[exc.start]):04X}) at "
                f"character {exc.start}: text must be valid Unicode"
            ) from None


def check_items(value: tuple[Any, ...] | list[Any], what: str) -> None:
    """
    Check that a collection holds at most :data:`MAX_ITEMS` items.

    Args:
        value: The collection.
        what: How to name it in the error message.

    Raises:
        InvalidInputError: If it holds more.
    """
    if len(value) > MAX_ITEMS:
        raise InvalidInputError(
            f"{what} holds {len(value):,} items: at most {MAX_ITEMS:,} are accepted"
        )


def _place(what: str, path: tuple[str | int, ...]) -> str:
    return what + "".join(f"[{p!r}]" for p in path)


def check_json(value: dict[str, Any], what: str) -> None:
    """
    Check that free-form data is JSON the canonical encoding writes exactly.

    Objects are dicts with text keys (at most :data:`MAX_NAME_LENGTH`
    characters), arrays are lists or tuples, text is at most
    :data:`MAX_TEXT_LENGTH` characters of valid Unicode, numbers are
    finite floats or whole numbers within 64 bits (:data:`MAX_INTEGER`), and
    nothing is nested more than :data:`MAX_NESTING` levels deep (*value*
    itself is the first level). Walked without recursion, however deep.

    Args:
        value: The data, e.g. a correction's changes.
        what: How to name it in error messages.

    Raises:
        InvalidInputError: For anything else, naming where it is.
    """
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 1, ())]
    while stack:
        item, depth, path = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, str):
            check_text(item, _place(what, path), MAX_TEXT_LENGTH)
        elif isinstance(item, int):
            if not -MAX_INTEGER - 1 <= item <= MAX_INTEGER:
                raise InvalidInputError(
                    f"{_place(what, path)} is {shown(item)}: whole numbers must fit in "
                    "64 bits (a 64-bit integer)"
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidInputError(f"{_place(what, path)} is {item!r}: numbers must be finite")
        elif isinstance(item, dict | list | tuple):
            if depth > MAX_NESTING:
                raise InvalidInputError(
                    f"{what} are nested more than {MAX_NESTING} levels deep "
                    f"(at {_place(what, path[:MAX_NESTING])}...)"
                )
            if isinstance(item, dict):
                for key, inner in item.items():
                    if not isinstance(key, str):
                        raise InvalidInputError(
                            f"{_place(what, path)} has a key that is not text: {shown(key)}"
                        )
                    check_text(key, f"a key of {_place(what, path)}", MAX_NAME_LENGTH)
                    stack.append((inner, depth + 1, (*path, key)))
            else:
                stack.extend((inner, depth + 1, (*path, i)) for i, inner in enumerate(item))
        else:
            raise InvalidInputError(
                f"{_place(what, path)} is a {type(item).__name__}, which is not a JSON value "
                "(null, true, false, a number, text, a list or an object)"
            )
