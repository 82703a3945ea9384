from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smfake._domain.errors import SerializationException
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


def test_validate_remembers_passed_flat_requests_but_never_secret_values():
    from smfake._wire import validate

    validate._passed.clear()
    validate.check("GetSecretValue", {"SecretId": "remembered"})
    assert ("GetSecretValue", "SecretId", str, "remembered") in validate._passed
    validate.check(
        "PutSecretValue", {"SecretId": "s", "SecretString": "hush", "ClientRequestToken": "t" * 32}
    )
    assert not any("hush" in key for key in validate._passed)
    # A remembered request still fails when a value of another type comes along.
    with pytest.raises(SerializationException):
        validate.check("GetSecretValue", {"SecretId": 5})
