"""
Rows of a CSV file or a spreadsheet, through a column mapping, into events.

Each row becomes, in this order: its incident's opening (for the first row
of an incident the ledger does not hold yet), its source's registration
(the first time that source appears in that incident), and its reports.
Every event's id is a UUIDv5 in the mapping's namespace of what the row
says (the incident's key, the source's key, the report's values and how
many identical reports came before it), so importing the same file again
makes the same events, which are then skipped: it adds nothing.

Aircraft names are resolved through the aircraft catalogue: a designation
or any alias, whatever its case, spaces, hyphens or full-width forms
(``"轰-6K"``, ``"h6k"``, ``"Ｈ－６Ｋ"`` are all the H-6K), plus the
mapping's own ``[aircraft.aliases]``. The report records the catalogue's
designation.

The whole file is checked before anything is recorded, and every problem is
named with its line (the spreadsheet's row), the column (or the mapping's
key) and what was expected there.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid5

import attrs

from incidents._domain.catalogue import AircraftCatalogue, default_catalogue
from incidents._domain.events import (
    AircraftReported,
    Count,
    Credibility,
    Event,
    IncidentOpened,
    Reliability,
    SourceKind,
    SourceRegistered,
)
from incidents._domain.geo import Location, Position
from incidents._domain.time import ValidTime, _zone
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger
from incidents.interchange._mapping import ReportMapping, RowMapping, Template
from incidents.interchange._problems import Problems, found
from incidents.interchange._recording import ImportResult, record_all
from incidents.interchange._table import require

__all__ = ["MAX_ROWS", "import_rows", "read_rows"]

MAX_ROWS = 100_000
"""Rows in one imported file; a file with more is refused (split it)."""

_CELL_BYTES = 1024 * 1024  # CSV cells longer than this are refused (the csv module's limit)
_SEPARATOR = "\x1f"  # between the parts of the names ids are derived from


# -- reading the file --------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(
    path: str, mapping: RowMapping, problems: Problems
) -> Iterator[tuple[int, list[str]]]:
    try:
        codecs.lookup(mapping.encoding)
    except LookupError:
        problems.add(
            0, "file.encoding", f"expected an encoding Python knows, found {mapping.encoding!r}"
        )
        return
    with open(path, encoding=mapping.encoding, errors="strict", newline="") as f:
        reader = csv.reader(f, delimiter=mapping.delimiter, strict=True)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.add(reader.line_num, "", f"expected CSV: {exc} (the rest was not read)")
                return
            except UnicodeDecodeError as exc:
                problems.add(
                    reader.line_num + 1,
                    "",
                    f"expected {mapping.encoding} text: {exc.reason} (the rest was not read)",
                )
                return
            yield reader.line_num, [c.strip() for c in cells]


def _xlsx_rows(
    path: str, mapping: RowMapping, problems: Problems
) -> Iterator[tuple[int, list[str]]]:
    openpyxl = require("openpyxl")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors alike
        problems.add(0, "", f"expected an .xlsx workbook: {exc}")
        return
    try:
        if mapping.sheet is not None and mapping.sheet not in book.sheetnames:
            problems.add(
                0,
                "file.sheet",
                f"expected one of the sheets {book.sheetnames}, found {mapping.sheet!r}",
            )
            return
        sheet = book[mapping.sheet] if mapping.sheet is not None else book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_text(v) for v in values]
    finally:
        book.close()


def _file_rows(
    path: str, mapping: RowMapping, problems: Problems
) -> Iterator[tuple[int, list[str]]]:
    if path.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(path, mapping, problems)
    return _csv_rows(path, mapping, problems)


# -- values --------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that is not what was expected; its message says what was."""


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        raise _Bad(f"a real calendar day, found {found(text)}") from None


def _moment(text: str, tz: str | None, what: str) -> tuple[datetime, bool] | None:
    """A date and time with its offset (or in *tz*); and whether seconds were given."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    rest = _TIME.fullmatch(text.strip()[match.end() :])
    if rest is None:
        return None
    day = _date(match.group(0))
    assert day is not None
    hour, minute, second, fraction, offset = rest.groups()
    micros = int((fraction or "0").ljust(6, "0"))
    try:
        naive = datetime.combine(day, time(int(hour), int(minute), int(second or 0), micros))
    except ValueError:
        raise _Bad(f"a real time of day, found {found(text)}") from None
    if offset is not None:
        iso = f"{naive.isoformat()}{'+00:00' if offset == 'Z' else offset}"
        return datetime.fromisoformat(iso), second is not None
    if tz is None:
        raise _Bad(
            f"a time with its offset (or a {what} time zone in the mapping), found {found(text)}"
        )
    return naive.replace(tzinfo=_zone(tz)), second is not None


def _valid_time(text: str, tz: str | None, wording: str | None) -> ValidTime:
    if not text or text in ("?", "unknown"):
        return ValidTime.unknown(wording=wording)
    if "/" in text and not _DATE.fullmatch(text):
        start, _, end = text.partition("/")
        a, b = _moment(start, tz, "valid_tz"), _moment(end, tz, "valid_tz")
        if a is None or b is None:
            raise _Bad(f"a span START/END of two dates and times, found {found(text)}")
        return ValidTime.span(a[0], b[0], wording=wording)
    day = _date(text)
    if day is not None:
        if tz is None:
            raise _Bad("a day with its time zone (valid_tz in the mapping)")
        return ValidTime.day(day, tz=tz, wording=wording)
    moment = _moment(text, tz, "valid_tz")
    if moment is None:
        raise _Bad(
            "a day (2024-07-25, 2024/7/25, 2024年7月25日), a date and time "
            f"(2024-07-25 14:30, with an offset or valid_tz) or a span START/END, found {found(text)}"
        )
    at, seconds = moment
    return (
        ValidTime.instant(at, wording=wording) if seconds else ValidTime.minute(at, wording=wording)
    )


def _published(text: str, tz: str | None) -> datetime | None:
    if not text:
        return None
    day = _date(text)
    if day is not None:
        return datetime.combine(day, time(0), tzinfo=_zone(tz) if tz else UTC)
    moment = _moment(text, tz or "UTC", "published_tz")
    if moment is None:
        raise _Bad(f"a date, or a date and time, found {found(text)}")
    return moment[0]


_RANGE = re.compile(r"(\d+)\s*[-–~〜～]\s*(\d+)")
_AT_LEAST = re.compile(r"(?:at least|>=|≥)\s*(\d+)|(\d+)\s*\+")


def _count(text: str) -> Count | None:
    """The count a cell gives; ``None`` for 0."""
    text = text.strip()
    if not text or text in ("?", "unknown"):
        return Count.unknown()
    if text.isdigit():
        number = int(text)
        return None if number == 0 else Count.exact(number)
    match = _RANGE.fullmatch(text)
    if match:
        return Count.between(int(match.group(1)), int(match.group(2)))
    match = _AT_LEAST.fullmatch(text)
    if match:
        return Count.at_least(int(match.group(1) or match.group(2)))
    raise _Bad(f'a count: a whole number, "2-4", "3+" or "?", found {found(text)}')


def _choice(text: str, choices: Mapping[str, Any], what: str) -> Any:
    key = text.strip().casefold().replace(" ", "_").replace("-", "_")
    if key in choices:
        return choices[key]
    raise _Bad(f"{what}: one of {', '.join(sorted(choices))}, found {found(text)}")


_KINDS = {k.value: k for k in SourceKind}
_RELIABILITY = {r.value.casefold(): r for r in Reliability}
_CREDIBILITY = {str(c.value): c for c in Credibility}


def _float(text: str, what: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise _Bad(f"{what} in degrees, found {found(text)}") from None


# -- rows into events ------------------------------------------------------------------------


@attrs.define
class _Reader:
    mapping: RowMapping
    catalogue: AircraftCatalogue
    problems: Problems
    header: dict[str, int] = attrs.field(factory=dict)
    line: int = 0
    row: dict[str, str] = attrs.field(factory=dict)

    def value(self, templates: Mapping[str, Template], key: str, where: str) -> str | None:
        template = templates.get(key)
        if template is None:
            return None
        return template.render(self.row).strip() or None

    def field(self, templates: Mapping[str, Template], key: str, where: str) -> str:
        template = templates.get(key)
        return template.column if template is not None and template.column else f"{where}.{key}"

    def id(self, *parts: str) -> UUID:
        return uuid5(self.mapping.namespace, _SEPARATOR.join(parts))


def _cells(reader: _Reader, cells: list[str]) -> dict[str, str]:
    row = {}
    for column, index in reader.header.items():
        cell = cells[index] if index < len(cells) else ""
        replace = reader.mapping.values.get(column)
        if replace is not None:
            cell = replace.get(cell.casefold().strip(), cell)
        row[column] = cell
    return row


def _aircraft(reader: _Reader, name: str) -> str:
    found_type = reader.catalogue.lookup(name)
    if found_type is not None:
        return found_type.designation
    if reader.mapping.unknown_aircraft == "keep":
        return name
    raise _Bad(
        f"an aircraft type the catalogue knows (a designation or an alias, or one of the "
        f"mapping's [aircraft.aliases]), found {found(name)}"
    )


class _RowEvents:
    """What one row makes, or the problems it has."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.bad = False

    def get(
        self, templates: Mapping[str, Template], key: str, where: str, convert: Any = None
    ) -> Any:
        text = self.reader.value(templates, key, where)
        if convert is None or text is None:
            return text
        try:
            return convert(text)
        except (_Bad, InvalidInputError) as exc:
            self.problem(
                templates,
                key,
                where,
                str(exc) if isinstance(exc, _Bad) else f"a valid value: {exc}",
            )
            return None

    def problem(
        self, templates: Mapping[str, Template], key: str, where: str, expected: str
    ) -> None:
        self.bad = True
        field = self.reader.field(templates, key, where)
        self.reader.problems.add(
            self.reader.line,
            field,
            expected if expected.startswith("expected") else f"expected {expected}",
        )

    def required(self, templates: Mapping[str, Template], key: str, where: str, what: str) -> None:
        self.problem(templates, key, where, f"{what}, found an empty cell")


def _build_event(
    row: _RowEvents, templates: Mapping[str, Template], where: str, build: Any, **fields: Any
) -> Event | None:
    if row.bad:
        return None
    try:
        made: Event = build(**fields)
        return made
    except InvalidInputError as exc:
        message = str(exc)
        key = next((k for k in templates if message.startswith(k)), "")
        row.bad = True
        field = row.reader.field(templates, key, where) if key else where
        row.reader.problems.add(row.reader.line, field, f"a valid {where}: {message}")
        return None


def _row_events(reader: _Reader, seen: dict[str, int]) -> list[Event]:
    m = reader.mapping
    row = _RowEvents(reader)
    key = reader.value(m.incident, "key", "incident")
    if key is None:
        row.required(m.incident, "key", "incident", "the incident's key")
        return []
    incident_id = reader.id("incident", key)
    title = reader.value(m.incident, "title", "incident")
    publisher = reader.value(m.source, "publisher", "source")
    url = reader.value(m.source, "url", "source")
    source_key = reader.value(m.source, "key", "source") or url or publisher or ""
    source_id = reader.id("source", key, source_key)
    kind = row.get(m.source, "kind", "source", lambda t: _choice(t, _KINDS, "a source kind"))
    if kind is None and not row.bad:
        row.required(m.source, "kind", "source", "a source kind")
    if publisher is None:
        row.required(m.source, "publisher", "source", "the source's publisher")
    published_tz = reader.value(m.source, "published_tz", "source")
    published = row.get(m.source, "published_at", "source", lambda t: _published(t, published_tz))
    reliability = row.get(
        m.source, "reliability", "source", lambda t: _choice(t, _RELIABILITY, "a reliability grade")
    )
    credibility = row.get(
        m.source, "credibility", "source", lambda t: _choice(t, _CREDIBILITY, "a credibility grade")
    )
    events: list[Event] = []
    opened = _build_event(
        row,
        m.incident,
        "incident",
        IncidentOpened,
        incident_id=incident_id,
        source_id=source_id,
        event_id=reader.id("incident-opened", key),
        title=title,
        summary=reader.value(m.incident, "summary", "incident") or "",
        region=reader.value(m.incident, "region", "incident"),
    )
    source = _build_event(
        row,
        m.source,
        "source",
        SourceRegistered,
        incident_id=incident_id,
        source_id=source_id,
        kind=kind,
        publisher=publisher,
        title=reader.value(m.source, "title", "source"),
        url=url,
        published_at=published,
        language=reader.value(m.source, "language", "source"),
        reliability=reliability or Reliability.F,
        credibility=credibility or Credibility.CANNOT_BE_JUDGED,
    )
    if opened is not None:
        events.append(opened)
    if source is not None:
        events.append(source)
    for index, report in enumerate(m.reports):
        made = _report(row, report, index, incident_id, source_id, key, source_key, seen)
        if made is not None:
            events.append(made)
    return [] if row.bad else events


def _report(
    row: _RowEvents,
    report: ReportMapping,
    index: int,
    incident_id: UUID,
    source_id: UUID,
    key: str,
    source_key: str,
    seen: dict[str, int],
) -> Event | None:
    reader = row.reader
    where = f"reports[{index}]"
    fields = report.fields
    name = reader.value(fields, "type", where)
    count_text = reader.value(fields, "count", where) or ""
    if report.optional and (name is None or count_text.strip() in ("0", "")):
        return None
    if name is None:
        row.required(fields, "type", where, "an aircraft type")
        return None
    designation = row.get(fields, "type", where, lambda t: _aircraft(reader, t))
    count = row.get(fields, "count", where, _count) if count_text else Count.unknown()
    if count is None and not row.bad:
        row.problem(
            fields,
            "count",
            where,
            "a count of at least 1, found 0 (mark the report optional = true to leave such rows out)",
        )
    nation = row.get(fields, "nation", where, lambda t: t.strip().upper())
    if nation is None and not row.bad:
        row.required(fields, "nation", where, "a nation code")
    tz = reader.value(fields, "valid_tz", where)
    wording = reader.value(fields, "wording", where)
    valid = row.get(fields, "valid_time", where, lambda t: _valid_time(t, tz, wording))
    if "valid_time" not in fields:
        valid = ValidTime.unknown(wording=wording)
    latitude = row.get(fields, "latitude", where, lambda t: _float(t, "a latitude"))
    longitude = row.get(fields, "longitude", where, lambda t: _float(t, "a longitude"))
    place = reader.value(fields, "location", where)
    location = None
    if (latitude is None) != (longitude is None):
        missing, given = (
            ("latitude", "longitude") if latitude is None else ("longitude", "latitude")
        )
        row.required(fields, missing, where, f"a {missing} beside the {given}")
    elif latitude is not None or place is not None:
        try:
            position = None if latitude is None else Position(lat=latitude, lon=longitude)
            location = Location(name=place, position=position)
        except InvalidInputError as exc:
            row.problem(fields, "latitude", where, f"a position on the globe: {exc}")
    values = {
        "type": designation,
        "nation": nation,
        "count": str(count),
        "valid": None
        if valid is None
        else [str(valid.earliest), str(valid.latest), valid.precision.value],
        "operator": reader.value(fields, "operator", where),
        "role": reader.value(fields, "role", where),
        "place": [place, latitude, longitude],
    }
    identity = _SEPARATOR.join(
        ["report", key, source_key, str(index), json.dumps(values, sort_keys=True)]
    )
    occurrence = seen.get(identity, 0)
    seen[identity] = occurrence + 1
    return _build_event(
        row,
        fields,
        where,
        AircraftReported,
        incident_id=incident_id,
        source_id=source_id,
        event_id=reader.id(identity, str(occurrence)),
        type_designation=designation,
        nation=nation,
        count=count,
        valid_time=valid,
        operator=reader.value(fields, "operator", where),
        role=reader.value(fields, "role", where),
        location=location,
    )


def _catalogue(
    mapping: RowMapping, catalogue: AircraftCatalogue | None, problems: Problems
) -> AircraftCatalogue:
    base = catalogue if catalogue is not None else default_catalogue()
    if not mapping.aliases:
        return base
    added: dict[str, Any] = {}
    for alias, designation in mapping.aliases.items():
        found_type = base.lookup(designation)
        if found_type is None:
            problems.add(
                0,
                f"aircraft.aliases.{alias}",
                f"expected a type of the catalogue, found {found(designation)}",
            )
            continue
        current = added.get(found_type.designation, found_type)
        added[found_type.designation] = attrs.evolve(current, aliases=(*current.aliases, alias))
    try:
        return base.with_types(*added.values())
    except InvalidInputError as exc:
        problems.add(0, "aircraft.aliases", f"names that no other type has: {exc}")
        return base


def read_rows(
    path: str | os.PathLike[str],
    mapping: RowMapping | str | os.PathLike[str],
    *,
    catalogue: AircraftCatalogue | None = None,
) -> list[tuple[int, Event]]:
    """
    Read and check a CSV file or a spreadsheet through a column mapping, naming every problem.

    Args:
        path: The file: ``.xlsx`` (needs ``pip install 'incidents[xlsx]'``)
            or anything else read as CSV.
        mapping: A :class:`RowMapping`, or its TOML file.
        catalogue: The aircraft catalogue names are resolved in (default:
            the shipped one), extended with the mapping's aliases.

    Returns:
        The events each row makes, with the row's line, in file order.

    Raises:
        ImportRejectedError: If the mapping or any row has a problem (all are named).
        InvalidInputError: If a file cannot be read.
    """
    where = os.fspath(path)
    rules = mapping if isinstance(mapping, RowMapping) else RowMapping.load(mapping)
    problems = Problems(where)
    reader = _Reader(rules, _catalogue(rules, catalogue, problems), problems)
    events: list[tuple[int, Event]] = []
    chosen: dict[UUID, tuple[int, Event]] = {}
    seen: dict[str, int] = {}
    rows = 0
    try:
        for number, cells in _file_rows(where, rules, problems):
            if not reader.header:
                _header(reader, cells, number)
                if problems:
                    break
                continue
            if not any(cells):
                continue
            rows += 1
            if rows > MAX_ROWS:
                problems.add(
                    number,
                    "",
                    f"at most {MAX_ROWS:,} rows in one file: split it (the rest was not read)",
                )
                break
            reader.line, reader.row = number, _cells(reader, cells)
            for event in _row_events(reader, seen):
                first = chosen.get(event.event_id)
                if first is not None and isinstance(event, IncidentOpened):
                    continue  # an incident is described by its first row
                if first is None:
                    chosen[event.event_id] = (number, event)
                    events.append((number, event))
                elif first[1] != event:
                    what = "source" if isinstance(event, SourceRegistered) else "incident"
                    problems.add(
                        number,
                        "",
                        f"the same {what} as on line {first[0]} (same key), found it described "
                        f"differently: {event!r:.200}",
                    )
    except OSError as exc:
        raise InvalidInputError(f"cannot read {where}: {exc.strerror or exc}") from None
    if not reader.header and not problems:
        problems.add(0, "", "expected a header row naming the columns, found an empty file")
    problems.check()
    return events


def _header(reader: _Reader, cells: list[str], number: int) -> None:
    for index, name in enumerate(cells):
        if not name:
            continue
        if name in reader.header:
            reader.problems.add(number, name, "expected each column name once, found it twice")
        reader.header[name] = index
    for column in sorted(reader.mapping.columns - set(reader.header)):
        reader.problems.add(
            number,
            column,
            f"a column the mapping reads, found none (the columns are: {', '.join(reader.header)})",
        )


def import_rows(
    ledger: Ledger,
    path: str | os.PathLike[str],
    mapping: RowMapping | str | os.PathLike[str],
    *,
    catalogue: AircraftCatalogue | None = None,
    recorder: str | None = None,
) -> ImportResult:
    """
    Import a CSV file or a spreadsheet through a column mapping: all of it, in one batch, or nothing.

    Each row becomes its incident's opening (once), its source (once per
    incident) and its reports, with ids derived from what the row says:
    importing the same file again adds nothing.

    Args:
        ledger: The ledger.
        path: The file (``.xlsx`` or CSV).
        mapping: A :class:`RowMapping`, or its TOML file.
        catalogue: The aircraft catalogue (default: the shipped one).
        recorder: Who records the batch (default: the ledger's recorder).

    Returns:
        What was recorded, and how many events were there already.

    Raises:
        ImportRejectedError: If the mapping or any row has a problem, or the
            ledger's checks refuse an event; nothing was recorded.
    """
    events = read_rows(path, mapping, catalogue=catalogue)
    return record_all(ledger, events, Problems(os.fspath(path)), recorder=recorder)
