from __future__ import annotations

import base64
import json

import pytest

from smfake._domain.backend import Backend
from smfake._wire import views
from smfake._wire.dispatch import Responder
from smfake._wire.model import operation_names
from smfake._wire.operations import OPERATIONS
from smfake.errors import UnsupportedOperation

URL = "https://secretsmanager.eu-central-1.amazonaws.com/"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20300101/ap-south-1/secretsmanager/aws4_request, "
    "SignedHeaders=host, Signature=00"
)
TOKEN = "t" * 32


def call(
    responder: Responder, operation: str, body: object, *, auth: str | None = AUTH, url: str = URL
):
    headers = {"X-Amz-Target": f"secretsmanager.{operation}"}
    if auth is not None:
        headers["Authorization"] = auth
    raw = body if isinstance(body, (bytes, bytearray, str)) else json.dumps(body).encode()
    reply = responder.respond("POST", url, headers, raw)
    return reply.status, reply.headers, json.loads(reply.body)


@pytest.fixture
def responder() -> Responder:
    return Responder(Backend(seed=1), "123456789012")


def test_protocol_success_body_and_headers(responder):
    status, headers, body = call(
        responder, "CreateSecret", {"Name": "n", "SecretString": "v", "ClientRequestToken": TOKEN}
    )
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-RequestId"]
    assert body["ARN"].startswith("arn:aws:secretsmanager:ap-south-1:123456789012:secret:n-")
    assert body == {"ARN": body["ARN"], "Name": "n", "VersionId": TOKEN}


def test_protocol_region_comes_from_the_signature_then_the_host(responder):
    _, _, signed = call(responder, "CreateSecret", {"Name": "a", "ClientRequestToken": TOKEN})
    _, _, by_host = call(
        responder, "CreateSecret", {"Name": "b", "ClientRequestToken": TOKEN}, auth=None
    )
    _, _, fallback = call(
        responder,
        "CreateSecret",
        {"Name": "c", "ClientRequestToken": TOKEN},
        auth=None,
        url="http://localhost:4566/",
    )
    assert ":ap-south-1:" in signed["ARN"]
    assert ":eu-central-1:" in by_host["ARN"]
    assert ":us-east-1:" in fallback["ARN"]


@pytest.mark.parametrize(
    ("operation", "body", "code", "message"),
    [
        (
            "NoSuchThing",
            {},
            "UnknownOperationException",
            "The requested operation NoSuchThing is not supported by this service.",
        ),
        ("CreateSecret", b"{not json", "SerializationException", None),
        ("CreateSecret", b"[1, 2]", "SerializationException", None),
        ("CreateSecret", {"Name": 5, "ClientRequestToken": TOKEN}, "SerializationException", None),
        # A list item of the wrong type (reached the handler: AttributeError out of the fake).
        ("BatchGetSecretValue", {"SecretIdList": [1]}, "SerializationException", None),
        ("UntagResource", {"SecretId": "x", "TagKeys": [["k"]]}, "SerializationException", None),
        (
            "ListSecrets",
            {"Filters": [{"Key": "name", "Values": [{"a": 1}]}]},
            "SerializationException",
            None,
        ),
        (
            "PutSecretValue",
            {"SecretId": "x", "SecretBinary": "%%%", "ClientRequestToken": TOKEN},
            "SerializationException",
            None,
        ),
        # A list item without the member that names it (the model leaves it optional).
        (
            "TagResource",
            {"SecretId": "x", "Tags": [{"Value": "v"}]},
            "InvalidParameterException",
            "You must provide a Key for each tag.",
        ),
        (
            "CreateSecret",
            {"Name": "n", "ClientRequestToken": TOKEN, "AddReplicaRegions": [{"KmsKeyId": "k"}]},
            "InvalidParameterException",
            "You must provide a Region for each replica Region.",
        ),
        (
            "GetSecretValue",
            {},
            "ValidationException",
            "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            "CreateSecret",
            {"Name": "n"},
            "InvalidRequestException",
            "You must provide a ClientRequestToken value. We recommend a UUID-type value.",
        ),
        (
            "PutSecretValue",
            {"SecretId": "missing", "SecretString": "v"},
            "InvalidRequestException",
            "You must provide a ClientRequestToken value. We recommend a UUID-type value.",
        ),
        (
            "UpdateSecret",
            {"SecretId": "missing"},
            "InvalidRequestException",
            "You must provide a ClientRequestToken value. We recommend a UUID-type value.",
        ),
    ],
)
def test_protocol_errors(responder, operation, body, code, message):
    status, headers, parsed = call(responder, operation, body)
    assert status == 400
    assert parsed["__type"] == code
    assert headers["x-amzn-ErrorType"] == code
    text = parsed.get("Message", parsed.get("message"))
    assert isinstance(text, str) and text
    if message is not None:
        assert text == message


def test_protocol_validation_errors_use_lowercase_message_key(responder):
    _, _, parsed = call(responder, "GetSecretValue", {})
    assert set(parsed) == {"__type", "message"}
    _, _, parsed = call(responder, "GetSecretValue", {"SecretId": "missing"})
    assert set(parsed) == {"__type", "Message"}


def test_protocol_binary_values_travel_base64(responder):
    data = bytes(range(256))
    call(
        responder,
        "CreateSecret",
        {"Name": "b", "SecretBinary": base64.b64encode(data).decode(), "ClientRequestToken": TOKEN},
    )
    _, _, body = call(responder, "GetSecretValue", {"SecretId": "b"})
    assert base64.b64decode(body["SecretBinary"]) == data
    assert "SecretString" not in body


def test_protocol_timestamps_are_epoch_seconds(responder):
    call(responder, "CreateSecret", {"Name": "n", "SecretString": "v", "ClientRequestToken": TOKEN})
    call(responder, "GetSecretValue", {"SecretId": "n"})
    _, _, body = call(responder, "DescribeSecret", {"SecretId": "n"})
    assert isinstance(body["CreatedDate"], float)
    assert isinstance(body["LastAccessedDate"], int)
    assert body["LastAccessedDate"] % 86400 == 0


def test_protocol_unsupported_operation_raises_loudly(responder):
    unsupported = sorted(operation_names() - set(OPERATIONS))
    if not unsupported:
        pytest.skip("this botocore's model has no operation smfake lacks")
    with pytest.raises(UnsupportedOperation, match=unsupported[0]) as excinfo:
        call(responder, unsupported[0], {})
    assert "docs/operations.md#supported-operations" in str(excinfo.value)


def test_protocol_unsupported_parameter_raises_loudly():
    # Every parameter of today's model is served; a handler refuses one it cannot model yet
    # with views.unsupported, before it changes anything. Empty values count as absent.
    views.unsupported("CreateSecret", {"Name": "r", "Future": ""}, "Future")
    with pytest.raises(UnsupportedOperation, match="CreateSecret with Future"):
        views.unsupported("CreateSecret", {"Name": "r", "Future": "x"}, "Future")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"Name":"n","SecretString":"v","ClientRequestToken":"' + TOKEN.encode() + b'"}',
        b'  {"Name": "n", "SecretString": "v", "ClientRequestToken": "' + TOKEN.encode() + b'"}\n',
        b'\xef\xbb\xbf{"Name":"n","SecretString":"v","ClientRequestToken":"'
        + TOKEN.encode()
        + b'"}',
        json.dumps({"Name": "n", "SecretString": "v", "ClientRequestToken": TOKEN}).encode(
            "utf-16"
        ),
    ],
    ids=["compact", "whitespace", "utf8-bom", "utf16"],
)
def test_protocol_reads_any_json_encoding_json_loads_reads(responder, raw):
    # Bodies as botocore writes them take a quicker reader; every other form reads as before.
    status, _, parsed = call(responder, "CreateSecret", raw)
    assert status == 200
    assert parsed["Name"] == "n"


def test_protocol_reads_a_bytearray_body(responder):
    status, _, parsed = call(
        responder,
        "CreateSecret",
        bytearray(f'{{"Name":"n","SecretString":"v","ClientRequestToken":"{TOKEN}"}}'.encode()),
    )
    assert (status, parsed["Name"]) == (200, "n")


@pytest.mark.parametrize("raw", [b'{"SecretId": "x"} trailing', b"\xff\xfe\x00", b"[1]"])
def test_protocol_malformed_bodies_are_serialization_errors(responder, raw):
    status, _, parsed = call(responder, "GetSecretValue", raw)
    assert (status, parsed["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize(
    ("escaped", "status"),
    [
        ("\\udfff", 400),  # a lone surrogate: no Unicode text holds it
        ("x\\ud800y", 400),
        ("\\ud83d\\ude00", 200),  # a pair: one character
        ("\\\\ud800", 200),  # an escaped backslash, then text
    ],
)
def test_protocol_lone_surrogates_are_serialization_errors(responder, escaped, status):
    body = f'{{"Name":"n","ClientRequestToken":"{TOKEN}","SecretString":"{escaped}"}}'
    got, _, parsed = call(responder, "CreateSecret", body.encode())
    assert got == status
    if status == 400:
        assert parsed["__type"] == "SerializationException"
    else:  # stored, and read back
        got, _, value = call(responder, "GetSecretValue", {"SecretId": "n"})
        assert got == 200
        assert value["SecretString"] == json.loads(f'"{escaped}"')


def test_protocol_a_str_body_with_a_lone_surrogate_is_a_serialization_error():
    from smfake import SecretsManagerFake

    fake = SecretsManagerFake()
    headers = {"X-Amz-Target": "secretsmanager.DescribeSecret"}
    reply = fake.http.handle("POST", URL, headers, '{"SecretId":"\ud800"}')  # a str body
    assert (reply.status, json.loads(reply.body)["__type"]) == (400, "SerializationException")
