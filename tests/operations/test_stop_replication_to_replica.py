"""StopReplicationToReplica (§10): called in the replica's Region, it promotes the replica to a
standalone secret there, and the primary stops listing that Region."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import IDENTIFIER_KINDS, NOT_FOUND, body, identifier, snapshot

PRIMARY, EU, AP = "us-east-1", "eu-west-1", "ap-southeast-2"
DEFAULT_KEY = "alias/aws/secretsmanager"
AP_IN_SYNC = {
    "Region": AP,
    "KmsKeyId": DEFAULT_KEY,
    "Status": "InSync",
    "StatusMessage": "Replication succeeded",
}


@pytest.fixture
def eu(make_client):
    return make_client(EU)


@pytest.fixture
def ap(make_client):
    return make_client(AP)


@pytest.fixture
def replicated(client, eu, ap):
    """Secret "s" in us-east-1 with replicas in eu-west-1 and ap-southeast-2."""
    return client.create_secret(
        Name="s", SecretString="v1", AddReplicaRegions=[{"Region": EU}, {"Region": AP}]
    )


def in_region(arn, region):
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def failure(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def not_a_replica(name):
    return ("InvalidParameterException", f"The secret {name} is not a replica secret.", 400)


def value(client, secret_id="s", **kwargs):
    return client.get_secret_value(SecretId=secret_id, **kwargs)["SecretString"]


def test_stop_replication_to_replica_promotes_the_replica(client, eu, ap, replicated):
    stopped = eu.stop_replication_to_replica(SecretId="s")
    assert_shape(eu, "StopReplicationToReplica", stopped)
    assert body(stopped) == {"ARN": in_region(replicated["ARN"], EU)}
    promoted = eu.describe_secret(SecretId="s")
    assert_shape(eu, "DescribeSecret", promoted)
    assert promoted["ARN"] == in_region(replicated["ARN"], EU)
    assert "PrimaryRegion" not in promoted
    assert "ReplicationStatus" not in promoted
    assert promoted["VersionIdsToStages"] == {replicated["VersionId"]: ["AWSCURRENT"]}
    assert value(eu) == "v1"
    primary = client.describe_secret(SecretId="s")
    assert primary["PrimaryRegion"] == PRIMARY
    assert primary["ReplicationStatus"] == [AP_IN_SYNC]
    assert ap.describe_secret(SecretId="s")["PrimaryRegion"] == PRIMARY


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_stop_replication_to_replica_accepts_every_identifier(client, eu, replicated, kind):
    replica = {**body(replicated), "ARN": in_region(replicated["ARN"], EU)}
    stopped = eu.stop_replication_to_replica(SecretId=identifier(kind, replica))
    assert_shape(eu, "StopReplicationToReplica", stopped)
    assert stopped["ARN"] == replica["ARN"]
    assert "PrimaryRegion" not in eu.describe_secret(SecretId="s")


def test_stop_replication_to_replica_makes_it_writable(client, eu, replicated):
    eu.stop_replication_to_replica(SecretId="s")
    put = eu.put_secret_value(SecretId="s", SecretString="local")
    assert_shape(eu, "PutSecretValue", put)
    assert value(eu) == "local"
    assert value(eu, VersionStage="AWSPREVIOUS") == "v1"
    assert_shape(eu, "UpdateSecret", eu.update_secret(SecretId="s", Description="mine"))
    assert_shape(
        eu, "TagResource", eu.tag_resource(SecretId="s", Tags=[{"Key": "k", "Value": "v"}])
    )
    moved = eu.update_secret_version_stage(
        SecretId="s", VersionStage="MINE", MoveToVersionId=put["VersionId"]
    )
    assert_shape(eu, "UpdateSecretVersionStage", moved)
    # The former primary is untouched by the new secret's writes.
    assert value(client) == "v1"
    assert "Description" not in client.describe_secret(SecretId="s")


def test_stop_replication_to_replica_no_longer_follows_the_primary(client, eu, ap, replicated):
    eu.stop_replication_to_replica(SecretId="s")
    before = snapshot(eu, "s")
    client.put_secret_value(SecretId="s", SecretString="v2")
    client.update_secret(SecretId="s", Description="changed")
    client.tag_resource(SecretId="s", Tags=[{"Key": "k", "Value": "v"}])
    assert snapshot(eu, "s") == before
    assert value(eu) == "v1"
    assert value(ap) == "v2"


def test_stop_replication_to_replica_keeps_the_replicas_key(client, eu, fake):
    fake.kms.create_key(region=EU, alias="alias/eu")
    client.create_secret(
        Name="s", SecretString="v1", AddReplicaRegions=[{"Region": EU, "KmsKeyId": "alias/eu"}]
    )
    eu.stop_replication_to_replica(SecretId="s")
    assert eu.describe_secret(SecretId="s")["KmsKeyId"] == "alias/eu"
    eu.put_secret_value(SecretId="s", SecretString="v2")
    keys = [v["KmsKeyIds"] for v in eu.list_secret_version_ids(SecretId="s")["Versions"]]
    assert keys == [["alias/eu"], ["alias/eu"]]
    assert value(eu) == "v2"


def test_stop_replication_to_replica_last_one_lets_the_primary_go(client, eu, ap, replicated):
    eu.stop_replication_to_replica(SecretId="s")
    ap.stop_replication_to_replica(SecretId="s")
    described = client.describe_secret(SecretId="s")
    assert "PrimaryRegion" not in described
    assert "ReplicationStatus" not in described
    deleted = client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)
    assert_shape(client, "DeleteSecret", deleted)
    # The promoted secrets live on in their Regions.
    assert value(eu) == "v1"
    assert value(ap) == "v1"


def test_stop_replication_to_replica_promoted_secret_can_be_deleted(client, eu, replicated):
    eu.stop_replication_to_replica(SecretId="s")
    deleted = eu.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)
    assert_shape(eu, "DeleteSecret", deleted)
    assert deleted["ARN"] == in_region(replicated["ARN"], EU)
    assert failure(eu.describe_secret, SecretId="s") == NOT_FOUND
    assert value(client) == "v1"


def test_stop_replication_to_replica_then_replicating_there_again_clashes(client, eu, replicated):
    eu.stop_replication_to_replica(SecretId="s")
    eu.put_secret_value(SecretId="s", SecretString="local")
    before = snapshot(eu, "s")
    client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": EU}])
    entry = client.describe_secret(SecretId="s")["ReplicationStatus"][-1]
    assert (entry["Region"], entry["Status"], entry["StatusMessage"]) == (
        EU,
        "Failed",
        "Secret with this name already exists in this region",
    )
    assert snapshot(eu, "s") == before


@pytest.mark.unverified("not yet checked against AWS")
def test_stop_replication_to_replica_promoted_survives_removal_of_its_region(
    client, eu, replicated
):
    eu.stop_replication_to_replica(SecretId="s")
    before = snapshot(eu, "s")
    removed = client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    assert [entry["Region"] for entry in removed["ReplicationStatus"]] == [AP]
    assert snapshot(eu, "s") == before


@pytest.mark.unverified("not yet checked against AWS")
def test_stop_replication_to_replica_on_the_primary_is_refused(client, eu, replicated):
    before = snapshot(client, "s"), snapshot(eu, "s")
    assert failure(client.stop_replication_to_replica, SecretId="s") == not_a_replica("s")
    assert (snapshot(client, "s"), snapshot(eu, "s")) == before


@pytest.mark.unverified("not yet checked against AWS")
def test_stop_replication_to_replica_on_a_plain_secret_is_refused(client):
    client.create_secret(Name="plain", SecretString="v")
    before = snapshot(client, "plain")
    assert failure(client.stop_replication_to_replica, SecretId="plain") == not_a_replica("plain")
    assert snapshot(client, "plain") == before


@pytest.mark.unverified("not yet checked against AWS")
def test_stop_replication_to_replica_twice_is_refused(client, eu, replicated):
    eu.stop_replication_to_replica(SecretId="s")
    before = snapshot(eu, "s")
    assert failure(eu.stop_replication_to_replica, SecretId="s") == not_a_replica("s")
    assert snapshot(eu, "s") == before


def test_stop_replication_to_replica_in_a_region_without_it(client, replicated, make_client):
    other = make_client("sa-east-1")
    assert failure(other.stop_replication_to_replica, SecretId="s") == NOT_FOUND
    assert [e["Region"] for e in client.describe_secret(SecretId="s")["ReplicationStatus"]] == [
        EU,
        AP,
    ]


@pytest.mark.unverified("not yet checked against AWS")
def test_stop_replication_to_replica_by_the_primarys_arn_is_not_found(client, eu, replicated):
    # The primary's ARN names a secret of another Region, which this Region cannot find.
    before = snapshot(client, "s"), snapshot(eu, "s")
    assert failure(eu.stop_replication_to_replica, SecretId=replicated["ARN"]) == NOT_FOUND
    assert (snapshot(client, "s"), snapshot(eu, "s")) == before
