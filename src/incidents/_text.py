r"""
Text from a ledger made safe to show: control and invisible formatting characters as visible escapes.

The command line prints through it (``incidents._cli.output``), and so does
every other place that puts stored text in front of a reader: map labels,
which end up in PNG glyphs or SVG text (where a control character is not
even well-formed XML).
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["printable", "shown_char"]

_JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiner: Persian, Indic scripts, emoji
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@functools.lru_cache(maxsize=4096)
def shown_char(char: str) -> str:
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
    return "".join(shown_char(char) for char in text)
