"""
Fast UUIDs for data the ledger itself stored.

``uuid.UUID()`` re-checks its argument in ways that cost about a microsecond
per id; reading a large incident or a whole log back builds millions of them.
Ids read back from storage are already canonical, so these helpers set the
UUID's slots directly (as ``UUID.__init__`` itself does), after checking once
at import that this Python's UUID has the expected layout. The trusted
decoder of stored records (:func:`incidents._codec.trusted.decode_trusted`) and the
SQLite row reader use them. :func:`slot_setter` is the shared way of filling
the slots of objects built without their ``__init__``.
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
    # uuid.UUID.__init__ re-checks its arguments in ways that cost a microsecond
    # per id; ids read back from storage are set directly, as __init__ itself does.
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
