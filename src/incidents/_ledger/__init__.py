"""
The ledger: record events, read incidents back, audit the record.

:class:`~incidents.Ledger` is the library's front door (:mod:`incidents._ledger.ledger`);
the checks a batch passes before it is recorded are in
:mod:`incidents._ledger.checks`; its audit log is a part it holds
(:class:`incidents.audit._log.AuditLog`).
"""

from incidents._ledger.clock import RecordedBatch
from incidents._ledger.ledger import Ledger

__all__ = ["Ledger", "RecordedBatch"]
