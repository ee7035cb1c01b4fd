import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from booking.benchmark import BenchConfig, run


class Command(BaseCommand):
    help = (
        "National-scale booking benchmark on PostgreSQL: bulk-loads resources and bookings, then measures the "
        "free-capacity search, HTTP booking throughput against gunicorn and the plain SQL insert rate, checks "
        "for overlaps, and writes the figures to bench/booking-*.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=int, default=20_000)
        parser.add_argument("--bookings", type=int, default=2_000_000)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--http-seconds", type=float, default=20.0)
        parser.add_argument("--sql-seconds", type=float, default=10.0)
        parser.add_argument(
            "--rounds", type=int, default=4, help="HTTP and SQL slices, alternating, that share those seconds"
        )
        parser.add_argument("--searches", type=int, default=60)
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--broker-url",
            default=os.environ.get("BENCH_BROKER_URL", ""),
            help="queue the booking e-mails to this broker (otherwise they are dropped by a dummy e-mail backend)",
        )
        parser.add_argument("--skip-build", action="store_true", help="reuse the data set of an earlier run")
        parser.add_argument("--output-dir", type=Path, help="where the JSON file goes (default: bench/)")

    def handle(self, *args, **options):
        if options["rounds"] < 1:
            raise CommandError("--rounds must be at least 1.")
        config = BenchConfig(
            resources=options["resources"],
            bookings=options["bookings"],
            clients=options["clients"],
            http_seconds=options["http_seconds"],
            sql_seconds=options["sql_seconds"],
            rounds=options["rounds"],
            searches=options["searches"],
            gunicorn_workers=options["workers"],
            port=options["port"],
            broker_url=options["broker_url"],
        )
        if options["output_dir"]:
            config.output_dir = options["output_dir"]
        try:
            report = run(config, skip_build=options["skip_build"])
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(report, indent=2))
