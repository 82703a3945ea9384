"""AWS's policy evaluation logic: may this principal perform this action on this resource?

Pure: policies come parsed (``policy.parse`` for a secret's or key's policy,
``parse_identity_policy`` for the principal's own), the request comes as an ``AccessRequest``,
and the answer is a ``Decision`` that names the statements which decided it.

Rules, from the IAM User Guide (pages named by their file in awsdocs/iam-user-guide):

* An applicable Deny in any policy wins (reference_policies_evaluation-logic, "Deny
  evaluation").
* Within one account an Allow in an identity-based OR the resource-based policy suffices
  ("Evaluating identity-based policies with resource-based policies"); how far a resource-
  policy Allow reaches depends on whom it names (``requester.Grant``).
* A permissions boundary and a session policy must also allow what identity policies grant
  (access_policies_boundaries, "Evaluating effective permissions with boundaries").
* Across accounts both the caller's side (identity policies, boundary, session policy) and
  the resource policy must allow (reference_policies_evaluation-logic-cross-account).
* The root user has full access in its own account ("all requests are implicitly denied
  with the exception of the AWS account root user"); only a resource policy binds it.
* A KMS key policy (``resource_policy_required=True``) must allow: "Without permission from
  the key policy, IAM policies that allow permissions have no effect", root user included
  (KMS Developer Guide, key-policies).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from smfake._domain import messages
from smfake._domain import policy as policy_grammar
from smfake._domain.conditions import ContextValue, UnresolvedVariable, holds, resource_matches
from smfake._domain.errors import MalformedPolicyDocumentException
from smfake._domain.policy import Effect, Policy, Statement, matches
from smfake._domain.requester import (
    AccessRequest,
    Caller,
    Grant,
    PrincipalType,
    caller_of,
    context_of,
    reach,
)

__all__ = [
    "AccessRequest",
    "Decision",
    "Matched",
    "PolicyKind",
    "PrincipalType",
    "Reason",
    "access_denied_message",
    "evaluate",
    "parse_identity_policy",
]
PolicyKind = Literal["identity", "resource", "boundary", "session"]
Reason = Literal[
    "allowed",
    "explicit_deny_identity",
    "explicit_deny_resource",
    "explicit_deny_boundary",
    "explicit_deny_session",
    "no_identity_allow",
    "no_resource_allow",
    "boundary_implicit_deny",
    "session_implicit_deny",
]

# When several kinds of policy deny, AWS names only one of them (troubleshoot_access-denied);
# which one is not documented, so smfake reports them in this order [U].
_DENY_ORDER: tuple[PolicyKind, ...] = ("identity", "resource", "boundary", "session")
_EXPLICIT: dict[PolicyKind, Reason] = {
    "identity": "explicit_deny_identity",
    "resource": "explicit_deny_resource",
    "boundary": "explicit_deny_boundary",
    "session": "explicit_deny_session",
}
_KIND_NAMES = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
}
_MESSAGES = {
    "explicit_deny_identity": messages.ACCESS_DENIED_EXPLICIT_IDENTITY,
    "explicit_deny_resource": messages.ACCESS_DENIED_EXPLICIT_RESOURCE,
    "explicit_deny_boundary": messages.ACCESS_DENIED_EXPLICIT_BOUNDARY,
    "explicit_deny_session": messages.ACCESS_DENIED_EXPLICIT_SESSION,
    "no_identity_allow": messages.ACCESS_DENIED_IMPLICIT_IDENTITY,
    "no_resource_allow": messages.ACCESS_DENIED_IMPLICIT_RESOURCE,
    "boundary_implicit_deny": messages.ACCESS_DENIED_IMPLICIT_BOUNDARY,
    "session_implicit_deny": messages.ACCESS_DENIED_IMPLICIT_SESSION,
}


@dataclass(frozen=True, slots=True)
class Matched:
    """A statement that applied: which kind of policy, which policy of that kind (0 except
    for identity policies), which statement, its Sid and Effect."""

    kind: PolicyKind
    policy_index: int
    statement_index: int
    sid: str | None
    effect: Effect

    def describe(self) -> str:
        sid = f' (Sid "{self.sid}")' if self.sid is not None else ""
        where = f" #{self.policy_index}" if self.kind == "identity" else ""
        kind = _KIND_NAMES[self.kind]
        return f"{self.effect} statement #{self.statement_index}{sid} of the {kind}{where}"


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer. ``statements`` are the ones that decided: the Deny statements for an
    explicit deny, the Allow statements that granted access, or (for an implicit deny by a
    boundary or session policy) the Allow statements that it held back."""

    allowed: bool
    reason: Reason
    statements: tuple[Matched, ...]
    principal_arn: str
    action: str
    resource: str

    def explain(self) -> str:
        """A few lines for a test failure message."""
        verdict = "allowed" if self.allowed else f"denied ({self.reason})"
        lines = [f"{verdict}: {self.principal_arn} -> {self.action} on {self.resource}"]
        if self.reason.startswith("explicit_deny"):
            lines += [f"  denied by the {m.describe()}" for m in self.statements]
        elif self.allowed:
            lines += [f"  granted by the {m.describe()}" for m in self.statements]
            if not self.statements:
                lines.append("  the account root user needs no policy in its own account")
        else:
            lines.append(f"  {_MISSING[self.reason]}")
            lines += [f"  held back: the {m.describe()}" for m in self.statements]
        return "\n".join(lines)


_MISSING = {
    "no_identity_allow": "no Allow statement of an identity-based policy applies",
    "no_resource_allow": "no Allow statement of the resource-based policy applies",
    "boundary_implicit_deny": "no Allow statement of the permissions boundary applies",
    "session_implicit_deny": "no Allow statement of the session policy applies",
}


# -- public API --------------------------------------------------------------------------------


def parse_identity_policy(document: str) -> Policy:
    """An identity-based (or boundary, or session) policy: the resource-policy grammar
    without Principal/NotPrincipal, which such policies must not have. Version defaults to
    2008-10-17 when absent (IAM Version element). Raises MalformedPolicyDocumentException."""
    decoded = policy_grammar._decode(document)
    if isinstance(decoded, dict):
        raw = decoded.get("Statement")
        items = [raw] if isinstance(raw, dict) else raw
        if isinstance(items, list):
            if any(isinstance(i, dict) and {"Principal", "NotPrincipal"} & i.keys() for i in items):
                raise MalformedPolicyDocumentException(messages.IDENTITY_POLICY_HAS_PRINCIPAL)
            # The shared grammar insists on a Principal; lend one and take it back.
            lent = [{**i, "Principal": "*"} if isinstance(i, dict) else i for i in items]
            decoded = {"Version": "2008-10-17", **decoded, "Statement": lent}
    parsed = policy_grammar._build(decoded)
    return replace(parsed, statements=tuple(replace(s, principal=None) for s in parsed.statements))


def evaluate(
    request: AccessRequest,
    *,
    identity_policies: Sequence[Policy] = (),
    permissions_boundary: Policy | None = None,
    resource_policy: Policy | None = None,
    session_policy: Policy | None = None,
    resource_policy_required: bool = False,
) -> Decision:
    """Decide ``request``. ``resource_policy`` is a secret's policy or a KMS key policy; set
    ``resource_policy_required`` for key policies, which must allow (module docstring)."""
    caller = caller_of(request)
    context = context_of(request, caller)
    root = request.principal_type == "Root"
    sources: dict[PolicyKind, Sequence[Policy]] = {"identity": () if root else identity_policies}
    sources["resource"] = () if resource_policy is None else (resource_policy,)
    # Nothing limits the root user but a resource policy.
    sources["boundary"] = () if root or permissions_boundary is None else (permissions_boundary,)
    sources["session"] = () if root or session_policy is None else (session_policy,)
    bound = permissions_boundary is not None and not root
    found = {
        kind: _scan(kind, policies, request, context, caller, bound=bound)
        for kind, policies in sources.items()
    }

    def decide(allowed: bool, reason: Reason, statements: Sequence[Matched] = ()) -> Decision:
        return Decision(
            allowed,
            reason,
            tuple(statements),
            request.principal_arn,
            request.action,
            request.resource,
        )

    for kind in _DENY_ORDER:
        denies = [m for m, _ in found[kind] if m.effect == "Deny"]
        if denies:
            return decide(False, _EXPLICIT[kind], denies)

    allows = {kind: [(m, g) for m, g in found[kind] if m.effect == "Allow"] for kind in found}
    best = max((grant for _, grant in allows["resource"]), default=Grant.NONE)
    reached = [m for m, grant in allows["resource"] if grant == best]
    same_account = request.resource_account in (None, request.principal_account)
    if root:
        if same_account and not resource_policy_required:
            return decide(True, "allowed")
        if best >= Grant.ACCOUNT:
            return decide(True, "allowed", reached)
        return decide(False, "no_resource_allow")

    limits = [m for kind in ("boundary", "session") for m, _ in allows[kind]]
    limit_reason: Reason | None = None
    if sources["boundary"] and not allows["boundary"]:
        limit_reason = "boundary_implicit_deny"
    elif sources["session"] and not allows["session"]:
        limit_reason = "session_implicit_deny"
    identity = [m for m, _ in allows["identity"]]
    if same_account:
        if best == Grant.DIRECT:
            return decide(True, "allowed", reached)
        if best == Grant.ROLE and limit_reason is None:
            return decide(True, "allowed", reached + limits)
        delegated = not resource_policy_required or best >= Grant.ACCOUNT
        if identity and limit_reason is None and delegated:
            return decide(True, "allowed", identity + limits)
        if not delegated:
            return decide(False, "no_resource_allow")
        if best == Grant.ROLE or identity:
            # Only the boundary's or the session policy's Allow is missing.
            held = reached if best == Grant.ROLE else identity
            return decide(False, limit_reason or "no_identity_allow", held)
        return decide(False, "no_identity_allow")
    if not identity:
        return decide(False, "no_identity_allow")
    if limit_reason is not None:
        return decide(False, limit_reason, identity)
    if best == Grant.NONE:
        return decide(False, "no_resource_allow")
    return decide(True, "allowed", identity + limits + reached)


def access_denied_message(
    decision: Decision, request: AccessRequest, *, shown_resource: str | None = None
) -> str:
    """The AccessDeniedException message for a denied ``decision``. Secrets Manager names
    the resource as the caller gave it (a name or an ARN), so pass ``shown_resource`` (the
    SecretId) when it differs from ``request.resource``; account-level actions
    (resource ``"*"``) name no resource."""
    if decision.allowed:
        raise ValueError("access_denied_message() needs a decision that denies the request")
    resource = request.resource if shown_resource is None else shown_resource
    on_resource = (
        "" if resource == "*" else messages.ACCESS_DENIED_ON_RESOURCE.format(resource=resource)
    )
    return _MESSAGES[decision.reason].format(
        principal=request.principal_arn, action=request.action, on_resource=on_resource
    )


# -- evaluation --------------------------------------------------------------------------------


def _scan(
    kind: PolicyKind,
    policies: Sequence[Policy],
    request: AccessRequest,
    context: Mapping[str, ContextValue],
    caller: Caller,
    *,
    bound: bool,
) -> list[tuple[Matched, Grant]]:
    found = []
    for policy_index, policy in enumerate(policies):
        # Policy variables exist only in language version 2012-10-17 (reference_policies_
        # variables); older documents read "${...}" literally.
        variables = policy.version == "2012-10-17"
        for index, statement in enumerate(policy.statements):
            grant = reach(statement, caller, bound=bound)
            if grant and _applies(statement, request, context, variables=variables):
                matched = Matched(kind, policy_index, index, statement.sid, statement.effect)
                found.append((matched, grant))
    return found


def _applies(
    statement: Statement,
    request: AccessRequest,
    context: Mapping[str, ContextValue],
    *,
    variables: bool,
) -> bool:
    # Action names are case-insensitive (reference_policies_elements_action).
    if not _covers(
        statement.action,
        statement.not_action,
        lambda pattern: matches(pattern, request.action, case_sensitive=False),
    ):
        return False
    try:
        return _covers(
            statement.resource,
            statement.not_resource,
            lambda pattern: resource_matches(
                pattern, request.resource, context, variables=variables
            ),
        ) and all(holds(c, context, variables=variables) for c in statement.conditions)
    except UnresolvedVariable:
        # "not present ... causes the statement to be invalid" (reference_policies_variables).
        return False


def _covers(
    patterns: tuple[str, ...] | None,
    excluded: tuple[str, ...] | None,
    test: Callable[[str], bool],
) -> bool:
    if patterns is not None:
        return any(test(p) for p in patterns)
    return excluded is not None and not any(test(p) for p in excluded)
