"""More than one account in one fake: ``fake.client``, ``fake.organizations``,
``fake.kms.create_key(account_id=)``, and what a client whose botocore predates the
cross-account members receives."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from smfake import SecretsManagerFake, mock_secretsmanager
from smfake.errors import UsageError
from tests.operation_examples import POLICY

A, B = "123456789012", "210987654321"
URL = "https://secretsmanager.us-east-1.amazonaws.com/"


def test_client_acts_as_the_root_of_its_account(fake):
    other = fake.client(B)
    arn = other.create_secret(Name="theirs", SecretString="x")["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:{B}:secret:theirs-")
    # Another account's secrets are not the fake's account's.
    assert (
        boto3.client("secretsmanager", region_name="us-east-1").list_secrets()["SecretList"] == []
    )
    assert [s["Name"] for s in other.list_secrets()["SecretList"]] == ["theirs"]
    assert fake.client().list_secrets()["SecretList"] == []
    assert fake.principals.get(f"SMFAKEROOT{B}").arn == f"arn:aws:iam::{B}:root"


def test_client_in_another_region_and_with_client_options(fake):
    from botocore.config import Config

    eu = fake.client(B, region="eu-west-1", config=Config(retries={"max_attempts": 1}))
    assert eu.meta.region_name == "eu-west-1"
    assert ":eu-west-1:" in eu.create_secret(Name="s", SecretString="v")["ARN"]


def test_client_of_a_fake_that_is_not_active_is_refused():
    fake = SecretsManagerFake()
    with pytest.raises(UsageError, match="activate the fake first"):
        fake.client(B)
    # Another fake is active: still not this one's client.
    with mock_secretsmanager(), pytest.raises(UsageError, match="activate the fake first"):
        fake.client(B)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("12345",), {}, "account_id must be 12 digits"),
        ((B,), {"region": "mars-1"}, "no AWS Region is named 'mars-1'"),
        ((B,), {"aws_access_key_id": "AKIAX"}, "signs as the account's root user"),
    ],
)
def test_client_refuses_bad_arguments(fake, args, kwargs, match):
    with pytest.raises(UsageError, match=match):
        fake.client(*args, **kwargs)


def test_kms_keys_live_per_account(fake):
    key = fake.kms.create_key(account_id=B, alias="alias/theirs")
    assert key.startswith(f"arn:aws:kms:us-east-1:{B}:key/")
    assert fake.kms.state(key) == "Enabled"
    other = fake.client(B)
    other.create_secret(Name="s", SecretString="v", KmsKeyId="alias/theirs")
    assert other.describe_secret(SecretId="s")["KmsKeyId"] == "alias/theirs"
    # The fake's own account has no such alias.
    mine = fake.client()
    with pytest.raises(ClientError) as excinfo:
        mine.create_secret(Name="s", SecretString="v", KmsKeyId="alias/theirs")
    assert excinfo.value.response["Error"]["Code"] == "EncryptionFailure"
    with pytest.raises(UsageError, match="account_id must be 12 digits"):
        fake.kms.create_key(account_id="nope")


def test_organizations_default_place_and_validation(fake):
    default = fake.organizations.DEFAULT_ORGANIZATION
    assert fake.organizations.of(A) == fake.organizations.of(B) == default
    fake.organizations.place(B, "o-abcdefghij")
    assert fake.organizations.of(B) == "o-abcdefghij"
    fake.organizations.place(B, None)
    assert fake.organizations.of(B) is None
    for bad in ("org-1", "o-SHOUTING01", "o-short", 7):
        with pytest.raises(UsageError, match="an organization id is"):
            fake.organizations.place(B, bad)
    with pytest.raises(UsageError, match="account_id must be 12 digits"):
        fake.organizations.place("x", None)
    fake.reset()  # configuration, like principals: kept
    assert fake.organizations.of(B) is None


def _raw(fake: SecretsManagerFake, account: str, operation: str, body: dict[str, Any]) -> Any:
    """A raw awsJson request as ``account``'s root (works whatever the installed model)."""
    key = f"SMFAKEROOT{account}"
    fake.principals.add(key, "secret", account_id=account)
    reply = fake.http.handle(
        "POST",
        URL,
        {
            "X-Amz-Target": f"secretsmanager.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20240101/us-east-1/"
            "secretsmanager/aws4_request, SignedHeaders=host, Signature=00",
        },
        json.dumps(body).encode(),
    )
    return reply.status, json.loads(reply.body)


def test_describe_answers_only_the_members_the_installed_model_has(fake):
    """On botocore 1.44 both sides show their link; a botocore that predates it gets
    neither member, even from a fake that holds the link (built over raw HTTP)."""
    primary = boto3.client("secretsmanager", region_name="us-east-1")
    arn = primary.create_secret(Name="p", SecretString="v")["ARN"]
    key = fake.kms.create_key(account_id=B)
    status, created = _raw(
        fake,
        B,
        "CreateSecret",
        {
            "Name": "r",
            "ClientRequestToken": "t" * 32,
            "CrossAccountPrimaryARN": arn,
            "KmsKeyId": key,
        },
    )
    assert status == 200, created
    checks = [(B, "r", "CrossAccountPrimary")]
    # A botocore that predates the operation cannot call it, even over raw HTTP.
    status, associated = _raw(
        fake,
        A,
        "AssociateCrossAccountReplica",
        {"SecretId": arn, "CrossAccountReplicaARN": created["ARN"]},
    )
    if "AssociateCrossAccountReplica" in primary.meta.service_model.operation_names:
        assert status == 200, associated
        checks.append((A, arn, "CrossAccountReplicas"))
    else:
        assert associated["__type"] == "UnknownOperationException"
    model = primary.meta.service_model.operation_model("DescribeSecret").output_shape.members
    for account, secret_id, member in (
        (A, arn, "CrossAccountReplicas"),
        (B, "r", "CrossAccountPrimary"),
    ):
        _, described = _raw(fake, account, "DescribeSecret", {"SecretId": secret_id})
        assert set(described) <= set(model)
        assert (member in described) == (member in model)


def test_null_members_count_as_absent_on_the_new_surface(fake):
    """JSON null (raw HTTP callers) is an absent member: ReplicaRestriction stays SameOrg,
    PolicyName default, MaxResults 100."""
    primary = boto3.client("secretsmanager", region_name="us-east-1")
    if "AssociateCrossAccountReplica" not in primary.meta.service_model.operation_names:
        pytest.skip("this botocore's model has no cross-account replication")
    arn = primary.create_secret(Name="p", SecretString="v")["ARN"]
    key = fake.kms.create_key(account_id=B)
    replica = fake.client(B).create_secret(Name="r", CrossAccountPrimaryARN=arn, KmsKeyId=key)
    fake.organizations.place(B, "o-elsewhere01")
    status, refused = _raw(
        fake,
        A,
        "AssociateCrossAccountReplica",
        {"SecretId": arn, "CrossAccountReplicaARN": replica["ARN"], "ReplicaRestriction": None},
    )
    assert (status, refused["__type"]) == (400, "InvalidRequestException")
    primary.put_resource_policy(SecretId="p", ResourcePolicy=POLICY)
    status, got = _raw(fake, A, "GetResourcePolicy", {"SecretId": "p", "PolicyName": None})
    assert (status, got["PolicyName"], got["ResourcePolicy"]) == (200, "default", POLICY)
    status, listed = _raw(
        fake, A, "ListResourcePolicies", {"SecretId": "p", "MaxResults": None, "NextToken": None}
    )
    assert (status, listed) == (200, {"ResourcePolicies": [{"PolicyName": "default"}]})


@pytest.mark.usefixtures("allow_loopback")
def test_client_through_a_server_of_the_fake_needs_no_activation():
    from smfake import Server

    fake = SecretsManagerFake()
    with Server(fake) as server:
        other = fake.client(B, endpoint_url=server.url)
        arn = other.create_secret(Name="x", SecretString="v")["ARN"]
    assert f":{B}:secret:x-" in arn


def test_client_of_a_fake_no_longer_active_sends_nothing():
    with mock_secretsmanager() as fake:
        other = fake.client(B)
        other.list_secrets()
    with pytest.raises(UsageError, match="its fake is not the active one"):
        other.list_secrets()  # the socket guard would fail the test had it connected
    # Another fake: still not this client's.
    with mock_secretsmanager(), pytest.raises(UsageError, match="its fake is not the active one"):
        other.list_secrets()
    with mock_secretsmanager(fake=fake):  # its fake again: answered
        assert other.list_secrets()["SecretList"] == []
