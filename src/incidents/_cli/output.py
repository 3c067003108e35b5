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
import sys
from typing import Any, TypeVar

import attrs

from incidents._text import printable, shown_char

__all__ = [
    "cell",
    "colour_wanted",
    "displayed",
    "emit",
    "emit_json",
    "emit_rendered",
    "json_text",
    "printable",
    "rendered",
]

T = TypeVar("T")


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


def emit_json(data: Any) -> None:
    """
    Print JSON-ready data (or attrs values, unstructured the codec's way) as indented JSON.

    Args:
        data: What to print: attrs instances, UUIDs and datetimes are written as the
            ledger's codec writes them (ids and ISO-8601 times as strings).
    """
    import json

    from incidents._domain.convert import converter

    text = json.dumps(converter.unstructure(data), indent=2, ensure_ascii=False, default=str)
    emit(json_text(text))


def _json_char(char: str) -> str:
    if shown_char(char) == char:
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


# -- rich: tables and styled text, with every cell escaped ------------------------------------


def cell(text: str, style: str | None = None) -> Any:
    """
    A table cell or a piece of styled text for :mod:`rich`, escaped (:func:`printable`).

    Rich markup (``[bold]``, ``[link=...]``) and emoji codes (``:smile:``) in
    *text* are never interpreted: the text is given to rich as a ``Text``,
    which is shown as it is, never parsed.

    Args:
        text: What to show; ledger text included.
        style: A style of the command line's own, e.g. ``"bold"``.

    Returns:
        A ``rich.text.Text``.
    """
    from rich.text import Text

    return Text(printable(text, layout=True), style=style or "")


def colour_wanted(stream: Any = None) -> bool:
    """
    Whether to print in colour: only on a terminal, and never when ``NO_COLOR`` is set.

    Args:
        stream: The stream to print to (default: standard output).

    Returns:
        True for a terminal.
    """
    import os

    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def rendered(renderable: Any, width: int, *, colour: bool = False) -> str:
    """
    A rich renderable (a table of :func:`cell` s) as text, its lines' trailing spaces cut.

    Args:
        renderable: What to render; its text must be made of :func:`cell` s.
        width: Display columns per line: wide characters (CJK) count two.
        colour: Keep the styles as terminal escapes (only for a terminal).

    Returns:
        The text, without a final line break.
    """
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if colour else None,
        force_terminal=colour,
        no_color=not colour,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        legacy_windows=False,
        _environ={},
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def emit_rendered(renderable: Any, width: int, *, error: bool = False) -> None:
    """
    Print a rich renderable made of :func:`cell` s: in colour on a terminal only.

    The cells were escaped when made, so the only escapes written raw are the
    styles of the command line's own.

    Args:
        renderable: What to print.
        width: Display columns per line.
        error: Print to standard error instead of standard output.
    """
    stream = sys.stderr if error else sys.stdout
    colour = colour_wanted(stream)
    text = rendered(renderable, width, colour=colour)
    if colour:
        stream.write(text + "\n")
    else:
        emit(text, error=error)
