"""
``incidents series NAME``: the incidents of a series, in order of their numbers.
"""

from __future__ import annotations

import click

from incidents._cli.basic import JSON_HELP
from incidents._cli.common import App, open_existing, parse_time
from incidents._cli.output import emit, emit_json, printable

__all__ = ["register"]

_TIME_HELP = "ISO-8601 with offset, e.g. 2024-07-25T18:00:00+00:00"


def register(group: click.Group) -> None:
    """
    Add the ``series`` command.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(series)


@click.command(
    "series",
    short_help="list the incidents of a series, in order of their numbers",
    help="The incidents a source put in series NAME (compared without case, spaces or "
    "punctuation), by the lowest number a source gives them; those without a number come "
    "last. Where sources give one incident different numbers, every number is shown.",
)
@click.argument("name")
@click.option("--known-at", metavar="R", help=f"recording time ({_TIME_HELP})")
@click.option("--published-by", metavar="P", help=f"publication time ({_TIME_HELP})")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def series(
    app: App, name: str, known_at: str | None, published_by: str | None, as_json: bool
) -> int:
    """Print the incidents of a series."""
    known = parse_time(known_at, "--known-at")
    published = parse_time(published_by, "--published-by")
    with open_existing(app.ledger) as ledger:
        found = ledger.series(name, known, published_by=published)
    if as_json:
        emit_json(
            [
                {
                    "series": e.series,
                    "number": e.number,
                    "numbers": list(e.numbers),
                    "id": str(e.incident.id),
                    "title": e.incident.title,
                }
                for e in found
            ]
        )
        return 0
    for entry in found:
        if entry.number is not None:
            number = f"#{entry.number}"
        elif entry.numbers:
            number = "#" + " or #".join(str(n) for n in entry.numbers)
        else:
            number = "-"
        emit(f"{number:>4}  {entry.incident.id}  {printable(entry.incident.title)}")
    if not found:
        emit(f"no incident is in the series {printable(name)!r}")
    return 0
