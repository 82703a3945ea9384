"""Handlers of cross-account replication (botocore 1.44; AWS_SPEC_1_44 §A3-§A5): the replica's
creation (CreateSecret with CrossAccountPrimaryARN) and the primary's Associate and
Disassociate. StopReplicationToReplica, the replica's way out, is with the regional handlers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smfake._domain import crossaccount
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore, normalise_kms_key
from smfake._wire.declare import operation
from smfake._wire.views import Params, arn_name, tag_pairs, token


def create_replica(store: SecretStore, params: Params, primary_arn: str) -> Params:
    """CreateSecret with CrossAccountPrimaryARN: a secret without a value that names its
    primary and carries the managed policy (1.44 §A3)."""
    kms_key_id = normalise_kms_key(params.get("KmsKeyId"))
    given = {name for name, value in params.items() if value is not None}
    crossaccount.check_replica_creation(store, primary_arn, kms_key_id=kms_key_id, given=given)
    tags = params.get("Tags")
    secret, _ = store.create_secret(
        name=params["Name"],
        token=token(params),
        value=None,
        kms_key_id=kms_key_id,
        tag_list=tag_pairs(tags) if tags else None,
    )
    crossaccount.link_to_primary(secret, primary_arn)
    return arn_name(secret)


def _associate_asks(params: Mapping[str, Any], _: Secret | None) -> tuple[str, ...]:
    # Replication reads the primary's value (1.44 §A4 [M]).
    return ("GetSecretValue",)


@operation(
    "AssociateCrossAccountReplica",
    kms="decrypt",
    also_asks=_associate_asks,
    peer=("CrossAccountReplicaARN", "AcceptCrossAccountReplication"),
    passes_role="ReplicationRoleARN",
    own_account=True,
)
def associate_cross_account_replica(store: SecretStore, params: Params) -> Params:
    replica_arn = str(params["CrossAccountReplicaARN"])
    role_arn = params.get("ReplicationRoleARN")
    primary = crossaccount.associate(
        store,
        params["SecretId"],
        replica_arn,
        role_arn=None if role_arn is None else str(role_arn),
        restriction=str(params.get("ReplicaRestriction") or crossaccount.SAME_ORG),
        accounts=store.other_account,
        same_organization=store.same_organization,
        gate=store.key_gate,
    )
    # Replication is synchronous here; the response says what AWS's says while it copies.
    return {
        "ARN": primary.arn,
        "CrossAccountReplicaARN": replica_arn,
        "ReplicationStatus": crossaccount.IN_PROGRESS,
    }


@operation("DisassociateCrossAccountReplica", own_account=True)
def disassociate_cross_account_replica(store: SecretStore, params: Params) -> Params:
    replica_arn = str(params["CrossAccountReplicaARN"])
    primary = crossaccount.disassociate(
        store, params["SecretId"], replica_arn, accounts=store.other_account
    )
    return {"ARN": primary.arn, "CrossAccountReplicaARN": replica_arn}
