"""
Claims compared: grouped by proposition, split into sides, disputes found, reference data checked.

One test per rule of ``incidents._domain.contradictions``, then the worked
examples: the Dokdo patrol's three disputes (airspace, sovereignty, rounds
fired) and the Alaska patrol's agreement between the Russian defence
ministry and NORAD.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from incidents import (
    AimedAtThirdParties,
    AircraftCounted,
    AirspaceEntered,
    Claim,
    Comparison,
    Contradictions,
    EscortedBy,
    EventDated,
    FixedClock,
    IncidentOpened,
    Ledger,
    Reliability,
    SourceKind,
    SourceRegistered,
    Sovereignty,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
    Verdict,
    WarningShotsFired,
    ZoneEntered,
    examples,
)

AFFIRMS, DENIES = Stance.AFFIRMS, Stance.DENIES
DAY = ValidTime.day("2019-07-23", tz="Asia/Seoul")


def compare(*statements: tuple[str, tuple[Claim, ...]]) -> Contradictions:
    """Record one statement per (organization, claims) and compare their claims."""
    incident, source = uuid.uuid4(), uuid.uuid4()
    events: list[Any] = [
        IncidentOpened(incident_id=incident, source_id=source, title="t"),
        SourceRegistered(
            incident_id=incident,
            source_id=source,
            kind=SourceKind.NEWS_ARTICLE,
            publisher="Wire",
            reliability=Reliability.C,
        ),
    ]
    for organization, claims in statements:
        events.append(
            StatementIssued(
                incident_id=incident,
                source_id=source,
                speaker=Speaker(organization=organization),
                medium="statement",
                claims=claims,
                valid_time=DAY,
            )
        )
    with Ledger.open(":memory:") as ledger:
        ledger.record(*events)
        return ledger.incident(incident).contradictions()


def claim(stance: Stance, proposition: Any = None, topic: str = "") -> Claim:
    return Claim(topic=topic, stance=stance, text="said so", proposition=proposition)


def only(found: Contradictions) -> Comparison:
    assert len(found.comparisons) == 1, [c.subject for c in found.comparisons]
    return found.comparisons[0]


def speakers(comparison: Comparison) -> list[list[str | None]]:
    return [[c.speaker.organization for c in side.claims] for side in comparison.sides]


def test_opposite_stances_on_one_proposition_are_disputed() -> None:
    shots = WarningShotsFired(by="KR")
    found = only(compare(("KR", (claim(AFFIRMS, shots),)), ("RU", (claim(DENIES, shots),))))
    assert found.verdict is Verdict.DISPUTED
    assert [s.position for s in found.sides] == ["affirms", "denies"]
    assert found.conflicts == ((0, 1),)
    assert speakers(found) == [["KR"], ["RU"]]


def test_the_same_stance_agrees_and_a_lone_claim_is_uncontested() -> None:
    agreed = only(
        compare(
            ("RU", (claim(DENIES, AimedAtThirdParties()),)),
            ("CN", (claim(DENIES, AimedAtThirdParties()),)),
        )
    )
    assert agreed.verdict is Verdict.AGREED
    assert speakers(agreed) == [["RU", "CN"]]
    lone = only(compare(("CN", (claim(AFFIRMS, EscortedBy(nation="RU", aircraft_type="Su-35S")),))))
    assert lone.verdict is Verdict.UNCONTESTED


def test_different_figures_are_disputed_and_missing_figures_are_not() -> None:
    found = only(
        compare(
            ("a", (claim(AFFIRMS, WarningShotsFired(by="KR", rounds=360, approximate=True)),)),
            ("b", (claim(AFFIRMS, WarningShotsFired(by="KR", rounds=80, flares=10)),)),
            ("c", (claim(AFFIRMS, WarningShotsFired(by="KR", flares=10)),)),
            ("d", (claim(AFFIRMS, WarningShotsFired(by="KR")),)),
        )
    )
    assert found.verdict is Verdict.DISPUTED
    assert [s.position for s in found.sides] == [
        "affirms: about 360 rounds",
        "affirms: 10 flares and 80 rounds",
        "affirms: 10 flares",
        "affirms",
    ]
    # 360 against 80 only: 10 flares fits both, no figures fits everything.
    assert found.conflicts == ((0, 1),)


def test_a_denial_with_figures_contradicts_only_those_figures() -> None:
    found = only(
        compare(
            ("a", (claim(AFFIRMS, AircraftCounted(nation="CN", aircraft_type="H-6K", count=2)),)),
            ("b", (claim(DENIES, AircraftCounted(nation="CN", aircraft_type="H-6", count=3)),)),
        )
    )
    # H-6K and H-6 are one family: one proposition, and "not 3" fits "2".
    assert found.subject == "number of H-6K (CN)"
    assert found.verdict is Verdict.AGREED


def test_dates_agree_when_their_days_overlap_across_time_zones() -> None:
    alaska = EventDated(day="2024-07-24", tz="America/Anchorage")
    beijing = EventDated(day="2024-07-25", tz="Asia/Shanghai")
    later = EventDated(day="2024-07-26", tz="Asia/Shanghai")
    assert (
        only(
            compare(("NORAD", (claim(AFFIRMS, alaska),)), ("MND", (claim(AFFIRMS, beijing),)))
        ).verdict
        is Verdict.AGREED
    )
    found = only(compare(("NORAD", (claim(AFFIRMS, alaska),)), ("MND", (claim(AFFIRMS, later),))))
    assert found.verdict is Verdict.DISPUTED


def test_a_wider_denial_is_compared_with_each_narrower_claim() -> None:
    found = compare(
        ("KR", (claim(AFFIRMS, AirspaceEntered(airspace="KR", by="RU", aircraft_type="A-50")),)),
        ("JP", (claim(AFFIRMS, AirspaceEntered(airspace="JP", by="RU", aircraft_type="A-50U")),)),
        ("CN", (claim(DENIES, AirspaceEntered()),)),
    )
    assert [c.subject for c in found.disputed] == [
        "airspace of KR entered by RU A-50",
        "airspace of JP entered by RU A-50U",
    ]
    for comparison in found.disputed:
        assert speakers(comparison)[1] == ["CN"]
        assert len(comparison.wider) == 1


def test_a_wider_affirmation_does_not_contradict_a_narrower_denial() -> None:
    # "Someone entered KR airspace" and "Russia did not" can both be true.
    found = only(
        compare(
            ("KR", (claim(AFFIRMS, AirspaceEntered(airspace="KR")),)),
            ("RU", (claim(DENIES, AirspaceEntered(airspace="KR", by="RU")),)),
        )
    )
    assert found.verdict is Verdict.AGREED


def test_different_subjects_are_different_propositions() -> None:
    found = compare(
        ("KR", (claim(AFFIRMS, ZoneEntered(zone="KADIZ", by="CN")),)),
        ("RU", (claim(DENIES, ZoneEntered(zone="KADIZ", by="RU")),)),
        ("x", (claim(AFFIRMS, ZoneEntered(zone="JADIZ")),)),
    )
    assert [c.verdict for c in found.comparisons] == [Verdict.UNCONTESTED] * 3


def test_sovereignty_is_compared_by_any_shared_name() -> None:
    dokdo = Sovereignty(territory="Dokdo", nation="KR")
    takeshima = Sovereignty(territory="Takeshima", aliases=("Dokdo",), nation="JP")
    rocks = Sovereignty(territory="Liancourt  rocks", aliases=("take-shima",), nation="JP")
    found = only(
        compare(
            ("KR", (claim(AFFIRMS, dokdo),)),
            ("JP", (claim(AFFIRMS, takeshima),)),
            ("JP2", (claim(AFFIRMS, rocks),)),
        )
    )
    assert found.subject == "sovereignty over Dokdo / Takeshima / Liancourt  rocks"
    assert found.verdict is Verdict.DISPUTED
    assert [s.position for s in found.sides] == ["affirms: KR", "affirms: JP"]
    assert speakers(found) == [["KR"], ["JP", "JP2"]]


def test_denying_one_nation_sovereignty_fits_affirming_another_s() -> None:
    found = only(
        compare(
            ("JP", (claim(DENIES, Sovereignty(territory="Dokdo", nation="KR")),)),
            ("JP2", (claim(AFFIRMS, Sovereignty(territory="Dokdo", nation="JP")),)),
        )
    )
    assert found.verdict is Verdict.AGREED


def test_free_text_claims_are_compared_by_topic() -> None:
    found = compare(
        ("RU", (claim(DENIES, topic="violated-foreign-airspace"),)),
        ("NORAD", (claim(DENIES, topic="violated-foreign-airspace"),)),
        ("X", (claim(AFFIRMS, topic="posed-a-threat"), claim(AFFIRMS, AimedAtThirdParties()))),
    )
    assert [(c.kind, c.subject, c.verdict) for c in found.comparisons] == [
        ("free-text", "violated-foreign-airspace", Verdict.AGREED),
        ("free-text", "posed-a-threat", Verdict.UNCONTESTED),
        ("aimed-at-third-parties", "aimed at third parties", Verdict.UNCONTESTED),
    ]


def test_an_escort_by_a_type_the_nation_does_not_fly_contradicts_reference_data() -> None:
    # The Kremlin says Japanese F-16s escorted the bombers; Japan flies no F-16.
    found = compare(
        (
            "Kremlin",
            (
                claim(AFFIRMS, EscortedBy(nation="JP", aircraft_type="F-16")),
                claim(AFFIRMS, EscortedBy(nation="JP", aircraft_type="F-15J")),
                claim(AFFIRMS, EscortedBy(nation="FR", aircraft_type="Rafale")),
                claim(DENIES, EscortedBy(nation="JP", aircraft_type="F-35A")),
            ),
        ),
        ("KR", (claim(AFFIRMS, AirspaceEntered(airspace="KR", by="RU", aircraft_type="F-16")),)),
    )
    assert [c.claim.claim.describe() for c in found.reference_conflicts] == [
        "affirms escorted by JP F-16",
        "affirms airspace of KR entered by RU F-16",
    ]
    assert found.reference_conflicts[0].reason.startswith("Japan (JP) flies no F-16")
    assert "AGAINST REFERENCE DATA" in found.render()


def test_a_denied_or_unknown_type_is_no_reference_conflict() -> None:
    found = compare(
        ("a", (claim(DENIES, EscortedBy(nation="JP", aircraft_type="F-16")),)),
        ("b", (claim(AFFIRMS, EscortedBy(nation="JP", aircraft_type="Mystery-1")),)),
    )
    assert found.reference_conflicts == ()


def test_claims_name_their_speaker_source_and_grade() -> None:
    found = only(compare(("RU MoD", (claim(DENIES, AimedAtThirdParties()),))))
    compared = found.claims[0]
    assert compared.publisher == "Wire"
    assert compared.grade == "C6"
    assert compared.attribution() == "RU MoD (statement), per Wire [C6]"


# -- the worked examples ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dokdo() -> Contradictions:
    clock = FixedClock(examples.DOKDO_2019_REPORTED_AT)
    with Ledger.open(":memory:", clock=clock) as ledger:
        for at, batch in examples.dokdo_2019_batches():
            clock.set(at)
            ledger.record(*batch)
        return ledger.incident(examples.DOKDO_2019).contradictions()


def sides(comparison: Comparison) -> list[tuple[str, list[str]]]:
    return [(s.position, [c.speaker.describe() for c in s.claims]) for s in comparison.sides]


def test_dokdo_the_airspace_dispute(dokdo: Contradictions) -> None:
    (airspace,) = [c for c in dokdo.disputed if c.subject == "airspace of KR entered by RU A-50"]
    assert sides(airspace) == [
        ("affirms: 2 times, over Dokdo", [examples.KR_JCS]),
        (
            "denies",
            [
                examples.RU_MOD,
                f"Wu Qian, spokesman, {examples.CN_MND}",
            ],
        ),
    ]
    assert airspace.conflicts == ((0, 1),)


def test_dokdo_the_sovereignty_dispute(dokdo: Contradictions) -> None:
    (sovereignty,) = dokdo.about("sovereignty")
    assert sovereignty.verdict is Verdict.DISPUTED
    assert sovereignty.subject == "sovereignty over Dokdo / Takeshima / Liancourt Rocks"
    assert sides(sovereignty) == [
        ("affirms: KR", [examples.KR_JCS]),
        ("affirms: JP", ["Government of Japan"]),
    ]


def test_dokdo_the_rounds_fired_dispute(dokdo: Contradictions) -> None:
    (shots,) = dokdo.about("warning-shots")
    assert shots.verdict is Verdict.DISPUTED
    assert [s.position for s in shots.sides] == [
        "affirms: about 360 rounds",
        "affirms: 10 flares and 80 rounds",
        "affirms: about 400 rounds",
    ]
    assert shots.conflicts == ((0, 1), (0, 2), (1, 2))
    assert [s.claims[0].publisher for s in shots.sides] == [
        "Deutsche Welle (DW)",
        "The War Zone",
        "The Epoch Times",
    ]


def test_dokdo_renders_each_dispute_with_both_sides(dokdo: Contradictions) -> None:
    text = dokdo.render()
    for line in (
        "DISPUTED: airspace of KR entered by RU A-50",
        "DISPUTED: sovereignty over Dokdo / Takeshima / Liancourt Rocks",
        "DISPUTED: warning shots fired by KR at RU",
        "  affirms: about 360 rounds (contradicts: affirms: 10 flares and 80 rounds; "
        "affirms: about 400 rounds)",
        "  denies (contradicts: affirms: 2 times, over Dokdo)",
        "      \"The Chinese and Russian aircraft did not enter any other country's "
        'territorial airspace."',
    ):
        assert line in text.splitlines()


def test_alaska_the_russian_ministry_and_norad_agree() -> None:
    with Ledger.open(":memory:") as ledger:
        ledger.record(*examples.alaska_2024())
        found = ledger.incident(examples.ALASKA_2024).contradictions()
    (airspace,) = [c for c in found.comparisons if c.subject == "violated-foreign-airspace"]
    assert airspace.verdict is Verdict.AGREED
    assert sides(airspace) == [("denies", [examples.NORAD, examples.RU_MOD])]
    assert found.disputed == ()
