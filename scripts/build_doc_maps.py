"""
Draw the maps shown in docs/geography.md (docs/images/map-*.png).

The same incidents as the page's examples: the Alaska example with its
illustrative Bering Sea track and NORAD's "Bering Sea" within 50 NM, and the
Dokdo example with its illustrative A-50 track. Needs the ``maps`` extra.

    python scripts/build_doc_maps.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from incidents import (
    AreaReported,
    Fix,
    Ledger,
    Location,
    LocationPrecision,
    Position,
    TrackObserved,
    ValidTime,
    destination,
    examples,
    incident_map,
)

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def bering_sea() -> None:
    """The Alaska example's map: a Bering Sea track across 180°."""
    ids = examples.alaska_2024_ids()
    t0 = datetime(2024, 7, 24, 20, 0, tzinfo=UTC)
    track = TrackObserved(
        incident_id=examples.ALASKA_2024,
        source_id=ids["source/norad"],
        aircraft=(ids["aircraft/tu-95"],),
        label="Tu-95 (illustrative)",
        points=(
            Fix(time=t0, lon=174.0, lat=58.5, uncertainty_m=9260.0),
            Fix(time=t0 + timedelta(minutes=45), lon=-177.0, lat=56.25),
            Fix(time=t0 + timedelta(minutes=90), lon=-170.5, lat=55.0),
        ),
    )
    area = AreaReported(
        incident_id=examples.ALASKA_2024,
        source_id=ids["source/norad"],
        valid_time=ValidTime.day("2024-07-24", tz="America/Anchorage"),
        location=Location(
            name="Bering Sea",
            position=Position(lat=57.0, lon=-175.0),
            precision=LocationPrecision.within(nm=50),
        ),
    )
    with Ledger.open() as ledger:
        ledger.record(*examples.alaska_2024())
        ledger.record(track, area)
        incident_map(ledger.incident(examples.ALASKA_2024), IMAGES / "map-bering-sea.png", dpi=100)


def dokdo() -> None:
    """The Dokdo example's map: the A-50 through the 12 NM round the islets."""
    ids = examples.dokdo_2019_ids()
    islets = (131.8667, 37.2417)
    start = destination(destination(islets, 0, 40), 90, 5)
    end = destination(destination(islets, 180, 40), 90, 5)
    t0 = datetime(2019, 7, 23, 9, 9, tzinfo=ZoneInfo("Asia/Seoul"))
    track = TrackObserved(
        incident_id=ids["incident"],
        source_id=ids["source/jcs"],
        aircraft=(ids["aircraft/a-50"],),
        label="A-50 (illustrative)",
        points=(
            Fix(time=t0, lon=start[0], lat=start[1], altitude_m=9000.0, uncertainty_m=1000.0),
            Fix(time=t0 + timedelta(minutes=20), lon=end[0], lat=end[1]),
        ),
    )
    with Ledger.open() as ledger:
        ledger.record(*examples.dokdo_2019(), track)
        incident_map(ledger.incident(ids["incident"]), IMAGES / "map-dokdo.png", dpi=100)


if __name__ == "__main__":
    IMAGES.mkdir(exist_ok=True)
    bering_sea()
    dokdo()
