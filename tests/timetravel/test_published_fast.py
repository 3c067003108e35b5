"""
"As published by" answered from the folds kept in memory: the same answers as folding from scratch.

:class:`incidents._timetravel.published.Published` answers from the
bitemporal folds when the events that count are a prefix of the stream, and
folds them from scratch otherwise. The fold from scratch
(``Published.state_from_scratch``, and a ``Published`` without the ledger's
time travel) is the reference: for random ledgers with dated and undated
sources, sources of the registry, corrections and retractions of their
``published_at`` and of the corrections, and random ``valid_at``,
``known_at`` and ``published_by``, the ledger's answers (states, listings
and histories) equal it on every backend.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import (
    SOURCES_REGISTRY,
    AircraftReported,
    AssessmentMade,
    Correction,
    Credibility,
    Event,
    FixedClock,
    IncidentOpened,
    Ledger,
    Reading,
    Retraction,
    SourceKind,
    SourceRegistered,
    UnknownIncidentError,
    ValidTime,
)
from incidents._timetravel.published import Published
from incidents.storage import to_micros
from support.backends import Backend

START = datetime(2024, 7, 25, 12, tzinfo=UTC)
STEP = timedelta(minutes=1)
BATCHES = 16


def _at(step: int) -> datetime:
    return START + step * STEP


publication_times = st.none() | st.integers(-2, BATCHES + 2).map(_at)


class _Book:
    """What a generated ledger holds so far, to draw valid events."""

    def __init__(self) -> None:
        self.registry: list[SourceRegistered] = []
        self.registry_fixes: list[Correction] = []
        self.incidents: dict[UUID, list[SourceRegistered]] = {}
        self.fixes: dict[UUID, list[Correction]] = {}
        self.facts: dict[UUID, list[Event]] = {}


def _registration(draw: st.DrawFn, incident_id: UUID) -> SourceRegistered:
    return SourceRegistered(
        incident_id=incident_id,
        kind=draw(st.sampled_from([SourceKind.PRESS_RELEASE, SourceKind.OFFICIAL_STATEMENT])),
        publisher=draw(st.sampled_from(["NORAD", "JSO", "RIA Novosti"])),
        published_at=draw(publication_times),
    )


def _redate(draw: st.DrawFn, target: SourceRegistered, source: UUID) -> Correction:
    return Correction.of(
        target,
        source_id=source,
        reason="publication time",
        published_at=draw(publication_times),
    )


@st.composite
def _batch(draw: st.DrawFn, book: _Book) -> list[Event]:
    choice = draw(st.integers(0, 9))
    if choice == 0 or (choice == 1 and not book.incidents):
        shared = _registration(draw, SOURCES_REGISTRY)
        book.registry.append(shared)
        return [shared]
    if choice == 1 and book.registry:
        target = draw(st.sampled_from(book.registry))
        fix = _redate(draw, target, target.source_id)
        book.registry_fixes.append(fix)
        return [fix]
    if choice == 2 and book.registry_fixes:
        fix = draw(st.sampled_from(book.registry_fixes))
        return [
            Retraction(
                incident_id=SOURCES_REGISTRY,
                source_id=fix.source_id,
                target_id=fix.event_id,
                reason="not so",
            )
        ]
    if choice == 3 or not book.incidents:
        cite = [s.source_id for s in book.registry]
        own = _registration(draw, draw(st.uuids()))
        incident_id = own.incident_id
        opener = draw(st.sampled_from([own.source_id, *cite]))
        opened = IncidentOpened(incident_id=incident_id, source_id=opener, title="Patrol")
        book.incidents[incident_id] = [own]
        book.fixes[incident_id] = []
        book.facts[incident_id] = []
        return [opened, own]
    incident_id = draw(st.sampled_from(list(book.incidents)))
    own = book.incidents[incident_id]
    sources = [s.source_id for s in own] + [s.source_id for s in book.registry]
    source = draw(st.sampled_from(sources))
    kind = draw(st.integers(0, 8))
    if kind == 0:
        registration = _registration(draw, incident_id)
        own.append(registration)
        return [registration]
    if kind == 1:
        target = draw(st.sampled_from(own))
        fix = _redate(draw, target, source)
        book.fixes[incident_id].append(fix)
        return [fix]
    if kind == 2 and book.fixes[incident_id]:
        fix = draw(st.sampled_from(book.fixes[incident_id]))
        return [
            Retraction(
                incident_id=incident_id, source_id=source, target_id=fix.event_id, reason="not so"
            )
        ]
    if kind == 3 and len(own) > 1:
        registration = draw(st.sampled_from(own[1:]))
        return [
            Retraction(
                incident_id=incident_id,
                source_id=source,
                target_id=registration.event_id,
                reason="withdrawn",
            )
        ]
    facts = book.facts[incident_id]
    if kind in (4, 8) and facts:
        target = draw(st.sampled_from(facts))
        if isinstance(target, AircraftReported) and kind == 8:
            recount = Correction.of(
                target, source_id=source, reason="recount", count=draw(st.integers(1, 4))
            )
            facts.append(recount)
            return [recount]
        return [
            Retraction(
                incident_id=incident_id,
                source_id=source,
                target_id=target.event_id,
                reason="withdrawn",
            )
        ]
    if kind == 5 and book.registry:
        return [
            AssessmentMade(
                incident_id=incident_id,
                source_id=source,
                target_id=draw(st.sampled_from(book.registry)).source_id,
                credibility=Credibility.PROBABLY_TRUE,
                reasoning="judged",
            )
        ]
    aircraft = AircraftReported(
        incident_id=incident_id,
        source_id=source,
        type_designation=draw(st.sampled_from(["H-6", "Tu-95"])),
        nation="CN",
        count=draw(st.integers(1, 4)),
        valid_time=ValidTime.minute(_at(draw(st.integers(-BATCHES, BATCHES)))),
    )
    facts.append(aircraft)
    return [aircraft]


@st.composite
def ledgers(draw: st.DrawFn) -> list[list[Event]]:
    """Batches of events, one a minute, each valid after the ones before it."""
    book = _Book()
    return [draw(_batch(book)) for _ in range(draw(st.integers(1, BATCHES)))]


def _answer(call: object, *args: object, **kwargs: object) -> object:
    try:
        return call(*args, **kwargs)  # type: ignore[operator]
    except UnknownIncidentError:
        return UnknownIncidentError


def _check(ledger: Ledger, reference: Published, data: st.DataObject, end: datetime) -> None:
    """One random question about each incident, and the listing, against the reference."""
    published_by = data.draw(instants)
    known_at = data.draw(st.none() | instants.filter(lambda t: t <= end))
    valid_at = data.draw(st.none() | instants)
    reading = data.draw(st.sampled_from(list(Reading)))
    until = None if known_at is None else to_micros(known_at)
    for incident_id in ledger.incident_ids():
        expected = reference.state_from_scratch(incident_id, valid_at, until, published_by, reading)
        answer = _answer(
            ledger.incident,
            incident_id,
            valid_at,
            known_at,
            reading=reading,
            published_by=published_by,
        )
        assert answer == (UnknownIncidentError if expected is None else expected)
        trail = reference.history(ledger.history(incident_id), published_by)
        assert _answer(ledger.history, incident_id, published_by=published_by) == (
            UnknownIncidentError if trail is None else trail
        )
    listing = ledger.incidents(known_at=known_at, published_by=published_by)
    assert listing == reference.incidents(None, until, published_by, Reading.POSSIBLY)


instants = st.integers(-3, BATCHES + 3).flatmap(
    lambda step: st.sampled_from([-1, 0, 1]).map(lambda d: _at(step) + timedelta(microseconds=d))
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=ledgers(), data=st.data())
def test_answers_from_the_folds_equal_the_fold_from_scratch(
    backend: Backend, batches: list[list[Event]], data: st.DataObject
) -> None:
    clock = FixedClock(START)
    ledger = backend.open(clock=clock)
    try:
        reference = Published(ledger.store)  # no time travel: always from scratch
        for i, batch in enumerate(batches):
            clock.set(_at(i + 1))
            ledger.record(*batch)
            if data.draw(st.booleans()):  # the folds read as they grow
                _check(ledger, reference, data, _at(i + 1))
        clock.set(_at(BATCHES + 5))
        for _ in range(4):
            _check(ledger, reference, data, _at(BATCHES + 5))
    finally:
        backend.discard(ledger)


def test_with_no_publication_times_the_answer_comes_from_the_fold(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = SourceRegistered(
        incident_id=SOURCES_REGISTRY, kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    ledger.record(source)
    opened = IncidentOpened(incident_id=uuid4(), source_id=source.source_id, title="Patrol")
    aircraft = AircraftReported(
        incident_id=opened.incident_id,
        source_id=source.source_id,
        type_designation="H-6",
        nation="CN",
        count=2,
        valid_time=ValidTime.minute(START),
    )
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    clock.set(START + STEP)
    ledger.record(opened, aircraft)
    clock.set(START + 2 * STEP)
    expected = ledger.incident(opened.incident_id, known_at=START + STEP)

    def refuse(*args: object) -> None:
        raise AssertionError("folded from scratch")

    monkeypatch.setattr(Published, "state_from_scratch", refuse)
    assert ledger.incident(opened.incident_id, published_by=START + STEP) == expected
    assert [s.id for s in expected.sources] == [source.source_id]
    with pytest.raises(UnknownIncidentError):
        ledger.incident(opened.incident_id, published_by=START)


def test_a_correction_counts_though_an_earlier_one_does_not_yet(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    undated = SourceRegistered(
        incident_id=uuid4(), kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    late = SourceRegistered(
        incident_id=undated.incident_id,
        kind=SourceKind.OFFICIAL_STATEMENT,
        publisher="JSO",
        published_at=_at(10),
    )
    opened = IncidentOpened(
        incident_id=undated.incident_id, source_id=undated.source_id, title="Patrol"
    )
    aircraft = AircraftReported(
        incident_id=opened.incident_id,
        source_id=undated.source_id,
        type_designation="H-6",
        nation="CN",
        count=2,
        valid_time=ValidTime.minute(START),
    )
    clock.set(_at(1))
    ledger.record(opened, undated, late, aircraft)
    first = Correction.of(aircraft, source_id=late.source_id, reason="recount", count=3)
    clock.set(_at(2))
    ledger.record(first)
    second = Correction.of(aircraft, source_id=undated.source_id, reason="recount", count=4)
    retraction = Retraction(
        incident_id=opened.incident_id,
        source_id=undated.source_id,
        target_id=first.event_id,
        reason="not so",
    )
    clock.set(_at(3))
    ledger.record(second, retraction)
    clock.set(_at(20))
    answer = ledger.incident(opened.incident_id, published_by=_at(5))
    assert [(a.count, a.corrections) for a in answer.aircraft] == [(4, (second.event_id,))]
    assert answer.retracted == ()  # the correction withdrawn does not count yet
    assert answer == Published(ledger.store).state_from_scratch(
        opened.incident_id, None, None, _at(5), Reading.POSSIBLY
    )
    published = ledger.incident(opened.incident_id, published_by=_at(10))
    assert [(a.count, a.corrections) for a in published.aircraft] == [(4, (second.event_id,))]
    assert published.retracted == (first.event_id,)


def test_reads_between_recordings_see_the_new_events(ledger: Ledger) -> None:
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    undated = SourceRegistered(
        incident_id=uuid4(), kind=SourceKind.PRESS_RELEASE, publisher="NORAD"
    )
    late = SourceRegistered(
        incident_id=undated.incident_id,
        kind=SourceKind.OFFICIAL_STATEMENT,
        publisher="JSO",
        published_at=_at(10),
    )
    opened = IncidentOpened(
        incident_id=undated.incident_id, source_id=undated.source_id, title="Patrol"
    )
    clock.set(_at(1))
    ledger.record(opened, undated, late)
    assert ledger.incident(opened.incident_id, published_by=_at(5)).aircraft == ()
    aircraft = AircraftReported(
        incident_id=opened.incident_id,
        source_id=undated.source_id,
        type_designation="H-6",
        nation="CN",
        count=2,
        valid_time=ValidTime.minute(START),
    )
    clock.set(_at(2))
    ledger.record(aircraft, Correction.of(aircraft, source_id=late.source_id, reason="r", count=3))
    clock.set(_at(20))
    for published_by, count in ((_at(5), 2), (_at(10), 3)):
        answer = ledger.incident(opened.incident_id, published_by=published_by)
        assert [a.count for a in answer.aircraft] == [count]
        assert answer == Published(ledger.store).state_from_scratch(
            opened.incident_id, None, None, published_by, Reading.POSSIBLY
        )
