"""
The commands that read keys never print a signing key's secret.

A key file with one bad character, a key file that is not UTF-8, a signing
key given with ``--key`` (as a file or pasted): each is refused with exit
status 2 and a message that says what is wrong, naming the key at most.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents._cli import main
from incidents._tlog.notes import SigningKey

NAME = "example.org/incidents"
KEY = SigningKey(NAME, bytes(range(7, 39)))
TEXT = KEY.to_text()
MATERIAL = TEXT.split("+", 4)[4]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["demo", "--path", str(path)]) == 0
    return path


def leaked(text: str) -> str | None:
    for secret in (MATERIAL, bytes(range(7, 39)).hex()):
        for start in range(len(secret) - 7):
            if secret[start : start + 8] in text:
                return secret[start : start + 8]
    return None


def bad_key_files(folder: Path) -> dict[str, Path]:
    files = {
        "a bad character": (TEXT[:-10] + "!" + TEXT[-9:] + "\n").encode(),
        "truncated": TEXT[:-6].encode(),
        "two lines": (TEXT + "\n" + TEXT + "\n").encode(),
        "not UTF-8": TEXT.encode()[:-8] + b"\xff" + TEXT.encode()[-7:],
    }
    paths = {}
    for name, data in files.items():
        path = folder / name.replace(" ", "-")
        path.write_bytes(data)
        paths[name] = path
    return paths


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 2, out + err
    assert err.startswith("incidents: error: ")
    piece = leaked(out + err)
    assert piece is None, f"the secret was printed ({piece!r}): {err}"
    return err


@pytest.mark.parametrize("case", ["a bad character", "truncated", "two lines", "not UTF-8"])
def test_a_bad_signing_key_file_is_refused_without_printing_it(
    demo: Path, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bad_key_files(tmp_path)[case]
    err = refused(capsys, "--ledger", str(demo), "checkpoint", "--signing-key", str(path))
    assert "signing key" in err
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo.read_bytes())
    refused(capsys, "--ledger", str(copy), "build-tree", "--signing-key", str(path))


def test_a_signing_key_given_as_a_verifier_key_is_refused_without_printing_it(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "signing.key"
    key_file.write_text(TEXT + "\n")
    for key in (str(key_file), TEXT):
        err = refused(capsys, "verify", str(demo), "--key", key)
        assert "signing (private) key" in err
    err = refused(capsys, "verify", str(demo), "--key", str(bad_key_files(tmp_path)["truncated"]))
    assert "line 1" in err
