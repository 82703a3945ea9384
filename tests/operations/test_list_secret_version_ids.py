from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    NOT_FOUND,
    body,
    identifier,
    token,
)

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# AWS's wording for a bad NextToken is unverified (AWS_SPEC §20).
INVALID_NEXT_TOKEN = ("InvalidNextTokenException", "The NextToken value is invalid.", 400)


@pytest.fixture
def secret(client, fake, t0):
    """v1 (t0): deprecated, v2 (t0+1h): AWSPREVIOUS, v3 (t0+2h): AWSCURRENT."""
    created = client.create_secret(Name="s", SecretString="1", ClientRequestToken=token("v1"))
    fake.clock.advance(hours=1)
    client.put_secret_value(SecretId="s", SecretString="2", ClientRequestToken=token("v2"))
    fake.clock.advance(hours=1)
    client.put_secret_value(SecretId="s", SecretString="3", ClientRequestToken=token("v3"))
    return created


def by_id(listed):
    return {v["VersionId"]: v for v in listed["Versions"]}


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_list_secret_version_ids_labelled_versions(client, secret, t0, kind):
    listed = client.list_secret_version_ids(SecretId=identifier(kind, secret))

    assert_shape(client, "ListSecretVersionIds", listed)
    assert listed["ARN"] == secret["ARN"]
    assert listed["Name"] == "s"
    assert "NextToken" not in listed
    assert by_id(listed) == {
        token("v2"): {
            "VersionId": token("v2"),
            "VersionStages": ["AWSPREVIOUS"],
            "CreatedDate": t0 + timedelta(hours=1),
            "KmsKeyIds": ["DefaultEncryptionKey"],
        },
        token("v3"): {
            "VersionId": token("v3"),
            "VersionStages": ["AWSCURRENT"],
            "CreatedDate": t0 + timedelta(hours=2),
            "KmsKeyIds": ["DefaultEncryptionKey"],
        },
    }


def test_list_secret_version_ids_include_deprecated(client, secret, t0):
    listed = client.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)

    assert_shape(client, "ListSecretVersionIds", listed)
    versions = by_id(listed)
    assert set(versions) == {token("v1"), token("v2"), token("v3")}
    assert versions[token("v1")] == {
        "VersionId": token("v1"),
        "CreatedDate": t0,
        "KmsKeyIds": ["DefaultEncryptionKey"],
    }


def test_list_secret_version_ids_include_deprecated_false(client, secret):
    listed = client.list_secret_version_ids(SecretId="s", IncludeDeprecated=False)

    assert_shape(client, "ListSecretVersionIds", listed)
    assert set(by_id(listed)) == {token("v2"), token("v3")}


def test_list_secret_version_ids_version_losing_its_last_label_is_hidden(client, secret):
    client.update_secret_version_stage(
        SecretId="s", VersionStage="KEEP", MoveToVersionId=token("v1")
    )
    assert set(by_id(client.list_secret_version_ids(SecretId="s"))) == {
        token("v1"),
        token("v2"),
        token("v3"),
    }

    client.update_secret_version_stage(
        SecretId="s", VersionStage="KEEP", RemoveFromVersionId=token("v1")
    )

    assert set(by_id(client.list_secret_version_ids(SecretId="s"))) == {token("v2"), token("v3")}


def test_list_secret_version_ids_of_secret_without_value(client):
    created = client.create_secret(Name="empty")

    listed = client.list_secret_version_ids(SecretId="empty", IncludeDeprecated=True)

    assert_shape(client, "ListSecretVersionIds", listed)
    assert body(listed) == {"Versions": [], "ARN": created["ARN"], "Name": "empty"}


def test_list_secret_version_ids_reports_last_accessed_date_of_read_versions(client, fake, secret):
    fake.clock.set(datetime(2024, 6, 1, 13, 0, tzinfo=timezone.utc))
    client.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")

    versions = by_id(client.list_secret_version_ids(SecretId="s"))

    assert versions[token("v2")]["LastAccessedDate"] == datetime(2024, 6, 1, tzinfo=timezone.utc)
    assert "LastAccessedDate" not in versions[token("v3")]


def test_list_secret_version_ids_customer_kms_key(client):
    client.create_secret(Name="s", SecretString="v", KmsKeyId=KEY_ARN)

    [version] = client.list_secret_version_ids(SecretId="s")["Versions"]

    assert version["KmsKeyIds"] == [KEY_ARN]


class PlaceholderWatcher:
    """A rotation function that, in its createSecret step, looks at the secret before and
    after storing the new value, then fails so that the placeholder's story ends there."""

    def __init__(self):
        self.before = {}
        self.after = {}

    def __call__(self, event, context):
        service = boto3.client(
            "secretsmanager", endpoint_url=os.environ["SECRETS_MANAGER_ENDPOINT"]
        )
        arn, version = event["SecretId"], event["ClientRequestToken"]
        self.before = self.look(service, arn)
        service.put_secret_value(
            SecretId=arn, ClientRequestToken=version, SecretString="r", VersionStages=["AWSPENDING"]
        )
        self.after = self.look(service, arn)
        raise RuntimeError("stop after createSecret")

    @staticmethod
    def look(service, arn):
        seen = {"described": service.describe_secret(SecretId=arn)["VersionIdsToStages"]}
        for include in (False, True):
            listed = service.list_secret_version_ids(SecretId=arn, IncludeDeprecated=include)
            assert_shape(service, "ListSecretVersionIds", listed)
            seen[include] = {v["VersionId"]: v.get("VersionStages") for v in listed["Versions"]}
            pages, params = [], {"SecretId": arn, "IncludeDeprecated": include, "MaxResults": 1}
            while True:
                page = service.list_secret_version_ids(**params)
                pages.append([v["VersionId"] for v in page["Versions"]])
                if "NextToken" not in page:
                    break
                params["NextToken"] = page["NextToken"]
            seen[include, "pages"] = pages
        return seen


@pytest.fixture
def watcher(fake, client, secret):
    handler = PlaceholderWatcher()
    arn = fake.register_rotation_function("watch", handler, retries=0)
    client.rotate_secret(SecretId="s", RotationLambdaARN=arn, ClientRequestToken=token("r1"))
    assert fake.rotations[-1].outcome == "failed"
    return handler


def test_list_secret_version_ids_leaves_out_the_rotation_placeholder(client, watcher):
    # createSecret's view before it stored a value: DescribeSecret shows the empty AWSPENDING
    # version, ListSecretVersionIds lists only the versions that hold a value (1.44 model).
    before = watcher.before
    assert before["described"] == {
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
        token("r1"): ["AWSPENDING"],
    }
    assert before[False] == {token("v2"): ["AWSPREVIOUS"], token("v3"): ["AWSCURRENT"]}
    assert before[True] == {token("v1"): None, **before[False]}
    # Pages skip it too, and the last page with a value carries no NextToken.
    assert before[False, "pages"] == [[token("v2")], [token("v3")]]
    assert before[True, "pages"] == [[token("v1")], [token("v2")], [token("v3")]]


def test_list_secret_version_ids_lists_the_pending_version_once_it_holds_a_value(client, watcher):
    after = watcher.after
    assert after[False] == {
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
        token("r1"): ["AWSPENDING"],
    }
    assert after[False, "pages"] == [[token("v2")], [token("v3")], [token("r1")]]
    assert after[True, "pages"] == [[token("v1")], [token("v2")], [token("v3")], [token("r1")]]


def test_list_secret_version_ids_after_a_failed_create_step(client, fake, secret):
    # A createSecret step that fails before storing a value leaves the placeholder behind.
    arn = fake.register_rotation_function("fail", lambda event, context: 1 / 0, retries=0)
    client.rotate_secret(SecretId="s", RotationLambdaARN=arn, ClientRequestToken=token("r1"))
    assert fake.rotations[-1].outcome == "failed"

    described = client.describe_secret(SecretId="s")
    listed = client.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)

    assert described["VersionIdsToStages"][token("r1")] == ["AWSPENDING"]
    assert set(by_id(listed)) == {token("v1"), token("v2"), token("v3")}


def five_versions(client):
    client.create_secret(Name="p", SecretString="0", ClientRequestToken=token("p0"))
    for index in range(1, 5):
        client.put_secret_value(
            SecretId="p", SecretString=str(index), ClientRequestToken=token(f"p{index}")
        )
    return {token(f"p{index}") for index in range(5)}


@pytest.mark.parametrize(
    ("max_results", "page_sizes"),
    [(1, [1, 1, 1, 1, 1]), (2, [2, 2, 1]), (3, [3, 2]), (4, [4, 1]), (5, [5]), (100, [5])],
)
def test_list_secret_version_ids_pagination(client, max_results, page_sizes):
    expected = five_versions(client)
    seen = []
    sizes = []
    params = {"SecretId": "p", "IncludeDeprecated": True, "MaxResults": max_results}

    while True:
        page = client.list_secret_version_ids(**params)
        assert_shape(client, "ListSecretVersionIds", page)
        seen += [v["VersionId"] for v in page["Versions"]]
        sizes.append(len(page["Versions"]))
        if "NextToken" not in page:
            break
        params["NextToken"] = page["NextToken"]

    assert sizes == page_sizes
    assert sorted(seen) == sorted(expected)


def test_list_secret_version_ids_pagination_of_labelled_versions(client):
    five_versions(client)

    first = client.list_secret_version_ids(SecretId="p", MaxResults=1)
    second = client.list_secret_version_ids(
        SecretId="p", MaxResults=1, NextToken=first["NextToken"]
    )

    assert_shape(client, "ListSecretVersionIds", second)
    assert "NextToken" not in second
    assert {first["Versions"][0]["VersionId"], second["Versions"][0]["VersionId"]} == {
        token("p3"),
        token("p4"),
    }


@pytest.mark.parametrize(
    "next_token",
    ["garbage", "c21mYWtlMQB4AHk=", "x" * 4096],
    ids=["garbage", "forged", "longest"],
)
def test_list_secret_version_ids_invalid_next_token(client, secret, next_token):
    with pytest.raises(ClientError) as excinfo:
        client.list_secret_version_ids(SecretId="s", NextToken=next_token)

    assert error_of(excinfo) == INVALID_NEXT_TOKEN


def test_list_secret_version_ids_next_token_of_another_secret(client):
    five_versions(client)
    client.create_secret(Name="s", SecretString="v")
    page = client.list_secret_version_ids(SecretId="p", IncludeDeprecated=True, MaxResults=1)

    with pytest.raises(ClientError) as excinfo:
        client.list_secret_version_ids(SecretId="s", NextToken=page["NextToken"])

    assert error_of(excinfo) == INVALID_NEXT_TOKEN


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"MaxResults": 101},
            "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 100",
        ),
        (
            {"NextToken": "x" * 4097},
            f"1 validation error detected: Value '{'x' * 4097}' at 'nextToken' failed to "
            "satisfy constraint: Member must have length less than or equal to 4096",
        ),
    ],
    ids=["max-results-101", "next-token-4097"],
)
def test_list_secret_version_ids_constraint_violation(client, secret, params, message):
    with pytest.raises(ClientError) as excinfo:
        client.list_secret_version_ids(SecretId="s", **params)

    assert error_of(excinfo) == ("ValidationException", message, 400)


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secret_version_ids_scheduled_for_deletion(client, secret):
    client.delete_secret(SecretId="s")

    listed = client.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)

    assert_shape(client, "ListSecretVersionIds", listed)
    assert set(by_id(listed)) == {token("v1"), token("v2"), token("v3")}


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_list_secret_version_ids_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.list_secret_version_ids(SecretId=secret_id)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_list_secret_version_ids_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.list_secret_version_ids(SecretId=name)

    assert error_of(excinfo) == INVALID_NAME
