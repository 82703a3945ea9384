"""One thin handler per AWS operation: PascalCase input → domain call → PascalCase output.

Adding an operation: write its handler here, register it in OPERATIONS, add the domain method
it calls, and a test file under tests/operations/ (see CONTRIBUTING.md).
"""

from __future__ import annotations

from smfake._domain import messages
from smfake._domain import replication as replicas
from smfake._domain.errors import InvalidRequestException
from smfake._domain.store import SecretStore
from smfake._wire.handlers import listing, passwords, policies, replication, rotation
from smfake._wire.views import (
    DEFAULT_KEY_MARKER,
    Handler,
    Params,
    arn_name,
    describe,
    replication_status,
    tag_pairs,
    token,
    unsupported,
    value,
    value_fields,
)

# -- handlers ---------------------------------------------------------------------------------


def create_secret(store: SecretStore, params: Params) -> Params:
    unsupported("CreateSecret", params, "Type")
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


def get_secret_value(store: SecretStore, params: Params) -> Params:
    secret, version, clear = store.get_value(
        params["SecretId"], version_id=params.get("VersionId"), stage=params.get("VersionStage")
    )
    return value_fields(secret, version, clear)


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


def describe_secret(store: SecretStore, params: Params) -> Params:
    return describe(store.get(params["SecretId"]))


def update_secret(store: SecretStore, params: Params) -> Params:
    unsupported("UpdateSecret", params, "Type")
    request_token = token(params)
    secret, version = store.update_secret(
        params["SecretId"],
        token=request_token,
        value=value(params),
        description=params.get("Description"),
        kms_key_id=params.get("KmsKeyId"),
    )
    out = arn_name(secret)
    if version is not None:
        out["VersionId"] = version.version_id
    return out


def delete_secret(store: SecretStore, params: Params) -> Params:
    deletion = store.delete_secret(
        params["SecretId"],
        recovery_days=params.get("RecoveryWindowInDays"),
        force=bool(params.get("ForceDeleteWithoutRecovery")),
    )
    return {"ARN": deletion.arn, "Name": deletion.name, "DeletionDate": deletion.deletion_date}


def restore_secret(store: SecretStore, params: Params) -> Params:
    return arn_name(store.restore_secret(params["SecretId"]))


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


def update_secret_version_stage(store: SecretStore, params: Params) -> Params:
    secret = store.move_label(
        params["SecretId"],
        label=params["VersionStage"],
        move_to=params.get("MoveToVersionId"),
        remove_from=params.get("RemoveFromVersionId"),
    )
    return arn_name(secret)


def tag_resource(store: SecretStore, params: Params) -> Params:
    store.tag(params["SecretId"], tag_list=tag_pairs(params["Tags"]))
    return {}


def untag_resource(store: SecretStore, params: Params) -> Params:
    store.untag(params["SecretId"], keys=[str(k) for k in params["TagKeys"]])
    return {}


CORE: dict[str, Handler] = {
    "CreateSecret": create_secret,
    "DeleteSecret": delete_secret,
    "DescribeSecret": describe_secret,
    "GetSecretValue": get_secret_value,
    "ListSecretVersionIds": list_secret_version_ids,
    "PutSecretValue": put_secret_value,
    "RestoreSecret": restore_secret,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "UpdateSecret": update_secret,
    "UpdateSecretVersionStage": update_secret_version_stage,
}

OPERATIONS: dict[str, Handler] = {
    **CORE,
    **listing.HANDLERS,
    **passwords.HANDLERS,
    **policies.HANDLERS,
    **replication.HANDLERS,
    **rotation.HANDLERS,
}
