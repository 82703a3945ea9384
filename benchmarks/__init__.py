"""smfake's benchmark harness: run ``python benchmarks/run.py --help``."""
