"""Resource policies (§11): the grammar of a secret's policy document and the checks that
PutResourcePolicy and ValidateResourcePolicy make.

A document is parsed into a typed ``Policy`` that keeps every element (Principal and
NotPrincipal, Action and NotAction, Resource and NotResource, Condition) so that calls can be
evaluated against it later; nothing is evaluated yet. The secret keeps the caller's own text.

"Broad access" is decided by Zelkova at AWS, which documents only examples; smfake's
definition (unverified): an Allow statement reaches everyone when its Principal is ``"*"``,
lists ``"*"`` for a principal type (``{"AWS": "*"}``), or when it uses NotPrincipal. It grants
broad access unless one of its conditions pins the caller down: a key of NARROWING_KEYS under
a positive string or ARN operator (not ...IfExists, not ForAllValues:), none of whose values
holds a wildcard. The documented keys are aws:SourceArn, aws:SourceVpc, aws:SourceVpce and
aws:SourceAccount; the principal's own account, ARN and organization pin it down as well.
"""

from __future__ import annotations

# A resource policy is a JSON document by definition: reading it is domain work, unlike the
# JSON 1.1 wire encoding that the layering keeps out of _domain.
import json
import re
from dataclasses import dataclass
from typing import Literal

from smfake._domain import messages
from smfake._domain.errors import (
    InvalidParameterException,
    MalformedPolicyDocumentException,
    PublicPolicyException,
    ResourceNotFoundException,
)
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore

Effect = Literal["Allow", "Deny"]

# The user's policy; PolicyName defaults to it [M].
DEFAULT_NAME = "default"
# The system-managed policy of a cross-account replica (1.44 §A7), attached by CreateSecret
# with CrossAccountPrimaryARN and removed by StopReplicationToReplica.
REPLICATION_POLICY_NAME = "cross-account-replication"
VERSIONS = frozenset({"2012-10-17", "2008-10-17"})

# ValidateResourcePolicy check names. AWS documents none of its own (unverified).
JSON_SYNTAX = "JSON_SYNTAX"
IAM_POLICY_SYNTAX = "IAM_POLICY_SYNTAX"
BROAD_ACCESS = "BROAD_ACCESS"
LOCKOUT = "LOCKOUT"

NARROWING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
    )
)
_NARROWING_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}
)
# Who can still manage the secret: a policy that denies both to everyone locks it for good.
_MANAGEMENT_ACTIONS = ("secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy")

_TOP_LEVEL_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource"}
    | {"NotResource", "Condition"}
)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+")
# An account id, an IAM or STS ARN in an account, or everyone (IAM policy grammar).
_AWS_PRINCIPAL = re.compile(r"\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+")
_OPERATORS = frozenset(
    {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
    | {"StringLike", "StringNotLike", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress"}
    | {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals"}
    | {"NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals"}
    | {"DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"}
    | {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
)
_QUALIFIERS = frozenset({"ForAnyValue", "ForAllValues"})


# -- the parsed document ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Principals:
    """A Principal or NotPrincipal element; the bare string ``"*"`` sets ``anyone``."""

    anyone: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        kinds = (self.aws, self.service, self.federated, self.canonical_user)
        return self.anyone or any("*" in values for values in kinds)


@dataclass(frozen=True, slots=True)
class Condition:
    """One test of a Condition block: ``operator`` as written (``ForAnyValue:StringLikeIfExists``),
    split into its ``base`` operator, set ``qualifier`` and ``if_exists``. Values are strings,
    as IAM compares them (``true``, ``42``)."""

    operator: str
    base: str
    qualifier: str | None
    if_exists: bool
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    effect: Effect
    sid: str | None = None
    principal: Principals | None = None
    not_principal: Principals | None = None
    action: tuple[str, ...] | None = None
    not_action: tuple[str, ...] | None = None
    resource: tuple[str, ...] | None = None
    not_resource: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    statements: tuple[Statement, ...]
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One entry of ValidateResourcePolicy's ValidationErrors."""

    check: str
    message: str


# -- operations (§11) -------------------------------------------------------------------------


def attach_policy(
    store: SecretStore, secret_id: str, *, document: str, block_public: bool, name: str
) -> Secret:
    secret = store.get_writable(secret_id, own_lifecycle=True)
    _check_writable_name(name)
    policy = parse(document)
    if block_public and grants_broad_access(policy):
        raise PublicPolicyException()
    secret.policy = document
    store.changed(secret)
    return secret


def attached(secret: Secret) -> dict[str, str]:
    """Every resource policy attached to ``secret``, by name: its ``default`` (the user's)
    and, on a cross-account replica, the system-managed one. Access control evaluates them
    all (unverified: the only reading under which the managed policy does anything)."""
    found = {} if secret.policy is None else {DEFAULT_NAME: secret.policy}
    link = secret.cross_account_primary
    if link is not None:
        found[REPLICATION_POLICY_NAME] = replication_policy(link.primary_arn)
    return found


def replication_policy(primary_arn: str) -> str:
    """The text of the managed policy: AWS does not publish it (unverified). Its purpose, per
    AWS's docs, is to let the primary's account accept replication into the replica."""
    partition, account = primary_arn.split(":")[1], primary_arn.split(":")[4]
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowCrossAccountReplication",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "secretsmanager:AcceptCrossAccountReplication",
                "Resource": "*",
            }
        ],
    }
    return json.dumps(document, separators=(",", ":"))


def policy_text(store: SecretStore, secret_id: str, *, name: str) -> tuple[Secret, str | None]:
    """The secret and the text of its policy ``name`` (GetResourcePolicy): ``default`` may
    be absent; another name must be attached."""
    secret = store.get_live(secret_id)
    policies = attached(secret)
    if name != DEFAULT_NAME and name not in policies:
        raise ResourceNotFoundException(messages.POLICY_NAME_NOT_FOUND)
    return secret, policies.get(name)


def policy_names(store: SecretStore, secret_id: str) -> tuple[Secret, list[str]]:
    """The names of the policies attached to a secret: ``default`` first, then the others in
    alphabetical order (ListResourcePolicies); ``default`` only when one is attached
    (unverified)."""
    secret = store.get_live(secret_id)
    names = list(attached(secret))
    return secret, sorted(names, key=lambda name: (name != DEFAULT_NAME, name))


def detach_policy(store: SecretStore, secret_id: str, *, name: str) -> Secret:
    secret = store.get_writable(secret_id, own_lifecycle=True)
    _check_writable_name(name)
    secret.policy = None
    store.changed(secret)
    return secret


def validate_policy(
    store: SecretStore, *, secret_id: str | None, document: str
) -> tuple[Finding, ...]:
    arn = None if secret_id is None else store.get_live(secret_id).arn
    return findings(document, arn=arn)


def _check_writable_name(name: str) -> None:
    if name != DEFAULT_NAME:
        raise InvalidParameterException(messages.POLICY_NAME_NOT_ALLOWED)


# -- checks -----------------------------------------------------------------------------------


def parse(document: str) -> Policy:
    """The policy, or MalformedPolicyDocumentException."""
    return _build(_decode(document))


def findings(document: str, *, arn: str | None = None) -> tuple[Finding, ...]:
    """What ValidateResourcePolicy reports; syntax errors stop the other checks."""
    try:
        decoded = _decode(document)
    except MalformedPolicyDocumentException as error:
        return (Finding(JSON_SYNTAX, error.message),)
    try:
        policy = _build(decoded)
    except MalformedPolicyDocumentException as error:
        return (Finding(IAM_POLICY_SYNTAX, error.message),)
    found = []
    if grants_broad_access(policy):
        found.append(Finding(BROAD_ACCESS, messages.POLICY_BROAD_ACCESS))
    if locks_out(policy, arn=arn):
        found.append(Finding(LOCKOUT, messages.POLICY_LOCKOUT))
    return tuple(found)


def grants_broad_access(policy: Policy) -> bool:
    return any(_is_broad(statement) for statement in policy.statements)


def locks_out(policy: Policy, *, arn: str | None) -> bool:
    """True when every caller is denied both writing and deleting the policy, without
    condition, so that nobody could ever change it again."""
    return all(
        any(_denies_everyone(statement, action, arn) for statement in policy.statements)
        for action in _MANAGEMENT_ACTIONS
    )


def matches(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """IAM wildcard matching: ``*`` is any run of characters, ``?`` any one character."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.fullmatch(regex, value, flags) is not None


def _is_broad(statement: Statement) -> bool:
    if statement.effect != "Allow":
        return False
    reaches_everyone = statement.not_principal is not None or (
        statement.principal is not None and statement.principal.everyone
    )
    return reaches_everyone and not any(_narrows(c) for c in statement.conditions)


def _narrows(condition: Condition) -> bool:
    return (
        condition.key.lower() in NARROWING_KEYS
        and condition.base in _NARROWING_OPERATORS
        # ForAllValues: and ...IfExists hold when the key is absent, so they narrow nothing.
        and condition.qualifier in (None, "ForAnyValue")
        and not condition.if_exists
        and all(value and not set(value) & {"*", "?"} for value in condition.values)
    )


def _denies_everyone(statement: Statement, action: str, arn: str | None) -> bool:
    if statement.effect != "Deny" or statement.conditions:
        return False
    if statement.principal is None or not statement.principal.everyone:
        return False
    if not _covers(statement.action, statement.not_action, action, case_sensitive=False):
        return False
    if arn is None:
        return statement.resource is not None and "*" in statement.resource
    return _covers(statement.resource, statement.not_resource, arn, case_sensitive=True)


def _covers(
    patterns: tuple[str, ...] | None,
    excluded: tuple[str, ...] | None,
    value: str,
    *,
    case_sensitive: bool,
) -> bool:
    if patterns is not None:
        return any(matches(p, value, case_sensitive=case_sensitive) for p in patterns)
    return excluded is not None and not any(
        matches(p, value, case_sensitive=case_sensitive) for p in excluded
    )


# -- grammar ----------------------------------------------------------------------------------


def _malformed(message: str = messages.POLICY_SYNTAX_ERROR) -> MalformedPolicyDocumentException:
    return MalformedPolicyDocumentException(message)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _decode(document: str) -> object:
    try:
        return json.loads(document, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise _malformed() from error


def _build(document: object) -> Policy:
    if not isinstance(document, dict) or not document.keys() <= _TOP_LEVEL_KEYS:
        raise _malformed()
    version = document.get("Version")
    if not isinstance(version, str) or version not in VERSIONS:
        raise _malformed()
    policy_id = document.get("Id")
    if "Id" in document and not isinstance(policy_id, str):
        raise _malformed()
    raw = document.get("Statement")
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise _malformed()
    return Policy(version, tuple(_statement(item) for item in items), policy_id)


def _statement(item: object) -> Statement:
    if not isinstance(item, dict) or not item.keys() <= _STATEMENT_KEYS:
        raise _malformed()
    sid = item.get("Sid")
    if "Sid" in item and not isinstance(sid, str):
        raise _malformed()
    effect: Effect
    if item.get("Effect") == "Allow":
        effect = "Allow"
    elif item.get("Effect") == "Deny":
        effect = "Deny"
    else:
        raise _malformed()
    _exactly_one(item, "Principal", "NotPrincipal")
    _exactly_one(item, "Action", "NotAction")
    _exactly_one(item, "Resource", "NotResource")
    return Statement(
        effect=effect,
        sid=sid,
        principal=_principals(item["Principal"]) if "Principal" in item else None,
        not_principal=_principals(item["NotPrincipal"]) if "NotPrincipal" in item else None,
        action=_actions(item["Action"]) if "Action" in item else None,
        not_action=_actions(item["NotAction"]) if "NotAction" in item else None,
        resource=_resources(item["Resource"]) if "Resource" in item else None,
        not_resource=_resources(item["NotResource"]) if "NotResource" in item else None,
        conditions=_conditions(item["Condition"]) if "Condition" in item else (),
    )


def _exactly_one(item: dict[str, object], name: str, negated: str) -> None:
    # A resource policy names whom it applies to, what and on which resource (IAM grammar).
    if (name in item) == (negated in item):
        raise _malformed()


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _malformed()


def _principals(value: object) -> Principals:
    if value == "*":
        return Principals(anyone=True)
    if not isinstance(value, dict) or not value or not value.keys() <= _PRINCIPAL_TYPES:
        raise _malformed()
    by_type = {kind: _strings(values) for kind, values in value.items()}
    aws = by_type.get("AWS", ())
    if not all(_AWS_PRINCIPAL.fullmatch(p) for p in aws):
        raise _malformed(messages.POLICY_UNSUPPORTED_PRINCIPAL)
    return Principals(
        aws=aws,
        service=by_type.get("Service", ()),
        federated=by_type.get("Federated", ()),
        canonical_user=by_type.get("CanonicalUser", ()),
    )


def _actions(value: object) -> tuple[str, ...]:
    actions = _strings(value)
    if not all(_ACTION.fullmatch(a) for a in actions):
        raise _malformed()
    return actions


def _resources(value: object) -> tuple[str, ...]:
    resources = _strings(value)
    # "*" or an ARN: arn:partition:service:region:account:resource.
    if not all(r == "*" or (r.startswith("arn:") and r.count(":") >= 5) for r in resources):
        raise _malformed()
    return resources


def _conditions(value: object) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        raise _malformed()
    found = []
    for operator, block in value.items():
        base, qualifier, if_exists = _operator(operator)
        if not isinstance(block, dict) or not block:
            raise _malformed()
        for key, raw in block.items():
            found.append(Condition(operator, base, qualifier, if_exists, key, _scalars(raw)))
    return tuple(found)


def _operator(operator: str) -> tuple[str, str | None, bool]:
    prefix, colon, rest = operator.partition(":")
    qualifier = prefix if colon else None
    name = rest if colon else operator
    if qualifier is not None and qualifier not in _QUALIFIERS:
        raise _malformed()
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    # IfExists makes no sense for Null, whose subject is whether the key exists.
    if base not in _OPERATORS or (if_exists and base == "Null"):
        raise _malformed()
    return base, qualifier, if_exists


def _scalars(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _malformed()
    return tuple(_scalar(item) for item in items)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise _malformed()
