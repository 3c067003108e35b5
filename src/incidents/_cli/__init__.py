"""
The ``incidents`` command line.

Each group of subcommands lives in its own module under
:mod:`incidents._cli` and registers itself through ``register``; this
module only builds the parser, runs the chosen command and turns the
library's errors into a message and exit status 2 (bad input, or a file that
cannot be written; 1 for storage failures). Everything it prints goes through
:func:`incidents._cli.output.emit`, which escapes what a terminal would act on.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from incidents._cli._registry import COMMAND_MODULES
from incidents._cli.output import emit, printable
from incidents._errors import FileWriteError, IncidentsError, InvalidInputError
from incidents._version import __version__

__all__ = ["build_parser", "main"]

DEFAULT_LEDGER = "incidents.db"


def build_parser() -> argparse.ArgumentParser:
    """
    Build the argument parser with every registered subcommand.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="incidents",
        description="An event-sourced, auditable ledger of military air incidents.",
    )
    parser.add_argument("--version", action="version", version=f"incidents {__version__}")
    parser.add_argument(
        "--ledger",
        default=None,
        help="SQLite file, ':memory:' or postgresql:// URL (default: $INCIDENTS_LEDGER "
        f"or {DEFAULT_LEDGER})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 2 for bad input or a file that cannot be
        written, 1 for other failures.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    # Whether --ledger was given on the command line (``incidents demo`` records
    # into it then, but not into a ledger named only by the environment).
    args.ledger_given = args.ledger is not None
    if args.ledger is None:
        args.ledger = os.environ.get("INCIDENTS_LEDGER") or DEFAULT_LEDGER
    try:
        status: int = args.run(args)
    except (InvalidInputError, FileWriteError) as exc:
        emit(f"incidents: error: {printable(str(exc))}", error=True)
        return 2
    except IncidentsError as exc:
        emit(f"incidents: {type(exc).__name__}: {printable(str(exc))}", error=True)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
