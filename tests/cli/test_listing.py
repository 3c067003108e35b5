"""`incidents list` reads only openings and amendments, and says what a full fold says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings

from incidents import Correction, Event, FixedClock, Ledger, examples
from incidents._cli.basic import incident_listing
from support.backends import Backend
from support.histories import histories


def _folded(ledger: Ledger) -> list[tuple[object, str, int]]:
    listing = []
    for incident_id in ledger.incident_ids():
        state = ledger.incident(incident_id)
        listing.append((incident_id, state.title, state.last_position))
    return listing


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories(max_events=24))
def test_the_listing_is_what_full_folds_say(backend: Backend, history: list[list[Event]]) -> None:
    ledger = backend.open()
    try:
        clock = ledger.clock
        assert isinstance(clock, FixedClock)
        for n, batch in enumerate(history):
            clock.set(datetime(2024, 7, 25, 12, tzinfo=UTC) + timedelta(seconds=n))
            ledger.record(*batch)
        assert incident_listing(ledger) == _folded(ledger)
    finally:
        backend.discard(ledger)


def test_a_corrected_title_is_listed_corrected(backend: Backend) -> None:
    ledger = backend.open()
    for recorded_at, batch in examples.alaska_2024_batches():
        ledger.clock.set(recorded_at)  # type: ignore[attr-defined]
        ledger.record(*batch)
    opening = next(r for r in ledger.events(examples.ALASKA_2024) if r.position == 1)
    source = next(
        r.event_id for r in ledger.events(examples.ALASKA_2024) if r.type == "source-registered"
    )
    ledger.clock.set(examples.ALASKA_2024_ACCOUNTS_AT + timedelta(days=1))  # type: ignore[attr-defined]
    ledger.record(
        Correction.of(
            opening.event, source_id=source, reason="house style", title="Bombers near Alaska"
        )
    )
    ((incident_id, title, length),) = incident_listing(ledger)
    assert (incident_id, title, length) == (examples.ALASKA_2024, "Bombers near Alaska", 20)
    assert incident_listing(ledger) == _folded(ledger)
