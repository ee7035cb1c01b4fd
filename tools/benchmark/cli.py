"""The booking benchmark's command line: `python -m tools.benchmark [options]`, run from the project root.

It sets Django up itself, so the options are read (and `--help` answers) before any database is touched. A
problem the person running it can fix ends the run with one sentence on stderr and exit status 1, not a traceback.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from tools.benchmark import SETTINGS_MODULE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.benchmark",
        description=(
            "National-scale booking benchmark on PostgreSQL (DATABASE_URL): bulk-loads resources and bookings, then "
            "measures the free-capacity search, HTTP booking throughput against gunicorn and the plain SQL insert "
            "rate, checks for overlaps, and writes the figures to a JSON file."
        ),
    )
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--bookings", type=int, default=2_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--http-seconds", type=float, default=20.0)
    parser.add_argument("--sql-seconds", type=float, default=10.0)
    parser.add_argument(
        "--rounds", type=int, default=4, help="HTTP and SQL slices, alternating, that share those seconds"
    )
    parser.add_argument("--searches", type=int, default=60)
    parser.add_argument(
        "--federated-share",
        type=float,
        default=0.2,
        help="share of the resources with an external calendar (0 for none; issue 21 asks for 0.2)",
    )
    parser.add_argument(
        "--federated-busy", type=int, default=300, help="busy times in each external calendar, one per weekday"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("BENCH_BROKER_URL", ""),
        help="queue the booking e-mails to this broker (otherwise they are dropped by a dummy e-mail backend)",
    )
    parser.add_argument("--skip-build", action="store_true", help="reuse the data set of an earlier run")
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="where the JSON file goes (default: .benchmark/ in the project, which git ignores)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not 0 <= options.federated_share <= 1:
        parser.error("--federated-share must be between 0 and 1")
    if options.federated_busy < 0:
        parser.error("--federated-busy must not be negative")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()
    # Imported once Django is set up: the runner imports the booking app's models.
    from tools.benchmark.runner import BenchConfig, BenchmarkError, run

    config = BenchConfig(
        resources=options.resources,
        bookings=options.bookings,
        clients=options.clients,
        http_seconds=options.http_seconds,
        sql_seconds=options.sql_seconds,
        rounds=options.rounds,
        searches=options.searches,
        federated_share=options.federated_share,
        federated_busy=options.federated_busy,
        gunicorn_workers=options.workers,
        port=options.port,
        broker_url=options.broker_url,
    )
    if options.output_dir:
        config.output_dir = options.output_dir
    try:
        report = run(config, skip_build=options.skip_build)
    except BenchmarkError as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    return 0
