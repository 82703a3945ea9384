from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    body,
    identifier,
    snapshot,
    token,
)


@pytest.fixture
def three_versions(client, t0):
    """v1: deprecated, v2: AWSPREVIOUS, v3: AWSCURRENT + CUSTOM."""
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=token("v1"))
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    client.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))
    client.update_secret_version_stage(
        SecretId="s", VersionStage="CUSTOM", MoveToVersionId=token("v3")
    )
    return "s"


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_get_secret_value_of_current_version(client, t0, kind):
    created = client.create_secret(Name="app/db", SecretString="pw", ClientRequestToken=token("v1"))

    got = client.get_secret_value(SecretId=identifier(kind, created))

    assert_shape(client, "GetSecretValue", got)
    assert body(got) == {
        "ARN": created["ARN"],
        "Name": "app/db",
        "VersionId": token("v1"),
        "SecretString": "pw",
        "VersionStages": ["AWSCURRENT"],
        "CreatedDate": t0,
    }


def test_get_secret_value_binary(client):
    client.create_secret(Name="s", SecretBinary=b"\x00\x01\xfe\xff")

    got = client.get_secret_value(SecretId="s")

    assert_shape(client, "GetSecretValue", got)
    assert got["SecretBinary"] == b"\x00\x01\xfe\xff"
    assert "SecretString" not in got


@pytest.mark.parametrize(
    ("selector", "value", "version"),
    [
        ({}, "three", "v3"),
        ({"VersionStage": "AWSCURRENT"}, "three", "v3"),
        ({"VersionStage": "AWSPREVIOUS"}, "two", "v2"),
        ({"VersionStage": "CUSTOM"}, "three", "v3"),
        ({"VersionId": token("v2")}, "two", "v2"),
        ({"VersionId": token("v2"), "VersionStage": "AWSPREVIOUS"}, "two", "v2"),
        ({"VersionId": token("v3"), "VersionStage": "CUSTOM"}, "three", "v3"),
    ],
    ids=[
        "default",
        "stage-current",
        "stage-previous",
        "stage-custom",
        "version-id",
        "id-and-matching-stage",
        "id-and-custom-stage",
    ],
)
def test_get_secret_value_selects_version(client, three_versions, selector, value, version):
    got = client.get_secret_value(SecretId=three_versions, **selector)

    assert_shape(client, "GetSecretValue", got)
    assert got["SecretString"] == value
    assert got["VersionId"] == token(version)


def test_get_secret_value_reports_labels_and_creation_of_the_version(client, fake, t0):
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=token("v1"))
    fake.clock.advance(hours=5)
    client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["AWSCURRENT", "BLUE"],
    )

    current = client.get_secret_value(SecretId="s")
    previous = client.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")

    assert sorted(current["VersionStages"]) == ["AWSCURRENT", "BLUE"]
    assert current["CreatedDate"] == t0 + timedelta(hours=5)
    assert previous["VersionStages"] == ["AWSPREVIOUS"]
    assert previous["CreatedDate"] == t0


def test_get_secret_value_of_deprecated_version_by_id(client, three_versions):
    got = client.get_secret_value(SecretId=three_versions, VersionId=token("v1"))

    assert got["SecretString"] == "one"
    assert_shape(client, "GetSecretValue", got)


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (
            {"VersionId": token("unknown")},
            (
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret value for VersionId: "
                + token("unknown"),
                400,
            ),
        ),
        (
            {"VersionStage": "AWSPENDING"},
            (
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret value for staging label: "
                "AWSPENDING",
                400,
            ),
        ),
        (
            {"VersionId": token("v2"), "VersionStage": "AWSCURRENT"},
            (
                "InvalidRequestException",
                "You provided a VersionStage that is not associated to the provided VersionId.",
                400,
            ),
        ),
        (
            {"VersionId": token("v1"), "VersionStage": "AWSPREVIOUS"},
            (
                "InvalidRequestException",
                "You provided a VersionStage that is not associated to the provided VersionId.",
                400,
            ),
        ),
        (
            {"VersionId": "v" * 65},
            (
                "ValidationException",
                f"1 validation error detected: Value '{'v' * 65}' at 'versionId' failed to "
                "satisfy constraint: Member must have length less than or equal to 64",
                400,
            ),
        ),
        (
            {"VersionStage": "S" * 257},
            (
                "ValidationException",
                f"1 validation error detected: Value '{'S' * 257}' at 'versionStage' failed to "
                "satisfy constraint: Member must have length less than or equal to 256",
                400,
            ),
        ),
    ],
    ids=[
        "unknown-version-id",
        "unknown-stage",
        "stage-on-other-version",
        "stage-on-deprecated-version",
        "version-id-65",
        "stage-257",
    ],
)
def test_get_secret_value_version_errors(client, three_versions, selector, expected):
    before = snapshot(client, three_versions)

    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId=three_versions, **selector)

    assert error_of(excinfo) == expected
    assert snapshot(client, three_versions) == before


def test_get_secret_value_of_secret_without_value(client):
    client.create_secret(Name="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId="s")

    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        400,
    )
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    "secret_id",
    [
        "missing",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbC123",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing",
    ],
    ids=["name", "full-arn", "partial-arn"],
)
def test_get_secret_value_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId=secret_id)

    assert error_of(excinfo) == NOT_FOUND


def test_get_secret_value_arn_of_another_region(client):
    created = client.create_secret(Name="s", SecretString="v")

    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId=created["ARN"].replace("us-east-1", "eu-west-1"))

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_get_secret_value_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId=name)

    assert error_of(excinfo) == INVALID_NAME


@pytest.mark.parametrize("name", ["app-config", "db-a1b2c3"])
def test_get_secret_value_partial_arn_of_name_ending_like_a_suffix(client, name):
    created = client.create_secret(Name=name, SecretString="v")

    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId=created["ARN"][:-7])

    assert error_of(excinfo) == NOT_FOUND
    assert client.get_secret_value(SecretId=created["ARN"])["SecretString"] == "v"
    assert client.get_secret_value(SecretId=name)["SecretString"] == "v"


def test_get_secret_value_scheduled_for_deletion(client):
    client.create_secret(Name="s", SecretString="v")
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId="s")

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


def test_get_secret_value_sets_last_accessed_date_to_midnight_utc(client, fake):
    fake.clock.set(datetime(2024, 3, 5, 22, 30, 15, tzinfo=timezone.utc))
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=token("v1"))
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))

    client.get_secret_value(SecretId="s")

    midnight = datetime(2024, 3, 5, tzinfo=timezone.utc)
    assert client.describe_secret(SecretId="s")["LastAccessedDate"] == midnight
    versions = {v["VersionId"]: v for v in client.list_secret_version_ids(SecretId="s")["Versions"]}
    assert versions[token("v2")]["LastAccessedDate"] == midnight
    assert "LastAccessedDate" not in versions[token("v1")]


def test_get_secret_value_last_accessed_date_follows_the_day(client, fake):
    fake.clock.set(datetime(2024, 3, 5, 23, 59, 59, tzinfo=timezone.utc))
    client.create_secret(Name="s", SecretString="v")
    client.get_secret_value(SecretId="s")
    fake.clock.advance(seconds=2)
    client.get_secret_value(SecretId="s")

    assert client.describe_secret(SecretId="s")["LastAccessedDate"] == datetime(
        2024, 3, 6, tzinfo=timezone.utc
    )


def test_get_secret_value_same_day_reads_give_equal_dates(client, fake):
    fake.clock.set(datetime(2024, 3, 5, 1, 0, tzinfo=timezone.utc))
    client.create_secret(Name="s", SecretString="v")
    client.get_secret_value(SecretId="s")
    first = client.describe_secret(SecretId="s")["LastAccessedDate"]
    fake.clock.advance(hours=20)
    client.get_secret_value(SecretId="s")

    assert client.describe_secret(SecretId="s")["LastAccessedDate"] == first


def test_get_secret_value_leaves_last_changed_date(client, fake, t0):
    client.create_secret(Name="s", SecretString="v")
    fake.clock.advance(days=2)

    client.get_secret_value(SecretId="s")

    assert client.describe_secret(SecretId="s")["LastChangedDate"] == t0


def test_get_secret_value_failure_does_not_record_access(client):
    client.create_secret(Name="s", SecretString="v")

    with pytest.raises(ClientError):
        client.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")

    assert "LastAccessedDate" not in client.describe_secret(SecretId="s")
