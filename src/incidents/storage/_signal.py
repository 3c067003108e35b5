"""
Telling threads of this process that a batch committed.
"""

from __future__ import annotations

import threading

__all__ = ["CommitSignal", "commit_signal"]


class CommitSignal:
    """
    Wakes threads of this process waiting for new events: a condition per log.

    Stores of the same log in one process (two ledgers opened on the same
    file, say) share one signal, so a commit through either wakes both; see
    :func:`commit_signal`. Writers in other processes are not heard here:
    waiting falls back on reading the log's last sequence now and then.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._commits = 0

    def committed(self) -> None:
        """Tell every waiting thread that a batch committed."""
        with self._condition:
            self._commits += 1
            self._condition.notify_all()

    def count(self) -> int:
        """
        Commits signalled so far (a token for :meth:`wait`).

        Returns:
            The number of commits signalled.
        """
        with self._condition:
            return self._commits

    def wait(self, seen: int, timeout: float) -> bool:
        """
        Wait until a commit after token *seen* is signalled or *timeout* seconds pass.

        Args:
            seen: A token from :meth:`count`.
            timeout: The longest wait, in seconds.

        Returns:
            Whether a commit was signalled.
        """
        with self._condition:
            return self._condition.wait_for(lambda: self._commits != seen, timeout)


_SIGNALS: dict[str, CommitSignal] = {}
_SIGNALS_LOCK = threading.Lock()


def commit_signal(key: str) -> CommitSignal:
    """
    The signal shared by every store of this process on the log named *key*.

    Args:
        key: What identifies the log (a resolved path, a URL with its schema).

    Returns:
        The signal.
    """
    with _SIGNALS_LOCK:
        signal = _SIGNALS.get(key)
        if signal is None:
            signal = _SIGNALS[key] = CommitSignal()
        return signal
