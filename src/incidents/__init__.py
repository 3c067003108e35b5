"""
incidents: an event-sourced, auditable ledger of military air incidents.

Every fact is an immutable event attributed to its source, with the time it
happened (valid time) and the time the ledger learned it (recording time).
Domain objects are folded from events; corrections and retractions are new
events, never edits.

>>> from incidents import Ledger, examples
>>> with Ledger.open(":memory:") as ledger:
...     _ = ledger.record(*examples.alaska_2024())
...     incident = ledger.incident(examples.ALASKA_2024)
>>> incident.aircraft_by_nation()
{'CN': {'H-6': 2}, 'RU': {'Tu-95': 2}}
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any

from incidents._public import report_public_module

if TYPE_CHECKING:
    from incidents._codec.canonical import (
        canonical_bytes,
        converter,
        decode_event,
        decode_recorded,
        encode_event,
    )
    from incidents._domain.catalogue import (
        AircraftCatalogue,
        AircraftOperator,
        AircraftRole,
        AircraftType,
        default_catalogue,
    )
    from incidents._domain.claims import (
        AimedAtThirdParties,
        AircraftCounted,
        AirspaceEntered,
        EscortedBy,
        EventDated,
        Proposition,
        Sovereignty,
        WarningShotsFired,
        ZoneEntered,
        derived_claim_id,
    )
    from incidents._domain.contradictions import (
        ComparedClaim,
        Comparison,
        Contradictions,
        ReferenceConflict,
        Side,
        Verdict,
    )
    from incidents._domain.events import (
        EVENT_TYPES,
        SOURCES_REGISTRY,
        AircraftReported,
        AssessmentMade,
        Claim,
        Correction,
        Count,
        Credibility,
        Event,
        IncidentOpened,
        Interceptor,
        InterceptReported,
        PatrolReported,
        Recorded,
        Reliability,
        ReportsReconciled,
        Retraction,
        SourceKind,
        SourceRegistered,
        Speaker,
        Stance,
        StatementIssued,
    )
    from incidents._domain.geo import METRES_PER_NAUTICAL_MILE, Location, Position
    from incidents._domain.limits import (
        MAX_BATCH_EVENTS,
        MAX_BUNDLE_HEADER,
        MAX_BUNDLE_LINE_BYTES,
        MAX_EVENT_BYTES,
        MAX_INSTANT,
        MAX_INTEGER,
        MAX_ITEMS,
        MAX_NAME_LENGTH,
        MAX_NESTING,
        MAX_TEXT_LENGTH,
        MAX_VERTICES,
        MIN_INSTANT,
    )
    from incidents._domain.state import (
        Aircraft,
        AircraftAccount,
        AircraftGroup,
        Assessment,
        Incident,
        Intercept,
        Patrol,
        Reading,
        Reconciliation,
        Source,
        Statement,
        fold,
    )
    from incidents._domain.time import (
        Clock,
        FixedClock,
        Precision,
        SteppingClock,
        SystemClock,
        ValidTime,
        parse_instant,
    )
    from incidents._errors import (
        ClockBehindError,
        ConcurrencyError,
        DuplicateEventError,
        FileWriteError,
        FutureKnowledgeError,
        IncidentsError,
        InvalidInputError,
        LedgerClosedError,
        ProjectionError,
        StorageError,
        UnknownEventError,
        UnknownIncidentError,
        UnknownProjectionError,
        UnknownSourceError,
        UnsettledKnowledgeError,
        VerificationError,
    )
    from incidents._gc import set_gc_pauses
    from incidents._ledger import Ledger, RecordedBatch
    from incidents._timetravel.history import (
        Diff,
        FactChange,
        FactChangeKind,
        FieldChange,
        History,
        HistoryEntry,
    )
    from incidents.audit import (
        REPLAY_STATES,
        Bundle,
        BundleCheckpoint,
        Checkpoint,
        CheckpointCheck,
        ConsistencyProof,
        Damage,
        DamageKind,
        InclusionProof,
        RecorderPart,
        SignatureCheck,
        SignatureStatus,
        SigningKey,
        StateFunction,
        StoredCheckpoint,
        VerifierKey,
        VerifyReport,
        incident_states,
        parse_proof,
        replay_digests,
    )
    from incidents.projections import (
        Change,
        ChangeKind,
        Projection,
        ReadModel,
        handles,
        incident_timeline,
        live,
    )

# Every public name is imported from its module when first used (PEP 562):
# ``import incidents`` imports none of them, and ``from incidents import
# Ledger`` only what the ledger needs (tests/test_import_time.py). The
# imports above, for type checkers, and this table name the same modules
# (tests/test_public_api.py checks that they agree).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "incidents._codec.canonical": (
        "canonical_bytes",
        "converter",
        "decode_event",
        "decode_recorded",
        "encode_event",
    ),
    "incidents._domain.catalogue": (
        "AircraftCatalogue",
        "AircraftOperator",
        "AircraftRole",
        "AircraftType",
        "default_catalogue",
    ),
    "incidents._domain.claims": (
        "AimedAtThirdParties",
        "AircraftCounted",
        "AirspaceEntered",
        "EscortedBy",
        "EventDated",
        "Proposition",
        "Sovereignty",
        "WarningShotsFired",
        "ZoneEntered",
        "derived_claim_id",
    ),
    "incidents._domain.contradictions": (
        "ComparedClaim",
        "Comparison",
        "Contradictions",
        "ReferenceConflict",
        "Side",
        "Verdict",
    ),
    "incidents._domain.events": (
        "EVENT_TYPES",
        "SOURCES_REGISTRY",
        "AircraftReported",
        "AssessmentMade",
        "Claim",
        "Correction",
        "Count",
        "Credibility",
        "Event",
        "IncidentOpened",
        "Interceptor",
        "InterceptReported",
        "PatrolReported",
        "Recorded",
        "Reliability",
        "ReportsReconciled",
        "Retraction",
        "SourceKind",
        "SourceRegistered",
        "Speaker",
        "Stance",
        "StatementIssued",
    ),
    "incidents._domain.geo": (
        "METRES_PER_NAUTICAL_MILE",
        "Location",
        "Position",
    ),
    "incidents._domain.limits": (
        "MAX_BATCH_EVENTS",
        "MAX_BUNDLE_HEADER",
        "MAX_BUNDLE_LINE_BYTES",
        "MAX_EVENT_BYTES",
        "MAX_INSTANT",
        "MAX_INTEGER",
        "MAX_ITEMS",
        "MAX_NAME_LENGTH",
        "MAX_NESTING",
        "MAX_TEXT_LENGTH",
        "MAX_VERTICES",
        "MIN_INSTANT",
    ),
    "incidents._domain.state": (
        "Aircraft",
        "AircraftAccount",
        "AircraftGroup",
        "Assessment",
        "Incident",
        "Intercept",
        "Patrol",
        "Reading",
        "Reconciliation",
        "Source",
        "Statement",
        "fold",
    ),
    "incidents._domain.time": (
        "Clock",
        "FixedClock",
        "Precision",
        "SteppingClock",
        "SystemClock",
        "ValidTime",
        "parse_instant",
    ),
    "incidents._errors": (
        "ClockBehindError",
        "ConcurrencyError",
        "DuplicateEventError",
        "FileWriteError",
        "FutureKnowledgeError",
        "IncidentsError",
        "InvalidInputError",
        "LedgerClosedError",
        "ProjectionError",
        "StorageError",
        "UnknownEventError",
        "UnknownIncidentError",
        "UnknownProjectionError",
        "UnknownSourceError",
        "UnsettledKnowledgeError",
        "VerificationError",
    ),
    "incidents._gc": ("set_gc_pauses",),
    "incidents._ledger": (
        "Ledger",
        "RecordedBatch",
    ),
    "incidents._timetravel.history": (
        "Diff",
        "FactChange",
        "FactChangeKind",
        "FieldChange",
        "History",
        "HistoryEntry",
    ),
    "incidents.audit": (
        "REPLAY_STATES",
        "Bundle",
        "BundleCheckpoint",
        "Checkpoint",
        "CheckpointCheck",
        "ConsistencyProof",
        "Damage",
        "DamageKind",
        "InclusionProof",
        "RecorderPart",
        "SignatureCheck",
        "SignatureStatus",
        "SigningKey",
        "StateFunction",
        "StoredCheckpoint",
        "VerifierKey",
        "VerifyReport",
        "incident_states",
        "parse_proof",
        "replay_digests",
    ),
    "incidents.projections": (
        "Change",
        "ChangeKind",
        "Projection",
        "ReadModel",
        "handles",
        "incident_timeline",
        "live",
    ),
}

_FROM = {name: module for module, names in _EXPORTS.items() for name in names}
_loading = threading.RLock()

__all__ = [
    "EVENT_TYPES",
    "SOURCES_REGISTRY",
    "MAX_BATCH_EVENTS",
    "MAX_BUNDLE_HEADER",
    "MAX_BUNDLE_LINE_BYTES",
    "MAX_EVENT_BYTES",
    "MAX_INSTANT",
    "MAX_INTEGER",
    "MAX_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_NESTING",
    "MAX_TEXT_LENGTH",
    "MAX_VERTICES",
    "MIN_INSTANT",
    "METRES_PER_NAUTICAL_MILE",
    "REPLAY_STATES",
    "AimedAtThirdParties",
    "Aircraft",
    "AircraftAccount",
    "AircraftCatalogue",
    "AircraftCounted",
    "AircraftGroup",
    "AircraftOperator",
    "AircraftReported",
    "AircraftRole",
    "AircraftType",
    "AirspaceEntered",
    "Assessment",
    "AssessmentMade",
    "Bundle",
    "BundleCheckpoint",
    "Change",
    "ChangeKind",
    "Checkpoint",
    "CheckpointCheck",
    "Claim",
    "Clock",
    "ClockBehindError",
    "ComparedClaim",
    "Comparison",
    "ConcurrencyError",
    "ConsistencyProof",
    "Contradictions",
    "Correction",
    "Count",
    "Credibility",
    "Damage",
    "DamageKind",
    "Diff",
    "DuplicateEventError",
    "EscortedBy",
    "Event",
    "EventDated",
    "FactChange",
    "FactChangeKind",
    "FieldChange",
    "FileWriteError",
    "FixedClock",
    "FutureKnowledgeError",
    "History",
    "HistoryEntry",
    "Incident",
    "IncidentOpened",
    "IncidentsError",
    "InclusionProof",
    "Intercept",
    "InterceptReported",
    "Interceptor",
    "InvalidInputError",
    "Ledger",
    "LedgerClosedError",
    "Location",
    "Patrol",
    "PatrolReported",
    "Position",
    "Precision",
    "Projection",
    "ProjectionError",
    "Proposition",
    "ReadModel",
    "Reading",
    "Reconciliation",
    "Recorded",
    "RecordedBatch",
    "RecorderPart",
    "ReferenceConflict",
    "Reliability",
    "ReportsReconciled",
    "Retraction",
    "Side",
    "SignatureCheck",
    "SignatureStatus",
    "SigningKey",
    "Source",
    "SourceKind",
    "SourceRegistered",
    "Sovereignty",
    "Speaker",
    "Stance",
    "StateFunction",
    "Statement",
    "StatementIssued",
    "SteppingClock",
    "StorageError",
    "StoredCheckpoint",
    "SystemClock",
    "UnknownEventError",
    "UnknownIncidentError",
    "UnknownProjectionError",
    "UnsettledKnowledgeError",
    "UnknownSourceError",
    "ValidTime",
    "Verdict",
    "VerificationError",
    "VerifierKey",
    "VerifyReport",
    "WarningShotsFired",
    "ZoneEntered",
    "__version__",
    "canonical_bytes",
    "converter",
    "decode_event",
    "decode_recorded",
    "default_catalogue",
    "derived_claim_id",
    "encode_event",
    "fold",
    "handles",
    "incident_states",
    "incident_timeline",
    "live",
    "parse_instant",
    "parse_proof",
    "replay_digests",
    "set_gc_pauses",
]

__version__: str
"""The installed version of ``incidents``, e.g. ``"0.1.0"`` (read when first asked)."""


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        if name == "__version__":
            # Read from the installed metadata when first asked: importlib.metadata
            # costs more to import than most of the library.
            from incidents._version import installed_version

            return installed_version()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _loading:
        namespace = globals()
        if name not in namespace:
            found = importlib.import_module(module)
            names = _EXPORTS[module]
            for each in names:
                namespace[each] = getattr(found, each)
            report_public_module(__name__, namespace, names)
        return namespace[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
