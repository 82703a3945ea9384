from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    NOT_FOUND,
    body,
    identifier,
    snapshot,
    token,
)


@pytest.fixture
def secret(client, t0):
    return client.create_secret(Name="s", SecretString="v", ClientRequestToken=token("v1"))


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_restore_secret_clears_deleted_date(client, secret, kind):
    before = snapshot(client, "s")
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)

    restored = client.restore_secret(SecretId=identifier(kind, secret))

    assert_shape(client, "RestoreSecret", restored)
    assert body(restored) == {"ARN": secret["ARN"], "Name": "s"}
    assert "DeletedDate" not in client.describe_secret(SecretId="s")
    assert snapshot(client, "s") == before


def test_restore_secret_makes_the_secret_usable_again(client, secret):
    client.delete_secret(SecretId="s")

    client.restore_secret(SecretId="s")

    assert client.get_secret_value(SecretId="s")["SecretString"] == "v"
    client.put_secret_value(SecretId="s", SecretString="w")
    client.tag_resource(SecretId="s", Tags=[{"Key": "k", "Value": "v"}])
    assert client.get_secret_value(SecretId="s")["SecretString"] == "w"


def test_restore_secret_cancels_the_purge(client, fake, secret):
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=3)

    client.restore_secret(SecretId="s")
    fake.clock.advance(days=30)

    described = client.describe_secret(SecretId="s")
    assert described["ARN"] == secret["ARN"]
    assert "DeletedDate" not in described


def test_restore_secret_then_delete_again_starts_a_new_window(client, fake, secret, t0):
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=5)
    client.restore_secret(SecretId="s")

    deleted = client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=6)

    assert deleted["DeletionDate"] == t0 + timedelta(days=12)
    assert client.describe_secret(SecretId="s")["DeletedDate"] == t0 + timedelta(days=5)


@pytest.mark.unverified("not yet checked against AWS")
def test_restore_secret_not_scheduled_for_deletion(client, secret):
    before = snapshot(client, "s")

    restored = client.restore_secret(SecretId="s")

    assert_shape(client, "RestoreSecret", restored)
    assert body(restored) == {"ARN": secret["ARN"], "Name": "s"}
    assert snapshot(client, "s") == before


def test_restore_secret_after_force_delete(client, secret):
    client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)

    with pytest.raises(ClientError) as excinfo:
        client.restore_secret(SecretId="s")

    assert error_of(excinfo) == NOT_FOUND


def test_restore_secret_after_purge(client, fake, secret):
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=7, seconds=1)

    with pytest.raises(ClientError) as excinfo:
        client.restore_secret(SecretId=secret["ARN"])

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_restore_secret_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.restore_secret(SecretId=secret_id)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("name", INVALID_NAMES)
def test_restore_secret_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.restore_secret(SecretId=name)

    assert error_of(excinfo) == INVALID_NAME
