"""Waiting for new events on every backend, and the commit signal that wakes waiters."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from incidents.storage import CommitSignal, Store
from support.backends import Backend, stored_row

NEVER = 60.0
"""A timeout no test waits out: a woken waiter returns within moments."""


def _commit_later(store: Store, sequence: int, delay: float = 0.2) -> threading.Thread:
    def commit() -> None:
        time.sleep(delay)  # let the waiter start waiting first
        with store.writing() as writer:
            writer.insert([stored_row(sequence, uuid.uuid4(), 1)])

    thread = threading.Thread(target=commit)
    thread.start()
    return thread


def test_a_signal_counts_commits_and_wakes_waiters() -> None:
    signal = CommitSignal()
    token = signal.count()
    assert not signal.wait(token, 0.01)
    woken: list[bool] = []
    waiter = threading.Thread(target=lambda: woken.append(signal.wait(token, NEVER)))
    waiter.start()
    time.sleep(0.05)
    signal.committed()
    waiter.join(NEVER)
    assert woken == [True]
    assert signal.count() == token + 1
    assert signal.wait(token, 0)  # a commit after the token was already signalled


def test_every_commit_is_signalled(store: Store) -> None:
    token = store.signal.count()
    with store.writing() as writer:
        writer.insert([stored_row(1, uuid.uuid4(), 1)])
    assert store.signal.count() == token + 1
    with pytest.raises(RuntimeError), store.writing():
        raise RuntimeError("rolled back")
    assert store.signal.count() == token + 1  # a rolled back batch is no news


def test_returns_at_once_when_events_are_already_there(store: Store) -> None:
    with store.writing() as writer:
        writer.insert([stored_row(1, uuid.uuid4(), 1), stored_row(2, uuid.uuid4(), 1)])
    started = time.monotonic()
    assert store.wait_for_events(0, timeout=NEVER) == 2
    assert store.wait_for_events(1, timeout=NEVER) == 2
    assert time.monotonic() - started < NEVER / 2


def test_times_out_with_the_same_sequence_when_nothing_comes(store: Store) -> None:
    assert store.wait_for_events(0, timeout=0.05) == 0
    assert store.wait_for_events(0, timeout=0) == 0


def test_a_commit_wakes_the_waiter(store: Store) -> None:
    store.poll_interval = NEVER  # only the commit's signal can end the wait early
    thread = _commit_later(store, 1)
    started = time.monotonic()
    assert store.wait_for_events(0, timeout=NEVER) == 1
    thread.join()
    assert time.monotonic() - started < NEVER / 2


def test_a_stop_event_ends_the_wait(store: Store) -> None:
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert store.wait_for_events(0, timeout=NEVER, poll=NEVER, stop=stop) == 0
    assert time.monotonic() - started < NEVER / 2


def test_polling_sees_what_no_signal_announced(store: Store) -> None:
    # A writer this process cannot hear (another process, another machine) is
    # seen by reading the last sequence every poll.
    store.signal = CommitSignal()  # hears nothing
    thread = _commit_later(store, 1, delay=0.05)
    assert store.wait_for_events(0, timeout=NEVER, poll=0.01) == 1
    thread.join()


def test_stores_of_one_log_share_their_signal(backend: Backend) -> None:
    first = backend.open_store()
    second = backend.open_store(backend.targets[-1])
    if backend.name == "memory":  # every in-memory store is a log of its own
        assert first.signal is not second.signal
    else:
        assert first.signal is second.signal
