"""
Which zones a command compares with: those recorded in the ledger, once any is; else the shipped catalogue.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from incidents._codec.trusted import decode_trusted
from incidents._domain.events import ZoneDeclared
from incidents._domain.words import stamp
from incidents._domain.zones import ZoneCatalogue
from incidents._ledger import Ledger

__all__ = ["recorded_catalogue", "zone_streams", "zones_for"]


def zone_streams(ledger: Ledger) -> list[UUID]:
    """
    The streams of the zones recorded in a ledger, in order of declaration.

    Args:
        ledger: An open ledger.

    Returns:
        Their ids.
    """
    store = ledger.store
    rows = store.projection_rows(after=0, until=store.last_sequence(), topics=(ZoneDeclared.TYPE,))
    return list(dict.fromkeys(decode_trusted(data).incident_id for _, _, data in rows))


def recorded_catalogue(ledger: Ledger, known_at: datetime | None) -> ZoneCatalogue | None:
    """
    Every version of every zone recorded in a ledger, as known at *known_at*.

    Args:
        ledger: An open ledger.
        known_at: The recording time (default: now).

    Returns:
        The zones, or None when the ledger records none.
    """
    from incidents._domain.zone_history import zone_versions

    streams = zone_streams(ledger)
    if not streams:
        return None
    found = [z for s in streams for z in zone_versions(ledger.events(s, known_at=known_at))]
    return ZoneCatalogue(found)


def zones_for(
    ledger: Ledger | None, known_at: datetime | None, *, catalogue: bool = False
) -> tuple[ZoneCatalogue, str]:
    """
    The zones to compare with, and what they are in words.

    Args:
        ledger: An open ledger, or None for the shipped catalogue.
        known_at: The recording time (default: now).
        catalogue: Use the shipped catalogue whatever the ledger records.

    Returns:
        The zones, and e.g. ``"the zones recorded in the ledger, as known now"``.
    """
    from incidents._domain.zones import zone_catalogue

    if ledger is not None and not catalogue:
        recorded = recorded_catalogue(ledger, known_at)
        if recorded is not None:
            said = "now" if known_at is None else f"at {stamp(known_at)}"
            return recorded, f"the {len(recorded)} zones recorded in the ledger, as known {said}"
    return zone_catalogue(), "the shipped zone catalogue"
