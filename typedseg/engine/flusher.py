"""The run's log files are flushed once a second by one background thread, not after every line.

A flush per log line is a system call every few iterations of training. `<timestamp>.log` and `scalars.json`
are written into their buffers, and a daemon thread flushes whatever waits there every `FLUSH_SECONDS`: the
last lines reach the disk within a second even when the run then hangs (a deadlocked collective is when one
reads them), closing a file flushes it, and a process killed outright (SIGKILL) loses at most the last second
of lines there. Train log lines are made at once unless they come faster than ten a second; those gathered
meanwhile are made by the next line, any other record, or this thread (typedseg.engine.logs.TrainLines).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

FLUSH_SECONDS = 1.0
"""How long a written line may wait in a log file's buffer."""


class PeriodicFlusher:
    """Calls each registered flush every `interval` seconds, from one daemon thread started on first use."""

    def __init__(self, interval: float, *, start: bool = True) -> None:
        self.interval = interval
        self._start = start
        self._lock = threading.Lock()
        self._flushes: dict[int, Callable[[], None]] = {}
        self._next_token = 0
        self._thread: threading.Thread | None = None

    def register(self, flush: Callable[[], None], *, first: bool = False) -> int:
        """Flush `flush`'s file from now on (with `first`, before those registered so far: a flush that writes
        into the others' files); the token unregisters it."""
        with self._lock:
            token = self._next_token
            self._next_token += 1
            self._flushes = {token: flush, **self._flushes} if first else {**self._flushes, token: flush}
            if self._start and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="typedseg log flusher", daemon=True)
                self._thread.start()
        return token

    def unregister(self, token: int) -> None:
        with self._lock:
            self._flushes.pop(token, None)

    def flush_all(self) -> None:
        """Flush every registered file now; a file that fails (a full disk) is left to fail where it is
        written or closed, in the training thread, where the error is reported."""
        with self._lock:
            flushes = list(self._flushes.values())
        for flush in flushes:
            try:
                flush()
            except (OSError, ValueError):  # ValueError: closed between the copy and the call
                pass

    def _run(self) -> None:
        stop = threading.Event()  # never set: the thread ends with the process
        while not stop.wait(self.interval):
            self.flush_all()


FLUSHER = PeriodicFlusher(FLUSH_SECONDS)
"""The process's flusher (one thread, whatever the number of runs)."""
