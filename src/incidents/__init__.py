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

from importlib.metadata import PackageNotFoundError, version

from incidents._codec import canonical_bytes, converter, decode_event, decode_recorded, encode_event
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
)
from incidents._events import (
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
from incidents._geo import METRES_PER_NAUTICAL_MILE, Location, Position
from incidents._ledger import Ledger
from incidents._state import (
    Aircraft,
    Incident,
    Intercept,
    Patrol,
    Reading,
    Source,
    Statement,
    fold,
)
from incidents._time import (
    Clock,
    FixedClock,
    Precision,
    SteppingClock,
    SystemClock,
    ValidTime,
    parse_instant,
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

try:
    __version__ = version("incidents")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "EVENT_TYPES",
    "METRES_PER_NAUTICAL_MILE",
    "Aircraft",
    "AircraftReported",
    "Change",
    "ChangeKind",
    "Claim",
    "Clock",
    "ConcurrencyError",
    "Correction",
    "Credibility",
    "DuplicateEventError",
    "Event",
    "FixedClock",
    "FutureKnowledgeError",
    "Incident",
    "IncidentOpened",
    "IncidentsError",
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
    "Reliability",
    "Retraction",
    "Source",
    "SourceKind",
    "SourceRegistered",
    "Speaker",
    "Stance",
    "Statement",
    "StatementIssued",
    "SteppingClock",
    "StorageError",
    "SystemClock",
    "UnknownEventError",
    "UnknownIncidentError",
    "UnknownProjectionError",
    "UnknownSourceError",
    "ValidTime",
    "__version__",
    "canonical_bytes",
    "converter",
    "decode_event",
    "decode_recorded",
    "encode_event",
    "fold",
    "handles",
    "incident_timeline",
    "live",
    "parse_instant",
]
