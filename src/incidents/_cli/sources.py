"""
``incidents sources register`` and ``sources list``: the ledger-wide sources registry.

A source registered once for the whole ledger (:meth:`~incidents.Ledger.register_source`)
may be cited by any incident's events; ``state`` marks such sources as shared.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID

import click

from incidents._cli.basic import JSON_HELP
from incidents._cli.common import App, open_existing, parse_time
from incidents._cli.output import emit, emit_json, printable
from incidents._domain.events import Credibility, Reliability, SourceKind
from incidents._domain.state import Source
from incidents._domain.words import stamp
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger

__all__ = ["describe_source", "parse_registry_source", "register", "source_kind"]

_TIME_HELP = "ISO-8601 with offset, e.g. 2024-07-25T18:00:00+00:00"


def register(group: click.Group) -> None:
    """
    Add the ``sources`` group.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(sources)


@click.group(
    "sources",
    short_help="register and list the sources shared by every incident",
    help="The ledger-wide sources registry: sources registered once, which any incident's "
    "events may cite by id (`incidents record --source ID`).",
)
def sources() -> None:
    """The ledger-wide sources registry."""


def parse_registry_source(ledger: Ledger, text: str) -> UUID:
    """
    Resolve a registry source given as its id or a unique prefix of it.

    Args:
        ledger: The open ledger.
        text: The id or prefix.

    Returns:
        The source's id.

    Raises:
        InvalidInputError: If nothing or more than one registry source matches.
    """
    try:
        return UUID(text)
    except ValueError:
        pass
    prefix = text.replace("-", "").lower()
    matches = [s.id for s in ledger.sources() if prefix and s.id.hex.startswith(prefix)]
    if len(matches) != 1:
        found = "no registry source" if not matches else f"{len(matches)} registry sources"
        raise InvalidInputError(f"{found} match {text!r}")
    return matches[0]


def describe_source(source: Source, names: dict[UUID, str]) -> str:
    """
    A registry source in one line, its stored text escaped.

    Args:
        source: The source.
        names: Publishers by source id, to name the sources it cites.

    Returns:
        ``ID  PUBLISHER (KIND) "TITLE" [GRADE]``, then its language,
        publication time and what it cites.
    """
    parts = [f"{source.id}  {printable(source.describe())}"]
    if source.language:
        parts.append(f"in {printable(source.language)}")
    if source.published_at is not None:
        parts.append(f"published {stamp(source.published_at)}")
    if source.cites:
        cited = [printable(names.get(c, str(c))) for c in source.cites]
        parts.append("citing " + ", ".join(cited))
    if source.content_sha256:
        parts.append(f"sha256 {printable(source.content_sha256)}")
    return "; ".join(parts)


def source_kind(text: str) -> SourceKind:
    """
    A kind of source as given on the command line (``press_release`` or ``press-release``).

    Raises:
        InvalidInputError: If it is no kind of source.
    """
    try:
        return SourceKind(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        kinds = ", ".join(k.value for k in SourceKind)
        raise InvalidInputError(f"--kind must be one of {kinds}; got {text!r}") from None


def _reliability(text: str) -> Reliability:
    try:
        return Reliability(text.strip().upper())
    except ValueError:
        raise InvalidInputError(
            f"--reliability must be a letter from A to F, got {text!r}"
        ) from None


@sources.command(
    "register",
    short_help="register a source for the whole ledger and print its id",
    help="Register a source in the ledger-wide registry (all or nothing, with the checks the "
    "API makes) and print its id, which any incident's events may cite.",
)
@click.option(
    "--kind",
    required=True,
    metavar="KIND",
    help=f"what kind of document: {', '.join(k.value for k in SourceKind)}",
)
@click.option("--publisher", required=True, help="who published it")
@click.option("--title", help="its title")
@click.option("--url", help="where it can be read")
@click.option("--published-at", metavar="T", help=f"when it was published ({_TIME_HELP})")
@click.option("--language", metavar="TAG", help="its language, a BCP 47 tag (ko, zh-Hans, ru)")
@click.option(
    "--cites",
    multiple=True,
    metavar="ID",
    help="a registry source it reports from: its id or a unique prefix (repeatable)",
)
@click.option(
    "--reliability", default="F", show_default=True, help="Admiralty source reliability, A to F"
)
@click.option(
    "--credibility",
    type=click.IntRange(1, 6),
    default=int(Credibility.CANNOT_BE_JUDGED),
    show_default=True,
    help="Admiralty information credibility, 1 to 6",
)
@click.option("--archive-url", help="where an archived copy is kept (http or https)")
@click.option("--sha256", metavar="HEX", help="SHA-256 of the content as captured (64 hex digits)")
@click.option(
    "--content",
    metavar="FILE",
    help="the content as captured: its SHA-256 is recorded (instead of --sha256)",
)
@click.option("--captured-at", metavar="T", help=f"when the content was captured ({_TIME_HELP})")
@click.option("--original-title", help="the title in the document's own language")
@click.option("--recorder", help="who records (default: $INCIDENTS_RECORDER or your login)")
@click.pass_obj
def register_source(
    app: App,
    kind: str,
    publisher: str,
    title: str | None,
    url: str | None,
    published_at: str | None,
    language: str | None,
    cites: tuple[str, ...],
    reliability: str,
    credibility: int,
    archive_url: str | None,
    sha256: str | None,
    content: str | None,
    captured_at: str | None,
    original_title: str | None,
    recorder: str | None,
) -> int:
    """Register a source for the whole ledger."""
    if sha256 is not None and content is not None:
        raise InvalidInputError("give --sha256 or --content, not both")
    if content is not None:
        try:
            sha256 = hashlib.sha256(Path(content).read_bytes()).hexdigest()
        except OSError as exc:
            raise InvalidInputError(f"cannot read {content}: {exc.strerror or exc}") from None
    published = parse_time(published_at, "--published-at")
    captured = parse_time(captured_at, "--captured-at")
    with open_existing(app.ledger, recorder=recorder) as ledger:
        cited = [parse_registry_source(ledger, c) for c in cites]
        source_id = ledger.register_source(
            source_kind(kind),
            publisher,
            title=title,
            url=url,
            published_at=published,
            language=language,
            cites=cited,
            reliability=_reliability(reliability),
            credibility=credibility,
            archive_url=archive_url,
            content_sha256=sha256,
            captured_at=captured,
            original_title=original_title,
        )
    emit(str(source_id))
    return 0


@sources.command(
    "list",
    short_help="list the sources of the ledger-wide registry",
    help="One line per source of the ledger-wide registry, in order of registration, as known "
    "at --known-at (default: now), corrections applied; retracted sources are left out. With "
    "--published-by, only the sources published by then.",
)
@click.option("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
@click.option("--published-by", metavar="P", help=f"publication time ({_TIME_HELP})")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def list_sources(app: App, known_at: str | None, published_by: str | None, as_json: bool) -> int:
    """List the registry's sources."""
    known = parse_time(known_at, "--known-at")
    published = parse_time(published_by, "--published-by")
    with open_existing(app.ledger) as ledger:
        found = ledger.sources(known, published_by=published)
    if as_json:
        emit_json(found)
        return 0
    names = {s.id: s.publisher for s in found}
    for source in found:
        emit(describe_source(source, names))
    if not found:
        emit("no source in the registry")
    return 0
