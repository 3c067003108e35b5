"""
Building objects through their slots: the speed tricks the trusted read path uses.

Objects read back from the ledger's own storage were validated when they were
recorded, so the trusted decoder (:mod:`incidents._codec.trusted`), the
SQLite row reader and a few hot paths build them without ``__init__``: an
empty instance from ``object.__new__``, then each slot set directly. Each
trick pays on the stored rows of ``benchmarks/bench_projections.py`` (its
``decode:`` rows), measured A/B in one process against the plain way:

* :func:`slot_setter`: ``decode_trusted`` takes about 12% longer when its
  builders call ``object.__setattr__`` instead (building a ``Recorded`` alone:
  1.5 times as long);
* :func:`uuid_from_str`, :func:`uuid_from_bytes`: ``uuid.UUID()`` re-checks
  its argument in ways that cost about a microsecond per id: with
  ``UUID(text)``, ``decode_trusted`` takes about 10% longer, and reading an
  incident's rows from SQLite (``store.stream``) about 12% longer with
  ``UUID(bytes=...)``. A UUID's slots are set as ``UUID.__init__`` itself
  sets them, after checking once at import that this Python's UUID has the
  expected layout (the plain constructor otherwise).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any
from uuid import UUID, SafeUUID

__all__ = ["slot_setter", "uuid_from_bytes", "uuid_from_str"]

_new_object = object.__new__


def slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """
    The setter of attribute *name* of *cls*: its slot's own, or ``object.__setattr__``.

    What ``object.__setattr__`` ends up calling for a slot, without the
    lookup (it also sets the fields of frozen classes). Without a slot (a
    class with a ``__dict__``), ``object.__setattr__`` itself.

    Args:
        cls: The class, usually a slotted attrs class.
        name: The attribute.

    Returns:
        ``setter(instance, value)``.
    """
    for klass in cls.__mro__:
        if name in vars(klass):
            found = vars(klass)[name]
            if isinstance(found, types.MemberDescriptorType):
                return found.__set__
            break
    return lambda instance, value: object.__setattr__(instance, name, value)


_set_int = slot_setter(UUID, "int")
_set_is_safe = slot_setter(UUID, "is_safe")


_UNKNOWN_SAFETY = SafeUUID.unknown  # looked up once: enum attribute access is slow


def _make_uuid(number: int) -> UUID:
    # The slots UUID.__init__ sets, set directly (see the module's docstring).
    made = _new_object(UUID)
    _set_int(made, number)
    _set_is_safe(made, _UNKNOWN_SAFETY)
    return made


def _check_uuid_layout() -> bool:
    sample = UUID("6f1c9e52-3b0e-5d6a-9c44-0a7d2f9e1b38")
    try:
        made = _make_uuid(sample.int)
    except (AttributeError, TypeError):  # pragma: no cover - another Python's layout
        return False
    return made == sample and hash(made) == hash(sample) and str(made) == str(sample)


_FAST_UUID = _check_uuid_layout()


def uuid_from_str(value: str) -> UUID:
    """
    A UUID from its canonical 36-character text, as stored.

    Args:
        value: e.g. ``"6f1c9e52-3b0e-5d6a-9c44-0a7d2f9e1b38"``.

    Returns:
        The UUID.

    Raises:
        ValueError: If the text is not a canonical UUID.
    """
    if len(value) != 36 or value[8] != "-" or value[13] != "-" or value[18] != "-":
        raise ValueError(f"not a canonical UUID: {value!r}")
    if not _FAST_UUID:  # pragma: no cover - another Python's layout
        return UUID(value)
    return _make_uuid(int(value.replace("-", ""), 16))


def uuid_from_bytes(value: bytes) -> UUID:
    """
    A UUID from its 16 bytes, as stored.

    Args:
        value: Big-endian bytes.

    Returns:
        The UUID.

    Raises:
        ValueError: If there are not 16 bytes.
    """
    if len(value) != 16:
        raise ValueError(f"a UUID has 16 bytes, got {len(value)}")
    if not _FAST_UUID:  # pragma: no cover - another Python's layout
        return UUID(bytes=value)
    return _make_uuid(int.from_bytes(value, "big"))
