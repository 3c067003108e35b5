"""
Modules imported when first used, not when the package is imported.

``import incidents`` should not cost what numpy, shapely, cryptography,
pycountry or ``importlib.metadata`` cost to import: most programs use only a
part of them, and some (a command that prints help, a worker that only
records) none. A module that needs one binds a :class:`LazyModule` under the
usual name instead::

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = LazyModule("numpy", globals(), "np")

The first attribute read through it imports the module and puts the real
module in its place in that namespace, so every later use is an ordinary
global lookup, at no cost. ``tests/test_import_time.py`` checks that
importing the package imports none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """
    Stands for a module until an attribute of it is first read.

    Args:
        name: The module's full name, e.g. ``"shapely.geometry"``.
        namespace: The globals of the module that uses it.
        alias: The name it is bound to there.
    """

    __slots__ = ("_alias", "_name", "_namespace")

    def __init__(self, name: str, namespace: MutableMapping[str, Any], alias: str) -> None:
        self._name = name
        self._namespace = namespace
        self._alias = alias

    def load(self) -> Any:
        """
        Import the module, put it in place of this stand-in, and return it.
        """
        module = importlib.import_module(self._name)
        if self._namespace.get(self._alias) is self:
            self._namespace[self._alias] = module
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<{self._name}, imported when first used>"
