"""Handlers of the resource-policy operations (§11)."""

from __future__ import annotations

from types import ModuleType

from smfake._domain import paging
from smfake._domain.store import SecretStore
from smfake._wire.declare import operation
from smfake._wire.views import Params, arn_name, modelled, shows


def _policy() -> ModuleType:
    # The policy parser is imported by the first policy operation: few tests use one, and it
    # is among the costlier modules to load at activation.
    from smfake._domain import policy

    return policy


def _name(operation: str, params: Params) -> str:
    # Read only where the installed model defines it (1.44); null is absent.
    return str(modelled(operation, params, "PolicyName") or _policy().DEFAULT_NAME)


def _named(operation: str, out: Params, name: str) -> Params:
    # PolicyName came into the model with botocore 1.44 ("default" unless another was asked
    # for); answer in the shape of the model that the caller's botocore knows.
    if shows(operation, "PolicyName"):
        out["PolicyName"] = name
    return out


@operation("PutResourcePolicy")
def put_resource_policy(store: SecretStore, params: Params) -> Params:
    name = _name("PutResourcePolicy", params)
    secret = _policy().attach_policy(
        store,
        params["SecretId"],
        document=params["ResourcePolicy"],
        block_public=bool(params.get("BlockPublicPolicy")),
        name=name,
    )
    return _named("PutResourcePolicy", arn_name(secret), name)


@operation("GetResourcePolicy", read_only=True)
def get_resource_policy(store: SecretStore, params: Params) -> Params:
    name = _name("GetResourcePolicy", params)
    secret, text = _policy().policy_text(store, params["SecretId"], name=name)
    out = arn_name(secret)
    # Absent, not null, when no policy is attached (§11).
    if text is not None:
        out["ResourcePolicy"] = text
    return _named("GetResourcePolicy", out, name)


@operation("ListResourcePolicies", read_only=True)
def list_resource_policies(store: SecretStore, params: Params) -> Params:
    secret, names = _policy().policy_names(store, params["SecretId"])
    scope = f"{secret.arn}\0policies"
    start = 0
    if params.get("NextToken") is not None:
        after = paging.decode(scope, params["NextToken"])
        start = next((i + 1 for i, name in enumerate(names) if name == after), len(names))
    limit = params.get("MaxResults") or 100  # null is absent
    page = names[start : start + limit]
    out: Params = {"ResourcePolicies": [{"PolicyName": name} for name in page]}
    if start + limit < len(names):
        out["NextToken"] = paging.encode(scope, page[-1])
    return out


@operation("DeleteResourcePolicy")
def delete_resource_policy(store: SecretStore, params: Params) -> Params:
    name = _name("DeleteResourcePolicy", params)
    secret = _policy().detach_policy(store, params["SecretId"], name=name)
    return _named("DeleteResourcePolicy", arn_name(secret), name)


@operation("ValidateResourcePolicy", read_only=True, scope="secret-if-named")
def validate_resource_policy(store: SecretStore, params: Params) -> Params:
    found = _policy().validate_policy(
        store, secret_id=params.get("SecretId"), document=params["ResourcePolicy"]
    )
    return {
        "PolicyValidationPassed": not found,
        "ValidationErrors": [{"CheckName": f.check, "ErrorMessage": f.message} for f in found],
    }
