"""
A STIX 2.1 bundle of a ledger, written straight as JSON.

Each fact's current version (as known at the export's ``known_at``)
becomes STIX objects; a fact withdrawn by a retraction keeps its last
version, marked ``"revoked": true``. Ids are derived from the facts'
ids (UUIDv5), so exporting the same ledger twice gives the same objects,
and ``modified`` is the recording time of the version exported.

================================  ==============================================================
fact                              STIX objects
================================  ==============================================================
incident opened                   ``grouping`` (context ``suspicious-activity``) of all the
                                  incident's objects
source registered                 ``identity`` (the publisher; its URL as an external reference)
aircraft reported (detection)     ``sighting`` of the operator's ``identity``, where sighted by
                                  the source and at the ``location``; ``observed-data`` of a
                                  ``relationship`` (the operator ``located-at`` the location,
                                  or ``related-to`` the incident) when the time is known
intercept reported                the same, the interceptors' ``identity`` ``related-to`` the
                                  intercepted aircraft's operator
statement issued                  ``report`` (its quotes as description) on the incident
assessment made                   ``opinion`` on the objects of what it judges, from its grade
any other fact (patrols,          ``note`` on the incident, with the fact in words and its JSON
reconciliations, types added
later)
================================  ==============================================================

``confidence`` comes from the source's Admiralty information credibility
(the STIX 2.1 mapping: 1 = 90, 2 = 70, 3 = 50, 4 = 30, 5 = 10; 6, cannot
be judged, leaves it out), and both grades are labels (``reliability-B``,
``credibility-2``). An opinion's ``opinion`` is the analyst's credibility
grade in STIX's words (1 strongly agrees ... 5 strongly disagrees; 6 is
neutral).

The reference ``stix2`` library builds and checks every object as it goes,
which takes minutes for a thousand objects; here objects are plain dicts
and the file is written with one JSON encoder call per object (see
``benchmarks/bench_interchange.py``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

import orjson

from incidents._domain.events import Count, Event
from incidents._domain.geo import Location
from incidents._domain.time import ValidTime
from incidents._files import atomic_file
from incidents._ledger import Ledger
from incidents.interchange._table import _describe, _point, payload
from incidents.interchange._versions import FactVersion, ledger_versions

__all__ = ["ADMIRALTY_CONFIDENCE", "stix_objects", "write_stix"]

NAMESPACE = UUID("3c1f5a8e-6b2d-5e47-9a0c-7d4e2b8f1a63")
"""The namespace of the UUIDv5 in the STIX ids this library derives."""

ADMIRALTY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10, 6: None}
"""STIX ``confidence`` for each Admiralty information credibility grade (STIX 2.1, appendix A)."""

_OPINION = {1: "strongly-agree", 2: "agree", 3: "neutral", 4: "disagree", 5: "strongly-disagree"}
_MAX_COUNT = 999_999_999  # STIX's largest number_observed and count
_LIBRARY = f"identity--{uuid5(NAMESPACE, 'identity:incidents')}"
_EPOCH = "2024-01-01T00:00:00.000Z"


# Ids and times repeat (a source's id in every object it made, a batch's
# recording time in all of them): both are cached, which made the export of
# 25,000 objects about 1.5x as fast (bench_interchange).
@functools.lru_cache(maxsize=1 << 16)
def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid5(NAMESPACE, f'{kind}:{key}')}"


@functools.lru_cache(maxsize=1 << 16)
def _time(value: datetime) -> str:
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _library_identity() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": _LIBRARY,
        "created": _EPOCH,
        "modified": _EPOCH,
        "name": "incidents",
        "description": "The incidents library, which exported this bundle from its ledger.",
        "identity_class": "system",
    }


class _Incident:
    """The STIX objects of one incident, made from its versions."""

    def __init__(self, versions: list[FactVersion], seen: set[str]) -> None:
        self.latest: dict[UUID, FactVersion] = {}
        self.first: dict[UUID, FactVersion] = {}
        for version in versions:
            self.latest[version.fact_id] = version
            self.first.setdefault(version.fact_id, version)
        self.opening = versions[0].fact_id
        self.grouping = _id("grouping", str(versions[0].incident_id))
        self.primary: dict[UUID, str] = {}  # fact id -> the STIX id that stands for it
        self.objects: list[dict[str, Any]] = []
        self.seen = seen  # ids of shared objects already written (operators)

    # -- common properties ---------------------------------------------------------

    def _common(self, kind: str, stix_id: str, fact: UUID) -> dict[str, Any]:
        version = self.latest[fact]
        made: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": stix_id,
            "created": _time(self.first[fact].recorded_at),
            "modified": _time(version.recorded_at),
        }
        if not version.standing:
            made["revoked"] = True
        source = version.event.source_id
        if source != fact:
            made["created_by_ref"] = self._source_id(source)
        grades = self._grades(version.event.source_id)
        if grades:
            confidence, labels = grades
            if confidence is not None:
                made["confidence"] = confidence
            made["labels"] = labels
        return made

    def _source_id(self, source: UUID) -> str:
        if source in self.latest:
            return _id("identity", str(source))
        return _LIBRARY

    def _grades(self, source_id: UUID) -> tuple[int | None, list[str]] | None:
        source = self.latest.get(source_id)
        if source is None:
            return None
        credibility = getattr(source.event, "credibility", None)
        reliability = getattr(source.event, "reliability", None)
        if credibility is None or reliability is None:
            return None
        grade = int(credibility)
        return ADMIRALTY_CONFIDENCE.get(grade), [
            f"reliability-{reliability.value}",
            f"credibility-{grade}",
        ]

    def _add(self, stix: dict[str, Any]) -> str:
        self.objects.append(stix)
        return str(stix["id"])

    def _operator(self, nation: str, operator: str | None, at: datetime) -> str:
        stix_id = _id("identity", f"operator:{nation}:{operator or ''}")
        if stix_id not in self.seen:
            self.seen.add(stix_id)
            self.objects.append(
                {
                    "type": "identity",
                    "spec_version": "2.1",
                    "id": stix_id,
                    "created": _time(at),
                    "modified": _time(at),
                    "created_by_ref": _LIBRARY,
                    "name": operator or f"military aviation of {nation} (service not given)",
                    "identity_class": "organization",
                    "sectors": ["defense"],
                    "contact_information": f"nation: {nation}",
                }
            )
        return stix_id

    def _location(self, fact: UUID, location: Location | None) -> str | None:
        if location is None:
            return None
        point = _point(location)
        if point is None:
            return None  # a name alone is no STIX location (it needs a region, country or point)
        stix = self._common("location", _id("location", str(fact)), fact)
        stix["latitude"], stix["longitude"] = point
        if location.name:
            stix["name"] = location.name
        return self._add(stix)

    # -- facts ------------------------------------------------------------------------

    def add(self, fact: UUID) -> None:
        version = self.latest[fact]
        event = version.event
        if fact == self.opening:
            self.primary[fact] = self.grouping
        elif fact == event.source_id:
            self._source(fact, event)
        elif version.fact_type in ("aircraft-reported", "intercept-reported"):
            self._detection(fact, event)
        elif version.fact_type == "statement-issued":
            self._statement(fact, event)
        elif version.fact_type == "assessment-made":
            self._assessment(fact, event)
        else:
            self._note(fact, event)

    def _source(self, fact: UUID, event: Event) -> None:
        stix = self._common("identity", _id("identity", str(fact)), fact)
        stix["name"] = getattr(event, "publisher", None) or "source"
        stix["identity_class"] = "organization"
        title = getattr(event, "title", None)
        if title:
            stix["description"] = title
        url = getattr(event, "url", None)
        if url:
            reference: dict[str, Any] = {"source_name": stix["name"], "url": url}
            if title:
                reference["description"] = title
            stix["external_references"] = [reference]
        language = getattr(event, "language", None)
        if language:
            stix["lang"] = language
        self.primary[fact] = self._add(stix)

    def _who(self, event: Event) -> tuple[str, str | None]:
        """The identity sighted and, for an intercept, the interceptors' identity."""
        at = self.latest[event.event_id].recorded_at
        nation = getattr(event, "nation", None)
        if isinstance(nation, str):
            return self._operator(nation, getattr(event, "operator", None), at), None
        interceptors = getattr(event, "interceptors", ())
        intercepting = None
        if interceptors:
            intercepting = self._operator(interceptors[0].nation, None, at)
        for ref in getattr(event, "intercepted", ()):
            target = self.latest.get(ref)
            if target is None:
                continue
            target_nation = getattr(target.event, "nation", None)
            if isinstance(target_nation, str):
                operator = getattr(target.event, "operator", None)
                return self._operator(target_nation, operator, at), intercepting
        return self.grouping, intercepting

    def _detection(self, fact: UUID, event: Event) -> None:
        sighted, intercepting = self._who(event)
        valid = getattr(event, "valid_time", None)
        location = self._location(fact, getattr(event, "location", None))
        count = getattr(event, "count", None)
        number = count.low if isinstance(count, Count) else 1
        sighting = self._common("sighting", _id("sighting", str(fact)), fact)
        sighting["description"] = _describe(event)
        sighting["sighting_of_ref"] = sighted
        sighting["count"] = min(number, _MAX_COUNT)
        where = [self._source_id(event.source_id)]
        if location is not None:
            where.append(location)
        if where:
            sighting["where_sighted_refs"] = where
        if isinstance(valid, ValidTime) and valid.earliest is not None and valid.latest is not None:
            first, last = _time(valid.earliest), _time(valid.latest)
            sighting["first_seen"], sighting["last_seen"] = first, last
            if intercepting is not None:
                relation = ("related-to", intercepting, sighted)
            elif location is not None:
                relation = ("located-at", sighted, location)
            else:
                relation = ("related-to", sighted, self.grouping)
            link = self._common("relationship", _id("relationship", str(fact)), fact)
            link.update(
                relationship_type=relation[0],
                source_ref=relation[1],
                target_ref=relation[2],
                start_time=first,
                description=_describe(event),
            )
            if last > first:
                link["stop_time"] = last
            self._add(link)
            observed = self._common("observed-data", _id("observed-data", str(fact)), fact)
            observed.update(
                first_observed=first,
                last_observed=last,
                number_observed=min(number, _MAX_COUNT),
                object_refs=[link["id"]],
            )
            sighting["observed_data_refs"] = [self._add(observed)]
        self.primary[fact] = self._add(sighting)

    def _statement(self, fact: UUID, event: Event) -> None:
        report = self._common("report", _id("report", str(fact)), fact)
        speaker: Any = getattr(event, "speaker", None)
        medium = getattr(event, "medium", None)
        who = speaker.describe() if hasattr(speaker, "describe") else "statement"
        report["name"] = f"{who} ({medium})" if medium else who
        quotes = getattr(event, "quotes", ())
        report["description"] = "\n\n".join(quotes) if quotes else _describe(event)
        valid = getattr(event, "valid_time", None)
        source = self.latest.get(event.source_id)
        published = getattr(source.event, "published_at", None) if source else None
        if isinstance(valid, ValidTime) and valid.earliest is not None:
            published = valid.earliest
        report["published"] = _time(published or self.latest[fact].recorded_at)
        report["report_types"] = ["threat-report"]
        report["object_refs"] = [self.grouping]
        language = getattr(event, "language", None)
        if language:
            report["lang"] = language
        self.primary[fact] = self._add(report)

    def _assessment(self, fact: UUID, event: Event) -> None:
        opinion = self._common("opinion", _id("opinion", str(fact)), fact)
        grade = int(getattr(event, "credibility", 6))
        opinion["opinion"] = _OPINION.get(grade, "neutral")
        opinion["explanation"] = getattr(event, "reasoning", "") or _describe(event)
        opinion["authors"] = [self.latest[fact].made_by.recorder]
        target = getattr(event, "target_id", None)
        opinion["object_refs"] = [self.primary.get(target, self.grouping)]  # type: ignore[arg-type]
        confidence = ADMIRALTY_CONFIDENCE.get(grade)
        if confidence is not None:
            opinion["confidence"] = confidence
        self.primary[fact] = self._add(opinion)

    def _note(self, fact: UUID, event: Event) -> None:
        note = self._common("note", _id("note", str(fact)), fact)
        note["abstract"] = f"{event.TYPE}: {_describe(event)}"
        note["content"] = payload(event)
        note["object_refs"] = [self.grouping]
        self.primary[fact] = self._add(note)

    def finish(self) -> list[dict[str, Any]]:
        for fact in self.latest:
            self.add(fact)
        opening = self.latest[self.opening]
        grouping = self._common("grouping", self.grouping, self.opening)
        grouping["name"] = getattr(opening.event, "title", None) or "incident"
        summary = getattr(opening.event, "summary", None)
        if summary:
            grouping["description"] = summary
        grouping["context"] = "suspicious-activity"
        refs = [o["id"] for o in self.objects if o["id"] != self.grouping]
        grouping["object_refs"] = refs or [_LIBRARY]
        return [grouping, *self.objects]


def stix_objects(ledger: Ledger, *, known_at: datetime | None = None) -> Iterator[dict[str, Any]]:
    """
    The STIX 2.1 objects of a ledger, as plain dicts, incident by incident.

    Args:
        ledger: The ledger.
        known_at: Only what had been recorded by then (default: everything).

    Yields:
        Each object (the exporting library's ``identity`` first).

    Raises:
        FutureKnowledgeError: If *known_at* is in the future.
    """
    yield _library_identity()
    seen: set[str] = set()
    for _, versions in ledger_versions(ledger, known_at=known_at):
        yield from _Incident(versions, seen).finish()


def write_stix(
    ledger: Ledger, path: str | os.PathLike[str], *, known_at: datetime | None = None
) -> int:
    """
    Write a STIX 2.1 bundle of a ledger, whole or not at all.

    The bundle's id is derived from the ledger's origin and size, so the
    same ledger exports the same bundle. See :mod:`incidents.interchange`
    for which facts become which objects.

    Args:
        ledger: The ledger.
        path: The file (replaced if it exists).
        known_at: Only what had been recorded by then (default: everything).

    Returns:
        How many objects the bundle holds.

    Raises:
        FileWriteError: If the file cannot be written.
        FutureKnowledgeError: If *known_at* is in the future.
    """
    count = 0
    key = f"{ledger.origin}:{len(ledger)}:{'' if known_at is None else known_at.isoformat()}"
    with atomic_file(path, what="STIX bundle") as out:
        out.write(b'{"type":"bundle","id":"' + _id("bundle", key).encode() + b'","objects":[\n')
        chunk: list[bytes] = []
        for stix in stix_objects(ledger, known_at=known_at):
            chunk.append(b",\n" + orjson.dumps(stix) if count else orjson.dumps(stix))
            count += 1
            if len(chunk) >= 4096:
                out.write(b"".join(chunk))
                chunk = []
        out.write(b"".join(chunk) + b"\n]}\n")
    return count
