"""
Event versions: older records read as the current version, and every value written at the lowest.

Each event class has a ``VERSION`` (1 unless the form of one of its fields
changed). A record of version 1 carries no version at all, so the bytes
written before versions existed are version 1; a record of a later version
carries ``"version": N`` beside its ``"type"``.

* **Reading**: stored bytes are never rewritten (audit hashes are over
  them). An older record is *upcast* on read, by the upcasters registered
  for its type, one version at a time, before it is built into an event.
  Every decoder does this: the validating one
  (:func:`~incidents.decode_event`, :func:`~incidents.decode_recorded`) and
  the trusted one (the ledger's own rows, snapshots).
* **Writing**: a value is written at the *lowest* version that holds it
  exactly: each version has a *downcaster* to the one before, which gives
  the older form, or ``None`` when the value needs the newer one. So what
  0.1.0 could have written is still written byte for byte as it wrote it,
  and a record read and written again gives back its stored bytes (bundles
  check their lines that way, and proofs hash decoded records).

An upcaster takes the event's JSON form at version N (its fields, without
``"type"`` and ``"version"``) and returns it at version N + 1; a downcaster
takes the form at N + 1 and returns it at N, or ``None``. Neither may fail
on any JSON it is given (what it cannot make sense of, it passes on for the
event's own checks to refuse) nor read anything but its argument, and
``down(up(x)) == x`` for every *x* of version N. See
``docs/schema-evolution.md`` for the rule for adding a version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from incidents._domain.events import EVENT_TYPES, SourceRegistered
from incidents._domain.limits import shown
from incidents._errors import InvalidInputError

__all__ = [
    "DOWNCASTERS",
    "UPCASTERS",
    "VERSION_KEY",
    "Downcaster",
    "Upcaster",
    "downcaster",
    "lowest",
    "read_version",
    "upcast",
    "upcaster",
]

VERSION_KEY = "version"
"""The member of an event's JSON form that holds its version, when above 1."""

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""An event's fields (JSON form) at one version to the same at the next."""

UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""The upcaster of each ``(type name, version it reads)``."""

Downcaster = Callable[[dict[str, Any]], dict[str, Any] | None]
"""An event's fields (JSON form) at one version to the same at the one before, or ``None``."""

DOWNCASTERS: dict[tuple[str, int], Downcaster] = {}
"""The downcaster of each ``(type name, version it writes)``: from that version + 1."""


def _check_step(type_name: str, from_version: int, table: Mapping[tuple[str, int], Any]) -> None:
    cls = EVENT_TYPES.get(type_name)
    if cls is None or not 1 <= from_version < cls.VERSION:
        raise ValueError(f"no version {from_version} of {type_name!r} to convert from or to")
    if (type_name, from_version) in table:
        raise ValueError(f"{type_name!r} version {from_version} is registered already")


def downcaster(type_name: str, to_version: int) -> Callable[[Downcaster], Downcaster]:
    """
    Register a function as the downcaster of *type_name* values to *to_version* from the next.

    Args:
        type_name: The event type, e.g. ``"source-registered"``.
        to_version: The version the function writes (it reads the next one).

    Returns:
        A decorator that registers the function and returns it unchanged.

    Raises:
        ValueError: As :func:`upcaster`.
    """
    _check_step(type_name, to_version, DOWNCASTERS)

    def register(function: Downcaster) -> Downcaster:
        DOWNCASTERS[type_name, to_version] = function
        return function

    return register


def lowest(type_name: str, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """
    A value's fields (JSON form, current version) at the lowest version that holds them exactly.

    Args:
        type_name: The event type.
        fields: Its fields at the type's current version.

    Returns:
        The version, and the fields at that version.
    """
    version = EVENT_TYPES[type_name].VERSION
    while version > 1:
        older = DOWNCASTERS[type_name, version - 1](fields)
        if older is None:
            break
        fields, version = older, version - 1
    return version, fields


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """
    Register a function as the upcaster of *type_name* records from *from_version* to the next.

    Args:
        type_name: The event type, e.g. ``"source-registered"``.
        from_version: The version the function reads (it writes the next one).

    Returns:
        A decorator that registers the function and returns it unchanged.

    Raises:
        ValueError: If the type is unknown, the version is not below the
            type's current one, or an upcaster is registered already.
    """
    _check_step(type_name, from_version, UPCASTERS)

    def register(function: Upcaster) -> Upcaster:
        UPCASTERS[type_name, from_version] = function
        return function

    return register


def read_version(type_name: str, data: Mapping[str, Any]) -> int:
    """
    The version of a record of *type_name*, checked against what this library reads.

    Args:
        type_name: The record's type.
        data: Its JSON form.

    Returns:
        Its version: 1 when it carries none.

    Raises:
        InvalidInputError: If the version is not a whole number from 2 (1 is
            written by leaving it out), or is newer than this library reads.
    """
    if VERSION_KEY not in data:
        return 1
    version = data[VERSION_KEY]
    current = EVENT_TYPES[type_name].VERSION
    # Only the number itself: true and 2.0 compare equal to 1 and 2 in Python.
    if type(version) is not int or version < 2:
        raise InvalidInputError(
            f"{type_name} has version {shown(version)}: a version is a whole number "
            "from 2 (version 1 is written without one)"
        )
    if version > current:
        raise InvalidInputError(
            f"{type_name} version {version} is newer than this version of incidents "
            f"reads (up to {current}): it was written by a later release; upgrade to read it"
        )
    return version


def upcast(type_name: str, version: int, fields: dict[str, Any]) -> dict[str, Any]:
    """
    A record's fields brought from *version* to its type's current version.

    Args:
        type_name: The record's type.
        version: Its version (:func:`read_version`).
        fields: Its fields in JSON form, without ``"type"`` and ``"version"``.

    Returns:
        The fields at the current version (*fields* itself when already current).
    """
    current = EVENT_TYPES[type_name].VERSION
    while version < current:
        fields = UPCASTERS[type_name, version](fields)
        version += 1
    return fields


# -- the upcasters ---------------------------------------------------------------------


# Version 1 of source-registered: "cites" is one source id or null. Version 2: a list.


@upcaster(SourceRegistered.TYPE, 1)
def _source_cites_any_number(fields: dict[str, Any]) -> dict[str, Any]:
    cites = fields.get("cites")
    return {**fields, "cites": [] if cites is None else [cites]}


@downcaster(SourceRegistered.TYPE, 1)
def _source_cites_at_most_one(fields: dict[str, Any]) -> dict[str, Any] | None:
    cites = fields.get("cites")
    if not isinstance(cites, list) or len(cites) > 1:
        return None  # two sources or more: only version 2 holds them
    return {**fields, "cites": cites[0] if cites else None}


def _check_complete() -> None:
    for name, cls in EVENT_TYPES.items():
        for version in range(1, cls.VERSION):
            for table in (UPCASTERS, DOWNCASTERS):
                if (name, version) not in table:  # pragma: no cover - caught at import
                    raise RuntimeError(f"{name} version {version} has no up- or downcaster")


_check_complete()
