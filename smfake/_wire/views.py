"""Shared pieces of the operation handlers: input parsing and the views of a secret."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from typing import Any

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException, InvalidRequestException
from smfake._domain.kms import AWS_MANAGED_ALIAS
from smfake._domain.schedule import RotationRules
from smfake._domain.secret import Secret, SecretValue, SecretVersion
from smfake._domain.store import SecretStore
from smfake._wire.model import service_model
from smfake.errors import UnsupportedOperation

Params = dict[str, Any]
Handler = Callable[[SecretStore, Params], Params]

# Versions written with the AWS managed key report this instead of a key id (§4.4).
DEFAULT_KEY_MARKER = "DefaultEncryptionKey"


def token(params: Params) -> str:
    # botocore fills the token in; only raw HTTP callers can leave it out (§1).
    token = params.get("ClientRequestToken")
    if token is None:
        raise InvalidRequestException(messages.TOKEN_REQUIRED)
    return str(token)


def value(params: Params) -> SecretValue | None:
    text = params.get("SecretString") or None
    binary = params.get("SecretBinary") or None
    if text is not None and binary is not None:
        raise InvalidParameterException(messages.BOTH_VALUES)
    if text is None and binary is None:
        return None
    return SecretValue(text=text, binary=binary)


def unsupported(operation: str, params: Params, *names: str) -> None:
    for name in names:
        if params.get(name) not in (None, "", [], False):
            raise UnsupportedOperation(f"{operation} with {name}")


@functools.cache
def _members(operation: str, output: bool) -> frozenset[str]:
    model = service_model().operation_model(operation)
    shape = model.output_shape if output else model.input_shape
    return frozenset(shape.members) if shape is not None else frozenset()


def has_member(operation: str, name: str) -> bool:
    """Whether the installed botocore's model defines ``name`` on ``operation``'s input."""
    return name in _members(operation, False)


def shows(operation: str, name: str) -> bool:
    """Whether the installed botocore's model defines ``name`` on ``operation``'s output."""
    return name in _members(operation, True)


def modelled(operation: str, params: Mapping[str, Any], name: str) -> Any:
    """``params[name]``, or None where the installed botocore's model does not define that
    member (one newer than the caller's botocore, which only a raw HTTP caller can send: it is
    neither validated nor read, as AWS ignores undefined members)."""
    return params.get(name) if has_member(operation, name) else None


def tag_pairs(tags: list[Params]) -> list[tuple[str, str]]:
    if any(tag.get("Key") is None for tag in tags):
        # Was stored as a tag with an empty key, which an explicit "" is refused as.
        raise InvalidParameterException(messages.TAG_KEY_MISSING)
    return [(str(tag["Key"]), str(tag.get("Value", ""))) for tag in tags]


def arn_name(secret: Secret) -> Params:
    return {"ARN": secret.arn, "Name": secret.name}


def describe(secret: Secret) -> Params:
    """The DescribeSecret view of a secret; fields appear only when they have a value (§3)."""
    out: Params = arn_name(secret)
    if secret.description:
        out["Description"] = secret.description
    if secret.kms_key_id is not None:
        out["KmsKeyId"] = secret.kms_key_id
    if secret.rotation_enabled is not None:
        out["RotationEnabled"] = secret.rotation_enabled
        if secret.rotation_lambda_arn is not None:
            out["RotationLambdaARN"] = secret.rotation_lambda_arn
        if secret.rotation_rules is not None:
            out["RotationRules"] = rotation_rules(secret.rotation_rules)
        if secret.rotation_enabled and secret.last_rotated is not None:
            out["LastRotatedDate"] = secret.last_rotated
    out["LastChangedDate"] = secret.last_changed
    if secret.last_accessed is not None:
        out["LastAccessedDate"] = secret.last_accessed
    if secret.deleted_date is not None:
        out["DeletedDate"] = secret.deleted_date
    if secret.rotation_enabled and secret.next_rotation is not None:
        out["NextRotationDate"] = secret.next_rotation
    if secret.tags is not None:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in secret.tags.items()]
    stages = secret.stages_by_version()
    if stages:
        out["VersionIdsToStages"] = stages
    out["CreatedDate"] = secret.created
    if secret.primary_region is not None:
        out["PrimaryRegion"] = secret.primary_region
    if secret.replicas:
        out["ReplicationStatus"] = replication_status(secret)
    if secret.cross_account_primary is not None or secret.cross_account_replicas:
        out.update(cross_account_fields(secret))
    _external(secret, out)
    return out


def cross_account_fields(secret: Secret) -> Params:
    """DescribeSecret's CrossAccountPrimary (on a replica) and CrossAccountReplicas (on a
    primary), for a botocore whose model has them (1.44); an older one gets neither."""
    out: Params = {}
    if not shows("DescribeSecret", "CrossAccountPrimary"):
        return out
    link = secret.cross_account_primary
    if link is not None:
        primary: Params = {"PrimarySecretARN": link.primary_arn, "ReplicationStatus": link.status}
        if link.message is not None:
            primary["StatusMessage"] = link.message
        out["CrossAccountPrimary"] = primary
    entries = []
    for entry in secret.cross_account_replicas.values():
        shown: Params = {"ReplicaSecretARN": entry.replica_arn}
        if entry.role_arn is not None:
            shown["ReplicationRoleARN"] = entry.role_arn
        shown["ReplicationStatus"] = entry.status
        if entry.message is not None:
            shown["StatusMessage"] = entry.message
        entries.append(shown)
    if entries:
        out["CrossAccountReplicas"] = entries
    return out


def _external(secret: Secret, out: Params) -> None:
    # Managed external secrets came into the model with botocore 1.43.11: a caller whose
    # botocore predates them gets the shape it knows (so does ListSecrets, which filters this view).
    shown = _members("DescribeSecret", True)
    if secret.partner_type is not None and "Type" in shown:
        out["Type"] = secret.partner_type
    metadata = secret.external_rotation_metadata
    if metadata and "ExternalSecretRotationMetadata" in shown:
        out["ExternalSecretRotationMetadata"] = [{"Key": k, "Value": v} for k, v in metadata]
    role = secret.external_rotation_role_arn
    if role is not None and "ExternalSecretRotationRoleArn" in shown:
        out["ExternalSecretRotationRoleArn"] = role


def replication_status(secret: Secret, *, just_added: Collection[str] = ()) -> list[Params]:
    """ReplicationStatus entries; Regions added by the current call still show InProgress,
    as AWS reports them while it copies (§10)."""
    entries = []
    for region, replica in secret.replicas.items():
        entry: Params = {
            "Region": region,
            "KmsKeyId": replica.kms_key_id or AWS_MANAGED_ALIAS,
            "Status": replica.status,
        }
        if region in just_added and replica.status != "Failed":
            entry["Status"] = "InProgress"
        elif replica.message is not None:
            entry["StatusMessage"] = replica.message
        copy = replica.secret
        if copy is not None and copy.last_accessed is not None:
            entry["LastAccessedDate"] = copy.last_accessed
        entries.append(entry)
    return entries


def value_fields(secret: Secret, version: SecretVersion, clear: SecretValue) -> Params:
    out: Params = {**arn_name(secret), "VersionId": version.version_id}
    if clear.binary is not None:
        out["SecretBinary"] = clear.binary
    else:
        out["SecretString"] = clear.text
    if version.stages:
        out["VersionStages"] = list(version.stages)
    out["CreatedDate"] = version.created
    return out


def rotation_rules(rules: RotationRules) -> Params:
    out: Params = {}
    if rules.automatically_after_days is not None:
        out["AutomaticallyAfterDays"] = rules.automatically_after_days
    if rules.duration is not None:
        out["Duration"] = rules.duration
    if rules.schedule_expression is not None:
        out["ScheduleExpression"] = rules.schedule_expression
    return out
