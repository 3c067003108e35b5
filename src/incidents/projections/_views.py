"""
Built-in views over the whole record: aircraft, intercepts, statements, sources.

Each is a :class:`~incidents.projections.Projection` written the way users
write theirs: handlers that add a fact when it enters and take it away when
it leaves (corrected or retracted), so the views always show the record as
it now stands. Every view renders itself as text for the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from incidents._domain.events import (
    NEW_FACT_TYPES,
    SOURCES_REGISTRY,
    AircraftReported,
    AssessmentMade,
    Correction,
    Count,
    Event,
    IncidentOpened,
    InterceptReported,
    PatrolReported,
    ReportsReconciled,
    Retraction,
    SourceRegistered,
    StatementIssued,
)
from incidents._domain.state import reconcile_reports
from incidents._domain.words import (
    describe_fact,
    display_width,
    fact_name,
    pad,
    table_source_label,
)
from incidents.projections._projection import Change, Projection, State, handles
from incidents.projections._timeline import _when

__all__ = ["AircraftRoster", "Intercepts", "SourceSupport", "StatementsBySpeaker"]


def _bump(counts: dict[str, Any], key: str, by: int) -> None:
    """Add *by* to ``counts[key]``, dropping it at zero."""
    value = counts.get(key, 0) + by
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)


def _rows(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns measured in terminal columns: a name in Chinese takes twice its length."""
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return [
        "  ".join(pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
        *lines,
    ]


class AircraftRoster(Projection):
    """
    Airframes by nation and type family, reconciled: reports of the same aircraft count once.

    Each incident's reports are grouped and given one figure as
    :attr:`incidents.Incident.aircraft_groups` does (same nation and family,
    unless a reconciliation says otherwise; the best-graded source's count),
    and the figures are added up over incidents. The state maps each nation,
    then family, to its airframes, reports, incidents and the designations
    the reports name (``state["CN"]["H-6"]["airframes"]``), as version 1
    mapped nation and designation to reports added up; beside the nations,
    ``"incidents"`` keeps what each incident's groups are worked out from
    (its reports, reconciliations and groups) and ``"grades"`` each source's
    grade. Neither is a nation code.
    """

    name = "aircraft-roster"
    version = 2

    def initial(self) -> State:
        """
        An empty roster, no incidents, no sources' grades.
        """
        return {"incidents": {}, "grades": {}}

    @staticmethod
    def _incident(state: State, change: Change[Any]) -> dict[str, Any]:
        found: dict[str, Any] = state["incidents"].setdefault(
            str(change.incident_id), {"aircraft": {}, "reconciliations": {}, "groups": []}
        )
        return found

    @handles(AircraftReported)
    def aircraft(self, state: State, change: Change[AircraftReported]) -> None:
        """
        Take a report in or out, and reconcile its incident again.
        """
        incident = self._incident(state, change)
        key = str(change.event_id)
        if change.removed:
            del incident["aircraft"][key]
        else:
            event = change.event
            incident["aircraft"][key] = {
                "type": event.type_designation,
                "nation": event.nation,
                "count": [event.count.low, event.count.high],
                "source": str(event.source_id),
                "order": [*_when(event.valid_time)["order"], change.fact.position],
            }
        self._reconcile(state, str(change.incident_id))

    @handles(ReportsReconciled)
    def reconciliation(self, state: State, change: Change[ReportsReconciled]) -> None:
        """
        Take a reconciliation in or out, and reconcile its incident again.
        """
        incident = self._incident(state, change)
        key = str(change.event_id)
        if change.removed:
            del incident["reconciliations"][key]
        else:
            incident["reconciliations"][key] = {
                "reports": [str(r) for r in change.event.reports],
                "same": change.event.same,
                "position": change.fact.position,
            }
        self._reconcile(state, str(change.incident_id))

    @handles(SourceRegistered)
    def source(self, state: State, change: Change[SourceRegistered]) -> None:
        """
        Keep each source's grade, which picks a group's figure; reconcile what cites it again.
        """
        key = str(change.event_id)
        if change.removed:
            state["grades"].pop(key, None)
        else:
            event = change.event
            state["grades"][key] = [event.reliability.value, event.credibility.value]
        for incident_id, incident in list(state["incidents"].items()):
            if any(a["source"] == key for a in incident["aircraft"].values()):
                self._reconcile(state, incident_id)

    @staticmethod
    def _reconcile(state: State, incident_id: str) -> None:
        incident = state["incidents"][incident_id]
        roster = state
        for nation, family, figure, designations in incident["groups"]:
            _count_group(roster, incident_id, nation, family, designations, -1, figure)
        groups = reconcile_reports(
            [
                (
                    UUID(key),
                    a["nation"],
                    a["type"],
                    Count(low=a["count"][0], high=a["count"][1]),
                    UUID(a["source"]),
                )
                for key, a in sorted(incident["aircraft"].items(), key=lambda i: i[1]["order"])
            ],
            [
                (tuple(UUID(r) for r in r_["reports"]), r_["same"])
                for r_ in sorted(incident["reconciliations"].values(), key=lambda r: r["position"])
            ],
            {
                UUID(source): (state["grades"][source][0], state["grades"][source][1])
                for source in {a["source"] for a in incident["aircraft"].values()}
                if source in state["grades"]
            },
        )
        incident["groups"] = [
            [g.nation, g.family, g.figure, [a.type_designation for a in g.accounts]] for g in groups
        ]
        for nation, family, figure, designations in incident["groups"]:
            _count_group(roster, incident_id, nation, family, designations, 1, figure)
        if not any(incident[k] for k in ("aircraft", "reconciliations", "groups")):
            del state["incidents"][incident_id]

    def render(self, state: State) -> str:
        """
        One row per nation and family: reconciled airframes, reports, incidents, designations named.
        """
        rows = [
            (
                nation,
                family,
                str(e["airframes"]),
                str(e["reports"]),
                str(len(e["incidents"])),
                ", ".join(sorted(e["types"])),
            )
            for nation, families in sorted(state.items())
            if nation not in _BOOKKEEPING
            for family, e in sorted(families.items())
        ]
        if not rows:
            return "No aircraft reported."
        return "\n".join(
            _rows(("NATION", "FAMILY", "AIRFRAMES", "REPORTS", "INCIDENTS", "AS REPORTED"), rows)
        )


_BOOKKEEPING = frozenset({"incidents", "grades"})
"""The keys of the roster's state that are not nations."""


def _count_group(
    roster: State,
    incident_id: str,
    nation: str,
    family: str,
    designations: list[str],
    sign: int,
    figure: int,
) -> None:
    """Add one reconciled group to the roster (``sign`` 1) or take it out (-1)."""
    families = roster.setdefault(nation, {})
    entry = families.setdefault(
        family, {"airframes": 0, "reports": 0, "incidents": {}, "types": {}}
    )
    entry["airframes"] += sign * figure
    entry["reports"] += sign * len(designations)
    _bump(entry["incidents"], incident_id, sign * figure)
    for designation in designations:
        _bump(entry["types"], designation, sign)
    if not entry["reports"]:
        del families[family]
    if not families:
        del roster[nation]


class Intercepts(Projection):
    """
    Every intercept, by incident: who intercepted whom, when, where, on whose word.
    """

    name = "intercepts"
    version = 2  # 2: valid times and source labels as the timeline's version 2 shows them

    @staticmethod
    def _incident(state: State, incident_id: Any) -> dict[str, Any]:
        found: dict[str, Any] = state.setdefault(
            str(incident_id), {"title": None, "sources": {}, "targets": {}, "intercepts": {}}
        )
        return found

    @handles(IncidentOpened)
    def opened(self, state: State, change: Change[IncidentOpened]) -> None:
        """
        Keep the incident's title.
        """
        if change.added:
            self._incident(state, change.incident_id)["title"] = change.event.title

    @handles(SourceRegistered)
    def source(self, state: State, change: Change[SourceRegistered]) -> None:
        """
        Keep a label per source.
        """
        if change.added:
            incident = self._incident(state, change.incident_id)
            incident["sources"][str(change.event_id)] = table_source_label(change.event)

    @handles(AircraftReported, PatrolReported)
    def target(self, state: State, change: Change[Event]) -> None:
        """
        Keep a name for whatever may be intercepted.
        """
        if change.added:
            incident = self._incident(state, change.incident_id)
            incident["targets"][str(change.event_id)] = fact_name(change.event)

    @handles(InterceptReported)
    def intercept(self, state: State, change: Change[InterceptReported]) -> None:
        """
        Add or remove an intercept.
        """
        incident = self._incident(state, change.incident_id)
        key = str(change.event_id)
        if change.removed:
            del incident["intercepts"][key]
            return
        event = change.event
        timing = _when(event.valid_time)
        incident["intercepts"][key] = {
            "when": timing["when"],
            "order": timing["order"],
            "sequence": change.fact.sequence,
            "by": [[i.nation, i.type_designation, i.count] for i in event.interceptors],
            "nations": sorted({i.nation for i in event.interceptors}),
            "what": describe_fact(event),
            "targets": [str(t) for t in event.intercepted],
            "source_id": str(event.source_id),
        }

    def render(self, state: State) -> str:
        """
        Intercepts per incident, then the count per responding nation.
        """
        lines: list[str] = []
        by_nation: dict[str, int] = {}
        registry = state.get(str(SOURCES_REGISTRY), {}).get("sources", {})
        for _, incident in sorted(state.items(), key=lambda item: item[1]["title"] or item[0]):
            found = sorted(
                incident["intercepts"].values(), key=lambda i: (*i["order"], i["sequence"])
            )
            if not found:
                continue
            lines.append(incident["title"] or "(untitled incident)")
            for i in found:
                targets = ", ".join(incident["targets"].get(t, t[:8]) for t in i["targets"])
                source = incident["sources"].get(i["source_id"]) or registry.get(
                    i["source_id"], i["source_id"][:8]
                )
                lines.append(f"  {i['when']}: {targets} {i['what']} - {source}")
                for nation in i["nations"]:
                    by_nation[nation] = by_nation.get(nation, 0) + 1
        if not lines:
            return "No intercepts reported."
        lines.append("")
        lines.append(
            "Intercepts by responding nation: "
            + ", ".join(f"{n} {c}" for n, c in sorted(by_nation.items()))
        )
        return "\n".join(lines)


class StatementsBySpeaker(Projection):
    """
    Statements by organization and speaker, with their quotes and claims.
    """

    name = "statements"
    version = 2  # 2: valid times and source labels as the timeline's version 2 shows them

    @handles(SourceRegistered)
    def source(self, state: State, change: Change[SourceRegistered]) -> None:
        """
        Keep a label per source.
        """
        if change.added:
            state[f"source/{change.event_id}"] = table_source_label(change.event)

    @handles(StatementIssued)
    def statement(self, state: State, change: Change[StatementIssued]) -> None:
        """
        File a statement under its organization and speaker, or take it out.
        """
        event = change.event
        organization = f"organization/{event.speaker.organization or '(no organization)'}"
        speaker = event.speaker.name or "(unnamed)"
        speakers = state.setdefault(organization, {})
        statements = speakers.setdefault(speaker, {})
        key = str(change.event_id)
        if change.added:
            timing = _when(event.valid_time)
            statements[key] = {
                "incident_id": str(change.incident_id),
                "role": event.speaker.role,
                "medium": event.medium,
                "when": timing["when"],
                "order": timing["order"],
                "sequence": change.fact.sequence,
                "quotes": list(event.quotes),
                "claims": [[c.stance.value, c.topic, c.text] for c in event.claims],
                "source_id": str(event.source_id),
            }
            return
        del statements[key]
        if not statements:
            del speakers[speaker]
        if not speakers:
            del state[organization]

    def render(self, state: State) -> str:
        """
        Organizations, their speakers, each statement with quotes and claims.
        """
        lines: list[str] = []
        for key, speakers in sorted(state.items()):
            if not key.startswith("organization/"):
                continue
            lines.append(key.removeprefix("organization/"))
            for speaker, statements in sorted(speakers.items()):
                count = len(statements)
                lines.append(f"  {speaker}: {count} statement{'s' if count != 1 else ''}")
                for s in sorted(statements.values(), key=lambda s: (*s["order"], s["sequence"])):
                    role = f"{s['role']}, " if s["role"] else ""
                    source = state.get(f"source/{s['source_id']}", s["source_id"][:8])
                    lines.append(f"    {s['when']}, {role}{s['medium']} - {source}")
                    lines.extend(f'      "{q}"' for q in s["quotes"])
                    lines.extend(
                        f"      {stance} {topic}: {text}" for stance, topic, text in s["claims"]
                    )
        return "\n".join(lines) if lines else "No statements recorded."


class SourceSupport(Projection):
    """
    Every source with its grade, what it cites, and each fact and amendment it supports.
    """

    name = "sources"
    version = 2  # 2: valid times and source labels as the timeline's version 2 shows them

    @handles(SourceRegistered)
    def registered(self, state: State, change: Change[SourceRegistered]) -> None:
        """
        Describe a source (again, when corrected); mark it withdrawn when retracted.
        """
        event = change.event
        entry = state.setdefault(str(change.event_id), {"supports": {}})
        if change.removed:
            entry["withdrawn"] = True
            return
        entry.update(
            {
                "incident_id": str(change.incident_id),
                "label": table_source_label(event),
                "publisher": event.publisher,
                "kind": event.kind.value,
                "title": event.title,
                "url": event.url,
                "reliability": event.reliability.value,
                "credibility": event.credibility.value,
                "cites": [str(c) for c in event.cites],
                "sequence": change.fact.sequence,
                "withdrawn": False,
            }
        )

    @handles(
        IncidentOpened,
        AircraftReported,
        PatrolReported,
        InterceptReported,
        StatementIssued,
        AssessmentMade,
        ReportsReconciled,
        *NEW_FACT_TYPES,
    )
    def fact(self, state: State, change: Change[Event]) -> None:
        """
        List a fact (or an assessment resting on the source) under its source while it stands.
        """
        # An incident is opened citing a source registered just after it.
        supports = state.setdefault(str(change.event.source_id), {"supports": {}})["supports"]
        key = str(change.event_id)
        if change.added:
            supports[key] = {
                "type": change.event.TYPE,
                "what": describe_fact(change.event),
                "sequence": change.fact.sequence,
            }
        else:
            del supports[key]

    @handles(Correction, Retraction)
    def amendment(self, state: State, change: Change[Correction | Retraction]) -> None:
        """
        List each correction and retraction under the source it cites, as recorded.
        """
        event = change.event
        verb = "corrects" if isinstance(event, Correction) else "retracts"
        state[str(event.source_id)]["supports"][str(change.event_id)] = {
            "type": event.TYPE,
            "what": f"{verb} {str(event.target_id)[:8]}: {event.reason}",
            "sequence": change.fact.sequence,
        }

    def render(self, state: State) -> str:
        """
        Each source, then what it supports.
        """
        lines: list[str] = []
        for source in sorted(state.values(), key=lambda s: s.get("sequence", 0)):
            if "label" not in source:
                continue
            cites = ", ".join(
                state.get(cited, {}).get("label") or cited[:8] for cited in source["cites"]
            )
            head = f"{source['label']} {source['kind'].replace('_', ' ')}"
            if source["title"]:
                head += f': "{source["title"]}"'
            if cites:
                head += f", citing {cites}"
            if source["withdrawn"]:
                head += " (withdrawn)"
            lines.append(head)
            supported = sorted(source["supports"].values(), key=lambda s: s["sequence"])
            lines.extend(f"  - {s['what']}" for s in supported)
            if not supported:
                lines.append("  (supports nothing)")
        return "\n".join(lines) if lines else "No sources registered."
