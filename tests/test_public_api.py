"""
What the public modules export, and the module each public class and function reports.

``incidents``, ``incidents.storage``, ``incidents.projections``,
``incidents.audit`` and ``incidents.interchange`` are the public surface; everything else is private. A
name added to or dropped from a public module is a change users see: this
test lists them, so such a change is made on purpose.
"""

from __future__ import annotations

import importlib
import pickle
from typing import Any

import pytest

import incidents
from incidents import examples

PUBLIC_MODULES = (
    "incidents",
    "incidents.storage",
    "incidents.projections",
    "incidents.audit",
    "incidents.interchange",
)

INTERCHANGE = {
    "ADMIRALTY_CONFIDENCE",
    "COLUMNS",
    "MAPPING_FORMAT",
    "MAX_LINE_BYTES",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "SCHEMA_ID",
    "FactTable",
    "FactVersion",
    "ImportRejectedError",
    "ImportResult",
    "Problem",
    "ReportMapping",
    "RowMapping",
    "Template",
    "copy_ledger",
    "datasette_bytes",
    "event_schema",
    "example_file",
    "fact_table",
    "import_events",
    "import_rows",
    "read_events",
    "read_rows",
    "restore_bundle",
    "schema_text",
    "stix_objects",
    "versions",
    "write_datasette",
    "write_events",
    "write_stix",
}

ROOT = {
    # -- sources as ledger-wide entities; event versions (the sources branch)
    "SOURCES_REGISTRY",
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
    "EVENT_TYPES",
    "EscortedBy",
    "Event",
    "EventDated",
    "FactChange",
    "FactChangeKind",
    "FieldChange",
    "FileWriteError",
    # maps
    "IncidentMap",
    "MissingExtraError",
    "incident_map",
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
    "METRES_PER_NAUTICAL_MILE",
    "MIN_INSTANT",
    "Patrol",
    "PatrolReported",
    "Position",
    "Precision",
    "Projection",
    "ProjectionError",
    "Proposition",
    "REPLAY_STATES",
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
    "UnknownSourceError",
    "UnsettledKnowledgeError",
    "ValidTime",
    "Verdict",
    "VerificationError",
    "VerifierKey",
    "VerifyReport",
    "WarningShotsFired",
    "ZoneEntered",
    "AirspaceViolationAlleged",
    "DiplomaticProtest",
    "FlightDurationReported",
    "IncidentLinked",
    "LandingReported",
    "LinkRelation",
    "ProtestKind",
    "SeriesAssigned",
    "WarningShotsReported",
    "ZoneEntryReported",
    "SeriesEntry",
    "AirspaceViolation",
    "FlightDuration",
    "IncidentLink",
    "Landing",
    "Protest",
    "SeriesMembership",
    "WarningShots",
    "ZoneEntry",
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
    # geography (issue 17)
    "incident_geojson",
    "zone_feature",
    "GeometryCheck",
    "claims_against_geometry",
    "Approach",
    "Crossing",
    "TrackAnalysis",
    "ZoneVisit",
    "analyse_track",
    "catalogue_events",
    "catalogue_stream_ids",
    "recorded_zones",
    "zone_as_of",
    "zone_stream_id",
    "zone_versions",
    "distance_to",
    "find_incidents",
    "touches_zone",
    "track_crossings",
    "Fix",
    "AreaReported",
    "TrackObserved",
    "ZoneAmended",
    "ZoneDeclared",
    "Track",
    "ReportedArea",
    "EdgeRule",
    "Zone",
    "ZoneCatalogue",
    "ZoneKind",
    "zone_catalogue",
    "zones_from_geojson",
    "LocationPrecision",
    "LocationPrecisionKind",
    "LocationWarning",
    "acled_geo_precision",
    "bearing",
    "buffer_nm",
    "densify",
    "destination",
    "distance_nm",
    "location_warnings",
    "path_length_nm",
    "split_at_antimeridian",
    "stix_precision",
    "ucdp_where_prec",
}

PROJECTIONS = {
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
}


def test_the_root_package_exports_its_names() -> None:
    assert set(incidents.__all__) == ROOT


def test_the_projections_module_exports_its_names() -> None:
    import incidents.projections

    assert set(incidents.projections.__all__) == PROJECTIONS


def test_the_interchange_module_exports_its_names() -> None:
    import incidents.interchange

    assert set(incidents.interchange.__all__) == INTERCHANGE


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_exported_name_exists_once(name: str) -> None:
    module = importlib.import_module(name)

    assert len(set(module.__all__)) == len(module.__all__)
    for exported in module.__all__:
        assert hasattr(module, exported), exported


def _reported(value: Any) -> str | None:
    if isinstance(value, type) or callable(value):
        return getattr(value, "__module__", None)
    return None


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_classes_and_functions_report_a_public_module(name: str) -> None:
    module = importlib.import_module(name)
    for exported in module.__all__:
        value = getattr(module, exported)
        reported = _reported(value)
        if reported is None or not reported.startswith("incidents"):
            continue  # constants, and names that belong to other libraries
        assert reported in PUBLIC_MODULES, f"{name}.{exported} reports {reported}"
        # ... and the module it reports really exports it.
        home = importlib.import_module(reported)
        assert any(getattr(home, n) is value for n in home.__all__), f"{name}.{exported}"


def test_reprs_and_pickles_use_the_public_names() -> None:
    with incidents.Ledger.open(":memory:") as ledger:
        recorded = ledger.record(*examples.alaska_2024())
        report = ledger.verify()

    assert repr(type(recorded[0])) == "<class 'incidents.Recorded'>"
    assert repr(type(report)) == "<class 'incidents.audit.VerifyReport'>"
    assert pickle.loads(pickle.dumps(recorded[0])) == recorded[0]


def test_the_root_imports_for_type_checkers_name_the_modules_its_names_are_loaded_from() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(incidents.__file__).read_text(encoding="utf-8"))
    checked: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module is not None:
                    checked[stmt.module] = tuple(a.name for a in stmt.names)
    assert checked == incidents._EXPORTS
    assert set(incidents.__all__) == {n for names in checked.values() for n in names} | {
        "__version__"
    }
