r"""
What the command line prints, made safe for a terminal.

A ledger, a bundle, a checkpoint or a proof can hold any text, and whoever
wrote it may not be the one reading it: an escape sequence in an incident's
title could clear the screen or rewrite lines printed before it, a carriage
return or a line break could forge a line of a verification report, a
right-to-left override could make a reader see text reversed. Every line
the command line prints goes through :func:`emit`, which shows such
characters as visible escapes (:func:`printable`); text that came from a
ledger or a file is escaped before it is laid out (:func:`displayed`), so
that its own line breaks and tabs are shown as ``\n`` and ``\t`` and only
the command line's own break lines. Ordinary text of any script is printed
as it is.
"""

from __future__ import annotations

import copy
import functools
import sys
import unicodedata
from typing import Any, TypeVar

import attrs

__all__ = ["displayed", "emit", "json_text", "printable"]

T = TypeVar("T")

_JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiner: Persian, Indic scripts, emoji
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@functools.lru_cache(maxsize=4096)
def _shown(char: str) -> str:
    """One character as printed: itself, or its escape if a terminal would act on it."""
    if char.isprintable() or char in _JOINERS:
        return char
    category = unicodedata.category(char)
    if category not in ("Cc", "Cf", "Cs", "Zl", "Zp"):  # e.g. spaces of other widths
        return char
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str, *, layout: bool = False) -> str:
    r"""
    Show the characters of *text* that a terminal would act on as visible escapes.

    Escaped are the control characters (C0, DEL, C1), the invisible
    formatting characters (bidirectional overrides and isolates, zero-width
    spaces, ...) but the joiners that scripts need, the line and paragraph
    separators and lone surrogates: ``\n``, ``\r`` and ``\t`` by name, the
    others as ``\xNN``, ``\uNNNN`` or ``\UNNNNNNNN``. Backslashes are
    kept as they are.

    Args:
        text: The text.
        layout: Keep line breaks and tabs: for text the command line laid out
            itself, whose stored parts were escaped already.

    Returns:
        The text, safe to print.
    """
    if text.isprintable():
        return text
    if layout:
        return "\n".join(
            "\t".join(printable(cell) for cell in line.split("\t")) for line in text.split("\n")
        )
    return "".join(_shown(char) for char in text)


def emit(text: str = "", *, error: bool = False, end: str = "\n") -> None:
    """
    Print a line (or lines) of the command line's output.

    Args:
        text: What to print; what in it came from a ledger or a file must
            have been escaped already (:func:`printable`, :func:`displayed`):
            only line breaks and tabs are kept raw here.
        error: Print to standard error instead of standard output.
        end: What ends it.
    """
    stream = sys.stderr if error else sys.stdout
    stream.write(printable(text, layout=True) + end)


def json_text(text: str) -> str:
    r"""
    Escape, the JSON way, what a terminal would act on in a JSON text.

    ``json.dumps`` escapes the C0 controls but not DEL, the C1 controls or the
    invisible formatting characters. These can stand only inside JSON
    strings, where ``\uNNNN`` means the same: the text still reads back as
    the same value.

    Args:
        text: A JSON text (as ``json.dumps`` writes it, indented or not).

    Returns:
        The same JSON value, safe to print.
    """
    return "\n".join(
        line if line.isprintable() else "".join(_json_char(char) for char in line)
        for line in text.split("\n")
    )


def _json_char(char: str) -> str:
    if _shown(char) == char:
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def displayed(value: T) -> T:
    """
    A copy of *value* whose text is escaped for printing (:func:`printable`).

    Walks strings, tuples, lists, dictionaries, sets and attrs instances (the
    events, states, histories, timelines and reports the ledger returns);
    anything else is kept. An attrs instance with nothing to escape is
    returned as it is; the others are copied without running their
    validators again (an escaped value may not be one the type accepts).

    Args:
        value: What a command is about to render.

    Returns:
        The same kind of value, its text escaped.
    """
    result: T = _Escaper().copy(value)
    return result


class _Escaper:
    def __init__(self) -> None:
        self.seen: dict[int, Any] = {}

    def copy(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return printable(value)
        if kind in (int, float, bool, bytes) or value is None:
            return value
        key = id(value)
        if key in self.seen:
            return self.seen[key]
        copied = self._copy(value)
        self.seen[key] = copied
        return copied

    def _copy(self, value: Any) -> Any:
        kind = type(value)
        if kind in (tuple, list, set, frozenset):
            items = [self.copy(item) for item in value]
            same = all(new is old for new, old in zip(items, value, strict=True))
            return value if same else kind(items)
        if kind is dict:
            pairs = [(self.copy(k), self.copy(v)) for k, v in value.items()]
            same = all(
                k is old_k and v is old_v
                for (k, v), (old_k, old_v) in zip(pairs, value.items(), strict=True)
            )
            return value if same else dict(pairs)
        if attrs.has(kind):
            changes = {}
            for field in attrs.fields(kind):
                old = getattr(value, field.name)
                new = self.copy(old)
                if new is not old:
                    changes[field.name] = new
            if not changes:
                return value
            copied = copy.copy(value)  # not attrs.evolve: no validator runs on escaped text
            for name, new in changes.items():
                object.__setattr__(copied, name, new)
            return copied
        return value
