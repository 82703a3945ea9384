"""Properties of AWS's policy evaluation logic as smfake implements it
(smfake._domain.access.evaluate), over random policy sets drawn from small alphabets of
effects, actions, resources, principals and conditions:

* an explicit Deny wins: a request covered by an applicable Deny statement is never allowed,
  whatever else the policies say (checked by injecting a Deny, and by evaluating each Deny
  statement on its own);
* adding an Allow statement never turns an allowed request into a denied one;
* a request to which no statement applies is denied, except for the account root user in its
  own account;
* every denial has an AccessDeniedException message and an explanation.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

from hypothesis import event, given
from hypothesis import strategies as st

from smfake._domain.access import (
    AccessRequest,
    Decision,
    access_denied_message,
    evaluate,
    parse_identity_policy,
)
from smfake._domain.policy import Policy, parse

ACCOUNT, OTHER = "111111111111", "222222222222"
SECRETS = {
    ACCOUNT: f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf",
    OTHER: f"arn:aws:secretsmanager:us-east-1:{OTHER}:secret:shared-XyZ123",
}
USER, ROLE = f"arn:aws:iam::{ACCOUNT}:user/prod/db", f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION, ROOT = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1", f"arn:aws:iam::{ACCOUNT}:root"
CALLERS = [
    (USER, ACCOUNT, "IAMUser"),
    (SESSION, ACCOUNT, "AssumedRole"),
    (ROLE, ACCOUNT, "Role"),
    (ROOT, ACCOUNT, "Root"),
    (f"arn:aws:iam::{OTHER}:user/bob", OTHER, "IAMUser"),
    (f"arn:aws:iam::{OTHER}:root", OTHER, "Root"),
]
ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "kms:Decrypt"]
ACTION_PATTERNS = [*ACTIONS, "secretsmanager:*", "SecretsManager:Get*", "kms:*", "*"]
RESOURCE_PATTERNS = [
    "*",
    SECRETS[ACCOUNT][:-6] + "??????",
    SECRETS[OTHER],
    "arn:aws:secretsmanager:*:*:secret:prod/*",
    f"arn:aws:secretsmanager:*:{OTHER}:secret:*",
    "arn:aws:secretsmanager:us-east-1:*:secret:${aws:username}-*",
]
PRINCIPALS = [
    {"Principal": "*"},
    *({"Principal": {"AWS": who}} for who in (USER, ROLE, SESSION, ACCOUNT, ROOT, OTHER)),
    {"NotPrincipal": {"AWS": [USER, ROOT]}},
    {"NotPrincipal": {"AWS": ROLE}},
]
CONDITIONS = [
    ("StringEquals", "aws:PrincipalTag/team", ["db"]),
    ("StringNotEquals", "aws:PrincipalTag/team", ["db", "web"]),
    ("StringLike", "secretsmanager:Name", ["prod/*"]),
    ("StringEqualsIgnoreCase", "aws:RequestTag/env", "PROD"),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]),
    ("ForAnyValue:StringLike", "aws:TagKeys", ["a*"]),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"]),
    ("Null", "aws:TagKeys", "true"),
    ("BoolIfExists", "aws:SecureTransport", "true"),
    ("NumericLessThan", "n", "5"),
    ("DateGreaterThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"),
    ("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8"]),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*"),
]


def _statement(effect, action, negate_action, resources, negate_resource, conditions, who):
    body = {"Effect": effect, **(who or {})}
    body["NotAction" if negate_action else "Action"] = action
    body["NotResource" if negate_resource else "Resource"] = resources
    if conditions:
        body["Condition"] = {}
        for operator, key, values in conditions:
            body["Condition"].setdefault(operator, {})[key] = values
    return body


def statements(with_principal, effects=("Allow", "Deny")):
    return st.builds(
        _statement,
        st.sampled_from(effects),
        st.sampled_from(ACTION_PATTERNS),
        st.booleans(),
        st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2),
        st.booleans(),
        # Half the statements have no condition, so that enough of them apply.
        st.just([]) | st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2),
        st.sampled_from(PRINCIPALS) if with_principal else st.none(),
    )


def _document(items):
    return json.dumps({"Version": "2012-10-17", "Statement": items})


def identity_policies(items=None):
    return st.lists(statements(False) if items is None else items, min_size=1, max_size=3).map(
        lambda found: parse_identity_policy(_document(found))
    )


def resource_policies(items=None):
    return st.lists(statements(True) if items is None else items, min_size=1, max_size=3).map(
        lambda found: parse(_document(found))
    )


contexts = st.fixed_dictionaries(
    {},
    optional={
        "aws:TagKeys": st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
        "aws:SecureTransport": st.booleans(),
        "n": st.integers(0, 9),
        "aws:CurrentTime": st.sampled_from(
            [datetime(2029, 6, 1, tzinfo=timezone.utc), datetime(2031, 6, 1, tzinfo=timezone.utc)]
        ),
        "aws:SourceIp": st.sampled_from(["10.1.2.3", "192.0.2.1"]),
        "aws:RequestTag/env": st.sampled_from(["prod", "dev"]),
        "secretsmanager:Name": st.sampled_from(["prod/db", "shared"]),
    },
)


@st.composite
def requests(draw):
    arn, account, kind = draw(st.sampled_from(CALLERS))
    owner = draw(st.sampled_from([ACCOUNT, ACCOUNT, OTHER]))  # same account twice as often
    return AccessRequest(
        principal_arn=arn,
        principal_account=account,
        principal_type=kind,
        action=draw(st.sampled_from(ACTIONS)),
        resource=SECRETS[owner],
        resource_account=owner,
        principal_tags=draw(st.fixed_dictionaries({}, optional={"team": st.just("db")})),
        context=draw(contexts),
    )


def policy_sets(identity=None, resource=None):
    identity = identity_policies() if identity is None else identity
    resource = resource_policies() if resource is None else resource
    return st.fixed_dictionaries(
        {
            "identity_policies": st.lists(identity, max_size=2),
            "resource_policy": st.none() | resource,
            "permissions_boundary": st.none() | identity,
            "session_policy": st.none() | identity,
            "resource_policy_required": st.sampled_from([False, False, True]),
        }
    )


def _check_denial(decision: Decision, request: AccessRequest) -> None:
    assert decision.explain().startswith(f"denied ({decision.reason})")
    assert access_denied_message(decision, request).startswith(f"User: {request.principal_arn} ")


EVERYTHING = {"Effect": "Deny", "Action": "*", "Resource": "*"}


@given(requests(), policy_sets(), st.sampled_from(["identity", "resource", "boundary"]))
def test_an_injected_deny_always_wins(request, policies, where):
    if where == "resource" or request.principal_type == "Root":
        # Only a resource policy binds the root user.
        extra = parse(_document([{**EVERYTHING, "Principal": "*"}]))
        old = policies["resource_policy"]
        policies["resource_policy"] = _join(old, extra)
    elif where == "identity":
        policies["identity_policies"] = [*policies["identity_policies"], _identity(EVERYTHING)]
    else:
        policies["permissions_boundary"] = _join(
            policies["permissions_boundary"], _identity(EVERYTHING)
        )
    decision = evaluate(request, **policies)
    assert not decision.allowed and decision.reason.startswith("explicit_deny"), decision.explain()
    _check_denial(decision, request)


@given(requests(), policy_sets())
def test_each_applicable_deny_alone_denies_the_whole_set(request, policies):
    decision = evaluate(request, **policies)
    for kind, index, statement in _statements(policies):
        if statement.effect != "Deny":
            continue
        alone = _only(policies, kind, index, statement)
        if evaluate(request, **alone).reason.startswith("explicit_deny"):
            event("a Deny statement applies")
            assert not decision.allowed, decision.explain()
            assert decision.reason.startswith("explicit_deny"), decision.explain()


@given(
    requests(),
    policy_sets(),
    st.sampled_from(["new identity", "identity", "resource", "boundary", "session"]),
    statements(False, effects=("Allow",)),
    st.sampled_from(PRINCIPALS),
)
def test_adding_an_allow_never_denies(request, policies, where, allow, who):
    before = evaluate(request, **policies)
    if where == "resource":
        policies["resource_policy"] = _join(
            policies["resource_policy"], parse(_document([{**allow, **who}]))
        )
    elif where == "new identity" or (where == "identity" and not policies["identity_policies"]):
        policies["identity_policies"] = [*policies["identity_policies"], _identity(allow)]
    elif where == "identity":
        first, *rest = policies["identity_policies"]
        policies["identity_policies"] = [_join(first, _identity(allow)), *rest]
    else:
        # A boundary or session policy that is not there yet would restrict: only extend one.
        slot = "permissions_boundary" if where == "boundary" else "session_policy"
        if policies[slot] is not None:
            policies[slot] = _join(policies[slot], _identity(allow))
    after = evaluate(request, **policies)
    event(f"{before.reason} -> {after.reason}")
    if before.allowed:
        assert after.allowed, f"{before.explain()}\n--- then ---\n{after.explain()}"
    else:
        _check_denial(before, request)


def _elsewhere(statement):
    # An action no request asks for, so that no statement applies.
    kept = {k: v for k, v in statement.items() if k not in ("Action", "NotAction")}
    return {**kept, "Action": "ec2:*"}


never = statements(False).map(_elsewhere)


@given(
    requests(),
    policy_sets(
        identity=identity_policies(never),
        resource=resource_policies(
            st.builds(lambda s, who: {**s, **who}, never, st.sampled_from(PRINCIPALS))
        ),
    ),
)
def test_no_applicable_statement_denies_all_but_root(request, policies):
    decision = evaluate(request, **policies)
    own = request.resource_account == request.principal_account
    root_at_home = request.principal_type == "Root" and own
    expected = root_at_home and not policies["resource_policy_required"]
    assert decision.allowed is expected, decision.explain()
    assert decision.statements == ()
    if not expected:
        assert not decision.reason.startswith("explicit_deny")
        _check_denial(decision, request)


# -- helpers ---------------------------------------------------------------------------------


def _identity(statement):
    return parse_identity_policy(_document([statement]))


def _join(policy: Policy | None, extra: Policy) -> Policy:
    if policy is None:
        return extra
    return replace(policy, statements=policy.statements + extra.statements)


def _statements(policies):
    slots = [("identity_policies", i, p) for i, p in enumerate(policies["identity_policies"])]
    for slot in ("resource_policy", "permissions_boundary", "session_policy"):
        if policies[slot] is not None:
            slots.append((slot, 0, policies[slot]))
    for slot, index, policy in slots:
        for statement in policy.statements:
            yield slot, index, statement


def _only(policies, kind, index, statement):
    """The same slots (a boundary stays a boundary), with ``statement`` as the only one."""

    def keep(slot, position, policy):
        chosen = slot == kind and position == index
        return replace(policy, statements=(statement,) if chosen else ())

    alone = dict(policies)
    alone["identity_policies"] = [
        keep("identity_policies", i, p) for i, p in enumerate(policies["identity_policies"])
    ]
    for slot in ("resource_policy", "permissions_boundary", "session_policy"):
        if policies[slot] is not None:
            alone[slot] = keep(slot, 0, policies[slot])
    return alone
