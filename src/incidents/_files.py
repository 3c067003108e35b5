"""
Writing a file whole or not at all, and never through a symbolic link.

Every file the library and its command line write (bundles, proofs, event
files, checkpoints, keys) goes through :func:`atomic_file`: the bytes go to
a new file beside the destination, which is flushed to disk and then
renamed over it, so a reader sees the old file or the whole new one, and a
failure (a full disk, an interrupted run) leaves nothing behind and the old
file as it was. A destination that is a symbolic link is refused rather than
followed (a link planted where a key or a proof is written would otherwise
redirect it). Published files get ordinary permissions (0644, less what the
umask takes away); a secret file is created readable by its owner only
(0600) from the start, never widened even for a moment.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator

from incidents._errors import FileWriteError

__all__ = ["PUBLISHED_MODE", "SECRET_MODE", "FileOutput", "atomic_file", "write_file"]

PUBLISHED_MODE = 0o644
"""Permissions of a file meant to be read by others (the umask still applies)."""
SECRET_MODE = 0o600
"""Permissions of a secret file, such as a signing key: its owner's only."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class FileOutput:
    """
    The file being written inside :func:`atomic_file`.

    Args:
        fd: The temporary file's descriptor.
        describe: How to name the destination in an error.
    """

    def __init__(self, fd: int, describe: str) -> None:
        self._fd = fd
        self._describe = describe

    def write(self, data: bytes) -> int:
        """
        Write all of *data*.

        Args:
            data: The bytes.

        Returns:
            How many bytes were written: all of them.

        Raises:
            FileWriteError: If the system refuses (e.g. the disk is full).
        """
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            raise _failure(self._describe, exc) from exc
        return len(data)


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], *, what: str = "file", secret: bool = False, replace: bool = True
) -> Iterator[FileOutput]:
    """
    Write a file whole or not at all, in a ``with`` block.

    ``with atomic_file(path, what="bundle") as out: out.write(data)``: the
    bytes are written to a new file in the destination's folder, created
    with the final permissions; when the block ends, they are flushed to
    disk and the file is renamed into place (and the folder flushed). If the
    block raises, or writing fails, the new file is removed: nothing is left
    at the destination, and a file that was there is unchanged.

    Args:
        path: The destination.
        what: What the file is, for error messages (``"bundle"``, ``"signing key"``).
        secret: Readable by its owner only (0600); else 0644 less the umask.
        replace: Replace a file already at *path* (else refuse it).

    Yields:
        The file to write to.

    Raises:
        FileWriteError: If the destination is a symbolic link, a folder or
            not a regular file, exists and *replace* is false, or the file
            cannot be written (missing folder, no permission, full disk).
    """
    destination = os.fspath(path)
    describe = f"{what} {destination}"
    _check_destination(destination, describe, replace)
    folder = os.path.dirname(os.path.abspath(destination))
    fd, temporary = _create(folder, os.path.basename(destination), describe, secret)
    try:
        yield FileOutput(fd, describe)
        try:
            os.fsync(fd)
        except OSError as exc:
            raise _failure(describe, exc) from exc
        os.close(fd)
        fd = -1
        _move_into_place(temporary, destination, describe, replace)
    except BaseException:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def write_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    what: str = "file",
    secret: bool = False,
    replace: bool = True,
) -> None:
    """
    Write *data* to a file whole or not at all (see :func:`atomic_file`).

    Args:
        path: The destination.
        data: The bytes.
        what: What the file is, for error messages.
        secret: Readable by its owner only (0600); else 0644 less the umask.
        replace: Replace a file already at *path* (else refuse it).

    Raises:
        FileWriteError: If the file cannot be written, or the destination is refused.
    """
    with atomic_file(path, what=what, secret=secret, replace=replace) as out:
        out.write(data)


def _failure(
    describe: str, exc: OSError | None = None, reason: str | None = None
) -> FileWriteError:
    if reason is None:
        assert exc is not None
        reason = f"{exc.strerror or exc} (nothing was written)"
    error = FileWriteError(f"cannot write {describe}: {reason}")
    error.errno = exc.errno if exc is not None else None
    return error


def _refused(describe: str, reason: str, code: int) -> FileWriteError:
    error = FileWriteError(f"cannot write {describe}: {reason}")
    error.errno = code
    return error


def _check_destination(destination: str, describe: str, replace: bool) -> None:
    try:
        found = os.lstat(destination)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failure(describe, exc) from exc
    if stat.S_ISLNK(found.st_mode):
        raise _refused(
            describe,
            "it is a symbolic link, which is never followed; remove it or choose another path",
            errno.ELOOP,
        )
    if stat.S_ISDIR(found.st_mode):
        raise _refused(describe, "it is a folder", errno.EISDIR)
    if not stat.S_ISREG(found.st_mode):
        raise _refused(describe, "it is not a regular file", errno.EINVAL)
    if not replace:
        raise _refused(describe, "a file is there already; not replacing it", errno.EEXIST)


def _create(folder: str, name: str, describe: str, secret: bool) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    mode = SECRET_MODE if secret else PUBLISHED_MODE
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, flags, mode), temporary
        except FileExistsError:
            continue
        except FileNotFoundError as exc:
            raise _failure(describe, exc, f"the folder {folder} does not exist") from exc
        except OSError as exc:
            raise _failure(describe, exc) from exc
    raise _refused(
        describe, f"cannot create a new file in {folder}", errno.EEXIST
    )  # pragma: no cover


def _move_into_place(temporary: str, destination: str, describe: str, replace: bool) -> None:
    if replace:
        try:
            os.replace(temporary, destination)  # replaces a link planted since, never follows it
        except OSError as exc:
            raise _failure(describe, exc) from exc
        return
    try:
        os.link(temporary, destination)  # fails if anything is there, even a link
    except FileExistsError as exc:
        raise _refused(describe, "a file is there already; not replacing it", errno.EEXIST) from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise _failure(describe, exc) from exc
        # A file system without hard links: check, then rename.
        if os.path.lexists(destination):
            raise _refused(
                describe, "a file is there already; not replacing it", errno.EEXIST
            ) from None
        try:
            os.replace(temporary, destination)
        except OSError as exc2:
            raise _failure(describe, exc2) from exc2
        return
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def _sync_folder(folder: str) -> None:
    """Flush the folder, so that the rename survives a crash (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | _DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
