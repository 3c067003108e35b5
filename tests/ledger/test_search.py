"""Links between incidents, series, and the listing's filters, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import (
    AircraftReported,
    Count,
    FixedClock,
    IncidentLinked,
    IncidentOpened,
    InvalidInputError,
    Ledger,
    LinkRelation,
    Location,
    Position,
    Retraction,
    SeriesAssigned,
    SourceKind,
    SourceRegistered,
    UnknownIncidentError,
    ValidTime,
    examples,
    fold,
)
from incidents._domain.search import Search
from support.backends import Backend
from support.histories import SERIES, ZONES, histories

ALASKA = examples.ALASKA_2024
DOKDO = examples.DOKDO_2019


def record_examples(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    for at, batch in [
        *examples.dokdo_2019_batches(),
        *examples.alaska_2024_batches(),
        *examples.alaska_2024_further(),
    ]:
        clock.set(at)
        ledger.record(*batch)


def opened(incident: UUID, title: str = "Incident") -> list[object]:
    source = uuid4()
    return [
        IncidentOpened(incident_id=incident, source_id=source, title=title),
        SourceRegistered(
            incident_id=incident,
            source_id=source,
            kind=SourceKind.PRESS_RELEASE,
            publisher="Joint Staff Office (JSO)",
        ),
    ]


def link(incident: UUID, source: UUID, other: UUID) -> IncidentLinked:
    return IncidentLinked(
        incident_id=incident,
        source_id=source,
        other_incident=other,
        relation=LinkRelation.SAME_EVENT,
        reason="Japan's record of the same patrol",
    )


def titles(found: list[object]) -> list[str]:
    return [i.title for i in found]  # type: ignore[attr-defined]


# -- links -----------------------------------------------------------------------------------


def test_a_link_must_name_a_recorded_incident(backend: Backend) -> None:
    ledger = backend.open()
    record_examples(ledger)
    mine = uuid4()
    head = opened(mine)
    source = head[1].source_id  # type: ignore[attr-defined]
    before = len(ledger)
    with pytest.raises(UnknownIncidentError, match="not recorded"):
        ledger.record(*head, link(mine, source, uuid4()))  # type: ignore[arg-type]
    assert len(ledger) == before
    # An incident opened later in the same batch is not recorded yet either.
    later = uuid4()
    with pytest.raises(UnknownIncidentError):
        ledger.record(*head, link(mine, source, later), *opened(later))  # type: ignore[arg-type]
    assert len(ledger) == before
    # Earlier in the batch, or already recorded: both fine.
    earlier = uuid4()
    ledger.record(
        *opened(earlier),  # type: ignore[arg-type]
        *head,  # type: ignore[arg-type]
        link(mine, source, earlier),
        link(mine, source, DOKDO),
    )
    links = ledger.incident(mine).links
    assert [(x.other_incident, x.relation) for x in links] == [
        (earlier, LinkRelation.SAME_EVENT),
        (DOKDO, LinkRelation.SAME_EVENT),
    ]
    assert titles(ledger.incidents(linked_to=DOKDO)) == ["Incident"]
    ledger.record(
        Retraction(
            incident_id=mine, source_id=source, target_id=links[1].id, reason="another patrol"
        )
    )
    assert ledger.incidents(linked_to=DOKDO) == []
    assert [x.other_incident for x in ledger.incident(mine).links] == [earlier]


# -- series ------------------------------------------------------------------------------------


def test_a_series_in_order(backend: Backend) -> None:
    ledger = backend.open()
    record_examples(ledger)
    found = ledger.series("china-russia JOINT strategic air patrol")
    assert [(e.number, e.incident.id) for e in found] == [(1, DOKDO), (8, ALASKA)]
    # As known before the Alaska patrol was numbered, only Dokdo was in the series.
    known = ledger.series(examples.JOINT_PATROLS, examples.ALASKA_2024_ACCOUNTS_AT)
    assert [e.incident.id for e in known] == [DOKDO]
    # A source that numbers it differently: both numbers are shown, and none is chosen.
    ids = examples.alaska_2024_ids()
    ledger.clock.set(examples.ALASKA_2024_FURTHER_AT + timedelta(days=1))  # type: ignore[attr-defined]
    ledger.record(
        SeriesAssigned(
            incident_id=ALASKA,
            source_id=ids["source/ria"],
            series=examples.JOINT_PATROLS,
            number=9,
        )
    )
    alaska = ledger.series(examples.JOINT_PATROLS)[1]
    assert (alaska.number, alaska.numbers) == (None, (8, 9))


# -- filters -------------------------------------------------------------------------------------


def test_filters_on_the_examples(backend: Backend) -> None:
    ledger = backend.open()
    record_examples(ledger)
    both = [
        "First China-Russia joint air patrol, near Dokdo/Takeshima",
        examples._published()[0].title,
    ]  # type: ignore[attr-defined]
    assert titles(ledger.incidents(nation="CN")) == both
    assert (
        titles(ledger.incidents(nation=["JP", "US"])) == both
    )  # Japan protested; the US intercepted
    assert titles(ledger.incidents(nation="JP")) == both[:1]
    assert titles(ledger.incidents(nation="CA")) == both[1:]
    # A family's name matches its variants; a variant's only itself.
    assert titles(ledger.incidents(aircraft="H-6")) == both
    assert titles(ledger.incidents(aircraft="h6k")) == both
    assert titles(ledger.incidents(aircraft="Tu-95")) == both
    assert titles(ledger.incidents(aircraft="A-50")) == both[:1]
    assert titles(ledger.incidents(aircraft="KF-16")) == both[:1]  # South Korea's interceptors
    assert titles(ledger.incidents(aircraft="CF-18")) == both[1:]
    assert ledger.incidents(aircraft="Su-35S") == []
    assert titles(ledger.incidents(area="KADIZ")) == both[:1]
    assert titles(ledger.incidents(area="bering sea")) == both[1:]
    assert titles(ledger.incidents(area=["Dokdo", "Alaska ADIZ"])) == both
    assert titles(ledger.incidents(series=examples.JOINT_PATROLS)) == both
    assert titles(ledger.incidents(source="NORAD")) == both[1:]
    assert titles(ledger.incidents(source="The War Zone")) == both[:1]
    norad = examples.alaska_2024_ids()["source/norad"]
    assert titles(ledger.incidents(source=norad)) == both[1:]
    # Filters combine: every one given must match.
    assert titles(ledger.incidents(nation="KR", aircraft="H-6")) == both[:1]
    assert ledger.incidents(nation="KR", source="NORAD") == []
    # With the valid-time window and the recording time.
    july_2019 = (datetime(2019, 7, 1, tzinfo=UTC), datetime(2019, 7, 31, tzinfo=UTC))
    assert titles(ledger.incidents(july_2019, aircraft="H-6")) == both[:1]
    assert titles(ledger.incidents(series="China-Russia joint strategic air patrol")) == both
    reported = examples.DOKDO_2019_REPORTED_AT
    assert ledger.incidents(known_at=reported, series=examples.JOINT_PATROLS) == []
    assert titles(ledger.incidents(known_at=reported, area="KADIZ")) == both[:1]
    # As published by: the same filters, over what was public then.
    assert titles(ledger.incidents(published_by=reported, area="KADIZ")) == both[:1]
    assert ledger.incidents(published_by=reported, series=examples.JOINT_PATROLS) == []


def test_a_box_across_the_antimeridian(backend: Backend) -> None:
    ledger = backend.open()
    found = {}
    for name, lon in (("west of 180", 179.5), ("east of 180", -179.5), ("Dokdo", 131.87)):
        incident = uuid4()
        head = opened(incident, name)
        ledger.record(
            *head,  # type: ignore[arg-type]
            AircraftReported(
                incident_id=incident,
                source_id=head[1].source_id,  # type: ignore[attr-defined]
                type_designation="Tu-95MS",
                nation="RU",
                count=Count.exact(2),
                valid_time=ValidTime.unknown(),
                location=Location(position=Position(lat=60.0, lon=lon)),
            ),
        )
        found[name] = incident
    assert titles(ledger.incidents(box=(170.0, 50.0, -170.0, 70.0))) == [
        "west of 180",
        "east of 180",
    ]
    assert titles(ledger.incidents(box=(179.0, 50.0, 180.0, 70.0))) == ["west of 180"]
    assert titles(ledger.incidents(box=(-180.0, 50.0, -179.0, 70.0))) == ["east of 180"]
    # A box not crossing 180 that covers everything between: Dokdo is in it, the others are not.
    assert titles(ledger.incidents(box=(-170.0, 30.0, 170.0, 70.0))) == ["Dokdo"]
    assert titles(ledger.incidents(box=(120.0, 30.0, 140.0, 40.0))) == []  # Dokdo is at 60N here
    assert titles(ledger.incidents(box=(120.0, 55.0, 140.0, 65.0))) == ["Dokdo"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"nation": "UK"}, "nation"),
        ({"nation": ["CN", "XX"]}, "nation"),
        ({"nation": []}, "empty"),
        ({"aircraft": ""}, "aircraft"),
        ({"area": 7}, "area"),
        ({"box": (0, 0, 1)}, "box"),
        ({"box": (0, 10, 1, 0)}, "north"),
        ({"box": (0, 0, 181, 1)}, "longitude"),
        ({"source": 3}, "source"),
        ({"linked_to": "not an id"}, "linked_to"),
        ({"catalogue": "default"}, "catalogue"),
    ],
)
def test_bad_filters_are_refused(arguments: dict[str, object], message: str) -> None:
    with Ledger.open(":memory:") as ledger, pytest.raises(InvalidInputError, match=message):
        ledger.incidents(**arguments)  # type: ignore[arg-type]


def test_the_index_folds_only_incidents_that_may_match(backend: Backend) -> None:
    ledger = backend.open()
    record_examples(ledger)
    service = ledger._time_travel
    assert titles(ledger.incidents(nation="KR"))  # builds the index
    folded: list[UUID] = []
    inside: list[bool] = []

    def spying(original: Any) -> Any:
        # Each fold asked for counts once, whether through the listing's scan or directly.
        def spy(incident_id: UUID, recorded_until: int | None = None) -> object:
            if not inside:
                folded.append(incident_id)
            inside.append(True)
            try:
                return original(incident_id, recorded_until)
            finally:
                inside.pop()

        return spy

    service.folded = spying(service.folded)  # type: ignore[method-assign]
    service._scanned = spying(service._scanned)  # type: ignore[method-assign]
    assert [i.id for i in ledger.incidents(area="KADIZ")] == [DOKDO]
    assert folded == [DOKDO]  # Alaska was ruled out by the index
    folded.clear()
    ids = examples.dokdo_2019_ids()
    ledger.clock.set(examples.DOKDO_2019_FOLLOWED_UP_AT + timedelta(days=1))  # type: ignore[attr-defined]
    ledger.record(
        Retraction(
            incident_id=DOKDO,
            source_id=ids["source/dw"],
            target_id=ids["zone-entry/cn"],
            reason="test",
        )
    )
    # New events in Dokdo: only Dokdo is folded again to bring the index up to date.
    assert [i.id for i in ledger.incidents(area="Alaska ADIZ")] == [ALASKA]
    assert DOKDO in folded
    assert folded.count(ALASKA) == 1


# -- against the definition, for random histories -----------------------------------------------


def _searches() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "nation": st.sampled_from(["CN", "RU", "JP", "KR", "US"]),
            "aircraft": st.sampled_from(["H-6", "H-6K", "Tu-95", "F-15K", "A-50"]),
            "area": st.sampled_from([*ZONES, "Bering Sea", "Dokdo", "Anadyr"]),
            "box": st.sampled_from([(170.0, 50.0, -170.0, 70.0), (130.0, 30.0, 140.0, 40.0)]),
            "series": st.sampled_from(SERIES),
            "source": st.sampled_from(["NORAD", "TASS", "RIA Novosti"]),
        },
    ).filter(bool)


@given(
    batches=histories(max_events=30),
    searches=st.lists(_searches(), min_size=1, max_size=4),
    data=st.data(),
)
def test_the_filters_are_what_the_fold_says(
    batches: list[list[object]], searches: list[dict[str, object]], data: st.DataObject
) -> None:
    start = datetime(2024, 7, 25, 12, tzinfo=UTC)
    clock = FixedClock(start)
    with Ledger.open(":memory:", clock=clock) as ledger:
        times = []
        for n, batch in enumerate(batches):
            clock.set(start + timedelta(seconds=n))
            times.append(clock())
            ledger.record(*batch)  # type: ignore[arg-type]
        for arguments in searches:
            known_at = data.draw(st.none() | st.sampled_from(times))
            search = Search.of(**arguments)  # type: ignore[arg-type]
            assert search is not None
            expected = []
            for incident_id in ledger.incident_ids():
                state = fold(ledger.events(incident_id, known_at=known_at))
                if state is not None and search.matches_incident(state):
                    expected.append(state)
            found = ledger.incidents(known_at=known_at, **arguments)  # type: ignore[arg-type]
            assert [i.id for i in found] == [i.id for i in expected]
            assert found == expected
