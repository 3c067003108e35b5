"""
A projection's state in canonical bytes, and what a batch changed of it.

A state is a JSON object: a ``dict`` from ``str`` keys to JSON values
(``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``). Its
canonical bytes are compact, sorted-key UTF-8 JSON (the same encoding as the
ledger's events), and its digest the SHA-256 of those bytes. Each top-level
key is stored as one row of a read model, so a batch rewrites only the keys
its events touched (:class:`Tracked`), and a large ``dict`` value is encoded
again only for the members that changed (:class:`_Parts`).
"""

from __future__ import annotations

import bisect
import json
import json.encoder
from collections.abc import Callable, Iterable, Mapping
from itertools import compress, repeat
from operator import is_not
from typing import Any

from incidents._codec.canonical import dumps
from incidents._errors import InvalidInputError, ProjectionError
from incidents._gc import paused_gc

__all__ = ["Tracked", "assemble", "state_bytes"]


def state_bytes(state: Mapping[str, Any]) -> bytes:
    """
    The canonical bytes of a state: compact, sorted-key UTF-8 JSON.

    Args:
        state: A projection's state.

    Returns:
        The bytes whose SHA-256 is the state's digest.

    Raises:
        ProjectionError: If the state is not a JSON object that survives its
            own encoding unchanged (tuples, sets, non-``str`` keys, NaN).
    """
    plain = dict(state)
    try:
        data = dumps(plain)
    except InvalidInputError as exc:
        raise ProjectionError(f"a projection state must be JSON: {exc}") from exc
    # Parsed back, a large state is many containers at once: bulk work (incidents._gc).
    with paused_gc(len(data) // _BYTES_PER_CONTAINER):
        same = _round_trips(data, plain)
    if not same:
        raise ProjectionError(_NOT_CANONICAL)
    return data


_BYTES_PER_CONTAINER = 64


def _round_trips(data: bytes | str, value: Any) -> bool:
    """
    Whether *data* (the canonical encoding of *value*) parses back equal to *value*.

    orjson parses several times as fast as ``json``, and what it finds equal
    ``json`` does too: the two differ only on integers beyond 64 bits, which
    orjson returns as (possibly rounded) floats. So only a mismatch, or bytes
    orjson refuses, is checked again with ``json``, which decides.
    """
    if _orjson_loads is not None:
        try:
            if _orjson_loads(data) == value:
                return True
        except ValueError:
            pass
    return bool(json.loads(data) == value)


try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - a platform orjson has no build for
    _orjson_loads = None  # type: ignore[assignment]
"""Roughly how many bytes of a state's JSON make one dict or list: what sizes its check as bulk."""


_NOT_CANONICAL = (
    "a projection state must survive canonical JSON unchanged: use dicts with str keys, "
    "lists (not tuples or sets), str, int, float, bool and None"
)


def assemble(documents: Mapping[str, bytes]) -> bytes:
    """Canonical bytes of a state from the canonical bytes of its top-level values."""
    parts = [dumps(key) + b":" + documents[key] for key in sorted(documents)]
    return b"{" + b",".join(parts) + b"}"


_PLAIN = (str, int, bool, type(None))  # exact types: compared by value, encoded once
_PARTS_MIN = 64  # a dict value this large is re-encoded member by member


class _Parts:
    """
    The canonical encoding of one large ``dict`` value of a state, member by member.

    ``order`` holds the keys, sorted, and ``encoded`` beside it the bytes
    ``"key":value`` of each as last encoded; ``plain`` maps the keys whose
    value is a ``str``, ``int``, ``bool`` or ``None`` to that very object.
    """

    __slots__ = ("encoded", "order", "plain")

    def __init__(self) -> None:
        self.order: list[str] = []
        self.encoded: list[bytes] = []
        self.plain: dict[str, Any] = {}

    def encode(self, name: str, key: str, value: dict[Any, Any]) -> bytes:
        """
        ``dumps(value)``, re-encoding only the members that changed since the last call.

        A member is unchanged when it holds the very object last encoded and
        that object is a ``str``, ``int``, ``bool`` or ``None`` (immutable, so
        its bytes stand); every other member is encoded and checked again.

        Raises:
            ProjectionError: If a member is not canonical JSON.
        """
        order, encoded, plain = self.order, self.encoded, self.plain
        # The members whose value is not the object last encoded, found in C.
        keys = value.keys()
        changed = list(
            compress(keys, map(is_not, map(plain.get, keys, repeat(_MISSING)), value.values()))
        )
        removed = len(order) + sum(1 for m in changed if m not in plain) != len(value)
        fresh: list[tuple[str, bytes]] = []
        for member in changed:
            item = value[member]
            known = member in plain
            if not known and not isinstance(member, str):
                raise ProjectionError(
                    f"projection {name!r}: state[{key!r}]: keys must be str, got {member!r}"
                )
            kind = type(item)
            if kind is int:  # the commonest members, written as json.dumps would
                text = int.__repr__(item)
            elif kind is str:
                text = _escape(item)
            else:
                try:
                    text = dumps(item).decode()
                except InvalidInputError as exc:
                    raise ProjectionError(
                        f"projection {name!r}: state[{key!r}][{member!r}]: {exc}"
                    ) from exc
            if kind in _PLAIN:
                plain[member] = item
            else:
                if not _round_trips(text, item):
                    raise ProjectionError(
                        f"projection {name!r}: state[{key!r}][{member!r}]: {_NOT_CANONICAL}"
                    )
                plain[member] = _MISSING  # known, but encoded again every time
            data = f"{_escape(member)}:{text}".encode()
            if known:
                encoded[bisect.bisect_left(order, member)] = data
            else:
                fresh.append((member, data))
        if removed:
            for member in [m for m in order if m not in value]:
                del plain[member]
            kept = [i for i, m in enumerate(order) if m in value]
            self.order = order = [order[i] for i in kept]
            self.encoded = encoded = [encoded[i] for i in kept]
        if len(fresh) > 32:
            pairs = sorted([*zip(order, encoded, strict=True), *fresh])
            self.order = order = [m for m, _ in pairs]
            self.encoded = encoded = [d for _, d in pairs]
        else:
            for member, data in fresh:
                at = bisect.bisect_left(order, member)
                order.insert(at, member)
                encoded.insert(at, data)
        return b"{" + b",".join(encoded) + b"}"


_MISSING = object()
_escape: Callable[[str], str] = json.encoder.encode_basestring  # as json.dumps writes text


class Tracked(dict[str, Any]):
    """A state that remembers which top-level keys a batch may have changed."""

    __slots__ = ("everything", "parts", "stored", "touched")

    def __init__(self, data: Mapping[str, Any], stored: Iterable[str]) -> None:
        super().__init__(data)
        self.touched: set[Any] = set()
        self.everything = False
        self.stored = set(stored)
        self.parts: dict[str, _Parts] = {}

    # Reads that hand out a value may precede a change inside it.
    def __getitem__(self, key: Any) -> Any:
        self.touched.add(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.touched.add(key)
        return dict.get(self, key, default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self.touched.add(key)
        return dict.setdefault(self, key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self.touched.add(key)
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        self.touched.add(key)
        return dict.pop(self, key, *default)

    def _all(self) -> None:
        self.everything = True

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._all()
        dict.update(self, *args, **kwargs)

    def values(self) -> Any:
        self._all()
        return dict.values(self)

    def items(self) -> Any:
        self._all()
        return dict.items(self)

    def popitem(self) -> tuple[str, Any]:
        self._all()
        return dict.popitem(self)

    def clear(self) -> None:
        self._all()
        dict.clear(self)

    def copy(self) -> dict[str, Any]:
        self._all()
        return dict(self)

    def __ior__(self, other: Any) -> Tracked:  # type: ignore[override,misc]
        self._all()
        dict.update(self, other)
        return self

    def changes(self, name: str) -> tuple[dict[str, bytes], set[str]]:
        """
        Encode what may have changed since the last commit: (documents, deleted keys).

        A large ``dict`` value is encoded member by member and its members'
        bytes kept, so the next batch re-encodes only the members that changed
        (the bytes are those of :func:`dumps` of the whole value all the same).
        """
        keys = set(dict.keys(self)) | self.stored if self.everything else self.touched
        documents: dict[str, bytes] = {}
        deleted: set[str] = set()
        parts = self.parts
        for key in keys:
            if not dict.__contains__(self, key):
                parts.pop(key, None)
                if key in self.stored:
                    deleted.add(key)
                continue
            if not isinstance(key, str):
                raise ProjectionError(f"projection {name!r}: state keys must be str, got {key!r}")
            value = dict.__getitem__(self, key)
            if type(value) is dict and (key in parts or len(value) >= _PARTS_MIN):
                found = parts.get(key)
                if found is None:
                    found = parts[key] = _Parts()
                try:
                    documents[key] = found.encode(name, key, value)
                except BaseException:
                    del parts[key]  # half updated: start afresh next time
                    raise
                continue
            parts.pop(key, None)
            try:
                data = dumps(value)
            except InvalidInputError as exc:
                raise ProjectionError(f"projection {name!r}: state[{key!r}]: {exc}") from exc
            if not _round_trips(data, value):
                raise ProjectionError(f"projection {name!r}: state[{key!r}]: {_NOT_CANONICAL}")
            documents[key] = data
        return documents, deleted

    def committed(self) -> None:
        """The changes were stored: start tracking afresh."""
        self.stored = set(dict.keys(self))
        self.touched = set()
        self.everything = False
