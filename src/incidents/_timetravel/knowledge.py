"""
What the ledger can answer for: the rule for ``known_at``.

Reads by the ledger, projections and the command line all turn a ``known_at``
into the last recording time (in microseconds) they may see, by this one rule.
"""

from __future__ import annotations

from datetime import datetime

from incidents._domain.time import Clock, to_utc
from incidents._errors import FutureKnowledgeError
from incidents.storage import to_micros

__all__ = ["known_until"]


def known_until(clock: Clock, known_at: datetime | None) -> int | None:
    """
    The last recording time, in microseconds, that an answer as known at *known_at* covers.

    Args:
        clock: The ledger's clock.
        known_at: The reader's ``known_at``, or ``None`` for everything recorded.

    Returns:
        Microseconds since the epoch, or ``None`` for no limit.

    Raises:
        FutureKnowledgeError: If *known_at* is later than the clock's reading.
        InvalidInputError: If *known_at* is naive.
    """
    if known_at is None:
        return None
    known = to_utc(known_at, what="known_at")
    now = to_utc(clock(), what="clock reading")
    if known > now:
        raise FutureKnowledgeError(
            f"known_at {known.isoformat()} is in the future (the ledger's clock reads "
            f"{now.isoformat()}): what will be known then can still change"
        )
    return to_micros(known)
