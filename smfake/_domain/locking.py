"""The fake's lock: reentrant, and taken only by a thread that holds the GIL.

With a plain RLock, threads hitting one fake fell into a convoy: CPython hands a released lock
to a waiting thread, which must then win the GIL back before it can run, and may wait up to
the switch interval (5 ms) for it, holding the fake's lock all that time while every other
thread queues behind it. Under 8 threads, 72% of acquisitions found the lock taken and the
total throughput fell to about 0.6x one thread's (0.8x with no lock at all).

Here a thread that finds the lock taken gives up its time slice (releasing the GIL, so that
the holder can finish) and tries again, so the lock only ever goes to a thread that can use it
at once. After a bounded number of tries it waits as on any lock: a holder that waits itself
(a rotation function doing I/O) does not make the others spin.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType

# How often a contended acquire yields before it blocks. A call holds the lock for tens of
# microseconds; a yield lets the holder run for a time slice.
_TRIES = 50


def _sleep_zero() -> None:  # pragma: no cover - platforms without sched_yield
    time.sleep(0)


_yield = getattr(os, "sched_yield", _sleep_zero)


class FakeLock:
    """A reentrant lock (``with lock:``, ``acquire``/``release``) for one fake's state."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        lock = self._lock
        if lock.acquire(False):
            return True
        if not blocking:
            return False
        for _ in range(_TRIES):
            _yield()
            if lock.acquire(False):
                return True
        return lock.acquire(True, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lock.release()
