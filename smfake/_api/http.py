"""``fake.http``: the fake behind plain HTTP, for callers that do not go through botocore."""

from __future__ import annotations

from collections.abc import Mapping

from smfake._wire.dispatch import LOOPBACK, Reply, Responder


class HttpFront:
    """Answers raw HTTP requests from the fake's state: the JSON 1.1 API (X-Amz-Target), the
    Query API (``Action=``) and the Lambda extension's local endpoint."""

    def __init__(self, responder: Responder) -> None:
        self._responder = responder

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
        return self._responder.respond(method, url, headers, body, source_ip=source_ip)
