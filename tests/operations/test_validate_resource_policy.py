from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    body,
    identifier,
    snapshot,
)

# The botocore model's example, which passes [M].
EXAMPLE = (
    '{\n"Version":"2012-10-17",\n"Statement":[{\n"Effect":"Allow",\n"Principal":{\n'
    '"AWS":"arn:aws:iam::123456789012:root"\n},\n"Action":"secretsmanager:GetSecretValue",\n'
    '"Resource":"*"\n}]\n}'
)
PASSED = {"PolicyValidationPassed": True, "ValidationErrors": []}

# The documented examples of doc_source/manage_secret-policy.md and their messages [D]; the
# check names are smfake's (AWS documents none).
BROAD = {
    "CheckName": "BROAD_ACCESS",
    "ErrorMessage": "This resource policy grants broad access to your secret. Secrets Manager "
    "does not allow creating and applying such policies in the console.",
}
LOCKOUT = {
    "CheckName": "LOCKOUT",
    "ErrorMessage": "Your requested changes will not allow you to manage this secret in the "
    "future.",
}
JSON_SYNTAX = {
    "CheckName": "JSON_SYNTAX",
    "ErrorMessage": "This resource policy contains a syntax error.",
}
IAM_SYNTAX = {
    "CheckName": "IAM_POLICY_SYNTAX",
    "ErrorMessage": "This resource policy contains a syntax error.",
}
IAM_PRINCIPAL = {
    "CheckName": "IAM_POLICY_SYNTAX",
    "ErrorMessage": "This resource policy contains an unsupported principal.",
}


def statement(effect, principal="*", action="secretsmanager:*", resource="*", **extra):
    return {
        "Effect": effect,
        "Principal": principal,
        "Action": action,
        "Resource": resource,
        **extra,
    }


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def failed(*errors):
    return {"PolicyValidationPassed": False, "ValidationErrors": list(errors)}


def validate(client, text, **extra):
    response = client.validate_resource_policy(ResourcePolicy=text, **extra)
    assert_shape(client, "ValidateResourcePolicy", response)
    return body(response)


@pytest.fixture
def secret(client, t0):
    return client.create_secret(Name="s", SecretString="v")


def test_validate_resource_policy_passes_without_secret(client):
    assert validate(client, EXAMPLE) == PASSED


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_validate_resource_policy_passes_for_a_secret(client, secret, kind):
    assert validate(client, EXAMPLE, SecretId=identifier(kind, secret)) == PASSED


def test_validate_resource_policy_attaches_nothing(client, fake, secret):
    before = snapshot(client, "s"), body(client.get_resource_policy(SecretId="s"))
    fake.clock.advance(minutes=1)

    validate(client, document(statement("Allow")), SecretId="s")

    assert (snapshot(client, "s"), body(client.get_resource_policy(SecretId="s"))) == before


def test_validate_resource_policy_leaves_an_attached_policy(client, secret):
    client.put_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)

    validate(client, "{", SecretId="s")

    assert client.get_resource_policy(SecretId="s")["ResourcePolicy"] == EXAMPLE


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("with_secret", [False, True], ids=["no-secret", "secret"])
def test_validate_resource_policy_broad_access(client, secret, with_secret):
    extra = {"SecretId": "s"} if with_secret else {}

    assert validate(client, document(statement("Allow")), **extra) == failed(BROAD)


@pytest.mark.parametrize(
    "text",
    [
        document(statement("Allow", {"AWS": "*"}, "secretsmanager:GetSecretValue")),
        document(
            statement(
                "Allow", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
            )
        ),
    ],
    ids=["aws-wildcard", "negated-condition"],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_other_broad_policies(client, text):
    assert validate(client, text) == failed(BROAD)


@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_narrowed_by_condition(client):
    text = document(
        statement("Allow", Condition={"StringEquals": {"aws:SourceAccount": "123456789012"}})
    )

    assert validate(client, text) == PASSED


@pytest.mark.parametrize(
    "denied",
    [
        statement("Deny"),
        statement("Deny", {"AWS": "*"}, ["secretsmanager:*Resource?olicy"]),
        {**statement("Deny"), "Action": None, "NotAction": "secretsmanager:Get*"},
    ],
    ids=["documented", "both-policy-writes", "not-action"],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_lockout(client, denied):
    denied = {k: v for k, v in denied.items() if v is not None}

    assert validate(client, document(denied)) == failed(LOCKOUT)


@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_broad_access_and_lockout(client):
    text = document(statement("Allow"), statement("Deny"))

    assert validate(client, text) == failed(BROAD, LOCKOUT)


@pytest.mark.parametrize(
    "denied",
    [
        statement("Deny", action="secretsmanager:PutResourcePolicy"),
        statement("Deny", action="*", Condition={"Bool": {"aws:SecureTransport": "false"}}),
        statement("Deny", principal={"AWS": "arn:aws:iam::123456789012:role/r"}, action="*"),
        statement("Deny", action="secretsmanager:Get*"),
        statement("Deny", resource="arn:aws:secretsmanager:us-east-1:123456789012:secret:*"),
    ],
    ids=[
        "delete-still-allowed",
        "conditional",
        "one-principal",
        "read-only",
        "resource-unknown-without-secret",
    ],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_no_lockout(client, denied):
    assert validate(client, document(denied)) == PASSED


@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_lockout_of_the_given_secret(client, secret):
    own = document(statement("Deny", resource=secret["ARN"][:-7] + "-??????"))
    other = document(statement("Deny", resource=ARN_PREFIX + "other-??????"))
    all_but_other = {k: v for k, v in statement("Deny").items() if k != "Resource"}
    all_but_other["NotResource"] = ARN_PREFIX + "other-*"

    assert validate(client, own, SecretId="s") == failed(LOCKOUT)
    assert validate(client, other, SecretId="s") == PASSED
    assert validate(client, document(all_but_other), SecretId="s") == failed(LOCKOUT)
    assert validate(client, own) == PASSED


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize(
    "text",
    ["{", " ", "[1, 2", '{"Version": "2012-10-17"} x', "NaN"],
    ids=["open-brace", "blank", "open-list", "trailing", "nan"],
)
def test_validate_resource_policy_json_syntax(client, text):
    assert validate(client, text) == failed(JSON_SYNTAX)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([1]),
        json.dumps({"Version": "2012-10-17"}),
        document(statement("AllowSomething")),
        document({**statement("Allow", {"AWS": "123456789012"}), "Extra": 1}),
    ],
    ids=["not-object", "no-statement", "bad-effect", "unknown-key"],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_iam_syntax(client, text):
    assert validate(client, text) == failed(IAM_SYNTAX)


@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_unsupported_principal(client):
    text = document(statement("Allow", {"AWS": "alice"}))

    assert validate(client, text) == failed(IAM_PRINCIPAL)


def test_validate_resource_policy_longer_than_20480(client):
    text = "x" * 20481

    with pytest.raises(ClientError) as excinfo:
        client.validate_resource_policy(ResourcePolicy=text)

    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{text}' at 'resourcePolicy' failed to satisfy "
        "constraint: Member must have length less than or equal to 20480",
        400,
    )


def test_validate_resource_policy_longest_policy(client):
    assert validate(client, EXAMPLE + " " * (20480 - len(EXAMPLE))) == PASSED


def test_validate_resource_policy_scheduled_for_deletion(client, secret):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.validate_resource_policy(SecretId="s", ResourcePolicy=EXAMPLE)

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_validate_resource_policy_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.validate_resource_policy(SecretId=secret_id, ResourcePolicy=EXAMPLE)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_validate_resource_policy_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.validate_resource_policy(SecretId=name, ResourcePolicy=EXAMPLE)

    assert error_of(excinfo) == INVALID_NAME


@pytest.mark.unverified("not yet checked against AWS")
def test_validate_resource_policy_unknown_secret_before_the_policy(client):
    with pytest.raises(ClientError) as excinfo:
        client.validate_resource_policy(SecretId="missing", ResourcePolicy="{")

    assert error_of(excinfo) == NOT_FOUND
