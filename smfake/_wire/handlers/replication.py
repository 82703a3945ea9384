"""Handlers of the multi-Region operations (§10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smfake._domain import crossaccount, messages, replication
from smfake._domain.errors import InvalidParameterException
from smfake._domain.replication import ReplicaRequest
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore, normalise_kms_key
from smfake._wire.declare import operation
from smfake._wire.views import Params, replication_status


def requests_of(params: Params) -> list[ReplicaRequest]:
    entries = params.get("AddReplicaRegions") or []
    if any(entry.get("Region") is None for entry in entries):
        raise InvalidParameterException(messages.REPLICA_REGION_MISSING)
    return [
        ReplicaRequest(str(entry["Region"]), normalise_kms_key(entry.get("KmsKeyId")))
        for entry in entries
    ]


def peers(store: SecretStore) -> replication.StoreOf:
    return store.peers


@operation("ReplicateSecretToRegions")
def replicate_secret_to_regions(store: SecretStore, params: Params) -> Params:
    secret = store.get_writable(params["SecretId"])
    requests = requests_of(params)
    replication.add_replicas(
        store,
        secret,
        requests,
        force_overwrite=bool(params.get("ForceOverwriteReplicaSecret")),
        store_of=peers(store),
    )
    added = {request.region for request in requests}
    return {"ARN": secret.arn, "ReplicationStatus": replication_status(secret, just_added=added)}


@operation("RemoveRegionsFromReplication")
def remove_regions_from_replication(store: SecretStore, params: Params) -> Params:
    secret = store.get_writable(params["SecretId"])
    regions = [str(region) for region in params["RemoveReplicaRegions"]]
    replication.remove_replicas(secret, regions, store_of=peers(store))
    return {"ARN": secret.arn, "ReplicationStatus": replication_status(secret)}


def _stop_asks(_: Mapping[str, Any], secret: Secret | None) -> tuple[str, ...]:
    # Ending cross-account replication removes the replica's managed policy (1.44 §A5 [M]).
    if secret is not None and secret.is_cross_account_replica:
        return ("DeleteResourcePolicy",)
    return ()


@operation("StopReplicationToReplica", also_asks=_stop_asks)
def stop_replication_to_replica(store: SecretStore, params: Params) -> Params:
    secret = store.get_live(params["SecretId"])
    if secret.is_cross_account_replica:
        crossaccount.stop(store, secret, accounts=store.other_account)
    else:
        replication.promote(store, secret, store_of=peers(store))
    return {"ARN": secret.arn}
