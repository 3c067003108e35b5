"""
Claims compared: which accounts of an incident agree, which contradict each other or reference data.

Every claim of every statement states a proposition (see
:mod:`incidents._domain.claims`). Claims about the same proposition are
compared as one :class:`Comparison`: "airspace of KR entered by RU A-50",
"warning shots fired by KR at RU", "sovereignty over Dokdo / Takeshima",
or, for free-text claims, their topic. Within it, claims saying the same
thing form a :class:`Side`; two sides that cannot both be true are in
conflict, and a comparison with a conflict is *disputed*.

The rules, kind by kind:

* claims are about the same proposition when their subjects match: the
  same airspace, nation, zone, aircraft type (by family, so ``A-50`` and
  ``A-50U`` match), territory (by any shared name, so ``Dokdo`` and
  ``Takeshima`` match) or topic. A parameter left out means "any": a denial
  that any country's airspace was entered is compared with each claim about
  a particular country's;
* a denial conflicts with an affirmation of what it denies (with the
  figures the denial gives, if any);
* two affirmations conflict when they give different figures for the same
  thing: 360 rounds and 80 rounds, 2 entries and 1, sovereignty of KR and
  of JP, dates that cannot be the same day (dates in different time zones
  that overlap, as 24 July in Alaska and 25 July in Beijing, do not
  conflict). Figures are compared as given: "about 360" and "nearly 400"
  differ. A figure left out conflicts with none;
* two denials never conflict.

Claims are also checked against reference data: an affirmation that a
nation's aircraft of a type took part (escorted, entered, counted) when the
aircraft catalogue says that nation flies no such type
(:meth:`~incidents.AircraftCatalogue.operates` is ``False``; ``None``,
unknown, is no contradiction).

Assessments (:class:`Assessment`, recorded as
:class:`~incidents.AssessmentMade`) stand beside the claims they judge, and
beside the claims of the statements and sources they judge.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from incidents._domain.catalogue import AircraftCatalogue, default_catalogue
from incidents._domain.claims import (
    FREE_TEXT,
    PROPOSITION_TYPES,
    AimedAtThirdParties,
    AircraftCounted,
    AirspaceEntered,
    EscortedBy,
    EventDated,
    Sovereignty,
    WarningShotsFired,
    ZoneEntered,
    name_key,
)
from incidents._domain.events import Claim, Credibility, Reliability, Speaker, Stance
from incidents._domain.nations import nation_name
from incidents._domain.time import ValidTime

__all__ = [
    "Assessment",
    "ComparedClaim",
    "Comparison",
    "Contradictions",
    "ReferenceConflict",
    "Side",
    "Verdict",
    "assessments_beside",
    "compare_claims",
]


@attrs.frozen(kw_only=True)
class Assessment:
    """
    An analyst's judgement, as it currently stands (see :class:`~incidents.AssessmentMade`).

    Attributes:
        id: Id of the event that recorded it.
        target_id: The event judged (a fact, a source, a statement...).
        claim_id: The claim of that statement judged, if it judges a claim.
        credibility: The analyst's grade, Admiralty credibility 1 to 6.
        reasoning: Why.
        citations: Further sources it rests on.
        source_id: The source it rests on.
        recorder: Who recorded it: the analyst it is attributed to.
        recorded_at: When it was recorded.
        corrections: Ids of the corrections applied to it.
    """

    id: UUID
    target_id: UUID
    claim_id: UUID | None
    credibility: Credibility
    reasoning: str
    citations: tuple[UUID, ...]
    source_id: UUID
    recorder: str
    recorded_at: datetime
    corrections: tuple[UUID, ...] = ()

    def describe(self) -> str:
        """
        The judgement in words, e.g. ``"doubtful (4), by analyst: no radar track"``.

        Returns:
            Grade, who judged, and why.
        """
        grade = f"{self.credibility.meaning} ({self.credibility.value})"
        return f"{grade}, by {self.recorder}: {self.reasoning}"


class Verdict(enum.Enum):
    """
    How the claims about one proposition stand with each other.
    """

    DISPUTED = "disputed"
    """At least two of them cannot both be true."""
    AGREED = "agreed"
    """Two or more claims, none contradicting another."""
    UNCONTESTED = "uncontested"
    """One claim only."""


@attrs.frozen(kw_only=True)
class ComparedClaim:
    """
    A claim as compared: what it says, who said it, on whose word, how it is judged.

    Attributes:
        claim_id: The claim's id (its own, or derived from its place).
        claim: The claim.
        statement_id: The statement that makes it.
        speaker: Who made the statement.
        medium: How.
        said: When the statement was made.
        source_id: The source reporting the statement.
        publisher: That source's publisher (``None`` if it is not registered or withdrawn).
        reliability: That source's Admiralty reliability, if known.
        credibility: That source's Admiralty credibility, if known.
        assessments: The assessments of the claim, of its statement and of
            its source, in recording order.
    """

    claim_id: UUID
    claim: Claim
    statement_id: UUID
    speaker: Speaker
    medium: str
    said: ValidTime
    source_id: UUID
    publisher: str | None
    reliability: Reliability | None
    credibility: Credibility | None
    assessments: tuple[Assessment, ...] = ()

    @property
    def grade(self) -> str:
        """
        The source's Admiralty grade, e.g. ``"B3"`` (``"??"`` when unknown).
        """
        if self.reliability is None or self.credibility is None:
            return "??"
        return f"{self.reliability.value}{self.credibility.value}"

    def attribution(self) -> str:
        """
        Who says it, on whose word, e.g. ``"Wu Qian, spokesman, MND (press conference), per IBTimes [C3]"``.

        Returns:
            The speaker, the medium, the source's publisher and grade.
        """
        publisher = self.publisher if self.publisher is not None else "source withdrawn"
        per = "" if publisher == self.speaker.organization else f", per {publisher}"
        return f"{self.speaker.describe()} ({self.medium}){per} [{self.grade}]"


@attrs.frozen(kw_only=True)
class Side:
    """
    Claims that say the same thing about one proposition.

    Attributes:
        stance: Whether they affirm or deny it.
        position: What they say, in words, e.g. ``"affirms: about 360 rounds"``.
        claims: The claims, in the order of their statements.
    """

    stance: Stance
    position: str
    claims: tuple[ComparedClaim, ...]


@attrs.frozen(kw_only=True)
class Comparison:
    """
    Every claim about one proposition, by side, and whether they agree.

    Attributes:
        kind: The kind of proposition, e.g. ``"airspace-entered"`` or ``"free-text"``.
        subject: The proposition in words, e.g. ``"airspace of KR entered by RU A-50"``.
        verdict: Disputed, agreed or uncontested.
        sides: The sides, in the order their first claims were made.
        conflicts: Pairs of indexes into ``sides`` that cannot both be true.
        wider: Ids of the claims about a wider proposition that covers this
            one (a denial that any nation's airspace was entered, compared
            with a claim about South Korea's).
    """

    kind: str
    subject: str
    verdict: Verdict
    sides: tuple[Side, ...]
    conflicts: tuple[tuple[int, int], ...] = ()
    wider: tuple[UUID, ...] = ()

    @property
    def claims(self) -> tuple[ComparedClaim, ...]:
        """
        Every claim compared, side by side.
        """
        return tuple(c for side in self.sides for c in side.claims)

    def lines(self) -> list[str]:
        """
        The comparison as lines of text: the proposition, each side and its claims.

        Returns:
            Lines, the first unindented.
        """
        lines = [f"{self.verdict.value.upper()}: {self.subject}"]
        for number, side in enumerate(self.sides):
            against = [
                self.sides[b if a == number else a].position
                for a, b in self.conflicts
                if number in (a, b)
            ]
            versus = f" (contradicts: {'; '.join(against)})" if against else ""
            lines.append(f"  {side.position}{versus}")
            for claim in side.claims:
                lines.append(f"    - {claim.attribution()}")
                lines.append(f'      "{claim.claim.text}"')
                if claim.claim_id in self.wider:
                    lines.append(f"      (about a wider proposition: {claim.claim.describe()})")
                for assessment in claim.assessments:
                    lines.append(
                        f"      assessed {_target(assessment, claim)}: {assessment.describe()}"
                    )
        return lines


@attrs.frozen(kw_only=True)
class ReferenceConflict:
    """
    A claim that contradicts reference data, e.g. an escort by a type its nation does not fly.

    Attributes:
        claim: The claim.
        reason: Why, e.g. ``"Japan (JP) flies no F-16, as the aircraft catalogue knows it"``.
    """

    claim: ComparedClaim
    reason: str


@attrs.frozen(kw_only=True)
class Contradictions:
    """
    An incident's claims compared: what is disputed, what is agreed, what contradicts reference data.

    Attributes:
        incident_id: The incident.
        title: Its title.
        comparisons: One per proposition: disputed first, then agreed, then
            uncontested, each in the order its first claim was made.
        reference_conflicts: Claims that contradict reference data.
    """

    incident_id: UUID
    title: str
    comparisons: tuple[Comparison, ...]
    reference_conflicts: tuple[ReferenceConflict, ...] = ()

    def _of(self, verdict: Verdict) -> tuple[Comparison, ...]:
        return tuple(c for c in self.comparisons if c.verdict is verdict)

    @property
    def disputed(self) -> tuple[Comparison, ...]:
        """
        The propositions on which claims contradict each other.
        """
        return self._of(Verdict.DISPUTED)

    @property
    def agreed(self) -> tuple[Comparison, ...]:
        """
        The propositions on which two or more claims agree.
        """
        return self._of(Verdict.AGREED)

    @property
    def uncontested(self) -> tuple[Comparison, ...]:
        """
        The propositions only one claim makes.
        """
        return self._of(Verdict.UNCONTESTED)

    def about(self, kind: str) -> tuple[Comparison, ...]:
        """
        The comparisons of one kind of proposition.

        Args:
            kind: e.g. ``"sovereignty"`` or ``"free-text"``.

        Returns:
            Those comparisons.
        """
        return tuple(c for c in self.comparisons if c.kind == kind)

    def render(self) -> str:
        """
        The comparisons as text for people: disputed, agreed, then reference-data conflicts.

        Uncontested propositions are counted, not listed.

        Returns:
            Lines of text, without a final newline.
        """
        lines = [
            f"{self.title}",
            f"incident {self.incident_id}: {len(self.comparisons)} proposition"
            f"{'' if len(self.comparisons) == 1 else 's'} compared, "
            f"{len(self.disputed)} disputed, {len(self.agreed)} agreed, "
            f"{len(self.uncontested)} uncontested; "
            f"{len(self.reference_conflicts)} claim"
            f"{'' if len(self.reference_conflicts) == 1 else 's'} against reference data",
        ]
        for comparison in (*self.disputed, *self.agreed):
            lines.append("")
            lines.extend(comparison.lines())
        if self.reference_conflicts:
            lines.extend(["", "AGAINST REFERENCE DATA:"])
            for conflict in self.reference_conflicts:
                lines.append(f"  {conflict.claim.claim.describe()}: {conflict.reason}")
                lines.append(f"    - {conflict.claim.attribution()}")
                lines.append(f'      "{conflict.claim.claim.text}"')
        if not self.comparisons:
            lines.extend(["", "No claims recorded."])
        lines.extend(
            [
                "",
                "Grades are the sources' Admiralty reliability (A-F) and credibility (1-6). "
                "A claim about a wider proposition (any nation's airspace) is compared with "
                "each narrower one it covers.",
            ]
        )
        return "\n".join(lines)


def assessments_beside(
    assessments: Iterable[Assessment], statement_id: UUID, claim_id: UUID, source_id: UUID
) -> tuple[Assessment, ...]:
    """
    The assessments that stand beside a claim: of the claim, of its statement, of its source.

    Args:
        assessments: Assessments, in recording order.
        statement_id: The claim's statement.
        claim_id: The claim.
        source_id: The statement's source.

    Returns:
        Those assessments, in the same order.
    """
    return tuple(
        a
        for a in assessments
        if (a.target_id == statement_id and a.claim_id in (None, claim_id))
        or (a.target_id == source_id and a.claim_id is None)
    )


def _target(assessment: Assessment, claim: ComparedClaim) -> str:
    if assessment.claim_id is not None:
        return "(the claim)"
    if assessment.target_id == claim.source_id:
        return "(its source)"
    return "(its statement)"


# -- the rules, kind by kind ------------------------------------------------------------------


@attrs.frozen
class _Rule:
    """How claims of one kind are grouped and compared."""

    # The subject: what the proposition is about (None: any).
    subject: Callable[[Any], tuple[Any, ...]]
    # The subject in words.
    words: Callable[[Any], str]
    # The figures: compared between claims about the same subject (None: not given).
    values: Callable[[Any], tuple[Any, ...]]
    # The figures in words ("" when none are given).
    figures: Callable[[Any], str]
    # Whether two affirmed figures can both be true (default: equal).
    compatible: Callable[[Any, Any], bool] = lambda a, b: bool(a == b)


def _type_key(catalogue: AircraftCatalogue, name: str | None) -> str | None:
    if name is None:
        return None
    return name_key(catalogue.family_of(name) or name)


def _dates_overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return ValidTime.day(a[0], tz=a[1]).overlaps(ValidTime.day(b[0], tz=b[1]))


def _plural(count: int | None, word: str) -> str:
    return "" if count is None else f"{count} {word}{'' if count == 1 else 's'}"


def _rules(catalogue: AircraftCatalogue) -> dict[type, _Rule]:
    def kind_type(name: str | None) -> str | None:
        return _type_key(catalogue, name)

    def by(nation: str | None, aircraft_type: str | None) -> str:
        who = " ".join(p for p in (nation, aircraft_type) if p)
        return f" by {who}" if who else ""

    return {
        AirspaceEntered: _Rule(
            subject=lambda p: (p.airspace, p.by, kind_type(p.aircraft_type)),
            words=lambda p: (
                f"airspace of {p.airspace or 'any nation'} entered" + by(p.by, p.aircraft_type)
            ),
            values=lambda p: (p.entries,),
            figures=lambda p: ", ".join(
                x for x in (_plural(p.entries, "time"), f"over {p.over}" if p.over else "") if x
            ),
        ),
        ZoneEntered: _Rule(
            subject=lambda p: (name_key(p.zone), p.by, kind_type(p.aircraft_type)),
            words=lambda p: f"{p.zone} entered" + by(p.by, p.aircraft_type),
            values=lambda p: (),
            figures=lambda p: "",
        ),
        AircraftCounted: _Rule(
            subject=lambda p: (p.nation, kind_type(p.aircraft_type)),
            words=lambda p: f"number of {p.aircraft_type} ({p.nation})",
            values=lambda p: (p.count,),
            figures=lambda p: str(p.count),
        ),
        EventDated: _Rule(
            subject=lambda p: (),
            words=lambda p: "date of the event",
            values=lambda p: ((p.day, p.tz),),
            figures=lambda p: f"{p.day} ({p.tz})",
            compatible=_dates_overlap,
        ),
        WarningShotsFired: _Rule(
            subject=lambda p: (p.by, p.at),
            words=lambda p: f"warning shots fired by {p.by}" + (f" at {p.at}" if p.at else ""),
            values=lambda p: (p.rounds, p.flares),
            figures=lambda p: "" if p.rounds is None and p.flares is None else p.figures(),
        ),
        EscortedBy: _Rule(
            subject=lambda p: (p.nation, kind_type(p.aircraft_type)),
            words=lambda p: f"escorted by {p.nation} {p.aircraft_type}",
            values=lambda p: (),
            figures=lambda p: "",
        ),
        AimedAtThirdParties: _Rule(
            subject=lambda p: (p.at,),
            words=lambda p: "aimed at " + (p.at or "third parties"),
            values=lambda p: (),
            figures=lambda p: "",
        ),
        Sovereignty: _Rule(
            # The subject is the territory: found by shared names (see _territories).
            subject=lambda p: (),
            words=lambda p: "sovereignty over " + " / ".join(p.names),
            values=lambda p: (p.nation,),
            figures=lambda p: p.nation,
        ),
    }


_FREE_TEXT = _Rule(
    subject=lambda c: (c.topic,),
    words=lambda c: c.topic,
    values=lambda c: (),
    figures=lambda c: "",
)

_KIND_ORDER = {cls.KIND: i for i, cls in enumerate(PROPOSITION_TYPES)}


def _covers(wide: tuple[Any, ...], narrow: tuple[Any, ...]) -> bool:
    """Whether a subject (None meaning any) covers another."""
    return all(w is None or w == n for w, n in zip(wide, narrow, strict=True))


def _territories(claims: Sequence[ComparedClaim]) -> dict[UUID, tuple[int, tuple[str, ...]]]:
    """Each sovereignty claim's territory: a number per set of shared names, and the names."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for c in claims:
        keys = [name_key(n) for n in c.claim.proposition.names]  # type: ignore[union-attr]
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
    numbers: dict[str, int] = {}
    names: dict[int, list[str]] = {}
    found = {}
    for c in claims:
        proposition = c.claim.proposition
        assert isinstance(proposition, Sovereignty)
        number = numbers.setdefault(find(name_key(proposition.territory)), len(numbers))
        known = names.setdefault(number, [])
        for name in proposition.names:
            if all(name_key(name) != name_key(k) for k in known):
                known.append(name)
        found[c.claim_id] = (number, known)
    return {claim_id: (number, tuple(known)) for claim_id, (number, known) in found.items()}


def compare_claims(
    incident_id: UUID,
    title: str,
    claims: Iterable[ComparedClaim],
    catalogue: AircraftCatalogue | None = None,
) -> Contradictions:
    """
    Compare claims: group them by proposition, find the sides and the conflicts between them.

    Args:
        incident_id: The incident they belong to.
        title: Its title.
        claims: The claims, in the order their statements were made.
        catalogue: Reference data on who flies what (the shipped
            :func:`~incidents.default_catalogue` when ``None``).

    Returns:
        The comparisons and the claims that contradict reference data.
    """
    known = default_catalogue() if catalogue is None else catalogue
    rules = _rules(known)
    ordered = list(claims)
    by_kind: dict[str, list[ComparedClaim]] = {}
    for claim in ordered:
        by_kind.setdefault(claim.claim.kind, []).append(claim)
    comparisons: list[tuple[int, Comparison]] = []
    place = {id(c): i for i, c in enumerate(ordered)}
    for kind, found in by_kind.items():
        if kind == FREE_TEXT:
            rule = _FREE_TEXT
            subjects = {id(c): rule.subject(c.claim) for c in found}
            words = {id(c): rule.words(c.claim) for c in found}
        else:
            rule = rules[PROPOSITION_TYPES[_KIND_ORDER[kind]]]
            subjects = {id(c): rule.subject(c.claim.proposition) for c in found}
            words = {id(c): rule.words(c.claim.proposition) for c in found}
            if kind == Sovereignty.KIND:
                territories = _territories(found)
                subjects = {id(c): (territories[c.claim_id][0],) for c in found}
                words = {
                    id(c): "sovereignty over " + " / ".join(territories[c.claim_id][1])
                    for c in found
                }
        for group_subject, members in _groups(found, subjects):
            first = next(c for c in members if subjects[id(c)] == group_subject)
            comparison = _compare(kind, words[id(first)], members, rule, subjects)
            wider = tuple(c.claim_id for c in members if subjects[id(c)] != group_subject)
            if wider:
                comparison = attrs.evolve(comparison, wider=wider)
            comparisons.append((place[id(members[0])], comparison))
    order = {Verdict.DISPUTED: 0, Verdict.AGREED: 1, Verdict.UNCONTESTED: 2}
    comparisons.sort(key=lambda item: (order[item[1].verdict], item[0]))
    return Contradictions(
        incident_id=incident_id,
        title=title,
        comparisons=tuple(c for _, c in comparisons),
        reference_conflicts=tuple(_against_reference(ordered, known)),
    )


def _groups(
    claims: Sequence[ComparedClaim], subjects: dict[int, tuple[Any, ...]]
) -> list[tuple[tuple[Any, ...], list[ComparedClaim]]]:
    """
    The propositions claims are about, each with the claims that cover it.

    A proposition is the subject of a claim that covers no other claim's
    narrower subject; a claim joins every proposition its subject covers.
    """
    distinct = list(dict.fromkeys(subjects[id(c)] for c in claims))
    narrowest = [s for s in distinct if not any(t != s and _covers(s, t) for t in distinct)]
    return [
        (subject, [c for c in claims if _covers(subjects[id(c)], subject)]) for subject in narrowest
    ]


def _compare(
    kind: str,
    subject: str,
    claims: list[ComparedClaim],
    rule: _Rule,
    subjects: dict[int, tuple[Any, ...]],
) -> Comparison:
    def target(claim: Claim) -> Any:
        return claim if claim.proposition is None else claim.proposition

    sides: dict[tuple[Any, ...], list[ComparedClaim]] = {}
    for claim in claims:
        given = rule.values(target(claim.claim))
        key = (claim.claim.stance, given, rule.figures(target(claim.claim)))
        sides.setdefault(key, []).append(claim)
    keys = list(sides)

    def conflict(a: ComparedClaim, b: ComparedClaim) -> bool:
        if a.claim.stance is Stance.DENIES and b.claim.stance is Stance.DENIES:
            return False
        a_values, b_values = rule.values(target(a.claim)), rule.values(target(b.claim))
        if a.claim.stance is not b.claim.stance:
            if a.claim.stance is Stance.AFFIRMS:
                a, b, a_values, b_values = b, a, b_values, a_values
            # A denial contradicts an affirmation of what it denies (as wide or
            # narrower), with the figures the denial gives.
            return _covers(subjects[id(a)], subjects[id(b)]) and all(
                d is None or d == f for d, f in zip(a_values, b_values, strict=True)
            )
        return any(
            x is not None and y is not None and not rule.compatible(x, y)
            for x, y in zip(a_values, b_values, strict=True)
        )

    conflicts = tuple(
        (i, j)
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if any(conflict(a, b) for a in sides[keys[i]] for b in sides[keys[j]])
    )
    if conflicts:
        verdict = Verdict.DISPUTED
    elif len(claims) > 1:
        verdict = Verdict.AGREED
    else:
        verdict = Verdict.UNCONTESTED
    return Comparison(
        kind=kind,
        subject=subject,
        verdict=verdict,
        sides=tuple(
            Side(
                stance=stance,
                position=stance.value + (f": {figures}" if figures else ""),
                claims=tuple(sides[(stance, given, figures)]),
            )
            for stance, given, figures in keys
        ),
        conflicts=conflicts,
    )


def _against_reference(
    claims: Sequence[ComparedClaim], catalogue: AircraftCatalogue
) -> list[ReferenceConflict]:
    found = []
    for claim in claims:
        if claim.claim.stance is not Stance.AFFIRMS:
            continue
        proposition = claim.claim.proposition
        flown: tuple[str | None, str | None] = (None, None)
        if isinstance(proposition, EscortedBy | AircraftCounted):
            flown = (proposition.nation, proposition.aircraft_type)
        elif isinstance(proposition, AirspaceEntered | ZoneEntered):
            flown = (proposition.by, proposition.aircraft_type)
        nation, aircraft_type = flown
        if nation is None or aircraft_type is None:
            continue
        if catalogue.operates(nation, aircraft_type) is False:
            found.append(
                ReferenceConflict(
                    claim=claim,
                    reason=f"{nation_name(nation)} ({nation}) flies no {aircraft_type}, "
                    "as the aircraft catalogue knows it",
                )
            )
    return found
