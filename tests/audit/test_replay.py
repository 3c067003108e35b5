"""Replay digests cover the built-in projections, and agree with live runs and read models."""

from __future__ import annotations

from incidents import FixedClock, replay_digests
from incidents.examples import ALASKA_2024_PUBLISHED_AT, alaska_2024_batches
from incidents.projections import ReadModel, get, live
from support.backends import Backend

BUILT_INS = ("aircraft-roster", "intercepts", "sources", "statements", "timeline")


def test_replay_digests_match_live_and_persistent_projections(backend: Backend) -> None:
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    ledger = backend.open(clock=clock)
    for at, batch in alaska_2024_batches():
        clock.set(at)
        ledger.record(*batch)
    records = [r for incident in ledger.incident_ids() for r in ledger.events(incident)]
    digests = replay_digests(records)
    assert {f"projection/{name}" for name in BUILT_INS} <= set(digests)
    for name in BUILT_INS:
        assert live(ledger, get(name)).digest == digests[f"projection/{name}"]
        model = ReadModel(ledger, get(name))
        model.catch_up()
        assert model.read().digest == digests[f"projection/{name}"]
