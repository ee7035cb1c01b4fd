"""The statistics benchmark: `python -m tools.benchmark_statistics --help` from the project root; see
docs/benchmark.md ("Statistics")."""
