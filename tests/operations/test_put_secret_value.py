from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    BOTH_VALUES,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    TOKEN_REQUIRED,
    VALUE_REQUIRED,
    body,
    identifier,
    snapshot,
    stages,
    token,
)

# AWS's LimitExceededException texts are unverified (AWS_SPEC §20).
LABEL_QUOTA = (
    "LimitExceededException",
    "You can't attach more than 20 staging labels to the versions of a secret.",
    400,
)
VERSION_QUOTA = (
    "LimitExceededException",
    "You have exceeded the maximum number of versions (100) allowed for this secret. "
    "Remove staging labels from versions you no longer need; Secrets Manager deletes "
    "deprecated versions that are at least 24 hours old.",
    400,
)


@pytest.fixture
def secret(client, t0):
    return client.create_secret(Name="s", SecretString="one", ClientRequestToken=token("v1"))


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_put_secret_value_makes_new_version_current(client, secret, kind):
    put = client.put_secret_value(
        SecretId=identifier(kind, secret), SecretString="two", ClientRequestToken=token("v2")
    )

    assert_shape(client, "PutSecretValue", put)
    assert body(put) == {
        "ARN": secret["ARN"],
        "Name": "s",
        "VersionId": token("v2"),
        "VersionStages": ["AWSCURRENT"],
    }
    assert client.get_secret_value(SecretId="s")["SecretString"] == "two"
    assert stages(client, "s") == {token("v1"): ["AWSPREVIOUS"], token("v2"): ["AWSCURRENT"]}


def test_put_secret_value_binary(client, secret):
    put = client.put_secret_value(SecretId="s", SecretBinary=b"\xff\x00\x10")

    assert_shape(client, "PutSecretValue", put)
    got = client.get_secret_value(SecretId="s")
    assert got["SecretBinary"] == b"\xff\x00\x10"
    assert got["VersionId"] == put["VersionId"]


def test_put_secret_value_generates_a_version_id(client, secret):
    put = client.put_secret_value(SecretId="s", SecretString="two")

    assert_shape(client, "PutSecretValue", put)
    assert len(put["VersionId"]) == 36
    assert put["VersionId"] != token("v1")


def test_put_secret_value_third_version_deprecates_the_first(client, secret):
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    client.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))

    assert stages(client, "s") == {
        token("v1"): [],
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
    }


def test_put_secret_value_first_value_of_empty_secret_becomes_current(client):
    client.create_secret(Name="s")

    put = client.put_secret_value(SecretId="s", SecretString="v", ClientRequestToken=token("v1"))

    assert_shape(client, "PutSecretValue", put)
    assert put["VersionStages"] == ["AWSCURRENT"]
    assert stages(client, "s") == {token("v1"): ["AWSCURRENT"]}


def test_put_secret_value_with_custom_stages_leaves_current(client, secret):
    put = client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["SAMPLESTAGE0", "SAMPLESTAGE1"],
    )

    assert_shape(client, "PutSecretValue", put)
    assert sorted(put["VersionStages"]) == ["SAMPLESTAGE0", "SAMPLESTAGE1"]
    assert client.get_secret_value(SecretId="s")["SecretString"] == "one"
    assert stages(client, "s") == {
        token("v1"): ["AWSCURRENT"],
        token("v2"): ["SAMPLESTAGE0", "SAMPLESTAGE1"],
    }


def test_put_secret_value_moves_only_the_listed_custom_labels(client, secret):
    client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["one", "two", "three"],
    )

    client.put_secret_value(
        SecretId="s",
        SecretString="three",
        ClientRequestToken=token("v3"),
        VersionStages=["one", "two"],
    )

    assert stages(client, "s") == {
        token("v1"): ["AWSCURRENT"],
        token("v2"): ["three"],
        token("v3"): ["one", "two"],
    }


def test_put_secret_value_with_awscurrent_stage_moves_previous(client, secret):
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))

    put = client.put_secret_value(
        SecretId="s",
        SecretString="three",
        ClientRequestToken=token("v3"),
        VersionStages=["AWSCURRENT", "BLUE"],
    )

    assert sorted(put["VersionStages"]) == ["AWSCURRENT", "BLUE"]
    assert stages(client, "s") == {
        token("v1"): [],
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT", "BLUE"],
    }


def test_put_secret_value_with_pending_stage_moves_pending(client, secret):
    client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["AWSPENDING"],
    )

    client.put_secret_value(
        SecretId="s",
        SecretString="three",
        ClientRequestToken=token("v3"),
        VersionStages=["AWSPENDING"],
    )

    assert stages(client, "s") == {
        token("v1"): ["AWSCURRENT"],
        token("v2"): [],
        token("v3"): ["AWSPENDING"],
    }


def test_put_secret_value_default_stages_abandon_pending_shared_with_current(client, secret):
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

    client.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))

    assert stages(client, "s") == {
        token("v1"): [],
        token("v2"): ["AWSPREVIOUS"],
        token("v3"): ["AWSCURRENT"],
    }


@pytest.mark.unverified("not yet checked against AWS")
def test_put_secret_value_default_stages_remove_pending_from_other_version(client, secret):
    client.put_secret_value(
        SecretId="s",
        SecretString="two",
        ClientRequestToken=token("v2"),
        VersionStages=["AWSPENDING"],
    )

    client.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))

    assert stages(client, "s") == {
        token("v1"): ["AWSPREVIOUS"],
        token("v2"): [],
        token("v3"): ["AWSCURRENT"],
    }


@pytest.mark.parametrize(
    "value",
    [{"SecretString": "two"}, {"SecretBinary": b"\x00two"}],
    ids=["string", "binary"],
)
def test_put_secret_value_same_token_same_value_is_idempotent(client, secret, value):
    first = client.put_secret_value(SecretId="s", ClientRequestToken=token("v2"), **value)
    before = snapshot(client, "s")

    again = client.put_secret_value(SecretId="s", ClientRequestToken=token("v2"), **value)

    assert_shape(client, "PutSecretValue", again)
    assert body(again) == body(first)
    assert again["VersionId"] == token("v2")
    assert snapshot(client, "s") == before


def test_put_secret_value_replaying_the_create_token(client, secret):
    before = snapshot(client, "s")

    again = client.put_secret_value(
        SecretId="s", SecretString="one", ClientRequestToken=token("v1")
    )

    assert_shape(client, "PutSecretValue", again)
    assert again["VersionId"] == token("v1")
    assert again["VersionStages"] == ["AWSCURRENT"]
    assert snapshot(client, "s") == before


def test_put_secret_value_replaying_the_token_of_a_deprecated_version(client, secret):
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    client.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=token("v3"))
    before = snapshot(client, "s")

    again = client.put_secret_value(
        SecretId="s", SecretString="one", ClientRequestToken=token("v1")
    )

    assert snapshot(client, "s") == before
    assert again["VersionId"] == token("v1")
    assert_shape(client, "PutSecretValue", again)


@pytest.mark.parametrize(
    "other",
    [{"SecretString": "different"}, {"SecretBinary": b"two"}],
    ids=["other-string", "same-bytes-as-binary"],
)
def test_put_secret_value_same_token_different_value(client, secret, other):
    client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v2"))
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.put_secret_value(SecretId="s", ClientRequestToken=token("v2"), **other)

    assert error_of(excinfo) == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token('v2')} because that value is already in use "
        f"for a version of secret {secret['ARN']}.",
        400,
    )
    assert snapshot(client, "s") == before


def test_put_secret_value_token_is_scoped_to_the_secret(client, secret):
    client.create_secret(Name="other", SecretString="x", ClientRequestToken=token("v9"))

    put = client.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token("v9"))

    assert put["VersionId"] == token("v9")
    assert client.get_secret_value(SecretId="s")["SecretString"] == "two"


@pytest.mark.parametrize("secret_id", ["s", "missing"], ids=["existing", "missing"])
def test_put_secret_value_without_token_on_the_wire(client, tokenless_client, secret, secret_id):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        tokenless_client.put_secret_value(SecretId=secret_id, SecretString="two")

    assert error_of(excinfo) == TOKEN_REQUIRED
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, VALUE_REQUIRED),
        ({"SecretBinary": b""}, VALUE_REQUIRED),
        ({"SecretString": ""}, VALUE_REQUIRED),
        ({"SecretString": "", "SecretBinary": b""}, VALUE_REQUIRED),
        ({"SecretString": "x", "SecretBinary": b"x"}, BOTH_VALUES),
    ],
    ids=[
        "no-value",
        "empty-binary-unverified",
        "empty-string-unverified",
        "both-empty-unverified",
        "both-values",
    ],
)
def test_put_secret_value_value_errors(client, unvalidated_client, secret, value, expected):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.put_secret_value(SecretId="s", **value)

    assert error_of(excinfo) == expected
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("params", "message"),
    [
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
            {"SecretString": "x", "VersionStages": [f"S{i}" for i in range(21)]},
            "1 validation error detected: Value '["
            + ", ".join(f"S{i}" for i in range(21))
            + "]' at 'versionStages' failed to satisfy constraint: Member must have length "
            "less than or equal to 20",
        ),
        (
            {"SecretString": "x", "ClientRequestToken": "t" * 65},
            f"1 validation error detected: Value '{'t' * 65}' at 'clientRequestToken' failed "
            "to satisfy constraint: Member must have length less than or equal to 64",
        ),
    ],
    ids=["string-65537", "binary-65537", "21-stages", "token-65"],
)
def test_put_secret_value_constraint_violation(client, secret, params, message):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.put_secret_value(SecretId="s", **params)

    assert error_of(excinfo) == ("ValidationException", message, 400)
    assert snapshot(client, "s") == before


def test_put_secret_value_of_maximum_size(client, secret):
    put = client.put_secret_value(SecretId="s", SecretString="x" * 65536)

    assert_shape(client, "PutSecretValue", put)
    assert client.get_secret_value(SecretId="s")["SecretString"] == "x" * 65536


def test_put_secret_value_unknown_secret(client):
    with pytest.raises(ClientError) as excinfo:
        client.put_secret_value(SecretId="missing", SecretString="v")

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_put_secret_value_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.put_secret_value(SecretId=name, SecretString="v")

    assert error_of(excinfo) == INVALID_NAME


def test_put_secret_value_scheduled_for_deletion(client, secret):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.put_secret_value(SecretId="s", SecretString="two")

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


def test_put_secret_value_updates_dates(client, fake, secret, t0):
    fake.clock.advance(hours=3)

    put = client.put_secret_value(SecretId="s", SecretString="two")

    described = client.describe_secret(SecretId="s")
    assert described["LastChangedDate"] == t0 + timedelta(hours=3)
    assert described["CreatedDate"] == t0
    assert client.get_secret_value(SecretId="s")["CreatedDate"] == t0 + timedelta(hours=3)
    assert put["VersionId"] in described["VersionIdsToStages"]


def test_put_secret_value_up_to_20_labels_per_secret(client, secret):
    put = client.put_secret_value(
        SecretId="s", SecretString="two", VersionStages=[f"L{i}" for i in range(19)]
    )

    assert_shape(client, "PutSecretValue", put)
    assert len(put["VersionStages"]) == 19


@pytest.mark.parametrize(
    "labels",
    [[f"L{i}" for i in range(20)], ["AWSCURRENT", *[f"L{i}" for i in range(19)]]],
    ids=["20-new-labels", "current-plus-previous-overflow"],
)
def test_put_secret_value_more_than_20_labels_per_secret(client, no_retry_client, secret, labels):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        no_retry_client.put_secret_value(SecretId="s", SecretString="two", VersionStages=labels)

    assert error_of(excinfo) == LABEL_QUOTA
    assert snapshot(client, "s") == before


def fill(client, first, last):
    for index in range(first, last + 1):
        client.put_secret_value(
            SecretId="s", SecretString=f"v{index}", ClientRequestToken=token(f"v{index}")
        )


def test_put_secret_value_version_quota_with_young_deprecated_versions(
    client, no_retry_client, fake, secret
):
    fill(client, 2, 100)
    fake.clock.advance(hours=23, minutes=59, seconds=59)
    before = snapshot(client, "s")
    assert len(before[1]["Versions"]) == 100

    with pytest.raises(ClientError) as excinfo:
        no_retry_client.put_secret_value(SecretId="s", SecretString="v101")

    assert error_of(excinfo) == VERSION_QUOTA
    assert snapshot(client, "s") == before


def test_put_secret_value_version_quota_prunes_deprecated_versions_a_day_old(client, fake, secret):
    fill(client, 2, 100)
    fake.clock.advance(hours=24)

    put = client.put_secret_value(
        SecretId="s", SecretString="v101", ClientRequestToken=token("v101")
    )

    assert_shape(client, "PutSecretValue", put)
    after = stages(client, "s")
    assert len(after) == 100
    assert token("v1") not in after
    assert after[token("v2")] == []
    assert after[token("v100")] == ["AWSPREVIOUS"]
    assert after[token("v101")] == ["AWSCURRENT"]


def test_put_secret_value_version_quota_prunes_only_old_deprecated_versions(
    client, no_retry_client, fake, secret
):
    fill(client, 2, 50)
    fake.clock.advance(hours=24)
    fill(client, 51, 100)
    fill(client, 101, 150)
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        no_retry_client.put_secret_value(SecretId="s", SecretString="v151")

    assert error_of(excinfo) == VERSION_QUOTA
    assert snapshot(client, "s") == before
    assert sorted(stages(client, "s")) == sorted(token(f"v{i}") for i in range(51, 151))
