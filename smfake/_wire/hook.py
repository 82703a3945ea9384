"""The botocore side: one dormant dispatcher among botocore's built-in handlers, and the
activation stack it answers from. While no fake is active it returns at once."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials

from smfake._wire.dispatch import Responder

SEND_EVENT = "before-send.secrets-manager"
SIGN_EVENT = "before-sign.secrets-manager"
RETRY_EVENT = "needs-retry.secrets-manager"
_UNIQUE_ID = "smfake-dispatch"
# Used only to sign requests of clients that found no credentials at all: the fake answers
# them, so the signature's key material is never checked against anything real.
DUMMY_CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "smfake-dummy-secret-key")

# The activation stack: the innermost active fake answers. The only module-level mutable state.
_stack: list[Responder] = []
_stack_lock = threading.Lock()
_installed = False


def push(responder: Responder) -> None:
    with _stack_lock:
        _stack.append(responder)


def pop(responder: Responder) -> None:
    with _stack_lock:
        # Remove this activation wherever it is, so out-of-order stops stay safe.
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index] is responder:
                del _stack[index]
                return


def active() -> Responder | None:
    return _stack[-1] if _stack else None


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
    responder = _stack[-1] if _stack else None
    if responder is None:
        return None
    reply = responder.respond(request.method, request.url, request.headers, request.body)
    return FakeResponse(request.url, reply.status, reply.headers, _Body(reply.body))


class FakeResponse(AWSResponse):  # type: ignore[misc]
    """A response the fake produced (botocore cannot tell it from AWSResponse)."""


class _Answered(threading.local):
    # Whether the response botocore is deciding to retry on this thread came from the fake.
    retry_pending = False


_answered = _Answered()


def note_retry_decision(response: Any = None, **_: Any) -> None:
    """needs-retry handler: remembers whether the sleep that may follow is after a fake's
    answer. It returns nothing, so botocore's own retry handlers decide as usual."""
    http = response[0] if isinstance(response, tuple) and response else None
    _answered.retry_pending = isinstance(http, FakeResponse)


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

    if not isinstance(endpoint.time, _NoSleepAfterFakeErrors):
        endpoint.time = _NoSleepAfterFakeErrors(endpoint.time)


def sign_with_dummy_credentials(request: Any, request_signer: Any = None, **_: Any) -> None:
    """A client built while no credentials were configured would fail to sign before the
    fake sees the request: while a fake is active, give it dummy credentials to sign with.
    (botocore reads `request_credentials` from the signing context since 1.34.70.)"""
    if not _stack or request_signer is None:
        return
    if getattr(request_signer, "_credentials", None) is not None:
        return
    context = getattr(request, "context", None)
    if isinstance(context, dict):
        context.setdefault("signing", {}).setdefault("request_credentials", DUMMY_CREDENTIALS)


def install() -> None:
    """Add the dispatcher to botocore's built-in handlers (every session created from now on)
    and to boto3's default session if it already exists. Idempotent."""
    global _installed
    with _stack_lock:
        if _installed:
            return
        _installed = True
        _skip_retry_sleeps()
        botocore_handlers.BUILTIN_HANDLERS.append((SEND_EVENT, dispatch))
        botocore_handlers.BUILTIN_HANDLERS.append((SIGN_EVENT, sign_with_dummy_credentials))
        botocore_handlers.BUILTIN_HANDLERS.append((RETRY_EVENT, note_retry_decision))
        boto3 = sys.modules.get("boto3")
        session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
        if session is not None:
            # Created before we were installed, so it lacks the built-in entry above.
            events = session._session.get_component("event_emitter")
            events.register(SEND_EVENT, dispatch, unique_id=_UNIQUE_ID)
            events.register(SIGN_EVENT, sign_with_dummy_credentials, unique_id=_UNIQUE_ID + "-sign")
            events.register(RETRY_EVENT, note_retry_decision, unique_id=_UNIQUE_ID + "-retry")


# Installed as soon as this module exists: it is imported only when botocore is needed anyway.
install()
