"""``fake.clock``: what a test does with the fake's time.

The domain's clock (smfake/_domain/clock.py) also schedules and runs the jobs that fall due
(deletion windows, rotations); that machinery stays behind this face, which offers only the
reading and the moves a test makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from smfake._domain import clock


class FakeClock:
    """The fake's only "now". Runs with real time until a test sets, advances or freezes it;
    then time moves only when the test moves it, and moving it forward runs what fell due
    (expired deletion windows, scheduled rotations), in time order."""

    __slots__ = ("_clock",)

    def __init__(self, clock: clock.FakeClock) -> None:
        self._clock = clock

    def __repr__(self) -> str:
        state = "frozen" if self._clock.frozen else "running"
        return f"<FakeClock {state} at {self._clock.now().isoformat()}>"

    @property
    def frozen(self) -> bool:
        """True once the test has set, advanced or frozen the clock."""
        return self._clock.frozen

    def now(self) -> datetime:
        """The current fake time, an aware UTC datetime."""
        return self._clock.now()

    def freeze(self) -> datetime:
        """Stop the clock at the current reading; returns that reading."""
        return self._clock.freeze()

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (aware) and freeze there; forward jumps run what fell due."""
        self._clock.set(when)

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
        return self._clock.advance(delta, days=days, hours=hours, minutes=minutes, seconds=seconds)
