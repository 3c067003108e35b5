"""
Incidents named by id, by the id's text or by a unique prefix, as on the command line, on every backend.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from incidents import (
    SOURCES_REGISTRY,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    SourceKind,
    SourceRegistered,
    UnknownIncidentError,
)

A = uuid.UUID("a5da836a-0000-4000-8000-000000000001")
B = uuid.UUID("a5da836a-1111-4000-8000-000000000002")
C = uuid.UUID("c0ffee00-0000-4000-8000-000000000003")


def record_incident(ledger: Ledger, incident_id: uuid.UUID) -> None:
    source = SourceRegistered(
        incident_id=incident_id, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    opening = IncidentOpened(incident_id=incident_id, source_id=source.source_id, title="T")
    ledger.record(opening, source)


@pytest.fixture
def three(ledger: Ledger) -> Ledger:
    for incident_id in (A, B, C):
        record_incident(ledger, incident_id)
    return ledger


@pytest.mark.parametrize(
    "given", ["c0ffee00", "C0FFEE", "c0ffee00-0000", str(C), C, str(C).upper()]
)
def test_a_unique_prefix_or_the_id_names_the_incident(
    three: Ledger, given: uuid.UUID | str
) -> None:
    assert three.resolve_incident(given) == C
    assert three.incident(given).id == C
    assert three.history(given).incident_id == C
    assert [r.event.incident_id for r in three.events(given)] == [C, C]
    known = datetime(2024, 7, 25, 12, tzinfo=UTC)
    assert three.diff(given, known_at_a=known).incident_id == C
    assert three.rebuild_snapshots(given) == 1
    three.drop_snapshots(given)


def test_an_ambiguous_prefix_lists_the_candidates(three: Ledger) -> None:
    for read in (three.resolve_incident, three.incident, three.history, three.events):
        with pytest.raises(InvalidInputError, match="2 incidents match 'a5da836a'") as raised:
            read("a5da836a")
        assert not isinstance(raised.value, UnknownIncidentError)
        assert str(A) in str(raised.value)
        assert str(B) in str(raised.value)
    assert three.resolve_incident("a5da836a0") == A
    assert three.resolve_incident("a5da836a-1") == B


@pytest.mark.parametrize("given", ["ffff", str(uuid.UUID(int=7)), uuid.UUID(int=7)])
def test_an_unknown_incident_raises_everywhere(three: Ledger, given: uuid.UUID | str) -> None:
    for read in (three.resolve_incident, three.incident, three.history, three.events):
        with pytest.raises(UnknownIncidentError):
            read(given)


def test_events_of_an_unknown_incident_raise_when_called_not_when_iterated(ledger: Ledger) -> None:
    unknown = uuid.uuid4()
    with pytest.raises(UnknownIncidentError, match=f"incident {unknown} is not recorded"):
        ledger.events(unknown)
    record_incident(ledger, C)
    before = datetime(2024, 7, 25, 11, tzinfo=UTC)
    assert list(ledger.events(C, known_at=before)) == []  # recorded, but not yet then


@pytest.mark.parametrize("given", ["", "-", "zz", "a5da836g", "0" * 33, 42])
def test_a_malformed_prefix_is_bad_input(three: Ledger, given: object) -> None:
    with pytest.raises(InvalidInputError) as raised:
        three.resolve_incident(given)  # type: ignore[arg-type]
    assert not isinstance(raised.value, UnknownIncidentError)
    with pytest.raises(InvalidInputError):
        three.events(given)  # type: ignore[arg-type]


def test_the_sources_registry_is_read_by_id_but_no_prefix_finds_it(three: Ledger) -> None:
    assert list(three.events(SOURCES_REGISTRY)) == []
    three.register_source(kind=SourceKind.PRESS_RELEASE, publisher="NORAD")
    assert len(list(three.events(SOURCES_REGISTRY))) == 1
    with pytest.raises(UnknownIncidentError):
        three.resolve_incident(SOURCES_REGISTRY.hex[:12])
