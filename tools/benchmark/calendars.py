"""Benchmark of the external calendar sync: N feeds of E events each, served by a local HTTP server, read by W
processes as W Celery workers would (each feed one `calendars.services.external_calendar_sync`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lt_bench_cal .venv/bin/python -m tools.benchmark.calendars \
        --feeds 200 --events 500 --workers 2

It builds its own institution, facility and N resources (marked `bench-calendars`), replacing those of an earlier
run, and prints the report as JSON: seconds for all feeds, per feed, and the extrapolation to 2,000 feeds. Use a
database of its own: it migrates it and leaves the rows there.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLUG = "bench-calendars"


def feed(index: int, events: int, today: datetime.date) -> bytes:
    """E single events of 2 hours, spread over the next year, in Oslo time, with made-up private text."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//bench//{index}//EN"]
    first = datetime.datetime.combine(today, datetime.time(8))
    for number in range(events):
        start = first + datetime.timedelta(hours=17 * number + index % 7)
        end = start + datetime.timedelta(hours=2)
        lines += [
            "BEGIN:VEVENT", f"UID:{index}-{number}@bench", "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID=Europe/Oslo:{start:%Y%m%dT%H%M%S}", f"DTEND;TZID=Europe/Oslo:{end:%Y%m%dT%H%M%S}",
            f"SUMMARY:Run {number} of group {index}", "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def serve(bodies: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            body = bodies.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS"] = "1"
    import django

    django.setup()


def _worker_init():
    _setup_django()
    from django.db import connections

    connections.close_all()  # a forked child opens its own connection


def _sync(calendar_id: int) -> tuple[str, float]:
    """One feed read; its outcome and the CPU seconds this process spent on it (fetch, parse, expand, store)."""
    from calendars import services

    cpu = time.process_time()
    outcome = services.external_calendar_sync(calendar_id=calendar_id)
    return ("gone" if outcome is None else (outcome.error or "ok")), time.process_time() - cpu


def build(feeds: int, port: int) -> list[int]:
    from calendars.models import ExternalCalendar
    from catalogue.models import Facility, Institution, Resource

    ExternalCalendar.objects.filter(resource__facility__slug=SLUG).delete()
    Resource.objects.filter(facility__slug=SLUG).delete()
    Facility.objects.filter(slug=SLUG).delete()
    Institution.objects.filter(slug=SLUG).delete()
    institution = Institution.objects.create(name="Benchmark institution", slug=SLUG, kind="university")
    facility = Facility.objects.create(institution=institution, name="Benchmark facility", slug=SLUG)
    resources = Resource.objects.bulk_create(
        Resource(facility=facility, name=f"Instrument {n}", bookable=True) for n in range(feeds)
    )
    calendars = ExternalCalendar.objects.bulk_create(
        ExternalCalendar(resource=resource, name="Bench", url=f"http://127.0.0.1:{port}/feed/{n}.ics")
        for n, resource in enumerate(resources)
    )
    return [calendar.pk for calendar in calendars]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    _setup_django()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    bodies = {f"/feed/{n}.ics": feed(n, args.events, today) for n in range(args.feeds)}
    server = serve(bodies)
    calendar_ids = build(args.feeds, server.server_address[1])
    connections.close_all()
    load_before = round(os.getloadavg()[0], 1)
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers, initializer=_worker_init) as pool:
        outcomes = pool.map(_sync, calendar_ids, chunksize=4)
    seconds = time.perf_counter() - started
    load_after = round(os.getloadavg()[0], 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM calendars_externalbusyinterval WHERE calendar_id = ANY(%s)", [calendar_ids]
        )
        stored = cursor.fetchone()[0]
    server.shutdown()
    report = {
        "feeds": args.feeds,
        "events_per_feed": args.events,
        "workers": args.workers,
        "database": connection.vendor,
        "seconds": round(seconds, 1),
        "seconds_per_feed": round(seconds / args.feeds, 3),
        "extrapolated_seconds_for_2000_feeds": round(seconds / args.feeds * 2000, 1),
        "target_seconds_for_2000_feeds": 300,
        # On a shared machine the wall clock says more about the neighbours than about the sync; the CPU time of
        # the workers does not, and 2,000 feeds on two cores take at least this long.
        "cpu_seconds_per_feed": round(sum(cpu for _outcome, cpu in outcomes) / args.feeds, 3),
        "cpu_extrapolated_seconds_for_2000_feeds_on_2_cores": round(
            sum(cpu for _outcome, cpu in outcomes) / args.feeds * 2000 / 2, 1
        ),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "failed": sum(1 for outcome, _cpu in outcomes if outcome != "ok"),
        "busy_pieces_stored": stored,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
