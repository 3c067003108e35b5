"""
``incidents build-tree``: build the audit tree of a ledger recorded before audit trees existed.

Opening a ledger never builds or repairs its tree (``incidents verify``
reports a ledger without one); building it is an act of its own, which the
ledger records: who built it and when, and ``verify`` says so from then on.
"""

from __future__ import annotations

import click

from incidents._cli.common import App, open_existing, read_signing_key
from incidents._cli.output import emit, printable
from incidents._cli.progress import working

__all__ = ["register"]


def register(group: click.Group) -> None:
    """
    Add the ``build-tree`` command.

    Args:
        group: The ``incidents`` group.
    """
    group.add_command(build_tree)


@click.command(
    "build-tree",
    short_help="build the audit tree of a ledger recorded before audit trees existed",
    help="Hash the ledger's stored events, as they now stand, into its audit tree, "
    "and record who built it and when: changes made to the events before then cannot be "
    "detected, and `incidents verify` says so. With --signing-key, a checkpoint of the "
    "whole log signed by it is kept too: you vouch for the events as they stand. Refused "
    "for a ledger that has a tree, or audit tables that are not empty.",
)
@click.option(
    "--signing-key",
    metavar="FILE",
    help="sign a checkpoint of the built log with this key (named after the log's origin)",
)
@click.option(
    "--origin", help="the log's name (default: the signing key's name, or incidents/<uuid>)"
)
@click.option(
    "--recorder", help="who builds it (default: the key's name, $INCIDENTS_RECORDER or login)"
)
@click.pass_obj
def build_tree(app: App, signing_key: str | None, origin: str | None, recorder: str | None) -> int:
    """Build the tree and print the checkpoint of the log as built."""
    key = read_signing_key(signing_key) if signing_key else None
    with open_existing(app.ledger, signing_key=key, recorder=recorder) as ledger:
        with working(f"building the audit tree of {app.ledger}"):
            checkpoint = ledger.build_audit_tree(origin=origin)
        who = ledger.recorder
    emit(
        f"built the audit tree of {checkpoint.size} events of log {printable(checkpoint.origin)}, "
        f"recorded as built by {who!r}"
    )
    emit(checkpoint.text, end="")
    return 0
