"""Compare two parity recordings test by test (docs/parity.md).

Usage:
  python scripts/parity_compare.py A.jsonl B.jsonl [--markdown] [--show N]
  python scripts/parity_compare.py A.jsonl --inprocess [--markdown] [--show N]

A recording is what ``pytest --sm-endpoint=... --sm-record=FILE`` writes: one JSON line per
test with its outcome and every call it made, normalised. With --inprocess, B is recorded on the
spot from the in-process fake (``pytest tests/operations --sm-endpoint=inprocess``).

A test agrees when it ran in both recordings (neither skipped) with the same outcome and the
same calls, answered the same. Printed: a table by operation (the test file's), a table by API
call, then the first difference of up to N differing tests (default 20). Exit status 0 when
every test run in both agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load(path: str) -> dict[str, dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                entry = json.loads(line)
                tests[entry["test"]] = entry
    return tests


def record_inprocess() -> str:
    path = Path(tempfile.mkdtemp()) / "inprocess.jsonl"
    command = [sys.executable, "-m", "pytest", "tests/operations", "-q", "-p", "no:cacheprovider"]
    command += ["--sm-endpoint=inprocess", f"--sm-record={path}"]
    subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    return str(path)


def group_of(test_id: str) -> str:
    """test_create_secret.py → CreateSecret; other files keep their words."""
    stem = Path(test_id.split("::")[0]).stem.removeprefix("test_")
    return "".join(word.capitalize() for word in stem.split("_"))


def ran(entry: dict[str, Any] | None) -> bool:
    return entry is not None and entry["outcome"] != "skipped"


def first_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    for index, (call_a, call_b) in enumerate(zip(a["calls"], b["calls"], strict=False)):
        if call_a != call_b:
            answer_a = call_a.get("error", call_a.get("response"))
            answer_b = call_b.get("error", call_b.get("response"))
            return (
                f"call {index + 1} {call_a['operation']} {json.dumps(call_a['params'])[:200]}\n"
                f"      A: {json.dumps(answer_a)[:400]}\n      B: {json.dumps(answer_b)[:400]}"
            )
    if len(a["calls"]) != len(b["calls"]):
        return f"A made {len(a['calls'])} calls, B {len(b['calls'])}"
    return f"outcome A: {a['outcome']}, B: {b['outcome']}"


def table(title: str, rows: dict[str, list[int]], markdown: bool, columns: list[str]) -> str:
    total = [sum(v) for v in zip(*rows.values(), strict=True)] if rows else [0] * len(columns)
    lines = []
    if markdown:
        lines += [f"| {title} | " + " | ".join(columns) + " |"]
        lines += ["|---|" + "---:|" * len(columns)]
        for name, values in sorted(rows.items()):
            lines.append(f"| {name} | " + " | ".join(str(v) for v in values) + " |")
        lines.append("| **total** | " + " | ".join(f"**{v}**" for v in total) + " |")
    else:
        width = max([len(title), *map(len, rows)]) + 2
        lines.append(title.ljust(width) + "".join(c.rjust(10) for c in columns))
        for name, values in sorted(rows.items()):
            lines.append(name.ljust(width) + "".join(str(v).rjust(10) for v in values))
        lines.append("total".ljust(width) + "".join(str(v).rjust(10) for v in total))
    return "\n".join(lines)


def compare(a: dict[str, Any], b: dict[str, Any], markdown: bool, show: int) -> int:
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_call: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    differing: list[str] = []
    for test_id in sorted(set(a) | set(b)):
        entry_a, entry_b = a.get(test_id), b.get(test_id)
        row = by_group[group_of(test_id)]
        if not (ran(entry_a) and ran(entry_b)):
            row[3] += ran(entry_a) or ran(entry_b)
            continue
        assert entry_a is not None and entry_b is not None
        row[0] += 1
        same = entry_a["outcome"] == entry_b["outcome"] and entry_a["calls"] == entry_b["calls"]
        row[1 if same else 2] += 1
        if not same:
            differing.append(test_id)
        for call_a, call_b in zip(entry_a["calls"], entry_b["calls"], strict=False):
            if call_a["operation"] == call_b["operation"]:
                counts = by_call[call_a["operation"]]
                counts[0] += 1
                counts[1 if call_a == call_b else 2] += 1
    columns = ["run", "agree", "differ", "one only"]
    print(table("tests of", by_group, markdown, columns))
    print()
    print(table("API call", by_call, markdown, ["compared", "agree", "differ"]))
    for test_id in differing[:show]:
        print(f"\n{test_id}\n   {first_difference(a[test_id], b[test_id])}")
    if len(differing) > show:
        print(f"\n... and {len(differing) - show} more differing tests (--show N)")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="a recording (JSON lines)")
    parser.add_argument("b", nargs="?", help="another recording")
    parser.add_argument("--inprocess", action="store_true", help="B: record the in-process fake")
    parser.add_argument("--markdown", action="store_true", help="tables in Markdown")
    parser.add_argument("--show", type=int, default=20, help="differing tests to detail")
    args = parser.parse_args(argv)
    if (args.b is None) == (not args.inprocess):
        parser.error("give B.jsonl or --inprocess")
    b_path = args.b if args.b is not None else record_inprocess()
    return compare(load(args.a), load(b_path), args.markdown, args.show)


if __name__ == "__main__":
    sys.exit(main())
