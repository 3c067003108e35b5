"""
When a batch is recorded: the ledger's clock against the settled time.

Every batch is recorded strictly after the ledger's *settled time* (the last
batch's recording time, or a later ``known_at`` a reader settled), so that
no answer already given can change (see :doc:`time-travel`, "Rules"). A
clock that reads that time or earlier is *behind the ledger*: a
:class:`~incidents.FixedClock` read twice, two batches in one microsecond,
a clock stepped back, or another machine's clock running ahead. What the
ledger does then is the choice made when it is opened (``clock_behind``):

* ``"adjust"`` (the default): record the batch one microsecond after the
  settled time, and say so (:attr:`RecordedBatch.clock_adjusted`);
* ``"refuse"``: record nothing and raise :class:`~incidents.ClockBehindError`;
* a :class:`~datetime.timedelta`: adjust by at most that much, refuse beyond.

Nothing of the choice is stored: a record's bytes are those of any other
record, and :attr:`RecordedBatch.clock_reading` lives only in the value
:meth:`~incidents.Ledger.record` returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal, Self

from incidents._domain.events import Recorded
from incidents._domain.places import LocationWarning
from incidents._errors import ClockBehindError, InvalidInputError
from incidents.storage import from_micros, to_micros

__all__ = ["ClockBehind", "ClockRule", "RecordedBatch"]

ClockBehind = Literal["adjust", "refuse"] | timedelta
"""What the ledger does when its clock is behind: see :class:`ClockRule`."""

_ONE_MICROSECOND = timedelta(microseconds=1)


class ClockRule:
    """
    Where a batch goes in recording time, given the clock's reading and the settled time.

    Args:
        clock_behind: ``"adjust"``, ``"refuse"`` or the largest adjustment
            allowed, a :class:`~datetime.timedelta` of zero or more
            (``timedelta(0)`` is ``"refuse"``).

    Raises:
        InvalidInputError: For anything else.
    """

    def __init__(self, clock_behind: ClockBehind = "adjust") -> None:
        self.most: timedelta | None
        if isinstance(clock_behind, timedelta):
            if clock_behind < timedelta(0):
                raise InvalidInputError(f"clock_behind must not be negative, got {clock_behind!r}")
            self.most = clock_behind
        elif clock_behind == "adjust" and isinstance(clock_behind, str):
            self.most = None
        elif clock_behind == "refuse" and isinstance(clock_behind, str):
            self.most = timedelta(0)
        else:
            raise InvalidInputError(
                "clock_behind must be 'adjust', 'refuse' or a datetime.timedelta (the most "
                f"a batch may be recorded after the clock's reading), got {clock_behind!r}"
            )

    def place(self, reading: datetime, settled: int | None) -> datetime:
        """
        The recording time of a batch.

        Args:
            reading: The clock's reading, in UTC.
            settled: The settled time in µs (``None`` for an empty ledger).

        Returns:
            The reading, or one microsecond after the settled time where the
            clock reads that time or earlier (and the rule allows it).

        Raises:
            ClockBehindError: If the clock is behind by more than the rule allows.
        """
        if settled is None or to_micros(reading) > settled:
            return reading
        placed = from_micros(settled + 1)
        if self.most is not None and placed - reading > self.most:
            allowed = "no adjustment" if not self.most else f"at most {self.most}"
            raise ClockBehindError(
                f"the ledger's clock reads {reading.isoformat()}, not after the ledger's "
                f"settled time {from_micros(settled).isoformat()} (its last batch, or a "
                f"known_at a reader asked for): recording the batch after it would move it "
                f"{placed - reading} ahead of the clock, and this ledger allows {allowed} "
                "(clock_behind). Nothing was recorded. Set the clock forward (a FixedClock "
                "does not move by itself), check the clocks of the machines writing to this "
                "ledger, or open it with clock_behind='adjust'"
            )
        return placed


class RecordedBatch(tuple[Recorded, ...]):
    """
    The events of one batch as :meth:`~incidents.Ledger.record` recorded them.

    A tuple of :class:`~incidents.Recorded`, in recording order, that also
    says what the ledger's clock read. Every event of a batch shares one
    recording time; where the clock was behind the ledger (see
    :doc:`time-travel`, "Rules"), that time is one microsecond after the
    ledger's settled time rather than the clock's reading, and
    :attr:`clock_adjusted` is true. Neither is stored: the records are the
    same as any other.

    The batch also carries the checks' warnings: what looked suspicious
    but was recorded all the same (:attr:`warnings`), such as a position
    whose latitude and longitude look swapped. Nothing is refused for a
    warning; it is for the recorder to read, and to correct if need be.

    Args:
        recorded: The recorded events, at least one.
        clock_reading: The clock's reading (keyword only).
        warnings: The checks' warnings (keyword only).

    Attributes:
        clock_reading: What the ledger's clock read when the batch was recorded (UTC).
        warnings: What looked wrong about the batch's events, each naming its
            event and field (:class:`~incidents.LocationWarning`); empty when
            nothing did.
    """

    clock_reading: datetime
    warnings: tuple[LocationWarning, ...]

    def __new__(
        cls,
        recorded: Iterable[Recorded],
        *,
        clock_reading: datetime,
        warnings: Iterable[LocationWarning] = (),
    ) -> Self:
        batch = super().__new__(cls, recorded)
        batch.clock_reading = clock_reading
        batch.warnings = tuple(warnings)
        return batch

    def __getnewargs_ex__(self) -> tuple[tuple[tuple[Recorded, ...]], dict[str, object]]:
        return (tuple(self),), {"clock_reading": self.clock_reading, "warnings": self.warnings}

    @property
    def recorded_at(self) -> datetime:
        """
        The batch's recording time (every event's ``recorded_at``).
        """
        return self[0].recorded_at

    @property
    def clock_adjusted(self) -> bool:
        """
        Whether the batch was recorded later than the clock read, to stay after the settled time.
        """
        return self.recorded_at != self.clock_reading
