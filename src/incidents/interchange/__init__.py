"""
Data in and out of a ledger without writing more Python than a call: import, copy, export.

**Import.** :func:`import_events` reads the JSON Lines event format (one
event per line, described by ``schema/events.schema.json``,
:func:`event_schema`); :func:`import_rows` reads CSV files and spreadsheets
through a declarative column mapping in TOML (:class:`RowMapping`), each row
becoming its incident, its source and its reports, with ids derived from
what the row says, so that importing a file again adds nothing. Either
checks the whole file first: when anything is wrong, an
:class:`ImportRejectedError` names every bad line, the field and what was
expected (:class:`Problem`), and nothing is recorded.
:func:`restore_bundle` makes a ledger from a bundle after verifying it: the
same events, positions, recording times, recorders and Merkle root.

**Copy.** :func:`copy_ledger` copies a ledger between SQLite, PostgreSQL and
bundles, keeping every event, position, recording time and the root.

**Export.** :func:`fact_table` is the flat table of every version of every
fact across incidents (:data:`COLUMNS`), an Arrow stream that pandas,
polars and DuckDB read without copies, and writes Parquet and CSV
(:class:`FactTable`); :func:`write_datasette` writes a Datasette-ready
SQLite file with a map and full-text search; :func:`write_stix` a STIX 2.1
bundle (:func:`stix_objects`); :func:`write_events` the JSON Lines event
format.

>>> from incidents import Ledger, examples
>>> from incidents.interchange import fact_table
>>> with Ledger.open(":memory:") as ledger:
...     _ = ledger.record(*examples.alaska_2024())
...     table = fact_table(ledger)
>>> len(table) == len(examples.alaska_2024())
True

See ``docs/interchange.md``.
"""

from importlib.resources import files
from pathlib import Path

from incidents._public import report_public_module
from incidents.interchange._copy import copy_ledger, restore_bundle
from incidents.interchange._datasette import datasette_bytes, write_datasette
from incidents.interchange._jsonl import MAX_LINE_BYTES, import_events, read_events, write_events
from incidents.interchange._mapping import FORMAT as MAPPING_FORMAT
from incidents.interchange._mapping import ReportMapping, RowMapping, Template
from incidents.interchange._problems import MAX_PROBLEMS, ImportRejectedError, Problem
from incidents.interchange._recording import ImportResult
from incidents.interchange._rows import MAX_ROWS, import_rows, read_rows
from incidents.interchange._schema import SCHEMA_ID, event_schema, schema_text
from incidents.interchange._stix import ADMIRALTY_CONFIDENCE, stix_objects, write_stix
from incidents.interchange._table import COLUMNS, FactTable, fact_table
from incidents.interchange._versions import FactVersion, versions

__all__ = [
    "ADMIRALTY_CONFIDENCE",
    "COLUMNS",
    "MAPPING_FORMAT",
    "MAX_LINE_BYTES",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "SCHEMA_ID",
    "FactTable",
    "FactVersion",
    "ImportRejectedError",
    "ImportResult",
    "Problem",
    "ReportMapping",
    "RowMapping",
    "Template",
    "copy_ledger",
    "datasette_bytes",
    "event_schema",
    "example_file",
    "fact_table",
    "import_events",
    "import_rows",
    "read_events",
    "read_rows",
    "restore_bundle",
    "schema_text",
    "stix_objects",
    "versions",
    "write_datasette",
    "write_events",
    "write_stix",
]


def example_file(name: str) -> Path:
    """
    A file shipped with the library as an example of what can be imported.

    ``incidents/data/examples/`` holds ``aircraft-around-japan.csv`` (a
    small CSV file of aircraft reports, named in Chinese, Japanese and
    Latin letters, in inconsistent casing), ``aircraft-around-japan.xlsx``
    (the same rows as a spreadsheet), ``aircraft-around-japan.toml`` (the
    column mapping that reads both) and ``alaska-2024.jsonl`` (the Alaska
    example in the JSON Lines event format).

    Args:
        name: The file's name.

    Returns:
        Its path.

    Raises:
        FileNotFoundError: If there is no such example.
    """
    path = Path(str(files("incidents") / "data" / "examples" / name))
    if "/" in name or "\\" in name or not path.is_file():
        raise FileNotFoundError(f"no example named {name!r}")
    return path


report_public_module(__name__, globals(), __all__)
