"""
The sorted columns a bitemporal fold answers from: one :class:`Index` per kind of fact.

Each entry (a version of a fact, or the withdrawal of an event) stands over
the stream positions ``[known_from, known_until)`` and is ordered by valid
time, then by the stream position of its fact. Queries ("standing at
position p, in effect at valid time T") run over numpy columns compiled in
that order, so a question about an old recording time costs what a question
about the present costs, and neither decodes anything.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from incidents._codec.slots import slot_setter
from incidents._lazy import LazyModule

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    _Array = npt.NDArray[np.int64]
else:
    np = LazyModule("numpy", globals(), "np")  # imported with the first fold

__all__ = ["INFINITY", "Index", "relocated"]

INFINITY = 2**62
"""The end position of an entry (a version) that still stands."""


_CLONERS: dict[type, Callable[[Any], Any] | None] = {}


def _cloner(cls: type) -> Callable[[Any], Any] | None:
    """A function copying an instance of an attrs class field by field (``None`` otherwise)."""
    if not attrs.has(cls):
        return None
    names = tuple(f.name for f in attrs.fields(cls))
    setters = [slot_setter(cls, name) for name in names]
    values = operator.attrgetter(*names)
    new = object.__new__

    def clone(obj: Any) -> Any:
        made = new(cls)
        for put, value in zip(setters, values(obj), strict=True):
            put(made, value)
        return made

    # attrgetter of a single name gives the value, not a tuple: one-field objects stay put.
    return clone if len(names) > 1 else None


def relocated(objs: list[Any]) -> list[Any]:
    """
    Equal copies of *objs*, allocated one after the other, in this order.

    An answer copies references out of an index, which touches every object it
    returns (its reference count). Objects built in recording order but
    answered in valid-time order lie all over the heap, and each touch is a
    cache miss once the incident outgrows the CPU's caches; copies allocated in
    key order lie side by side, so an answer walks memory forward. Objects
    that are not attrs instances are kept as they are.

    Measured on ``benchmarks/bench_timetravel.py``'s incident of 100,000
    events and 5 rounds of corrections, relocating against not: warm
    current-state reads about 30% faster (9.3 -> 6.3 ms), as-of reads at
    random about 17% (1.73 -> 1.45 ms). The cold read pays about 0.55 s of
    its 7 s for the copies (200,000 objects), repaid after about 150 warm
    current-state reads.
    """
    out = []
    for obj in objs:
        cls = type(obj)
        try:
            clone = _CLONERS[cls]
        except KeyError:
            clone = _CLONERS[cls] = _cloner(cls)
        out.append(obj if clone is None else clone(obj))
    return out


class Index:
    """
    Entries of one kind, each standing over ``[known_from, known_until)`` positions.

    Entries are appended as the fold goes; queries run over a compiled copy
    sorted by key (valid time, then the fact's stream position), with the few
    entries added since the last compilation merged in by hand.
    """

    #: Entries kept out of the compiled arrays before a query recompiles.
    pending_limit = 64
    #: From this many entries on, a full compilation lays the objects out in key order.
    relocate_from = 4096

    def __init__(self, timed: bool) -> None:
        self.timed = timed
        self.e_key: list[tuple[int, ...]] = []
        self.e_from: list[int] = []
        self.e_until: list[int] = []
        self.e_early: list[int] = []
        self.e_late: list[int] = []
        self.e_known: list[bool] = []
        self.e_obj: list[object] = []
        # compiled, in key order
        self.keys: list[tuple[int, ...]] = []
        self.frm: _Array = np.empty(0, np.int64)
        self.until: _Array = np.empty(0, np.int64)
        self.early: _Array = np.empty(0, np.int64)
        self.late: _Array = np.empty(0, np.int64)
        self.objs: npt.NDArray[np.object_] = np.empty(0, object)
        self.n_known = 0
        self.pending: list[int] = []
        # Each compiled entry's position (the key's), taken when first needed.
        self._positions: _Array = np.empty(0, np.int64)
        self._positions_of: list[tuple[int, ...]] | None = None

    def __len__(self) -> int:
        return len(self.e_key)

    def add(self, position: int, frm: int, early: int | None, late: int | None, obj: object) -> int:
        """
        Add an entry standing from *frm*, ordered by valid time then *position*.
        """
        entry = len(self.e_key)
        known = early is not None and late is not None
        key: tuple[int, ...]
        if not self.timed:
            key = (position, entry)
        elif early is not None and late is not None:
            key = (0, early, late, position, entry)
        else:
            key = (1, 0, 0, position, entry)
        self.e_key.append(key)
        self.e_from.append(frm)
        self.e_until.append(INFINITY)
        self.e_early.append(early if early is not None else 0)
        self.e_late.append(late if late is not None else 0)
        self.e_known.append(known)
        self.e_obj.append(obj)
        self.pending.append(entry)
        return entry

    def close(self, entry: int, at: int) -> None:
        self.e_until[entry] = at
        key = self.e_key[entry]
        index = bisect.bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            self.until[index] = at

    def compile(self) -> None:
        """Fold the pending entries into the sorted arrays."""
        if not self.pending:
            return
        if len(self.pending) * 8 >= len(self.keys):
            ids = sorted(range(len(self.e_key)), key=self.e_key.__getitem__)
        else:
            ids = None
        if ids is not None:
            take = np.asarray(ids, dtype=np.int64)
            self.keys = [self.e_key[i] for i in ids]
            self.frm = np.asarray(self.e_from, dtype=np.int64)[take]
            self.until = np.asarray(self.e_until, dtype=np.int64)[take]
            self.early = np.asarray(self.e_early, dtype=np.int64)[take]
            self.late = np.asarray(self.e_late, dtype=np.int64)[take]
            ordered = [self.e_obj[i] for i in ids]
            if len(ids) >= self.relocate_from:  # bench_timetravel: see relocated
                ordered = relocated(ordered)
                e_obj = self.e_obj
                for i, obj in zip(ids, ordered, strict=True):
                    e_obj[i] = obj
            objs = np.empty(len(ids), dtype=object)
            objs[:] = ordered
            self.objs = objs
        else:
            new = sorted(self.pending, key=self.e_key.__getitem__)
            new_keys = [self.e_key[i] for i in new]
            at = [bisect.bisect_left(self.keys, k) for k in new_keys]
            self.frm = np.insert(self.frm, at, [self.e_from[i] for i in new])
            self.until = np.insert(self.until, at, [self.e_until[i] for i in new])
            self.early = np.insert(self.early, at, [self.e_early[i] for i in new])
            self.late = np.insert(self.late, at, [self.e_late[i] for i in new])
            objs = np.empty(len(new), dtype=object)
            objs[:] = [self.e_obj[i] for i in new]
            self.objs = np.insert(self.objs, at, objs)
            self.keys = sorted(self.keys + new_keys)
        self.pending = []
        self.n_known = bisect.bisect_left(self.keys, (1,)) if self.timed else len(self.keys)

    def select(self, p: int, valid_at: int | None = None, certainly: bool = False) -> list[Any]:
        """
        The objects of the entries standing at position *p* (and in effect at *valid_at*).

        Args:
            p: A stream position.
            valid_at: A valid time in µs, or ``None`` for every entry.
            certainly: Read imprecise valid times as certainly (not possibly) in effect.

        Returns:
            The objects, in key order.
        """
        if len(self.pending) > self.pending_limit:
            self.compile()
        m = len(self.keys)
        chosen: list[_Array] = []
        if valid_at is None or not self.timed:
            ranges = [(0, m)]
        else:
            cut = int(np.searchsorted(self.early[: self.n_known], valid_at, side="right"))
            ranges = [(0, cut)] if certainly else [(0, cut), (self.n_known, m)]
        for start, stop in ranges:
            if stop <= start:
                continue
            mask = self.frm[start:stop] <= p
            mask &= self.until[start:stop] > p
            if certainly and valid_at is not None and self.timed:
                mask &= self.late[start:stop] <= valid_at
            found = np.flatnonzero(mask)
            if start:
                found += start
            chosen.append(found)
        selected = (
            chosen[0] if len(chosen) == 1 else np.concatenate(chosen or [np.empty(0, np.int64)])
        )
        out: list[Any] = self.objs[selected].tolist() if len(selected) else []
        if self.pending:
            extra = [
                (self.e_key[e], self.e_obj[e])
                for e in self.pending
                if self.e_from[e] <= p < self.e_until[e] and self._in_effect(e, valid_at, certainly)
            ]
            if extra:
                extra.sort(key=lambda pair: pair[0])
                ranks = [bisect.bisect_left(self.keys, key) for key, _ in extra]
                places = np.searchsorted(selected, ranks).tolist()
                for offset, (place, (_, obj)) in enumerate(zip(places, extra, strict=True)):
                    out.insert(place + offset, obj)
        return out

    def select_each_at(
        self, view: _Array, valid_at: int | None = None, certainly: bool = False
    ) -> list[Any]:
        """
        The objects of the entries standing, each at its own fact's position in *view*.

        :meth:`select` for a set of events that is not a prefix of the stream
        ("as published by", :mod:`incidents._timetravel.published`): an entry
        stands when it stands at ``view[position]``, *position* being the
        stream position its key orders it by (its fact's; a withdrawal's,
        the withdrawn event's). Speed: benchmarks/bench_published.py (numpy
        over the compiled columns, nothing folded again).

        Args:
            view: A position for each stream position (``-1``: nothing stands).
            valid_at: A valid time in µs, or ``None`` for every entry.
            certainly: Read imprecise valid times as certainly (not possibly) in effect.

        Returns:
            The objects, in key order.
        """
        self.compile()
        if self._positions_of is not self.keys:
            self._positions = np.fromiter((k[-2] for k in self.keys), np.int64, len(self.keys))
            self._positions_of = self.keys
        at = view[self._positions]
        mask = (self.frm <= at) & (self.until > at)
        if valid_at is not None and self.timed:
            known = np.arange(len(self.keys)) < self.n_known
            if certainly:
                mask &= known & (self.late <= valid_at)
            else:
                mask &= ~known | (self.early <= valid_at)
        selected = np.flatnonzero(mask)
        return self.objs[selected].tolist() if len(selected) else []

    def _in_effect(self, entry: int, valid_at: int | None, certainly: bool) -> bool:
        if valid_at is None or not self.timed:
            return True
        if not self.e_known[entry]:
            return not certainly
        if certainly:
            return self.e_late[entry] <= valid_at
        return self.e_early[entry] <= valid_at

    def overlapping(self, p: int, start: int, end: int, within: bool) -> bool:
        """
        Whether an entry of known valid time standing at *p* meets ``[start, end]``.

        Args:
            p: A stream position.
            start: Window start (µs).
            end: Window end (µs).
            within: Require the valid time to lie within the window, not only overlap it.

        Returns:
            True if one does.
        """
        self.compile()
        n = self.n_known
        mask = self.frm[:n] <= p
        mask &= self.until[:n] > p
        if within:
            mask &= self.early[:n] >= start
            mask &= self.late[:n] <= end
        else:
            mask &= self.early[:n] <= end
            mask &= self.late[:n] >= start
        return bool(mask.any())
