"""What every group shares: settings, fresh-process runs in a rotating order, medians, ratios,
goals and Markdown tables.

A group module (per_call, per_test, startup, scale, threads) provides:

- ``TITLE``: the table's heading;
- ``targets(settings) -> dict[name, Target]``: what one round runs, each in a fresh process;
- ``report(samples, settings) -> Table``: the rows, from every round's result of every target.

A target returns a dict of numbers (its measurements), or ``{"skip": reason}`` when it cannot
run here (moto not installed, no fast path); a skipped target is not run again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Result = dict[str, Any]
Target = Callable[[], "Result | None"]  # None: not run in this round
Samples = Mapping[str, Sequence[Result]]

RESULT_MARK = "@@benchmark-result "
RUN_PY = Path(__file__).resolve().with_name("run.py")
REPO = RUN_PY.parent.parent


@dataclass(frozen=True)
class Settings:
    """Sizes and repetitions of one run (``full``, ``quick`` or ``smoke``)."""

    mode: str
    rounds: int  # fresh processes per target, for every group but the two below
    import_rounds: int  # one import per process: more rounds to settle its median
    thread_rounds: int
    scale_rounds: int  # a 100,000-secret store takes a while to fill
    # per call
    warmup_calls: int
    batches: int
    batch_calls: int
    # per test
    fixture_iterations: int
    cycle_batches: int
    cycle_batch: int
    # scale
    big: int
    scale_batches: int
    scale_batch: int
    put_history: int
    small_create: int
    # threads
    threads: int
    ops_per_thread: int
    shared_secrets: int
    thread_baseline: bool = True  # the canned hook's threads, for scale (full mode)
    moto: bool = True
    inline: bool = False  # run workers in this process (smoke test only: numbers are noise)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Settings:
        return cls(**json.loads(text))


FULL = Settings(
    mode="full",
    rounds=7,
    import_rounds=21,
    thread_rounds=20,
    scale_rounds=5,
    warmup_calls=50,
    batches=10,
    batch_calls=50,
    fixture_iterations=200,
    cycle_batches=8,
    cycle_batch=5,
    big=100_000,
    scale_batches=8,
    scale_batch=25,
    put_history=10_000,
    small_create=1_000,
    threads=8,
    ops_per_thread=250,
    shared_secrets=8,
)
QUICK = dataclasses.replace(
    FULL,
    mode="quick",
    rounds=3,
    import_rounds=3,
    thread_rounds=3,
    scale_rounds=3,
    warmup_calls=10,
    batches=4,
    batch_calls=40,
    fixture_iterations=100,
    cycle_batches=2,
    cycle_batch=5,
    big=10_000,
    scale_batches=3,
    scale_batch=15,
    put_history=2_000,
    thread_baseline=False,
)
SMOKE = dataclasses.replace(
    FULL,
    mode="smoke",
    rounds=1,
    import_rounds=1,
    thread_rounds=1,
    scale_rounds=1,
    warmup_calls=2,
    batches=2,
    batch_calls=3,
    fixture_iterations=3,
    cycle_batches=1,
    cycle_batch=2,
    big=300,
    scale_batches=1,
    scale_batch=3,
    put_history=120,
    small_create=30,
    threads=2,
    ops_per_thread=12,
    shared_secrets=2,
    thread_baseline=False,
    moto=False,
    inline=True,
)


# -- running ---------------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    """The environment of every measured process: the same credentials for all targets (so
    that smfake never has to supply its own), and no shared AWS config or metadata lookups."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="benchmark-secret-key",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    # Bytecode is written (by the unrecorded first round), so that imports are measured, not
    # the compiling of modules whose cached bytecode is missing or stale.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_json(command: Sequence[str], *, cwd: str | None = None, timeout: float = 900) -> Result:
    """Run ``command`` in a fresh process and return the JSON it printed after RESULT_MARK."""
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            result: Result = json.loads(line[len(RESULT_MARK) :])
            return result
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    raise RuntimeError(
        f"{last} (exit {done.returncode}: {' '.join(command[:4])})\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    )


def worker(group: str, name: str, settings: Settings) -> Target:
    """A target that runs ``<group>.WORKERS[name](settings)`` in a fresh interpreter (or, in
    the smoke test's inline mode, here)."""
    if settings.inline:
        from benchmarks.cli import group_module

        def inline() -> Result:
            return dict(group_module(group).WORKERS[name](settings))

        return inline

    def fresh() -> Result:
        command = [sys.executable, str(RUN_PY), "--worker", f"{group}:{name}"]
        return run_json([*command, "--settings", settings.to_json()])

    return fresh


def first_rounds(target: Target, rounds: int) -> Target:
    """``target`` in the first ``rounds`` rounds only (pair it with targets limited alike)."""
    done = 0

    def limited() -> Result | None:
        nonlocal done
        if done >= rounds:
            return None
        done += 1
        return target()

    return limited


def rotations(names: Sequence[str], rounds: int) -> Iterable[tuple[int, list[str]]]:
    """Round r runs the targets starting from the r-th, so that every target takes every
    position in turn and a slow spell of the machine falls on all of them alike."""
    for round_ in range(rounds):
        shift = round_ % len(names) if names else 0
        yield round_, list(names[shift:]) + list(names[:shift])


def collect(
    targets: Mapping[str, Target],
    rounds: int,
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, list[Result]]:
    """Every target's result in every round (one entry per round; a skip stops the target).
    A target that fails gives ``{"error": ...}`` for that round, and the run goes on."""
    samples: dict[str, list[Result]] = {name: [] for name in targets}
    skipped: set[str] = set()
    for round_, order in rotations(list(targets), rounds):
        spent: list[str] = []
        for name in order:
            if name in skipped:
                continue
            started = time.perf_counter()
            try:
                outcome = targets[name]()
            except Exception as error:  # reported in the table and the exit status
                outcome = {"error": f"{type(error).__name__}: {error}"}
                progress(f"{name} FAILED: {str(error).splitlines()[0]}")
            if outcome is None:
                continue
            result = outcome
            result["wall_s"] = time.perf_counter() - started
            samples[name].append(result)
            spent.append(f"{name} {result['wall_s']:.1f}s")
            if "skip" in result:
                skipped.add(name)
        progress(f"round {round_ + 1}/{rounds}: {', '.join(spent)}")
    return samples


def failures(samples: Samples) -> list[str]:
    return [f"{name}: {r['error']}" for name, rs in samples.items() for r in rs if "error" in r]


# -- statistics ------------------------------------------------------------------------------


def values(samples: Samples, target: str, key: str) -> list[float]:
    return [float(r[key]) for r in samples.get(target, ()) if key in r]


def median(samples: Samples, target: str, key: str) -> float | None:
    found = values(samples, target, key)
    return statistics.median(found) if found else None


def paired_ratios(samples: Samples, target: str, key: str, base: str) -> list[float]:
    """target/base of every round in which both were measured (same machine weather)."""
    return [
        float(t[key]) / float(b[key])
        for t, b in zip(samples.get(target, ()), samples.get(base, ()), strict=False)
        if key in t and key in b and float(b[key]) > 0
    ]


def paired_ratio(samples: Samples, target: str, key: str, base: str) -> float | None:
    """Median over rounds of target/base measured in the same round."""
    ratios = paired_ratios(samples, target, key, base)
    return statistics.median(ratios) if ratios else None


def cpu_check(samples: Samples, target: str, key: str, base: str) -> str:
    """The same ratio in CPU time, to show beside a goal: where it differs much from the
    wall-time ratio, other processes on the machine moved the wall time."""
    ratio = paired_ratio(samples, target, key + "@cpu", base)
    return "" if ratio is None else f"; in CPU time {ratio:.2f}x"


def ratio_cell(samples: Samples, target: str, key: str, base: str) -> str:
    """The median ratio and, from several rounds, the range of the rounds' ratios."""
    ratios = paired_ratios(samples, target, key, base)
    if not ratios:
        return NA
    shown = f"{statistics.median(ratios):.2f}x"
    if len(ratios) > 1:
        shown += f" ({min(ratios):.2f}–{max(ratios):.2f})"
    return shown


def paired_deltas(samples: Samples, target: str, key: str, base: str) -> list[float]:
    return [
        float(t[key]) - float(b[key])
        for t, b in zip(samples.get(target, ()), samples.get(base, ()), strict=False)
        if key in t and key in b
    ]


def paired_delta(samples: Samples, target: str, key: str, base: str) -> float | None:
    """Median over rounds of target - base measured in the same round."""
    deltas = paired_deltas(samples, target, key, base)
    return statistics.median(deltas) if deltas else None


def skip_reason(samples: Samples, target: str) -> str | None:
    """Why ``target`` has no numbers: skipped, failed in every round, or never run."""
    results = samples.get(target, ())
    for result in results:
        if "skip" in result:
            return str(result["skip"])
    if results and all("error" in r for r in results):
        return "❌ failed: " + str(results[0]["error"]).splitlines()[0][:120]
    return None if results else "not run"


# -- tables ----------------------------------------------------------------------------------

NA = "n/a"


@dataclass(frozen=True)
class Goal:
    """``measured <= limit`` (or ``>=`` when ``at_least``), shown as text and a mark."""

    text: str
    limit: float
    at_least: bool = False

    def verdict(self, measured: float | None, shown: str, extra: str = "") -> str:
        if measured is None:
            return f"{self.text}: {NA}"
        ok = measured >= self.limit if self.at_least else measured <= self.limit
        return f"{'✅' if ok else '❌'} {shown} ({self.text}{extra})"

    def passed(self, measured: float | None) -> bool | None:
        if measured is None:
            return None
        return measured >= self.limit if self.at_least else measured <= self.limit


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, bool | None]] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        self.rows.append(list(cells))

    def judge(
        self, label: str, goal: Goal, measured: float | None, shown: str, extra: str = ""
    ) -> str:
        """The goal cell for ``measured``; remembered for the summary."""
        self.verdicts.append(
            (f"{label}: {goal.text}, measured {shown}{extra}", goal.passed(measured))
        )
        return goal.verdict(measured, shown, extra)

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        return "\n".join(lines)


def us(ns: float | None, digits: int = 1) -> str:
    return NA if ns is None else f"{ns / 1e3:,.{digits}f} µs"


def ms(ns: float | None, digits: int = 2) -> str:
    return NA if ns is None else f"{ns / 1e6:,.{digits}f} ms"


def times(ratio: float | None) -> str:
    return NA if ratio is None else f"{ratio:.2f}x"
