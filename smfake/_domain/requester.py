"""Who asks, for policy evaluation (smfake/_domain/access.py): the request, the chain of
identities the caller stands for (account, role, user or session), the condition keys the
caller brings, and how far a policy's Principal or NotPrincipal element reaches it.

Sources, in the IAM User Guide (awsdocs/iam-user-guide): reference_policies_elements_
principal, reference_policies_elements_notprincipal, reference_policies_evaluation-logic
("Resource-based policies" table), access_policies_boundaries and reference_policies_
condition-keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

from smfake._domain.conditions import ContextValue, normalize
from smfake._domain.policy import Principals, Statement

PrincipalType = Literal["Root", "IAMUser", "AssumedRole", "Role"]

_PRINCIPAL_TYPES = ("Root", "IAMUser", "AssumedRole", "Role")
# aws:PrincipalType values (reference_policies_condition-keys); "Role" callers act as sessions.
_CONTEXT_TYPES = {"Root": "Account", "IAMUser": "User"}
_SESSION = re.compile(r"arn:([\w-]+):sts::(\d{12}):assumed-role/([^/]+)/.+")


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequest:
    """One authorization question. ``resource`` is an ARN, or ``"*"`` (with
    ``resource_account=None``) for actions without resource-level permissions. ``context``
    holds condition keys (names case-insensitive); the principal's own keys
    (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalTag/*,
    aws:username for users, aws:userid for root) are derived unless given."""

    principal_arn: str
    principal_account: str
    principal_type: PrincipalType
    action: str
    resource: str
    resource_account: str | None
    principal_tags: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.principal_type not in _PRINCIPAL_TYPES:
            raise ValueError(
                f"principal_type is one of {', '.join(_PRINCIPAL_TYPES)}, "
                f"got {self.principal_type!r}"
            )


class Grant(IntEnum):
    """How far a statement reaches the caller. For resource policies within one account this
    decides what else must allow (reference_policies_evaluation-logic, "Resource-based
    policies"): an IAM user, a role session or everyone named is granted directly ("For IAM
    users and role principals within your account, no other permissions are required" for
    ``*``, reference_policies_elements_principal); a role named reaches its sessions but stays
    limited by the boundary and session policy; an account named (its id or ``:root`` ARN)
    only delegates to the account's identity policies ("AWS account principals")."""

    NONE = 0
    ACCOUNT = 1
    ROLE = 2
    DIRECT = 3


@dataclass(frozen=True, slots=True)
class Caller:
    arn: str
    account: str
    type: PrincipalType
    role_arn: str | None
    account_forms: frozenset[str]


def caller_of(request: AccessRequest) -> Caller:
    arn, account = request.principal_arn, request.principal_account
    parts = arn.split(":")
    partition = parts[1] if len(parts) > 1 and parts[0] == "arn" else "aws"
    role_arn = None
    if request.principal_type == "Role":
        role_arn = arn
    elif request.principal_type == "AssumedRole":
        given = normalize(request.context).get("aws:principalarn")
        session = _SESSION.fullmatch(arn)
        if isinstance(given, str):
            # The caller may know the role's path, which a session ARN leaves out.
            role_arn = given
        elif session is not None:
            role_arn = f"arn:{session[1]}:iam::{session[2]}:role/{session[3]}"
    forms = frozenset({account, f"arn:{partition}:iam::{account}:root"})
    return Caller(arn, account, request.principal_type, role_arn, forms)


def context_of(request: AccessRequest, caller: Caller) -> dict[str, ContextValue]:
    """The request context: keys the principal brings (reference_policies_condition-keys;
    aws:PrincipalArn is the role's ARN for a role session), overridden by
    ``request.context``. Keys are lower-case."""
    context: dict[str, ContextValue] = {
        "aws:principalarn": caller.role_arn or caller.arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": _CONTEXT_TYPES.get(caller.type, "AssumedRole"),
    }
    for key, value in request.principal_tags.items():
        context[f"aws:principaltag/{key.lower()}"] = value
    if caller.type == "IAMUser":
        context["aws:username"] = caller.arn.rsplit("/", 1)[-1]
    if caller.type == "Root":
        context["aws:userid"] = caller.account
    if request.action.lower().startswith("kms:"):
        context["kms:calleraccount"] = caller.account
    context.update(normalize(request.context))
    return context


def reach(statement: Statement, caller: Caller, *, bound: bool) -> Grant:
    """How far ``statement`` reaches ``caller``; ``bound``: the caller has a permissions
    boundary."""
    if statement.principal is not None:
        return _grant(statement.principal, caller)
    if statement.not_principal is None:
        # Identity, boundary and session policies name no principal: they are the caller's.
        return Grant.DIRECT
    listed = [_listed(statement.not_principal, identity, caller) for identity in _chain(caller)]
    if statement.effect == "Deny":
        # A Deny spares only a caller whose whole chain (account, role, session or user) is
        # listed (reference_policies_elements_notprincipal), and never spares a principal with
        # a permissions boundary (access_policies_boundaries, "Important").
        return Grant.DIRECT if bound or not all(listed) else Grant.NONE
    return Grant.NONE if any(listed) else Grant.DIRECT


def _grant(principals: Principals, caller: Caller) -> Grant:
    # "*" and {"AWS": "*"} are equivalent (reference_policies_elements_principal).
    if principals.anyone or "*" in principals.aws:
        return Grant.DIRECT
    return max((_named(p, caller) for p in principals.aws), default=Grant.NONE)


def _named(principal: str, caller: Caller) -> Grant:
    if principal in caller.account_forms:
        return Grant.ACCOUNT
    if principal == caller.arn:
        return Grant.ROLE if caller.type == "Role" else Grant.DIRECT
    if principal == caller.role_arn:
        # Naming a role reaches its sessions ("IAM role principals").
        return Grant.ROLE
    return Grant.NONE


def _chain(caller: Caller) -> list[str | None]:
    # None stands for the caller's account, listed by id or by root ARN.
    chain: list[str | None] = [None, caller.arn]
    if caller.role_arn is not None and caller.role_arn != caller.arn:
        chain.append(caller.role_arn)
    return chain


def _listed(principals: Principals, identity: str | None, caller: Caller) -> bool:
    if principals.anyone or "*" in principals.aws:
        return True
    if identity is None:
        return bool(caller.account_forms & set(principals.aws))
    return identity in principals.aws
