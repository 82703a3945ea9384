from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    assert_no_output,
    identifier,
    snapshot,
)


@pytest.fixture
def secret(client, t0):
    return client.create_secret(Name="s", SecretString="v")


def tags_of(client, secret_id="s"):
    return {t["Key"]: t["Value"] for t in client.describe_secret(SecretId=secret_id)["Tags"]}


def many(count, prefix="k"):
    return [{"Key": f"{prefix}{i}", "Value": str(i)} for i in range(count)]


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_tag_resource_adds_tags(client, secret, kind):
    response = client.tag_resource(
        SecretId=identifier(kind, secret),
        Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": ""}],
    )

    assert_no_output(client, "TagResource", response)
    assert tags_of(client) == {"env": "prod", "team": ""}


def test_tag_resource_overwrites_by_key_and_keeps_others(client, secret):
    client.tag_resource(
        SecretId="s", Tags=[{"Key": "env", "Value": "dev"}, {"Key": "a", "Value": "1"}]
    )

    client.tag_resource(
        SecretId="s", Tags=[{"Key": "env", "Value": "prod"}, {"Key": "b", "Value": "2"}]
    )

    assert tags_of(client) == {"env": "prod", "a": "1", "b": "2"}


def test_tag_resource_keys_are_case_sensitive(client, secret):
    client.tag_resource(SecretId="s", Tags=[{"Key": "env", "Value": "lower"}])

    client.tag_resource(SecretId="s", Tags=[{"Key": "Env", "Value": "upper"}])

    assert tags_of(client) == {"env": "lower", "Env": "upper"}


def test_tag_resource_adds_to_tags_given_at_creation(client, t0):
    client.create_secret(Name="s", SecretString="v", Tags=[{"Key": "a", "Value": "1"}])

    client.tag_resource(SecretId="s", Tags=[{"Key": "b", "Value": "2"}])

    assert tags_of(client) == {"a": "1", "b": "2"}


def test_tag_resource_updates_last_changed_date(client, fake, secret, t0):
    fake.clock.advance(minutes=7)

    client.tag_resource(SecretId="s", Tags=[{"Key": "a", "Value": "1"}])

    assert client.describe_secret(SecretId="s")["LastChangedDate"] == t0 + timedelta(minutes=7)


def test_tag_resource_leaves_versions(client, secret):
    before = client.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)["Versions"]

    client.tag_resource(SecretId="s", Tags=[{"Key": "a", "Value": "1"}])

    assert (
        client.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)["Versions"] == before
    )


@pytest.mark.parametrize(
    ("existing", "added"),
    [(0, many(50)), (49, many(1, "new")), (50, many(50))],
    ids=["50-at-once", "49-plus-1", "50-overwritten"],
)
def test_tag_resource_up_to_50_tags(client, secret, existing, added):
    if existing:
        client.tag_resource(SecretId="s", Tags=many(existing))

    client.tag_resource(SecretId="s", Tags=added)

    assert len(tags_of(client)) == 50


# Code and text are unverified (AWS_SPEC §14, §20): TagResource's model lists no quota error,
# so the fake answers the InvalidParameterException it lists (README Limitations). Unlike
# LimitExceededException, botocore does not retry it: one call reaches the fake.
@pytest.mark.parametrize(
    ("existing", "added"),
    [(0, many(51)), (50, many(1, "new")), (30, many(21, "new"))],
    ids=["51-at-once", "50-plus-1", "30-plus-21"],
)
def test_tag_resource_more_than_50_tags(fake, client, secret, existing, added):
    if existing:
        client.tag_resource(SecretId="s", Tags=many(existing))
    before = snapshot(client, "s")
    calls = fake.events.count("TagResource")

    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(SecretId="s", Tags=added)

    assert error_of(excinfo) == (
        "InvalidParameterException",
        "You can't attach more than 50 tags to a secret.",
        400,
    )
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert fake.events.count("TagResource") == calls + 1
    assert snapshot(client, "s") == before


def test_tag_resource_quota_error_is_one_the_operation_declares(client, secret):
    model = client.meta.service_model.operation_model("TagResource")
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(SecretId="s", Tags=many(51))
    assert excinfo.value.response["Error"]["Code"] in {e.name for e in model.error_shapes}


@pytest.mark.parametrize("key", ["aws:cloudformation:stack-name", "aws:x"])
def test_tag_resource_aws_prefix_refused(client, secret, key):
    client.tag_resource(SecretId="s", Tags=[{"Key": "keep", "Value": "1"}])
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(
            SecretId="s", Tags=[{"Key": "ok", "Value": "1"}, {"Key": key, "Value": "v"}]
        )

    assert error_of(excinfo) == (
        "InvalidParameterException",
        f"You can't modify system tags. Tag key: '{key}'.",
        400,
    )
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [{"Key": "k" * 129, "Value": "v"}],
            f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.key' failed "
            "to satisfy constraint: Member must have length less than or equal to 128",
        ),
        (
            [{"Key": "a", "Value": "v"}, {"Key": "b", "Value": "v" * 257}],
            f"1 validation error detected: Value '{'v' * 257}' at 'tags.2.member.value' failed "
            "to satisfy constraint: Member must have length less than or equal to 256",
        ),
    ],
    ids=["key-129", "value-257"],
)
def test_tag_resource_constraint_violation(client, secret, tags, message):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(SecretId="s", Tags=tags)

    assert error_of(excinfo) == ("ValidationException", message, 400)
    assert snapshot(client, "s") == before


def test_tag_resource_longest_key_and_value(client, secret):
    client.tag_resource(SecretId="s", Tags=[{"Key": "k" * 128, "Value": "v" * 256}])

    assert tags_of(client) == {"k" * 128: "v" * 256}


def test_tag_resource_scheduled_for_deletion(client, secret):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(SecretId="s", Tags=[{"Key": "a", "Value": "1"}])

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_tag_resource_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(SecretId=secret_id, Tags=[{"Key": "a", "Value": "1"}])

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_tag_resource_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(SecretId=name, Tags=[{"Key": "a", "Value": "1"}])

    assert error_of(excinfo) == INVALID_NAME


def test_tag_resource_empty_list_on_untagged_secret_changes_nothing_unverified(client, secret):
    before = snapshot(client, "s")
    assert_no_output(client, "TagResource", client.tag_resource(SecretId="s", Tags=[]))
    assert "Tags" not in client.describe_secret(SecretId="s")
    assert snapshot(client, "s") == before
