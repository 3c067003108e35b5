"""
The aircraft type catalogue: names in every script, families, operators, extension.

The facts asserted here are those of the domain notes (who flies what in the
2019 Dokdo/Takeshima and 2024 Alaska incidents); the rest is behaviour.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from incidents import (
    AircraftCatalogue,
    AircraftOperator,
    AircraftReported,
    AircraftRole,
    AircraftType,
    IncidentOpened,
    InvalidInputError,
    Recorded,
    SourceKind,
    SourceRegistered,
    ValidTime,
    default_catalogue,
    fold,
)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = default_catalogue()


@pytest.mark.parametrize(
    ("name", "designation"),
    [
        # Latin letters, whatever the case, spaces and hyphens
        ("H-6K", "H-6K"),
        ("H6K", "H-6K"),
        ("h-6k", "H-6K"),
        ("H 6 K", "H-6K"),
        ("Ｈ－６Ｋ", "H-6K"),  # full-width forms
        ("H\u20116K", "H-6K"),  # non-breaking hyphen
        ("tu-95ms", "Tu-95MS"),
        ("TU 95 MS", "Tu-95MS"),
        ("a50u", "A-50U"),
        ("KJ2000", "KJ-2000"),
        ("CF-188", "CF-18"),
        ("F-18", "F/A-18"),
        ("kf16", "KF-16"),
        # Chinese
        ("轰-6K", "H-6K"),
        ("轰6K", "H-6K"),
        ("轰-6", "H-6"),
        ("空警-2000", "KJ-2000"),
        ("歼-16", "J-16"),
        ("运-9", "Y-9"),
        # Russian, in Cyrillic
        ("Ту-95МС", "Tu-95MS"),
        ("ту-95мс", "Tu-95MS"),
        ("А-50", "A-50"),
        ("А-50У", "A-50U"),
        ("Су-35С", "Su-35S"),
        ("Су-30СМ", "Su-30SM"),
        ("Ту-22М3", "Tu-22M3"),
        ("Ил-20", "Il-20"),
    ],
)
def test_names_find_their_type(name: str, designation: str) -> None:
    found = CATALOGUE.lookup(name)

    assert found is not None
    assert found.designation == designation


def test_unknown_names_find_nothing() -> None:
    assert CATALOGUE.lookup("Test-57") is None
    assert CATALOGUE.lookup("") is None
    assert CATALOGUE.family_of("Test-52") is None
    with pytest.raises(InvalidInputError, match="must be text"):
        CATALOGUE.lookup(None)  # type: ignore[arg-type]


def test_every_name_of_the_shipped_data_finds_its_own_entry() -> None:
    for entry in CATALOGUE:
        for name in entry.names:
            assert CATALOGUE.lookup(name) is entry, name


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("H-6", "H-6"),
        ("H-6K", "H-6"),
        ("H-6N", "H-6"),
        ("轰-6K", "H-6"),
        ("Tu-95", "Tu-95"),
        ("Tu-95MS", "Tu-95"),
        ("Ту-95МС", "Tu-95"),
        ("A-50U", "A-50"),
        ("Tu-22M3", "Tu-22M"),
        ("KF-16", "F-16"),
        ("F-15J", "F-15"),
        ("F-35A", "F-35"),
        ("CF-18", "F/A-18"),
        ("F-2", "F-2"),  # developed from the F-16, but a type of its own
    ],
)
def test_types_fold_to_their_family(name: str, family: str) -> None:
    assert CATALOGUE.family_of(name) == family


def test_every_family_of_the_shipped_data_has_its_own_entry() -> None:
    for entry in CATALOGUE:
        own = CATALOGUE.lookup(entry.family)
        assert own is not None
        assert own.designation == own.family == entry.family


@pytest.mark.parametrize(
    ("nation", "name"),
    [
        # 2019, near Dokdo/Takeshima
        ("CN", "H-6K"),
        ("RU", "Tu-95MS"),
        ("RU", "A-50"),
        ("KR", "F-15K"),
        ("KR", "KF-16"),
        ("JP", "F-15J"),
        ("JP", "F-2"),
        ("JP", "F-35A"),
        ("KR", "F-35A"),
        # 2024, near Alaska
        ("US", "F-16"),
        ("US", "F-35"),
        ("US", "F-22"),
        ("CA", "CF-18"),
        # a family's own entry counts every type of the family
        ("KR", "F-16"),
        ("JP", "F-15"),
        ("CA", "F/A-18"),
        ("CN", "KJ-2000"),
        ("RU", "Su-30SM"),
        ("RU", "Su-35S"),
        ("CN", "J-16"),
    ],
)
def test_operators_are_known(nation: str, name: str) -> None:
    assert CATALOGUE.operates(nation, name) is True


@pytest.mark.parametrize(
    ("nation", "name"),
    [
        ("JP", "F-16"),
        ("JP", "KF-16"),
        ("US", "F-15J"),
        ("KR", "F-2"),
        ("CN", "Tu-95MS"),
        ("RU", "H-6K"),
        ("CA", "F-22"),
        ("CN", "Su-35S"),  # China flies the Su-35, not the Su-35S built for Russia
    ],
)
def test_covered_nations_do_not_operate_what_is_not_listed(nation: str, name: str) -> None:
    assert CATALOGUE.operates(nation, name) is False


def test_unknown_is_not_no() -> None:
    assert "FR" not in CATALOGUE.covered_nations
    assert CATALOGUE.operates("FR", "F-16") is None  # a nation the catalogue does not cover
    assert CATALOGUE.operates("JP", "Test-57") is None  # a type the catalogue does not know
    with pytest.raises(InvalidInputError, match="'GB'"):
        CATALOGUE.operates("UK", "F-35A")


def test_every_entry_says_where_its_facts_come_from() -> None:
    for entry in CATALOGUE:
        assert "not an official list" in entry.provenance, entry.designation


def test_the_shipped_catalogue_is_cached_and_never_changed_by_extensions() -> None:
    extra = AircraftType(designation="Test-1", role="fighter", provenance="a test", aliases=["T1"])

    bigger = CATALOGUE.with_types(extra)

    assert default_catalogue() is CATALOGUE
    assert CATALOGUE.lookup("T1") is None
    assert bigger.lookup("t-1") == extra
    assert len(bigger) == len(CATALOGUE) + 1


def test_with_types_replaces_an_entry_of_the_same_designation_in_place() -> None:
    original = CATALOGUE.lookup("F-2")
    assert original is not None
    newer = AircraftType(
        designation="f2",
        role=AircraftRole.FIGHTER,
        provenance="a test",
        operators=[AircraftOperator("JP", "Japan Air Self-Defense Force")],
    )

    replaced = CATALOGUE.with_types(newer)

    assert replaced.lookup("F-2") is newer
    assert replaced.types.index(newer) == CATALOGUE.types.index(original)
    assert len(replaced) == len(CATALOGUE)
    assert replaced.operates("JP", "F-16") is False


def test_new_members_join_a_shipped_family_and_its_operators() -> None:
    member = AircraftType(
        designation="H-6X1",
        family="H-6",
        role="bomber",
        provenance="a test",
        operators=[AircraftOperator("EG", "Test Air Force")],
    )

    bigger = CATALOGUE.with_types(member)

    assert bigger.family_of("H6X1") == "H-6"
    assert bigger.operates("EG", "H-6") is True
    assert CATALOGUE.operates("EG", "H-6") is None


def _write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _entry(**fields: Any) -> dict[str, Any]:
    return {"designation": "Test-1", "role": "fighter", "provenance": "a test"} | fields


def test_a_user_file_extends_the_catalogue(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mine.json",
        {
            "format": 1,
            "covered_nations": ["TW"],
            "types": [
                _entry(
                    designation="F-16V",
                    family="F-16",
                    aliases=["F-16 Block 70", "ＦＶ１６", "에프-16V", "エフ16V"],
                    operators=[{"nation": "TW", "air_arm": "Test Air Force"}],
                ),
                _entry(designation="Test-2", role="AEW&C", nato_name="Tester"),
            ],
        },
    )

    mine = CATALOGUE.extended(path)

    assert mine.lookup("f16 block 70") == mine.lookup("에프16V") == mine.lookup("エフ-16V")
    assert mine.family_of("エフ16V") == "F-16"
    assert mine.operates("TW", "F-16") is True
    assert mine.operates("TW", "F-35") is False  # TW is covered now
    assert mine.covered_nations == CATALOGUE.covered_nations | {"TW"}
    test_2 = mine.lookup("Test-2")
    assert test_2 is not None
    assert (test_2.role, test_2.family, test_2.nato_name) == (
        AircraftRole.AEW_C,
        "Test-2",
        "Tester",
    )
    assert CATALOGUE.lookup("F-16V") is None


def test_a_user_file_can_be_a_catalogue_of_its_own(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mine.json", {"types": [_entry(), _entry(designation="T-2", family="Test-1")]}
    )

    mine = AircraftCatalogue.from_file(path)

    assert [t.designation for t in mine] == ["Test-1", "T-2"]
    assert mine.family_of("T2") == "Test-1"
    assert mine.operates("JP", "T-2") is None


@pytest.mark.parametrize(
    ("types", "says"),
    [
        (
            [_entry(role="bommer")],
            r"types\[0\] \('Test-1'\): unknown role 'bommer'; expected one of",
        ),
        (
            [_entry(operators=[{"nation": "UK", "air_arm": "RAF"}])],
            r"types\[0\] \('Test-1'\): nation must be an assigned ISO 3166-1 .*'GB'",
        ),
        ([_entry(operators=[{"nation": "XX", "air_arm": "X"}])], "'XX' is a user-assigned code"),
        ([_entry(operators=[{"country": "JP"}])], "each operator must be"),
        (
            [_entry(), _entry(designation="test 1")],
            r"duplicate designation 'test 1' \(already given as 'Test-1'\)",
        ),
        (
            [_entry(aliases=["轰6K"])],
            "'轰6K' names two types: alias '轰-6K' of 'H-6K' and alias '轰6K' of 'Test-1'",
        ),
        (
            [_entry(designation="CF-188")],
            "'CF-188' names two types: the designation of 'CF-188' and alias 'CF-188' of 'CF-18'",
        ),
        ([_entry(family="Test-0")], "family 'Test-0' of 'Test-1' is not in the catalogue"),
        (
            [_entry(family="h-6")],
            "family 'h-6' of 'Test-1' is not in the catalogue; did you mean 'H-6'",
        ),
        ([_entry(family="H-6K")], "family 'H-6K' of 'Test-1' is itself a member of family 'H-6'"),
        ([_entry(alias=["T"])], "unknown field 'alias'"),
        ([{"designation": "Test-1", "role": "fighter"}], "missing field 'provenance'"),
        ([_entry(provenance=" ")], "provenance must be non-empty text"),
        ([_entry(aliases="T")], "expected a list"),
        ([_entry(aliases=["-"])], "aliases must hold non-empty names"),
        (["Test-1"], r"types\[0\]: expected an object"),
    ],
)
def test_a_bad_user_file_is_refused_with_the_entry_named(
    tmp_path: Path, types: list[Any], says: str
) -> None:
    path = _write(tmp_path / "mine.json", {"types": types})

    with pytest.raises(InvalidInputError, match=says) as raised:
        CATALOGUE.extended(path)

    assert str(raised.value).startswith(str(path))


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"format": 2, "types": []}, "format 2 is not supported"),
        ({"types": {}}, "'types' must be a list"),
        ({"typse": []}, "unknown key 'typse'"),
        ({"types": [], "covered_nations": ["UK"]}, "covered_nations must be .*'GB'"),
        ([], "expected a JSON object"),
    ],
)
def test_a_bad_user_document_is_refused(tmp_path: Path, document: Any, says: str) -> None:
    with pytest.raises(InvalidInputError, match=says):
        CATALOGUE.extended(_write(tmp_path / "mine.json", document))


def test_an_unreadable_user_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read aircraft catalogue"):
        CATALOGUE.extended(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_bytes(b"{\xff")
    with pytest.raises(InvalidInputError, match="not a JSON document"):
        AircraftCatalogue.from_file(tmp_path / "bad.json")


def test_types_and_catalogues_are_checked_when_built_in_code() -> None:
    with pytest.raises(InvalidInputError, match="unknown role"):
        AircraftType(designation="T", role="interceptor", provenance="p")
    with pytest.raises(InvalidInputError, match="'GB'"):
        AircraftOperator("UK", "Royal Air Force")
    with pytest.raises(InvalidInputError, match="takes AircraftType values"):
        CATALOGUE.with_types("H-6X")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="covered_nations must be"):
        CATALOGUE.with_types(covered_nations=["XK"])
    with pytest.raises(InvalidInputError, match="expected a list"):
        AircraftCatalogue(types=(), covered_nations="JP")


def test_the_data_file_ships_in_the_wheel_and_loads_from_it(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        assert "incidents/data/aircraft_types.json" in archive.namelist()
    # Import the package from the wheel itself, a zip file: the data file can
    # only be read there as a package resource, not as a path beside the code.
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import incidents; "
        "assert incidents.__file__.startswith(sys.argv[1]), incidents.__file__; "
        "print(incidents.default_catalogue().family_of('轰-6K'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, wheel],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "H-6"


def _recorded(events: list[Any]) -> list[Recorded]:
    start = datetime(2024, 7, 25, tzinfo=UTC)
    return [
        Recorded(
            event=e, sequence=i, position=i, recorded_at=start + timedelta(seconds=i), recorder="t"
        )
        for i, e in enumerate(events, start=1)
    ]


def test_the_state_counts_aircraft_by_family_without_adding_them_up() -> None:
    incident = uuid.uuid4()
    article = SourceRegistered(incident_id=incident, kind=SourceKind.NEWS_ARTICLE, publisher="News")
    ministry = SourceRegistered(
        incident_id=incident, kind=SourceKind.PRESS_RELEASE, publisher="MND"
    )
    day = ValidTime.day("2024-07-24", tz="America/Anchorage")

    def seen(source: SourceRegistered, designation: str, nation: str) -> AircraftReported:
        return AircraftReported(
            incident_id=incident,
            source_id=source.source_id,
            type_designation=designation,
            nation=nation,
            count=2,
            valid_time=day,
        )

    state = fold(
        _recorded(
            [
                IncidentOpened(incident_id=incident, source_id=article.source_id, title="Patrol"),
                article,
                ministry,
                seen(article, "H-6", "CN"),
                seen(ministry, "H-6K", "CN"),
                seen(article, "Tu-95", "RU"),
                seen(ministry, "Ту-95МС", "RU"),
                seen(ministry, "Test-57", "RU"),
            ]
        )
    )
    assert state is not None

    # Variants of one family are the same aircraft: reconciled, not added up.
    assert state.aircraft_by_family() == {
        "CN": {"H-6": 2},
        "RU": {"Test-57": 2, "Tu-95": 2},
    }
    assert state.aircraft_by_family() == state.aircraft_by_nation()
    assert [g.designations for g in state.aircraft_groups] == [
        ("H-6", "H-6K"),
        ("Test-57",),
        ("Tu-95", "Ту-95МС"),
    ]
    # A catalogue of one's own decides the families.
    mine = CATALOGUE.with_types(
        AircraftType(designation="Test-57", family="Tu-95", role="bomber", provenance="a test")
    )
    assert state.aircraft_by_family(mine)["RU"] == {"Tu-95": 2}
    (group,) = [g for g in state.reconcile(mine) if g.nation == "RU"]
    assert group.designations == ("Test-57", "Tu-95", "Ту-95МС")
