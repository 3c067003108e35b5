"""
The mapper between recorded events and stored rows, for eventsourcing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from incidents._codec.canonical import (
    _escape,
    decode_recorded,
    encode_recorded,
    envelope_text,
    event_text,
)
from incidents._domain.events import Recorded
from incidents.storage._rows import StoredRecord, stored_record, to_micros

__all__ = ["LedgerMapper"]


class LedgerMapper(Mapper[UUID]):
    """
    Maps recorded events to stored rows through the library's cattrs converter.

    eventsourcing's stock mapper reads ``vars(event)``, which slotted attrs
    classes do not have; this one stores the canonical bytes instead, so the
    stored state is exactly what audit hashes.
    """

    def __init__(self) -> None:
        super().__init__(transcoder=JSONTranscoder())

    def to_stored_event(self, domain_event: Any) -> StoredRecord:
        """
        Encode a recorded event as a row.

        Args:
            domain_event: A :class:`~incidents.Recorded`.

        Returns:
            The row, with its canonical bytes.
        """
        assert isinstance(domain_event, Recorded)
        return StoredRecord(
            id=domain_event.sequence,
            originator_id=domain_event.incident_id,
            originator_version=domain_event.position,
            topic=domain_event.type,
            state=encode_recorded(domain_event),
            event_id=domain_event.event_id,
            recorded_at=to_micros(domain_event.recorded_at),
        )

    def to_stored_events(
        self, records: Sequence[Recorded], texts: Sequence[str] | None = None
    ) -> list[StoredRecord]:
        """
        Encode a batch of recorded events as rows.

        The same rows as :meth:`to_stored_event` one by one; the envelope parts a
        batch shares (recording time, recorder) are encoded once.

        Args:
            records: Recorded events, typically one batch with one recording time.
            texts: The events' canonical JSON texts, if already encoded.

        Returns:
            The rows, in the same order.
        """
        rows: list[StoredRecord] = []
        shared: tuple[datetime, str, str, str, int] | None = None
        if texts is None:
            texts = [event_text(r.event) for r in records]
        for r, text in zip(records, texts, strict=True):
            if shared is None or shared[0] is not r.recorded_at or shared[1] is not r.recorder:
                shared = (
                    r.recorded_at,
                    r.recorder,
                    _escape(r.recorded_at.isoformat()),
                    _escape(r.recorder),
                    to_micros(r.recorded_at),
                )
            state = envelope_text(text, r.position, shared[2], shared[3], r.sequence)
            event = r.event
            rows.append(
                stored_record(
                    r.sequence,
                    event.incident_id,
                    r.position,
                    event.TYPE,
                    state.encode("utf-8"),
                    event.event_id,
                    shared[4],
                )
            )
        return rows

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """
        Decode a row.

        Args:
            stored_event: A row read from storage.

        Returns:
            The :class:`~incidents.Recorded` it holds.
        """
        return decode_recorded(stored_event.state)
