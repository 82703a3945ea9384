"""smfake's benchmarks, side by side with botocore's Stubber, a no-backend before-send hook
and moto. Prints a Markdown table of medians, ratios and goals.

    python benchmarks/run.py [--quick] [--rounds N] [--only GROUP] [--json FILE]

Groups: per-call, per-test, import, scale, threads (see benchmarks/cli.py). Every measurement
runs in fresh processes, one per target per round, targets taking turns in an order that
rotates between rounds. Run it with an interpreter that has moto installed to fill moto's
column; without moto it reads "n/a".
"""

from __future__ import annotations

import sys
from pathlib import Path


def _main() -> int:
    # Run as a script, sys.path[0] is this folder; the harness is the package "benchmarks" of
    # the repository. Appended, so that an installed smfake is the one measured.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.append(str(here.parent))
    from benchmarks.cli import main

    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
