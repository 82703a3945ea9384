"""The local endpoint of the AWS Parameters and Secrets Lambda Extension and of the AWS Secrets
Manager Agent (``http://localhost:2773``), answered from the fake's state.

Both serve the same interface (AWS_SPEC.md §17). The Lambda extension is closed source, so the
details follow the agent's source (aws/aws-secretsmanager-agent: ``server.rs``, ``parse.rs``,
``cache_manager.rs``, ``utils.rs``, and its caching crate ``aws_secretsmanager_caching``).
Every service call goes through ``Responder.execute``, so events, injected faults and the fake
clock apply exactly as they do to a boto3 client.

SSRF token (smfake's choice): the agent compares the header with the first of ``AWS_TOKEN``,
``AWS_SESSION_TOKEN`` and ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` that is set, the Lambda extension
with ``AWS_SESSION_TOKEN``, which is also what a function sends. smfake accepts the token equal
to ``Extension.token`` when a test sets it; otherwise the one equal to ``AWS_SESSION_TOKEN``,
read at each request, when that is set; otherwise any non-empty token, so that code under test
is not refused for a reason the test did not set up.
"""

from __future__ import annotations

import base64
import json
import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import formatdate
from typing import Any, NamedTuple, TypeAlias
from urllib.parse import parse_qsl, urlsplit

from smfake._domain.errors import ServiceError
from smfake._domain.secret import AWSCURRENT
from smfake._wire import encode
from smfake._wire.dispatch import LOOPBACK, Call, Caller, Reply, Responder

# config.rs DEFAULT_SSRF_HEADERS, checked in this order.
TOKEN_HEADERS = ("X-Aws-Parameters-Secrets-Token", "X-Vault-Token")
PATH_PREFIX = "/v1/"
# server.rs: health checks need no token; /start_serving exists only in the agent's Lambda mode.
_TOKEN_FREE = frozenset({"/ping", "/start_serving"})
# The agent appends its name and version to the AWS SDK for Rust's User-Agent (utils.rs
# AgentModifierInterceptor); CloudTrail, hence fake.events, shows that header.
USER_AGENT = "aws-sdk-rust/1.3.9 os/linux lang/rust/1.86.0 aws-secrets-manager-agent/2.0.0"
# The SDK's standard retry mode (3 attempts) retries these codes and statuses
# (smithy-rs aws-runtime retries/classifiers.rs THROTTLING_ERRORS, TRANSIENT_ERRORS).
_THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
_TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException"})
_TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_INTERNAL_FAILURE = b'{"__type":"InternalFailure"}'

_Key: TypeAlias = "tuple[str, str | None, str | None]"


class _Query(NamedTuple):
    secret_id: str
    version_id: str | None
    version_stage: str | None
    refresh_now: bool


class _Refused(Exception):
    """A request the endpoint answers itself, with a plain-text body (server.rs, parse.rs)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


@dataclass(slots=True)
class _Entry:
    # The rendered answer only: the value stays inside bytes that no repr shows.
    body: bytes = field(repr=False)
    arn: str
    version_id: str
    stored_at: datetime


class Extension:
    """Answers what the extension or agent answers on ``http://localhost:2773``.

    Settings are plain attributes: ``token`` (see the module docstring), ``ttl_seconds``
    (SECRETS_MANAGER_TTL, default 300; 0 turns the cache off), ``cache_size`` (default 1000;
    0 turns the cache off), ``max_attempts`` (the SDK's attempts per call, default 3),
    ``ignore_transient_errors`` (serve the cached value when a refresh fails with a 5xx,
    default True as in the agent) and ``user_agent``.
    """

    def __init__(self, responder: Responder, *, region: str) -> None:
        self._responder = responder
        self.region = region
        self.token: str | None = None
        self.ttl_seconds = 300
        self.cache_size = 1000
        self.max_attempts = 3
        self.ignore_transient_errors = True
        self.user_agent = USER_AGENT
        self._cache: OrderedDict[_Key, _Entry] = OrderedDict()

    def __repr__(self) -> str:
        return (
            f"Extension(region={self.region!r}, ttl_seconds={self.ttl_seconds}, "
            f"cached={len(self._cache)})"
        )

    def clear_cache(self) -> None:
        """Forget every cached answer, as a new execution environment starts empty."""
        with self._responder.backend.lock:
            self._cache.clear()

    def handle(self, method: str, url: str, headers: Mapping[str, str]) -> Reply:
        """Answer one request; ``url`` is absolute or just path and query."""
        parts = urlsplit(url)
        path = parts.path or "/"
        try:
            # server.rs checks the token before the method, so a POST without one gets 403.
            if path not in _TOKEN_FREE:
                self._check_token(headers)
            if method != "GET":
                raise _Refused(405, "Not allowed")
            if path == "/ping":
                return _text(200, "healthy")
            if path == "/secretsmanager/get":
                query = _parse(parts.query, secret_id=None)
            elif path.startswith(PATH_PREFIX):
                # parse.rs takes the id from the still percent-encoded path: no decoding.
                secret_id = path[len(PATH_PREFIX) :]
                if not secret_id:
                    raise _Refused(400, "missing secret ID")
                query = _parse(parts.query, secret_id=secret_id)
            else:
                raise _Refused(404, "Not found")
        except _Refused as refused:
            return _text(refused.status, refused.text)
        with self._responder.backend.lock:
            return self._fetch(query)

    def _check_token(self, headers: Mapping[str, str]) -> None:
        if _header(headers, "X-Forwarded-For") is not None:
            raise _Refused(400, "Forwarded")
        expected = self.token if self.token is not None else os.environ.get("AWS_SESSION_TOKEN")
        for name in TOKEN_HEADERS:
            sent = _header(headers, name)
            if sent is None:
                continue
            if (sent == expected) if expected is not None else bool(sent):
                return
        raise _Refused(403, "Bad Token")

    # The cache mirrors aws_secretsmanager_caching (lib.rs, memory_store): entries are keyed
    # by the id as sent plus versionId and versionStage; an entry older than the TTL is first
    # checked with DescribeSecret, and served again (TTL renewed) while its version still holds
    # the label; only otherwise does GetSecretValue run. refreshNow skips straight to it.
    def _fetch(self, query: _Query) -> Reply:
        key: _Key = (query.secret_id, query.version_id, query.version_stage)
        if self.ttl_seconds <= 0 or self.cache_size <= 0:
            # The Lambda extension documents TTL 0 and cache size 0 as "no cache".
            self._cache.clear()
            return self._refresh(key, None, keep=False)
        entry = None if query.refresh_now else self._cache.get(key)
        if entry is None:
            return self._refresh(key, None)
        # memory_store: expired only when strictly older than the TTL; age on the fake clock.
        if self._now() - entry.stored_at <= timedelta(seconds=self.ttl_seconds):
            return _ok(entry.body)
        return self._refresh(key, entry)

    def _refresh(self, key: _Key, cached: _Entry | None, *, keep: bool = True) -> Reply:
        if cached is not None:
            current = self._is_current(key, cached)
            if isinstance(current, Reply):
                return current
            if current:
                self._store(key, cached)
                return _ok(cached.body)
        _, version_id, version_stage = key
        params: dict[str, Any] = {"SecretId": key[0]}
        if version_id is not None:
            params["VersionId"] = version_id
        if version_stage is not None:
            params["VersionStage"] = version_stage
        call = self._call("GetSecretValue", params)
        if call.error is not None:
            if cached is not None and self.ignore_transient_errors and _is_5xx(call.error):
                self._store(key, cached)
                return _ok(cached.body)
            return _error(call.error)
        result = call.result or {}
        entry = _Entry(
            _render(result), str(result.get("ARN")), str(result.get("VersionId")), self._now()
        )
        if keep:
            self._store(key, entry)
        return _ok(entry.body)

    def _is_current(self, key: _Key, cached: _Entry) -> bool | Reply:
        call = self._call("DescribeSecret", {"SecretId": cached.arn})
        if call.error is not None:
            if self.ignore_transient_errors and _is_5xx(call.error):
                return True
            return _error(call.error)
        # DescribeSecret leaves VersionIdsToStages out when no version has a label.
        stages: dict[str, list[str]] = (call.result or {}).get("VersionIdsToStages") or {}
        _, version_id, version_stage = key
        if version_id is not None and version_stage is None:
            return version_id in stages
        labels = stages.get(version_id or cached.version_id) or []
        return (version_stage or AWSCURRENT) in labels

    def _store(self, key: _Key, entry: _Entry) -> None:
        # A LinkedHashMap: writing moves an entry to the back, reading does not, and the
        # front (least recently written) goes first when the cache is full.
        entry.stored_at = self._now()
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _call(self, operation: str, params: dict[str, Any]) -> Call:
        caller = Caller(user_agent=self.user_agent, source_ip=LOOPBACK)
        call = self._responder.execute(operation, dict(params), self.region, caller)
        for _ in range(1, self.max_attempts):
            if call.error is None or not _retryable(call.error):
                break
            call = self._responder.execute(operation, dict(params), self.region, caller)
        return call

    def _now(self) -> datetime:
        return self._responder.backend.clock.now()


def _parse(query: str, *, secret_id: str | None) -> _Query:
    """parse.rs: ``secret_id`` is None for the query style, where secretId is a parameter."""
    found = secret_id or ""
    version_id: str | None = None
    version_stage: str | None = None
    refresh_now = False
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "secretId" and secret_id is None:
            found = value
        elif name == "versionId":
            version_id = value
        elif name == "versionStage":
            version_stage = value
        elif name == "refreshNow":
            refresh_now = _refresh_now(value)
        else:
            raise _Refused(400, f"unknown parameter: {name}")
    if not found:
        raise _Refused(400, "missing parameter secretId")
    return _Query(found, version_id, version_stage, refresh_now)


def _refresh_now(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise _Refused(400, "invalid refreshNow value")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _retryable(error: ServiceError) -> bool:
    code = error.code
    return (
        code in _THROTTLING
        or code in _TRANSIENT_CODES
        or encode.error_status(error) in _TRANSIENT_STATUSES
    )


def _is_5xx(error: ServiceError) -> bool:
    # aws_secretsmanager_caching error.rs is_transient_error: any server-side status.
    return 500 <= encode.error_status(error) <= 599


def _render(result: Mapping[str, Any]) -> bytes:
    """The caching crate's GetSecretValueOutputDef as serde_json writes it: these fields in
    this order, no ResultMetadata, CreatedDate as a string of epoch seconds."""
    body: dict[str, Any] = {
        "ARN": result.get("ARN"),
        "Name": result.get("Name"),
        "VersionId": result.get("VersionId"),
    }
    if result.get("SecretString") is not None:
        body["SecretString"] = result["SecretString"]
    if result.get("SecretBinary") is not None:
        body["SecretBinary"] = base64.b64encode(result["SecretBinary"]).decode("ascii")
    if result.get("VersionStages") is not None:
        body["VersionStages"] = list(result["VersionStages"])
    created = result.get("CreatedDate")
    body["CreatedDate"] = _seconds(created) if isinstance(created, (datetime, date)) else None
    # serde_json leaves non-ASCII as UTF-8 and adds no spaces.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _seconds(value: datetime | date) -> str:
    """serde_with TimestampSecondsWithFrac<String> of the time the SDK parsed from the wire."""
    # The SDK reads the wire's decimal digits into whole seconds and nanoseconds, serde_with
    # adds them as f64, and Rust prints that float shortest-round-trip without a trailing ".0".
    whole, _, fraction = repr(float(encode.epoch(value))).partition(".")
    nanos = int((fraction + "000000000")[:9])
    return repr(float(int(whole)) + nanos / 1e9).removesuffix(".0")


def _error(error: ServiceError) -> Reply:
    """utils.rs err_response: the service's status, its code and message, in that layout (a
    space after the comma). The agent does not escape the message; smfake does, so that the
    body stays JSON."""
    if not error.message or error.code == "InternalFailure":
        body = _INTERNAL_FAILURE
    else:
        code = json.dumps(error.code, ensure_ascii=False)
        message = json.dumps(error.message, ensure_ascii=False)
        body = f'{{"__type":{code}, "message":{message}}}'.encode()
    return Reply(encode.error_status(error), _headers(body), body)


def _ok(body: bytes) -> Reply:
    return Reply(200, _headers(body), body)


def _text(status: int, text: str) -> Reply:
    body = text.encode()
    return Reply(status, _headers(body), body)


def _headers(body: bytes) -> dict[str, str]:
    # hyper adds only these two: the agent sets no Content-Type.
    return {"Content-Length": str(len(body)), "Date": formatdate(usegmt=True)}
