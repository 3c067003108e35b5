"""
The ledger: record events, read incidents back, audit the record.

:class:`Ledger` is the library's front door. It validates a batch of events
against what is already recorded (:mod:`incidents._ledger.checks`), stamps
each with its envelope (global sequence, stream position, recording time
from the ledger's clock, recorder) and stores the batch atomically through a
backend, its audit log (:class:`~incidents.audit._log.AuditLog`, a part it
holds) extending the Merkle tree in the same transaction; it reads incidents
back by folding their events. It holds no domain logic of its own beyond
those checks: state comes from :func:`incidents.fold`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self
from uuid import UUID

import attrs

from incidents._codec.canonical import event_text
from incidents._codec.trusted import decode_trusted
from incidents._domain.catalogue import AircraftCatalogue
from incidents._domain.events import (
    SOURCES_REGISTRY,
    Credibility,
    Event,
    Recorded,
    Reliability,
    SourceKind,
    SourceRegistered,
)
from incidents._domain.limits import MAX_NAME_LENGTH, check_text
from incidents._domain.places import LocationWarning, event_warnings
from incidents._domain.search import Search, SeriesEntry, series_entries
from incidents._domain.state import Incident, Reading, Source, fold_registry
from incidents._domain.time import Clock, SystemClock, check_instant, to_utc
from incidents._errors import (
    InvalidInputError,
    LedgerClosedError,
    UnknownEventError,
    UnknownIncidentError,
)
from incidents._gc import paused_gc
from incidents._ledger.checks import Known, check_batch, index_batch
from incidents._ledger.clock import ClockBehind, ClockRule, RecordedBatch
from incidents._timetravel.history import Diff, History
from incidents._timetravel.knowledge import Knowledge
from incidents._timetravel.published import Published
from incidents._timetravel.service import TimeTravel
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SigningKey, VerifierKey
from incidents.audit._bundle import write_bundle
from incidents.audit._log import AuditLog, StoredCheckpoint
from incidents.audit._proofs import ConsistencyProof, InclusionProof
from incidents.audit._report import VerifyReport
from incidents.storage import (
    LedgerMapper,
    Store,
    StoredRecord,
    from_micros,
    open_store,
    to_micros,
)

__all__ = ["Ledger", "open_store"]

_KNOWN_LIMIT = 100_000


def _default_recorder() -> str:
    name = os.environ.get("INCIDENTS_RECORDER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _check_recorder(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"recorder must be a non-empty name, got {name!r:.80}")
    check_text(name, "recorder", MAX_NAME_LENGTH)
    return name


class Ledger:
    """
    An append-only, source-attributed record of incidents.

    Open one with :meth:`open` and use it as a context manager::

        with Ledger.open("incidents.db") as ledger:
            ledger.record(*events)
            incident = ledger.incident(incident_id)

    Args:
        store: The storage backend (see :meth:`open`).
        clock: Where recording time comes from (the system clock by default).
        recorder: Who records, unless :meth:`record` is told otherwise (default:
            the signing key's name, ``$INCIDENTS_RECORDER`` or the login name).
        signing_key: The recorder's key: every batch recorded is signed with
            it (a checkpoint kept in the ledger), and so are checkpoints. It
            is named after the log (C2SP tlog-checkpoint): a new ledger takes
            its name as origin, and a key of another name is refused.
        origin: The log's name, for a ledger that has none yet (see
            :meth:`checkpoint`); an existing ledger keeps its own.
        clock_behind: What :meth:`record` does when the clock is behind the
            ledger (see :meth:`open`).
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        recorder: str | None = None,
        signing_key: SigningKey | None = None,
        origin: str | None = None,
        clock_behind: ClockBehind = "adjust",
    ) -> None:
        try:
            self._clock_rule = ClockRule(clock_behind)
        except BaseException:
            store.close()
            raise
        self._store = store
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._knowledge = Knowledge(store, self._clock)
        if recorder is None and isinstance(signing_key, SigningKey):
            recorder = signing_key.name
        self._recorder = _check_recorder(recorder) if recorder is not None else _default_recorder()
        self._mapper = LedgerMapper()
        self._closed = False
        # Event id -> (type, incident) of rows known to be committed.
        self._known: Known = {}
        try:
            self._audit = AuditLog(store, signing_key=signing_key, origin=origin)
        except BaseException:
            store.close()
            raise
        self._time_travel = TimeTravel(store)
        self._published = Published(store, self._time_travel)

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str] = ":memory:",
        *,
        clock: Clock | None = None,
        recorder: str | None = None,
        signing_key: SigningKey | None = None,
        origin: str | None = None,
        read_only: bool = False,
        clock_behind: ClockBehind = "adjust",
    ) -> Ledger:
        """
        Open (or create) a ledger.

        Args:
            target: A path to an SQLite file (the default backend), ``":memory:"``
                for a ledger that lives only in this process, or a
                ``postgresql://user:password@host:port/dbname?schema=name`` URL.
            clock: Where recording time comes from.
            recorder: Who records.
            signing_key: The recorder's Ed25519 key, to sign what they record;
                named after the log (``incidents keygen ORIGIN``).
            origin: The log's name if the ledger is new (default: the signing
                key's name, or a fresh ``incidents/<uuid>``).
            read_only: Open an existing ledger for reading and verifying only:
                nothing is created or written, nothing kept in the file runs,
                and what is not a ledger is refused (``incidents verify`` opens
                ledgers so). Recording into it raises :class:`StorageError`.
            clock_behind: What :meth:`record` does when the clock reads the
                ledger's settled time or earlier (a :class:`FixedClock` not
                moved on, two batches in one microsecond, a clock stepped
                back, another writer's clock ahead): ``"adjust"`` (the
                default) records the batch one microsecond after the settled
                time and says so (:attr:`RecordedBatch.clock_adjusted`);
                ``"refuse"`` records nothing and raises
                :class:`ClockBehindError`; a :class:`~datetime.timedelta`
                adjusts by at most that much and refuses beyond.

        Returns:
            The open ledger.

        Raises:
            StorageError: If the storage cannot be opened.
            InvalidInputError: If ``origin`` differs from an existing ledger's,
                the signing key is not named after the log, (read-only) the
                target holds no ledger, or ``clock_behind`` is none of the above.
        """
        ClockRule(clock_behind)  # checked before anything is opened
        return cls(
            open_store(target, read_only=read_only),
            clock=clock,
            recorder=recorder,
            signing_key=signing_key,
            origin=origin,
            clock_behind=clock_behind,
        )

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """
        The storage backend.
        """
        return self._store

    @property
    def clock(self) -> Clock:
        """
        The clock recording times come from.
        """
        return self._clock

    @property
    def recorder(self) -> str:
        """
        Who records by default.
        """
        return self._recorder

    def close(self) -> None:
        """
        Release the storage. The ledger cannot be used afterwards.
        """
        if not self._closed:
            self._closed = True
            self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({self._store.backend}: {self._store.location})"

    def _check_open(self) -> None:
        if self._closed:
            raise LedgerClosedError("the ledger is closed")

    # -- writing ---------------------------------------------------------------------

    def record(
        self,
        *events: Event,
        recorder: str | None = None,
        expected_positions: Mapping[UUID, int] | None = None,
    ) -> RecordedBatch:
        """
        Record a batch of events, all or nothing.

        Every event of the batch gets the same recording time, read once from
        the ledger's clock while the batch holds the writers' lock. It is
        always later than the settled time (:meth:`settled_until`): where the
        clock reads that time or earlier, the batch is recorded one
        microsecond after it (and the result's ``clock_adjusted`` is true),
        or refused, as the ledger was opened (``clock_behind``).
        References may point at events already recorded or earlier in the
        batch; an event's source may be registered anywhere in the batch.

        Args:
            *events: The events, in the order they are to be recorded.
            recorder: Who records this batch (default: the ledger's recorder).
            expected_positions: Optimistic concurrency: for each incident id,
                the stream position the caller last saw (0 for a new incident).

        Returns:
            The recorded events, in recording order: a tuple of
            :class:`Recorded` that also gives the clock's reading and the
            checks' warnings (:class:`RecordedBatch`; a suspicious location
            is recorded, and named in ``warnings``).

        Raises:
            InvalidInputError: (and its subclasses) for bad input: an unknown
                incident, source or event, a duplicate id, a correction that
                does not fit its target.
            ConcurrencyError: If another writer changed an expected stream first.
            ClockBehindError: If the clock is behind the ledger by more than
                ``clock_behind`` allows.
            StorageError: If the backend fails.
        """
        self._check_open()
        if not events:
            raise InvalidInputError("record() needs at least one event")
        who = self._recorder if recorder is None else _check_recorder(recorder)
        with paused_gc(len(events)):  # a large batch: rows, envelopes and tiles, no cycles
            return self._record(events, who, expected_positions)

    def _record(
        self,
        events: Sequence[Event],
        who: str,
        expected_positions: Mapping[UUID, int] | None,
    ) -> RecordedBatch:
        # Everything that does not depend on what is stored happens before the
        # write lock is taken: checks of the batch itself, and encoding.
        batch, wanted, incident_ids = index_batch(events)
        texts = [event_text(e) for e in events]

        with self._store.writing() as writer:
            last_sequence, last_micros, heads = writer.heads(incident_ids)
            stored = check_batch(
                writer,
                events,
                (batch, wanted),
                heads,
                expected_positions,
                self._known,
            )
            reading = check_instant(self._clock(), what="clock reading")
            # Every batch is recorded strictly after the settled time (the
            # last batch's, or the latest known_at a reader settled), so that
            # no answer already given can change: a clock behind it is
            # adjusted, or refused, as the ledger was opened.
            now = self._clock_rule.place(reading, last_micros)
            recorded, rows = self._envelopes(events, texts, heads, last_sequence, now, who)
            ids = writer.insert(rows)
            edge = self._audit.append(writer, last_sequence, rows, ids, who, to_micros(now))
        self._audit.committed(edge)
        self._knowledge.recorded(to_micros(now))
        # Committed rows never change, so what they are can be remembered.
        known = self._known
        if len(known) > _KNOWN_LIMIT:
            known.clear()
        known.update(stored)
        for event in events:
            if type(event) is SourceRegistered:
                known[event.event_id] = (event.TYPE, event.incident_id)
        return RecordedBatch(recorded, clock_reading=reading, warnings=_warnings(events))

    def _envelopes(
        self,
        events: Sequence[Event],
        texts: Sequence[str],
        heads: Mapping[UUID, int],
        last_sequence: int,
        now: datetime,
        who: str,
    ) -> tuple[tuple[Recorded, ...], list[StoredRecord]]:
        # The envelopes through Recorded's own constructor and the rows
        # through the mapper, like any other recorded event: filling them in
        # by hand measured within the noise of batched appends.
        positions: Sequence[int]
        if len(heads) == 1:  # the usual batch: one incident
            (head,) = heads.values()
            positions = range(head + 1, head + 1 + len(events))
        else:
            counters = dict(heads)
            positions = []
            for event in events:
                counters[event.incident_id] += 1
                positions.append(counters[event.incident_id])
        recorded = tuple(
            Recorded(
                event=event, sequence=sequence, position=position, recorded_at=now, recorder=who
            )
            for sequence, (event, position) in enumerate(
                zip(events, positions, strict=True), start=last_sequence + 1
            )
        )
        return recorded, self._mapper.to_stored_events(recorded, texts)

    # -- reading ----------------------------------------------------------------------

    def _known_until(self, known_at: datetime | None) -> int | None:
        return self._knowledge.until(known_at)

    def settled_until(self) -> datetime | None:
        """
        The recording time up to which every answer is final.

        No batch still to be recorded can be recorded at or before it, so an
        answer as known at this time or earlier never changes. It is the
        later of the last batch's recording time and the latest ``known_at``
        a reader asked for (the ledger settles a ``known_at`` before it
        answers for it: see :doc:`time-travel`).

        Returns:
            The settled time in UTC, or ``None`` for an empty ledger.

        Raises:
            LedgerClosedError: If the ledger is closed.
            StorageError: If the backend fails.
        """
        self._check_open()
        return self._knowledge.settled()

    def resolve_incident(self, incident: UUID | str) -> UUID:
        """
        The id of a recorded incident given as a UUID, its text, or a unique prefix.

        The rule is the command line's: a prefix is the start of the id's
        hex digits (hyphens and case ignored), and must match exactly one
        incident. Every per-incident read (:meth:`incident`, :meth:`history`,
        :meth:`diff`, :meth:`events`...) accepts the same forms.

        >>> from incidents import Ledger, examples
        >>> with Ledger.open(":memory:") as ledger:
        ...     _ = ledger.record(*examples.alaska_2024())
        ...     found = ledger.resolve_incident(str(examples.ALASKA_2024)[:8])
        >>> found == examples.ALASKA_2024
        True

        Args:
            incident: The incident's id, the id as text, or a unique prefix of it.

        Returns:
            The incident's id.

        Raises:
            UnknownIncidentError: If no incident is recorded under that id or prefix.
            InvalidInputError: If the prefix is not hexadecimal, or matches
                several incidents (they are listed).
        """
        self._check_open()
        found = self._incident_id(incident)
        if found not in self._store.incident_ids():
            raise self._unknown(found, None)
        return found

    def _incident_id(self, incident: UUID | str) -> UUID:
        """A UUID as given; text as a full id (not checked here) or a unique prefix."""
        if isinstance(incident, UUID):
            return incident
        if not isinstance(incident, str):
            raise InvalidInputError(
                f"an incident is a UUID or its text (or a unique prefix of it), "
                f"not {type(incident).__name__}"
            )
        try:
            return UUID(incident)
        except ValueError:
            pass
        prefix = incident.strip().replace("-", "").lower()
        if not prefix or len(prefix) >= 32 or prefix.strip("0123456789abcdef"):
            raise InvalidInputError(
                f"{incident!r} is not an incident id or a prefix of one (hexadecimal digits)"
            )
        matches = [i for i in self.incident_ids() if i.hex.startswith(prefix)]
        if not matches:
            raise UnknownIncidentError(f"no incident id starts with {incident!r}")
        if len(matches) > 1:
            shown = ", ".join(str(i) for i in matches[:10])
            more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise InvalidInputError(
                f"{len(matches)} incidents match {incident!r}: {shown}{more}; give more of the id"
            )
        return matches[0]

    def events(
        self, incident_id: UUID | str, *, known_at: datetime | None = None
    ) -> Iterator[Recorded]:
        """
        An incident's recorded events, in recording order.

        Any recorded stream can be read, the sources registry
        (:data:`~incidents.SOURCES_REGISTRY`, empty until a source is
        registered there) included. An unknown
        incident raises when this is called, not when the events are
        iterated; an incident opened after *known_at* has no events then.

        Args:
            incident_id: The incident: its id, or a unique prefix of it
                (see :meth:`resolve_incident`).
            known_at: Only events recorded at or before this time.

        Returns:
            An iterator over each recorded event with its envelope.

        Raises:
            UnknownIncidentError: If the incident is not recorded.
            InvalidInputError: If a prefix is malformed or ambiguous.
            FutureKnowledgeError: If *known_at* is in the future.
        """
        self._check_open()
        incident_id = self._incident_id(incident_id)
        until = self._known_until(known_at)
        # A long incident's rows are many objects and no cycles (see incidents._gc).
        with paused_gc(self._time_travel.length_hint(incident_id)):
            rows = self._store.stream(incident_id, recorded_until=until)
        if (
            not rows
            and incident_id != SOURCES_REGISTRY
            and incident_id not in self._store.incident_ids()
        ):
            raise self._unknown(incident_id, None)
        return (decode_trusted(row.state) for row in rows)

    def incident(
        self,
        incident_id: UUID | str,
        valid_at: datetime | None = None,
        known_at: datetime | None = None,
        *,
        reading: Reading = Reading.POSSIBLY,
        published_by: datetime | None = None,
    ) -> Incident:
        """
        An incident as it stood at a valid time, as known at a recording time.

        Two clocks, asked separately: *valid_at* keeps the facts in effect at
        that valid time (when things happened); *known_at* keeps only what had
        been recorded by that recording time (when the ledger learned them).
        Corrections and retractions apply from their own recording time, so an
        old *known_at* shows the record as it then stood, errors included.

        *reading* says how a fact of imprecise time (a day, a span) counts at
        *valid_at*. ``Reading.POSSIBLY``, the default, keeps facts that may
        have happened by then (earliest possible instant at or before
        *valid_at*; facts of unknown time too); ``Reading.CERTAINLY`` keeps
        only facts that had certainly happened (latest possible instant at or
        before it). NORAD dates the intercept "on Wednesday": 24 July 2024 in
        Alaska, 08:00Z on the 24th to 07:59:59.999999Z on the 25th. At noon in Alaska
        it had possibly happened, not certainly; at 07:00Z on the 24th there
        was no intercept at all:

        >>> from datetime import UTC, datetime
        >>> from incidents import FixedClock, Reading, examples
        >>> clock = FixedClock(examples.ALASKA_2024_PUBLISHED_AT)
        >>> ledger = Ledger.open(":memory:", clock=clock)
        >>> for recorded_at, events in examples.alaska_2024_batches():
        ...     clock.set(recorded_at)
        ...     _ = ledger.record(*events)
        >>> noon_in_alaska = datetime(2024, 7, 24, 20, 0, tzinfo=UTC)
        >>> len(ledger.incident(examples.ALASKA_2024, noon_in_alaska).intercepts)
        1
        >>> certainly = ledger.incident(
        ...     examples.ALASKA_2024, noon_in_alaska, reading=Reading.CERTAINLY
        ... )
        >>> len(certainly.intercepts)
        0
        >>> early = datetime(2024, 7, 24, 7, 0, tzinfo=UTC)
        >>> len(ledger.incident(examples.ALASKA_2024, early).intercepts)
        0

        As known when the article appeared, the Chinese spokesman is the
        article's "Chen Xiaogang"; the correction recorded a day later names
        Zhang Xiaogang:

        >>> def spokesman(state):
        ...     return [s.speaker.name for s in state.statements if s.speaker.name]
        >>> published = examples.ALASKA_2024_PUBLISHED_AT
        >>> spokesman(ledger.incident(examples.ALASKA_2024, known_at=published))
        ['Chen Xiaogang']
        >>> spokesman(ledger.incident(examples.ALASKA_2024))
        ['Zhang Xiaogang']
        >>> ledger.close()

        The answer never depends on when it is asked: it is read from a
        bitemporal index that keeps every version of every fact, so an old *known_at*
        costs what the current state costs.

        A third clock, *published_by*, keeps only the events whose sources
        had been published by then (``published_at``; a source without one
        counts from each event's own recording time), corrections and
        retractions included: what was public then, however late the
        ledger learned it (see :doc:`time-travel`). Such answers are folded
        from the incident's events each time, not read from the index.

        Args:
            incident_id: The incident: its id, or a unique prefix of it
                (see :meth:`resolve_incident`).
            valid_at: Only facts in effect at this valid time (default: all).
            known_at: Only what had been recorded by this time (default: now).
            reading: How imprecise valid times count against *valid_at*.
            published_by: Only events whose sources were published by this
                time (default: every event).

        Returns:
            The incident's state.

        Raises:
            UnknownIncidentError: If the incident was not recorded, or not yet
                as known at *known_at* (there is no empty incident: an
                incident exists in the record from its opening on), or its
                opening's source was not yet published by *published_by*.
            FutureKnowledgeError: If *known_at* is in the future.
            InvalidInputError: For a naive *valid_at*, *known_at* or
                *published_by*, a *reading* that is not a
                :class:`~incidents.Reading`, or a malformed or ambiguous prefix.
        """
        self._check_open()
        incident_id = self._incident_id(incident_id)
        until = self._known_until(known_at)
        published = _published_by(published_by)
        valid = None if valid_at is None else to_utc(valid_at, what="valid_at")
        how = _reading(reading)
        if published is None:
            state = self._time_travel.state(incident_id, valid, until, how)
        else:
            state = self._published.state(incident_id, valid, until, published, how)
        if state is None:
            raise self._unknown(incident_id, until, published)
        return state

    def history(self, incident_id: UUID | str, *, published_by: datetime | None = None) -> History:
        """
        The incident's audit trail: every recorded event, in recording order.

        Each :class:`~incidents.HistoryEntry` says who recorded what, when,
        from which source, and for corrections and retractions what they
        target, the corrected fields as they stood before and after, and
        what the entry changed in the incident's state. ``str()`` renders it.

        With *published_by*, only the entries whose sources had been
        published by then (see :meth:`incident`), each as in the whole trail
        (what it changed is what it changed when it was recorded), under
        the title as published by then.

        Args:
            incident_id: The incident: its id, or a unique prefix of it
                (see :meth:`resolve_incident`).
            published_by: Only entries whose sources were published by this
                time (default: every entry).

        Returns:
            The history.

        Raises:
            UnknownIncidentError: If the incident is not recorded, or its
                opening's source was not yet published by *published_by*.
            InvalidInputError: If *published_by* is naive, or a prefix is
                malformed or ambiguous.
        """
        self._check_open()
        incident_id = self._incident_id(incident_id)
        published = _published_by(published_by)
        history = self._time_travel.history(incident_id)
        if history is None:
            raise self._unknown(incident_id, None)
        if published is None:
            return history
        filtered = self._published.history(history, published)
        if filtered is None:
            raise self._unknown(incident_id, None, published)
        return filtered

    def diff(
        self,
        incident_id: UUID | str,
        known_at_a: datetime | None = None,
        known_at_b: datetime | None = None,
        *,
        published_by_a: datetime | None = None,
        published_by_b: datetime | None = None,
    ) -> Diff:
        """
        What the record of an incident says differently between two recording times.

        Facts added, corrected (with the fields changed and the corrections
        that changed them), retracted, or restored by the retraction of their
        retraction, between what was known at *known_at_a* and at
        *known_at_b*. ``str()`` renders it.

        Either side may also be asked "as published by" a time (see
        :meth:`incident`): ``diff(id, published_by_a=day_after,
        published_by_b=week_after)`` is what became public in between, as
        the ledger knows it now. A fact whose source's publication time was
        corrected to after the second side's counts as retracted.

        Args:
            incident_id: The incident: its id, or a unique prefix of it
                (see :meth:`resolve_incident`).
            known_at_a: The earlier recording time (before the incident was
                recorded, every fact counts as added; default: now, for a
                diff between two publication times).
            known_at_b: The later recording time (default: now).
            published_by_a: The earlier publication time, if any.
            published_by_b: The later publication time: give both or neither
                (the same time twice to compare two recording times of what
                was published by then).

        Returns:
            The differences.

        Raises:
            UnknownIncidentError: If the incident was not recorded by *known_at_b*
                (or its opening not yet published by *published_by_b*).
            FutureKnowledgeError: If either recording time is in the future.
            InvalidInputError: If neither *known_at_a* nor *published_by_a* is
                given, only one publication time is, the first side is later
                than the second on either clock, a time is naive, or a
                prefix is malformed or ambiguous.
        """
        self._check_open()
        incident_id = self._incident_id(incident_id)
        a = self._known_until(known_at_a)
        b = self._known_until(known_at_b)
        pa = _published_by(published_by_a, "published_by_a")
        pb = _published_by(published_by_b, "published_by_b")
        if known_at_a is None and pa is None:
            raise InvalidInputError(
                "diff() compares two times: give known_at_a (a recording time), "
                "published_by_a (a publication time), or both"
            )
        if b is not None and (a is None or a > b):
            first = "now" if a is None else from_micros(a).isoformat()
            raise InvalidInputError(
                f"known_at_a ({first}) is after known_at_b "
                f"({from_micros(b).isoformat()}): give the earlier recording time first"
            )
        if pa is not None and pb is not None and pa > pb:
            raise InvalidInputError(
                f"published_by_a ({pa.isoformat()}) is after published_by_b "
                f"({pb.isoformat()}): give the earlier publication time first"
            )
        if (pa is None) != (pb is None):
            raise InvalidInputError(
                "give both published_by_a and published_by_b, or neither: a side without "
                "one counts every event, whatever its publication time"
            )
        if pa is None or pb is None:
            assert a is not None
            diff = self._time_travel.diff(incident_id, a, b)
            if diff is None:
                raise self._unknown(incident_id, b)
        else:
            diff = self._published_diff(incident_id, (a, pa), (b, pb))
        if known_at_a is None or known_at_b is None:
            now = check_instant(self._clock(), what="clock reading")
            diff = attrs.evolve(
                diff,
                known_at_a=now if known_at_a is None else diff.known_at_a,
                known_at_b=now if known_at_b is None else diff.known_at_b,
            )
        return diff

    def _published_diff(
        self,
        incident_id: UUID,
        a: tuple[int | None, datetime],
        b: tuple[int | None, datetime],
    ) -> Diff:
        found = self._published.diff(incident_id, a, b)
        if found is None:
            raise self._unknown(incident_id, b[0], b[1])
        state_a, state_b, changes, events = found
        assert state_b.last_recorded_at is not None
        known_b = state_b.last_recorded_at if b[0] is None else from_micros(b[0])
        known_a = known_b if a[0] is None else from_micros(a[0])
        return Diff(
            incident_id=incident_id,
            title=state_b.title,
            known_at_a=known_a,
            known_at_b=known_b,
            position_a=0 if state_a is None else state_a.last_position,
            position_b=state_b.last_position,
            changes=tuple(changes),
            events=events,
            published_by_a=a[1],
            published_by_b=b[1],
        )

    def incidents(
        self,
        valid_between: tuple[datetime | None, datetime | None] | None = None,
        known_at: datetime | None = None,
        *,
        reading: Reading = Reading.POSSIBLY,
        published_by: datetime | None = None,
        nation: str | Iterable[str] | None = None,
        aircraft: str | Iterable[str] | None = None,
        area: str | Iterable[str] | None = None,
        box: tuple[float, float, float, float] | None = None,
        series: str | Iterable[str] | None = None,
        source: UUID | str | Iterable[UUID | str] | None = None,
        linked_to: UUID | Iterable[UUID] | None = None,
        catalogue: AircraftCatalogue | None = None,
    ) -> list[Incident]:
        """
        The incidents known at a recording time whose facts fall in a valid-time window.

        A dated fact (aircraft, patrol, intercept, statement, zone entry,
        airspace violation, warning shots, protest, landing, flight
        duration) of known valid time falls in the window ``[start, end]``
        (both included) when its valid time possibly does
        (``Reading.POSSIBLY``, the default: the intervals overlap) or
        certainly does (``Reading.CERTAINLY``: it lies within the window).
        Facts of unknown valid time place an incident in no window:
        otherwise every incident with one undated report would match every
        search.

        The filters *nation*, *aircraft*, *area*, *box*, *series*, *source*
        and *linked_to* keep the incidents whose facts, as known at
        *known_at* (and as published by *published_by*), match: each filter
        given must match, and within one, any of the values given (the
        rules are in ``docs/facts.md``). They look at the whole incident as
        known then, not only at the facts in the window. An index of every
        incident's search terms rules out the incidents that cannot match
        without folding them; only the others are read.

        >>> from incidents import Ledger, examples
        >>> with Ledger.open(":memory:") as ledger:
        ...     _ = ledger.record(*examples.alaska_2024(), *examples.dokdo_2019())
        ...     found = ledger.incidents(nation="KR", aircraft="H-6")
        >>> [i.title for i in found]
        ['First China-Russia joint air patrol, near Dokdo/Takeshima']

        Args:
            valid_between: ``(start, end)``, aware datetimes; either may be
                ``None`` for an open end. ``None`` lists every incident.
            known_at: Only what had been recorded by this time (default: now).
                Before anything was recorded, the list is empty.
            reading: How imprecise valid times count against the window.
            published_by: Only events whose sources were published by this
                time (see :meth:`incident`); an incident whose opening's
                source was published later is not listed.
            nation: Nations involved (ISO 3166-1 alpha-2): aircraft
                operators, patrols, interceptors, who entered a zone, who
                alleged a violation of whose airspace by whom, who fired
                warning shots at whom, who protested to whom, landings.
            aircraft: Type designations or families: a family's name
                (``"H-6"``) matches its variants (``"H-6K"``), a variant's
                only itself, looked up in *catalogue*.
            area: Area names: patrolled areas, named locations, zones,
                where a violation was alleged, airfields, the region.
            box: ``(west, south, east, north)`` in degrees: a recorded
                position or geometry in it; west greater than east crosses
                the antimeridian.
            series: Series names (see :class:`~incidents.SeriesAssigned`).
            source: Source ids, or publishers (the name or the acronym in
                brackets it ends with).
            linked_to: Incident ids the incident links to.
            catalogue: Where aircraft types and families are looked up (the
                shipped :func:`~incidents.default_catalogue` by default).

        Returns:
            The incidents' states as known at *known_at* (every fact, not only
            those in the window), in order of first recording.

        Raises:
            FutureKnowledgeError: If *known_at* is in the future.
            InvalidInputError: If the window ends before it starts, a time is
                naive, or a filter's value is not of its kind (a nation that
                is not an assigned code, an empty name, a box out of range).
        """
        with paused_gc():  # every incident's fold may be made: bulk work (see incidents._gc)
            return list(
                self.iter_incidents(
                    valid_between,
                    known_at,
                    reading=reading,
                    published_by=published_by,
                    nation=nation,
                    aircraft=aircraft,
                    area=area,
                    box=box,
                    series=series,
                    source=source,
                    linked_to=linked_to,
                    catalogue=catalogue,
                )
            )

    def iter_incidents(
        self,
        valid_between: tuple[datetime | None, datetime | None] | None = None,
        known_at: datetime | None = None,
        *,
        reading: Reading = Reading.POSSIBLY,
        published_by: datetime | None = None,
        nation: str | Iterable[str] | None = None,
        aircraft: str | Iterable[str] | None = None,
        area: str | Iterable[str] | None = None,
        box: tuple[float, float, float, float] | None = None,
        series: str | Iterable[str] | None = None,
        source: UUID | str | Iterable[UUID | str] | None = None,
        linked_to: UUID | Iterable[UUID] | None = None,
        catalogue: AircraftCatalogue | None = None,
    ) -> Iterator[Incident]:
        """
        :meth:`incidents`, one incident at a time, in memory bounded whatever the ledger's size.

        The arguments are checked at once; the incidents are folded one
        after the other as the iterator is advanced, and a state not kept by
        the caller is freed (folds are kept in memory only while they fit
        the cache). :meth:`incidents` of a large ledger holds every
        incident's state at once.

        Args:
            valid_between: As for :meth:`incidents`.
            known_at: As for :meth:`incidents`.
            reading: As for :meth:`incidents`.
            published_by: As for :meth:`incidents`.
            nation: As for :meth:`incidents`.
            aircraft: As for :meth:`incidents`.
            area: As for :meth:`incidents`.
            box: As for :meth:`incidents`.
            series: As for :meth:`incidents`.
            source: As for :meth:`incidents`.
            linked_to: As for :meth:`incidents`.
            catalogue: As for :meth:`incidents`.

        Returns:
            An iterator over the incidents' states as known at *known_at*,
            in order of first recording.

        Raises:
            FutureKnowledgeError: If *known_at* is in the future.
            InvalidInputError: As for :meth:`incidents`.
        """
        self._check_open()
        until = self._known_until(known_at)
        published = _published_by(published_by)
        window = None
        if valid_between is not None:
            try:
                start, end = valid_between
            except (TypeError, ValueError):
                raise InvalidInputError(
                    f"valid_between must be a (start, end) pair, got {valid_between!r}"
                ) from None
            low = -(2**62) if start is None else to_micros(to_utc(start, what="window start"))
            high = 2**62 if end is None else to_micros(to_utc(end, what="window end"))
            if high < low:
                raise InvalidInputError(f"the window ends ({end}) before it starts ({start})")
            window = (low, high)
        how = _reading(reading)
        search = Search.of(
            nation=nation,
            aircraft=aircraft,
            area=area,
            box=box,
            series=series,
            source=source,
            linked_to=linked_to,
            catalogue=catalogue,
        )
        if published is not None:
            return iter(self._published.incidents(window, until, published, how, search))
        return self._time_travel.incidents(window, until, how, search)

    def series(
        self,
        name: str,
        known_at: datetime | None = None,
        *,
        published_by: datetime | None = None,
    ) -> list[SeriesEntry]:
        """
        The incidents of a series, in order of their numbers.

        An incident belongs to a series when a :class:`~incidents.SeriesAssigned`
        of its names the series (compared without case, spaces or
        punctuation). Incidents are ordered by the lowest number a source
        gives them; those without a number come last, in order of first
        recording. Where sources give one incident different numbers, its
        entry's ``number`` is ``None`` and ``numbers`` lists them all.

        >>> from incidents import Ledger, examples
        >>> with Ledger.open(":memory:") as ledger:
        ...     _ = ledger.record(*examples.alaska_2024(), *examples.dokdo_2019())
        ...     found = ledger.series(examples.JOINT_PATROLS)
        >>> [(e.number, e.incident.title[:27]) for e in found]
        [(1, 'First China-Russia joint ai'), (8, 'Joint Chinese-Russian bombe')]

        Args:
            name: The series' name.
            known_at: Only what had been recorded by this time (default: now).
            published_by: Only events whose sources were published by this time.

        Returns:
            The series' entries (number, every number given, incident), in order.

        Raises:
            FutureKnowledgeError: If *known_at* is in the future.
            InvalidInputError: If *name* is empty or a time is naive.
        """
        found = self.incidents(known_at=known_at, published_by=published_by, series=name)
        return series_entries(name, found)

    def rebuild_snapshots(self, incident_id: UUID | str | None = None) -> int:
        """
        Drop the snapshots of an incident (or of every incident) and write them anew.

        Snapshots are derived data kept beside the events so that reading a
        large incident in a new process does not re-apply every correction;
        they are written as incidents are read and never trusted over the
        events, so this is only needed to pay the cost up front.

        Args:
            incident_id: The incident, or a unique prefix of its id
                (default: every incident).

        Returns:
            The number of incidents snapshotted.
        """
        self._check_open()
        ids = (
            self._store.incident_ids() if incident_id is None else [self._incident_id(incident_id)]
        )
        return self._time_travel.rebuild_snapshots(ids)

    def drop_snapshots(self, incident_id: UUID | str | None = None) -> int:
        """
        Delete the snapshots of an incident (or of every incident).

        Nothing is lost: they are rebuilt from the events as incidents are read.

        Args:
            incident_id: The incident, or a unique prefix of its id
                (default: every incident).

        Returns:
            The number of snapshots deleted.
        """
        self._check_open()
        found = None if incident_id is None else self._incident_id(incident_id)
        self._time_travel.forget()
        return self._store.drop_fold_snapshots(found)

    def _unknown(
        self, incident_id: UUID, until: int | None, published_by: datetime | None = None
    ) -> UnknownIncidentError:
        if incident_id == SOURCES_REGISTRY:
            return UnknownIncidentError(
                f"{incident_id} is the sources registry, not an incident: its sources are "
                "listed by Ledger.sources() and its events by Ledger.events()"
            )
        if incident_id not in self._store.incident_ids():
            return UnknownIncidentError(f"incident {incident_id} is not recorded")
        if published_by is not None and (
            until is None or self._store.stream(incident_id, recorded_until=until)
        ):
            return UnknownIncidentError(
                f"incident {incident_id} was not yet published as published by "
                f"{published_by.isoformat()}: the source it was opened from was published "
                "later (or, without a publication time, recorded later)"
            )
        if until is None:
            return UnknownIncidentError(f"incident {incident_id} is not recorded")
        return UnknownIncidentError(
            f"incident {incident_id} was not yet recorded as known at "
            f"{from_micros(until).isoformat()}: it was recorded later"
        )

    # -- the sources registry: sources registered once for the whole ledger -------------

    def register_source(
        self,
        kind: SourceKind,
        publisher: str,
        *,
        title: str | None = None,
        url: str | None = None,
        published_at: datetime | None = None,
        language: str | None = None,
        cites: Iterable[UUID] = (),
        reliability: Reliability = Reliability.F,
        credibility: Credibility | int = Credibility.CANNOT_BE_JUDGED,
        archive_url: str | None = None,
        content_sha256: str | None = None,
        captured_at: datetime | None = None,
        original_title: str | None = None,
        source_id: UUID | None = None,
        recorder: str | None = None,
    ) -> UUID:
        """
        Register a source once for the whole ledger: any incident's events may then cite it.

        The source goes to the :data:`~incidents.SOURCES_REGISTRY` stream, as
        ``record(SourceRegistered(incident_id=SOURCES_REGISTRY, ...))``
        would put it. Correct, retract or assess it there, with events whose
        ``incident_id`` is :data:`~incidents.SOURCES_REGISTRY`: every
        incident citing it then shows the change (as known from when it was
        recorded).

        Args:
            kind: What kind of document it is.
            publisher: Who published it.
            title: Its title.
            url: Where it can be read.
            published_at: When it was published, timezone-aware.
            language: Its language as a BCP 47 tag (``"en"``, ``"zh-Hant"``).
            cites: Registry sources it reports from.
            reliability: Admiralty source reliability.
            credibility: Admiralty information credibility.
            archive_url: Where an archived copy is kept (http or https).
            content_sha256: SHA-256 of the content as captured (64 lowercase
                hexadecimal digits).
            captured_at: When the content was captured, timezone-aware.
            original_title: The title in the document's own language.
            source_id: Its id (a new one unless given).
            recorder: Who records it (default: the ledger's recorder).

        Returns:
            The source's id, to cite as ``source_id``.

        Raises:
            InvalidInputError: (and its subclasses) for a bad value, a bad
                language tag or digest, or a cited source that is not in the
                registry; nothing is recorded.

        Example:
            >>> from incidents import Ledger, SourceKind
            >>> with Ledger.open(":memory:") as ledger:
            ...     jcs = ledger.register_source(
            ...         SourceKind.PRESS_RELEASE, "Joint Chiefs of Staff (ROK)", language="ko"
            ...     )
            ...     [s.publisher for s in ledger.sources()]
            ['Joint Chiefs of Staff (ROK)']
        """
        extra = {} if source_id is None else {"source_id": source_id}
        source = SourceRegistered(
            incident_id=SOURCES_REGISTRY,
            kind=kind,
            publisher=publisher,
            title=title,
            url=url,
            published_at=published_at,
            language=language,
            cites=cites,  # any iterable of ids: made a tuple
            reliability=reliability,
            credibility=credibility,  # an int is converted
            archive_url=archive_url,
            content_sha256=content_sha256,
            captured_at=captured_at,
            original_title=original_title,
            **extra,
        )
        self.record(source, recorder=recorder)
        return source.source_id

    def sources(
        self, known_at: datetime | None = None, *, published_by: datetime | None = None
    ) -> list[Source]:
        """
        The sources of the ledger-wide registry, as known at a recording time.

        Corrections recorded by *known_at* apply; retracted sources are not listed.

        Args:
            known_at: Only what had been recorded by this time (default: now).
            published_by: Only sources published by this time (a source
                without a publication time counts from its recording time),
                with only the corrections whose sources were published by then.

        Returns:
            The sources, in order of registration.

        Raises:
            FutureKnowledgeError: If *known_at* is in the future.
            InvalidInputError: If a time is naive.
        """
        self._check_open()
        until = self._known_until(known_at)
        published = _published_by(published_by)
        if published is not None:
            records, _ = self._published.registry(until, published)
            return fold_registry(records)[0]
        return list(self._time_travel.registry(until)[0])

    def incident_ids(self) -> list[UUID]:
        """
        Every incident in the ledger, in order of first recording.

        The ledger-wide :data:`~incidents.SOURCES_REGISTRY` is a stream but
        no incident: it is not listed (read it with :meth:`sources` and
        :meth:`events`).

        Returns:
            Incident ids.
        """
        self._check_open()
        return [i for i in self._store.incident_ids() if i != SOURCES_REGISTRY]

    def event(self, event_id: UUID) -> Recorded:
        """
        One recorded event by id.

        Args:
            event_id: The event id.

        Returns:
            The recorded event.

        Raises:
            UnknownEventError: If no such event is recorded.
        """
        self._check_open()
        row = self._store.row(event_id)
        if row is None:
            raise UnknownEventError(f"event {event_id} is not recorded")
        return decode_trusted(row.state)

    def __len__(self) -> int:
        self._check_open()
        return self._store.last_sequence()

    # -- audit: the ledger's audit log (incidents.audit) ----------------------------------

    @property
    def origin(self) -> str:
        """
        The log's name, the first line of its checkpoints.

        Raises:
            StorageError: If the ledger has events but no audit tree (see
                :meth:`build_audit_tree`).
        """
        return self._audit._require_tree()

    @property
    def signing_key(self) -> SigningKey | None:
        """
        The key every recorded batch is signed with, if any.
        """
        return self._audit.signing_key

    def checkpoint(self, *, size: int | None = None, store: bool = False) -> Checkpoint:
        """
        The log's size and root as a C2SP checkpoint, signed if the ledger has a key.

        Publish its :attr:`~incidents.Checkpoint.text` (a website, a mailing
        list, a notary): anyone holding it can later check that the ledger
        still contains exactly what it held then.

        Args:
            size: An earlier size to describe (default: the whole log now).
            store: Also keep the checkpoint in the ledger.

        Returns:
            The checkpoint.

        Raises:
            InvalidInputError: If ``size`` is beyond the log.

        """
        self._check_open()
        checkpoint = self._audit.checkpoint(size=size)
        if store:
            now = to_micros(check_instant(self._clock(), what="clock reading"))
            self._audit.keep(checkpoint, recorder=self._recorder, created_at=now)
        return checkpoint

    def checkpoints(self) -> list[StoredCheckpoint]:
        """
        The checkpoints kept in the ledger: one per signed batch, and those stored on request.

        Returns:
            Them, in the order they were stored.

        Raises:
            StorageError: If one cannot be read.

        """
        self._check_open()
        return self._audit.checkpoints()

    def inclusion_proof(
        self, event: UUID | Recorded, at: Checkpoint | int | None = None
    ) -> InclusionProof:
        """
        Prove that an event is in the log described by a checkpoint.

        Args:
            event: The event (or its id).
            at: The checkpoint (or tree size) to prove against; default: the log now.

        Returns:
            The proof: at most ``ceil(log2 n)`` hashes, read from ``O(log n)`` stored tiles.

        Raises:
            UnknownEventError: If the event is not recorded.
            InvalidInputError: If it was recorded after the checkpoint, or the
                checkpoint is not of this ledger.

        """
        self._check_open()
        return self._audit.inclusion_proof(event, at)

    def consistency_proof(
        self, old: Checkpoint | int, new: Checkpoint | int | None = None
    ) -> ConsistencyProof:
        """
        Prove that the log at ``new`` extends the log at ``old``, nothing rewritten.

        Args:
            old: The earlier checkpoint (or size); it must not be empty.
            new: The later checkpoint (or size); default: the log now.

        Returns:
            The proof.

        Raises:
            InvalidInputError: If ``old`` is larger than ``new`` or empty, or a
                checkpoint is not of this ledger.

        """
        self._check_open()
        return self._audit.consistency_proof(old, new)

    def verify(
        self,
        *,
        checkpoints: Iterable[Checkpoint] = (),
        keys: Iterable[VerifierKey] = (),
        integrity: str = "full",
    ) -> VerifyReport:
        """
        Check the whole ledger: every event against its leaf, the tree, every checkpoint and signature.

        Verify only reads, from one snapshot, so writers go on meanwhile; the
        storage checks itself beside it (SQLite's ``integrity_check``, or with
        ``integrity="quick"`` the faster ``quick_check``). To verify a file
        someone sent, open it with ``read_only=True``.

        Args:
            checkpoints: Published checkpoints to check the ledger against.
            keys: The verifier keys you trust: the whole log must then be
                covered by checkpoints they signed. Without any, nothing is
                authenticated (the report says so).
            integrity: ``"full"`` (the default) or ``"quick"``.

        Returns:
            The report: ``report.authenticated``, ``report.ok``, or the first
            bad position, the kind of damage and the incident and event affected.

        Raises:
            InvalidInputError: If ``integrity`` is not ``"quick"`` or ``"full"``.

        """
        self._check_open()
        return self._audit.verify(checkpoints=checkpoints, keys=keys, integrity=integrity)

    def build_audit_tree(self, *, origin: str | None = None) -> Checkpoint:
        """
        Build the audit tree of a ledger recorded before audit trees existed (``incidents build-tree``).

        Opening a ledger never builds one. The events are hashed as they now
        stand; the ledger keeps who built the tree (its recorder) and when
        (its clock), and verify says so. With a signing key, a checkpoint of
        the whole log signed by it is kept too.

        Args:
            origin: The log's name (default: the signing key's name, or a
                fresh ``incidents/<uuid>``).

        Returns:
            The checkpoint of the log as built.

        Raises:
            StorageError: If the ledger has an audit tree, or audit tables that
                are not empty (run verify), or was opened read-only.
            InvalidInputError: If the origin is not acceptable, or the signing
                key is not named after it.

        """
        self._check_open()
        now = to_micros(check_instant(self._clock(), what="clock reading"))
        return self._audit.build(recorder=self._recorder, built_at=now, origin=origin)

    def export_bundle(self, path: str | os.PathLike[str]) -> Checkpoint:
        """
        Write the ledger as a bundle anyone can verify and replay offline.

        The file is written whole or not at all, readable by others (a
        bundle is meant to be published); a symbolic link at *path* is
        refused, not followed.

        Args:
            path: The file to write (replaced if it exists).

        Returns:
            The checkpoint the bundle carries.

        Raises:
            StorageError: If the ledger's events do not match its tree.
            FileWriteError: If the file cannot be written (nothing is left
                behind), or *path* is a symbolic link.

        """
        self._check_open()
        checkpoint = self._audit.checkpoint()
        key = self._audit.signing_key
        write_bundle(
            self._store,
            Path(path),
            checkpoint,
            self._audit.checkpoints(),
            () if key is None else (key.verifier,),
        )
        return checkpoint


def _warnings(events: Sequence[Event]) -> list[LocationWarning]:
    # Locations are checked after the batch is committed: a warning never refuses.
    return [w for event in events for w in event_warnings(event)]


def _published_by(value: datetime | None, what: str = "published_by") -> datetime | None:
    return None if value is None else to_utc(value, what=what)


def _reading(reading: object) -> Reading:
    if not isinstance(reading, Reading):
        raise InvalidInputError(
            f"reading must be Reading.POSSIBLY or Reading.CERTAINLY, got {reading!r}"
        )
    return reading
