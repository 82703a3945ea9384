"""The Query API (``Action=``, XML): parameter parsing checked against botocore's own query
serializer, the XML checked against botocore's own query parser, and the errors."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.loaders import create_loader
from botocore.model import ServiceModel
from botocore.parsers import QueryParser, create_parser
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence

from smfake import SecretsManagerFake
from smfake._domain import messages
from smfake._domain.principals import Principal, root_arn
from smfake._wire import encode, query
from smfake._wire.dispatch import Caller
from smfake._wire.model import operation_names, service_model
from smfake._wire.operations import OPERATIONS
from smfake.errors import UnsupportedOperation
from tests.operation_examples import ACCOUNT, CALLABLE, REPLICA_ACCOUNT

HOST = "https://secretsmanager.eu-west-1.amazonaws.com/"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
T0 = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
ARN = re.compile(r"arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-\w{6}")
NS = "http://secretsmanager.amazonaws.com/doc/2017-10-17/"
POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":'
    '"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
)
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate"


def token(label: str) -> str:
    return f"{label}-".ljust(36, "0")


def query_model() -> ServiceModel:
    """This service's shapes as a Query-protocol service: what botocore's query serializer
    and parser need (each output wrapped in ``<{Op}Result>``)."""
    data = copy.deepcopy(create_loader().load_service_model("secretsmanager", "service-2"))
    data["metadata"]["protocol"] = "query"
    for name, operation in data["operations"].items():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{name}Result"
    return ServiceModel(data, service_name="secretsmanager")


QUERY_MODEL = query_model()


@pytest.fixture
def fake() -> SecretsManagerFake:
    fake = SecretsManagerFake(seed=5)
    fake.clock.set(T0)
    return fake


def post(fake, params, *, url=HOST, headers=None):
    return fake.http.handle("POST", url, {**FORM, **(headers or {})}, urlencode(params).encode())


def get(fake, params, *, url=HOST, headers=None):
    return fake.http.handle("GET", f"{url}?{urlencode(params)}", headers or {})


def parse_error(reply):
    parsed = QueryParser().parse(
        {"body": reply.body, "headers": reply.headers, "status_code": reply.status}, None
    )
    assert parsed["ResponseMetadata"]["RequestId"] == reply.headers["x-amzn-RequestId"]
    return parsed["Error"]["Type"], parsed["Error"]["Code"], parsed["Error"]["Message"]


def parse_result(operation, reply):
    assert reply.status == 200, reply.body
    shape = QUERY_MODEL.operation_model(operation).output_shape
    parsed = QueryParser().parse(
        {"body": reply.body, "headers": reply.headers, "status_code": 200}, shape
    )
    assert parsed.pop("ResponseMetadata")["RequestId"] == reply.headers["x-amzn-RequestId"]
    return parsed


# -- parameters: botocore's query serializer in, the JSON path's dict out --------------------

SERIALIZED_INPUTS = {
    "CreateSecret": {
        "Name": "app/db",
        "ClientRequestToken": token("c"),
        "Description": "with spaces & symbols +=/",
        "SecretBinary": b"\x00\xffbinary",
        "Tags": [{"Key": "team", "Value": "a b"}, {"Key": "env", "Value": ""}],
        "AddReplicaRegions": [{"Region": "eu-central-1", "KmsKeyId": "alias/x"}],
        "ForceOverwriteReplicaSecret": True,
    },
    "ListSecrets": {
        "IncludePlannedDeletion": False,
        "MaxResults": 5,
        "Filters": [
            {"Key": "name", "Values": ["app", "!db"]},
            {"Key": "tag-key", "Values": ["team"]},
        ],
        "SortOrder": "asc",
    },
    "BatchGetSecretValue": {"SecretIdList": [f"s{i}" for i in range(1, 13)]},
    "UntagResource": {"SecretId": "s", "TagKeys": []},
    "RotateSecret": {
        "SecretId": "s",
        "RotationRules": {"AutomaticallyAfterDays": 30, "Duration": "2h"},
        "RotateImmediately": False,
    },
    "GetRandomPassword": {"PasswordLength": 12, "ExcludeNumbers": True, "IncludeSpace": False},
    "PutSecretValue": {"SecretId": "s", "SecretString": "a=b&c\n", "VersionStages": ["X", "Y"]},
    "AssociateCrossAccountReplica": {
        "SecretId": "s",
        "CrossAccountReplicaARN": "arn:aws:secretsmanager:us-east-1:210987654321:secret:r-AbCdEf",
        "ReplicaRestriction": "NoRestriction",
        "ReplicationRoleARN": "arn:aws:iam::123456789012:role/replication",
    },
    "DisassociateCrossAccountReplica": {
        "SecretId": "s",
        "CrossAccountReplicaARN": "arn:aws:secretsmanager:us-east-1:210987654321:secret:r-AbCdEf",
    },
}


# Each operation's example call too (tests/operation_examples.py).
# (Those whose members come from a set-up with another account have theirs above.)
DECODED = [
    (name, params)
    for name, params in [
        *SERIALIZED_INPUTS.items(),
        *((n, e.params) for n, e in sorted(CALLABLE.items()) if e.fake_setup is None),
    ]
    if name in operation_names()  # the installed model may predate a served operation
]


@pytest.mark.parametrize(("operation", "params"), DECODED, ids=[n for n, _ in DECODED])
def test_query_params_decode_what_botocore_serializes(operation, params):
    serializer = create_serializer("query")
    request = serializer.serialize_to_request(params, QUERY_MODEL.operation_model(operation))
    wire = percent_encode_sequence(request["body"]).encode()  # what botocore would send
    form = query.action_params("POST", HOST, FORM, wire)
    assert form is not None
    assert form["Action"] == operation and form["Version"] == "2017-10-17"
    assert query.decode_params(operation, form) == params


def test_query_list_items_come_in_index_order_not_text_order():
    form = {f"SecretIdList.member.{i}": f"s{i}" for i in (10, 2, 1, 9)}
    assert query.decode_params("BatchGetSecretValue", form) == {
        "SecretIdList": ["s1", "s2", "s9", "s10"]
    }


def test_query_map_and_timestamp_members_decode():
    shape = service_model().operation_model("DescribeSecret").output_shape
    flat = {
        "VersionIdsToStages.entry.1.key": "v1",
        "VersionIdsToStages.entry.1.value.member.1": "AWSCURRENT",
        "VersionIdsToStages.entry.1.value.member.2": "X",
        "VersionIdsToStages.entry.2.key": "v2",
        "VersionIdsToStages.entry.2.value": "",
        "CreatedDate": "2024-05-06T07:08:09.123Z",
        "LastChangedDate": "1715000000.5",
        "RotationEnabled": "TRUE",
    }
    assert query.decode_structure(shape, flat) == {
        "VersionIdsToStages": {"v1": ["AWSCURRENT", "X"], "v2": []},
        "CreatedDate": datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc).timestamp(),
        "LastChangedDate": 1715000000.5,
        "RotationEnabled": True,
    }


@pytest.mark.parametrize(
    ("flat", "code", "message"),
    [
        (
            {"VersionIdsToStages.entry.1.value": ""},
            "MalformedQueryString",
            "The query string contains a syntax error at 'VersionIdsToStages.entry.1'.",
        ),
        (
            {"CreatedDate": "yesterday"},
            "InvalidParameterValue",
            "Value for parameter CreatedDate is invalid. "
            "Expected: an ISO 8601 date-time or epoch seconds.",
        ),
    ],
)
def test_query_map_and_timestamp_errors(flat, code, message):
    shape = service_model().operation_model("DescribeSecret").output_shape
    with pytest.raises(query.ServiceError) as excinfo:
        query.decode_structure(shape, flat)
    assert (excinfo.value.code, excinfo.value.message) == (code, message)


def test_query_timestamp_without_an_offset_is_utc():
    shape = service_model().operation_model("DescribeSecret").output_shape
    decoded = query.decode_structure(shape, {"CreatedDate": "2024-05-06T07:08:09"})
    assert decoded == {
        "CreatedDate": datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc).timestamp()
    }


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (f"{HOST}?Action=ListSecrets&SecretId=%ff", None),
        (HOST, b"Action=ListSecrets&Name=\xff"),
    ],
    ids=["query string", "form body"],
)
def test_query_parameters_that_are_not_utf8_are_not_a_query_request(fake, url, body):
    reply = fake.http.handle("POST", url, FORM, body)
    assert (reply.status, reply.body) == (400, b'{"__type":"UnknownOperationException"}')


def test_query_error_messages_replace_what_xml_cannot_carry(fake):
    params = {"Action": "PutSecretValue", "SecretId": "s", "SecretString": "v"}
    reply = post(fake, {**params, "ClientRequestToken": "\x01" * 31})
    kind, code, message = parse_error(reply)
    assert (kind, code) == ("Sender", "ValidationException")
    assert message.startswith(f"1 validation error detected: Value '{chr(0xFFFD) * 31}' at ")


def test_query_protocol_and_unknown_parameters_are_not_operation_input():
    form = {
        "Action": "GetSecretValue",
        "Version": "2017-10-17",
        "X-Amz-Credential": "AKID/20240506/eu-west-1/secretsmanager/aws4_request",
        "X-Amz-Signature": "00",
        "SecretId": "s",
        "NoSuchMember": "x",
        "SecretIdx.member.1": "y",
    }
    assert query.decode_params("GetSecretValue", form) == {"SecretId": "s"}


MALFORMED = ("Sender", "MalformedQueryString", 404)
BAD_VALUE = ("Sender", "InvalidParameterValue", 400)


@pytest.mark.parametrize(
    ("operation", "params", "expected", "message"),
    [
        (
            "ListSecrets",
            {"MaxResults": "ten"},
            BAD_VALUE,
            "Value for parameter MaxResults is invalid. Expected: an integer.",
        ),
        (
            "ListSecrets",
            {"IncludePlannedDeletion": "yes"},
            BAD_VALUE,
            "Value for parameter IncludePlannedDeletion is invalid. Expected: true or false.",
        ),
        (
            "PutSecretValue",
            {"SecretId": "s", "SecretBinary": "not base64!", "ClientRequestToken": token("t")},
            BAD_VALUE,
            "Value for parameter SecretBinary is invalid. Expected: base64-encoded data.",
        ),
        (
            "RotateSecret",
            {"SecretId": "s", "RotationRules.AutomaticallyAfterDays": "1.5"},
            BAD_VALUE,
            "Value for parameter RotationRules.AutomaticallyAfterDays is invalid. "
            "Expected: an integer.",
        ),
        (
            "TagResource",
            {"SecretId": "s", "Tags.member.x.Key": "k"},
            MALFORMED,
            "The query string contains a syntax error at 'Tags.member.x'.",
        ),
        (
            "TagResource",
            {"SecretId": "s", "Tags.member.0.Key": "k"},
            MALFORMED,
            "The query string contains a syntax error at 'Tags.member.0'.",
        ),
        (
            "TagResource",
            {"SecretId": "s", "Tags.1.Key": "k"},
            MALFORMED,
            "The query string contains a syntax error at 'Tags'.",
        ),
        (
            "UntagResource",
            {"SecretId": "s", "TagKeys": "k"},
            MALFORMED,
            "The query string contains a syntax error at 'TagKeys'.",
        ),
        (
            "RotateSecret",
            {"SecretId": "s", "RotationRules": "30"},
            MALFORMED,
            "The query string contains a syntax error at 'RotationRules'.",
        ),
        (
            "GetSecretValue",
            {"SecretId.member.1": "s"},
            MALFORMED,
            "The query string contains a syntax error at 'SecretId'.",
        ),
        (
            "ListSecrets",
            {"Filters.member.1.Key": "name", "Filters.member.1.Values.entry.1": "a"},
            MALFORMED,
            "The query string contains a syntax error at 'Filters.member.1.Values'.",
        ),
    ],
)
def test_query_parameter_errors(fake, operation, params, expected, message):
    reply = post(fake, {"Action": operation, **params})
    kind, code, status = expected
    assert reply.status == status
    assert parse_error(reply) == (kind, code, message)
    assert len(fake.events) == 0, "refused before the operation ran"


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("0", messages.RECOVERY_WINDOW_RANGE),
        ("31", messages.RECOVERY_WINDOW_RANGE),
        ("7", messages.FORCE_WITH_WINDOW),
    ],
)
def test_query_delete_secret_checks_the_window_range_before_force(fake, window, message):
    # The same order as through boto3 (tests/operations/test_delete_secret.py).
    fake.add_secret("s", "v")
    params = {"SecretId": "s", "RecoveryWindowInDays": window, "ForceDeleteWithoutRecovery": "true"}

    reply = post(fake, {"Action": "DeleteSecret", **params})

    assert reply.status == 400
    assert parse_error(reply) == ("Sender", "InvalidParameterException", message)


# -- actions, versions and the URL length ----------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"Action": ""}, "MissingAction", query.MISSING_ACTION),
        (
            {"Action": "GetSecret", "Version": "2017-10-17"},
            "InvalidAction",
            "Could not find operation GetSecret for version 2017-10-17",
        ),
        (
            {"Action": "GetSecretValue", "Version": "2012-12-01", "SecretId": "s"},
            "InvalidAction",
            "Could not find operation GetSecretValue for version 2012-12-01",
        ),
        (
            {"Action": "getsecretvalue", "SecretId": "s"},
            "InvalidAction",
            "Could not find operation getsecretvalue for version 2017-10-17",
        ),
    ],
)
def test_query_action_errors(fake, params, code, message):
    for reply in (get(fake, params), post(fake, params)):
        assert reply.status == 400
        assert parse_error(reply) == ("Sender", code, message)


def test_query_version_may_be_left_out(fake):
    fake.add_secret("app/db", "v", region="eu-west-1")
    reply = get(fake, {"Action": "GetSecretValue", "SecretId": "app/db"})
    assert parse_result("GetSecretValue", reply)["SecretString"] == "v"


def padded_get_url(length: int) -> str:
    url = f"{HOST}?Action=DescribeSecret&SecretId=app/db&Pad="
    return url + "x" * (length - len(url))


def test_query_get_url_up_to_2048_bytes_is_answered(fake):
    fake.add_secret("app/db", "v", region="eu-west-1")
    url = padded_get_url(2048)
    assert len(url) == 2048
    assert fake.http.handle("GET", url, {}).status == 200


def test_query_get_url_over_2048_bytes_is_refused_but_the_same_post_is_answered(fake):
    fake.add_secret("app/db", "v", region="eu-west-1")
    url = padded_get_url(2049)
    reply = fake.http.handle("GET", url, {})
    assert reply.status == 414
    assert parse_error(reply) == (
        "Sender",
        "RequestURITooLong",
        "The request URL is 2049 bytes long; GET requests are limited to 2048 bytes. "
        "Send larger Query API requests as a POST with a form body.",
    )
    assert len(fake.events) == 0
    path, form = url.split("?", 1)
    assert fake.http.handle("POST", path, FORM, form.encode()).status == 200


# -- region and caller ------------------------------------------------------------------------


def scope(region: str) -> str:
    return f"AKIDEXAMPLE/20240506/{region}/secretsmanager/aws4_request"


@pytest.mark.parametrize(
    ("url", "headers", "extra", "region", "access_key"),
    [
        (
            HOST,
            {"Authorization": f"AWS4-HMAC-SHA256 Credential={scope('ap-south-1')}, Signature=0"},
            {},
            "ap-south-1",
            "AKIDEXAMPLE",
        ),
        (HOST, {}, {"X-Amz-Credential": scope("ca-central-1")}, "ca-central-1", "AKIDEXAMPLE"),
        (HOST, {}, {}, "eu-west-1", None),
        ("http://localhost:4566/", {}, {}, "us-east-1", None),
    ],
    ids=["authorization header", "presigned url", "host", "fallback"],
)
def test_query_region_and_access_key(fake, url, headers, extra, region, access_key):
    params = {"Action": "CreateSecret", "Name": "n", "ClientRequestToken": token("t"), **extra}
    created = parse_result("CreateSecret", get(fake, params, url=url, headers=headers))
    assert created["ARN"].startswith(f"arn:aws:secretsmanager:{region}:123456789012:secret:n-")
    event = fake.events[-1]
    assert (event.aws_region, event.user_identity.get("accessKeyId")) == (region, access_key)


# -- XML shapes -------------------------------------------------------------------------------


def test_query_result_document_is_exact(fake):
    reply = post(
        fake,
        {
            "Action": "CreateSecret",
            "Name": "app/db",
            "SecretString": "v",
            "ClientRequestToken": token("c"),
        },
    )
    arn = ARN.search(reply.body.decode()).group(0)
    request_id = reply.headers["x-amzn-RequestId"]
    assert reply.headers["Content-Type"] == "text/xml"
    assert reply.headers["Content-Length"] == str(len(reply.body))
    assert reply.body.decode() == (
        f'<CreateSecretResponse xmlns="{NS}"><CreateSecretResult>'
        f"<ARN>{arn}</ARN><Name>app/db</Name><VersionId>{token('c')}</VersionId>"
        f"</CreateSecretResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
        "</ResponseMetadata></CreateSecretResponse>"
    )


def test_query_result_members_lists_maps_timestamps_and_escapes(fake):
    fake.add_secret("app/db", "a\r\n<b> & c", region="eu-west-1", tags={"k": "v"})
    value = get(fake, {"Action": "GetSecretValue", "SecretId": "app/db"}).body.decode()
    described = get(fake, {"Action": "DescribeSecret", "SecretId": "app/db"}).body.decode()
    assert "<SecretString>a&#13;\n&lt;b&gt; &amp; c</SecretString>" in value
    assert "<VersionStages><member>AWSCURRENT</member></VersionStages>" in value
    assert "<CreatedDate>2024-05-06T07:08:09.123Z</CreatedDate>" in value
    assert "<Tags><member><Key>k</Key><Value>v</Value></member></Tags>" in described
    assert "<LastAccessedDate>2024-05-06T00:00:00.000Z</LastAccessedDate>" in described
    assert re.search(
        r"<VersionIdsToStages><entry><key>[\w-]+</key><value><member>AWSCURRENT</member>"
        r"</value></entry></VersionIdsToStages>",
        described,
    )


def test_query_error_document_is_exact(fake):
    reply = get(fake, {"Action": "DescribeSecret", "SecretId": "missing"})
    request_id = reply.headers["x-amzn-RequestId"]
    assert (reply.status, reply.headers["Content-Type"]) == (400, "text/xml")
    assert reply.body.decode() == (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type>'
        "<Code>ResourceNotFoundException</Code>"
        "<Message>Secrets Manager can't find the specified secret.</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )


def test_query_server_errors_are_receiver_faults(fake):
    fake.faults.inject("ListSecrets", "InternalServiceError")
    reply = get(fake, {"Action": "ListSecrets"})
    assert reply.status == 500
    assert parse_error(reply) == (
        "Receiver",
        "InternalServiceError",
        "An error occurred on the server side.",
    )


def test_query_value_that_xml_cannot_carry_is_not_sent(fake):
    fake.add_secret("ctl", "bell\x07", region="eu-west-1")
    with pytest.raises(UnsupportedOperation, match="XML 1.0 cannot carry"):
        get(fake, {"Action": "GetSecretValue", "SecretId": "ctl"})


# -- round trip: the same result through the JSON and the Query encodings ----------------------


# Every operation that has a result, in an order where each succeeds, chosen so that the
# outputs hold each kind of member: lists of structures, maps of lists, blobs, booleans, longs,
# timestamps and day-precision dates.
SCENARIO = [
    ("CreateSecret", {"Name": "app/db", "SecretString": "s\r\n<&>", "Description": "d",
                      "ClientRequestToken": token("a"), "Tags": [{"Key": "k", "Value": "v"}]}),
    ("CreateSecret", {"Name": "bin", "SecretBinary": b"\x00\xff", "ClientRequestToken": token("b"),
                      "AddReplicaRegions": [{"Region": "eu-west-1"}]}),
    ("GetSecretValue", {"SecretId": "app/db"}),
    ("GetSecretValue", {"SecretId": "bin"}),
    ("PutSecretValue", {"SecretId": "app/db", "SecretString": "two",
                        "ClientRequestToken": token("c")}),
    ("BatchGetSecretValue", {"SecretIdList": ["app/db", "bin", "missing"]}),
    ("RotateSecret", {"SecretId": "app/db", "RotationLambdaARN": FUNCTION_ARN,
                      "RotationRules": {"AutomaticallyAfterDays": 30},
                      "ClientRequestToken": token("r")}),
    ("DescribeSecret", {"SecretId": "app/db"}),
    ("DescribeSecret", {"SecretId": "bin"}),
    ("ListSecrets", {"Filters": [{"Key": "name", "Values": ["app"]}]}),
    ("ListSecrets", {"MaxResults": 1}),
    ("ListSecretVersionIds", {"SecretId": "app/db", "IncludeDeprecated": True}),
    ("CancelRotateSecret", {"SecretId": "app/db"}),
    ("UpdateSecret", {"SecretId": "app/db", "Description": "e", "ClientRequestToken": token("u")}),
    ("UpdateSecretVersionStage", {"SecretId": "app/db", "VersionStage": "X",
                                  "MoveToVersionId": token("a")}),
    ("GetRandomPassword", {"PasswordLength": 20}),
    ("ValidateResourcePolicy", {"SecretId": "app/db", "ResourcePolicy": POLICY}),
    ("PutResourcePolicy", {"SecretId": "app/db", "ResourcePolicy": POLICY}),
    ("GetResourcePolicy", {"SecretId": "app/db"}),
    ("DeleteResourcePolicy", {"SecretId": "app/db"}),
    ("ReplicateSecretToRegions", {"SecretId": "app/db",
                                  "AddReplicaRegions": [{"Region": "us-west-2"}]}),
    ("RemoveRegionsFromReplication", {"SecretId": "app/db", "RemoveReplicaRegions": ["us-west-2"]}),
    ("StopReplicationToReplica", {"SecretId": "bin"}),
    ("DeleteSecret", {"SecretId": "app/db", "RecoveryWindowInDays": 7}),
    ("RestoreSecret", {"SecretId": "app/db"}),
]  # fmt: skip
WITH_OUTPUT = sorted(
    name
    for name in OPERATIONS
    if name in operation_names()  # the installed model may predate a served operation
    and service_model().operation_model(name).output_shape is not None
)


@pytest.fixture(scope="module")
def results() -> dict[str, list[dict]]:
    fake = SecretsManagerFake(seed=3)
    fake.clock.set(T0)
    fake.register_rotation_function(FUNCTION_ARN, lambda event, context: None)
    out: dict[str, list[dict]] = {}
    for operation, params in SCENARIO:
        region = "eu-west-1" if operation == "StopReplicationToReplica" else "us-east-1"
        call = fake._responder.execute(operation, dict(params), region, Caller())
        assert call.error is None, (operation, call.error)
        out.setdefault(operation, []).append(call.result or {})
    if "AssociateCrossAccountReplica" in WITH_OUTPUT:
        _cross_account_scenario(fake, out)
    # Operations the scenario does not reach: their example calls (one shared table).
    missing = [name for name in WITH_OUTPUT if name not in out]
    if missing:
        fake.add_secret("app", "v1")
    for name in missing:
        example = CALLABLE[name]
        assert example.setup is None and example.late is None, f"extend SCENARIO for {name}"
        call = fake._responder.execute(name, dict(example.params), example.region, Caller())
        assert call.error is None, (name, call.error)
        out.setdefault(name, []).append(call.result or {})
    return out


def _cross_account_scenario(fake: SecretsManagerFake, out: dict[str, list[dict]]) -> None:
    """A replica of app/db in REPLICA_ACCOUNT: created there, associated, described on both
    sides (their cross-account members), disassociated."""
    ROLE = f"arn:aws:iam::{ACCOUNT}:role/replication"  # noqa: N806
    other = Caller(
        "AKIAREPLICAACCOUNT",
        Principal("AKIAREPLICAACCOUNT", REPLICA_ACCOUNT, root_arn(REPLICA_ACCOUNT)),
    )
    key = fake.kms.create_key(account_id=REPLICA_ACCOUNT)
    primary = fake._responder.execute(
        "DescribeSecret", {"SecretId": "app/db"}, "us-east-1", Caller()
    )
    assert primary.result is not None
    steps = [
        (other, "CreateSecret", {"Name": "replica", "ClientRequestToken": token("x"),
                                 "CrossAccountPrimaryARN": primary.result["ARN"], "KmsKeyId": key}),
        (Caller(), "AssociateCrossAccountReplica",
         {"SecretId": "app/db", "ReplicationRoleARN": ROLE}),
        (Caller(), "DescribeSecret", {"SecretId": "app/db"}),
        (other, "DescribeSecret", {"SecretId": "replica"}),
        (Caller(), "DisassociateCrossAccountReplica", {"SecretId": "app/db"}),
    ]  # fmt: skip
    replica_arn = None
    for caller, operation, params in steps:
        if replica_arn is not None and operation.endswith("CrossAccountReplica"):
            params["CrossAccountReplicaARN"] = replica_arn
        call = fake._responder.execute(operation, params, "us-east-1", caller)
        assert call.error is None, (operation, call.error)
        if operation == "CreateSecret":
            replica_arn = (call.result or {})["ARN"]
        out.setdefault(operation, []).append(call.result or {})


def test_query_round_trip_covers_every_operation_with_a_result(results):
    assert sorted(results) == WITH_OUTPUT


def kinds(shape, value) -> set[str]:
    found = {shape.type_name}
    if shape.type_name == "structure":
        for name, item in value.items():
            found |= kinds(shape.members[name], item)
    elif shape.type_name == "list":
        for item in value:
            found |= kinds(shape.member, item)
    elif shape.type_name == "map":
        for item in value.values():
            found |= kinds(shape.value, item)
    return found


def test_query_round_trip_covers_each_kind_of_member(results):
    seen = set()
    for operation, outputs in results.items():
        shape = service_model().operation_model(operation).output_shape
        for result in outputs:
            seen |= kinds(shape, result)
    assert seen == {"structure", "list", "map", "string", "blob", "boolean", "long", "timestamp"}


@pytest.mark.parametrize("operation", WITH_OUTPUT)
def test_query_xml_parses_back_to_what_the_json_path_yields(results, operation):
    json_parser, query_parser = create_parser("json"), QueryParser()
    json_shape = service_model().operation_model(operation).output_shape
    query_shape = QUERY_MODEL.operation_model(operation).output_shape
    for result in results[operation]:
        body = encode.result_body(result)
        via_json = json_parser.parse({"body": body, "headers": {}, "status_code": 200}, json_shape)
        xml = query.result_document(operation, result, "req-1")
        via_query = query_parser.parse(
            {"body": xml, "headers": {}, "status_code": 200}, query_shape
        )
        assert via_query.pop("ResponseMetadata")["RequestId"] == "req-1"
        via_json.pop("ResponseMetadata")
        assert via_query == via_json
        assert via_query, "an empty result proves nothing"


# -- strict mode: the same SigV4 checks as the JSON path ----------------------------------------

STRICT_KEY = "AKIDQUERYSTRICT01"


def signed_post(form: dict[str, str], secret: str) -> tuple[dict[str, str], bytes]:
    body = urlencode(form)
    request = AWSRequest("POST", HOST, dict(FORM), body)
    SigV4Auth(Credentials(STRICT_KEY, secret), "secretsmanager", "eu-west-1").add_auth(request)
    return dict(request.headers.items()), body.encode()


def presigned_get(form: dict[str, str], secret: str) -> str:
    request = AWSRequest("GET", f"{HOST}?{urlencode(form)}", {})
    credentials = Credentials(STRICT_KEY, secret)
    SigV4QueryAuth(credentials, "secretsmanager", "eu-west-1", expires=300).add_auth(request)
    return request.url


@pytest.fixture
def strict(fake) -> SecretsManagerFake:
    fake.clock.set(datetime.now(timezone.utc))  # signatures are dated by the real clock
    fake.principals.add(STRICT_KEY, "query-secret")
    fake.verify_signatures = True
    return fake


def test_query_strict_mode_accepts_signed_posts_and_presigned_gets(strict):
    form = {"Action": "CreateSecret", "Name": "n", "SecretString": "v"}
    headers, body = signed_post({**form, "ClientRequestToken": token("c")}, "query-secret")
    assert strict.http.handle("POST", HOST, headers, body).status == 200
    url = presigned_get({"Action": "GetSecretValue", "SecretId": "n"}, "query-secret")
    assert parse_result("GetSecretValue", strict.http.handle("GET", url, {}))["SecretString"] == "v"
    assert [e.user_identity["accessKeyId"] for e in strict.events] == [STRICT_KEY, STRICT_KEY]


@pytest.mark.parametrize("how", ["unsigned", "signed with another secret", "presigned, wrong"])
def test_query_strict_mode_refuses_in_xml(strict, how):
    form = {"Action": "ListSecrets"}
    if how == "unsigned":
        reply = get(strict, form)
        expected = ("MissingAuthenticationTokenException", "Missing Authentication Token")
    elif how == "signed with another secret":
        headers, body = signed_post(form, "not-the-secret")
        reply = strict.http.handle("POST", HOST, headers, body)
        expected = ("InvalidSignatureException", None)
    else:
        reply = strict.http.handle("GET", presigned_get(form, "not-the-secret"), {})
        expected = ("InvalidSignatureException", None)
    kind, code, message = parse_error(reply)
    assert (reply.status, kind, code) == (400, "Sender", expected[0])
    assert expected[1] is None or message == expected[1]
    assert len(strict.events) == 0


def test_query_change_whose_answer_xml_cannot_carry_is_refused_before_it_runs(fake):
    # The answer echoes VersionStages: written after the change, its failure left it made.
    fake.add_secret("s", "v", region="eu-west-1")
    before = fake.http.handle(
        "POST", HOST, {"X-Amz-Target": "secretsmanager.ListSecretVersionIds"}, b'{"SecretId":"s"}'
    ).body
    params = {"Action": "PutSecretValue", "SecretId": "s", "SecretString": "v2"}
    with pytest.raises(UnsupportedOperation, match="XML 1.0 cannot carry"):
        post(fake, {**params, "ClientRequestToken": "t" * 32, "VersionStages.member.1": "\x1f"})
    after = fake.http.handle(
        "POST", HOST, {"X-Amz-Target": "secretsmanager.ListSecretVersionIds"}, b'{"SecretId":"s"}'
    ).body
    assert json.loads(after)["Versions"] == json.loads(before)["Versions"]


def test_query_batch_whose_errors_xml_cannot_carry_is_refused_before_it_reads(fake):
    # The batch would read "s" (its LastAccessedDate moves) and echo the other id in Errors,
    # which XML cannot carry: it is refused before anything is read.
    fake.add_secret("s", "v", region="eu-west-1")
    describe = {"X-Amz-Target": "secretsmanager.DescribeSecret"}
    before = fake.http.handle("POST", HOST, describe, b'{"SecretId":"s"}').body
    params = {"Action": "BatchGetSecretValue", "SecretIdList.member.1": "s"}
    with pytest.raises(UnsupportedOperation, match="XML 1.0 cannot carry"):
        post(fake, {**params, "SecretIdList.member.2": "\x08"})
    after = fake.http.handle("POST", HOST, describe, b'{"SecretId":"s"}').body
    assert "LastAccessedDate" not in json.loads(before)
    assert json.loads(after) == json.loads(before)
