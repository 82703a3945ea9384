"""The fake clock: aware UTC, real time until a test takes control, jobs run in time order."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

import smfake._domain.clock
from smfake import FakeClock
from smfake.errors import UsageError, UsageTypeError

T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def exists(client, name):
    try:
        client.describe_secret(SecretId=name)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"
        return False
    return True


# -- reading ----------------------------------------------------------------------------------


def test_now_is_aware_utc_and_follows_real_time(fake):
    assert isinstance(fake.clock, FakeClock)
    before = datetime.now(timezone.utc)
    reading = fake.clock.now()
    after = datetime.now(timezone.utc)
    assert reading.tzinfo is not None
    assert reading.utcoffset() == timedelta(0)
    assert before <= reading <= after
    assert not fake.clock.frozen


def test_running_clock_moves_with_real_time(fake):
    first = fake.clock.now()
    time.sleep(0.02)
    second = fake.clock.now()
    assert second - first >= timedelta(seconds=0.02)


def test_running_clock_stamps_responses_with_the_present(fake, client):
    before = datetime.now(timezone.utc)
    client.create_secret(Name="now", SecretString="v")
    created = client.describe_secret(SecretId="now")["CreatedDate"]
    after = datetime.now(timezone.utc)
    assert before - timedelta(milliseconds=1) <= created <= after + timedelta(milliseconds=1)


def test_freeze_stops_the_clock(fake):
    frozen_at = fake.clock.freeze()
    assert fake.clock.frozen
    time.sleep(0.02)
    assert fake.clock.now() == frozen_at
    assert frozen_at.utcoffset() == timedelta(0)


# -- set --------------------------------------------------------------------------------------


def test_set_jumps_and_freezes(fake, client):
    fake.clock.set(T0)
    assert fake.clock.frozen
    time.sleep(0.01)
    assert fake.clock.now() == T0
    client.create_secret(Name="stamped", SecretString="v")
    described = client.describe_secret(SecretId="stamped")
    assert described["CreatedDate"] == T0
    assert described["LastChangedDate"] == T0


def test_set_converts_other_offsets_to_utc(fake):
    fake.clock.set(datetime(2024, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    assert fake.clock.now() == T0
    assert fake.clock.now().utcoffset() == timedelta(0)


def test_set_backwards_is_allowed(fake, client):
    fake.clock.set(T0)
    fake.clock.set(T0 - timedelta(days=365))
    assert fake.clock.now() == T0 - timedelta(days=365)
    client.create_secret(Name="past", SecretString="v")
    assert client.describe_secret(SecretId="past")["CreatedDate"] == T0 - timedelta(days=365)


@pytest.mark.parametrize(
    "when",
    [datetime(2024, 3, 1, 12, 0), "2024-03-01T12:00:00Z", T0.timestamp(), None],
    ids=["naive", "string", "epoch", "none"],
)
def test_set_refuses_anything_but_an_aware_datetime(fake, when):
    fake.clock.set(T0)
    with pytest.raises(UsageTypeError, match="aware datetime"):
        fake.clock.set(when)
    assert fake.clock.now() == T0


# -- advance ----------------------------------------------------------------------------------


def test_advance_by_timedelta(fake):
    fake.clock.set(T0)
    reading = fake.clock.advance(timedelta(hours=5))
    assert reading == T0 + timedelta(hours=5)
    assert fake.clock.now() == reading


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"days": 8}, timedelta(days=8)),
        ({"hours": 2}, timedelta(hours=2)),
        ({"minutes": 90}, timedelta(minutes=90)),
        ({"seconds": 1.5}, timedelta(seconds=1.5)),
        ({"days": 0.5}, timedelta(hours=12)),
        ({"days": 1, "hours": 2, "minutes": 3, "seconds": 4}, timedelta(days=1, seconds=7384)),
        ({"delta": timedelta(hours=1), "minutes": 30}, timedelta(minutes=90)),
        ({}, timedelta(0)),
    ],
)
def test_advance_by_keywords(fake, kwargs, expected):
    fake.clock.set(T0)
    assert fake.clock.advance(**kwargs) == T0 + expected
    assert fake.clock.now() == T0 + expected


def test_advance_from_a_running_clock_freezes_it_ahead_of_real_time(fake):
    before = datetime.now(timezone.utc)
    reading = fake.clock.advance(days=1)
    after = datetime.now(timezone.utc)
    assert fake.clock.frozen
    assert before + timedelta(days=1) <= reading <= after + timedelta(days=1)
    time.sleep(0.01)
    assert fake.clock.now() == reading


@pytest.mark.parametrize(
    "kwargs",
    [
        {"delta": timedelta(seconds=-1)},
        {"days": -1},
        {"seconds": -0.001},
        {"delta": timedelta(days=1), "days": -2},
    ],
)
def test_advance_backwards_raises(fake, kwargs):
    fake.clock.set(T0)
    with pytest.raises(UsageError, match="cannot go backwards"):
        fake.clock.advance(**kwargs)
    assert fake.clock.now() == T0


@pytest.mark.parametrize("delta", [1, "1 day", 86400.0])
def test_advance_refuses_a_delta_that_is_not_a_timedelta(fake, delta):
    fake.clock.set(T0)
    with pytest.raises(UsageTypeError, match="timedelta"):
        fake.clock.advance(delta)
    assert fake.clock.now() == T0


# -- what falls due ---------------------------------------------------------------------------


def test_deletion_windows_expire_in_time_order_on_advance(fake, client):
    fake.clock.set(T0)
    for name, days in (("ten", 10), ("seven", 7), ("thirty", 30)):
        client.create_secret(Name=name, SecretString="v")
        deletion = client.delete_secret(SecretId=name, RecoveryWindowInDays=days)
        assert deletion["DeletionDate"] == T0 + timedelta(days=days)

    fake.clock.advance(days=7)
    assert [exists(client, n) for n in ("seven", "ten", "thirty")] == [False, True, True]
    fake.clock.advance(days=3)
    assert [exists(client, n) for n in ("seven", "ten", "thirty")] == [False, False, True]
    fake.clock.advance(days=20)
    assert [exists(client, n) for n in ("seven", "ten", "thirty")] == [False, False, False]
    client.create_secret(Name="seven", SecretString="reborn")
    assert client.get_secret_value(SecretId="seven")["SecretString"] == "reborn"


def test_deletion_window_does_not_expire_a_moment_early(fake, client):
    fake.clock.set(T0)
    client.create_secret(Name="edge", SecretString="v")
    client.delete_secret(SecretId="edge", RecoveryWindowInDays=7)
    fake.clock.advance(timedelta(days=7) - timedelta(microseconds=1))
    assert client.describe_secret(SecretId="edge")["DeletedDate"] == T0
    fake.clock.advance(timedelta(microseconds=1))
    assert not exists(client, "edge")


def test_one_long_advance_expires_each_window_at_its_own_time(fake, client):
    fake.clock.set(T0)
    for name, days in (("late", 10), ("early", 7)):
        client.create_secret(Name=name, SecretString="v")
        client.delete_secret(SecretId=name, RecoveryWindowInDays=days)
    seen = []

    def probe():
        seen.append((fake.clock.now(), exists(client, "early"), exists(client, "late")))

    fake._backend.clock.schedule(T0 + timedelta(days=8), probe)
    fake.clock.advance(days=31)
    assert seen == [(T0 + timedelta(days=8), False, True)]
    assert not exists(client, "late")


def test_scheduled_jobs_run_in_due_order_at_their_due_time(fake):
    fake.clock.set(T0)
    ran = []
    for hours in (3, 1, 2, 30):
        due = T0 + timedelta(hours=hours)
        fake._backend.clock.schedule(due, lambda due=due: ran.append((due, fake.clock.now())))
    fake.clock.advance(hours=24)
    assert [due for due, _ in ran] == [T0 + timedelta(hours=h) for h in (1, 2, 3)]
    assert all(due == seen for due, seen in ran)
    assert fake.clock.now() == T0 + timedelta(hours=24)
    fake.clock.set(T0 + timedelta(hours=30))
    assert ran[-1] == (T0 + timedelta(hours=30), T0 + timedelta(hours=30))


def test_set_backwards_runs_nothing_and_keeps_pending_windows(fake, client):
    fake.clock.set(T0)
    client.create_secret(Name="pending", SecretString="v")
    client.delete_secret(SecretId="pending", RecoveryWindowInDays=7)
    fake.clock.set(T0 - timedelta(days=30))
    assert exists(client, "pending")
    fake.clock.set(T0 + timedelta(days=7))
    assert not exists(client, "pending")


def test_restored_secret_survives_its_old_window(fake, client):
    fake.clock.set(T0)
    client.create_secret(Name="saved", SecretString="v")
    client.delete_secret(SecretId="saved", RecoveryWindowInDays=7)
    client.restore_secret(SecretId="saved")
    fake.clock.advance(days=60)
    assert client.get_secret_value(SecretId="saved")["SecretString"] == "v"


def test_running_clock_purges_expired_secrets_lazily(fake, client, monkeypatch):
    offset = [timedelta(0)]
    real_now = smfake._domain.clock._real_now
    # Stands in for real time passing: the fake reads real time only through this function.
    monkeypatch.setattr(smfake._domain.clock, "_real_now", lambda: real_now() + offset[0])
    client.create_secret(Name="lazy", SecretString="v")
    deletion_date = client.delete_secret(SecretId="lazy", RecoveryWindowInDays=7)["DeletionDate"]
    offset[0] = timedelta(days=6)
    assert exists(client, "lazy")
    offset[0] = timedelta(days=7, seconds=1)
    assert not fake.clock.frozen
    assert fake.clock.now() > deletion_date
    assert not exists(client, "lazy")
    assert not fake.clock.frozen
    client.create_secret(Name="lazy", SecretString="again")
