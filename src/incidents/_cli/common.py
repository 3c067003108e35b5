"""
What every command shares: naming incidents and events, reading keys, and the table width.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from uuid import UUID

from incidents._errors import InvalidInputError
from incidents._ledger import Ledger
from incidents._tlog.notes import SigningKey

__all__ = ["parse_event", "parse_incident", "read_signing_key", "terminal_width"]


def parse_incident(ledger: Ledger, text: str) -> UUID:
    """
    Resolve an incident given as a full UUID or a unique prefix of its hex.

    Args:
        ledger: The open ledger.
        text: The id or prefix.

    Returns:
        The incident id.

    Raises:
        InvalidInputError: If nothing or more than one incident matches.
    """
    try:
        return UUID(text)
    except ValueError:
        pass
    prefix = text.replace("-", "").lower()
    matches = [i for i in ledger.incident_ids() if i.hex.startswith(prefix)] if prefix else []
    if len(matches) != 1:
        found = "no incident" if not matches else f"{len(matches)} incidents"
        raise InvalidInputError(f"{found} match {text!r}")
    return matches[0]


def parse_event(ledger: Ledger, text: str) -> UUID:
    """
    Resolve an event given as its id or as ``INCIDENT#POSITION``.

    ``POSITION`` is the event's place in its incident, as ``incidents events``
    and ``incidents history`` number it (``a5da836a#12``); ``INCIDENT`` is an
    incident id or a unique prefix of it.

    Args:
        ledger: The open ledger.
        text: The event.

    Returns:
        The event id.

    Raises:
        InvalidInputError: If the text names no recorded event.
    """
    incident, mark, place = text.partition("#")
    if not mark:
        try:
            return UUID(text)
        except ValueError:
            raise InvalidInputError(
                f"not an event id or INCIDENT#POSITION (e.g. a5da836a#12): {text!r}"
            ) from None
    if not (place.isascii() and place.isdigit()) or int(place) < 1:
        raise InvalidInputError(f"not a position in {text!r}: give INCIDENT#POSITION, from 1")
    incident_id = parse_incident(ledger, incident)
    rows = ledger.store.stream(incident_id, after_position=int(place) - 1)  # rows, not decoded
    if not rows or rows[0].originator_version != int(place):
        raise InvalidInputError(f"incident {incident_id} has no event at position {place}")
    return rows[0].event_id


def terminal_width(requested: int | None = None) -> int:
    """
    The width to print tables at: *requested*, or the terminal's (80 to 160).

    Args:
        requested: A width asked for on the command line.

    Returns:
        Characters per line.
    """
    if requested is not None:
        return requested
    return max(80, min(160, shutil.get_terminal_size((100, 24)).columns))


def read_signing_key(path: str) -> SigningKey:
    """
    Read a signing key file, saying what is wrong with it without quoting it.

    Args:
        path: The key file.

    Returns:
        The key.

    Raises:
        InvalidInputError: If the file cannot be read or holds no signing key;
            the message names the key by its public name at most.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read signing key {path}: {exc.strerror or exc}") from None
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # not raised from here: the decoding error carries the file's bytes
    if text is None:
        raise InvalidInputError(f"signing key {path} is not UTF-8 text")
    return SigningKey.from_text(text)
