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

from incidents._codec.canonical import (
    canonical_bytes,
    converter,
    decode_event,
    decode_recorded,
    encode_event,
)
from incidents._domain.events import (
    EVENT_TYPES,
    AircraftReported,
    Claim,
    Correction,
    Credibility,
    Event,
    IncidentOpened,
    Interceptor,
    InterceptReported,
    PatrolReported,
    Recorded,
    Reliability,
    Retraction,
    SourceKind,
    SourceRegistered,
    Speaker,
    Stance,
    StatementIssued,
)
from incidents._domain.geo import METRES_PER_NAUTICAL_MILE, Location, Position
from incidents._domain.state import (
    Aircraft,
    Incident,
    Intercept,
    Patrol,
    Reading,
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
    ConcurrencyError,
    DuplicateEventError,
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
    VerificationError,
)
from incidents._ledger import Ledger
from incidents._timetravel.history import (
    Diff,
    FactChange,
    FactChangeKind,
    FieldChange,
    History,
    HistoryEntry,
)
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SignatureCheck, SignatureStatus, SigningKey, VerifierKey
from incidents._version import __version__
from incidents.audit._bundle import Bundle, BundleCheckpoint
from incidents.audit._log import StoredCheckpoint
from incidents.audit._proofs import ConsistencyProof, InclusionProof, parse_proof
from incidents.audit._replay import REPLAY_STATES, StateFunction, incident_states, replay_digests
from incidents.audit._verify import CheckpointCheck, Damage, DamageKind, RecorderPart, VerifyReport
from incidents.projections import (
    Change,
    ChangeKind,
    Projection,
    ReadModel,
    handles,
    incident_timeline,
    live,
)

__all__ = [
    "EVENT_TYPES",
    "METRES_PER_NAUTICAL_MILE",
    "REPLAY_STATES",
    "Aircraft",
    "AircraftReported",
    "Bundle",
    "BundleCheckpoint",
    "Change",
    "ChangeKind",
    "Checkpoint",
    "CheckpointCheck",
    "Claim",
    "Clock",
    "ConcurrencyError",
    "ConsistencyProof",
    "Correction",
    "Credibility",
    "Damage",
    "DamageKind",
    "Diff",
    "DuplicateEventError",
    "Event",
    "FactChange",
    "FactChangeKind",
    "FieldChange",
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
    "ReadModel",
    "Reading",
    "Recorded",
    "RecorderPart",
    "Reliability",
    "Retraction",
    "SignatureCheck",
    "SignatureStatus",
    "SigningKey",
    "Source",
    "SourceKind",
    "SourceRegistered",
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
    "UnknownSourceError",
    "ValidTime",
    "VerificationError",
    "VerifierKey",
    "VerifyReport",
    "__version__",
    "canonical_bytes",
    "converter",
    "decode_event",
    "decode_recorded",
    "encode_event",
    "fold",
    "handles",
    "incident_states",
    "incident_timeline",
    "live",
    "parse_instant",
    "parse_proof",
    "replay_digests",
]
