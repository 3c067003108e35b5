"""The installed version of ``incidents``, for the package root and for internals."""

from __future__ import annotations

import functools

__all__ = ["installed_version"]


@functools.cache
def installed_version() -> str:
    """
    The version of the installed distribution (read once, when first asked).

    ``importlib.metadata`` is imported here, not when the package is: it
    costs more to import than most of the library.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("incidents")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
