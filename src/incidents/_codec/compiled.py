"""
Generated encoders: canonical JSON text of vocabulary values, without detours.

The reference encoding is the cattrs converter followed by ``json.dumps``
with sorted keys (see :mod:`incidents._codec.canonical`). That path builds a dict per
object and sorts keys at every level; appends spend most of their time
there. This module compiles, once per attrs class, a function that writes the
same text directly, fields already in sorted order. The test suite checks,
for every class of the vocabulary, that both paths give identical bytes.

Speed, measured A/B in one process on the events of
``benchmarks/bench_projections.py`` (the encoding ``benchmarks/bench_append.py``
pays on every append): ``encode_recorded`` through these encoders is about
three times as fast as the reference path. Within them, the remembered texts
of recurring ids and of datetimes' days and times of day each save about a
sixth of the encoding time (see :func:`_uuid_seen` and :func:`_datetime`).
"""

from __future__ import annotations

import enum
import itertools
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._codec.codegen import compile_function
from incidents._domain.convert import omitted_when_default, tagged_union
from incidents._domain.geo import Geometry, is_geometry_type

__all__ = ["compile_encoder"]

_escape: Callable[[str], str] = json.encoder.encode_basestring


_UUID_TEXTS: dict[int, str] = {}
_UUID_TEXTS_LIMIT = 4096


def _uuid(value: UUID) -> str:
    """JSON text of a UUID: its canonical string form, quoted."""
    h = value.int.to_bytes(16).hex()  # the quickest way to the 32 hex digits
    return f'"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"'


def _uuid_seen(value: UUID) -> str:
    """
    The same as :func:`_uuid`, remembered: for ids that recur from event to event.

    An incident's events name the same incident and the same few sources over
    and over; their text is made once. Keyed by the integer, which is what
    the text is made of. Without it, encoding takes about 17% longer.
    """
    number = value.int
    text = _UUID_TEXTS.get(number)
    if text is None:
        if len(_UUID_TEXTS) >= _UUID_TEXTS_LIMIT:
            _UUID_TEXTS.clear()
        text = _UUID_TEXTS[number] = _uuid(value)
    return text


_DAYS: dict[int, str] = {}
_DAYS_LIMIT = 4096
_CLOCK_TIMES: dict[int, str] = {}  # at most 86,400: one per second of the day


def _datetime(value: datetime) -> str:
    """
    JSON text of a datetime: ``isoformat()``, quoted.

    The vocabulary keeps every datetime in UTC; for those, the date part
    (shared by every time of a day) and the time of day to the second are
    made once and remembered, which takes half the time of ``isoformat()``
    (encoding takes about 20% longer with ``isoformat()``).
    Any other datetime (another offset, a subclass with its own
    ``isoformat()``) takes ``isoformat()`` itself.
    """
    if value.tzinfo is not UTC or type(value) is not datetime:
        return f'"{value.isoformat()}"'
    ordinal = value.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) >= _DAYS_LIMIT:
            _DAYS.clear()
        day = _DAYS[ordinal] = f"{value.date().isoformat()}T"
    hour, minute, second = value.hour, value.minute, value.second
    clock = _CLOCK_TIMES.get(seconds := hour * 3600 + minute * 60 + second)
    if clock is None:
        clock = _CLOCK_TIMES[seconds] = f"{hour:02d}:{minute:02d}:{second:02d}"
    micro = value.microsecond
    if micro:
        return f'"{day}{clock}.{micro:06d}+00:00"'
    return f'"{day}{clock}+00:00"'


def _any(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class _Compiler:
    """Writes Python source for one encoder per attrs class, recursively."""

    def __init__(
        self,
        geometry: Callable[[Geometry], Any],
        texts: Mapping[type, Callable[[Any], str]],
    ) -> None:
        self.texts = {cls: f"_text_{i}" for i, cls in enumerate(texts)}
        self.namespace: dict[str, Any] = {
            **{name: texts[cls] for cls, name in self.texts.items()},
            "_escape": _escape,
            "_any": _any,
            "_geometry": lambda g: _any(geometry(g)),
            "_float": float.__repr__,
            "_int": int.__repr__,
            "_uuid": _uuid,
            "_uuid_seen": _uuid_seen,
            "_datetime": _datetime,
        }
        self.functions: dict[type, str] = {}
        self.names = itertools.count()

    def local(self) -> str:
        return f"_v{next(self.names)}"

    def expression(self, hint: Any, value: str, field: str = "") -> str:
        """
        A Python expression giving the JSON text of *value* (a plain name).

        *field* is the attribute's name: an event's own id is new with every
        event, while every other id (incident, source, referenced events)
        recurs, so only those go through the remembered texts.
        """
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            others = [a for a in args if a is not type(None)]
            union = tagged_union(hint)
            if union is not None:
                # One encoder per class, each writing its tag; picked by the value's class.
                table = f"_union{next(self.names)}"
                self.namespace[table] = {
                    cls: self.namespace[self.function(cls, (union.tag, name))]
                    for cls, name in union.classes.items()
                }
                return f'("null" if {value} is None else {table}[type({value})]({value}))'
            if len(others) != 1 or len(args) != 2:
                raise TypeError(f"unsupported union {hint!r}")
            return f'("null" if {value} is None else {self.expression(others[0], value, field)})'
        if origin is tuple:
            item = self.local()
            return f'("[" + ",".join([{self.expression(args[0], item, field)} for {item} in {value}]) + "]")'
        if origin is dict or hint is Any:
            return f"_any({value})"
        if hint is str:
            return f"_escape({value})"
        if hint is bool:
            return f'("true" if {value} else "false")'
        if hint is int:
            return f"_int({value})"
        if hint is float:
            return f"_float({value})"
        if hint is UUID:
            return f"_uuid({value})" if field == "event_id" else f"_uuid_seen({value})"
        if hint is datetime:
            return f"_datetime({value})"
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            kinds = {type(m.value) for m in hint}
            # ``_value_`` is what the ``value`` property returns, without the descriptor.
            if kinds == {str}:
                return f"_escape({value}._value_)"
            if kinds == {int}:
                return f"_int({value}._value_)"
            raise TypeError(f"unsupported enum {hint!r}")
        if is_geometry_type(hint):
            return f"_geometry({value})"
        if hint in self.texts:
            return f"{self.texts[hint]}({value})"
        if attrs.has(hint):
            return f"{self.function(hint)}({value})"
        raise TypeError(f"no canonical encoding for {hint!r}")

    def function(
        self,
        cls: type,
        tag: tuple[str, str] | None = None,
        constants: Mapping[str, str] | None = None,
    ) -> str:
        """The name of the encoder of *cls*, compiling it on first use."""
        if cls in self.functions:
            return self.functions[cls]
        name = f"_encode_{cls.__name__}_{next(self.names)}"
        self.functions[cls] = name
        attrs.resolve_types(cls)
        members: list[tuple[str, str]] = []
        omitted = omitted_when_default(cls)
        lines = [f"def {name}(o):"]
        for field in attrs.fields(cls):
            value, text = self.local(), self.local()
            lines.append(f"    {value} = o.{field.name}")
            expression = self.expression(field.type, value, field.name)
            if field.name in omitted:
                # The member is written only while the field holds another value.
                default = self.local()
                self.namespace[default] = omitted[field.name]
                expression = f"None if {value} == {default} else {expression}"
            lines.append(f"    {text} = {expression}")
            members.append((field.name, "{" + text + "}"))
        if tag is not None:
            members.append((tag[0], _escape(tag[1]).replace("{", "{{").replace("}", "}}")))
        for key, text in (constants or {}).items():
            members.append((key, text.replace("{", "{{").replace("}", "}}")))
        members.sort(key=lambda m: m[0])
        if omitted:
            lines.append("    parts = []")
            for key, text in members:
                if key in omitted:
                    local = text[1:-1]
                    lines.append(f"    if {local} is not None:")
                    lines.append(f"        parts.append({_escape(key) + ':'!r} + {local})")
                else:
                    lines.append(f"    parts.append(f'{_escape(key)}:{text}')")
            lines.append("    return '{' + ','.join(parts) + '}'")
        else:
            body = ",".join(f"{_escape(key)}:{text}" for key, text in members)
            # One f-string builds the object in a single step.
            lines.append(f"    return f'{{{{{body}}}}}'")
        compile_function(
            "\n".join(lines),
            name,
            self.namespace,
            description=f"encoder of {cls.__module__}.{cls.__qualname__}",
        )
        return name


def compile_encoder(
    cls: type,
    *,
    geometry: Callable[[Geometry], Any],
    tag: tuple[str, str] | None = None,
    texts: Mapping[type, Callable[[Any], str]] | None = None,
    constants: Mapping[str, str] | None = None,
) -> Callable[[Any], str]:
    """
    Compile the canonical JSON encoder of an attrs class.

    Args:
        cls: The attrs class.
        geometry: How a shapely geometry is turned into JSON-ready data.
        tag: An extra ``(key, value)`` string member, e.g. ``("type", "correction")``.
        texts: Value types written by a function of their own (their JSON
            text), rather than field by field, e.g. a count written as a
            plain number when exact.
        constants: Further members of the same value in every instance, as
            key to JSON text, e.g. ``{"version": "2"}``.

    Returns:
        A function from an instance to its canonical JSON text.
    """
    compiler = _Compiler(geometry, texts or {})
    name = compiler.function(cls, tag, constants)
    function: Callable[[Any], str] = compiler.namespace[name]
    return function
