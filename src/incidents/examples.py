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

:func:`dokdo_2019` is the first China-Russia joint strategic air patrol, on
23 July 2019 over the Sea of Japan (East Sea), and the clearest case of
official accounts that contradict each other: South Korea says a Russian
A-50 violated its airspace over Dokdo twice and that its fighters fired
warning shots; Russia and China deny any violation; Japan calls the islets
Takeshima and protests to both. Its claims are typed propositions, so that
:meth:`incidents.Incident.contradictions` finds the disputes.

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

from incidents._domain.claims import AirspaceEntered, Sovereignty, WarningShotsFired, ZoneEntered
from incidents._domain.events import (
    AircraftReported,
    AirspaceViolationAlleged,
    Claim,
    Correction,
    Count,
    Credibility,
    DiplomaticProtest,
    Event,
    FlightDurationReported,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    PatrolReported,
    ProtestKind,
    Reliability,
    SeriesAssigned,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
    WarningShotsReported,
    ZoneEntryReported,
)
from incidents._domain.geo import Location
from incidents._domain.time import ValidTime

__all__ = [
    "ALASKA_2024",
    "ALASKA_2024_ACCOUNTS_AT",
    "ALASKA_2024_CORRECTED_AT",
    "ALASKA_2024_FURTHER_AT",
    "ALASKA_2024_PUBLISHED_AT",
    "DOKDO_2019",
    "DOKDO_2019_FOLLOWED_UP_AT",
    "DOKDO_2019_REPORTED_AT",
    "JOINT_PATROLS",
    "alaska_2024",
    "alaska_2024_batches",
    "alaska_2024_further",
    "alaska_2024_ids",
    "dokdo_2019",
    "dokdo_2019_batches",
    "dokdo_2019_ids",
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

ALASKA_2024_FURTHER_AT = datetime(2024, 7, 28, 12, 0, tzinfo=UTC)
"""When :func:`alaska_2024_further` records NORAD's zone entries, the flight's duration and the series."""

JOINT_PATROLS = "China-Russia joint strategic air patrol"
"""The series both examples belong to: the Dokdo patrol is its first."""

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
        "zone-entry/cn",
        "zone-entry/ru",
        "duration/russia",
        "series",
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


def alaska_2024_further() -> list[tuple[datetime, list[Event]]]:
    """
    What the example can add after its three batches: zone entries, a duration, the series.

    NORAD tracked the bombers in the Alaska ADIZ (one zone entry per
    nation); the Russian defence ministry says the flight lasted "over 5
    hours"; the Chinese ministry calls it the eighth joint strategic air
    patrol. Kept apart from :func:`alaska_2024_batches`, whose nineteen
    events are the demo's ledger: record this batch after them.

    >>> from incidents import Ledger
    >>> with Ledger.open(":memory:") as ledger:
    ...     _ = ledger.record(*alaska_2024())
    ...     for _, batch in alaska_2024_further():
    ...         _ = ledger.record(*batch)
    ...     incident = ledger.incident(ALASKA_2024)
    >>> [(z.zone, z.nation) for z in incident.zone_entries]
    [('Alaska ADIZ', 'CN'), ('Alaska ADIZ', 'RU')]
    >>> str(incident.flight_durations[0].minutes), incident.series[0].number
    ('300+', 8)

    Returns:
        ``[(recording time, events)]``: one batch, at :data:`ALASKA_2024_FURTHER_AT`.
    """
    ids = alaska_2024_ids()
    inc = ALASKA_2024

    def entry(nation: str, aircraft: str) -> ZoneEntryReported:
        return ZoneEntryReported(
            incident_id=inc,
            source_id=ids["source/norad"],
            event_id=ids[f"zone-entry/{nation.lower()}"],
            zone="Alaska ADIZ",
            nation=nation,
            aircraft=(ids[aircraft],),
            valid_time=_NORAD_WEDNESDAY,
            location=Location(name="Alaska ADIZ"),
        )

    return [
        (
            ALASKA_2024_FURTHER_AT,
            [
                entry("CN", "aircraft/h-6"),
                entry("RU", "aircraft/tu-95"),
                FlightDurationReported(
                    incident_id=inc,
                    source_id=ids["source/russia-mod"],
                    event_id=ids["duration/russia"],
                    of=(ids["patrol"],),
                    minutes=Count.at_least(300),
                    wording="over 5 hours",
                    valid_time=_MOSCOW_DAY,
                ),
                SeriesAssigned(
                    incident_id=inc,
                    source_id=ids["source/china-mnd"],
                    event_id=ids["series"],
                    series=JOINT_PATROLS,
                    number=8,
                    reason="the ministry calls it the eighth joint strategic air patrol",
                ),
            ],
        )
    ]


def alaska_2024() -> list[Event]:
    """
    Every event of the example, in recording order, ready for ``ledger.record``.

    Returns:
        The article's facts followed by the transcript, the correction and
        the ministries' accounts of the aircraft.
    """
    return [event for _, batch in alaska_2024_batches() for event in batch]


# -- 23 July 2019: the first joint patrol, near Dokdo/Takeshima --------------------------


def _dokdo_id(name: str) -> UUID:
    return uuid5(_NAMESPACE, f"dokdo-2019/{name}")


DOKDO_2019 = _dokdo_id("incident")
"""Id of the 23 July 2019 joint patrol incident."""

DOKDO_2019_REPORTED_AT = datetime(2019, 7, 23, 12, 0, tzinfo=UTC)
"""When the example records the first reports (the day of the patrol)."""

DOKDO_2019_FOLLOWED_UP_AT = datetime(2019, 7, 24, 12, 0, tzinfo=UTC)
"""When the example records the next day's accounts: China's, and a third count of rounds."""

_SEOUL_DAY = ValidTime.day("2019-07-23", tz="Asia/Seoul")
_TOKYO_DAY = ValidTime.day("2019-07-23", tz="Asia/Tokyo")
_MOSCOW_DAY_2019 = ValidTime.day("2019-07-23", tz="Europe/Moscow")
_BEIJING_NEXT_DAY = ValidTime.day("2019-07-24", tz="Asia/Shanghai")

KR_JCS = "Joint Chiefs of Staff of the Republic of Korea (JCS)"
JP_MOFA = "Ministry of Foreign Affairs of Japan (MOFA)"

# Dokdo, as South Korea calls the islets; Takeshima, as Japan does; Liancourt Rocks.
_DOKDO = Sovereignty(territory="Dokdo", aliases=("Takeshima", "Liancourt Rocks"), nation="KR")
_TAKESHIMA = Sovereignty(territory="Takeshima", aliases=("Dokdo", "Liancourt Rocks"), nation="JP")


def dokdo_2019_ids() -> dict[str, UUID]:
    """
    The fixed ids of the Dokdo example's events, sources and claims, by short name.

    Returns:
        e.g. ``{"incident": ..., "source/jcs": ..., "claim/jcs/airspace": ...}``.
    """
    names = [
        "incident",
        "source/jcs",
        "source/dw",
        "source/war-zone",
        "source/epoch-times",
        "source/russia-mod",
        "source/china-mnd",
        "source/ibtimes",
        "source/japan-mofa",
        "aircraft/tu-95ms",
        "aircraft/h-6k",
        "aircraft/a-50",
        "patrol",
        "intercept/south-korea",
        "intercept/japan",
        "statement/jcs",
        "statement/war-zone",
        "statement/seoul-official",
        "statement/japan",
        "statement/russia",
        "statement/china",
        "statement/epoch-times",
        "claim/jcs/kadiz-cn",
        "claim/jcs/kadiz-ru",
        "claim/jcs/airspace",
        "claim/jcs/warning-shots",
        "claim/jcs/sovereignty",
        "claim/war-zone/warning-shots",
        "claim/japan/sovereignty",
        "claim/japan/airspace",
        "claim/russia/airspace",
        "claim/china/airspace",
        "claim/epoch-times/warning-shots",
        "zone-entry/cn",
        "zone-entry/ru",
        "violation/south-korea",
        "violation/japan",
        "warning-shots/jcs",
        "warning-shots/war-zone",
        "warning-shots/epoch-times",
        "protest/japan-to-korea",
        "protest/japan-to-russia",
        "series",
    ]
    return {name: _dokdo_id(name) for name in names}


def _dokdo_sources() -> list[Event]:
    ids = dokdo_2019_ids()
    inc = DOKDO_2019

    def source(name: str, **fields: object) -> SourceRegistered:
        return SourceRegistered(incident_id=inc, source_id=ids[f"source/{name}"], **fields)  # type: ignore[arg-type]

    return [
        source(
            "jcs",
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=KR_JCS,
            language="ko",
            reliability=Reliability.B,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        source(
            "dw",
            kind=SourceKind.NEWS_ARTICLE,
            publisher="Deutsche Welle (DW)",
            title="South Korea fires warning shots at Russian military aircraft",
            url="https://www.dw.com/en/south-korea-fires-warning-shots-at-russian-military-aircraft/a-49708651",
            language="en",
            cites=ids["source/jcs"],
            reliability=Reliability.B,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        source(
            "war-zone",
            kind=SourceKind.NEWS_ARTICLE,
            publisher="The War Zone",
            url="https://www.thedrive.com/the-war-zone/29118",
            language="en",
            cites=ids["source/jcs"],
            reliability=Reliability.C,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        source(
            "russia-mod",
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=RU_MOD,
            language="ru",
            reliability=Reliability.B,
            credibility=Credibility.DOUBTFUL,
        ),
        source(
            "japan-mofa",
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=JP_MOFA,
            language="ja",
            reliability=Reliability.B,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
    ]


def _dokdo_reported() -> list[Event]:
    ids = dokdo_2019_ids()
    inc = DOKDO_2019
    return [
        IncidentOpened(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["incident"],
            title="First China-Russia joint air patrol, near Dokdo/Takeshima",
            summary=(
                "Two Russian Tu-95MS and two Chinese H-6K bombers, with a Russian A-50, flew a "
                "joint patrol over the Sea of Japan (East Sea) and the East China Sea and entered "
                "the KADIZ. South Korea says the A-50 twice violated its airspace over Dokdo and "
                "that its fighters fired warning shots; Russia and China deny any violation; "
                "Japan, which calls the islets Takeshima, protested to both."
            ),
            region="Sea of Japan (East Sea) / East China Sea / KADIZ",
        ),
        *_dokdo_sources(),
        AircraftReported(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["aircraft/tu-95ms"],
            type_designation="Tu-95MS",
            nation="RU",
            count=2,
            role="strategic bomber",
            valid_time=_SEOUL_DAY,
        ),
        AircraftReported(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["aircraft/h-6k"],
            type_designation="H-6K",
            nation="CN",
            count=2,
            role="bomber",
            valid_time=_SEOUL_DAY,
        ),
        AircraftReported(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["aircraft/a-50"],
            type_designation="A-50",
            nation="RU",
            count=1,
            role="airborne early warning and control",
            valid_time=_SEOUL_DAY,
        ),
        InterceptReported(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["intercept/south-korea"],
            interceptors=(
                Interceptor(nation="KR", type_designation="F-15K"),
                Interceptor(nation="KR", type_designation="KF-16"),
            ),
            intercepted=(ids["aircraft/a-50"],),
            valid_time=_SEOUL_DAY,
        ),
        InterceptReported(
            incident_id=inc,
            source_id=ids["source/japan-mofa"],
            event_id=ids["intercept/japan"],
            interceptors=(Interceptor(nation="JP"),),
            intercepted=(ids["aircraft/tu-95ms"], ids["aircraft/h-6k"], ids["aircraft/a-50"]),
            valid_time=_TOKYO_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["statement/jcs"],
            speaker=Speaker(organization=KR_JCS),
            medium="statement",
            claims=(
                Claim(
                    stance=Stance.AFFIRMS,
                    text="Chinese military aircraft entered the KADIZ.",
                    proposition=ZoneEntered(zone="KADIZ", by="CN"),
                    claim_id=ids["claim/jcs/kadiz-cn"],
                ),
                Claim(
                    stance=Stance.AFFIRMS,
                    text="Russian military aircraft entered the KADIZ.",
                    proposition=ZoneEntered(zone="KADIZ", by="RU"),
                    claim_id=ids["claim/jcs/kadiz-ru"],
                ),
                Claim(
                    stance=Stance.AFFIRMS,
                    text="A Russian A-50 violated South Korean territorial airspace over Dokdo twice.",
                    proposition=AirspaceEntered(
                        airspace="KR", by="RU", aircraft_type="A-50", entries=2, over="Dokdo"
                    ),
                    claim_id=ids["claim/jcs/airspace"],
                ),
                Claim(
                    stance=Stance.AFFIRMS,
                    text="South Korean F-15K and KF-16 fighters fired flares and about 360 "
                    "rounds of 20 mm warning shots.",
                    proposition=WarningShotsFired(by="KR", at="RU", rounds=360, approximate=True),
                    claim_id=ids["claim/jcs/warning-shots"],
                ),
                Claim(
                    stance=Stance.AFFIRMS,
                    text="The airspace over Dokdo is South Korea's: Dokdo is South Korean territory.",
                    proposition=_DOKDO,
                    claim_id=ids["claim/jcs/sovereignty"],
                ),
            ),
            language="ko",
            valid_time=_SEOUL_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/war-zone"],
            event_id=ids["statement/war-zone"],
            speaker=Speaker(role="military officials", organization=KR_JCS),
            medium="account",
            claims=(
                Claim(
                    stance=Stance.AFFIRMS,
                    text="In the first engagement the fighters fired 10 flares and 80 rounds.",
                    proposition=WarningShotsFired(by="KR", at="RU", rounds=80, flares=10),
                    claim_id=ids["claim/war-zone/warning-shots"],
                ),
            ),
            language="en",
            valid_time=_SEOUL_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["statement/seoul-official"],
            speaker=Speaker(role="official", organization="Government of the Republic of Korea"),
            medium="remarks",
            claims=(
                Claim(
                    topic="attache-cited-device-malfunction",
                    stance=Stance.AFFIRMS,
                    text="A Russian military attaché said a device malfunction may have "
                    "taken the A-50 off course.",
                ),
            ),
            language="ko",
            valid_time=_SEOUL_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/japan-mofa"],
            event_id=ids["statement/japan"],
            speaker=Speaker(organization="Government of Japan"),
            medium="protests to South Korea and Russia",
            claims=(
                Claim(
                    stance=Stance.AFFIRMS,
                    text="Takeshima is Japanese territory; South Korea's warning shots near it "
                    "are unacceptable.",
                    proposition=_TAKESHIMA,
                    claim_id=ids["claim/japan/sovereignty"],
                ),
                Claim(
                    stance=Stance.AFFIRMS,
                    text="The Russian aircraft violated Japan's airspace over Takeshima.",
                    proposition=AirspaceEntered(
                        airspace="JP", by="RU", aircraft_type="A-50", over="Takeshima"
                    ),
                    claim_id=ids["claim/japan/airspace"],
                ),
            ),
            language="ja",
            valid_time=_TOKYO_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/russia-mod"],
            event_id=ids["statement/russia"],
            speaker=Speaker(organization=RU_MOD),
            medium="statement",
            claims=(
                Claim(
                    stance=Stance.DENIES,
                    text="The Russian aircraft did not violate South Korea's airspace.",
                    proposition=AirspaceEntered(airspace="KR", by="RU"),
                    claim_id=ids["claim/russia/airspace"],
                ),
                Claim(
                    topic="recognises-kadiz",
                    stance=Stance.DENIES,
                    text="Russia does not recognise the KADIZ.",
                ),
                Claim(
                    topic="attache-cited-device-malfunction",
                    stance=Stance.DENIES,
                    text="The ministry disputed that its attaché had cited a device malfunction.",
                ),
            ),
            language="ru",
            valid_time=_MOSCOW_DAY_2019,
        ),
        *_dokdo_facts(),
    ]


def _dokdo_facts() -> list[Event]:
    """The day's facts beside the statements: KADIZ entries, violations alleged, shots, protests."""
    ids = dokdo_2019_ids()
    inc = DOKDO_2019

    def entry(nation: str, aircraft: tuple[str, ...]) -> ZoneEntryReported:
        return ZoneEntryReported(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids[f"zone-entry/{nation.lower()}"],
            zone="KADIZ",
            nation=nation,
            aircraft=tuple(ids[a] for a in aircraft),
            valid_time=_SEOUL_DAY,
        )

    def protest(to: str, about: str) -> DiplomaticProtest:
        name = {"KR": "korea", "RU": "russia"}[to]
        return DiplomaticProtest(
            incident_id=inc,
            source_id=ids["source/japan-mofa"],
            event_id=ids[f"protest/japan-to-{name}"],
            by="JP",
            to=to,
            kind=ProtestKind.PROTEST,
            about=about,
            valid_time=_TOKYO_DAY,
        )

    return [
        entry("CN", ("aircraft/h-6k",)),
        entry("RU", ("aircraft/tu-95ms", "aircraft/a-50")),
        AirspaceViolationAlleged(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["violation/south-korea"],
            alleged_by="KR",
            airspace="KR",
            nation="RU",
            aircraft=(ids["aircraft/a-50"],),
            entries=2,
            over="Dokdo",
            valid_time=_SEOUL_DAY,
        ),
        AirspaceViolationAlleged(
            incident_id=inc,
            source_id=ids["source/japan-mofa"],
            event_id=ids["violation/japan"],
            alleged_by="JP",
            airspace="JP",
            nation="RU",
            aircraft=(ids["aircraft/a-50"],),
            over="Takeshima",
            valid_time=_TOKYO_DAY,
        ),
        WarningShotsReported(
            incident_id=inc,
            source_id=ids["source/dw"],
            event_id=ids["warning-shots/jcs"],
            by="KR",
            at="RU",
            aircraft=(ids["aircraft/a-50"],),
            rounds=360,
            warning_flares=Count.unknown(),
            calibre="20 mm",
            shooter_types=("F-15K", "KF-16"),
            approximate=True,
            valid_time=_SEOUL_DAY,
        ),
        WarningShotsReported(
            incident_id=inc,
            source_id=ids["source/war-zone"],
            event_id=ids["warning-shots/war-zone"],
            by="KR",
            at="RU",
            aircraft=(ids["aircraft/a-50"],),
            rounds=80,
            warning_flares=10,
            valid_time=ValidTime.day("2019-07-23", tz="Asia/Seoul", wording="first engagement"),
        ),
        protest(
            "KR",
            "South Korea's warning shots near Takeshima, which Japan holds to be its territory",
        ),
        protest("RU", "the Russian aircraft's violation of Japan's airspace over Takeshima"),
    ]


def _dokdo_followed_up() -> list[Event]:
    ids = dokdo_2019_ids()
    inc = DOKDO_2019
    return [
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/china-mnd"],
            kind=SourceKind.OFFICIAL_STATEMENT,
            publisher=CN_MND,
            language="zh",
            reliability=Reliability.B,
            credibility=Credibility.DOUBTFUL,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/ibtimes"],
            kind=SourceKind.NEWS_ARTICLE,
            publisher="International Business Times India (IBTimes)",
            title="China's defence ministry says joint air patrols with Russia didn't violate airspace",
            url="https://www.ibtimes.co.in/chinas-defence-ministry-says-joint-air-patrols-russia-didnt-violate-airspace-802216",
            language="en",
            cites=ids["source/china-mnd"],
            reliability=Reliability.C,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        SourceRegistered(
            incident_id=inc,
            source_id=ids["source/epoch-times"],
            kind=SourceKind.NEWS_ARTICLE,
            publisher="The Epoch Times",
            title="South Korea's claim on warning shot firings disputed by Russia",
            url="https://www.theepochtimes.com/world/south-koreas-claim-on-warning-shot-firings-disputed-by-russia-3013142",
            language="en",
            reliability=Reliability.C,
            credibility=Credibility.POSSIBLY_TRUE,
        ),
        PatrolReported(
            incident_id=inc,
            source_id=ids["source/ibtimes"],
            event_id=ids["patrol"],
            aircraft=(ids["aircraft/tu-95ms"], ids["aircraft/h-6k"], ids["aircraft/a-50"]),
            nations=("CN", "RU"),
            areas=("Sea of Japan (East Sea)", "East China Sea"),
            joint=True,
            purpose="joint strategic air patrol under the two militaries' annual cooperation plan",
            valid_time=_SEOUL_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/ibtimes"],
            event_id=ids["statement/china"],
            speaker=Speaker(name="Wu Qian", role="spokesman", organization=CN_MND),
            medium="press conference",
            claims=(
                Claim(
                    stance=Stance.DENIES,
                    text="The Chinese and Russian aircraft did not enter any other country's "
                    "territorial airspace.",
                    proposition=AirspaceEntered(),
                    claim_id=ids["claim/china/airspace"],
                ),
            ),
            language="zh",
            valid_time=_BEIJING_NEXT_DAY,
        ),
        StatementIssued(
            incident_id=inc,
            source_id=ids["source/epoch-times"],
            event_id=ids["statement/epoch-times"],
            speaker=Speaker(role="military officials", organization=KR_JCS),
            medium="account",
            claims=(
                Claim(
                    stance=Stance.AFFIRMS,
                    text="The fighters fired nearly 400 warning rounds.",
                    proposition=WarningShotsFired(by="KR", at="RU", rounds=400, approximate=True),
                    claim_id=ids["claim/epoch-times/warning-shots"],
                ),
            ),
            language="en",
            valid_time=_SEOUL_DAY,
        ),
        WarningShotsReported(
            incident_id=inc,
            source_id=ids["source/epoch-times"],
            event_id=ids["warning-shots/epoch-times"],
            by="KR",
            at="RU",
            aircraft=(ids["aircraft/a-50"],),
            rounds=400,
            approximate=True,
            valid_time=_SEOUL_DAY,
        ),
        SeriesAssigned(
            incident_id=inc,
            source_id=ids["source/ibtimes"],
            event_id=ids["series"],
            series=JOINT_PATROLS,
            number=1,
            reason="the first China-Russia joint strategic air patrol",
        ),
    ]


def dokdo_2019_batches() -> list[tuple[datetime, list[Event]]]:
    """
    The Dokdo example as it was learned: the day's reports, then the next day's accounts.

    The figures for the warning shots differ between accounts (about 360
    rounds in all; 10 flares and 80 rounds in the first engagement; nearly
    400): the example records each account as a claim of its own, and
    :meth:`~incidents.Incident.contradictions` shows them side by side.

    Returns:
        ``[(recording time, events), ...]``: record each batch with the
        ledger's clock at that time to reproduce the example's history.
    """
    return [
        (DOKDO_2019_REPORTED_AT, _dokdo_reported()),
        (DOKDO_2019_FOLLOWED_UP_AT, _dokdo_followed_up()),
    ]


def dokdo_2019() -> list[Event]:
    """
    Every event of the Dokdo example, in recording order, ready for ``ledger.record``.

    >>> from incidents import Ledger
    >>> with Ledger.open(":memory:") as ledger:
    ...     _ = ledger.record(*dokdo_2019())
    ...     found = ledger.incident(DOKDO_2019).contradictions()
    >>> [side.position for side in found.about("warning-shots")[0].sides]
    ['affirms: about 360 rounds', 'affirms: 10 flares and 80 rounds', 'affirms: about 400 rounds']

    Returns:
        The day's reports followed by the next day's accounts.
    """
    return [event for _, batch in dokdo_2019_batches() for event in batch]
