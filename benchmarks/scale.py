"""Scale: whether a call's cost stays flat as the fake fills up, and what a secret costs in
memory. Every case is timed through a boto3 client (what a test pays: the goals apply to it)
and through ``fake.http.handle`` (smfake's wire and domain alone, where growth would show
first). Big stores are filled with ``fake.add_secret``; boto3 would take minutes."""

from __future__ import annotations

import gc
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import repeat
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
    times,
    us,
    worker,
)

TITLE = "Scale"
LOOKUP_GOAL = Goal("≤ 1.1x", 1.1)
LIST_GOAL = Goal("≤ 1.2x", 1.2)
FLAT_GOAL = Goal("flat: ≤ 1.1x", 1.1)
MEMORY_GOAL = Goal("≤ 1.6 KB (1,600 bytes)", 1600)
TARGET = "app/secret-target"  # as long as the other names, so every store reads the same
APP_FILTER = [{"Key": "name", "Values": ["app/"]}]
PAGE = 100
SMALL_LIST = 100
SMALL_HISTORY = 10
KIB = common.KIB_VALUE
HISTORY_CHUNK = 40  # puts between two clock advances: the quota prunes only day-old versions


def _names(size: int, *, all_app: bool) -> Iterator[str]:
    """``size`` names, TARGET in the middle; half of them start with "app/" (all of them with
    ``all_app``), so that a name filter selects from a mixed store. Made one at a time, as a
    test would: a list of them made up front would hide their memory in the baseline."""
    middle = size // 2
    for index in range(size):
        prefix = "app" if all_app or index % 2 == 0 else "web"
        yield TARGET if index == middle else f"{prefix}/secret-{index:06}"


def _fill(fake: Any, size: int, *, all_app: bool = False) -> None:
    for name in _names(size, all_app=all_app):
        fake.add_secret(name, KIB)


def _lookups(fake: Any, sm: Any) -> dict[str, Callable[[], object]]:
    return {
        "get.boto3": lambda: sm.get_secret_value(SecretId=TARGET),
        "describe.boto3": lambda: sm.describe_secret(SecretId=TARGET),
        "get.http": common.http_caller(fake, "GetSecretValue", {"SecretId": TARGET}),
        "describe.http": common.http_caller(fake, "DescribeSecret", {"SecretId": TARGET}),
    }


def _checked_page(page: dict[str, Any]) -> dict[str, Any]:
    if len(page["SecretList"]) != PAGE:
        raise RuntimeError(f"a page of {len(page['SecretList'])} secrets, not {PAGE}")
    return page


def _listings(fake: Any, sm: Any) -> dict[str, Callable[[], object]]:
    plain = {"MaxResults": PAGE}
    named = {"MaxResults": PAGE, "Filters": APP_FILTER}
    http_plain = common.http_caller(fake, "ListSecrets", plain)
    http_named = common.http_caller(fake, "ListSecrets", named)
    return {
        "list.boto3": lambda: _checked_page(sm.list_secrets(**plain)),
        "list-filtered.boto3": lambda: _checked_page(sm.list_secrets(**named)),
        "list.http": http_plain,
        "list-filtered.http": http_named,
    }


def _creations(fake: Any, sm: Any) -> dict[str, Callable[[], object]]:
    numbers = itertools.count()

    def boto3_create() -> object:
        return sm.create_secret(Name=f"new/secret-{next(numbers):06}", SecretString=KIB)

    def http_body() -> dict[str, str]:
        return {
            "Name": f"new/secret-{next(numbers):06}",
            "SecretString": KIB,
            "ClientRequestToken": str(uuid.uuid4()),
        }

    return {
        "create.boto3": boto3_create,
        "create.http": common.http_caller(fake, "CreateSecret", http_body),
    }


def _time(calls: dict[str, Callable[[], object]], settings: Settings) -> Result:
    common.warm_up(calls, settings.warmup_calls)
    gc.collect()  # the filling's garbage is not the calls' to pay
    result = dict(
        common.interleaved(calls, batches=settings.scale_batches, per_batch=settings.scale_batch)
    )
    result["smfake_path"] = common.default_path()
    return result


def lookup_small(settings: Settings) -> Result:
    from smfake import mock_secretsmanager

    with mock_secretsmanager() as fake:
        _fill(fake, 1)
        sm = common.client()
        return _time(_lookups(fake, sm), settings)


def list_small(settings: Settings) -> Result:
    from smfake import mock_secretsmanager

    with mock_secretsmanager() as fake:
        _fill(fake, SMALL_LIST, all_app=True)
        sm = common.client()
        return _time(_listings(fake, sm), settings)


def create_small(settings: Settings) -> Result:
    from smfake import mock_secretsmanager

    with mock_secretsmanager() as fake:
        _fill(fake, settings.small_create)
        sm = common.client()
        return _time(_creations(fake, sm), settings)


def big(settings: Settings) -> Result:
    """One store of ``settings.big`` secrets: its memory, then lookups, pages, creations."""
    from smfake import mock_secretsmanager

    with mock_secretsmanager() as fake:
        sm = common.client()
        # Everything a first call loads or caches, before the baseline reading.
        fake.add_secret("warm/secret", KIB)
        sm.get_secret_value(SecretId="warm/secret")
        sm.list_secrets(MaxResults=PAGE)
        sm.delete_secret(SecretId="warm/secret", ForceDeleteWithoutRecovery=True)
        gc.collect()
        before = common.rss_bytes()
        started = time.perf_counter_ns()
        _fill(fake, settings.big)
        fill_ns = time.perf_counter_ns() - started
        gc.collect()
        after = common.rss_bytes()
        calls = {**_lookups(fake, sm), **_listings(fake, sm), **_creations(fake, sm)}
        result = _time(calls, settings)
    result["bytes_per_secret"] = (after - before) / settings.big
    result["fill_ns_per_secret"] = fill_ns / settings.big
    return result


def _put_body(secret_ids: Iterator[str]) -> Callable[[], dict[str, str]]:
    def body() -> dict[str, str]:
        return {
            "SecretId": next(secret_ids),
            "SecretString": common.VALUE,
            "ClientRequestToken": str(uuid.uuid4()),
        }

    return body


def _versioned(fake: Any, name: str, puts: int) -> None:
    """Create ``name`` and write ``puts`` more values, moving the (frozen) clock a day every
    HISTORY_CHUNK writes so that the 100-version quota can prune old deprecated versions."""
    fake.add_secret(name, common.VALUE)
    put = common.http_caller(fake, "PutSecretValue", _put_body(repeat(name)))
    for index in range(puts):
        if index % HISTORY_CHUNK == 0:
            fake.clock.advance(days=1)
        put()


def _puts(
    fake: Any, sm: Any, boto3_ids: Iterator[str], http_ids: Iterator[str]
) -> dict[str, Callable[[], object]]:
    def boto3_put() -> object:
        return sm.put_secret_value(SecretId=next(boto3_ids), SecretString=common.VALUE)

    return {
        "put.boto3": boto3_put,
        "put.http": common.http_caller(fake, "PutSecretValue", _put_body(http_ids)),
    }


def _put_batch(settings: Settings) -> int:
    return min(settings.scale_batch, HISTORY_CHUNK)


def _time_puts(fake: Any, calls: dict[str, Callable[[], object]], settings: Settings) -> Result:
    """As _time, with the clock moved a day (untimed) before every batch, in both cases."""

    def next_day() -> None:
        fake.clock.advance(days=1)

    remaining = settings.warmup_calls
    while remaining > 0:
        next_day()
        common.warm_up(calls, min(HISTORY_CHUNK, remaining))
        remaining -= HISTORY_CHUNK
    gc.collect()
    result = dict(
        common.interleaved(
            calls,
            batches=settings.scale_batches,
            per_batch=_put_batch(settings),
            before_batch=dict.fromkeys(calls, next_day),
        )
    )
    result["smfake_path"] = common.default_path()
    return result


def put_few_versions(settings: Settings) -> Result:
    """Every timed put writes to a secret of its own that holds SMALL_HISTORY versions."""
    from smfake import mock_secretsmanager

    per_path = settings.warmup_calls + settings.scale_batches * _put_batch(settings)
    with mock_secretsmanager() as fake:
        fake.clock.freeze()
        names = {path: [f"{path}/secret-{i:06}" for i in range(per_path)] for path in ("b", "h")}
        for name in names["b"] + names["h"]:
            _versioned(fake, name, SMALL_HISTORY - 1)
        sm = common.client()
        calls = _puts(fake, sm, iter(names["b"]), iter(names["h"]))
        return _time_puts(fake, calls, settings)


def put_long_history(settings: Settings) -> Result:
    """Every timed put, through either path, writes to one secret that has had
    ``settings.put_history`` values (it holds 100 versions, the quota: each put also prunes
    one)."""
    from smfake import mock_secretsmanager

    with mock_secretsmanager() as fake:
        fake.clock.freeze()
        _versioned(fake, "history", settings.put_history - 1)
        sm = common.client()
        calls = _puts(fake, sm, repeat("history"), repeat("history"))
        return _time_puts(fake, calls, settings)


WORKERS: dict[str, Callable[[Settings], Result]] = {
    "lookup-1": lookup_small,
    "list-100": list_small,
    "create-1000": create_small,
    "put-10": put_few_versions,
    "put-history": put_long_history,
    "big": big,
}


def targets(settings: Settings) -> dict[str, Target]:
    return {name: worker("scale", name, settings) for name in WORKERS}


def report(samples: Samples, settings: Settings) -> Table:
    n = f"{settings.big:,}"
    quick = f" ({settings.mode} mode: {n}, not 100,000)" if settings.big != 100_000 else ""
    history = f"{settings.put_history:,}"
    table = Table(
        f"{TITLE}: small store vs big store{quick}",
        [
            "case",
            "compared",
            "boto3: small",
            "boto3: big",
            "boto3 ratio",
            "goal (boto3)",
            "smfake alone: small",
            "smfake alone: big",
            "ratio",
        ],
    )
    cases = [
        ("GetSecretValue", "get", "lookup-1", "big", f"1 vs {n} secrets", LOOKUP_GOAL),
        ("DescribeSecret", "describe", "lookup-1", "big", f"1 vs {n} secrets", LOOKUP_GOAL),
        ("ListSecrets page of 100", "list", "list-100", "big", f"100 vs {n} secrets", LIST_GOAL),
        (
            'ListSecrets page of 100, name filter "app/"',
            "list-filtered",
            "list-100",
            "big",
            f"100 vs {n} secrets",
            LIST_GOAL,
        ),
        (
            "CreateSecret",
            "create",
            "create-1000",
            "big",
            f"{settings.small_create:,} vs {n} secrets",
            FLAT_GOAL,
        ),
        (
            "PutSecretValue",
            "put",
            "put-10",
            "put-history",
            f"10 versions vs {history} puts of history",
            FLAT_GOAL,
        ),
    ]
    for label, key, small, large, compared, goal in cases:
        boto3_ratio = paired_ratio(samples, large, f"{key}.boto3", small)
        table.add(
            label,
            compared,
            us(median(samples, small, f"{key}.boto3")),
            us(median(samples, large, f"{key}.boto3")),
            ratio_cell(samples, large, f"{key}.boto3", small),
            table.judge(
                f"{label}, {compared}",
                goal,
                boto3_ratio,
                times(boto3_ratio),
                cpu_check(samples, large, f"{key}.boto3", small),
            ),
            us(median(samples, small, f"{key}.http")),
            us(median(samples, large, f"{key}.http")),
            ratio_cell(samples, large, f"{key}.http", small),
        )
    per_secret = median(samples, "big", "bytes_per_secret")
    shown = NA if per_secret is None else f"{per_secret:,.0f} bytes"
    fill = median(samples, "big", "fill_ns_per_secret")
    table.add(
        "Resident memory per secret of 1 KiB",
        f"RSS growth over {n} `fake.add_secret` calls",
        "",
        shown,
        "",
        table.judge("memory per 1 KiB secret", MEMORY_GOAL, per_secret, shown),
        "",
        f"fill: {us(fill)} per `add_secret`",
        "",
    )
    table.notes.append(
        "Small and big stores live in separate fresh processes of the same round; ratios are "
        "big/small medians of same-round pairs. Names: half start with `app/`, half with "
        "`web/` (the 100-secret store: all `app/`, so that every page holds 100 secrets). "
        "PutSecretValue: 10 versions = each timed put writes to its own secret holding 10 "
        f"versions; {history} puts of history = one secret at its 100-version quota, so each "
        "put also prunes one day-old deprecated version. Memory: resident set growth "
        "(/proc/self/statm, after `gc.collect()`) while filling, divided by the number of "
        "secrets; the value itself is 1,024 bytes of it. "
        + common.path_note(samples, list(WORKERS))
    )
    return table
