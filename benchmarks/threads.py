"""Threads: N threads, each with its own boto3 client, run a mix of GetSecretValue,
PutSecretValue and DescribeSecret on shared secrets; then every outcome is checked, and the
throughput compared with one thread doing the same operations.

The checks, per secret:

- no call fails;
- no version is lost: ListSecretVersionIds (IncludeDeprecated) lists exactly the first
  version and every VersionId a PutSecretValue returned. The fake's clock runs with real time
  here, so no deprecated version is ever the 24 hours old the 100-version quota needs to prune
  it: the plan keeps each secret under 100 versions, and then nothing may be missing (a full
  quota would show as failed calls, not as pruned versions);
- staging labels: exactly one AWSCURRENT, on the version of the last PutSecretValue applied,
  and AWSPREVIOUS on the one applied before it; the order applied is the order of the fake's
  event records, whose version ids must be exactly those the threads received;
- every read is consistent: a GetSecretValue's (VersionId, SecretString) pair is one that was
  written, and every DescribeSecret shows exactly one AWSCURRENT.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
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
    first_rounds,
    median,
    paired_ratio,
    ratio_cell,
    skip_reason,
    times,
    values,
    worker,
)

TITLE = "Threads"
KINDS = ("get", "put", "describe")
MAX_VERSIONS = 100
BASELINE_ROUNDS = 5  # the canned hook's rows are context: a few runs settle them
ZERO = Goal("0", 0)
THROUGHPUT_GOAL = Goal("≥ 0.9x one thread", 0.9, at_least=True)
CHECKS = {
    "errors": "failed calls",
    "lost": "lost versions",
    "unexpected": "unexpected versions",
    "label_violations": "label violations",
    "read_mismatches": "inconsistent reads",
    "event_mismatches": "event/response mismatches",
}


def _secret(index: int) -> str:
    return f"shared/secret-{index:02}"


def plans(settings: Settings) -> list[list[tuple[str, int]]]:
    """Per thread: (kind, secret index) for each operation. Every thread walks all secrets,
    and the kinds rotate, so every secret sees every thread and every kind."""
    shared = settings.shared_secrets
    found = [
        [(KINDS[(i // shared + t) % len(KINDS)], (i + t) % shared) for i in range(ops)]
        for t, ops in enumerate([settings.ops_per_thread] * settings.threads)
    ]
    puts = Counter(s for plan in found for kind, s in plan if kind == "put")
    if max(puts.values(), default=0) + 1 > MAX_VERSIONS:
        raise ValueError("the plan would fill a secret's 100 versions: use more secrets")
    return found


class _Log:
    def __init__(self) -> None:
        self.puts: list[tuple[str, str, str]] = []  # secret, version id, value
        self.gets: list[tuple[str, str, str]] = []
        self.current_counts: list[int] = []
        self.errors: list[str] = []


def _work(sm: Any, plan: list[tuple[str, int]], tag: str, log: _Log) -> None:
    for index, (kind, secret) in enumerate(plan):
        name = _secret(secret)
        try:
            if kind == "get":
                got = sm.get_secret_value(SecretId=name)
                log.gets.append((name, got["VersionId"], got["SecretString"]))
            elif kind == "put":
                value = f"{tag}-{index}"
                put = sm.put_secret_value(SecretId=name, SecretString=value)
                log.puts.append((name, put["VersionId"], value))
            else:
                stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
                log.current_counts.append(sum("AWSCURRENT" in s for s in stages.values()))
        except Exception as error:  # every failure is counted, none may happen
            log.errors.append(f"{kind} {name}: {error!r}")


def _listed(sm: Any, name: str) -> dict[str, list[str]]:
    versions: dict[str, list[str]] = {}
    params: dict[str, Any] = {"SecretId": name, "IncludeDeprecated": True, "MaxResults": 100}
    while True:
        page = sm.list_secret_version_ids(**params)
        for version in page["Versions"]:
            versions[version["VersionId"]] = list(version.get("VersionStages", []))
        if not page.get("NextToken"):
            return versions
        params["NextToken"] = page["NextToken"]


def _check(fake: Any, sm: Any, initial: dict[str, tuple[str, str]], logs: list[_Log]) -> Result:
    puts = [p for log in logs for p in log.puts]
    written = {vid: value for _, vid, value in puts}
    written.update(dict(initial.values()))
    found = Counter[str]()
    found["errors"] = sum(len(log.errors) for log in logs)
    found["read_mismatches"] = sum(
        written.get(vid) != value for log in logs for _, vid, value in log.gets
    ) + sum(count != 1 for log in logs for count in log.current_counts)
    for name, (first, _) in initial.items():
        returned = [vid for secret, vid, _ in puts if secret == name]
        listed = _listed(sm, name)
        expected = {first, *returned}
        found["lost"] += len(expected - listed.keys())
        found["unexpected"] += len(listed.keys() - expected)
        applied = [
            record.response_elements["versionId"]
            for record in fake.events.filter("PutSecretValue", secret=name)
            if record.error_code is None
        ]
        found["event_mismatches"] += Counter(applied) != Counter(returned)
        order = [first, *applied]
        holders = {
            "AWSCURRENT": [v for v, s in listed.items() if "AWSCURRENT" in s],
            "AWSPREVIOUS": [v for v, s in listed.items() if "AWSPREVIOUS" in s],
        }
        want_previous = [order[-2]] if len(order) > 1 else []
        found["label_violations"] += holders["AWSCURRENT"] != [order[-1]]
        found["label_violations"] += holders["AWSPREVIOUS"] != want_previous
    result: Result = {key: found[key] for key in CHECKS}
    result["error_samples"] = [e for log in logs for e in log.errors][:3]
    return result


def _work_of(settings: Settings, threaded: bool) -> list[list[tuple[str, int]]]:
    per_thread = plans(settings)
    return per_thread if threaded else [[op for plan in per_thread for op in plan]]


def _race(clients: list[Any], work: list[list[tuple[str, int]]]) -> tuple[list[_Log], Result]:
    """Run each plan in a thread of its own, all released at once; time until all are done."""
    for sm in clients:  # every client warmed alike: its first calls cost more
        common.warm_up({"describe": lambda sm=sm: sm.describe_secret(SecretId=_secret(0))}, 3)
    logs = [_Log() for _ in work]
    start = threading.Barrier(len(work) + 1)

    def run(index: int) -> None:
        start.wait()
        _work(clients[index], work[index], f"t{index}", logs[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter_ns()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter_ns() - began
    operations = sum(len(plan) for plan in work)
    return logs, {"ops_per_s": operations / (elapsed / 1e9), "operations": operations}


def _run(settings: Settings, threaded: bool) -> Result:
    from smfake import mock_secretsmanager

    work = _work_of(settings, threaded)
    with mock_secretsmanager() as fake:
        checker = common.client()
        initial: dict[str, tuple[str, str]] = {}
        for index in range(settings.shared_secrets):
            name = _secret(index)
            fake.add_secret(name, f"initial-{index}")
            got = checker.get_secret_value(SecretId=name)
            initial[name] = (got["VersionId"], got["SecretString"])
        clients = [common.client() for _ in work]
        fake.events.clear()
        logs, result = _race(clients, work)
        result.update(_check(fake, checker, initial, logs))
    result["smfake_path"] = common.default_path()
    return result


def _run_canned(settings: Settings, threaded: bool) -> Result:
    work = _work_of(settings, threaded)
    clients = [common.client() for _ in work]
    handler = common.canned_handler()
    for sm in clients:
        common.register_canned(sm, handler)
    logs, result = _race(clients, work)
    result["errors"] = sum(len(log.errors) for log in logs)
    return result


def threaded(settings: Settings) -> Result:
    return _run(settings, threaded=True)


def single(settings: Settings) -> Result:
    return _run(settings, threaded=False)


def canned_threaded(settings: Settings) -> Result:
    return _run_canned(settings, threaded=True)


def canned_single(settings: Settings) -> Result:
    return _run_canned(settings, threaded=False)


WORKERS: dict[str, Callable[[Settings], Result]] = {
    "threaded": threaded,
    "single": single,
    "canned-threaded": canned_threaded,
    "canned-single": canned_single,
}


def targets(settings: Settings) -> dict[str, Target]:
    found = {name: worker("threads", name, settings) for name in WORKERS}
    for name in ("canned-threaded", "canned-single"):
        if settings.thread_baseline:
            found[name] = first_rounds(found[name], BASELINE_ROUNDS)
        else:
            found[name] = lambda: {"skip": "measured in full mode only"}
    return found


def report(samples: Samples, settings: Settings) -> Table:
    total = settings.threads * settings.ops_per_thread
    table = Table(
        f"{TITLE}: {settings.threads} threads x {settings.ops_per_thread} mixed "
        f"Get/Put/Describe on {settings.shared_secrets} shared secrets",
        ["measured", "runs", "operations per s", "x one thread", *CHECKS.values(), "goal"],
    )
    labels = {
        "threaded": f"{settings.threads} threads, a client each",
        "single": f"1 thread, the same {total:,} operations",
    }
    for name, label in labels.items():
        runs = len(samples.get(name, ()))
        sums = {key: int(sum(values(samples, name, key))) for key in CHECKS}
        for key, count in sums.items():
            table.judge(f"{label}: {CHECKS[key]}", ZERO, count, str(count))
        failed = sum(sums.values())
        goal = "✅ every check 0" if failed == 0 else f"❌ {failed} check failures"
        ratio = None
        if name == "threaded":
            ratio = paired_ratio(samples, "threaded", "ops_per_s", "single")
            goal += "; " + table.judge("throughput", THROUGHPUT_GOAL, ratio, times(ratio))
        ops = median(samples, name, "ops_per_s")
        table.add(
            label,
            str(runs),
            NA if ops is None else f"{ops:,.0f}",
            ratio_cell(samples, name, "ops_per_s", "single"),
            *(str(count) for count in sums.values()),
            goal,
        )
    label = f"for scale: canned before-send hook (no backend, no lock), {settings.threads} threads"
    reason = skip_reason(samples, "canned-threaded")
    ops = median(samples, "canned-threaded", "ops_per_s")
    table.add(
        label,
        str(len(samples.get("canned-threaded", ()))),
        NA if ops is None else f"{ops:,.0f}",
        ratio_cell(samples, "canned-threaded", "ops_per_s", "canned-single"),
        str(int(sum(values(samples, "canned-threaded", "errors")))),
        *([NA] * (len(CHECKS) - 1)),
        reason or "what botocore and the GIL allow, without smfake",
    )
    errors = [e for r in samples.get("threaded", ()) for e in r.get("error_samples", ())]
    table.notes.append(
        "Counts are totals over all runs; throughput is the median, and its ratio the median "
        "of same-round ratios (each run in a fresh process). The threads share one fake, "
        "whose lock serialises calls, and the GIL: the ratio shows what contention costs "
        "(about 1 at best; the canned-hook row shows botocore's own). Lost versions: "
        "ListSecretVersionIds(IncludeDeprecated) must list every VersionId a PutSecretValue "
        "returned (the plan keeps every secret under "
        "the 100-version quota, and with a running clock the quota never prunes)."
        + " "
        + common.path_note(samples, ["threaded", "single"])
        + (f" First errors: {'; '.join(errors[:3])}" if errors else "")
    )
    return table
