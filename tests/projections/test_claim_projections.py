"""
Claims and assessments in the projections: the timeline shows assessments, and the contradictions projection compares claims.

The timeline marks each entry an assessment judges and lists the
assessments of what has no entry; incidents without assessments keep the
state they always had. The contradictions projection gives, for every
incident, what :meth:`incidents.Incident.contradictions` gives, as claims
are corrected, retracted and judged.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from incidents import (
    AssessmentMade,
    Claim,
    Correction,
    Credibility,
    Event,
    FixedClock,
    Ledger,
    Retraction,
    StatementIssued,
    WarningShotsFired,
    converter,
    examples,
)
from incidents._codec.canonical import dumps
from incidents.projections import (
    ClaimComparisons,
    SourceSupport,
    Timeline,
    get,
    incident_timeline,
    live,
    registered,
)
from support.backends import Backend
from support.histories import histories

IDS = examples.dokdo_2019_ids()
ANALYST_AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def record_dokdo(ledger: Ledger, clock: FixedClock) -> None:
    for at, batch in examples.dokdo_2019_batches():
        clock.set(at)
        ledger.record(*batch)
    clock.set(ANALYST_AT)


@pytest.fixture
def dokdo() -> Ledger:
    clock = FixedClock(examples.DOKDO_2019_REPORTED_AT)
    ledger = Ledger.open(":memory:", clock=clock, recorder="desk")
    record_dokdo(ledger, clock)
    return ledger


def judge(target: str, credibility: Credibility, **fields: object) -> AssessmentMade:
    return AssessmentMade(
        incident_id=examples.DOKDO_2019,
        source_id=IDS["source/war-zone"],
        target_id=IDS[target],
        credibility=credibility,
        reasoning=f"judged {target}",
        **fields,  # type: ignore[arg-type]
    )


def test_the_timeline_marks_what_an_assessment_judges(dokdo: Ledger) -> None:
    of_claim = judge("statement/jcs", Credibility.DOUBTFUL, claim_id=IDS["claim/jcs/airspace"])
    of_source = judge("source/epoch-times", Credibility.CANNOT_BE_JUDGED)
    dokdo.record(of_claim, of_source, recorder="analyst-kim")
    timeline = incident_timeline(dokdo, examples.DOKDO_2019)

    (entry,) = [e for e in timeline.entries if e.event_id == IDS["statement/jcs"]]
    (assessment,) = entry.assessments
    assert (assessment.event_id, assessment.claim_id, assessment.credibility) == (
        of_claim.event_id,
        IDS["claim/jcs/airspace"],
        Credibility.DOUBTFUL,
    )
    assert assessment.recorder == "analyst-kim"
    assert assessment.source == "The War Zone [C3]"
    assert [a.event_id for a in timeline.assessments] == [of_source.event_id]
    assert all(not e.assessments for e in timeline.entries if e is not entry)
    # What it judges is unchanged.
    assert not entry.notes

    text = timeline.table(width=120)
    assert "ASSESSED 4 [1]" in text
    notes = " ".join(text[text.index("Notes:") :].split())
    assert (
        f"[1] #{entry.number}: its claim {IDS['claim/jcs/airspace'].hex[:8]} assessed doubtful (4)"
        " by analyst-kim 2026-03-01 09:00:00Z, citing The War Zone [C3]: judged statement/jcs"
    ) in notes
    assert "Assessments of what has no entry:" in text

    rows = list(csv.DictReader(io.StringIO(timeline.csv())))
    (row,) = [r for r in rows if r["event_id"] == str(IDS["statement/jcs"])]
    assert "assessed doubtful (4) by analyst-kim" in row["assessments"]
    data = json.loads(timeline.json())
    assert data["assessments"][0]["event_id"] == str(of_source.event_id)


def test_a_retracted_assessment_leaves_the_timeline(dokdo: Ledger) -> None:
    assessment = judge("aircraft/a-50", Credibility.CONFIRMED)
    dokdo.record(assessment)
    dokdo.record(
        Retraction(
            incident_id=examples.DOKDO_2019,
            source_id=IDS["source/jcs"],
            target_id=assessment.event_id,
            reason="entered in error",
        )
    )
    timeline = incident_timeline(dokdo, examples.DOKDO_2019)
    assert all(not e.assessments for e in timeline.entries)
    known = incident_timeline(dokdo, examples.DOKDO_2019, known_at=ANALYST_AT)
    (entry,) = [e for e in known.entries if e.event_id == IDS["aircraft/a-50"]]
    assert [a.credibility for a in entry.assessments] == [Credibility.CONFIRMED]


def test_states_of_incidents_without_assessments_are_unchanged() -> None:
    # Incidents recorded before assessments existed keep their states (and so
    # their replay digests): no empty "assessments" member is added to them.
    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        state = live(ledger, Timeline()).state
        incident = ledger.incident(examples.ALASKA_2024)
    assert "assessments" not in state[str(examples.ALASKA_2024)]
    assert "assessments" not in converter.unstructure(incident)
    assert b'"assessments"' not in dumps(converter.unstructure(incident))


def test_the_contradictions_projection_is_registered() -> None:
    assert "contradictions" in registered()
    assert type(get("contradictions")) is ClaimComparisons


def test_the_projection_compares_as_the_incident_does(dokdo: Ledger) -> None:
    dokdo.record(judge("statement/russia", Credibility.IMPROBABLE))
    statement = next(e for e in examples.dokdo_2019() if e.event_id == IDS["statement/war-zone"])
    assert isinstance(statement, StatementIssued)
    recount = Claim(
        stance=statement.claims[0].stance,
        text="The fighters fired 10 flares and 360 rounds.",
        proposition=WarningShotsFired(by="KR", at="RU", rounds=360, flares=10),
        claim_id=IDS["claim/war-zone/warning-shots"],
    )
    dokdo.record(
        Correction.of(
            statement,
            source_id=IDS["source/war-zone"],
            reason="the article's figure was for both engagements",
            claims=(recount,),
        )
    )
    state = live(dokdo, ClaimComparisons()).state
    projected = ClaimComparisons.compare(str(examples.DOKDO_2019), state[str(examples.DOKDO_2019)])
    folded = dokdo.incident(examples.DOKDO_2019).contradictions()
    assert projected == folded
    (shots,) = folded.about("warning-shots")
    assert [s.position for s in shots.sides] == [
        "affirms: about 360 rounds",
        "affirms: 10 flares and 360 rounds",
        "affirms: about 400 rounds",
    ]
    assert "DISPUTED: sovereignty over Dokdo / Takeshima / Liancourt Rocks" in (
        ClaimComparisons().render(state)
    )


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories(max_events=25))
def test_the_projection_equals_the_fold_for_any_history(
    backend: Backend, history: list[list[Event]]
) -> None:
    ledger = backend.open()
    try:
        for batch in history:
            ledger.record(*batch)
        state = live(ledger, ClaimComparisons()).state
        for incident_id in ledger.incident_ids():
            expected = ledger.incident(incident_id).contradictions()
            assert ClaimComparisons.compare(str(incident_id), state[str(incident_id)]) == expected
    finally:
        drop = getattr(ledger.store, "drop", None)
        if drop is not None:
            drop()
        ledger.close()


def test_an_assessment_is_listed_under_the_source_it_rests_on(dokdo: Ledger) -> None:
    assessment = judge("aircraft/a-50", Credibility.CONFIRMED)
    dokdo.record(assessment)
    supports = live(dokdo, SourceSupport()).state[str(IDS["source/war-zone"])]["supports"]
    assert supports[str(assessment.event_id)]["what"] == (
        "assessed confirmed (1): judged aircraft/a-50"
    )
