"""The Query API: ``Action=<Operation>`` in a query string or form body, answered in XML.

Documented by AWS (user guide "Calling the API by sending HTTPS query requests" and the API
reference's "Welcome" page): a Query request is an HTTPS request carrying an ``Action``
parameter; GET and POST work for every operation; GET is bounded by the URL length, "typically
2048 bytes" (a browser limit, so larger requests must be POSTs); the answer is an XML
document; requests are SigV4-signed; the API version is 2017-10-17. For the XML the page
points at the AWS Organizations reference: boilerplate. No SDK speaks Query to this service
and whether the real endpoint still honours it is unverified (AWS_SPEC §1).

smfake's choices, in the shape of AWS's other Query services and botocore's ``query``
protocol, so that botocore's QueryParser reads the answers:
- parameters use botocore's query serialisation (``Tags.member.1.Key``, ``Map.entry.1.key``,
  ``true``/``false``, base64 blobs, ``Name=`` for an empty list); unknown ones are ignored;
- ``Version`` may be left out; another version is an unknown action (``InvalidAction``, the
  code and message SES's Query API gives, aws/aws-cli#37);
- a GET whose absolute URL exceeds 2048 bytes is refused with 414 ``RequestURITooLong``;
- region and access key come from the Authorization header's scope, else a presigned URL's
  ``X-Amz-Credential``, else the host; strict mode checks signatures and refuses with the
  same codes and texts as the JSON API (AWS's Query services name them differently);
- a malformed name is ``MalformedQueryString`` (404, as AWS's common errors list it), a value
  of the wrong type ``InvalidParameterValue`` (400), never quoting the value;
- results are ``<{Op}Response><{Op}Result>`` with ``<member>`` list items, ``<entry>`` map items
  and ISO 8601 timestamps in milliseconds; errors are ``<ErrorResponse>``, Type ``Receiver``
  for 5xx and ``Sender`` otherwise; a value that XML 1.0 cannot carry is not sent
  (UnsupportedOperation), and a change whose input holds one is refused before it runs.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from email.utils import formatdate
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from smfake._domain.errors import ServiceError
from smfake._wire import encode, protocol, validate
from smfake._wire.dispatch import LOOPBACK, Reply, Responder
from smfake._wire.model import SERVICE, operation_names, service_model
from smfake._wire.operations import DECLARATIONS
from smfake.errors import UnsupportedOperation

API_VERSION = "2017-10-17"
NAMESPACE = f"http://secretsmanager.amazonaws.com/doc/{API_VERSION}/"
CONTENT_TYPE = "text/xml"
FORM = "application/x-www-form-urlencoded"
MAX_GET_URL = 2048
# Protocol parameters, not operation input: the action, and SigV4 presigned-URL fields.
_RESERVED = frozenset({"Action", "Version"})
_SIGV4_PREFIX = "X-Amz-"
_INTEGER = re.compile(r"[-+]?\d+")
_INDEX = re.compile(r"[1-9]\d*")
# Characters XML 1.0 cannot carry, even as character references: the complement of its Char
# production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]),
# spelled out because re takes ~10 ms to compile the negated class of those wide ranges.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_NOT_CARRIED = (
    "a Query API (XML) answer holding characters that XML 1.0 cannot carry "
    "(control characters other than tab, newline and carriage return); "
    "use the JSON API for such values"
)
# Wire-only messages: no SDK sends Query requests, so none of these was recorded.
INVALID_ACTION = "Could not find operation {action} for version {version}"
MISSING_ACTION = "The request is missing an action or a required parameter."
MALFORMED_QUERY = "The query string contains a syntax error at '{name}'."
INVALID_VALUE = "Value for parameter {name} is invalid. Expected: {expected}."
URI_TOO_LONG = (
    "The request URL is {length} bytes long; GET requests are limited to {limit} bytes. "
    "Send larger Query API requests as a POST with a form body."
)


class InvalidAction(ServiceError):
    code = "InvalidAction"


class MissingAction(ServiceError):
    code = "MissingAction"
    template = MISSING_ACTION


class MalformedQueryString(ServiceError):
    code = "MalformedQueryString"
    status: ClassVar[int] = 404


class InvalidParameterValue(ServiceError):
    code = "InvalidParameterValue"


class RequestURITooLong(ServiceError):
    code = "RequestURITooLong"
    status: ClassVar[int] = 414


def action_params(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None
) -> dict[str, str] | None:
    """The request's parameters if it names an Action (query string, or a POST form body),
    else None: then it is not a Query API request."""
    try:
        params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True, errors="strict"))
        if method == "POST" and body and _is_form(headers.get("Content-Type")):
            text = body.decode("utf-8")
            params.update(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        return None
    return params if "Action" in params else None


def respond(
    responder: Responder,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    params: Mapping[str, str],
    *,
    source_ip: str = LOOPBACK,
) -> Reply:
    """Answer one Query API request through the responder, in XML."""
    backend = responder.backend
    with backend.lock:
        request_id = backend.ids.uuid()
        try:
            _check_url_length(method, url)
            caller = responder.authenticate(method, url, headers, body, source_ip=source_ip)
            region, access_key = signer_scope(headers, url, params)
            if not responder.verify_signatures and caller.access_key is None and access_key:
                principal = backend.principals.get(access_key)
                caller = replace(caller, access_key=access_key, principal=principal)
            operation = operation_of(params)
            kwargs = decode_params(operation, params)
        except ServiceError as error:
            return error_reply(error, request_id)
        _refuse_what_xml_cannot_answer(operation, kwargs)
        call = responder.execute(operation, kwargs, region, caller, request_id)
        if call.error is not None:
            return error_reply(call.error, request_id)
        data = result_document(operation, call.result or {}, request_id)
        return Reply(200, _headers(request_id, data), data)


def _refuse_what_xml_cannot_answer(operation: str, kwargs: Mapping[str, Any]) -> None:
    """Refuse, before it runs, a change (or a batch) whose input holds characters XML 1.0 cannot
    carry: its
    answer may echo them (a token as VersionId, VersionStages, a replica's KmsKeyId), and
    failing to write the answer after the change was made would leave it made. A request
    refused anyway is left to be refused: its message replaces such characters."""
    # A read changes nothing, unless it is a batch: a batch reads (LastAccessedDate) what it
    # can and echoes the ids it cannot in its answer's Errors.
    declared = DECLARATIONS.get(operation)
    reads = declared is not None and declared.read_only and declared.each_secret is None
    if reads or not _holds_not_xml(kwargs):
        return
    try:
        validate.check(operation, dict(kwargs))
    except ServiceError:
        return
    raise UnsupportedOperation(_NOT_CARRIED)


def _holds_not_xml(value: Any) -> bool:
    if isinstance(value, str):
        return _NOT_XML.search(value) is not None
    if isinstance(value, Mapping):
        return any(_holds_not_xml(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_not_xml(item) for item in value)
    return False


def _is_form(content_type: str | None) -> bool:
    return bool(content_type) and str(content_type).split(";")[0].strip().lower() == FORM


def _check_url_length(method: str, url: str) -> None:
    length = len(url.encode("utf-8"))
    if method == "GET" and length > MAX_GET_URL:
        raise RequestURITooLong(URI_TOO_LONG, length=length, limit=MAX_GET_URL)


def signer_scope(
    headers: Mapping[str, str], url: str, params: Mapping[str, str]
) -> tuple[str, str | None]:
    """(region, access key) from the Authorization header's SigV4 scope, else from a
    presigned URL's X-Amz-Credential, else the host's region."""
    region, access_key = protocol.signer_scope(headers, url)
    if access_key is None:
        parts = params.get("X-Amz-Credential", "").split("/")
        if len(parts) == 5 and parts[3] == SERVICE and parts[4] == "aws4_request":
            return parts[2], parts[0]
    return region, access_key


def operation_of(params: Mapping[str, str]) -> str:
    action = params.get("Action", "")
    if not action:
        raise MissingAction()
    version = params.get("Version", API_VERSION)
    if action not in operation_names() or version != API_VERSION:
        raise InvalidAction(INVALID_ACTION, action=action, version=version)
    return action


# -- parameters -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    """One dotted name segment: ``Tags.member.1.Key`` is Tags → member → 1 → Key."""

    # The node's full name is key[:end], cut only for an error message: building every
    # prefix of a name of n segments costs O(n²), a minute for a name nested 50,000 deep.
    key: str
    end: int
    value: str | None = None
    children: dict[str, _Node] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.key[: self.end]


def decode_params(operation: str, params: Mapping[str, str]) -> dict[str, Any]:
    """The operation's input as the JSON path would give it: PascalCase keys, typed values."""
    shape = service_model().operation_model(operation).input_shape
    return decode_structure(shape, params) if shape is not None else {}


def decode_structure(shape: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """Flat Query parameters (``Tags.member.1.Key=k``) → the structure ``shape`` describes."""
    root = _Node("", 0)
    for key, value in params.items():
        if key in _RESERVED or key.startswith(_SIGV4_PREFIX):
            continue
        node, end = root, -1
        for segment in key.split("."):
            end += len(segment) + 1
            child = node.children.get(segment)
            if child is None:
                child = node.children[segment] = _Node(key, end)
            node = child
        node.value = value
    return _structure(shape, root)


def _decode(shape: Any, node: _Node) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if node.value is not None:
            raise MalformedQueryString(MALFORMED_QUERY, name=node.name)
        return _structure(shape, node)
    if kind in ("list", "map"):
        if node.value is not None:
            # botocore sends ``Name=`` (no index) for an empty list or map.
            if node.value or node.children:
                raise MalformedQueryString(MALFORMED_QUERY, name=node.name)
            return [] if kind == "list" else {}
        return _list(shape, node) if kind == "list" else _map(shape, node)
    if node.children or node.value is None:
        raise MalformedQueryString(MALFORMED_QUERY, name=node.name)
    return _scalar(shape, node.value, node.name)


def _structure(shape: Any, node: _Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        child = node.children.get(member.serialization.get("name", name))
        if child is not None:
            out[name] = _decode(member, child)
    return out


def _items(node: _Node, wrapper: str) -> list[_Node]:
    """The numbered items under ``node.<wrapper>.N``, in index order."""
    holder = node.children.get(wrapper)
    if holder is None or set(node.children) != {wrapper} or holder.value is not None:
        raise MalformedQueryString(MALFORMED_QUERY, name=node.name)
    for index, item in holder.children.items():
        if not _INDEX.fullmatch(index):
            raise MalformedQueryString(MALFORMED_QUERY, name=item.name)
    return [holder.children[index] for index in sorted(holder.children, key=int)]


def _list(shape: Any, node: _Node) -> list[Any]:
    wrapper = shape.member.serialization.get("name", "member")
    return [_decode(shape.member, item) for item in _items(node, wrapper)]


def _map(shape: Any, node: _Node) -> dict[Any, Any]:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    out: dict[Any, Any] = {}
    for entry in _items(node, "entry"):
        key, value = entry.children.get(key_name), entry.children.get(value_name)
        if key is None or value is None or entry.value is not None:
            raise MalformedQueryString(MALFORMED_QUERY, name=entry.name)
        out[_decode(shape.key, key)] = _decode(shape.value, value)
    return out


def _scalar(shape: Any, text: str, name: str) -> Any:
    kind = shape.type_name
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind in ("integer", "long") and _INTEGER.fullmatch(text):
        return int(text)
    if kind == "timestamp":
        moment = _epoch(text)
        if moment is not None:
            return moment
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            pass
    if kind == "string":
        return text
    raise InvalidParameterValue(INVALID_VALUE, name=name, expected=_EXPECTED.get(kind, kind))


_EXPECTED = {
    "boolean": "true or false",
    "integer": "an integer",
    "long": "an integer",
    "blob": "base64-encoded data",
    "timestamp": "an ISO 8601 date-time or epoch seconds",
}


def _epoch(text: str) -> float | None:
    # The JSON path carries timestamps as epoch seconds; give the handlers the same.
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


# -- XML answers ------------------------------------------------------------------------------


def result_document(operation: str, result: Mapping[str, Any], request_id: str) -> bytes:
    shape = service_model().operation_model(operation).output_shape
    parts = [f'<{operation}Response xmlns="{NAMESPACE}"><{operation}Result>']
    _members(parts, shape, result)
    parts.append(f"</{operation}Result><ResponseMetadata><RequestId>{request_id}</RequestId>")
    parts.append(f"</ResponseMetadata></{operation}Response>")
    return "".join(parts).encode("utf-8")


def error_reply(error: ServiceError, request_id: str) -> Reply:
    status = encode.error_status(error)
    kind = "Receiver" if status >= 500 else "Sender"
    text = (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type>'
        f"<Code>{_text(error.code, strict=False)}</Code>"
        f"<Message>{_text(error.message, strict=False)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    data = text.encode("utf-8")
    return Reply(status, _headers(request_id, data), data)


def _headers(request_id: str, body: bytes) -> dict[str, str]:
    return {
        "x-amzn-RequestId": request_id,
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
        "Date": formatdate(usegmt=True),
    }


def _members(parts: list[str], shape: Any, values: Mapping[str, Any]) -> None:
    members = shape.members if shape is not None and shape.type_name == "structure" else {}
    for name, value in values.items():
        member = members.get(name)
        tag = member.serialization.get("name", name) if member is not None else name
        _element(parts, tag, member, value)


def _element(parts: list[str], tag: str, shape: Any, value: Any) -> None:
    kind = shape.type_name if shape is not None else None
    parts.append(f"<{tag}>")
    if isinstance(value, Mapping) and kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        for key, item in value.items():
            parts.append("<entry>")
            _element(parts, key_tag, shape.key, key)
            _element(parts, value_tag, shape.value, item)
            parts.append("</entry>")
    elif isinstance(value, Mapping):
        _members(parts, shape, value)
    elif isinstance(value, (list, tuple)):
        member = shape.member if kind == "list" else None
        item_tag = member.serialization.get("name", "member") if member is not None else "member"
        for item in value:
            _element(parts, item_tag, member, item)
    else:
        parts.append(_text(_scalar_text(value), strict=True))
    parts.append(f"</{tag}>")


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return iso8601(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def iso8601(value: datetime | date) -> str:
    """The instant the JSON path sends as epoch seconds, in milliseconds, UTC."""
    moment = datetime.fromtimestamp(encode.epoch(value), timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _text(value: str, *, strict: bool) -> str:
    if _NOT_XML.search(value):
        if strict:
            # Replacing the characters would hand the caller a different value than stored.
            raise UnsupportedOperation(_NOT_CARRIED)
        value = _NOT_XML.sub("\ufffd", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # An XML parser turns a raw carriage return into a newline; a reference survives.
    return value.replace("\r", "&#13;")
