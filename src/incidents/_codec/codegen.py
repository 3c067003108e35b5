"""
Compiling generated source so that tracebacks and debuggers show its lines.

The codec generates a few straight-line functions from type hints (the
compiled encoders, the trusted builders). Code passed to ``exec`` as a plain
string is anonymous: a traceback through it says ``File "<string>"`` and
shows no line. :func:`compile_function` compiles the source under a
filename of its own and registers the source with :mod:`linecache`, as attrs
and dataclasses do for the methods they generate, so tracebacks, ``pdb`` and
``inspect.getsource`` show the generated lines themselves.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from typing import Any

__all__ = ["compile_function"]


def _register(source: str, description: str) -> str:
    """
    A filename for *source*, registered with :mod:`linecache`.

    The same source under the same description keeps its first filename;
    different source under a description already taken gets a numbered one,
    so that no registered lines are ever replaced.
    """
    lines = source.splitlines(keepends=True)
    filename = base = f"<generated {description}>"
    count = 1
    while True:
        # mtime None: linecache.checkcache() leaves the entry alone (there is no file).
        entry = (len(source), None, lines, filename)
        if linecache.cache.setdefault(filename, entry) == entry:
            return filename
        count += 1
        filename = f"{base[:-1]} #{count}>"


def compile_function(
    source: str, name: str, scope: dict[str, Any], *, description: str
) -> Callable[..., Any]:
    """
    Compile generated source that defines a function, and return that function.

    Args:
        source: Python source defining a function *name* (and possibly others
            it calls), at the top level.
        name: The function to return.
        scope: The globals the source runs in: the names it uses. The
            functions it defines are added to it.
        description: What the code is, for its filename, e.g.
            ``"encoder of AircraftReported"``.

    Returns:
        The function, whose frames show the file ``<generated {description}>``
        (numbered when another source took that name) with its real lines.
    """
    filename = _register(source, description)
    exec(compile(source, filename, "exec"), scope)
    function: Callable[..., Any] = scope[name]
    return function
