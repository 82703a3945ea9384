"""Fault injection: AWS errors on chosen operations, for N calls or with a seeded probability.

An injected fault is raised where the service would refuse the call (before validation and
before anything changes) and travels the same path as the service's own errors: same status,
headers, body, event record. botocore's retry handlers see it as they would see AWS's.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from smfake._domain import messages
from smfake._domain.errors import COMMON_ERRORS, ServiceError
from smfake._domain.principals import root_arn
from smfake._domain.store import SecretStore, partition_of
from smfake._wire.dispatch import Call
from smfake._wire.model import operation_names, service_model
from smfake.errors import UsageError, UsageTypeError

ANY_OPERATION = "*"
_DOCS = "docs/events-and-faults.md#faults"
_SERVER_FAULTS = {"InternalServiceError": 500}


@dataclass(slots=True)
class Fault:
    """One injection. ``remaining`` counts down (None: no limit); ``hits`` counts up."""

    operation: str
    error: str
    message: str | None
    status: int
    remaining: int | None
    probability: float | None
    secret: str | None
    hits: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0


class InjectedError(ServiceError):
    """An error built at run time: its code is whatever the test asked for."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]
        self.status = status


class FaultPlan:
    """``fake.faults``: what to inject, checked on every call before it runs."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<FaultPlan: {len(self.pending)} pending>"

    def inject(
        self,
        operation: str,
        error: str = "ThrottlingException",
        *,
        message: str | None = None,
        count: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
        secret: str | None = None,
        status: int | None = None,
    ) -> Fault:
        """Make ``operation`` (an operation name, or ``"*"`` for all) fail with ``error``.

        By default the next call fails once. ``count=N`` fails the next N calls;
        ``probability=p`` fails each call with probability p (seeded by ``seed``), for at most
        ``count`` calls if given. ``secret`` (a name or ARN) limits the fault to calls about
        that secret. ``message`` and ``status`` replace the error's usual text and HTTP status.
        """
        if operation != ANY_OPERATION and operation not in operation_names():
            raise UsageError(
                f"cannot inject into {operation!r}: not an operation of the service; use one of "
                f"{sorted(operation_names())} or '*' (see {_DOCS})"
            )
        default_status, _ = _known_error(error)
        if count is not None and (not isinstance(count, int) or count < 1):
            raise UsageError(f"count is a positive int, got {count!r} (see {_DOCS})")
        if probability is not None and not (
            isinstance(probability, (int, float)) and 0 < probability <= 1
        ):
            raise UsageError(
                f"probability is a number in (0, 1], got {probability!r} (see {_DOCS})"
            )
        if message is not None and not isinstance(message, str):
            raise UsageTypeError(f"message is a str, got {type(message).__name__}")
        if secret is not None and not isinstance(secret, str):
            raise UsageTypeError(f"secret is a name or ARN (str), got {type(secret).__name__}")
        if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
            raise UsageError(f"status is an HTTP error status (400-599), got {status!r}")
        remaining = count if count is not None or probability is not None else 1
        fault = Fault(
            operation,
            error,
            message,
            status or default_status,
            remaining,
            None if probability is None else float(probability),
            secret,
            _rng=random.Random(seed),
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every injection."""
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """The injections that can still fire."""
        with self._lock:
            return [fault for fault in self._faults if not fault.exhausted]

    def _check(self, call: Call, store: SecretStore) -> None:
        """Raise the first matching injection's error, if any fires for this call."""
        if not self._faults:
            return  # the common case, checked without the lock
        with self._lock:
            faults = [fault for fault in self._faults if not fault.exhausted]
        for fault in faults:
            if fault.operation not in (ANY_OPERATION, call.operation):
                continue
            if fault.secret is not None and not _about(call.params, fault.secret, store):
                continue
            with self._lock:
                if fault.exhausted:
                    continue
                if fault.probability is not None and fault._rng.random() >= fault.probability:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.hits += 1
            raise InjectedError(fault.error, _message(fault, call, store), fault.status)


def _known_error(code: object) -> tuple[int, str]:
    if not isinstance(code, str):
        raise UsageTypeError(f"error is an AWS error code (str), got {code!r}")
    if code in COMMON_ERRORS:
        return COMMON_ERRORS[code]
    modelled = {shape.name: shape for shape in service_model().error_shapes}
    shape = modelled.get(code)
    if shape is None:
        raise UsageError(
            f"cannot inject {code!r}: use an error of the service model "
            f"({', '.join(sorted(modelled))}) or a common AWS error "
            f"({', '.join(sorted(COMMON_ERRORS))}) (see {_DOCS})"
        )
    status = _SERVER_FAULTS.get(code, 500 if shape.metadata.get("fault") else 400)
    return status, _OWN_TEXTS.get(code) or _doc_text(shape.documentation)


def _message(fault: Fault, call: Call, store: SecretStore) -> str:
    if fault.message is not None:
        return fault.message
    if fault.error == "AccessDeniedException":
        principal = call.caller.principal
        who = principal.arn if principal else root_arn(call.account_id, partition_of(call.region))
        action = f"secretsmanager:{call.operation}"
        # The access-control refusal's form, the secret named as the caller gave it.
        secret_id = call.params.get("SecretId")
        on_resource = (
            messages.ACCESS_DENIED_ON_RESOURCE.format(resource=secret_id)
            if isinstance(secret_id, str)
            else ""
        )
        return messages.ACCESS_DENIED_IMPLICIT_IDENTITY.format(
            principal=who, action=action, on_resource=on_resource
        )
    return _known_error(fault.error)[1] or messages.INTERNAL_FAILURE


def _about(params: dict[str, Any], secret: str, store: SecretStore) -> bool:
    wanted = _find(store, secret)
    ids = [params.get("SecretId"), params.get("Name")]
    ids.extend(params.get("SecretIdList") or [])
    for given in ids:
        if not isinstance(given, str):
            continue
        if given == secret:
            return True
        found = _find(store, given)
        if wanted is not None and found is wanted:
            return True
    return False


def _find(store: SecretStore, secret_id: str) -> Any:
    try:
        return store.find(secret_id)
    except ServiceError:
        return None  # not a valid name: it cannot name a secret


_TAGS = re.compile(r"<[^>]+>")
# The texts the fake itself uses for these codes, when they need no fields (AWS's own, §19).
_OWN_TEXTS = {
    cls.code: cls.template
    for cls in ServiceError.__subclasses__()
    if "template" in vars(cls) and "{" not in cls.template
}


def _doc_text(documentation: str | None) -> str:
    # The model documents each error in a sentence or two of HTML; AWS's runtime texts for
    # these codes vary by cause, so the documented sentence stands in (see README).
    return " ".join(_TAGS.sub("", documentation or "").split())
