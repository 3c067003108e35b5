"""
Replay: rebuild state from recorded events and digest it, the same on every machine.

A digest is the SHA-256 of a state's canonical bytes (the library's one
converter, compact sorted-key JSON). The same events give the same digests
whatever the machine, the backend, or whether they come from a live ledger
or from a bundle, so two parties can compare a few lines instead of the
record.

Each *state function* turns the recorded events into named canonical bytes;
:func:`replay_digests` runs them all. :func:`incident_states` gives every
incident's folded state and :func:`projection_states` the built-in
projections' states (timeline, roster, intercepts, statements, sources).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from uuid import UUID

from incidents._codec.canonical import converter, dumps
from incidents._domain.events import SOURCES_REGISTRY, Recorded
from incidents._domain.state import fold
from incidents._gc import BULK, Turns

__all__ = [
    "REPLAY_STATES",
    "StateFunction",
    "incident_states",
    "projection_states",
    "replay_digests",
]

StateFunction = Callable[[Sequence[Recorded]], Mapping[str, bytes]]
"""Recorded events (in recording order) to ``{name: canonical bytes}``."""


def incident_states(records: Sequence[Recorded]) -> dict[str, bytes]:
    """
    Every incident's current state, folded from its events.

    Args:
        records: Recorded events in recording order.

    Returns:
        ``{"incident/<id>": canonical bytes of the Incident}``.

    """
    streams: dict[UUID, list[Recorded]] = {}
    for record in records:
        streams.setdefault(record.incident_id, []).append(record)
    registry = streams.get(SOURCES_REGISTRY, [])
    states = {}
    for incident_id, stream in streams.items():
        state = fold(stream, registry=registry)
        if state is not None:
            states[f"incident/{incident_id}"] = dumps(converter.unstructure(state))
    return states


def projection_states(records: Sequence[Recorded]) -> dict[str, bytes]:
    """
    The built-in projections' states, rebuilt from the events.

    Only the built-ins take part, so the digests do not depend on which
    plugins a machine has installed. Each state is exactly what
    :func:`incidents.projections.live` or a read model would hold for the
    same events, so the digests can be compared with theirs.

    Args:
        records: Recorded events in recording order.

    Returns:
        ``{"projection/<name>": canonical bytes of its state}``.
    """
    # Imported here: projections sit above the ledger, replay below it.
    from incidents.projections._run import project
    from incidents.projections._timeline import Timeline
    from incidents.projections._views import (
        AircraftRoster,
        Intercepts,
        SourceSupport,
        StatementsBySpeaker,
    )

    states = {}
    for cls in (Timeline, AircraftRoster, Intercepts, StatementsBySpeaker, SourceSupport):
        projected = project(cls(), records)
        states[f"projection/{projected.name}"] = projected.canonical
    return states


REPLAY_STATES: tuple[StateFunction, ...] = (incident_states, projection_states)
"""The state functions :func:`replay_digests` runs by default."""


def replay_digests(
    records: Iterable[Recorded], states: Sequence[StateFunction] = REPLAY_STATES
) -> dict[str, str]:
    """
    Replay recorded events and digest every state they build.

    Args:
        records: Recorded events in recording order.
        states: The state functions to run.

    Returns:
        ``{name: hex SHA-256}``, sorted by name.

    """
    events: list[Recorded] = []
    found: dict[str, str] = {}
    # Every event is kept and every state built at once: bulk work, during
    # which the collector stays paused once the events number BULK or more
    # (incidents._gc); a replay of 100,000 events spent a quarter of its
    # time in it.
    with Turns() as turns:
        for record in records:
            events.append(record)
            if not len(events) % BULK:
                turns.step(BULK)
        for function in states:
            for name, data in function(events).items():
                found[name] = hashlib.sha256(data).hexdigest()
    return dict(sorted(found.items()))
