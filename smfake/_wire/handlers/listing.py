"""Handlers of ListSecrets and BatchGetSecretValue."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from smfake._domain import listing
from smfake._domain.errors import ServiceError
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore
from smfake._wire.declare import operation
from smfake._wire.model import service_model
from smfake._wire.views import Params, describe, value_fields


@functools.cache
def _entry_members() -> frozenset[str]:
    return frozenset(service_model().shape_for("SecretListEntry").members)


def list_entry(secret: Secret) -> Params:
    """The DescribeSecret view, as a SecretListEntry: labels under another name, and only the
    members that entry has (no ReplicationStatus, for one)."""
    described = describe(secret)
    stages = described.pop("VersionIdsToStages", None)
    if stages is not None:
        described["SecretVersionsToStages"] = stages
    members = _entry_members()
    return {name: value for name, value in described.items() if name in members}


def _filters(params: Params) -> list[listing.Filter]:
    return [listing.make_filter(f.get("Key"), f.get("Values")) for f in params.get("Filters") or []]


def _batch_asks(params: Mapping[str, Any], _: Secret | None) -> tuple[str, ...]:
    # Selecting secrets by filters lists them (authorization reference).
    return ("ListSecrets",) if params.get("Filters") else ()


@operation("ListSecrets", read_only=True, scope="account")
def list_secrets(store: SecretStore, params: Params) -> Params:
    query = listing.Query(
        filters=tuple(_filters(params)),
        sort_by=params.get("SortBy") or listing.CREATED_DATE,
        descending=params.get("SortOrder") == "desc",
        include_planned_deletion=bool(params.get("IncludePlannedDeletion")),
    )
    secrets, next_token = listing.list_secrets(
        store, query, max_results=params.get("MaxResults"), next_token=params.get("NextToken")
    )
    out: Params = {"SecretList": [list_entry(secret) for secret in secrets]}
    if next_token is not None:
        out["NextToken"] = next_token
    return out


@operation(
    "BatchGetSecretValue",
    read_only=True,
    scope="account",
    also_asks=_batch_asks,
    each_secret="GetSecretValue",
)
def batch_get_secret_value(store: SecretStore, params: Params) -> Params:
    secret_ids, next_token = listing.batch_targets(
        store,
        secret_ids=params.get("SecretIdList"),
        filters=_filters(params),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    values: list[Params] = []
    errors: list[Params] = []
    for secret_id in secret_ids:
        # The same read as GetSecretValue: same errors, and LastAccessedDate moves.
        try:
            secret, version, clear = store.get_value(secret_id, version_id=None, stage=None)
        except ServiceError as error:
            errors.append(
                {"SecretId": secret_id, "ErrorCode": error.code, "Message": error.message}
            )
            continue
        values.append(value_fields(secret, version, clear))
    # Both lists are present even when empty, as other list members of this service are
    # (unverified).
    out: Params = {"SecretValues": values, "Errors": errors}
    if next_token is not None:
        out["NextToken"] = next_token
    return out
