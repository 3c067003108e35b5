"""
The ``incidents`` command line, built on :mod:`click`, with :mod:`rich` for tables and progress.

Each group of subcommands lives in its own module under
:mod:`incidents._cli` and adds itself to the ``incidents`` group through
``register``; this module builds the group, runs the chosen command and
turns errors into a message and an exit status:

* 0: done (for ``verify``, ``replay`` and ``check-proof``: verified and authenticated);
* 1: verification failed, or a storage failure;
* 2: a usage error or bad input (a missing ledger, a malformed file, a
  time out of range), or a file that cannot be written;
* 3: ``verify``, ``replay`` and ``check-proof`` only: consistent, but no
  ``--key`` was given, so nothing was authenticated.

Everything it prints goes through :func:`incidents._cli.output.emit` or,
for tables, through :func:`incidents._cli.output.emit_rendered` with cells
made by :func:`incidents._cli.output.cell`: both escape what a terminal would
act on, and rich markup in stored text is never interpreted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from incidents._cli._registry import COMMAND_MODULES
from incidents._cli.batch import BatchError
from incidents._cli.common import App
from incidents._cli.output import colour_wanted, emit, printable
from incidents._errors import FileWriteError, IncidentsError, InvalidInputError
from incidents._version import __version__
from incidents.interchange import ImportRejectedError

__all__ = ["App", "cli", "main"]

DEFAULT_LEDGER = "incidents.db"

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_STATUSES = (
    "Exit status: 0 done; 1 verification failed (or a storage failure); 2 usage error or "
    "bad input (a missing ledger, a malformed file); 3 (verify, replay, check-proof) "
    "consistent but not authenticated: no --key given."
)


@click.group(
    context_settings=CONTEXT,
    help="An event-sourced, auditable ledger of military air incidents.",
    epilog=EXIT_STATUSES,
)
@click.version_option(
    __version__, "--version", prog_name="incidents", message="%(prog)s %(version)s"
)
@click.option(
    "--ledger",
    default=None,
    metavar="LEDGER",
    help="SQLite file, ':memory:' or postgresql:// URL (default: $INCIDENTS_LEDGER "
    f"or {DEFAULT_LEDGER}). Read commands never create it: a missing file is an error.",
)
@click.pass_context
def cli(ctx: click.Context, ledger: str | None) -> None:
    """An event-sourced, auditable ledger of military air incidents."""
    given = ledger is not None
    if ledger is None:
        ledger = os.environ.get("INCIDENTS_LEDGER") or DEFAULT_LEDGER
    ctx.obj = App(ledger=ledger, ledger_given=given)


for _module in COMMAND_MODULES:
    _module.register(cli)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status (see the module's documentation).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        status = cli.main(args=args, prog_name="incidents", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # `incidents` alone: the help, status 2
        emit(exc.ctx.get_help() if exc.ctx else str(exc), error=True)  # our own text, laid out
        return 2
    except click.UsageError as exc:
        _usage_error(exc)
        return 2
    except click.ClickException as exc:  # e.g. a file argument that cannot be opened
        _error("error", exc.format_message())
        return 2
    except BatchError as exc:  # one line per problem, each escaped
        _error("error", f"{exc.summary}:")
        for problem in exc.problems:
            emit(f"  {printable(problem)}", error=True)
        return 2
    except ImportRejectedError as exc:  # one line per problem, each escaped
        count = len(exc.problems) + exc.more
        _error("error", f"{exc.path}: {count:,} problem{'s' * (count != 1)}; nothing was recorded")
        for found in exc.problems:
            emit(f"  {printable(found.describe())}", error=True)
        if exc.more:
            emit(f"  ... and {exc.more:,} more", error=True)
        return 2
    except (InvalidInputError, FileWriteError) as exc:
        _error("error", str(exc))
        return 2
    except IncidentsError as exc:
        _error(type(exc).__name__, str(exc))
        return 1
    except click.exceptions.Abort:  # Ctrl-C at a prompt
        emit("incidents: aborted", error=True)
        return 130
    except KeyboardInterrupt:
        emit("incidents: interrupted", error=True)
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    if status is None:  # --help, --version
        return 0
    return int(status)


def _error(kind: str, message: str) -> None:
    """``incidents: KIND: MESSAGE`` on standard error, the prefix in red on a terminal."""
    prefix = f"incidents: {kind}:"
    if colour_wanted(sys.stderr):
        prefix = f"\x1b[1;31m{prefix}\x1b[0m"  # our own escape: written raw, the message escaped
        sys.stderr.write(f"{prefix} {printable(message)}\n")
        return
    emit(f"{prefix} {printable(message)}", error=True)


def _usage_error(exc: click.UsageError) -> None:
    command = exc.ctx.command_path if exc.ctx is not None else "incidents"
    _error("error", exc.format_message())
    emit(f"Try '{printable(command)} --help' for help.", error=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
