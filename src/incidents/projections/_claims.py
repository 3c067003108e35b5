"""
The claims of every incident, compared: a built-in projection of contradictions and agreements.

:class:`ClaimComparisons` keeps, per incident, every statement's claims with
its speaker and source, every source's grade and every assessment, as they
now stand (corrected claims re-enter corrected, retracted ones leave). Its
rendering compares them with the rules of
:meth:`incidents.Incident.contradictions`: the same answer, for every
incident at once, kept up to date by a read model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from incidents._codec.canonical import converter
from incidents._domain.contradictions import (
    Assessment,
    ComparedClaim,
    Contradictions,
    assessments_beside,
    compare_claims,
)
from incidents._domain.events import (
    SOURCES_REGISTRY,
    AssessmentMade,
    Claim,
    Credibility,
    IncidentOpened,
    Reliability,
    SourceRegistered,
    Speaker,
    StatementIssued,
)
from incidents._domain.time import ValidTime
from incidents.projections._projection import Change, Projection, State, handles
from incidents.projections._timeline import _when, assessment_document

__all__ = ["ClaimComparisons"]


class ClaimComparisons(Projection):
    """
    Every incident's claims compared: what is disputed, what is agreed, what contradicts reference data.
    """

    name = "contradictions"
    version = 1

    @staticmethod
    def _incident(state: State, change: Change[Any]) -> dict[str, Any]:
        found: dict[str, Any] = state.setdefault(
            str(change.incident_id),
            {"title": None, "sources": {}, "statements": {}, "assessments": {}},
        )
        return found

    @handles(IncidentOpened)
    def opened(self, state: State, change: Change[IncidentOpened]) -> None:
        """
        Keep the incident's title.
        """
        if change.added:
            self._incident(state, change)["title"] = change.event.title

    @handles(SourceRegistered)
    def source(self, state: State, change: Change[SourceRegistered]) -> None:
        """
        Keep each source's publisher and grade while it stands.
        """
        sources = self._incident(state, change)["sources"]
        key = str(change.event_id)
        if change.removed:
            del sources[key]
            return
        event = change.event
        sources[key] = {
            "publisher": event.publisher,
            "reliability": event.reliability.value,
            "credibility": event.credibility.value,
        }

    @handles(StatementIssued)
    def statement(self, state: State, change: Change[StatementIssued]) -> None:
        """
        Keep a statement's claims, with who made them, while it stands.
        """
        statements = self._incident(state, change)["statements"]
        key = str(change.event_id)
        if change.removed:
            del statements[key]
            return
        event = change.event
        statements[key] = {
            "speaker": converter.unstructure(event.speaker),
            "medium": event.medium,
            "said": converter.unstructure(event.valid_time),
            "order": _when(event.valid_time)["order"],
            "sequence": change.fact.sequence,
            "source_id": str(event.source_id),
            "claims": [
                [str(claim_id), converter.unstructure(claim)]
                for claim_id, claim in zip(event.claim_ids(), event.claims, strict=True)
            ],
        }

    @handles(AssessmentMade)
    def assessment(self, state: State, change: Change[AssessmentMade]) -> None:
        """
        Keep an assessment while it stands.
        """
        assessments = self._incident(state, change)["assessments"]
        key = str(change.event_id)
        if change.removed:
            del assessments[key]
            return
        assessments[key] = {
            **assessment_document(change),
            "citations": [str(c) for c in change.event.citations],
            "corrections": [str(c) for c in change.corrections],
        }

    @staticmethod
    def compare(
        incident_id: str, data: dict[str, Any], registry: dict[str, Any] | None = None
    ) -> Contradictions:
        """
        Compare the claims of one incident of the state.

        Args:
            incident_id: The incident's id, as a state key.
            data: Its part of the state.
            registry: The sources registry's part of the state
                (``state.get(str(SOURCES_REGISTRY))``), for the registry
                sources the incident cites.

        Returns:
            The same comparisons as :meth:`incidents.Incident.contradictions`
            of the incident as it now stands.
        """
        assessments = [
            Assessment(
                id=UUID(key),
                target_id=UUID(a["target"]),
                claim_id=None if a["claim"] is None else UUID(a["claim"]),
                credibility=Credibility(a["credibility"]),
                reasoning=a["reasoning"],
                citations=tuple(UUID(c) for c in a["citations"]),
                source_id=UUID(a["source_id"]),
                recorder=a["recorder"],
                recorded_at=datetime.fromisoformat(a["recorded_at"]),
                corrections=tuple(UUID(c) for c in a["corrections"]),
            )
            for key, a in sorted(data["assessments"].items(), key=lambda i: i[1]["sequence"])
        ]
        registry = (registry or {}).get("sources", {})
        claims = []
        statements = sorted(
            data["statements"].items(), key=lambda item: (*item[1]["order"], item[1]["sequence"])
        )
        for key, s in statements:
            source = data["sources"].get(s["source_id"]) or registry.get(s["source_id"])
            statement_id, source_id = UUID(key), UUID(s["source_id"])
            for claim_id, claim in s["claims"]:
                claims.append(
                    ComparedClaim(
                        claim_id=UUID(claim_id),
                        claim=converter.structure(claim, Claim),
                        statement_id=statement_id,
                        speaker=converter.structure(s["speaker"], Speaker),
                        medium=s["medium"],
                        said=converter.structure(s["said"], ValidTime),
                        source_id=source_id,
                        publisher=None if source is None else source["publisher"],
                        reliability=None if source is None else Reliability(source["reliability"]),
                        credibility=None if source is None else Credibility(source["credibility"]),
                        assessments=assessments_beside(
                            assessments, statement_id, UUID(claim_id), source_id
                        ),
                    )
                )
        return compare_claims(UUID(incident_id), data["title"] or "(untitled incident)", claims)

    def render(self, state: State) -> str:
        """
        Each incident with claims: its disputes, agreements and claims against reference data.
        """
        parts = [
            self.compare(incident_id, data, state.get(str(SOURCES_REGISTRY))).render()
            for incident_id, data in sorted(state.items(), key=lambda i: i[1]["title"] or i[0])
            if any(s["claims"] for s in data["statements"].values())
        ]
        return "\n\n".join(parts) if parts else "No claims recorded."
