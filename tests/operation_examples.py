"""One example call per served operation: the table every cross-cutting test reads.

Each example succeeds against a fake that holds the secret "app" (value "v1") in us-east-1
and the rotation function FUNCTION, after its own ``setup``. Adding an operation adds one
entry here; tests/wire/test_declarations.py checks that none is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name

ACCOUNT = "123456789012"
REGION = "us-east-1"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotator"
POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    f'"Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},'
    '"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
)


def _current_version(client: Any) -> dict[str, Any]:
    stages = client.describe_secret(SecretId="app")["VersionIdsToStages"]
    return {"MoveToVersionId": next(iter(stages))}


def _rotating(client: Any) -> None:
    client.rotate_secret(SecretId="app", RotationLambdaARN=FUNCTION, RotateImmediately=False)


def _replicated(client: Any) -> None:
    client.replicate_secret_to_regions(SecretId="app", AddReplicaRegions=[{"Region": "eu-west-1"}])


# The other account of the cross-account examples; its key lets both accounts use it.
REPLICA_ACCOUNT = "210987654321"
REPLICA_KEY_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":['
    f'"arn:aws:iam::{ACCOUNT}:root","arn:aws:iam::{REPLICA_ACCOUNT}:root"]}},'
    '"Action":"kms:*","Resource":"*"}]}'
)


def _cross_account_replica(fake: Any, client: Any) -> dict[str, Any]:
    """A replica of "app" in REPLICA_ACCOUNT, created there and not yet associated."""
    key = fake.kms.create_key(account_id=REPLICA_ACCOUNT, policy=REPLICA_KEY_POLICY)
    primary = client.describe_secret(SecretId="app")["ARN"]
    replica = fake.client(REPLICA_ACCOUNT).create_secret(
        Name="app-replica", CrossAccountPrimaryARN=primary, KmsKeyId=key
    )
    return {"CrossAccountReplicaARN": replica["ARN"]}


def _cross_account_associated(fake: Any, client: Any) -> dict[str, Any]:
    members = _cross_account_replica(fake, client)
    client.associate_cross_account_replica(SecretId="app", **members)
    return members


@dataclass(frozen=True)
class Example:
    params: dict[str, Any] = field(default_factory=dict)
    # Run first, with a client in REGION.
    setup: Callable[[Any], None] | None = None
    # Request members known only once the secret exists: late(client) -> members.
    late: Callable[[Any], dict[str, Any]] | None = None
    region: str = REGION
    # Set-up that needs the fake too (another account): fake_setup(fake, client) -> members.
    fake_setup: Callable[[Any, Any], dict[str, Any]] | None = None


EXAMPLES: dict[str, Example] = {
    "AssociateCrossAccountReplica": Example({"SecretId": "app"}, fake_setup=_cross_account_replica),
    "BatchGetSecretValue": Example({"SecretIdList": ["app"]}),
    "CancelRotateSecret": Example({"SecretId": "app"}, setup=_rotating),
    "CreateSecret": Example({"Name": "second"}),
    "DeleteResourcePolicy": Example({"SecretId": "app"}),
    "DeleteSecret": Example({"SecretId": "app"}),
    "DescribeSecret": Example({"SecretId": "app"}),
    "DisassociateCrossAccountReplica": Example(
        {"SecretId": "app"}, fake_setup=_cross_account_associated
    ),
    "GetRandomPassword": Example(),
    "GetResourcePolicy": Example({"SecretId": "app"}),
    "GetSecretValue": Example({"SecretId": "app"}),
    "ListResourcePolicies": Example({"SecretId": "app"}),
    "ListSecretVersionIds": Example({"SecretId": "app"}),
    "ListSecrets": Example(),
    "PutResourcePolicy": Example({"SecretId": "app", "ResourcePolicy": POLICY}),
    "PutSecretValue": Example({"SecretId": "app", "SecretString": "v2"}),
    "RemoveRegionsFromReplication": Example({"SecretId": "app", "RemoveReplicaRegions": ["x-1"]}),
    "ReplicateSecretToRegions": Example(
        {"SecretId": "app", "AddReplicaRegions": [{"Region": "eu-west-1"}]}
    ),
    "RestoreSecret": Example({"SecretId": "app"}),
    "RotateSecret": Example(
        {"SecretId": "app", "RotationLambdaARN": FUNCTION, "RotateImmediately": False}
    ),
    "StopReplicationToReplica": Example({"SecretId": "app"}, setup=_replicated, region="eu-west-1"),
    "TagResource": Example({"SecretId": "app", "Tags": [{"Key": "k", "Value": "v"}]}),
    "UntagResource": Example({"SecretId": "app", "TagKeys": ["k"]}),
    "UpdateSecret": Example({"SecretId": "app", "Description": "d"}),
    "UpdateSecretVersionStage": Example(
        {"SecretId": "app", "VersionStage": "LABEL"}, late=_current_version
    ),
    "ValidateResourcePolicy": Example({"ResourcePolicy": POLICY}),
}


def _installed() -> frozenset[str]:
    from smfake._wire.model import operation_names

    return operation_names()


# The examples a client of the installed botocore can call: an older model lacks the newer
# operations, which the fake serves all the same.
CALLABLE: dict[str, Example] = {
    name: example for name, example in EXAMPLES.items() if name in _installed()
}


def prepare(fake: Any, client: Any, operation: str) -> tuple[Any, dict[str, Any]]:
    """Set the fake up for ``operation``'s example: the client to call and its parameters."""
    from tests.operations.test_rotate_secret import TemplateRotation

    example = EXAMPLES[operation]
    client.create_secret(Name="app", SecretString="v1")
    fake.register_rotation_function("rotator", TemplateRotation())
    if example.setup is not None:
        example.setup(client)
    params = dict(example.params)
    if example.late is not None:
        params.update(example.late(client))
    if example.fake_setup is not None:
        params.update(example.fake_setup(fake, client))
    if example.region != client.meta.region_name:
        import boto3

        client = boto3.client("secretsmanager", region_name=example.region)
    return client, params


def call(client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = getattr(client, xform_name(operation))(**params)
    return result
