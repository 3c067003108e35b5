"""CSV files and spreadsheets through a TOML column mapping: the example, re-runs, bad rows, hostile files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import Count, Ledger
from incidents.interchange import (
    ImportRejectedError,
    RowMapping,
    example_file,
    import_rows,
    read_rows,
)
from support.backends import Backend

CSV = example_file("aircraft-around-japan.csv")
XLSX = example_file("aircraft-around-japan.xlsx")
MAPPING = example_file("aircraft-around-japan.toml")


def reports(ledger: Ledger) -> list[tuple[str, str, Count]]:
    found = []
    for incident_id in ledger.incident_ids():
        for aircraft in ledger.incident(incident_id).aircraft:
            found.append((aircraft.type_designation, aircraft.nation, aircraft.count))
    return sorted(found, key=repr)


def test_the_example_resolves_every_name_through_the_catalogue(backend: Backend) -> None:
    ledger = backend.open()
    result = import_rows(ledger, CSV, MAPPING)
    assert result.skipped == 0
    assert len(ledger.incident_ids()) == 3  # one per day and area
    designations = {r[0] for r in reports(ledger)}
    # 轰-6K and h-6k, Ｔｕ－９５ＭＳ and TU-95ms, 运-9, J16, ツポレフ95 (the mapping's alias),
    # ｉｌ－２０ and 空警-2000, each the catalogue's designation.
    assert designations == {"H-6K", "Tu-95MS", "Y-9", "J-16", "Tu-95", "Il-20", "KJ-2000"}
    assert {r[1] for r in reports(ledger)} == {"CN", "RU"}
    counts = {str(r[2]) for r in reports(ledger)}
    assert {"2", "2-4", "2+", "?", "1"} == counts


def test_running_an_import_again_adds_nothing_and_the_spreadsheet_is_the_same_rows(
    backend: Backend,
) -> None:
    ledger = backend.open()
    first = import_rows(ledger, CSV, MAPPING)
    size = len(ledger)
    again = import_rows(ledger, CSV, MAPPING)
    assert len(again) == 0
    assert again.skipped == len(first)
    sheet = import_rows(ledger, XLSX, MAPPING)
    assert len(sheet) == 0
    assert sheet.skipped == len(first)
    assert len(ledger) == size


def test_each_row_is_its_source_and_its_reports_and_ids_are_stable() -> None:
    one = read_rows(CSV, MAPPING)
    two = read_rows(CSV, MAPPING)
    assert [e.event_id for _, e in one] == [e.event_id for _, e in two]
    lines = [line for line, _ in one]
    assert lines == sorted(lines)
    assert lines[0] == 2
    assert [e.TYPE for line, e in one if line == 2] == [
        "incident-opened",
        "source-registered",
        "aircraft-reported",
    ]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    header = CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


GOOD = next(csv.reader(io.StringIO(CSV.read_text(encoding="utf-8").splitlines()[1])))


def row(**changes: str) -> list[str]:
    header = CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    cells = dict(zip(header, GOOD, strict=True))
    cells.update(changes)
    return [cells[h] for h in header]


def test_bad_rows_are_all_named_with_their_column_and_nothing_is_recorded(
    backend: Backend, tmp_path: Path
) -> None:
    ledger = backend.open()
    path = write_csv(
        tmp_path / "bad.csv",
        [
            row(),
            row(aircraft="Flying Teapot"),  # line 3
            row(count="many"),  # line 4
            row(nation="Atlantis"),  # line 5
            row(date="25 July"),  # line 6
            row(latitude="95"),  # line 7
            row(reliability="Z", credibility="9"),  # line 8
            row(),
        ],
    )
    with pytest.raises(ImportRejectedError) as raised:
        import_rows(ledger, path, MAPPING)
    error = raised.value
    assert error.lines == (3, 4, 5, 6, 7, 8)
    named = {(p.line, p.field) for p in error.problems}
    assert named == {
        (3, "aircraft"),
        (4, "count"),
        (5, "nation"),
        (6, "date"),
        (7, "latitude"),
        (8, "reliability"),
        (8, "credibility"),
    }
    assert "line 3, aircraft: expected an aircraft type the catalogue knows" in str(error)
    assert len(ledger) == 0


def test_a_zero_count_is_refused_unless_the_report_is_optional(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "zero.csv", [row(), row(count="0", aircraft="")])
    with pytest.raises(ImportRejectedError) as raised:
        read_rows(path, MAPPING)
    assert raised.value.problems[0].line == 3
    optional = MAPPING.read_text(encoding="utf-8").replace(
        "[[reports]]\n", "[[reports]]\noptional = true\n"
    )
    mapping = RowMapping.from_toml(optional)
    events = read_rows(path, mapping)
    assert [e.TYPE for _, e in events].count("aircraft-reported") == 1


def test_a_mapping_s_problems_are_all_named_before_any_row_is_read(tmp_path: Path) -> None:
    text = """
format = "incidents-mapping/v1"
namespace = "not a uuid"
colour = "red"
[incident]
title = "{date"
[source]
kind = "official_statement"
publisher = "{source}"
[[reports]]
type = "{aircraft}"
nation = "{nation}"
speed = "{speed}"
"""
    with pytest.raises(ImportRejectedError) as raised:
        RowMapping.from_toml(text, origin="bad.toml")
    named = {p.field for p in raised.value.problems}
    assert {"namespace", "colour", "incident.key", "incident.title", "reports[0].speed"} <= named
    with pytest.raises(ImportRejectedError, match="expected TOML"):
        RowMapping.from_toml("this is = = not toml")


def test_columns_the_mapping_reads_must_be_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "columns.csv"
    path.write_text("day,plane\n2024-07-25,H-6K\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as raised:
        read_rows(path, MAPPING)
    assert {p.field for p in raised.value.problems} >= {"date", "aircraft", "nation", "count"}
    assert all(p.line == 1 for p in raised.value.problems)


def test_hostile_files_give_the_library_s_errors(tmp_path: Path) -> None:
    huge = write_csv(tmp_path / "huge.csv", [row(source="x" * 200_000)])
    with pytest.raises(ImportRejectedError, match="field larger than field limit"):
        read_rows(huge, MAPPING)
    long_name = write_csv(tmp_path / "long.csv", [row(source="x" * 20_000)])
    with pytest.raises(ImportRejectedError, match="publisher is 20,000 characters long"):
        read_rows(long_name, MAPPING)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(CSV.read_bytes()[:200] + b"\xff\xfe\x00" * 10)
    with pytest.raises(ImportRejectedError, match="expected utf-8-sig text"):
        read_rows(binary, MAPPING)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportRejectedError, match="header row"):
        read_rows(empty, MAPPING)
    not_xlsx = tmp_path / "not.xlsx"
    not_xlsx.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ImportRejectedError, match=r"expected an \.xlsx workbook"):
        read_rows(not_xlsx, MAPPING)


def test_too_many_rows_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incidents.interchange import _rows

    monkeypatch.setattr(_rows, "MAX_ROWS", 3)
    path = write_csv(tmp_path / "many.csv", [row()] * 5)
    with pytest.raises(ImportRejectedError, match="at most 3 rows"):
        read_rows(path, MAPPING)


CELLS = {
    "aircraft": st.sampled_from(["", "Flying Teapot", "H-7", "轰-99", "x" * 300]),
    # An empty count cell is valid: the count is unknown (at least one).
    "count": st.sampled_from(["0", "-1", "many", "3-1", "1.5", "999999999999999999999999"]),
    "nation": st.sampled_from(["", "XX", "Atlantis", "中華"]),
    "date": st.sampled_from(["2024-13-45", "yesterday", "2024年2月30日", "1/2/3"]),
    "latitude": st.sampled_from(["95", "north", "nan"]),
    "published": st.sampled_from(["soon", "2024-02-30"]),
}


@st.composite
def files(draw: st.DrawFn) -> tuple[list[list[str]], set[int]]:
    rows, bad = [], set()
    for line in range(2, 2 + draw(st.integers(1, 8))):
        if draw(st.booleans()):
            column = draw(st.sampled_from(sorted(CELLS)))
            rows.append(row(**{column: draw(CELLS[column])}))
            bad.add(line)
        else:
            rows.append(row())
    if not bad:
        rows.append(row(count="none"))
        bad.add(1 + len(rows))
    return rows, bad


@given(files())
def test_malformed_rows_are_each_reported_and_the_ledger_is_unchanged(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[list[list[str]], set[int]]
) -> None:
    rows, bad = drawn
    path = write_csv(tmp_path_factory.mktemp("rows") / "drawn.csv", rows)
    with Ledger.open(":memory:") as ledger:
        import_rows(ledger, CSV, MAPPING)
        before = len(ledger)
        with pytest.raises(ImportRejectedError) as raised:
            import_rows(ledger, path, MAPPING)
        assert set(raised.value.lines) == bad
        assert all(p.field for p in raised.value.problems)
        assert len(ledger) == before


def test_an_empty_count_cell_is_an_unknown_count(tmp_path: Path) -> None:
    from incidents import AircraftReported

    path = write_csv(tmp_path / "unknown.csv", [row(count="")])
    counts = [e.count for _, e in read_rows(path, MAPPING) if isinstance(e, AircraftReported)]
    assert counts == [Count.unknown()]
