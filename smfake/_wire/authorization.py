"""Authorization of one call, as AWS evaluates policies: the engine behind ``fake.access``.

For each call it asks the questions AWS asks (the service authorization reference's actions,
resources and condition keys for Secrets Manager, and KMS's for the key behind a value) and
refuses the call with AWS's AccessDeniedException when a policy says no. The evaluation itself
is smfake/_domain/access.py. Service behaviour, so it lives below the handle, whose
``fake.access`` switches it on and calls it. Imported only once access control is used
(``enforce_access``, ``fake.access.check``): most tests never load it, nor the policy
evaluation beneath.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smfake._domain import messages
from smfake._domain.access import (
    AccessRequest,
    Decision,
    access_denied_message,
    evaluate,
    parse_identity_policy,
)
from smfake._domain.backend import Backend
from smfake._domain.conditions import ContextValue
from smfake._domain.errors import AccessDeniedException, ServiceError
from smfake._domain.kms import KmsKey
from smfake._domain.policy import DEFAULT_NAME, REPLICATION_POLICY_NAME, Policy, attached
from smfake._domain.policy import parse as parse_resource_policy
from smfake._domain.principals import Principal, root_arn
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore, partition_of
from smfake._wire.declare import Operation
from smfake._wire.dispatch import SECRET_ARN, Call
from smfake._wire.keypolicy import default_key_policy
from smfake._wire.operations import DECLARATIONS
from smfake._wire.views import has_member

# The KMS action each declared use of a key asks for (§13).
_KMS_ACTIONS = {"encrypt": "kms:GenerateDataKey", "decrypt": "kms:Decrypt"}
# Request members that become secretsmanager:<Member> condition keys, as the authorization
# reference lists them per action.
_PARAM_KEYS = (
    "SecretId",
    "VersionId",
    "VersionStage",
    "Description",
    "KmsKeyId",
    "RotationLambdaARN",
    "BlockPublicPolicy",
    "RecoveryWindowInDays",
    "ForceDeleteWithoutRecovery",
    "ForceOverwriteReplicaSecret",
    "RotateImmediately",
)
KMS_DENIED = messages.KMS_ACCESS_DENIED


@dataclass(frozen=True, slots=True)
class _Question:
    action: str
    resource: str
    resource_account: str | None
    shown: str | None
    resource_policy: Policy | None
    context: Mapping[str, ContextValue]


# Where each decision goes: the AccessControl's recent decisions.
Record = Callable[[Decision], None]


def authorize(call: Call, store: SecretStore, record: Record) -> None:
    """Raise AccessDeniedException when a policy refuses ``call`` (nothing has run yet)."""
    principal = _principal(call)
    declaration = DECLARATIONS[call.operation]
    secret = _secret_of(call.params, store)
    for question in _questions(declaration, call, store, secret):
        _ask(principal, call, question, record)
    if declaration.peer is not None:
        _ask_peer(principal, call, store, declaration.peer, record)
    if declaration.passes_role is not None:
        _ask_pass_role(principal, call, declaration.passes_role, record)
    key = _key_of(declaration, call, store, secret)
    if key is not None and declaration.kms is not None:
        _ask_kms(principal, call, store, key, _KMS_ACTIONS[declaration.kms], secret, record)


def review_batch(call: Call, store: SecretStore, record: Record) -> None:
    """A batch (BatchGetSecretValue): each secret needs the operation it declares for each
    (GetSecretValue, and its KMS action); a refused one moves from SecretValues to Errors,
    as AWS reports it."""
    each = DECLARATIONS[call.operation].each_secret
    if call.result is None or each is None:
        return
    each_kms = DECLARATIONS[each].kms
    principal = _principal(call)
    kept, errors = [], list(call.result.get("Errors", []))
    # Errors name a secret as the caller did (a name or an ARN).
    given = {}
    for secret_id in call.params.get("SecretIdList") or []:
        found = _secret_of({"SecretId": secret_id}, store)
        if found is not None:
            given[found.arn] = secret_id
    for entry in call.result.get("SecretValues", []):
        secret = store.find(entry["ARN"])
        try:
            if secret is None:
                raise AccessDeniedException(KMS_DENIED)
            question = _secret_question(f"secretsmanager:{each}", call, store, secret)
            _ask(principal, call, question, record)
            key = _secret_key(store, secret)
            if key is not None and each_kms is not None:
                _ask_kms(principal, call, store, key, _KMS_ACTIONS[each_kms], secret, record)
        except AccessDeniedException as error:
            shown = given.get(entry["ARN"], entry["ARN"])
            errors.append({"SecretId": shown, "ErrorCode": error.code, "Message": error.message})
            continue
        kept.append(entry)
    call.result = {**call.result, "SecretValues": kept, "Errors": errors}


def check(
    principal: Principal,
    action: str,
    resource: str,
    *,
    resource_policy: str | None,
    context: Mapping[str, ContextValue],
) -> Decision:
    """Evaluate one question without making a call."""
    account = resource.split(":")[4] if resource.count(":") >= 5 else None
    request = _request(principal, action, resource, account or None, context)
    return evaluate(
        request,
        identity_policies=_identity_policies(principal),
        permissions_boundary=_boundary(principal),
        resource_policy=None if resource_policy is None else _resource_policy(resource_policy),
    )


def _principal(call: Call) -> Principal:
    if call.caller.principal is not None:
        return call.caller.principal
    # An unregistered key acts as the root user of the fake's account.
    account = call.account_id
    arn = root_arn(account, partition_of(call.region))
    return Principal(call.caller.access_key or "", account, arn)


def _ask(principal: Principal, call: Call, question: _Question, record: Record) -> None:
    request = _request(
        principal,
        question.action,
        question.resource,
        question.resource_account,
        {**_global_context(call), **question.context},
    )
    decision = evaluate(
        request,
        identity_policies=_identity_policies(principal),
        permissions_boundary=_boundary(principal),
        resource_policy=question.resource_policy,
    )
    record(decision)
    if not decision.allowed:
        raise AccessDeniedException(
            access_denied_message(decision, request, shown_resource=question.shown)
        )


def _ask_kms(
    principal: Principal,
    call: Call,
    store: SecretStore,
    key: KmsKey | _ManagedKey,
    action: str,
    secret: Secret | None,
    record: Record,
) -> None:
    context: dict[str, ContextValue] = {
        **_global_context(call),
        "kms:ViaService": f"secretsmanager.{store.region}.amazonaws.com",
        "kms:CallerAccount": principal.account_id,
    }
    if secret is not None:
        context["kms:EncryptionContext:SecretARN"] = secret.arn
    if isinstance(key, _ManagedKey) or key.managed:
        # The AWS managed key aws/secretsmanager serves its own account only (§13).
        allowed = principal.account_id == store.account
        decision = Decision(
            allowed,
            "allowed" if allowed else "no_resource_allow",
            (),
            principal.arn,
            action,
            f"arn:{partition_of(store.region)}:kms:{store.region}:{store.account}"
            ":alias/aws/secretsmanager",
        )
    else:
        request = _request(principal, action, key.arn, store.account, context)
        decision = evaluate(
            request,
            identity_policies=_identity_policies(principal),
            permissions_boundary=_boundary(principal),
            resource_policy=_resource_policy(key.policy or default_key_policy(store.account)),
            resource_policy_required=True,
        )
    record(decision)
    if not decision.allowed:
        # Secrets Manager reports a refused KMS call in its own words.
        raise AccessDeniedException(KMS_DENIED)


def _questions(
    declaration: Operation, call: Call, store: SecretStore, secret: Secret | None
) -> Iterator[_Question]:
    params = call.params
    actions = (call.operation, *declaration.also_asks(params, secret))
    if declaration.about_account(params):
        yield _Question(
            f"secretsmanager:{actions[0]}", "*", None, None, None, _request_context(params)
        )
        for action in actions[1:]:
            yield _Question(f"secretsmanager:{action}", "*", None, None, None, {})
        return
    named: dict[str, ContextValue] = {}
    if has_member(call.operation, "PolicyName"):
        given = params.get("PolicyName")
        named["secretsmanager:PolicyName"] = given if isinstance(given, str) else DEFAULT_NAME
    yield _secret_question(f"secretsmanager:{actions[0]}", call, store, secret, named)
    for action in actions[1:]:
        # The policy actions a call implies are about the managed policy (1.44 §A8).
        implied: dict[str, ContextValue] = {}
        if action.endswith("ResourcePolicy"):
            implied["secretsmanager:PolicyName"] = REPLICATION_POLICY_NAME
        yield _secret_question(f"secretsmanager:{action}", call, store, secret, implied)


def _ask_peer(
    principal: Principal, call: Call, store: SecretStore, peer: tuple[str, str], record: Record
) -> None:
    """The action a call asks on another account's secret (AcceptCrossAccountReplication on
    the replica): the caller's policies and the secret's resource policies must allow it."""
    member, action = peer
    arn = call.params.get(member)
    match = SECRET_ARN.match(arn) if isinstance(arn, str) else None
    if arn is None or match is None or match.group(1) != store.region:
        return  # the handler refuses it
    peer_store = store.other_account(match.group(2))
    found = _secret_of({"SecretId": arn}, peer_store)
    if found is None:
        return
    context = {**_request_context(call.params), **_resource_context(found)}
    question = _Question(
        f"secretsmanager:{action}",
        found.arn,
        peer_store.account,
        found.arn,
        _secret_policy(found),
        context,
    )
    _ask(principal, call, question, record)


def _ask_pass_role(principal: Principal, call: Call, member: str, record: Record) -> None:
    """A role the call hands to the service needs iam:PassRole on it."""
    role = call.params.get(member)
    if not isinstance(role, str):
        return
    parts = role.split(":")
    account = parts[4] if len(parts) > 4 and parts[4] else principal.account_id
    question = _Question("iam:PassRole", role, account, role, None, {})
    _ask(principal, call, question, record)


class ReplicationKeys:
    """The KeyGate while access control is enforced: replication encrypts with the replica's
    key as the caller of the call being answered (a forward access session) or, when the
    primary was associated with a ReplicationRoleARN, as that role (1.44 §A2.4). The
    replica's key policy must allow it, as for any cross-account use of a key."""

    def __init__(self, backend: Backend, record: Record) -> None:
        self._backend = backend
        self._record = record

    def may_encrypt(
        self, store: SecretStore, key_id: str, secret: Secret, *, role_arn: str | None
    ) -> str | None:
        call = self._backend.acting
        if not isinstance(call, Call):
            return None  # the service on its own (no call): nothing to check it against
        principals = self._backend.principals
        principal = _principal(call) if role_arn is None else _role(principals, store, role_arn)
        key = store.keys.find(key_id)
        if key is None:
            return principal.arn
        try:
            _ask_kms(principal, call, store, key, "kms:Encrypt", secret, self._record)
        except AccessDeniedException:
            return principal.arn
        return None


def _role(principals: Iterable[Principal], store: SecretStore, role_arn: str) -> Principal:
    """The principal a role acts as: a registered principal with that ARN, else the role
    without policies of its own."""
    for principal in principals:
        if principal.arn == role_arn:
            return principal
    parts = role_arn.split(":")
    return Principal("", parts[4] if len(parts) > 4 else store.account, role_arn)


def _secret_question(
    action: str,
    call: Call,
    store: SecretStore,
    secret: Secret | None,
    extra: Mapping[str, ContextValue] | None = None,
) -> _Question:
    params = call.params
    given = params.get("SecretId")
    if secret is not None:
        arn, shown = secret.arn, given if isinstance(given, str) else secret.arn
    elif DECLARATIONS[call.operation].creates:
        # The new secret's ARN is not known before it exists; its suffix is a wildcard.
        arn = shown = f"{store.arn_prefix}{params.get('Name', '')}-??????"
    else:
        text = given if isinstance(given, str) else ""
        arn = text if text.startswith("arn:") else f"{store.arn_prefix}{text}"
        shown = text
    context: dict[str, ContextValue] = {**_request_context(params), **(extra or {})}
    if secret is not None:
        context.update(_resource_context(secret))
    policy = None if secret is None else _secret_policy(secret)
    return _Question(action, arn, store.account, shown, policy, context)


def _secret_policy(secret: Secret) -> Policy | None:
    """Every policy attached to the secret, as one resource-based policy."""
    texts = list(attached(secret).values())
    if not texts:
        return None
    if len(texts) == 1:
        return _resource_policy(texts[0])
    parsed = [_resource_policy(text) for text in texts]
    statements = tuple(statement for policy in parsed for statement in policy.statements)
    return Policy(parsed[0].version, statements)


def _request_context(params: Mapping[str, Any]) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for name in _PARAM_KEYS:
        value = params.get(name)
        if isinstance(value, (str, bool, int)):
            context[f"secretsmanager:{name}"] = value
    if isinstance(params.get("Name"), str):
        context["secretsmanager:Name"] = params["Name"]
    tags = params.get("Tags")
    if isinstance(tags, list):
        pairs = [(t.get("Key"), t.get("Value")) for t in tags if isinstance(t, dict)]
        for key, value in pairs:
            if isinstance(key, str) and isinstance(value, str):
                context[f"aws:RequestTag/{key}"] = value
        context["aws:TagKeys"] = [key for key, _ in pairs if isinstance(key, str)]
    keys = params.get("TagKeys")
    if isinstance(keys, list):
        context["aws:TagKeys"] = [key for key in keys if isinstance(key, str)]
    regions = params.get("AddReplicaRegions")
    if isinstance(regions, list):
        context["secretsmanager:AddReplicaRegions"] = [
            r["Region"] for r in regions if isinstance(r, dict) and isinstance(r.get("Region"), str)
        ]
    if isinstance(params.get("RotationRules"), dict):
        context["secretsmanager:ModifyRotationRules"] = True
    return context


def _resource_context(secret: Secret) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for key, value in (secret.tags or {}).items():
        context[f"secretsmanager:ResourceTag/{key}"] = value
        context[f"aws:ResourceTag/{key}"] = value
    if secret.primary_region is not None:
        context["secretsmanager:SecretPrimaryRegion"] = secret.primary_region
    if secret.rotation_lambda_arn is not None:
        context["secretsmanager:resource/AllowRotationLambdaArn"] = secret.rotation_lambda_arn
    if secret.partner_type is not None:
        context["secretsmanager:resource/Type"] = secret.partner_type  # mes-security
    return context


def _global_context(call: Call) -> dict[str, ContextValue]:
    return {
        "aws:SourceIp": call.caller.source_ip,
        "aws:CurrentTime": call.time,
        "aws:EpochTime": int(call.time.timestamp()),
        "aws:SecureTransport": True,
        "aws:RequestedRegion": call.region,
    }


def _request(
    principal: Principal,
    action: str,
    resource: str,
    resource_account: str | None,
    context: Mapping[str, ContextValue],
) -> AccessRequest:
    kind = principal.identity_type
    return AccessRequest(
        principal_arn=principal.arn,
        principal_account=principal.account_id,
        principal_type=kind if kind != "Unknown" else "IAMUser",  # type: ignore[arg-type]
        action=action,
        resource=resource,
        resource_account=resource_account,
        principal_tags=dict(principal.tags),
        context=context,
    )


def _secret_of(params: Mapping[str, Any], store: SecretStore) -> Secret | None:
    secret_id = params.get("SecretId")
    if not isinstance(secret_id, str):
        return None
    try:
        return store.find(secret_id)
    except ServiceError:
        return None  # an invalid name: validation reports it once access is granted


def _key_of(
    declaration: Operation, call: Call, store: SecretStore, secret: Secret | None
) -> KmsKey | _ManagedKey | None:
    """The KMS key the call encrypts or decrypts with, when it does (§13)."""
    if declaration.kms is None:
        return None
    if declaration.kms == "decrypt":
        return None if secret is None else _secret_key(store, secret)
    params = call.params
    has_value = params.get("SecretString") is not None or params.get("SecretBinary") is not None
    # Authorization runs before validation: a raw HTTP caller may send any JSON type here.
    given = params.get("KmsKeyId") if _takes_key(call.operation) else None
    ref = given if isinstance(given, str) and given else None
    if declaration.creates:
        if not has_value:
            return None
        return MANAGED_KEY if ref is None else store.keys.find(ref)
    if secret is None:
        return None
    if ref is not None:
        return store.keys.find(ref)
    return _secret_key(store, secret) if has_value else None


def _takes_key(operation: str) -> bool:
    """Whether the operation's input has a KmsKeyId that chooses the key of a new value."""
    return has_member(operation, "KmsKeyId")


def _secret_key(store: SecretStore, secret: Secret) -> KmsKey | _ManagedKey | None:
    if secret.kms_key_id is None:
        return MANAGED_KEY
    return store.keys.find(secret.kms_key_id)


class _ManagedKey:
    """The AWS managed key aws/secretsmanager, named without creating it (creating it would
    draw ids from the fake's generator and change what a seeded run produces)."""

    managed = True
    policy = None


MANAGED_KEY = _ManagedKey()


def _identity_policies(principal: Principal) -> Sequence[Policy]:
    return [_identity_policy(text) for text in principal.policies]


def _boundary(principal: Principal) -> Policy | None:
    text = principal.permissions_boundary
    return None if text is None else _identity_policy(text)


@functools.lru_cache(maxsize=256)
def _identity_policy(text: str) -> Policy:
    return parse_identity_policy(text)


@functools.lru_cache(maxsize=256)
def _resource_policy(text: str) -> Policy:
    return parse_resource_policy(text)
