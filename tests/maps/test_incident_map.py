from __future__ import annotations

import html.parser
import itertools
import json
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest
import shapely
from shapely.geometry import shape

from incidents import (
    AreaReported,
    Fix,
    IncidentsError,
    InvalidInputError,
    Ledger,
    Location,
    LocationPrecision,
    MissingExtraError,
    Position,
    SteppingClock,
    TrackObserved,
    ValidTime,
    catalogue_events,
    distance_nm,
    examples,
    incident_map,
    zone_catalogue,
    zones_from_geojson,
)

T0 = datetime(2024, 7, 24, 20, 0, tzinfo=UTC)


def bering(*, radius_nm: float = 50.0, position: tuple[float, float] = (-175.0, 57.0)) -> Any:
    """The Alaska example with a Bering Sea track across 180° and a reported position."""
    ids = examples.alaska_2024_ids()
    track = TrackObserved(
        incident_id=examples.ALASKA_2024,
        source_id=ids["source/norad"],
        aircraft=(ids["aircraft/tu-95"],),
        label="Tu-95",
        points=(
            Fix(time=T0, lon=174.0, lat=58.5, uncertainty_m=9260.0),
            Fix(time=T0 + timedelta(minutes=45), lon=-177.0, lat=56.25),
            Fix(time=T0 + timedelta(minutes=90), lon=-170.5, lat=55.0),
        ),
    )
    area = AreaReported(
        incident_id=examples.ALASKA_2024,
        source_id=ids["source/norad"],
        valid_time=ValidTime.day("2024-07-24", tz="America/Anchorage"),
        location=Location(
            name="Bering Sea",
            position=Position(lon=position[0], lat=position[1]),
            precision=LocationPrecision.within(nm=radius_nm),
        ),
    )
    with Ledger.open() as ledger:
        ledger.record(*examples.alaska_2024())
        ledger.record(track, area)
        return ledger.incident(examples.ALASKA_2024)


@pytest.fixture(scope="module")
def incident() -> Any:
    return bering()


def test_a_png_is_written_and_reads_back_as_an_image(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "bering.png")
    data = (tmp_path / "bering.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = matplotlib.image.imread(tmp_path / "bering.png")
    assert pixels.shape[0] > 500
    assert pixels.shape[1] > 1000
    assert pixels[..., :3].std() > 0.05  # not a blank page
    assert drawn.format == "png"
    assert drawn.path == str(tmp_path / "bering.png")


def test_an_svg_is_valid_xml_with_its_labels_as_text(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "bering.svg")
    root = ET.parse(tmp_path / "bering.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = "".join(root.itertext())
    assert "Alaska ADIZ (approximate, ±60 NM)" in texts
    assert "Natural Earth" in texts
    assert drawn.format == "svg"
    # The same incident gives the same file.
    incident_map(incident, tmp_path / "again.svg")
    assert (tmp_path / "again.svg").read_bytes() == (tmp_path / "bering.svg").read_bytes()


def test_a_track_across_180_gives_a_small_map_centred_on_it(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "bering.png")
    assert drawn.span_lon < 30  # not 360° wide
    assert drawn.width_nm < 1000
    west, south, east, north = drawn.bounds
    assert west > 170
    assert east < -165
    assert 50 < south < north < 62
    assert abs(drawn.centre[0]) > 175
    # The track (321.8 NM to its second fix alone) fits in the map.
    assert drawn.width_nm > distance_nm((174.0, 58.5), (-170.5, 55.0))


def test_approximate_zones_are_labelled_approximate(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "bering.png")
    assert "us/alaska-adiz" in drawn.zones
    assert set(drawn.approximate) == set(drawn.zones)  # every shipped zone here is approximate
    assert "Alaska ADIZ (approximate, ±60 NM)" in drawn.labels
    assert "Alaska ADIZ\napproximate, not the legal line" in drawn.labels
    assert any("not the legal baselines" in label for label in drawn.labels)


def test_an_exact_zone_is_not_labelled_approximate(incident: Any, tmp_path: Path) -> None:
    (box,) = zones_from_geojson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {
                        "key": "us/exercise",
                        "name": "Exercise box",
                        "kind": "exercise-area",
                        "authority": "FAA",
                        "legal_source": "NOTAM",
                        "edge_rule": "rhumb-line",
                        "accuracy": "as published",
                        "accuracy_nm": 0,
                        "approximate": False,
                        "provenance": "the NOTAM",
                    },
                    "geometry": shapely.geometry.mapping(shapely.box(-176, 55, -174, 57)),
                }
            ],
        }
    )
    drawn = incident_map(incident, tmp_path / "box.png", zones=[box])
    assert drawn.zones == ("us/exercise",)
    assert drawn.approximate == ()
    assert "Exercise box" in drawn.labels
    assert not any("approximate" in label for label in drawn.labels if "Exercise" in label)
    assert [(zone, word) for zone, word, _ in drawn.crossings] == [
        ("us/exercise", "entry"),
        ("us/exercise", "exit"),
    ]


def test_crossings_are_marked_with_their_times(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "bering.png")
    ((zone, word, at),) = drawn.crossings
    assert (zone, word) == ("us/alaska-adiz", "entry")
    assert T0 < at < T0 + timedelta(minutes=45)
    assert f"entry Alaska ADIZ {at:%H:%M}Z" in drawn.labels


def test_a_wide_precision_circle_widens_the_map(tmp_path: Path) -> None:
    # 300 NM round a point: the circle (geodesic) must be in view.
    drawn = incident_map(bering(radius_nm=300.0), tmp_path / "wide.png")
    assert drawn.height_nm > 600
    assert "Bering Sea, within 300 NM (555,600 m)" in drawn.labels


def test_the_zones_stand_as_on_the_day(tmp_path: Path) -> None:
    ids = examples.dokdo_2019_ids()
    with Ledger.open() as ledger:
        ledger.record(*examples.dokdo_2019())
        track = TrackObserved(
            incident_id=ids["incident"],
            source_id=ids["source/jcs"],
            points=(
                Fix(time=datetime(2019, 7, 23, tzinfo=UTC), lon=125.0, lat=32.0),
                Fix(time=datetime(2019, 7, 23, 1, tzinfo=UTC), lon=126.0, lat=32.5),
            ),
        )
        ledger.record(track)
        incident = ledger.incident(ids["incident"])
    after = incident_map(incident, tmp_path / "after.png")
    before = incident_map(
        incident, tmp_path / "before.png", at=datetime(2013, 12, 14, 3, tzinfo=UTC)
    )
    assert "kr/kadiz-2013" in after.zones
    assert "kr/kadiz-1951" not in after.zones
    assert "kr/kadiz-1951" in before.zones
    assert "kr/kadiz-2013" not in before.zones


def test_zones_recorded_in_a_ledger_are_drawn_as_known_then(incident: Any, tmp_path: Path) -> None:
    clock = SteppingClock(datetime(2026, 1, 1, tzinfo=UTC), step=timedelta(hours=1))
    catalogue = zone_catalogue()
    with Ledger.open(clock=clock) as ledger:
        recorded = ledger.record(*catalogue_events(catalogue))
        known = incident_map(
            incident, tmp_path / "known.png", ledger=ledger, known_at=recorded.recorded_at
        )
        unknown = incident_map(
            incident,
            tmp_path / "unknown.png",
            ledger=ledger,
            known_at=recorded.recorded_at - timedelta(days=1),
        )
    assert "us/alaska-adiz" in known.zones
    assert unknown.zones == ()


def test_without_matplotlib_the_error_names_the_extra(
    incident: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'incidents\[maps\]'") as caught:
        incident_map(incident, tmp_path / "map.png")
    assert caught.value.extra == "maps"
    assert isinstance(caught.value, IncidentsError)
    assert isinstance(caught.value, ImportError)
    assert not (tmp_path / "map.png").exists()


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("map.pdf", {}, "PNG, SVG or HTML"),
        ("map.png", {"known_at": datetime(2026, 1, 1, tzinfo=UTC)}, "give ledger"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    incident: Any, tmp_path: Path, name: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        incident_map(incident, tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


def test_an_incident_that_places_nothing_is_refused(tmp_path: Path) -> None:
    with Ledger.open() as ledger:
        ledger.record(*examples.alaska_2024())
        incident = ledger.incident(examples.ALASKA_2024)
    with pytest.raises(InvalidInputError, match="nothing to draw"):
        incident_map(incident, tmp_path / "map.png")
    assert not (tmp_path / "map.png").exists()


def track_only(points: list[tuple[float, float]]) -> Any:
    ids = examples.alaska_2024_ids()
    track = TrackObserved(
        incident_id=examples.ALASKA_2024,
        source_id=ids["source/norad"],
        points=tuple(
            Fix(time=T0 + timedelta(minutes=30 * i), lon=lon, lat=lat)
            for i, (lon, lat) in enumerate(points)
        ),
    )
    with Ledger.open() as ledger:
        ledger.record(*examples.alaska_2024())
        ledger.record(track)
        return ledger.incident(examples.ALASKA_2024)


def test_a_long_track_across_the_pacific_is_drawn(tmp_path: Path) -> None:
    # Japan to the Gulf of Alaska: the coastline's shapes are distorted at the map's edges.
    drawn = incident_map(track_only([(140, 40), (-150, 58), (-120, 45)]), tmp_path / "far.png")
    assert drawn.span_lon < 200
    assert {"jp/jadiz", "us/alaska-adiz"} <= set(drawn.zones)
    assert len(drawn.crossings) > 10


def test_near_the_pole_only_zones_in_view_are_listed(tmp_path: Path) -> None:
    drawn = incident_map(track_only([(170, 86), (-170, 88), (-10, 87)]), tmp_path / "pole.png")
    assert drawn.width_nm < 1000
    assert drawn.bounds[3] == 90.0
    assert drawn.span_lon == 360.0
    assert drawn.zones == ()
    assert not any("ADIZ" in label or "CADIZ" in label for label in drawn.labels)


def test_an_area_reported_by_name_only_is_drawn_by_its_outline(tmp_path: Path) -> None:
    ids = examples.alaska_2024_ids()
    area = AreaReported(
        incident_id=examples.ALASKA_2024,
        source_id=ids["source/norad"],
        valid_time=ValidTime.day("2024-07-24", tz="America/Anchorage"),
        location=Location(name="Bering Sea"),
    )
    with Ledger.open() as ledger:
        ledger.record(*examples.alaska_2024())
        ledger.record(area)
        incident = ledger.incident(examples.ALASKA_2024)
    drawn = incident_map(incident, tmp_path / "named.png")
    assert "Bering Sea (named area)" in drawn.labels
    assert "Named area (approximate outline of the name)" in drawn.labels
    assert 1000 < drawn.width_nm < 2500  # the whole sea, not the world
    assert drawn.span_lon < 90


def test_sizes_out_of_range_are_refused(incident: Any, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="dpi"):
        incident_map(incident, tmp_path / "map.png", dpi=0)
    with pytest.raises(InvalidInputError, match="width_in"):
        incident_map(incident, tmp_path / "map.png", width_in=-1)
    assert list(tmp_path.iterdir()) == []


# -- the interactive map (HTML) ------------------------------------------------------


class _Page(html.parser.HTMLParser):
    """The page's title, heading, scripts (as text) and the embedded GeoJSON."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self.scripts: list[str] = []
        self.data: Any = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.stack:
            return
        tag, attrs = self.stack[-1]
        self.text[tag] = self.text.get(tag, "") + data
        if tag == "script":
            if attrs.get("id") == "incident-data":
                self.data = json.loads(data)
            else:
                self.scripts.append(data)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def features(page: _Page, kind: str) -> list[dict[str, Any]]:
    return [f for f in page.data["features"] if f["properties"]["kind"] == kind]


def test_an_html_map_is_written_with_the_features_as_geojson(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "bering.html")
    assert drawn.format == "html"
    page = read_page(tmp_path / "bering.html")
    assert page.data["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in page.data["features"]}
    assert kinds >= {"zone", "territorial", "track", "fix", "precision", "crossing", "position"}
    for feature in page.data["features"]:
        assert shape(feature["geometry"]).is_valid or feature["geometry"]["type"] != "Polygon"

    (adiz,) = features(page, "zone")
    assert adiz["properties"]["zone"] == "us/alaska-adiz"
    assert adiz["properties"]["approximate"] is True
    assert adiz["properties"]["dashed"] is True
    assert "approximate, not the legal line" in adiz["properties"]["label"]
    assert {f["properties"]["zone"] for f in features(page, "territorial")} == {
        "us/us-alaska-territorial",
        "ru/ru-far-east-territorial",
    }

    (crossing,) = features(page, "crossing")
    assert crossing["properties"]["zone"] == "us/alaska-adiz"
    assert crossing["properties"]["entering"] is True
    assert crossing["properties"]["label"] == "entry Alaska ADIZ 20:14Z"
    assert drawn.crossings[0][2].isoformat() == crossing["properties"]["time"]

    # The reported position, and its 50 NM precision circle round it.
    (position,) = features(page, "position")
    point = shape(position["geometry"])
    assert (round(point.x, 3) % 360, point.y) == (185.0, 57.0)
    circles = [
        shape(f["geometry"])
        for f in features(page, "precision")
        if f["properties"]["label"].startswith("Bering Sea")
    ]
    (circle,) = circles
    assert circle.contains(point)

    legend = page.text["li"]
    assert "Alaska ADIZ (approximate, ±60 NM)" in legend
    assert "Track: Tu-95 (3 fixes)" in legend
    assert "Natural Earth" in page.text["p"]
    assert "approximate outlines are not the legal lines" in page.text["p"]


def test_a_track_across_180_has_continuous_longitudes(incident: Any, tmp_path: Path) -> None:
    incident_map(incident, tmp_path / "bering.html")
    page = read_page(tmp_path / "bering.html")
    (track,) = features(page, "track")
    lons = [lon for lon, _ in track["geometry"]["coordinates"]]
    steps = [abs(b - a) for a, b in itertools.pairwise(lons)]
    assert max(steps) < 1.0  # never a jump of ~360°
    assert lons[0] % 360.0 == pytest.approx(174.0)
    assert lons[-1] - lons[0] == pytest.approx(15.5)  # east across 180, not round the world
    # Every shape is near the track, on the same side of the world.
    west, _, east, _ = page.data["bbox"]
    assert west < lons[0] < lons[-1] < east
    for feature in page.data["features"]:
        left, _, right, _ = shape(feature["geometry"]).bounds
        assert left > lons[0] - 30.0, feature["properties"]["label"]
        assert right < lons[-1] + 30.0, feature["properties"]["label"]


def test_ledger_text_is_escaped(incident: Any, tmp_path: Path) -> None:
    title = '</script><script>alert("x")</script> & <b>bold</b>'
    drawn = incident_map(incident, tmp_path / "map.html", title=title)
    raw = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script>alert" not in raw
    assert "<b>bold" not in raw
    page = read_page(tmp_path / "map.html")
    assert page.text["title"] == title
    assert page.text["h1"] == title
    assert title in drawn.labels
    # The script tags are Leaflet's, the data and the page's own, and no more.
    assert raw.count("<script") == 3


def test_format_html_is_chosen_by_name_or_by_format(incident: Any, tmp_path: Path) -> None:
    drawn = incident_map(incident, tmp_path / "map.out", format="html")
    assert drawn.format == "html"
    assert read_page(tmp_path / "map.out").data["features"]


def test_the_html_map_needs_no_matplotlib(
    incident: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    incident_map(incident, tmp_path / "map.html")
    assert shapely.from_geojson(json.dumps(read_page(tmp_path / "map.html").data)) is not None
