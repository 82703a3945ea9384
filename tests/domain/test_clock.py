from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smfake._domain.clock import FakeClock
from smfake.errors import UsageError, UsageTypeError

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_clock_runs_with_real_time_until_frozen():
    clock = FakeClock()
    first = clock.now()
    assert first.tzinfo is not None and first.utcoffset() == timedelta(0)
    assert not clock.frozen
    frozen_at = clock.freeze()
    assert clock.frozen
    assert clock.now() == frozen_at == clock.now()


def test_clock_set_and_advance_are_exact():
    clock = FakeClock()
    clock.set(T0)
    assert clock.now() == T0
    assert clock.advance(days=1, hours=2, minutes=3, seconds=4) == T0 + timedelta(
        days=1, hours=2, minutes=3, seconds=4
    )
    clock.advance(timedelta(seconds=1), seconds=1)
    assert clock.now() == T0 + timedelta(days=1, hours=2, minutes=3, seconds=6)


def test_clock_set_converts_to_utc():
    clock = FakeClock()
    clock.set(datetime(2030, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == T0
    assert clock.now().tzinfo == timezone.utc


def test_clock_set_backwards_runs_nothing():
    clock = FakeClock()
    clock.set(T0)
    ran: list[str] = []
    clock.schedule(T0 + timedelta(days=1), lambda: ran.append("x"))
    clock.set(T0 - timedelta(days=5))
    assert ran == []
    assert clock.now() == T0 - timedelta(days=5)


@pytest.mark.parametrize("bad", [datetime(2030, 1, 1), "2030-01-01", 0])
def test_clock_set_rejects_naive_and_non_datetimes(bad):
    with pytest.raises(UsageTypeError, match="aware datetime"):
        FakeClock().set(bad)


def test_clock_advance_rejects_negative_and_wrong_types():
    clock = FakeClock()
    with pytest.raises(UsageError, match="backwards"):
        clock.advance(days=-1)
    with pytest.raises(UsageTypeError, match="timedelta"):
        clock.advance(5)  # type: ignore[arg-type]


def test_clock_runs_due_jobs_in_time_order_each_at_its_due_time():
    clock = FakeClock()
    clock.set(T0)
    seen: list[tuple[str, datetime]] = []
    for name, days in [("c", 3), ("a", 1), ("b", 2), ("late", 10)]:
        clock.schedule(T0 + timedelta(days=days), lambda n=name: seen.append((n, clock.now())))
    clock.advance(days=5)
    assert seen == [
        ("a", T0 + timedelta(days=1)),
        ("b", T0 + timedelta(days=2)),
        ("c", T0 + timedelta(days=3)),
    ]
    assert clock.now() == T0 + timedelta(days=5)


def test_clock_jobs_scheduled_by_jobs_run_in_the_same_advance():
    clock = FakeClock()
    clock.set(T0)
    seen: list[datetime] = []

    def first() -> None:
        seen.append(clock.now())
        clock.schedule(clock.now() + timedelta(days=1), lambda: seen.append(clock.now()))

    clock.schedule(T0 + timedelta(days=1), first)
    clock.advance(days=3)
    assert seen == [T0 + timedelta(days=1), T0 + timedelta(days=2)]


def test_clock_cancelled_jobs_do_not_run():
    clock = FakeClock()
    clock.set(T0)
    ran: list[int] = []
    job = clock.schedule(T0 + timedelta(days=1), lambda: ran.append(1))
    job.cancel()
    clock.advance(days=2)
    assert ran == []


def test_clock_run_due_with_a_running_clock():
    clock = FakeClock()
    ran: list[int] = []
    clock.schedule(clock.now() - timedelta(seconds=1), lambda: ran.append(1))
    clock.schedule(clock.now() + timedelta(days=1), lambda: ran.append(2))
    clock.run_due()
    assert ran == [1]
    assert not clock.frozen
