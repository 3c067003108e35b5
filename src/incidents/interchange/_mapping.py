"""
The column mapping: how the rows of a spreadsheet or CSV file become events, declared in TOML.

A mapping names, for the incident, the source and each report a row
makes, where each field's value comes from: a *template*, text in which
``{column}`` stands for the row's cell in that column (``{{`` and ``}}``
for braces). A template without braces is a constant. See
``docs/interchange.md`` for the reference and an example; a mapping is
checked whole when it is loaded (every unknown key, missing key and column
the file lacks is named), before any row is read.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import attrs

from incidents._errors import InvalidInputError
from incidents.interchange._problems import Problems, found

__all__ = ["FORMAT", "ReportMapping", "RowMapping", "Template"]

FORMAT = "incidents-mapping/v1"
"""The ``format`` a mapping file declares."""

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@attrs.frozen
class Template:
    """
    A value made from a row: text with ``{column}`` for cells.

    Attributes:
        text: The template as written.
        parts: Its pieces: text, or ``(column,)`` for a cell.
    """

    text: str
    parts: tuple[str | tuple[str], ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        """
        Read a template.

        Raises:
            InvalidInputError: For an unmatched brace or an empty ``{}``.
        """
        parts: list[str | tuple[str]] = []
        at = 0
        for match in _FIELD.finditer(text):
            if match.start() > at:
                parts.append(text[at : match.start()])
            token = match.group(0)
            if token in ("{{", "}}"):
                parts.append(token[0])
            elif match.group(1) is None or not match.group(1).strip():
                raise InvalidInputError(
                    f"{text!r}: a brace must enclose a column name ({{{{ and }}}} for braces)"
                )
            else:
                parts.append((match.group(1).strip(),))
            at = match.end()
        if at < len(text):
            parts.append(text[at:])
        return cls(text, tuple(parts))

    @property
    def columns(self) -> tuple[str, ...]:
        """
        The columns it reads.
        """
        return tuple(p[0] for p in self.parts if isinstance(p, tuple))

    @property
    def column(self) -> str | None:
        """
        The column, when the template is that one cell and nothing else.
        """
        if len(self.parts) == 1 and isinstance(self.parts[0], tuple):
            return self.parts[0][0]
        return None

    def render(self, row: Mapping[str, str]) -> str:
        """
        The value for a row (cells stripped of surrounding spaces).
        """
        return "".join(p if isinstance(p, str) else row.get(p[0], "") for p in self.parts)


_INCIDENT = {"key": True, "title": True, "summary": False, "region": False}
_SOURCE = {
    "key": False,
    "kind": True,
    "publisher": True,
    "title": False,
    "url": False,
    "published_at": False,
    "published_tz": False,
    "language": False,
    "reliability": False,
    "credibility": False,
}
_REPORT = {
    "type": True,
    "nation": True,
    "count": False,
    "operator": False,
    "role": False,
    "valid_time": False,
    "valid_tz": False,
    "wording": False,
    "latitude": False,
    "longitude": False,
    "location": False,
}
_TOP = {"format", "namespace", "file", "incident", "source", "reports", "aircraft", "values"}
_FILE = {"sheet", "delimiter", "encoding"}
_AIRCRAFT = {"unknown", "aliases"}


@attrs.frozen
class ReportMapping:
    """
    One report each row makes (a ``[[reports]]`` table).

    Attributes:
        fields: Field name to template.
        optional: Whether the report is left out of a row whose ``type``
            cell is empty or whose count is 0.
    """

    fields: Mapping[str, Template]
    optional: bool = False


@attrs.frozen
class RowMapping:
    """
    A column mapping, loaded and checked: see ``docs/interchange.md`` for its keys.

    Load one with :meth:`load` (a TOML file) or :meth:`from_toml`.

    Attributes:
        namespace: The namespace of the UUIDv5 ids the rows' events get.
        incident: The incident's fields (``key``, ``title``, ``summary``, ``region``).
        source: The source's fields.
        reports: The reports each row makes.
        sheet: The spreadsheet's sheet (default: the first).
        delimiter: The CSV file's delimiter.
        encoding: The CSV file's encoding.
        unknown_aircraft: ``"refuse"`` (the default) or ``"keep"`` aircraft
            names the catalogue does not know.
        aliases: More names for types of the catalogue (name to designation).
        values: For a column, cells replaced before they are read (matched
            whatever their case).
        origin: Where the mapping was read from.
    """

    namespace: UUID
    incident: Mapping[str, Template]
    source: Mapping[str, Template]
    reports: tuple[ReportMapping, ...]
    sheet: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    unknown_aircraft: str = "refuse"
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    origin: str = "mapping"

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RowMapping:
        """
        Read a mapping from a TOML file.

        Raises:
            ImportRejectedError: Naming every problem of the mapping.
            InvalidInputError: If the file cannot be read.
        """
        where = os.fspath(path)
        try:
            with open(where, "rb") as f:
                data = f.read(1024 * 1024 + 1)
        except OSError as exc:
            raise InvalidInputError(f"cannot read mapping {where}: {exc.strerror or exc}") from None
        if len(data) > 1024 * 1024:
            raise InvalidInputError(f"mapping {where} is longer than 1 MiB: it is not a mapping")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"mapping {where} is not UTF-8 text") from None
        return cls.from_toml(text, origin=where)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "mapping") -> RowMapping:
        """
        Read a mapping from TOML text.

        Raises:
            ImportRejectedError: Naming every problem of the mapping.
        """
        problems = Problems(origin)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.add(0, "", f"expected TOML: {exc}")
            raise problems.error() from None
        mapping = _build(data, problems, origin)
        problems.check()
        assert mapping is not None
        return mapping

    @property
    def columns(self) -> frozenset[str]:
        """
        Every column the mapping reads.
        """
        templates = [*self.incident.values(), *self.source.values()]
        templates += [t for r in self.reports for t in r.fields.values()]
        return frozenset(c for t in templates for c in t.columns)


def _table(data: Any, name: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(data, dict):
        problems.add(0, name, f"expected a table, found {found(data)}")
        return {}
    return data


def _templates(
    data: Any,
    name: str,
    keys: Mapping[str, bool],
    problems: Problems,
    extra: frozenset[str] = frozenset(),
) -> dict[str, Template]:
    table = _table(data, name, problems)
    out: dict[str, Template] = {}
    for key, value in table.items():
        if key in extra:
            continue
        if key not in keys:
            problems.add(0, f"{name}.{key}", f"expected one of {', '.join(keys)}")
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            problems.add(0, f"{name}.{key}", f"expected a template (text), found {found(value)}")
            continue
        try:
            out[key] = Template.parse(str(value))
        except InvalidInputError as exc:
            problems.add(0, f"{name}.{key}", str(exc))
    for key, required in keys.items():
        if required and key not in table:
            problems.add(0, f"{name}.{key}", "expected a template, found nothing")
    return out


def _build(data: dict[str, Any], problems: Problems, origin: str) -> RowMapping | None:
    for key in data:
        if key not in _TOP:
            problems.add(0, key, f"expected one of {', '.join(sorted(_TOP))}")
    if data.get("format") != FORMAT:
        problems.add(0, "format", f"expected {FORMAT!r}, found {found(data.get('format'))}")
    namespace = None
    try:
        namespace = UUID(str(data.get("namespace")))
    except ValueError:
        problems.add(
            0,
            "namespace",
            f"expected a UUID (the ids' namespace), found {found(data.get('namespace'))}",
        )
    file = _table(data.get("file", {}), "file", problems)
    for key in file:
        if key not in _FILE:
            problems.add(0, f"file.{key}", f"expected one of {', '.join(sorted(_FILE))}")
        elif not isinstance(file[key], str):
            problems.add(0, f"file.{key}", f"expected text, found {found(file[key])}")
    delimiter = file.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        problems.add(0, "file.delimiter", f"expected one character, found {found(delimiter)}")
        delimiter = ","
    encoding = file.get("encoding", "utf-8-sig")
    if isinstance(encoding, str) and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # a byte-order mark, if any, is not part of the first column's name
    incident = _templates(data.get("incident"), "incident", _INCIDENT, problems)
    source = _templates(data.get("source"), "source", _SOURCE, problems)
    reports_data = data.get("reports")
    if not isinstance(reports_data, list) or not reports_data:
        problems.add(0, "reports", "expected one or more [[reports]] tables")
        reports_data = []
    reports = []
    for i, report in enumerate(reports_data):
        name = f"reports[{i}]"
        fields = _templates(report, name, _REPORT, problems, extra=frozenset({"optional"}))
        optional = report.get("optional", False) if isinstance(report, dict) else False
        if not isinstance(optional, bool):
            problems.add(0, f"{name}.optional", f"expected true or false, found {found(optional)}")
            optional = False
        reports.append(ReportMapping(fields, optional))
    aircraft = _table(data.get("aircraft", {}), "aircraft", problems)
    for key in aircraft:
        if key not in _AIRCRAFT:
            problems.add(0, f"aircraft.{key}", f"expected one of {', '.join(sorted(_AIRCRAFT))}")
    unknown = aircraft.get("unknown", "refuse")
    if unknown not in ("refuse", "keep"):
        problems.add(0, "aircraft.unknown", f"expected 'refuse' or 'keep', found {found(unknown)}")
    aliases = _strings(aircraft.get("aliases", {}), "aircraft.aliases", problems)
    values: dict[str, dict[str, str]] = {}
    for column, table in _table(data.get("values", {}), "values", problems).items():
        values[column] = {
            k.casefold().strip(): v
            for k, v in _strings(table, f"values.{column}", problems).items()
        }
    if problems or namespace is None:
        return None
    return RowMapping(
        namespace=namespace,
        incident=incident,
        source=source,
        reports=tuple(reports),
        sheet=file.get("sheet"),
        delimiter=delimiter,
        encoding=encoding,
        unknown_aircraft=unknown,
        aliases=aliases,
        values=values,
        origin=origin,
    )


def _strings(data: Any, name: str, problems: Problems) -> dict[str, str]:
    table = _table(data, name, problems)
    out = {}
    for key, value in table.items():
        if not isinstance(value, str):
            problems.add(0, f"{name}.{key}", f"expected text, found {found(value)}")
        else:
            out[key] = value
    return out
