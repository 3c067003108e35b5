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

import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from incidents._cli.common import (
    App,
    WholeNumber,
    open_existing,
    parse_event,
    read_signing_key,
)
from incidents._cli.common import (
    read_text as _read_text,
)
from incidents._cli.common import (
    verifier_keys as _keys,
)
from incidents._cli.output import displayed, emit, printable
from incidents._cli.progress import ProgressBar, working
from incidents._codec.canonical import decode_recorded
from incidents._domain.events import Recorded
from incidents._errors import IncidentsError, InvalidInputError, VerificationError
from incidents._files import write_file
from incidents._ledger import Ledger
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey
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


def register(group: click.Group) -> None:
    """
    Add the audit commands.

    Args:
        group: The ``incidents`` group.
    """
    for command in (export, verify, replay, checkpoint, prove, check_proof, keygen):
        group.add_command(command)


def _key_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--key",
        "keys",
        multiple=True,
        metavar="KEY",
        help="a verifier key you trust (name+id+base64), or a file of them (repeatable)",
    )(function)


def _target_argument(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("target", metavar="[BUNDLE_OR_LEDGER]", required=False)(function)


def _open_existing(
    target: str, signing_key: SigningKey | None = None, *, read_only: bool = True
) -> Ledger:
    return open_existing(
        target, signing_key=signing_key, read_only=read_only, what="ledger or bundle"
    )


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


@click.command(
    "export",
    short_help="export the ledger: a bundle to verify offline, events, a flat table, Datasette, STIX",
    help="Write one of: a bundle (--bundle: the ledger's events as canonical JSON Lines, a "
    "checkpoint of them and the keys that signed it, which `incidents verify` and `incidents "
    "replay` check with no ledger and no network); the events file that `incidents import` "
    "reads (--events); the flat table of every version of every fact across incidents "
    "(--table: CSV or Parquet, for pandas, DuckDB or Arrow); a Datasette-ready SQLite file "
    "(--datasette: text ids, ISO times, latitude and longitude, full-text search on quotes); "
    "or a STIX 2.1 bundle (--stix). Every file is written whole or not at all.",
)
@click.option("--bundle", metavar="OUT", help="the bundle file to write")
@click.option("--events", metavar="OUT", help="the events file (JSON Lines) to write")
@click.option("--table", metavar="OUT", help="the flat table to write: OUT.csv or OUT.parquet")
@click.option(
    "--table-format",
    type=click.Choice(["csv", "parquet"]),
    help="the flat table's format (default: by its extension; Parquet needs incidents[arrow])",
)
@click.option("--datasette", metavar="OUT", help="the Datasette-ready SQLite file to write")
@click.option("--stix", metavar="OUT", help="the STIX 2.1 bundle (JSON) to write")
@click.option(
    "--known-at",
    metavar="R",
    help="with --events, --table, --datasette or --stix: only what had been recorded by then "
    "(ISO-8601 with offset)",
)
@click.pass_obj
def export(
    app: App,
    bundle: str | None,
    events: str | None,
    table: str | None,
    table_format: str | None,
    datasette: str | None,
    stix: str | None,
    known_at: str | None,
) -> int:
    """Write a bundle, or one of the interchange exports."""
    from incidents._cli.interchange import export_data

    given = {
        name: value
        for name, value in {
            "--bundle": bundle,
            "--events": events,
            "--table": table,
            "--datasette": datasette,
            "--stix": stix,
        }.items()
        if value is not None
    }
    if len(given) != 1:
        raise click.UsageError(
            "give one of --bundle, --events, --table, --datasette or --stix"
            + (f", not {' and '.join(given)}" if given else "")
        )
    if table_format is not None and table is None:
        raise click.UsageError("--table-format goes with --table")
    if bundle is not None and known_at is not None:
        raise click.UsageError("a bundle holds the whole log: --known-at is not for --bundle")
    with _open_existing(app.ledger) as ledger:
        if bundle is None:
            export_data(
                ledger,
                events=events,
                table=table,
                table_format=table_format,
                datasette=datasette,
                stix=stix,
                known_at=known_at,
            )
            return 0
        with working(f"exporting {len(ledger):,} events"):
            checkpoint = ledger.export_bundle(bundle)
    emit(
        f"wrote {printable(bundle)}: {checkpoint.size} events of log {printable(checkpoint.origin)}"
    )
    emit(checkpoint.text, end="")
    return 0


@click.command(
    "verify",
    short_help="verify a ledger or a bundle (read-only); exit status 0 only if authenticated",
    help="Verify BUNDLE_OR_LEDGER (a bundle file, an SQLite ledger file or a postgresql:// "
    "URL; default: --ledger). Recompute every event's hash, the Merkle tree, every "
    "checkpoint and signature, check the storage itself, and report the first damaged "
    "position and what kind of damage it is. A ledger is opened read-only: nothing in it "
    "runs, nothing is written. With --key, every event must be covered by a checkpoint "
    "signed by a key given; without, nothing is authenticated.",
    epilog=STATUSES,
)
@_target_argument
@_key_option
@click.option(
    "--integrity",
    type=click.Choice(["quick", "full"]),
    default="full",
    help="the storage's own check: SQLite's integrity_check (default), or the faster "
    "quick_check, which also compares every index entry with its row",
)
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    metavar="FILE",
    help="a published checkpoint to check against too (repeatable)",
)
@click.pass_obj
def verify(
    app: App,
    target: str | None,
    keys: tuple[str, ...],
    integrity: str,
    checkpoint_files: tuple[str, ...],
) -> int:
    """Verify a bundle or a ledger and print the report."""
    target = target or app.ledger
    trusted = _keys(keys)
    checkpoints = [Checkpoint.parse(_read_text(p, "checkpoint")) for p in checkpoint_files]
    if is_bundle(target):
        with working(f"verifying {target}"):
            report = Bundle.open(target).verify(keys=trusted, checkpoints=checkpoints)
        return _print_report(report)
    with _open_existing(target) as ledger, working(f"verifying {len(ledger):,} events"):
        report = ledger.verify(checkpoints=checkpoints, keys=trusted, integrity=integrity)
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


def _counted(records: Iterable[Recorded], bar: ProgressBar, total: int) -> Iterator[Recorded]:
    for number, record in enumerate(records, start=1):
        yield record
        if number % 256 == 0 or number == total:
            bar(number, total)


@click.command(
    "replay",
    short_help="verify a bundle (or ledger), rebuild state and print its digests",
    help="Verify BUNDLE_OR_LEDGER as `incidents verify` does, then rebuild every incident's "
    "state from the events and print one SHA-256 digest per state: the same on every machine "
    "and backend. Nothing that fails verification is replayed.",
    epilog=STATUSES,
)
@_target_argument
@_key_option
@click.pass_obj
def replay(app: App, target: str | None, keys: tuple[str, ...]) -> int:
    """Verify, rebuild state and print one digest per state."""
    target = target or app.ledger
    trusted = _keys(keys)
    if is_bundle(target):
        bundle = Bundle.open(target)
        with working(f"verifying {target}"):
            report = bundle.verify(keys=trusted)
        if not report.ok:
            return _print_report(report)
        with ProgressBar("replaying", counting="event", total=report.size) as bar:
            digests = replay_digests(_counted(bundle.records(), bar, report.size))
    else:
        with _open_existing(target) as ledger:
            with working(f"verifying {len(ledger):,} events"):
                report = ledger.verify(keys=trusted)
            if not report.ok:
                return _print_report(report)
            with ProgressBar("replaying", counting="event", total=report.size) as bar:
                digests = replay_digests(_counted(_ledger_records(ledger), bar, report.size))
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


@click.command("checkpoint", short_help="print the ledger's checkpoint (size and root)")
@click.option("--size", type=WholeNumber(0), help="an earlier size to describe")
@click.option("--signing-key", metavar="FILE", help="sign it with this key file")
@click.option("--store", is_flag=True, help="also keep it in the ledger")
@click.pass_obj
def checkpoint(app: App, size: int | None, signing_key: str | None, store: bool) -> int:
    """Print the ledger's checkpoint: its size and Merkle root, signed with --signing-key."""
    key = read_signing_key(signing_key) if signing_key else None
    with _open_existing(app.ledger, key, read_only=not store) as ledger:
        found = ledger.checkpoint(size=size, store=store)
    emit(found.text, end="")
    return 0


@click.command(
    "prove",
    short_help="print an inclusion proof for an event, or a consistency proof",
    help="Print a proof that EVENT is in the log (against --checkpoint, default: "
    "the log now), or with --since a proof that the log extends an earlier checkpoint. "
    "EVENT is an event id, or INCIDENT#POSITION as `incidents events` numbers it "
    "(e.g. a5da836a#12).",
)
@click.argument("event", required=False)
@click.option(
    "--checkpoint", "checkpoint_file", metavar="FILE", help="the checkpoint to prove against"
)
@click.option("--since", metavar="FILE", help="prove consistency from this earlier checkpoint")
@click.option(
    "--event-out",
    metavar="FILE",
    help="also write the event's canonical bytes to FILE, for `incidents check-proof`",
)
@click.pass_obj
def prove(
    app: App,
    event: str | None,
    checkpoint_file: str | None,
    since: str | None,
    event_out: str | None,
) -> int:
    """Print an inclusion or a consistency proof."""
    with _open_existing(app.ledger) as ledger:
        at = (
            Checkpoint.parse(_read_text(checkpoint_file, "checkpoint")) if checkpoint_file else None
        )
        if since:
            if event:
                raise InvalidInputError("give either an event or --since, not both")
            old = Checkpoint.parse(_read_text(since, "checkpoint"))
            emit(ledger.consistency_proof(old, at).text, end="")
            return 0
        if not event:
            raise InvalidInputError("give the event to prove, or --since CHECKPOINT")
        event_id = parse_event(ledger, event)
        proof = ledger.inclusion_proof(event_id, at)
        if event_out:  # the bytes stored and hashed: the leaf itself
            (row,) = ledger.store.rows_of([event_id])
            write_file(event_out, row.state, what="event")
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


@click.command(
    "check-proof",
    short_help="check a proof against checkpoints, with no ledger; exit status 1 if it fails",
    help="Check the inclusion proof PROOF (with --checkpoint and --event: the event's "
    "canonical bytes, as `incidents prove --event-out` writes them or as a line of a "
    "bundle) or a consistency proof (with --since and --checkpoint). Needs no ledger "
    "and no network. With --key, the checkpoints must also be signed by a key given.",
    epilog=STATUSES,
)
@click.argument("proof_file", metavar="PROOF")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    required=True,
    metavar="FILE",
    help="the checkpoint the proof is for (for a consistency proof: the later one)",
)
@click.option("--since", metavar="FILE", help="the earlier checkpoint of a consistency proof")
@click.option(
    "--event",
    "event_file",
    metavar="FILE",
    help="the event's canonical bytes, for an inclusion proof",
)
@_key_option
def check_proof(
    proof_file: str,
    checkpoint_file: str,
    since: str | None,
    event_file: str | None,
    keys: tuple[str, ...],
) -> int:
    """Check an inclusion or consistency proof against checkpoints, with no ledger."""
    proof = parse_proof(_read_text(proof_file, "proof"))
    later = Checkpoint.parse(_read_text(checkpoint_file, "checkpoint"))
    trusted = _keys(keys)
    if isinstance(proof, InclusionProof):
        if since or not event_file:
            raise InvalidInputError(
                "an inclusion proof is checked with --checkpoint and --event (not --since)"
            )
        data, event = _read_event(event_file)
        checkpoints = [later]
        check = functools.partial(proof.verify, data, later)
        what = (
            f"event {event.event_id} (incident {event.incident_id}, sequence {event.sequence}) "
            f"is in log {later.origin} at size {later.size}"
        )
    else:
        if event_file or not since:
            raise InvalidInputError(
                "a consistency proof is checked with --since and --checkpoint (not --event)"
            )
        old = Checkpoint.parse(_read_text(since, "checkpoint"))
        checkpoints = [old, later]
        check = functools.partial(proof.verify, old, later)
        what = (
            f"log {later.origin} at size {later.size} extends size {old.size}: "
            "nothing recorded by then was changed"
        )
    try:
        check()
        for c in checkpoints if trusted else ():
            c.verify_signatures(trusted)  # a signed note is required: as Go's note.Open
    except VerificationError as exc:
        emit(f"FAILED: {printable(str(exc))}")
        return FAILED
    what = printable(what)
    if trusted:
        emit(f"OK: {what}")
        emit(f"  root {later.root.hex()}; checkpoints signed by a key given")
        return AUTHENTICATED
    emit(f"NOT AUTHENTICATED: the proof holds, but nothing was authenticated: {what}")
    emit(
        f"  root {later.root.hex()}; checkpoint signatures not checked (give --key to require them)"
    )
    return UNAUTHENTICATED


@click.command(
    "keygen",
    short_help="make an Ed25519 signing key for a log",
    help="Write a new signing key to a file only you can read, and print its "
    "verifier key to publish. A log's key is named after the log, its origin (C2SP "
    "tlog-checkpoint): a new ledger opened with the key takes its name as origin. NAME is "
    "the key's name: the log's origin, e.g. example.org/incidents (no spaces).",
)
@click.argument("name")
@click.option("--out", required=True, metavar="FILE", help="where to write the signing key")
@click.option("--force", is_flag=True, help="replace a key already at --out (the old key is lost)")
def keygen(name: str, out: str, force: bool) -> int:
    """Write a new signing key and print its verifier key."""
    key = SigningKey.generate(name)
    text = key.to_text() + "\n"
    write_file(out, text.encode("utf-8"), what="signing key", secret=True, replace=force)
    emit(key.verifier.text)
    return 0
