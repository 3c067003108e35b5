"""
A zone's stream read back: its versions over time, and the zone as it stood on a day.

A zone's stream (opened by :class:`~incidents.ZoneDeclared`) holds its
declaration and its amendments (:class:`~incidents.ZoneAmended`), each
correctable and (but the declaration) retractable. Read as known at a
recording time (``ledger.events(zone_id, known_at=R)``), they give the zone's
versions; :func:`zone_as_of` picks the one in force at a valid time. So "was
this point inside Japan's ADIZ as it stood that day, as the ledger knew it
then" is two ordinary questions: which events were known then, and which
version stood that day.

:func:`catalogue_events` turns a :class:`~incidents.ZoneCatalogue` into the
events that record it: a source in the ledger-wide sources registry, one
stream per zone, and the versions of a zone (KADIZ before and after
2013-12-15) as one declaration and its amendments.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid5

import attrs

from incidents._domain.events import (
    SOURCES_REGISTRY,
    Event,
    Recorded,
    SourceKind,
    SourceRegistered,
    ZoneAmended,
    ZoneDeclared,
)
from incidents._domain.state import effective_events
from incidents._domain.time import check_instant, to_utc
from incidents._domain.zones import ZONE_NAMESPACE, Zone, ZoneCatalogue
from incidents._errors import InvalidInputError, UnknownIncidentError

__all__ = [
    "CATALOGUE_SOURCE_ID",
    "EventReader",
    "catalogue_events",
    "catalogue_stream_ids",
    "recorded_zones",
    "series_of",
    "zone_as_of",
    "zone_stream_id",
    "zone_versions",
]

CATALOGUE_SOURCE_ID = uuid5(ZONE_NAMESPACE, "incidents zone catalogue")
"""The id of the shipped catalogue's source, registered in the ledger-wide sources registry."""


def zone_stream_id(key: str) -> UUID:
    """
    The id of a zone's stream: ``uuid5(ZONE_NAMESPACE, key)``.

    Args:
        key: The stream's key, e.g. ``"kr/kadiz"``.
    """
    return uuid5(ZONE_NAMESPACE, key)


def _as_recorded(records: Iterable[Recorded | Event]) -> list[Recorded]:
    out = []
    for position, item in enumerate(records, start=1):
        if isinstance(item, Recorded):
            out.append(item)
        else:
            # Events not yet recorded (a caller's own list): placed in the given order.
            out.append(
                Recorded(
                    event=item,
                    sequence=position,
                    position=position,
                    recorded_at=_EPOCH,
                    recorder="-",
                )
            )
    return out


_EPOCH = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


def zone_versions(records: Iterable[Recorded | Event]) -> tuple[Zone, ...]:
    """
    The versions of a zone, from its stream's events, corrections and retractions applied.

    Amendments take effect in the order of their ``effective_from`` (those
    of the same instant in recording order); each version runs until the
    next one takes effect, or until its own ``effective_until``.

    Args:
        records: The zone stream's recorded events (``ledger.events(zone_id,
            known_at=...)``), or its events in order.

    Returns:
        The versions, earliest first; empty if the stream holds no
        declaration (for example as known before it was recorded).

    Raises:
        InvalidInputError: If the records mix streams.
    """
    ordered = _as_recorded(records)
    if not ordered:
        return ()
    if len({r.incident_id for r in ordered}) != 1:
        raise InvalidInputError("zone_versions() takes the events of one zone's stream")
    events, _, _ = effective_events(ordered)
    declared = [e for e in events.values() if isinstance(e, ZoneDeclared)]
    if not declared:
        return ()
    current = declared[0].zone()
    amendments = sorted(
        (e for e in events.values() if isinstance(e, ZoneAmended)),
        key=lambda e: e.effective_from,
    )
    versions: list[Zone] = []
    for amendment in amendments:
        ended = _fields(current, effective_until=amendment.effective_from)
        if _stands(ended):
            versions.append(Zone(**ended))  # type: ignore[arg-type]
        changes: dict[str, object] = {
            "effective_from": amendment.effective_from,
            "effective_until": amendment.effective_until,
        }
        for name, field in _AMENDABLE:
            value = getattr(amendment, name)
            if value is not None:
                changes[field] = value
        current = Zone(**_fields(current, **changes))  # type: ignore[arg-type]
    versions.append(current)
    return tuple(versions)


# An amendment's field, and the zone's field it sets.
_AMENDABLE = (
    ("key", "key"),
    ("name", "name"),
    ("legal_source", "legal_source"),
    ("outline", "geometry"),
    ("edge_rule", "edge_rule"),
    ("accuracy", "accuracy"),
    ("accuracy_nm", "accuracy_nm"),
    ("approximate", "approximate"),
    ("provenance", "provenance"),
)


def _fields(zone: Zone, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        a.name: getattr(zone, a.name) for a in attrs.fields(Zone) if a.init
    }
    fields.update(changes)
    return fields


def _stands(fields: dict[str, object]) -> bool:
    # A version replaced before it took effect never stood.
    start, end = fields["effective_from"], fields["effective_until"]
    return not (isinstance(start, datetime) and isinstance(end, datetime) and end <= start)


def zone_as_of(records: Iterable[Recorded | Event], at: datetime) -> Zone | None:
    """
    The zone as it stood at an instant, from its stream's events.

    Args:
        records: The zone stream's recorded events, as known at the time
            that matters (``ledger.events(zone_id, known_at=R)``).
        at: The valid time (timezone-aware).

    Returns:
        The version in force at *at*, or ``None`` if none was.
    """
    at = to_utc(check_instant(at, what="instant"))
    for zone in reversed(zone_versions(records)):
        if zone.in_force(at):
            return zone
    return None


def series_of(zone: Zone) -> str:
    """
    The stream key a catalogue zone's versions share: its key without a trailing year.

    ``"kr/kadiz-1951"`` and ``"kr/kadiz-2013"`` share ``"kr/kadiz"``;
    ``"ca/cadiz-arctic-before-2018"`` and ``"ca/cadiz-arctic-2018"`` share
    ``"ca/cadiz-arctic"``.
    """
    head, _, tail = zone.key.rpartition("-")
    if head and tail.isdigit() and len(tail) == 4:
        return head.removesuffix("-before")
    return zone.key


def catalogue_events(
    catalogue: ZoneCatalogue | Sequence[Zone], *, source_id: UUID = CATALOGUE_SOURCE_ID
) -> list[Event]:
    """
    The events that record a zone catalogue into a ledger.

    A source in the ledger-wide sources registry (the catalogue itself),
    then for each series of versions (:func:`series_of`) one stream: the
    earliest version declared, each later one an amendment from its
    ``effective_from``.

    Args:
        catalogue: The zones (default catalogue: :func:`~incidents.zone_catalogue`).
        source_id: The catalogue source's id.

    Returns:
        The events, ready for :meth:`incidents.Ledger.record` (record the
        source once: leave it out if it is already registered).
    """
    source = SourceRegistered(
        incident_id=SOURCES_REGISTRY,
        source_id=source_id,
        kind=SourceKind.OFFICIAL_STATEMENT,
        publisher="incidents zone catalogue (src/incidents/data/zones)",
        title="Zones with their legal sources, effective periods and accuracy statements",
    )
    events: list[Event] = [source]
    zones = sorted(catalogue, key=series_of)
    for series, group in itertools.groupby(zones, key=series_of):
        versions = sorted(group, key=lambda z: (z.effective_from is not None, z.effective_from))
        first, *later = versions
        events.append(ZoneDeclared.of(first, source_id=source_id, stream=series))
        for version in later:
            if version.effective_from is None:
                raise InvalidInputError(
                    f"zone {version.key} is a later version of {series} without effective_from"
                )
            events.append(ZoneAmended.to(version, stream=series, source_id=source_id))
    return events


def catalogue_stream_ids(catalogue: ZoneCatalogue | Sequence[Zone]) -> list[UUID]:
    """
    The stream ids :func:`catalogue_events` records a catalogue's zones under, in order.
    """
    return list(dict.fromkeys(zone_stream_id(series_of(z)) for z in catalogue))


class EventReader(Protocol):
    """
    What :func:`recorded_zones` reads: a ledger's events of one stream as known at a time.
    """

    def events(self, incident_id: UUID, *, known_at: datetime | None = None) -> Iterable[Recorded]:
        """The stream's recorded events, as known at *known_at*."""
        ...


def recorded_zones(
    ledger: EventReader,
    stream_ids: Iterable[UUID],
    at: datetime,
    *,
    known_at: datetime | None = None,
) -> ZoneCatalogue:
    """
    The zones recorded in a ledger, as they stood at *at*, as the ledger knew them at *known_at*.

    Args:
        ledger: An :class:`incidents.Ledger` (anything with its ``events``).
        stream_ids: The zones' stream ids (e.g. :func:`catalogue_stream_ids`).
        at: The valid time: each zone's version in force then.
        known_at: The recording time (default: everything recorded).

    Returns:
        A catalogue of the zones in force at *at* (zones not yet declared,
        or not yet known, are left out).
    """
    found = [zone_as_of(_events(ledger, i, known_at), at) for i in stream_ids]
    return ZoneCatalogue([z for z in found if z is not None])


def _events(ledger: EventReader, stream_id: UUID, known_at: datetime | None) -> Iterable[Recorded]:
    """A stream's events; none for a zone never recorded (a ledger raises for those)."""
    try:
        return ledger.events(stream_id, known_at=known_at)
    except UnknownIncidentError:
        return ()
