"""
References to other events: declared with the vocabulary, never corrected.

A reference (a patrol's aircraft, what an intercept intercepted, the source
a source cites, what a correction or retraction targets) is checked by the
ledger when its event is recorded. A correction that rewrote one would
slip past that check and be ignored by every read, so a correction may
change only the fields that are facts: never an id or a reference.
"""

from __future__ import annotations

import uuid
from typing import Any

import attrs
import pytest

from incidents import (
    EVENT_TYPES,
    AircraftReported,
    AssessmentMade,
    Correction,
    Event,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    InvalidInputError,
    PatrolReported,
    ReportsReconciled,
    Retraction,
    SourceKind,
    SourceRegistered,
    StatementIssued,
    ValidTime,
)
from incidents._domain.events import UNCORRECTABLE_FIELDS

INC = uuid.uuid4()
SRC = uuid.uuid4()
DAY = ValidTime.day("2024-07-24", tz="America/Anchorage")

SOURCE = SourceRegistered(
    incident_id=INC, source_id=SRC, kind=SourceKind.NEWS_ARTICLE, publisher="RIA Novosti"
)
H6 = AircraftReported(
    incident_id=INC, source_id=SRC, type_designation="H-6", nation="CN", valid_time=DAY
)
PATROL = PatrolReported(
    incident_id=INC, source_id=SRC, aircraft=(H6.event_id,), nations=("CN",), valid_time=DAY
)
INTERCEPT = InterceptReported(
    incident_id=INC,
    source_id=SRC,
    interceptors=(Interceptor(nation="US"),),
    intercepted=(PATROL.event_id,),
    valid_time=DAY,
)
H6K = AircraftReported(
    incident_id=INC, source_id=SRC, type_designation="H-6K", nation="CN", valid_time=DAY
)
SAME = ReportsReconciled(
    incident_id=INC, source_id=SRC, reports=(H6.event_id, H6K.event_id), same=True, reason="r"
)
COUNT = Correction.of(H6, source_id=SRC, reason="recounted", count=3)
WITHDRAWN = Retraction(incident_id=INC, source_id=SRC, target_id=H6.event_id, reason="no")
JUDGED = AssessmentMade(
    incident_id=INC,
    source_id=SRC,
    target_id=H6.event_id,
    credibility=2,
    reasoning="seen on radar",
    citations=(SRC,),
)

# Each event with a reference field, and a new value for it (ordinary and serialized).
REFERENCES: list[tuple[Event, str, Any, Any]] = [
    (PATROL, "aircraft", (uuid.uuid4(),), [str(uuid.uuid4())]),
    (INTERCEPT, "intercepted", (uuid.uuid4(),), [str(uuid.uuid4())]),
    (SOURCE, "cites", (uuid.uuid4(),), [str(uuid.uuid4())]),
    (SAME, "reports", (uuid.uuid4(), uuid.uuid4()), [str(uuid.uuid4()), str(uuid.uuid4())]),
    (COUNT, "target_id", uuid.uuid4(), str(uuid.uuid4())),
    (WITHDRAWN, "target_id", uuid.uuid4(), str(uuid.uuid4())),
    (JUDGED, "target_id", uuid.uuid4(), str(uuid.uuid4())),
    (JUDGED, "citations", (uuid.uuid4(),), [str(uuid.uuid4())]),
    (JUDGED, "claim_id", uuid.uuid4(), str(uuid.uuid4())),
]
# An assessment's claim_id names a claim of the statement it targets: an id too.
IDS = ["event_id", "incident_id", "source_id", "claim_id"]


def test_each_type_declares_its_reference_fields_and_what_they_may_point_at() -> None:
    fields = {name: cls.REFERENCE_FIELDS for name, cls in EVENT_TYPES.items()}
    assert fields == {
        "incident-opened": (),
        "source-registered": ("cites",),
        "aircraft-reported": (),
        "patrol-reported": ("aircraft",),
        "intercept-reported": ("intercepted",),
        "statement-issued": (),
        "assessment-made": ("target_id", "citations"),
        "reports-reconciled": ("reports",),
        "zone-entry-reported": ("aircraft",),
        "airspace-violation-alleged": ("aircraft",),
        "warning-shots-reported": ("aircraft",),
        "diplomatic-protest": (),
        "landing-reported": ("aircraft",),
        "flight-duration-reported": ("of",),
        "series-assigned": (),
        "incident-linked": (),
        "zone-declared": (),
        "zone-amended": (),
        "track-observed": ("aircraft",),
        "area-reported": ("aircraft",),
        "correction": ("target_id",),
        "retraction": ("target_id",),
    }
    targets = {name: cls.REFERS_TO for name, cls in EVENT_TYPES.items()}
    assert targets == {
        "incident-opened": frozenset(),
        "source-registered": {"source-registered"},
        "aircraft-reported": frozenset(),
        "patrol-reported": {"aircraft-reported"},
        "intercept-reported": {"aircraft-reported", "patrol-reported"},
        "statement-issued": frozenset(),
        # An assessment judges anything, and may itself be corrected and retracted.
        "assessment-made": set(EVENT_TYPES),
        "reports-reconciled": {"aircraft-reported"},
        "zone-entry-reported": {"aircraft-reported"},
        "airspace-violation-alleged": {"aircraft-reported"},
        "warning-shots-reported": {"aircraft-reported"},
        "diplomatic-protest": frozenset(),
        "landing-reported": {"aircraft-reported"},
        "flight-duration-reported": {"aircraft-reported", "patrol-reported"},
        "series-assigned": frozenset(),
        "incident-linked": frozenset(),
        "zone-declared": frozenset(),
        "zone-amended": frozenset(),
        "track-observed": {"aircraft-reported", "patrol-reported"},
        "area-reported": {"aircraft-reported", "patrol-reported"},
        # Anything may be corrected but a retraction; anything retracted but
        # what opens a stream (an incident, a zone).
        "correction": set(EVENT_TYPES) - {Retraction.TYPE},
        "retraction": set(EVENT_TYPES) - {IncidentOpened.TYPE, "zone-declared"},
    }
    for cls in EVENT_TYPES.values():
        names = attrs.fields_dict(cls)
        assert all(name in names for name in cls.REFERENCE_FIELDS), cls


def test_references_lists_every_reference() -> None:
    assert PATROL.references() == (H6.event_id,)
    assert INTERCEPT.references() == (PATROL.event_id,)
    assert COUNT.references() == (H6.event_id,)
    assert SAME.references() == (H6.event_id, H6K.event_id)
    assert SOURCE.references() == ()
    citing = SourceRegistered(
        incident_id=INC, kind=SourceKind.NEWS_ARTICLE, publisher="TASS", cites=SRC
    )
    assert citing.references() == (SRC,)


def test_a_reference_is_a_reference_in_every_type() -> None:
    # Corrections refuse fields by name, whatever they target: a name that is
    # a reference in one type must not be a fact in another.
    references = {name for cls in EVENT_TYPES.values() for name in cls.REFERENCE_FIELDS}
    for cls in EVENT_TYPES.values():
        for name in attrs.fields_dict(cls):
            if name in references:
                assert name in cls.REFERENCE_FIELDS, f"{cls.__name__}.{name}"
    # Besides: a zone entry's zone id, and a link's other incident (checked across incidents).
    assert references | set(IDS) | {"zone_id", "other_incident"} == UNCORRECTABLE_FIELDS


@pytest.mark.parametrize(
    ("target", "field", "value", "serialized"),
    REFERENCES,
    ids=[f"{t.TYPE}.{f}" for t, f, _, _ in REFERENCES],
)
def test_a_correction_cannot_change_a_reference(
    target: Event, field: str, value: Any, serialized: Any
) -> None:
    with pytest.raises(InvalidInputError, match=f"cannot change {field}"):
        Correction(
            incident_id=INC,
            source_id=SRC,
            target_id=target.event_id,
            changes={field: serialized},
            reason="r",
        )
    with pytest.raises(InvalidInputError, match=f"cannot change {field}"):
        Correction.of(target, source_id=SRC, reason="r", **{field: value})


@pytest.mark.parametrize("field", IDS)
def test_a_correction_cannot_change_an_id(field: str) -> None:
    for target in (H6, COUNT, SOURCE):
        with pytest.raises(InvalidInputError, match=f"cannot change {field}"):
            Correction(
                incident_id=INC,
                source_id=SRC,
                target_id=target.event_id,
                changes={field: str(uuid.uuid4())},
                reason="r",
            )
    with pytest.raises(InvalidInputError, match="cannot change incident_id"):
        Correction.of(H6, source_id=SRC, reason="r", incident_id=uuid.uuid4())


@pytest.mark.parametrize("field", ["aircraft", "target_id", "event_id"])
def test_a_correction_of_a_correction_cannot_bring_in_a_reference(field: str) -> None:
    # The corrected correction's changes apply to its own target: they are
    # checked the same way, however deep.
    for changes in (
        {"changes": {field: str(uuid.uuid4())}},
        {"changes": {"changes": {"count": 2, field: str(uuid.uuid4())}}},
    ):
        with pytest.raises(InvalidInputError, match=f"cannot change {field}"):
            Correction(
                incident_id=INC,
                source_id=SRC,
                target_id=COUNT.event_id,
                changes=changes,
                reason="r",
            )
    with pytest.raises(InvalidInputError, match=f"cannot change {field}"):
        Correction.of(COUNT, source_id=SRC, reason="r", changes={field: str(uuid.uuid4())})


def test_facts_can_still_be_corrected() -> None:
    assert Correction.of(PATROL, source_id=SRC, reason="r", areas=("Bering Sea",)).changes == {
        "areas": ["Bering Sea"]
    }
    assert Correction.of(SOURCE, source_id=SRC, reason="r", publisher="TASS").changes == {
        "publisher": "TASS"
    }
    again = Correction.of(COUNT, source_id=SRC, reason="r", changes={"count": 4})
    assert again.changes == {"changes": {"count": 4}}
    assert Correction.of(SAME, source_id=SRC, reason="r", same=False).changes == {"same": False}
    statement_fields = set(attrs.fields_dict(StatementIssued)) - UNCORRECTABLE_FIELDS
    assert statement_fields == {"speaker", "medium", "quotes", "claims", "language", "valid_time"}
