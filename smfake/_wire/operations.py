"""One thin handler per AWS operation: PascalCase input → domain call → PascalCase output.

Adding an operation: write its handler here, register it in OPERATIONS, add the domain method
it calls, and a test file under tests/operations/ (see CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException, InvalidRequestException
from smfake._domain.secret import Secret, SecretValue, SecretVersion
from smfake._domain.store import SecretStore
from smfake.errors import UnsupportedOperation

Params = dict[str, Any]
Handler = Callable[[SecretStore, Params], Params]

# Versions written with the AWS managed key report this instead of a key id (§4.4).
DEFAULT_KEY_MARKER = "DefaultEncryptionKey"


def _token(params: Params) -> str:
    # botocore fills the token in; only raw HTTP callers can leave it out (§1).
    token = params.get("ClientRequestToken")
    if token is None:
        raise InvalidRequestException(messages.TOKEN_REQUIRED)
    return str(token)


def _value(params: Params) -> SecretValue | None:
    text = params.get("SecretString") or None
    binary = params.get("SecretBinary") or None
    if text is not None and binary is not None:
        raise InvalidParameterException(messages.BOTH_VALUES)
    if text is None and binary is None:
        return None
    return SecretValue(text=text, binary=binary)


def _unsupported(operation: str, params: Params, *names: str) -> None:
    for name in names:
        if params.get(name) not in (None, "", [], False):
            raise UnsupportedOperation(f"{operation} with {name}")


def _tag_pairs(tags: list[Params]) -> list[tuple[str, str]]:
    return [(str(tag.get("Key", "")), str(tag.get("Value", ""))) for tag in tags]


def _arn_name(secret: Secret) -> Params:
    return {"ARN": secret.arn, "Name": secret.name}


def describe(secret: Secret) -> Params:
    """The DescribeSecret view of a secret; fields appear only when they have a value (§3)."""
    out: Params = _arn_name(secret)
    if secret.description:
        out["Description"] = secret.description
    if secret.kms_key_id is not None:
        out["KmsKeyId"] = secret.kms_key_id
    out["LastChangedDate"] = secret.last_changed
    if secret.last_accessed is not None:
        out["LastAccessedDate"] = secret.last_accessed
    if secret.deleted_date is not None:
        out["DeletedDate"] = secret.deleted_date
    if secret.tags is not None:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in secret.tags.items()]
    stages = secret.stages_by_version()
    if stages:
        out["VersionIdsToStages"] = stages
    out["CreatedDate"] = secret.created
    return out


def _value_fields(secret: Secret, version: SecretVersion) -> Params:
    out: Params = {**_arn_name(secret), "VersionId": version.version_id}
    if version.value is not None and version.value.binary is not None:
        out["SecretBinary"] = version.value.binary
    elif version.value is not None:
        out["SecretString"] = version.value.text
    if version.stages:
        out["VersionStages"] = list(version.stages)
    out["CreatedDate"] = version.created
    return out


# -- handlers ---------------------------------------------------------------------------------


def create_secret(store: SecretStore, params: Params) -> Params:
    _unsupported("CreateSecret", params, "AddReplicaRegions", "ForceOverwriteReplicaSecret", "Type")
    token = _token(params)
    value = _value(params)
    tags = params.get("Tags")
    secret, version = store.create_secret(
        name=params["Name"],
        token=token,
        value=value,
        description=params.get("Description"),
        kms_key_id=params.get("KmsKeyId"),
        tag_list=_tag_pairs(tags) if tags else None,
    )
    out = _arn_name(secret)
    if version is not None:
        out["VersionId"] = version.version_id
    return out


def get_secret_value(store: SecretStore, params: Params) -> Params:
    secret, version = store.get_value(
        params["SecretId"], version_id=params.get("VersionId"), stage=params.get("VersionStage")
    )
    return _value_fields(secret, version)


def put_secret_value(store: SecretStore, params: Params) -> Params:
    token = _token(params)
    value = _value(params)
    if value is None:
        raise InvalidRequestException(messages.VALUE_REQUIRED)
    secret, version = store.put_value(
        params["SecretId"], token=token, value=value, stages=params.get("VersionStages")
    )
    out = {**_arn_name(secret), "VersionId": version.version_id}
    if version.stages:
        out["VersionStages"] = list(version.stages)
    return out


def describe_secret(store: SecretStore, params: Params) -> Params:
    return describe(store.get(params["SecretId"]))


def update_secret(store: SecretStore, params: Params) -> Params:
    _unsupported("UpdateSecret", params, "Type")
    token = _token(params)
    secret, version = store.update_secret(
        params["SecretId"],
        token=token,
        value=_value(params),
        description=params.get("Description"),
        kms_key_id=params.get("KmsKeyId"),
    )
    out = _arn_name(secret)
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
    return _arn_name(store.restore_secret(params["SecretId"]))


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
    return {**out, **_arn_name(secret)}


def update_secret_version_stage(store: SecretStore, params: Params) -> Params:
    secret = store.move_label(
        params["SecretId"],
        label=params["VersionStage"],
        move_to=params.get("MoveToVersionId"),
        remove_from=params.get("RemoveFromVersionId"),
    )
    return _arn_name(secret)


def tag_resource(store: SecretStore, params: Params) -> Params:
    store.tag(params["SecretId"], tag_list=_tag_pairs(params["Tags"]))
    return {}


def untag_resource(store: SecretStore, params: Params) -> Params:
    store.untag(params["SecretId"], keys=[str(k) for k in params["TagKeys"]])
    return {}


OPERATIONS: dict[str, Handler] = {
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
