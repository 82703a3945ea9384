"""AWS's policy evaluation logic (smfake._domain.access) and IAM condition operators
(smfake._domain.conditions), as tables of cases. Sources are cited in the modules."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from smfake._domain import messages
from smfake._domain.access import (
    AccessRequest,
    access_denied_message,
    evaluate,
    parse_identity_policy,
)
from smfake._domain.conditions import holds, normalize, parse_date, resource_matches
from smfake._domain.errors import MalformedPolicyDocumentException
from smfake._domain.policy import parse

ACCOUNT, OTHER = "111111111111", "222222222222"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf"
FOREIGN = f"arn:aws:secretsmanager:us-east-1:{OTHER}:secret:shared-XyZ123"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROLE_PATH = f"arn:aws:iam::{ACCOUNT}:role/team/app"
GET = "secretsmanager:GetSecretValue"
CALLERS = {
    "user": (USER, ACCOUNT, "IAMUser"),
    "session": (SESSION, ACCOUNT, "AssumedRole"),
    "role": (ROLE, ACCOUNT, "Role"),
    "root": (ROOT, ACCOUNT, "Root"),
    "foreign-user": (f"arn:aws:iam::{OTHER}:user/bob", OTHER, "IAMUser"),
    "foreign-root": (f"arn:aws:iam::{OTHER}:root", OTHER, "Root"),
}


def request(caller="user", action=GET, resource=SECRET, tags=None, **context):
    arn, account, kind = CALLERS[caller]
    owner = None if resource == "*" else resource.split(":")[4]
    return AccessRequest(
        principal_arn=arn,
        principal_account=account,
        principal_type=kind,
        action=action,
        resource=resource,
        resource_account=owner,
        principal_tags=tags or {},
        context=context,
    )


def statement(effect, action=GET, resource="*", **extra):
    body = {"Effect": effect, "Action": action, "Resource": resource}
    for key in ("NotAction", "NotResource"):
        if key in extra:
            body.pop(key.removeprefix("Not"))
    body.update(extra)
    return body


def allow(action=GET, resource="*", **extra):
    return statement("Allow", action, resource, **extra)


def deny(action=GET, resource="*", **extra):
    return statement("Deny", action, resource, **extra)


def doc(*statements, version="2012-10-17"):
    return json.dumps({"Version": version, "Statement": list(statements)})


def identity(*statements, version="2012-10-17"):
    return parse_identity_policy(doc(*statements, version=version))


def resource(*statements, principal="*"):
    return parse(doc(*({"Principal": principal, **s} for s in statements)))


def named(*principals):
    return {"AWS": list(principals)}


MINE = identity(allow())
KEY_ROOT = resource(allow("kms:*"), principal=named(ROOT))
KEY_ROLE = resource(allow("kms:*"), principal=named(ROLE))
NARROW = identity(allow("kms:*"))  # a boundary or session policy that allows nothing here
SM = "arn:aws:secretsmanager"
DENY_ALL_BUT_USER = parse(doc({"NotPrincipal": named(USER, ROOT), **deny()}))


def ids(*policies):
    return {"identity_policies": list(policies)}


# fmt: off
CASES = [
    # -- identity policies, actions and resources ---------------------------------------------
    ("identity allow", request(), ids(MINE), "allowed"),
    ("no policy at all", request(), {}, "no_identity_allow"),
    ("deny beats allow", request(), ids(MINE, identity(deny())), "explicit_deny_identity"),
    ("action wildcard, any case", request(), ids(identity(allow("SecretsManager:get*"))),
     "allowed"),
    ("other action", request(action="secretsmanager:DeleteSecret"), ids(MINE),
     "no_identity_allow"),
    ("NotAction allows the rest", request(),
     ids(identity(allow(NotAction="secretsmanager:Delete*"))), "allowed"),
    ("NotAction excludes", request(action="secretsmanager:DeleteSecret"),
     ids(identity(allow(NotAction="secretsmanager:Delete*"))), "no_identity_allow"),
    ("Deny NotAction", request(action="secretsmanager:DeleteSecret"),
     ids(identity(allow("*"), deny(NotAction=GET))), "explicit_deny_identity"),
    ("six ? for the suffix", request(), ids(identity(allow(resource=SECRET[:-6] + "??????"))),
     "allowed"),
    ("five ? miss the suffix", request(), ids(identity(allow(resource=SECRET[:-6] + "?????"))),
     "no_identity_allow"),
    ("name prefix", request(), ids(identity(allow(resource=f"{SM}:*:*:secret:prod/*"))),
     "allowed"),
    ("resource names are case-sensitive", request(),
     ids(identity(allow(resource=f"{SM}:*:*:secret:PROD/*"))), "no_identity_allow"),
    ("partition and service fold case", request(),
     ids(identity(allow(resource="arn:AWS:SecretsManager:*:*:secret:prod/*"))), "allowed"),
    ("trailing * crosses colons", request(),
     ids(identity(allow(resource=f"{SM}:*:secret:prod/*"))), "allowed"),
    ("inner * stays in its segment", request(),
     ids(identity(allow(resource=f"{SM}:*1:secret:*"))), "no_identity_allow"),
    ("NotResource", request(), ids(identity(allow(NotResource=FOREIGN))), "allowed"),
    ("NotResource excludes", request(), ids(identity(allow(NotResource=SECRET))),
     "no_identity_allow"),
    ("account-level action needs Resource *",
     request(action="secretsmanager:ListSecrets", resource="*"),
     ids(identity(allow("secretsmanager:*", f"{SM}:*:*:*"))), "no_identity_allow"),
    ("account-level action", request(action="secretsmanager:ListSecrets", resource="*"),
     ids(identity(allow("secretsmanager:List*"))), "allowed"),
    # -- resource policies within one account -------------------------------------------------
    ("user named directly", request(),
     {"resource_policy": resource(allow(), principal=named(USER))}, "allowed"),
    ("Principal * needs nothing else", request(), {"resource_policy": resource(allow())},
     "allowed"),
    ("account root delegates", request(),
     {"resource_policy": resource(allow(), principal=named(ROOT))}, "no_identity_allow"),
    ("account id delegates", request(),
     {"resource_policy": resource(allow(), principal=named(ACCOUNT))}, "no_identity_allow"),
    ("delegation plus identity", request(),
     {"resource_policy": resource(allow(), principal=named(ROOT)), **ids(MINE)}, "allowed"),
    ("another principal named", request(),
     {"resource_policy": resource(allow(), principal=named(ROLE))}, "no_identity_allow"),
    ("resource deny beats identity allow", request(),
     {"resource_policy": resource(deny()), **ids(MINE)}, "explicit_deny_resource"),
    ("deny naming the account", request(),
     {"resource_policy": resource(deny(), principal=named(ACCOUNT)), **ids(MINE)},
     "explicit_deny_resource"),
    ("deny naming someone else", request(),
     {"resource_policy": resource(deny(), principal=named(ROLE)), **ids(MINE)}, "allowed"),
    ("identity deny reported first", request(),
     {"resource_policy": resource(deny()), **ids(identity(deny()))}, "explicit_deny_identity"),
    # -- role sessions --------------------------------------------------------------------------
    ("role named reaches its session", request("session"),
     {"resource_policy": resource(allow(), principal=named(ROLE))}, "allowed"),
    ("session named", request("session"),
     {"resource_policy": resource(allow(), principal=named(SESSION))}, "allowed"),
    ("another session named", request("session"),
     {"resource_policy": resource(allow(), principal=named(SESSION[:-1] + "2"))},
     "no_identity_allow"),
    ("role named, boundary without allow", request("session"),
     {"resource_policy": resource(allow(), principal=named(ROLE)),
      "permissions_boundary": NARROW}, "boundary_implicit_deny"),
    ("session named, boundary ignored", request("session"),
     {"resource_policy": resource(allow(), principal=named(SESSION)),
      "permissions_boundary": NARROW}, "allowed"),
    ("role named, session policy without allow", request("session"),
     {"resource_policy": resource(allow(), principal=named(ROLE)), "session_policy": NARROW},
     "session_implicit_deny"),
    ("role caller named by role ARN", request("role"),
     {"resource_policy": resource(allow(), principal=named(ROLE))}, "allowed"),
    ("role ARN from aws:PrincipalArn", request("session", **{"aws:PrincipalArn": ROLE}),
     {"resource_policy": resource(allow(), principal=named(ROLE))}, "allowed"),
    ("role ARN with a path", request("session", **{"aws:PrincipalArn": ROLE_PATH}),
     {"resource_policy": resource(allow(), principal=named(ROLE_PATH))}, "allowed"),
    # -- permissions boundaries and session policies ------------------------------------------
    ("boundary allows", request(),
     {**ids(MINE), "permissions_boundary": identity(allow("secretsmanager:*"))}, "allowed"),
    ("boundary without allow", request(), {**ids(MINE), "permissions_boundary": NARROW},
     "boundary_implicit_deny"),
    ("boundary deny", request(),
     {**ids(MINE), "permissions_boundary": identity(allow("*"), deny())},
     "explicit_deny_boundary"),
    ("boundary alone grants nothing", request(), {"permissions_boundary": identity(allow("*"))},
     "no_identity_allow"),
    ("user named directly passes the boundary", request(),
     {"resource_policy": resource(allow(), principal=named(USER)),
      "permissions_boundary": NARROW}, "allowed"),
    ("session policy allows", request("session"),
     {**ids(MINE), "session_policy": identity(allow("*"))}, "allowed"),
    ("session policy without allow", request("session"),
     {**ids(MINE), "session_policy": NARROW}, "session_implicit_deny"),
    ("session policy deny", request("session"),
     {**ids(MINE), "session_policy": identity(allow("*"), deny())}, "explicit_deny_session"),
    # -- NotPrincipal ---------------------------------------------------------------------------
    ("NotPrincipal deny spares user and account", request(),
     {**ids(MINE), "resource_policy": DENY_ALL_BUT_USER}, "allowed"),
    ("NotPrincipal deny without the account", request(),
     {**ids(MINE), "resource_policy": parse(doc({"NotPrincipal": named(USER), **deny()}))},
     "explicit_deny_resource"),
    ("NotPrincipal deny always hits a bounded principal", request(),
     {**ids(MINE), "permissions_boundary": identity(allow("*")),
      "resource_policy": DENY_ALL_BUT_USER}, "explicit_deny_resource"),
    ("NotPrincipal allow", request(),
     {"resource_policy": parse(doc({"NotPrincipal": named(ROLE), **allow()}))}, "allowed"),
    ("NotPrincipal allow excludes the account", request(),
     {"resource_policy": parse(doc({"NotPrincipal": named(ACCOUNT), **allow()}))},
     "no_identity_allow"),
    ("NotPrincipal * deny spares nobody listed", request(),
     {**ids(MINE), "resource_policy": parse(doc({"NotPrincipal": {"AWS": "*"}, **deny()}))},
     "allowed"),
    ("NotPrincipal deny spares a session with its role", request("session"),
     {**ids(MINE), "resource_policy": parse(doc({"NotPrincipal": named(SESSION, ROLE, ACCOUNT),
      **deny()}))}, "allowed"),
    ("NotPrincipal deny needs the role too", request("session"),
     {**ids(MINE), "resource_policy": parse(doc({"NotPrincipal": named(SESSION, ACCOUNT),
      **deny()}))}, "explicit_deny_resource"),
    # -- across accounts ------------------------------------------------------------------------
    ("cross-account, identity only", request("foreign-user"), ids(MINE), "no_resource_allow"),
    ("cross-account, resource only", request("foreign-user"),
     {"resource_policy": resource(allow(), principal=named(OTHER))}, "no_identity_allow"),
    ("cross-account, both", request("foreign-user"),
     {**ids(MINE), "resource_policy": resource(allow(), principal=named(OTHER))}, "allowed"),
    ("cross-account, boundary", request("foreign-user"),
     {**ids(MINE), "resource_policy": resource(allow()), "permissions_boundary": NARROW},
     "boundary_implicit_deny"),
    # -- the root user --------------------------------------------------------------------------
    ("root needs no policy", request("root"), {}, "allowed"),
    ("root ignores identity policies", request("root"), ids(identity(deny("*"))), "allowed"),
    ("resource deny binds root", request("root"), {"resource_policy": resource(deny())},
     "explicit_deny_resource"),
    ("foreign root needs the resource policy", request("foreign-root"), {},
     "no_resource_allow"),
    ("foreign root allowed by account", request("foreign-root"),
     {"resource_policy": resource(allow(), principal=named(OTHER))}, "allowed"),
    # -- KMS key policies must allow ------------------------------------------------------------
    ("key policy enables IAM", request(action="kms:Decrypt"),
     {"resource_policy": KEY_ROOT, **ids(identity(allow("kms:Decrypt"))),
      "resource_policy_required": True}, "allowed"),
    ("key policy enables IAM, none allows", request(action="kms:Decrypt"),
     {"resource_policy": KEY_ROOT, "resource_policy_required": True}, "no_identity_allow"),
    ("IAM alone cannot use a key", request(action="kms:Decrypt"),
     {"resource_policy": KEY_ROLE, **ids(identity(allow("kms:*"))),
      "resource_policy_required": True}, "no_resource_allow"),
    ("key policy names the session's role", request("session", action="kms:Decrypt"),
     {"resource_policy": KEY_ROLE, "resource_policy_required": True}, "allowed"),
    ("root needs the key policy too", request("root", action="kms:Decrypt"),
     {"resource_policy": KEY_ROLE, "resource_policy_required": True}, "no_resource_allow"),
]
# fmt: on


@pytest.mark.parametrize(
    ("req", "policies", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_evaluate_reason(req, policies, reason):
    decision = evaluate(req, **policies)
    assert (decision.allowed, decision.reason) == (reason == "allowed", reason), decision.explain()


# -- conditions ---------------------------------------------------------------------------------

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
B64 = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="  # the operators page's example: "BinaryValueInBase64"
ARN_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
ARN_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/doc"
NOW = {"aws:CurrentTime": T0}
TAGS = "aws:TagKeys"
# fmt: off
CONDITIONS = [
    ({"StringEquals": {"secretsmanager:ResourceTag/team": "db"}},
     {"secretsmanager:resourcetag/team": "db"}, True),
    ({"StringEquals": {"secretsmanager:ResourceTag/team": "db"}}, {}, False),
    ({"StringEquals": {"aws:RequestTag/team": "db"}}, {"aws:RequestTag/team": "DB"}, False),
    ({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"}, True),
    ({"StringEquals": {"k": "a", "j": "b"}}, {"k": "a", "j": "c"}, False),
    ({"StringEquals": {"k": "a"}, "StringLike": {"j": "b*"}}, {"k": "a", "j": "bc"}, True),
    ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"}, False),
    ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"}, True),
    ({"StringNotEquals": {"k": "a"}}, {}, True),
    ({"StringEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, True),
    ({"StringNotEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, False),
    ({"StringLike": {"secretsmanager:Name": "prod/*"}}, {"secretsmanager:name": "prod/db"}, True),
    ({"StringLike": {"k": "a?c"}}, {"k": "abbc"}, False),
    ({"StringNotLike": {"k": "a*"}}, {}, True),
    ({"StringNotLike": {"k": ["a*", "b*"]}}, {"k": "bee"}, False),
    ({"StringLike": {"k": ARN_PATTERN}}, {"k": ARN_VALUE}, True),
    ({"ArnLike": {"k": ARN_PATTERN}}, {"k": ARN_VALUE}, False),
    ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}}, {"aws:principalarn": ROLE},
     True),
    ({"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:role/*"}}, {}, True),
    ({"ArnLike": {"k": "arn:aws:iam::*:role/*"}}, {"k": "not-an-arn"}, False),
    ({"NumericLessThan": {"n": "10"}}, {"n": 9}, True),
    ({"NumericLessThanEquals": {"n": "10"}}, {"n": "10"}, True),
    ({"NumericGreaterThan": {"n": "10"}}, {"n": 10}, False),
    ({"NumericGreaterThanEquals": {"n": "1.5"}}, {"n": 2}, True),
    ({"NumericEquals": {"n": ["1", "2"]}}, {"n": 2}, True),
    ({"NumericNotEquals": {"n": ["1", "2"]}}, {"n": 2}, False),
    ({"NumericEquals": {"n": "x"}}, {"n": 2}, False),
    ({"NumericEquals": {"n": "2"}}, {"n": "two"}, False),
    ({"DateGreaterThan": {"aws:CurrentTime": "2029-12-31T23:59:59Z"}}, NOW, True),
    ({"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}, NOW, False),
    ({"DateLessThanEquals": {"aws:CurrentTime": "2030-01-01T00:00:00+00:00"}}, NOW, True),
    ({"DateEquals": {"aws:EpochTime": "1893456000"}}, {"aws:EpochTime": 1893456000}, True),
    ({"DateEquals": {"aws:CurrentTime": "1893456000"}}, NOW, True),
    ({"DateNotEquals": {"aws:CurrentTime": "2030-01"}}, NOW, False),
    ({"DateGreaterThanEquals": {"aws:CurrentTime": "2030-01-01T01:00:00+01:00"}},
     {"aws:CurrentTime": "2030-01-01T00:00:00Z"}, True),
    ({"DateLessThan": {"aws:CurrentTime": "soon"}}, NOW, False),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": False}, True),
    ({"Bool": {"aws:SecureTransport": "True"}}, {"aws:securetransport": "true"}, True),
    ({"Bool": {"aws:SecureTransport": "false"}}, {}, False),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": T0}, True),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": T0}, False),
    ({"Null": {TAGS: "true"}}, {TAGS: []}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.9"}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.9"}}, {"aws:SourceIp": "203.0.113.10"}, False),
    ({"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}},
     {"aws:SourceIp": "2001:db8:1234:5678::1"}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "2001:db8::1"}, False),
    ({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
     {"aws:SourceIp": "192.168.1.1"}, False),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "8.8.8.8"}, True),
    ({"IpAddress": {"aws:SourceIp": "bogus"}}, {"aws:SourceIp": "8.8.8.8"}, False),
    ({"BinaryEquals": {"k": B64}}, {"k": b"BinaryValueInBase64"}, True),
    ({"BinaryEquals": {"k": B64}}, {"k": B64}, True),
    ({"BinaryEquals": {"k": B64}}, {"k": b"other"}, False),
    ({"StringEqualsIfExists": {"k": "a"}}, {}, True),
    ({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, False),
    ({"StringNotEqualsIfExists": {"k": "a"}}, {}, True),
    ({"StringNotEqualsIfExists": {"k": "a"}}, {"k": "a"}, False),
    ({"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {}, True),
    ({"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: []}, True),
    ({"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["a"]}, True),
    ({"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["a", "c"]}, False),
    ({"ForAllValues:StringNotLike": {TAGS: "key1*"}}, {TAGS: ["key1:legal"]}, False),
    ({"ForAllValues:StringNotLike": {TAGS: "key1*"}}, {TAGS: ["key2:audit"]}, True),
    ({"ForAllValues:StringNotLike": {TAGS: "key1*"}}, {}, True),
    ({"ForAnyValue:StringEquals": {TAGS: "a"}}, {}, False),
    ({"ForAnyValue:StringEquals": {TAGS: "a"}}, {TAGS: [""]}, False),
    ({"ForAnyValue:StringEquals": {TAGS: "a"}}, {TAGS: ["b", "a"]}, True),
    ({"ForAnyValue:StringNotEquals": {TAGS: "a"}}, {TAGS: ["a", "b"]}, True),
    ({"ForAnyValue:StringNotEquals": {TAGS: "a"}}, {TAGS: ["a"]}, False),
    ({"ForAnyValue:StringEqualsIfExists": {TAGS: "a"}}, {}, True),
    # boto/boto3#2957: a VersionStage condition fails when the caller names no stage.
    ({"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}, {}, False),
    ({"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}},
     {"secretsmanager:VersionStage": ["AWSCURRENT"]}, True),
    ({"StringEquals": {"secretsmanager:VersionId": "v1"}}, {"secretsmanager:versionid": "v1"},
     True),
    ({"StringEquals": {"AWS:PrincipalTag/Team": "db"}}, {"aws:principaltag/team": "db"}, True),
    ({"StringEquals": {"k": "${aws:username}"}}, {"k": "alice", "aws:username": "alice"}, True),
    ({"StringEquals": {"k": "${aws:userid, 'anonymous'}"}}, {"k": "anonymous"}, True),
    ({"StringLike": {"k": "a${*}"}}, {"k": "a*"}, True),
    ({"StringLike": {"k": "a${*}"}}, {"k": "ab"}, False),
    ({"StringEquals": {"k": "${$}{x}"}}, {"k": "${x}"}, True),
    ({"NumericEquals": {"n": "${n}"}}, {"n": "1"}, False),
    # Typed request values meet string operators in their text form.
    ({"StringEquals": {"k": "2030-01-01T00:00:00Z"}}, {"k": T0}, True),
    ({"StringEquals": {"k": B64}}, {"k": b"BinaryValueInBase64"}, True),
    ({"StringEquals": {"k": "7"}}, {"k": 7}, True),
    ({"NumericEquals": {"n": "1"}}, {"n": True}, False),
    ({"DateEquals": {"aws:CurrentTime": "1893456000"}}, {"aws:CurrentTime": True}, False),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.0.0"}, False),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": 10}, False),
    ({"BinaryEquals": {"k": B64}}, {"k": "not base64!"}, False),
    ({"BinaryEquals": {"k": B64}}, {"k": 1}, False),
]
# fmt: on


def _conditions(block, version="2012-10-17"):
    return parse(doc({"Principal": "*", **allow(Condition=block)}, version=version))


@pytest.mark.parametrize(
    ("block", "context", "expected"),
    CONDITIONS,
    ids=[f"{i}-{next(iter(c[0]))}" for i, c in enumerate(CONDITIONS)],
)
def test_condition_operator(block, context, expected):
    conditions = _conditions(block).statements[0].conditions
    assert all(holds(c, normalize(context), variables=True) for c in conditions) is expected


def test_variables_are_literal_before_2012_10_17():
    conditions = _conditions({"StringEquals": {"k": "${x}"}}, "2008-10-17").statements[0].conditions
    assert holds(conditions[0], {"k": "${x}", "x": "1"}, variables=False)


@pytest.mark.parametrize(
    ("pattern", "context", "expected"),
    [
        ("arn:aws:secretsmanager:*:*:secret:${aws:username}-*", {"aws:username": "prod/db"}, True),
        (
            "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*",
            {"aws:principaltag/team": "prod"},
            True,
        ),
        (
            "arn:aws:secretsmanager:*:*:secret:${aws:username}",
            {"aws:username": "prod/db-AbCd?f"},
            False,
        ),
    ],
)
def test_resource_variables(pattern, context, expected):
    assert resource_matches(pattern, SECRET, context, variables=True) is expected


def test_resource_patterns_outside_arns():
    assert resource_matches("not-an-arn*", "not-an-arn-either", {}, variables=True)
    assert not resource_matches(f"{SM}:*:*:*", "*", {}, variables=True)
    assert resource_matches("*", "*", {}, variables=True)


def test_unresolved_variable_makes_the_statement_invalid():
    # A session has no aws:username: neither the Allow nor the Deny applies.
    template = "arn:aws:secretsmanager:*:*:secret:${aws:username}*"
    assert (
        evaluate(request("session"), identity_policies=[identity(allow(resource=template))]).reason
        == "no_identity_allow"
    )
    denied = identity(allow(), deny(resource=template))
    assert evaluate(request("session"), identity_policies=[denied]).allowed
    named_prod = request("user", **{"aws:username": "prod"})
    assert evaluate(named_prod, identity_policies=[denied]).reason == "explicit_deny_identity"


def test_principal_keys_are_derived():
    policy = identity(
        allow(
            Condition={
                "StringEquals": {"aws:PrincipalTag/team": "db", "aws:PrincipalType": "AssumedRole"},
                "ArnEquals": {"aws:PrincipalArn": ROLE},
                "StringLike": {"aws:PrincipalAccount": ACCOUNT},
            }
        )
    )
    assert evaluate(request("session", tags={"Team": "db"}), identity_policies=[policy]).allowed
    assert not evaluate(request("session"), identity_policies=[policy]).allowed


def test_session_arn_of_unknown_shape_matches_only_itself():
    odd = f"arn:aws:sts::{ACCOUNT}:federated-user/bob"
    req = AccessRequest(
        principal_arn=odd,
        principal_account=ACCOUNT,
        principal_type="AssumedRole",
        action=GET,
        resource=SECRET,
        resource_account=ACCOUNT,
    )
    assert evaluate(req, resource_policy=resource(allow(), principal=named(odd))).allowed
    assert not evaluate(req, resource_policy=resource(allow(), principal=named(ROLE))).allowed


def test_request_context_overrides_derived_keys():
    policy = identity(allow(Condition={"StringEquals": {"aws:username": "bob"}}))
    assert evaluate(request(**{"AWS:UserName": "bob"}), identity_policies=[policy]).allowed


def test_parse_date_forms():
    assert parse_date("2030") == datetime(1970, 1, 1, 0, 33, 50, tzinfo=timezone.utc)
    assert parse_date("2030-01") == T0
    assert parse_date(datetime(2030, 1, 1)) == T0
    assert parse_date(b"x") is None


# -- identity policies, messages, explanations --------------------------------------------------


def test_identity_policy_refuses_a_principal():
    with pytest.raises(MalformedPolicyDocumentException) as raised:
        parse_identity_policy(doc({"Principal": "*", **allow()}))
    assert raised.value.message == messages.IDENTITY_POLICY_HAS_PRINCIPAL


def test_identity_policy_version_defaults_to_2008():
    parsed = parse_identity_policy(json.dumps({"Statement": allow()}))
    assert parsed.version == "2008-10-17"
    assert parsed.statements[0].principal is None


def test_identity_policy_syntax_errors_are_malformed():
    with pytest.raises(MalformedPolicyDocumentException):
        parse_identity_policy(json.dumps({"Statement": [{"Effect": "Maybe"}]}))


def test_identity_policy_lone_statement_and_junk():
    single = parse_identity_policy(json.dumps({"Version": "2012-10-17", "Statement": allow()}))
    assert single.statements[0].action == (GET,)
    for junk in ("[]", json.dumps({"Version": "2012-10-17", "Statement": "x"})):
        with pytest.raises(MalformedPolicyDocumentException):
            parse_identity_policy(junk)


def test_request_refuses_an_unknown_principal_type():
    with pytest.raises(ValueError, match="principal_type is one of"):
        AccessRequest(
            principal_arn=USER,
            principal_account=ACCOUNT,
            principal_type="Group",
            action=GET,
            resource=SECRET,
            resource_account=ACCOUNT,
        )  # type: ignore[arg-type]


TAIL = {
    "explicit_deny_identity": "with an explicit deny in an identity-based policy",
    "explicit_deny_resource": "with an explicit deny in a resource-based policy",
    "explicit_deny_boundary": "with an explicit deny in a permissions boundary",
    "explicit_deny_session": "with an explicit deny in a session policy",
    "no_identity_allow": f"because no identity-based policy allows the {GET} action",
    "no_resource_allow": f"because no resource-based policy allows the {GET} action",
    "boundary_implicit_deny": f"because no permissions boundary allows the {GET} action",
    "session_implicit_deny": f"because no session policy allows the {GET} action",
}


@pytest.mark.parametrize(
    "case", [c for c in CASES if c[3] != "allowed" and c[1].action == GET], ids=lambda c: c[0]
)
def test_access_denied_message(case):
    _, req, policies, reason = case
    text = access_denied_message(evaluate(req, **policies), req)
    assert text == (
        f"User: {req.principal_arn} is not authorized to perform: {GET} "
        f"on resource: {SECRET} {TAIL[reason]}"
    )


def test_access_denied_message_forms():
    listing = request(action="secretsmanager:ListSecrets", resource="*")
    assert access_denied_message(evaluate(listing), listing) == (
        f"User: {USER} is not authorized to perform: secretsmanager:ListSecrets "
        "because no identity-based policy allows the secretsmanager:ListSecrets action"
    )
    req = request()
    assert access_denied_message(evaluate(req), req, shown_resource="prod/db") == (
        f"User: {USER} is not authorized to perform: {GET} on resource: prod/db "
        f"because no identity-based policy allows the {GET} action"
    )
    with pytest.raises(ValueError, match="denies"):
        access_denied_message(evaluate(req, identity_policies=[MINE]), req)


def test_explain_names_the_deciding_statements():
    denied = evaluate(request(), identity_policies=[MINE, identity({**deny(), "Sid": "NoDb"})])
    assert 'Deny statement #0 (Sid "NoDb") of the identity-based policy #1' in denied.explain()
    allowed = evaluate(request(), resource_policy=resource(allow()))
    assert "granted by the Allow statement #0 of the resource-based policy" in allowed.explain()
    held = evaluate(
        request(), identity_policies=[MINE], permissions_boundary=identity(allow("kms:*"))
    )
    assert "no Allow statement of the permissions boundary" in held.explain()
    assert "held back: the Allow statement #0 of the identity-based policy #0" in held.explain()
    assert "root user needs no policy" in evaluate(request("root")).explain()
