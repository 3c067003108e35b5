"""
Bundles: a ledger in one file that anyone can verify and replay offline.

A bundle is UTF-8 JSON Lines. The first line is a header, a JSON object:

``format``
    ``"incidents-bundle/v2"``.
``origin``, ``size``
    The log's name and how many events follow.
``checkpoint``
    The text of the checkpoint of those events (C2SP tlog-checkpoint,
    signed if the ledger had a key).
``checkpoints``
    The other checkpoints the ledger kept (one per signed batch, and those
    stored on request), each ``{"checkpoint", "key"}``: the checkpoint's
    text and its signer's verifier key, if any.
``keys``
    The verifier keys of their signatures.
``exported_by``
    The library version that wrote it (for people; verification ignores it).

Every following line is the canonical bytes of one recorded event, in the
ledger's order: exactly the bytes the ledger stored and hashed, so the lines
rebuild the tree and must reach the checkpoint's root.

A bundle carries nothing that verification relies on without checking it:
the events are hashed, the checkpoints are checked against them and against
signatures, and who recorded what and when is in the events themselves.
(Version 1 bundles also carried, for each checkpoint, the batch it was
signed with, who recorded it and when, none of it signed: they are still
read, and those fields ignored.) The keys in a bundle come with it and
prove nothing by themselves; give the keys you trust to
:meth:`Bundle.verify` (``incidents verify --key``): then nothing unsigned by
them passes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from incidents._codec.canonical import decode_recorded, dumps, encode_recorded
from incidents._domain.events import Recorded
from incidents._domain.limits import MAX_BUNDLE_HEADER, MAX_BUNDLE_LINE_BYTES
from incidents._errors import (
    IncidentsError,
    InvalidInputError,
    StorageError,
    VerificationError,
)
from incidents._files import atomic_file
from incidents._gc import Turns
from incidents._tlog.checkpoint import Checkpoint, check_origin
from incidents._tlog.notes import VerifierKey
from incidents._tlog.tiles import TreeEdge, leaf_hashes
from incidents.audit._checkpoints import Candidate
from incidents.audit._log import StoredCheckpoint
from incidents.audit._replay import REPLAY_STATES, StateFunction, replay_digests
from incidents.audit._report import VerifyReport
from incidents.audit._verify_lines import verify_lines
from incidents.audit._verify_rows import BATCH
from incidents.storage import Store

__all__ = ["BUNDLE_FORMAT", "Bundle", "BundleCheckpoint", "is_bundle", "write_bundle"]

BUNDLE_FORMAT = "incidents-bundle/v2"
"""The format of the bundles written: the first value of their header."""

_READ_FORMATS = ("incidents-bundle/v1", BUNDLE_FORMAT)
_CARRIED_KEYS = {
    "incidents-bundle/v1": {"checkpoint", "first", "recorder", "created_at", "key"},
    BUNDLE_FORMAT: {"checkpoint", "key"},
}

_HEADER_KEYS = {
    "format",
    "origin",
    "size",
    "checkpoint",
    "checkpoints",
    "keys",
    "exported_by",
}
# Lines are read this much at a time (and handed on in batches of about this size).
_CHUNK = 4 * 1024 * 1024


def _version() -> str:
    from incidents._version import __version__

    return __version__


def write_bundle(
    store: Store,
    path: Path,
    checkpoint: Checkpoint,
    stored: Sequence[StoredCheckpoint],
    keys: Iterable[VerifierKey] = (),
) -> None:
    """
    Write the first ``checkpoint.size`` events of a ledger as a bundle.

    The file is written beside its destination and moved into place only
    when complete and checked: the events written must rebuild the
    checkpoint's root. It is never written through a symbolic link, and is
    readable by others (a bundle is meant to be published).

    Args:
        store: The ledger's storage.
        path: Where to write.
        checkpoint: The checkpoint of the events to write.
        stored: The checkpoints kept in the ledger.
        keys: Verifier keys of signatures in the bundle.

    Raises:
        StorageError: If the stored events do not rebuild the checkpoint's
            root (the ledger is damaged: run verify).
        FileWriteError: If the file cannot be written, or the destination is
            a symbolic link.

    """
    all_keys = {k.text: k for k in keys}
    kept = []
    for s in stored:
        if s.checkpoint.size > checkpoint.size:
            continue
        if s.key is not None:
            all_keys[s.key.text] = s.key
        # Who recorded a batch and when is in its events; a batch's first
        # position and who stored a checkpoint on request are not signed.
        kept.append({"checkpoint": s.checkpoint.text, "key": None if s.key is None else s.key.text})
    header = {
        "format": BUNDLE_FORMAT,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "checkpoint": checkpoint.text,
        "checkpoints": kept,
        "keys": sorted(all_keys),
        "exported_by": f"incidents {_version()}",
    }
    first = dumps(header)
    if len(first) > MAX_BUNDLE_HEADER:
        raise InvalidInputError(
            f"the bundle's header would be {len(first):,} bytes, more than the "
            f"{MAX_BUNDLE_HEADER:,} a bundle may have: export with fewer checkpoints"
        )
    with atomic_file(path, what="bundle") as out:
        out.write(first + b"\n")
        edge = TreeEdge()
        with store.audit_reading() as reader, Turns() as turns:
            after = 0
            while edge.size < checkpoint.size:
                rows = reader.audit_rows(after, min(BATCH, checkpoint.size - edge.size))
                if not rows:
                    break
                turns.step(len(rows))  # a long read keeps the collector paused
                if rows[0][0] != edge.size + 1 or rows[-1][0] != edge.size + len(rows):
                    raise StorageError(
                        f"the ledger's sequence numbers have a gap after {edge.size}: run `incidents verify`"
                    )
                states = [r[6] for r in rows]
                longest = max(map(len, states))
                if longest > MAX_BUNDLE_LINE_BYTES:  # a bundle nobody could read back
                    raise InvalidInputError(
                        f"an event of {longest:,} bytes, after sequence {after}, is longer than "
                        f"a bundle line may be ({MAX_BUNDLE_LINE_BYTES:,} bytes)"
                    )
                out.write(b"\n".join(states) + b"\n")
                edge.append(leaf_hashes(states))
                after = rows[-1][0]
        if edge.size != checkpoint.size or edge.root() != checkpoint.root:
            raise StorageError(
                f"the ledger's events do not rebuild its checkpoint at size {checkpoint.size}: "
                "it is damaged; run `incidents verify`"
            )


def is_bundle(path: str | os.PathLike[str]) -> bool:
    """
    Tell whether a file starts like a bundle.

    Args:
        path: The file.

    Returns:
        Whether its first bytes open a bundle header.

    """
    try:
        with open(path, "rb") as f:
            start = f.read(64)
    except OSError:
        return False
    return start.startswith(b'{"checkpoint":') or start.startswith(b'{"format":')


@attrs.frozen
class BundleCheckpoint:
    """
    A checkpoint a bundle carries besides its own.

    Attributes:
        checkpoint: The checkpoint.
        key: Its signer's verifier key, if any (it must have signed it).

    """

    checkpoint: Checkpoint
    key: VerifierKey | None


def _field(header: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = header.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidInputError(f"the bundle header's {name!r} is missing or malformed")
    return value


@attrs.frozen
class Bundle:
    """
    An exported ledger, read back: verify it and replay it with no ledger and no network.

    Open one with :meth:`open`.

    Attributes:
        path: The file.
        origin: The log's name.
        size: How many events the bundle says it holds.
        checkpoint: Its checkpoint.
        checkpoints: The other checkpoints it carries.
        keys: The verifier keys it carries (not evidence by themselves).
        exported_by: The library version that wrote it.

    """

    path: Path
    origin: str
    size: int
    checkpoint: Checkpoint
    checkpoints: tuple[BundleCheckpoint, ...]
    keys: tuple[VerifierKey, ...]
    exported_by: str

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Bundle:
        """
        Read a bundle's header.

        Args:
            path: The bundle file.

        Returns:
            The bundle (its events are read when verified or replayed).

        Raises:
            InvalidInputError: If the file is missing or not a bundle of a known version.

        """
        where = Path(path)
        try:
            with open(where, "rb") as f:
                first = _header_line(f, where)
        except OSError as exc:
            raise InvalidInputError(f"cannot read bundle {where}: {exc.strerror or exc}") from None
        try:
            header = json.loads(first)
        except RecursionError:
            raise InvalidInputError(
                f"{where} is not a bundle: its first line is JSON nested too deeply"
            ) from None
        except ValueError:
            raise InvalidInputError(
                f"{where} is not a bundle: its first line is not JSON"
            ) from None
        version = header.get("format") if isinstance(header, dict) else None
        if not isinstance(header, dict) or version not in _READ_FORMATS:
            raise InvalidInputError(
                f"{where} is not a bundle of a version this library reads "
                f"({', '.join(_READ_FORMATS)}): its format is {version!r}"
            )
        if set(header) != _HEADER_KEYS:
            raise InvalidInputError(
                f"the bundle header has fields {sorted(header)}, expected {sorted(_HEADER_KEYS)}"
            )
        try:
            origin = check_origin(_field(header, "origin", str))
            size = _field(header, "size", int)
            checkpoint = Checkpoint.parse(_field(header, "checkpoint", str))
            keys = tuple(VerifierKey.from_text(k) for k in _field(header, "keys", list))
            carried = tuple(
                _carried(item, _CARRIED_KEYS[version])
                for item in _field(header, "checkpoints", list)
            )
        except IncidentsError as exc:
            raise InvalidInputError(f"bundle {where}: {exc}") from None
        if (checkpoint.origin, checkpoint.size) != (origin, size):
            raise InvalidInputError(
                f"bundle {where}: its checkpoint is of {checkpoint.origin!r} at size {checkpoint.size}, "
                f"its header says {origin!r} at size {size}"
            )
        exported_by = header.get("exported_by")
        return cls(
            where,
            origin,
            size,
            checkpoint,
            carried,
            keys,
            exported_by if isinstance(exported_by, str) else "(unknown)",
        )

    def lines(self) -> Iterator[list[bytes]]:
        """
        Read the events' lines in batches (after the header).

        A line is read only up to :data:`~incidents.MAX_BUNDLE_LINE_BYTES`:
        memory stays bounded whatever the file holds.

        Yields:
            Lists of lines, each the canonical bytes of one event.

        Raises:
            VerificationError: If a line is longer than
                :data:`~incidents.MAX_BUNDLE_LINE_BYTES` (no event's line is).

        """
        with open(self.path, "rb") as f:
            _header_line(f, self.path)
            yield from _bounded_lines(f, self.path)

    def records(self) -> Iterator[Recorded]:
        """
        Decode the events, checking that each line is in canonical form.

        Yields:
            The recorded events, in order.

        Raises:
            VerificationError: If a line is not a recorded event in canonical form.

        """
        position = 0
        for batch in self.lines():
            for line in batch:
                position += 1
                try:
                    record = decode_recorded(line)
                except IncidentsError as exc:
                    raise VerificationError(
                        f"line {position} of the events is not a recorded event: {exc}"
                    ) from None
                if encode_recorded(record) != line:
                    raise VerificationError(
                        f"line {position} of the events is not in canonical form"
                    )
                yield record

    def verify(
        self,
        *,
        keys: Iterable[VerifierKey] = (),
        checkpoints: Iterable[Checkpoint] = (),
    ) -> VerifyReport:
        """
        Check the events against the bundle's checkpoints and signatures, offline.

        Args:
            keys: The verifier keys you trust: every event must then be covered
                by a checkpoint one of them signed (``report.authenticated``).
                Without any, the keys the bundle carries are used to check
                signatures, and nothing is authenticated: whoever made the file
                could have made them.
            checkpoints: Checkpoints published elsewhere to check against too.

        Returns:
            The report.

        """
        given = list(keys)
        notes = []
        if not given and self.keys:
            notes.append(
                "signatures were checked with the keys the bundle carries; "
                "give the keys you trust to make them evidence"
            )
        candidates = [Candidate(self.checkpoint, "bundle")]
        candidates.extend(Candidate(c.checkpoint, "carried", key=c.key) for c in self.checkpoints)
        candidates.extend(Candidate(c, "given") for c in checkpoints)
        return verify_lines(
            self.lines,
            subject=f"bundle {self.path}",
            origin=self.origin,
            size=self.size,
            checkpoints=candidates,
            keys=given,
            fallback=list(self.keys),
            notes=notes,
        )

    def replay(
        self,
        *,
        keys: Iterable[VerifierKey] = (),
        states: Sequence[StateFunction] = REPLAY_STATES,
    ) -> tuple[VerifyReport, dict[str, str]]:
        """
        Verify the bundle, then rebuild state from its events and digest it.

        Args:
            keys: The verifier keys you trust (see :meth:`verify`): with keys,
                a bundle not covered by their signatures does not verify.
            states: The state functions to run.

        Returns:
            The verification report (check ``report.authenticated``: without
            keys, nothing was) and ``{name: hex SHA-256}``.

        Raises:
            VerificationError: If the bundle does not verify: a damaged or
                (with keys) unauthenticated record is not replayed.

        """
        report = self.verify(keys=keys)
        if not report.ok:
            raise VerificationError(
                f"bundle {self.path} does not verify: {report.damages[0].describe()}"
            )
        return report, replay_digests(self.records(), states)


def _header_line(f: Any, where: Path) -> bytes:
    """The header line, read up to its limit."""
    first: bytes = f.readline(MAX_BUNDLE_HEADER + 1)
    if len(first) - first.endswith(b"\n") > MAX_BUNDLE_HEADER:
        raise InvalidInputError(
            f"{where} is not a bundle this library reads: line 1 (the header) is longer "
            f"than {MAX_BUNDLE_HEADER:,} bytes"
        )
    return first


def _too_long(where: Path, number: int) -> VerificationError:
    return VerificationError(
        f"line {number} of bundle {where} (event {number - 1}) is longer than "
        f"{MAX_BUNDLE_LINE_BYTES:,} bytes, which no event's line is: it was not read further"
    )


def _bounded_lines(f: Any, where: Path) -> Iterator[list[bytes]]:
    """
    The lines after the header, in batches, each at most MAX_BUNDLE_LINE_BYTES long.

    Read in chunks: a line that does not end within the limit is refused
    without reading the rest of it.
    """
    number = 1  # the header's line
    parts: list[bytes] = []  # the start of a line whose end is not read yet
    size = 0
    while True:
        chunk = f.read(_CHUNK)
        if not chunk:
            if size:  # a last line without its newline
                yield [b"".join(parts)]
            return
        cut = chunk.find(b"\n")
        if cut < 0:
            parts.append(chunk)
            size += len(chunk)
            if size > MAX_BUNDLE_LINE_BYTES:
                raise _too_long(where, number + 1)
            continue
        lines = chunk[cut + 1 :].split(b"\n")
        lines.insert(0, b"".join([*parts, chunk[:cut]]))
        rest = lines.pop()
        longest = max(map(len, lines))
        if longest > MAX_BUNDLE_LINE_BYTES:
            over = next(i for i, line in enumerate(lines) if len(line) > MAX_BUNDLE_LINE_BYTES)
            raise _too_long(where, number + 1 + over)
        number += len(lines)
        parts, size = [rest], len(rest)
        if size > MAX_BUNDLE_LINE_BYTES:
            raise _too_long(where, number + 1)
        yield lines


def _carried(item: Any, fields: set[str]) -> BundleCheckpoint:
    if not isinstance(item, dict) or set(item) != fields:
        raise InvalidInputError("a carried checkpoint is malformed")
    key = item["key"]
    if not isinstance(item["checkpoint"], str) or (key is not None and not isinstance(key, str)):
        raise InvalidInputError("a carried checkpoint is malformed")
    return BundleCheckpoint(
        checkpoint=Checkpoint.parse(item["checkpoint"]),
        key=None if key is None else VerifierKey.from_text(key),
    )
