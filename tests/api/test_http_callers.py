"""Plain HTTP callers: ``requests`` answered through ``responses`` by ``fake.http.add_to``, in
the JSON 1.1 API (SigV4-signed like an auth plugin would) and the Query API, sharing state and
events with boto3 clients."""

from __future__ import annotations

import base64
import io
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests
import responses
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from smfake import SecretsManagerFake
from smfake._wire.dispatch import Reply
from smfake._wire.headers import Headers
from smfake.errors import UsageError
from tests.api.conftest import sm_client

ENDPOINT = "https://secretsmanager.eu-west-1.amazonaws.com/"
NS = {"sm": "http://secretsmanager.amazonaws.com/doc/2017-10-17/"}
KEY = Credentials("AKIDREQUESTSEXAMPLE", "requests-secret-key")
TOKEN = "t".ljust(36, "0")
NOT_FOUND = "Secrets Manager can't find the specified secret."


class SigV4(requests.auth.AuthBase):
    """A requests auth plugin in the style of requests-aws4auth: botocore signs a copy of the
    prepared request and its headers are copied back."""

    def __init__(self, credentials: Credentials, region: str) -> None:
        self.credentials, self.region = credentials, region

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        signed = AWSRequest(request.method, request.url, dict(request.headers), request.body)
        SigV4Auth(self.credentials, "secretsmanager", self.region).add_auth(signed)
        request.headers.update(dict(signed.headers.items()))
        return request


@pytest.fixture
def rsps(fake: SecretsManagerFake) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.http.add_to(mock)
        yield mock


@pytest.fixture
def boto() -> object:
    return sm_client("eu-west-1")


def call_json(operation: str, body: dict, *, region: str = "eu-west-1") -> requests.Response:
    return requests.post(
        f"https://secretsmanager.{region}.amazonaws.com/",
        data=json.dumps(body),
        headers={
            "X-Amz-Target": f"secretsmanager.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
        auth=SigV4(KEY, region),
    )


def query_get(action: str, **params: str) -> requests.Response:
    return requests.get(ENDPOINT, params={"Action": action, "Version": "2017-10-17", **params})


def query_post(action: str, **params: str) -> requests.Response:
    return requests.post(ENDPOINT, data={"Action": action, "Version": "2017-10-17", **params})


def result(response: requests.Response, action: str) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['sm']}}}{action}Response"
    found = root.find(f"sm:{action}Result", NS)
    assert found is not None
    return found


def text(element: ET.Element, path: str) -> str | None:
    return element.findtext(path, namespaces=NS)


def xml_error(response: requests.Response) -> tuple[int, str | None, str | None, str | None]:
    root = ET.fromstring(response.content)
    assert root.findtext("sm:RequestId", namespaces=NS) == response.headers["x-amzn-RequestId"]
    return (
        response.status_code,
        root.findtext("sm:Error/sm:Type", namespaces=NS),
        root.findtext("sm:Error/sm:Code", namespaces=NS),
        root.findtext("sm:Error/sm:Message", namespaces=NS),
    )


# -- JSON 1.1, signed -------------------------------------------------------------------------


def test_json_signed_request_creates_what_boto3_reads(fake, rsps, boto):
    response = call_json(
        "CreateSecret", {"Name": "app/db", "SecretString": "s3cr3t", "ClientRequestToken": TOKEN}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    created = response.json()
    assert created["ARN"].startswith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-")
    assert created == {"ARN": created["ARN"], "Name": "app/db", "VersionId": TOKEN}
    assert boto.get_secret_value(SecretId="app/db")["SecretString"] == "s3cr3t"


def test_json_request_reads_what_boto3_wrote(fake, rsps, boto):
    boto.create_secret(Name="bin", SecretBinary=b"\x00\xff")
    got = call_json("GetSecretValue", {"SecretId": "bin"}).json()
    assert base64.b64decode(got["SecretBinary"]) == b"\x00\xff"
    assert isinstance(got["CreatedDate"], float)
    assert got["VersionStages"] == ["AWSCURRENT"]


def test_json_signature_of_the_auth_plugin_passes_strict_mode(fake, rsps):
    fake.principals.add(KEY.access_key, KEY.secret_key)
    fake.verify_signatures = True
    response = call_json("ListSecrets", {})
    assert (response.status_code, response.json()) == (200, {"SecretList": []})
    forged = requests.post(
        ENDPOINT,
        data="{}",
        headers={"X-Amz-Target": "secretsmanager.ListSecrets"},
        auth=SigV4(Credentials(KEY.access_key, "wrong-secret"), "eu-west-1"),
    )
    assert forged.status_code == 400
    assert forged.json()["__type"] == "InvalidSignatureException"


def test_json_error(fake, rsps):
    response = call_json("DescribeSecret", {"SecretId": "missing"})
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.json() == {"__type": "ResourceNotFoundException", "Message": NOT_FOUND}


def test_json_target_header_name_is_case_insensitive(fake, rsps):
    response = requests.post(
        ENDPOINT, data="{}", headers={"x-amz-target": "secretsmanager.ListSecrets"}
    )
    assert response.status_code == 200
    assert response.json() == {"SecretList": []}


def test_json_events_carry_the_signer_and_the_http_caller(fake, rsps):
    call_json("CreateSecret", {"Name": "n", "SecretString": "hunter2", "ClientRequestToken": TOKEN})
    call_json("GetSecretValue", {"SecretId": "n"})
    call_json("GetSecretValue", {"SecretId": "missing"})
    assert fake.events.names() == ["CreateSecret", "GetSecretValue", "GetSecretValue"]
    for event in fake.events:
        assert event.aws_region == "eu-west-1"
        assert event.user_identity["accessKeyId"] == "AKIDREQUESTSEXAMPLE"
        assert event.source_ip_address == "127.0.0.1"
        assert event.user_agent.startswith("python-requests/")
        assert "hunter2" not in repr(event) and "hunter2" not in json.dumps(event.to_dict())
    assert fake.events[-1].error_code == "ResourceNotFoundException"


# -- the Query API ----------------------------------------------------------------------------


@pytest.mark.parametrize("send", [query_get, query_post], ids=["GET", "POST"])
def test_query_create_and_read_a_secret(fake, rsps, boto, send):
    created = result(
        send("CreateSecret", Name="app/db", SecretString="a b&c", ClientRequestToken=TOKEN),
        "CreateSecret",
    )
    arn = text(created, "sm:ARN")
    assert arn is not None and arn.startswith("arn:aws:secretsmanager:eu-west-1:")
    assert (text(created, "sm:Name"), text(created, "sm:VersionId")) == ("app/db", TOKEN)

    value = result(send("GetSecretValue", SecretId="app/db"), "GetSecretValue")
    assert text(value, "sm:SecretString") == "a b&c"
    assert [m.text for m in value.iterfind("sm:VersionStages/sm:member", NS)] == ["AWSCURRENT"]
    created_date = text(value, "sm:CreatedDate")
    assert created_date is not None
    assert datetime.fromisoformat(created_date.replace("Z", "+00:00")).tzinfo == timezone.utc
    assert boto.describe_secret(SecretId=arn)["Name"] == "app/db"


@pytest.mark.parametrize("send", [query_get, query_post], ids=["GET", "POST"])
def test_query_list_secrets_with_filters(fake, rsps, boto, send):
    for name in ("app/db", "app/cache", "other"):
        boto.create_secret(Name=name, SecretString="v", Tags=[{"Key": "team", "Value": name}])
    listed = result(
        send(
            "ListSecrets",
            **{
                "Filters.member.1.Key": "name",
                "Filters.member.1.Values.member.1": "app/",
                "Filters.member.2.Key": "tag-value",
                "Filters.member.2.Values.member.1": "app/db",
                "SortOrder": "asc",
            },
        ),
        "ListSecrets",
    )
    entries = listed.findall("sm:SecretList/sm:member", NS)
    assert [text(entry, "sm:Name") for entry in entries] == ["app/db"]
    tags = entries[0].findall("sm:Tags/sm:member", NS)
    assert [(text(t, "sm:Key"), text(t, "sm:Value")) for t in tags] == [("team", "app/db")]


@pytest.mark.parametrize("send", [query_get, query_post], ids=["GET", "POST"])
def test_query_tag_resource_with_a_tag_list(fake, rsps, boto, send):
    boto.create_secret(Name="s", SecretString="v")
    tagged = send(
        "TagResource",
        SecretId="s",
        **{
            "Tags.member.1.Key": "team",
            "Tags.member.1.Value": "payments",
            "Tags.member.2.Key": "env",
            "Tags.member.2.Value": "prod",
        },
    )
    assert list(result(tagged, "TagResource")) == []
    assert boto.describe_secret(SecretId="s")["Tags"] == [
        {"Key": "team", "Value": "payments"},
        {"Key": "env", "Value": "prod"},
    ]


@pytest.mark.parametrize("send", [query_get, query_post], ids=["GET", "POST"])
def test_query_batch_get_secret_value(fake, rsps, boto, send):
    boto.create_secret(Name="a", SecretString="1")
    boto.create_secret(Name="b", SecretBinary=b"\x02")
    batch = result(
        send(
            "BatchGetSecretValue",
            **{
                "SecretIdList.member.1": "a",
                "SecretIdList.member.2": "b",
                "SecretIdList.member.3": "missing",
            },
        ),
        "BatchGetSecretValue",
    )
    values = batch.findall("sm:SecretValues/sm:member", NS)
    assert [text(v, "sm:Name") for v in values] == ["a", "b"]
    assert text(values[0], "sm:SecretString") == "1"
    assert base64.b64decode(text(values[1], "sm:SecretBinary") or "") == b"\x02"
    errors = batch.findall("sm:Errors/sm:member", NS)
    assert [(text(e, "sm:SecretId"), text(e, "sm:ErrorCode")) for e in errors] == [
        ("missing", "ResourceNotFoundException")
    ]


@pytest.mark.parametrize("send", [query_get, query_post], ids=["GET", "POST"])
def test_query_errors(fake, rsps, send):
    assert xml_error(send("GetSecretValue", SecretId="missing")) == (
        400,
        "Sender",
        "ResourceNotFoundException",
        NOT_FOUND,
    )
    assert xml_error(send("ListSecrets", MaxResults="many")) == (
        400,
        "Sender",
        "InvalidParameterValue",
        "Value for parameter MaxResults is invalid. Expected: an integer.",
    )
    assert xml_error(send("FetchSecret")) == (
        400,
        "Sender",
        "InvalidAction",
        "Could not find operation FetchSecret for version 2017-10-17",
    )


def test_query_oversized_get_is_refused_and_the_post_is_answered(fake, rsps, boto):
    boto.create_secret(Name="s", SecretString="v")
    tags = {f"Tags.member.{i}.Key": f"key-number-{i:03d}" for i in range(1, 46)}
    tags |= {f"Tags.member.{i}.Value": "v" for i in range(1, 46)}
    refused = query_get("TagResource", SecretId="s", **tags)
    assert len(refused.request.url) > 2048
    assert xml_error(refused)[:3] == (414, "Sender", "RequestURITooLong")
    assert "Tags" not in boto.describe_secret(SecretId="s")
    assert query_post("TagResource", SecretId="s", **tags).status_code == 200
    assert len(boto.describe_secret(SecretId="s")["Tags"]) == 45


def test_query_events_and_presigned_credentials(fake, rsps):
    scope = "AKIDPRESIGNED/20240506/ap-south-1/secretsmanager/aws4_request"
    query_get("CreateSecret", Name="n", SecretString="hunter2", ClientRequestToken=TOKEN)
    query_get("GetSecretValue", SecretId="n")
    query_get("ListSecrets", **{"X-Amz-Credential": scope})
    assert fake.events.names() == ["CreateSecret", "GetSecretValue", "ListSecrets"]
    assert [e.aws_region for e in fake.events] == ["eu-west-1", "eu-west-1", "ap-south-1"]
    assert fake.events[-1].user_identity["accessKeyId"] == "AKIDPRESIGNED"
    for event in fake.events:
        assert event.user_agent.startswith("python-requests/")
        assert "hunter2" not in repr(event) and "hunter2" not in json.dumps(event.to_dict())


# -- what add_to intercepts, and what it answers for anything else ------------------------------


@pytest.mark.parametrize(
    ("url", "arn_prefix"),
    [
        ("https://secretsmanager.us-west-2.amazonaws.com/", "arn:aws:secretsmanager:us-west-2:"),
        (
            "https://secretsmanager-fips.us-gov-west-1.amazonaws.com/",
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:",
        ),
        (
            "https://secretsmanager.cn-north-1.amazonaws.com.cn/",
            "arn:aws-cn:secretsmanager:cn-north-1:",
        ),
        ("http://secretsmanager.eu-north-1.amazonaws.com/", "arn:aws:secretsmanager:eu-north-1:"),
    ],
)
def test_every_regional_endpoint_is_answered(fake, rsps, url, arn_prefix):
    response = requests.get(
        url, params={"Action": "CreateSecret", "Name": "n", "ClientRequestToken": TOKEN}
    )
    assert (text(result(response, "CreateSecret"), "sm:ARN") or "").startswith(arn_prefix)


def test_other_hosts_are_left_to_responses(fake, rsps):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://secretsmanager.example.com/?Action=ListSecrets")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity")


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("POST", ENDPOINT, 400),
        ("GET", ENDPOINT, 400),
        ("GET", ENDPOINT + "no/such/path", 404),
        ("PUT", ENDPOINT + "secrets/x", 404),
        ("GET", "http://localhost:2773/secretsmanager/get?secretId=s", 404),
    ],
)
def test_requests_without_an_operation(fake, rsps, method, url, status):
    fake.http.extension = None  # the extension's paths are then unknown like any other
    response = requests.request(method, url, data="{}" if method == "POST" else None)
    assert response.status_code == status
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert response.json() == {"__type": "UnknownOperationException"}
    assert len(fake.events) == 0


class StubExtension:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str | None]] = []

    def handle(self, method, url, headers) -> Reply:
        self.seen.append((method, url, headers.get("x-aws-parameters-secrets-token")))
        return Reply(200, {"Content-Type": "text/plain"}, b"healthy")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:2773/ping",
        "http://127.0.0.1:2773/secretsmanager/get?secretId=s",
        "http://localhost:2773/v1/s?versionStage=AWSCURRENT",
    ],
)
def test_extension_paths_go_to_the_extension(fake, rsps, url):
    fake.http.extension = stub = StubExtension()
    response = requests.get(url, headers={"X-Aws-Parameters-Secrets-Token": "tok"})
    assert (response.status_code, response.text) == (200, "healthy")
    assert stub.seen == [("GET", url, "tok")]


def test_the_fakes_extension_answers_from_the_same_state(fake, rsps, client, monkeypatch):
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    client.create_secret(Name="s", SecretString="from boto3")  # the fake's region
    response = requests.get(
        "http://localhost:2773/secretsmanager/get",
        params={"secretId": "s"},
        headers={"X-Aws-Parameters-Secrets-Token": "tok"},
    )
    assert response.status_code == 200
    assert response.json()["SecretString"] == "from boto3"
    assert fake.events.names()[-1] == "GetSecretValue"


def test_add_to_is_idempotent_and_remove_from_undoes_it(fake):
    with responses.RequestsMock() as mock:
        fake.http.add_to(mock)
        count = len(mock.registered())
        fake.http.add_to(mock)
        assert len(mock.registered()) == count == 14
        assert query_get("ListSecrets").status_code == 200
        fake.http.remove_from(mock)
        assert mock.registered() == []
        with pytest.raises(requests.exceptions.ConnectionError):
            query_get("ListSecrets")


def test_remove_from_a_mock_never_added_to_changes_nothing(fake, rsps):
    with responses.RequestsMock() as other:
        fake.http.remove_from(other)
    assert query_get("ListSecrets").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        lambda: io.BytesIO(b'{"SecretId": "s"}'),
        lambda: (chunk for chunk in [b'{"SecretId"', ': "s"}']),
    ],
    ids=["file", "generator"],
)
def test_streamed_request_bodies_are_read(fake, rsps, boto, body):
    boto.create_secret(Name="s", SecretString="streamed")
    response = requests.post(
        ENDPOINT, data=body(), headers={"X-Amz-Target": "secretsmanager.GetSecretValue"}
    )
    assert response.json()["SecretString"] == "streamed"


def test_a_request_body_that_cannot_be_read(fake):
    request = requests.Request("POST", ENDPOINT).prepare()
    request.body = 42
    with pytest.raises(UsageError, match="cannot read a request body of type int"):
        fake.http._answer(request)


def test_headers_repr_shows_names_only():
    headers = Headers({"Authorization": "AWS4-HMAC-SHA256 Credential=AKID", "x-amz-date": "1"})
    assert repr(headers) == "Headers(['Authorization', 'x-amz-date'])"
    assert headers["authorization"].endswith("AKID") and "X-AMZ-DATE" in headers


@responses.activate
def test_add_to_defaults_to_the_mock_of_responses_activate(fake):
    fake.http.add_to()
    assert query_get("ListSecrets").status_code == 200
    fake.http.remove_from()
    assert responses.mock.registered() == []


def test_add_to_without_responses_installed(fake, monkeypatch):
    monkeypatch.setitem(sys.modules, "responses", None)
    with pytest.raises(UsageError, match="needs the 'responses' package: pip install responses"):
        fake.http.add_to()


def test_add_to_a_mock_that_asserts_every_registration_fired(fake):
    # RequestsMock() asserts by default that every registered response was used; the fake's
    # registrations (every method, service and extension URLs) count as one.
    fake.add_secret("db", "pw")
    with responses.RequestsMock() as rsps:
        rsps.get("https://example.com/other", body="other")
        fake.http.add_to(rsps)
        got = requests.post(
            "https://secretsmanager.us-east-1.amazonaws.com/",
            headers={
                "X-Amz-Target": "secretsmanager.GetSecretValue",
                "Content-Type": "application/x-amz-json-1.1",
            },
            data='{"SecretId": "db"}',
        )
        assert got.json()["SecretString"] == "pw"
        assert requests.get("https://example.com/other").text == "other"
    unused = responses.RequestsMock()
    with pytest.raises(AssertionError, match="Not all requests have been executed"), unused:
        fake.http.add_to(unused)  # registered, never used: as for any other registration


def test_boto3_calls_are_answered_by_the_fake_while_responses_is_active(fake):
    # responses patches requests' adapter; botocore does not use requests, so the fake's hook
    # answers boto3 as usual while a RequestsMock without the fake is active.
    fake.add_secret("db", "pw")
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        assert sm_client().get_secret_value(SecretId="db")["SecretString"] == "pw"
