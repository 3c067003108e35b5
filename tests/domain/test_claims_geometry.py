"""Claims about airspace and zones checked against recorded tracks: the two worked examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incidents import (
    Fix,
    Ledger,
    TrackObserved,
    claims_against_geometry,
    destination,
    examples,
    zone_catalogue,
)

DOKDO = (131.8667, 37.2417)


def checks_by_claim(
    incident_ids: dict[str, object], checks: tuple[object, ...]
) -> dict[str, object]:
    names = {v: k for k, v in incident_ids.items()}
    return {names.get(c.claim_id, str(c.claim_id)): c for c in checks}  # type: ignore[attr-defined]


def test_dokdo_the_a50_track_enters_the_12_nm_round_dokdo() -> None:
    ids = examples.dokdo_2019_ids()
    # An illustrative track (the accounts publish none): the A-50 passes 5 NM
    # east of Dokdo, north to south, in 20 minutes.
    start = destination(destination(DOKDO, 0, 40), 90, 5)
    end = destination(destination(DOKDO, 180, 40), 90, 5)
    t0 = datetime(2019, 7, 23, 0, 9, tzinfo=UTC)
    track = TrackObserved(
        incident_id=ids["incident"],
        source_id=ids["source/jcs"],
        aircraft=(ids["aircraft/a-50"],),
        label="A-50 (illustrative)",
        points=(
            Fix(time=t0, lon=start[0], lat=start[1]),
            Fix(time=t0 + timedelta(minutes=20), lon=end[0], lat=end[1]),
        ),
    )
    with Ledger.open() as ledger:
        ledger.record(*examples.dokdo_2019(), track)
        incident = ledger.incident(ids["incident"])
    found = checks_by_claim(ids, claims_against_geometry(incident, zone_catalogue()))
    jcs = found["claim/jcs/airspace"]
    assert (jcs.geometry, jcs.agrees) == ("entered", True)
    assert "kr/kr-dokdo-territorial" in jcs.detail
    russia = found["claim/russia/airspace"]
    assert (russia.geometry, russia.agrees) == ("entered", False)
    # China's ministry, as recorded, denies that any airspace was entered, by
    # anyone: the A-50's track disagrees.
    china = found["claim/china/airspace"]
    assert (china.geometry, china.agrees) == ("entered", False)
    # The KADIZ claims: the A-50 track lies inside the KADIZ in force on the day.
    kadiz_ru = found["claim/jcs/kadiz-ru"]
    assert kadiz_ru.zones == ("kr/kadiz-2013",)


def test_alaska_inside_the_adiz_outside_us_territorial_airspace() -> None:
    ids = examples.alaska_2024_ids()
    t0 = datetime(2024, 7, 24, 20, 0, tzinfo=UTC)
    points = [(-179.0, 56.5), (-175.0, 57.5), (-172.0, 58.5)]
    track = TrackObserved(
        incident_id=ids["incident"],
        source_id=ids["source/norad"],
        aircraft=(ids["patrol"],),
        label="H-6 and Tu-95 (illustrative)",
        points=tuple(
            Fix(time=t0 + timedelta(hours=i), lon=lon, lat=lat)
            for i, (lon, lat) in enumerate(points)
        ),
    )
    with Ledger.open() as ledger:
        for _, batch in examples.alaska_2024_batches():
            ledger.record(*batch)
        ledger.record(track)
        incident = ledger.incident(ids["incident"])
    checks = claims_against_geometry(incident, zone_catalogue())
    airspace = [c for c in checks if "violated-foreign-airspace" in c.claim]
    assert len(airspace) == 2  # Russia's ministry and NORAD
    for check in airspace:
        assert (check.geometry, check.agrees) == ("not entered", True)
        # The aircraft's own nations' airspace is not foreign to them.
        assert not any(z.startswith(("cn/", "ru/")) for z in check.zones)
        assert "us/us-alaska-territorial" in check.zones
