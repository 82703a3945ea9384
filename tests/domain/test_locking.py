from __future__ import annotations

import threading
import time

import pytest

from smfake._domain import locking
from smfake._domain.locking import FakeLock


def test_reentrant_for_its_owner():
    lock = FakeLock()
    with lock, lock:
        assert lock.acquire(blocking=False)
        lock.release()


def test_another_thread_waits_until_it_is_released():
    lock = FakeLock()
    order: list[str] = []
    lock.acquire()

    def other() -> None:
        assert lock.acquire(blocking=False) is False
        with lock:
            order.append("other")

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.05)
    order.append("owner")
    lock.release()
    thread.join(5)
    assert order == ["owner", "other"]


def test_a_contended_acquire_yields_a_bounded_number_of_times_then_blocks(monkeypatch):
    yields: list[None] = []
    monkeypatch.setattr(locking, "_yield", lambda: yields.append(None))
    lock = FakeLock()
    lock.acquire()
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(lock.acquire(timeout=0.05)))
    thread.start()
    thread.join(5)
    assert outcome == [False]  # it blocked, with the timeout, once its tries were spent
    assert len(yields) == locking._TRIES
    lock.release()


def test_release_by_a_thread_that_does_not_own_it_fails():
    lock = FakeLock()
    lock.acquire()
    failures: list[BaseException] = []

    def other() -> None:
        try:
            lock.release()
        except RuntimeError as error:
            failures.append(error)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(5)
    assert len(failures) == 1
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()
