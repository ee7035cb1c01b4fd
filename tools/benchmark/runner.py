"""National-scale benchmark for the booking engine (PostgreSQL only); a development tool, not part of the product.

Builds a data set with generate_series (resources, policies, opening hours and millions of bookings), then
measures: the free-capacity search over one category for a 14-day window (p50/p95); bookings per second through
the HTTP API from concurrent clients against gunicorn and the plain SQL insert rate into the same constrained table
from as many connections, in alternating slices; and finally checks with one query that no two active bookings
overlap.

All benchmark rows hang off institutions whose slug starts with "bench-", so a rerun replaces them and
nothing else is touched.
"""

import datetime
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from booking import selectors
from tools.benchmark import CELERY_QUEUE, SETTINGS_MODULE

PREFIX = "bench-"


class BenchmarkError(RuntimeError):
    """Stops the benchmark with a sentence for the person running it (the command line prints it, no traceback)."""


INSTITUTIONS = 20
CATEGORIES = 20


@dataclass
class BenchConfig:
    resources: int = 20_000
    bookings: int = 2_000_000
    clients: int = 8
    http_seconds: float = 20.0
    sql_seconds: float = 10.0
    rounds: int = 4  # alternating HTTP and SQL slices (measure_rates)
    searches: int = 60
    gunicorn_workers: int = 4
    port: int = 8765
    broker_url: str = ""
    # Share of the resources whose availability also comes from an external calendar (issue 21), and how many
    # busy times each such calendar holds over the sync horizon.
    federated_share: float = 0.2
    federated_busy: int = 300
    # Results stay out of git (.gitignore): figures belong to a machine and a moment, not to a commit.
    output_dir: Path = field(default_factory=lambda: Path(settings.BASE_DIR) / ".benchmark")


def _log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


BENCH_USERS = "SELECT id FROM accounts_user WHERE email LIKE 'bench-%%'"
BENCH_FACILITIES = (
    "SELECT f.id FROM catalogue_facility f JOIN catalogue_institution i ON i.id = f.institution_id "
    "WHERE i.slug LIKE 'bench-%%'"
)
BENCH_RESOURCES = f"SELECT id FROM catalogue_resource WHERE facility_id IN ({BENCH_FACILITIES})"
BENCH_POLICIES = f"SELECT id FROM booking_bookingpolicy WHERE resource_id IN ({BENCH_RESOURCES})"
BENCH_CALENDARS = f"SELECT id FROM calendars_externalcalendar WHERE resource_id IN ({BENCH_RESOURCES})"


def prepare_database() -> None:
    """Make sure the benchmark can run on this database, or stop with a sentence that says what to do.

    An empty database (no tables at all) is migrated here: that is what a database of the benchmark's own looks like
    the first time. A database with tables but unapplied migrations is someone's, at another schema: it is left
    alone, as migrating it could be the wrong thing for its owner.
    """
    if connection.vendor != "postgresql":
        raise BenchmarkError("The benchmark needs PostgreSQL (set DATABASE_URL=postgres://...).")
    name = connection.settings_dict["NAME"]
    try:
        connection.ensure_connection()
    except OperationalError as error:
        reason = " ".join(str(error).split()).rpartition("FATAL:")[2].strip()  # libpq's words, on one line
        raise BenchmarkError(
            f"Cannot connect to the database {name} ({reason}): start PostgreSQL or create the database, or point "
            "DATABASE_URL at one that is there."
        ) from error
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    if connection.introspection.table_names():
        raise BenchmarkError(
            f"The database {name} is not at this checkout's schema ({len(pending)} migrations not applied): run "
            "`.venv/bin/python manage.py migrate` with the same DATABASE_URL first, or point DATABASE_URL at an "
            "empty database, which the benchmark migrates itself."
        )
    _log(f"the database {name} is empty: applying {len(pending)} migrations first")
    call_command("migrate", interactive=False, verbosity=0)


def wipe() -> None:
    """Remove earlier benchmark data (only rows that belong to bench- institutions and bench- users)."""
    bench_bookings = (
        f"SELECT id FROM booking_booking WHERE resource_id IN ({BENCH_RESOURCES}) OR user_id IN ({BENCH_USERS})"
    )
    statements = [
        f"DELETE FROM core_outgoingemail WHERE kind LIKE 'booking.%%' AND object_id IN ({bench_bookings})",
        f"DELETE FROM booking_bookingevent WHERE booking_id IN ({bench_bookings})",
        f"DELETE FROM booking_booking WHERE resource_id IN ({BENCH_RESOURCES}) OR user_id IN ({BENCH_USERS})",
        f"DELETE FROM booking_idempotencyrecord WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM accounts_apitoken WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM account_emailaddress WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM accounts_organisationmembership WHERE user_id IN ({BENCH_USERS})",
        f"DELETE FROM accounts_user WHERE id IN ({BENCH_USERS})",
        f"DELETE FROM calendars_externalbusyinterval WHERE calendar_id IN ({BENCH_CALENDARS})",
        f"DELETE FROM calendars_externalcalendar WHERE id IN ({BENCH_CALENDARS})",
        f"DELETE FROM booking_openinghours WHERE policy_id IN ({BENCH_POLICIES})",
        f"DELETE FROM booking_bookingpolicy WHERE id IN ({BENCH_POLICIES})",
        f"DELETE FROM catalogue_resource WHERE id IN ({BENCH_RESOURCES})",
        f"DELETE FROM catalogue_facility_categories WHERE facility_id IN ({BENCH_FACILITIES})",
        f"DELETE FROM catalogue_facility WHERE id IN ({BENCH_FACILITIES})",
        "DELETE FROM catalogue_institution WHERE slug LIKE 'bench-%%'",
        "DELETE FROM catalogue_category WHERE slug LIKE 'bench-%%'",
    ]
    with transaction.atomic():
        for statement in statements:
            _execute(statement)
    # Give the space back before loading again, so that every run measures the same compact tables: otherwise
    # the deleted rows stay in the tables and their indexes (bloating the opening hours most). Quick here,
    # as the tables are nearly empty now; it locks them meanwhile, so the benchmark wants a database of its own.
    _execute(f"VACUUM FULL {', '.join(BLOATED_BY_WIPE)}")


BLOATED_BY_WIPE = (
    "core_outgoingemail", "booking_bookingevent", "booking_booking", "booking_openinghours", "booking_bookingpolicy",
    "calendars_externalbusyinterval", "calendars_externalcalendar",
)  # fmt: skip


def build(config: BenchConfig) -> dict:
    """Bulk-load the national data set in a handful of INSERT ... SELECT generate_series statements."""
    facilities = max(1, config.resources // 10)
    per_resource = max(1, config.bookings // config.resources)
    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        _execute(
            """INSERT INTO catalogue_institution (kind, name, short_name, slug, city, region, web_address, org_number,
                   industry_access_nb, industry_access_en, is_demo)
               SELECT 'university', 'Benchmark institution ' || n, 'BENCH' || n, 'bench-' || n, 'Oslo', '', '', '',
                   '', '', false
               FROM generate_series(1, %s) AS n""",
            [INSTITUTIONS],
        )
        _execute(
            """INSERT INTO catalogue_category (slug, name_nb, name_en)
               SELECT 'bench-' || n, 'Benchmark-kategori ' || n, 'Benchmark category ' || n
               FROM generate_series(1, %s) AS n""",
            [CATEGORIES],
        )
        _execute(
            """INSERT INTO catalogue_facility (institution_id, kind, name, slug, description_nb, description_en,
                   keywords, offers_rental, offers_service, offers_commissioned, offers_collaboration,
                   open_to_industry, accreditation, city, campus, web_address, last_verified, status, created_at,
                   updated_at)
               SELECT i.id, 'core_facility', 'Benchmark facility ' || n, 'bench-facility-' || n, '', '', '', true,
                   false, false, false, true, '', 'Oslo', '', '', now()::date, 'published', now(), now()
               FROM generate_series(1, %s) AS n
               JOIN catalogue_institution i ON i.slug = 'bench-' || (1 + n %% %s)""",
            [facilities, INSTITUTIONS],
        )
        _execute(
            """INSERT INTO catalogue_facility_categories (facility_id, category_id)
               SELECT f.id, c.id FROM catalogue_facility f
               JOIN catalogue_category c ON c.slug = 'bench-' || (1 + f.id %% %s)
               WHERE f.slug LIKE 'bench-facility-%%'""",
            [CATEGORIES],
        )
        _execute(
            """INSERT INTO catalogue_resource (facility_id, kind, name, description_nb, description_en, bookable,
                   is_active)
               SELECT f.id, 'instrument', 'Benchmark instrument ' || f.id || '-' || k, '', '', true, true
               FROM catalogue_facility f CROSS JOIN generate_series(1, 10) AS k
               WHERE f.slug LIKE 'bench-facility-%%'"""
        )
        _execute(
            """INSERT INTO booking_bookingpolicy (resource_id, time_zone, slot_minutes, min_length_minutes,
                   max_length_minutes, min_notice_minutes, max_advance_days, buffer_minutes, requires_approval,
                   requires_qualification, cancellation_deadline_hours, approval_deadline_hours,
                   booked_in_local_system, local_system_name, local_booking_url)
               SELECT r.id, 'Europe/Oslo', 30, 30, 480, 0, 3650, CASE WHEN r.id %% 4 = 0 THEN 30 ELSE 0 END, false,
                   false, 24, 72, false, '', ''
               FROM catalogue_resource r JOIN catalogue_facility f ON f.id = r.facility_id
               WHERE f.slug LIKE 'bench-facility-%%'"""
        )
        _execute(
            """INSERT INTO booking_openinghours (policy_id, weekday, opens, closes)
               SELECT p.id, d, time '08:00', time '16:00'
               FROM booking_bookingpolicy p JOIN catalogue_resource r ON r.id = p.resource_id
               JOIN catalogue_facility f ON f.id = r.facility_id CROSS JOIN generate_series(0, 4) AS d
               WHERE f.slug LIKE 'bench-facility-%%'"""
        )
        _execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff, is_active,
                   date_joined, email, kind, phone, language)
               SELECT '!', false, 'Bench', 'User ' || n, false, true, now(), 'bench-' || n || '@example.org',
                   'company', '', 'nb'
               FROM generate_series(1, 100) AS n"""
        )
        _execute(  # they book on the account of a verified organisation they are approved members of
            """INSERT INTO accounts_organisation (org_number, name, kind, address, vat_registered, nace_code, sector,
                   web_domain, register_state, register_note, created_at)
               VALUES ('988077917', 'Benchmark AS', 'company', '', true, '', '', '', 'verified', '', now())
               ON CONFLICT (org_number) DO NOTHING"""
        )
        _execute(
            f"""INSERT INTO accounts_organisationmembership (organisation_id, user_id, role, state, claimed_name,
                   requested_at, decision_note)
               SELECT o.id, u.id, 'member', 'approved', '', now(), ''
               FROM accounts_user u CROSS JOIN accounts_organisation o
               WHERE u.id IN ({BENCH_USERS}) AND o.org_number = '988077917'"""
        )
        _execute(  # verified addresses: an account books only once its e-mail address is verified
            f"""INSERT INTO account_emailaddress (user_id, email, verified, "primary")
               SELECT id, email, true, true FROM accounts_user WHERE id IN ({BENCH_USERS})"""
        )
    timings["catalogue_seconds"] = round(time.perf_counter() - started, 2)
    _log(f"catalogue built in {timings['catalogue_seconds']} s; loading {per_resource} bookings per resource")
    started = time.perf_counter()
    # Weekdays from six weeks ago: booking k of a resource is on the k-th weekday, 2 hours, start hour varies.
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 42)
    with transaction.atomic():
        _execute(
            """WITH res AS (
                   SELECT r.id, p.buffer_minutes, row_number() OVER (ORDER BY r.id) AS n
                   FROM catalogue_resource r JOIN booking_bookingpolicy p ON p.resource_id = r.id
                   JOIN catalogue_facility f ON f.id = r.facility_id WHERE f.slug LIKE 'bench-facility-%%'
               ), users AS (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user WHERE email LIKE 'bench-%%'),
               slots AS (
                   SELECT res.id AS resource_id, res.buffer_minutes, res.n, k,
                          ((%(monday)s::date + ((k / 5) * 7 + k %% 5))
                            + make_time(8 + ((res.n * 7 + k) %% 6)::int, 0, 0)) AT TIME ZONE 'Europe/Oslo' AS s
                   FROM res CROSS JOIN generate_series(0, %(per_resource)s - 1) AS k
               )
               INSERT INTO booking_booking (resource_id, user_id, start, "end", blocked_until, status, activity,
                   access_model, purpose, payer_name, payer_org_number, currency, created_at, updated_at,
                   price_tier, price_unit, decision_reason, vat_category, vat_reason_code, vat_reason)
               SELECT slots.resource_id, users.ids[1 + (slots.n + slots.k) %% 100], slots.s,
                   slots.s + interval '2 hours',
                   slots.s + interval '2 hours' + make_interval(mins => slots.buffer_minutes),
                   CASE WHEN slots.k %% 10 = 0 THEN 'cancelled' ELSE 'confirmed' END,
                   CASE WHEN slots.k %% 5 = 0 THEN 'economic' ELSE 'non_economic' END,
                   'rental', '', 'Benchmark AS', '988077917', 'NOK', now(), now(), '', '', '', 'S', '', ''
               FROM slots, users""",
            {"monday": monday, "per_resource": per_resource},
        )
    timings["bookings_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    build_federated(config)
    timings["federated_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    # What autovacuum does after a bulk load: statistics, visibility map and hint bits, so that the measurements
    # do not pay for them.
    _execute("VACUUM (ANALYZE)")
    timings["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 2)
    # Write the load out now, so that the checkpointer's writes do not land in the middle of the measurements.
    try:
        _execute("CHECKPOINT")
    except DatabaseError as error:  # needs superuser or pg_checkpoint
        _log(f"no CHECKPOINT after loading ({error}); the first measurements may share the disk with it")
    return timings


def build_federated(config: BenchConfig) -> None:
    """Attach an external calendar, as read by a sync, to `federated_share` of the resources (spread evenly over
    them, so over every category), each with `federated_busy` busy times: two on each weekday from this Monday on
    (so 300 reach 30 weeks ahead, short of the slots the HTTP and SQL measurements book, 200 and 400 weekdays
    ahead), one in the morning starting 08:00-10:00 and one in the afternoon starting 12:00-14:00, each 1 or 2
    hours, so they fall in the search's window between and beside the bookings, as a facility's own booking system
    would fill it. Stored as the sync stores them (one piece each, as none is longer than a day)."""
    if config.federated_share <= 0 or config.federated_busy <= 0:
        return
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    with transaction.atomic():
        _execute(
            """WITH res AS (
                   SELECT r.id, row_number() OVER (ORDER BY r.id) AS n
                   FROM catalogue_resource r JOIN catalogue_facility f ON f.id = r.facility_id
                   WHERE f.slug LIKE 'bench-facility-%%'
               )
               INSERT INTO calendars_externalcalendar (resource_id, name, url, created_at, last_attempt_at,
                   last_success_at, error_code, error_detail, etag, last_modified, content_hash, expanded_until,
                   busy_count)
               SELECT res.id, 'Benchmark local system', 'https://bench-feeds.example.org/' || res.id || '.ics',
                   now(), now(), now(), '', '', '', '', '', now() + make_interval(days => %(horizon)s), %(busy)s
               FROM res
               WHERE floor(res.n * %(share)s) > floor((res.n - 1) * %(share)s)""",
            {"share": config.federated_share, "busy": config.federated_busy,
             "horizon": settings.EXTERNAL_CALENDARS_HORIZON_DAYS},
        )  # fmt: skip
        _execute(
            f"""WITH cal AS (SELECT id, resource_id FROM calendars_externalcalendar WHERE id IN ({BENCH_CALENDARS})),
               busy AS (
                   SELECT cal.id AS calendar_id, cal.resource_id, k,
                          ((%(monday)s::date + ((k / 10) * 7 + (k / 2) %% 5))
                            + make_time(8 + 4 * (k %% 2) + ((cal.resource_id + k) %% 3)::int, 0, 0))
                            AT TIME ZONE 'Europe/Oslo' AS s
                   FROM cal CROSS JOIN generate_series(0, %(busy)s - 1) AS k
               )
               INSERT INTO calendars_externalbusyinterval (calendar_id, resource_id, start, "end")
               SELECT calendar_id, resource_id, s, s + make_interval(hours => 1 + (k / 2 %% 2)::int) FROM busy""",
            {"monday": monday, "busy": config.federated_busy},
        )


def federated_matches(config: BenchConfig) -> bool:
    """Whether the external calendars in the database are those `config` asks for (share and busy times)."""
    resources = len(bench_resource_ids())
    wanted = int(resources * config.federated_share) if config.federated_busy > 0 else 0
    found = counts()
    return found["federated_resources"] == wanted and found["external_busy_intervals"] == wanted * config.federated_busy


def rebuild_federated(config: BenchConfig) -> float:
    """Replace the external calendars of the benchmark's resources by those `config` asks for; the seconds taken."""
    started = time.perf_counter()
    with transaction.atomic():
        _execute(f"DELETE FROM calendars_externalbusyinterval WHERE calendar_id IN ({BENCH_CALENDARS})")
        _execute(f"DELETE FROM calendars_externalcalendar WHERE id IN ({BENCH_CALENDARS})")
    _execute("VACUUM FULL calendars_externalbusyinterval, calendars_externalcalendar")
    build_federated(config)
    _execute("VACUUM (ANALYZE) calendars_externalbusyinterval, calendars_externalcalendar")
    return round(time.perf_counter() - started, 2)


def clear_measured() -> None:
    """Bookings made by an earlier run's measurements (150+ days ahead), so a rerun finds its slots free."""
    measured = (
        f"SELECT id FROM booking_booking WHERE resource_id IN ({BENCH_RESOURCES}) "
        "AND start > now() + interval '150 days'"
    )
    with transaction.atomic():
        _execute(f"DELETE FROM core_outgoingemail WHERE kind LIKE 'booking.%%' AND object_id IN ({measured})")
        _execute(f"DELETE FROM booking_bookingevent WHERE booking_id IN ({measured})")
        _execute(
            f"DELETE FROM booking_booking WHERE resource_id IN ({BENCH_RESOURCES}) "
            f"AND start > now() + interval '150 days'"
        )


def counts() -> dict:
    return {
        "bookable_resources": scalar(
            "SELECT count(*) FROM catalogue_resource r JOIN booking_bookingpolicy p ON p.resource_id = r.id "
            "WHERE r.bookable"
        ),
        "bookings": scalar("SELECT count(*) FROM booking_booking"),
        "federated_resources": scalar(
            f"SELECT count(DISTINCT resource_id) FROM calendars_externalcalendar WHERE id IN ({BENCH_CALENDARS})"
        ),
        "external_busy_intervals": scalar(
            f"SELECT count(*) FROM calendars_externalbusyinterval WHERE calendar_id IN ({BENCH_CALENDARS})"
        ),
    }


def cpu_ticks(path: str = "/proc/stat") -> tuple[int, int] | None:
    """The machine's CPU time so far, in ticks: (stolen by the host, all), from the first line of /proc/stat (user,
    nice, system, idle, iowait, irq, softirq, steal; guest time is counted in user and nice already); None where
    there is no such file or it does not say what was stolen.

    On a shared virtual machine the host may take a large part of the cores for a while (seen here: half of them
    for a minute, when every rate fell to a quarter); the report says how much, so such a run is recognised. It
    does not see other work inside the machine itself: run the benchmark on a machine that does nothing else.
    """
    try:
        with open(path) as stat:
            fields = stat.readline().split()
        values = [int(value) for value in fields[1:9]]
    except (OSError, ValueError):
        return None
    if fields[:1] != ["cpu"] or len(values) < 8:
        return None
    return values[7], sum(values)


STOLEN_WARNING = 0.05


def stolen_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    if before is None or after is None or after[1] <= before[1]:
        return None
    return round((after[0] - before[0]) / (after[1] - before[1]), 3)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure_search(config: BenchConfig) -> dict:
    from catalogue.models import Category

    categories = list(Category.objects.filter(slug__startswith=PREFIX))
    ticks = cpu_ticks()
    rng = random.Random(42)
    durations = []
    found = []
    today = timezone.localdate()
    for index in range(config.searches + 5):
        category = rng.choice(categories)
        day = today + datetime.timedelta(days=rng.randint(0, 30))
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        end = start + datetime.timedelta(days=14)
        began = time.perf_counter()
        windows = selectors.free_capacity_windows(
            start=start, end=end, duration=datetime.timedelta(hours=4), category=category, limit=100
        )
        elapsed = (time.perf_counter() - began) * 1000
        if index >= 5:  # the first few warm the caches
            durations.append(elapsed)
            found.append(len(windows))
    return {
        "searches": len(durations),
        "window_days": 14,
        "duration": "PT4H",
        "resources_per_category": config.resources // CATEGORIES,
        "p50_ms": round(_percentile(durations, 0.5), 1),
        "p95_ms": round(_percentile(durations, 0.95), 1),
        "max_ms": round(max(durations), 1),
        "mean_results": round(statistics.mean(found), 1),
        "stolen_cpu_share": stolen_share(ticks, cpu_ticks()),
    }


def _bench_tokens(count: int) -> list[str]:
    from accounts.models import ApiToken, User

    users = list(User.objects.filter(email__startswith=PREFIX).order_by("id")[:count])
    return [ApiToken.objects.create(user=user, name="benchmark")[1] for user in users]


def bench_resource_ids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id FROM catalogue_resource r JOIN catalogue_facility f ON f.id = r.facility_id "
            "WHERE f.slug LIKE 'bench-facility-%%' ORDER BY r.id"
        )
        return [row[0] for row in cursor.fetchall()]


def nth_weekday(offset: int) -> datetime.date:
    """The `offset`-th weekday (Monday to Friday, when the bench resources open) from today, counting from 0.

    Each offset gives its own day: a weekend is skipped, not folded onto the Monday after it (which gave a loader
    that went past a Friday the slots it had already booked on Monday).
    """
    one_day = datetime.timedelta(days=1)
    day = timezone.localdate() + datetime.timedelta(weeks=offset // 5)
    while day.weekday() >= 5:
        day += one_day
    for _ in range(offset % 5):
        day += one_day
        while day.weekday() >= 5:
            day += one_day
    return day


def _slot(day_offset: int, hour: int) -> tuple[datetime.datetime, datetime.datetime]:
    """An hour's slot from `hour` o'clock on the `day_offset`-th weekday from today."""
    start = timezone.make_aware(datetime.datetime.combine(nth_weekday(day_offset), datetime.time(hour)))
    return start, start + datetime.timedelta(hours=1)


def _server_database_url() -> str:
    """This process's DATABASE_URL, naming the database it really uses: the one the benchmark built (under the
    test runner that is test_<name>)."""
    if not os.environ.get("DATABASE_URL"):
        raise BenchmarkError("The benchmark's server needs DATABASE_URL=postgres://... in the environment.")
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path="/" + urllib.parse.quote(connection.settings_dict["NAME"])))


def _start_gunicorn(config: BenchConfig) -> subprocess.Popen:
    env = {
        **os.environ,
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": _server_database_url(),
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        # The product's settings plus the e-mail queue of the benchmark's own (tools/benchmark/settings.py).
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
    }
    if config.broker_url:
        env["CELERY_BROKER_URL"] = config.broker_url
    else:
        env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application", "--bind",
        f"127.0.0.1:{config.port}", "--workers", str(config.gunicorn_workers), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
    try:
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", config.port, timeout=10)
                conn.request("GET", "/api/v1/bookings/")  # answers 401 at once once the workers are up
                conn.getresponse().read()
                conn.close()
                return process
            except OSError:
                time.sleep(0.2)
        raise BenchmarkError("gunicorn did not start")
    except BaseException:
        process.terminate()
        process.wait(timeout=30)
        raise


def _http(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a new connection; returns the status and the raw response.

    A bare socket rather than http.client: the clients share the machine's cores with the server, and http.client
    spends more of them per request than a socket does. The server sees an ordinary request; only the client does
    less work.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    return int(response[9:12]), response


def framework_ceiling(config: BenchConfig, seconds: float = 5.0) -> float:
    """Requests/s of the cheapest API answer (a token lookup that fails: 401) with the same clients and server.

    Context for the booking rate: what Django, DRF and gunicorn cost on this machine before any booking work.
    """
    answered = []
    lock = threading.Lock()

    def client(index: int, stop: threading.Event) -> None:
        count = 0
        try:
            while not stop.is_set():
                _http(config.port, "GET", "/api/v1/bookings/", headers={"Authorization": "Token not-a-token"})
                count += 1
        finally:
            with lock:
                answered.append(count)

    elapsed = _run_threads(config.clients, client, seconds)  # the clients count while this runs: sum afterwards
    return round(sum(answered) / elapsed, 1)


def drop_bench_emails(broker_url: str) -> None:
    """The benchmark's e-mails to bench-N@example.org are not to be sent: drop them from the outbox, and the tasks
    that would send them from their own queue."""
    from kombu import Connection

    _execute(
        "DELETE FROM core_outgoingemail o USING booking_booking b "
        f"WHERE o.kind LIKE 'booking.%%' AND b.id = o.object_id AND b.user_id IN ({BENCH_USERS})"
    )
    if broker_url:
        with Connection(broker_url) as conn:
            conn.default_channel.queue_purge(CELERY_QUEUE)


def _run_threads(count: int, target, seconds: float) -> float:
    """Run `target(index, stop)` in `count` threads for `seconds`, then stop them; the time it took."""
    stop = threading.Event()
    threads = [threading.Thread(target=target, args=(index, stop)) for index in range(count)]
    began = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        time.sleep(seconds)
    finally:
        stop.set()
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join(timeout=60)
    return time.perf_counter() - began


class Slices:
    """What the loads share: per client, where it goes on in the next slice; totals; a failure that ends the run."""

    def __init__(self, config: BenchConfig, resource_ids: list[int], counters: tuple[str, ...], first_day: int):
        self.config = config
        self.first_day = first_day
        self.shares = [resource_ids[index :: config.clients] for index in range(config.clients)]
        self.sequences = [0] * config.clients
        self.totals = dict.fromkeys(counters, 0)
        self.seconds = 0.0
        self.failure: BaseException | None = None
        self.lock = threading.Lock()

    def nth_slot(self, index: int, sequence: int) -> tuple[int, datetime.datetime, datetime.datetime]:
        """Client `index`'s slot number `sequence`: each of its resources in turn, then the next hour (8 to 16),
        then the next weekday from `first_day` on."""
        mine = self.shares[index]
        rank = sequence // len(mine)
        return (mine[sequence % len(mine)], *_slot(self.first_day + rank // 8, 8 + rank % 8))

    def record(self, index: int, sequence: int, counts: dict) -> None:
        self.sequences[index] = sequence
        with self.lock:
            for name, count in counts.items():
                self.totals[name] += count

    def run_slice(self, worker, seconds: float, counter: str) -> tuple[int, float]:
        """One slice: how many `counter` it added, and its seconds. A client that failed ends the benchmark."""

        def guarded(index: int, stop: threading.Event) -> None:
            try:
                worker(index, stop)
            except BaseException as error:
                self.failure = error

        before = self.totals[counter]
        elapsed = _run_threads(self.config.clients, guarded, seconds)
        if self.failure is not None:
            raise BenchmarkError(f"A benchmark client failed: {self.failure!r}") from self.failure
        self.seconds += elapsed
        return self.totals[counter] - before, elapsed


class HttpLoad(Slices):
    """Concurrent clients POST bookings of distinct free slots, each on its own share of the resources; in the
    next slice each goes on where it stopped. A refused connection or a broken answer counts as an error."""

    def __init__(self, config: BenchConfig, resource_ids: list[int]):
        super().__init__(config, resource_ids, ("created", "conflicts", "errors"), first_day=200)
        self.tokens = _bench_tokens(config.clients)
        self.latencies: list[float] = []

    def client(self, index: int, stop: threading.Event) -> None:
        headers = {"Authorization": f"Token {self.tokens[index]}", "Content-Type": "application/json"}
        sequence = self.sequences[index]
        counts = {"created": 0, "conflicts": 0, "errors": 0}
        latencies = []
        try:
            while not stop.is_set():
                resource, start, end = self.nth_slot(index, sequence)
                sequence += 1
                body = json.dumps({"resource": resource, "start": start.isoformat(), "end": end.isoformat(),
                                   "activity": "economic", "access_model": "rental"})  # fmt: skip
                began = time.perf_counter()
                try:
                    status, text = _http(self.config.port, "POST", "/api/v1/bookings/", body.encode(), headers)
                except (OSError, ValueError) as error:
                    status, text = None, repr(error).encode()
                latencies.append(time.perf_counter() - began)
                if status == 201:
                    counts["created"] += 1
                elif status == 409:
                    counts["conflicts"] += 1
                else:
                    counts["errors"] += 1
                    if counts["errors"] <= 3:
                        _log(f"HTTP {status}: {text[:600]!r}")
        finally:
            self.record(index, sequence, counts)
            with self.lock:
                self.latencies.extend(latencies)

    def run(self, seconds: float) -> tuple[int, float]:
        """One slice: the bookings it created and its seconds."""
        return self.run_slice(self.client, seconds, "created")

    def report(self, ceiling: float) -> dict:
        latencies = self.latencies
        return {
            **self.totals,
            "framework_ceiling_requests_per_second": ceiling,
            "clients": self.config.clients,
            "gunicorn_workers": self.config.gunicorn_workers,
            "seconds": round(self.seconds, 1),
            "bookings_per_second": round(self.totals["created"] / self.seconds, 1),
            "latency_p50_ms": round(_percentile(latencies, 0.5) * 1000, 1) if latencies else None,
            "latency_p95_ms": round(_percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        }


SQL_INSERT = (
    'INSERT INTO booking_booking (resource_id, user_id, start, "end", blocked_until, status, activity, '
    "access_model, purpose, payer_name, payer_org_number, currency, created_at, updated_at, price_tier, "
    "price_unit, decision_reason, vat_category, vat_reason_code, vat_reason) "
    "VALUES (%s, %s, %s, %s, %s, 'confirmed', 'economic', 'rental', '', 'Benchmark AS', '988077917', 'NOK', "
    "now(), now(), '', '', '', 'S', '', '')"
)


class SqlLoad(Slices):
    """The physical limit: single-row INSERTs, one transaction each, into booking_booking (constraint on), from as
    many connections as the HTTP test has clients; in the next slice each goes on where it stopped. Any database
    error other than the constraint's refusal ends the benchmark."""

    def __init__(self, config: BenchConfig, resource_ids: list[int]):
        import psycopg

        super().__init__(config, resource_ids, ("inserted", "conflicts"), first_day=400)
        self.refused = psycopg.errors.ExclusionViolation
        self.user_id = scalar("SELECT min(id) FROM accounts_user WHERE email LIKE 'bench-%%'")
        params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
        self.connections = []
        try:
            for _ in range(config.clients):
                self.connections.append(psycopg.connect(**params, autocommit=True))
        except BaseException:
            self.close()
            raise

    def writer(self, index: int, stop: threading.Event) -> None:
        conn, sequence = self.connections[index], self.sequences[index]
        counts = {"inserted": 0, "conflicts": 0}
        try:
            while not stop.is_set():
                resource, start, end = self.nth_slot(index, sequence)
                sequence += 1
                try:
                    conn.execute(SQL_INSERT, (resource, self.user_id, start, end, end))
                    counts["inserted"] += 1
                except self.refused:
                    counts["conflicts"] += 1
        finally:
            self.record(index, sequence, counts)

    def run(self, seconds: float) -> tuple[int, float]:
        """One slice: the rows it inserted and its seconds."""
        return self.run_slice(self.writer, seconds, "inserted")

    def report(self) -> dict:
        return {
            **self.totals,
            "connections": self.config.clients,
            "seconds": round(self.seconds, 1),
            "inserts_per_second": round(self.totals["inserted"] / self.seconds, 1),
        }

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


def measure_rates(config: BenchConfig, resource_ids: list[int]) -> dict:
    """Bookings per second through the HTTP API against gunicorn, and the plain SQL insert rate, measured in
    alternating slices: `config.rounds` times an HTTP slice then an SQL slice, `http_seconds` and `sql_seconds` in
    all. The share compares the two totals.

    A shared machine's speed drifts within minutes (the same server takes noticeably more CPU per booking in one
    run than in the next); measured one after the other, the two rates saw different machines and their share moved
    with that. Alternating slices let both see the same machine; each round's
    figures are in the report, with the CPU share the host took during each slice, so the spread stays visible.
    """
    process = _start_gunicorn(config)
    sql = None
    try:
        http = HttpLoad(config, resource_ids)
        sql = SqlLoad(config, resource_ids)
        ceiling = framework_ceiling(config)
        rounds = []
        for _ in range(config.rounds):
            ticks = cpu_ticks()
            created, http_seconds = http.run(config.http_seconds / config.rounds)
            between = cpu_ticks()
            inserted, sql_seconds = sql.run(config.sql_seconds / config.rounds)
            http_rate, sql_rate = created / http_seconds, inserted / sql_seconds
            rounds.append({
                "http_created": created,
                "http_seconds": round(http_seconds, 2),
                "http_bookings_per_second": round(http_rate, 1),
                "http_stolen_cpu_share": stolen_share(ticks, between),
                "sql_inserted": inserted,
                "sql_seconds": round(sql_seconds, 2),
                "sql_inserts_per_second": round(sql_rate, 1),
                "sql_stolen_cpu_share": stolen_share(between, cpu_ticks()),
                "http_share_of_sql_rate": round(http_rate / sql_rate, 3) if sql_rate else None,
            })  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)
        try:
            if sql is not None:
                sql.close()
        finally:
            drop_bench_emails(config.broker_url)
    return {"http": http.report(ceiling), "sql": sql.report(), "rounds": rounds}


OVERLAP_CHECK_SQL = """
SELECT count(*) FROM (
    SELECT start, max(coalesce(blocked_until, "end")) OVER (
        PARTITION BY resource_id ORDER BY start, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS previous_end
    FROM booking_booking WHERE status IN ('pending', 'confirmed')
) AS ordered WHERE start < previous_end
"""


def create_path_queries() -> int:
    """How many SQL statements one API booking costs, as a request makes it (autocommit; measured in-process on a
    bench resource, then deleted). The e-mail task is published to an in-memory broker, as a web process publishes
    it to Redis, rather than run here."""
    from django.test.utils import CaptureQueriesContext, override_settings
    from rest_framework.test import APIClient

    from config.celery import app

    resource_id = bench_resource_ids()[0]
    start, end = _slot(900, 9)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_bench_tokens(1)[0]}")
    keys = ("broker_url", "task_always_eager")
    previous = {key: app.conf.get(key) for key in keys}
    app.conf.update(broker_url="memory://", task_always_eager=False)
    try:
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.post(
                "/api/v1/bookings/",
                {"resource": resource_id, "start": start.isoformat(), "end": end.isoformat(),
                 "activity": "economic", "access_model": "rental"},
                format="json",
            )  # fmt: skip
    finally:
        # Celery keeps the connection pool it made for memory:// (it has no public way to drop it); nothing in this
        # process publishes a task afterwards (the benchmark's own queue is emptied through a connection of its own).
        app.conf.update(previous)
    assert response.status_code == 201, response.content
    booking_id = response.json()["id"]
    with transaction.atomic():
        _execute("DELETE FROM core_outgoingemail WHERE kind LIKE 'booking.%%' AND object_id = %s", [booking_id])
        _execute("DELETE FROM booking_bookingevent WHERE booking_id = %s", [booking_id])
        _execute("DELETE FROM booking_booking WHERE id = %s", [booking_id])
    return len(queries)


def run(config: BenchConfig, *, skip_build: bool = False) -> dict:
    prepare_database()
    report: dict = {"started": timezone.now().isoformat(), "machine": {"cpus": os.cpu_count()}}
    if not skip_build:
        _log("removing earlier benchmark data")
        wipe()
        _log(f"building {config.resources} resources and {config.bookings} bookings")
        report["build"] = build(config)
    else:
        clear_measured()
        if not bench_resource_ids():
            raise BenchmarkError(
                f"There is no benchmark data to reuse in the database {connection.settings_dict['NAME']}: run "
                "without --skip-build."
            )
        if not federated_matches(config):  # e.g. --federated-share 0 to measure the same bookings without them
            _log(f"replacing the external calendars: share {config.federated_share}, {config.federated_busy} each")
            report["build"] = {"federated_seconds": rebuild_federated(config)}
    report["data"] = counts()
    _log(f"data: {report['data']}")
    report["search"] = measure_search(config)
    _log(f"search: {report['search']}")
    report["create_path_queries"] = create_path_queries()
    resource_ids = bench_resource_ids()
    report.update(measure_rates(config, resource_ids))
    _log(f"http: {report['http']}")
    _log(f"sql: {report['sql']}")
    _log(f"rounds: {report['rounds']}")
    stolen = [report["search"]["stolen_cpu_share"]]
    stolen += [r[f"{kind}_stolen_cpu_share"] for r in report["rounds"] for kind in ("http", "sql")]
    worst = max((share for share in stolen if share is not None), default=0)
    if worst > STOLEN_WARNING:
        _log(
            f"warning: the host took up to {worst:.0%} of this machine's CPU during the measurements; the figures "
            "of this run do not compare with a run on a machine of its own"
        )
    sql_rate = report["sql"]["inserts_per_second"]
    report["http_share_of_sql_rate"] = round(report["http"]["bookings_per_second"] / sql_rate, 3) if sql_rate else None
    began = time.perf_counter()
    report["overlapping_active_bookings"] = scalar(OVERLAP_CHECK_SQL)
    report["overlap_check_seconds"] = round(time.perf_counter() - began, 2)
    report["targets"] = {
        "search_p95_under_150_ms": report["search"]["p95_ms"] < 150,
        "http_at_least_10_percent_of_sql": (report["http_share_of_sql_rate"] or 0) >= 0.10,
        "zero_overlaps": report["overlapping_active_bookings"] == 0,
    }
    report["finished"] = timezone.now().isoformat()
    config.output_dir.mkdir(parents=True, exist_ok=True)
    path = config.output_dir / f"booking-{timezone.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2))
    report["file"] = str(path)
    return report
