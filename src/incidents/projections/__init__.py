"""
Projections: views over the whole record, and three ways to run them.

Write a projection as a small class with an initial state and a handler per
event type; run it live from the log (:func:`live`), keep it in the ledger's
database and catch it up in batches (:class:`ReadModel`), or rebuild it from
zero (:meth:`ReadModel.rebuild`). Built-in projections: :class:`Timeline`
(with :func:`incident_timeline` for one incident as known at any time),
:class:`AircraftRoster`, :class:`Intercepts`, :class:`StatementsBySpeaker`,
:class:`SourceSupport` and :class:`ClaimComparisons` (contradictions and
agreements between claims). See ``docs/projections.md``.
"""

from incidents._errors import ProjectionError, UnknownProjectionError
from incidents._public import report_public_module
from incidents.projections._claims import ClaimComparisons
from incidents.projections._encoding import state_bytes
from incidents.projections._projection import Change, ChangeKind, Projection, State, handles
from incidents.projections._read_model import Progress, ReadModel
from incidents.projections._registry import get, register, registered
from incidents.projections._run import Projected, live, project
from incidents.projections._timeline import (
    IncidentTimeline,
    Timeline,
    TimelineAssessment,
    TimelineEntry,
    TimelineNote,
    incident_timeline,
)
from incidents.projections._views import (
    AircraftRoster,
    Intercepts,
    SourceSupport,
    StatementsBySpeaker,
)
from incidents.storage import ProjectionCheckpoint

for _builtin in (
    Timeline,
    AircraftRoster,
    Intercepts,
    StatementsBySpeaker,
    SourceSupport,
    ClaimComparisons,
):
    register(_builtin, replace=True)
del _builtin

__all__ = [
    "AircraftRoster",
    "Change",
    "ChangeKind",
    "ClaimComparisons",
    "IncidentTimeline",
    "Intercepts",
    "Progress",
    "Projected",
    "Projection",
    "ProjectionCheckpoint",
    "ProjectionError",
    "ReadModel",
    "SourceSupport",
    "State",
    "StatementsBySpeaker",
    "Timeline",
    "TimelineAssessment",
    "TimelineEntry",
    "TimelineNote",
    "UnknownProjectionError",
    "get",
    "handles",
    "incident_timeline",
    "live",
    "project",
    "register",
    "registered",
    "state_bytes",
]

report_public_module(__name__, globals(), __all__)
