"""Domain results and service errors → JSON 1.1 bodies, status codes and headers."""

from __future__ import annotations

import base64
import json
import json.encoder
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from email.utils import formatdate
from typing import Any

from smfake._domain.errors import InternalServiceError, ServiceError

CONTENT_TYPE = "application/x-amz-json-1.1"
# Every client error of this service is HTTP 400, ResourceNotFoundException included (§1).
_STATUS = {InternalServiceError.code: 500, "ServiceUnavailable": 503}
# AWS sends `message` (lower case) for its generic ValidationException and for the errors of
# its authentication front end (aws/aws-sdk-php#2444, dynalite), `Message` otherwise.
_LOWERCASE_MESSAGE = frozenset(
    {
        "ValidationException",
        "SerializationException",
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "ExpiredTokenException",
    }
)


def epoch(value: datetime | date) -> float | int:
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    # Day-precision fields (LastAccessedDate) are midnight UTC.
    return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return epoch(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot encode {type(value).__name__}")


# Built once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_default)


# JSONEncoder.encode also sets up its C encoder on every call, with a table of the containers
# it is inside to detect cycles, which a result never has: this is that encoder, made once
# with no such table (None where the C accelerator is missing or takes other arguments).
def _c_encoder() -> Callable[[Any, int], Sequence[str]] | None:
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython without its _json accelerator
        return None
    arguments = (None, _default, json.encoder.encode_basestring_ascii, None, ":", ",")
    try:
        return make(*arguments, False, False, True)  # type: ignore[no-any-return]
    except TypeError:  # pragma: no cover - a future signature
        return None


_C_ENCODER = _c_encoder()


def result_body(result: dict[str, Any]) -> bytes:
    if _C_ENCODER is None:  # pragma: no cover - CPython without its _json accelerator
        return _ENCODER.encode(result).encode()
    return "".join(_C_ENCODER(result, 0)).encode()


def error_status(error: ServiceError) -> int:
    # An injected error carries the status the test asked for.
    status = getattr(error, "status", None)
    return status if isinstance(status, int) else _STATUS.get(error.code, 400)


def error_body(error: ServiceError) -> bytes:
    key = "message" if error.code in _LOWERCASE_MESSAGE else "Message"
    return json.dumps({"__type": error.code, key: error.message}, separators=(",", ":")).encode()


def http_date() -> str:
    """The Date header: formatted once per second, as formatting cost more than a lookup."""
    now = int(time.time())
    cached = _date_cache
    if cached[0] != now:
        cached = _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return str(cached[1])


_date_cache: list[object] = [None, ""]


def headers(request_id: str, body: bytes, error_code: str | None = None) -> dict[str, str]:
    result = {
        "x-amzn-RequestId": request_id,
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
        "Date": http_date(),
    }
    if error_code is not None:
        result["x-amzn-ErrorType"] = error_code
    return result
