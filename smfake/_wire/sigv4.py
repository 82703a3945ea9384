"""SigV4 verification (strict mode): the checks AWS's front end makes, in its order and words.

Order (as AWS answers awsJson services): no SigV4 at all; missing parameters; the date's
format, then its age; Host among the signed headers; the algorithm; the credential's shape,
then its scope; the access key; temporary credentials; every x-amz-* header present among the
signed headers (place and text unverified); the signature; lastly a session token sent with a
long-term key. Texts and sources are in ``_domain/messages.py``.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from smfake._domain import messages
from smfake._domain.clock import FakeClock
from smfake._domain.errors import (
    ExpiredTokenException,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from smfake._domain.principals import Principal, Principals
from smfake._wire.model import SERVICE

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
# AWS refuses a request signed more than 5 minutes before or after its own clock.
SKEW = timedelta(minutes=5)
_BASIC = "%Y%m%dT%H%M%SZ"
_BASIC_SHAPE = re.compile(r"\d{8}T\d{6}Z")
# AWS splits the Authorization parameters on commas and on white space alike (a stray space
# after "Credential=" is reported as a pair without "=").
_SEPARATORS = re.compile(r"[\s,]+")
_REGION_SHAPE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_HOST_REGION = re.compile(r"(?:^|\.)secretsmanager(?:-fips)?\.([a-z0-9-]+)\.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_QUERY_REQUIRED = ("X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")
_HEADER_REQUIRED = ("Credential", "Signature", "SignedHeaders")


def verify(
    method: str,
    url: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
    principals: Principals,
    clock: FakeClock,
) -> Principal:
    """The registered principal that signed this request, or the ServiceError AWS answers.

    The request date is compared with the wall clock (botocore signs with it); temporary
    credentials expire by the fake clock (tests advance it to expire them)."""
    request = _Request.of(method, url, headers, body)
    signed = _signature_of(request)
    when = _timestamp(signed)
    _check_age(when, _now())
    names = sorted({name.strip().lower() for name in signed.signed_headers.split(";")} - {""})
    if "host" not in names:
        raise InvalidSignatureException(messages.HOST_NOT_SIGNED)
    if signed.algorithm != ALGORITHM:
        raise IncompleteSignatureException(
            messages.UNSUPPORTED_ALGORITHM.format(algorithm=signed.algorithm)
        )
    key_id, scope = _scope(signed.credential, when, request)
    principal = principals.get(key_id)
    # A key registered without its secret cannot have signed anything: AWS knows no such key.
    if principal is None or principal.secret_access_key is None:
        raise UnrecognizedClientException()
    if principal.session_token is not None:
        if signed.token is None or not _same(signed.token, principal.session_token):
            raise UnrecognizedClientException()
        if principal.expires is not None and principal.expires < clock.now():
            raise ExpiredTokenException()
    # SigV4 covers Host and every x-amz-* header present; X-Amz-Target names the operation,
    # so a signature that leaves it out would let anyone turn a signed read into a delete.
    for name in sorted(request.headers):
        if name.startswith("x-amz-") and name not in names:
            raise InvalidSignatureException(messages.HEADER_NOT_SIGNED.format(header=name))
    canonical = canonical_request(request, names, presigned=signed.presigned)
    to_sign = string_to_sign(when, scope, canonical)
    expected = signature(principal.secret_access_key, scope, to_sign)
    if not _same(expected, signed.signature):
        raise InvalidSignatureException(
            messages.SIGNATURE_MISMATCH
            + messages.SIGNATURE_MISMATCH_DETAIL.format(canonical=canonical, string_to_sign=to_sign)
        )
    if principal.session_token is None and signed.token is not None:
        # A long-term key with a session token (a stale AWS_SESSION_TOKEN, typically).
        raise UnrecognizedClientException()
    return principal


# -- the request as the service sees it --------------------------------------------------------
# Records are NamedTuples: every fake imports this module (dispatch does), and a frozen
# dataclass costs several times as much to define (~1.5 ms each, at every process start).


class _Request(NamedTuple):
    method: str
    url: str
    headers: dict[str, list[str]]  # lower-case name -> values, in the order received
    query: list[tuple[str, str]]  # decoded (name, value) pairs, in the order received
    body: bytes

    @classmethod
    def of(
        cls, method: str, url: str, headers: Mapping[str, Any], body: bytes | str | None
    ) -> _Request:
        table: dict[str, list[str]] = {}
        for name, value in headers.items():
            table.setdefault(_text(name).lower(), []).append(_text(value))
        query = []
        for pair in urlsplit(url).query.split("&"):
            if pair:
                name, _, value = pair.partition("=")
                query.append((unquote(name), unquote(value)))
        data = body.encode() if isinstance(body, str) else (body or b"")
        return cls(method.upper(), url, table, query, data)

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return str(value)


class _Signed(NamedTuple):
    """What the caller claims: from the Authorization header or the query string."""

    algorithm: str
    credential: str
    signed_headers: str
    signature: str
    date: str
    date_is_http: bool  # from a `Date` header (RFC 1123) rather than X-Amz-Date
    token: str | None
    presigned: bool


def _signature_of(request: _Request) -> _Signed:
    auth = request.header("authorization")
    if auth is not None and auth.strip().startswith("AWS4-"):
        return _from_header(auth.strip(), request)
    if auth is None and request.param("X-Amz-Algorithm") is not None:
        return _from_query(request)
    raise MissingAuthenticationTokenException()


def _from_header(auth: str, request: _Request) -> _Signed:
    algorithm, _, rest = auth.partition(" ")
    params: dict[str, str] = {}
    for item in _SEPARATORS.split(rest):
        if not item:
            continue
        name, equals, value = item.partition("=")
        if not equals:
            raise IncompleteSignatureException(
                messages.AUTH_PAIR_WITHOUT_EQUALS.format(pair=item, header=auth)
            )
        params[name] = value
    amz_date = request.header("x-amz-date")
    date = amz_date if amz_date is not None else request.header("date")
    problems = [
        messages.AUTH_REQUIRES_PARAMETER.format(name=name)
        for name in _HEADER_REQUIRED
        if not params.get(name)
    ]
    if date is None:
        problems.append(messages.AUTH_REQUIRES_DATE)
    if problems or date is None:
        raise IncompleteSignatureException(
            "".join(problems) + messages.AUTH_HEADER_ECHO.format(header=auth)
        )
    return _Signed(
        algorithm,
        params["Credential"],
        params["SignedHeaders"],
        params["Signature"],
        date,
        amz_date is None,
        request.header("x-amz-security-token"),
        presigned=False,
    )


def _from_query(request: _Request) -> _Signed:
    missing = [name for name in _QUERY_REQUIRED if not request.param(name)]
    if missing:
        raise IncompleteSignatureException(
            "".join(messages.QUERY_REQUIRES_PARAMETER.format(name=name) for name in missing)
            + messages.QUERY_REEXAMINE
        )
    # Services other than S3 ignore X-Amz-Expires and apply their usual window to
    # X-Amz-Date (aws/aws-sdk-go#2167).
    return _Signed(
        request.param("X-Amz-Algorithm") or "",
        request.param("X-Amz-Credential") or "",
        request.param("X-Amz-SignedHeaders") or "",
        request.param("X-Amz-Signature") or "",
        request.param("X-Amz-Date") or "",
        False,
        request.param("X-Amz-Security-Token"),
        presigned=True,
    )


# -- date, scope, key ----------------------------------------------------------------------------


def _now() -> datetime:
    # The wall clock, read through the standard library so that freezegun or time-machine,
    # which botocore's signer also sees, move both ends together.
    return datetime.now(timezone.utc)


def _timestamp(signed: _Signed) -> datetime:
    text = signed.date.strip()
    if _BASIC_SHAPE.fullmatch(text):
        try:
            return datetime.strptime(text, _BASIC).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    elif signed.date_is_http:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(timezone.utc)
    raise IncompleteSignatureException(messages.DATE_NOT_BASIC_FORMAT.format(value=signed.date))


def _check_age(when: datetime, now: datetime) -> None:
    earliest, latest = now - SKEW, now + SKEW
    if when < earliest:
        raise InvalidSignatureException(
            messages.SIGNATURE_EXPIRED.format(
                signed=_basic(when), earliest=_basic(earliest), now=_basic(now)
            )
        )
    if when > latest:
        raise InvalidSignatureException(
            messages.SIGNATURE_NOT_YET_CURRENT.format(
                signed=_basic(when), latest=_basic(latest), now=_basic(now)
            )
        )


def _basic(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(_BASIC)


def _scope(credential: str, when: datetime, request: _Request) -> tuple[str, str]:
    """(access key id, credential scope) once the scope names this date, region and service."""
    parts = credential.rstrip("/").split("/")
    if len(parts) != 5:
        raise IncompleteSignatureException(
            messages.CREDENTIAL_NOT_FIVE_PARTS.format(credential=credential)
        )
    key_id, date, region, service, terminator = parts
    problems = []
    if not _valid_region(region, request.url):
        problems.append(messages.SCOPE_REGION.format(region=region))
    if service != SERVICE:
        problems.append(messages.SCOPE_SERVICE.format(service=SERVICE))
    if terminator != TERMINATOR:
        problems.append(messages.SCOPE_TERMINATOR.format(terminator=terminator))
    timestamp = _basic(when)
    if date != timestamp[:8]:
        problems.append(
            messages.SCOPE_DATE.format(scope_date=date, date=timestamp[:8], timestamp=timestamp)
        )
    if problems:
        raise InvalidSignatureException("".join(problems))
    return key_id, "/".join(parts[1:])


def _valid_region(region: str, url: str) -> bool:
    # An AWS endpoint names its region; behind a custom endpoint any region-shaped name goes.
    served = _HOST_REGION.search(urlsplit(url).hostname or "")
    if served is not None:
        return region == served.group(1)
    return _REGION_SHAPE.fullmatch(region) is not None


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


# -- the signature (SigV4 spec: canonical request, string to sign, derived key) ---------------
# Computed by botocore's own signer (botocore.auth.SigV4Auth), the code that signs every boto3
# call, so that the two cannot drift apart. As a verifier it is told which headers the caller
# signed (headers_to_sign) and is given no header it would read as a shortcut: a signer takes
# X-Amz-Content-SHA256 for the payload's hash, a verifier must hash the body it received.


class _Signer(SigV4Auth):  # type: ignore[misc]
    def __init__(
        self, scope: str = "", secret: str = "", request: _Request | None = None, names: Any = ()
    ) -> None:
        # scope: date/region/service/aws4_request, as the credential names it.
        parts = scope.split("/")
        region, service = (parts[1], parts[2]) if len(parts) == 4 else ("", "")
        super().__init__(Credentials("", secret), service, region)
        self._request = request
        self._names = names

    def headers_to_sign(self, _: AWSRequest) -> HTTPHeaders:
        request = self._request
        chosen = HTTPHeaders()
        if request is not None:
            for name in self._names:
                values = request.headers.get(name)
                if values is None and name == "host":
                    values = [_host_of(request.url)]
                for value in values or [""]:
                    chosen[name] = value
        return chosen


def _aws_request(timestamp: str, request: _Request | None = None, presigned: bool = False) -> Any:
    if request is None:
        aws = AWSRequest()
    else:
        parts = urlsplit(request.url)
        aws = AWSRequest(
            method=request.method,
            url=parts._replace(query="", fragment="").geturl(),
            data=request.body,
        )
        # The decoded query, which botocore encodes and sorts as AWS does (rather than the
        # query string as sent); a presigned URL's signature is not part of what it signs.
        aws.params = [
            (name, value)
            for name, value in request.query
            if not (presigned and name == "X-Amz-Signature")
        ]
    aws.context["timestamp"] = timestamp
    return aws


def canonical_request(request: _Request, names: list[str], *, presigned: bool = False) -> str:
    """The canonical request for ``names`` (lower-case, sorted signed headers)."""
    signer = _Signer(request=request, names=names)
    return str(signer.canonical_request(_aws_request("", request, presigned)))


def _host_of(url: str) -> str:
    # The Host an HTTP client sends for this URL: no user info, no default port.
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def string_to_sign(when: datetime, scope: str, canonical: str) -> str:
    """The string to sign; ``scope`` (date/region/service/aws4_request) names ``when``'s date."""
    return str(_Signer(scope).string_to_sign(_aws_request(_basic(when)), canonical))


def signature(secret_access_key: str, scope: str, to_sign: str) -> str:
    """Hex HMAC of ``to_sign`` under the key derived from the secret and the scope's date,
    region and service."""
    signer = _Signer(scope, secret_access_key)
    return str(signer.signature(to_sign, _aws_request(scope.split("/")[0])))
