"""Waiting for new events: woken by commits, on every backend, across stores of one log."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from incidents import IncidentOpened, Ledger, SourceKind, SourceRegistered, UnknownSourceError
from incidents.storage import Store
from support.backends import Backend, opened_backend

# Long enough that a waiter which was never woken is told apart from one that
# was: a woken waiter returns within moments, one left to time out takes all of it.
NEVER = 60.0


def _wait(store: Store, after: int) -> tuple[int, bool]:
    """Wait as a follower would; return the sequence seen and whether it was woken."""
    started = time.monotonic()
    last = store.wait_for_events(after, timeout=NEVER)
    return last, time.monotonic() - started < NEVER / 2


def _record_incident(ledger: Ledger) -> int:
    incident_id = uuid.uuid4()
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    recorded = ledger.record(
        IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="waiting"),
        source,
    )
    return recorded[-1].sequence


def _assert_woken_by(writer: Ledger, store: Store) -> None:
    """A commit through *writer*, made while *store* waits, wakes it with the new events."""
    last = store.last_sequence()
    store.poll_interval = NEVER  # only an announced commit can end the wait early

    def later() -> None:
        time.sleep(0.2)  # let the waiter start waiting first
        _record_incident(writer)

    thread = threading.Thread(target=later)
    thread.start()
    seen, woken = _wait(store, last)
    thread.join()
    assert seen == last + 2
    assert woken


def test_returns_at_once_when_events_are_already_there(ledger: Ledger) -> None:
    last = _record_incident(ledger)
    assert ledger.store.wait_for_events(0, timeout=NEVER) == last


def test_times_out_with_the_same_sequence_when_nothing_comes(ledger: Ledger) -> None:
    last = _record_incident(ledger)
    assert ledger.store.wait_for_events(last, timeout=0.05) == last


def test_a_commit_wakes_the_waiter(ledger: Ledger) -> None:
    _record_incident(ledger)
    _assert_woken_by(ledger, ledger.store)


@pytest.fixture(params=["sqlite", "postgres"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The backends whose log several stores can open (an in-memory ledger is one store)."""
    with opened_backend(request.param, tmp_path) as b:
        yield b


def test_a_commit_through_another_store_of_the_same_log_wakes_the_waiter(
    shared: Backend,
) -> None:
    first = shared.open()
    _record_incident(first)
    second = shared.open(shared.targets[-1])
    _assert_woken_by(first, second.store)


def test_a_failed_batch_wakes_nobody_with_news(ledger: Ledger) -> None:
    last = _record_incident(ledger)
    with pytest.raises(UnknownSourceError):
        ledger.record(IncidentOpened(incident_id=uuid.uuid4(), source_id=uuid.uuid4(), title="x"))
    assert ledger.store.wait_for_events(last, timeout=0.05) == last
