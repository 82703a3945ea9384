"""Access control of cross-account replication and named resource policies (enforce_access;
AWS_SPEC_1_44.md §A7, §A8): the actions each call asks, on which side, with which condition
keys, and the replica key's policy deciding whether replication can encrypt."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from smfake import SecretsManagerFake, mock_secretsmanager
from tests.api.test_access_control import allow, doc, outcome

A, B = "123456789012", "210987654321"
OPERATOR_KEY, ROLE = "AKIAOPERATOR00000001", f"arn:aws:iam::{A}:role/replication"
OPERATOR = f"arn:aws:iam::{A}:user/operator"
KMS_DENIED = ("AccessDeniedException", "Access to KMS is not allowed", 400)
U = pytest.mark.unverified("the managed policy, the implied actions and their keys are smfake's")

pytestmark = pytest.mark.usefixtures("_needs_the_surface")


def key_policy(*principals: str) -> dict[str, Any]:
    return doc(
        {**allow("kms:*"), "Principal": {"AWS": [f"arn:aws:iam::{p}:root" for p in principals]}}
    )


@pytest.fixture
def fake() -> Any:
    with mock_secretsmanager(enforce_access=True) as active:
        yield active


@pytest.fixture
def _needs_the_surface(fake: SecretsManagerFake) -> None:
    model = boto3.client("secretsmanager", region_name="us-east-1").meta.service_model
    if "AssociateCrossAccountReplica" not in model.operation_names:
        pytest.skip("this botocore's model has no cross-account replication")


@pytest.fixture
def setup(fake: SecretsManagerFake) -> dict[str, Any]:
    """A primary in A; a replica of it in B under a key both accounts may use."""
    a, b = fake.client(A), fake.client(B)
    primary = a.create_secret(Name="app/db", SecretString="v1")["ARN"]
    key = fake.kms.create_key(account_id=B, policy=key_policy(A, B))
    replica = b.create_secret(Name="copy", CrossAccountPrimaryARN=primary, KmsKeyId=key)["ARN"]
    return {"a": a, "b": b, "primary": primary, "replica": replica, "key": key}


def signed_as(fake: SecretsManagerFake, key: str, arn: str, *statements: dict[str, Any]) -> Any:
    """A client of the principal ``arn``, whose identity policy holds ``statements``."""
    fake.principals.add(key, "secret", arn=arn, policies=[doc(*statements)])
    return boto3.client(
        "secretsmanager",
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="secret",
    )


def operator(fake: SecretsManagerFake, *statements: dict[str, Any]) -> Any:
    """A user of the primary's account."""
    return signed_as(fake, OPERATOR_KEY, OPERATOR, *statements)


def associate(client: Any, setup: dict[str, Any], **params: Any) -> Any:
    return outcome(
        lambda: client.associate_cross_account_replica(
            SecretId=setup["primary"], CrossAccountReplicaARN=setup["replica"], **params
        )
    )


def status(setup: dict[str, Any]) -> str:
    described = setup["b"].describe_secret(SecretId=setup["replica"])
    return str(described["CrossAccountPrimary"]["ReplicationStatus"])


EVERYTHING = [allow("secretsmanager:*"), allow("kms:*")]


def test_associate_by_an_operator_allowed_everything_in_its_account(fake, setup):
    assert associate(operator(fake, *EVERYTHING), setup) == "ok"
    assert status(setup) == "InSync"


@pytest.mark.parametrize(
    ("missing", "resource"),
    [
        ("secretsmanager:AssociateCrossAccountReplica", "primary"),
        ("secretsmanager:GetSecretValue", "primary"),
        ("secretsmanager:AcceptCrossAccountReplication", "replica"),
    ],
)
def test_associate_asks_each_action_on_its_side(fake, setup, missing, resource):
    actions = [
        "secretsmanager:AssociateCrossAccountReplica",
        "secretsmanager:GetSecretValue",
        "secretsmanager:AcceptCrossAccountReplication",
    ]
    granted = [allow([a for a in actions if a != missing]), allow("kms:*")]
    code, message, status_code = associate(operator(fake, *granted), setup)
    assert (code, status_code) == ("AccessDeniedException", 400)
    assert f"perform: {missing} on resource: {setup[resource]}" in message
    assert status(setup) == "Pending"
    assert "CrossAccountReplicas" not in setup["a"].describe_secret(SecretId=setup["primary"])


@U
def test_associate_needs_the_managed_policy_or_another_grant_on_the_replica(fake, setup):
    # The replica's owner denies the primary's account in its own default policy.
    setup["b"].put_resource_policy(
        SecretId=setup["replica"],
        ResourcePolicy=json.dumps(
            doc(
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                    "Action": "secretsmanager:AcceptCrossAccountReplication",
                    "Resource": "*",
                }
            )
        ),
    )
    code, message, _ = associate(operator(fake, *EVERYTHING), setup)
    assert code == "AccessDeniedException"
    assert "with an explicit deny in a resource-based policy" in message
    assert status(setup) == "Pending"


def test_associate_dry_run_refuses_a_replica_key_the_primary_account_cannot_use(fake, setup):
    fake.kms.put_key_policy(setup["key"], key_policy(B))
    assert associate(operator(fake, *EVERYTHING), setup) == KMS_DENIED
    assert status(setup) == "Pending"


def test_associate_needs_kms_decrypt_on_the_primarys_customer_key(fake, setup):
    # (The AWS managed key serves any caller of its own account.)
    own_key = fake.kms.create_key()  # KMS's default policy: A's IAM policies decide
    setup["a"].update_secret(SecretId=setup["primary"], KmsKeyId=own_key)
    granted = [allow("secretsmanager:*"), allow("kms:Encrypt")]
    assert associate(operator(fake, *granted), setup) == KMS_DENIED
    # Decrypt on A's key, Encrypt on B's (the dry run): nothing more.
    both = allow(["kms:Decrypt", "kms:Encrypt"])
    assert associate(operator(fake, allow("secretsmanager:*"), both), setup) == "ok"


def test_associate_with_a_role_needs_pass_role(fake, setup):
    code, message, _ = associate(operator(fake, *EVERYTHING), setup, ReplicationRoleARN=ROLE)
    assert code == "AccessDeniedException"
    assert f"perform: iam:PassRole on resource: {ROLE}" in message
    granted = [*EVERYTHING, allow("iam:PassRole", ROLE)]
    fake.principals.add("AKIAROLE000000000001", "s", arn=ROLE, policies=[doc(allow("kms:*"))])
    assert associate(operator(fake, *granted), setup, ReplicationRoleARN=ROLE) == "ok"


@U
def test_replication_encrypts_as_the_role_when_one_was_given(fake, setup):
    # The role (a registered principal with kms:* of its own) is what B's key must allow.
    fake.principals.add("AKIAROLE000000000001", "s", arn=ROLE, policies=[doc(allow("kms:*"))])
    granted = [*EVERYTHING, allow("iam:PassRole", ROLE)]
    client = operator(fake, *granted)
    assert associate(client, setup, ReplicationRoleARN=ROLE) == "ok"
    fake.kms.put_key_policy(
        setup["key"],
        doc(
            {**allow("kms:*"), "Principal": {"AWS": [ROLE, f"arn:aws:iam::{B}:root"]}},
        ),
    )
    client.put_secret_value(SecretId=setup["primary"], SecretString="v2")
    assert status(setup) == "InSync"
    assert setup["b"].get_secret_value(SecretId=setup["replica"])["SecretString"] == "v2"


@U
def test_replica_key_policy_refusing_the_writer_fails_the_replica_not_the_write(fake, setup):
    client = operator(fake, *EVERYTHING)
    assert associate(client, setup) == "ok"
    fake.kms.put_key_policy(setup["key"], key_policy(B))
    assert client.put_secret_value(SecretId=setup["primary"], SecretString="v2")["VersionId"]
    [entry] = setup["a"].describe_secret(SecretId=setup["primary"])["CrossAccountReplicas"]
    assert entry["ReplicationStatus"] == "Failed"
    assert entry["StatusMessage"] == (
        f"Replication failed: {OPERATOR} isn't allowed to perform kms:Encrypt on the KMS key of "
        "the replica secret."
    )
    assert setup["b"].get_secret_value(SecretId=setup["replica"])["SecretString"] == "v1"
    assert fake.access.last_denial is not None
    assert fake.access.last_denial.action == "kms:Encrypt"


def test_replication_without_access_control_ignores_key_policies():
    with mock_secretsmanager() as fake:
        a, b = fake.client(A), fake.client(B)
        primary = a.create_secret(Name="app/db", SecretString="v1")["ARN"]
        key = fake.kms.create_key(account_id=B)  # KMS's default policy: B only
        replica = b.create_secret(Name="c", CrossAccountPrimaryARN=primary, KmsKeyId=key)["ARN"]
        a.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
        a.put_secret_value(SecretId=primary, SecretString="v2")
        assert b.get_secret_value(SecretId=replica)["SecretString"] == "v2"


def test_disassociate_needs_its_own_action_only(fake, setup):
    client = operator(fake, *EVERYTHING)
    assert associate(client, setup) == "ok"
    limited = operator(fake, allow("secretsmanager:DisassociateCrossAccountReplica"))
    assert (
        outcome(
            lambda: limited.disassociate_cross_account_replica(
                SecretId=setup["primary"], CrossAccountReplicaARN=setup["replica"]
            )
        )
        == "ok"
    )
    assert status(setup) == "Detached"


# -- the implied policy actions and secretsmanager:PolicyName -------------------------------------


def replica_owner(fake: SecretsManagerFake, *statements: dict[str, Any]) -> Any:
    """A user of the replica's account."""
    return signed_as(fake, "AKIAREPLICAOWNER0001", f"arn:aws:iam::{B}:user/owner", *statements)


def on_policy(action: str, name: str) -> dict[str, Any]:
    return allow(action, Condition={"StringEquals": {"secretsmanager:PolicyName": name}})


@U
def test_create_replica_asks_put_resource_policy_for_the_managed_policy(fake, setup):
    key = setup["key"]
    without = replica_owner(fake, allow("secretsmanager:CreateSecret"), allow("kms:*"))
    code, message, _ = outcome(
        lambda: without.create_secret(
            Name="r2", CrossAccountPrimaryARN=setup["primary"], KmsKeyId=key
        )
    )
    assert code == "AccessDeniedException"
    assert "perform: secretsmanager:PutResourcePolicy" in message
    only_default = replica_owner(
        fake,
        allow("secretsmanager:CreateSecret"),
        on_policy("secretsmanager:PutResourcePolicy", "default"),
    )
    assert (
        outcome(
            lambda: only_default.create_secret(
                Name="r2", CrossAccountPrimaryARN=setup["primary"], KmsKeyId=key
            )
        )[0]
        == "AccessDeniedException"
    )
    managed = replica_owner(
        fake,
        allow("secretsmanager:CreateSecret"),
        on_policy("secretsmanager:PutResourcePolicy", "cross-account-replication"),
    )
    created = managed.create_secret(
        Name="r2", CrossAccountPrimaryARN=setup["primary"], KmsKeyId=key
    )
    assert created["Name"] == "r2"


@U
def test_stop_replication_asks_delete_resource_policy_of_the_managed_policy(fake, setup):
    stopper = replica_owner(fake, allow("secretsmanager:StopReplicationToReplica"))
    stop = lambda: stopper.stop_replication_to_replica(SecretId=setup["replica"])  # noqa: E731
    code, message, _ = outcome(stop)
    assert code == "AccessDeniedException"
    assert "perform: secretsmanager:DeleteResourcePolicy" in message
    stopper = replica_owner(
        fake,
        allow("secretsmanager:StopReplicationToReplica"),
        on_policy("secretsmanager:DeleteResourcePolicy", "cross-account-replication"),
    )
    assert outcome(stop) == "ok"


@U
def test_policy_operations_carry_the_policy_name_condition_key(fake, setup):
    reader = replica_owner(fake, on_policy("secretsmanager:GetResourcePolicy", "default"))
    assert outcome(lambda: reader.get_resource_policy(SecretId=setup["replica"])) == "ok"
    code, _, _ = outcome(
        lambda: reader.get_resource_policy(
            SecretId=setup["replica"], PolicyName="cross-account-replication"
        )
    )
    assert code == "AccessDeniedException"


def test_list_resource_policies_needs_its_own_action(fake, setup):
    lister = replica_owner(fake, allow("secretsmanager:GetResourcePolicy"))
    code, message, _ = outcome(lambda: lister.list_resource_policies(SecretId=setup["replica"]))
    assert code == "AccessDeniedException"
    assert "perform: secretsmanager:ListResourcePolicies" in message


@U
def test_replication_encrypts_as_the_caller_that_changed_the_primary(fake, setup):
    """The operator's own write replicates; a rotation's writes are its function's calls,
    made here as the primary account's root, which the key policy does not name."""
    from tests.operations.test_rotate_secret import TemplateRotation

    client = operator(fake, *EVERYTHING)
    assert associate(client, setup) == "ok"
    fake.kms.put_key_policy(
        setup["key"],
        doc({**allow("kms:*"), "Principal": {"AWS": [OPERATOR, f"arn:aws:iam::{B}:root"]}}),
    )
    client.put_secret_value(SecretId=setup["primary"], SecretString="v2")
    assert status(setup) == "InSync"
    arn = fake.register_rotation_function("rotator", TemplateRotation())
    client.rotate_secret(SecretId=setup["primary"], RotationLambdaARN=arn)
    assert fake.rotations[-1].outcome == "succeeded"
    [entry] = setup["a"].describe_secret(SecretId=setup["primary"])["CrossAccountReplicas"]
    assert entry["ReplicationStatus"] == "Failed"
    assert f"arn:aws:iam::{A}:root isn't allowed to perform kms:Encrypt" in entry["StatusMessage"]
    assert setup["b"].get_secret_value(SecretId=setup["replica"])["SecretString"] == "v2"
