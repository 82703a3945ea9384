"""One thin handler per AWS operation: PascalCase input → domain call → PascalCase output.

Adding an operation: write its handler here (or beside its kin) under ``@operation(...)``, its
declaration; add the domain function it calls, and a test file under tests/operations/ (see
CONTRIBUTING.md). DECLARATIONS and OPERATIONS gather every module's handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smfake._domain import messages
from smfake._domain import replication as replicas
from smfake._domain.errors import InvalidRequestException
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore
from smfake._wire.declare import Operation, declared, operation
from smfake._wire.handlers import (
    crossaccount,
    listing,
    passwords,
    policies,
    replication,
    rotation,
)
from smfake._wire.views import (
    DEFAULT_KEY_MARKER,
    Handler,
    Params,
    arn_name,
    describe,
    modelled,
    replication_status,
    tag_pairs,
    token,
    value,
    value_fields,
)


def _create_asks(params: Mapping[str, Any], _: Secret | None) -> tuple[str, ...]:
    # Tagging and replicating at creation need their own permissions too (§18 [M]); so does
    # the managed policy a cross-account replica gets (1.44 §A3 [M]).
    asks: tuple[str, ...] = ("TagResource",) if params.get("Tags") else ()
    if modelled("CreateSecret", params, "CrossAccountPrimaryARN"):
        asks += ("PutResourcePolicy",)
    return asks + (("ReplicateSecretToRegions",) if params.get("AddReplicaRegions") else ())


# -- handlers ---------------------------------------------------------------------------------


@operation("CreateSecret", creates=True, kms="encrypt", also_asks=_create_asks)
def create_secret(store: SecretStore, params: Params) -> Params:
    primary_arn = modelled("CreateSecret", params, "CrossAccountPrimaryARN")
    if primary_arn is not None:
        return crossaccount.create_replica(store, params, str(primary_arn))
    request_token = token(params)
    new_value = value(params)
    tags = params.get("Tags")
    requests = replication.requests_of(params)
    replicas.check_requests(store, requests)
    secret, version = store.create_secret(
        name=params["Name"],
        token=request_token,
        value=new_value,
        description=params.get("Description"),
        kms_key_id=params.get("KmsKeyId"),
        tag_list=tag_pairs(tags) if tags else None,
        partner_type=modelled("CreateSecret", params, "Type"),
    )
    out = arn_name(secret)
    if version is not None:
        out["VersionId"] = version.version_id
    added: set[str] = set()
    if requests and not secret.replicas:
        replicas.add_replicas(
            store,
            secret,
            requests,
            force_overwrite=bool(params.get("ForceOverwriteReplicaSecret")),
            store_of=replication.peers(store),
        )
        added = {request.region for request in requests}
    if requests and secret.replicas:
        # An idempotent replay answers with the replication it started.
        out["ReplicationStatus"] = replication_status(secret, just_added=added)
    return out


@operation("GetSecretValue", read_only=True, kms="decrypt")
def get_secret_value(store: SecretStore, params: Params) -> Params:
    secret, version, clear = store.get_value(
        params["SecretId"], version_id=params.get("VersionId"), stage=params.get("VersionStage")
    )
    return value_fields(secret, version, clear)


@operation("PutSecretValue", kms="encrypt")
def put_secret_value(store: SecretStore, params: Params) -> Params:
    request_token = token(params)
    new_value = value(params)
    if new_value is None:
        raise InvalidRequestException(messages.VALUE_REQUIRED)
    secret, version = store.put_value(
        params["SecretId"], token=request_token, value=new_value, stages=params.get("VersionStages")
    )
    out = {**arn_name(secret), "VersionId": version.version_id}
    if version.stages:
        out["VersionStages"] = list(version.stages)
    return out


@operation("DescribeSecret", read_only=True)
def describe_secret(store: SecretStore, params: Params) -> Params:
    return describe(store.get(params["SecretId"]))


@operation("UpdateSecret", kms="encrypt")
def update_secret(store: SecretStore, params: Params) -> Params:
    request_token = token(params)
    secret, version = store.update_secret(
        params["SecretId"],
        token=request_token,
        value=value(params),
        description=params.get("Description"),
        kms_key_id=params.get("KmsKeyId"),
        partner_type=modelled("UpdateSecret", params, "Type"),
    )
    out = arn_name(secret)
    if version is not None:
        out["VersionId"] = version.version_id
    return out


@operation("DeleteSecret")
def delete_secret(store: SecretStore, params: Params) -> Params:
    deletion = store.delete_secret(
        params["SecretId"],
        recovery_days=params.get("RecoveryWindowInDays"),
        force=bool(params.get("ForceDeleteWithoutRecovery")),
    )
    return {"ARN": deletion.arn, "Name": deletion.name, "DeletionDate": deletion.deletion_date}


@operation("RestoreSecret")
def restore_secret(store: SecretStore, params: Params) -> Params:
    return arn_name(store.restore_secret(params["SecretId"]))


@operation("ListSecretVersionIds", read_only=True)
def list_secret_version_ids(store: SecretStore, params: Params) -> Params:
    secret, versions, next_token = store.list_versions(
        params["SecretId"],
        include_deprecated=bool(params.get("IncludeDeprecated")),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    entries = []
    for version in versions:
        entry: Params = {"VersionId": version.version_id}
        if version.stages:
            entry["VersionStages"] = list(version.stages)
        if version.last_accessed is not None:
            entry["LastAccessedDate"] = version.last_accessed
        entry["CreatedDate"] = version.created
        entry["KmsKeyIds"] = [version.kms_key_id or DEFAULT_KEY_MARKER]
        entries.append(entry)
    out: Params = {"Versions": entries}
    if next_token is not None:
        out["NextToken"] = next_token
    return {**out, **arn_name(secret)}


@operation("UpdateSecretVersionStage")
def update_secret_version_stage(store: SecretStore, params: Params) -> Params:
    secret = store.move_label(
        params["SecretId"],
        label=params["VersionStage"],
        move_to=params.get("MoveToVersionId"),
        remove_from=params.get("RemoveFromVersionId"),
    )
    return arn_name(secret)


@operation("TagResource")
def tag_resource(store: SecretStore, params: Params) -> Params:
    store.tag(params["SecretId"], tag_list=tag_pairs(params["Tags"]))
    return {}


@operation("UntagResource")
def untag_resource(store: SecretStore, params: Params) -> Params:
    store.untag(params["SecretId"], keys=[str(k) for k in params["TagKeys"]])
    return {}


# The handler modules imported above registered their operations with @operation too.
_HANDLER_MODULES = (crossaccount, listing, passwords, policies, replication, rotation)
DECLARATIONS: Mapping[str, Operation] = declared()
# The operations of botocore's model that smfake knowingly does not serve yet: a call raises
# UnsupportedOperation. Any other operation a newer botocore brings fails
# tests/wire/test_declarations.py until it is served or listed here.
NOT_SERVED: frozenset[str] = frozenset()
OPERATIONS: dict[str, Handler] = {name: op.handler for name, op in sorted(DECLARATIONS.items())}
