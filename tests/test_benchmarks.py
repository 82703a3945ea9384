"""benchmarks/run.py still runs: every group, at tiny sizes, reports rows with numbers and
ratios. No timing is asserted (``--smoke`` numbers mean nothing)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
GROUPS = ["Per call", "Per test", "Import", "Scale", "Threads"]
NUMBER = re.compile(r"\d[\d,]*(\.\d+)? (µs|ms|MiB|bytes)|^\d[\d,]*$")
RATIO = re.compile(r"^[-+]?\d+\.\d\dx")


@pytest.mark.slow
def test_every_group_reports_numbers_and_ratios(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    done = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--json", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(out.read_text())
    assert report["failures"] == []
    tables = report["tables"]
    assert [table["title"].split(":")[0] for table in tables] == GROUPS
    for table in tables:
        cells = [cell for row in table["rows"] for cell in row]
        assert table["rows"], table["title"]
        assert all(len(row) == len(table["columns"]) for row in table["rows"]), table["title"]
        assert any(NUMBER.search(cell) for cell in cells), table["title"]
        assert any(RATIO.match(cell) for cell in cells), table["title"]
        assert table["verdicts"], table["title"]
    # moto is not measured here: its rows say so instead of failing the run.
    moto_rows = [row for table in tables for row in table["rows"] if "moto" in row[0] + row[1]]
    assert moto_rows
    assert all("n/a" in row for row in moto_rows)
    # The report is Markdown tables, one per group, with a summary of the goals.
    assert done.stdout.count("\n|---|") == len(GROUPS)
    assert re.search(r"\*\*Goals: \d+ of \d+ met\.\*\*", done.stdout)


def test_the_report_is_written_into_the_docs_page_between_its_markers(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    original = (RUN.parent.parent / "docs" / "performance.md").read_text(encoding="utf-8")
    page.write_text(original, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--only", "per-test", "--docs", str(page)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    written = page.read_text(encoding="utf-8")
    head, _, rest = written.partition("<!-- benchmark:begin -->")
    inside, _, tail = rest.partition("<!-- benchmark:end -->")
    assert head == original.partition("<!-- benchmark:begin -->")[0]
    assert tail == original.partition("<!-- benchmark:end -->")[2]
    assert "Smoke run" in inside and "### Per test" in inside
    assert "### Per call" not in inside  # the previous report is replaced, not kept
