"""FakeClock: the only source of "now" inside the fake, and the jobs it runs when they fall due."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from smfake.errors import UsageError, UsageTypeError


def _real_now() -> datetime:
    # Read through the standard library so that freezegun/time-machine, when a test uses them,
    # are seen consistently by the fake too.
    return datetime.now(timezone.utc)


@dataclass(order=True, slots=True)
class Job:
    """Something that falls due at ``due``; cancelled jobs stay in the heap and are skipped."""

    due: datetime
    seq: int
    action: Callable[[], None] = field(compare=False, repr=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """Runs with real time until a test sets, advances or freezes it; then time only moves
    when the test moves it. Moving it forward runs what fell due, in time order."""

    def __init__(self, lock: AbstractContextManager[object] | None = None) -> None:
        self._lock: AbstractContextManager[object] = lock if lock is not None else threading.RLock()
        self._anchor = _real_now()
        self._real_at_anchor: datetime | None = self._anchor
        self._jobs: list[Job] = []
        self._seq = itertools.count()

    @property
    def frozen(self) -> bool:
        """True once the test has set, advanced or frozen the clock."""
        return self._real_at_anchor is None

    def now(self) -> datetime:
        """The current fake time, an aware UTC datetime."""
        if self._real_at_anchor is None:
            return self._anchor
        return self._anchor + (_real_now() - self._real_at_anchor)

    def freeze(self) -> datetime:
        """Stop the clock at the current reading; returns that reading."""
        with self._lock:
            self._anchor = self.now()
            self._real_at_anchor = None
            return self._anchor

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (aware) and freeze there; forward jumps run what fell due."""
        if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
            raise UsageTypeError(f"clock.set() takes an aware datetime, got {when!r}")
        with self._lock:
            target = when.astimezone(timezone.utc)
            self._anchor = self.now()
            self._real_at_anchor = None
            self._run_until(target)
            self._anchor = target

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by ``delta`` (or the keyword amounts), running every job that falls
        due on the way, each at its own due time. Returns the new reading."""
        if delta is not None and not isinstance(delta, timedelta):
            raise UsageTypeError(
                "clock.advance() takes a timedelta or days=/hours=/minutes=/seconds=, "
                f"got {delta!r}"
            )
        step = (delta or timedelta()) + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        if step < timedelta():
            raise UsageError(f"clock.advance() cannot go backwards ({step}); use clock.set()")
        with self._lock:
            target = self.now() + step
            self.set(target)
            return target

    def schedule(self, due: datetime, action: Callable[[], None]) -> Job:
        """Run ``action`` once the clock reaches ``due``."""
        with self._lock:
            job = Job(due, next(self._seq), action)
            heapq.heappush(self._jobs, job)
            return job

    def run_due(self) -> bool:
        """Run the jobs whose time has come (the clock may be running with real time);
        whether any was due."""
        if self._jobs and self._jobs[0].due <= self.now():
            with self._lock:
                self._run_until(self.now())
            return True
        return False

    def clear_jobs(self) -> None:
        with self._lock:
            self._jobs.clear()

    def _run_until(self, target: datetime) -> None:
        jobs = self._jobs
        while jobs and jobs[0].due <= target:
            job = heapq.heappop(jobs)
            if job.cancelled:
                continue
            if self._real_at_anchor is None and job.due > self._anchor:
                # Each job sees the clock at its own due time.
                self._anchor = job.due
            job.action()
