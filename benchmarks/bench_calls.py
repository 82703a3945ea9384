"""Per-call and per-test cost of smfake next to botocore with no backend.

Run: python benchmarks/bench_calls.py [--rounds N]
Each round times every target once, in an order that rotates between rounds, so that noise
from a shared machine falls on all targets alike; the table shows medians and ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import statistics
import time
from collections.abc import Callable

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from smfake import mock_secretsmanager

# The baselines sign with whatever credentials exist; smfake supplies its own when none do.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

CALLS = 200
REGION = "us-east-1"
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf"
CANNED = {
    "ARN": ARN,
    "Name": "bench",
    "VersionId": "0" * 36,
    "SecretString": "value",
    "VersionStages": ["AWSCURRENT"],
    "CreatedDate": 1700000000.0,
}


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


def per_call(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(CALLS):
        fn()
    return (time.perf_counter() - start) / CALLS * 1e6


def stubber_get() -> float:
    client = boto3.client("secretsmanager", region_name=REGION)
    stub = Stubber(client)
    for _ in range(CALLS):
        created = datetime.datetime.fromtimestamp(1700000000, datetime.timezone.utc)
        stub.add_response("get_secret_value", dict(CANNED, CreatedDate=created))
    with stub:
        return per_call(lambda: client.get_secret_value(SecretId="bench"))


def canned_hook_get() -> float:
    client = boto3.client("secretsmanager", region_name=REGION)
    body = json.dumps(CANNED).encode()

    def answer(request, **_):
        headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.1"}
        return AWSResponse(request.url, 200, headers, _Body(body))

    client.meta.events.register_first("before-send.secrets-manager", answer)
    return per_call(lambda: client.get_secret_value(SecretId="bench"))


def smfake_get() -> float:
    with mock_secretsmanager():
        client = boto3.client("secretsmanager", region_name=REGION)
        client.create_secret(Name="bench", SecretString="value")
        return per_call(lambda: client.get_secret_value(SecretId="bench"))


def smfake_put() -> float:
    with mock_secretsmanager() as fake:
        client = boto3.client("secretsmanager", region_name=REGION)
        client.create_secret(Name="bench", SecretString="value")
        fake.clock.freeze()

        def put() -> None:
            # Advance so that deprecated versions age past 24 h and the quota never bites.
            fake.clock.advance(days=1)
            client.put_secret_value(SecretId="bench", SecretString="value2")

        return per_call(put)


def fixture_cycle() -> float:
    def cycle() -> None:
        with mock_secretsmanager():
            client = boto3.client("secretsmanager", region_name=REGION)
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.get_secret_value(SecretId="missing")

    start = time.perf_counter()
    for _ in range(20):
        cycle()
    return (time.perf_counter() - start) / 20 * 1e6


def activation_only() -> float:
    start = time.perf_counter()
    for _ in range(CALLS):
        with mock_secretsmanager():
            pass
    return (time.perf_counter() - start) / CALLS * 1e6


TARGETS: dict[str, Callable[[], float]] = {
    "Stubber GetSecretValue": stubber_get,
    "before-send canned GetSecretValue": canned_hook_get,
    "smfake GetSecretValue": smfake_get,
    "smfake PutSecretValue": smfake_put,
    "smfake activate+stop": activation_only,
    "smfake activate+client+call+stop": fixture_cycle,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    names = list(TARGETS)
    results: dict[str, list[float]] = {name: [] for name in names}
    for target in TARGETS.values():
        target()  # warm-up: imports, model loading
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            results[name].append(TARGETS[name]())
    medians = {name: statistics.median(values) for name, values in results.items()}
    floor = medians["before-send canned GetSecretValue"]
    stub = medians["Stubber GetSecretValue"]
    print(f"{'target':40} {'median µs':>10} {'x canned hook':>14} {'x Stubber':>10}")
    for name in names:
        m = medians[name]
        print(f"{name:40} {m:10.1f} {m / floor:14.2f} {m / stub:10.2f}")


if __name__ == "__main__":
    main()
