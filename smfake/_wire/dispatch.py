"""Responder: answers one request from a fake's backend, as AWS would on the wire.

Every front (botocore's before-send hook, HTTP callers, the Query API, the Lambda extension
endpoint, the loopback server) ends in ``Responder.execute``, so that events, injected faults
and signature checks treat all callers alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from smfake._domain.backend import Backend
from smfake._domain.errors import ServiceError
from smfake._domain.principals import Principal
from smfake._domain.store import SecretStore
from smfake._wire import encode, protocol, validate
from smfake._wire.operations import DECLARATIONS
from smfake.errors import UnsupportedOperation

LOOPBACK = "127.0.0.1"


# Reply and Caller are not frozen: a frozen dataclass's __init__ costs four times as much,
# and two are made for every call.
@dataclass(slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class Caller:
    """Who sent a request, as far as the service can tell."""

    access_key: str | None = None
    principal: Principal | None = None
    user_agent: str = ""
    source_ip: str = LOOPBACK


@dataclass(slots=True)
class Call:
    """One operation as the service handled it: what events and faults look at."""

    operation: str
    params: dict[str, Any] = field(repr=False)
    region: str
    account_id: str
    caller: Caller
    request_id: str
    time: datetime
    result: dict[str, Any] | None = field(default=None, repr=False)
    error: ServiceError | None = None


# The stages' methods are private on the test-facing objects that implement them: the pipeline
# calls them, a test never does.
class FaultStage(Protocol):
    """Injected faults (the handle's FaultPlan)."""

    def _check(self, call: Call, store: SecretStore) -> None:
        """Raise a ServiceError to make the call fail as injected."""


class AuthorizeStage(Protocol):
    """Access control (the handle's AccessControl)."""

    def _authorize(self, call: Call, store: SecretStore) -> None:
        """Raise AccessDeniedException when a policy refuses the call (nothing has run)."""

    def _review_batch(self, call: Call, store: SecretStore) -> None:
        """A batch's result: move each secret the caller may not read to its errors."""


class RecordStage(Protocol):
    """Where every call ends, succeeded or failed (the handle's event log)."""

    def record(self, call: Call, store: SecretStore) -> None: ...


@dataclass(slots=True)
class Stages:
    """The configurable stages of the pipeline; None skips a stage. The handle sets them once
    (faults when a test first injects one) and is never called back in between."""

    faults: FaultStage | None = None
    authorizer: AuthorizeStage | None = None
    recorder: RecordStage | None = None


class Responder:
    """The request pipeline every front ends in: decode → inject faults → authorize →
    validate → run the domain (then a batch's per-secret review) → record → encode, each
    stage once and in that order, the operation's declaration read once."""

    def __init__(self, backend: Backend, account_id: str, stages: Stages | None = None) -> None:
        self.backend = backend
        self.account_id = account_id
        self.stages = stages if stages is not None else Stages()
        # Strict mode: every request must carry a valid SigV4 signature by a registered key.
        self.verify_signatures = False
        # Whether a botocore client's call may be answered at before-call (hook.before_call).
        self.fast_path = True

    def respond(
        self,
        method: str,
        url: str,
        headers: Mapping[str, Any],
        body: bytes | str | None,
        *,
        source_ip: str = LOOPBACK,
    ) -> Reply:
        """Answer an awsJson1_1 request (X-Amz-Target names the operation)."""
        # The fake's lock is held only while the call runs: under threads, the shorter the
        # time a thread holds it, the less often the GIL's hand-over finds it held, which is
        # what queues other threads behind it. Decoding and encoding touch no shared state
        # (a result holds copies and immutable values only).
        try:
            caller = self.authenticate(method, url, headers, body, source_ip=source_ip)
            request = protocol.decode(url, headers, body)
        except ServiceError as error:
            with self.backend.lock:
                request_id = self.backend.ids.uuid()
            return error_reply(error, request_id)
        call = self.execute(request.operation, request.params, request.region, caller)
        if call.error is not None:
            return error_reply(call.error, call.request_id)
        data = encode.result_body(call.result or {})
        return Reply(200, encode.headers(call.request_id, data), data)

    def authenticate(
        self,
        method: str,
        url: str,
        headers: Mapping[str, Any],
        body: bytes | str | None,
        *,
        source_ip: str = LOOPBACK,
    ) -> Caller:
        """Who signed the request. In strict mode a missing, malformed, stale or wrong
        signature, or an unknown key, is refused with AWS's error."""
        user_agent = _header(headers, "User-Agent")
        if self.verify_signatures:
            from smfake._wire import sigv4  # strict mode only

            signer = sigv4.verify(
                method, url, headers, body, self.backend.principals, self.backend.clock
            )
            return Caller(signer.access_key_id, signer, user_agent, source_ip)
        access_key = protocol.access_key_of(headers, url)
        return Caller(access_key, self.backend.principals.get(access_key), user_agent, source_ip)

    def execute(
        self,
        operation: str,
        params: dict[str, Any],
        region: str,
        caller: Caller,
        request_id: str | None = None,
    ) -> Call:
        """Run one operation for ``caller``; the returned call holds its result or error."""
        backend = self.backend
        with backend.lock:
            declaration = DECLARATIONS.get(operation)
            if declaration is None:
                raise UnsupportedOperation(f"the {operation} operation")
            account = caller.principal.account_id if caller.principal else self.account_id
            call = Call(
                operation,
                params,
                region,
                account,
                caller,
                request_id or backend.ids.uuid(),
                backend.clock.now(),
            )
            owner = account if declaration.own_account else owner_of(params, account, region)
            store = backend.store(owner, region)
            stages = self.stages
            authorizer = stages.authorizer
            outer, backend.acting = backend.acting, call
            try:
                # Faults and access control come before validation: an injected error, like
                # AWS's refusal, does not depend on the request being well formed.
                if stages.faults is not None:
                    stages.faults._check(call, store)
                if authorizer is not None:
                    authorizer._authorize(call, store)
                validate.check(operation, params)
                if backend.clock.run_due():
                    call.time = backend.clock.now()  # the call comes after what just ran
                call.result = declaration.handler(store, params)
                if authorizer is not None and declaration.each_secret is not None:
                    authorizer._review_batch(call, store)
            except ServiceError as error:
                call.error = error
            finally:
                backend.acting = outer
            if stages.recorder is not None:
                stages.recorder.record(call, store)
            return call


def owner_of(params: dict[str, Any], account: str, region: str) -> str:
    """The account whose secret the call is about: a full ARN of another account's secret
    in this Region reaches that account's store, as on AWS (where a resource policy must
    also allow it); anything else stays in the caller's account."""
    secret_id = params.get("SecretId")
    if isinstance(secret_id, str) and secret_id.startswith("arn:"):
        match = SECRET_ARN.match(secret_id)
        if match is not None and match.group(1) == region:
            return match.group(2)
    return account


SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:")


def error_reply(error: ServiceError, request_id: str) -> Reply:
    data = encode.error_body(error)
    return Reply(encode.error_status(error), encode.headers(request_id, data, error.code), data)


def _header(headers: Mapping[str, Any], name: str) -> str:
    value = headers.get(name)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else ""
