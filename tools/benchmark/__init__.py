"""The booking benchmark: `python -m tools.benchmark --help` from the project root; see docs/benchmark.md."""

# The settings of the web processes the benchmark starts, and of the benchmark itself.
SETTINGS_MODULE = "tools.benchmark.settings"
# The Celery queue those web processes put the measured bookings' e-mail tasks in; the benchmark empties it
# afterwards, so that no worker on the same broker sends them.
CELERY_QUEUE = "booking-benchmark"
