from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from smfake._wire.extension import USER_AGENT, Extension

BASE = "http://localhost:2773"
TOKEN = "session-token"
GOOD = {"X-Aws-Parameters-Secrets-Token": TOKEN}
GSV = "/secretsmanager/get"
T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
RATE_EXCEEDED = b'{"__type":"ThrottlingException", "message":"Rate exceeded"}'
NOT_FOUND = (
    b'{"__type":"ResourceNotFoundException", '
    b'"message":"Secrets Manager can\'t find the specified secret."}'
)


@pytest.fixture
def ext(fake, monkeypatch):
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    fake.clock.set(T0)
    extension = Extension(fake._responder, region="us-east-1")
    extension.token = TOKEN
    return extension


def get(ext, path, headers=GOOD, method="GET"):
    reply = ext.handle(method, BASE + path, headers)
    return reply.status, reply.body


def value_of(ext, path):
    status, body = get(ext, path)
    assert status == 200, body
    return json.loads(body)["SecretString"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "body"),
    [
        ("GET", "/ping", {}, 200, b"healthy"),
        ("GET", "/ping?x=1", {"X-Forwarded-For": "10.0.0.1"}, 200, b"healthy"),
        ("POST", "/ping", {}, 405, b"Not allowed"),
        ("GET", "/start_serving", {}, 404, b"Not found"),
        ("GET", GSV + "?secretId=db", {}, 403, b"Bad Token"),
        ("GET", GSV + "?secretId=db", {"X-Vault-Token": "wrong"}, 403, b"Bad Token"),
        ("POST", GSV + "?secretId=db", {}, 403, b"Bad Token"),
        ("POST", GSV + "?secretId=db", GOOD, 405, b"Not allowed"),
        ("get", GSV + "?secretId=db", GOOD, 405, b"Not allowed"),
        ("GET", GSV + "?secretId=db", {**GOOD, "X-Forwarded-For": ""}, 400, b"Forwarded"),
        ("GET", "/elsewhere", GOOD, 404, b"Not found"),
        ("GET", "/elsewhere", {}, 403, b"Bad Token"),
        ("GET", GSV + "/?secretId=db", GOOD, 404, b"Not found"),
        ("GET", GSV + "?secretId=db&abc=1", GOOD, 400, b"unknown parameter: abc"),
        ("GET", GSV + "?secretid=db", GOOD, 400, b"unknown parameter: secretid"),
        ("GET", GSV + "?versionStage=AWSCURRENT", GOOD, 400, b"missing parameter secretId"),
        ("GET", GSV + "?secretId=", GOOD, 400, b"missing parameter secretId"),
        ("GET", GSV, GOOD, 400, b"missing parameter secretId"),
        ("GET", GSV + "?secretId=db&refreshNow=yes", GOOD, 400, b"invalid refreshNow value"),
        ("GET", "/v1/", GOOD, 400, b"missing secret ID"),
        ("GET", "/v1/db?secretId=db", GOOD, 400, b"unknown parameter: secretId"),
        ("GET", "/v1/db?refreshNow=2", GOOD, 400, b"invalid refreshNow value"),
    ],
)
def test_extension_answers_without_calling_the_service(
    fake, ext, method, path, headers, status, body
):
    fake.add_secret("db", "s3cr3t")
    reply = ext.handle(method, BASE + path, headers)
    assert (reply.status, reply.body) == (status, body)
    assert reply.headers["Content-Length"] == str(len(body))
    assert "Content-Type" not in reply.headers
    assert fake.events.names() == []


@pytest.mark.parametrize(
    ("token", "env", "headers", "status"),
    [
        ("set", None, {"X-Aws-Parameters-Secrets-Token": "set"}, 200),
        ("set", "env", {"X-Aws-Parameters-Secrets-Token": "env"}, 403),
        ("set", None, {"x-vault-token": "set"}, 200),
        ("set", None, {"X-Aws-Parameters-Secrets-Token": "no", "X-Vault-Token": "set"}, 200),
        (None, "env", {"X-Aws-Parameters-Secrets-Token": "env"}, 200),
        (None, "env", {"X-Aws-Parameters-Secrets-Token": "other"}, 403),
        (None, None, {"X-Aws-Parameters-Secrets-Token": "anything"}, 200),
        (None, None, {"X-Vault-Token": "anything"}, 200),
        (None, None, {"X-Aws-Parameters-Secrets-Token": ""}, 403),
        (None, None, {"Authorization": "anything"}, 403),
    ],
)
def test_extension_token_sources(fake, ext, monkeypatch, token, env, headers, status):
    fake.add_secret("db", "s3cr3t")
    ext.token = token
    if env is not None:
        monkeypatch.setenv("AWS_SESSION_TOKEN", env)
    assert get(ext, "/secretsmanager/get?secretId=db", headers)[0] == status


@pytest.mark.parametrize(
    ("created_after", "created_date"),
    [
        (timedelta(), '"1893456000"'),
        (timedelta(milliseconds=123), '"1893456000.123"'),
        (timedelta(seconds=59, milliseconds=900), '"1893456059.9"'),
    ],
)
def test_extension_body_is_the_agents_json(fake, ext, client, created_after, created_date):
    fake.clock.set(T0 + created_after)
    created = client.create_secret(Name="db", SecretString='{"pw":"é/\\""}')
    status, body = get(ext, "/secretsmanager/get?secretId=db")
    assert status == 200
    expected = (
        f'{{"ARN":"{created["ARN"]}","Name":"db","VersionId":"{created["VersionId"]}",'
        f'"SecretString":"{{\\"pw\\":\\"é/\\\\\\"\\"}}","VersionStages":["AWSCURRENT"],'
        f'"CreatedDate":{created_date}}}'
    )
    assert body.decode() == expected
    assert json.loads(json.loads(body)["SecretString"]) == {"pw": 'é/"'}


def test_extension_binary_secret(fake, ext, client):
    client.create_secret(Name="blob", SecretBinary=b"\x00\xffkey")
    answer = json.loads(get(ext, "/v1/blob")[1])
    assert list(answer) == [
        "ARN",
        "Name",
        "VersionId",
        "SecretBinary",
        "VersionStages",
        "CreatedDate",
    ]
    assert base64.b64decode(answer["SecretBinary"]) == b"\x00\xffkey"


def test_extension_selects_versions_like_get_secret_value(fake, ext, client):
    first = client.create_secret(Name="team/db", SecretString="one")["VersionId"]
    client.put_secret_value(SecretId="team/db", SecretString="two")
    assert value_of(ext, "/secretsmanager/get?secretId=team%2Fdb") == "two"
    assert value_of(ext, "/v1/team/db") == "two"
    assert value_of(ext, "/v1/team/db?versionStage=AWSPREVIOUS") == "one"
    assert value_of(ext, f"/secretsmanager/get?secretId=team/db&versionId={first}") == "one"
    client.put_secret_value(SecretId="team/db", SecretString="three")
    unlabelled = json.loads(get(ext, f"/v1/team/db?versionId={first}&refreshNow=1")[1])
    assert (unlabelled["SecretString"], "VersionStages" in unlabelled) == ("one", False)
    # The agent passes the path on still percent-encoded, and "%" is not valid in a name.
    status, body = get(ext, "/v1/team%2Fdb")
    assert (status, json.loads(body)["__type"]) == (400, "ValidationException")
    assert fake.events.filter("GetSecretValue")[-1].request_parameters == {"secretId": "team%2Fdb"}


def test_extension_calls_as_the_agent_from_loopback(fake, ext):
    fake.add_secret("db", "s3cr3t")
    get(ext, "/secretsmanager/get?secretId=db")
    (event,) = fake.events.filter("GetSecretValue")
    assert (event.user_agent, event.source_ip_address) == (USER_AGENT, "127.0.0.1")
    assert event.request_parameters == {"secretId": "db"}


def test_extension_serves_the_cached_value_until_the_ttl_passes(fake, ext, client):
    client.create_secret(Name="db", SecretString="one")
    assert value_of(ext, "/secretsmanager/get?secretId=db") == "one"
    client.put_secret_value(SecretId="db", SecretString="two")
    fake.clock.advance(seconds=300)
    assert value_of(ext, "/secretsmanager/get?secretId=db") == "one"
    assert fake.events.names() == ["CreateSecret", "GetSecretValue", "PutSecretValue"]
    fake.clock.advance(seconds=1)
    assert value_of(ext, "/secretsmanager/get?secretId=db") == "two"
    assert fake.events.names()[3:] == ["DescribeSecret", "GetSecretValue"]
    assert fake.events[3].request_parameters == {
        "secretId": client.describe_secret(SecretId="db")["ARN"]
    }


def test_extension_revalidates_an_unchanged_secret_with_describe_secret(fake, ext, client):
    client.create_secret(Name="db", SecretString="one")
    value_of(ext, "/secretsmanager/get?secretId=db")
    fake.clock.advance(seconds=301)
    assert value_of(ext, "/secretsmanager/get?secretId=db") == "one"
    fake.clock.advance(seconds=300)  # the check renewed the entry's TTL
    assert value_of(ext, "/secretsmanager/get?secretId=db") == "one"
    assert fake.events.names() == ["CreateSecret", "GetSecretValue", "DescribeSecret"]


@pytest.mark.parametrize(
    ("query", "moved", "status", "calls"),
    [
        ("", False, 200, ["DescribeSecret"]),
        ("", True, 200, ["DescribeSecret", "GetSecretValue"]),
        ("&versionStage=AWSPREVIOUS", False, 200, ["DescribeSecret"]),
        ("&versionStage=AWSPREVIOUS", True, 200, ["DescribeSecret", "GetSecretValue"]),
        ("&versionId={v2}", True, 200, ["DescribeSecret"]),  # still labelled, AWSPREVIOUS now
        ("&versionId={v2}&versionStage=AWSCURRENT", False, 200, ["DescribeSecret"]),
        (
            "&versionId={v2}&versionStage=AWSCURRENT",
            True,
            400,
            ["DescribeSecret", "GetSecretValue"],
        ),
    ],
)
def test_extension_is_current_check(fake, ext, client, query, moved, status, calls):
    client.create_secret(Name="db", SecretString="one")
    v2 = client.put_secret_value(SecretId="db", SecretString="two")["VersionId"]
    path = "/secretsmanager/get?secretId=db" + query.format(v2=v2)
    assert get(ext, path)[0] == 200
    if moved:
        client.put_secret_value(SecretId="db", SecretString="three")
    fake.clock.advance(seconds=301)
    before = len(fake.events)
    assert get(ext, path)[0] == status
    assert fake.events.names()[before:] == calls


@pytest.mark.parametrize("flag", ["true", "TRUE", "1"])
def test_extension_refresh_now_skips_the_cache(fake, ext, client, flag):
    client.create_secret(Name="db", SecretString="one")
    value_of(ext, "/secretsmanager/get?secretId=db")
    client.put_secret_value(SecretId="db", SecretString="two")
    assert value_of(ext, f"/v1/db?refreshNow={flag}") == "two"
    assert value_of(ext, "/v1/db?refreshNow=false") == "two"  # refreshNow is not in the key
    assert value_of(ext, "/secretsmanager/get?secretId=db&refreshNow=true") == "two"
    assert value_of(ext, "/secretsmanager/get?secretId=db") == "two"
    assert fake.events.count("GetSecretValue") == 3
    assert fake.events.count("DescribeSecret") == 0


def test_extension_keys_by_the_id_as_sent(fake, ext):
    arn = fake.add_secret("db", "one")
    value_of(ext, "/secretsmanager/get?secretId=db")
    value_of(ext, f"/secretsmanager/get?secretId={arn}")
    value_of(ext, "/v1/db")
    value_of(ext, "/v1/db?versionStage=AWSCURRENT")
    assert fake.events.count("GetSecretValue") == 3


@pytest.mark.parametrize(("setting", "value"), [("ttl_seconds", 0), ("cache_size", 0)])
def test_extension_without_cache_always_asks(fake, ext, client, setting, value):
    client.create_secret(Name="db", SecretString="one")
    setattr(ext, setting, value)
    value_of(ext, "/v1/db")
    client.put_secret_value(SecretId="db", SecretString="two")
    assert value_of(ext, "/v1/db") == "two"
    assert fake.events.names()[2:] == ["PutSecretValue", "GetSecretValue"]
    assert "cached=0" in repr(ext)


def test_extension_evicts_the_least_recently_written_entry(fake, ext):
    for name in "abc":
        fake.add_secret(name, name)
    ext.cache_size = 2
    for name in "aba":  # the second read of a is a hit and does not refresh its rank
        value_of(ext, f"/v1/{name}")
    value_of(ext, "/v1/c")
    assert fake.events.count("GetSecretValue") == 3
    value_of(ext, "/v1/b")
    value_of(ext, "/v1/a")
    assert [e.request_parameters["secretId"] for e in fake.events.filter("GetSecretValue")] == [
        "a",
        "b",
        "c",
        "a",
    ]


@pytest.mark.parametrize(
    ("error", "count", "status", "body", "attempts"),
    [
        ("InternalServiceError", 1, 200, None, 2),
        ("ThrottlingException", 2, 200, None, 3),
        ("ThrottlingException", 3, 400, RATE_EXCEEDED, 3),
        ("InternalFailure", 3, 500, b'{"__type":"InternalFailure"}', 3),
        ("ResourceNotFoundException", 1, 400, NOT_FOUND, 1),
        ("DecryptionFailure", 1, 400, None, 1),
    ],
)
def test_extension_retries_and_passes_errors_through(
    fake, ext, error, count, status, body, attempts
):
    fake.add_secret("db", "one")
    fake.faults.inject("GetSecretValue", error, count=count)
    got_status, got_body = get(ext, "/v1/db")
    assert got_status == status
    if body is not None:
        assert got_body == body
    elif status != 200:
        assert json.loads(got_body)["__type"] == error
    assert fake.events.count("GetSecretValue") == attempts


def test_extension_max_attempts_one_does_not_retry(fake, ext):
    fake.add_secret("db", "one")
    ext.max_attempts = 1
    fake.faults.inject("GetSecretValue", "InternalServiceError")
    status, body = get(ext, "/v1/db")
    assert (status, json.loads(body)["__type"]) == (500, "InternalServiceError")
    assert fake.events.count("GetSecretValue") == 1


@pytest.mark.parametrize(
    ("operation", "ignore", "status", "calls"),
    [
        ("DescribeSecret", True, 200, ["DescribeSecret"] * 3),
        ("DescribeSecret", False, 500, ["DescribeSecret"] * 3),
        ("GetSecretValue", True, 200, ["DescribeSecret"] + ["GetSecretValue"] * 3),
        ("GetSecretValue", False, 500, ["DescribeSecret"] + ["GetSecretValue"] * 3),
    ],
)
def test_extension_serves_stale_values_on_server_errors(
    fake, ext, client, operation, ignore, status, calls
):
    client.create_secret(Name="db", SecretString="one")
    value_of(ext, "/v1/db")
    client.put_secret_value(SecretId="db", SecretString="two")
    ext.ignore_transient_errors = ignore
    fake.clock.advance(seconds=301)
    fake.faults.inject(operation, "InternalServiceError", count=3)
    before = len(fake.events)
    got_status, body = get(ext, "/v1/db")
    assert got_status == status
    assert fake.events.names()[before:] == calls
    if status == 200:
        assert json.loads(body)["SecretString"] == "one"
        before = len(fake.events)
        assert value_of(ext, "/v1/db") == "one"  # served with a renewed TTL
        assert fake.events.names()[before:] == []


def test_extension_passes_describe_secret_errors_through(fake, ext, client):
    client.create_secret(Name="db", SecretString="one")
    value_of(ext, "/v1/db")
    client.delete_secret(SecretId="db", ForceDeleteWithoutRecovery=True)
    assert value_of(ext, "/v1/db") == "one"  # within the TTL nobody asks
    fake.clock.advance(seconds=301)
    assert get(ext, "/v1/db") == (400, NOT_FOUND)
    assert fake.events.names()[-1] == "DescribeSecret"


def test_extension_keeps_values_out_of_reprs(fake, ext):
    fake.add_secret("db", "s3cr3t")
    value_of(ext, "/v1/db")
    ext.clear_cache()
    value_of(ext, "/v1/db")
    assert fake.events.count("GetSecretValue") == 2
    assert "s3cr3t" not in repr(ext)
    assert all("s3cr3t" not in repr(entry) for entry in ext._cache.values())


def test_extension_through_requests_and_responses(fake, ext):
    requests = pytest.importorskip("requests")
    responses = pytest.importorskip("responses")
    fake.add_secret("db", "s3cr3t")
    fake.http.extension = ext
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.http.add_to(mock)
        answer = requests.get(f"{BASE}/secretsmanager/get?secretId=db", headers=GOOD, timeout=1)
        assert (answer.status_code, answer.json()["SecretString"]) == (200, "s3cr3t")
        assert requests.get(f"{BASE}/v1/db", timeout=1).status_code == 403
        assert requests.get(f"{BASE}/ping", timeout=1).text == "healthy"
    assert fake.events.names() == ["GetSecretValue"]
