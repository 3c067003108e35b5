"""
The exception hierarchy of :mod:`incidents`.

Every error the library raises on purpose derives from :class:`IncidentsError`,
so callers can catch one base class. Errors about bad input derive from
:class:`InvalidInputError` (and from :class:`ValueError`, so code written
against the standard library keeps working). Whenever one of these is raised
by :meth:`incidents.Ledger.record`, nothing was recorded.
"""

from __future__ import annotations

__all__ = [
    "ClockBehindError",
    "ConcurrencyError",
    "DuplicateEventError",
    "FileWriteError",
    "FutureKnowledgeError",
    "IncidentsError",
    "InvalidInputError",
    "LedgerClosedError",
    "MissingExtraError",
    "ProjectionError",
    "StorageError",
    "UnknownEventError",
    "UnknownIncidentError",
    "UnknownProjectionError",
    "UnsettledKnowledgeError",
    "UnknownSourceError",
    "VerificationError",
]


class IncidentsError(Exception):
    """
    Base class of every error raised by :mod:`incidents`.
    """


class InvalidInputError(IncidentsError, ValueError):
    """
    A value given to the library is not acceptable.

    Raised for out-of-range coordinates, naive datetimes, empty names or
    quotes, counts below one, malformed corrections and the like.
    """


class UnknownIncidentError(InvalidInputError, LookupError):
    """
    An event or a query names an incident the ledger has never opened.
    """


class UnknownEventError(InvalidInputError, LookupError):
    """
    A correction, retraction or reference names an event that is not recorded.
    """


class UnknownSourceError(InvalidInputError, LookupError):
    """
    An event cites a source that was not registered in its incident.
    """


class DuplicateEventError(InvalidInputError):
    """
    An event with the same id is already recorded (or appears twice in a batch).
    """


class FutureKnowledgeError(InvalidInputError):
    """
    A ``known_at`` lies in the future, where the answer could still change.
    """


class UnsettledKnowledgeError(FutureKnowledgeError):
    """
    A ``known_at`` lies past what a read-only ledger has settled.

    A batch could still be recorded at or before it, so the answer could
    change. A writable ledger settles such a ``known_at`` before it answers.
    """


class ConcurrencyError(IncidentsError):
    """
    Another writer appended to an incident's stream first.

    Raised when the positions a caller expected no longer hold, or when the
    storage rejects an append because the same stream position was taken
    concurrently. Nothing from the failed call was recorded; read again and
    retry.
    """


class StorageError(IncidentsError):
    """
    The storage backend failed (cannot open, connect, read or write).
    """


class FileWriteError(IncidentsError, OSError):
    """
    A file the library was asked to write could not be written.

    Raised when the disk is full, the folder is missing or not writable, the
    destination is a symbolic link (never followed) or a folder, or a file
    that must not be replaced (a signing key) is there already. The file is
    written whole or not at all: nothing is left at the destination, and a
    file that was there is unchanged. It is an :class:`OSError` too (with
    the failing call's ``errno``), so code written against the standard
    library keeps working.
    """


class MissingExtraError(IncidentsError, ImportError):
    """
    A feature needs an optional dependency that is not installed.

    The message names the extra that brings it, e.g. ``pip install
    'incidents[maps]'``; :attr:`extra` holds its name. It is an
    :class:`ImportError` too, so code written against the standard library
    keeps working.
    """

    def __init__(self, message: str, *, extra: str, module: str) -> None:
        super().__init__(message, name=module)
        self.extra = extra


class LedgerClosedError(IncidentsError):
    """
    The ledger was used after :meth:`incidents.Ledger.close`.
    """


class VerificationError(InvalidInputError):
    """
    A checkpoint, proof, signature or bundle does not verify.

    Raised when a cryptographic check fails or when what should be checked is
    malformed; the message says which check failed and why.
    """


class ProjectionError(IncidentsError):
    """
    A projection cannot run or cannot be stored.

    Raised when a handler fails (the batch it was in is not committed), when a
    state is not canonical JSON, or when a stored read model was built by
    another version of the projection and must be rebuilt.
    """


class UnknownProjectionError(InvalidInputError, LookupError):
    """
    No projection is registered under the name asked for.
    """


class ClockBehindError(IncidentsError):
    """
    The ledger's clock is behind the ledger, and the ledger was opened to refuse such batches.

    Raised by :meth:`incidents.Ledger.record` when the clock reads the
    ledger's settled time or earlier (see ``clock_behind`` of
    :meth:`incidents.Ledger.open`) and recording the batch after it would
    move it further ahead of the clock than allowed. Nothing was recorded.
    """
