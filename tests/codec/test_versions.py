"""
Event versions: old records upcast on read by every decoder, every value written at its lowest version.

``data/source-registered-v1.jsonl`` holds records of version 1 of
``source-registered`` exactly as 0.1.0 stored them (``cites`` one id or
null). Read through the validating and the trusted decoders, they are
version 2 (``cites`` a tuple); written again, they are their stored bytes.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from incidents import (
    EVENT_TYPES,
    InvalidInputError,
    Ledger,
    Recorded,
    SourceKind,
    SourceRegistered,
    StorageError,
    canonical_bytes,
    converter,
    decode_event,
    decode_recorded,
    encode_event,
)
from incidents._codec.canonical import reference_encode_event
from incidents._codec.envelope import TYPE_MARKS
from incidents._codec.trusted import decode_trusted, structure_trusted
from incidents._codec.upcast import DOWNCASTERS, UPCASTERS, downcaster, lowest, upcaster

DATA = Path(__file__).resolve().parent / "data"
MINISTRY = uuid.UUID("4941fc41-0d0f-563c-ad70-577a818c51cc")
RIA = uuid.UUID("7c5c8d9a-57b7-5d44-b394-5d8c2288c5ca")
INCIDENT = uuid.UUID(int=7)


def old_records() -> list[bytes]:
    return (DATA / "source-registered-v1.jsonl").read_bytes().splitlines()


def event_json(record: bytes) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(record)["event"]
    return found


def source(**kw: Any) -> SourceRegistered:
    fields: dict[str, Any] = {
        "incident_id": INCIDENT,
        "source_id": uuid.UUID(int=8),
        "kind": SourceKind.NEWS_ARTICLE,
        "publisher": "Yonhap",
    }
    fields.update(kw)
    return SourceRegistered(**fields)


def test_the_fixture_is_version_1_as_0_1_0_wrote_it() -> None:
    ministry, ria = old_records()
    assert b'"cites":null' in ministry
    assert b'"cites":"4941fc41-0d0f-563c-ad70-577a818c51cc"' in ria
    assert b'"version"' not in ministry + ria
    bundle = (DATA.parent.parent / "audit" / "data" / "bundle-v1.jsonl").read_bytes()
    assert ministry in bundle.splitlines()
    assert ria in bundle.splitlines()


@pytest.mark.parametrize("decode", [decode_recorded, decode_trusted])
def test_version_1_records_decode_as_version_2_and_encode_to_their_stored_bytes(
    decode: Any,
) -> None:
    ministry, ria = old_records()
    read = [decode(ministry), decode(ria)]
    assert [r.event.cites for r in read] == [(), (MINISTRY,)]
    assert [canonical_bytes(r) for r in read] == [ministry, ria]


def test_the_event_decoders_upcast_too() -> None:
    for record in old_records():
        data = event_json(record)
        validated = decode_event(json.dumps(data))
        trusted = structure_trusted(data)
        snapshot = converter.structure(data, type(validated).__mro__[1])  # the Event base
        assert validated == trusted == snapshot
        assert isinstance(validated, SourceRegistered)
        assert encode_event(validated) == json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")


def test_a_source_citing_two_sources_is_written_at_version_2() -> None:
    article = source(cites=[MINISTRY, RIA])
    data = json.loads(encode_event(article))
    assert data["version"] == 2
    assert data["cites"] == [str(MINISTRY), str(RIA)]
    assert encode_event(article) == reference_encode_event(article)
    assert decode_event(encode_event(article)) == article
    recorded = Recorded(
        event=article,
        sequence=3,
        position=2,
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        recorder="ana",
    )
    stored = canonical_bytes(recorded)
    assert decode_trusted(stored) == decode_recorded(stored) == recorded
    assert TYPE_MARKS["source-registered"] in stored


@pytest.mark.parametrize("cites", [(), (MINISTRY,)])
def test_a_value_version_1_holds_is_written_at_version_1(cites: tuple[uuid.UUID, ...]) -> None:
    written = encode_event(source(cites=cites, archive_url="https://archive.org/x"))
    assert b'"version"' not in written
    assert json.loads(written)["cites"] == (str(cites[0]) if cites else None)
    # Written at version 2 anyway, it still reads; the canonical bytes are version 1's.
    data = json.loads(written)
    data.update(version=2, cites=[str(c) for c in cites])
    assert encode_event(decode_event(json.dumps(data))) == written


def test_a_single_id_is_taken_as_one_cited_source() -> None:
    assert source(cites=MINISTRY).cites == (MINISTRY,)
    assert source(cites=None).cites == ()


def test_a_future_version_is_refused_clearly_by_every_decoder() -> None:
    ministry = old_records()[0]
    future = ministry.replace(
        b'"type":"source-registered"', b'"type":"source-registered","version":3'
    )
    with pytest.raises(InvalidInputError, match="version 3 is newer than this version"):
        decode_event(json.dumps(event_json(future)))
    for decode in (decode_recorded, decode_trusted):
        with pytest.raises(StorageError, match="version 3 is newer than this version"):
            decode(future)
    with pytest.raises(StorageError, match="newer"):
        structure_trusted(event_json(future))
    # A type still at version 1 has no version 2 either.
    with pytest.raises(InvalidInputError, match="aircraft-reported version 2 is newer"):
        decode_event(
            json.dumps(
                {
                    "type": "aircraft-reported",
                    "version": 2,
                    "event_id": str(uuid.uuid4()),
                    "incident_id": str(INCIDENT),
                    "source_id": str(MINISTRY),
                    "type_designation": "A-50",
                    "nation": "RU",
                    "count": 1,
                    "valid_time": {"precision": "unknown"},
                }
            )
        )


@pytest.mark.parametrize("version", [1, 0, True, 2.0, "2", None])
def test_a_version_that_is_not_a_whole_number_from_2_is_refused(version: Any) -> None:
    data = {**event_json(old_records()[1]), "version": version}
    with pytest.raises(InvalidInputError, match="version 1 is written without one"):
        decode_event(json.dumps(data))


def test_upcasting_then_downcasting_gives_back_the_old_form() -> None:
    up, down = UPCASTERS["source-registered", 1], DOWNCASTERS["source-registered", 1]
    for record in old_records():
        fields = {k: v for k, v in event_json(record).items() if k != "type"}
        assert down(up(fields)) == fields
        assert lowest("source-registered", up(fields)) == (1, fields)
    two = {"cites": [str(MINISTRY), str(RIA)]}
    assert down(two) is None
    assert lowest("source-registered", two) == (2, two)


def test_every_step_between_versions_is_registered_once() -> None:
    for name, cls in EVENT_TYPES.items():
        for version in range(1, cls.VERSION):
            assert (name, version) in UPCASTERS
            assert (name, version) in DOWNCASTERS
    assert EVENT_TYPES["source-registered"].VERSION == 2
    with pytest.raises(ValueError, match="registered already"):
        upcaster("source-registered", 1)
    with pytest.raises(ValueError, match="no version 2"):
        downcaster("source-registered", 2)
    with pytest.raises(ValueError, match="no version 1"):
        upcaster("incident-opened", 1)


def test_the_0_1_0_ledger_folds_its_sources_as_before_and_keeps_its_bytes(tmp_path: Path) -> None:
    original = DATA.parent.parent / "audit" / "data" / "ledger-v0.db"
    copy = tmp_path / "ledger-v0.db"
    shutil.copyfile(original, copy)
    with Ledger.open(copy, read_only=True) as ledger:
        (incident_id,) = ledger.incident_ids()
        stored = {r.event_id: r.state for r in ledger.store.rows()}
        for record in ledger.events(incident_id):
            assert canonical_bytes(record) == stored[record.event_id]
        incident = ledger.incident(incident_id)
        assert incident.source(RIA).cites == (MINISTRY,)
        assert incident.source(MINISTRY).cites == ()
        assert incident.aircraft_by_nation() == {"CN": {"H-6": 2}, "RU": {"Tu-95": 2}}
        assert ledger.verify().ok
        # A proof over the decoded record hashes its bytes again: the stored ones.
        ria = ledger.event(RIA)
        ledger.inclusion_proof(ria).verify(ria, ledger.checkpoint())
    assert sha256(copy.read_bytes()).digest() == sha256(original.read_bytes()).digest()
