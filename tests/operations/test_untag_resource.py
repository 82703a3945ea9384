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
    MARKED_FOR_DELETION,
    NOT_FOUND,
    assert_no_output,
    identifier,
    snapshot,
)


@pytest.fixture
def secret(client, t0):
    return client.create_secret(
        Name="s",
        SecretString="v",
        Tags=[
            {"Key": "env", "Value": "prod"},
            {"Key": "Env", "Value": "upper"},
            {"Key": "team", "Value": "core"},
        ],
    )


def tags_of(client, secret_id="s"):
    return {t["Key"]: t["Value"] for t in client.describe_secret(SecretId=secret_id)["Tags"]}


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_untag_resource_removes_keys(client, secret, kind):
    response = client.untag_resource(SecretId=identifier(kind, secret), TagKeys=["env"])

    assert_no_output(client, "UntagResource", response)
    assert tags_of(client) == {"Env": "upper", "team": "core"}


def test_untag_resource_unknown_key_is_a_no_op(client, secret):
    before = tags_of(client)

    response = client.untag_resource(SecretId="s", TagKeys=["nope", "ENV"])

    assert_no_output(client, "UntagResource", response)
    assert tags_of(client) == before


def test_untag_resource_mixed_known_and_unknown_keys(client, secret):
    client.untag_resource(SecretId="s", TagKeys=["nope", "team", "team"])

    assert tags_of(client) == {"env": "prod", "Env": "upper"}


def test_untag_resource_all_keys_leaves_empty_tag_list(client, secret):
    client.untag_resource(SecretId="s", TagKeys=["env", "Env", "team"])

    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert described["Tags"] == []


def test_untag_resource_then_tag_again(client, secret):
    client.untag_resource(SecretId="s", TagKeys=["env", "Env", "team"])

    client.tag_resource(SecretId="s", Tags=[{"Key": "env", "Value": "dev"}])

    assert tags_of(client) == {"env": "dev"}


def test_untag_resource_updates_last_changed_date(client, fake, secret, t0):
    fake.clock.advance(minutes=3)

    client.untag_resource(SecretId="s", TagKeys=["env"])

    assert client.describe_secret(SecretId="s")["LastChangedDate"] == t0 + timedelta(minutes=3)


def test_untag_resource_key_too_long(client, secret):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.untag_resource(SecretId="s", TagKeys=["env", "k" * 129])

    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '[env, {'k' * 129}]' at 'tagKeys' failed to "
        "satisfy constraint: Member must satisfy constraint: [Member must have length less "
        "than or equal to 128]",
        400,
    )
    assert snapshot(client, "s") == before


def test_untag_resource_scheduled_for_deletion(client, secret):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.untag_resource(SecretId="s", TagKeys=["env"])

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_untag_resource_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.untag_resource(SecretId=secret_id, TagKeys=["env"])

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_untag_resource_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.untag_resource(SecretId=name, TagKeys=["env"])

    assert error_of(excinfo) == INVALID_NAME


@pytest.mark.unverified("not yet checked against AWS")
def test_untag_resource_on_never_tagged_secret_changes_nothing(client, t0):
    client.create_secret(Name="s", SecretString="v")
    before = snapshot(client, "s")
    assert_no_output(
        client, "UntagResource", client.untag_resource(SecretId="s", TagKeys=["absent"])
    )
    assert "Tags" not in client.describe_secret(SecretId="s")
    assert snapshot(client, "s") == before
