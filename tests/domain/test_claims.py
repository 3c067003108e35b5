"""
Claims state typed propositions; claims of before stay free text, byte for byte.

Each kind of proposition checks its parameters like the events' own fields
(nation codes, counts from 0, bounded texts) and round-trips through the
canonical encoding, the compiled encoders and the trusted decoder. A claim of
only a topic, a stance and a text encodes exactly as claims always did, and
every claim has an id by which it can be judged.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    MAX_INTEGER,
    MAX_NAME_LENGTH,
    AimedAtThirdParties,
    AircraftCounted,
    AirspaceEntered,
    Claim,
    Correction,
    EscortedBy,
    EventDated,
    InvalidInputError,
    Ledger,
    Sovereignty,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
    WarningShotsFired,
    ZoneEntered,
    canonical_bytes,
    converter,
    decode_event,
    decode_recorded,
    derived_claim_id,
    encode_event,
    examples,
    fold,
)
from incidents._codec.canonical import reference_encode_event
from incidents._codec.trusted import structure_trusted
from incidents._domain.claims import PROPOSITION_KINDS, PROPOSITION_TYPES
from support.strategies import instances

DATA = Path(__file__).parent.parent / "audit" / "data"
INC = uuid.uuid4()
SRC = uuid.uuid4()
DAY = ValidTime.day("2019-07-23", tz="Asia/Seoul")

# One valid proposition of every kind, with the name of a parameter each checks.
EXAMPLES: list[tuple[Any, str, Any]] = [
    (AirspaceEntered(airspace="KR", by="RU", aircraft_type="A-50", entries=2), "airspace", "UK"),
    (ZoneEntered(zone="KADIZ", by="CN"), "by", "XX"),
    (AircraftCounted(nation="CN", aircraft_type="H-6K", count=2), "count", -1),
    (EventDated(day="2019-07-23", tz="Asia/Seoul"), "tz", "Mars/Olympus"),
    (WarningShotsFired(by="KR", at="RU", rounds=360, approximate=True), "rounds", -360),
    (EscortedBy(nation="RU", aircraft_type="Su-35S"), "aircraft_type", " "),
    (AimedAtThirdParties(at="US"), "at", "SU"),
    (Sovereignty(territory="Dokdo", aliases=("Takeshima",), nation="KR"), "territory", ""),
]


def statement(*claims: Claim, event_id: uuid.UUID | None = None) -> StatementIssued:
    extra = {} if event_id is None else {"event_id": event_id}
    return StatementIssued(
        incident_id=INC,
        source_id=SRC,
        speaker=Speaker(organization="JCS"),
        medium="statement",
        claims=claims,
        valid_time=DAY,
        **extra,
    )


def test_every_kind_is_listed_once() -> None:
    assert {type(p) for p, _, _ in EXAMPLES} == set(PROPOSITION_TYPES)
    assert len(PROPOSITION_KINDS) == len(PROPOSITION_TYPES)


@pytest.mark.parametrize(("proposition", "field", "bad"), EXAMPLES, ids=lambda v: str(v)[:30])
def test_each_kind_refuses_a_bad_parameter(proposition: Any, field: str, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=field if field != "tz" else "time zone"):
        attrs.evolve(proposition, **{field: bad})


@pytest.mark.parametrize(("proposition", "field", "bad"), EXAMPLES, ids=lambda v: str(v)[:30])
def test_each_kind_round_trips_in_a_claim(proposition: Any, field: str, bad: Any) -> None:
    claim = Claim(stance=Stance.AFFIRMS, text="said so", proposition=proposition)
    event = statement(claim)
    data = encode_event(event)

    assert decode_event(data) == event
    assert structure_trusted(json.loads(data)) == event
    assert reference_encode_event(event) == data
    assert json.loads(data)["claims"][0]["proposition"]["kind"] == proposition.KIND
    assert claim.kind == proposition.KIND
    assert claim.topic == proposition.KIND


@given(data=st.data())
def test_generated_propositions_round_trip(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(PROPOSITION_TYPES))
    proposition = data.draw(instances(cls))
    claim = Claim(stance=Stance.DENIES, text="no", proposition=proposition)
    event = statement(claim)
    encoded = encode_event(event)
    assert decode_event(encoded) == event
    assert reference_encode_event(event) == encoded


def test_counts_start_at_zero_and_stop_at_64_bits() -> None:
    assert WarningShotsFired(by="KR", rounds=0, flares=0).rounds == 0
    assert AircraftCounted(nation="CN", aircraft_type="H-6", count=0).count == 0
    for bad in (MAX_INTEGER + 1, True, 2.0, "3"):
        with pytest.raises(InvalidInputError, match="rounds"):
            WarningShotsFired(by="KR", rounds=bad)
    with pytest.raises(InvalidInputError, match="entries"):
        AirspaceEntered(entries=-1)


def test_texts_are_bounded() -> None:
    with pytest.raises(InvalidInputError, match="zone is"):
        ZoneEntered(zone="K" * (MAX_NAME_LENGTH + 1))
    with pytest.raises(InvalidInputError, match="aliases"):
        Sovereignty(territory="Dokdo", aliases=("",), nation="KR")
    with pytest.raises(InvalidInputError, match="aliases"):
        Sovereignty(territory="Dokdo", aliases="Takeshima", nation="KR")


def test_a_date_is_kept_as_yyyy_mm_dd_in_its_zone() -> None:
    assert EventDated(day=date(2019, 7, 23), tz="Asia/Seoul").day == "2019-07-23"
    assert EventDated(day="20190723", tz="Asia/Seoul").day == "2019-07-23"
    dated = EventDated(day="2024-07-24", tz="America/Anchorage")
    assert dated.valid_time == ValidTime.day("2024-07-24", tz="America/Anchorage")
    for bad in ("24 July", 20190723, "2019-02-30"):
        with pytest.raises(InvalidInputError, match="day"):
            EventDated(day=bad, tz="UTC")


def test_a_free_text_claim_needs_a_topic() -> None:
    with pytest.raises(InvalidInputError, match="topic"):
        Claim(stance=Stance.AFFIRMS, text="said so")
    with pytest.raises(InvalidInputError, match="topic"):
        Claim(topic="  ", stance=Stance.AFFIRMS, text="said so")
    with pytest.raises(InvalidInputError, match="topic"):
        Claim(topic=" ", stance=Stance.AFFIRMS, text="x", proposition=AimedAtThirdParties())
    free = Claim(topic="violated-foreign-airspace", stance=Stance.DENIES, text="no")
    assert free.kind == "free-text"
    assert free.proposition is None
    assert free.describe() == "denies violated-foreign-airspace"


def test_a_proposition_must_be_of_a_known_kind() -> None:
    with pytest.raises(InvalidInputError, match="proposition"):
        Claim(stance=Stance.AFFIRMS, text="x", proposition="airspace")  # type: ignore[arg-type]
    claim = Claim(stance=Stance.AFFIRMS, text="x", proposition=AimedAtThirdParties())
    data = json.loads(encode_event(statement(claim)))
    data["claims"][0]["proposition"]["kind"] = "airspace-violated"
    with pytest.raises(InvalidInputError, match="unknown kind"):
        decode_event(json.dumps(data))


def test_an_old_claim_encodes_as_claims_always_did() -> None:
    claim = Claim(topic="aimed-at-third-parties", stance=Stance.DENIES, text="It did not.")
    assert json.loads(encode_event(statement(claim)))["claims"] == [
        {"stance": "denies", "text": "It did not.", "topic": "aimed-at-third-parties"}
    ]
    assert converter.unstructure(claim) == {
        "topic": "aimed-at-third-parties",
        "stance": "denies",
        "text": "It did not.",
    }


def test_stored_records_of_before_decode_and_encode_to_the_same_bytes() -> None:
    lines = (DATA / "bundle-v1.jsonl").read_bytes().splitlines()[1:]
    statements = 0
    for line in lines:
        recorded = decode_recorded(line)
        assert canonical_bytes(recorded) == line
        if isinstance(recorded.event, StatementIssued):
            statements += 1
            assert all(c.kind == "free-text" for c in recorded.event.claims)
    assert statements == 4


def test_a_corrected_old_claim_keeps_its_encoding() -> None:
    old = next(e for e in examples.alaska_2024() if isinstance(e, StatementIssued))
    changed = (*old.claims[:-1], attrs.evolve(old.claims[-1], text="Not aimed at anyone."))
    correction = Correction.of(old, source_id=SRC, reason="wording", claims=changed)
    assert correction.changes["claims"][-1] == {
        "topic": "aimed-at-third-parties",
        "stance": "denies",
        "text": "Not aimed at anyone.",
    }


def test_claims_without_an_id_are_known_by_statement_and_place() -> None:
    a = Claim(topic="a", stance=Stance.AFFIRMS, text="a")
    b = Claim(topic="b", stance=Stance.AFFIRMS, text="b")
    event = statement(a, b)
    ids = event.claim_ids()
    assert ids == (derived_claim_id(event.event_id, 0), derived_claim_id(event.event_id, 1))
    assert len(set(ids)) == 2
    # The same statement id and place always give the same id; another statement, another.
    again = statement(a, b, event_id=event.event_id)
    assert again.claim_ids() == ids
    assert statement(a, b).claim_ids() != ids


def test_a_claim_keeps_the_id_it_was_given() -> None:
    own = uuid.uuid4()
    event = statement(
        Claim(topic="a", stance=Stance.AFFIRMS, text="a"),
        Claim(topic="b", stance=Stance.AFFIRMS, text="b", claim_id=own),
    )
    assert event.claim_ids()[1] == own
    with pytest.raises(InvalidInputError, match="two claims"):
        statement(
            Claim(topic="a", stance=Stance.AFFIRMS, text="a", claim_id=own),
            Claim(topic="b", stance=Stance.AFFIRMS, text="b", claim_id=own),
        )


def test_a_correction_cannot_give_two_claims_one_id() -> None:
    own = uuid.uuid4()
    event = statement(Claim(topic="a", stance=Stance.AFFIRMS, text="a", claim_id=own))
    twice = (event.claims[0], event.claims[0])
    with pytest.raises(InvalidInputError, match="two claims"):
        Correction.of(event, source_id=SRC, reason="doubled", claims=twice)


def test_propositions_describe_themselves() -> None:
    assert (
        AirspaceEntered(
            airspace="KR", by="RU", aircraft_type="A-50", entries=2, over="Dokdo"
        ).describe()
        == "airspace of KR entered by RU A-50 (2 times, over Dokdo)"
    )
    assert AirspaceEntered().describe() == "airspace of any nation entered"
    assert WarningShotsFired(by="KR", rounds=80, flares=10).figures() == "10 flares and 80 rounds"
    assert WarningShotsFired(by="KR", rounds=400, approximate=True).describe() == (
        "warning shots fired by KR (about 400 rounds)"
    )
    assert Sovereignty(territory="Takeshima", aliases=("Dokdo",), nation="JP").describe() == (
        "Takeshima (Dokdo) belongs to JP"
    )


def test_a_ledger_of_before_folds_and_compares_its_free_text_claims(tmp_path: Path) -> None:
    copy = tmp_path / "ledger-v0.db"
    copy.write_bytes((DATA / "ledger-v0.db").read_bytes())
    with Ledger.open(copy, read_only=True) as ledger:
        incident = ledger.incident(examples.ALASKA_2024)
        assert incident == fold(ledger.events(examples.ALASKA_2024))
        found = incident.contradictions()
    (airspace,) = found.agreed[:1]
    assert airspace.subject == "violated-foreign-airspace"
    assert [c.publisher for c in airspace.claims] == [examples.NORAD, "RIA Novosti"]
