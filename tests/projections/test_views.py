"""The built-in views: aircraft roster, intercepts, statements, sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from test_projections import record_example, record_history

from incidents import (
    AircraftReported,
    Correction,
    Count,
    Event,
    FixedClock,
    Ledger,
    ReportsReconciled,
    Retraction,
    examples,
)
from incidents.projections import (
    AircraftRoster,
    Intercepts,
    ReadModel,
    SourceSupport,
    StatementsBySpeaker,
    live,
)
from support.backends import Backend
from support.histories import histories

IDS = examples.alaska_2024_ids()
INCIDENT = str(examples.ALASKA_2024)


def _later(ledger: Ledger, hours: int) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    clock.set(examples.ALASKA_2024_ACCOUNTS_AT + timedelta(hours=hours))


def test_aircraft_roster_counts_and_follows_amendments(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    # NORAD's "2 x H-6" and the ministry's "2 x H-6K" are the same two bombers: reconciled, not added up.
    h6 = {"airframes": 2, "reports": 2, "incidents": {INCIDENT: 2}, "types": {"H-6": 1, "H-6K": 1}}
    tu95 = {
        "airframes": 2,
        "reports": 2,
        "incidents": {INCIDENT: 2},
        "types": {"Tu-95": 1, "Tu-95MS": 1},
    }
    state = live(ledger, AircraftRoster()).state
    assert {"CN": {"H-6": h6}, "RU": {"Tu-95": tu95}} == {
        k: v for k, v in state.items() if k not in ("incidents", "grades")
    }
    h6_report = ledger.event(IDS["aircraft/h-6"]).event
    _later(ledger, 1)
    ledger.record(
        Correction.of(
            h6_report, source_id=IDS["source/norad"], reason="recounted", count=Count.at_least(3)
        )
    )
    _later(ledger, 2)
    ledger.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=IDS["source/norad"],
            target_id=IDS["aircraft/tu-95"],
            reason="test",
        )
    )
    model = ReadModel(ledger, AircraftRoster(), batch_size=4)
    model.catch_up()
    state = model.read().state
    # "At least 3" from NORAD [B2] and "2" from the ministry [B3] do not overlap: the
    # better-graded NORAD's low end stands, as Incident.aircraft_groups says.
    incident = ledger.incident(examples.ALASKA_2024)
    assert incident.aircraft_by_family() == {"CN": {"H-6": 3}, "RU": {"Tu-95": 2}}
    assert state["CN"]["H-6"]["airframes"] == 3
    assert state["RU"] == {
        "Tu-95": {"airframes": 2, "reports": 1, "incidents": {INCIDENT: 2}, "types": {"Tu-95MS": 1}}
    }
    assert AircraftRoster().render(state) == (
        "NATION  FAMILY  AIRFRAMES  REPORTS  INCIDENTS  AS REPORTED\n"
        "------  ------  ---------  -------  ---------  -----------\n"
        "CN      H-6     3          2        1          H-6, H-6K\n"
        "RU      Tu-95   2          1        1          Tu-95MS"
    )
    assert AircraftRoster().render(AircraftRoster().initial()) == "No aircraft reported."


def test_aircraft_roster_follows_reconciliations_and_grades(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    _later(ledger, 1)
    apart = ReportsReconciled(
        incident_id=examples.ALASKA_2024,
        source_id=IDS["source/norad"],
        reports=(IDS["aircraft/h-6"], IDS["aircraft/h-6k"]),
        same=False,
        reason="two different pairs",
    )
    ledger.record(apart)
    assert live(ledger, AircraftRoster()).state["CN"]["H-6"]["airframes"] == 4
    _later(ledger, 2)
    ledger.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=IDS["source/norad"],
            target_id=apart.event_id,
            reason="the same pair after all",
        )
    )
    state = live(ledger, AircraftRoster()).state
    assert state["CN"]["H-6"]["airframes"] == 2
    expected = ledger.incident(examples.ALASKA_2024).aircraft_by_family()
    assert expected == {
        nation: {family: e["airframes"] for family, e in families.items()}
        for nation, families in state.items()
        if nation not in ("incidents", "grades")
    }


def test_intercepts_name_who_intercepted_whom(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    state = live(ledger, Intercepts()).state
    incident = state[INCIDENT]
    intercept = incident["intercepts"][str(IDS["intercept"])]
    assert intercept["nations"] == ["CA", "US"]
    assert intercept["by"] == [["US", "F-16", 2], ["US", "F-35", 2], ["CA", "CF-18", 2]]
    text = Intercepts().render(state)
    assert (
        "  2024-07-24 (America/Anchorage): 2 x H-6 (CN), 2 x Tu-95 (RU) intercepted by 2 F-16 (US),"
        " 2 F-35 (US) and 2 CF-18 (CA) in Alaska ADIZ - NORAD [B2]"
    ) in text
    assert text.endswith("Intercepts by responding nation: CA 1, US 1")
    _later(ledger, 1)
    ledger.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=IDS["source/norad"],
            target_id=IDS["intercept"],
            reason="test",
        )
    )
    assert Intercepts().render(live(ledger, Intercepts()).state) == "No intercepts reported."


def test_statements_by_organization_and_speaker(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    state = live(ledger, StatementsBySpeaker()).state
    ministry = state[f"organization/{examples.CN_MND}"]
    assert list(ministry) == ["Zhang Xiaogang"]
    (statement,) = ministry["Zhang Xiaogang"].values()
    assert statement["role"] == "spokesman"
    assert statement["quotes"] == ["nothing to do with the current international situation"]
    assert [
        "denies",
        "aimed-at-third-parties",
        "It did not target any third parties.",
    ] in statement["claims"]
    assert list(state[f"organization/{examples.RU_MOD}"]) == ["(unnamed)"]
    text = StatementsBySpeaker().render(state)
    assert "  Zhang Xiaogang: 1 statement" in text
    assert "Chen Xiaogang" not in text
    assert '      "nothing to do with the current international situation"' in text
    assert (
        "      denies violated-foreign-airspace: The aircraft remained in international airspace."
        in text
    )
    before = live(ledger, StatementsBySpeaker(), known_at=examples.ALASKA_2024_PUBLISHED_AT).state
    assert list(before[f"organization/{examples.CN_MND}"]) == ["Chen Xiaogang"]


def test_sources_and_what_they_support(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    state = live(ledger, SourceSupport()).state
    norad = state[str(IDS["source/norad"])]
    assert norad["label"] == "NORAD [B2]"
    assert {
        str(IDS["aircraft/h-6"]),
        str(IDS["aircraft/tu-95"]),
        str(IDS["intercept"]),
        str(IDS["statement/norad"]),
    } == set(norad["supports"])
    ria = state[str(IDS["source/ria"])]
    assert [str(IDS["source/russia-mod"])] == ria["cites"]
    transcript = state[str(IDS["source/china-mnd-transcript"])]
    assert [s["type"] for s in transcript["supports"].values()] == ["correction"]
    article = state[str(IDS["source/article"])]
    assert [s["type"] for s in article["supports"].values()] == ["incident-opened"]
    text = SourceSupport().render(state)
    assert (
        "RIA Novosti [C3] news article, citing Ministry of Defence of the Russian Federation [B3]"
        in text
    )
    assert "  - corrects 961e5dda: The ministry's transcript names the spokesman" in text
    russia = state[str(IDS["source/russia-mod"])]  # cited by RIA, and its own account
    assert [s["what"] for s in russia["supports"].values()] == [
        "2 x Tu-95MS (RU), strategic missile carrier, Russian Aerospace Forces"
    ]
    _later(ledger, 1)
    ledger.record(
        Retraction(
            incident_id=examples.ALASKA_2024,
            source_id=IDS["source/norad"],
            target_id=IDS["source/x-frontalforce"],
            reason="account suspended",
        ),
        AircraftReported(
            incident_id=examples.ALASKA_2024,
            source_id=IDS["source/x-frontalforce"],
            type_designation="Su-35",
            nation="RU",
            valid_time=ledger.event(IDS["aircraft/h-6"]).event.valid_time,  # type: ignore[attr-defined]
        ),
    )
    state = live(ledger, SourceSupport()).state
    x = state[str(IDS["source/x-frontalforce"])]
    assert x["withdrawn"] is True
    assert len(x["supports"]) == 2  # still listed: what a withdrawn source said
    assert (
        "Frontalforce (account on X) [E6] social media post (withdrawn)"
        in SourceSupport().render(state)
    )


@given(batches=histories(max_events=30))
def test_the_aircraft_roster_adds_up_the_reconciled_figures(batches: list[list[Event]]) -> None:
    with Ledger.open(":memory:", clock=FixedClock(datetime(2024, 7, 25, 12, tzinfo=UTC))) as ledger:
        record_history(ledger, batches)
        state = live(ledger, AircraftRoster()).state
        roster = {k: v for k, v in state.items() if k not in ("incidents", "grades")}
        expected: dict[str, dict[str, int]] = {}
        reports: dict[str, dict[str, int]] = {}
        for incident_id in ledger.incident_ids():
            incident = ledger.incident(incident_id)
            for group in incident.aircraft_groups:
                families = expected.setdefault(group.nation, {})
                families[group.family] = families.get(group.family, 0) + group.figure
                counted = reports.setdefault(group.nation, {})
                counted[group.family] = counted.get(group.family, 0) + len(group.reports)
        assert expected == {
            nation: {family: e["airframes"] for family, e in families.items()}
            for nation, families in roster.items()
        }
        assert reports == {
            nation: {family: e["reports"] for family, e in families.items()}
            for nation, families in roster.items()
        }
