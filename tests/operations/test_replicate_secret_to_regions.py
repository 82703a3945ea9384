"""ReplicateSecretToRegions, and CreateSecret with AddReplicaRegions (§10): replicas are made in
other Regions, reported InProgress on the call and InSync afterwards."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    IDENTIFIER_KINDS,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    body,
    identifier,
    snapshot,
    stages,
    token,
)

PRIMARY, EU, AP = "us-east-1", "eu-west-1", "ap-southeast-2"
DEFAULT_KEY = "alias/aws/secretsmanager"
PRIMARY_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REPLICA_READ_ONLY = (
    "InvalidParameterException",
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    400,
)
NAME_TAKEN = "Secret with this name already exists in this region"
KEY_UNUSABLE = "The KMS key in this region can't be used to encrypt the secret"
SUCCEEDED = "Replication succeeded"
REGION_PATTERN = "^([a-z]+-)+\\d+$"
VALIDATION = "1 validation error detected: "


@pytest.fixture
def eu(make_client):
    return make_client(EU)


@pytest.fixture
def ap(make_client):
    return make_client(AP)


def in_region(arn, region):
    """The ARN of the same secret in another Region (§2.1: only the Region differs)."""
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def failure(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def in_progress(region, key=DEFAULT_KEY):
    return {"Region": region, "KmsKeyId": key, "Status": "InProgress"}


def in_sync(region, key=DEFAULT_KEY):
    return {"Region": region, "KmsKeyId": key, "Status": "InSync", "StatusMessage": SUCCEEDED}


def failed(region, message, key=DEFAULT_KEY):
    return {"Region": region, "KmsKeyId": key, "Status": "Failed", "StatusMessage": message}


def replication_status(client, secret_id="s"):
    return client.describe_secret(SecretId=secret_id)["ReplicationStatus"]


def assert_absent(client, secret_id="s"):
    assert failure(client.describe_secret, SecretId=secret_id) == NOT_FOUND


# -- CreateSecret with AddReplicaRegions ------------------------------------------------------


def test_replicate_secret_to_regions_create_secret_reports_new_regions_in_progress(client, eu):
    created = client.create_secret(
        Name="s", SecretString="v", AddReplicaRegions=[{"Region": EU}, {"Region": AP}]
    )
    assert_shape(client, "CreateSecret", created)
    assert set(body(created)) == {"ARN", "Name", "VersionId", "ReplicationStatus"}
    assert created["ReplicationStatus"] == [in_progress(EU), in_progress(AP)]


def test_replicate_secret_to_regions_create_secret_then_in_sync_everywhere(client, eu, ap):
    created = client.create_secret(
        Name="s", SecretString="v", AddReplicaRegions=[{"Region": EU}, {"Region": AP}]
    )
    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert described["ARN"] == created["ARN"]
    assert described["PrimaryRegion"] == PRIMARY
    assert described["ReplicationStatus"] == [in_sync(EU), in_sync(AP)]
    assert "KmsKeyId" not in described
    for replica, region in ((eu, EU), (ap, AP)):
        seen = replica.describe_secret(SecretId="s")
        assert_shape(replica, "DescribeSecret", seen)
        assert seen["ARN"] == in_region(created["ARN"], region)
        assert seen["Name"] == "s"
        assert seen["PrimaryRegion"] == PRIMARY
        assert seen["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
        assert "KmsKeyId" not in seen
        assert replica.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_replicate_secret_to_regions_replica_arn_differs_only_in_region(client, eu):
    created = client.create_secret(Name="app/db-creds", AddReplicaRegions=[{"Region": EU}])
    replica_arn = eu.describe_secret(SecretId="app/db-creds")["ARN"]
    assert replica_arn == created["ARN"].replace(":us-east-1:", ":eu-west-1:")
    assert replica_arn.rpartition("-")[2] == created["ARN"].rpartition("-")[2]


def test_replicate_secret_to_regions_create_secret_without_value_replicates_an_empty_secret(
    client, eu
):
    created = client.create_secret(Name="s", AddReplicaRegions=[{"Region": EU}])
    assert_shape(client, "CreateSecret", created)
    assert "VersionId" not in created
    assert created["ReplicationStatus"] == [in_progress(EU)]
    assert "VersionIdsToStages" not in eu.describe_secret(SecretId="s")
    version = client.put_secret_value(SecretId="s", SecretString="later")["VersionId"]
    assert eu.get_secret_value(SecretId="s")["VersionId"] == version


def test_replicate_secret_to_regions_create_secret_copies_description_and_tags(client, eu):
    client.create_secret(
        Name="s",
        SecretString="v",
        Description="shared",
        Tags=[{"Key": "team", "Value": "a"}],
        AddReplicaRegions=[{"Region": EU}],
    )
    seen = eu.describe_secret(SecretId="s")
    assert seen["Description"] == "shared"
    assert seen["Tags"] == [{"Key": "team", "Value": "a"}]


def test_replicate_secret_to_regions_create_secret_replay_keeps_replication_status(client, eu):
    params = {
        "Name": "s",
        "SecretString": "v",
        "ClientRequestToken": token("create"),
        "AddReplicaRegions": [{"Region": EU}],
    }
    first = client.create_secret(**params)
    again = client.create_secret(**params)
    assert_shape(client, "CreateSecret", again)
    assert (again["ARN"], again["VersionId"]) == (first["ARN"], first["VersionId"])
    assert [entry["Region"] for entry in again.get("ReplicationStatus", [])] == [EU]


# -- ReplicateSecretToRegions ----------------------------------------------------------------


def test_replicate_secret_to_regions_reports_in_progress_then_in_sync(client, eu):
    created = client.create_secret(Name="s", SecretString="v")
    replicated = client.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": EU}]
    )
    assert_shape(client, "ReplicateSecretToRegions", replicated)
    assert body(replicated) == {"ARN": created["ARN"], "ReplicationStatus": [in_progress(EU)]}
    described = client.describe_secret(SecretId="s")
    assert described["PrimaryRegion"] == PRIMARY
    assert described["ReplicationStatus"] == [in_sync(EU)]
    seen = eu.get_secret_value(SecretId="s")
    assert_shape(eu, "GetSecretValue", seen)
    assert (seen["ARN"], seen["SecretString"]) == (in_region(created["ARN"], EU), "v")
    assert eu.describe_secret(SecretId="s")["PrimaryRegion"] == PRIMARY


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_replicate_secret_to_regions_accepts_every_identifier(client, eu, kind):
    created = client.create_secret(Name="s", SecretString="v")
    replicated = client.replicate_secret_to_regions(
        SecretId=identifier(kind, created), AddReplicaRegions=[{"Region": EU}]
    )
    assert_shape(client, "ReplicateSecretToRegions", replicated)
    assert replicated["ARN"] == created["ARN"]
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_replicate_secret_to_regions_copies_every_version_with_its_labels(client, eu):
    client.create_secret(Name="s", SecretString="one")
    client.put_secret_value(SecretId="s", SecretString="two")
    client.put_secret_value(SecretId="s", SecretString="three")
    client.put_secret_value(SecretId="s", SecretString="custom", VersionStages=["MINE"])
    client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": EU}])
    assert stages(eu, "s") == stages(client, "s")
    assert len(stages(eu, "s")) == 4  # the deprecated first version too
    for version_id in stages(client, "s"):
        replica = eu.get_secret_value(SecretId="s", VersionId=version_id)["SecretString"]
        assert (
            replica == client.get_secret_value(SecretId="s", VersionId=version_id)["SecretString"]
        )


def test_replicate_secret_to_regions_copies_the_resource_policy(client, eu):
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"AWS":"arn:aws:iam::123456789012:root"},'
        '"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
    )
    client.create_secret(Name="s", SecretString="v")
    client.put_resource_policy(SecretId="s", ResourcePolicy=policy)
    client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": EU}])
    assert eu.get_resource_policy(SecretId="s")["ResourcePolicy"] == policy


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_second_call_lists_every_replica(client):
    client.create_secret(Name="s", SecretString="v", AddReplicaRegions=[{"Region": EU}])
    replicated = client.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": AP}]
    )
    assert_shape(client, "ReplicateSecretToRegions", replicated)
    assert replicated["ReplicationStatus"] == [in_sync(EU), in_progress(AP)]
    assert replication_status(client) == [in_sync(EU), in_sync(AP)]


# -- KMS keys of the replicas (§10, §13) ----------------------------------------------------


def test_replicate_secret_to_regions_uses_the_key_given_for_each_region(client, eu, ap, fake):
    fake.kms.create_key(region=EU, alias="alias/eu")
    created = client.create_secret(
        Name="s",
        SecretString="v",
        AddReplicaRegions=[{"Region": EU, "KmsKeyId": "alias/eu"}, {"Region": AP}],
    )
    assert created["ReplicationStatus"] == [in_progress(EU, "alias/eu"), in_progress(AP)]
    assert replication_status(client) == [in_sync(EU, "alias/eu"), in_sync(AP)]
    listed = eu.list_secret_version_ids(SecretId="s")
    assert_shape(eu, "ListSecretVersionIds", listed)
    assert [v["KmsKeyIds"] for v in listed["Versions"]] == [["alias/eu"]]
    assert eu.describe_secret(SecretId="s")["KmsKeyId"] == "alias/eu"
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "v"
    assert [v["KmsKeyIds"] for v in ap.list_secret_version_ids(SecretId="s")["Versions"]] == [
        ["DefaultEncryptionKey"]
    ]
    # The primary keeps its own (default) key.
    assert [v["KmsKeyIds"] for v in client.list_secret_version_ids(SecretId="s")["Versions"]] == [
        ["DefaultEncryptionKey"]
    ]


def test_replicate_secret_to_regions_key_by_arn_in_the_replica_region(client, eu, fake):
    key_arn = fake.kms.create_key(region=EU)
    client.create_secret(Name="s", SecretString="v")
    client.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": EU, "KmsKeyId": key_arn}]
    )
    assert replication_status(client) == [in_sync(EU, key_arn)]
    assert [v["KmsKeyIds"] for v in eu.list_secret_version_ids(SecretId="s")["Versions"]] == [
        [key_arn]
    ]
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_replicate_secret_to_regions_replica_defaults_to_the_managed_key_not_the_primarys(
    client, eu
):
    client.create_secret(
        Name="s", SecretString="v", KmsKeyId=PRIMARY_KEY_ARN, AddReplicaRegions=[{"Region": EU}]
    )
    assert replication_status(client) == [in_sync(EU)]
    assert "KmsKeyId" not in eu.describe_secret(SecretId="s")
    assert [v["KmsKeyIds"] for v in eu.list_secret_version_ids(SecretId="s")["Versions"]] == [
        ["DefaultEncryptionKey"]
    ]


def test_replicate_secret_to_regions_explicit_managed_key_is_the_default_key(client, eu):
    client.create_secret(
        Name="s", SecretString="v", AddReplicaRegions=[{"Region": EU, "KmsKeyId": DEFAULT_KEY}]
    )
    assert replication_status(client) == [in_sync(EU)]
    assert "KmsKeyId" not in eu.describe_secret(SecretId="s")
    assert [v["KmsKeyIds"] for v in eu.list_secret_version_ids(SecretId="s")["Versions"]] == [
        ["DefaultEncryptionKey"]
    ]


@pytest.mark.parametrize(
    "key",
    [
        "alias/missing",
        "0000aaaa-0000-0000-0000-000000000000",
        # The customer key of the primary's Region does not exist in the replica's.
        "alias/customer",
        PRIMARY_KEY_ARN,
    ],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_unknown_replica_key_fails_that_region(client, eu, ap, key):
    created = client.create_secret(Name="s", SecretString="v")
    replicated = client.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": EU, "KmsKeyId": key}, {"Region": AP}]
    )
    assert_shape(client, "ReplicateSecretToRegions", replicated)
    assert replicated["ReplicationStatus"] == [failed(EU, KEY_UNUSABLE, key), in_progress(AP)]
    assert replication_status(client) == [failed(EU, KEY_UNUSABLE, key), in_sync(AP)]
    assert_absent(eu)
    # The primary and the healthy replica are not affected.
    assert client.get_secret_value(SecretId="s")["VersionId"] == created["VersionId"]
    assert ap.get_secret_value(SecretId="s")["SecretString"] == "v"


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_disabled_replica_key_fails_that_region(client, eu, fake):
    key = fake.kms.create_key(region=EU, alias="alias/eu")
    fake.kms.disable(key)
    created = client.create_secret(
        Name="s", SecretString="v", AddReplicaRegions=[{"Region": EU, "KmsKeyId": "alias/eu"}]
    )
    assert_shape(client, "CreateSecret", created)
    assert created["ReplicationStatus"] == [failed(EU, KEY_UNUSABLE, "alias/eu")]
    assert replication_status(client) == [failed(EU, KEY_UNUSABLE, "alias/eu")]
    assert_absent(eu)
    assert client.get_secret_value(SecretId="s")["SecretString"] == "v"


# -- name clash in the target Region (§10) --------------------------------------------------


def test_replicate_secret_to_regions_name_taken_fails_and_keeps_the_other_secret(client, eu, ap):
    other = eu.create_secret(Name="s", SecretString="theirs")
    before = snapshot(eu, "s")
    client.create_secret(Name="s", SecretString="ours")
    client.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": EU}, {"Region": AP}]
    )
    assert replication_status(client) == [failed(EU, NAME_TAKEN), in_sync(AP)]
    assert snapshot(eu, "s") == before
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "theirs"
    assert eu.describe_secret(SecretId="s")["ARN"] == other["ARN"]
    assert ap.get_secret_value(SecretId="s")["SecretString"] == "ours"
    # Later writes of the primary do not reach the other secret either.
    client.put_secret_value(SecretId="s", SecretString="newer")
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "theirs"
    assert ap.get_secret_value(SecretId="s")["SecretString"] == "newer"


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_name_taken_is_failed_on_the_call(client, eu):
    eu.create_secret(Name="s", SecretString="theirs")
    created = client.create_secret(
        Name="s", SecretString="ours", AddReplicaRegions=[{"Region": EU}]
    )
    assert created["ReplicationStatus"] == [failed(EU, NAME_TAKEN)]


@pytest.mark.parametrize("via", ["CreateSecret", "ReplicateSecretToRegions"])
def test_replicate_secret_to_regions_force_overwrite_replaces_the_other_secret(client, eu, via):
    other = eu.create_secret(Name="s", SecretString="theirs", Description="old")
    if via == "CreateSecret":
        created = client.create_secret(
            Name="s",
            SecretString="ours",
            AddReplicaRegions=[{"Region": EU}],
            ForceOverwriteReplicaSecret=True,
        )
        assert created["ReplicationStatus"] == [in_progress(EU)]
    else:
        created = client.create_secret(Name="s", SecretString="ours")
        replicated = client.replicate_secret_to_regions(
            SecretId="s", AddReplicaRegions=[{"Region": EU}], ForceOverwriteReplicaSecret=True
        )
        assert replicated["ReplicationStatus"] == [in_progress(EU)]
    assert replication_status(client) == [in_sync(EU)]
    seen = eu.describe_secret(SecretId="s")
    assert seen["ARN"] == in_region(created["ARN"], EU)
    assert seen["PrimaryRegion"] == PRIMARY
    assert "Description" not in seen
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "ours"
    assert failure(eu.describe_secret, SecretId=other["ARN"]) == NOT_FOUND


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_force_overwrite_with_unusable_key_keeps_other(client, eu):
    eu.create_secret(Name="s", SecretString="theirs")
    before = snapshot(eu, "s")
    client.create_secret(Name="s", SecretString="ours")
    client.replicate_secret_to_regions(
        SecretId="s",
        AddReplicaRegions=[{"Region": EU, "KmsKeyId": "alias/missing"}],
        ForceOverwriteReplicaSecret=True,
    )
    assert replication_status(client) == [failed(EU, KEY_UNUSABLE, "alias/missing")]
    assert snapshot(eu, "s") == before


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_undecryptable_primary_changes_nothing(client, eu, fake):
    client.create_secret(Name="s", SecretString="v", KmsKeyId=PRIMARY_KEY_ARN)
    fake.kms.disable(PRIMARY_KEY_ARN)
    before = snapshot(client, "s")
    assert failure(
        client.replicate_secret_to_regions, SecretId="s", AddReplicaRegions=[{"Region": EU}]
    ) == (
        "DecryptionFailure",
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
        400,
    )
    assert snapshot(client, "s") == before
    assert_absent(eu)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_own_region_is_refused(client, eu):
    client.create_secret(Name="s", SecretString="v")
    before = snapshot(client, "s")
    assert failure(
        client.replicate_secret_to_regions,
        SecretId="s",
        AddReplicaRegions=[{"Region": EU}, {"Region": PRIMARY}],
    ) == (
        "InvalidParameterException",
        "Invalid replica region: us-east-1 is the primary region of the secret.",
        400,
    )
    assert snapshot(client, "s") == before
    assert_absent(eu)


@pytest.mark.unverified("not yet checked against AWS")
def test_replicate_secret_to_regions_create_secret_in_own_region_creates_nothing(client, eu):
    assert failure(
        client.create_secret,
        Name="s",
        SecretString="v",
        AddReplicaRegions=[{"Region": PRIMARY}],
    ) == (
        "InvalidParameterException",
        "Invalid replica region: us-east-1 is the primary region of the secret.",
        400,
    )
    assert_absent(client)
    assert_absent(eu)


BAD_REGIONS = [
    (
        "EU-WEST-1",
        "Member must satisfy regular expression pattern: " + REGION_PATTERN,
    ),
    ("eu-west", "Member must satisfy regular expression pattern: " + REGION_PATTERN),
    ("eu_west_1", "Member must satisfy regular expression pattern: " + REGION_PATTERN),
    ("a" * 127 + "-1", "Member must have length less than or equal to 128"),
]


@pytest.mark.parametrize(("region", "rule"), BAD_REGIONS)
def test_replicate_secret_to_regions_bad_region_is_a_validation_error(client, eu, region, rule):
    client.create_secret(Name="s", SecretString="v")
    before = snapshot(client, "s")
    assert failure(
        client.replicate_secret_to_regions,
        SecretId="s",
        AddReplicaRegions=[{"Region": EU}, {"Region": region}],
    ) == (
        "ValidationException",
        VALIDATION
        + f"Value '{region}' at 'addReplicaRegions.2.member.region' failed to satisfy "
        + f"constraint: {rule}",
        400,
    )
    assert snapshot(client, "s") == before
    assert_absent(eu)


@pytest.mark.parametrize(("region", "rule"), BAD_REGIONS[:1])
def test_replicate_secret_to_regions_create_secret_bad_region_creates_nothing(client, region, rule):
    assert failure(
        client.create_secret, Name="s", SecretString="v", AddReplicaRegions=[{"Region": region}]
    ) == (
        "ValidationException",
        VALIDATION
        + f"Value '{region}' at 'addReplicaRegions.1.member.region' failed to satisfy "
        + f"constraint: {rule}",
        400,
    )
    assert_absent(client)


def test_replicate_secret_to_regions_on_a_replica_is_refused(client, eu, ap):
    client.create_secret(Name="s", SecretString="v", AddReplicaRegions=[{"Region": EU}])
    before = snapshot(client, "s"), snapshot(eu, "s")
    assert (
        failure(eu.replicate_secret_to_regions, SecretId="s", AddReplicaRegions=[{"Region": AP}])
        == REPLICA_READ_ONLY
    )
    assert (snapshot(client, "s"), snapshot(eu, "s")) == before
    assert_absent(ap)


def test_replicate_secret_to_regions_scheduled_for_deletion_is_refused(client, eu):
    client.create_secret(Name="s", SecretString="v")
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    before = snapshot(client, "s")
    assert (
        failure(
            client.replicate_secret_to_regions, SecretId="s", AddReplicaRegions=[{"Region": EU}]
        )
        == MARKED_FOR_DELETION
    )
    assert snapshot(client, "s") == before
    assert_absent(eu)


def test_replicate_secret_to_regions_unknown_secret(client, eu):
    assert (
        failure(
            client.replicate_secret_to_regions, SecretId="s", AddReplicaRegions=[{"Region": EU}]
        )
        == NOT_FOUND
    )
    assert_absent(eu)
