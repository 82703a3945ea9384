"""Cross-account replication (botocore 1.44; AWS_SPEC_1_44.md §A2-§A6), through boto3 clients of
two accounts of one fake: the replica's creation, AssociateCrossAccountReplica,
DisassociateCrossAccountReplica, StopReplicationToReplica on a replica, what each side shows
and refuses. AWS publishes no error text for this surface: every message here is smfake's
(`[U]` in smfake/_domain/messages.py), hence the ``unverified`` marks."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from smfake import SecretsManagerFake
from tests.conftest import assert_shape, error_of
from tests.operation_examples import POLICY
from tests.operations.conftest import MARKED_FOR_DELETION, NOT_FOUND

PRIMARY_ACCOUNT = "123456789012"
REPLICA_ACCOUNT = "210987654321"
THIRD_ACCOUNT = "333344445555"
KEY_UNUSABLE = (
    "Replication failed: the KMS key of the replica secret can't be used to encrypt its value."
)
ROLE = f"arn:aws:iam::{PRIMARY_ACCOUNT}:role/replication"
# The AWS managed key, as a replica's KmsKeyId may name it.
MANAGED_KEY_REFS = [
    "",
    "alias/aws/secretsmanager",
    f"arn:aws:kms:us-east-1:{REPLICA_ACCOUNT}:alias/aws/secretsmanager",
]
U = pytest.mark.unverified("AWS publishes no text or check order for cross-account replication")

pytestmark = pytest.mark.usefixtures("_needs_the_surface")


@pytest.fixture
def _needs_the_surface(client: Any) -> None:
    if "AssociateCrossAccountReplica" not in client.meta.service_model.operation_names:
        pytest.skip("this botocore's model has no cross-account replication")


@pytest.fixture
def other(fake: SecretsManagerFake) -> Any:
    """A client of the replica's account."""
    return fake.client(REPLICA_ACCOUNT)


@pytest.fixture
def replica_key(fake: SecretsManagerFake) -> str:
    return fake.kms.create_key(account_id=REPLICA_ACCOUNT, alias="alias/replica")


@pytest.fixture
def primary(client: Any) -> str:
    return str(client.create_secret(Name="app/db", SecretString="v1")["ARN"])


@pytest.fixture
def replica(other: Any, primary: str, replica_key: str) -> str:
    """A replica of ``primary`` in the other account, created there, not associated."""
    created = other.create_secret(
        Name="app/db-copy", CrossAccountPrimaryARN=primary, KmsKeyId=replica_key
    )
    return str(created["ARN"])


@pytest.fixture
def linked(client: Any, primary: str, replica: str) -> str:
    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    return replica


def refused(call: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return error_of(excinfo)


def value_of(client: Any, secret_id: str, **params: Any) -> str:
    return str(client.get_secret_value(SecretId=secret_id, **params)["SecretString"])


# -- the replica's creation (§A3) ---------------------------------------------------------------


def test_create_replica_has_no_value_and_shows_its_pending_primary(other, primary, replica):
    described = other.describe_secret(SecretId=replica)
    assert_shape(other, "DescribeSecret", described)
    assert described["CrossAccountPrimary"] == {
        "PrimarySecretARN": primary,
        "ReplicationStatus": "Pending",
    }
    assert "VersionIdsToStages" not in described
    assert ":210987654321:secret:app/db-copy-" in replica
    code, message, status = refused(lambda: other.get_secret_value(SecretId=replica))
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert message.endswith("staging label: AWSCURRENT")


def test_create_replica_answers_arn_and_name_only(other, primary, replica_key):
    created = other.create_secret(Name="r", CrossAccountPrimaryARN=primary, KmsKeyId=replica_key)
    assert_shape(other, "CreateSecret", created)
    assert set(created) - {"ResponseMetadata"} == {"ARN", "Name"}


def test_create_replica_carries_the_managed_policy(other, replica):
    listed = other.list_resource_policies(SecretId=replica)
    assert listed["ResourcePolicies"] == [{"PolicyName": "cross-account-replication"}]
    # GetResourcePolicy without a name reads the default policy, which it has not.
    default = other.get_resource_policy(SecretId=replica)
    assert "ResourcePolicy" not in default
    assert default["PolicyName"] == "default"


@U
def test_create_replica_managed_policy_lets_the_primary_account_accept(other, replica):
    got = other.get_resource_policy(SecretId=replica, PolicyName="cross-account-replication")
    assert_shape(other, "GetResourcePolicy", got)
    assert got["PolicyName"] == "cross-account-replication"
    assert '"secretsmanager:AcceptCrossAccountReplication"' in got["ResourcePolicy"]
    assert f'"arn:aws:iam::{PRIMARY_ACCOUNT}:root"' in got["ResourcePolicy"]


def test_create_replica_with_a_default_policy_lists_both_default_first(other, replica):
    other.put_resource_policy(SecretId=replica, ResourcePolicy=POLICY)
    assert other.list_resource_policies(SecretId=replica)["ResourcePolicies"] == [
        {"PolicyName": "default"},
        {"PolicyName": "cross-account-replication"},
    ]
    first = other.list_resource_policies(SecretId=replica, MaxResults=1)
    assert first["ResourcePolicies"] == [{"PolicyName": "default"}]
    rest = other.list_resource_policies(SecretId=replica, NextToken=first["NextToken"])
    assert rest["ResourcePolicies"] == [{"PolicyName": "cross-account-replication"}]
    pages = other.get_paginator("list_resource_policies").paginate(
        SecretId=replica, PaginationConfig={"PageSize": 1}
    )
    assert [p["PolicyName"] for page in pages for p in page["ResourcePolicies"]] == [
        "default",
        "cross-account-replication",
    ]


@U
def test_create_replica_managed_policy_cannot_be_replaced_or_deleted(other, replica):
    for call in (
        lambda: other.put_resource_policy(
            SecretId=replica, ResourcePolicy=POLICY, PolicyName="cross-account-replication"
        ),
        lambda: other.delete_resource_policy(
            SecretId=replica, PolicyName="cross-account-replication"
        ),
    ):
        assert refused(call) == (
            "InvalidParameterException",
            "You can only use the resource policy named default.",
            400,
        )
    assert other.list_resource_policies(SecretId=replica)["ResourcePolicies"] == [
        {"PolicyName": "cross-account-replication"}
    ]


@U
@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("SecretString", "v"),
        ("SecretBinary", b"v"),
        ("Description", "d"),
        ("Description", ""),
        ("AddReplicaRegions", [{"Region": "eu-west-1"}]),
    ],
)
def test_create_replica_refuses_the_members_it_cannot_take(
    other, primary, replica_key, member, value
):
    call = lambda: other.create_secret(  # noqa: E731
        Name="r", CrossAccountPrimaryARN=primary, KmsKeyId=replica_key, **{member: value}
    )
    assert refused(call) == (
        "InvalidParameterException",
        f"You can't specify {member} when you create a cross-account replica secret.",
        400,
    )
    assert other.list_secrets()["SecretList"] == []


@U
@pytest.mark.parametrize("key", [None, *MANAGED_KEY_REFS])
def test_create_replica_needs_a_customer_managed_key(other, primary, key):
    params = {} if key is None else {"KmsKeyId": key}
    code, message, status = refused(
        lambda: other.create_secret(Name="r", CrossAccountPrimaryARN=primary, **params)
    )
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("You must specify a customer managed KMS key in KmsKeyId")
    assert other.list_secrets()["SecretList"] == []


@U
@pytest.mark.parametrize(
    ("arn", "reason"),
    [
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:app", "is not a full ARN"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:foo:bar-AbCdEf", "is not a secret ARN"),
        ("not an arn at all, but long enough", "is not an ARN"),
    ],
)
def test_create_replica_refuses_an_arn_that_is_not_a_secrets(other, replica_key, arn, reason):
    assert refused(
        lambda: other.create_secret(Name="r", CrossAccountPrimaryARN=arn, KmsKeyId=replica_key)
    ) == (
        "InvalidParameterException",
        f"CrossAccountPrimaryARN must be the full ARN of a secret, got {arn}.",
        400,
    ), reason


@U
@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-AbCdEf",
        "arn:aws-cn:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf",
    ],
)
def test_create_replica_refuses_another_region_or_partition(other, replica_key, arn):
    code, message, _ = refused(
        lambda: other.create_secret(Name="r", CrossAccountPrimaryARN=arn, KmsKeyId=replica_key)
    )
    assert code == "InvalidParameterException"
    assert message.startswith(
        "The primary secret and its cross-account replica must be in the same"
    )


@U
def test_create_replica_refuses_a_primary_of_its_own_account(other, replica_key):
    own = other.create_secret(Name="mine", SecretString="v")["ARN"]
    code, message, _ = refused(
        lambda: other.create_secret(Name="r", CrossAccountPrimaryARN=own, KmsKeyId=replica_key)
    )
    assert code == "InvalidParameterException"
    assert message.startswith("CrossAccountPrimaryARN must name a secret in another AWS account.")


@U
def test_create_replica_does_not_check_that_the_primary_exists(other, replica_key):
    # The replica's account usually cannot see the primary; Associate checks it.
    arn = f"arn:aws:secretsmanager:us-east-1:{PRIMARY_ACCOUNT}:secret:nowhere-AbCdEf"
    created = other.create_secret(Name="r", CrossAccountPrimaryARN=arn, KmsKeyId=replica_key)
    described = other.describe_secret(SecretId=created["ARN"])
    assert described["CrossAccountPrimary"]["PrimarySecretARN"] == arn


def test_create_replica_keeps_its_tags(other, primary, replica_key):
    created = other.create_secret(
        Name="r",
        CrossAccountPrimaryARN=primary,
        KmsKeyId=replica_key,
        Tags=[{"Key": "team", "Value": "b"}],
    )
    assert other.describe_secret(SecretId=created["ARN"])["Tags"] == [{"Key": "team", "Value": "b"}]


def test_create_replica_name_taken_is_the_usual_error(other, primary, replica_key, replica):
    code, message, _ = refused(
        lambda: other.create_secret(
            Name="app/db-copy", CrossAccountPrimaryARN=primary, KmsKeyId=replica_key
        )
    )
    assert code == "ResourceExistsException"
    assert "already exists" in message


# -- AssociateCrossAccountReplica (§A4) ----------------------------------------------------------


def test_associate_answers_in_progress_then_both_sides_show_in_sync(
    client, other, primary, replica
):
    response = client.associate_cross_account_replica(
        SecretId=primary, CrossAccountReplicaARN=replica
    )
    assert_shape(client, "AssociateCrossAccountReplica", response)
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "ARN": primary,
        "CrossAccountReplicaARN": replica,
        "ReplicationStatus": "InProgress",
    }
    described = client.describe_secret(SecretId=primary)
    assert_shape(client, "DescribeSecret", described)
    assert described["CrossAccountReplicas"] == [
        {"ReplicaSecretARN": replica, "ReplicationStatus": "InSync"}
    ]
    assert "CrossAccountPrimary" not in described
    assert other.describe_secret(SecretId=replica)["CrossAccountPrimary"] == {
        "PrimarySecretARN": primary,
        "ReplicationStatus": "InSync",
    }


def test_associate_copies_every_version_with_its_ids_and_labels(client, other, primary, replica):
    client.put_secret_value(SecretId=primary, SecretString="v2")
    client.put_secret_value(SecretId=primary, SecretString="v3", VersionStages=["CUSTOM"])
    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    assert (
        other.describe_secret(SecretId=replica)["VersionIdsToStages"]
        == client.describe_secret(SecretId=primary)["VersionIdsToStages"]
    )
    assert value_of(other, replica) == "v2"
    assert value_of(other, replica, VersionStage="AWSPREVIOUS") == "v1"
    assert value_of(other, replica, VersionStage="CUSTOM") == "v3"


@U
def test_associate_copies_the_description_not_tags_or_policy(client, other, replica_key):
    arn = client.create_secret(
        Name="described",
        SecretString="v",
        Description="the db",
        Tags=[{"Key": "owner", "Value": "a"}],
    )["ARN"]
    client.put_resource_policy(SecretId=arn, ResourcePolicy=POLICY)
    copy = other.create_secret(Name="c", CrossAccountPrimaryARN=arn, KmsKeyId=replica_key)["ARN"]
    client.associate_cross_account_replica(SecretId=arn, CrossAccountReplicaARN=copy)
    described = other.describe_secret(SecretId=copy)
    assert described["Description"] == "the db"
    assert "Tags" not in described
    assert "ResourcePolicy" not in other.get_resource_policy(SecretId=copy)
    client.update_secret(SecretId=arn, Description="renamed")
    assert other.describe_secret(SecretId=copy)["Description"] == "renamed"


def test_associate_encrypts_the_copy_under_the_replicas_key(
    client, other, primary, replica, replica_key
):
    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    versions = other.list_secret_version_ids(SecretId=replica)["Versions"]
    assert [v["KmsKeyIds"] for v in versions] == [[replica_key]]
    assert other.describe_secret(SecretId=replica)["KmsKeyId"] == replica_key


def test_associate_stores_and_shows_the_replication_role(client, primary, replica):
    client.associate_cross_account_replica(
        SecretId=primary, CrossAccountReplicaARN=replica, ReplicationRoleARN=ROLE
    )
    assert client.describe_secret(SecretId=primary)["CrossAccountReplicas"] == [
        {"ReplicaSecretARN": replica, "ReplicationRoleARN": ROLE, "ReplicationStatus": "InSync"}
    ]


def test_associate_by_name_of_the_primary(client, other, primary, replica):
    client.associate_cross_account_replica(SecretId="app/db", CrossAccountReplicaARN=replica)
    assert value_of(other, replica) == "v1"


def test_associate_again_repairs_and_is_idempotent(
    client, other, fake, primary, linked, replica_key
):
    fake.kms.disable(replica_key)
    client.put_secret_value(SecretId=primary, SecretString="v2")
    assert (
        other.describe_secret(SecretId=linked)["CrossAccountPrimary"]["ReplicationStatus"]
        == "Failed"
    )
    fake.kms.enable(replica_key)
    again = client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=linked)
    assert again["ReplicationStatus"] == "InProgress"
    assert value_of(other, linked) == "v2"
    assert client.describe_secret(SecretId=primary)["CrossAccountReplicas"] == [
        {"ReplicaSecretARN": linked, "ReplicationStatus": "InSync"}
    ]
    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=linked)
    assert len(client.describe_secret(SecretId=primary)["CrossAccountReplicas"]) == 1


def test_associate_unknown_replica_is_not_found(client, primary):
    missing = f"arn:aws:secretsmanager:us-east-1:{REPLICA_ACCOUNT}:secret:missing-AbCdEf"
    assert (
        refused(
            lambda: client.associate_cross_account_replica(
                SecretId=primary, CrossAccountReplicaARN=missing
            )
        )
        == NOT_FOUND
    )
    assert "CrossAccountReplicas" not in client.describe_secret(SecretId=primary)


def test_associate_unknown_primary_is_not_found(client, replica):
    assert (
        refused(
            lambda: client.associate_cross_account_replica(
                SecretId="missing", CrossAccountReplicaARN=replica
            )
        )
        == NOT_FOUND
    )


@U
def test_associate_refuses_a_replica_of_another_primary(client, other, primary, replica_key):
    second = client.create_secret(Name="second", SecretString="v")["ARN"]
    of_second = other.create_secret(
        Name="of-second", CrossAccountPrimaryARN=second, KmsKeyId=replica_key
    )["ARN"]
    assert refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=of_second
        )
    ) == (
        "InvalidRequestException",
        f"The secret {of_second} isn't a cross-account replica of the primary secret {primary}.",
        400,
    )
    assert (
        other.describe_secret(SecretId=of_second)["CrossAccountPrimary"]["ReplicationStatus"]
        == "Pending"
    )
    assert "CrossAccountReplicas" not in client.describe_secret(SecretId=primary)


@U
def test_associate_refuses_a_standalone_secret(client, other, primary):
    plain = other.create_secret(Name="plain", SecretString="mine")["ARN"]
    code, _, _ = refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=plain
        )
    )
    assert code == "InvalidRequestException"
    assert value_of(other, plain) == "mine"


@U
def test_associate_a_second_replica_exceeds_the_limit_of_one(
    client, other, primary, linked, replica_key
):
    second = other.create_secret(
        Name="second-copy", CrossAccountPrimaryARN=primary, KmsKeyId=replica_key
    )["ARN"]
    assert refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=second
        )
    ) == (
        "LimitExceededException",
        f"The primary secret {primary} already has a cross-account replica ({linked}). "
        "A primary secret can have only one.",
        400,
    )
    assert (
        other.describe_secret(SecretId=second)["CrossAccountPrimary"]["ReplicationStatus"]
        == "Pending"
    )


@U
def test_associate_a_detached_entry_still_counts_until_disassociated(
    client, other, primary, linked, replica_key
):
    other.stop_replication_to_replica(SecretId=linked)
    second = other.create_secret(
        Name="second-copy", CrossAccountPrimaryARN=primary, KmsKeyId=replica_key
    )["ARN"]
    call = lambda: client.associate_cross_account_replica(  # noqa: E731
        SecretId=primary, CrossAccountReplicaARN=second
    )
    assert refused(call)[0] == "LimitExceededException"
    client.disassociate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=linked)
    call()
    assert value_of(other, second) == "v1"


@U
@pytest.mark.parametrize(
    ("replica_arn", "start"),
    [
        (
            f"arn:aws:secretsmanager:eu-west-1:{REPLICA_ACCOUNT}:secret:r-AbCdEf",
            "The primary secret and its cross-account replica must be in the same",
        ),
        (
            f"arn:aws:secretsmanager:us-east-1:{REPLICA_ACCOUNT}:secret:app",
            "CrossAccountReplicaARN must be the full ARN of a secret",
        ),
    ],
)
def test_associate_refuses_another_region_or_a_partial_arn(client, primary, replica_arn, start):
    code, message, _ = refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica_arn
        )
    )
    assert code == "InvalidParameterException"
    assert message.startswith(start)


@U
def test_associate_refuses_a_replica_in_the_callers_own_account(client, primary):
    own = client.create_secret(Name="own", SecretString="v")["ARN"]
    code, message, _ = refused(
        lambda: client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=own)
    )
    assert code == "InvalidParameterException"
    assert "another AWS account" in message


@U
def test_associate_refuses_a_replica_as_the_primary(
    client, other, primary, linked, replica_key, fake
):
    third = fake.client(THIRD_ACCOUNT)
    key = fake.kms.create_key(account_id=THIRD_ACCOUNT)
    onward = third.create_secret(Name="onward", CrossAccountPrimaryARN=linked, KmsKeyId=key)["ARN"]
    assert refused(
        lambda: other.associate_cross_account_replica(
            SecretId=linked, CrossAccountReplicaARN=onward
        )
    ) == (
        "InvalidParameterException",
        f"The secret {linked} is a replica and can't be a primary secret.",
        400,
    )


@U
def test_associate_refuses_a_replica_scheduled_for_deletion(client, other, primary, replica):
    other.stop_replication_to_replica(SecretId=replica)  # so that it can be deleted ...
    other.delete_secret(SecretId=replica)
    # ... but then it no longer names the primary: the deletion check comes first.
    assert (
        refused(
            lambda: client.associate_cross_account_replica(
                SecretId=primary, CrossAccountReplicaARN=replica
            )
        )
        == MARKED_FOR_DELETION
    )


def test_associate_primary_scheduled_for_deletion(client, primary, replica):
    client.delete_secret(SecretId=primary)
    assert (
        refused(
            lambda: client.associate_cross_account_replica(
                SecretId=primary, CrossAccountReplicaARN=replica
            )
        )
        == MARKED_FOR_DELETION
    )


@U
def test_associate_with_an_unusable_replica_key_changes_neither_side(
    client, other, fake, primary, replica, replica_key
):
    fake.kms.disable(replica_key)
    code, _, _ = refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica
        )
    )
    assert code == "EncryptionFailure"
    assert "CrossAccountReplicas" not in client.describe_secret(SecretId=primary)
    assert (
        other.describe_secret(SecretId=replica)["CrossAccountPrimary"]["ReplicationStatus"]
        == "Pending"
    )
    assert "VersionIdsToStages" not in other.describe_secret(SecretId=replica)


# -- organizations (ReplicaRestriction) ----------------------------------------------------------


@U
def test_associate_same_org_is_the_default_and_every_account_starts_in_one(
    client, fake, primary, replica
):
    assert fake.organizations.of(PRIMARY_ACCOUNT) == fake.organizations.of(REPLICA_ACCOUNT)
    client.associate_cross_account_replica(
        SecretId=primary, CrossAccountReplicaARN=replica, ReplicaRestriction="SameOrg"
    )


@U
@pytest.mark.parametrize("organization", ["o-elsewhere01", None])
def test_associate_same_org_refuses_another_organization(
    client, other, fake, primary, replica, organization
):
    fake.organizations.place(REPLICA_ACCOUNT, organization)
    for params in ({}, {"ReplicaRestriction": "SameOrg"}):
        code, message, _ = refused(
            lambda: client.associate_cross_account_replica(  # noqa: B023
                SecretId=primary,
                CrossAccountReplicaARN=replica,
                **params,  # noqa: B023
            )
        )
        assert code == "InvalidRequestException"
        assert "same AWS Organization" in message
    assert (
        other.describe_secret(SecretId=replica)["CrossAccountPrimary"]["ReplicationStatus"]
        == "Pending"
    )
    client.associate_cross_account_replica(
        SecretId=primary, CrossAccountReplicaARN=replica, ReplicaRestriction="NoRestriction"
    )
    assert value_of(other, replica) == "v1"


def test_associate_bad_restriction_is_a_validation_error(client, primary, replica):
    code, message, _ = refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica, ReplicaRestriction="Anyone"
        )
    )
    assert code == "ValidationException"
    assert "Member must satisfy enum value set: [SameOrg, NoRestriction]" in message


# -- replication of later changes (§A2.4) -------------------------------------------------------


def test_put_secret_value_on_the_primary_reaches_the_replica(client, other, primary, linked):
    version = client.put_secret_value(SecretId=primary, SecretString="v2")["VersionId"]
    got = other.get_secret_value(SecretId=linked)
    assert (got["SecretString"], got["VersionId"]) == ("v2", version)
    assert value_of(other, linked, VersionStage="AWSPREVIOUS") == "v1"


def test_update_secret_and_label_moves_reach_the_replica(client, other, primary, linked):
    client.update_secret(SecretId=primary, SecretString="v2")
    assert value_of(other, linked) == "v2"
    previous = next(
        vid
        for vid, labels in client.describe_secret(SecretId=primary)["VersionIdsToStages"].items()
        if "AWSPREVIOUS" in labels
    )
    current = client.get_secret_value(SecretId=primary)["VersionId"]
    client.update_secret_version_stage(
        SecretId=primary,
        VersionStage="AWSCURRENT",
        MoveToVersionId=previous,
        RemoveFromVersionId=current,
    )
    assert value_of(other, linked) == "v1"
    assert (
        other.describe_secret(SecretId=linked)["VersionIdsToStages"]
        == client.describe_secret(SecretId=primary)["VersionIdsToStages"]
    )


def test_rotation_of_the_primary_reaches_the_replica(client, other, fake, primary, linked):
    from tests.operations.test_rotate_secret import TemplateRotation

    arn = fake.register_rotation_function("rotator", TemplateRotation())
    client.rotate_secret(SecretId=primary, RotationLambdaARN=arn)
    assert fake.rotations[-1].outcome == "succeeded"
    assert value_of(other, linked) == value_of(client, primary) != "v1"
    assert value_of(other, linked, VersionStage="AWSPREVIOUS") == "v1"


def test_tags_and_policy_of_the_primary_stay_its_own(client, other, primary, linked):
    client.tag_resource(SecretId=primary, Tags=[{"Key": "k", "Value": "v"}])
    client.put_resource_policy(SecretId=primary, ResourcePolicy=POLICY)
    assert "Tags" not in other.describe_secret(SecretId=linked)
    assert other.list_resource_policies(SecretId=linked)["ResourcePolicies"] == [
        {"PolicyName": "cross-account-replication"}
    ]


@pytest.mark.unverified("a replica shows its primary's Type, as it shows its description")
def test_type_of_the_primary_reaches_the_replica_and_follows_changes(
    client, other, primary, replica
):
    client.update_secret(SecretId=primary, Type="SnowflakePat")
    assert "Type" not in other.describe_secret(SecretId=replica)  # not associated yet

    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    assert other.describe_secret(SecretId=replica)["Type"] == "SnowflakePat"

    client.update_secret(SecretId=primary, Type="DatabricksPAT")
    described = other.describe_secret(SecretId=replica)
    assert_shape(other, "DescribeSecret", described)
    assert described["Type"] == "DatabricksPAT"
    assert described["CrossAccountPrimary"]["ReplicationStatus"] == "InSync"


@pytest.mark.parametrize("spoil", ["disable", "schedule_deletion"])
def test_unusable_replica_key_fails_the_replica_not_the_primary(
    client, other, fake, primary, linked, replica_key, spoil
):
    getattr(fake.kms, spoil)(replica_key)
    version = client.put_secret_value(SecretId=primary, SecretString="v2")["VersionId"]
    assert client.get_secret_value(SecretId=primary)["VersionId"] == version
    [entry] = client.describe_secret(SecretId=primary)["CrossAccountReplicas"]
    link = other.describe_secret(SecretId=linked)["CrossAccountPrimary"]
    assert entry["ReplicationStatus"] == link["ReplicationStatus"] == "Failed"
    assert entry["StatusMessage"] == link["StatusMessage"] == KEY_UNUSABLE
    assert version not in other.describe_secret(SecretId=linked)["VersionIdsToStages"]


@U
def test_failed_replica_is_retried_on_the_next_change(
    client, other, fake, primary, linked, replica_key
):
    fake.kms.disable(replica_key)
    client.put_secret_value(SecretId=primary, SecretString="v2")
    fake.kms.enable(replica_key)
    client.put_secret_value(SecretId=primary, SecretString="v3")
    assert value_of(other, linked) == "v3"
    assert value_of(other, linked, VersionStage="AWSPREVIOUS") == "v2"
    assert other.describe_secret(SecretId=linked)["CrossAccountPrimary"] == {
        "PrimarySecretARN": primary,
        "ReplicationStatus": "InSync",
    }


# -- the replica's own lifecycle (§A2.5) ---------------------------------------------------------


READ_ONLY = (
    "Operation not permitted on a cross-account replica secret. "
    "Make the change to its primary secret {primary}."
)


@U
@pytest.mark.parametrize("fixture", ["replica", "linked"])
@pytest.mark.parametrize(
    "write",
    [
        lambda c, s: c.put_secret_value(SecretId=s, SecretString="x"),
        lambda c, s: c.update_secret(SecretId=s, SecretString="x"),
        lambda c, s: c.update_secret(SecretId=s, Description="x"),
        lambda c, s: c.update_secret(SecretId=s, Type="SnowflakePat"),
        lambda c, s: c.update_secret_version_stage(
            SecretId=s, VersionStage="L", MoveToVersionId="a" * 32
        ),
        lambda c, s: c.rotate_secret(SecretId=s, RotationRules={"AutomaticallyAfterDays": 1}),
        lambda c, s: c.cancel_rotate_secret(SecretId=s),
        lambda c, s: c.replicate_secret_to_regions(
            SecretId=s, AddReplicaRegions=[{"Region": "eu-west-1"}]
        ),
        lambda c, s: c.remove_regions_from_replication(
            SecretId=s, RemoveReplicaRegions=["eu-west-1"]
        ),
    ],
    ids=[
        "put",
        "update-value",
        "update-description",
        "update-type",
        "move-label",
        "rotate",
        "cancel-rotate",
        "replicate",
        "remove-regions",
    ],
)
def test_replica_refuses_writes_of_its_value_and_metadata(request, other, primary, fixture, write):
    arn = request.getfixturevalue(fixture)
    before = other.describe_secret(SecretId=arn)
    assert refused(lambda: write(other, arn)) == (
        "InvalidParameterException",
        READ_ONLY.format(primary=primary),
        400,
    )
    after = other.describe_secret(SecretId=arn)
    assert {k: v for k, v in after.items() if k != "ResponseMetadata"} == {
        k: v for k, v in before.items() if k != "ResponseMetadata"
    }


def test_replica_keeps_its_own_tags_policy_and_key(client, other, fake, primary, linked):
    other.tag_resource(SecretId=linked, Tags=[{"Key": "team", "Value": "b"}])
    other.untag_resource(SecretId=linked, TagKeys=["team"])
    other.tag_resource(SecretId=linked, Tags=[{"Key": "env", "Value": "prod"}])
    other.put_resource_policy(SecretId=linked, ResourcePolicy=POLICY)
    other.delete_resource_policy(SecretId=linked)
    new_key = fake.kms.create_key(account_id=REPLICA_ACCOUNT)
    other.update_secret(SecretId=linked, KmsKeyId=new_key)
    assert other.describe_secret(SecretId=linked)["KmsKeyId"] == new_key
    assert value_of(other, linked) == "v1"
    client.put_secret_value(SecretId=primary, SecretString="v2")
    assert value_of(other, linked) == "v2"
    assert other.list_secret_version_ids(SecretId=linked)["Versions"][-1]["KmsKeyIds"] == [new_key]
    assert other.describe_secret(SecretId=linked)["Tags"] == [{"Key": "env", "Value": "prod"}]


@U
@pytest.mark.parametrize("key", MANAGED_KEY_REFS)
def test_replica_key_stays_a_customer_managed_key(other, linked, replica_key, key):
    code, message, _ = refused(lambda: other.update_secret(SecretId=linked, KmsKeyId=key))
    assert code == "InvalidParameterException"
    assert message.startswith("You must specify a customer managed KMS key in KmsKeyId")
    assert other.describe_secret(SecretId=linked)["KmsKeyId"] == replica_key


@U
def test_delete_replica_refused_until_it_stops_replication(client, other, primary, replica):
    for params in ({}, {"ForceDeleteWithoutRecovery": True}, {"RecoveryWindowInDays": 7}):
        assert refused(lambda: other.delete_secret(SecretId=replica, **params)) == (  # noqa: B023
            "InvalidParameterException",
            f"You can't delete secret {replica} while it is a cross-account replica. "
            "Call StopReplicationToReplica first.",
            400,
        )
    other.stop_replication_to_replica(SecretId=replica)
    other.delete_secret(SecretId=replica, ForceDeleteWithoutRecovery=True)


@U
def test_delete_primary_refused_while_it_has_an_entry_even_detached(client, other, primary, linked):
    message = (
        f"You can't delete secret {primary} that still has cross-account replicas [{linked}]. "
        "Call DisassociateCrossAccountReplica first."
    )
    assert refused(lambda: client.delete_secret(SecretId=primary)) == (
        "InvalidParameterException",
        message,
        400,
    )
    other.stop_replication_to_replica(SecretId=linked)
    assert refused(lambda: client.delete_secret(SecretId=primary))[1] == message
    client.disassociate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=linked)
    client.delete_secret(SecretId=primary, RecoveryWindowInDays=7)


def test_list_secrets_shows_neither_side_of_the_link(client, other, primary, linked):
    for c, arn in ((client, primary), (other, linked)):
        [entry] = c.list_secrets()["SecretList"]
        assert_shape(c, "ListSecrets", {"SecretList": [entry]})
        assert entry["ARN"] == arn
        assert not {"CrossAccountPrimary", "CrossAccountReplicas"} & set(entry)


# -- ending it (§A5) -----------------------------------------------------------------------------


def test_disassociate_detaches_the_replica_and_removes_the_entry(client, other, primary, linked):
    response = client.disassociate_cross_account_replica(
        SecretId=primary, CrossAccountReplicaARN=linked
    )
    assert_shape(client, "DisassociateCrossAccountReplica", response)
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "ARN": primary,
        "CrossAccountReplicaARN": linked,
    }
    assert "CrossAccountReplicas" not in client.describe_secret(SecretId=primary)
    assert other.describe_secret(SecretId=linked)["CrossAccountPrimary"] == {
        "PrimarySecretARN": primary,
        "ReplicationStatus": "Detached",
    }
    # Still a replica: keeps its value, refuses writes, no longer follows.
    client.put_secret_value(SecretId=primary, SecretString="v2")
    assert value_of(other, linked) == "v1"
    assert refused(lambda: other.put_secret_value(SecretId=linked, SecretString="x"))[0] == (
        "InvalidParameterException"
    )
    assert other.list_resource_policies(SecretId=linked)["ResourcePolicies"] == [
        {"PolicyName": "cross-account-replication"}
    ]


@U
def test_disassociate_then_associate_again_resumes(client, other, primary, linked):
    client.disassociate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=linked)
    client.put_secret_value(SecretId=primary, SecretString="v2")
    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=linked)
    assert value_of(other, linked) == "v2"


@U
def test_disassociate_an_arn_not_associated_is_not_found(client, primary, replica):
    assert refused(
        lambda: client.disassociate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica
        )
    ) == (
        "ResourceNotFoundException",
        f"The secret {replica} isn't a cross-account replica of the primary secret {primary}.",
        400,
    )


def test_stop_replication_on_the_replica_makes_it_standalone(client, other, primary, linked):
    response = other.stop_replication_to_replica(SecretId=linked)
    assert_shape(other, "StopReplicationToReplica", response)
    assert response["ARN"] == linked
    described = other.describe_secret(SecretId=linked)
    assert "CrossAccountPrimary" not in described
    assert other.list_resource_policies(SecretId=linked)["ResourcePolicies"] == []
    assert value_of(other, linked) == "v1"
    other.put_secret_value(SecretId=linked, SecretString="mine")
    client.put_secret_value(SecretId=primary, SecretString="v2")
    assert value_of(other, linked) == "mine"
    assert client.describe_secret(SecretId=primary)["CrossAccountReplicas"] == [
        {"ReplicaSecretARN": linked, "ReplicationStatus": "Detached"}
    ]
    assert (
        refused(
            lambda: client.get_resource_policy(
                SecretId=primary, PolicyName="cross-account-replication"
            )
        )[0]
        == "ResourceNotFoundException"
    )


@U
def test_stop_replication_while_pending_and_then_associate_fails(client, other, primary, replica):
    other.stop_replication_to_replica(SecretId=replica)
    assert "CrossAccountPrimary" not in other.describe_secret(SecretId=replica)
    code, _, _ = refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica
        )
    )
    assert code == "InvalidRequestException"


def test_stop_replication_twice_is_refused_as_not_a_replica(other, linked):
    other.stop_replication_to_replica(SecretId=linked)
    assert refused(lambda: other.stop_replication_to_replica(SecretId=linked)) == (
        "InvalidParameterException",
        "The secret app/db-copy is not a replica secret.",
        400,
    )


# -- snapshots ----------------------------------------------------------------------------------


def test_snapshot_round_trip_keeps_both_sides(client, other, fake, primary, linked, tmp_path):
    client.associate_cross_account_replica(
        SecretId=primary, CrossAccountReplicaARN=linked, ReplicationRoleARN=ROLE
    )
    fake.organizations.place(THIRD_ACCOUNT, "o-thirdorg0001")
    before = [c.describe_secret(SecretId=s) for c, s in ((client, primary), (other, linked))]
    fake.save_state(tmp_path / "state.json")
    fake.reset()
    fake.load_state(tmp_path / "state.json")
    after = [c.describe_secret(SecretId=s) for c, s in ((client, primary), (other, linked))]
    strip = lambda r: {k: v for k, v in r.items() if k != "ResponseMetadata"}  # noqa: E731
    assert [strip(r) for r in after] == [strip(r) for r in before]
    assert fake.organizations.of(THIRD_ACCOUNT) == "o-thirdorg0001"
    assert value_of(other, linked) == "v1"
    client.put_secret_value(SecretId=primary, SecretString="v2")
    assert value_of(other, linked) == "v2"
    assert refused(lambda: client.delete_secret(SecretId=primary))[0] == "InvalidParameterException"


# -- what neither side may lose, and what needs no key ---------------------------------------------


@U
@pytest.mark.parametrize("side", ["replica", "primary"])
def test_force_overwrite_by_a_regional_replica_spares_a_linked_secret(
    fake, client, other, primary, linked, side
):
    # A secret of the same name in another Region of the same account, replicated here with
    # ForceOverwriteReplicaSecret, would replace the linked secret: it is reported Failed.
    account = REPLICA_ACCOUNT if side == "replica" else PRIMARY_ACCOUNT
    name = "app/db-copy" if side == "replica" else "app/db"
    eu = fake.client(account, region="eu-west-1")
    eu.create_secret(Name=name, SecretString="elsewhere")
    response = eu.replicate_secret_to_regions(
        SecretId=name, AddReplicaRegions=[{"Region": "us-east-1"}], ForceOverwriteReplicaSecret=True
    )
    [status] = response["ReplicationStatus"]
    assert (status["Region"], status["Status"]) == ("us-east-1", "Failed")
    assert status["StatusMessage"] == "Secret with this name already exists in this region"
    client.put_secret_value(SecretId=primary, SecretString="v2")
    assert value_of(other, linked) == "v2"
    assert other.describe_secret(SecretId=linked)["CrossAccountPrimary"]["ReplicationStatus"] == (
        "InSync"
    )


@U
def test_changes_that_need_no_key_reach_a_replica_whose_key_is_disabled(
    client, other, fake, primary, linked, replica_key
):
    fake.kms.disable(replica_key)
    client.tag_resource(SecretId=primary, Tags=[{"Key": "team", "Value": "a"}])
    client.update_secret(SecretId=primary, Description="the db")
    assert other.describe_secret(SecretId=linked)["CrossAccountPrimary"] == {
        "PrimarySecretARN": primary,
        "ReplicationStatus": "InSync",
    }
    assert other.describe_secret(SecretId=linked)["Description"] == "the db"
    # A label move needs no key either; a new value does.
    client.put_secret_value(SecretId=primary, SecretString="v2", VersionStages=["NEXT"])
    assert other.describe_secret(SecretId=linked)["CrossAccountPrimary"]["ReplicationStatus"] == (
        "Failed"
    )


@pytest.mark.parametrize("operation", ["associate", "disassociate"])
def test_only_the_primarys_account_associates_or_disassociates(
    client, other, fake, primary, replica, operation
):
    if operation == "disassociate":
        client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    call = getattr(other, f"{operation}_cross_account_replica")
    assert refused(lambda: call(SecretId=primary, CrossAccountReplicaARN=replica)) == NOT_FOUND
    third = fake.client(THIRD_ACCOUNT)
    assert (
        refused(
            lambda: getattr(third, f"{operation}_cross_account_replica")(
                SecretId=primary, CrossAccountReplicaARN=replica
            )
        )
        == NOT_FOUND
    )
    link = other.describe_secret(SecretId=replica)["CrossAccountPrimary"]
    assert link["ReplicationStatus"] == ("Pending" if operation == "associate" else "InSync")


@U
@pytest.mark.parametrize(
    "role",
    [
        "not-a-role-arn-at-all-xx",
        f"arn:aws:iam::{THIRD_ACCOUNT}:role/replication",
        f"arn:aws:iam::{PRIMARY_ACCOUNT}:user/replication",
        f"arn:aws:secretsmanager:us-east-1:{PRIMARY_ACCOUNT}:secret:app/db-AbCdEf",
    ],
)
def test_associate_role_must_be_a_role_of_the_primarys_account(client, primary, replica, role):
    assert refused(
        lambda: client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica, ReplicationRoleARN=role
        )
    ) == (
        "InvalidParameterException",
        "ReplicationRoleARN must be the ARN of an IAM role in the primary secret's account, "
        f"got {role}.",
        400,
    )
    assert "CrossAccountReplicas" not in client.describe_secret(SecretId=primary)


@U
def test_associate_leaves_out_a_deprecated_version_its_key_no_longer_opens(
    client, other, fake, replica_key
):
    old_key = fake.kms.create_key()
    new_key = fake.kms.create_key()
    arn = client.create_secret(Name="keyed", SecretString="v1", KmsKeyId=old_key)["ARN"]
    first = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    client.put_secret_value(SecretId=arn, SecretString="v2")
    client.put_secret_value(SecretId=arn, SecretString="v3")  # v1 is deprecated now
    client.update_secret(SecretId=arn, KmsKeyId=new_key)  # re-encrypts labelled versions only
    fake.kms.disable(old_key)
    copy = other.create_secret(Name="c", CrossAccountPrimaryARN=arn, KmsKeyId=replica_key)["ARN"]
    client.associate_cross_account_replica(SecretId=arn, CrossAccountReplicaARN=copy)
    listed = other.list_secret_version_ids(SecretId=copy, IncludeDeprecated=True)["Versions"]
    assert len(listed) == 2
    assert not set(first) & {v["VersionId"] for v in listed}
    assert value_of(other, copy) == "v3"


def test_associate_during_an_interrupted_rotation_copies_its_pending_version(
    client, other, fake, primary, replica
):
    def create_only(event, context):
        # createSecret stores the pending value; the other steps do nothing: AWSPENDING stays.
        if event["Step"] == "createSecret":
            import boto3

            boto3.client("secretsmanager", region_name="us-east-1").put_secret_value(
                SecretId=event["SecretId"],
                ClientRequestToken=event["ClientRequestToken"],
                SecretString="pending",
                VersionStages=["AWSPENDING"],
            )

    arn = fake.register_rotation_function("half", create_only)
    client.rotate_secret(SecretId=primary, RotationLambdaARN=arn)
    client.associate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    assert value_of(other, replica, VersionStage="AWSPENDING") == "pending"
    assert value_of(other, replica) == "v1"


def test_primary_with_regional_replicas_feeds_its_cross_account_replica(
    client, other, fake, primary, linked
):
    client.replicate_secret_to_regions(
        SecretId=primary, AddReplicaRegions=[{"Region": "eu-west-1"}]
    )
    client.put_secret_value(SecretId=primary, SecretString="v2")
    eu = fake.client(PRIMARY_ACCOUNT, region="eu-west-1")
    assert value_of(eu, "app/db") == value_of(other, linked) == "v2"
    described = client.describe_secret(SecretId=primary)
    assert [r["Region"] for r in described["ReplicationStatus"]] == ["eu-west-1"]
    assert described["CrossAccountReplicas"][0]["ReplicationStatus"] == "InSync"


@U
@pytest.mark.parametrize(
    "state", ["pending", "failed", "detached by the primary", "detached by the replica"]
)
def test_snapshot_round_trip_keeps_every_state(
    client, other, fake, primary, replica, replica_key, state, tmp_path
):
    if state != "pending":
        client.associate_cross_account_replica(
            SecretId=primary, CrossAccountReplicaARN=replica, ReplicaRestriction="NoRestriction"
        )
    if state == "failed":
        fake.kms.disable(replica_key)
        client.put_secret_value(SecretId=primary, SecretString="v2")
    elif state == "detached by the primary":
        client.disassociate_cross_account_replica(SecretId=primary, CrossAccountReplicaARN=replica)
    elif state == "detached by the replica":
        other.stop_replication_to_replica(SecretId=replica)
    other.put_resource_policy(SecretId=replica, ResourcePolicy=POLICY)

    def seen():
        sides = [client.describe_secret(SecretId=primary), other.describe_secret(SecretId=replica)]
        policies = other.list_resource_policies(SecretId=replica)["ResourcePolicies"]
        return [{k: v for k, v in r.items() if k != "ResponseMetadata"} for r in sides], policies

    before = seen()
    fake.save_state(tmp_path / "state.json")
    fake.reset()
    fake.load_state(tmp_path / "state.json")
    assert seen() == before
