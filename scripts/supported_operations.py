"""Print the "Supported operations" table of docs/operations.md from the wire's operation table.

Usage: python scripts/supported_operations.py [--check docs/operations.md]
With --check, exit 1 when the page's table disagrees with the operation table. The list of
operations comes from the installed botocore, so --check only requires that the page names every
operation of the installed model, with "yes" exactly for the ones smfake serves.
"""

from __future__ import annotations

import sys
from pathlib import Path

BEGIN = "<!-- supported-operations:begin -->"
END = "<!-- supported-operations:end -->"


def table() -> str:
    from smfake._wire.model import operation_names
    from smfake._wire.operations import OPERATIONS

    rows = ["| operation | supported |", "|---|---|"]
    for name in sorted(operation_names()):
        rows.append(f"| {name} | {'yes' if name in OPERATIONS else 'not yet'} |")
    served = sum(name in OPERATIONS for name in operation_names())
    rows.append("")
    rows.append(f"{served} of {len(operation_names())} operations of botocore's model.")
    return "\n".join(rows)


def check(readme_rows: str) -> list[str]:
    """What is wrong with the page's table: missing operations, wrong supported flags."""
    from smfake._wire.model import operation_names
    from smfake._wire.operations import OPERATIONS

    listed: dict[str, str] = {}
    for line in readme_rows.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("operation", "---"):
            listed[cells[0]] = cells[1]
    problems = []
    for name in sorted(operation_names() | set(OPERATIONS)):
        want = "yes" if name in OPERATIONS else "not yet"
        if listed.get(name) != want:
            problems.append(
                f"docs/operations.md: {name} should read {want!r}, reads {listed.get(name)!r}"
            )
    return problems


def readme_table(readme: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    return readme[start : readme.index(END)].strip()


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        problems = check(readme_table(Path(argv[1]).read_text(encoding="utf-8")))
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
