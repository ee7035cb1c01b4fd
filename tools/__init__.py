"""Development tools for Labtorget (benchmarks and the like): run from a checkout, never imported by the product."""
