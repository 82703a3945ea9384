"""Access control through boto3 clients signed as different principals (enforce_access)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from smfake import mock_secretsmanager
from tests import operation_examples as examples

ACCOUNT, OTHER = "123456789012", "111122223333"
READER_KEY, OTHER_KEY, ROLE_KEY = (
    "AKIAREADER0000000001",
    "AKIAOTHER00000000001",
    "ASIAROLE000000000001",
)
READER = f"arn:aws:iam::{ACCOUNT}:user/reader"
PREFIX = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:"
KMS_DENIED = ("AccessDeniedException", "Access to KMS is not allowed", 400)


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def client(key, region="us-east-1"):
    return boto3.client(
        "secretsmanager",
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
        aws_session_token="token" if key.startswith("ASIA") else None,
    )


def denied(action, resource, reason):
    on = f" on resource: {resource}" if resource else ""
    return (
        "AccessDeniedException",
        f"User: {READER} is not authorized to perform: {action}{on} {reason}",
        400,
    )


@pytest.fixture
def fake():
    with mock_secretsmanager(enforce_access=True) as active:
        yield active


@pytest.fixture
def admin(fake):
    # An unregistered key acts as the account's root user: allowed everything.
    admin = client("AKIAADMIN00000000001")
    admin.create_secret(
        Name="app/db", SecretString="db-value", Tags=[{"Key": "team", "Value": "core"}]
    )
    admin.create_secret(Name="other", SecretString="other-value")
    return admin


def reader(fake, *statements, boundary=None):
    fake.principals.add(
        READER_KEY,
        "secret",
        arn=READER,
        policies=[doc(*statements)] if statements else [],
        permissions_boundary=boundary,
    )
    return client(READER_KEY)


def outcome(call):
    try:
        call()
    except ClientError as excinfo:
        response = excinfo.response
        return (
            response["Error"]["Code"],
            response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"],
        )
    return "ok"


GET = "secretsmanager:GetSecretValue"
NO_IDENTITY = "because no identity-based policy allows the {} action"

# (case, identity statements, call, expected: "ok" or (code, message, status))
CASES = [
    (
        "allow",
        [allow(GET, PREFIX + "app/*")],
        lambda c: c.get_secret_value(SecretId="app/db"),
        "ok",
    ),
    (
        "no allow names the resource as given",
        [allow(GET, PREFIX + "app/*")],
        lambda c: c.get_secret_value(SecretId="other"),
        denied(GET, "other", NO_IDENTITY.format(GET)),
    ),
    (
        "explicit deny wins",
        [allow("secretsmanager:*"), deny(GET, PREFIX + "app/db-??????")],
        lambda c: c.get_secret_value(SecretId="app/db"),
        denied(GET, "app/db", "with an explicit deny in an identity-based policy"),
    ),
    (
        "NotAction",
        [{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"}],
        lambda c: c.describe_secret(SecretId="app/db"),
        "ok",
    ),
    (
        "NotAction leaves the named action out",
        [{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"}],
        lambda c: c.delete_secret(SecretId="app/db"),
        denied(
            "secretsmanager:DeleteSecret",
            "app/db",
            NO_IDENTITY.format("secretsmanager:DeleteSecret"),
        ),
    ),
    (
        "wildcard resource with the ARN suffix",
        [allow(GET, PREFIX + "app/db-??????")],
        lambda c: c.get_secret_value(SecretId="app/db"),
        "ok",
    ),
    (
        "resource tag condition met",
        [allow(GET, Condition={"StringEquals": {"secretsmanager:ResourceTag/team": "core"}})],
        lambda c: c.get_secret_value(SecretId="app/db"),
        "ok",
    ),
    (
        "resource tag condition not met",
        [allow(GET, Condition={"StringEquals": {"secretsmanager:ResourceTag/team": "core"}})],
        lambda c: c.get_secret_value(SecretId="other"),
        denied(GET, "other", NO_IDENTITY.format(GET)),
    ),
    (
        "version stage condition met",
        [allow(GET, Condition={"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}})],
        lambda c: c.get_secret_value(SecretId="app/db", VersionStage="AWSCURRENT"),
        "ok",
    ),
    (
        "version stage condition not met",
        [allow(GET, Condition={"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}})],
        lambda c: c.get_secret_value(SecretId="app/db", VersionStage="AWSPREVIOUS"),
        denied(GET, "app/db", NO_IDENTITY.format(GET)),
    ),
    (
        "ListSecrets is one account-level action",
        [allow("secretsmanager:ListSecrets")],
        lambda c: c.list_secrets(),
        "ok",
    ),
    (
        "ListSecrets names no resource",
        [allow(GET)],
        lambda c: c.list_secrets(),
        denied(
            "secretsmanager:ListSecrets", None, NO_IDENTITY.format("secretsmanager:ListSecrets")
        ),
    ),
    (
        "request tags required at creation",
        [
            allow(
                "secretsmanager:CreateSecret",
                Condition={"StringEquals": {"aws:RequestTag/team": "core"}},
            ),
            allow("secretsmanager:TagResource"),
        ],
        lambda c: c.create_secret(Name="new", Tags=[{"Key": "team", "Value": "core"}]),
        "ok",
    ),
    (
        "request tags missing at creation",
        [
            allow(
                "secretsmanager:CreateSecret",
                Condition={"StringEquals": {"aws:RequestTag/team": "core"}},
            )
        ],
        lambda c: c.create_secret(Name="new"),
        denied(
            "secretsmanager:CreateSecret",
            PREFIX + "new-??????",
            NO_IDENTITY.format("secretsmanager:CreateSecret"),
        ),
    ),
    (
        "tags at creation need TagResource too",
        [allow("secretsmanager:CreateSecret")],
        lambda c: c.create_secret(Name="new", Tags=[{"Key": "team", "Value": "core"}]),
        denied(
            "secretsmanager:TagResource",
            PREFIX + "new-??????",
            NO_IDENTITY.format("secretsmanager:TagResource"),
        ),
    ),
]


@pytest.mark.parametrize(
    ("statements", "call", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_access_policy_cases(fake, admin, statements, call, expected):
    assert outcome(lambda: call(reader(fake, *statements))) == expected


def test_access_refused_call_changes_nothing(fake, admin):
    c = reader(fake, allow("secretsmanager:ListSecretVersionIds"))
    assert outcome(lambda: c.put_secret_value(SecretId="app/db", SecretString="x"))[0] == (
        "AccessDeniedException"
    )
    assert len(admin.list_secret_version_ids(SecretId="app/db")["Versions"]) == 1
    assert fake.events.filter("PutSecretValue")[-1].error_code == "AccessDeniedException"


def test_access_resource_policy_explicit_deny(fake, admin):
    admin.put_resource_policy(
        SecretId="app/db",
        ResourcePolicy=json.dumps(doc({**deny(GET), "Principal": {"AWS": READER}})),
    )
    c = reader(fake, allow("secretsmanager:*"))
    assert outcome(lambda: c.get_secret_value(SecretId="app/db")) == denied(
        GET, "app/db", "with an explicit deny in a resource-based policy"
    )


def test_access_resource_policy_alone_grants_a_named_user(fake, admin):
    admin.put_resource_policy(
        SecretId="app/db",
        ResourcePolicy=json.dumps(doc({**allow(GET), "Principal": {"AWS": READER}})),
    )
    c = reader(fake)
    assert c.get_secret_value(SecretId="app/db")["SecretString"] == "db-value"


def test_access_permissions_boundary(fake, admin):
    c = reader(fake, allow("secretsmanager:*"), boundary=doc(allow("secretsmanager:Describe*")))
    assert outcome(lambda: c.describe_secret(SecretId="app/db")) == "ok"
    assert outcome(lambda: c.get_secret_value(SecretId="app/db")) == denied(
        GET, "app/db", f"because no permissions boundary allows the {GET} action"
    )


def test_access_customer_key_needs_kms_decrypt(fake, admin):
    fake.kms.create_key(alias="alias/app")
    admin.create_secret(Name="app/cmk", SecretString="cmk-value", KmsKeyId="alias/app")
    without = reader(fake, allow(GET))
    assert outcome(lambda: without.get_secret_value(SecretId="app/cmk")) == KMS_DENIED
    with_decrypt = reader(fake, allow(GET), allow("kms:Decrypt"))
    assert with_decrypt.get_secret_value(SecretId="app/cmk")["SecretString"] == "cmk-value"
    # The AWS managed key needs no KMS permission from callers of its own account.
    assert without.get_secret_value(SecretId="app/db")["SecretString"] == "db-value"


def test_access_key_policy_can_refuse_what_iam_allows(fake, admin):
    key = fake.kms.create_key(
        policy=doc(
            {**allow("kms:*"), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
            {**deny("kms:Decrypt"), "Principal": {"AWS": READER}},
        )
    )
    admin.create_secret(Name="app/locked", SecretString="v", KmsKeyId=key)
    c = reader(fake, allow(GET), allow("kms:Decrypt"))
    assert outcome(lambda: c.get_secret_value(SecretId="app/locked")) == KMS_DENIED
    assert admin.get_secret_value(SecretId="app/locked")["SecretString"] == "v"


def test_access_writing_with_a_customer_key_needs_generate_data_key(fake, admin):
    key = fake.kms.create_key()
    admin.create_secret(Name="app/w", SecretString="v", KmsKeyId=key)
    c = reader(fake, allow("secretsmanager:PutSecretValue"))
    assert outcome(lambda: c.put_secret_value(SecretId="app/w", SecretString="x")) == KMS_DENIED
    c = reader(fake, allow("secretsmanager:PutSecretValue"), allow("kms:GenerateDataKey"))
    assert outcome(lambda: c.put_secret_value(SecretId="app/w", SecretString="x")) == "ok"


def test_access_cross_account_needs_both_sides(fake, admin):
    arn = fake.kms.create_key(
        policy=doc(
            {**allow("kms:*"), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
            {**allow("kms:Decrypt"), "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}},
        )
    )
    secret = admin.create_secret(Name="shared", SecretString="shared-value", KmsKeyId=arn)["ARN"]
    fake.principals.add(
        OTHER_KEY,
        "secret",
        arn=f"arn:aws:iam::{OTHER}:user/app",
        policies=[doc(allow(GET), allow("kms:Decrypt"))],
    )
    other = client(OTHER_KEY)
    code, message, status = outcome(lambda: other.get_secret_value(SecretId=secret))
    assert message.endswith(f"because no resource-based policy allows the {GET} action")
    admin.put_resource_policy(
        SecretId="shared",
        ResourcePolicy=json.dumps(
            doc({**allow(GET), "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}})
        ),
    )
    assert other.get_secret_value(SecretId=secret)["SecretString"] == "shared-value"


def test_access_cross_account_default_key_is_refused_by_kms(fake, admin):
    secret = admin.describe_secret(SecretId="other")["ARN"]
    admin.put_resource_policy(
        SecretId="other",
        ResourcePolicy=json.dumps(
            doc({**allow(GET), "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}})
        ),
    )
    fake.principals.add(
        OTHER_KEY, "secret", arn=f"arn:aws:iam::{OTHER}:user/app", policies=[doc(allow(GET))]
    )
    assert outcome(lambda: client(OTHER_KEY).get_secret_value(SecretId=secret)) == KMS_DENIED


def test_access_role_session(fake, admin):
    fake.principals.add(
        ROLE_KEY,
        "secret",
        arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1",
        session_token="token",
        policies=[doc(allow(GET, PREFIX + "app/*"))],
        tags={"team": "core"},
    )
    c = client(ROLE_KEY)
    assert c.get_secret_value(SecretId="app/db")["SecretString"] == "db-value"
    _, message, _ = outcome(lambda: c.get_secret_value(SecretId="other"))
    assert message.startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1 is not")


def test_access_batch_reports_refused_secrets_in_errors(fake, admin):
    c = reader(fake, allow("secretsmanager:BatchGetSecretValue"), allow(GET, PREFIX + "app/*"))
    response = c.batch_get_secret_value(SecretIdList=["app/db", "other"])
    assert [v["Name"] for v in response["SecretValues"]] == ["app/db"]
    [error] = response["Errors"]
    assert error["SecretId"] == "other"
    assert error["ErrorCode"] == "AccessDeniedException"
    assert f"perform: {GET} on resource: {PREFIX}other-" in error["Message"]


def test_access_explains_the_last_denial(fake, admin):
    c = reader(fake, allow("secretsmanager:*"), {**deny(GET), "Sid": "NoReads"})
    outcome(lambda: c.get_secret_value(SecretId="app/db"))
    explanation = fake.access.last_denial.explain()
    assert "explicit_deny_identity" in explanation
    assert "NoReads" in explanation


def test_access_off_allows_everything(fake, admin):
    c = reader(fake)
    fake.enforce_access = False
    assert c.get_secret_value(SecretId="app/db")["SecretString"] == "db-value"
    assert repr(fake.access).startswith("<AccessControl: off")


def test_access_check_without_a_call(fake):
    principal = fake.principals.add(READER_KEY, "s", arn=READER, policies=[doc(allow(GET))])
    assert fake.access.check(principal, GET, PREFIX + "x-abcdef").allowed
    assert not fake.access.check(principal, "secretsmanager:DeleteSecret", PREFIX + "x").allowed


def test_access_misuse_of_policies_is_refused(fake):
    from smfake.errors import UsageError

    with pytest.raises(UsageError, match="not a valid identity-based policy"):
        fake.principals.add(
            READER_KEY,
            policies=[{"Version": "2012-10-17", "Statement": [{**allow(GET), "Principal": "*"}]}],
        )
    with pytest.raises(UsageError, match="not a valid key policy"):
        fake.kms.create_key(policy="{")
    from smfake.errors import UsageTypeError

    with pytest.raises(UsageTypeError, match="^permissions_boundary: expected identity-based"):
        fake.principals.add(READER_KEY, permissions_boundary=5)
    with pytest.raises(UsageTypeError, match="^expected key policy as JSON text or a mapping"):
        fake.kms.create_key(policy=["not", "a", "policy"])


# -- enforcement changes nothing for a caller allowed everything -----------------------------

OPERATIONS = st.lists(
    st.sampled_from(["create", "put", "get", "describe", "tag", "delete", "restore", "list"]),
    min_size=1,
    max_size=12,
)


def _run(operations, *, enforce):
    results = []
    with mock_secretsmanager(enforce_access=enforce, seed=3) as fake:
        fake.clock.set(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
        fake.principals.add(READER_KEY, "s", arn=READER, policies=[doc(allow("secretsmanager:*"))])
        c = client(READER_KEY)
        calls = {
            "create": lambda: c.create_secret(
                Name="s", SecretString="v", ClientRequestToken="t" * 32
            ),
            "put": lambda: c.put_secret_value(
                SecretId="s", SecretString="w", ClientRequestToken="u" * 32
            ),
            "get": lambda: c.get_secret_value(SecretId="s"),
            "describe": lambda: c.describe_secret(SecretId="s"),
            "tag": lambda: c.tag_resource(SecretId="s", Tags=[{"Key": "k", "Value": "v"}]),
            "delete": lambda: c.delete_secret(SecretId="s"),
            "restore": lambda: c.restore_secret(SecretId="s"),
            "list": lambda: c.list_secrets(),
        }
        for name in operations:
            try:
                response = calls[name]()
                response.pop("ResponseMetadata")
                results.append(response)
            except ClientError as error:
                results.append(error.response["Error"])
    return results


@settings(max_examples=25, deadline=None)
@given(OPERATIONS)
def test_access_enforcement_changes_no_result_for_a_caller_allowed_everything(operations):
    assert _run(operations, enforce=True) == _run(operations, enforce=False)


def test_access_key_policy_can_be_replaced(fake, admin):
    key = fake.kms.create_key()
    admin.create_secret(Name="app/rekeyed", SecretString="v", KmsKeyId=key)
    c = reader(fake, allow(GET), allow("kms:Decrypt"))
    assert c.get_secret_value(SecretId="app/rekeyed")["SecretString"] == "v"
    fake.kms.put_key_policy(
        key, doc({**allow("kms:*"), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"}})
    )
    assert json.loads(fake.kms.key_policy(key))["Statement"][0]["Principal"]["AWS"].endswith(
        "user/admin"
    )
    assert outcome(lambda: c.get_secret_value(SecretId="app/rekeyed")) == KMS_DENIED


@pytest.mark.parametrize(
    "body",
    [
        {"Name": "raw", "SecretString": "v", "KmsKeyId": 5},
        {"SecretId": 5},
        {"Name": "raw", "Tags": "not a list"},
    ],
)
def test_access_malformed_raw_requests_get_aws_errors(fake, body):
    operation = "GetSecretValue" if "SecretId" in body else "CreateSecret"
    reply = fake.http.handle(
        "POST",
        "https://secretsmanager.us-east-1.amazonaws.com/",
        {
            "X-Amz-Target": f"secretsmanager.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
        json.dumps(body).encode(),
    )
    assert reply.status == 400
    assert json.loads(reply.body)["__type"] in ("SerializationException", "ValidationException")


# -- every operation, from its example call (tests/operation_examples.py) ----------------------


@pytest.mark.parametrize("operation", sorted(examples.CALLABLE))
def test_access_every_operation_needs_its_own_action(fake, operation):
    setup = client("AKIAADMIN00000000001")
    target, params = examples.prepare(fake, setup, operation)
    reader(fake)
    caller = client(READER_KEY, target.meta.region_name)
    result = outcome(lambda: examples.call(caller, operation, params))
    assert result[0] == "AccessDeniedException"
    assert f"perform: secretsmanager:{operation}" in result[1]


@pytest.mark.parametrize("operation", sorted(examples.CALLABLE))
def test_access_every_operation_runs_when_allowed(fake, operation):
    setup = client("AKIAADMIN00000000001")
    target, params = examples.prepare(fake, setup, operation)
    reader(fake, allow("secretsmanager:*"), allow("kms:*"))
    caller = client(READER_KEY, target.meta.region_name)
    assert outcome(lambda: examples.call(caller, operation, params)) == "ok"


def test_access_resource_type_condition_key(fake, admin):
    # Partners' rotation roles are scoped with secretsmanager:resource/Type (mes-security).
    if "Type" not in admin.meta.service_model.operation_model("CreateSecret").input_shape.members:
        pytest.skip("this botocore has no CreateSecret.Type")
    admin.create_secret(Name="ext", SecretString="partner", Type="SnowflakePat")
    only_snowflake = {"StringEquals": {"secretsmanager:resource/Type": "SnowflakePat"}}
    c = reader(fake, allow(GET, Condition=only_snowflake))

    assert c.get_secret_value(SecretId="ext")["SecretString"] == "partner"
    assert outcome(lambda: c.get_secret_value(SecretId="other")) == denied(
        GET, "other", NO_IDENTITY.format(GET)
    )
    absent = {"Null": {"secretsmanager:resource/Type": "true"}}
    c = reader(fake, allow(GET, Condition=absent))
    assert outcome(lambda: c.get_secret_value(SecretId="ext"))[0] == "AccessDeniedException"
    assert c.get_secret_value(SecretId="other")["SecretString"] == "other-value"
