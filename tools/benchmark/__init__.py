"""The booking benchmark: `python -m tools.benchmark --help` from the project root; see docs/benchmark.md."""
