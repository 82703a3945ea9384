"""Strict mode through real boto3 clients: signed calls pass, AWS's refusals come back exact."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.auth
import botocore.credentials
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError

from smfake import mock_secretsmanager
from smfake._wire import sigv4
from tests.conftest import error_of

KEY = "AKIAAPPREADER0000001"
SECRET = "app-reader-secret"
TEMP_KEY = "ASIAROLESESSION00001"
TOKEN = "session-token-1"
ACCOUNT = "111122223333"
INVALID_TOKEN = "The security token included in the request is invalid."
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def client(key: str = KEY, secret: str = SECRET, token: str | None = None, **kwargs: Any) -> Any:
    return boto3.client(
        "secretsmanager",
        region_name=kwargs.pop("region_name", "eu-west-1"),
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1}),
        **kwargs,
    )


@pytest.fixture
def strict(fake):
    fake.verify_signatures = True
    fake.principals.add(KEY, SECRET, account_id=ACCOUNT)
    fake.principals.add("AKIANOSECRET00000000")  # acts as a principal, cannot sign
    fake.principals.add(
        TEMP_KEY,
        SECRET,
        arn="arn:aws:sts::444455556666:assumed-role/app/session-1",
        session_token=TOKEN,
        expires=fake.clock.now() + timedelta(hours=1),
    )
    return fake


# -- signed calls pass, in the key's account ------------------------------------------------


def test_signatures_strict_mode_accepts_a_correctly_signed_call_in_the_keys_account(strict):
    arn = client().create_secret(Name="app", SecretString="v")["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:app-")
    assert client().get_secret_value(SecretId="app")["SecretString"] == "v"


def test_signatures_strict_mode_accepts_temporary_credentials_with_their_session_token(strict):
    arn = client(TEMP_KEY, token=TOKEN).create_secret(Name="app")["ARN"]
    assert ":444455556666:secret:app-" in arn


def test_signatures_strict_mode_is_an_activation_option():
    with mock_secretsmanager(verify_signatures=True) as fake:
        assert fake.verify_signatures is True
        fake.principals.add(KEY, SECRET)
        assert client().list_secrets()["SecretList"] == []
        with pytest.raises(ClientError) as excinfo:
            client("AKIAUNKNOWNKEY000000", "x").list_secrets()
        assert error_of(excinfo) == ("UnrecognizedClientException", INVALID_TOKEN, 400)


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "kwargs", "code", "message"),
    [
        ("unknown access key", {"key": "AKIAUNKNOWNKEY000000"}, "UnrecognizedClientException",
         INVALID_TOKEN),
        ("key registered without its secret", {"key": "AKIANOSECRET00000000"},
         "UnrecognizedClientException", INVALID_TOKEN),
        ("temporary key without its session token", {"key": TEMP_KEY},
         "UnrecognizedClientException", INVALID_TOKEN),
        ("temporary key with another session token", {"key": TEMP_KEY, "token": "other"},
         "UnrecognizedClientException", INVALID_TOKEN),
        ("long-term key with a session token", {"token": TOKEN}, "UnrecognizedClientException",
         INVALID_TOKEN),
        ("scope for another region than the endpoint's",
         {"region_name": "us-east-1", "endpoint_url": "https://secretsmanager.eu-west-1.amazonaws.com"},
         "InvalidSignatureException",
         "Credential should be scoped to a valid region, not 'us-east-1'. "),
    ],
)  # fmt: skip
def test_signatures_strict_mode_refuses_with_aws_error(strict, case, kwargs, code, message):
    with pytest.raises(ClientError) as excinfo:
        client(**kwargs).list_secrets()
    assert error_of(excinfo) == (code, message, 400)


def test_signatures_strict_mode_refuses_a_wrong_secret_and_shows_the_canonical_request(strict):
    with pytest.raises(ClientError) as excinfo:
        client(secret="wrong").list_secrets()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidSignatureException", 400)
    head, canonical, middle, to_sign, tail = message.split("'")
    assert head == MISMATCH + "\n\nThe Canonical String for this request should have been\n"
    assert canonical.startswith("POST\n/\n\ncontent-type:application/x-amz-json-1.1\n")
    assert "\nx-amz-target:secretsmanager.ListSecrets\n" in canonical
    assert middle == "\n\nThe String-to-Sign should have been\n"
    assert to_sign.startswith("AWS4-HMAC-SHA256\n")
    assert tail == "\n"
    assert "wrong" not in message and SECRET not in message


def test_signatures_strict_mode_refuses_a_body_changed_after_signing(strict):
    def tamper(request, **_):
        request.body = request.body.replace(b'"app"', b'"other"')

    sm = client()
    sm.meta.events.register("before-send.secrets-manager.CreateSecret", tamper)
    with pytest.raises(ClientError) as excinfo:
        sm.create_secret(Name="app")
    code, message, _ = error_of(excinfo)
    assert code == "InvalidSignatureException"
    assert message.startswith(MISMATCH + "\n\n")
    assert client().list_secrets()["SecretList"] == []


def test_signatures_strict_mode_refuses_an_operation_outside_the_signature(strict):
    # A signer that leaves X-Amz-Target out of SignedHeaders: anyone on the way could then
    # turn the signed DescribeSecret into a DeleteSecret.
    client().create_secret(Name="app", SecretString="v")

    class TargetUnsigned(botocore.auth.SigV4Auth):
        def headers_to_sign(self, request):
            chosen = super().headers_to_sign(request)
            del chosen["x-amz-target"]
            return chosen

    def resign_and_swap(request, **_):
        headers = {
            name: value.decode() if isinstance(value, bytes) else value
            for name, value in request.headers.items()
            if name.lower() != "authorization"
        }
        unsigned = AWSRequest(request.method, request.url, headers, request.body)
        credentials = botocore.credentials.Credentials(KEY, SECRET)
        TargetUnsigned(credentials, "secretsmanager", "eu-west-1").add_auth(unsigned)
        for name in ("Authorization", "X-Amz-Date"):
            request.headers[name] = unsigned.headers[name]
        request.headers["X-Amz-Target"] = "secretsmanager.DeleteSecret"

    sm = client()
    sm.meta.events.register("before-send.secrets-manager.DescribeSecret", resign_and_swap)
    with pytest.raises(ClientError) as excinfo:
        sm.describe_secret(SecretId="app")
    assert error_of(excinfo) == (
        "InvalidSignatureException",
        "'x-amz-target' must be a 'SignedHeader' in the AWS Authorization.",
        400,
    )
    assert client().describe_secret(SecretId="app")["Name"] == "app"
    assert strict.events.count("DeleteSecret") == 0


def test_signatures_strict_mode_refuses_expired_temporary_credentials(strict):
    sm = client(TEMP_KEY, token=TOKEN)
    sm.list_secrets()
    strict.clock.advance(timedelta(hours=1, seconds=1))
    with pytest.raises(ClientError) as excinfo:
        sm.list_secrets()
    assert error_of(excinfo) == (
        "ExpiredTokenException",
        "The security token included in the request is expired",
        400,
    )


def _sign_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Make botocore sign with ``moment`` instead of the wall clock."""
    naive = moment.replace(tzinfo=None)
    if hasattr(botocore.auth, "get_current_datetime"):
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: naive)
    else:  # botocore before the move away from utcnow()

        class _Frozen(datetime):
            @classmethod
            def utcnow(cls) -> datetime:  # type: ignore[override]
                return naive

        monkeypatch.setattr(botocore.auth.datetime, "datetime", _Frozen)


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (
            timedelta(minutes=-6),
            "Signature expired: 20261122T092400Z is now earlier than 20261122T092500Z "
            "(20261122T093000Z - 5 min.)",
        ),
        (
            timedelta(minutes=7),
            "Signature not yet current: 20261122T093700Z is still later than 20261122T093500Z "
            "(20261122T093000Z + 5 min.)",
        ),
    ],
)
def test_signatures_strict_mode_refuses_a_request_signed_5_minutes_off(
    strict, monkeypatch, offset, message
):
    now = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
    monkeypatch.setattr(sigv4, "_now", lambda: now)
    _sign_at(monkeypatch, now + offset)
    with pytest.raises(ClientError) as excinfo:
        client().list_secrets()
    assert error_of(excinfo) == ("InvalidSignatureException", message, 400)


# -- raw HTTP: the body AWS sends -----------------------------------------------------------

RAW_HEADERS = {
    "X-Amz-Target": "secretsmanager.ListSecrets",
    "Content-Type": "application/x-amz-json-1.1",
}


@pytest.mark.parametrize(
    ("authorization", "code", "message"),
    [
        (None, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        (
            "AWS4-HMAC-SHA256 Credential=AKIAAPPREADER0000001/20261122/eu-west-1/secretsmanager/"
            "aws4_request",
            "IncompleteSignatureException",
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256 Credential=AKIAAPPREADER0000001/20261122/eu-west-1/"
            "secretsmanager/aws4_request",
        ),
    ],
)
def test_signatures_strict_mode_answers_raw_http_like_aws(strict, authorization, code, message):
    headers = dict(RAW_HEADERS)
    if authorization is not None:
        headers["Authorization"] = authorization
    reply = strict.http.handle(
        "POST", "https://secretsmanager.eu-west-1.amazonaws.com/", headers, b"{}"
    )
    assert reply.status == 400
    assert reply.headers["x-amzn-ErrorType"] == code
    # Authentication errors carry a lower-case `message`, as AWS's front end sends them.
    assert json.loads(reply.body) == {"__type": code, "message": message}


# -- default mode stays permissive ------------------------------------------------------------


def test_signatures_default_mode_accepts_any_key_and_any_signature(fake):
    assert fake.verify_signatures is False
    fake.principals.add(KEY, SECRET, account_id=ACCOUNT)
    arn = client("AKIAUNKNOWNKEY000000", "anything").create_secret(Name="app")["ARN"]
    assert f":{fake.account_id}:secret:app-" in arn
    # A registered key still picks its account, whatever secret signed the call.
    arn = client(KEY, "not-the-secret").create_secret(Name="app")["ARN"]
    assert f":{ACCOUNT}:secret:app-" in arn
    reply = fake.http.handle(
        "POST", "https://secretsmanager.eu-west-1.amazonaws.com/", RAW_HEADERS, b"{}"
    )
    assert reply.status == 200


def test_signatures_strict_mode_can_be_switched_off_again(strict):
    strict.verify_signatures = False
    assert client("AKIAUNKNOWNKEY000000", "x").list_secrets()["SecretList"] == []
