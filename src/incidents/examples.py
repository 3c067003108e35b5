"""
Worked examples, ready to record.

:func:`alaska_2024` is the July 2024 joint Chinese-Russian bomber patrol near
Alaska, as a news article reported it, with every fact attributed to the
source it came from (NORAD, the Chinese defence ministry, RIA Novosti citing
the Russian defence ministry, a post on X), and the correction a day later
of the spokesman's name, which the article printed as "Chen Xiaogang": the
ministry's own transcript names Senior Colonel Zhang Xiaogang. Two days
later come the ministries' own accounts of the aircraft, "two H-6K" and "two
Tu-95MS": the same four bombers NORAD reported as H-6 and Tu-95, which the
incident reconciles rather than adds up.

Ids are fixed (UUID 5), so recording the example twice is detected as a
duplicate rather than silently doubling the record.

>>> from incidents import FixedClock, Ledger
>>> from incidents.examples import ALASKA_2024, alaska_2024_batches
>>> clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
>>> with Ledger.open(":memory:", clock=clock) as ledger:
...     for recorded_at, events in alaska_2024_batches():
...         clock.set(recorded_at)
...         _ = ledger.record(*events)
...     incident = ledger.incident(ALASKA_2024)
>>> [s.speaker.name for s in incident.statements if s.speaker.name]
['Zhang Xiaogang']
>>> len(incident.aircraft), incident.aircraft_by_nation()
(4, {'CN': {'H-6': 2}, 'RU': {'Tu-95': 2}})
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid5

from incidents._domain.events import (
    AircraftReported,
    Claim,
    Correction,
    Credibility,
    Event,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    PatrolReported,
    Reliability,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
)
from incidents._domain.geo import Location
from incidents._domain.time import ValidTime

__all__ = [
    "ALASKA_2024",
    "ALASKA_2024_ACCOUNTS_AT",
    "ALASKA_2024_CORRECTED_AT",
    "ALASKA_2024_PUBLISHED_AT",
    "alaska_2024",
    "alaska_2024_batches",
    "alaska_2024_ids",
]

_NAMESPACE = UUID("6f1c9e52-3b0e-5d6a-9c44-0a7d2f9e1b38")


def _id(name: str) -> UUID:
    return uuid5(_NAMESPACE, f"alaska-2024/{name}")


ALASKA_2024 = _id("incident")
"""Id of the July 2024 joint patrol incident."""

ALASKA_2024_PUBLISHED_AT = datetime(2024, 7, 25, 12, 0, tzinfo=UTC)
"""When the example records the article's facts (the day it appeared)."""

ALASKA_2024_CORRECTED_AT = datetime(2024, 7, 26, 12, 0, tzinfo=UTC)
"""When the example records the correction of the spokesman's name (a day later)."""

ALASKA_2024_ACCOUNTS_AT = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)
"""When the example records the ministries' own accounts of the aircraft (two days later)."""

_NORAD_WEDNESDAY = ValidTime.day("2024-07-24", tz="America/Anchorage", wording="on Wednesday")
_BEIJING_TODAY = ValidTime.day("2024-07-25", tz="Asia/Shanghai", wording="today")
_MOSCOW_DAY = ValidTime.day("2024-07-25", tz="Europe/Moscow")

CN_MND = "Ministry of National Defense of the People's Republic of China"
RU_MOD = "Ministry of Defence of the Russian Federation"
NORAD = "North American Aerospace Defense Command (NORAD)"


def alaska_2024_ids() -> dict[str, UUID]:
    """
    The fixed ids of the example's events and sources, by short name.

    Returns:
        e.g. ``{"incident": ..., "source/norad": ..., "statement/china": ...}``.
    """
    names = [
        "incident",
        "source/article",
        "source/norad",
        "source/china-mnd",
        "source/russia-mod",
        "source/ria",
        "source/x-frontalforce",
        "source/china-mnd-transcript",
        "aircraft/h-6",
        "aircraft/tu-95",
        "patrol",
        "intercept",
        "statement/china",
        "statement/russia",
        "statement/norad",
        "statement/x",
        "correction/spokesman",
        "aircraft/h-6k",
        "aircraft/tu-95ms",
    ]
    return {name: _id(name) for name in names}


def _published() -> list[Event]:
    ids = alaska_2024_ids()
    inc = ALASKA_2024
    return [
        IncidentOpened(
            incident_id=inc,
            source_id=ids["source/article"],
            event_id=ids["incident"],
            title="Joint Chinese-Russian bomber patrol near Alaska",
            summary=(
                "Two Chinese H-6 and two Russian Tu-95 bombers were tracked by NORAD in "
                "the Alaska ADIZ and intercepted by US and Canadian fighters; China and "
                "Russia called it a joint strategic patrol."
            ),
            region="Bering Sea / Alaska ADIZ",
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/article"],
            kind=SourceKind.NEWS_ARTICLE,
            publisher="publisher not stated",
            title="Russia Says Its Own and Chinese Bombers Carried Out Joint Patrol Near Alaska",
            language="en",
            reliability=Reliability.F,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/norad"],
            kind=SourceKind.PRESS_RELEASE,
            publisher=NORAD,
            title="NORAD news release on Chinese and Russian aircraft in the Alaska ADIZ",
            language="en",
            reliability=Reliability.B,
            credibility=Credibility.PROBABLY_TRUE,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/china-mnd"],
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=CN_MND,
            title="Spokesperson's statement on the China-Russia joint strategic air patrol",
            language="zh",
            reliability=Reliability.B,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/russia-mod"],
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=RU_MOD,
            language="ru",
            reliability=Reliability.B,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/ria"],
            kind=SourceKind.NEWS_ARTICLE,
            publisher="RIA Novosti",
            language="ru",
            cites=ids["source/russia-mod"],
            reliability=Reliability.C,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/x-frontalforce"],
            kind=SourceKind.SOCIAL_MEDIA_POST,
            publisher="Frontalforce (account on X)",
            reliability=Reliability.E,
            credibility=Credibility.CANNOT_BE_JUDGED,
        ),
        AircraftReported(
            incident_id=inc,
            source_id=ids["source/norad"],
            event_id=ids["aircraft/h-6"],
            type_designation="H-6",
            nation="CN",
            count=2,
            role="bomber",
            valid_time=_NORAD_WEDNESDAY,
            location=Location(name="Alaska ADIZ"),
        ),
        AircraftReported(
            incident_id=inc,
            source_id=ids["source/norad"],
            event_id=ids["aircraft/tu-95"],
            type_designation="Tu-95",
            nation="RU",
            count=2,
            role="bomber",
            valid_time=_NORAD_WEDNESDAY,
            location=Location(name="Alaska ADIZ"),
        ),
        PatrolReported(
            incident_id=inc,
            source_id=ids["source/china-mnd"],
            event_id=ids["patrol"],
            aircraft=(ids["aircraft/h-6"], ids["aircraft/tu-95"]),
            nations=("CN", "RU"),
            areas=("Bering Sea",),
            joint=True,
            purpose="cooperative aviation strategic patrol under the annual military cooperation plan",
            valid_time=_BEIJING_TODAY,
        ),
        InterceptReported(
            incident_id=inc,
            source_id=ids["source/norad"],
            event_id=ids["intercept"],
            interceptors=(
                Interceptor(nation="US", type_designation="F-16", count=2),
                Interceptor(nation="US", type_designation="F-35", count=2),
                Interceptor(nation="CA", type_designation="CF-18", count=2),
            ),
            intercepted=(ids["aircraft/h-6"], ids["aircraft/tu-95"]),
            valid_time=_NORAD_WEDNESDAY,
            location=Location(name="Alaska ADIZ"),
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/china-mnd"],
            event_id=ids["statement/china"],
            speaker=Speaker(name="Chen Xiaogang", role="spokesman", organization=CN_MND),
            medium="statement",
            quotes=("nothing to do with the current international situation",),
            claims=(
                Claim(
                    topic="conducted-under-annual-plan",
                    stance=Stance.AFFIRMS,
                    text="The patrol was conducted under the annual military cooperation plan.",
                ),
                Claim(
                    topic="strengthens-mutual-trust",
                    stance=Stance.AFFIRMS,
                    text="It strengthened the two militaries' strategic mutual trust and cooperation.",
                ),
                Claim(
                    topic="related-to-international-situation",
                    stance=Stance.DENIES,
                    text="It had nothing to do with the current international situation.",
                ),
                Claim(
                    topic="aimed-at-third-parties",
                    stance=Stance.DENIES,
                    text="It did not target any third parties.",
                ),
            ),
            language="zh",
            valid_time=_BEIJING_TODAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/ria"],
            event_id=ids["statement/russia"],
            speaker=Speaker(organization=RU_MOD),
            medium="statement reported by RIA Novosti",
            claims=(
                Claim(
                    topic="joint-patrol-conducted",
                    stance=Stance.AFFIRMS,
                    text="Chinese and Russian military aircraft jointly patrolled close to Alaska.",
                ),
                Claim(
                    topic="violated-foreign-airspace",
                    stance=Stance.DENIES,
                    text="The aircraft did not invade the airspace of any other country.",
                ),
            ),
            language="ru",
            valid_time=_MOSCOW_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/norad"],
            event_id=ids["statement/norad"],
            speaker=Speaker(organization=NORAD),
            medium="news release",
            quotes=(
                "NORAD will continue to monitor competitor activity near North America "
                "and meet presence with presence.",
            ),
            claims=(
                Claim(
                    topic="violated-foreign-airspace",
                    stance=Stance.DENIES,
                    text="The aircraft remained in international airspace.",
                ),
                Claim(
                    topic="posed-a-threat",
                    stance=Stance.DENIES,
                    text="The activity is not seen as a threat.",
                ),
            ),
            language="en",
            valid_time=_NORAD_WEDNESDAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/x-frontalforce"],
            event_id=ids["statement/x"],
            speaker=Speaker(organization="Frontalforce"),
            medium="post on X",
            claims=(
                Claim(
                    topic="joint-patrol-conducted",
                    stance=Stance.AFFIRMS,
                    text="Confirmed the joint patrol.",
                ),
            ),
            valid_time=ValidTime.unknown(wording="officially confirmed on X"),
        ),
    ]


def _correction(statement: StatementIssued) -> list[Event]:
    ids = alaska_2024_ids()
    transcript = SourceRegistered(
        incident_id=ALASKA_2024,
        source_id=ids["source/china-mnd-transcript"],
        kind=SourceKind.TRANSCRIPT,
        publisher=CN_MND,
        title="Transcript of the spokesperson's remarks on the China-Russia joint strategic air patrol",
        language="zh",
        reliability=Reliability.A,
        credibility=Credibility.CONFIRMED,
    )
    correction = Correction.of(
        statement,
        source_id=transcript.source_id,
        event_id=ids["correction/spokesman"],
        reason=(
            "The ministry's transcript names the spokesman as Senior Colonel Zhang Xiaogang "
            "(张晓刚); the article printed 'Chen Xiaogang'."
        ),
        speaker=Speaker(name="Zhang Xiaogang", role="spokesman", organization=CN_MND),
    )
    return [transcript, correction]


def _accounts() -> list[Event]:
    """The defence ministries' own accounts: the same bombers, by their variants."""
    ids = alaska_2024_ids()
    return [
        AircraftReported(
            incident_id=ALASKA_2024,
            source_id=ids["source/china-mnd"],
            event_id=ids["aircraft/h-6k"],
            type_designation="H-6K",
            nation="CN",
            count=2,
            role="bomber",
            operator="PLA Air Force",
            valid_time=_BEIJING_TODAY,
        ),
        AircraftReported(
            incident_id=ALASKA_2024,
            source_id=ids["source/russia-mod"],
            event_id=ids["aircraft/tu-95ms"],
            type_designation="Tu-95MS",
            nation="RU",
            count=2,
            role="strategic missile carrier",
            operator="Russian Aerospace Forces",
            valid_time=_MOSCOW_DAY,
        ),
    ]


def alaska_2024_batches() -> list[tuple[datetime, list[Event]]]:
    """
    The example as it was learned: the article, a correction, the ministries' accounts.

    The article's facts, the correction of the spokesman's name a day later,
    and the ministries' own accounts of the aircraft two days later.

    Returns:
        ``[(recording time, events), ...]``: record each batch with the
        ledger's clock at that time to reproduce the example's history.
    """
    published = _published()
    statement = next(
        e for e in published if isinstance(e, StatementIssued) and e.speaker.name == "Chen Xiaogang"
    )
    return [
        (ALASKA_2024_PUBLISHED_AT, published),
        (ALASKA_2024_CORRECTED_AT, _correction(statement)),
        (ALASKA_2024_ACCOUNTS_AT, _accounts()),
    ]


def alaska_2024() -> list[Event]:
    """
    Every event of the example, in recording order, ready for ``ledger.record``.

    Returns:
        The article's facts followed by the transcript, the correction and
        the ministries' accounts of the aircraft.
    """
    return [event for _, batch in alaska_2024_batches() for event in batch]
