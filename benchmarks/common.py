"""Helpers for the measured processes. Importing this module imports neither boto3 nor smfake:
a baseline's process must not carry smfake's dormant dispatcher."""

from __future__ import annotations

import datetime
import json
import os
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

REGION = "us-east-1"
ENDPOINT = f"https://secretsmanager.{REGION}.amazonaws.com/"
ACCOUNT = "123456789012"
# The shape of a typical database secret.
VALUE = '{"username": "app", "password": "correct-horse-battery-staple", "port": 5432}'
KIB_VALUE = "x" * 1024
CREATED = 1_700_000_000.0


def client() -> Any:
    import boto3

    return boto3.client("secretsmanager", region_name=REGION)


# -- timing ----------------------------------------------------------------------------------


CPU = "@cpu"  # suffix of the CPU-time twin of a measurement


def batch_ns(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Mean ns per call over ``calls`` back-to-back calls: wall time (perf_counter_ns) and
    this thread's CPU time. On a shared machine, CPU time shows what other processes taking
    the CPU did to the wall time."""
    cpu = time.thread_time_ns()
    start = time.perf_counter_ns()
    for _ in range(calls):
        call()
    wall = time.perf_counter_ns() - start
    return wall / calls, (time.thread_time_ns() - cpu) / calls


def interleaved(
    calls: Mapping[str, Callable[[], object]],
    *,
    batches: int,
    per_batch: int,
    before_batch: Mapping[str, Callable[[], object]] | None = None,
) -> dict[str, float]:
    """Median (over ``batches``) ns per call of each measurement, batches of the measurements
    taking turns so that a slow spell of the machine is shared; ``key + CPU`` is the same for
    CPU time. ``before_batch[key]`` runs, untimed, before each batch of ``key``."""
    before_batch = before_batch or {}
    found: dict[str, list[float]] = {}
    keys = list(calls)
    for index in range(batches):
        shift = index % len(keys)
        for key in keys[shift:] + keys[:shift]:
            prepare = before_batch.get(key)
            if prepare is not None:
                prepare()
            wall, cpu = batch_ns(calls[key], per_batch)
            found.setdefault(key, []).append(wall)
            found.setdefault(key + CPU, []).append(cpu)
    return {key: statistics.median(samples) for key, samples in found.items()}


def warm_up(calls: Mapping[str, Callable[[], object]], count: int) -> None:
    for call in calls.values():
        for _ in range(count):
            call()


# -- a backend that answers canned JSON at before-send: the floor of botocore's wire path -----

ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:bench-AbCdEf"
VERSION_ID = "6f1e8a52-5c2e-4d7a-9a64-2b1f7f0d3c11"
GET_RESULT: dict[str, Any] = {
    "ARN": ARN,
    "Name": "bench",
    "VersionId": VERSION_ID,
    "SecretString": VALUE,
    "VersionStages": ["AWSCURRENT"],
    "CreatedDate": CREATED,
}
PUT_RESULT: dict[str, Any] = {
    "ARN": ARN,
    "Name": "bench",
    "VersionId": VERSION_ID,
    "VersionStages": ["AWSCURRENT"],
}
DESCRIBE_RESULT: dict[str, Any] = {
    "ARN": ARN,
    "Name": "bench",
    "LastChangedDate": CREATED,
    "LastAccessedDate": CREATED,
    "VersionIdsToStages": {VERSION_ID: ["AWSCURRENT"]},
    "CreatedDate": CREATED,
}
CANNED_BODIES = {
    "secretsmanager.GetSecretValue": json.dumps(GET_RESULT).encode(),
    "secretsmanager.PutSecretValue": json.dumps(PUT_RESULT).encode(),
    "secretsmanager.DescribeSecret": json.dumps(DESCRIBE_RESULT).encode(),
}


def stubber_result(operation: str) -> dict[str, Any]:
    """What a Stubber is told to return: the canned result, with botocore's parsed types."""
    if operation == "get_secret_value":
        created = datetime.datetime.fromtimestamp(CREATED, datetime.timezone.utc)
        return dict(GET_RESULT, CreatedDate=created)
    return dict(PUT_RESULT)


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: object) -> bytes:
        return self._data


def canned_handler() -> Callable[..., Any]:
    """A before-send handler: the canned body for the request's operation, with the headers
    a JSON 1.1 service sends. No state, no decoding of the request body."""
    from botocore.awsrequest import AWSResponse

    def answer(request: Any, **_: Any) -> Any:
        target = request.headers["X-Amz-Target"]
        if isinstance(target, bytes):
            target = target.decode()
        body = CANNED_BODIES[target]
        headers = {
            "x-amzn-RequestId": str(uuid.uuid4()),
            "Content-Type": "application/x-amz-json-1.1",
            "Content-Length": str(len(body)),
            "Date": "Tue, 14 Nov 2023 22:13:20 GMT",
        }
        return AWSResponse(request.url, 200, headers, _Body(body))

    return answer


CANNED_EVENT = "before-send.secrets-manager"
CANNED_ID = "benchmark-canned"


def register_canned(sm: Any, handler: Callable[..., Any]) -> None:
    sm.meta.events.register_first(CANNED_EVENT, handler, unique_id=CANNED_ID)


def unregister_canned(sm: Any) -> None:
    sm.meta.events.unregister(CANNED_EVENT, unique_id=CANNED_ID)


# -- smfake ----------------------------------------------------------------------------------


def fast_path(enabled: bool) -> str | None:
    """Switch smfake's before-call fast path on or off; None if this smfake has no switch
    (then its only path is the full wire path), else what was set and what the default was."""
    from smfake._wire import hook

    switch = getattr(hook, "fast_path_enabled", None)
    if switch is None or not getattr(hook, "FAST_PATH_AVAILABLE", False):
        return None
    try:
        default = "on" if switch() else "off"
    except TypeError:  # a switch that only sets
        default = "unknown"
    outcome = switch(enabled)
    if hasattr(outcome, "__enter__"):  # a context manager: enter it for the process's life
        outcome.__enter__()
    return f"{'on' if enabled else 'off'} (default: {default})"


def default_path() -> str:
    """Which path smfake's boto3 calls take when nobody switches: for the report's notes."""
    from smfake._wire import hook

    switch = getattr(hook, "fast_path_enabled", None)
    if switch is not None and getattr(hook, "FAST_PATH_AVAILABLE", False):
        try:
            return "before-call fast path" if switch() else "full wire path"
        except TypeError:
            return "unknown"
    return "full wire path"


def path_note(samples: Any, targets: Any) -> str:
    """'smfake ran its default path: ...' from the results of ``targets``."""
    paths = sorted(
        {str(r["smfake_path"]) for t in targets for r in samples.get(t, ()) if "smfake_path" in r}
    )
    return f"smfake ran its default path: {' / '.join(paths)}." if paths else ""


def http_caller(
    fake: Any, operation: str, params: Mapping[str, Any] | Callable[[], Mapping[str, Any]]
) -> Callable[[], Any]:
    """A JSON 1.1 request through ``fake.http.handle``: smfake's wire and domain, without
    botocore. ``params`` is a constant body (encoded once) or makes each call's body (for
    unique names and tokens). The call raises on an error reply."""
    headers = {
        "X-Amz-Target": f"secretsmanager.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }
    handle = fake.http.handle
    if callable(params):
        make = params

        def body() -> bytes:
            return json.dumps(make()).encode()

    else:
        fixed = json.dumps(params).encode()

        def body() -> bytes:
            return fixed

    def call() -> Any:
        reply = handle("POST", ENDPOINT, headers, body())
        if reply.status != 200:
            raise RuntimeError(f"{operation}: {reply.status} {reply.body[:200]!r}")
        return reply

    return call


def rss_bytes() -> int:
    """The process's resident set size now (Linux /proc), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
