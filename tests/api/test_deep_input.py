"""Deeply nested input, on every front: JSON 1.1 through ``fake.http.handle`` and the loopback
server, the Query API (dotted names and JSON-valued fields) and the Lambda extension endpoint.
Whatever the depth, the answer is AWS's: a 400 SerializationException for a body nested
beyond what the model's types allow, never a Python exception or a 500."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import quote, urlencode

import pytest

from smfake import SecretsManagerFake
from smfake._api.server import Server
from smfake._api.snapshot import dump

URL = "https://secretsmanager.us-east-1.amazonaws.com/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DEPTHS = [900, 1_000, 5_000, 100_000]
SERIALIZATION = {
    "__type": "SerializationException",
    "message": "Start of structure or map found where not expected.",
}


def target(operation: str) -> dict[str, str]:
    return {
        "X-Amz-Target": f"secretsmanager.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# (operation, body) pairs: nesting in a member the model defines as a list, as a string and as
# a structure, under a member it does not define, and as the whole body.
def bodies(depth: int) -> list[tuple[str, str]]:
    token = '"ClientRequestToken":"00000000-0000-4000-8000-000000000001"'
    deep = objects(depth)
    return [
        ("TagResource", f'{{"SecretId":"s","Tags":{arrays(depth)}}}'),
        ("TagResource", f'{{"SecretId":"s","Tags":[{{"Key":"k","Value":{objects(depth)}}}]}}'),
        ("UntagResource", f'{{"SecretId":"s","TagKeys":[{arrays(depth)}]}}'),
        ("DescribeSecret", f'{{"SecretId":{objects(depth)}}}'),
        ("RotateSecret", f'{{"SecretId":"s",{token},"RotationRules":{{"Duration":{deep}}}}}'),
        ("CreateSecret", f'{{"Name":"n1",{token},"Unknown":{arrays(depth)}}}'),
        ("CreateSecret", f'{{"Name":"n2",{token},"Unknown":{objects(depth)}}}'),
        ("GetSecretValue", arrays(depth)),
    ]


@pytest.fixture
def fake():
    fake = SecretsManagerFake()
    fake.add_secret("s", "v")
    return fake


def state(fake: SecretsManagerFake) -> dict[str, object]:
    # Every call draws a request id, and the clock runs: the rest must not move.
    return {key: value for key, value in dump(fake).items() if key not in ("clock", "ids")}


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_json_is_a_serialization_error_through_http_handle(fake, depth):
    before = state(fake)
    for operation, body in bodies(depth):
        reply = fake.http.handle("POST", URL, target(operation), body.encode())
        if depth < 1_000 and "Unknown" in body:
            # Nesting the decoder can read, under a member the model does not define, is
            # ignored as AWS ignores unknown members.
            assert reply.status == 200, (operation, reply.body[:200])
            continue
        assert (reply.status, json.loads(reply.body)) == (400, SERIALIZATION), operation
    if depth >= 1_000:
        assert state(fake) == before


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.usefixtures("allow_loopback")
def test_deep_json_is_a_serialization_error_through_the_loopback_server(fake, depth):
    with Server(fake) as server:
        port = int(server.url.rsplit(":", 1)[1])
        for operation, body in bodies(depth):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("POST", "/", body=body.encode(), headers=target(operation))
                response = connection.getresponse()
                status, data = response.status, response.read()
            finally:
                connection.close()
            assert (status, json.loads(data)) == (400, SERIALIZATION), operation


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_json_in_a_query_api_field_gets_an_aws_answer(fake, depth):
    before = state(fake)
    for document in (arrays(depth), objects(depth)):
        for operation in ("PutResourcePolicy", "ValidateResourcePolicy"):
            form = urlencode({"Action": operation, "SecretId": "s", "ResourcePolicy": document})
            reply = fake.http.handle("POST", URL, FORM, form.encode())
            assert reply.status in (200, 400), reply.body[:300]
            if reply.status == 400:
                assert b"<Code>MalformedPolicyDocumentException</Code>" in reply.body or (
                    b"<Code>ValidationException</Code>" in reply.body  # over 20,480 characters
                )
    assert state(fake) == before


@pytest.mark.parametrize("depth", [1_000, 50_000])
def test_deeply_dotted_query_api_names_are_answered_at_once(fake, depth):
    # Query nests by dotted names. Each prefix of a name was built and kept as a new string:
    # O(n²) time and memory, 11 s and gigabytes for a name 20,000 deep.
    before = state(fake)
    for name in ("Tags" + ".member.1" * depth, "SecretId" + ".x" * depth, "Bogus" + ".a" * depth):
        started = time.perf_counter()
        reply = fake.http.handle(
            "POST", URL, FORM, f"Action=UntagResource&SecretId=s&TagKeys=&{name}=v".encode()
        )
        assert time.perf_counter() - started < 10
        assert reply.status in (200, 400, 404), reply.body[:300]
        assert b"<ErrorResponse" in reply.body or b"<UntagResourceResponse" in reply.body
    assert state(fake) == before


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_input_to_the_extension_endpoint_gets_its_answer(fake, depth):
    for value in (arrays(depth), objects(depth)):
        url = f"http://localhost:2773/secretsmanager/get?secretId={quote(value)}"
        reply = fake.http.handle("GET", url, {"X-Aws-Parameters-Secrets-Token": "t"})
        assert reply.status == 400
        assert json.loads(reply.body)["__type"] == "ValidationException"
