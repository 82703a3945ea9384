"""SigV4 verification, unit level: known answers, what botocore signs, each refusal's text."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from smfake._domain import messages
from smfake._domain.clock import FakeClock
from smfake._domain.errors import (
    ExpiredTokenException,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    ServiceError,
    UnrecognizedClientException,
)
from smfake._domain.principals import Principal, Principals
from smfake._wire import sigv4

KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TEMP_KEY = "ASIAIOSFODNN7EXAMPLE"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN//+="
URL = "https://secretsmanager.us-east-1.amazonaws.com/"
BODY = b'{"SecretId": "app"}'
TARGET = {
    "X-Amz-Target": "secretsmanager.GetSecretValue",
    "Content-Type": "application/x-amz-json-1.1",
}
NOW = datetime(2026, 11, 22, 9, 30, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pin the verifier's wall clock, so that expected dates in messages are exact.
    monkeypatch.setattr(sigv4, "_now", lambda: NOW)


def principals(*extra: Principal) -> Principals:
    table = Principals()
    user = "arn:aws:iam::111122223333:user/app"
    role = "arn:aws:sts::444455556666:assumed-role/app/s1"
    for principal in (
        Principal(KEY, "111122223333", user, SECRET),
        Principal(TEMP_KEY, "444455556666", role, SECRET, TOKEN, NOW + timedelta(hours=1)),
        *extra,
    ):
        table.add(principal)
    return table


def sign(
    *,
    url: str = URL,
    body: bytes | str = BODY,
    headers: dict[str, str] | None = None,
    key: str = KEY,
    secret: str = SECRET,
    token: str | None = None,
    region: str = "us-east-1",
    service: str = "secretsmanager",
    when: datetime = NOW,
    method: str = "POST",
) -> tuple[str, str, dict[str, Any], bytes | str]:
    """A request signed by botocore's SigV4Auth at ``when``: (method, url, headers, body)."""
    request = AWSRequest(method=method, url=url, data=body, headers={**TARGET, **(headers or {})})
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    if "Date" not in request.headers:
        request.headers["X-Amz-Date"] = request.context["timestamp"]
    if token is not None:
        request.headers["X-Amz-Security-Token"] = token
    auth = SigV4Auth(Credentials(key, secret, token), service, region)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    signed_headers = auth.signed_headers(auth.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={auth.scope(request)}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    return method, request.url, dict(request.headers.items()), body


def verify(method: str, url: str, headers: dict[str, Any], body: Any, **kwargs: Any) -> Principal:
    table = kwargs.pop("table", None) or principals()
    clock = kwargs.pop("clock", None)
    if clock is None:
        # Temporary credentials expire on the fake clock: read it at the signing time.
        clock = FakeClock()
        clock.set(NOW)
    return sigv4.verify(method, url, headers, body, table, clock)


def refusal(request: tuple[str, str, dict[str, Any], Any], **kwargs: Any) -> ServiceError:
    with pytest.raises(ServiceError) as excinfo:
        verify(*request, **kwargs)
    assert SECRET not in excinfo.value.message
    return excinfo.value


# -- known answers -------------------------------------------------------------------------


def test_sigv4_matches_the_aws_test_suite_get_vanilla_vector():
    request = sigv4._Request.of(
        "GET",
        "https://example.amazonaws.com/",
        {"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"},
        None,
    )
    canonical = sigv4.canonical_request(request, ["host", "x-amz-date"])
    assert canonical == (
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    scope = "20150830/us-east-1/service/aws4_request"
    to_sign = sigv4.string_to_sign(
        datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc), scope, canonical
    )
    assert to_sign.endswith("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
    assert sigv4.signature(SECRET, scope, to_sign) == (
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("plain", {}),
        ("body as str", {"body": BODY.decode()}),
        ("empty body", {"body": b""}),
        ("query string", {"url": URL + "?b=2&a=1&a=0&c=x%20y&flag"}),
        ("odd path", {"url": "https://secretsmanager.us-east-1.amazonaws.com/a/./b/../c%20d//e"}),
        ("no path", {"url": "https://secretsmanager.us-east-1.amazonaws.com"}),
        ("path above the root", {"url": "https://secretsmanager.us-east-1.amazonaws.com/../a/"}),
        ("custom endpoint and port", {"url": "http://localhost:4566/", "region": "eu-west-3"}),
        ("IPv6 endpoint", {"url": "http://[::1]:4566/"}),
        ("spaces in a header value", {"headers": {"X-Custom": "  a   b\t c  "}}),
        (
            "Date header instead of X-Amz-Date",
            {
                "headers": {"Date": "Sun, 22 Nov 2026 09:28:00 GMT"},
                "when": NOW - timedelta(minutes=2),
            },
        ),
        ("temporary credentials", {"key": TEMP_KEY, "token": TOKEN}),
    ],
)
def test_sigv4_accepts_what_botocore_signs(case, kwargs):
    principal = verify(*sign(**kwargs))
    assert principal.access_key_id == kwargs.get("key", KEY)


def test_sigv4_accepts_bytes_headers_and_any_header_case():
    method, url, headers, body = sign()
    raw = {name.lower(): value.encode() for name, value in headers.items()}
    assert verify(method, url, raw, body).account_id == "111122223333"


def test_sigv4_reads_header_bytes_that_are_not_utf8_as_latin1():
    # http.client sends str header values as latin-1; botocore signed the str.
    method, url, headers, body = sign(headers={"X-Note": "café"})
    headers = {name: value.encode("latin-1") for name, value in headers.items()}
    assert verify(method, url, headers, body).access_key_id == KEY


def test_sigv4_accepts_a_presigned_query_string_request():
    request = AWSRequest(method="POST", url=URL, data=BODY, headers=dict(TARGET))
    SigV4QueryAuth(Credentials(KEY, SECRET), "secretsmanager", "us-east-1", 60).add_auth(request)
    # botocore moves the JSON body into the query string and signs with the wall clock.
    assert request.data == ""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sigv4, "_now", lambda: datetime.now(timezone.utc))
        signer = verify("POST", request.url, dict(request.headers.items()), request.data)
    assert signer.access_key_id == KEY


def test_sigv4_ignores_headers_that_were_not_signed():
    method, url, headers, body = sign()
    headers["User-Agent"] = "something else"
    headers["X-Unsigned"] = "added in transit"
    assert verify(method, url, headers, body).access_key_id == KEY


def _signed_without(
    left_out: str, *, target: str = "secretsmanager.DescribeSecret", token: str | None = None
) -> tuple[str, str, dict[str, Any], bytes]:
    """A valid signature over every header but ``left_out`` (lower-case), as a signer that
    skips it would send: the header is on the wire, not in SignedHeaders."""

    class Skipping(SigV4Auth):
        def headers_to_sign(self, request: AWSRequest) -> Any:
            chosen = super().headers_to_sign(request)
            del chosen[left_out]
            return chosen

    request = AWSRequest(
        method="POST", url=URL, data=BODY, headers={**TARGET, "X-Amz-Target": target}
    )
    request.context["timestamp"] = NOW.strftime("%Y%m%dT%H%M%SZ")
    request.headers["X-Amz-Date"] = request.context["timestamp"]
    key = KEY
    if token is not None:
        key = TEMP_KEY
        request.headers["X-Amz-Security-Token"] = token
    auth = Skipping(Credentials(key, SECRET, token), "secretsmanager", "us-east-1")
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={auth.scope(request)}, "
        f"SignedHeaders={auth.signed_headers(auth.headers_to_sign(request))}, "
        f"Signature={signature}"
    )
    return "POST", URL, dict(request.headers.items()), BODY


@pytest.mark.parametrize(
    ("left_out", "token"),
    [("x-amz-target", None), ("x-amz-date", None), ("x-amz-security-token", TOKEN)],
)
def test_sigv4_refuses_an_x_amz_header_left_out_of_the_signature(left_out, token):
    # Text and place in the order of checks are unverified (messages.HEADER_NOT_SIGNED).
    error = refusal(_signed_without(left_out, token=token))
    assert isinstance(error, InvalidSignatureException)
    assert error.message == f"'{left_out}' must be a 'SignedHeader' in the AWS Authorization."


def test_sigv4_an_unsigned_target_cannot_turn_a_read_into_a_delete():
    method, url, headers, body = _signed_without("x-amz-target")
    headers["X-Amz-Target"] = "secretsmanager.DeleteSecret"
    error = refusal((method, url, headers, body))
    assert isinstance(error, InvalidSignatureException)
    assert "'x-amz-target'" in error.message


def test_sigv4_refuses_an_x_amz_header_added_after_signing():
    method, url, headers, body = sign()
    headers["X-Amz-Meta"] = "added in transit"
    error = refusal((method, url, headers, body))
    assert error.message == "'x-amz-meta' must be a 'SignedHeader' in the AWS Authorization."


# -- a signature that does not match -------------------------------------------------------


def _tampered(part: str) -> tuple[str, str, dict[str, Any], Any]:
    if part == "body under a signed content hash":
        # The verifier hashes the body it received, never trusting X-Amz-Content-SHA256 (which
        # botocore's signer, computing the canonical request here too, takes as the hash).
        digest = hashlib.sha256(BODY).hexdigest()
        method, url, headers, body = sign(headers={"X-Amz-Content-SHA256": digest})
        return method, url, headers, b'{"SecretId": "other"}'
    method, url, headers, body = sign()
    if part == "body":
        body = b'{"SecretId": "other"}'
    elif part == "signed header":
        headers["X-Amz-Target"] = "secretsmanager.DeleteSecret"
    elif part == "method":
        method = "PUT"
    elif part == "path":
        url += "x"
    elif part == "query":
        url += "?a=1"
    elif part == "host":
        headers["Host"] = "secretsmanager.us-east-1.amazonaws.com.evil"
    elif part == "signature":
        headers["Authorization"] = headers["Authorization"][:-1] + "0"
    return method, url, headers, body


@pytest.mark.parametrize(
    "part",
    [
        "body",
        "body under a signed content hash",
        "signed header",
        "method",
        "path",
        "query",
        "host",
        "signature",
    ],
)
def test_sigv4_refuses_a_tampered_request(part):
    error = refusal(_tampered(part))
    assert isinstance(error, InvalidSignatureException)
    assert error.message.startswith(messages.SIGNATURE_MISMATCH + "\n\nThe Canonical String")


def test_sigv4_refuses_a_wrong_secret_and_shows_what_it_computed():
    method, url, headers, body = sign(secret="not-the-secret")
    request = AWSRequest(method=method, url=url, data=body, headers=dict(TARGET))
    request.headers["X-Amz-Date"] = headers["X-Amz-Date"]
    request.context["timestamp"] = headers["X-Amz-Date"]
    auth = SigV4Auth(Credentials(KEY, SECRET), "secretsmanager", "us-east-1")
    canonical = auth.canonical_request(request)
    error = refusal((method, url, headers, body))
    assert isinstance(error, InvalidSignatureException)
    assert error.message == (
        messages.SIGNATURE_MISMATCH
        + f"\n\nThe Canonical String for this request should have been\n'{canonical}'"
        + "\n\nThe String-to-Sign should have been\n"
        + f"'{auth.string_to_sign(request, canonical)}'\n"
    )


# -- malformed or incomplete signatures ------------------------------------------------------

CRED = f"{KEY}/20261122/us-east-1/secretsmanager/aws4_request"
INVALID_TOKEN = "The security token included in the request is invalid."
MISSING = "Missing Authentication Token"
REQUIRES_ALL = (
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'Signature' parameter. "
    "Authorization header requires 'SignedHeaders' parameter. "
)
DATE_NEEDED = (
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
)
NOT_BASIC = "Date must be in ISO-8601 'basic format'. Got '{}'. "
WIKI = "See http://en.wikipedia.org/wiki/ISO_8601"


def authorization(
    credential: str = CRED, signed: str = "host", algorithm: str = "AWS4-HMAC-SHA256"
) -> str:
    return f"{algorithm} Credential={credential}, SignedHeaders={signed}, Signature=ab"


def scoped(date: str = "20261122", region: str = "us-east-1", service: str = "secretsmanager",
           terminator: str = "aws4_request") -> str:  # fmt: skip
    return authorization(f"{KEY}/{date}/{region}/{service}/{terminator}")


def _with_authorization(
    value: str | None, date: str | None
) -> tuple[str, str, dict[str, Any], bytes]:
    pairs = (("Authorization", value), ("X-Amz-Date", date))
    return "POST", URL, {**TARGET, **{k: v for k, v in pairs if v is not None}}, BODY


STAMP = "20261122T093000Z"
PARTIAL = f"AWS4-HMAC-SHA256 Credential={CRED}"
SPACED = f"AWS4-HMAC-SHA256 Credential= {CRED}, SignedHeaders=host, Signature=ab"


@pytest.mark.parametrize(
    ("value", "date", "error", "message"),
    [
        (None, STAMP, MissingAuthenticationTokenException, MISSING),
        ("Bearer abc", STAMP, MissingAuthenticationTokenException, MISSING),
        ("AWS4", STAMP, MissingAuthenticationTokenException, MISSING),
        ("AWS4-", None, IncompleteSignatureException,
         REQUIRES_ALL + DATE_NEEDED + "Authorization=AWS4-"),
        (PARTIAL, STAMP, IncompleteSignatureException,
         "Authorization header requires 'Signature' parameter. "
         f"Authorization header requires 'SignedHeaders' parameter. Authorization={PARTIAL}"),
        (authorization(), None, IncompleteSignatureException,
         DATE_NEEDED + f"Authorization={authorization()}"),
        (SPACED, STAMP, IncompleteSignatureException,
         f"'{CRED}' not a valid key=value pair (missing equal-sign) in Authorization header: "
         f"'{SPACED}'."),
        (authorization(), "2026-11-22", IncompleteSignatureException,
         NOT_BASIC.format("2026-11-22") + WIKI),
        (authorization(), "20261322T093000Z", IncompleteSignatureException,
         NOT_BASIC.format("20261322T093000Z") + WIKI),
        (authorization(signed="content-type;x-amz-date"), STAMP, InvalidSignatureException,
         "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
        (authorization(algorithm="AWS4-HMAC-SHA512"), STAMP, IncompleteSignatureException,
         "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "),
        (authorization(f"{KEY}/20261122/us-east-1"), STAMP, IncompleteSignatureException,
         "Credential must have exactly 5 slash-delimited elements, "
         f"e.g. keyid/date/region/service/term, got '{KEY}/20261122/us-east-1'"),
        (scoped(service="kms"), STAMP, InvalidSignatureException,
         "Credential should be scoped to correct service: 'secretsmanager'. "),
        (scoped(region="eu-west-1"), STAMP, InvalidSignatureException,
         "Credential should be scoped to a valid region, not 'eu-west-1'. "),
        (scoped("20261121", "moon", "kms", "aws5_request"), STAMP, InvalidSignatureException,
         "Credential should be scoped to a valid region, not 'moon'. "
         "Credential should be scoped to correct service: 'secretsmanager'. "
         "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
         f"HTTP: '20261121' != '20261122', from '{STAMP}'."),
        (authorization(CRED.replace(KEY, "AKIAUNKNOWNKEY000000")), STAMP,
         UnrecognizedClientException, INVALID_TOKEN),
    ],
)  # fmt: skip
def test_sigv4_refuses_a_malformed_signature_with_aws_text(value, date, error, message):
    refused = refusal(_with_authorization(value, date))
    assert type(refused) is error
    assert refused.message == message


def test_sigv4_refuses_a_date_header_that_is_not_a_date():
    refused = refusal(
        ("POST", URL, {**TARGET, "Date": "yesterday", "Authorization": authorization()}, BODY)
    )
    assert type(refused) is IncompleteSignatureException
    assert refused.message == NOT_BASIC.format("yesterday") + WIKI


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("X-Amz-Credential", "AWS query-string parameters must include 'X-Amz-Credential'. "),
        ("X-Amz-Signature", "AWS query-string parameters must include 'X-Amz-Signature'. "),
    ],
)
def test_sigv4_refuses_an_incomplete_presigned_request(drop, message):
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": CRED,
        "X-Amz-Date": "20261122T093000Z",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "ab",
    }
    del query[drop]
    url = URL + "?" + "&".join(f"{name}={value}" for name, value in query.items())
    refused = refusal(("POST", url, dict(TARGET), BODY))
    assert type(refused) is IncompleteSignatureException
    assert refused.message == message + "Re-examine the query-string parameters."


# -- dates: AWS allows 5 minutes either way, by the wall clock -------------------------------


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (timedelta(minutes=-5, seconds=-1),
         "Signature expired: 20261122T092459Z is now earlier than 20261122T092500Z "
         "(20261122T093000Z - 5 min.)"),
        (timedelta(minutes=5, seconds=1),
         "Signature not yet current: 20261122T093501Z is still later than 20261122T093500Z "
         "(20261122T093000Z + 5 min.)"),
    ],
)  # fmt: skip
def test_sigv4_refuses_a_date_more_than_5_minutes_off(offset, message):
    refused = refusal(sign(when=NOW + offset))
    assert type(refused) is InvalidSignatureException
    assert refused.message == message


@pytest.mark.parametrize("offset", [timedelta(minutes=-5), timedelta(minutes=5)])
def test_sigv4_accepts_a_date_exactly_5_minutes_off(offset):
    assert verify(*sign(when=NOW + offset)).access_key_id == KEY


def test_sigv4_date_window_ignores_the_fake_clock():
    clock = FakeClock()
    clock.advance(timedelta(days=30))
    assert verify(*sign(), clock=clock).access_key_id == KEY


# -- temporary credentials (unknown keys: tests/api/test_signatures.py) -----------------------


def test_sigv4_refuses_temporary_credentials_once_the_fake_clock_passes_their_expiry():
    clock = FakeClock()
    expires = clock.now() + timedelta(hours=1)
    expiring = Principal("ASIAEXPIRING00000000", "1" * 12, "arn:aws:iam::1:root", "s", "t", expires)
    table = principals(expiring)
    request = sign(key="ASIAEXPIRING00000000", secret="s", token="t")
    assert verify(*request, table=table, clock=clock).access_key_id == "ASIAEXPIRING00000000"
    clock.advance(timedelta(hours=1, seconds=1))
    refused = refusal(request, table=table, clock=clock)
    assert type(refused) is ExpiredTokenException
    assert refused.message == "The security token included in the request is expired"
