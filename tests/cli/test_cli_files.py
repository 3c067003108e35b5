"""
The files the commands write: whole or not at all, never through a link, with the right permissions.

``export --bundle``, ``keygen --out`` and ``prove --event-out`` on a full
disk say so (exit status 2) and leave nothing behind; a destination that is
a symbolic link is refused; bundles and event files are readable by others
(they are meant to be published), keys by their owner only.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from incidents._cli import main
from incidents._tlog.notes import SigningKey
from incidents.examples import ALASKA_2024


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    return path


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    """An empty folder to write into, with the usual umask."""
    folder = tmp_path / "out"
    folder.mkdir()
    old = os.umask(0o022)
    try:
        yield folder
    finally:
        os.umask(old)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", fail)


def commands(demo: Path, folder: Path) -> dict[str, tuple[list[str], Path]]:
    """Each command that writes a file, and the file it writes."""
    return {
        "bundle": (
            ["--ledger", str(demo), "export", "--bundle", str(folder / "b.jsonl")],
            folder / "b.jsonl",
        ),
        "key": (["keygen", "example.org/alice", "--out", str(folder / "k.key")], folder / "k.key"),
        "event": (
            [
                "--ledger",
                str(demo),
                "prove",
                f"{ALASKA_2024.hex[:8]}#3",
                "--event-out",
                str(folder / "e.json"),
            ],
            folder / "e.json",
        ),
    }


@pytest.mark.parametrize("which", ["bundle", "key", "event"])
def test_a_full_disk_is_an_error_that_leaves_nothing(
    demo: Path,
    out: Path,
    which: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv, written = commands(demo, out)[which]
    with monkeypatch.context() as patch:
        full_disk(patch)
        status, _, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith(f"incidents: error: cannot write {'event' if which == 'event' else ''}")
    assert "No space left on device" in err
    assert os.listdir(out) == []
    # Nothing was left to block a second try.
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    assert written.stat().st_size > 0
    assert os.listdir(out) == [written.name]


@pytest.mark.parametrize("which", ["bundle", "key", "event"])
def test_a_symbolic_link_is_refused(
    demo: Path, out: Path, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, written = commands(demo, out)[which]
    target = out / "elsewhere"
    target.write_bytes(b"not yours to overwrite")
    written.symlink_to(target)
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "symbolic link" in err
    assert target.read_bytes() == b"not yours to overwrite"
    assert written.is_symlink()
    assert sorted(os.listdir(out)) == sorted([written.name, "elsewhere"])


def test_published_files_are_readable_by_others_and_keys_are_not(
    demo: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    modes = {}
    for which, (argv, written) in commands(demo, out).items():
        assert run(capsys, *argv)[0] == 0
        modes[which] = stat.S_IMODE(written.stat().st_mode)
    assert modes == {"bundle": 0o644, "key": 0o600, "event": 0o644}


def test_keygen_keeps_an_existing_key_unless_forced(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = out / "k.key"
    assert run(capsys, "keygen", "example.org/alice", "--out", str(path))[0] == 0
    first = path.read_text()
    status, _, err = run(capsys, "keygen", "example.org/alice", "--out", str(path))
    assert status == 2
    assert "not replacing" in err
    assert path.read_text() == first
    status, public, _ = run(capsys, "keygen", "example.org/alice", "--out", str(path), "--force")
    assert status == 0
    assert path.read_text() != first
    assert SigningKey.from_text(path.read_text()).verifier.text == public.strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(out) == ["k.key"]
