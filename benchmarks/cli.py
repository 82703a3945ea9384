"""The command line of benchmarks/run.py: runs the groups, prints the Markdown report, and
serves as the entry point of the measured processes (``--worker group:target``)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks import harness

# Command-line name -> module of the group, in the order of the report.
GROUPS = {
    "per-call": "per_call",
    "per-test": "per_test",
    "import": "startup",
    "scale": "scale",
    "threads": "threads",
}


DOCS_BEGIN = "<!-- benchmark:begin -->"
DOCS_END = "<!-- benchmark:end -->"


def write_docs(path: str, report: str) -> None:
    """Put ``report`` between the page's markers: the table is the benchmark's, never pasted."""
    page = Path(path).read_text(encoding="utf-8")
    if DOCS_BEGIN not in page or DOCS_END not in page:
        raise SystemExit(f"{path} has no {DOCS_BEGIN} ... {DOCS_END} markers")
    before, rest = page.split(DOCS_BEGIN, 1)
    after = rest.split(DOCS_END, 1)[1]
    note = "<!-- written by benchmarks/run.py --docs; do not edit by hand -->"
    Path(path).write_text(
        f"{before}{DOCS_BEGIN}\n{note}\n\n{report}\n\n{DOCS_END}{after}", encoding="utf-8"
    )


def group_module(name: str) -> ModuleType:
    return importlib.import_module(f"benchmarks.{GROUPS.get(name, name)}")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="smfake's cost next to botocore's Stubber, a no-backend hook and moto.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds and smaller stores (about a minute)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="fresh processes per target (import: three times as many, one import each)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(GROUPS),
        metavar="GROUP",
        help=f"run only this group (repeatable): {', '.join(GROUPS)}",
    )
    parser.add_argument("--json", metavar="FILE", help="also write every sample and table here")
    parser.add_argument(
        "--docs",
        metavar="FILE",
        help="also write the report into FILE (docs/performance.md) between its "
        f"{DOCS_BEGIN} and {DOCS_END} markers, replacing the previous one",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, one round, workers in this process: checks that the harness runs "
        "(the numbers mean nothing)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def settings_of(args: argparse.Namespace) -> harness.Settings:
    settings = harness.SMOKE if args.smoke else harness.QUICK if args.quick else harness.FULL
    if args.rounds is not None:
        if args.rounds < 1:
            raise SystemExit("--rounds must be at least 1")
        settings = dataclasses.replace(
            settings,
            rounds=args.rounds,
            import_rounds=3 * args.rounds,
            thread_rounds=args.rounds,
            scale_rounds=args.rounds,
        )
    return settings


def run_worker(spec: str, settings_json: str) -> int:
    group, _, name = spec.partition(":")
    settings = harness.Settings.from_json(settings_json)
    result = group_module(group).WORKERS[name](settings)
    print(harness.RESULT_MARK + json.dumps(result), flush=True)
    return 0


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def source_revision() -> str:
    """The commit measured, and whether the work tree differed from it (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=harness.REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "-uno", "--", "smfake"],
            cwd=harness.REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (smfake/ modified)" if changes else head


def environment() -> dict[str, Any]:
    return {
        "revision": source_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **{name: _version(name) for name in ("smfake", "botocore", "boto3", "moto", "pytest")},
    }


def rounds_of(group: str, settings: harness.Settings) -> int:
    if group == "import":
        return settings.import_rounds
    if group == "threads":
        return settings.thread_rounds
    if group == "scale":
        return settings.scale_rounds
    return settings.rounds


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.worker:
        return run_worker(args.worker, args.settings or harness.FULL.to_json())
    settings = settings_of(args)
    if settings.inline:  # the workers run here: give them what a measured process gets
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update(harness.bench_env())
    groups = [g for g in GROUPS if not args.only or g in args.only]
    started = time.perf_counter()
    env = environment()
    tables: list[harness.Table] = []
    samples: dict[str, Any] = {}
    for group in groups:
        module = group_module(group)
        rounds = rounds_of(group, settings)
        progress(f"== {group}: {rounds} round(s)")
        group_started = time.perf_counter()
        found = harness.collect(
            module.targets(settings), rounds, progress=lambda m, g=group: progress(f"{g}: {m}")
        )
        samples[group] = found
        tables.append(module.report(found, settings))
        progress(f"== {group}: {time.perf_counter() - group_started:.0f} s")
    wall = time.perf_counter() - started
    failed = [f for group in samples.values() for f in harness.failures(group)]
    report = render(tables, settings, env, wall, failed)
    print(report)
    if args.docs:
        write_docs(args.docs, report)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "settings": dataclasses.asdict(settings),
                    "environment": env,
                    "wall_seconds": wall,
                    "samples": samples,
                    "tables": [dataclasses.asdict(t) for t in tables],
                    "markdown": report,
                    "failures": failed,
                },
                out,
                indent=1,
            )
    return 1 if failed else 0


def render(
    tables: list[harness.Table],
    settings: harness.Settings,
    env: dict[str, Any],
    wall: float,
    failed: list[str],
) -> str:
    moto = env["moto"] if settings.moto else "not measured"
    head = [
        f"Measured {env['date'][:10]} at {env['revision']} on {env['cpus']} CPUs "
        f"({env['platform']}), Python "
        f"{env['python']}, botocore {env['botocore']}, boto3 {env['boto3']}, moto {moto}; "
        f"`benchmarks/run.py` in {settings.mode} mode ({settings.rounds} rounds, "
        f"{settings.import_rounds} for imports, {settings.scale_rounds} for scale, "
        f"{settings.thread_rounds} for threads), "
        f"{wall:.0f} s.",
    ]
    if settings.mode == "smoke":
        head.append("**Smoke run: tiny sizes, one process; the numbers mean nothing.**")
    body = [t.markdown() for t in tables]
    verdicts = [v for t in tables for v in t.verdicts]
    missed = [text for text, ok in verdicts if ok is False]
    unknown = [text for text, ok in verdicts if ok is None]
    passed = sum(1 for _, ok in verdicts if ok)
    summary = [f"**Goals: {passed} of {len(verdicts)} met.**"]
    summary.extend(f"- ❌ {text}" for text in missed)
    summary.extend(f"- not measured: {text}" for text in unknown)
    if failed:
        summary.append(
            f"**{len(failed)} measured process(es) failed** (their rounds are left out):"
        )
        summary.extend(f"- {text.splitlines()[0][:300]}" for text in failed)
    return "\n\n".join(["\n".join(head), *body, "\n".join(summary)])
