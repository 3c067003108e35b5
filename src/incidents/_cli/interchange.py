"""
``incidents import``, ``incidents copy`` and the exports of ``incidents export``, over :mod:`incidents.interchange`.

Imports are all or nothing: every problem of a file is listed, one escaped
line each, and nothing is recorded. While an import, a copy or an export
runs, a spinner shows on a terminal (standard error).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from incidents._cli.common import (
    App,
    is_remote,
    open_existing,
    parse_time,
    read_signing_key,
    verifier_keys,
)
from incidents._cli.output import displayed, emit, emit_json, printable
from incidents._cli.progress import working
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger
from incidents.audit._bundle import Bundle, is_bundle

__all__ = ["TABLE_FORMATS", "copy", "export_data", "import_file", "optional", "register"]

T = TypeVar("T")

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
"""The flat table's formats, by the extension of the file written."""


def register(group: click.Group) -> None:
    """
    Add ``import`` and ``copy`` (the exports are options of ``export``).

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(import_file)
    group.add_command(copy)


@contextmanager
def optional() -> Iterator[None]:
    """
    Turn a missing optional dependency (pyarrow, pandas, openpyxl) into bad input naming its extra.
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        if "pip install" not in str(exc):
            raise
        raise InvalidInputError(str(exc)) from None


def _with_spinner(label: str, call: Callable[[], T]) -> T:
    with working(label), optional():
        return call()


@click.command(
    "import",
    short_help="import events (JSON Lines), CSV or spreadsheet rows, or a bundle",
    help="Import FILE into the ledger, all or nothing: an events file (JSON Lines, one "
    "event per line, as `incidents export --events` writes it); a CSV file or a spreadsheet "
    "(.xlsx) through a column mapping (--mapping, TOML); or a bundle, which is verified "
    "first and restored into a new ledger with the same events, positions, recording times "
    "and Merkle root. Every event has an id the file reproduces, so importing it again adds "
    "nothing. When anything is wrong, every bad line is listed with its field and what was "
    "expected, and nothing is recorded.",
    epilog="\b\nExamples:\n  incidents --ledger my.db import alaska.jsonl\n"
    "  incidents --ledger my.db import rows.csv --mapping rows.toml\n"
    "  incidents --ledger restored.db import alaska.bundle --key KEYS",
)
@click.argument("file")
@click.option(
    "--mapping",
    metavar="TOML",
    help="the column mapping of a CSV file or spreadsheet (see `incidents.interchange`)",
)
@click.option(
    "--as",
    "kind",
    type=click.Choice(["events", "rows", "bundle"]),
    help="what FILE is (default: a bundle if it is one, rows with --mapping, else events)",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY",
    help="for a bundle: a verifier key you trust (name+id+base64), or a file of them",
)
@click.option("--create", is_flag=True, help="create the ledger if there is none")
@click.option("--recorder", help="who records (default: $INCIDENTS_RECORDER or your login)")
@click.option(
    "--signing-key", metavar="FILE", help="sign the batch with this key (named after the log)"
)
@click.option("--json", "as_json", is_flag=True, help="print what was recorded as JSON")
@click.pass_obj
def import_file(
    app: App,
    file: str,
    mapping: str | None,
    kind: str | None,
    keys: tuple[str, ...],
    create: bool,
    recorder: str | None,
    signing_key: str | None,
    as_json: bool,
) -> int:
    """Import a file into the ledger."""
    from incidents.interchange import import_events, import_rows, restore_bundle

    if not os.path.isfile(file):
        raise InvalidInputError(f"no file at {file}")
    if kind is None:
        kind = "rows" if mapping is not None else "bundle" if is_bundle(file) else "events"
    if kind == "rows" and mapping is None:
        raise InvalidInputError("rows are imported through a column mapping: give --mapping")
    if kind != "rows" and mapping is not None:
        raise InvalidInputError(f"--mapping is for CSV files and spreadsheets, not {kind}")
    if kind != "bundle" and keys:
        raise InvalidInputError("--key is for bundles: the verifier keys you trust")
    key = read_signing_key(signing_key) if signing_key else None
    if kind == "bundle":
        if not is_remote(app.ledger) and os.path.exists(app.ledger):
            raise InvalidInputError(
                f"a bundle is restored into a new ledger: {app.ledger} exists already"
            )
        trusted = verifier_keys(keys)
        opened = Bundle.open(file)
        report = _with_spinner(f"verifying {file}", lambda: opened.verify(keys=trusted))
        if not report.ok:  # as `incidents verify` says it, with its exit status
            emit(displayed(report).render())
            return 1

        def restore() -> Any:
            ledger = restore_bundle(
                opened, app.ledger, keys=trusted, recorder=recorder, signing_key=key
            )
            with ledger:
                return ledger.checkpoint(), len(ledger.incident_ids())

        checkpoint, incidents = _with_spinner(f"restoring {file}", restore)
        if as_json:
            emit_json(
                {
                    "restored": checkpoint.size,
                    "incidents": incidents,
                    "origin": checkpoint.origin,
                    "root": checkpoint.root.hex(),
                }
            )
            return 0
        emit(
            f"restored {checkpoint.size:,} events of {incidents:,} incidents of log "
            f"{printable(checkpoint.origin)} from {printable(file)} into "
            f"{printable(app.ledger)}: root {checkpoint.root.hex()}"
        )
        return 0
    opener = Ledger.open if create else open_existing
    with opener(app.ledger, signing_key=key, recorder=recorder) as ledger:
        if kind == "rows":
            assert mapping is not None
            result = _with_spinner(
                f"importing {file}", lambda: import_rows(ledger, file, mapping, recorder=recorder)
            )
        else:
            result = _with_spinner(
                f"importing {file}", lambda: import_events(ledger, file, recorder=recorder)
            )
    if as_json:
        emit_json({"recorded": list(result.recorded), "skipped": result.skipped})
        return 0
    incidents = {r.incident_id for r in result.recorded}
    if not result.recorded:
        emit(
            f"nothing imported from {printable(file)}: its {result.skipped:,} events were there already"
        )
    else:
        emit(
            f"imported {len(result):,} events of {len(incidents):,} incidents from "
            f"{printable(file)}"
            + (f"; {result.skipped:,} were there already" if result.skipped else "")
        )
    return 0


def export_data(
    ledger: Ledger,
    *,
    events: str | None,
    table: str | None,
    table_format: str | None,
    datasette: str | None,
    stix: str | None,
    known_at: str | None,
) -> None:
    """
    Write one of the interchange exports of *ledger* and say what was written.

    Args:
        ledger: The open ledger.
        events: The events file to write (JSON Lines), if asked.
        table: The flat table's file, if asked.
        table_format: ``"csv"`` or ``"parquet"`` (default: by *table*'s extension).
        datasette: The Datasette file, if asked.
        stix: The STIX bundle, if asked.
        known_at: Only what had been recorded by then (ISO-8601), if given.
    """
    from incidents.interchange import fact_table, write_datasette, write_events, write_stix

    known = parse_time(known_at, "--known-at")
    if events is not None:
        count = _with_spinner(
            "writing events", lambda: write_events(ledger, events, known_at=known)
        )
        emit(f"wrote {printable(events)}: {count:,} events (JSON Lines)")
    elif table is not None:
        form = table_format or TABLE_FORMATS.get(os.path.splitext(table)[1].lower())
        if form is None:
            raise InvalidInputError(
                "the table's format: name the file .csv or .parquet, or give --table-format"
            )

        def write_table() -> int:
            found = fact_table(ledger, known_at=known)
            if form == "parquet":
                found.write_parquet(table)
            else:
                found.write_csv(table)
            return len(found)

        rows = _with_spinner("writing the flat table", write_table)
        emit(f"wrote {printable(table)}: {rows:,} fact versions ({form})")
    elif datasette is not None:
        _with_spinner(
            "writing the Datasette file",
            lambda: write_datasette(ledger, datasette, known_at=known),
        )
        emit(f"wrote {printable(datasette)}: serve it with `datasette {printable(datasette)}`")
    else:
        assert stix is not None
        count = _with_spinner("writing STIX", lambda: write_stix(ledger, stix, known_at=known))
        emit(f"wrote {printable(stix)}: a STIX 2.1 bundle of {count:,} objects")


@click.command(
    "copy",
    short_help="copy a ledger between SQLite, PostgreSQL and bundles, keeping its root",
    help="Copy the ledger SRC (an SQLite file, a postgresql:// URL or a bundle) to DST (a new "
    "SQLite file, postgresql:// URL, or a bundle file: .bundle or .jsonl, or --bundle), keeping "
    "every event, position, recording time and recorder, the checkpoints kept, and the Merkle "
    "root. A bundle is verified first; nothing is written if the copy would not rebuild the "
    "root. Prints the copy's checkpoint.",
)
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DST")
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY",
    help="for a source bundle: a verifier key you trust, or a file of them (repeatable)",
)
@click.option(
    "--bundle/--no-bundle",
    "to_bundle",
    default=None,
    help="whether DST is a bundle (default: when it ends in .bundle or .jsonl)",
)
def copy(source: str, target: str, keys: tuple[str, ...], to_bundle: bool | None) -> int:
    """Copy a ledger."""
    from incidents.interchange import copy_ledger

    if not is_remote(source) and not os.path.isfile(source):
        raise InvalidInputError(f"no ledger or bundle at {source}")
    trusted = verifier_keys(keys)
    checkpoint = _with_spinner(
        f"copying {source}",
        lambda: copy_ledger(source, target, keys=trusted, bundle=to_bundle),
    )
    emit(
        f"copied {checkpoint.size:,} events of log {printable(checkpoint.origin)} from "
        f"{printable(source)} to {printable(target)}: root {checkpoint.root.hex()}"
    )
    emit(checkpoint.text, end="")
    return 0
