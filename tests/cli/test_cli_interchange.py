"""
``incidents import``, ``incidents export`` (events, flat table, Datasette, STIX) and ``incidents copy``.

Thin commands over :mod:`incidents.interchange`: these tests check what the
command line adds (choosing the import, the format by extension, exit
statuses, every problem on its own escaped line, nothing recorded); the
formats themselves are tested in ``tests/interchange``.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from test_cli_terminal import EVIL, assert_safe

from incidents import Ledger, examples
from incidents._cli import main
from incidents._tlog.checkpoint import Checkpoint
from incidents.interchange import example_file

CSV = example_file("aircraft-around-japan.csv")
MAPPING = example_file("aircraft-around-japan.toml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    capsys.readouterr()
    return str(path)


def count(path: str | Path) -> int:
    with Ledger.open(path, read_only=True) as ledger:
        return len(ledger)


def test_rows_through_a_mapping_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "rows.db")
    argv = ["--ledger", ledger, "import", str(CSV), "--mapping", str(MAPPING)]
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "no ledger at" in err
    status, out, err = run(capsys, *argv, "--create")
    assert status == 0, err
    assert out.startswith("imported 17 events of 3 incidents from ")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert out.startswith(f"nothing imported from {CSV}: its 17 events were there already")
    status, out, _ = run(capsys, "--ledger", ledger, "list")
    assert "Aircraft reported over the Sea of Okhotsk" in out


def test_bad_rows_are_all_listed_and_nothing_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = CSV.read_text(encoding="utf-8").splitlines()
    header, first, second, *rest = rows
    bad = [header, first, second.replace(",", ",?x?,", 1), f"{EVIL},{EVIL}", *rest]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    ledger = tmp_path / "rows.db"
    assert main(["--ledger", str(ledger), "init"]) == 0
    capsys.readouterr()
    status, out, err = run(
        capsys, "--ledger", str(ledger), "import", str(path), "--mapping", str(MAPPING)
    )
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith(f"incidents: error: {path}: ")
    assert lines[0].endswith("; nothing was recorded")
    assert any(line.startswith("  line 3") for line in lines), err
    assert any(line.startswith("  line 4") for line in lines), err
    assert_safe(err)
    assert count(ledger) == 0


def test_events_out_and_in(demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "alaska.jsonl"
    status, out, _ = run(capsys, "--ledger", demo, "export", "--events", str(events))
    assert (status, out) == (0, f"wrote {events}: 19 events (JSON Lines)\n")
    copy = tmp_path / "copy.db"
    status, out, err = run(capsys, "--ledger", str(copy), "import", str(events), "--create")
    assert status == 0, err
    assert out.startswith("imported 19 events of 1 incidents")
    status, out, _ = run(capsys, "--ledger", str(copy), "import", str(events), "--json")
    assert json.loads(out) == {"recorded": [], "skipped": 19}


def test_a_bundle_is_restored_into_a_new_ledger_with_its_root(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "alaska.bundle"
    status, out, _ = run(capsys, "--ledger", demo, "export", "--bundle", str(bundle))
    root = Checkpoint.parse(out.split("\n", 1)[1]).root.hex()
    restored = tmp_path / "restored.db"
    status, out, err = run(capsys, "--ledger", str(restored), "import", str(bundle))
    assert status == 0, err
    assert out.startswith("restored 19 events of 1 incidents of log ")
    assert out.rstrip().endswith(f"root {root}")
    # Only into a new ledger.
    status, _, err = run(capsys, "--ledger", demo, "import", str(bundle))
    assert status == 2
    assert "restored into a new ledger" in err
    # A bundle changed since it was written restores nothing: verification failed (1).
    text = bundle.read_text(encoding="utf-8")
    bundle.write_text(text.replace("Chen Xiaogang", "Chen Xiaoming"), encoding="utf-8")
    other = tmp_path / "other.db"
    status, out, err = run(capsys, "--ledger", str(other), "import", str(bundle))
    assert status == 1, err
    assert out.startswith("FAILED: ")
    assert "content modified" in out
    assert not other.exists() or count(other) == 0


def test_copy_keeps_the_root_across_sqlite_and_bundles(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roots = set()
    hops = [
        (demo, tmp_path / "a.db"),
        (tmp_path / "a.db", tmp_path / "a.bundle"),
        (tmp_path / "a.bundle", tmp_path / "b.db"),
    ]
    for source, target in hops:
        status, out, err = run(capsys, "copy", str(source), str(target))
        assert status == 0, err
        first, rest = out.split("\n", 1)
        assert first.startswith("copied 19 events of log ")
        roots.add(Checkpoint.parse(rest).root.hex())
    assert len(roots) == 1
    status, out, _ = run(capsys, "verify", str(tmp_path / "b.db"))
    assert status == 3  # consistent, nothing authenticated: as the original
    assert roots.pop() in out
    status, _, err = run(capsys, "copy", str(tmp_path / "missing.db"), str(tmp_path / "c.db"))
    assert status == 2
    assert "no ledger or bundle at" in err
    status, _, err = run(capsys, "copy", demo, str(tmp_path / "a.db"))
    assert status == 2  # the target holds a ledger already


def test_the_flat_table_as_csv_and_parquet(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "facts.csv"
    status, out, _ = run(capsys, "--ledger", demo, "export", "--table", str(table))
    assert (status, out) == (0, f"wrote {table}: 19 fact versions (csv)\n")
    with table.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 19
    assert {"incident_id", "latitude", "longitude"} <= set(rows[0])
    parquet = tmp_path / "facts.parquet"
    status, out, _ = run(capsys, "--ledger", demo, "export", "--table", str(parquet))
    assert status == 0
    pyarrow = pytest.importorskip("pyarrow.parquet")
    assert pyarrow.read_table(parquet).num_rows == 19
    other = tmp_path / "facts.data"
    status, _, err = run(capsys, "--ledger", demo, "export", "--table", str(other))
    assert status == 2
    assert "name the file .csv or .parquet" in err
    status, out, _ = run(
        capsys, "--ledger", demo, "export", "--table", str(other), "--table-format", "csv"
    )
    assert status == 0
    earlier = tmp_path / "earlier.csv"
    status, out, _ = run(
        capsys, "--ledger", demo, "export", "--table", str(earlier),
        "--known-at", examples.ALASKA_2024_PUBLISHED_AT.isoformat(),
    )  # fmt: skip
    assert status == 0
    assert "15 fact versions" in out


def test_datasette_and_stix(demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    datasette = tmp_path / "alaska-datasette.db"
    status, out, _ = run(capsys, "--ledger", demo, "export", "--datasette", str(datasette))
    assert status == 0
    assert f"serve it with `datasette {datasette}`" in out
    with sqlite3.connect(datasette) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"fact_versions", "incidents", "sources"} <= tables
    stix = tmp_path / "alaska.stix.json"
    status, out, _ = run(capsys, "--ledger", demo, "export", "--stix", str(stix))
    assert status == 0
    bundle = json.loads(stix.read_text(encoding="utf-8"))
    assert bundle["type"] == "bundle"
    assert f"a STIX 2.1 bundle of {len(bundle['objects'])} objects" in out
    # Never over the ledger's own file.
    status, _, err = run(capsys, "--ledger", demo, "export", "--datasette", demo)
    assert status == 2
    assert "the ledger's own file" in err
    assert count(demo) == 19


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export"], "give one of --bundle, --events, --table, --datasette or --stix"),
        (["export", "--stix", "a", "--table", "b.csv"], "not --table and --stix"),
        (["export", "--stix", "a", "--table-format", "csv"], "--table-format goes with --table"),
        (["export", "--bundle", "b", "--known-at", "2024-07-25T12:00Z"], "not for --bundle"),
        (["export", "--stix", "s", "--known-at", "yesterday"], "not an ISO-8601"),
        (["import", "nothing.jsonl"], "no file at nothing.jsonl"),
    ],
)
def test_usage(
    demo: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "--ledger", demo, *argv)
    assert status == 2
    assert message in err


def test_import_options_that_do_not_fit(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "e.jsonl"
    events.write_text("")
    for argv, message in (
        (["import", str(CSV), "--as", "rows"], "give --mapping"),
        (["import", str(events), "--as", "events", "--mapping", str(MAPPING)], "--mapping is for"),
        (["import", str(events), "--key", "x"], "--key is for bundles"),
    ):
        status, _, err = run(capsys, "--ledger", demo, *argv)
        assert status == 2, argv
        assert message in err
