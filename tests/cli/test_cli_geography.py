"""
``incidents zones``, ``crossings``, ``geojson`` and ``check-claims`` on the Dokdo patrol.

The A-50's track is the illustrative one of docs/geography.md: 5 NM east of
Dokdo, north to south, in 20 minutes.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shapely
from test_cli_terminal import EVIL, SHOWN, assert_safe

from incidents import (
    Fix,
    FixedClock,
    Ledger,
    TrackObserved,
    destination,
    examples,
    zone_catalogue,
)
from incidents._cli import main

SEOUL = ZoneInfo("Asia/Seoul")
DOKDO = str(examples.DOKDO_2019)
DOKDO_KEY = "kr/kr-dokdo-territorial"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def a50_track() -> TrackObserved:
    ids = examples.dokdo_2019_ids()
    dokdo = (131.8667, 37.2417)
    start = destination(destination(dokdo, 0, 40), 90, 5)
    end = destination(destination(dokdo, 180, 40), 90, 5)
    t0 = datetime(2019, 7, 23, 9, 9, tzinfo=SEOUL)
    return TrackObserved(
        incident_id=ids["incident"],
        source_id=ids["source/jcs"],
        aircraft=(ids["aircraft/a-50"],),
        label=f"A-50 {EVIL}",
        points=(
            Fix(time=t0, lon=start[0], lat=start[1], altitude_m=9000.0),
            Fix(time=t0 + timedelta(minutes=20), lon=end[0], lat=end[1]),
        ),
    )


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("geo") / "dokdo.db")
    clock = FixedClock(examples.DOKDO_2019_REPORTED_AT)
    with Ledger.open(path, clock=clock) as opened:
        for at, batch in examples.dokdo_2019_batches():
            clock.set(at)
            opened.record(*batch)
        opened.record(a50_track())
    return path


@pytest.fixture
def copy(ledger: str, tmp_path: Path) -> str:
    target = tmp_path / "copy.db"
    target.write_bytes(Path(ledger).read_bytes())
    return str(target)


def test_zones_list_the_shipped_catalogue(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "zones", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"{len(zone_catalogue())} of the shipped zone catalogue"
    assert [line.split()[0] for line in lines[1:]] == zone_catalogue().keys()
    status, out, _ = run(capsys, "zones", "list", "--catalogue", "--at", "2013-12-14T12:00+09:00")
    keys = [line.split()[0] for line in out.splitlines()[1:]]
    assert "kr/kadiz-1951" in keys
    assert "kr/kadiz-2013" not in keys
    status, out, _ = run(capsys, "zones", "list", "--catalogue", "--json")
    assert [z["key"] for z in json.loads(out)] == zone_catalogue().keys()


def test_zones_show(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "zones", "show", "kr/kadiz-2013")
    assert status == 0
    assert "kind:         adiz" in out.splitlines()
    assert "error:        60 NM" in out.splitlines()
    assert "approximate:  yes: never the legal line" in out.splitlines()
    status, out, _ = run(capsys, "zones", "show", "--catalogue", DOKDO_KEY, "--json")
    feature = json.loads(out)
    assert feature["properties"]["key"] == DOKDO_KEY
    assert shapely.geometry.shape(feature["geometry"]).is_valid
    status, _, err = run(capsys, "--ledger", ledger, "zones", "show", "kr/nowhere")
    assert status == 2
    assert "no zone 'kr/nowhere'" in err


def test_record_catalogue_once(copy: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", copy, "zones", "record-catalogue")
    assert status == 0
    assert out.startswith("recorded ")
    with Ledger.open(copy) as opened:
        before = opened.store.last_sequence()
        recorded_at = list(opened.events(examples.DOKDO_2019))[-1].recorded_at
    status, out, _ = run(capsys, "--ledger", copy, "zones", "record-catalogue")
    assert (status, out) == (0, "the shipped zone catalogue was already recorded: nothing added\n")
    with Ledger.open(copy) as opened:
        assert opened.store.last_sequence() == before
        assert [i.id for i in opened.incidents()] == [examples.DOKDO_2019]
    status, out, _ = run(capsys, "--ledger", copy, "zones", "list")
    assert out.splitlines()[0].endswith("zones recorded in the ledger, as known now")
    assert len(out.splitlines()) == len(zone_catalogue()) + 1
    # As known before the catalogue was recorded: none.
    status, out, _ = run(
        capsys, "--ledger", copy, "zones", "list", "--known-at", recorded_at.isoformat()
    )
    assert out.splitlines()[0].startswith("0 of the 0 zones recorded in the ledger")
    # Crossings now compare with the recorded zones.
    status, out, _ = run(capsys, "--ledger", copy, "crossings", DOKDO[:8])
    assert "zones recorded in the ledger" in out.splitlines()[0]
    assert f"  entered {DOKDO_KEY} at 2019-07-23 00:16:15Z, lat" in out


def geojson_zone(key: str, name: str) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {
            "key": key,
            "name": name,
            "kind": "exercise-area",
            "authority": "Maritime Safety Administration (PRC)",
            "nation": "CN",
            "legal_source": "navigation warning, July 2024",
            "effective_from": "2024-07-20T00:00:00+08:00",
            "effective_until": "2024-07-23T00:00:00+08:00",
            "edge_rule": "rhumb-line",
            "accuracy": "as published",
            "approximate": False,
            "provenance": "the warning's own coordinates",
        },
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[119.5, 24.5], [120.0, 24.5], [120.0, 25.0], [119.5, 25.0], [119.5, 24.5]]
            ],
        },
    }


def test_zones_import(copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = {
        "type": "FeatureCollection",
        "features": [geojson_zone("cn/ex-2024-07", f"Area {EVIL}")],
    }
    file = tmp_path / "exercise.geojson"
    file.write_text(json.dumps(data), encoding="utf-8")
    argv = ("--ledger", copy, "zones", "import", str(file))
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "give --source ID or --publisher NAME" in err
    status, out, _ = run(capsys, *argv, "--publisher", "MSA")
    assert status == 0
    assert "1 zone of" in out
    status, out, _ = run(capsys, *argv, "--publisher", "MSA")
    assert "is recorded already: nothing added" in out
    status, out, _ = run(capsys, "--ledger", copy, "zones", "list")
    assert_safe(out)
    assert f"cn/ex-2024-07  Area {SHOWN} [exercise-area, CN]" in out
    # --zone finds the zones the ledger records.
    status, out, _ = run(capsys, "--ledger", copy, "list", "--zone", "cn/ex-2024-07")
    assert (status, out) == (0, "no incident matches\n")
    status, out, _ = run(capsys, "--ledger", copy, "sources", "list", "--json")
    (source,) = json.loads(out)
    assert source["publisher"] == "MSA"
    assert len(source["content_sha256"]) == 64


def test_zones_import_refuses_a_bad_file(
    copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = geojson_zone("cn/ex", "Area")
    bad["properties"]["kind"] = "no-fly"  # type: ignore[index]
    file = tmp_path / "bad.geojson"
    file.write_text(json.dumps(bad), encoding="utf-8")
    with Ledger.open(copy) as opened:
        before = opened.store.last_sequence()
    status, _, err = run(
        capsys, "--ledger", copy, "zones", "import", str(file), "--publisher", "MSA"
    )
    assert status == 2
    assert "zone kind must be one of" in err
    with Ledger.open(copy) as opened:
        assert opened.store.last_sequence() == before


def test_crossings(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "crossings", DOKDO[:8])
    assert status == 0
    assert_safe(out)
    lines = out.splitlines()
    assert lines[0].endswith(": tracks against the shipped zone catalogue")
    assert lines[1].startswith(f"track A-50 {SHOWN} (")
    assert lines[1].endswith("): 80.0 NM")
    assert f"  entered {DOKDO_KEY} at 2019-07-23 00:16:15Z, lat" in lines[2]
    assert f"  left {DOKDO_KEY} at 2019-07-23 00:21:45Z, lat" in lines[3]
    assert f"  inside {DOKDO_KEY} for 0:05:29.643800" in lines
    status, out, _ = run(capsys, "--ledger", ledger, "crossings", DOKDO[:8], "--json")
    (track,) = json.loads(out)
    assert [c["zone"] for c in track["analysis"]["crossings"]] == [DOKDO_KEY, DOKDO_KEY]
    # As known before the track was recorded: none.
    known = examples.DOKDO_2019_REPORTED_AT.isoformat()
    status, out, _ = run(capsys, "--ledger", ledger, "crossings", DOKDO[:8], "--known-at", known)
    assert "no track of two fixes or more" in out


def test_check_claims(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--ledger", ledger, "check-claims", DOKDO[:8])
    assert status == 0
    lines = out.splitlines()
    assert (
        "affirms airspace of KR entered by RU A-50 (2 times, over Dokdo): entered, agrees" in lines
    )
    assert "denies airspace of KR entered by RU: entered, DISAGREES" in lines
    assert "affirms KADIZ entered by CN: no track, cannot say" in lines
    status, out, _ = run(capsys, "--ledger", ledger, "check-claims", DOKDO[:8], "--json")
    checks = json.loads(out)
    assert [c["agrees"] for c in checks] == [None, None, True, False, False, False]


def test_geojson(ledger: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "dokdo.geojson"
    status, out, _ = run(
        capsys,
        "--ledger",
        ledger,
        "geojson",
        DOKDO[:8],
        "-o",
        str(out_file),
        "--zone",
        "us/alaska-adiz",
    )
    assert status == 0
    assert out.startswith("wrote ")
    data = json.loads(out_file.read_text(encoding="utf-8"))
    zones = [
        f["properties"]["key"] for f in data["features"] if f["properties"]["feature"] == "zone"
    ]
    # The zones the track entered (the schematic ADIZs too), then the one asked for.
    assert zones == ["jp/jadiz", "kr/kadiz-2013", DOKDO_KEY, "us/alaska-adiz"]
    kinds = sorted({f["properties"]["feature"] for f in data["features"]})
    assert kinds == ["crossing", "track", "zone"]
    assert all(shapely.geometry.shape(f["geometry"]).is_valid for f in data["features"])
    status, _, err = run(
        capsys, "--ledger", ledger, "geojson", DOKDO[:8], "-o", str(tmp_path / "x"), "--zone", "no"
    )
    assert status == 2
    assert "no zone 'no'" in err
    assert not (tmp_path / "x").exists()
