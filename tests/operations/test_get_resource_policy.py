from __future__ import annotations

import json

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

# The botocore model's example policy [M].
EXAMPLE = (
    '{\n"Version":"2012-10-17",\n"Statement":[{\n"Effect":"Allow",\n"Principal":{\n'
    '"AWS":"arn:aws:iam::123456789012:root"\n},\n"Action":"secretsmanager:GetSecretValue",\n'
    '"Resource":"*"\n}]\n}'
)
# As recorded on AWS by LocalStack's test_resource_policy [R].
PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }
)


def with_policy_name(client, fields):
    # PolicyName is in the output shape from botocore 1.44 on.
    members = client.meta.service_model.operation_model("GetResourcePolicy").output_shape.members
    return {**fields, "PolicyName": "default"} if "PolicyName" in members else fields


def has_policy_name(client):
    members = client.meta.service_model.operation_model("GetResourcePolicy").input_shape.members
    return "PolicyName" in members


@pytest.fixture
def secret(client, t0):
    return client.create_secret(Name="s", SecretString="v")


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_get_resource_policy_without_policy_omits_the_key(client, secret, kind):
    response = client.get_resource_policy(SecretId=identifier(kind, secret))

    assert_shape(client, "GetResourcePolicy", response)
    assert body(response) == with_policy_name(client, {"ARN": secret["ARN"], "Name": "s"})
    assert "ResourcePolicy" not in response


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_get_resource_policy_returns_the_policy(client, secret, kind):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)

    response = client.get_resource_policy(SecretId=identifier(kind, secret))

    assert_shape(client, "GetResourcePolicy", response)
    assert body(response) == with_policy_name(
        client, {"ARN": secret["ARN"], "Name": "s", "ResourcePolicy": EXAMPLE}
    )


def test_get_resource_policy_public_policy_round_trip(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=PUBLIC)

    assert client.get_resource_policy(SecretId="s")["ResourcePolicy"] == PUBLIC


def test_get_resource_policy_after_replacement(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=PUBLIC)
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)

    assert client.get_resource_policy(SecretId="s")["ResourcePolicy"] == EXAMPLE


def test_get_resource_policy_after_deletion_of_the_policy(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    client.delete_resource_policy(SecretId="s")

    assert "ResourcePolicy" not in client.get_resource_policy(SecretId="s")


def test_get_resource_policy_each_secret_its_own(client, secret):
    other = client.create_secret(Name="other")
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    client.put_resource_policy(SecretId="other", ResourcePolicy=PUBLIC)

    assert client.get_resource_policy(SecretId="s")["ResourcePolicy"] == EXAMPLE
    assert client.get_resource_policy(SecretId=other["ARN"])["ResourcePolicy"] == PUBLIC


def test_get_resource_policy_changes_nothing(client, fake, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    before = snapshot(client, "s")
    fake.clock.advance(days=2)

    client.get_resource_policy(SecretId="s")

    assert snapshot(client, "s") == before


# The policy read that hashicorp/terraform-provider-aws#23998 reports (§6) [I].
def test_get_resource_policy_scheduled_for_deletion(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(SecretId="s")

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


@pytest.mark.unverified("not yet checked against AWS")
def test_get_resource_policy_kept_through_deletion_and_restore(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    client.delete_secret(SecretId="s")

    client.restore_secret(SecretId="s")

    assert client.get_resource_policy(SecretId="s")["ResourcePolicy"] == EXAMPLE


def test_get_resource_policy_gone_with_a_recreated_secret(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)
    client.create_secret(Name="s", SecretString="v")

    assert "ResourcePolicy" not in client.get_resource_policy(SecretId="s")


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_get_resource_policy_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(SecretId=secret_id)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_get_resource_policy_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(SecretId=name)

    assert error_of(excinfo) == INVALID_NAME


def test_get_resource_policy_default_policy_name(client, secret):
    if not has_policy_name(client):
        pytest.skip("this botocore has no PolicyName")
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)

    response = client.get_resource_policy(SecretId="s", PolicyName="default")

    assert body(response) == {
        "ARN": secret["ARN"],
        "Name": "s",
        "ResourcePolicy": EXAMPLE,
        "PolicyName": "default",
    }


# "If you specify a name other than default and no policy with that name exists, the operation
# returns a ResourceNotFoundException" [M]; the message is smfake's.
@pytest.mark.unverified("not yet checked against AWS")
def test_get_resource_policy_other_policy_name(client, secret):
    if not has_policy_name(client):
        pytest.skip("this botocore has no PolicyName")
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)

    with pytest.raises(ClientError) as excinfo:
        client.get_resource_policy(SecretId="s", PolicyName="other")

    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified resource policy.",
        400,
    )


# "Value changes, tags and resource policy of the primary propagate" [D].
def test_get_resource_policy_of_a_replica(client, secret, make_client):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)
    replica_client = make_client("eu-west-1")

    client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": "eu-west-1"}])

    response = replica_client.get_resource_policy(SecretId="s")
    assert_shape(client, "GetResourcePolicy", response)
    assert body(response) == with_policy_name(
        client,
        {
            "ARN": secret["ARN"].replace("us-east-1", "eu-west-1"),
            "Name": "s",
            "ResourcePolicy": EXAMPLE,
        },
    )
