"""Import: what smfake adds to a process that imports botocore (time and peak RSS, each
import in a fresh interpreter), and to a pytest run that does not use its plugin (the whole
pytest process's wall time, with smfake's plugin loaded vs ``-p no:smfake``)."""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import (
    NA,
    RESULT_MARK,
    Goal,
    Result,
    Samples,
    Settings,
    Table,
    Target,
    bench_env,
    median,
    ms,
    paired_delta,
    ratio_cell,
    run_json,
    skip_reason,
)
from benchmarks.per_call import moto_missing

TITLE = "Import"
TIME_GOAL = Goal("≤ +30 ms", 30e6)
RSS_GOAL = Goal("≤ +5 MiB", 5 * 1024)
PYTEST_GOAL = Goal("≤ +10 ms", 10e6)

# Timed from inside the fresh interpreter, so that its own start-up (the same for every
# variant) stays out; ru_maxrss is the peak resident set so far, in KiB on Linux.
PROBE = """\
import json, resource, time
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
c0 = time.process_time_ns()
t0 = time.perf_counter_ns()
{code}
t1 = time.perf_counter_ns()
c1 = time.process_time_ns()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = {{"ns": t1 - t0, "ns@cpu": c1 - c0, "peak_kib": rss1, "growth_kib": rss1 - rss0}}
print({mark!r} + json.dumps(result))
"""
IMPORTS = {
    "botocore": ("import botocore", "`import botocore`"),
    "botocore+smfake": (
        "import botocore\nimport smfake\nsmfake.mock_secretsmanager",
        "`import botocore; import smfake; smfake.mock_secretsmanager`",
    ),
    "boto3": ("import boto3", "`import boto3`"),
    "boto3+smfake": (
        "import boto3\nimport smfake\nsmfake.mock_secretsmanager",
        "`import boto3; import smfake; smfake.mock_secretsmanager`",
    ),
    "botocore+moto": (
        "import botocore\nfrom moto import mock_aws",
        "`import botocore; from moto import mock_aws`",
    ),
}
BASE = {"botocore+smfake": "botocore", "boto3+smfake": "boto3", "botocore+moto": "botocore"}
GOALS = {"botocore+smfake"}
TRIVIAL_TEST = "def test_nothing():\n    pass\n"


def _import_target(code: str, folder: str) -> Target:
    command = [sys.executable, "-c", PROBE.format(code=code, mark=RESULT_MARK)]

    def run() -> Result:
        return run_json(command, cwd=folder)

    return run


def plugin_flag() -> list[str]:
    """How to run pytest with smfake's plugin: installed, its entry point loads it (and
    ``-p smfake.pytest_plugin`` would register it twice); from a bare source tree, ``-p``."""
    installed = importlib.metadata.entry_points(group="pytest11", name="smfake")
    return [] if installed else ["-p", "smfake.pytest_plugin"]


def _pytest_target(flags: list[str], folder: str) -> Target:
    command = [sys.executable, "-m", "pytest", "-q", *flags, "test_trivial.py"]

    def run() -> Result:
        cpu = _children_cpu_ns()
        start = time.perf_counter_ns()
        done = subprocess.run(
            command, cwd=folder, env=bench_env(), capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter_ns() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}")
        return {"ns": elapsed, "ns@cpu": _children_cpu_ns() - cpu}

    return run


def _children_cpu_ns() -> int:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def _folder() -> str:
    folder = tempfile.mkdtemp(prefix="smfake-bench-")
    atexit.register(shutil.rmtree, folder, True)
    Path(folder, "test_trivial.py").write_text(TRIVIAL_TEST)
    # Its own rootdir and an empty configuration: nothing of the repository's applies.
    Path(folder, "pytest.ini").write_text("[pytest]\n")
    return folder


def targets(settings: Settings) -> dict[str, Target]:
    folder = _folder()
    found: dict[str, Target] = {}
    for name, (code, _) in IMPORTS.items():
        missing = moto_missing(settings) if name == "botocore+moto" else None
        if missing is not None:
            found[name] = lambda missing=missing: {"skip": missing}
        else:
            found[name] = _import_target(code, folder)
    if importlib.util.find_spec("pytest") is None:
        found["pytest"] = found["pytest-no-plugin"] = lambda: {"skip": "pytest is not installed"}
    else:
        found["pytest"] = _pytest_target(plugin_flag(), folder)
        found["pytest-no-plugin"] = _pytest_target(["-p", "no:smfake"], folder)
    for target in found.values():  # one unrecorded round: disk caches and bytecode
        target()
    return found


def _mib(kib: float | None) -> str:
    return NA if kib is None else f"{kib / 1024:+.1f} MiB"


def _plus_ms(ns: float | None) -> str:
    return NA if ns is None else f"{ns / 1e6:+.1f} ms"


def _cpu_added(samples: Samples, name: str, base: str) -> str:
    added = paired_delta(samples, name, "ns@cpu", base)
    return "" if added is None else f"; in CPU time {_plus_ms(added)}"


def report(samples: Samples, settings: Settings) -> Table:
    table = Table(
        f"{TITLE}: fresh interpreters",
        ["measured", "time", "x base", "added time", "peak RSS growth", "added peak RSS", "goal"],
    )
    for name, (_, label) in IMPORTS.items():
        reason = skip_reason(samples, name)
        if reason is not None:
            table.add(label, NA, NA, NA, NA, NA, reason)
            continue
        base = BASE.get(name)
        added_ns = paired_delta(samples, name, "ns", base) if base else None
        added_kib = paired_delta(samples, name, "peak_kib", base) if base else None
        goal = ""
        if name in GOALS:
            goal = " ".join(
                [
                    table.judge(
                        "import smfake",
                        TIME_GOAL,
                        added_ns,
                        _plus_ms(added_ns),
                        _cpu_added(samples, name, base),
                    ),
                    table.judge("import smfake", RSS_GOAL, added_kib, _mib(added_kib)),
                ]
            )
        elif base:
            goal = f"vs {IMPORTS[base][1]}"
        growth = median(samples, name, "growth_kib")
        table.add(
            label,
            ms(median(samples, name, "ns"), 1),
            ratio_cell(samples, name, "ns", base) if base else "",
            _plus_ms(added_ns) if base else "",
            NA if growth is None else f"{growth / 1024:.1f} MiB",
            _mib(added_kib) if base else "",
            goal,
        )
    flag = " ".join(plugin_flag()) or "(entry point)"
    rows = {
        "pytest-no-plugin": "pytest, trivial test file, `-p no:smfake`",
        "pytest": f"pytest, trivial test file, smfake's plugin loaded {flag}",
    }
    for name, label in rows.items():
        reason = skip_reason(samples, name)
        if reason is not None:
            table.add(label, NA, NA, NA, NA, NA, reason)
            continue
        added = paired_delta(samples, name, "ns", "pytest-no-plugin")
        goal = ""
        if name == "pytest":
            goal = table.judge(
                "pytest run with the plugin",
                PYTEST_GOAL,
                added,
                _plus_ms(added),
                _cpu_added(samples, name, "pytest-no-plugin"),
            )
        table.add(
            label,
            ms(median(samples, name, "ns"), 1),
            ratio_cell(samples, name, "ns", "pytest-no-plugin") if name == "pytest" else "",
            _plus_ms(added) if name == "pytest" else "",
            "",
            "",
            goal,
        )
    table.notes.append(
        "Import rows are timed inside a fresh interpreter (its start-up, the same for all, "
        "left out); peak RSS is `ru_maxrss`, compared between variants run in the same round. "
        "`smfake.mock_secretsmanager` forces the lazy import of the mock. pytest rows are the "
        "whole pytest process's wall time. Added = median of the differences within a round."
    )
    return table
