"""RemoveRegionsFromReplication (§10): the replicas in the given Regions are deleted at once; the
response lists the replicas that remain."""

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
)

PRIMARY, EU, AP = "us-east-1", "eu-west-1", "ap-southeast-2"
DEFAULT_KEY = "alias/aws/secretsmanager"
REPLICA_READ_ONLY = (
    "InvalidParameterException",
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    400,
)
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


def failure(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def assert_absent(client, secret_id="s"):
    assert failure(client.describe_secret, SecretId=secret_id) == NOT_FOUND
    assert failure(client.get_secret_value, SecretId=secret_id) == NOT_FOUND


def test_remove_regions_from_replication_deletes_the_replica_at_once(client, eu, ap, replicated):
    replica_arn = eu.describe_secret(SecretId="s")["ARN"]
    removed = client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    assert_shape(client, "RemoveRegionsFromReplication", removed)
    assert body(removed) == {"ARN": replicated["ARN"], "ReplicationStatus": [AP_IN_SYNC]}
    assert_absent(eu)
    assert_absent(eu, replica_arn)
    described = client.describe_secret(SecretId="s")
    assert described["PrimaryRegion"] == PRIMARY
    assert described["ReplicationStatus"] == [AP_IN_SYNC]
    # The remaining replica keeps following the primary; the removed one is not brought back.
    client.put_secret_value(SecretId="s", SecretString="v2")
    assert ap.get_secret_value(SecretId="s")["SecretString"] == "v2"
    assert_absent(eu)


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_remove_regions_from_replication_accepts_every_identifier(client, eu, replicated, kind):
    removed = client.remove_regions_from_replication(
        SecretId=identifier(kind, replicated), RemoveReplicaRegions=[EU]
    )
    assert_shape(client, "RemoveRegionsFromReplication", removed)
    assert removed["ARN"] == replicated["ARN"]
    assert_absent(eu)


def test_remove_regions_from_replication_all_regions_leaves_a_plain_secret(
    client, eu, ap, replicated
):
    removed = client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[AP, EU])
    assert_shape(client, "RemoveRegionsFromReplication", removed)
    assert body(removed) == {"ARN": replicated["ARN"], "ReplicationStatus": []}
    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert "PrimaryRegion" not in described
    assert "ReplicationStatus" not in described
    assert_absent(eu)
    assert_absent(ap)
    assert client.get_secret_value(SecretId="s")["SecretString"] == "v1"
    (entry,) = client.list_secrets()["SecretList"]
    assert "PrimaryRegion" not in entry


@pytest.mark.parametrize(
    "options",
    [{}, {"ForceDeleteWithoutRecovery": True}],
    ids=["window", "forced"],
)
def test_remove_regions_from_replication_then_the_primary_can_be_deleted(
    client, replicated, options
):
    client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[AP])
    deleted = client.delete_secret(SecretId="s", **options)
    assert_shape(client, "DeleteSecret", deleted)
    assert deleted["ARN"] == replicated["ARN"]


def test_remove_regions_from_replication_frees_the_name_in_that_region(client, eu, replicated):
    client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    created = eu.create_secret(Name="s", SecretString="local")
    assert_shape(eu, "CreateSecret", created)
    assert "PrimaryRegion" not in eu.describe_secret(SecretId="s")
    # The primary's writes no longer reach that Region.
    client.put_secret_value(SecretId="s", SecretString="v2")
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "local"


def test_remove_regions_from_replication_region_can_be_added_again(client, eu, replicated):
    client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    client.put_secret_value(SecretId="s", SecretString="v2")
    client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": EU}])
    assert eu.get_secret_value(SecretId="s")["SecretString"] == "v2"
    statuses = {
        e["Region"]: e["Status"] for e in client.describe_secret(SecretId="s")["ReplicationStatus"]
    }
    assert statuses == {AP: "InSync", EU: "InSync"}


@pytest.mark.unverified("not yet checked against AWS")
def test_remove_regions_from_replication_ignores_regions_without_a_replica(
    client, eu, ap, replicated
):
    before = snapshot(client, "s"), snapshot(eu, "s"), snapshot(ap, "s")
    removed = client.remove_regions_from_replication(
        SecretId="s", RemoveReplicaRegions=["sa-east-1"]
    )
    assert_shape(client, "RemoveRegionsFromReplication", removed)
    assert [entry["Region"] for entry in removed["ReplicationStatus"]] == [EU, AP]
    assert (snapshot(client, "s"), snapshot(eu, "s"), snapshot(ap, "s")) == before
    mixed = client.remove_regions_from_replication(
        SecretId="s", RemoveReplicaRegions=["sa-east-1", EU]
    )
    assert mixed["ReplicationStatus"] == [AP_IN_SYNC]
    assert_absent(eu)


@pytest.mark.unverified("not yet checked against AWS")
def test_remove_regions_from_replication_on_a_plain_secret_changes_nothing(client):
    created = client.create_secret(Name="s", SecretString="v")
    before = snapshot(client, "s")
    removed = client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    assert_shape(client, "RemoveRegionsFromReplication", removed)
    assert body(removed) == {"ARN": created["ARN"], "ReplicationStatus": []}
    assert snapshot(client, "s") == before


@pytest.mark.unverified("not yet checked against AWS")
def test_remove_regions_from_replication_own_region_is_ignored(client, eu, replicated):
    before = snapshot(client, "s"), snapshot(eu, "s")
    removed = client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[PRIMARY])
    assert_shape(client, "RemoveRegionsFromReplication", removed)
    assert (snapshot(client, "s"), snapshot(eu, "s")) == before


@pytest.mark.unverified("not yet checked against AWS")
def test_remove_regions_from_replication_failed_region_keeps_the_other_secret(client, eu):
    other = eu.create_secret(Name="s", SecretString="theirs")
    client.create_secret(Name="s", SecretString="ours", AddReplicaRegions=[{"Region": EU}])
    assert client.describe_secret(SecretId="s")["ReplicationStatus"][0]["Status"] == "Failed"
    before = snapshot(eu, "s")
    removed = client.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[EU])
    assert removed["ReplicationStatus"] == []
    assert snapshot(eu, "s") == before
    assert eu.get_secret_value(SecretId="s")["ARN"] == other["ARN"]
    assert "ReplicationStatus" not in client.describe_secret(SecretId="s")


def test_remove_regions_from_replication_on_a_replica_is_refused(client, eu, ap, replicated):
    before = snapshot(client, "s"), snapshot(eu, "s"), snapshot(ap, "s")
    assert (
        failure(eu.remove_regions_from_replication, SecretId="s", RemoveReplicaRegions=[AP])
        == REPLICA_READ_ONLY
    )
    assert (snapshot(client, "s"), snapshot(eu, "s"), snapshot(ap, "s")) == before


def test_remove_regions_from_replication_unknown_secret(client):
    assert (
        failure(client.remove_regions_from_replication, SecretId="s", RemoveReplicaRegions=[EU])
        == NOT_FOUND
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_remove_regions_from_replication_scheduled_for_deletion(client):
    client.create_secret(Name="s", SecretString="v")
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")
    assert (
        failure(client.remove_regions_from_replication, SecretId="s", RemoveReplicaRegions=[EU])
        == MARKED_FOR_DELETION
    )
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("regions", "shown"),
    [(["EU"], "[EU]"), ([EU, "eu_west_1"], "[eu-west-1, eu_west_1]")],
)
def test_remove_regions_from_replication_bad_region_is_a_validation_error(
    client, eu, replicated, regions, shown
):
    before = snapshot(client, "s"), snapshot(eu, "s")
    assert failure(
        client.remove_regions_from_replication, SecretId="s", RemoveReplicaRegions=regions
    ) == (
        "ValidationException",
        f"1 validation error detected: Value '{shown}' at 'removeReplicaRegions' failed to "
        "satisfy constraint: Member must satisfy constraint: [Member must satisfy regular "
        "expression pattern: ^([a-z]+-)+\\d+$]",
        400,
    )
    assert (snapshot(client, "s"), snapshot(eu, "s")) == before
