from __future__ import annotations

import uuid
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given

from incidents import (
    EVENT_TYPES,
    AircraftReported,
    Claim,
    Correction,
    Event,
    Interceptor,
    InvalidInputError,
    PatrolReported,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    ValidTime,
)
from support.strategies import events

INC = uuid.uuid4()
SRC = uuid.uuid4()
DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")


def test_vocabulary_names_are_stable_and_unique() -> None:
    assert {
        "incident-opened",
        "source-registered",
        "aircraft-reported",
        "patrol-reported",
        "intercept-reported",
        "statement-issued",
        "assessment-made",
        "reports-reconciled",
        "zone-entry-reported",
        "airspace-violation-alleged",
        "warning-shots-reported",
        "diplomatic-protest",
        "landing-reported",
        "flight-duration-reported",
        "series-assigned",
        "incident-linked",
        "zone-declared",
        "zone-amended",
        "track-observed",
        "area-reported",
        "correction",
        "retraction",
    } == set(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        assert name == cls.TYPE
        assert attrs.has(cls)
        assert "__dict__" not in dir(cls), f"{cls.__name__} must be slotted"


@given(events())
def test_events_are_frozen(event: Event) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.incident_id = uuid.uuid4()  # type: ignore[misc]


@given(events())
def test_generated_events_reference_only_uuids(event: Event) -> None:
    assert all(isinstance(r, uuid.UUID) for r in event.references())


def test_count_below_one_is_refused() -> None:
    for count in (0, -2, True, 1.5):
        with pytest.raises(InvalidInputError, match="count"):
            AircraftReported(
                incident_id=INC,
                source_id=SRC,
                type_designation="H-6",
                nation="CN",
                count=count,
                valid_time=DAY,
            )


def test_empty_speaker_and_quotes_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="speaker needs"):
        Speaker()
    with pytest.raises(InvalidInputError, match="name"):
        Speaker(name="  ", organization="MND")
    with pytest.raises(InvalidInputError, match="quotes"):
        StatementIssued(
            incident_id=INC,
            source_id=SRC,
            speaker=Speaker(organization="NORAD"),
            medium="news release",
            quotes=("",),
            valid_time=DAY,
        )


def test_types_are_checked_with_the_library_error() -> None:
    with pytest.raises(InvalidInputError, match="incident_id must be UUID"):
        AircraftReported(
            incident_id=str(INC),  # type: ignore[arg-type]
            source_id=SRC,
            type_designation="H-6",
            nation="CN",
            valid_time=DAY,
        )
    with pytest.raises(InvalidInputError, match="ISO 3166"):
        AircraftReported(
            incident_id=INC, source_id=SRC, type_designation="H-6", nation="China", valid_time=DAY
        )
    with pytest.raises(InvalidInputError, match="credibility"):
        SourceRegistered(
            incident_id=INC, kind=SourceKind.TRANSCRIPT, publisher="MND", credibility=7
        )
    with pytest.raises(InvalidInputError, match="naive"):
        SourceRegistered(
            incident_id=INC,
            kind=SourceKind.TRANSCRIPT,
            publisher="MND",
            published_at=datetime(2024, 7, 25),
        )


def test_source_id_is_the_event_id() -> None:
    source = SourceRegistered(incident_id=INC, kind=SourceKind.PRESS_RELEASE, publisher="NORAD")
    assert source.event_id == source.source_id
    with pytest.raises(InvalidInputError, match="event_id is its source_id"):
        SourceRegistered(
            incident_id=INC,
            kind=SourceKind.PRESS_RELEASE,
            publisher="NORAD",
            source_id=SRC,
            event_id=uuid.uuid4(),
        )
    with pytest.raises(InvalidInputError, match="cite itself"):
        SourceRegistered(
            incident_id=INC,
            kind=SourceKind.PRESS_RELEASE,
            publisher="NORAD",
            source_id=SRC,
            cites=SRC,
        )


def test_joint_patrol_needs_two_nations() -> None:
    with pytest.raises(InvalidInputError, match="two nations"):
        PatrolReported(
            incident_id=INC, source_id=SRC, aircraft=(), nations=("CN",), joint=True, valid_time=DAY
        )


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("UK", "the United Kingdom's code is 'GB'"),
        ("XX", "'XX' is a user-assigned code"),
        ("XK", "'XK' is a user-assigned code"),
        ("QZ", "'QZ' is a user-assigned code"),
        ("EU", "'EU' is not assigned to any country"),
        ("SU", r"'SU' was withdrawn \(USSR"),
        ("us", "codes are written in capitals: 'US'"),
        ("China", r"did you mean 'CN' \(China\)"),
        ("C", "two capital letters"),
    ],
)
def test_nations_must_be_assigned_iso_codes(code: str, says: str) -> None:
    with pytest.raises(InvalidInputError, match=f"nation must be an assigned ISO 3166-1.*{says}"):
        AircraftReported(
            incident_id=INC, source_id=SRC, type_designation="H-6", nation=code, valid_time=DAY
        )
    with pytest.raises(InvalidInputError, match=says):
        Interceptor(nation=code)
    with pytest.raises(InvalidInputError, match=says):
        PatrolReported(
            incident_id=INC, source_id=SRC, aircraft=(), nations=("CN", code), valid_time=DAY
        )


def test_every_assigned_nation_code_is_accepted() -> None:
    import pycountry

    codes = sorted(c.alpha_2 for c in pycountry.countries)
    assert {"GB", "TW", "KP", "PS", "AQ"} <= set(codes)
    for code in codes:
        assert Interceptor(nation=code).nation == code


def test_a_correction_to_an_unassigned_nation_is_refused() -> None:
    aircraft = AircraftReported(
        incident_id=INC, source_id=SRC, type_designation="F-35", nation="US", valid_time=DAY
    )
    assert Correction.of(aircraft, source_id=SRC, reason="x", nation="GB").changes == {
        "nation": "GB"
    }
    with pytest.raises(InvalidInputError, match="'GB'"):
        Correction.of(aircraft, source_id=SRC, reason="x", nation="UK")


def test_corrections_are_checked() -> None:
    statement = StatementIssued(
        incident_id=INC,
        source_id=SRC,
        speaker=Speaker(name="Chen Xiaogang", organization="MND"),
        medium="statement",
        claims=(
            Claim(
                topic="aimed-at-third-parties",
                stance=Stance.DENIES,
                text="Not aimed at third parties.",
            ),
        ),
        valid_time=DAY,
    )
    fixed = Correction.of(
        statement, source_id=SRC, reason="transcript", speaker=Speaker(name="Zhang Xiaogang")
    )
    assert fixed.changes == {
        "speaker": {"name": "Zhang Xiaogang", "organization": None, "role": None}
    }
    assert statement.event_id == fixed.target_id
    with pytest.raises(InvalidInputError, match="no field 'spokesman'"):
        Correction.of(statement, source_id=SRC, reason="x", spokesman="Zhang")
    with pytest.raises(InvalidInputError):
        Correction.of(statement, source_id=SRC, reason="x", speaker="Zhang Xiaogang")
    with pytest.raises(InvalidInputError, match="cannot change source_id"):
        Correction(
            incident_id=INC,
            source_id=SRC,
            target_id=statement.event_id,
            changes={"source_id": "x"},
            reason="r",
        )
    with pytest.raises(InvalidInputError, match="at least one field"):
        Correction(
            incident_id=INC, source_id=SRC, target_id=statement.event_id, changes={}, reason="r"
        )
    with pytest.raises(InvalidInputError, match="reason"):
        Retraction(incident_id=INC, source_id=SRC, target_id=statement.event_id, reason="")


def test_published_at_is_normalised_to_utc() -> None:
    from datetime import timedelta, timezone

    beijing = timezone(timedelta(hours=8))
    source = SourceRegistered(
        incident_id=INC,
        kind=SourceKind.OFFICIAL_STATEMENT,
        publisher="MND",
        published_at=datetime(2024, 7, 25, 20, tzinfo=beijing),
    )
    assert source.published_at is not None
    assert UTC is source.published_at.tzinfo
    assert datetime(2024, 7, 25, 12, tzinfo=UTC) == source.published_at
