"""
The checks of a batch before it is recorded: ids, openings, sources, references, corrections.

:meth:`incidents.Ledger.record` runs them in two steps: :func:`index_batch`
on the batch alone, before the write lock is taken; :func:`check_batch`
inside the write transaction, against what is already stored. A batch that
fails any of them is not recorded at all.

Streams: every stream begins with an event whose class opens one
(``OPENS_STREAM``, e.g. :class:`~incidents.IncidentOpened`), and such an
event is only ever a stream's first. The one exception is the ledger-wide
:data:`~incidents.SOURCES_REGISTRY`, which needs no opening and holds only
the :data:`~incidents._domain.events.REGISTRY_TYPES`. Its sources may be
cited by any stream's events (``source_id``) and named by the reference
fields a class lists in ``REGISTRY_FIELDS``; every other reference stays
within its own stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from uuid import UUID

from incidents._codec.canonical import apply_changes
from incidents._codec.trusted import decode_trusted
from incidents._domain.events import (
    EVENT_TYPES,
    REGISTRY_TYPES,
    SOURCES_REGISTRY,
    AssessmentMade,
    Correction,
    Event,
    IncidentOpened,
    SourceRegistered,
    StatementIssued,
    check_language,
)
from incidents._domain.limits import MAX_BATCH_EVENTS
from incidents._errors import (
    ConcurrencyError,
    DuplicateEventError,
    InvalidInputError,
    UnknownEventError,
    UnknownIncidentError,
    UnknownSourceError,
)
from incidents.storage import StoredRecord, Writer

__all__ = ["Known", "check_batch", "index_batch"]

Known = MutableMapping[UUID, tuple[str, UUID | str]]
"""Event id -> (type, incident) of events known to be recorded."""

_EVENT_CLASSES = frozenset(EVENT_TYPES.values())


def index_batch(
    events: Sequence[Event],
) -> tuple[dict[UUID, tuple[int, Event]], set[UUID], list[UUID]]:
    """
    Check a batch by itself and index it.

    Args:
        events: The batch, in recording order.

    Returns:
        Each event by id with its index; the ids it refers to (sources and
        references); its incidents, in order of first appearance.

    Raises:
        InvalidInputError: If the batch holds more than
            :data:`~incidents.MAX_BATCH_EVENTS` events, an event is not of
            the vocabulary, or is not of a type the sources registry holds
            while naming it as its stream.
        DuplicateEventError: If an id appears twice.

    """
    if len(events) > MAX_BATCH_EVENTS:
        raise InvalidInputError(
            f"a batch of {len(events):,} events: at most {MAX_BATCH_EVENTS:,} events are "
            "recorded at once; record them in several batches"
        )
    batch: dict[UUID, tuple[int, Event]] = {}
    wanted: set[UUID] = set()
    incidents: dict[UUID, None] = {}
    # Events of a batch mostly share their incident and source objects:
    # an id seen just before needs no second look (UUIDs hash slowly).
    last_source: object = None
    last_incident: object = None
    in_registry = False
    for index, event in enumerate(events):
        if type(event) not in _EVENT_CLASSES:
            raise InvalidInputError(f"not an event of the vocabulary: {event!r}")
        entry = (index, event)
        if batch.setdefault(event.event_id, entry) is not entry:
            raise DuplicateEventError(f"event {event.event_id} appears twice in the batch")
        if event.source_id is not last_source:
            last_source = event.source_id
            wanted.add(last_source)
        if event.incident_id is not last_incident:
            last_incident = event.incident_id
            incidents[last_incident] = None
            in_registry = last_incident == SOURCES_REGISTRY
        if in_registry and event.TYPE not in REGISTRY_TYPES:
            raise InvalidInputError(
                f"{event.TYPE} {event.event_id} names the sources registry as its stream: "
                "the registry holds only source registrations and the corrections, "
                "retractions and assessments of them"
            )
        if event.REFERENCE_FIELDS:
            wanted.update(event.references())
        if type(event) is SourceRegistered:
            check_language(event)  # checked when recorded: see check_language
    return batch, wanted, list(incidents)


def check_batch(
    writer: Writer,
    events: Sequence[Event],
    indexed: tuple[dict[UUID, tuple[int, Event]], set[UUID]],
    heads: Mapping[UUID, int],
    expected_positions: Mapping[UUID, int] | None,
    known: Known,
) -> dict[UUID, tuple[str, UUID | str]]:
    """
    Check a batch against what is stored, inside its write transaction.

    Args:
        writer: The open write transaction.
        events: The batch.
        indexed: The batch by id, and the ids it refers to (:func:`index_batch`).
        heads: Each incident's stream position (0 for a new incident).
        expected_positions: What the caller expects them to be, if anything.
        known: Events already known to be recorded (read, not changed).

    Returns:
        The recorded events the batch refers to, by id (to remember once committed).

    Raises:
        ConcurrencyError: If an incident is not at the expected position.
        InvalidInputError: (and its subclasses) for an event that does not fit
            what is recorded.

    """
    batch, wanted = indexed
    if expected_positions is not None:
        _check_expected(expected_positions, heads, writer)
    try:
        _check_openings(events, heads)
    except InvalidInputError:
        again = writer.rows_by_event_id([e.event_id for e in events])
        if again:
            raise DuplicateEventError(
                f"{len(again)} of these events are already recorded (first: "
                f"{again[0].topic} {again[0].event_id} at sequence {again[0].id})"
            ) from None
        raise
    stored: dict[UUID, tuple[str, UUID | str]] = {}
    missing = []
    for i in wanted:
        if i in batch:
            continue
        found = known.get(i)
        if found is None:
            missing.append(i)
        else:
            stored[i] = found
    # The stored targets of corrections are read with the unknown references,
    # in the same query, and decoded without validation: the ledger stored
    # them itself (incidents._codec.trusted).
    targets = {e.target_id for e in events if type(e) is Correction and e.target_id not in batch}
    decoded: dict[UUID, Event] = {}

    def read(event_ids: set[UUID] | list[UUID]) -> list[StoredRecord]:
        return writer.rows_by_event_id(list(event_ids)) if event_ids else []

    for row in read(targets.union(missing)):
        stored[row.event_id] = (row.topic, row.originator_id)
        if row.event_id in targets:
            decoded[row.event_id] = decode_trusted(row.state).event
    # A correction of a correction's changes is checked against the original too.
    originals = {
        target.target_id
        for e in events
        if type(e) is Correction and "changes" in e.changes
        for target in (decoded.get(e.target_id),)
        if isinstance(target, Correction)
        and target.target_id not in batch
        and target.target_id not in decoded
    }
    for row in read(originals):
        decoded[row.event_id] = decode_trusted(row.state).event

    def lookup(event_id: UUID) -> Event | None:
        if event_id in batch:
            return batch[event_id][1]
        if event_id not in decoded:
            found = writer.rows_by_event_id([event_id])
            if not found:
                return None
            decoded[event_id] = decode_trusted(found[0].state).event
        return decoded[event_id]

    checked: tuple[object, object] = (None, None)
    for index, event in enumerate(events):
        if event.source_id is not checked[0] or event.incident_id is not checked[1]:
            _check_source(event, batch, stored)
            if type(event) is not SourceRegistered:
                checked = (event.source_id, event.incident_id)
        if event.REFERENCE_FIELDS:
            _check_references(index, event, batch, stored)
        if type(event) is Correction:
            _check_correction(event, lookup)
        elif type(event) is AssessmentMade:
            _check_assessment(event, batch, stored)
    _check_other_incidents(events, writer)
    return stored


def _check_other_incidents(events: Sequence[Event], writer: Writer) -> None:
    """Check that every incident an event names (a link's other incident) is recorded."""
    named: dict[UUID, Event] = {}
    opened: set[UUID] = set()
    for event in events:
        if type(event) is IncidentOpened:
            opened.add(event.incident_id)
        for name in getattr(event, "INCIDENT_FIELDS", ()):
            other = getattr(event, name)
            if other not in opened:  # opened earlier in the batch: recorded with it
                named.setdefault(other, event)
    if not named:
        return
    heads = writer.stream_heads(list(named))
    for other, event in named.items():
        if not heads.get(other):
            raise UnknownIncidentError(
                f"{event.TYPE} {event.event_id} names incident {other}, which is not "
                "recorded: record the other incident first (or earlier in the same batch)"
            )


def _check_expected(
    expected_positions: Mapping[UUID, int], heads: Mapping[UUID, int], writer: Writer
) -> None:
    for incident_id, expected in expected_positions.items():
        actual = heads.get(incident_id)
        if actual is None:
            actual = writer.stream_heads([incident_id])[incident_id]
        if actual != expected:
            raise ConcurrencyError(
                f"incident {incident_id} is at position {actual}, expected {expected}: "
                "another writer recorded first; read again and retry"
            )


def _check_openings(events: Sequence[Event], heads: Mapping[UUID, int]) -> None:
    if len(heads) == 1 and next(iter(heads.values())):
        # The usual batch: more events for one stream already opened.
        for event in events:
            if event.OPENS_STREAM:
                raise InvalidInputError(
                    f"{_stream_name(event)} {event.incident_id} is already opened"
                )
        return
    first_seen: set[UUID] = set()
    for event in events:
        new_stream = heads[event.incident_id] == 0 and event.incident_id not in first_seen
        first_seen.add(event.incident_id)
        if event.OPENS_STREAM:
            if not new_stream:
                raise InvalidInputError(
                    f"{_stream_name(event)} {event.incident_id} is already opened"
                )
        elif new_stream and event.incident_id != SOURCES_REGISTRY:
            raise UnknownIncidentError(
                f"incident {event.incident_id} is not recorded: record an IncidentOpened "
                f"first, or another event that opens a stream (the first event for it was "
                f"{event.TYPE} {event.event_id})"
            )


def _stream_name(event: Event) -> str:
    """What an opening event opens, for messages: "incident" for IncidentOpened."""
    return event.TYPE.rsplit("-", 1)[0].replace("-", " ")


def _check_source(
    event: Event,
    batch: Mapping[UUID, tuple[int, Event]],
    stored: Mapping[UUID, tuple[str, UUID | str]],
) -> None:
    if isinstance(event, SourceRegistered):
        return
    source_id = event.source_id
    # A source of the event's own stream, or of the ledger-wide registry.
    if source_id in batch:
        source = batch[source_id][1]
        ok = isinstance(source, SourceRegistered) and (
            source.incident_id == event.incident_id or source.incident_id == SOURCES_REGISTRY
        )
    else:
        row = stored.get(source_id)
        ok = row is not None and (
            row == (SourceRegistered.TYPE, event.incident_id)
            or row == (SourceRegistered.TYPE, SOURCES_REGISTRY)
        )
    if not ok:
        raise UnknownSourceError(
            f"{event.TYPE} {event.event_id} cites source {source_id}, which is not a "
            f"source registered in incident {event.incident_id} nor in the sources registry"
        )


def _check_references(
    index: int,
    event: Event,
    batch: Mapping[UUID, tuple[int, Event]],
    stored: Mapping[UUID, tuple[str, UUID | str]],
) -> None:
    allowed = event.REFERS_TO
    shared = event.REGISTRY_FIELDS
    for name in event.REFERENCE_FIELDS:
        value = getattr(event, name)
        refs = (value,) if isinstance(value, UUID) else () if value is None else value
        for ref in refs:
            found: tuple[str, UUID | str] | None
            if ref in batch:
                ref_index, target = batch[ref]
                found = (target.TYPE, target.incident_id) if ref_index < index else None
            else:
                found = stored.get(ref)
            registry_source = (
                found is not None
                and name in shared
                and found == (SourceRegistered.TYPE, SOURCES_REGISTRY)
            )
            if found is None or (found[1] != event.incident_id and not registry_source):
                raise UnknownEventError(
                    f"{event.TYPE} {event.event_id} refers to event {ref}, which is not "
                    f"recorded earlier in incident {event.incident_id}"
                    + (" nor a source of the sources registry" if name in shared else "")
                )
            if found[0] not in allowed:
                raise InvalidInputError(
                    f"{event.TYPE} {event.event_id} cannot refer to a {found[0]} event ({ref})"
                )


def _check_assessment(
    event: AssessmentMade,
    batch: Mapping[UUID, tuple[int, Event]],
    stored: Mapping[UUID, tuple[str, UUID | str]],
) -> None:
    # References are checked already: they exist, earlier in the incident.
    def type_of(ref: UUID) -> str:
        return batch[ref][1].TYPE if ref in batch else str(stored[ref][0])

    for citation in event.citations:
        if type_of(citation) != SourceRegistered.TYPE:
            raise InvalidInputError(
                f"assessment {event.event_id} cites {citation}, a {type_of(citation)} event: "
                "citations are sources registered in the incident or the sources registry"
            )
    if event.claim_id is not None and type_of(event.target_id) != StatementIssued.TYPE:
        raise InvalidInputError(
            f"assessment {event.event_id} names claim {event.claim_id} of "
            f"{event.target_id}, a {type_of(event.target_id)} event: claims are a "
            "statement's"
        )


def _check_correction(event: Correction, lookup: Callable[[UUID], Event | None]) -> None:
    target = lookup(event.target_id)
    assert isinstance(target, Event)  # existence checked with the references
    corrected = apply_changes(target, event.changes)
    if isinstance(corrected, SourceRegistered) and "language" in event.changes:
        check_language(corrected)
    if isinstance(target, Correction) and "changes" in event.changes:
        # A correction of a correction's changes must still fit the original.
        original = lookup(target.target_id)
        assert isinstance(original, Event)
        apply_changes(original, event.changes["changes"])
