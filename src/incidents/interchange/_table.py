"""
The flat table of fact versions across incidents: Arrow, Parquet, CSV and pandas.

One row per version of a fact (see :mod:`incidents.interchange._versions`),
with the columns of :data:`COLUMNS`. The columns that only some kinds of
facts have (valid time, location, nation, type, count) are read from the
event by field name, not by event type, so facts of types added to the
vocabulary later fill the columns they have, and every row carries its type
and its whole event as JSON (``payload``).

Arrow, Parquet and pandas need the optional extras (``pip install
'incidents[arrow]'`` or ``'incidents[pandas]'``); CSV needs nothing.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from incidents._codec.canonical import converter, dumps, event_text
from incidents._domain.events import EVENT_TYPES, Count, Event
from incidents._domain.geo import Location
from incidents._domain.time import ValidTime
from incidents._domain.words import describe_event
from incidents._files import write_file
from incidents._ledger import Ledger
from incidents.interchange._versions import FactVersion, ledger_versions

__all__ = ["COLUMNS", "FactTable", "fact_table", "fact_rows", "payload", "require"]

COLUMNS: Mapping[str, str] = {
    "incident_id": "string",
    "incident_title": "string",
    "fact_id": "string",
    "fact_type": "string",
    "version": "int",
    "version_event_id": "string",
    "version_event_type": "string",
    "position": "int",
    "sequence": "int",
    "recorded_at": "timestamp",
    "recorder": "string",
    "ended_at": "timestamp",
    "ended_by": "string",
    "withdrawn": "bool",
    "standing": "bool",
    "valid_from": "timestamp",
    "valid_to": "timestamp",
    "valid_precision": "string",
    "valid_tz": "string",
    "valid_wording": "string",
    "source_id": "string",
    "source_publisher": "string",
    "source_kind": "string",
    "source_url": "string",
    "published_at": "timestamp",
    "reliability": "string",
    "credibility": "int",
    "latitude": "float",
    "longitude": "float",
    "location_name": "string",
    "geometry": "string",
    "nation": "string",
    "type_designation": "string",
    "count_low": "int",
    "count_high": "int",
    "description": "string",
    "payload": "string",
}
"""
The table's columns and their kinds: ``string``, ``int``, ``float``, ``bool`` or ``timestamp`` (UTC, µs).

==================== =====================================================================
``incident_id``      the incident (text UUID); ``incident_title`` its title now
``fact_id``          the event that stated the fact; ``fact_type`` its type
``version``          1 for the fact as first recorded, then one more per change
``version_event_*``  the event that made the version (the fact, a correction, a retraction)
``position``,        its place in the incident's stream and in the ledger's order,
``sequence``
``recorded_at``      when that event was recorded, and by whom (``recorder``)
``ended_at``,        when the next change of the fact ended this version, and which event;
``ended_by``         ``withdrawn`` if it withdrew the fact; ``standing`` while none has
``valid_*``          the fact's valid time: earliest and latest possible instants,
                     precision, the source's time zone and wording
``source_*``         the fact's source as the ledger now knows it; ``published_at`` when it
                     was published, ``reliability`` (A-F) and ``credibility`` (1-6)
``latitude``,        the fact's position, or a point on its geometry (a track, an area);
``longitude``        ``location_name`` and ``geometry`` (GeoJSON)
``nation``,          where the fact has them (aircraft); ``count_high`` empty for
``type_designation``, "at least" counts
``count_*``
``description``      the fact in words; ``payload`` the whole event as JSON
==================== =====================================================================
"""

_EXTRAS = {"pyarrow": "arrow", "pandas": "pandas", "openpyxl": "xlsx"}


def require(module: str) -> Any:
    """
    Import an optional dependency, or say which extra brings it.

    Args:
        module: ``"pyarrow"``, ``"pyarrow.parquet"``, ``"pandas"`` or ``"openpyxl"``.

    Returns:
        The module.

    Raises:
        ModuleNotFoundError: If it is not installed, naming the extra to install.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        extra = _EXTRAS.get(top, top)
        raise ModuleNotFoundError(
            f"{top} is needed for this: pip install 'incidents[{extra}]'", name=top
        ) from exc


def payload(event: Event) -> str:
    """
    An event's JSON: its canonical text, whatever its type.

    Args:
        event: Any event, of the vocabulary or not.

    Returns:
        Compact JSON with sorted keys, tagged with ``"type"``.
    """
    if type(event) in _VOCABULARY:
        return event_text(event)
    data = converter.unstructure(event)
    data["type"] = event.TYPE
    return dumps(data).decode("utf-8")


_VOCABULARY = frozenset(EVENT_TYPES.values())


def _describe(event: Event) -> str:
    try:
        return describe_event(event)
    except Exception:  # a type the words do not know yet
        return event.TYPE


def _point(location: Location) -> tuple[float, float] | None:
    if location.position is not None:
        return location.position.lat, location.position.lon
    if location.geometry is not None:
        # A point on the geometry itself: a track's centroid crossing the
        # antimeridian would land on the other side of the globe.
        point = location.geometry.representative_point()
        return float(point.y), float(point.x)
    return None


def _row(
    version: FactVersion,
    title: str | None,
    sources: Mapping[UUID, Event],
) -> dict[str, Any]:
    event = version.event
    made = version.made_by
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        incident_id=str(version.incident_id),
        incident_title=title,
        fact_id=str(version.fact_id),
        fact_type=version.fact_type,
        version=version.number,
        version_event_id=str(made.event_id),
        version_event_type=made.type,
        position=made.position,
        sequence=made.sequence,
        recorded_at=made.recorded_at,
        recorder=made.recorder,
        ended_at=version.ended_at,
        ended_by=None if version.ended_by is None else str(version.ended_by.event_id),
        withdrawn=version.withdrawn,
        standing=version.standing,
        source_id=str(event.source_id),
        description=_describe(event),
        payload=payload(event),
    )
    valid = getattr(event, "valid_time", None)
    if isinstance(valid, ValidTime):
        row.update(
            valid_from=valid.earliest,
            valid_to=valid.latest,
            valid_precision=valid.precision.value,
            valid_tz=valid.tz,
            valid_wording=valid.wording,
        )
    source = sources.get(event.source_id)
    if source is not None:
        kind = getattr(source, "kind", None)
        reliability = getattr(source, "reliability", None)
        credibility = getattr(source, "credibility", None)
        row.update(
            source_publisher=getattr(source, "publisher", None),
            source_kind=getattr(kind, "value", kind),
            source_url=getattr(source, "url", None),
            published_at=getattr(source, "published_at", None),
            reliability=getattr(reliability, "value", reliability),
            credibility=None if credibility is None else int(credibility),
        )
    location = getattr(event, "location", None)
    if isinstance(location, Location):
        point = _point(location)
        if point is not None:
            row["latitude"], row["longitude"] = point
        row["location_name"] = location.name
        if location.geometry is not None:
            row["geometry"] = dumps(converter.unstructure(location.geometry)).decode("utf-8")
    for name in ("nation", "type_designation"):
        value = getattr(event, name, None)
        if isinstance(value, str):
            row[name] = value
    count = getattr(event, "count", None)
    if isinstance(count, Count):
        row["count_low"], row["count_high"] = count.low, count.high
    return row


def fact_rows(incident_versions: Sequence[FactVersion]) -> list[dict[str, Any]]:
    """
    The table's rows for the versions of one incident.

    Args:
        incident_versions: Every version of the incident's facts (its whole
            stream as known, so that its title and sources are there).

    Returns:
        One dict per version, keyed by :data:`COLUMNS`.
    """
    latest: dict[UUID, Event] = {}
    for version in incident_versions:
        latest[version.fact_id] = version.event
    title = None
    if incident_versions:
        first = latest[incident_versions[0].fact_id]
        found = getattr(first, "title", None)
        title = found if isinstance(found, str) else None
    return [_row(v, title, latest) for v in incident_versions]


class FactTable:
    """
    The flat table of fact versions across incidents, ready for Arrow, pandas, Parquet or CSV.

    It is an Arrow stream (``__arrow_c_stream__``): ``pyarrow.table(t)``,
    ``pandas.DataFrame.from_arrow(t)``, ``polars.DataFrame(t)`` and DuckDB
    (``duckdb.sql("select * from t")``) read it without copying its columns.
    Build one with :func:`~incidents.interchange.fact_table`.

    Args:
        rows: The rows, keyed by :data:`COLUMNS`.
    """

    columns: tuple[str, ...] = tuple(COLUMNS)

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._arrow: Any = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __repr__(self) -> str:
        return f"<FactTable of {len(self.rows):,} fact versions>"

    @staticmethod
    def arrow_schema() -> Any:
        """
        The table's Arrow schema (needs pyarrow).

        Returns:
            A ``pyarrow.Schema``: text, 64-bit integers and floats, booleans,
            and timestamps in microseconds, UTC.
        """
        pa = require("pyarrow")
        types = {
            "string": pa.string(),
            "int": pa.int64(),
            "float": pa.float64(),
            "bool": pa.bool_(),
            "timestamp": pa.timestamp("us", tz="UTC"),
        }
        return pa.schema([pa.field(name, types[kind]) for name, kind in COLUMNS.items()])

    def to_arrow(self) -> Any:
        """
        The table as a ``pyarrow.Table`` (built once, then kept).

        Raises:
            ModuleNotFoundError: Without pyarrow (``pip install 'incidents[arrow]'``).
        """
        if self._arrow is None:
            pa = require("pyarrow")
            data = {name: [row[name] for row in self.rows] for name in COLUMNS}
            self._arrow = pa.table(data, schema=self.arrow_schema())
        return self._arrow

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """
        The Arrow C stream of the table (the Arrow PyCapsule interface).

        Args:
            requested_schema: A schema capsule the consumer asks for, if any.

        Returns:
            A PyCapsule holding an ``ArrowArrayStream``.
        """
        return self.to_arrow().__arrow_c_stream__(requested_schema)

    def to_pandas(self) -> Any:
        """
        The table as a ``pandas.DataFrame``.

        Raises:
            ModuleNotFoundError: Without pandas and pyarrow (``pip install 'incidents[pandas]'``).
        """
        require("pandas")
        return self.to_arrow().to_pandas()

    def write_parquet(self, path: str | os.PathLike[str]) -> None:
        """
        Write the table as a Parquet file, whole or not at all.

        Raises:
            ModuleNotFoundError: Without pyarrow.
            FileWriteError: If the file cannot be written.
        """
        pa = require("pyarrow")
        parquet = require("pyarrow.parquet")
        sink = pa.BufferOutputStream()
        parquet.write_table(self.to_arrow(), sink)
        write_file(path, sink.getvalue().to_pybytes(), what="Parquet file")

    def csv_text(self) -> str:
        """
        The table as CSV: a header line, times in ISO 8601 UTC, empty cells for nothing.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self.rows:
            writer.writerow([_cell(row[name]) for name in COLUMNS])
        return out.getvalue()

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """
        Write the table as a UTF-8 CSV file, whole or not at all.

        Raises:
            FileWriteError: If the file cannot be written.
        """
        write_file(path, self.csv_text().encode("utf-8"), what="CSV file")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def fact_table(ledger: Ledger, *, known_at: datetime | None = None) -> FactTable:
    """
    Every version of every fact of a ledger, as one flat table (see :data:`COLUMNS`).

    >>> from incidents import Ledger, examples
    >>> with Ledger.open(":memory:") as ledger:
    ...     _ = ledger.record(*examples.alaska_2024())
    ...     table = fact_table(ledger)
    >>> sorted({row["fact_type"] for row in table})[:2]
    ['aircraft-reported', 'incident-opened']

    Args:
        ledger: The ledger.
        known_at: Only what had been recorded by this time (default: everything).

    Returns:
        The table, incidents in order of first recording, each incident's
        versions in the order they were made.

    Raises:
        FutureKnowledgeError: If *known_at* is in the future.
    """
    rows: list[dict[str, Any]] = []
    for _, incident_versions in ledger_versions(ledger, known_at=known_at):
        rows.extend(fact_rows(incident_versions))
    return FactTable(rows)
