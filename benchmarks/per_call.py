"""Per call: GetSecretValue and PutSecretValue through a real boto3 client, answered by smfake
(full wire path, and its before-call fast path if it has one), by botocore's Stubber, by a
before-send hook returning canned JSON (no backend: the floor of the full wire path) and by
moto."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from benchmarks import common
from benchmarks.harness import (
    NA,
    Goal,
    Result,
    Samples,
    Settings,
    Table,
    Target,
    cpu_check,
    median,
    paired_ratio,
    ratio_cell,
    skip_reason,
    times,
    us,
    worker,
)

TITLE = "Per call"
OPERATIONS = ("GetSecretValue", "PutSecretValue")
FULL_GOAL = Goal("≤ 1.15x canned hook", 1.15)
FAST_GOAL = Goal("≤ 1.5x Stubber", 1.5)


def _put_secret_names(settings: Settings) -> list[str]:
    return ["bench-put-warm-up"] + [f"bench-put-{i}" for i in range(settings.batches)]


def _measure(getter: Any, putter: Any, settings: Settings) -> Result:
    """The same loop for every target: one client for GetSecretValue, one for
    PutSecretValue; warm-up, then batches taking turns. Each PutSecretValue batch writes to a
    secret of its own, so that no secret nears the 100-version quota (a backend that models
    the quota would otherwise refuse, or prune, mid-batch)."""
    put_names = iter(_put_secret_names(settings))
    put_target = {"name": next(put_names)}

    def get() -> object:
        return getter.get_secret_value(SecretId="bench")

    def put() -> object:
        return putter.put_secret_value(SecretId=put_target["name"], SecretString=common.VALUE)

    def next_put_secret() -> None:
        put_target["name"] = next(put_names)

    calls = {"GetSecretValue": get, "PutSecretValue": put}
    common.warm_up(calls, settings.warmup_calls)
    return dict(
        common.interleaved(
            calls,
            batches=settings.batches,
            per_batch=settings.batch_calls,
            before_batch={"PutSecretValue": next_put_secret},
        )
    )


def _create_secrets(sm: Any, settings: Settings) -> None:
    for name in ["bench", *_put_secret_names(settings)]:
        sm.create_secret(Name=name, SecretString=common.VALUE)


def canned(settings: Settings) -> Result:
    getter, putter = common.client(), common.client()
    handler = common.canned_handler()
    common.register_canned(getter, handler)
    common.register_canned(putter, handler)
    return _measure(getter, putter, settings)


def stubber(settings: Settings) -> Result:
    from botocore.stub import Stubber

    getter, putter = common.client(), common.client()
    queued = settings.warmup_calls + settings.batches * settings.batch_calls
    for sm, operation in ((getter, "get_secret_value"), (putter, "put_secret_value")):
        stub = Stubber(sm)
        for _ in range(queued):
            stub.add_response(operation, common.stubber_result(operation))
        stub.activate()
    return _measure(getter, putter, settings)


def _smfake(settings: Settings, fast: bool) -> Result:
    from smfake import mock_secretsmanager

    switch = common.fast_path(fast)
    if fast and switch is None:
        return {"skip": "this smfake has no before-call fast path"}
    with mock_secretsmanager():
        getter, putter = common.client(), common.client()
        _create_secrets(getter, settings)
        result = _measure(getter, putter, settings)
    result["fast_path_switch"] = switch or "absent"
    return result


def smfake_full(settings: Settings) -> Result:
    return _smfake(settings, fast=False)


def smfake_fast(settings: Settings) -> Result:
    return _smfake(settings, fast=True)


def moto(settings: Settings) -> Result:
    try:
        from moto import mock_aws
    except ImportError:
        return {"skip": "moto is not installed"}
    with mock_aws():
        getter, putter = common.client(), common.client()
        _create_secrets(getter, settings)
        return _measure(getter, putter, settings)


WORKERS: dict[str, Callable[[Settings], Result]] = {
    "canned": canned,
    "stubber": stubber,
    "smfake-full": smfake_full,
    "smfake-fast": smfake_fast,
    "moto": moto,
}
LABELS = {
    "canned": "before-send hook, canned JSON (floor)",
    "stubber": "botocore Stubber (before-call)",
    "smfake-full": "smfake, full wire path",
    "smfake-fast": "smfake, before-call fast path",
    "moto": "moto (mock_aws)",
}


def moto_missing(settings: Settings) -> str | None:
    """Why moto is not measured, or None when it is."""
    if importlib.util.find_spec("moto") is None:
        return "moto is not installed"
    return None if settings.moto else f"moto is not measured in {settings.mode} mode"


def targets(settings: Settings) -> dict[str, Target]:
    found = {name: worker("per_call", name, settings) for name in WORKERS}
    missing = moto_missing(settings)
    if missing is not None:
        found["moto"] = lambda: {"skip": missing}
    return found


def values_of(samples: Samples, target: str, key: str) -> list[str]:
    return [str(r[key]) for r in samples.get(target, ()) if key in r]


def report(samples: Samples, settings: Settings) -> Table:
    table = Table(
        f"{TITLE}: one call through a boto3 client",
        ["operation", "answered by", "time per call", "x canned hook", "x Stubber", "goal"],
    )
    for operation in OPERATIONS:
        for name, label in LABELS.items():
            reason = skip_reason(samples, name)
            if reason is not None:
                table.add(operation, label, NA, NA, NA, reason)
                continue
            to_canned = paired_ratio(samples, name, operation, "canned")
            to_stubber = paired_ratio(samples, name, operation, "stubber")
            goal = ""
            if name == "smfake-full":
                goal = table.judge(
                    f"{operation}, smfake full path",
                    FULL_GOAL,
                    to_canned,
                    times(to_canned),
                    cpu_check(samples, name, operation, "canned"),
                )
            elif name == "smfake-fast":
                goal = table.judge(
                    f"{operation}, smfake fast path",
                    FAST_GOAL,
                    to_stubber,
                    times(to_stubber),
                    cpu_check(samples, name, operation, "stubber"),
                )
            table.add(
                operation,
                label,
                us(median(samples, name, operation)),
                ratio_cell(samples, name, operation, "canned"),
                ratio_cell(samples, name, operation, "stubber"),
                goal,
            )
    switch = next(iter(values_of(samples, "smfake-full", "fast_path_switch")), "absent")
    if switch == "absent":
        path_note = "This smfake has no fast-path switch: its only path is the full wire path."
    else:
        default = "on" if "default: on" in switch else "off"
        path_note = (
            "The full-path row switches smfake's fast path off "
            "(`smfake._wire.hook.fast_path_enabled(False)`), the fast-path row on; by default "
            f"it is {default}."
        )
    table.notes.append(
        "Each target runs in a fresh process per round; times are medians over rounds, ratios "
        "are medians of the ratios measured in the same round. The canned hook answers at "
        "before-send, so a call pays all of botocore (validation, serialisation, endpoint "
        "resolution, signing, response parsing): it is the floor of any backend behind that "
        "full path. The Stubber answers at before-call, after validation, serialisation and "
        "endpoint resolution, skipping signing, sending and parsing. " + path_note
    )
    return table
