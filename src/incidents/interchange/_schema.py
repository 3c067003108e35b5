"""
The JSON Schema of one line of the JSON Lines event format, made from the vocabulary itself.

Each event class's fields and their types give its schema, so the schema
follows :data:`~incidents.EVENT_TYPES` wherever it goes: ``schema/events.schema.json``
in the repository is this function's output (a test checks it; ``make schema``
writes it anew). The schema describes
the shape of a line; the library's own checks, which also hold what a
schema cannot say (a valid time's bounds in order, a nation code assigned,
a source registered), are what accept or refuse it.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._codec.upcast import VERSION_KEY
from incidents._domain.convert import field_types, omitted_when_default, tagged_union
from incidents._domain.events import EVENT_TYPES, Count, Event, SourceRegistered
from incidents._domain.geo import is_geometry_type
from incidents._domain.limits import MAX_INTEGER, MAX_ITEMS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH

__all__ = ["EARLIER_FORMS", "SCHEMA_ID", "event_schema", "required_fields", "schema_text"]

SCHEMA_ID = "urn:incidents:schema:events:v1"
"""The ``$id`` of the schema."""

_UUID = {
    "type": "string",
    "pattern": "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
}
_DATETIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with its offset, e.g. 2024-07-24T20:07:00+00:00",
}
_COUNT = {
    "description": 'A count: a whole number (exactly), {"low": N} (at least N) or {"low": N, "high": M}',
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
        {
            "type": "object",
            "properties": {
                "low": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
                "high": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
            },
            "required": ["low"],
            "additionalProperties": False,
        },
    ],
}
_GEOMETRY = {
    "description": "A GeoJSON geometry in longitude, latitude degrees",
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string"}},
}
EARLIER_FORMS: dict[tuple[str, int], dict[str, Any]] = {
    # Version 1 of source-registered held one cited source or null.
    (SourceRegistered.TYPE, 1): {"cites": UUID | None},
}
"""The fields whose form differed, by ``(type name, earlier version)``, as type hints.

An events file may hold an event at any version this release reads (the
library writes each at the lowest version that holds it), so the schema of a
versioned type accepts each of its versions. Adding a version to a type
adds its earlier form here (a test checks that none is missing).
"""

_FREE = {"summary", "quotes", "text", "purpose", "reason", "reasoning"}


def required_fields(cls: type) -> list[str]:
    """
    The fields of an attrs class that have no default, in field order.

    Args:
        cls: An attrs class (an event, or a value inside one).

    Returns:
        Their names.
    """
    return [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING and f.init]


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, hint: Any, name: str = "") -> dict[str, Any]:
        union = tagged_union(hint)
        args = typing.get_args(hint)
        origin = typing.get_origin(hint)
        if union is not None:
            options = [
                self._class(cls, tag=(union.tag, union.classes[cls])) for cls in union.classes
            ]
            if type(None) in args:
                options.append({"type": "null"})
            return {"oneOf": options}
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            inner = (
                self.of(members[0], name)
                if len(members) == 1
                else {"anyOf": [self.of(m) for m in members]}
            )
            return {"anyOf": [inner, {"type": "null"}]}
        if origin is tuple:
            return {"type": "array", "items": self.of(args[0], name), "maxItems": MAX_ITEMS}
        if origin is dict:
            return {"type": "object"}
        if hint is Any:
            return {}
        if hint is str:
            limit = MAX_TEXT_LENGTH if name in _FREE else MAX_NAME_LENGTH
            return {"type": "string", "maxLength": limit}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer", "minimum": -MAX_INTEGER - 1, "maximum": MAX_INTEGER}
        if hint is float:
            return {"type": "number"}
        if hint is UUID:
            return dict(_UUID)
        if hint is datetime:
            return dict(_DATETIME)
        if hint is Count:
            return dict(_COUNT)
        if is_geometry_type(hint):
            return dict(_GEOMETRY)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return {"enum": [m.value for m in hint]}
        if isinstance(hint, type) and attrs.has(hint):
            return self._class(hint)
        raise TypeError(f"no JSON Schema for {hint!r}")  # pragma: no cover - a new kind of field

    def _class(self, cls: type, tag: tuple[str, str] | None = None) -> dict[str, Any]:
        key = cls.__name__
        if key not in self.defs:
            self.defs[key] = {}  # placed first: a class may refer to itself
            properties: dict[str, Any] = {}
            if tag is not None:
                properties[tag[0]] = {"const": tag[1]}
            for field, hint in field_types(cls).items():
                properties[field] = self.of(hint, field)
            required = [tag[0]] if tag is not None else []
            omitted = omitted_when_default(cls)
            required += [f for f in required_fields(cls) if f not in omitted]
            self.defs[key] = {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{key}"}

    def event(self, name: str, cls: type[Event]) -> dict[str, Any]:
        current = cls.VERSION
        if current == 1:
            return self._version(name, cls, 1)
        return {
            "title": cls.__name__,
            "description": (cls.__doc__ or "").strip().split("\n")[0],
            "oneOf": [self._version(name, cls, v) for v in range(1, current + 1)],
        }

    def _version(self, name: str, cls: type[Event], version: int) -> dict[str, Any]:
        properties: dict[str, Any] = {"type": {"const": name}}
        earlier = EARLIER_FORMS.get((name, version), {}) if version < cls.VERSION else {}
        for field, hint in field_types(cls).items():
            properties[field] = self.of(earlier.get(field, hint), field)
        required = ["type", *required_fields(cls)]
        if version > 1:
            # Version 1 is written without a version; any later one with it.
            properties[VERSION_KEY] = {"const": version}
            required.append(VERSION_KEY)
        # An imported event carries its own id, so that importing the file again adds nothing.
        own_id = "source_id" if cls is SourceRegistered else "event_id"
        if own_id not in required:
            required.append(own_id)
        return {
            "type": "object",
            "title": cls.__name__,
            "description": (cls.__doc__ or "").strip().split("\n")[0],
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }


def event_schema() -> dict[str, Any]:
    """
    The JSON Schema (draft 2020-12) of one line of the JSON Lines event format.

    Returns:
        The schema, as JSON-ready data.

    >>> sorted(event_schema()["$defs"])[:3]
    ['AimedAtThirdParties', 'AircraftCounted', 'AirspaceEntered']
    """
    builder = _Builder()
    events = {f"event:{name}": builder.event(name, cls) for name, cls in EVENT_TYPES.items()}
    builder.defs.update(events)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "One event of the incidents JSON Lines format",
        "description": (
            "Each line of an events file is one event as the incidents library writes it: "
            "its type name and its fields. Generated from the event vocabulary; the "
            "library's own checks are what accept or refuse an event."
        ),
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(EVENT_TYPES)}},
        "oneOf": [{"$ref": f"#/$defs/event:{name}"} for name in EVENT_TYPES],
        "$defs": dict(sorted(builder.defs.items())),
    }


def schema_text() -> str:
    """
    The schema as the text of ``schema/events.schema.json``: indented JSON and a final newline.
    """
    return json.dumps(event_schema(), indent=2, ensure_ascii=False) + "\n"
