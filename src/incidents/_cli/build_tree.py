"""
``incidents build-tree``: build the audit tree of a ledger recorded before audit trees existed.

Opening a ledger never builds or repairs its tree (``incidents verify``
reports a ledger without one); building it is an act of its own, which the
ledger records: who built it and when, and ``verify`` says so from then on.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incidents._cli.common import read_signing_key
from incidents._cli.output import emit, printable
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger

__all__ = ["register"]


def register(sub: Any) -> None:
    """
    Add the ``build-tree`` subcommand.

    Args:
        sub: The parser's subparsers.

    """
    build = sub.add_parser(
        "build-tree",
        help="build the audit tree of a ledger recorded before audit trees existed",
        description="Hash the ledger's stored events, as they now stand, into its audit tree, "
        "and record who built it and when: changes made to the events before then cannot be "
        "detected, and `incidents verify` says so. With --signing-key, a checkpoint of the "
        "whole log signed by it is kept too: you vouch for the events as they stand. Refused "
        "for a ledger that has a tree, or audit tables that are not empty.",
    )
    build.add_argument(
        "--signing-key",
        metavar="FILE",
        help="sign a checkpoint of the built log with this key (named after the log's origin)",
    )
    build.add_argument(
        "--origin",
        help="the log's name (default: the signing key's name, or incidents/<uuid>)",
    )
    build.add_argument(
        "--recorder", help="who builds it (default: the key's name, $INCIDENTS_RECORDER or login)"
    )
    build.set_defaults(run=run_build_tree)


def run_build_tree(args: argparse.Namespace) -> int:
    """
    Build the tree and print the checkpoint of the log as built.
    """
    key = read_signing_key(args.signing_key) if args.signing_key else None
    target = args.ledger
    if not target.startswith(("postgresql://", "postgres://")) and not Path(target).is_file():
        raise InvalidInputError(f"no ledger at {target}")
    with Ledger.open(target, signing_key=key, recorder=args.recorder) as ledger:
        checkpoint = ledger.build_audit_tree(origin=args.origin)
        who = ledger.recorder
    emit(
        f"built the audit tree of {checkpoint.size} events of log {printable(checkpoint.origin)}, "
        f"recorded as built by {who!r}"
    )
    emit(checkpoint.text, end="")
    return 0
