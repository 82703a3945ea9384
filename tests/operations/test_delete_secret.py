from __future__ import annotations

import re
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    body,
    identifier,
    snapshot,
)

RECOVERY_WINDOW_RANGE = (
    "InvalidParameterException",
    "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
    400,
)


@pytest.fixture
def secret(client, t0):
    return client.create_secret(Name="s", SecretString="v")


def assert_gone(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId=secret_id)
    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_delete_secret_default_recovery_window_is_30_days(client, fake, secret, t0, kind):
    fake.clock.advance(hours=2)

    deleted = client.delete_secret(SecretId=identifier(kind, secret))

    assert_shape(client, "DeleteSecret", deleted)
    now = t0 + timedelta(hours=2)
    assert body(deleted) == {
        "ARN": secret["ARN"],
        "Name": "s",
        "DeletionDate": now + timedelta(days=30),
    }
    assert client.describe_secret(SecretId="s")["DeletedDate"] == now


@pytest.mark.parametrize("days", [7, 8, 15, 29, 30])
def test_delete_secret_recovery_window(client, secret, t0, days):
    deleted = client.delete_secret(SecretId="s", RecoveryWindowInDays=days)

    assert_shape(client, "DeleteSecret", deleted)
    assert deleted["DeletionDate"] == t0 + timedelta(days=days)


@pytest.mark.unverified("not yet checked against AWS")
def test_delete_secret_deleted_date_is_the_time_of_the_call(client, fake, secret, t0):
    fake.clock.advance(days=1, seconds=30)
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=2)

    assert client.describe_secret(SecretId="s")["DeletedDate"] == t0 + timedelta(days=1, seconds=30)


@pytest.mark.parametrize("days", [0, 1, 6, 31, 365, -7])
def test_delete_secret_recovery_window_out_of_range(client, secret, days):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(SecretId="s", RecoveryWindowInDays=days)

    assert error_of(excinfo) == RECOVERY_WINDOW_RANGE
    assert snapshot(client, "s") == before


@pytest.mark.parametrize("days", [7, 30])
def test_delete_secret_force_together_with_recovery_window(client, secret, days):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(
            SecretId="s", RecoveryWindowInDays=days, ForceDeleteWithoutRecovery=True
        )

    # Wording seen only in other fakes (AWS_SPEC §6): unverified.
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        400,
    )
    assert snapshot(client, "s") == before


# Recorded on AWS [R]: the window's range is checked before its combination with
# ForceDeleteWithoutRecovery.
@pytest.mark.parametrize("days", [0, 6, 31, -7])
def test_delete_secret_force_together_with_recovery_window_out_of_range(client, secret, days):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(
            SecretId="s", RecoveryWindowInDays=days, ForceDeleteWithoutRecovery=True
        )

    assert error_of(excinfo) == RECOVERY_WINDOW_RANGE
    assert snapshot(client, "s") == before


@pytest.mark.parametrize("days", [0, 31])
def test_delete_secret_force_together_with_recovery_window_out_of_range_of_missing_secret(
    client, days
):
    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(
            SecretId="missing", RecoveryWindowInDays=days, ForceDeleteWithoutRecovery=True
        )

    assert error_of(excinfo) == RECOVERY_WINDOW_RANGE


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_delete_secret_force_without_recovery(client, fake, secret, t0, kind):
    fake.clock.advance(minutes=5)

    deleted = client.delete_secret(
        SecretId=identifier(kind, secret), ForceDeleteWithoutRecovery=True
    )

    assert_shape(client, "DeleteSecret", deleted)
    assert body(deleted) == {
        "ARN": secret["ARN"],
        "Name": "s",
        "DeletionDate": t0 + timedelta(minutes=5),
    }
    assert_gone(client, "s")
    assert_gone(client, secret["ARN"])


def test_delete_secret_force_false_uses_recovery_window(client, secret, t0):
    deleted = client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=False)

    assert deleted["DeletionDate"] == t0 + timedelta(days=30)
    assert "DeletedDate" in client.describe_secret(SecretId="s")


def test_delete_secret_already_scheduled(client, fake, secret):
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=1)
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(SecretId="s", RecoveryWindowInDays=30)

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


def test_delete_secret_force_while_scheduled(client, fake, secret, t0):
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=2)

    deleted = client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)

    assert_shape(client, "DeleteSecret", deleted)
    assert deleted["DeletionDate"] == t0 + timedelta(days=2)
    assert_gone(client, "s")


@pytest.mark.unverified("not yet checked against AWS")
def test_delete_secret_force_of_missing_name(client, t0):
    deleted = client.delete_secret(SecretId="never-created", ForceDeleteWithoutRecovery=True)

    assert_shape(client, "DeleteSecret", deleted)
    assert deleted["Name"] == "never-created"
    assert re.fullmatch(re.escape(ARN_PREFIX + "never-created-") + "[A-Za-z0-9]{6}", deleted["ARN"])
    assert deleted["DeletionDate"] == t0
    assert_gone(client, "never-created")


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize(
    ("secret_id", "name"),
    [(ARN_PREFIX + "gone-AbC123", "gone"), (ARN_PREFIX + "gone", "gone")],
    ids=["full-arn", "partial-arn"],
)
def test_delete_secret_force_of_missing_arn(client, t0, secret_id, name):
    deleted = client.delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True)

    assert_shape(client, "DeleteSecret", deleted)
    assert body(deleted) == {"ARN": secret_id, "Name": name, "DeletionDate": t0}


def test_delete_secret_force_twice(client, secret, t0):
    client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)

    again = client.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)

    assert_shape(client, "DeleteSecret", again)
    assert again["DeletionDate"] == t0


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_delete_secret_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(SecretId=secret_id)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("force", [False, True], ids=["scheduled", "forced"])
@pytest.mark.parametrize("name", INVALID_NAMES)
def test_delete_secret_invalid_name(client, name, force):
    with pytest.raises(ClientError) as excinfo:
        client.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=force)

    assert error_of(excinfo) == INVALID_NAME


def test_delete_secret_is_purged_when_the_window_ends(client, fake, secret):
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)

    fake.clock.advance(days=6, hours=23, minutes=59)
    assert "DeletedDate" in client.describe_secret(SecretId="s")

    fake.clock.advance(minutes=2)
    assert_gone(client, "s")
    assert_gone(client, secret["ARN"])


def test_delete_secret_name_reusable_after_the_window(client, fake, secret):
    client.delete_secret(SecretId="s")
    fake.clock.advance(days=31)

    created = client.create_secret(Name="s", SecretString="new")

    assert created["ARN"] != secret["ARN"]
    assert client.get_secret_value(SecretId="s")["SecretString"] == "new"


def test_delete_secret_leaves_other_secrets(client, secret):
    client.create_secret(Name="other", SecretString="x")
    before = snapshot(client, "other")

    client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)

    assert snapshot(client, "other") == before
