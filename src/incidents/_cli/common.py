"""
What every command shares: naming incidents and events, numbers, times, keys and the table width.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import click

from incidents._domain.time import parse_instant
from incidents._errors import InvalidInputError
from incidents._ledger import Ledger
from incidents._tlog.notes import SigningKey, VerifierKey

__all__ = [
    "TIME_HELP",
    "App",
    "LARGEST",
    "LONGEST_INTERVAL",
    "Seconds",
    "WholeNumber",
    "is_remote",
    "open_existing",
    "parse_event",
    "parse_incident",
    "parse_time",
    "read_signing_key",
    "read_text",
    "terminal_width",
    "verifier_keys",
]

TIME_HELP = "ISO-8601 with offset, e.g. 2024-07-25T18:00:00+00:00"
"""How the help of an option that takes an instant says what to give."""

LARGEST = 2**63 - 1
"""The largest position, size or count a command takes: what the databases store (64 bits)."""

LONGEST_INTERVAL = 86400.0
"""The longest interval, in seconds, a command waits between two looks at a ledger: a day."""


@attrs.define
class App:
    """
    What the ``incidents`` group passes to its commands.

    Attributes:
        ledger: The ledger named by ``--ledger``, ``$INCIDENTS_LEDGER`` or the default.
        ledger_given: Whether ``--ledger`` was given on the command line
            (``incidents demo`` records into it then, but not into a ledger named only
            by the environment).
    """

    ledger: str
    ledger_given: bool


TIME_EXAMPLE = "e.g. 2024-07-25T18:00:00+00:00 or 2024-07-25T18:00Z"


class WholeNumber(click.ParamType[int]):
    """
    An option's type: a whole number from *minimum* to :data:`LARGEST`.

    Anything else is a usage error (exit status 2).

    Args:
        minimum: The smallest number taken.
    """

    name = "integer"

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """
        Read the number.
        """
        text = str(value)
        try:
            number: int | None = int(text)
        except ValueError:
            number = None
        if number is None or not self.minimum <= number <= LARGEST:
            self.fail(
                f"{text[:40]!r} is not a whole number from {self.minimum} to {LARGEST}", param, ctx
            )
        return number


class Seconds(click.ParamType[float]):
    """
    An option's type: a number of seconds above 0, at most :data:`LONGEST_INTERVAL`.
    """

    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """
        Read the number.
        """
        text = str(value)
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not 0 < number <= LONGEST_INTERVAL:  # also refuses nan
            self.fail(
                f"{text[:40]!r} is not a number of seconds above 0 and at most "
                f"{LONGEST_INTERVAL:g}",
                param,
                ctx,
            )
        return number


def parse_time(text: str | None, what: str) -> datetime | None:
    """
    Read a time given on the command line: ISO-8601 with an offset, in UTC from year 1 to 9999.

    Args:
        text: The argument, or None when it was not given.
        what: How to name it in an error, e.g. ``"--known-at"``.

    Returns:
        The instant in UTC, or None.

    Raises:
        InvalidInputError: If it is not such a time, or falls out of range in UTC.
    """
    if text is None:
        return None
    try:
        parsed: datetime | None = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None and not _in_range(parsed):
        raise InvalidInputError(
            f"{what} {text!r} is out of range: in UTC it falls before year 1 or after year 9999"
        )
    try:
        return parse_instant(text, what=what)
    except InvalidInputError:
        raise InvalidInputError(
            f"{what} {text!r} is not an ISO-8601 date-time with an offset ({TIME_EXAMPLE})"
        ) from None


def _in_range(value: datetime) -> bool:
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True


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
    if not (place.isascii() and place.isdigit()) or not 1 <= int(place) <= LARGEST:
        raise InvalidInputError(
            f"not a position in {text!r}: give INCIDENT#POSITION, from 1 to {LARGEST}"
        )
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


def is_remote(target: str) -> bool:
    """
    Whether a ledger is named by something other than a file: ``:memory:`` or a PostgreSQL URL.

    Args:
        target: What ``--ledger`` gave.

    Returns:
        True when no file is meant.
    """
    return target == ":memory:" or target.startswith(("postgresql://", "postgres://"))


def open_existing(
    target: str,
    *,
    signing_key: SigningKey | None = None,
    read_only: bool = False,
    recorder: str | None = None,
    what: str = "ledger",
) -> Ledger:
    """
    Open a ledger that exists: a missing file is an error naming it, and nothing is created.

    Read commands open ledgers so, that ``incidents --ledger typo.db list``
    says there is no such ledger instead of creating an empty one.
    ``incidents init`` (or ``incidents record --create``) creates one.

    Args:
        target: An SQLite file, ``:memory:`` or a ``postgresql://`` URL.
        signing_key: The key to sign with, if any.
        read_only: Open it read-only (the audit commands do).
        recorder: Who records, if anything is recorded.
        what: How to name what is missing, e.g. ``"ledger or bundle"``.

    Returns:
        The open ledger.

    Raises:
        InvalidInputError: If *target* is a path and no file is there.
    """
    if not is_remote(target) and not os.path.isfile(target):
        if os.path.exists(target):
            raise InvalidInputError(f"{target} is not a {what} file")
        raise InvalidInputError(
            f"no {what} at {target}: check the path, or create a ledger there with "
            f"`incidents --ledger {target} init`"
        )
    return Ledger.open(target, signing_key=signing_key, read_only=read_only, recorder=recorder)


def read_text(path: str, what: str) -> str:
    """
    A text file's contents, or bad input naming *what* it was to be and why it cannot be read.

    Args:
        path: The file.
        what: What it is, e.g. ``"checkpoint"``.

    Returns:
        Its text.

    Raises:
        InvalidInputError: If it cannot be read as UTF-8 text.
    """
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc}") from None


def verifier_keys(values: Sequence[str]) -> list[VerifierKey]:
    """
    The verifier keys given with ``--key``: each a key (name+id+base64) or a file of them.

    Args:
        values: What ``--key`` gave.

    Returns:
        The keys.

    Raises:
        InvalidInputError: If one is not a verifier key; a key file's line is
            named, never quoted (a signing key given by mistake is not printed).
    """
    keys: list[VerifierKey] = []
    for value in values:
        if not os.path.isfile(value):
            keys.append(VerifierKey.from_text(value))
            continue
        for number, line in enumerate(read_text(value, "key file").splitlines(), start=1):
            line = line.strip()
            if line and not line.startswith("#"):
                keys.append(_file_key(value, number, line))
    return keys


def _file_key(path: str, number: int, line: str) -> VerifierKey:
    """A verifier key from a line of a key file (which may be a secret one given by mistake)."""
    try:
        return VerifierKey.from_text(line)
    except InvalidInputError as exc:
        problem = str(exc)
    # The key parser quotes no key material; the file is named, not quoted.
    raise InvalidInputError(f"key file {path}, line {number}: {problem}")
