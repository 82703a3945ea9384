"""Handlers of RotateSecret and CancelRotateSecret (§7)."""

from __future__ import annotations

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException
from smfake._domain.rotation import Rotator
from smfake._domain.schedule import parse_rules
from smfake._domain.store import SecretStore
from smfake._wire.declare import operation
from smfake._wire.views import Params, arn_name, modelled


def _rotator(store: SecretStore) -> Rotator:
    return store.rotator


@operation("RotateSecret")
def rotate_secret(store: SecretStore, params: Params) -> Params:
    token = params.get("ClientRequestToken")
    if token is None:
        # RotateSecret says so with InvalidParameterException, unlike the other three (§1).
        raise InvalidParameterException(messages.TOKEN_REQUIRED)
    given = params.get("RotationRules")
    rules = None
    if given is not None:
        rules = parse_rules(
            automatically_after_days=given.get("AutomaticallyAfterDays"),
            schedule_expression=given.get("ScheduleExpression"),
            duration=given.get("Duration"),
        )
    secret = _rotator(store).rotate(
        store,
        params["SecretId"],
        token=str(token),
        lambda_arn=params.get("RotationLambdaARN") or None,
        rules=rules,
        immediately=params.get("RotateImmediately", True) is not False,
        metadata=_metadata(modelled("RotateSecret", params, "ExternalSecretRotationMetadata")),
        role_arn=modelled("RotateSecret", params, "ExternalSecretRotationRoleArn"),
    )
    return {**arn_name(secret), "VersionId": str(token)}


def _metadata(items: list[Params] | None) -> tuple[tuple[str | None, str | None], ...] | None:
    # Checked by the domain, after the secret and its Type (an item may lack Key or Value).
    if items is None:
        return None
    return tuple((_text(item.get("Key")), _text(item.get("Value"))) for item in items)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@operation("CancelRotateSecret")
def cancel_rotate_secret(store: SecretStore, params: Params) -> Params:
    secret, pending = _rotator(store).cancel(store, params["SecretId"])
    out = arn_name(secret)
    if pending is not None:
        out["VersionId"] = pending
    return out
