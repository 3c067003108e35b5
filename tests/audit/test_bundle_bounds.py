"""
Reading a bundle takes bounded memory, and a hostile bundle gives only the library's errors.

A bundle's lines are read with a maximum length
(:data:`incidents.MAX_BUNDLE_LINE_BYTES`, and
:data:`incidents.MAX_BUNDLE_HEADER` for the header): a longer line is
refused with an error naming its line number and the limit, without
reading the rest of it.
"""

from __future__ import annotations

import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from incidents import (
    MAX_BUNDLE_HEADER,
    MAX_BUNDLE_LINE_BYTES,
    Bundle,
    FixedClock,
    InvalidInputError,
    Ledger,
    VerificationError,
)
from incidents.examples import ALASKA_2024_PUBLISHED_AT, alaska_2024_batches

MiB = 1024 * 1024
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "alaska.jsonl"
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(":memory:", clock=clock) as ledger:
        for at, events in alaska_2024_batches():
            clock.set(at)
            ledger.record(*events)
        ledger.export_bundle(path)
    return path


@pytest.fixture
def exported(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(template, tmp_path / "alaska.jsonl"))


def split(path: Path) -> tuple[bytes, list[bytes]]:
    header, *lines = path.read_bytes().split(b"\n")[:-1]
    return header, lines


def edit_lines(path: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    header, lines = split(path)
    path.write_bytes(b"\n".join([header, *change(lines)]) + b"\n")


def endless(path: Path, start: bytes, size: int) -> Path:
    """*start*, then *size* zero bytes with no newline (a sparse file: no disk is used)."""
    with open(path, "wb") as f:
        f.write(start)
        f.truncate(len(start) + size)
    return path


def peak_memory(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def refused(call: Callable[[], object], error: type[Exception], pattern: str) -> Callable[[], None]:
    def run() -> None:
        with pytest.raises(error, match=pattern):
            call()

    return run


def test_an_endless_event_line_is_refused_at_the_limit_without_being_read(
    exported: Path, tmp_path: Path
) -> None:
    header, lines = split(exported)
    start = b"\n".join([header, *lines[:5]]) + b"\n"
    path = endless(tmp_path / "endless.jsonl", start, 256 * MiB)
    bundle = Bundle.open(path)
    # Line 7 of the file: the header, five events, then the endless one.
    pattern = rf"line 7 .*longer than {MAX_BUNDLE_LINE_BYTES:,} bytes"
    for call in (bundle.verify, lambda: list(bundle.records()), bundle.replay):
        peak = peak_memory(refused(call, VerificationError, pattern))
        assert peak < 4 * MAX_BUNDLE_LINE_BYTES


def test_an_endless_last_line_with_a_newline_far_away_is_refused(
    exported: Path, tmp_path: Path
) -> None:
    header, lines = split(exported)
    path = tmp_path / "long.jsonl"
    path.write_bytes(
        b"\n".join([header, *lines[:2], lines[2] + b" " * MAX_BUNDLE_LINE_BYTES, *lines[3:]])
        + b"\n"
    )
    with pytest.raises(VerificationError, match=rf"line 4 .*{MAX_BUNDLE_LINE_BYTES:,}"):
        Bundle.open(path).verify()


def test_a_line_of_exactly_the_limit_is_read(exported: Path) -> None:
    edit_lines(exported, lambda ls: [*ls[:2], b"x" * MAX_BUNDLE_LINE_BYTES, *ls[3:]])
    report = Bundle.open(exported).verify()
    assert report.first is not None
    assert report.first.position == 3


def test_an_endless_header_is_refused_at_its_limit(tmp_path: Path) -> None:
    path = endless(tmp_path / "header.jsonl", b'{"format":"', MAX_BUNDLE_HEADER + MiB)
    with pytest.raises(InvalidInputError, match=rf"line 1 .*longer than {MAX_BUNDLE_HEADER:,}"):
        Bundle.open(path)


def test_a_deeply_nested_header_is_the_library_error(exported: Path) -> None:
    header, lines = split(exported)
    exported.write_bytes(b"\n".join([header[:-1] + b',"x":' + DEEP + b"}", *lines]) + b"\n")
    with pytest.raises(InvalidInputError, match="nested"):
        Bundle.open(exported)


def replace_in_line(number: int, old: bytes, new: bytes) -> Callable[[list[bytes]], list[bytes]]:
    def change(lines: list[bytes]) -> list[bytes]:
        start, rest = lines[number - 1].rsplit(old, 1)
        return [*lines[: number - 1], start + new + rest, *lines[number:]]

    return change


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b',"sequence":3,', b',"sequence":' + b"9" * 5000 + b","),
        (b',"recorder":"', b',"recorder":' + DEEP + b',"x":"'),
        (b',"recorded_at":"', b',"recorded_at":"0001-01-01T00:00:00+05:00","x":"'),
        (b'"event":{', b'"event":{"x":' + DEEP + b","),
    ],
    ids=["long-sequence", "deep-recorder", "recorded-before-year-1", "deep-event"],
)
def test_a_hostile_event_line_is_reported_as_damage(exported: Path, old: bytes, new: bytes) -> None:
    edit_lines(exported, replace_in_line(3, old, new))
    bundle = Bundle.open(exported)
    assert not bundle.verify().ok
    with pytest.raises(VerificationError, match="line 3"):
        list(bundle.records())


@pytest.mark.parametrize("final_newline", [True, False])
def test_the_lines_read_are_the_lines_written(exported: Path, final_newline: bool) -> None:
    header, lines = split(exported)
    many = lines * 300  # more than one read's worth of lines
    exported.write_bytes(b"\n".join([header, *many]) + (b"\n" if final_newline else b""))
    read = [line for batch in Bundle.open(exported).lines() for line in batch]
    assert read == many


def _ledger_with_example(tmp_path: Path) -> Ledger:
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    ledger = Ledger.open(tmp_path / "alaska.db", clock=clock)
    for at, events in alaska_2024_batches():
        clock.set(at)
        ledger.record(*events)
    return ledger


def test_a_bundle_that_could_not_be_read_back_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An event line longer than readers accept (stored by an older version, say)."""
    import incidents.audit._bundle as bundles

    ledger = _ledger_with_example(tmp_path)
    longest = max(len(r.state) for r in ledger.store.rows())
    monkeypatch.setattr(bundles, "MAX_BUNDLE_LINE_BYTES", longest - 1)
    target = tmp_path / "out.jsonl"
    with pytest.raises(InvalidInputError, match="longer than a bundle line may be"):
        ledger.export_bundle(target)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "out" in p.name) == []  # no temp file
    ledger.close()


def test_a_bundle_header_past_its_limit_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import incidents.audit._bundle as bundles

    ledger = _ledger_with_example(tmp_path)
    monkeypatch.setattr(bundles, "MAX_BUNDLE_HEADER", 100)
    target = tmp_path / "out.jsonl"
    with pytest.raises(InvalidInputError, match="header would be"):
        ledger.export_bundle(target)
    assert not target.exists()
    ledger.close()
