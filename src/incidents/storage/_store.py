"""
The whole storage contract: every interface a backend fulfils, and eventsourcing's recorder on top.

A backend keeps one table of recorded events in the ledger's global order.
Besides the canonical bytes of each event it keeps, as plain columns that
can be queried without decoding anything: the global ``sequence`` (dense,
from 1), the incident (eventsourcing's *originator*), the stream position
(eventsourcing's *originator version*), the event id, the event type
(eventsourcing's *topic*) and the recording time in microseconds since the
Unix epoch.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from incidents.storage._auditing import AuditReading
from incidents.storage._projections import ProjectionStorage
from incidents.storage._reading import EventReading
from incidents.storage._rows import StoredRecord
from incidents.storage._snapshots import SnapshotStorage
from incidents.storage._tiles import append_rows
from incidents.storage._writing import EventWriting

__all__ = ["Store"]


class Store(
    EventWriting,
    EventReading,
    AuditReading,
    SnapshotStorage,
    ProjectionStorage,
    ApplicationRecorder,
):
    """
    A ledger's storage: every interface at once, and an eventsourcing application recorder.

    Code that needs one part only can be typed against it: the writer side
    (:class:`EventWriting`), the readers (:class:`EventReading`), the audit
    reader (:class:`AuditReading`), fold snapshots (:class:`SnapshotStorage`)
    and read models (:class:`ProjectionStorage`). eventsourcing's recorder
    methods (``insert_events``, ``select_events``, ``select_notifications``,
    ``max_notification_id``) are answered through them.
    """

    #: Name of the backend, e.g. ``"sqlite"``.
    backend: str = ""
    #: Where the data lives, for messages (a path, a URL without password).
    location: str = ""
    #: Whether it was opened read-only (see :func:`~incidents.storage.open_store`).
    read_only: bool = False

    @abstractmethod
    def close(self) -> None:
        """
        Release connections and files.
        """

    # -- eventsourcing's recorder interface, shared by all backends ---------------

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """
        Insert rows built by :class:`LedgerMapper` (eventsourcing's interface).

        The audit tree, once the ledger has set it up, covers these rows too.

        Args:
            stored_events: :class:`StoredRecord` rows with their sequence set.
            **kwargs: Ignored.

        Returns:
            The sequence numbers inserted.

        Raises:
            TypeError: If a row is not a :class:`StoredRecord`.
        """
        rows = [r for r in stored_events if isinstance(r, StoredRecord)]
        if len(rows) != len(stored_events):
            raise TypeError("this recorder stores StoredRecord rows only")
        with self.writing() as writer:
            ids = writer.insert(rows)
            append_rows(writer, rows, ids)
        return [r.id for r in rows]

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """
        An incident's rows (eventsourcing's interface).
        """
        incident = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        found = [
            r
            for r in self.stream(incident, after_position=gt or 0)
            if lte is None or r.originator_version <= lte
        ]
        if desc:
            found.reverse()
        return found[:limit] if limit is not None else found

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """
        Rows in global order (eventsourcing's interface).
        """
        after = 0 if start is None else (start - 1 if inclusive_of_start else start)
        found: list[Notification] = []
        while len(found) < limit:
            batch = self.rows(after=after, limit=limit)
            if not batch:
                break
            for r in batch:
                if stop is not None and r.id > stop:
                    return found
                if not topics or r.topic in topics:
                    found.append(r)
                    if len(found) == limit:
                        break
            after = batch[-1].id
        return found

    def max_notification_id(self) -> int | None:
        """
        The last sequence number, or ``None`` when empty (eventsourcing's interface).
        """
        return self.last_sequence() or None

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Any:
        """
        Not offered: projections catch up by polling :meth:`rows` instead.

        Raises:
            NotImplementedError: Always.
        """
        raise NotImplementedError(f"the {self.backend} store does not push notifications")
