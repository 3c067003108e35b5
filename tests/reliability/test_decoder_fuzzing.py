"""
Every file a user can hand the library, damaged at random: only the library's own errors come out.

The decoders are fed mutations of real files (flipped and inserted bytes,
cuts, duplicated, lost and swapped lines) and arbitrary input: checkpoints
(signed notes), inclusion and consistency proofs, verifier and signing
keys, the event files ``incidents check-proof`` reads, and exported
bundles. Through the API, each either returns or raises an
:class:`~incidents.IncidentsError`; through the command line, each command
exits 0 to 3 with no traceback. Beyond not crashing: whatever is read back
is read the same when written again, and a proof or bundle that still
verifies holds exactly what was recorded.

``INCIDENTS_FUZZ_EXAMPLES`` examples per test (``make soak`` raises it).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from soak_mutations import fuzz_settings, mutated, mutated_text, write

from incidents import (
    Checkpoint,
    ConsistencyProof,
    FixedClock,
    IncidentsError,
    InclusionProof,
    Ledger,
    SigningKey,
    VerifierKey,
    decode_recorded,
    parse_proof,
)
from incidents._cli import main
from incidents.audit import Bundle
from incidents.examples import ALASKA_2024_PUBLISHED_AT, alaska_2024_batches

T = TypeVar("T")
KEY = SigningKey.generate("example.org/fuzz")
DEEP = 100_000
"""How deep the nested JSON of the tests below goes: far beyond any recursion limit."""


@attrs.frozen
class Files:
    """Real files of one signed ledger, to damage."""

    folder: Path
    ledger: Path
    old: bytes  # a checkpoint at size 5
    new: bytes  # a checkpoint of the whole log
    inclusion: bytes  # of event 4, against `new`
    consistency: bytes  # from `old` to `new`
    event: bytes  # event 4's canonical bytes
    bundle: bytes
    verifier: bytes  # a file of verifier keys
    signing: bytes

    def original(self, name: str) -> bytes:
        value: bytes = getattr(self, name)
        return value


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    folder = tmp_path_factory.mktemp("fuzz")
    clock = FixedClock(ALASKA_2024_PUBLISHED_AT)
    with Ledger.open(folder / "ledger.db", clock=clock, signing_key=KEY) as ledger:
        recorded = []
        for at, events in alaska_2024_batches():
            clock.set(at)
            recorded.extend(ledger.record(*events))
        old, new = ledger.checkpoint(size=5), ledger.checkpoint()
        (row,) = ledger.store.rows_of([recorded[3].event_id])
        ledger.export_bundle(folder / "bundle.jsonl")
        return Files(
            folder=folder,
            ledger=folder / "ledger.db",
            old=old.text.encode(),
            new=new.text.encode(),
            inclusion=ledger.inclusion_proof(recorded[3], new).text.encode(),
            consistency=ledger.consistency_proof(old, new).text.encode(),
            event=row.state,
            bundle=(folder / "bundle.jsonl").read_bytes(),
            verifier=f"# the log's key\n{KEY.verifier.text}\n".encode(),
            signing=(KEY.to_text() + "\n").encode(),
        )


def library_only(call: Callable[[], T]) -> T | None:
    """Run *call*: its result, or None if it raised one of the library's errors (others propagate)."""
    try:
        return call()
    except IncidentsError:
        return None


def run_cli(*args: str) -> tuple[int, str]:
    """``incidents ARGS`` in this process: its exit status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    printed = out.getvalue() + err.getvalue()
    assert "Traceback" not in printed
    return status, printed


def as_given(data: bytes) -> list[str | bytes]:
    """The input as bytes, and as text when it is UTF-8."""
    try:
        return [data, data.decode("utf-8")]
    except UnicodeDecodeError:
        return [data]


# -- through the API ----------------------------------------------------------------------------


def test_checkpoints(files: Files, record_property: pytest.RecordProperty) -> None:
    cases = 0
    original = files.new.decode()

    @fuzz_settings()
    @given(data=st.sampled_from(["old", "new"]).flatmap(lambda n: mutated(files.original(n))))
    def bytes_given(data: bytes) -> None:
        nonlocal cases
        cases += 1
        for value in as_given(data):
            check_checkpoint(value)

    @fuzz_settings()
    @given(text=mutated_text(original))
    # Lone surrogates, which no file holds but a caller can pass: in the
    # origin (read before the body is), and in an extension line.
    @example(text="\ud800" + original[1:])
    @example(text=original.replace("\n\n", "\n\ud800\n\n", 1))
    def text_given(text: str) -> None:
        nonlocal cases
        cases += 1
        check_checkpoint(text)

    bytes_given()
    text_given()
    record_property("checkpoint cases", cases)


def check_checkpoint(value: str | bytes) -> None:
    library_only(lambda: Checkpoint.open(value, [KEY.verifier]))
    checkpoint = library_only(lambda: Checkpoint.parse(value))
    if checkpoint is not None:
        assert Checkpoint.parse(checkpoint.text) == checkpoint
        checkpoint.check_signatures([KEY.verifier])
        library_only(lambda: checkpoint.verify_signatures([KEY.verifier]))


def test_proofs(files: Files, record_property: pytest.RecordProperty) -> None:
    cases = 0
    old, new = Checkpoint.parse(files.old), Checkpoint.parse(files.new)
    originals = {
        "inclusion": parse_proof(files.inclusion),
        "consistency": parse_proof(files.consistency),
    }

    def check(value: str | bytes) -> None:
        proof = library_only(lambda: parse_proof(value))
        if proof is None:
            return
        assert parse_proof(proof.text) == proof
        if isinstance(proof, InclusionProof):
            holds = library_only(lambda: proof.verify(files.event, new) or True)
        else:
            assert isinstance(proof, ConsistencyProof)
            holds = library_only(lambda: proof.verify(old, new) or True)
        if holds:  # a proof that still holds is the proof that was made
            assert proof in originals.values()

    @fuzz_settings()
    @given(
        data=st.sampled_from(["inclusion", "consistency"]).flatmap(
            lambda n: mutated(files.original(n))
        )
    )
    def bytes_given(data: bytes) -> None:
        nonlocal cases
        cases += 1
        for value in as_given(data):
            check(value)

    @fuzz_settings()
    @given(text=mutated_text(files.inclusion.decode()) | mutated_text(files.consistency.decode()))
    def text_given(text: str) -> None:
        nonlocal cases
        cases += 1
        check(text)

    bytes_given()
    text_given()
    record_property("proof cases", cases)


def test_keys(record_property: pytest.RecordProperty) -> None:
    cases = 0

    @fuzz_settings()
    @given(text=mutated_text(KEY.verifier.text))
    @example(text="\ud800" + KEY.verifier.text)  # a lone surrogate in the name
    def verifier(text: str) -> None:
        nonlocal cases
        cases += 1
        key = library_only(lambda: VerifierKey.from_text(text))
        if key is not None:
            assert VerifierKey.from_text(key.text) == key

    @fuzz_settings()
    @given(text=mutated_text(KEY.to_text()))
    @example(text=KEY.to_text().replace("+KEY+", "+KEY+\ud800"))
    def signing(text: str) -> None:
        nonlocal cases
        cases += 1
        key = library_only(lambda: SigningKey.from_text(text))
        if key is not None:
            assert SigningKey.from_text(key.to_text()).verifier == key.verifier

    verifier()
    signing()
    record_property("key cases", cases)


def test_event_files(files: Files, record_property: pytest.RecordProperty) -> None:
    cases = 0
    proof = parse_proof(files.inclusion)
    checkpoint = Checkpoint.parse(files.new)

    @fuzz_settings()
    @given(data=mutated(files.event))
    def run(data: bytes) -> None:
        nonlocal cases
        cases += 1
        library_only(lambda: decode_recorded(data))
        holds = library_only(lambda: proof.verify(data, checkpoint) or True)
        if holds:  # only the event's own bytes are in the log
            assert files.event == data

    run()
    record_property("event file cases", cases)


def test_bundles(files: Files, tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    cases = 0
    path = tmp_path / "bundle.jsonl"
    events = files.bundle.split(b"\n")[1:-1]

    @fuzz_settings()
    @given(data=mutated(files.bundle))
    def run(data: bytes) -> None:
        nonlocal cases
        cases += 1
        write(path, data)
        bundle = library_only(lambda: Bundle.open(path))
        if bundle is None:
            return
        report = bundle.verify(keys=[KEY.verifier])
        library_only(lambda: bundle.replay(keys=[KEY.verifier]))
        if report.ok and report.authenticated:  # what verifies is what was recorded
            assert events == [line for batch in bundle.lines() for line in batch]

    run()
    record_property("bundle cases", cases)


# -- through the command line -------------------------------------------------------------------

CHECK_PROOF_FILES = ("proof", "checkpoint", "since", "event", "key")


def test_cli_check_proof(
    files: Files, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    cases = 0

    @fuzz_settings()
    @given(
        kind=st.sampled_from(["inclusion", "consistency"]),
        damaged=st.sampled_from(CHECK_PROOF_FILES),
        with_key=st.booleans(),
        data=st.data(),
    )
    def run(kind: str, damaged: str, with_key: bool, data: st.DataObject) -> None:
        nonlocal cases
        cases += 1
        originals = {
            "proof": files.original(kind),
            "checkpoint": files.new,
            "since": files.old,
            "event": files.event,
            "key": files.verifier,
        }
        paths = {
            name: write(
                tmp_path / name,
                data.draw(mutated(content), label=name) if name == damaged else content,
            )
            for name, content in originals.items()
        }
        args = ["check-proof", paths["proof"], "--checkpoint", paths["checkpoint"]]
        args += ["--event", paths["event"]] if kind == "inclusion" else ["--since", paths["since"]]
        if with_key:
            args += ["--key", paths["key"]]
        status, printed = run_cli(*args)
        assert status in (0, 1, 2, 3), printed
        assert with_key or status != 0, printed

    run()
    record_property("check-proof cases", cases)


def test_cli_verify_and_replay_bundles(
    files: Files, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    cases = 0

    @fuzz_settings()
    @given(
        command=st.sampled_from(["verify", "replay"]),
        damaged=st.sampled_from(["bundle", "key", "checkpoint"]),
        with_key=st.booleans(),
        data=st.data(),
    )
    def run(command: str, damaged: str, with_key: bool, data: st.DataObject) -> None:
        nonlocal cases
        cases += 1
        originals = {"bundle": files.bundle, "key": files.verifier, "checkpoint": files.old}
        paths = {
            name: write(
                tmp_path / name,
                data.draw(mutated(content), label=name) if name == damaged else content,
            )
            for name, content in originals.items()
        }
        args = [command, paths["bundle"]]
        if with_key:
            args += ["--key", paths["key"]]
        if command == "verify":
            args += ["--checkpoint", paths["checkpoint"]]
        status, printed = run_cli(*args)
        assert status in (0, 1, 2, 3), printed
        assert with_key or status != 0, printed

    run()
    record_property("verify/replay cases", cases)


def test_cli_signing_key_files(
    files: Files, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    cases = 0
    key_file = tmp_path / "signing.key"

    @fuzz_settings()
    @given(data=mutated(files.signing))
    def run(data: bytes) -> None:
        nonlocal cases
        cases += 1
        write(key_file, data)
        status, printed = run_cli(
            "--ledger", str(files.ledger), "checkpoint", "--signing-key", str(key_file)
        )
        assert status in (0, 2), printed

    run()
    record_property("signing key file cases", cases)


# -- found by fuzzing ---------------------------------------------------------------------------


def _nested(data: bytes, field: bytes) -> bytes:
    """*data* with the value of its first *field* replaced by arrays nested far too deep."""
    start = data.index(b'"' + field + b'":') + len(field) + 3
    return data[:start] + b"[" * DEEP + b"]" * DEEP + b"," + data[start:].split(b",", 1)[1]


def test_a_deeply_nested_event_file_is_refused_by_the_codec(files: Files) -> None:
    with pytest.raises(IncidentsError):
        decode_recorded(_nested(files.event, b"event"))


def test_a_deeply_nested_event_file_is_refused_by_check_proof(files: Files, tmp_path: Path) -> None:
    event = write(tmp_path / "event", _nested(files.event, b"event"))
    proof = write(tmp_path / "proof", files.inclusion)
    checkpoint = write(tmp_path / "checkpoint", files.new)
    status, _ = run_cli("check-proof", proof, "--checkpoint", checkpoint, "--event", event)
    assert status == 2


def test_a_deeply_nested_bundle_header_is_refused(files: Files, tmp_path: Path) -> None:
    path = write(tmp_path / "bundle.jsonl", _nested(files.bundle, b"checkpoints"))
    with pytest.raises(IncidentsError):
        Bundle.open(path)


def test_a_deeply_nested_bundle_header_is_refused_by_verify(files: Files, tmp_path: Path) -> None:
    path = write(tmp_path / "bundle.jsonl", _nested(files.bundle, b"checkpoints"))
    status, _ = run_cli("verify", path)
    assert status == 2


def test_a_deeply_nested_bundle_line_is_refused_when_read(files: Files, tmp_path: Path) -> None:
    lines = files.bundle.split(b"\n")
    lines[3] = _nested(lines[3], b"event")
    path = write(tmp_path / "bundle.jsonl", b"\n".join(lines))
    bundle = Bundle.open(path)
    assert bundle.verify().ok is False
    with pytest.raises(IncidentsError):
        list(bundle.records())


def test_a_lone_surrogate_in_a_bundle_line_is_refused_when_read(
    files: Files, tmp_path: Path
) -> None:
    lines = files.bundle.split(b"\n")
    lines[1] = lines[1].replace(b'"title":"', b'"title":"\\ud800', 1)
    path = write(tmp_path / "bundle.jsonl", b"\n".join(lines))
    bundle = Bundle.open(path)
    assert bundle.verify().ok is False
    with pytest.raises(IncidentsError):
        list(bundle.records())
