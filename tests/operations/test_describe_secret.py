from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
    token,
)

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_describe_secret_of_new_secret(client, t0, kind):
    created = client.create_secret(Name="app/db", SecretString="v", ClientRequestToken=token("v1"))

    described = client.describe_secret(SecretId=identifier(kind, created))

    assert_shape(client, "DescribeSecret", described)
    assert body(described) == {
        "ARN": created["ARN"],
        "Name": "app/db",
        "LastChangedDate": t0,
        "VersionIdsToStages": {token("v1"): ["AWSCURRENT"]},
        "CreatedDate": t0,
    }


def test_describe_secret_without_value(client, t0):
    created = client.create_secret(Name="s")

    described = client.describe_secret(SecretId="s")

    assert_shape(client, "DescribeSecret", described)
    assert body(described) == {
        "ARN": created["ARN"],
        "Name": "s",
        "LastChangedDate": t0,
        "CreatedDate": t0,
    }


def test_describe_secret_hides_deprecated_versions(client):
    client.create_secret(Name="s", SecretString="1", ClientRequestToken=token("v1"))
    client.put_secret_value(SecretId="s", SecretString="2", ClientRequestToken=token("v2"))
    client.put_secret_value(SecretId="s", SecretString="3", ClientRequestToken=token("v3"))
    client.put_secret_value(
        SecretId="s", SecretString="4", ClientRequestToken=token("v4"), VersionStages=["NEXT"]
    )

    described = client.describe_secret(SecretId="s")

    assert_shape(client, "DescribeSecret", described)
    assert described["VersionIdsToStages"] == {
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
        token("v4"): ["NEXT"],
    }


def test_describe_secret_shows_description_and_customer_key(client):
    client.create_secret(Name="s", SecretString="v", Description="about s", KmsKeyId=KEY_ARN)

    described = client.describe_secret(SecretId="s")

    assert_shape(client, "DescribeSecret", described)
    assert described["Description"] == "about s"
    assert described["KmsKeyId"] == KEY_ARN


def test_describe_secret_tags_absent_until_tagged_and_empty_after_untagging_all(client):
    client.create_secret(Name="s", SecretString="v")
    assert "Tags" not in client.describe_secret(SecretId="s")

    client.tag_resource(SecretId="s", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    tagged = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", tagged)
    assert sorted(tagged["Tags"], key=lambda t: t["Key"]) == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]

    client.untag_resource(SecretId="s", TagKeys=["a", "b"])
    untagged = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", untagged)
    assert untagged["Tags"] == []


def test_describe_secret_never_reports_rotation_or_replication_for_plain_secret(client):
    client.create_secret(Name="s", SecretString="v")

    described = client.describe_secret(SecretId="s")

    for absent in (
        "RotationEnabled",
        "RotationLambdaARN",
        "RotationRules",
        "LastRotatedDate",
        "NextRotationDate",
        "PrimaryRegion",
        "ReplicationStatus",
        "OwningService",
        "KmsKeyId",
        "Description",
    ):
        assert absent not in described


def test_describe_secret_reports_last_accessed_date(client, fake):
    fake.clock.set(datetime(2024, 7, 1, 18, 45, tzinfo=timezone.utc))
    client.create_secret(Name="s", SecretString="v")
    assert "LastAccessedDate" not in client.describe_secret(SecretId="s")

    client.get_secret_value(SecretId="s")

    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert described["LastAccessedDate"] == datetime(2024, 7, 1, tzinfo=timezone.utc)


def test_describe_secret_reports_last_changed_date(client, fake, t0):
    client.create_secret(Name="s", SecretString="v")
    fake.clock.advance(days=3)
    client.update_secret(SecretId="s", Description="changed")

    described = client.describe_secret(SecretId="s")

    assert described["CreatedDate"] == t0
    assert described["LastChangedDate"] == t0 + timedelta(days=3)


def test_describe_secret_scheduled_for_deletion(client, fake, t0):
    client.create_secret(Name="s", SecretString="v", ClientRequestToken=token("v1"))
    fake.clock.advance(hours=1)
    client.delete_secret(SecretId="s", RecoveryWindowInDays=10)

    described = client.describe_secret(SecretId="s")

    assert_shape(client, "DescribeSecret", described)
    assert described["DeletedDate"] == t0 + timedelta(hours=1)
    assert described["VersionIdsToStages"] == {token("v1"): ["AWSCURRENT"]}


@pytest.mark.parametrize(
    "secret_id",
    [
        "missing",
        ARN_PREFIX + "missing-AbC123",
        ARN_PREFIX + "missing",
        "arn:aws:secretsmanager:us-east-1:210987654321:secret:s",
    ],
    ids=["name", "full-arn", "partial-arn", "partial-arn-of-other-account"],
)
def test_describe_secret_unknown_secret(client, secret_id):
    client.create_secret(Name="s", SecretString="v")

    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId=secret_id)

    assert error_of(excinfo) == NOT_FOUND


def test_describe_secret_full_arn_with_wrong_suffix(client):
    created = client.create_secret(Name="s", SecretString="v")
    wrong = created["ARN"][:-6] + ("zzzzzz" if not created["ARN"].endswith("zzzzzz") else "yyyyyy")

    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId=wrong)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", ["app-config", "db-a1b2c3"])
def test_describe_secret_partial_arn_of_name_ending_like_a_suffix(client, name):
    created = client.create_secret(Name=name, SecretString="v")

    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId=created["ARN"][:-7])

    assert error_of(excinfo) == NOT_FOUND
    assert client.describe_secret(SecretId=created["ARN"])["Name"] == name
    assert client.describe_secret(SecretId=name)["ARN"] == created["ARN"]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_describe_secret_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId=name)

    assert error_of(excinfo) == INVALID_NAME


def test_describe_secret_after_purge(client, fake):
    client.create_secret(Name="s", SecretString="v")
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    fake.clock.advance(days=8)

    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId="s")

    assert error_of(excinfo) == NOT_FOUND


def test_describe_secret_secret_id_too_long(client):
    with pytest.raises(ClientError) as excinfo:
        client.describe_secret(SecretId="s" * 2049)

    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{'s' * 2049}' at 'secretId' failed to satisfy "
        "constraint: Member must have length less than or equal to 2048",
        400,
    )
