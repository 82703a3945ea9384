"""Every Python code block of the documentation runs, in order, as a reader would run it.

Sybil finds the blocks (fenced ``python`` blocks, ``<!-- invisible-code-block: python -->``
set-up a reader does not need to see, ``<!-- skip: next -->``); blocks of one document share
a namespace. A block that defines test functions is run, not just defined: its test functions
without parameters are called (coroutines through asyncio), its TestCase classes run, and a
block whose tests take fixtures (``smfake``, ``sm_client``...) is run by pytest, in a fresh
process with smfake's plugin, exactly as a user's test file would be.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example
from sybil.parsers.markdown import CodeBlockParser, SkipParser

from smfake._api import mock
from smfake._wire import hook

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    "README.md",
    "CONTRIBUTING.md",
    "conftest_examples/README.md",
    *sorted(str(path.relative_to(ROOT)) for path in ROOT.glob("docs/**/*.md")),
]
# A test function with parameters asks for fixtures: only pytest can run it.
_FIXTURE_TEST = re.compile(r"^(async )?def test\w*\(\s*\w", re.MULTILINE)
_USES_PYTEST_MARKER = re.compile(r"@pytest\.mark\.smfake|pytestmark")
PYTEST_SECONDS = 120
# Blocks for optional packages run where the package is installed; CI installs aioboto3 in an
# environment of its own and runs this file there with SMFAKE_REQUIRE_AIO set, where a missing
# package fails instead.
OPTIONAL = {"aioboto3": "SMFAKE_REQUIRE_AIO"}
_IMPORTS = re.compile(r"^\s*(?:import|from)\s+(\w+)", re.MULTILINE)


class PythonBlocks(CodeBlockParser):
    """Fenced ``python`` blocks and invisible ones, evaluated as the module docstring says."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(language="python")
        self.tmp_path = tmp_path
        self.runs = 0
        self.not_run: list[str] = []

    def evaluate(self, example: Example) -> str | None:
        source = textwrap.dedent(str(example.parsed))
        for package in set(_IMPORTS.findall(source)) & set(OPTIONAL):
            if importlib.util.find_spec(package) is None and not os.environ.get(OPTIONAL[package]):
                self.not_run.append(f"{example.path}:{example.line} needs {package}")
                return None
        if _FIXTURE_TEST.search(source) or _USES_PYTEST_MARKER.search(source):
            return self._run_with_pytest(example, source)
        namespace = example.namespace
        before = dict(namespace)
        # Blank lines first, so that a traceback names the line in the document.
        code = compile("\n" * example.line + source, example.path, "exec")
        exec(code, namespace)
        for name, value in list(namespace.items()):
            if before.get(name) is value:
                continue
            if name.startswith("test") and inspect.isfunction(value):
                _call_test(value)
            elif isinstance(value, type) and issubclass(value, unittest.TestCase):
                _run_test_case(value, where=f"{example.path}:{example.line}")
        return None

    def _run_with_pytest(self, example: Example, source: str) -> str | None:
        self.runs += 1
        folder = self.tmp_path / f"block{self.runs}"
        folder.mkdir()
        (folder / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
        (folder / f"test_block_line{example.line}.py").write_text(source)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "smfake", "-p", "no:cacheprovider", "-q"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=PYTEST_SECONDS,
        )
        if done.returncode != 0 or " passed" not in done.stdout:
            return f"pytest run of the block failed:\n{done.stdout}\n{done.stderr}"
        if re.search(r"\d+ (skipped|xfailed|deselected)", done.stdout):
            return f"the block's tests did not all run:\n{done.stdout}"
        return None


def _call_test(function: Any) -> None:
    if inspect.iscoroutinefunction(function):
        asyncio.run(function())
    else:
        function()


def _run_test_case(case: type[unittest.TestCase], *, where: str) -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = unittest.TestResult()
    suite.run(result)
    problems = [text for _, text in result.errors + result.failures]
    assert result.testsRun and not problems, f"{where}: {case.__name__} failed:\n" + "\n".join(
        problems
    )


# Pages whose blocks run Hypothesis machines or pytest sessions: most of this file's time.
SLOW = {"docs/clock-and-rotation.md", "docs/pytest.md", "conftest_examples/README.md"}


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in DOCUMENTS],
)
def test_docs_every_python_block_runs(name, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT / "conftest_examples"))
    blocks = PythonBlocks(tmp_path)
    document = Document.parse(str(ROOT / name), blocks, SkipParser())
    try:
        for example in document:
            example.evaluate()
    finally:
        # A block may leave a fake active on purpose (start() in one block, stop() later);
        # whatever a failing block left is stopped here.
        while isinstance(activation := hook.active_token(), mock._Activation):
            activation.mock.stop()


def test_docs_the_blocks_are_found():
    # A document whose blocks the parser no longer finds would pass the test above vacuously.
    counts = {
        name: len(list(Document.parse(str(ROOT / name), PythonBlocks(ROOT)))) for name in DOCUMENTS
    }
    assert counts["README.md"] >= 3
    assert sum(counts.values()) >= 18
    assert counts["conftest_examples/README.md"] >= 1


def _anchors(text: str) -> set[str]:
    # GitHub's anchors: headings lower-cased, punctuation dropped, spaces to hyphens.
    found = set()
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_docs_links_between_pages_resolve():
    # A page moved or a heading renamed must not leave a link (or an error message's pointer)
    # that leads nowhere.
    pages = [ROOT / name for name in DOCUMENTS] + [ROOT / "CHANGELOG.md"]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif (
                anchor
                and file.suffix == ".md"
                and anchor not in _anchors(file.read_text(encoding="utf-8"))
            ):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_docs_pointers_in_messages_resolve():
    # Error messages point readers at "docs/<page>.md#<heading>".
    sources = [*ROOT.glob("smfake/**/*.py"), *ROOT.glob("conftest_examples/**/*.py")]
    broken = []
    for source in sources:
        for path, anchor in re.findall(r"(docs/[\w-]+\.md)#([\w-]+)", source.read_text("utf-8")):
            page = ROOT / path
            if not page.exists() or anchor not in _anchors(page.read_text(encoding="utf-8")):
                broken.append(f"{source.relative_to(ROOT)}: {path}#{anchor}")
    assert broken == []
