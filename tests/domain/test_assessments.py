"""
Assessments: an analyst's judgement beside what it judges, never changing it.

An assessment judges a claim, a fact or a source; it is attributed to whoever
records it, can be corrected, retracted and assessed in turn, and the ledger
refuses one that names what cannot be judged so. Folding a history with and
without its assessments gives the same incident but for the assessments.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings

from incidents import (
    AssessmentMade,
    Correction,
    Credibility,
    Event,
    FixedClock,
    Incident,
    InvalidInputError,
    Ledger,
    Recorded,
    Retraction,
    UnknownEventError,
    UnknownSourceError,
    examples,
    fold,
)
from incidents._timetravel.fold import Kind
from support.histories import histories

IDS = examples.dokdo_2019_ids()
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def judge(target: uuid.UUID, **fields: object) -> AssessmentMade:
    values: dict[str, object] = {
        "incident_id": examples.DOKDO_2019,
        "source_id": IDS["source/jcs"],
        "target_id": target,
        "credibility": Credibility.DOUBTFUL,
        "reasoning": "no radar track was published",
    }
    values.update(fields)
    return AssessmentMade(**values)  # type: ignore[arg-type]


@pytest.fixture
def ledger() -> Ledger:
    clock = FixedClock(examples.DOKDO_2019_REPORTED_AT)
    ledger = Ledger.open(":memory:", clock=clock, recorder="desk")
    for at, batch in examples.dokdo_2019_batches():
        clock.set(at)
        ledger.record(*batch)
    clock.set(AT)
    return ledger


def test_an_assessment_checks_its_own_fields() -> None:
    with pytest.raises(InvalidInputError, match="credibility must be 1 to 6"):
        judge(IDS["statement/jcs"], credibility=7)
    with pytest.raises(InvalidInputError, match="reasoning"):
        judge(IDS["statement/jcs"], reasoning=" ")
    with pytest.raises(InvalidInputError, match="each source once"):
        judge(IDS["statement/jcs"], citations=(IDS["source/dw"], IDS["source/dw"]))
    own = uuid.uuid4()
    with pytest.raises(InvalidInputError, match="cannot judge itself"):
        judge(own, event_id=own)
    assert judge(IDS["statement/jcs"], credibility=2).credibility is Credibility.PROBABLY_TRUE


def test_an_assessment_of_a_claim_stands_beside_it_attributed_to_its_recorder(
    ledger: Ledger,
) -> None:
    claim_id = IDS["claim/jcs/airspace"]
    assessment = judge(IDS["statement/jcs"], claim_id=claim_id, citations=(IDS["source/war-zone"],))
    ledger.record(assessment, recorder="analyst-kim")
    incident = ledger.incident(examples.DOKDO_2019)

    (stored,) = incident.assessments
    assert (stored.id, stored.target_id, stored.claim_id) == (
        assessment.event_id,
        IDS["statement/jcs"],
        claim_id,
    )
    assert (stored.recorder, stored.recorded_at) == ("analyst-kim", AT)
    assert stored.citations == (IDS["source/war-zone"],)
    assert incident.assessments_of(IDS["statement/jcs"], claim_id) == (stored,)
    assert incident.assessments_of(IDS["statement/jcs"]) == ()

    beside = {c.claim_id: c.assessments for c in incident.compared_claims()}
    assert beside[claim_id] == (stored,)
    assert all(not found for other, found in beside.items() if other != claim_id)
    text = incident.contradictions().render()
    assert (
        "      assessed (the claim): doubtful (4), by analyst-kim: no radar track was published"
        in text.splitlines()
    )


def test_assessments_of_a_statement_or_a_source_stand_beside_each_of_its_claims(
    ledger: Ledger,
) -> None:
    of_statement = judge(IDS["statement/russia"], credibility=Credibility.IMPROBABLE)
    of_source = judge(IDS["source/russia-mod"], credibility=Credibility.DOUBTFUL)
    ledger.record(of_statement, of_source)
    incident = ledger.incident(examples.DOKDO_2019)
    russian = [c for c in incident.compared_claims() if c.statement_id == IDS["statement/russia"]]
    assert len(russian) == 3
    for claim in russian:
        assert [a.id for a in claim.assessments] == [of_statement.event_id, of_source.event_id]
    others = [c for c in incident.compared_claims() if c.statement_id != IDS["statement/russia"]]
    assert all(not c.assessments for c in others)


def test_an_assessment_never_changes_what_it_judges(ledger: Ledger) -> None:
    before = ledger.incident(examples.DOKDO_2019)
    ledger.record(
        judge(IDS["statement/jcs"], claim_id=IDS["claim/jcs/sovereignty"]),
        judge(IDS["aircraft/a-50"], credibility=Credibility.CONFIRMED),
        judge(IDS["source/epoch-times"], credibility=Credibility.CANNOT_BE_JUDGED),
        judge(IDS["incident"]),
    )
    after = ledger.incident(examples.DOKDO_2019)
    assert len(after.assessments) == 4
    assert (
        attrs.evolve(
            after,
            assessments=(),
            last_position=before.last_position,
            last_recorded_at=before.last_recorded_at,
        )
        == before
    )
    assert [(c.subject, c.verdict) for c in after.contradictions().comparisons] == [
        (c.subject, c.verdict) for c in before.contradictions().comparisons
    ]


def test_an_assessment_can_be_corrected_retracted_and_assessed(ledger: Ledger) -> None:
    first = judge(IDS["statement/jcs"], claim_id=IDS["claim/jcs/warning-shots"])
    ledger.record(first)
    regraded = Correction.of(
        first,
        source_id=IDS["source/war-zone"],
        reason="another account agrees on the shots, not the count",
        credibility=Credibility.POSSIBLY_TRUE,
    )
    second_opinion = judge(first.event_id, credibility=Credibility.PROBABLY_TRUE, reasoning="fair")
    known_at = ledger.record(regraded, second_opinion)[0].recorded_at
    incident = ledger.incident(examples.DOKDO_2019)
    corrected = incident.assessments[0]
    assert corrected.credibility is Credibility.POSSIBLY_TRUE
    assert corrected.corrections == (regraded.event_id,)
    assert incident.assessments_of(first.event_id)[0].reasoning == "fair"

    ledger.record(
        Retraction(
            incident_id=examples.DOKDO_2019,
            source_id=IDS["source/jcs"],
            target_id=first.event_id,
            reason="entered in error",
        )
    )
    incident = ledger.incident(examples.DOKDO_2019)
    assert [a.id for a in incident.assessments] == [second_opinion.event_id]
    assert first.event_id in incident.retracted
    # As known before the retraction, it still stood, corrected.
    earlier = ledger.incident(examples.DOKDO_2019, known_at=known_at)
    assert [a.credibility for a in earlier.assessments] == [
        Credibility.POSSIBLY_TRUE,
        Credibility.PROBABLY_TRUE,
    ]


def test_the_claim_id_and_the_target_cannot_be_corrected() -> None:
    first = judge(IDS["statement/jcs"], claim_id=IDS["claim/jcs/airspace"])
    for field in ("claim_id", "target_id"):
        with pytest.raises(InvalidInputError, match=f"cannot change {field}"):
            Correction.of(first, source_id=IDS["source/jcs"], reason="r", **{field: uuid.uuid4()})


def test_the_ledger_refuses_an_assessment_it_cannot_place(ledger: Ledger) -> None:
    count = len(ledger)
    with pytest.raises(InvalidInputError, match="claims are a statement's"):
        ledger.record(judge(IDS["aircraft/a-50"], claim_id=IDS["claim/jcs/airspace"]))
    with pytest.raises(InvalidInputError, match="citations are sources"):
        ledger.record(judge(IDS["aircraft/a-50"], citations=(IDS["statement/jcs"],)))
    with pytest.raises(UnknownEventError):
        ledger.record(judge(uuid.uuid4()))
    with pytest.raises(UnknownEventError):
        ledger.record(judge(IDS["aircraft/a-50"], citations=(uuid.uuid4(),)))
    with pytest.raises(UnknownSourceError):
        ledger.record(judge(IDS["aircraft/a-50"], source_id=IDS["aircraft/a-50"]))
    assert len(ledger) == count


def test_history_words_name_the_judgement(ledger: Ledger) -> None:
    ledger.record(judge(IDS["statement/jcs"], claim_id=IDS["claim/jcs/airspace"]))
    line, source = ledger.history(examples.DOKDO_2019).render().splitlines()[-2:]
    short = IDS["claim/jcs/airspace"].hex[:8]
    assert line.endswith(
        f"assessment-made: assesses claim {short} of #12 statement-issued: doubtful (4) "
        "(no radar track was published)"
    )
    assert source.strip().startswith("source: Joint Chiefs of Staff")


def test_the_fold_kind_of_assessments_is_the_one_assigned() -> None:
    assert Kind.ASSESSMENT == 8


# -- with and without: a property over random histories --------------------------------------


def _recorded(history: list[list[Event]]) -> list[Recorded]:
    records = []
    positions: dict[uuid.UUID, int] = {}
    at = AT
    for batch in history:
        at += timedelta(seconds=1)
        for event in batch:
            positions[event.incident_id] = positions.get(event.incident_id, 0) + 1
            records.append(
                Recorded(
                    event=event,
                    sequence=len(records) + 1,
                    position=positions[event.incident_id],
                    recorded_at=at,
                    recorder="r",
                )
            )
    return records


def _without_assessments(records: list[Recorded]) -> list[Recorded]:
    """The records but the assessments and whatever corrects, retracts or assesses them."""
    gone: set[uuid.UUID] = set()
    kept = []
    for record in records:
        event = record.event
        target = getattr(event, "target_id", None)
        if isinstance(event, AssessmentMade) or target in gone:
            gone.add(event.event_id)
        else:
            kept.append(record)
    # Positions are renumbered, as if the assessments had never been recorded.
    return [
        attrs.evolve(r, position=n)
        for incident in {r.incident_id for r in kept}
        for n, r in enumerate((r for r in kept if r.incident_id == incident), start=1)
    ]


def _facts(incident: Incident | None, gone: set[uuid.UUID]) -> Incident | None:
    if incident is None:
        return None
    return attrs.evolve(
        incident,
        assessments=(),
        retracted=tuple(r for r in incident.retracted if r not in gone),
        last_position=0,
        last_recorded_at=None,
    )


@settings(max_examples=60)
@given(history=histories(max_events=25))
def test_folding_with_and_without_assessments_differs_only_in_the_assessments(
    history: list[list[Event]],
) -> None:
    records = _recorded(history)
    without = _without_assessments(records)
    gone = {r.event_id for r in records} - {r.event_id for r in without}
    for incident_id in {r.incident_id for r in records}:
        full = fold([r for r in records if r.incident_id == incident_id])
        bare = fold([r for r in without if r.incident_id == incident_id])
        assert _facts(full, gone) == _facts(bare, gone)


def test_an_assessment_of_a_claim_its_statement_no_longer_holds_stands_beside_nothing(
    ledger: Ledger,
) -> None:
    assessment = judge(IDS["statement/war-zone"], claim_id=IDS["claim/war-zone/warning-shots"])
    ledger.record(assessment)
    statement = next(e for e in examples.dokdo_2019() if e.event_id == IDS["statement/war-zone"])
    ledger.record(
        Correction.of(
            statement,
            source_id=IDS["source/war-zone"],
            reason="the article withdrew its count",
            claims=(),
        )
    )
    incident = ledger.incident(examples.DOKDO_2019)
    assert [a.id for a in incident.assessments] == [assessment.event_id]
    assert all(
        assessment.event_id not in {a.id for a in c.assessments} for c in incident.compared_claims()
    )
