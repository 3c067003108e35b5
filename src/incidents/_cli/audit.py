"""
``incidents export``, ``verify``, ``replay``, ``checkpoint``, ``prove``, ``check-proof`` and ``keygen``.

The audit commands: export a ledger as a bundle anyone can check offline,
verify a ledger or a bundle, replay one into state digests, print
checkpoints and proofs, check a proof with no ledger, make keys. They open
ledgers read-only (all but ``checkpoint --store``), so nothing kept in a
file someone sent ever runs, and nothing is written to it.

``verify``, ``replay`` and ``check-proof`` share their exit statuses
(:data:`STATUSES`): 0 when what was checked holds and is authenticated by a
key given with ``--key``; 1 when it does not hold; 2 for bad input (a file
that is not what it should be, a missing ledger); 3 when it holds but no
``--key`` was given, so nothing was authenticated.
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from incidents._cli.common import parse_event, read_signing_key, whole_number
from incidents._cli.output import displayed, emit, printable
from incidents._codec.canonical import decode_recorded
from incidents._domain.events import Recorded
from incidents._errors import IncidentsError, InvalidInputError, VerificationError
from incidents._files import write_file
from incidents._ledger import Ledger
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey, VerifierKey
from incidents.audit import VerifyReport
from incidents.audit._bundle import Bundle, is_bundle
from incidents.audit._proofs import InclusionProof, parse_proof
from incidents.audit._replay import replay_digests

__all__ = ["AUTHENTICATED", "FAILED", "STATUSES", "UNAUTHENTICATED", "register"]

AUTHENTICATED = 0
"""Exit status: it holds, and checkpoints signed by a key given with ``--key`` cover it all."""
FAILED = 1
"""Exit status: something was changed, or (with ``--key``) something is not covered."""
UNAUTHENTICATED = 3
"""Exit status: it holds, but no ``--key`` was given: consistent, not authenticated."""

STATUSES = (
    "exit status: 0 verified (consistent, and covered by checkpoints signed by a key given "
    "with --key); 1 verification failed; 2 bad input (not a ledger, bundle or proof); "
    "3 consistent but not authenticated (no --key given)"
)
"""The exit statuses, as the commands' help gives them."""


def register(sub: Any) -> None:
    """
    Add the audit subcommands.

    Args:
        sub: The parser's subparsers.

    """
    export = sub.add_parser(
        "export",
        help="export the ledger as a bundle that can be verified offline",
        description="Write the ledger's events (canonical JSON Lines), a checkpoint of them "
        "and the keys that signed it into one file. `incidents verify` and "
        "`incidents replay` check it with no ledger and no network.",
    )
    export.add_argument("--bundle", required=True, metavar="OUT", help="the bundle file to write")
    export.set_defaults(run=run_export)

    verify = sub.add_parser(
        "verify",
        help="verify a ledger or a bundle (read-only); exit status 0 only if authenticated",
        description="Recompute every event's hash, the Merkle tree, every checkpoint and "
        "signature, check the storage itself, and report the first damaged position and what "
        "kind of damage it is. A ledger is opened read-only: nothing in it runs, nothing is "
        "written. With --key, every event must be covered by a checkpoint signed by a key "
        "given; without, nothing is authenticated.",
        epilog=STATUSES,
    )
    _target_arguments(verify)
    verify.add_argument(
        "--integrity",
        choices=("quick", "full"),
        default="full",
        help="the storage's own check: SQLite's integrity_check (default), or the faster quick_check, "
        "which also compares every index entry with its row",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="FILE",
        help="a published checkpoint to check against too (repeatable)",
    )
    verify.set_defaults(run=run_verify)

    replay = sub.add_parser(
        "replay",
        help="verify a bundle (or ledger), rebuild state and print its digests",
        description="Verify as `incidents verify` does, then rebuild every incident's state "
        "from the events and print one SHA-256 digest per state: the same on every machine "
        "and backend. Nothing that fails verification is replayed.",
        epilog=STATUSES,
    )
    _target_arguments(replay)
    replay.set_defaults(run=run_replay)

    checkpoint = sub.add_parser("checkpoint", help="print the ledger's checkpoint (size and root)")
    checkpoint.add_argument("--size", type=whole_number(0), help="an earlier size to describe")
    checkpoint.add_argument("--signing-key", metavar="FILE", help="sign it with this key file")
    checkpoint.add_argument("--store", action="store_true", help="also keep it in the ledger")
    checkpoint.set_defaults(run=run_checkpoint)

    prove = sub.add_parser(
        "prove",
        help="print an inclusion proof for an event, or a consistency proof",
        description="Print a proof that EVENT is in the log (against --checkpoint, default: "
        "the log now), or with --since a proof that the log extends an earlier checkpoint.",
    )
    prove.add_argument(
        "event",
        nargs="?",
        help="the event: its id, or INCIDENT#POSITION as `incidents events` numbers it "
        "(e.g. a5da836a#12)",
    )
    prove.add_argument("--checkpoint", metavar="FILE", help="the checkpoint to prove against")
    prove.add_argument(
        "--since", metavar="FILE", help="prove consistency from this earlier checkpoint"
    )
    prove.add_argument(
        "--event-out",
        metavar="FILE",
        help="also write the event's canonical bytes to FILE, for `incidents check-proof`",
    )
    prove.set_defaults(run=run_prove)

    check = sub.add_parser(
        "check-proof",
        help="check a proof against checkpoints, with no ledger; exit status 1 if it fails",
        description="Check an inclusion proof (with --checkpoint and --event: the event's "
        "canonical bytes, as `incidents prove --event-out` writes them or as a line of a "
        "bundle) or a consistency proof (with --since and --checkpoint). Needs no ledger "
        "and no network. With --key, the checkpoints must also be signed by a key given.",
        epilog=STATUSES,
    )
    check.add_argument("proof", metavar="PROOF", help="the proof file")
    check.add_argument(
        "--checkpoint",
        required=True,
        metavar="FILE",
        help="the checkpoint the proof is for (for a consistency proof: the later one)",
    )
    check.add_argument(
        "--since", metavar="FILE", help="the earlier checkpoint of a consistency proof"
    )
    check.add_argument(
        "--event", metavar="FILE", help="the event's canonical bytes, for an inclusion proof"
    )
    _key_argument(check)
    check.set_defaults(run=run_check_proof)

    keygen = sub.add_parser(
        "keygen",
        help="make an Ed25519 signing key for a log",
        description="Write a new signing key to a file only you can read, and print its "
        "verifier key to publish. A log's key is named after the log, its origin (C2SP "
        "tlog-checkpoint): a new ledger opened with the key takes its name as origin.",
    )
    keygen.add_argument(
        "name", help="the key's name: the log's origin, e.g. example.org/incidents (no spaces)"
    )
    keygen.add_argument(
        "--out", required=True, metavar="FILE", help="where to write the signing key"
    )
    keygen.add_argument(
        "--force",
        action="store_true",
        help="replace a key already at --out (the old key is lost)",
    )
    keygen.set_defaults(run=run_keygen)


def _target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        nargs="?",
        metavar="BUNDLE_OR_LEDGER",
        help="a bundle file, an SQLite ledger file or a postgresql:// URL (default: --ledger)",
    )
    _key_argument(parser)


def _key_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY",
        help="a verifier key you trust (name+id+base64), or a file of them (repeatable)",
    )


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc}") from None


def _keys(values: list[str]) -> list[VerifierKey]:
    keys: list[VerifierKey] = []
    for value in values:
        if not os.path.isfile(value):
            keys.append(VerifierKey.from_text(value))
            continue
        for number, line in enumerate(_read_text(value, "key file").splitlines(), start=1):
            line = line.strip()
            if line and not line.startswith("#"):
                keys.append(_file_key(value, number, line))
    return keys


def _file_key(path: str, number: int, line: str) -> VerifierKey:
    """A verifier key from a line of a key file (which may be a secret one given by mistake)."""
    try:
        return VerifierKey.from_text(line)
    except InvalidInputError as exc:
        problem = str(exc)
    # The key parser quotes no key material; the file is named, not quoted.
    raise InvalidInputError(f"key file {path}, line {number}: {problem}")


def _open_existing(
    target: str, signing_key: SigningKey | None = None, *, read_only: bool = True
) -> Ledger:
    remote = target == ":memory:" or target.startswith(("postgresql://", "postgres://"))
    if not remote and not os.path.isfile(target):
        raise InvalidInputError(f"no ledger or bundle at {target}")
    return Ledger.open(target, signing_key=signing_key, read_only=read_only)


def status(report: VerifyReport) -> int:
    """
    The exit status a verification report gives (see :data:`STATUSES`).

    Args:
        report: The report.

    Returns:
        0, 1 or 3.
    """
    if not report.ok:
        return FAILED
    return AUTHENTICATED if report.authenticated else UNAUTHENTICATED


def _print_report(report: VerifyReport) -> int:
    emit(displayed(report).render())
    return status(report)


def run_export(args: argparse.Namespace) -> int:
    """
    Write a bundle.
    """
    with _open_existing(args.ledger) as ledger:
        checkpoint = ledger.export_bundle(args.bundle)
    emit(
        f"wrote {printable(args.bundle)}: {checkpoint.size} events of log "
        f"{printable(checkpoint.origin)}"
    )
    emit(checkpoint.text, end="")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """
    Verify a bundle or a ledger and print the report.
    """
    target = args.target or args.ledger
    keys = _keys(args.key)
    checkpoints = [Checkpoint.parse(_read_text(p, "checkpoint")) for p in args.checkpoint]
    if is_bundle(target):
        return _print_report(Bundle.open(target).verify(keys=keys, checkpoints=checkpoints))
    with _open_existing(target) as ledger:
        report = ledger.verify(checkpoints=checkpoints, keys=keys, integrity=args.integrity)
    return _print_report(report)


def _ledger_records(ledger: Ledger) -> Iterator[Recorded]:
    after = 0
    while True:
        rows = ledger.store.rows(after=after, limit=4096)
        if not rows:
            return
        for row in rows:
            yield decode_recorded(row.state)
        after = rows[-1].id


def run_replay(args: argparse.Namespace) -> int:
    """
    Verify, rebuild state and print one digest per state.
    """
    target = args.target or args.ledger
    keys = _keys(args.key)
    if is_bundle(target):
        bundle = Bundle.open(target)
        report = bundle.verify(keys=keys)
        if not report.ok:
            return _print_report(report)
        digests = replay_digests(bundle.records())
    else:
        with _open_existing(target) as ledger:
            report = ledger.verify(keys=keys)
            if not report.ok:
                return _print_report(report)
            digests = replay_digests(_ledger_records(ledger))
    verdict = (
        "verified" if report.authenticated else "consistent, but NOT AUTHENTICATED (no --key given)"
    )
    emit(
        f"replayed {report.size} events of log {printable(report.origin)} from "
        f"{printable(report.subject)}: {verdict}, root {report.root.hex()}",
        error=True,
    )
    for name, digest in digests.items():
        emit(f"{printable(name)}  {digest}")
    return status(report)


def run_checkpoint(args: argparse.Namespace) -> int:
    """
    Print the ledger's checkpoint.
    """
    key = read_signing_key(args.signing_key) if args.signing_key else None
    with _open_existing(args.ledger, key, read_only=not args.store) as ledger:
        checkpoint = ledger.checkpoint(size=args.size, store=args.store)
    emit(checkpoint.text, end="")
    return 0


def run_prove(args: argparse.Namespace) -> int:
    """
    Print an inclusion or a consistency proof.
    """
    with _open_existing(args.ledger) as ledger:
        at = (
            Checkpoint.parse(_read_text(args.checkpoint, "checkpoint")) if args.checkpoint else None
        )
        if args.since:
            if args.event:
                raise InvalidInputError("give either an event or --since, not both")
            old = Checkpoint.parse(_read_text(args.since, "checkpoint"))
            emit(ledger.consistency_proof(old, at).text, end="")
            return 0
        if not args.event:
            raise InvalidInputError("give the event to prove, or --since CHECKPOINT")
        event_id = parse_event(ledger, args.event)
        proof = ledger.inclusion_proof(event_id, at)
        if args.event_out:  # the bytes stored and hashed: the leaf itself
            (row,) = ledger.store.rows_of([event_id])
            write_file(args.event_out, row.state, what="event")
        emit(proof.text, end="")
    return 0


def _read_event(path: str) -> tuple[bytes, Recorded]:
    """An event's canonical bytes from a file (one trailing line break allowed)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read event {path}: {exc.strerror}") from None
    if data.endswith(b"\n"):
        data = data[:-1]
    try:
        return data, decode_recorded(data)
    except IncidentsError as exc:  # the decoder speaks of stored records: these are not
        detail = exc.__cause__ or exc
        raise InvalidInputError(
            f"{path} does not hold a recorded event's canonical bytes "
            f"(as `incidents prove --event-out` writes them): {detail}"
        ) from None


def run_check_proof(args: argparse.Namespace) -> int:
    """
    Check an inclusion or consistency proof against checkpoints, with no ledger.
    """
    proof = parse_proof(_read_text(args.proof, "proof"))
    checkpoint = Checkpoint.parse(_read_text(args.checkpoint, "checkpoint"))
    keys = _keys(args.key)
    if isinstance(proof, InclusionProof):
        if args.since or not args.event:
            raise InvalidInputError(
                "an inclusion proof is checked with --checkpoint and --event (not --since)"
            )
        data, event = _read_event(args.event)
        checkpoints = [checkpoint]
        check = functools.partial(proof.verify, data, checkpoint)
        what = (
            f"event {event.event_id} (incident {event.incident_id}, sequence {event.sequence}) "
            f"is in log {checkpoint.origin} at size {checkpoint.size}"
        )
    else:
        if args.event or not args.since:
            raise InvalidInputError(
                "a consistency proof is checked with --since and --checkpoint (not --event)"
            )
        old = Checkpoint.parse(_read_text(args.since, "checkpoint"))
        checkpoints = [old, checkpoint]
        check = functools.partial(proof.verify, old, checkpoint)
        what = (
            f"log {checkpoint.origin} at size {checkpoint.size} extends size {old.size}: "
            "nothing recorded by then was changed"
        )
    try:
        check()
        for c in checkpoints if keys else ():
            c.verify_signatures(keys)  # a signed note is required: as Go's note.Open
    except VerificationError as exc:
        emit(f"FAILED: {printable(str(exc))}")
        return FAILED
    what = printable(what)
    if keys:
        emit(f"OK: {what}")
        emit(f"  root {checkpoint.root.hex()}; checkpoints signed by a key given")
        return AUTHENTICATED
    emit(f"NOT AUTHENTICATED: the proof holds, but nothing was authenticated: {what}")
    emit(
        f"  root {checkpoint.root.hex()}; checkpoint signatures not checked "
        "(give --key to require them)"
    )
    return UNAUTHENTICATED


def run_keygen(args: argparse.Namespace) -> int:
    """
    Write a new signing key and print its verifier key.
    """
    key = SigningKey.generate(args.name)
    text = key.to_text() + "\n"
    write_file(args.out, text.encode("utf-8"), what="signing key", secret=True, replace=args.force)
    emit(key.verifier.text)
    return 0
