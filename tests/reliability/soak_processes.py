"""
Starting the processes of ``soak_child.py`` and reading what they acknowledged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from soak_sizes import HERE

from incidents import Ledger, SigningKey
from incidents.projections import ReadModel, live


def start(mode: str, workdir: Path, name: str, **args: Any) -> subprocess.Popen[str]:
    """
    Start ``soak_child.py MODE`` with its output in files of *workdir* named after *name*.

    The child's standard output goes to ``name.out``, its errors to ``name.err``.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with (workdir / f"{name}.out").open("w") as out, (workdir / f"{name}.err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, str(HERE / "soak_child.py"), mode, json.dumps(args)],
            stdout=out,
            stderr=err,
            text=True,
            env=env,
        )


def output(workdir: Path, name: str) -> str:
    """What a child wrote: its standard output and errors."""
    return "\n".join(
        (workdir / f"{name}.{kind}").read_text(errors="replace") for kind in ("out", "err")
    )


def figures(workdir: Path, name: str) -> dict[str, Any]:
    """The JSON a child printed last on its standard output."""
    lines = (workdir / f"{name}.out").read_text().splitlines()
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def acknowledged(path: Path) -> Iterator[dict[str, Any]]:
    """
    Every batch acknowledged in *path*, in order.

    A last line cut short by a kill (no newline yet) was not acknowledged.
    """
    if not path.exists():
        return
    for line in path.read_bytes().split(b"\n")[:-1]:
        yield json.loads(line)


def acknowledged_ids(path: Path) -> dict[UUID, int]:
    """The event ids acknowledged in *path*, with the sequence each was acknowledged at."""
    found: dict[UUID, int] = {}
    for ack in acknowledged(path):
        for event_id, sequence in zip(ack["ids"], ack["sequences"], strict=True):
            found[UUID(event_id)] = sequence
    return found


def new_key(workdir: Path) -> tuple[SigningKey, str]:
    """A signing key, and the file holding it that the children read."""
    key = SigningKey.generate("example.org/soak")
    path = workdir / "signing.key"
    path.write_text(key.to_text() + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key, str(path)


def check_read_model(ledger: Ledger, projection: Any) -> None:
    """
    The projection's stored read model, caught up now, equals the live state and a rebuild.
    """
    model = ReadModel(ledger, projection)
    reached = model.catch_up()
    assert len(ledger) == reached.sequence
    caught_up = model.read()
    expected = live(ledger, projection)
    assert expected.digest == caught_up.digest, f"{projection.name}: caught up != live"
    model.rebuild()
    assert expected.digest == model.read().digest, f"{projection.name}: rebuilt != live"
