"""The before-call fast path: a botocore call answered before it is signed, sent and parsed.

botocore emits ``before-call.<service>.<Operation>`` once it has validated and serialised the
request, and takes a ``(http_response, parsed)`` answer from a handler there as the outcome of
the call: it skips signing, sending, parsing and retrying, then still emits ``after-call`` and
raises the modelled exception for an error status (botocore/client.py ``_make_api_call``; the
Stubber answers at the same point). This module runs the call through ``Responder.execute``,
as ``Responder.respond`` does, and builds what the full path (before-send, then botocore's JSON
parser) would give for it, without the JSON round trip.

Only successes are answered here. An error or an exception must reach botocore's retry
handlers (injected faults; LimitExceededException, which the standard retry mode retries), so
``hook`` hands such an outcome to the full path, which delivers it at before-send.

Check mode (fastcheck.py) compares every answer with what the full path makes of it.
"""

from __future__ import annotations

import base64
import datetime as datetime_module
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from botocore import parsers
from botocore.awsrequest import HeadersDict
from botocore.credentials import Credentials

from smfake._domain.errors import ServiceError
from smfake._wire import botocore_compat, encode, protocol
from smfake._wire.dispatch import Caller, Reply, Responder, error_reply
from smfake._wire.fastcheck import check_mode as check_mode
from smfake._wire.model import SERVICE

try:  # botocore >= 1.35: the per-call context that User-Agent features are noted in
    from botocore.context import get_context as _call_context
except ImportError:  # pragma: no cover - older botocore notes no features
    _call_context = None

Convert = Callable[[Any], Any]

# JSON round-trips these unchanged (json.loads gives back the str, int, bool or float that
# json.dumps wrote) and botocore's JSON parser returns them as they are.
_AS_IS = frozenset({"string", "integer", "long", "boolean", "float", "double"})


@dataclass(frozen=True, slots=True)
class Handover:
    """The outcome of a call this module ran but does not answer, for the full path to deliver
    at the request's before-send: an error reply, an exception out of the fake, or a reply it
    could not convert."""

    operation: str
    outcome: Reply | BaseException


def run(
    responder: Responder,
    model: Any,
    request_dict: Mapping[str, Any],
    access_key: str,
    region: str,
) -> tuple[Reply, dict[str, Any], dict[str, Any]] | Handover | None:
    """Run the serialised request ``request_dict``, signed (as far as the fake can tell) by
    ``access_key`` for ``region``: the reply, the parsed response and the handler's result;
    or a Handover; or None when the request cannot take this path (then nothing ran)."""
    convert = _converter(model)
    if convert is None:
        return None
    headers = request_dict["headers"]
    if protocol.target_of(headers) != protocol.TARGET_PREFIX + model.name:
        return None
    try:
        params = protocol.params_of(model.name, request_dict["body"])
    except ServiceError:
        return None  # the full path answers it, with no call recorded: as it would anyway
    backend = responder.backend
    caller = Caller(access_key, backend.principals.get(access_key), _user_agent(headers))
    # The same steps, in the same order of id draws, as Responder.respond; the fake's lock
    # is held only while the call runs (Responder.execute takes it; see Responder.respond).
    try:
        call = responder.execute(model.name, params, region, caller)
        request_id = call.request_id
        if call.error is not None:
            return Handover(model.name, error_reply(call.error, request_id))
        result = call.result or {}
        data = encode.result_body(result)
    except Exception as error:  # raised out of Responder.respond on the full path
        return Handover(model.name, error)
    reply = Reply(200, encode.headers(request_id, data), data)
    try:
        parsed = _parsed(convert, result, reply)
    except Exception as error:
        if check_mode():
            raise AssertionError(f"fast path cannot convert {model.name}: {error!r}") from error
        return Handover(model.name, reply)  # botocore's own parser reads it
    return reply, parsed, result


def signer_of(request_signer: Any, context: Mapping[str, Any]) -> tuple[str, Any] | None:
    """(region, credentials) the request would be signed with, or None when the full path
    must sign it: its region and access key come from the SigV4 credential scope, which only
    a plain SigV4 signature by the service's own signing name gives the way read here."""
    version = botocore_compat.signature_version(request_signer)
    if version != "v4" or context.get("auth_type") not in (None, "v4"):
        return None
    signing = context.get("signing") or {}
    if signing.get("signing_name", botocore_compat.signing_name(request_signer)) != SERVICE:
        return None
    region = signing.get("region") or botocore_compat.signer_region(request_signer)
    # RequestSigner.sign prefers these (botocore >= 1.34.70); hook.before_sign sets dummy
    # ones there for a client that has none.
    return region, signing.get("request_credentials") or botocore_compat.signer_credentials(
        request_signer
    )


def access_key(credentials: Any, dummy: Credentials) -> str | None:
    """The access key the signature would name, or None to leave the call to the full path."""
    features = _feature_count()
    try:
        if credentials is None:
            key: str = dummy.access_key
        elif type(credentials) is Credentials:
            key = credentials.access_key  # what get_frozen_credentials() copies
        else:
            key = credentials.get_frozen_credentials().access_key
    except Exception:
        return None  # the full path meets the same failure when it signs
    return key if _feature_count() == features else None


async def aio_access_key(credentials: Any, dummy: Credentials) -> str | None:
    """access_key() for aiobotocore, whose credentials are read with an await."""
    features = _feature_count()
    try:
        key: str = (
            dummy.access_key
            if credentials is None
            else (await credentials.get_frozen_credentials()).access_key
        )
    except Exception:
        return None
    return key if _feature_count() == features else None


def _feature_count() -> int:
    # Refreshing credentials notes features (CREDENTIALS_STS_ASSUME_ROLE, ...) that the full
    # path's User-Agent, rebuilt after signing, names and the header at hand lacks: a change
    # in their number sends the call to the full path, whose events then show the right one.
    context = _call_context() if _call_context is not None else None
    features = getattr(context, "features", None)
    return len(features) if features is not None else 0


def _user_agent(headers: Mapping[str, Any]) -> str:
    value = headers.get("User-Agent")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if not isinstance(value, str):
        return ""
    # botocore sends header values UTF-8 encoded and Responder.authenticate reads them as
    # Latin-1: the same text as here unless it has non-ASCII characters.
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


class LazyHeaders:
    """For an AWSResponse subclass: its HeadersDict is built when ``headers`` is first read.
    Once botocore has a before-call answer it reads only ``status_code`` (after-call handlers
    may read more), and building the HeadersDict was a tenth of the fast path's own cost."""

    def __init__(self, url: str, status_code: int, headers: dict[str, str], raw: Any) -> None:
        # AWSResponse.__init__'s attributes, set here rather than through it: it would build
        # a HeadersDict of its own (tests/wire/test_fast_path.py checks that none is missed).
        self.url = url
        self.status_code = status_code
        self.raw = raw
        botocore_compat.reset_response_content(self)
        self._plain = headers
        self._headers: HeadersDict | None = None

    @property
    def headers(self) -> HeadersDict:
        if self._headers is None:
            self._headers = HeadersDict(self._plain)
        return self._headers

    @headers.setter
    def headers(self, value: HeadersDict) -> None:
        self._headers = value


def _parsed(convert: Convert, result: dict[str, Any], reply: Reply) -> dict[str, Any]:
    # What JSONParser.parse gives: the output members in model order, then ResponseMetadata
    # (RequestId from x-amzn-requestid, the status, the headers with lower-cased names);
    # the endpoint then adds RetryAttempts, 0 on a first attempt.
    _check_zone()
    parsed: dict[str, Any] = convert(result)
    headers = reply.headers
    parsed["ResponseMetadata"] = {
        "RequestId": headers["x-amzn-RequestId"],
        "HTTPStatusCode": reply.status,
        "HTTPHeaders": {name.lower(): value for name, value in headers.items()},
        "RetryAttempts": 0,
    }
    return parsed


# -- result dict → parsed dict, one converter per output shape ------------------------------

_converters: dict[tuple[str, str], Convert | None] = {}


def _converter(model: Any) -> Convert | None:
    key = (model.service_model.api_version, model.name)
    try:
        return _converters[key]
    except KeyError:
        pass
    shape = model.output_shape
    convert = _compile(shape) if shape is not None else _no_output
    # A shape this module does not know (tagged unions, documents, event streams) leaves the
    # operation on the full path.
    if model.has_event_stream_output or model.has_streaming_output:
        convert = None
    _converters[key] = convert
    return convert


def _no_output(_: Any) -> dict[str, Any]:
    return {}


def _compile(shape: Any) -> Convert | None:
    kind = shape.type_name
    if kind in _AS_IS:
        return _as_is
    if kind == "timestamp":
        return _timestamp
    if kind == "blob":
        return _blob
    if kind == "list":
        item = _compile(shape.member)
        return None if item is None else _list_of(item)
    if kind == "map":
        key, value = _compile(shape.key), _compile(shape.value)
        return None if key is None or value is None else _map_of(key, value)
    union = getattr(shape, "is_tagged_union", False)
    if kind == "structure" and not (shape.is_document_type or union):
        members = []
        for name, member in shape.members.items():
            convert = _compile(member)
            if convert is None:
                return None
            key = member.serialization.get("name", name)
            members.append((name, key, None if convert is _as_is else convert))
        return _structure_of(tuple(members))
    return None


def _as_is(value: Any) -> Any:
    return value


def _timestamp(value: Any) -> Any:
    # The wire sends encode.epoch(value), a float rounded to the millisecond (or an int), and
    # json.loads gives back that very number; botocore's parser then makes the datetime with
    # its default timestamp parser. Parsing the same number here gives the same datetime.
    # That costs ~20 us (dateutil's tzlocal, in Python); a datetime is immutable, so the one
    # made earlier for an equal value (equal instants have equal epochs) is as good while the
    # zone it was made in holds (_check_zone).
    parsed = _timestamps.get(value)
    if parsed is None:
        number = encode.epoch(value) if isinstance(value, date) else value
        if len(_timestamps) >= _TIMESTAMPS_KEPT:
            _timestamps.clear()
        parsed = _timestamps[value] = parsers.DEFAULT_TIMESTAMP_PARSER(number)
    return parsed


_TIMESTAMPS_KEPT = 4096
_timestamps: dict[Any, Any] = {}
_zone: list[tuple[Any, ...]] = [()]


def _check_zone() -> None:
    """Forget the parsed timestamps once what they depend on changes: the parser, the local
    zone (TZ, read by localtime() on each call, and what time.tzset() last set) and the
    datetime class (freezegun swaps it)."""
    zone = (
        parsers.DEFAULT_TIMESTAMP_PARSER,
        _tz_variable(),
        time.timezone,
        time.altzone,
        time.daylight,
        time.tzname,
        datetime_module.datetime,
    )
    if zone != _zone[0]:
        _timestamps.clear()
        _zone[0] = zone


def _tz_variable() -> object:
    # os.environ.get("TZ") raises and catches a KeyError when TZ is unset, the usual case,
    # which made it most of the zone check's cost: read the mapping os.environ keeps current.
    environ = os.environ
    try:
        return environ._data.get(environ.encodekey("TZ"))  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - an os.environ replaced by another mapping
        return environ.get("TZ")


def _blob(value: Any) -> Any:
    # b64decode(b64encode(b)) == b: the round trip gives the same bytes, as bytes.
    if type(value) is bytes:
        return value
    if isinstance(value, str):
        return base64.b64decode(value)
    return bytes(value)


def _list_of(item: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return [item(entry) for entry in value]

    return convert


def _map_of(key: Convert, item: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return {key(k): item(v) for k, v in value.items()}

    return convert


def _structure_of(members: tuple[tuple[str, str, Convert | None], ...]) -> Convert:
    def convert(value: Any) -> Any:
        # The parser walks the model's members and skips those absent or null in the body;
        # json.dumps writes None as null. Keys the model lacks are dropped the same way.
        if value is None:
            return None  # a null item of a list, which the parser keeps as None
        out = {}
        for name, key, member in members:
            raw = value.get(key)
            if raw is not None:
                out[name] = raw if member is None else member(raw)
        return out

    return convert
