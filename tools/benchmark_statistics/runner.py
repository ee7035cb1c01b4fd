"""How fast the public statistics answer with national volumes (PostgreSQL only); a development tool.

Bulk-loads, in a database of its own, institutions, facilities, resources, companies, a year of completed
bookings (2 million by default) and industry requests with generate_series, rebuilds the year's figures with the
periodic task's service (timed), then requests `/statistikk/` and `GET /api/v1/statistics/institutions/` in
process through Django's test client (middleware, views, templates, database; no HTTP server) and reports
p50/p95 of each as JSON. Targets: p95 < 200 ms for both (issue 20).

All its rows hang off institutions, companies and a user whose names start with "statbench-"; a rebuild deletes
those first.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

PREFIX = "statbench-"


def _log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def _execute(sql: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


BENCH_INSTITUTIONS = "SELECT id FROM catalogue_institution WHERE slug LIKE 'statbench-%%'"
BENCH_FACILITIES = f"SELECT id FROM catalogue_facility WHERE institution_id IN ({BENCH_INSTITUTIONS})"
BENCH_RESOURCES = f"SELECT id FROM catalogue_resource WHERE facility_id IN ({BENCH_FACILITIES})"
BENCH_USERS = "SELECT id FROM accounts_user WHERE email LIKE 'statbench-%%'"
BENCH_ORGANISATIONS = "SELECT id FROM accounts_organisation WHERE name LIKE 'statbench-%%'"


def wipe(year: int) -> None:
    from django.db import transaction

    with transaction.atomic():
        for statement in (
            "DELETE FROM reporting_publishedcell WHERE year = %s",
            "DELETE FROM reporting_useaggregate WHERE year = %s",
        ):
            _execute(statement, [year])
        for statement in (
            f"DELETE FROM intake_routing WHERE facility_id IN ({BENCH_FACILITIES})",
            "DELETE FROM intake_intakerequest WHERE email LIKE 'statbench-%%'",
            f"DELETE FROM booking_booking WHERE resource_id IN ({BENCH_RESOURCES})",
            f"DELETE FROM catalogue_resource WHERE id IN ({BENCH_RESOURCES})",
            f"DELETE FROM catalogue_facility WHERE id IN ({BENCH_FACILITIES})",
            "DELETE FROM catalogue_institution WHERE slug LIKE 'statbench-%%'",
            f"DELETE FROM accounts_organisation WHERE id IN ({BENCH_ORGANISATIONS})",
            f"DELETE FROM accounts_user WHERE id IN ({BENCH_USERS})",
        ):
            _execute(statement)


def build(*, year: int, institutions: int, resources: int, companies: int, bookings: int, requests: int) -> dict:
    """Everything in a few INSERT ... SELECT generate_series statements."""
    from django.db import transaction

    timings = {}
    started = time.perf_counter()
    facilities = max(1, resources // 5)
    with transaction.atomic():
        _execute(
            """INSERT INTO catalogue_institution (kind, name, short_name, slug, city, region, web_address, org_number,
                   industry_access_nb, industry_access_en, is_demo)
               SELECT 'university', 'Statbench institution ' || n, 'SB' || n, 'statbench-' || n, 'Oslo',
                   (ARRAY['north', 'central', 'west', 'south_east'])[1 + n %% 4], '', '', '', '', false
               FROM generate_series(1, %s) AS n""",
            [institutions],
        )
        _execute(
            """INSERT INTO catalogue_facility (institution_id, kind, name, slug, description_nb, description_en,
                   keywords, offers_rental, offers_service, offers_commissioned, offers_collaboration,
                   open_to_industry, accreditation, city, campus, web_address, last_verified, status, created_at,
                   updated_at)
               SELECT i.id, (ARRAY['core_facility', 'laboratory', 'test_bed', 'biobank'])[1 + n %% 4],
                   'Statbench facility ' || n, 'statbench-facility-' || n, '', '', '', true, true, false, false,
                   n %% 7 <> 0, '', 'Oslo', '', '', now()::date, 'published', now(), now()
               FROM generate_series(1, %s) AS n
               JOIN catalogue_institution i ON i.slug = 'statbench-' || (1 + n %% %s)""",
            [facilities, institutions],
        )
        _execute(
            f"""INSERT INTO catalogue_resource (facility_id, kind, name, description_nb, description_en, bookable,
                   is_active)
               SELECT f.id, 'instrument', 'Statbench instrument ' || f.id || '-' || k, '', '', true, true
               FROM catalogue_facility f CROSS JOIN generate_series(1, 5) AS k
               WHERE f.id IN ({BENCH_FACILITIES})"""
        )
        _execute(
            """INSERT INTO accounts_organisation (org_number, name, kind, address, vat_registered, nace_code, sector,
                   web_domain, register_state, register_note, created_at)
               SELECT NULL, 'statbench-company-' || n, 'company', '', true,
                   (ARRAY['21.200', '26.600', '32.501', '62.010', '72.110', '71.200', '86.900', ''])[1 + n %% 8],
                   '', '', 'verified', '', now()
               FROM generate_series(1, %s) AS n""",
            [companies],
        )
        _execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff, is_active,
                   date_joined, email, kind, phone, language)
               VALUES ('!', false, 'Statbench', 'User', false, true, now(), 'statbench-user@example.org',
                   'company', '', 'nb')"""
        )
    timings["catalogue_seconds"] = round(time.perf_counter() - started, 2)
    _log(f"catalogue built; loading {bookings} completed bookings of {year}")
    started = time.perf_counter()
    with transaction.atomic():
        # Booking n: resource n mod R, a 2-hour slot on day (n div R) mod 365 of the year; 40 % paid by one of the
        # companies, 40 % by the facility's own institution, 20 % by the next institution.
        _execute(
            f"""WITH res AS (
                   SELECT r.id, f.institution_id, row_number() OVER (ORDER BY r.id) - 1 AS k
                   FROM catalogue_resource r JOIN catalogue_facility f ON f.id = r.facility_id
                   WHERE r.id IN ({BENCH_RESOURCES})
               ), sizes AS (SELECT count(*) AS r FROM res),
               orgs AS (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_organisation
                        WHERE name LIKE 'statbench-%%'),
               insts AS (SELECT array_agg(id ORDER BY id) AS ids FROM catalogue_institution
                         WHERE slug LIKE 'statbench-%%'),
               person AS (SELECT id FROM accounts_user WHERE email = 'statbench-user@example.org'),
               rows AS (
                   SELECT n, res.id AS resource_id, res.institution_id,
                       (make_date(%(year)s, 1, 1) + ((n / sizes.r) %% 365)::int
                        + make_time(8 + (n %% 4) * 2, 0, 0)) AT TIME ZONE 'Europe/Oslo' AS s
                   FROM generate_series(0, %(bookings)s - 1) AS n CROSS JOIN sizes
                   JOIN res ON res.k = n %% sizes.r
               )
               INSERT INTO booking_booking (resource_id, user_id, start, "end", blocked_until, status, activity,
                   access_model, purpose, payer_name, payer_org_number, payer_institution_id, payer_organisation_id,
                   currency, created_at, updated_at, price_tier, price_unit, decision_reason, vat_category,
                   vat_reason_code, vat_reason, net_amount, total_amount, charged_net_amount, charged_total_amount)
               SELECT rows.resource_id, person.id, rows.s, rows.s + interval '2 hours', rows.s + interval '2 hours',
                   'completed', CASE WHEN rows.n %% 5 < 2 THEN 'economic' ELSE 'non_economic' END,
                   (ARRAY['rental', 'service', 'rental', 'commissioned'])[1 + rows.n %% 4], '', '', '',
                   CASE WHEN rows.n %% 5 BETWEEN 2 AND 3 THEN rows.institution_id
                        WHEN rows.n %% 5 = 4 THEN insts.ids[1 + rows.n %% array_length(insts.ids, 1)] END,
                   CASE WHEN rows.n %% 5 < 2 THEN orgs.ids[1 + (rows.n / 7) %% array_length(orgs.ids, 1)] END,
                   'NOK', now(), now(), '', 'hour', '', 'S', '', '', 2400, 3000, 2400, 3000
               FROM rows, orgs, insts, person""",
            {"year": year, "bookings": bookings},
        )
        _execute(
            f"""INSERT INTO intake_intakerequest (status, company_name, org_number, contact_name, email, phone, sector,
                   phase, description, timeframe, access_model, budget_range, nda_required, consent_to_share,
                   language, confirmation_token, confirmed_at, institution_id, paused_working_days,
                   check_need_clear, check_timeframe_realistic, check_funding_plausible, check_fits_institution,
                   decline_reason, decline_comment, close_reason, created_at, updated_at)
               SELECT 'in_screening', 'Statbench AS', lpad((900000000 + n %% 800)::text, 9, '0'), 'Bench',
                   'statbench-' || n || '@example.org', '', 'other', 'testing', '', '', 'unsure', '', false, true,
                   'nb', '', make_date(%(year)s, 1, 1) + (n %% 360) * interval '1 day',
                   (SELECT id FROM ({BENCH_INSTITUTIONS}) AS i ORDER BY id OFFSET n %% %(institutions)s LIMIT 1),
                   NULL, false, false, false, false, '', '', '',
                   make_date(%(year)s, 1, 1) + (n %% 360) * interval '1 day', now()
               FROM generate_series(1, %(requests)s) AS n""",
            {"year": year, "requests": requests, "institutions": institutions},
        )
    timings["bookings_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    _execute("VACUUM (ANALYZE)")
    timings["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 2)
    return timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(path: str, query: dict, count: int, *, cold: bool = False) -> dict:
    """p50/p95 of `count` GETs after 3 that warm up; `cold`: the cache is emptied before each (the page's tables
    are then read and rendered anew, as right after a rebuild)."""
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    for _warm in range(3):
        assert client.get(path, query).status_code == 200
    times = []
    for _n in range(count):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(path, query)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "requests": count,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.benchmark_statistics",
        description="Statistics page and API p95 with national volumes (PostgreSQL, DATABASE_URL, a database of "
        "its own).",
    )
    parser.add_argument("--bookings", type=int, default=2_000_000)
    parser.add_argument("--institutions", type=int, default=40)
    parser.add_argument("--resources", type=int, default=3_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--measurements", type=int, default=100)
    parser.add_argument("--skip-build", action="store_true", help="reuse the data and figures of an earlier run")
    parser.add_argument("--output-dir", type=Path, default=None)
    arguments = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from reporting import services

    if connection.vendor != "postgresql":
        print("The statistics benchmark needs PostgreSQL (set DATABASE_URL=postgres://...).", file=sys.stderr)
        return 1
    call_command("migrate", interactive=False, verbosity=0)
    year = datetime.date.today().year - 1
    report = {"year": year, "config": {k: v for k, v in vars(arguments).items() if k != "output_dir"}}
    if not arguments.skip_build:
        _log("removing an earlier run's data")
        wipe(year)
        report["build"] = build(
            year=year,
            institutions=arguments.institutions,
            resources=arguments.resources,
            companies=arguments.companies,
            bookings=arguments.bookings,
            requests=arguments.requests,
        )
        _log(f"loaded in {report['build']}; rebuilding the figures")
        started = time.perf_counter()
        cells = services.statistics_rebuild(year=year)
        report["rebuild"] = {"seconds": round(time.perf_counter() - started, 2), "published_cells": cells}
        _log(f"figures rebuilt: {report['rebuild']}")
    report["bookings_in_database"] = _scalar("SELECT count(*) FROM booking_booking")
    # In process, as in production (no test instrumentation of templates); static files without a manifest
    # (no collectstatic needed).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"], DEBUG=False):
        report["page"] = measure("/statistikk/", {"year": year}, arguments.measurements)
        report["page_after_rebuild"] = measure("/statistikk/", {"year": year}, arguments.measurements, cold=True)
        report["page_quarter"] = measure("/statistikk/", {"year": year, "quarter": 2}, arguments.measurements)
        report["api"] = measure("/api/v1/statistics/institutions/", {"year": year}, arguments.measurements)
    report["targets"] = {
        "page_p95_under_200_ms": report["page"]["p95_ms"] < 200,
        "page_after_rebuild_p95_under_200_ms": report["page_after_rebuild"]["p95_ms"] < 200,
        "api_p95_under_200_ms": report["api"]["p95_ms"] < 200,
    }
    output = arguments.output_dir or Path(settings.BASE_DIR) / ".benchmark"
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"statistics-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    _log(f"report written to {path}")
    return 0
