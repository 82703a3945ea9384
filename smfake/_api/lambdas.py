"""Rotation functions: Python callables standing for Lambda functions, invoked the way the
Lambda runtime would (an event dict, a context object, the function's environment)."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from smfake._domain.clock import FakeClock
from smfake._domain.rotation import DEFAULT_RETRIES, RotationFunction
from smfake.errors import UsageError, UsageTypeError

_FUNCTION_ARN = re.compile(
    r"arn:(aws[a-z-]*):lambda:([a-z]+(?:-[a-z]+)+-\d+):(\d{12}):function:([A-Za-z0-9_-]{1,64})"
    r"(?::[A-Za-z0-9$_-]{1,128})?"
)
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SECRET_ARN_REGION = re.compile(r"arn:[a-z-]+:secretsmanager:([a-z0-9-]+):")
TIMEOUT = timedelta(seconds=30)
MEMORY_MB = 128
_environ_lock = threading.RLock()

Handler = Callable[[dict[str, str], Any], object]


class LambdaContext:
    """What the Lambda runtime passes as ``context``; time is the fake clock's."""

    function_version = "$LATEST"
    memory_limit_in_mb = MEMORY_MB
    identity = None
    client_context = None

    def __init__(self, function: RotationFunction, clock: FakeClock, request_id: str) -> None:
        self.function_name = function.name
        self.invoked_function_arn = function.arn
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function.name}"
        started = clock.now()
        self.log_stream_name = f"{started:%Y/%m/%d}/[$LATEST]{request_id.replace('-', '')}"
        self._deadline = started + TIMEOUT
        self._clock = clock

    def get_remaining_time_in_millis(self) -> int:
        left = self._deadline - self._clock.now()
        return max(0, left // timedelta(milliseconds=1))

    def __repr__(self) -> str:
        return f"LambdaContext(function_name={self.function_name!r})"


def function_arn(name_or_arn: str, *, partition: str, region: str, account_id: str) -> str:
    if not isinstance(name_or_arn, str):
        raise UsageTypeError(f"a rotation function is named by a str, got {name_or_arn!r}")
    if _FUNCTION_ARN.fullmatch(name_or_arn):
        return name_or_arn
    if _FUNCTION_NAME.fullmatch(name_or_arn):
        return f"arn:{partition}:lambda:{region}:{account_id}:function:{name_or_arn}"
    raise UsageError(
        f"{name_or_arn!r} is neither a Lambda function name (letters, digits, - and _, up to "
        "64) nor a function ARN like arn:aws:lambda:us-east-1:123456789012:function:name "
        "(see docs/clock-and-rotation.md#rotation)"
    )


def make_function(arn: str, handler: Handler, retries: int = DEFAULT_RETRIES) -> RotationFunction:
    if not callable(handler):
        raise UsageTypeError(f"a rotation handler is a callable(event, context), got {handler!r}")
    _check_signature(handler)
    _check_retries(retries)
    name = arn.split(":function:", 1)[1].split(":", 1)[0]
    return RotationFunction(arn, name, handler, retries)


PartnerHandler = Callable[[dict[str, str]], object]
_TYPE_MAX = 256  # the model's MedeaTypeType


def make_partner(
    type_name: str, handler: PartnerHandler, retries: int = DEFAULT_RETRIES
) -> RotationFunction:
    """The rotator of the managed external secrets whose Type is ``type_name``."""
    check_type_name(type_name)
    if not callable(handler):
        raise UsageTypeError(f"a partner rotator is a callable(event), got {handler!r}")
    _check_signature(handler, partner=True)
    _check_retries(retries)
    return RotationFunction("", type_name, handler, retries, partner=True)


def check_type_name(type_name: str) -> None:
    if not isinstance(type_name, str):
        raise UsageTypeError(f"a secret Type is a str, got {type_name!r}")
    if not 1 <= len(type_name) <= _TYPE_MAX:
        raise UsageError(
            f"a secret Type is 1 to {_TYPE_MAX} characters (an empty Type is no Type), got "
            f"{type_name!r} (see docs/clock-and-rotation.md#managed-external-secrets)"
        )


def _check_retries(retries: int) -> None:
    if not isinstance(retries, int) or not 0 <= retries <= 2:
        raise UsageError(f"retries is 0, 1 or 2 as Lambda allows, got {retries!r}")


def _check_signature(handler: Callable[..., object], *, partner: bool = False) -> None:
    # Lambda calls handler(event, context): a handler that cannot take both would fail every
    # step, each failure recorded as the handler's own; better to say so when it is registered.
    import inspect

    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):
        return  # a builtin or an extension type: no signature to check
    if partner:
        try:
            signature.bind(object())
        except TypeError as error:
            raise UsageTypeError(
                f"a partner rotator is called as handler(event); "
                f"{getattr(handler, '__qualname__', handler)!r}{signature} cannot be ({error}) "
                "(see docs/clock-and-rotation.md#managed-external-secrets)"
            ) from None
        return
    try:
        signature.bind(object(), object())
    except TypeError as error:
        raise UsageTypeError(
            f"a rotation handler is called as handler(event, context), as Lambda calls it; "
            f"{getattr(handler, '__qualname__', handler)!r}{signature} cannot be ({error}) "
            "(see docs/clock-and-rotation.md#rotation)"
        ) from None


def make_invoker(clock: FakeClock) -> Callable[[RotationFunction, dict[str, str]], None]:
    def invoke(function: RotationFunction, event: dict[str, str]) -> None:
        if function.partner:
            # Secrets Manager rotates a managed external secret itself: no Lambda runtime.
            function.handler(dict(event))
            return
        match = _SECRET_ARN_REGION.match(event.get("SecretId", ""))
        region = match.group(1) if match else function.arn.split(":")[3]
        request_id = str(uuid.uuid4())
        environment = {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_MB),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            # AWS's rotation templates build their client from this variable.
            "SECRETS_MANAGER_ENDPOINT": f"https://secretsmanager.{region}.amazonaws.com",
        }
        with _environ_lock:
            saved = {name: os.environ.get(name) for name in environment}
            os.environ.update(environment)
            try:
                function.handler(dict(event), LambdaContext(function, clock, request_id))
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value

    return invoke
