from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of, needs_member
from tests.operations.conftest import (
    BOTH_VALUES,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    TOKEN_REQUIRED,
    body,
    identifier,
    snapshot,
    stages,
    token,
)

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def secret(client, t0):
    return client.create_secret(
        Name="s", SecretString="one", Description="first", ClientRequestToken=token("v1")
    )


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_update_secret_description_only(client, fake, secret, t0, kind):
    fake.clock.advance(minutes=10)

    updated = client.update_secret(SecretId=identifier(kind, secret), Description="second")

    assert_shape(client, "UpdateSecret", updated)
    assert body(updated) == {"ARN": secret["ARN"], "Name": "s"}
    described = client.describe_secret(SecretId="s")
    assert described["Description"] == "second"
    assert described["LastChangedDate"] == t0 + timedelta(minutes=10)
    assert stages(client, "s") == {token("v1"): ["AWSCURRENT"]}


@pytest.mark.parametrize(
    ("value", "read_back"),
    [({"SecretString": "two"}, "SecretString"), ({"SecretBinary": b"\x00two"}, "SecretBinary")],
    ids=["string", "binary"],
)
def test_update_secret_value_creates_current_version(client, fake, secret, t0, value, read_back):
    fake.clock.advance(minutes=10)

    updated = client.update_secret(SecretId="s", ClientRequestToken=token("v2"), **value)

    assert_shape(client, "UpdateSecret", updated)
    assert body(updated) == {"ARN": secret["ARN"], "Name": "s", "VersionId": token("v2")}
    got = client.get_secret_value(SecretId="s")
    assert got[read_back] == value[read_back]
    assert got["CreatedDate"] == t0 + timedelta(minutes=10)
    assert stages(client, "s") == {token("v1"): ["AWSPREVIOUS"], token("v2"): ["AWSCURRENT"]}
    assert client.describe_secret(SecretId="s")["LastChangedDate"] == t0 + timedelta(minutes=10)


def test_update_secret_value_and_description(client, secret):
    updated = client.update_secret(
        SecretId="s", SecretString="two", Description="second", ClientRequestToken=token("v2")
    )

    assert_shape(client, "UpdateSecret", updated)
    assert updated["VersionId"] == token("v2")
    assert client.describe_secret(SecretId="s")["Description"] == "second"
    assert client.get_secret_value(SecretId="s")["SecretString"] == "two"


def test_update_secret_third_value_deprecates_the_first(client, secret):
    client.update_secret(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    client.update_secret(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))

    assert stages(client, "s") == {
        token("v1"): [],
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
    }


def test_update_secret_first_value_of_empty_secret_becomes_current(client):
    client.create_secret(Name="empty")

    updated = client.update_secret(
        SecretId="empty", SecretString="v", ClientRequestToken=token("v1")
    )

    assert_shape(client, "UpdateSecret", updated)
    assert updated["VersionId"] == token("v1")
    assert stages(client, "empty") == {token("v1"): ["AWSCURRENT"]}


def test_update_secret_without_changes_returns_arn_and_name(client, secret):
    before = snapshot(client, "s")

    updated = client.update_secret(SecretId="s")

    assert_shape(client, "UpdateSecret", updated)
    assert body(updated) == {"ARN": secret["ARN"], "Name": "s"}
    assert snapshot(client, "s") == before


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize(
    "value", [{"SecretBinary": b""}, {"SecretString": ""}], ids=["binary", "string"]
)
def test_update_secret_with_empty_value_counts_as_no_value(
    client, unvalidated_client, secret, value
):
    updated = unvalidated_client.update_secret(SecretId="s", **value)

    assert_shape(client, "UpdateSecret", updated)
    assert "VersionId" not in updated
    assert stages(client, "s") == {token("v1"): ["AWSCURRENT"]}


@pytest.mark.unverified("not yet checked against AWS")
def test_update_secret_default_stages_remove_pending(client, secret):
    client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["AWSPENDING"],
    )

    client.update_secret(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))

    assert stages(client, "s") == {
        token("v1"): ["AWSPREVIOUS"],
        token("v2"): [],
        token("v3"): ["AWSCURRENT"],
    }


def test_update_secret_abandons_pending_shared_with_current(client, secret):
    client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["AWSPENDING"],
    )
    client.update_secret_version_stage(
        SecretId="s",
        VersionStage="AWSCURRENT",
        MoveToVersionId=token("v2"),
        RemoveFromVersionId=token("v1"),
    )

    client.update_secret(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))

    assert stages(client, "s") == {
        token("v1"): [],
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
    }


def test_update_secret_same_token_same_value_is_idempotent(client, secret):
    first = client.update_secret(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    before = snapshot(client, "s")

    again = client.update_secret(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))

    assert_shape(client, "UpdateSecret", again)
    assert body(again) == body(first)
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    "other",
    [
        {"SecretString": "different"},
        {"SecretString": "different", "Description": "not applied"},
        {"SecretBinary": b"two"},
    ],
    ids=["other-string", "with-description", "same-bytes-as-binary"],
)
def test_update_secret_same_token_different_value(client, secret, other):
    client.update_secret(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId="s", ClientRequestToken=token("v2"), **other)

    assert error_of(excinfo) == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token('v2')} because that value is already in use "
        f"for a version of secret {secret['ARN']}.",
        400,
    )
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("secret_id", "params"),
    [
        ("s", {"SecretString": "two"}),
        ("s", {"Description": "second"}),
        ("missing", {"Description": "second"}),
    ],
    ids=["value", "description-only", "missing-secret"],
)
def test_update_secret_without_token_on_the_wire(
    client, tokenless_client, secret, secret_id, params
):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        tokenless_client.update_secret(SecretId=secret_id, **params)

    assert error_of(excinfo) == TOKEN_REQUIRED
    assert snapshot(client, "s") == before


def test_update_secret_with_both_values(client, secret):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId="s", SecretString="x", SecretBinary=b"x", Description="no")

    assert error_of(excinfo) == BOTH_VALUES
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Description": "d" * 2049},
            f"1 validation error detected: Value '{'d' * 2049}' at 'description' failed to "
            "satisfy constraint: Member must have length less than or equal to 2048",
        ),
        (
            {"SecretString": "x" * 65537},
            "1 validation error detected: Value at 'secretString' failed to satisfy "
            "constraint: Member must have length less than or equal to 65536",
        ),
        (
            {"SecretBinary": b"x" * 65537},
            "1 validation error detected: Value at 'secretBinary' failed to satisfy "
            "constraint: Member must have length less than or equal to 65536",
        ),
        (
            {"KmsKeyId": "k" * 2049},
            f"1 validation error detected: Value '{'k' * 2049}' at 'kmsKeyId' failed to "
            "satisfy constraint: Member must have length less than or equal to 2048",
        ),
    ],
    ids=["description-2049", "string-65537", "binary-65537", "kms-key-2049"],
)
def test_update_secret_constraint_violation(client, secret, params, message):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId="s", **params)

    assert error_of(excinfo) == ("ValidationException", message, 400)
    assert snapshot(client, "s") == before


def test_update_secret_description_of_maximum_length(client, secret):
    updated = client.update_secret(SecretId="s", Description="d" * 2048)

    assert_shape(client, "UpdateSecret", updated)
    assert client.describe_secret(SecretId="s")["Description"] == "d" * 2048


def test_update_secret_customer_kms_key(client, secret):
    client.update_secret(SecretId="s", KmsKeyId=KEY_ARN)
    updated = client.update_secret(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))

    assert_shape(client, "UpdateSecret", updated)
    assert client.describe_secret(SecretId="s")["KmsKeyId"] == KEY_ARN
    versions = {v["VersionId"]: v for v in client.list_secret_version_ids(SecretId="s")["Versions"]}
    assert versions[token("v2")]["KmsKeyIds"] == [KEY_ARN]


def test_update_secret_kms_key_reencrypts_labelled_versions(client, secret):
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    client.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))
    client.put_secret_value(
        SecretId="s",
        SecretString="four",
        ClientRequestToken=token("v4"),
        VersionStages=["AWSPENDING"],
    )

    updated = client.update_secret(SecretId="s", KmsKeyId=KEY_ARN)

    assert "VersionId" not in updated
    listed = client.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)["Versions"]
    assert {v["VersionId"]: v["KmsKeyIds"] for v in listed} == {
        token("v1"): ["DefaultEncryptionKey"],
        token("v2"): [KEY_ARN],
        token("v3"): [KEY_ARN],
        token("v4"): [KEY_ARN],
    }


@pytest.mark.parametrize("default", ["", "alias/aws/secretsmanager"], ids=["empty", "alias"])
def test_update_secret_kms_key_back_to_default(client, secret, default):
    client.update_secret(SecretId="s", KmsKeyId=KEY_ARN)

    updated = client.update_secret(SecretId="s", KmsKeyId=default)

    assert_shape(client, "UpdateSecret", updated)
    assert "VersionId" not in updated
    assert "KmsKeyId" not in client.describe_secret(SecretId="s")
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    versions = {v["VersionId"]: v for v in client.list_secret_version_ids(SecretId="s")["Versions"]}
    assert versions[token("v2")]["KmsKeyIds"] == ["DefaultEncryptionKey"]


def test_update_secret_unknown_secret(client):
    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId="missing", Description="d")

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_update_secret_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId=name, Description="d")

    assert error_of(excinfo) == INVALID_NAME


@pytest.mark.parametrize(
    "params",
    [{"Description": "d"}, {"SecretString": "two"}, {"KmsKeyId": KEY_ARN}],
    ids=["description", "value", "kms-key"],
)
def test_update_secret_scheduled_for_deletion(client, secret, params):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId="s", **params)

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


@needs_member("UpdateSecret", "Type")
@pytest.mark.unverified("AWS does not document whether UpdateSecret may set or change a Type")
def test_update_secret_sets_then_changes_the_type(client, fake, secret, t0):
    fake.clock.advance(minutes=10)
    response = client.update_secret(SecretId="s", Type="DatadogApiKey")

    assert body(response) == {"ARN": secret["ARN"], "Name": "s"}
    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert described["Type"] == "DatadogApiKey"
    assert described["LastChangedDate"] == t0 + timedelta(minutes=10)
    client.update_secret(SecretId="s", Type="DatadogAdminKey")
    assert client.describe_secret(SecretId="s")["Type"] == "DatadogAdminKey"


@needs_member("UpdateSecret", "Type")
@pytest.mark.unverified("the model allows an empty Type; AWS's reading of it is not documented")
def test_update_secret_empty_type_leaves_the_type(client, fake, secret):
    client.update_secret(SecretId="s", Type="DatadogApiKey")
    before = snapshot(client, "s")
    fake.clock.advance(minutes=10)

    client.update_secret(SecretId="s", Type="")

    assert snapshot(client, "s") == before


@needs_member("UpdateSecret", "Type")
def test_update_secret_type_too_long_changes_nothing(client, secret):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.update_secret(SecretId="s", Type="t" * 257, Description="new")

    assert error_of(excinfo)[0] == "ValidationException"
    assert "Member must have length less than or equal to 256" in error_of(excinfo)[1]
    assert snapshot(client, "s") == before
