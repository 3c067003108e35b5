"""
The ledger-wide sources registry: sources registered once, cited from any incident.

What may be recorded where is checked on every backend; every refusal
records nothing.
"""

from __future__ import annotations

import uuid

import pytest

from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    AssessmentMade,
    Correction,
    Event,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    Retraction,
    SourceKind,
    SourceRegistered,
    UnknownEventError,
    UnknownSourceError,
    ValidTime,
)

DAY = ValidTime.day("2019-07-23", tz="Asia/Seoul")


def registry_source(
    publisher: str = "Joint Chiefs of Staff (ROK)", **kw: object
) -> SourceRegistered:
    fields: dict[str, object] = {
        "incident_id": SOURCES_REGISTRY,
        "kind": SourceKind.PRESS_RELEASE,
        "publisher": publisher,
    }
    fields.update(kw)
    return SourceRegistered(**fields)  # type: ignore[arg-type]


def opening(source_id: uuid.UUID, incident_id: uuid.UUID | None = None) -> IncidentOpened:
    return IncidentOpened(
        incident_id=incident_id or uuid.uuid4(), source_id=source_id, title="patrol"
    )


def aircraft(incident_id: uuid.UUID, source_id: uuid.UUID) -> AircraftReported:
    return AircraftReported(
        incident_id=incident_id,
        source_id=source_id,
        type_designation="H-6K",
        nation="CN",
        count=2,
        valid_time=DAY,
    )


def rows(ledger: Ledger) -> list[bytes]:
    return [r.state for r in ledger.store.rows()]


def test_the_registry_needs_no_opening_and_is_no_incident(ledger: Ledger) -> None:
    jcs = registry_source()
    ledger.record(jcs)
    assert ledger.incident_ids() == []
    assert [jcs.source_id] == [r.event_id for r in ledger.events(SOURCES_REGISTRY)]


def test_a_registry_source_is_cited_from_two_incidents(ledger: Ledger) -> None:
    jcs = registry_source()
    ledger.record(jcs)
    first, second = opening(jcs.source_id), opening(jcs.source_id)
    ledger.record(first, aircraft(first.incident_id, jcs.source_id))
    ledger.record(second, aircraft(second.incident_id, jcs.source_id))
    assert [first.incident_id, second.incident_id] == ledger.incident_ids()


def test_a_registry_source_registered_in_the_same_batch_is_citable(ledger: Ledger) -> None:
    jcs = registry_source()
    first = opening(jcs.source_id)
    ledger.record(first, jcs, aircraft(first.incident_id, jcs.source_id))
    assert len(ledger) == 3


def test_the_registry_holds_only_sources_and_what_amends_or_judges_them(ledger: Ledger) -> None:
    jcs = registry_source()
    ledger.record(jcs)
    before = rows(ledger)
    with pytest.raises(InvalidInputError, match="sources registry"):
        ledger.record(aircraft(SOURCES_REGISTRY, jcs.source_id))
    with pytest.raises(InvalidInputError, match="sources registry"):
        ledger.record(opening(jcs.source_id, SOURCES_REGISTRY))
    assert before == rows(ledger)
    fix = Correction.of(jcs, source_id=jcs.source_id, reason="the JCS's own name", publisher="JCS")
    judged = AssessmentMade(
        incident_id=SOURCES_REGISTRY,
        source_id=jcs.source_id,
        target_id=jcs.source_id,
        credibility=2,
        reasoning="the military's own releases",
    )
    withdrawn = Retraction(
        incident_id=SOURCES_REGISTRY, source_id=jcs.source_id, target_id=fix.event_id, reason="r"
    )
    ledger.record(fix, judged, withdrawn)
    assert len(ledger) == 4


def test_a_registry_source_cites_registry_sources_only(ledger: Ledger) -> None:
    jcs = registry_source()
    first = opening(jcs.source_id)
    local = SourceRegistered(
        incident_id=first.incident_id, kind=SourceKind.NEWS_ARTICLE, publisher="Yonhap"
    )
    ledger.record(jcs, first, local)
    before = rows(ledger)
    with pytest.raises(UnknownEventError, match="sources registry"):
        ledger.record(registry_source("Reuters", cites=local.source_id))
    assert before == rows(ledger)
    # An incident's source may cite a registry source.
    article = SourceRegistered(
        incident_id=first.incident_id,
        kind=SourceKind.NEWS_ARTICLE,
        publisher="KBS",
        cites=jcs.source_id,
    )
    ledger.record(article)


def test_an_incident_source_is_not_citable_from_another_incident(ledger: Ledger) -> None:
    jcs = registry_source()
    first = opening(jcs.source_id)
    local = SourceRegistered(
        incident_id=first.incident_id, kind=SourceKind.NEWS_ARTICLE, publisher="Yonhap"
    )
    second = opening(jcs.source_id)
    ledger.record(jcs, first, local, second)
    before = rows(ledger)
    with pytest.raises(UnknownSourceError, match="nor in the sources registry"):
        ledger.record(aircraft(second.incident_id, local.source_id))
    assert before == rows(ledger)


def test_a_registry_source_is_corrected_in_the_registry_only(ledger: Ledger) -> None:
    jcs = registry_source()
    first = opening(jcs.source_id)
    ledger.record(jcs, first)
    before = rows(ledger)
    in_incident: Event = Correction(
        incident_id=first.incident_id,
        source_id=jcs.source_id,
        target_id=jcs.source_id,
        changes={"publisher": "JCS"},
        reason="r",
    )
    with pytest.raises(UnknownEventError):
        ledger.record(in_incident)
    assert before == rows(ledger)
    # An assessment in an incident may judge a registry source and cite another.
    reuters = registry_source("Reuters", kind=SourceKind.NEWS_ARTICLE)
    ledger.record(reuters)
    ledger.record(
        AssessmentMade(
            incident_id=first.incident_id,
            source_id=jcs.source_id,
            target_id=jcs.source_id,
            credibility=2,
            reasoning="first-hand",
            citations=[reuters.source_id],
        )
    )
