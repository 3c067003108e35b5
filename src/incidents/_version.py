"""The installed version of ``incidents``, for the package root and for internals."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("incidents")
    """The installed version of ``incidents``, e.g. ``"0.1.0"``."""
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
