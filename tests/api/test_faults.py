"""fake.faults: injected AWS errors travel the path of real ones, retries included, no sleeping."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smfake._wire import hook
from smfake.errors import UsageError, UsageTypeError
from tests.conftest import assert_shape, error_of

# max_attempts counts retries after the first attempt (botocore's Config semantics).
STANDARD = Config(retries={"mode": "standard", "max_attempts": 3})
LEGACY = Config(retries={"mode": "legacy", "max_attempts": 4})
NO_RETRY = Config(retries={"total_max_attempts": 1})


@pytest.fixture
def sleeps(monkeypatch):
    """Every real time.sleep call, recorded instead of slept."""
    calls = []
    monkeypatch.setattr(time, "sleep", calls.append)
    return calls


def _client(config=None):
    return boto3.client("secretsmanager", region_name="us-east-1", config=config)


@pytest.mark.parametrize("config", [STANDARD, LEGACY], ids=["standard", "legacy"])
def test_faults_throttling_is_retried_by_botocore_without_sleeping(fake, sleeps, config):
    client = _client(config)
    client.create_secret(Name="app", SecretString="v")
    fault = fake.faults.inject("GetSecretValue", "ThrottlingException", count=2)
    response = client.get_secret_value(SecretId="app")
    assert response["SecretString"] == "v"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert sleeps == []
    assert fault.hits == 2 and fault.remaining == 0 and fault.exhausted
    assert fake.events.names()[-3:] == ["GetSecretValue"] * 3
    assert [e.error_code for e in fake.events][-3:] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    assert fake.faults.pending == []


def test_faults_more_failures_than_attempts_surface_the_error(fake, sleeps):
    client = _client(STANDARD)
    client.create_secret(Name="app", SecretString="v")
    fake.faults.inject("GetSecretValue", "ThrottlingException", count=5)
    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId="app")
    assert error_of(excinfo) == ("ThrottlingException", "Rate exceeded", 400)
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 3
    assert sleeps == []
    assert fake.faults.pending[0].remaining == 1


def test_faults_server_errors_are_500_and_retried(fake, sleeps):
    client = _client(STANDARD)
    client.create_secret(Name="app", SecretString="v")
    fake.faults.inject("DescribeSecret", "InternalServiceError", count=1)
    response = client.describe_secret(SecretId="app")
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    fake.faults.inject("DescribeSecret", "InternalServiceError", count=4)
    with pytest.raises(client.exceptions.InternalServiceError) as excinfo:
        client.describe_secret(SecretId="app")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InternalServiceError", 500)
    assert message  # the model's documented text
    assert sleeps == []


def test_faults_modelled_errors_raise_the_modelled_exception(fake):
    client = _client(NO_RETRY)
    client.create_secret(Name="app", SecretString="v")
    fake.faults.inject("GetSecretValue", "ResourceNotFoundException")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.get_secret_value(SecretId="app")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
        400,
    )
    # count defaults to one call
    assert client.get_secret_value(SecretId="app")["SecretString"] == "v"


def test_faults_access_denied_names_the_principal_action_and_resource(fake):
    client = _client(NO_RETRY)
    client.create_secret(Name="app", SecretString="v")
    fake.faults.inject("GetSecretValue", "AccessDeniedException")
    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId="app")
    # The secret is named as the caller gave it, as AWS's refusals do.
    assert error_of(excinfo) == (
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:root is not authorized to perform: "
        "secretsmanager:GetSecretValue on resource: app because no identity-based policy "
        "allows the secretsmanager:GetSecretValue action",
        400,
    )
    # An account-level action names no resource.
    fake.faults.inject("ListSecrets", "AccessDeniedException")
    with pytest.raises(ClientError) as excinfo:
        client.list_secrets()
    assert error_of(excinfo)[1] == (
        "User: arn:aws:iam::123456789012:root is not authorized to perform: "
        "secretsmanager:ListSecrets because no identity-based policy allows the "
        "secretsmanager:ListSecrets action"
    )


def test_faults_message_and_status_can_be_given(fake):
    client = _client(NO_RETRY)
    fake.faults.inject("ListSecrets", "ServiceUnavailable", message="Try later", status=503)
    with pytest.raises(ClientError) as excinfo:
        client.list_secrets()
    assert error_of(excinfo) == ("ServiceUnavailable", "Try later", 503)


def test_faults_refused_call_changes_nothing(fake):
    client = _client(NO_RETRY)
    client.create_secret(Name="app", SecretString="v1")
    fake.faults.inject("PutSecretValue", "InternalServiceError")
    with pytest.raises(ClientError):
        client.put_secret_value(SecretId="app", SecretString="v2")
    versions = client.list_secret_version_ids(SecretId="app")["Versions"]
    assert len(versions) == 1
    assert client.get_secret_value(SecretId="app")["SecretString"] == "v1"


def test_faults_come_before_validation(fake):
    client = _client(NO_RETRY)
    fake.faults.inject("GetRandomPassword", "ThrottlingException")
    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(PasswordLength=5000)
    assert error_of(excinfo)[0] == "ThrottlingException"


def test_faults_only_for_one_secret_by_name_or_arn(fake):
    client = _client(NO_RETRY)
    arn = client.create_secret(Name="flaky", SecretString="v")["ARN"]
    client.create_secret(Name="steady", SecretString="v")
    fake.faults.inject("GetSecretValue", "InternalServiceError", count=3, secret="flaky")
    assert client.get_secret_value(SecretId="steady")["SecretString"] == "v"
    for secret_id in ("flaky", arn, arn[:-7]):  # name, full ARN, partial ARN
        with pytest.raises(ClientError):
            client.get_secret_value(SecretId=secret_id)
    assert client.get_secret_value(SecretId="flaky")["SecretString"] == "v"


def test_faults_for_one_secret_in_a_batch(fake):
    client = _client(NO_RETRY)
    client.create_secret(Name="flaky", SecretString="v")
    fake.faults.inject("BatchGetSecretValue", "ThrottlingException", secret="flaky")
    with pytest.raises(ClientError):
        client.batch_get_secret_value(SecretIdList=["other", "flaky"])


def test_faults_any_operation(fake):
    client = _client(NO_RETRY)
    fake.faults.inject("*", "ThrottlingException", count=2)
    with pytest.raises(ClientError):
        client.list_secrets()
    with pytest.raises(ClientError):
        client.create_secret(Name="x")
    assert_shape(client, "ListSecrets", client.list_secrets())


def test_faults_probability_is_seeded_and_reproducible(fake):
    client = _client(NO_RETRY)

    def outcomes():
        fake.faults.clear()
        fake.faults.inject("ListSecrets", "ThrottlingException", probability=0.5, seed=7)
        result = []
        for _ in range(40):
            try:
                client.list_secrets()
                result.append(True)
            except ClientError:
                result.append(False)
        return result

    first = outcomes()
    assert first == outcomes()
    assert 5 < first.count(False) < 35


def test_faults_probability_with_count_stops_after_count(fake):
    client = _client(NO_RETRY)
    fault = fake.faults.inject("ListSecrets", probability=1.0, count=3)
    failures = 0
    for _ in range(6):
        try:
            client.list_secrets()
        except ClientError:
            failures += 1
    assert failures == 3 and fault.hits == 3


def test_faults_first_matching_injection_fires(fake):
    client = _client(NO_RETRY)
    fake.faults.inject("ListSecrets", "InternalServiceError")
    fake.faults.inject("ListSecrets", "ThrottlingException")
    codes = []
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            client.list_secrets()
        codes.append(error_of(excinfo)[0])
    assert codes == ["InternalServiceError", "ThrottlingException"]


def test_faults_clear_and_reset(fake):
    client = _client(NO_RETRY)
    fake.faults.inject("ListSecrets", count=3)
    fake.faults.clear()
    client.list_secrets()
    fake.faults.inject("ListSecrets", count=3)
    fake.reset()
    client.list_secrets()
    assert repr(fake.faults) == "<FaultPlan: 0 pending>"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"operation": "GetSecret"}, UsageError, "not an operation"),
        ({"operation": "GetSecretValue", "error": "NoSuchThing"}, UsageError, "cannot inject"),
        ({"operation": "GetSecretValue", "error": 3}, UsageTypeError, "error code"),
        ({"operation": "GetSecretValue", "count": 0}, UsageError, "count"),
        ({"operation": "GetSecretValue", "count": 1.5}, UsageError, "count"),
        ({"operation": "GetSecretValue", "probability": 0}, UsageError, "probability"),
        ({"operation": "GetSecretValue", "probability": 1.5}, UsageError, "probability"),
        ({"operation": "GetSecretValue", "message": 3}, UsageTypeError, "message"),
        ({"operation": "GetSecretValue", "secret": 3}, UsageTypeError, "secret"),
        ({"operation": "GetSecretValue", "status": 200}, UsageError, "status"),
    ],
)
def test_faults_misuse_is_refused(fake, kwargs, error, match):
    with pytest.raises(error, match=match):
        fake.faults.inject(**kwargs)
    assert fake.faults.pending == []


def test_faults_other_sleeps_are_real(fake, sleeps):
    # The stand-in only skips the back-off that follows an answer of the fake.
    hook.note_retry_decision(response=None)
    import botocore.endpoint

    botocore.endpoint.time.sleep(0.25)
    assert sleeps == [0.25]
    assert botocore.endpoint.time.monotonic() > 0  # everything else is the real module
