"""The public module incidents.audit: what it exports, and that the root package exports the same."""

from __future__ import annotations

import incidents
import incidents.audit

AUDIT_NAMES = {
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
}


def _isort_key(name: str) -> tuple[int, str]:
    # Constants, then classes, then functions (ruff's RUF022 order, as in incidents.__all__).
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_the_audit_module_exports_exactly_its_names_in_order() -> None:
    exported = incidents.audit.__all__
    assert set(exported) == AUDIT_NAMES
    assert exported == sorted(exported, key=_isort_key)
    for name in exported:
        assert getattr(incidents.audit, name) is not None


def test_the_root_package_exports_the_same_objects() -> None:
    for name in AUDIT_NAMES:
        assert name in incidents.__all__
        assert getattr(incidents, name) is getattr(incidents.audit, name)


def test_the_audit_module_has_a_docstring_without_private_paths() -> None:
    doc = incidents.audit.__doc__ or ""
    assert doc.strip()
    assert "._" not in doc
