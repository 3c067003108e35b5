"""
The search index: which incidents may match a listing's filters, without folding them all.

For each incident, the index keeps the search terms
(:func:`incidents._domain.search.fact_terms`) of every version of every fact
its bitemporal fold ever held, and the stream position it has seen up to.
Whatever the incident looked like as known at any recording time, its terms
then were among these: an incident whose terms cannot match is ruled out
without being folded or read, and only the others are folded and checked
exactly (:meth:`~incidents._domain.search.Search.matches_incident`).

The index is brought up to date from one query for every stream's length:
only incidents with events recorded since are folded again (incrementally,
when their fold is still in memory), and only their new versions looked at.
It lives in memory, as the folds do; a new process builds it on its first
filtered listing, in time linear in the ledger.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from incidents._domain.search import Search, fact_terms
from incidents._timetravel.fold import BitemporalFold

__all__ = ["SearchIndex"]


class _Seen:
    """What the index knows of one incident."""

    __slots__ = ("entries", "folded", "position", "terms")

    def __init__(self) -> None:
        self.position = 0
        self.terms: dict[str, set[Any]] = {}
        # The fold last read, and how many entries of each of its indexes were read.
        self.folded: BitemporalFold | None = None
        self.entries: dict[int, int] = {}


class SearchIndex:
    """
    Search terms per incident, over every version of every fact ever recorded.
    """

    def __init__(self) -> None:
        self._seen: dict[UUID, _Seen] = {}

    def position(self, incident_id: UUID) -> int:
        """
        The stream position up to which the incident's terms are known (0: not indexed).
        """
        seen = self._seen.get(incident_id)
        return 0 if seen is None else seen.position

    def update(self, incident_id: UUID, folded: BitemporalFold) -> None:
        """
        Take in the versions of a fold that the index has not seen.

        Args:
            incident_id: The incident.
            folded: Its fold, folded to the end of its stream.
        """
        seen = self._seen.setdefault(incident_id, _Seen())
        if seen.folded is not folded:  # another fold of the same stream: read it all
            seen.folded, seen.entries = folded, {}
        for kind, index in folded.indexes.items():
            start = seen.entries.get(kind, 0)
            objects = index.e_obj
            terms = seen.terms
            for obj in objects[start:]:
                if obj is not None:
                    for term, value in fact_terms(obj):
                        found = terms.get(term)
                        if found is None:
                            terms[term] = {value}
                        else:
                            found.add(value)
            seen.entries[kind] = len(objects)
        seen.position = folded.position

    def may_match(self, incident_id: UUID, search: Search) -> bool:
        """
        Whether the incident may match, as known at some recording time.

        Args:
            incident_id: An indexed incident.
            search: The filters.

        Returns:
            False only if it matches at no recording time.
        """
        seen = self._seen.get(incident_id)
        return seen is None or search.matches_kinds(seen.terms, exact=False)

    def forget(self) -> None:
        """
        Drop everything (the next filtered listing indexes again).
        """
        self._seen.clear()
