"""
Audit: prove what the ledger holds, verify it, and take it away to check offline.

Every recorded event is a leaf of an RFC 9162 Merkle tree kept with the
ledger; the names here describe that log and what can be done with it:

* **Checkpoints and keys.** :class:`Checkpoint` is the log's size and root
  as a C2SP checkpoint, signed with a :class:`SigningKey` and checked with a
  :class:`VerifierKey` (:class:`SignatureCheck`, :class:`SignatureStatus`).
  :meth:`incidents.Ledger.checkpoint` makes one; the ledger keeps one per
  signed batch (:class:`StoredCheckpoint`).
* **Proofs.** :class:`InclusionProof` (an event is in the log a checkpoint
  describes) and :class:`ConsistencyProof` (a later log extends an earlier
  one), from :meth:`incidents.Ledger.inclusion_proof` and
  :meth:`incidents.Ledger.consistency_proof`; :func:`parse_proof` reads
  either back from its text.
* **Verification.** :meth:`incidents.Ledger.verify` and
  :meth:`Bundle.verify` return a :class:`VerifyReport`: the first bad
  position and the kind of damage (:class:`Damage`, :class:`DamageKind`),
  how every checkpoint fared (:class:`CheckpointCheck`), who recorded each
  part of the log and whose signatures cover it (:class:`RecorderPart`),
  and whether checkpoints signed by the keys the caller trusts cover it all
  (``report.authenticated``: without such keys, nothing is authenticated).
* **Bundles and replay.** :meth:`incidents.Ledger.export_bundle` writes the
  log as one file; :class:`Bundle` reads it back (with the other checkpoints
  it carries, :class:`BundleCheckpoint`) to verify and replay it with no
  ledger and no network. :func:`replay_digests` digests the state the events
  build, through :data:`REPLAY_STATES` or your own :data:`StateFunction`
  (:func:`incident_states` is one), so that two parties can compare a few
  lines instead of the record.

>>> from incidents import Ledger, examples
>>> from incidents.audit import parse_proof
>>> with Ledger.open(":memory:") as ledger:
...     recorded = ledger.record(*examples.alaska_2024())
...     checkpoint = ledger.checkpoint()
...     proof = parse_proof(ledger.inclusion_proof(recorded[0], checkpoint).text)
...     report = ledger.verify(checkpoints=[checkpoint])
>>> proof.verify(recorded[0], checkpoint)
>>> report.ok
True
"""

from incidents._public import report_public_module
from incidents._tlog.checkpoint import Checkpoint
from incidents._tlog.notes import SignatureCheck, SignatureStatus, SigningKey, VerifierKey
from incidents.audit._bundle import Bundle, BundleCheckpoint
from incidents.audit._log import StoredCheckpoint
from incidents.audit._proofs import ConsistencyProof, InclusionProof, parse_proof
from incidents.audit._replay import REPLAY_STATES, StateFunction, incident_states, replay_digests
from incidents.audit._report import (
    CheckpointCheck,
    Damage,
    DamageKind,
    RecorderPart,
    VerifyReport,
)

__all__ = [
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
]

report_public_module(__name__, globals(), __all__)
