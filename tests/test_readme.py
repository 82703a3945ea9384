from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_supported_operations_table_matches_the_operation_table():
    result = subprocess.run(
        [sys.executable, "scripts/supported_operations.py", "--check", "docs/operations.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_readme_quick_start_commands_match_ci():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "(cd conftest_examples && python3 -m pytest)" in readme
    assert 'python3 -m pip install ".[test]" && python3 -m pytest' in readme
    assert "(cd conftest_examples && python -m pytest" in ci
    assert "\npython -m pytest" in ci
