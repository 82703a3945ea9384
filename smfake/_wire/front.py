"""The front door for plain HTTP: which API a raw request speaks, and who answers it.

- the Lambda extension's local paths (``/secretsmanager/get``, ``/v1/...``, ``/ping``) go to the
  extension endpoint, when the fake has one;
- a request with ``X-Amz-Target`` is awsJson1_1, the API every SDK uses;
- a request naming an ``Action`` (query string, or a POST form body) is the Query API;
- anything else is refused as AWS's JSON front door refuses an operation it does not know:
  ``UnknownOperationException`` with no message, 400 on ``/`` (a JSON 1.1 service answering an
  unknown target, aws/aws-sdk-net#1536) and 404 on any other path (AWS's front door answering a
  route it does not serve, soto-project/soto#580).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Protocol
from urllib.parse import urlsplit

from smfake._wire import encode, protocol, query
from smfake._wire.dispatch import LOOPBACK, Reply, Responder

EXTENSION_PATHS = frozenset({"/secretsmanager/get", "/ping"})
EXTENSION_PREFIX = "/v1/"
UNKNOWN_OPERATION = "UnknownOperationException"


class ExtensionEndpoint(Protocol):
    """The Lambda extension's local HTTP interface (localhost:2773)."""

    def handle(self, method: str, url: str, headers: Mapping[str, str]) -> Reply: ...


class Headers(Mapping[str, str]):
    """Request headers with HTTP's case-insensitive lookup; iteration keeps the sent names."""

    def __init__(self, headers: Mapping[str, str | bytes] | None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in (headers or {}).items():
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            self._items[name.lower()] = (name, text)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # Names only: the Authorization header and tokens stay out of reprs.
        return f"Headers({sorted(self)!r})"


def route(
    responder: Responder,
    method: str,
    url: str,
    headers: Mapping[str, str] | None,
    body: bytes | str | None,
    *,
    source_ip: str = LOOPBACK,
    extension: ExtensionEndpoint | None = None,
) -> Reply:
    """Answer one raw HTTP request; ``url`` is absolute (scheme, host, path and query)."""
    method = method.upper()
    wrapped = Headers(headers)
    # surrogatepass: a lone surrogate becomes bytes that no UTF-8 reader takes, not an exception.
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    path = urlsplit(url).path or "/"
    if extension is not None and is_extension_path(path):
        return extension.handle(method, url, wrapped)
    if protocol.target_of(wrapped) is not None:
        return responder.respond(method, url, wrapped, data, source_ip=source_ip)
    params = query.action_params(method, url, wrapped, data)
    if params is not None:
        return query.respond(responder, method, url, wrapped, data, params, source_ip=source_ip)
    return unknown_operation(responder, status=400 if path == "/" else 404)


def is_extension_path(path: str) -> bool:
    return path in EXTENSION_PATHS or path.startswith(EXTENSION_PREFIX)


def unknown_operation(responder: Responder, *, status: int) -> Reply:
    with responder.backend.lock:
        request_id = responder.backend.ids.uuid()
    data = json.dumps({"__type": UNKNOWN_OPERATION}, separators=(",", ":")).encode()
    return Reply(status, encode.headers(request_id, data, UNKNOWN_OPERATION), data)
