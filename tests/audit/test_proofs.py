"""Tests of incidents.audit._proofs: inclusion and consistency proofs from a ledger, as text."""

from __future__ import annotations

import math

import pytest

from incidents import Ledger, canonical_bytes
from incidents._errors import InvalidInputError, UnknownEventError, VerificationError
from incidents._tlog.checkpoint import Checkpoint
from incidents.audit._proofs import ConsistencyProof, InclusionProof, parse_proof
from incidents.examples import ALASKA_2024, alaska_2024_batches, alaska_2024_ids
from support.backends import Backend


def record_example(ledger: Ledger) -> list[Checkpoint]:
    """Record the worked example batch by batch; the checkpoint after each batch."""
    checkpoints = []
    for recorded_at, events in alaska_2024_batches():
        ledger.clock.set(recorded_at)  # type: ignore[attr-defined]
        ledger.record(*events)
        checkpoints.append(ledger.checkpoint())
    return checkpoints


def test_every_event_is_proven_in_every_checkpoint(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    records = [r for i in ledger.incident_ids() for r in ledger.events(i)]
    size = len(records)
    for at in range(1, size + 1):
        checkpoint = ledger.checkpoint(size=at)
        for record in records[:at]:
            proof = ledger.inclusion_proof(record.event_id, checkpoint)
            assert len(proof.hashes) <= math.ceil(math.log2(at))
            proof.verify(record, checkpoint)
            InclusionProof.parse(proof.text).verify(canonical_bytes(record), checkpoint)


def test_every_checkpoint_is_consistent_with_every_later_one(backend: Backend) -> None:
    ledger = backend.open()
    record_example(ledger)
    size = len(ledger)
    checkpoints = [ledger.checkpoint(size=s) for s in range(size + 1)]
    for old in checkpoints[1:]:
        for new in checkpoints[old.size :]:
            proof = ledger.consistency_proof(old, new)
            assert len(proof.hashes) <= math.ceil(math.log2(new.size)) + (
                0 if old.size & (old.size - 1) == 0 else 1
            )
            ConsistencyProof.parse(proof.text).verify(old, new)


def test_a_proof_does_not_verify_for_another_event_or_checkpoint(ledger: Ledger) -> None:
    first, second, _ = record_example(ledger)
    ids = alaska_2024_ids()
    opened = ledger.event(ALASKA_2024)
    proof = ledger.inclusion_proof(opened.event_id, first)
    with pytest.raises(VerificationError):
        proof.verify(ledger.event(ids["source/article"]), first)
    with pytest.raises(VerificationError, match="tree of"):
        proof.verify(opened, second)
    stranger = Checkpoint(origin="example.org/other", size=first.size, root=first.root)
    with pytest.raises(VerificationError, match="log"):
        proof.verify(opened, stranger)
    consistency = ledger.consistency_proof(first, second)
    with pytest.raises(VerificationError):
        consistency.verify(
            first, Checkpoint(origin=second.origin, size=second.size, root=first.root)
        )


def test_flipping_any_bit_of_a_proof_fails_verification(ledger: Ledger) -> None:
    first, second, _ = record_example(ledger)
    event = ledger.event(alaska_2024_ids()["statement/china"])
    inclusion = ledger.inclusion_proof(event.event_id, second).text.encode()
    consistency = ledger.consistency_proof(first, second).text.encode()
    for raw, check in (
        (inclusion, lambda p: p.verify(event, second)),
        (consistency, lambda p: p.verify(first, second)),
    ):
        check(parse_proof(raw))
        for bit in range(len(raw) * 8):
            flipped = bytearray(raw)
            flipped[bit // 8] ^= 1 << (bit % 8)
            try:
                check(parse_proof(bytes(flipped)))
            except InvalidInputError:
                continue
            pytest.fail(f"flipping bit {bit} still verifies: {bytes(flipped)!r}")


def test_proofs_are_refused_for_what_the_ledger_cannot_prove(ledger: Ledger) -> None:
    first, *_ = record_example(ledger)
    correction = alaska_2024_ids()["correction/spokesman"]
    with pytest.raises(InvalidInputError, match="after the checkpoint"):
        ledger.inclusion_proof(correction, first)
    with pytest.raises(UnknownEventError):
        ledger.inclusion_proof(ALASKA_2024.__class__(int=1), first)
    forged = Checkpoint(origin=first.origin, size=first.size, root=bytes(32))
    with pytest.raises(InvalidInputError, match="not this ledger's"):
        ledger.inclusion_proof(ALASKA_2024, forged)
    with pytest.raises(InvalidInputError, match="size must be"):
        ledger.checkpoint(size=len(ledger) + 1)
    with pytest.raises(InvalidInputError):
        ledger.consistency_proof(0)


@pytest.mark.parametrize(
    "text",
    [
        "incidents/inclusion-proof/v2\nx\n0\n1\n",
        "incidents/inclusion-proof/v1\nx\n00\n1\n",
        "incidents/inclusion-proof/v1\nx\n0\n",
        "incidents/inclusion-proof/v1\nx\n0\n1",
        "incidents/inclusion-proof/v1\nx\n0\n1\nAAAA\n",
    ],
)
def test_malformed_proofs_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_proof(text)
