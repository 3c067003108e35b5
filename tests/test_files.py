"""Files are written whole or not at all, never through a symbolic link, with the right permissions."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from incidents import FileWriteError, IncidentsError
from incidents._files import atomic_file, write_file


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def full_disk(monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    def fail(*_: Any, **__: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, call, fail)


def test_a_file_is_written_with_ordinary_permissions(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "proof.txt"
    write_file(path, b"proof\n", what="proof")
    assert path.read_bytes() == b"proof\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["proof.txt"]


def test_the_umask_still_applies(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        write_file(tmp_path / "proof.txt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "proof.txt").stat().st_mode) == 0o600


def test_a_secret_is_created_readable_by_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes = []
    real_open = os.open

    def recording_open(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            modes.append(mode)
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    old = os.umask(0)
    try:
        write_file(tmp_path / "log.key", b"secret", secret=True)
    finally:
        os.umask(old)
    assert modes == [0o600]  # from the start, not narrowed afterwards
    assert stat.S_IMODE((tmp_path / "log.key").stat().st_mode) == 0o600


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "bundle.jsonl"
    path.write_bytes(b"old")
    with atomic_file(path) as out:
        out.write(b"new ")
        assert path.read_bytes() == b"old"  # nothing is seen before it is complete
        out.write(b"bytes")
    assert path.read_bytes() == b"new bytes"
    assert os.listdir(tmp_path) == ["bundle.jsonl"]


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_full_disk_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    path = tmp_path / "bundle.jsonl"
    full_disk(monkeypatch, call)
    with pytest.raises(FileWriteError, match="No space left on device") as caught:
        write_file(path, b"data", what="bundle")
    assert isinstance(caught.value, OSError)
    assert isinstance(caught.value, IncidentsError)
    assert caught.value.errno == errno.ENOSPC
    assert f"cannot write bundle {path}" in str(caught.value)
    assert os.listdir(tmp_path) == []


def test_a_failure_keeps_the_file_that_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bundle.jsonl"
    path.write_bytes(b"published before")
    full_disk(monkeypatch, "fsync")
    with pytest.raises(FileWriteError):
        write_file(path, b"data")
    assert path.read_bytes() == b"published before"
    assert os.listdir(tmp_path) == ["bundle.jsonl"]


@pytest.mark.parametrize("error", [ValueError("checked and found wrong"), KeyboardInterrupt()])
def test_an_error_while_writing_leaves_nothing_and_is_raised_as_it_is(
    tmp_path: Path, error: BaseException
) -> None:
    def write_half_then_fail() -> None:
        with atomic_file(tmp_path / "bundle.jsonl") as out:
            out.write(b"half of it")
            raise error

    with pytest.raises(type(error)):
        write_half_then_fail()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symbolic_link_is_refused_not_followed(tmp_path: Path, dangling: bool) -> None:
    target = tmp_path / "target"
    if not dangling:
        target.write_bytes(b"someone else's file")
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    with pytest.raises(FileWriteError, match="symbolic link"):
        write_file(link, b"data")
    assert link.is_symlink()
    if dangling:
        assert not target.exists()
    else:
        assert target.read_bytes() == b"someone else's file"
    assert sorted(os.listdir(tmp_path)) == (["out.txt"] if dangling else ["out.txt", "target"])


def test_a_folder_or_a_missing_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(FileWriteError, match="is a folder"):
        write_file(tmp_path / "folder", b"data")
    with pytest.raises(FileWriteError, match="does not exist"):
        write_file(tmp_path / "missing" / "out.txt", b"data")
    assert os.listdir(tmp_path) == ["folder"]


def test_a_file_that_must_not_be_replaced_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    write_file(path, b"first", secret=True, replace=False)
    with pytest.raises(FileWriteError, match="not replacing") as caught:
        write_file(path, b"second", secret=True, replace=False)
    assert caught.value.errno == errno.EEXIST
    assert path.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["log.key"]


def test_the_folder_is_flushed_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    write_file(tmp_path / "out.txt", b"data")
    assert synced == [False, True]  # the file, then its folder
