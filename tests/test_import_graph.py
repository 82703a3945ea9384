"""The import graph of smfake: no cycle (counting imports under TYPE_CHECKING and inside
functions), and the layer rule: _wire → _domain ← _api, nothing imports upward."""

from __future__ import annotations

import ast
from pathlib import Path

import smfake

ROOT = Path(smfake.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Each smfake module → the smfake modules it imports anywhere in its text."""
    paths = {module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.add(base)
                # "from package import module" imports the module.
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {target for target in found if target in paths and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_import_graph_layers_never_import_upward():
    upward = {"smfake._domain": ("smfake._wire", "smfake._api"), "smfake._wire": ("smfake._api",)}
    wrong = [
        (source, target)
        for source, targets in import_graph().items()
        for layer, forbidden in upward.items()
        if source.startswith(layer + ".")
        for target in targets
        if target.startswith(forbidden)
    ]
    assert wrong == []


def test_import_graph_sees_imports_under_type_checking_and_in_functions():
    graph = import_graph()
    assert len(graph) > 50
    assert "smfake._domain.store" in graph["smfake._wire.operations"]
