"""The botocore side: dormant handlers among botocore's built-in handlers, and the activation
stack they answer from. While no fake is active they return at once.

A call is answered at before-call when it can be (the fast path, fastpath.py: no signing,
sending, parsing or retry handling), else at before-send (the full path). A call the fast path
ran that ended in an error or an exception is handed over to the full path: its outcome waits
in ``_deferred`` for the request's before-send, so that botocore's retry handlers see it.

aiobotocore (and aioboto3, built on it) sessions take the same built-in handlers and emit the
same events, but await what botocore reads synchronously: the response body, the credentials
and the retry back-off. The handlers below tell its requests apart (by their signer) and answer
in its terms, without importing aiobotocore unless it is already loaded.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from collections.abc import Awaitable, Iterator
from contextvars import ContextVar
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials

from smfake._wire import botocore_compat
from smfake._wire.model import SERVICE

if TYPE_CHECKING:
    from smfake._wire import fastpath
    from smfake._wire.dispatch import Reply, Responder

# This module is loaded as soon as botocore's handlers are, fake or no fake, so it imports
# none of the fake (its domain, the wire's dispatch, the fast path) at module level: those
# are imported where they are used, which is only ever while a fake is active.

# Every service's before-call, registered last: more specific handlers (a Stubber's
# before-call.*.*, a user's) and every other before-call handler run first.
CALL_EVENT = "before-call"
SEND_EVENT = "before-send.secrets-manager"
SIGN_EVENT = "before-sign.secrets-manager"
RETRY_EVENT = "needs-retry.secrets-manager"
_UNIQUE_ID = "smfake-dispatch"
# Used only to sign requests of clients that found no credentials at all: the fake answers
# them, so the signature's key material is never checked against anything real.
DUMMY_CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "smfake-dummy-secret-key")

# The activation stack, innermost last: each activation's responder, which answers calls, and
# the token of whoever activated it (for smfake.current_fake()). The process's only activation
# stack, and its only module-level mutable state.
_stack: list[tuple[Responder, object]] = []
_stack_lock = threading.Lock()
_installed = False


def push(responder: Responder, token: object) -> None:
    with _stack_lock:
        _stack.append((responder, token))


def pop(token: object) -> None:
    with _stack_lock:
        # Remove this activation wherever it is, so out-of-order stops stay safe.
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index][1] is token:
                del _stack[index]
                return


def active() -> Responder | None:
    """The innermost activation's responder, or None while no fake is active."""
    with _stack_lock:
        return _stack[-1][0] if _stack else None


def active_token() -> object | None:
    """The token the innermost activation was pushed with, or None."""
    with _stack_lock:
        return _stack[-1][1] if _stack else None


class _Body:
    """The raw stream botocore reads a response body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data


def dispatch(request: Any, **_: Any) -> AWSResponse | None:
    deferred = _deferred.get()
    if deferred is not None:
        _deferred.set(None)
        from smfake._wire import protocol

        if protocol.target_of(request.headers) == protocol.TARGET_PREFIX + deferred.operation:
            if isinstance(deferred.outcome, BaseException):
                raise deferred.outcome
            return _response(request.url, deferred.outcome, _signed_by_aiobotocore.get())
    top = _stack[-1] if _stack else None
    if top is None:
        return None
    responder = top[0]
    reply = responder.respond(request.method, request.url, request.headers, request.body)
    # The one test the botocore path pays for aiobotocore support.
    return _response(request.url, reply, _signed_by_aiobotocore.get())


def _response(url: str, reply: Reply, aio: bool, cls: Any = None) -> AWSResponse:
    if aio:
        return _aio_response_type()(url, reply.status, reply.headers, _AsyncBody(reply.body))
    # The fast path's own class, or FakeResponse.
    return (cls or FakeResponse)(url, reply.status, reply.headers, _Body(reply.body))


class FakeResponse(AWSResponse):  # type: ignore[misc]
    """A response the fake produced (botocore cannot tell it from AWSResponse). The one built
    for aiobotocore subclasses it too, so one isinstance test recognises both."""


# -- aiobotocore ----------------------------------------------------------------------------

_AIO_SIGNERS = "aiobotocore.signers"

# Whether the request this task (or thread) signed last came from aiobotocore. aiobotocore
# sends botocore's own request objects, and botocore 1.40 does not even carry the request
# context (with the client's config) into the prepared request that before-send sees; the
# signer, seen at before-sign, is aiobotocore's own class. Every attempt is signed, then sent,
# by the same task, so the note is kept per task (a context variable): concurrent tasks cannot
# mix it up, and every signed request of this task, botocore's too, overwrites it.
_signed_by_aiobotocore: ContextVar[bool] = ContextVar("smfake_signed_by_aio", default=False)


class _AsyncBody:
    """The raw stream aiobotocore reads a response body from: it awaits ``read()``."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data


# Built on first use, from aiobotocore's own classes; never while aiobotocore is not loaded.
_aio_lock = threading.Lock()
_aio_response: type[FakeResponse] | None = None
_aio_credentials: Any = None


def _aio_response_type() -> type[FakeResponse]:
    """FakeResponse on top of aiobotocore's response class, whose ``content`` is awaited.

    The first one is built when an aiobotocore client first reaches a fake, which is also when
    the back-off of aiobotocore's retry loop may start to need skipping."""
    global _aio_response
    built = _aio_response
    if built is None:
        with _aio_lock:
            built = _aio_response
            if built is None:
                base = importlib.import_module("aiobotocore.awsrequest").AioAWSResponse
                namespace = {"__module__": __name__, "__doc__": FakeResponse.__doc__}
                built = cast(
                    "type[FakeResponse]", type("FakeAioResponse", (base, FakeResponse), namespace)
                )
                _skip_async_retry_sleeps()
                _aio_response = built
    return built


def _aio_dummy_credentials() -> Any:
    # aiobotocore's signer awaits get_frozen_credentials(), which botocore's Credentials
    # answers synchronously: its clients need aiobotocore's own credentials class.
    global _aio_credentials
    if _aio_credentials is None:
        module = importlib.import_module("aiobotocore.credentials")
        _aio_credentials = module.AioCredentials(
            DUMMY_CREDENTIALS.access_key, DUMMY_CREDENTIALS.secret_key
        )
    return _aio_credentials


class _Answered(threading.local):
    # Whether the response botocore is deciding to retry on this thread came from the fake.
    retry_pending = False


_answered = _Answered()


# The same, for aiobotocore: its tasks interleave on one thread between the retry decision and
# the awaited back-off, so the note is kept per task (a context variable), not per thread.
_async_retry_pending: ContextVar[bool] = ContextVar("smfake_async_retry_pending", default=False)


def note_retry_decision(response: Any = None, **_: Any) -> None:
    """needs-retry handler: remembers whether the sleep that may follow is after a fake's
    answer. It returns nothing, so botocore's own retry handlers decide as usual."""
    http = response[0] if isinstance(response, tuple) and response else None
    # Only an error can be retried; noting successes too would leave the note set for the
    # next sleep of some other client on this thread.
    pending = isinstance(http, FakeResponse) and http.status_code >= 300
    if pending and type(http) is not FakeResponse:
        _async_retry_pending.set(True)
        pending = False
    _answered.retry_pending = pending


class _NoSleepAfterFakeErrors:
    """Stands in for the ``time`` module inside botocore.endpoint, whose retry loop calls
    ``time.sleep(delay)`` between attempts and offers no event to skip it. After an error the
    fake answered, the back-off is skipped: retries stay observable (RetryAttempts, events)
    but no test sleeps. Every other use, and every other sleep, goes to the real module."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        pending, _answered.retry_pending = _answered.retry_pending, False
        if not pending:
            self._real.sleep(seconds)


def _skip_retry_sleeps() -> None:
    from botocore import endpoint

    real = botocore_compat.endpoint_time(endpoint)
    if not isinstance(real, _NoSleepAfterFakeErrors):
        botocore_compat.set_endpoint_time(endpoint, _NoSleepAfterFakeErrors(real))


class _NoAsyncSleepAfterFakeErrors:
    """Stands in for the ``asyncio`` module inside aiobotocore.endpoint, whose retry loop
    awaits ``asyncio.sleep(delay)`` between attempts (directly before aiobotocore 3.9, through
    ``AioEndpoint._sleep`` since) and, like botocore, offers no event to skip it. After an
    error the fake answered in the awaiting task, the back-off is an awaitable that returns at
    once; everything else goes to the real module."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, delay: float, *args: Any, **kwargs: Any) -> Awaitable[Any]:
        if _async_retry_pending.get():
            _async_retry_pending.set(False)
            return _no_sleep()
        return self._real.sleep(delay, *args, **kwargs)  # type: ignore[no-any-return]


async def _no_sleep() -> None:
    return None


def _skip_async_retry_sleeps() -> None:
    # Not covered: the httpx backend's AnyioEndpoint (aiobotocore >= 3.9, opt-in), which
    # sleeps through anyio; its retries after the fake's errors back off for real.
    endpoint: Any = sys.modules.get("aiobotocore.endpoint")
    real = getattr(endpoint, "asyncio", None)
    if real is not None and not isinstance(real, _NoAsyncSleepAfterFakeErrors):
        endpoint.asyncio = _NoAsyncSleepAfterFakeErrors(real)


def before_sign(request: Any, request_signer: Any = None, **_: Any) -> None:
    """While a fake is active: note whether aiobotocore signs this request (for dispatch),
    and give clients built while no credentials were configured, which would fail to sign
    before the fake sees the request, dummy credentials to sign with. (botocore reads
    `request_credentials` from the signing context since 1.34.70.)"""
    if not _stack or request_signer is None:
        return
    aio = False
    signers = sys.modules.get(_AIO_SIGNERS)
    if signers is not None:
        aio = isinstance(request_signer, signers.AioRequestSigner)
        _signed_by_aiobotocore.set(aio)
    if botocore_compat.signer_credentials(request_signer) is not None:
        return
    context = getattr(request, "context", None)
    if isinstance(context, dict):
        dummy = _aio_dummy_credentials() if aio else DUMMY_CREDENTIALS
        context.setdefault("signing", {}).setdefault("request_credentials", dummy)


# -- the fast path --------------------------------------------------------------------------

# Read by benchmark harnesses: this version answers at before-call.
FAST_PATH_AVAILABLE = True
_fast_path = True


def fast_path_enabled(flag: bool | None = None) -> bool:
    """Process-wide switch of the before-call fast path (on by default); ``None`` leaves it.
    Returns whether it is on."""
    global _fast_path
    if flag is not None:
        _fast_path = bool(flag)
    return _fast_path


# Per task (or thread), as before-call and before-send of one call run in the same one.
_deferred: ContextVar[fastpath.Handover | None] = ContextVar("smfake_deferred", default=None)


def before_call(**kwargs: Any) -> Any:
    """before-call handler: the fast path's answer, None to leave the call to the full path,
    or (for aiobotocore's signers) a coroutine that gives one of these."""
    if not _stack and _deferred.get() is None:
        return None  # dormant: every service's calls pass here
    model = kwargs.get("model")
    if model is None or model.service_model.service_name != SERVICE:
        return None
    if _deferred.get() is not None:
        # Left by a call whose request never reached before-send (its signing failed).
        _deferred.set(None)
    top = _stack[-1] if _stack else None
    if top is None:
        return None
    responder = top[0]
    if (
        not _fast_path
        # Strict mode checks the signature, which only the full path computes.
        or responder.verify_signatures
        # The per-fake switch (fake.fast_path).
        or not responder.fast_path
    ):
        return None
    fastpath = _fastpath()
    params, request_signer = kwargs["params"], kwargs["request_signer"]
    signer = fastpath.signer_of(request_signer, kwargs["context"])
    if signer is None:
        return None
    region, credentials = signer
    signers = sys.modules.get(_AIO_SIGNERS)
    if signers is not None and isinstance(request_signer, signers.AioRequestSigner):
        return _aio_before_call(responder, model, params, region, credentials)
    access_key = fastpath.access_key(credentials, DUMMY_CREDENTIALS)
    if access_key is None:
        return None
    return _answer(responder, model, params, access_key, region, aio=False)


async def _aio_before_call(
    responder: Responder, model: Any, params: Any, region: str, credentials: Any
) -> Any:
    access_key = await _fastpath().aio_access_key(credentials, DUMMY_CREDENTIALS)
    if access_key is None:
        return None
    return _answer(responder, model, params, access_key, region, aio=True)


def _answer(
    responder: Responder, model: Any, params: Any, access_key: str, region: str, *, aio: bool
) -> tuple[AWSResponse, dict[str, Any]] | None:
    fastpath = _fastpath()
    outcome = fastpath.run(responder, model, params, access_key, region)
    if outcome is None or isinstance(outcome, fastpath.Handover):
        _deferred.set(outcome)
        return None
    reply, parsed, result = outcome
    http = _response(params["url"], reply, aio, _fast_response_type())
    if fastpath.check_mode():
        from smfake._wire import fastcheck

        fastcheck.check(model, params, result, reply, http, parsed)
    return http, parsed


@functools.cache
def _fastpath() -> ModuleType:
    # Imported by the first call that may take the fast path, then found here: an import
    # statement in the handler would cost each call about a microsecond.
    from smfake._wire import fastpath

    return fastpath


@functools.cache
def _fast_response_type() -> type[FakeResponse]:
    from smfake._wire import fastpath

    class _FastResponse(fastpath.LazyHeaders, FakeResponse):
        """The fast path's response: FakeResponse whose headers are built when first read."""

    return _FastResponse


def install() -> None:
    """Add the handlers to botocore's built-in handlers (every session created from now on,
    aiobotocore's included) and to boto3's default session if it already exists. Idempotent."""
    global _installed
    with _stack_lock:
        if _installed:
            return
        _installed = True
        _skip_retry_sleeps()
        botocore_handlers.BUILTIN_HANDLERS.append((SEND_EVENT, dispatch))
        botocore_handlers.BUILTIN_HANDLERS.append((SIGN_EVENT, before_sign))
        botocore_handlers.BUILTIN_HANDLERS.append((RETRY_EVENT, note_retry_decision))
        botocore_handlers.BUILTIN_HANDLERS.append(
            (CALL_EVENT, before_call, botocore_handlers.REGISTER_LAST)
        )
        boto3 = sys.modules.get("boto3")
        session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
        if session is not None:
            # Created before we were installed, so it lacks the built-in entry above.
            events = botocore_compat.core_session(session).get_component("event_emitter")
            events.register(SEND_EVENT, dispatch, unique_id=_UNIQUE_ID)
            events.register(SIGN_EVENT, before_sign, unique_id=_UNIQUE_ID + "-sign")
            events.register(RETRY_EVENT, note_retry_decision, unique_id=_UNIQUE_ID + "-retry")
            events.register_last(CALL_EVENT, before_call, unique_id=_UNIQUE_ID + "-call")


# Installed as soon as this module exists: it is imported only when botocore is needed anyway.
install()
