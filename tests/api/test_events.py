"""fake.events: one CloudTrail-like record per call and per service event, never a value."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from urllib.parse import urlencode

import boto3
import pytest
from botocore.exceptions import ClientError

from smfake import mock_secretsmanager
from smfake.errors import UsageError
from tests import operation_examples as examples
from tests.operations.test_rotate_secret import TemplateRotation

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
ACCOUNT = "123456789012"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TOKEN = "a" * 32
PASSWORD_MARK = "kept-out-of-events"


@pytest.fixture
def frozen(fake):
    fake.clock.set(T0)
    return T0


def _last(fake):
    return fake.events[-1]


# -- one record per call ----------------------------------------------------------------------


def test_events_table_covers_every_operation():
    from smfake._wire.operations import OPERATIONS

    assert set(examples.EXAMPLES) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(examples.CALLABLE))
def test_events_one_record_per_call_with_cloudtrail_fields(fake, client, frozen, operation):
    client, params = examples.prepare(fake, client, operation)
    arn = fake.events.filter("CreateSecret")[0].secret_arn
    before = len(fake.events)
    try:
        examples.call(client, operation, params)
    except ClientError as error:
        # Every operation is recorded, failed or not; the table's calls are meant to succeed.
        pytest.fail(f"{operation}: {error}")
    calls = [e for e in fake.events[before:] if e.event_type == "AwsApiCall"]
    # The call's own record comes last (a rotation's own calls come before it), except that
    # BatchGetSecretValue's record comes before its per-secret GetSecretValue records.
    event = calls[0] if operation == "BatchGetSecretValue" else calls[-1]
    assert event.event_name == operation
    assert event.event_type == "AwsApiCall"
    assert event.event_time == T0
    assert event.aws_region == client.meta.region_name
    assert event.recipient_account_id == ACCOUNT
    assert event.error_code is None and event.error_message is None
    assert UUID.fullmatch(event.request_id)
    record = event.to_dict()
    assert record["eventVersion"] == "1.08"
    assert record["eventSource"] == "secretsmanager.amazonaws.com"
    assert record["eventTime"] == "2026-03-04T05:06:07Z"
    assert record["managementEvent"] is True
    assert record["eventCategory"] == "Management"
    assert record["userIdentity"]["type"] == "Root"
    assert record["userIdentity"]["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert record["userAgent"].startswith("Boto3/")
    assert record["sourceIPAddress"] == "127.0.0.1"
    assert record["readOnly"] is operation.startswith(
        ("Get", "Describe", "List", "BatchGet", "Validate")
    )
    if "SecretId" in json.dumps(record["requestParameters"] or {}):
        pytest.fail("requestParameters keys are camelCase")
    if record["requestParameters"] and "secretId" in record["requestParameters"]:
        assert event.secret_arn == arn.replace("us-east-1", client.meta.region_name)


def test_events_request_id_is_the_one_the_caller_saw(fake, client):
    response = client.create_secret(Name="app", SecretString="v1")
    assert _last(fake).request_id == response["ResponseMetadata"]["RequestId"]


def test_events_write_operations_show_their_response_elements(fake, client):
    created = client.create_secret(Name="app", SecretString="v1", ClientRequestToken=TOKEN)
    event = _last(fake)
    assert event.request_parameters == {"name": "app", "clientRequestToken": TOKEN}
    # CloudTrail lower-cases an all-capitals member name whole: "arn", not "aRN".
    assert event.response_elements == {
        "arn": created["ARN"],
        "name": "app",
        "versionId": TOKEN,
    }
    client.get_secret_value(SecretId="app")
    assert _last(fake).response_elements is None  # read-only: no response shown


def test_events_nested_members_are_camel_cased(fake, client):
    client.create_secret(Name="app", Tags=[{"Key": "team", "Value": "core"}])
    assert _last(fake).request_parameters["tags"] == [{"key": "team", "value": "core"}]


def test_events_failed_call_has_error_code_and_message(fake, client):
    with pytest.raises(ClientError):
        client.get_secret_value(SecretId="missing")
    event = _last(fake)
    assert event.error_code == "ResourceNotFoundException"
    assert event.error_message == "Secrets Manager can't find the specified secret."
    assert event.response_elements is None
    assert event.to_dict()["errorCode"] == "ResourceNotFoundException"
    assert event.secret_arn is None and event.secret_id == "missing"


def test_events_validation_failures_are_recorded_too(fake, client):
    with pytest.raises(ClientError):
        client.get_random_password(PasswordLength=5000)
    assert _last(fake).error_code == "ValidationException"


def test_events_batch_get_logs_one_get_secret_value_per_secret(fake, client):
    a = client.create_secret(Name="a", SecretString="1")["ARN"]
    b = client.create_secret(Name="b", SecretString="2")["ARN"]
    fake.events.clear()
    client.batch_get_secret_value(SecretIdList=["a", "b", "missing"])
    assert fake.events.names() == [
        "BatchGetSecretValue",
        "GetSecretValue",
        "GetSecretValue",
        "GetSecretValue",
    ]
    per_secret = fake.events.filter("GetSecretValue")
    assert [e.request_parameters for e in per_secret] == [
        {"secretId": a},
        {"secretId": b},
        {"secretId": "missing"},
    ]
    assert [e.error_code for e in per_secret] == [None, None, "ResourceNotFoundException"]
    assert len({e.event_id for e in fake.events}) == 4


# -- filtering and export ---------------------------------------------------------------------


def test_events_filter_by_operation_secret_error_and_type(fake, client):
    arn = client.create_secret(Name="app", SecretString="v1")["ARN"]
    client.create_secret(Name="other", SecretString="v1")
    client.get_secret_value(SecretId="app")
    client.get_secret_value(SecretId=arn)
    client.get_secret_value(SecretId="other")
    with pytest.raises(ClientError):
        client.get_secret_value(SecretId="nope")
    assert fake.events.count("GetSecretValue") == 4
    assert fake.events.count("GetSecretValue", secret="app") == 2
    assert fake.events.count(secret=arn) == 3  # CreateSecret and both reads
    assert fake.events.count(secret="nope") == 1
    assert fake.events.count(error=True) == 1
    assert fake.events.count(error="ResourceNotFoundException") == 1
    assert fake.events.count("GetSecretValue", error=False) == 3
    assert fake.events.count(event_type="AwsServiceEvent") == 0
    with pytest.raises(UsageError, match="event_type"):
        fake.events.filter(event_type="ApiCall")


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            {"operation": "GetSecretValu"},
            "no event is named 'GetSecretValu' (did you mean 'GetSecretValue'?)",
        ),
        ({"operation": "getSecretValue"}, "no event is named 'getSecretValue'"),
        ({"operation": "RotationSucceded"}, "did you mean 'RotationSucceeded'?"),
        ({"error": "Nope"}, "no error code is 'Nope'; error= takes True"),
        ({"error": "ResourceNotFound"}, "did you mean 'ResourceNotFoundException'?"),
    ],
)
def test_events_unknown_names_and_codes_are_refused(fake, criteria, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        fake.events.filter(**criteria)
    with pytest.raises(UsageError, match=re.escape(message)):
        fake.events.count(**criteria)


def test_events_names_that_exist_count_zero_when_nothing_happened(fake):
    # Every operation of the model, every service event and every error code the fake can
    # answer is a legitimate criterion; so is a secret that never existed.
    model = boto3.client("secretsmanager", region_name="us-east-1").meta.service_model
    for operation in model.operation_names:
        assert fake.events.count(operation) == 0
    for name in ("RotationSucceeded", "EndSecretVersionDelete", "TestRotationFailed"):
        assert fake.events.count(name) == 0
    for code in ("ThrottlingException", "InternalFailure", "SerializationException"):
        assert fake.events.count(error=code) == 0
    for shape in model.error_shapes:
        assert fake.events.count(error=shape.name) == 0
    assert fake.events.count(secret="never-existed") == 0


def test_events_to_cloudtrail_is_a_cloudtrail_log_file(fake, client):
    client.create_secret(Name="app", SecretString="v1")
    client.describe_secret(SecretId="app")
    log = json.loads(fake.events.to_cloudtrail())
    assert [r["eventName"] for r in log["Records"]] == ["CreateSecret", "DescribeSecret"]
    only = json.loads(fake.events.to_cloudtrail(fake.events.filter("DescribeSecret")))
    assert len(only["Records"]) == 1


def test_events_sequence_protocol_and_clear(fake, client):
    client.create_secret(Name="app")
    client.describe_secret(SecretId="app")
    assert len(fake.events) == 2
    assert [e.event_name for e in fake.events[0:2]] == ["CreateSecret", "DescribeSecret"]
    assert repr(fake.events) == "<EventLog: 2 events>"
    fake.events.clear()
    assert len(fake.events) == 0


def test_events_reset_forgets_events(fake, client):
    client.create_secret(Name="app")
    fake.reset()
    assert list(fake.events) == []


def test_events_are_frozen(fake, client):
    client.create_secret(Name="app")
    with pytest.raises(AttributeError):
        fake.events[0].event_name = "x"


# -- who called -------------------------------------------------------------------------------


def test_events_user_identity_of_a_registered_principal(fake):
    import boto3

    user = "arn:aws:iam::111122223333:user/app-reader"
    fake.principals.add("AKIAAPPREADER0000001", "secret", arn=user)
    client = boto3.client(
        "secretsmanager",
        region_name="eu-west-1",
        aws_access_key_id="AKIAAPPREADER0000001",
        aws_secret_access_key="secret",
    )
    arn = client.create_secret(Name="app")["ARN"]
    assert ":111122223333:" in arn  # the access key picks the account
    identity = _last(fake).user_identity
    assert identity["type"] == "IAMUser"
    assert identity["arn"] == user
    assert identity["accountId"] == "111122223333"
    assert identity["userName"] == "app-reader"
    assert identity["accessKeyId"] == "AKIAAPPREADER0000001"
    assert identity["principalId"].startswith("AIDA")
    assert _last(fake).recipient_account_id == "111122223333"


def test_events_user_identity_of_an_assumed_role(fake):
    import boto3

    role = "arn:aws:sts::123456789012:assumed-role/app/session-1"
    fake.principals.add("ASIAROLESESSION00001", "secret", arn=role, session_token="tok")
    client = boto3.client(
        "secretsmanager",
        region_name="us-east-1",
        aws_access_key_id="ASIAROLESESSION00001",
        aws_secret_access_key="secret",
        aws_session_token="tok",
    )
    client.list_secrets()
    identity = _last(fake).user_identity
    assert identity["type"] == "AssumedRole"
    assert identity["principalId"].startswith("AROA")
    assert identity["principalId"].endswith(":session-1")


# -- service events ---------------------------------------------------------------------------


def _rotating(fake, client, handler):
    arn = fake.register_rotation_function("rotator", handler)
    client.create_secret(Name="app", SecretString='{"password": "first"}')
    return arn


def test_events_rotation_is_recorded_as_service_events(fake, client, frozen):
    lambda_arn = _rotating(fake, client, TemplateRotation())
    secret_arn = client.describe_secret(SecretId="app")["ARN"]
    fake.events.clear()
    client.rotate_secret(SecretId="app", RotationLambdaARN=lambda_arn)
    service = fake.events.filter(event_type="AwsServiceEvent")
    assert [e.event_name for e in service] == ["RotationStarted", "RotationSucceeded"]
    token = fake.rotations[-1].version_id
    for event in service:
        record = event.to_dict()
        assert record["userIdentity"] == {"accountId": ACCOUNT, "invokedBy": record["eventSource"]}
        assert record["sourceIPAddress"] == "secretsmanager.amazonaws.com"
        assert record["userAgent"] == "secretsmanager.amazonaws.com"
        assert record["additionalEventData"] == {"SecretId": secret_arn}
        assert record["requestID"] == f"Rotation-{secret_arn}-{token}"
        assert record["requestParameters"] is None and record["responseElements"] is None
        assert event.concerns("app")
    # The handler's own calls sit between the start and the end, the RotateSecret call last.
    names = fake.events.names()
    assert names[0] == "RotationStarted"
    assert names[-2:] == ["RotationSucceeded", "RotateSecret"]
    assert "PutSecretValue" in names and "UpdateSecretVersionStage" in names


def test_events_failed_rotation(fake, client, frozen):
    lambda_arn = _rotating(fake, client, TemplateRotation(fail_at="setSecret"))
    client.rotate_secret(SecretId="app", RotationLambdaARN=lambda_arn)
    assert fake.events.names().count("RotationFailed") == 1
    assert fake.events.count("RotationSucceeded") == 0


def test_events_test_rotation_when_not_rotating_immediately(fake, client, frozen):
    lambda_arn = _rotating(fake, client, TemplateRotation())
    client.rotate_secret(SecretId="app", RotationLambdaARN=lambda_arn, RotateImmediately=False)
    service = [e.event_name for e in fake.events.filter(event_type="AwsServiceEvent")]
    assert service == ["TestRotationStarted", "TestRotationSucceeded"]


def test_events_scheduled_rotation_fires_service_events_on_the_clock(fake, client, frozen):
    lambda_arn = _rotating(fake, client, TemplateRotation())
    client.rotate_secret(
        SecretId="app",
        RotationLambdaARN=lambda_arn,
        RotationRules={"AutomaticallyAfterDays": 2},
        RotateImmediately=False,
    )
    fake.events.clear()
    fake.clock.advance(days=3)
    started = fake.events.filter("RotationStarted")
    assert len(started) == 1
    assert started[0].event_time > T0


def test_events_writing_current_by_hand_abandons_a_rotation_in_progress(fake, client, frozen):
    lambda_arn = _rotating(fake, client, TemplateRotation(fail_at="finishSecret"))
    client.rotate_secret(SecretId="app", RotationLambdaARN=lambda_arn)
    fake.events.clear()
    client.put_secret_value(SecretId="app", SecretString="by hand")
    assert fake.events.names() == ["RotationAbandoned", "PutSecretValue"]


def test_events_scheduled_deletion_start_and_end(fake, client, frozen):
    arn = client.create_secret(Name="app", SecretString="v")["ARN"]
    client.delete_secret(SecretId="app", RecoveryWindowInDays=7)
    fake.events.clear()
    fake.clock.advance(days=7, seconds=1)
    assert fake.events.names() == ["StartSecretVersionDelete", "EndSecretVersionDelete"]
    assert all(e.secret_arn == arn for e in fake.events)
    assert fake.events[0].event_time == T0.replace(day=11)


def test_events_forced_deletion_and_restore(fake, client):
    client.create_secret(Name="gone")
    client.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)
    assert fake.events.names()[-3:] == [
        "StartSecretVersionDelete",
        "EndSecretVersionDelete",
        "DeleteSecret",
    ]
    client.create_secret(Name="back")
    client.delete_secret(SecretId="back")
    fake.events.clear()
    client.restore_secret(SecretId="back")
    assert fake.events.names() == ["CancelSecretVersionDelete", "RestoreSecret"]


# -- no value anywhere ------------------------------------------------------------------------


def test_events_never_hold_a_secret_value_nor_does_any_repr_or_log(caplog):
    written = [
        "created-value-7f3a",
        "put-value-91bc",
        "updated-value-c0de",
        "binary-value-55aa",
        "rotation-created-1e2f",
    ]

    class Rotation(TemplateRotation):
        def create_secret(self, service, arn, version):
            service.put_secret_value(
                SecretId=arn,
                ClientRequestToken=version,
                SecretString=written[4],
                VersionStages=["AWSPENDING"],
            )

    caplog.set_level(logging.DEBUG, logger="smfake")
    with mock_secretsmanager() as fake:
        import boto3

        client = boto3.client("secretsmanager", region_name="us-east-1")
        rotation = Rotation()
        lambda_arn = fake.register_rotation_function("rotator", rotation)
        client.create_secret(Name="app", SecretString=written[0])
        client.put_secret_value(SecretId="app", SecretString=written[1])
        client.update_secret(SecretId="app", SecretString=written[2])
        client.create_secret(Name="bin", SecretBinary=written[3].encode())
        client.get_secret_value(SecretId="app")
        client.get_secret_value(SecretId="bin")
        client.batch_get_secret_value(SecretIdList=["app", "bin"])
        password = client.get_random_password()["RandomPassword"]
        client.rotate_secret(SecretId="app", RotationLambdaARN=lambda_arn)
        rotation_tokens = [event["RotationToken"] for event in rotation.events]
        assert len(rotation_tokens) == 4
        texts = [
            fake.events.to_cloudtrail(),
            repr(fake.events),
            repr(fake),
            repr(list(fake.events)),
            repr(fake.rotations),
            repr(fake.faults),
            repr(fake.principals),
            caplog.text,
        ]
        texts += [repr(event) for event in fake.events]
        texts += [json.dumps(event.to_dict()) for event in fake.events]
    assert caplog.records, "smfake logs each call at DEBUG"
    secrets = [*written, password, *rotation_tokens]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "SecretString" not in fake.events.to_cloudtrail()
    assert "secretString" not in fake.events.to_cloudtrail()
    assert "randomPassword" not in fake.events.to_cloudtrail()


# Raw HTTP and Query callers can send anything: a value under a name the operation does not
# define, under another operation's member, nested in a list item, or of the wrong type.
UNDEFINED_MEMBERS = [
    ("CreateSecret", {"Name": "app2", "ClientRequestToken": TOKEN * 2, "secretString": "{v}"}),
    ("DeleteSecret", {"SecretId": "app", "SecretString": "{v}"}),
    ("DescribeSecret", {"SecretId": "app", "SecretBinary": "{v}", "Extra": {"deep": ["{v}"]}}),
    ("TagResource", {"SecretId": "app", "Tags": [{"Key": "k", "Value": "v", "Secret": "{v}"}]}),
    ("ListSecrets", {"Filters": [{"Key": "name", "Values": ["a"], "Hidden": "{v}"}]}),
    ("GetSecretValue", {"SecretId": "app", "VersionStage": {"AWSCURRENT": "{v}"}}),
    ("UntagResource", {"SecretId": "app", "TagKeys": ["k", ["{v}"]]}),
    ("RotateSecret", {"SecretId": "app", "RotationRules": {"Duration": "2h", "X": "{v}"}}),
]


@pytest.mark.parametrize(("operation", "body"), UNDEFINED_MEMBERS)
@pytest.mark.parametrize("front", ["json", "query"])
def test_events_record_only_members_the_model_defines(caplog, operation, body, front):
    value = "undefined-member-value-4b1d"
    payload = json.loads(json.dumps(body).replace("{v}", value))
    caplog.set_level(logging.DEBUG, logger="smfake")
    with mock_secretsmanager() as fake:
        fake.add_secret("app", "v")
        url = "https://secretsmanager.us-east-1.amazonaws.com/"
        if front == "json":
            headers = {
                "X-Amz-Target": f"secretsmanager.{operation}",
                "Content-Type": "application/x-amz-json-1.1",
            }
            reply = fake.http.handle("POST", url, headers, json.dumps(payload).encode())
        else:
            form = {"Action": operation, **_query_form(payload)}
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            reply = fake.http.handle("POST", url, headers, urlencode(form).encode())
        assert reply.status < 500
        # A Query request whose names do not fit the model is refused before it runs.
        events = fake.events.filter(operation)
        assert events or (front == "query" and reply.status == 404)
        texts = [
            *(repr(event) for event in events),
            *(repr(event.request_parameters) for event in events),
            fake.events.to_cloudtrail(),
            repr(list(fake.events)),
            repr(fake),
            caplog.text,
            reply.body.decode(),
        ]
    for text in texts:
        assert value not in text
    defined = {_camel(name) for name in _input_members(operation)}
    for event in events:
        assert set(event.request_parameters or {}) <= defined


def _query_form(payload, prefix=""):
    # Query's own serialisation: Name.member.N for list items, Name.Member for structures.
    form = {}
    for name, value in payload.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            form.update(_query_form(value, key + "."))
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if isinstance(item, (dict, list)):
                    nested = item if isinstance(item, dict) else {"member": item}
                    form.update(_query_form(nested, f"{key}.member.{index}."))
                else:
                    form[f"{key}.member.{index}"] = item
        else:
            form[key] = value
    return form


def _input_members(operation):
    model = boto3.session.Session()._session.get_service_model("secretsmanager")
    return model.operation_model(operation).input_shape.members


def _camel(name):
    return name.lower() if name.isupper() else name[:1].lower() + name[1:]


def test_events_rotation_token_never_recorded(fake, client):
    seen = []

    class Rotation(TemplateRotation):
        def __call__(self, event, context):
            seen.append(event["RotationToken"])
            return super().__call__(event, context)

        def create_secret(self, service, arn, version):
            service.put_secret_value(
                SecretId=arn,
                ClientRequestToken=version,
                SecretString="x",
                VersionStages=["AWSPENDING"],
                RotationToken=seen[-1],
            )

    lambda_arn = _rotating(fake, client, Rotation())
    client.rotate_secret(SecretId="app", RotationLambdaARN=lambda_arn)
    assert seen
    log = fake.events.to_cloudtrail()
    for token in seen:
        assert token not in log
    assert "rotationToken" not in log
