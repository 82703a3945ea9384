"""CloudTrail-like records of every call and of the service's own events (§16).

Records are built once, when the call ends, from what the service model allows CloudTrail to
show: only members the operation's input model defines, with values of its types (anything else
a raw HTTP caller sends is ignored or refused by AWS: ``validate.defined``), and of those not
the members it marks sensitive (SecretString, SecretBinary, RotationToken, RandomPassword).
Both are left out at creation, so no record, repr or JSON export can hold a value sent under
any name.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, NamedTuple, overload

from smfake._domain import notices
from smfake._domain.errors import ServiceError, error_codes
from smfake._domain.notices import Notice
from smfake._domain.principals import Principal, root_arn
from smfake._domain.store import SecretStore, partition_of
from smfake._wire.dispatch import Call
from smfake._wire.model import operation_names, service_model
from smfake._wire.operations import DECLARATIONS
from smfake._wire.validate import defined
from smfake.errors import UsageError

EVENT_SOURCE = "secretsmanager.amazonaws.com"
EVENT_VERSION = "1.08"
API_CALL, SERVICE_EVENT = "AwsApiCall", "AwsServiceEvent"


@dataclass(frozen=True, slots=True)
class Event:
    """One CloudTrail record. ``to_dict()`` gives it in CloudTrail's own JSON shape."""

    event_time: datetime
    event_name: str
    event_type: str
    aws_region: str
    recipient_account_id: str
    user_identity: Mapping[str, str]
    source_ip_address: str
    user_agent: str
    request_parameters: Mapping[str, Any] | None
    response_elements: Mapping[str, Any] | None
    request_id: str
    event_id: str
    read_only: bool
    error_code: str | None = None
    error_message: str | None = None
    additional_event_data: Mapping[str, Any] | None = None
    # Not CloudTrail fields: the secret the call resolved to and the id the caller gave,
    # for filtering.
    secret_arn: str | None = field(default=None, compare=False)
    secret_id: str | None = field(default=None, compare=False)

    def concerns(self, secret: str) -> bool:
        """Whether this record is about ``secret`` (a name, full ARN or the id the caller gave)."""
        if secret in (self.secret_id, self.secret_arn):
            return True
        return self.secret_arn is not None and _name_of(self.secret_arn) == secret

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "userIdentity": dict(self.user_identity),
            "eventTime": _iso(self.event_time),
            "eventSource": EVENT_SOURCE,
            "eventName": self.event_name,
            "awsRegion": self.aws_region,
            "sourceIPAddress": self.source_ip_address,
            "userAgent": self.user_agent,
        }
        if self.error_code is not None:
            record["errorCode"] = self.error_code
            record["errorMessage"] = self.error_message
        record["requestParameters"] = _plain(self.request_parameters)
        record["responseElements"] = _plain(self.response_elements)
        if self.additional_event_data is not None:
            record["additionalEventData"] = _plain(self.additional_event_data)
        record.update(
            {
                "requestID": self.request_id,
                "eventID": self.event_id,
                "readOnly": self.read_only,
                "eventType": self.event_type,
                "managementEvent": True,
                "recipientAccountId": self.recipient_account_id,
                "eventCategory": "Management",
            }
        )
        return record


class EventLog(Sequence[Event]):
    """Every record of one fake, oldest first. Thread-safe; ``clear()`` empties it."""

    def __init__(self) -> None:
        # A call is redacted when it ends (no value survives it) and turned into its Event
        # records only when someone reads the log: building frozen records on every call
        # was a visible share of a call's cost. _built counts the entries already built.
        self._entries: list[Event | CallRecord] = []
        self._events: list[Event] = []
        self._built = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<EventLog: {len(self)} events>"

    def __len__(self) -> int:
        return len(self._settled())

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        return self._settled()[index]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._settled())

    def _append(self, event: Event) -> None:
        with self._lock:
            self._entries.append(event)

    def _add_call(self, record: CallRecord) -> None:
        with self._lock:
            self._entries.append(record)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._events.clear()
            self._built = 0

    def _settled(self) -> list[Event]:
        """Every record built, oldest first (a copy: the log keeps growing)."""
        with self._lock:
            for entry in self._entries[self._built :]:
                if isinstance(entry, Event):
                    self._events.append(entry)
                else:
                    self._events.extend(entry.build())
            self._built = len(self._entries)
            return list(self._events)

    def filter(
        self,
        operation: str | None = None,
        *,
        secret: str | None = None,
        error: str | bool | None = None,
        event_type: str | None = None,
    ) -> list[Event]:
        """The records that match every criterion given: ``operation`` (the event name, e.g.
        ``"GetSecretValue"`` or ``"RotationSucceeded"``), ``secret`` (name or ARN),
        ``error`` (an error code, True for any failure, False for successes) and
        ``event_type`` (``"AwsApiCall"`` or ``"AwsServiceEvent"``)."""
        if event_type not in (None, API_CALL, SERVICE_EVENT):
            raise UsageError(
                f"event_type is {API_CALL!r} or {SERVICE_EVENT!r}, got {event_type!r} "
                "(see docs/events-and-faults.md#events)"
            )
        _check_criteria(operation, error)
        found = []
        for event in self:
            if operation is not None and event.event_name != operation:
                continue
            if secret is not None and not event.concerns(secret):
                continue
            if event_type is not None and event.event_type != event_type:
                continue
            if error is True and event.error_code is None:
                continue
            if error is False and event.error_code is not None:
                continue
            if isinstance(error, str) and event.error_code != error:
                continue
            found.append(event)
        return found

    def count(
        self,
        operation: str | None = None,
        *,
        secret: str | None = None,
        error: str | bool | None = None,
        event_type: str | None = None,
    ) -> int:
        """How many records match (same criteria as ``filter``)."""
        return len(self.filter(operation, secret=secret, error=error, event_type=event_type))

    def names(self) -> list[str]:
        """The event names in order: handy for ``assert fake.events.names() == [...]``."""
        return [event.event_name for event in self]

    def to_cloudtrail(
        self, events: Sequence[Event] | None = None, *, indent: int | None = None
    ) -> str:
        """The records as a CloudTrail log file's JSON: ``{"Records": [...]}``."""
        chosen = list(self) if events is None else list(events)
        return json.dumps({"Records": [event.to_dict() for event in chosen]}, indent=indent)


def _check_criteria(operation: object, error: object) -> None:
    # A misspelt name would match nothing and make an assertion pass or fail for the wrong
    # reason; a secret that does not exist is a legitimate zero, so it is not checked.
    if operation is not None:
        known = _event_names()
        if operation not in known:
            raise UsageError(
                f"no event is named {operation!r}{_close_to(operation, known)}; event names are "
                f"the operations ({', '.join(sorted(operation_names()))}) and the service events "
                f"({', '.join(sorted(notices.NAMES))}) (see docs/events-and-faults.md#events)"
            )
    if error is not None and not isinstance(error, bool):
        codes = _error_codes()
        if error not in codes:
            raise UsageError(
                f"no error code is {error!r}{_close_to(error, codes)}; error= takes True (any "
                f"failure), False (successes) or one of {', '.join(sorted(codes))} "
                "(see docs/events-and-faults.md#events)"
            )


@functools.cache
def _event_names() -> frozenset[str]:
    return operation_names() | notices.NAMES


@functools.cache
def _error_codes() -> frozenset[str]:
    return error_codes() | {shape.name for shape in service_model().error_shapes}


def _close_to(given: object, known: frozenset[str]) -> str:
    if not isinstance(given, str):
        return ""
    import difflib

    close = difflib.get_close_matches(given, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- building records ---------------------------------------------------------------------------


# A NamedTuple, not a dataclass: every fake imports this module, and a dataclass costs several
# times as much to define (~1 ms, at every process start).
class CallRecord(NamedTuple):
    """One ended call, already redacted: no sensitive member of its parameters or result is
    left. ``build()`` makes its Event records; what only reading needs (CloudTrail's camelCase
    names, the event id) is done then, not while the call runs."""

    call: Call
    # Whether call.params / call.result still have the service's member names (nothing had
    # to be dropped, so they were kept as they were) rather than CloudTrail's.
    raw_params: bool
    raw_result: bool
    secret_arn: str | None
    secret_id: str | None
    batch: list[tuple[str | None, str | None, str | None]]

    def build(self) -> list[Event]:
        call, error = self.call, self.call.error
        operation = call.operation
        declaration = DECLARATIONS.get(operation)
        # An operation that changes nothing: CloudTrail marks it readOnly, shows no response.
        read_only = declaration is not None and declaration.read_only
        each_secret = declaration.each_secret if declaration is not None else None
        params = _visible(operation, call.params, output=False) if self.raw_params else call.params
        result = call.result
        if result is not None and self.raw_result:
            result = _visible(operation, result, output=True)
        event_id = _event_id(call.request_id)
        main = Event(
            event_time=call.time,
            event_name=operation,
            event_type=API_CALL,
            aws_region=call.region,
            recipient_account_id=call.account_id,
            user_identity=user_identity(
                call.caller.principal, call.caller.access_key, call.account_id, call.region
            ),
            source_ip_address=call.caller.source_ip,
            user_agent=call.caller.user_agent,
            request_parameters=params or None,
            response_elements=None if read_only else result or None,
            request_id=call.request_id,
            event_id=event_id,
            read_only=read_only,
            error_code=None if error is None else error.code,
            error_message=None if error is None else error.message,
            secret_arn=self.secret_arn,
            secret_id=self.secret_id,
        )
        events = [main]
        # §16: the service logs a GetSecretValue entry for each secret of a batch.
        for index, (target, code, message) in enumerate(self.batch):
            events.append(
                replace(
                    main,
                    event_name=each_secret or operation,
                    request_parameters={"secretId": target},
                    event_id=f"{event_id}-{index}",
                    error_code=code,
                    error_message=message,
                    secret_arn=target if code is None else None,
                    secret_id=target,
                )
            )
        return events


def _event_id(request_id: str) -> str:
    """A call's event id: a version-4 form UUID made from its request id (unique per call), so
    that no random draw is spent while the call runs and a seeded fake's ids stay replayable."""
    digest = bytearray(hashlib.blake2b(request_id.encode(), digest_size=16).digest())
    digest[6] = digest[6] & 0x0F | 0x40
    digest[8] = digest[8] & 0x3F | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def from_call(call: Call, *, secret_arn: str | None) -> CallRecord:
    """The record of one API call, redacted now: no secret value outlives the call."""
    error, result, operation = call.error, call.result, call.operation
    shown = None
    raw_result = False
    declaration = DECLARATIONS.get(operation)
    if error is None and result is not None and not (declaration and declaration.read_only):
        shown, raw_result = _redacted(operation, result, output=True)
    batch: list[tuple[str | None, str | None, str | None]] = []
    if declaration is not None and declaration.each_secret is not None and result is not None:
        batch = [(e.get("ARN"), None, None) for e in result.get("SecretValues", [])]
        batch += [
            (e.get("SecretId"), e.get("ErrorCode"), e.get("Message"))
            for e in result.get("Errors", [])
        ]
    params, raw_params = _redacted(operation, defined(operation, call.params), output=False)
    secret_id = params.get("SecretId")
    redacted = Call(
        operation,
        params,
        call.region,
        call.account_id,
        call.caller,
        call.request_id,
        call.time,
        shown,
        error,
    )
    return CallRecord(
        redacted,
        raw_params,
        raw_result,
        secret_arn,
        secret_id if isinstance(secret_id, str) else None,
        batch,
    )


def _redacted(
    operation: str, values: dict[str, Any], *, output: bool
) -> tuple[dict[str, Any], bool]:
    """``values`` without the model's sensitive members, and whether the member names are
    still the service's (renamed by _visible when the record is built). Only members that may
    hold a secret deeper down are walked now; otherwise the top-level ones are dropped, and
    ``values`` itself is kept when there are none (nothing else holds it after the call)."""
    hidden, nested = _plan(operation, output)
    walk = _walk_now(operation, output)
    dropped = False
    for key, item in values.items():
        if key in walk:
            return _visible(operation, values, output=output), False
        if key in hidden or isinstance(item, (bytes, bytearray)):
            dropped = True
    if dropped:
        values = {
            key: item
            for key, item in values.items()
            if key not in hidden and not isinstance(item, (bytes, bytearray))
        }
    return values, True


@functools.cache
def _walk_now(operation: str, output: bool) -> frozenset[str]:
    # The nested members whose shapes hold a sensitive member or a blob somewhere inside.
    _, nested = _plan(operation, output)
    return frozenset(name for name, shape in nested.items() if _may_hide(shape, set()))


def _may_hide(shape: Any, seen: set[str]) -> bool:
    if shape.metadata.get("sensitive") or shape.type_name == "blob":
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "structure":
        return any(_may_hide(member, seen) for member in shape.members.values())
    if shape.type_name == "list":
        return _may_hide(shape.member, seen)
    if shape.type_name == "map":
        return _may_hide(shape.key, seen) or _may_hide(shape.value, seen)
    return False


def from_notice(notice: Notice, *, event_id: str, request_id: str) -> Event:
    """A service event: the service acting on its own (rotation, deletion)."""
    if notice.token is not None:
        # Rotation events carry the rotation's token in their request id (§16).
        request_id = f"Rotation-{notice.secret_arn}-{notice.token}"
    return Event(
        event_time=notice.time,
        event_name=notice.name,
        event_type=SERVICE_EVENT,
        aws_region=notice.region,
        recipient_account_id=notice.account,
        user_identity={"accountId": notice.account, "invokedBy": EVENT_SOURCE},
        source_ip_address=EVENT_SOURCE,
        user_agent=EVENT_SOURCE,
        request_parameters=None,
        response_elements=None,
        request_id=request_id,
        event_id=event_id,
        read_only=False,
        additional_event_data={"SecretId": notice.secret_arn},
        secret_arn=notice.secret_arn,
        secret_id=notice.secret_arn,
    )


@functools.lru_cache(maxsize=256)
def user_identity(
    principal: Principal | None, access_key: str | None, account: str, region: str
) -> Mapping[str, str]:
    """The record's userIdentity; read-only, shared by the records of one caller."""
    return MappingProxyType(_identity(principal, access_key, account, region))


def _identity(
    principal: Principal | None, access_key: str | None, account: str, region: str
) -> dict[str, str]:
    if principal is None:
        identity = {
            "type": "Root",
            "principalId": account,
            "arn": root_arn(account, partition_of(region)),
            "accountId": account,
        }
    else:
        kind = principal.identity_type
        identity = {
            "type": kind,
            "principalId": _principal_id(principal, kind),
            "arn": principal.arn,
            "accountId": principal.account_id,
        }
        if kind == "IAMUser":
            identity["userName"] = principal.arn.rsplit("/", 1)[-1]
    if access_key:
        identity["accessKeyId"] = access_key
    return identity


def _principal_id(principal: Principal, kind: str) -> str:
    if kind == "Root":
        return principal.account_id
    # A stable stand-in for IAM's unique ids: AIDA… for users, AROA…:session for roles.
    digest = hashlib.sha256(principal.arn.encode()).hexdigest().upper()[:17]
    if kind == "AssumedRole":
        return f"AROA{digest}:{principal.arn.rsplit('/', 1)[-1]}"
    return f"AIDA{digest}"


def _visible(operation: str, values: Mapping[str, Any], *, output: bool) -> dict[str, Any]:
    """``values`` with CloudTrail's camelCase keys and without the model's sensitive members."""
    hidden, nested = _plan(operation, output)
    out = {}
    for key, item in values.items():
        if key in hidden:
            continue
        shape = nested.get(key)
        if shape is not None:
            item = _strip(item, shape)
        elif isinstance(item, (bytes, bytearray)):
            continue  # blobs are secret values in this service
        out[_camel(key)] = item
    return out


@functools.cache
def _plan(operation: str, output: bool) -> tuple[frozenset[str], dict[str, Any]]:
    # Per operation, once: which top-level members are sensitive and which need walking.
    # Walking only the nested ones keeps a call's record cheap (most members are strings).
    model = service_model().operation_model(operation)
    shape = model.output_shape if output else model.input_shape
    members = shape.members if shape is not None else {}
    hidden = frozenset(name for name, m in members.items() if m.metadata.get("sensitive"))
    nested = {
        name: member
        for name, member in members.items()
        if name not in hidden and member.type_name in ("structure", "list", "map")
    }
    return hidden, nested


def _strip(value: Any, shape: Any) -> Any:
    if shape is not None and shape.metadata.get("sensitive"):
        return _HIDDEN
    if isinstance(value, Mapping):
        members = getattr(shape, "members", {}) if shape is not None else {}
        out = {}
        for key, item in value.items():
            member = members.get(key)
            if shape is not None and getattr(shape, "type_name", "") == "map":
                member = shape.value
            kept = _strip(item, member)
            if kept is not _HIDDEN:
                out[_camel(key) if members else key] = kept
        return out
    if isinstance(value, list):
        member = getattr(shape, "member", None)
        return [item for item in (_strip(v, member) for v in value) if item is not _HIDDEN]
    if isinstance(value, (bytes, bytearray)):
        return _HIDDEN  # blobs are secret values in this service
    return value


_HIDDEN = object()


def _camel(key: str) -> str:
    # CloudTrail lower-cases an all-capitals name whole ("ARN" -> "arn"), else its first letter.
    return key.lower() if key.isupper() else key[:1].lower() + key[1:]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return _iso(value)
    return value


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name_of(arn: str) -> str:
    # arn:...:secret:<name>-<6 chars>
    tail = arn.split(":secret:", 1)[-1]
    return tail[:-7] if len(tail) > 7 and tail[-7] == "-" else tail


class CallRecorder:
    """The pipeline's record stage: one record per call into ``log``, and a debug line."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def record(self, call: Call, store: SecretStore) -> None:
        arn = _secret_arn(call, store)
        self._log._add_call(from_call(call, secret_arn=arn))
        if _logger.isEnabledFor(logging.DEBUG):
            # Names and codes only: a value never reaches the log.
            secret_id = call.params.get("SecretId")
            _logger.debug(
                "%s %s -> %s",
                call.operation,
                arn or (secret_id if isinstance(secret_id, str) else ""),
                call.error.code if call.error is not None else "OK",
            )


def _secret_arn(call: Call, store: SecretStore) -> str | None:
    result = call.result or {}
    arn = result.get("ARN")
    if isinstance(arn, str):
        return arn
    secret_id = call.params.get("SecretId")
    if not isinstance(secret_id, str):
        return None
    try:
        found = store.find(secret_id)
    except ServiceError:
        return None
    return found.arn if found is not None else None


_logger = logging.getLogger("smfake")
