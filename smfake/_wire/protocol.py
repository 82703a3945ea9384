"""Decode an awsJson1_1 request: X-Amz-Target names the operation, the body holds its input."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smfake._domain import messages
from smfake._domain.errors import SerializationException, UnknownOperationException
from smfake._wire.model import SERVICE, operation_names, service_model

TARGET_PREFIX = "secretsmanager."
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_HOST_REGION = re.compile(r"secretsmanager(?:-fips)?\.([a-z0-9-]+)\.amazonaws")


@dataclass(frozen=True, slots=True)
class Request:
    operation: str
    params: dict[str, Any]
    region: str
    access_key: str | None


def target_of(headers: Mapping[str, Any]) -> str | None:
    target = headers.get("X-Amz-Target")
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    return target if isinstance(target, str) else None


def decode(url: str, headers: Mapping[str, Any], body: bytes | str | None) -> Request:
    target = target_of(headers) or ""
    operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else target
    if operation not in operation_names():
        raise UnknownOperationException(messages.UNKNOWN_OPERATION, operation=operation)
    region, access_key = signer_scope(headers, url)
    return Request(operation, _params(operation, body), region, access_key)


def access_key_of(headers: Mapping[str, Any], url: str) -> str | None:
    return signer_scope(headers, url)[1]


def signer_scope(headers: Mapping[str, Any], url: str) -> tuple[str, str | None]:
    """(region, access key id) from the SigV4 credential scope, else the region of the host."""
    auth = headers.get("Authorization")
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    if isinstance(auth, str):
        scope = _credential_scope(auth)
        if scope is not None:
            return scope
    host = _HOST_REGION.search(url)
    return (host.group(1) if host else "us-east-1"), None


@functools.lru_cache(maxsize=16)
def _credential_scope(auth: str) -> tuple[str, str] | None:
    # Cached because a request's header is read twice (who signed it, then its region).
    match = _CREDENTIAL.search(auth)
    if match and match.group(3) == SERVICE:
        return match.group(2), match.group(1)
    return None


def params_of(operation: str, body: bytes | str | None) -> dict[str, Any]:
    """The input of ``operation`` from its JSON 1.1 body (blobs decoded)."""
    return _params(operation, body)


def _params(operation: str, body: bytes | str | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        params = _json(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: arrays or objects nested deeper than the interpreter's recursion
        # limit lets the decoder go (about 1,000 levels, fewer from a deep stack). AWS reads
        # no such body either; nesting that does decode is refused by the model's types.
        raise SerializationException(messages.SERIALIZATION) from None
    if not isinstance(params, dict):
        raise SerializationException(messages.SERIALIZATION)
    if _may_hold_surrogate(body) and _holds_surrogate(params):
        # A \ud800-\udfff escape not in a pair decodes to a lone surrogate: no Unicode text,
        # so no value could be stored, encrypted or sent back (every later answer holding it
        # would fail to encode). Refused as any body that is not text; AWS's answer unknown.
        raise SerializationException(messages.SERIALIZATION)
    for name in _blob_members(operation):
        if isinstance(params.get(name), str):
            try:
                params[name] = base64.b64decode(params[name], validate=True)
            except (binascii.Error, ValueError):
                raise SerializationException(messages.SERIALIZATION) from None
    return params


def _json(body: bytes | str) -> Any:
    # A body botocore serialised is UTF-8 JSON with nothing around it: raw_decode reads it
    # at a fifth of json.loads' cost, which detects the encoding and skips whitespace with
    # regular expressions. Anything else (other encodings, a BOM, whitespace, trailing text)
    # gets json.loads' own answer.
    try:
        text = body.decode() if isinstance(body, (bytes, bytearray)) else body
        value, end = _DECODER.raw_decode(text)
        if end == len(text):
            return value
    except ValueError:  # UnicodeDecodeError included
        pass
    return json.loads(body)


_DECODER = json.JSONDecoder()
# Lone surrogates come from \u escapes, from a str body, or from bytes that encode one as
# UTF-8 would if it could (json.loads reads bytes with "surrogatepass").
_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _may_hold_surrogate(body: bytes | bytearray | str) -> bool:
    if isinstance(body, str):
        return _ESCAPE_TEXT.search(body) is not None
    return _ESCAPE_BYTES.search(body) is not None


def _holds_surrogate(value: Any) -> bool:
    # Iterative: the value may be nested as deep as the decoder went.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@functools.cache
def _blob_members(operation: str) -> tuple[str, ...]:
    shape = service_model().operation_model(operation).input_shape
    return tuple(name for name, member in shape.members.items() if member.type_name == "blob")
