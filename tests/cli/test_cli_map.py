"""``incidents map``: the Dokdo patrol drawn, as PNG and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from test_cli_geography import DOKDO, a50_track, run

from incidents import FixedClock, Ledger, examples


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("map") / "dokdo.db"
    with Ledger.open(path, clock=FixedClock(examples.DOKDO_2019_FOLLOWED_UP_AT)) as ledger:
        ledger.record(*examples.dokdo_2019())
        ledger.record(a50_track())
    return str(path)


def test_a_map_is_drawn_as_png_with_the_crossings(
    ledger_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dokdo.png"
    status, printed, err = run(capsys, "--ledger", ledger_path, "map", DOKDO[:8], "-o", str(out))
    assert status == 0, err
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "from the shipped zone catalogue" in printed
    assert "2 crossings" in printed  # into Dokdo's territorial airspace and out again
    assert "approximate, not the legal line" in printed


def test_a_map_is_drawn_as_svg_with_its_title_as_text(
    ledger_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dokdo.svg"
    status, _, err = run(
        capsys, "--ledger", ledger_path, "map", DOKDO, "-o", str(out), "--title", "Dokdo, 23 July"
    )
    assert status == 0, err
    root = ElementTree.parse(out).getroot()
    texts = "".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "Dokdo, 23 July" in out.read_text(encoding="utf-8") or "Dokdo, 23 July" in texts


def test_bad_requests_write_nothing(
    ledger_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "map.gif"
    status, _, err = run(capsys, "--ledger", ledger_path, "map", DOKDO, "-o", str(out))
    assert status == 2
    assert not out.exists()
    status, _, err = run(
        capsys, "--ledger", ledger_path, "map", DOKDO, "-o", str(tmp_path / "m.png"), "--dpi", "0"
    )
    assert status == 2
    assert "--dpi" in err
    assert not (tmp_path / "m.png").exists()
    missing = tmp_path / "missing.db"
    status, _, err = run(capsys, "--ledger", str(missing), "map", DOKDO, "-o", str(out))
    assert status == 2
    assert not missing.exists()


def test_an_interactive_map_is_written_as_html(
    ledger_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dokdo.html"
    status, _, err = run(capsys, "--ledger", ledger_path, "map", DOKDO, "-o", str(out))
    assert status == 0, err
    assert 'id="incident-data"' in out.read_text(encoding="utf-8")
