"""
The ledger-wide sources registry: sources registered once, cited from any incident.

What may be recorded where is checked on every backend; every refusal
records nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    AssessmentMade,
    Bundle,
    Correction,
    Event,
    FixedClock,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    InvalidInputError,
    Ledger,
    Reliability,
    Retraction,
    SourceKind,
    SourceRegistered,
    UnknownEventError,
    UnknownIncidentError,
    UnknownSourceError,
    ValidTime,
    fold,
    incident_states,
    incident_timeline,
    live,
    replay_digests,
)
from incidents.projections import Intercepts, SourceSupport
from support.backends import Backend

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


# -- reads: the registry sources an incident cites, as known then ---------------------------


def two_incidents_citing(ledger: Ledger, source_id: uuid.UUID) -> list[uuid.UUID]:
    found = []
    for _ in range(2):
        opened = opening(source_id)
        ledger.record(opened, aircraft(opened.incident_id, source_id))
        found.append(opened.incident_id)
    return found


def test_a_source_registered_once_is_shown_by_both_incidents_citing_it(ledger: Ledger) -> None:
    jcs = ledger.register_source(
        SourceKind.PRESS_RELEASE, "Joint Chiefs of Staff (ROK)", language="ko"
    )
    for incident_id in two_incidents_citing(ledger, jcs):
        state = ledger.incident(incident_id)
        assert [(jcs, "Joint Chiefs of Staff (ROK)", True)] == [
            (s.id, s.publisher, s.shared) for s in state.sources
        ]
        assert state.source(jcs).language == "ko"
        assert state.aircraft[0].source_id == jcs
    assert [jcs] == [s.id for s in ledger.sources()]


def test_a_correction_of_a_registry_source_is_seen_from_every_incident(
    backend: Backend,
) -> None:
    clock = FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
    ledger = backend.open(clock=clock)
    jcs = registry_source("JCS", reliability=Reliability.C)
    ledger.record(jcs)
    incidents = two_incidents_citing(ledger, jcs.source_id)
    before = datetime(2026, 1, 5, 12, tzinfo=UTC)
    clock.set(datetime(2026, 1, 6, tzinfo=UTC))
    ledger.record(
        Correction.of(
            jcs,
            source_id=jcs.source_id,
            reason="the Joint Chiefs' releases have held up",
            publisher="Joint Chiefs of Staff (ROK)",
            reliability=Reliability.B,
        )
    )
    for incident_id in incidents:
        now = ledger.incident(incident_id).source(jcs.source_id)
        then = ledger.incident(incident_id, known_at=before).source(jcs.source_id)
        assert (now.publisher, now.reliability) == ("Joint Chiefs of Staff (ROK)", Reliability.B)
        assert (then.publisher, then.reliability) == ("JCS", Reliability.C)
        # The history gives each entry's source as it stood when the entry was recorded.
        assert {e.source.publisher for e in ledger.history(incident_id)} == {"JCS"}
    assert [s.publisher for s in ledger.sources(known_at=before)] == ["JCS"]
    assert [s.publisher for s in ledger.sources()] == ["Joint Chiefs of Staff (ROK)"]


def test_an_article_citing_two_sources(ledger: Ledger) -> None:
    jcs = ledger.register_source(SourceKind.PRESS_RELEASE, "Joint Chiefs of Staff (ROK)")
    mod = ledger.register_source(SourceKind.OFFICIAL_STATEMENT, "Ministry of Defence (RU)")
    opened = opening(jcs)
    article = SourceRegistered(
        incident_id=opened.incident_id,
        kind=SourceKind.WIRE_REPORT,
        publisher="Reuters",
        cites=[jcs, mod],
    )
    ledger.record(opened, article, aircraft(opened.incident_id, article.source_id))
    state = ledger.incident(opened.incident_id)
    assert (jcs, mod) == state.source(article.source_id).cites
    # Cited through the article only, the ministry is listed too.
    assert [s.publisher for s in state.sources] == [
        "Reuters",
        "Joint Chiefs of Staff (ROK)",
        "Ministry of Defence (RU)",
    ]


def test_registry_sources_cite_each_other_and_are_listed_through_the_chain(
    ledger: Ledger,
) -> None:
    mod = ledger.register_source(SourceKind.OFFICIAL_STATEMENT, "Ministry of Defence (RU)")
    tass = ledger.register_source(SourceKind.WIRE_REPORT, "TASS", cites=[mod])
    unrelated = ledger.register_source(SourceKind.BROADCAST, "KBS")
    opened = opening(tass)
    ledger.record(opened)
    # In the registry's order of registration.
    assert [mod, tass] == [s.id for s in ledger.incident(opened.incident_id).sources]
    assert unrelated in [s.id for s in ledger.sources()]


def test_a_registry_source_dates_the_events_citing_it_as_published_by(backend: Backend) -> None:
    clock = FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
    ledger = backend.open(clock=clock)
    early = datetime(2019, 7, 23, 3, tzinfo=UTC)
    jcs = ledger.register_source(SourceKind.PRESS_RELEASE, "JCS", published_at=early)
    kremlin = ledger.register_source(
        SourceKind.OFFICIAL_STATEMENT, "Kremlin", published_at=early + timedelta(days=2)
    )
    opened = opening(jcs)
    ledger.record(opened, aircraft(opened.incident_id, jcs), aircraft(opened.incident_id, kremlin))
    next_day = ledger.incident(opened.incident_id, published_by=early + timedelta(days=1))
    assert [jcs] == [s.id for s in next_day.sources]
    assert [jcs] == [a.source_id for a in next_day.aircraft]
    later = ledger.incident(opened.incident_id, published_by=early + timedelta(days=3))
    assert {jcs, kremlin} == {a.source_id for a in later.aircraft}
    assert [jcs] == [s.id for s in ledger.sources(published_by=early + timedelta(days=1))]
    listed = ledger.incidents(published_by=early + timedelta(days=1))
    assert [[jcs]] == [[s.id for s in i.sources] for i in listed]


def test_the_registry_is_no_incident_to_read(ledger: Ledger) -> None:
    ledger.register_source(SourceKind.BROADCAST, "KBS")
    with pytest.raises(UnknownIncidentError, match="sources registry, not an incident"):
        ledger.incident(SOURCES_REGISTRY)
    with pytest.raises(UnknownIncidentError, match="sources registry, not an incident"):
        ledger.history(SOURCES_REGISTRY)
    with pytest.raises(UnknownIncidentError, match="sources registry, not an incident"):
        ledger.diff(SOURCES_REGISTRY, known_at_a=datetime(2024, 7, 25, 12, tzinfo=UTC))
    assert ledger.incidents() == []


def test_a_bad_language_is_refused_and_nothing_recorded(ledger: Ledger) -> None:
    with pytest.raises(InvalidInputError, match="BCP 47"):
        ledger.register_source(SourceKind.BROADCAST, "KBS", language="Korean")
    with pytest.raises(InvalidInputError, match="SHA-256"):
        ledger.register_source(SourceKind.BROADCAST, "KBS", content_sha256="abc")
    assert len(ledger) == 0
    kbs = registry_source("KBS", language="ko")
    ledger.record(kbs)
    before = rows(ledger)
    with pytest.raises(InvalidInputError, match="BCP 47"):
        ledger.record(Correction.of(kbs, source_id=kbs.source_id, reason="r", language="kr-KO"))
    with pytest.raises(InvalidInputError, match="BCP 47"):
        ledger.record(opening(kbs.source_id), registry_source("MBC", language="xx"))
    assert before == rows(ledger)


def test_registry_sources_survive_snapshots_and_a_new_process(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    clock = FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
    with Ledger.open(path, clock=clock) as ledger:
        jcs = ledger.register_source(SourceKind.PRESS_RELEASE, "JCS")
        analyst = ledger.register_source(SourceKind.TRANSCRIPT, "Analyst's note")
        opened = opening(jcs)
        report = aircraft(opened.incident_id, jcs)
        ledger.record(opened, report)
        # Cited only by a correction, which a snapshot folds without decoding it.
        ledger.record(Correction.of(report, source_id=analyst, reason="radar", count=3))
        # Corrected sources of either version, kept in the registry's snapshot as they stand.
        article = SourceRegistered(
            incident_id=opened.incident_id,
            kind=SourceKind.NEWS_ARTICLE,
            publisher="Yonhap",
            cites=[jcs, analyst],
        )
        ledger.record(article)
        ledger.record(
            Correction.of(article, source_id=jcs, reason="r", publisher="Yonhap News Agency")
        )
        registered = next(r.event for r in ledger.events(SOURCES_REGISTRY) if r.event_id == jcs)
        ledger.record(Correction.of(registered, source_id=jcs, reason="r", title="release"))
        assert ledger.rebuild_snapshots() >= 1
        expected = ledger.incident(opened.incident_id)
        listed = ledger.sources()
    with Ledger.open(path, clock=clock) as ledger:
        again = ledger.incident(opened.incident_id)
        assert listed == ledger.sources()
    assert [article.source_id, jcs, analyst] == [s.id for s in expected.sources]
    assert expected.source(article.source_id).publisher == "Yonhap News Agency"
    assert expected.source(jcs).title == "release"
    assert expected == again


def test_projections_show_registry_sources(ledger: Ledger) -> None:
    jcs = ledger.register_source(SourceKind.PRESS_RELEASE, "Joint Chiefs of Staff")
    opened = opening(jcs)
    ledger.record(opened, aircraft(opened.incident_id, jcs))
    timeline = incident_timeline(ledger, opened.incident_id)
    assert [e.source for e in timeline.entries] == ["Joint Chiefs of Staff [F6]"]
    support = SourceSupport()
    rendered = support.render(live(ledger, support).state)
    assert rendered.startswith('Joint Chiefs of Staff [F6] press release\n  - opened "patrol"')
    report = aircraft(opened.incident_id, jcs)
    ledger.record(
        report,
        InterceptReported(
            incident_id=opened.incident_id,
            source_id=jcs,
            interceptors=[Interceptor(nation="KR", type_designation="F-16")],
            intercepted=[report.event_id],
            valid_time=DAY,
        ),
    )
    intercepts = Intercepts()
    assert "- Joint Chiefs of Staff [F6]" in intercepts.render(live(ledger, intercepts).state)


def test_replay_of_a_ledger_with_a_registry_agrees_with_its_bundle(
    ledger: Ledger, tmp_path: Path
) -> None:
    jcs = ledger.register_source(SourceKind.PRESS_RELEASE, "JCS")
    mod = ledger.register_source(SourceKind.OFFICIAL_STATEMENT, "MoD")
    opened = opening(jcs)
    article = SourceRegistered(
        incident_id=opened.incident_id,
        kind=SourceKind.NEWS_ARTICLE,
        publisher="Yonhap",
        cites=[jcs, mod],
    )
    ledger.record(opened, article)
    path = tmp_path / "bundle.jsonl"
    ledger.export_bundle(path)
    report, digests = Bundle.open(path).replay()
    assert report.ok, report.render()
    records = sorted(
        (r for i in (SOURCES_REGISTRY, *ledger.incident_ids()) for r in ledger.events(i)),
        key=lambda r: r.sequence,
    )
    assert digests == replay_digests(records)
    state = incident_states(records)[f"incident/{opened.incident_id}"]
    assert b'"shared":true' in state


def test_the_ledger_agrees_with_the_pure_fold_given_the_registry_at_every_recording_time(
    backend: Backend,
) -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    ledger = backend.open(clock=clock)
    jcs = registry_source("JCS")
    mod = registry_source("MoD", cites=[jcs.source_id])
    reuters = registry_source("Reuters", kind=SourceKind.WIRE_REPORT)
    opened = opening(jcs.source_id)
    inc = opened.incident_id
    report = aircraft(inc, mod.source_id)
    fix = Correction.of(mod, source_id=reuters.source_id, reason="r", publisher="MoD (RU)")
    batches: list[list[Event]] = [
        [jcs, mod],
        [opened, report],
        [reuters],
        [fix],
        [Correction.of(report, source_id=reuters.source_id, reason="radar", count=3)],
        [
            AssessmentMade(
                incident_id=SOURCES_REGISTRY,
                source_id=reuters.source_id,
                target_id=mod.source_id,
                credibility=4,
                reasoning="says what suits it",
            )
        ],
        [
            Retraction(
                incident_id=SOURCES_REGISTRY,
                source_id=reuters.source_id,
                target_id=fix.event_id,
                reason="r",
            )
        ],
        [
            Retraction(
                incident_id=SOURCES_REGISTRY,
                source_id=jcs.source_id,
                target_id=mod.source_id,
                reason="gone",
            )
        ],
    ]
    times = []
    for day, batch in enumerate(batches, start=1):
        clock.set(datetime(2026, 1, day, 12, tzinfo=UTC))
        ledger.record(*batch)
        times.append(datetime(2026, 1, day, 12, 0, 1, tzinfo=UTC))
    clock.set(datetime(2026, 2, 1, tzinfo=UTC))
    for at in times[1:]:
        events = list(ledger.events(inc, known_at=at))
        registry = list(ledger.events(SOURCES_REGISTRY, known_at=at))
        assert fold(events, registry=registry) == ledger.incident(inc, known_at=at), at
    seen = [[s.publisher for s in ledger.incident(inc, known_at=at).sources] for at in times[1:]]
    # Reuters from when the incident cites it (its correction of the report).
    assert seen == [
        ["JCS", "MoD"],
        ["JCS", "MoD"],
        ["JCS", "MoD (RU)"],
        ["JCS", "MoD (RU)", "Reuters"],
        ["JCS", "MoD (RU)", "Reuters"],
        ["JCS", "MoD", "Reuters"],
        ["JCS", "Reuters"],
    ]
    assert [a.target_id for a in ledger.incident(inc, known_at=times[5]).assessments] == [
        mod.source_id
    ]
