"""
Source registrations: many cited sources, chain-of-custody fields, kinds and language tags.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from incidents import InvalidInputError, SourceKind, SourceRegistered, encode_event
from incidents._domain.languages import why_not_a_language

DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def source(**kw: Any) -> SourceRegistered:
    fields: dict[str, Any] = {
        "incident_id": uuid.UUID(int=1),
        "kind": SourceKind.NEWS_ARTICLE,
        "publisher": "Yonhap",
    }
    fields.update(kw)
    return SourceRegistered(**fields)


def test_the_kinds_cover_wire_services_broadcasts_and_datasets() -> None:
    assert {k.value for k in SourceKind} >= {
        "news_article",
        "official_statement",
        "press_release",
        "social_media_post",
        "transcript",
        "wire_report",
        "broadcast",
        "government_dataset",
        "think_tank_dataset",
    }


def test_a_source_keeps_its_chain_of_custody() -> None:
    captured = datetime(2019, 7, 23, 9, 30, tzinfo=UTC)
    kept = source(
        archive_url="https://web.archive.org/web/20190723093000/https://www.yna.co.kr/",
        content_sha256=DIGEST,
        captured_at=captured,
        original_title="러시아 군용기 독도 영공 침범",
        language="ko",
    )
    assert kept.content_sha256 == DIGEST
    assert kept.captured_at == captured
    text = encode_event(kept).decode()
    assert '"content_sha256":"' + DIGEST in text
    assert '"original_title":"러시아 군용기 독도 영공 침범"' in text


def test_the_preservation_fields_are_left_out_when_not_given() -> None:
    text = encode_event(source()).decode()
    for name in ("archive_url", "content_sha256", "captured_at", "original_title"):
        assert name not in text


@pytest.mark.parametrize(
    "digest",
    [DIGEST.upper(), DIGEST[:-1], DIGEST + "0", "sha256:" + DIGEST, "g" * 64, 12, b"x" * 64],
)
def test_a_digest_that_is_not_64_lowercase_hex_digits_is_refused(digest: Any) -> None:
    with pytest.raises(InvalidInputError, match="SHA-256"):
        source(content_sha256=digest)


@pytest.mark.parametrize(
    "address", ["web.archive.org/x", "ftp://archive.org/x", "https://", "https://a b", ""]
)
def test_an_archive_address_is_a_web_address(address: str) -> None:
    with pytest.raises(InvalidInputError, match="archive_url"):
        source(archive_url=address)


def test_a_capture_time_is_timezone_aware() -> None:
    with pytest.raises(InvalidInputError, match="capture time"):
        source(captured_at=datetime(2019, 7, 23, 9, 30))


def test_cited_sources_are_distinct_and_not_the_source_itself() -> None:
    own = uuid.uuid4()
    other = uuid.uuid4()
    assert source(cites=[own, other]).cites == (own, other)
    with pytest.raises(InvalidInputError, match="each source once"):
        source(cites=[other, other])
    with pytest.raises(InvalidInputError, match="cannot cite itself"):
        source(source_id=own, cites=[other, own])
    with pytest.raises(InvalidInputError, match="cites"):
        source(cites=["not an id"])


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "zh",
        "ko",
        "ja",
        "ru",
        "yue",
        "zh-Hant",
        "zh-Hant-TW",
        "en-US",
        "es-419",
        "sr-Latn-RS",
        "de-CH-1996",
        "und",
        "x-private",
        "en-x-twitter",
        "EN-us",
    ],
)
def test_bcp_47_tags_of_iso_639_languages_are_accepted(tag: str) -> None:
    assert why_not_a_language(tag) is None


@pytest.mark.parametrize(
    ("tag", "why"),
    [
        ("english", "not an ISO 639"),
        ("xx", "not an ISO 639"),
        ("en_US", "not a BCP 47"),
        ("en-", "not a BCP 47"),
        ("zh-Hanx", "not an ISO 15924"),
        ("en-XX", "not an ISO 3166-1"),
        ("en-a", "extension is empty"),
        ("", "not a language tag"),
        ("ko KR", "not a BCP 47"),
    ],
)
def test_other_language_tags_are_refused_with_the_reason(tag: str, why: str) -> None:
    found = why_not_a_language(tag)
    assert found is not None
    assert why in found
