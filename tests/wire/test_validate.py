from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smfake._domain.errors import SerializationException, ValidationException
from smfake._wire.model import service_model
from tests.conftest import error_of, needs_member

PREFIX = "1 validation error detected: "


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        (
            "create_secret",
            {"Name": "n" * 513},
            PREFIX + f"Value '{'n' * 513}' at 'name' failed to satisfy constraint: "
            "Member must have length less than or equal to 512",
        ),
        (
            "create_secret",
            {"Name": "n", "SecretString": "s" * 65537},
            PREFIX + "Value at 'secretString' failed to satisfy constraint: "
            "Member must have length less than or equal to 65536",
        ),
        (
            "create_secret",
            {"Name": "n", "SecretBinary": b"s" * 65537},
            PREFIX + "Value at 'secretBinary' failed to satisfy constraint: "
            "Member must have length less than or equal to 65536",
        ),
        (
            "create_secret",
            {"Name": "n", "Tags": [{"Key": "k" * 129, "Value": "v"}]},
            PREFIX + f"Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
        ),
        pytest.param(
            "put_secret_value",
            {"SecretId": "n", "SecretString": "v", "RotationToken": "not valid!" * 4},
            PREFIX + "Value at 'rotationToken' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9\\-]+$",
            marks=needs_member("PutSecretValue", "RotationToken"),
        ),
        (
            "put_secret_value",
            {"SecretId": "n", "SecretString": "v", "VersionStages": ["s" * 257]},
            PREFIX + f"Value '[{'s' * 257}]' at 'versionStages' failed to satisfy constraint: "
            "Member must satisfy constraint: [Member must have length less than or equal to 256]",
        ),
        (
            "list_secret_version_ids",
            {"SecretId": "n", "MaxResults": 500},
            PREFIX + "Value '500' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 100",
        ),
        (
            "get_secret_value",
            {"SecretId": "n" * 2049},
            PREFIX + f"Value '{'n' * 2049}' at 'secretId' failed to satisfy constraint: "
            "Member must have length less than or equal to 2048",
        ),
    ],
)
def test_validate_server_side_constraints(client, operation, params, message):
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(**params)
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_validate_counts_several_errors(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_secret(Name="n" * 513, Description="d" * 2049)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("2 validation errors detected: Value '")
    assert "at 'name'" in message and "; Value '" in message and "at 'description'" in message


def test_validate_never_echoes_a_secret_value(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_secret(Name="n", SecretString="topsecret" * 8000)
    assert "topsecret" not in str(excinfo.value)
    assert "topsecret" not in repr(excinfo.value.response)


def test_validate_remembers_passed_request_shapes_but_never_secret_values():
    from smfake._wire import validate

    validate._passed.clear()
    # Members checked only by their length are remembered by type: one entry for many ids.
    validate.check("GetSecretValue", {"SecretId": "remembered"})
    validate.check("GetSecretValue", {"SecretId": "another"})
    assert validate._passed == {("GetSecretValue", "SecretId", str, None)}
    # Members with a pattern or an enum are remembered by value (SortOrder is an enum).
    validate.check("ListSecrets", {"SortOrder": "asc"})
    assert ("ListSecrets", "SortOrder", str, "asc") in validate._passed
    with pytest.raises(ValidationException, match="sortOrder"):
        validate.check("ListSecrets", {"SortOrder": "up"})
    # A value and a token: remembered by their types alone, never by what they hold.
    for value in ("hush", "quiet"):
        request = {"SecretId": "s", "SecretString": value, "ClientRequestToken": value * 8}
        validate.check("PutSecretValue", request)
    assert not any("hush" in str(key) or "quiet" in str(key) for key in validate._passed)
    assert (
        "PutSecretValue", "SecretId", str, None, "SecretString", str, None,
        "ClientRequestToken", str, None,
    ) in validate._passed  # fmt: skip
    # A size out of bounds is walked every time, so that it is reported.
    for too_long in ("x" * 65_537, b"x" * 65_537):
        member = "SecretString" if isinstance(too_long, str) else "SecretBinary"
        path = member[0].lower() + member[1:]
        with pytest.raises(ValidationException, match=f"'{path}' failed to satisfy"):
            validate.check("PutSecretValue", {"SecretId": "s", member: too_long})
    with pytest.raises(ValidationException, match="clientRequestToken"):
        validate.check("PutSecretValue", {"SecretId": "s", "ClientRequestToken": "short"})
    with pytest.raises(ValidationException, match="secretId"):
        validate.check("GetSecretValue", {"SecretId": "x" * 2049})
    # A sensitive member with a pattern (the rotation token) is walked every time, never kept
    # (botocore models older than RotationToken do not define it: nothing to check there).
    if "RotationToken" in service_model().operation_model("PutSecretValue").input_shape.members:
        with pytest.raises(ValidationException, match="rotationToken"):
            validate.check("PutSecretValue", {"SecretId": "s", "RotationToken": "#" * 40})
        validate.check("PutSecretValue", {"SecretId": "s", "RotationToken": "a" * 40})
    assert not any("RotationToken" in key for key in validate._passed)
    # A remembered shape still fails when a value of another type comes along.
    with pytest.raises(SerializationException):
        validate.check("GetSecretValue", {"SecretId": 5})
    with pytest.raises(SerializationException):
        validate.check("DeleteSecret", {"SecretId": "s", "ForceDeleteWithoutRecovery": 1})


def test_validate_defined_keeps_only_what_the_model_defines():
    from smfake._wire import validate

    flat = {"SecretId": "s", "VersionStage": "AWSCURRENT"}
    assert validate.defined("GetSecretValue", flat) is flat
    deep: list[object] = []
    for _ in range(50_000):  # deeper than the interpreter's recursion limit: never walked
        deep = [deep]
    request = {
        "SecretId": "s",
        "secretString": "x",
        "Tags": [{"Key": "k", "Value": "v", "Extra": "x"}, "not a tag", {"Key": 5}],
        "ForceOverwriteReplicaSecret": "yes",
        "AddReplicaRegions": deep,
        "Unknown": deep,
    }
    assert validate.defined("TagResource", request) == {
        "SecretId": "s",
        "Tags": [{"Key": "k", "Value": "v"}, {}],
    }
    assert validate.defined("CreateSecret", {"Name": None, "Tags": {"Key": "k"}}) == {}
