"""``fake.http``: the fake behind plain HTTP, for callers that do not go through botocore."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from smfake._wire.dispatch import LOOPBACK, Reply, Responder
from smfake.errors import UsageError

if TYPE_CHECKING:
    from requests import PreparedRequest
    from responses import BaseResponse, CallbackResponse, RequestsMock

    from smfake._wire import front
    from smfake._wire.extension import Extension

# Every regional endpoint (FIPS and China partitions too), any path and query string.
SERVICE_URL = re.compile(
    r"https?://secretsmanager(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(:\d+)?([/?#]|$)"
)
# The Lambda extension's default port (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).
EXTENSION_URL = re.compile(r"http://(localhost|127\.0\.0\.1):2773([/?#]|$)")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


class HttpFront:
    """Answers raw HTTP requests from the fake's state: the JSON 1.1 API (X-Amz-Target), the
    Query API (``Action=``) and the Lambda extension's local endpoint."""

    def __init__(self, responder: Responder, *, region: str) -> None:
        self._responder = responder
        self._region = region
        # The fake's own extension endpoint, built on first use: few tests need it.
        self._own_extension: Extension | None = None
        self._extension: front.ExtensionEndpoint | None = None
        self._extension_set = False
        self._registered: list[tuple[RequestsMock, list[BaseResponse]]] = []

    @property
    def extension(self) -> front.ExtensionEndpoint | None:
        """The Lambda extension endpoint that answers ``/secretsmanager/get``, ``/v1/…`` and
        ``/ping``: the fake's own ``Extension`` unless a test sets another; None answers those
        paths as the service's own endpoint would."""
        if self._extension_set:
            return self._extension
        own = self._own_extension
        if own is None:
            from smfake._wire.extension import Extension

            with self._responder.backend.lock:
                own = self._own_extension
                if own is None:
                    own = self._own_extension = Extension(self._responder, region=self._region)
        return own

    @extension.setter
    def extension(self, endpoint: front.ExtensionEndpoint | None) -> None:
        self._extension = endpoint
        self._extension_set = True

    def _clear_extension_cache(self) -> None:
        """Forget what the fake's own extension endpoint has cached (``fake.reset()``)."""
        if self._own_extension is not None:
            self._own_extension.clear_cache()

    def handle(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        *,
        source_ip: str = LOOPBACK,
    ) -> Reply:
        """Answer one HTTP request; ``url`` is absolute (scheme, host, path and query)."""
        # Imported on first use: the Query API's XML machinery is not needed by boto3 callers.
        from smfake._wire import front

        return front.route(
            self._responder,
            method,
            url,
            headers,
            body,
            source_ip=source_ip,
            extension=self.extension,
        )

    def add_to(self, mock: RequestsMock | None = None) -> None:
        """Answer, through ``responses``, every request ``requests`` sends to a Secrets Manager
        endpoint or to the Lambda extension (``http://localhost:2773``). ``mock`` defaults to
        the one ``@responses.activate`` and ``responses.start()`` use; call this while it is
        active, since ``responses`` forgets its registrations when it stops."""
        target = _default_mock() if mock is None else mock
        if any(owner is target for owner, _ in self._registered):
            return
        entry = _group_response_class()
        group: list[BaseResponse] = []
        for pattern in (SERVICE_URL, EXTENSION_URL):
            for method in METHODS:
                response = entry(group, method, pattern, callback=self._answer, content_type=None)
                group.append(response)
                target.add(response)
        self._registered.append((target, group))

    def remove_from(self, mock: RequestsMock | None = None) -> None:
        """Undo ``add_to(mock)``; requests to those URLs are no longer answered by the fake."""
        target = _default_mock() if mock is None else mock
        for index, (owner, added) in enumerate(self._registered):
            if owner is target:
                for response in added:
                    target.remove(response)
                del self._registered[index]
                return

    def _answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        reply = self.handle(
            request.method or "GET",
            request.url or "",
            _text_headers(request.headers),
            _body_bytes(request.body),
        )
        return reply.status, reply.headers, reply.body


def _text_headers(headers: Mapping[str, str | bytes]) -> dict[str, str]:
    return {
        name: value.decode("latin-1") if isinstance(value, bytes) else value
        for name, value in headers.items()
    }


def _body_bytes(body: object) -> bytes | None:
    # requests sends str for form data and bytes for json=; a file or a generator streams.
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    chunks = [read()] if callable(read) else body
    if not isinstance(chunks, Iterable):
        raise UsageError(f"cannot read a request body of type {type(body).__name__}")
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in chunks)


@functools.cache
def _group_response_class() -> Callable[..., CallbackResponse]:
    from responses import CallbackResponse

    class FakeResponse(CallbackResponse):
        """One method and URL pattern the fake answers. ``responses`` registers each pair
        apart; for ``assert_all_requests_are_fired`` they count as one: the fake was used."""

        def __init__(self, group: list[BaseResponse], *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.group = group

        @property
        def call_count(self) -> int:
            return sum(len(member.calls) for member in self.group)

    return FakeResponse


def _default_mock() -> RequestsMock:
    try:
        import responses
    except ImportError:
        raise UsageError(
            "fake.http.add_to() needs the 'responses' package: pip install responses "
            "(see docs/http.md#plain-http-callers-requests-the-query-api)"
        ) from None
    return responses.mock
