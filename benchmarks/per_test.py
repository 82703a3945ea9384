"""Per test: what the ``smfake`` fixture does around every test, and a whole test's cycle
(activate, new boto3 client, one GetSecretValue, deactivate) next to the same cycle with a
canned before-send hook, the Stubber and moto."""

from __future__ import annotations

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
    ms,
    paired_ratio,
    ratio_cell,
    skip_reason,
    times,
    us,
    worker,
)
from benchmarks.per_call import moto_missing

TITLE = "Per test"
FIXTURE_GOAL = Goal("< 0.1 ms", 100_000)
CYCLE_GOAL = Goal("≤ 1.1x canned hook", 1.1)
CYCLE_WARM_UP = 3


def fixture(settings: Settings) -> Result:
    """The ``smfake`` fixture's own work: activate, reset, deactivate."""
    from smfake import mock_secretsmanager

    def work() -> None:
        m = mock_secretsmanager()
        fake = m.start()
        fake.reset()
        m.stop()

    common.warm_up({"fixture": work}, settings.warmup_calls)
    return common.interleaved(
        {"fixture": work}, batches=settings.batches, per_batch=settings.fixture_iterations
    )


def _cycles(cycle: Callable[[], object], settings: Settings) -> Result:
    """Time ``cycle``; also tell whether boto3's default session survived every cycle (a
    backend that resets it makes every test rebuild its clients from scratch)."""
    import boto3

    sessions: list[Any] = []

    def one() -> None:
        cycle()
        if not sessions or sessions[-1] is not boto3.DEFAULT_SESSION:
            sessions.append(boto3.DEFAULT_SESSION)

    common.warm_up({"cycle": one}, CYCLE_WARM_UP)
    sessions[:] = [boto3.DEFAULT_SESSION]
    result: Result = common.interleaved(
        {"cycle": one}, batches=settings.cycle_batches, per_batch=settings.cycle_batch
    )
    result["new_sessions"] = len(sessions) - 1
    return result


def canned(settings: Settings) -> Result:
    handler = common.canned_handler()

    def cycle() -> None:
        sm = common.client()
        common.register_canned(sm, handler)
        sm.get_secret_value(SecretId="bench")
        common.unregister_canned(sm)

    return _cycles(cycle, settings)


def stubber(settings: Settings) -> Result:
    from botocore.stub import Stubber

    def cycle() -> None:
        sm = common.client()
        stub = Stubber(sm)
        stub.add_response("get_secret_value", common.stubber_result("get_secret_value"))
        stub.activate()
        sm.get_secret_value(SecretId="bench")
        stub.deactivate()

    return _cycles(cycle, settings)


def smfake(settings: Settings) -> Result:
    from smfake import mock_secretsmanager

    def cycle() -> None:
        m = mock_secretsmanager()
        fake = m.start()
        fake.add_secret("bench", common.VALUE)
        common.client().get_secret_value(SecretId="bench")
        m.stop()

    result = _cycles(cycle, settings)
    result["smfake_path"] = common.default_path()
    return result


def moto(settings: Settings) -> Result:
    try:
        from moto import mock_aws
    except ImportError:
        return {"skip": "moto is not installed"}

    def cycle() -> None:
        m = mock_aws()
        m.start()
        sm = common.client()
        sm.create_secret(Name="bench", SecretString=common.VALUE)
        sm.get_secret_value(SecretId="bench")
        m.stop()

    return _cycles(cycle, settings)


WORKERS: dict[str, Callable[[Settings], Result]] = {
    "fixture": fixture,
    "canned": canned,
    "stubber": stubber,
    "smfake": smfake,
    "moto": moto,
}
CYCLES = {
    "canned": "before-send hook, canned JSON (floor): client, register, 1 call, unregister",
    "stubber": "botocore Stubber: client, queue 1 response, activate, 1 call, deactivate",
    "smfake": "smfake: start, `fake.add_secret`, client, 1 call, stop",
    "moto": "moto: `mock_aws` start, client, create_secret, 1 call, stop",
}


def targets(settings: Settings) -> dict[str, Target]:
    found = {name: worker("per_test", name, settings) for name in WORKERS}
    missing = moto_missing(settings)
    if missing is not None:
        found["moto"] = lambda: {"skip": missing}
    return found


def report(samples: Samples, settings: Settings) -> Table:
    table = Table(
        f"{TITLE}: fixture work and a whole test's cycle",
        ["measured", "time", "x canned-hook cycle", "boto3 session rebuilt", "goal"],
    )
    work = median(samples, "fixture", "fixture")
    table.add(
        "`smfake` fixture's work: `mock_secretsmanager()`, start, reset, stop",
        us(work),
        "",
        "",
        table.judge("fixture work", FIXTURE_GOAL, work, us(work)),
    )
    for name, label in CYCLES.items():
        reason = skip_reason(samples, name)
        if reason is not None:
            table.add(label, NA, NA, NA, reason)
            continue
        ratio = paired_ratio(samples, name, "cycle", "canned")
        rebuilt = max((int(r.get("new_sessions", 0)) for r in samples[name]), default=0)
        goal = ""
        if name == "smfake":
            goal = table.judge(
                "test cycle, smfake",
                CYCLE_GOAL,
                ratio,
                times(ratio),
                cpu_check(samples, name, "cycle", "canned"),
            )
        table.add(
            label,
            ms(median(samples, name, "cycle")),
            ratio_cell(samples, name, "cycle", "canned"),
            f"yes ({rebuilt} new sessions)" if rebuilt else "no",
            goal,
        )
    table.notes.append(
        "A cycle is a test's worth of work with a client built inside the test. Each backend "
        "is given its one secret its own way (smfake: `fake.add_secret`, Stubber: a queued "
        "response, moto: a CreateSecret call, since it has no public seeding API). smfake "
        "must never rebuild boto3's default session: the column counts the sessions each "
        "process saw replaced. " + common.path_note(samples, ["smfake"])
    )
    return table
