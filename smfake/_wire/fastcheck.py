"""Check mode for the fast path: every answer it gives is also produced the full path's way.

On when ``SMFAKE_CHECK_FAST_PATH`` is set (not to 0) at import, or after ``check_mode(True)``
(smfake's own test suite turns it on). The result is encoded as ``Responder.respond`` encodes
it, and the reply is parsed by botocore's own endpoint code; the first difference from the
fast path's answer (a type, a key or its place, a value, a header) raises AssertionError.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from botocore import parsers
from botocore.awsrequest import AWSResponse

from smfake._wire import botocore_compat, encode
from smfake._wire.dispatch import Reply

_check = os.environ.get("SMFAKE_CHECK_FAST_PATH", "") not in ("", "0")


def check_mode(flag: bool | None = None) -> bool:
    """Turn check mode on or off (``None``: leave it); returns whether it is on."""
    global _check
    if flag is not None:
        _check = bool(flag)
    return _check


# Values never printed in a mismatch report (the model's sensitive members).
_SENSITIVE = frozenset({"SecretString", "SecretBinary", "RandomPassword", "RotationToken"})


def check(
    model: Any,
    request_dict: Mapping[str, Any],
    result: dict[str, Any],
    reply: Reply,
    http: Any,
    parsed: dict[str, Any],
) -> None:
    """Raise AssertionError unless ``http`` and ``parsed`` are what the full path makes of
    ``result``: the body and headers encoded as Responder.respond encodes them, then sent
    through botocore's own endpoint code (response dict, parser, modelled error fields,
    RetryAttempts) with no handlers registered."""
    __tracebackhide__ = True
    data = encode.result_body(result)
    headers = encode.headers(reply.headers["x-amzn-RequestId"], data)
    # The Date header is read from the wall clock as the body is encoded: take the one the
    # answer carries, which a second's tick may have made differ.
    headers["Date"] = reply.headers["Date"]
    expected_http, expected = _through_botocore(model, request_dict, Reply(200, headers, data))
    found = _difference(parsed, expected, "parsed")
    if found is None:
        found = _difference(
            [http.url, http.status_code, dict(http.headers.items())],
            [expected_http.url, expected_http.status_code, dict(expected_http.headers.items())],
            "http[url, status_code, headers]",
        )
    if found is None and reply.body != expected_http.content:
        # Not shown: a body may hold a secret value.
        found = f"http content: {len(reply.body)} bytes, not the {len(data)} encoded"
    if found is not None:
        raise AssertionError(f"fast path differs from the full path in {model.name}: {found}")


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class _Replay:
    """An HTTP session that answers every request with one prepared reply."""

    def __init__(self, reply: Reply) -> None:
        self._reply = reply

    def send(self, request: Any) -> AWSResponse:
        # As hook.dispatch answers: with the URL of the prepared request.
        reply = self._reply
        return AWSResponse(request.url, reply.status, reply.headers, _Raw(reply.body))


def _through_botocore(
    model: Any, request_dict: Mapping[str, Any], reply: Reply
) -> tuple[Any, dict[str, Any]]:
    # Imported here: only check mode needs them.
    from botocore.endpoint import Endpoint
    from botocore.hooks import HierarchicalEmitter

    endpoint = Endpoint(
        request_dict["url"],
        model.service_model.endpoint_prefix,
        HierarchicalEmitter(),
        response_parser_factory=parsers.ResponseParserFactory(),
        http_session=_Replay(reply),
    )
    # Copies: the endpoint notes its retry state in the context and encodes the headers.
    copied = {
        **request_dict,
        "headers": dict(request_dict["headers"]),
        "context": dict(request_dict["context"]),
    }
    http, parsed = botocore_compat.send_request(endpoint, copied, model)
    return http, parsed


def _difference(found: Any, expected: Any, path: str) -> str | None:
    """Where ``found`` first differs from ``expected`` (types, keys and their order, values),
    or None."""
    if type(found) is not type(expected):
        return f"{path}: {type(found).__name__} instead of {type(expected).__name__}"
    if isinstance(found, dict):
        for mine, theirs in itertools.zip_longest(found, expected):
            if mine != theirs:
                return f"{path}: key {mine!r} where the full path has {theirs!r}"
        for key, value in found.items():
            inner = f"{path}[{key!r}]"
            if key in _SENSITIVE and value != expected[key]:
                return f"{inner}: values differ"
            difference = _difference(value, expected[key], inner)
            if difference is not None:
                return difference
        return None
    if isinstance(found, list):
        if len(found) != len(expected):
            return f"{path}: {len(found)} items instead of {len(expected)}"
        for index, (mine, theirs) in enumerate(zip(found, expected, strict=True)):
            difference = _difference(mine, theirs, f"{path}[{index}]")
            if difference is not None:
                return difference
        return None
    if isinstance(found, datetime) and (
        type(found.tzinfo) is not type(expected.tzinfo) or found.utcoffset() != expected.utcoffset()
    ):
        mine, theirs = (f"{d.tzinfo!r} at {d.utcoffset()}" for d in (found, expected))
        return f"{path}: tzinfo {mine} instead of {theirs}"
    return None if found == expected else f"{path}: {found!r} instead of {expected!r}"
