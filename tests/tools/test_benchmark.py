"""The benchmark (tools.benchmark), run end to end at a small scale: it builds its data, measures through a real
gunicorn and writes its report. Its figures are not checked here (speed is for the full runs); what a run reports
is."""

import datetime
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection, transaction

from tools.benchmark import CELERY_QUEUE
from tools.benchmark import runner as benchmark
from tools.benchmark.cli import main

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_connections_reset():
    """A run in this process leaves Celery with the connection pool it made for an in-memory broker (counting the
    booking path's statements); the later tests get the broker their settings name."""
    yield
    from config.celery import app
    from tests.broker import reset_connections

    reset_connections(app)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_connections_reset")
def test_a_small_run_measures_through_gunicorn_and_writes_its_report(tmp_path, capsys):
    status = main([
        "--resources", "200", "--bookings", "2000", "--clients", "2", "--http-seconds", "1",
        "--sql-seconds", "1", "--rounds", "2", "--searches", "3", "--workers", "1", "--port", str(_free_port()),
        "--output-dir", str(tmp_path),
    ])  # fmt: skip
    assert status == 0
    printed = capsys.readouterr().out
    report = json.loads(printed[printed.index("{\n") :])

    # 20 facilities, one per category; a fifth of the resources federated, 300 external busy times each (default)
    assert report["data"] == {
        "bookable_resources": 200, "bookings": 2000, "federated_resources": 40, "external_busy_intervals": 12_000,
    }  # fmt: skip
    assert report["search"]["searches"] == 3 and report["search"]["mean_results"] > 0
    # The token, the resource, its prices, and one transaction: BEGIN, the storing statement, the e-mails, COMMIT.
    assert report["create_path_queries"] == 8  # and the payer's membership
    # The server answered the clients' bookings on the database the benchmark built (the test database here).
    http = report["http"]
    assert http["created"] > 0 and http["errors"] == 0 and http["conflicts"] == 0
    assert report["sql"]["inserted"] > 0
    assert report["overlapping_active_bookings"] == 0
    assert set(report["targets"]) == {"search_p95_under_150_ms", "http_at_least_10_percent_of_sql", "zero_overlaps"}
    sql_rate = report["sql"]["inserts_per_second"]
    assert report["http_share_of_sql_rate"] == round(http["bookings_per_second"] / sql_rate, 3)
    assert report["sql"]["conflicts"] == 0  # the writers went on with their own slots in each slice
    # The two rates were measured in two alternating slices each; each round's counts add up to the totals.
    rounds = report["rounds"]
    assert len(rounds) == 2
    assert sum(r["http_created"] for r in rounds) == http["created"]
    assert sum(r["sql_inserted"] for r in rounds) == report["sql"]["inserted"]
    for slice_ in rounds:
        assert slice_["http_created"] > 0 and slice_["sql_inserted"] > 0
        # each slice lasts at least its share of the time (longer when a busy machine is slow to stop the clients)
        assert slice_["http_seconds"] >= 0.5 and slice_["sql_seconds"] >= 0.5
        # each rate is the slice's count over its seconds, and the share the one over the other, as far as the
        # rounding of the printed figures tells (seconds to 0.01, rates to 0.1, the share to 0.001)
        http_low, http_high = _rate_bounds(slice_["http_created"], slice_["http_seconds"])
        sql_low, sql_high = _rate_bounds(slice_["sql_inserted"], slice_["sql_seconds"])
        assert http_low - 0.05 <= slice_["http_bookings_per_second"] <= http_high + 0.05
        assert sql_low - 0.05 <= slice_["sql_inserts_per_second"] <= sql_high + 0.05
        assert http_low / sql_high - 0.0005 <= slice_["http_share_of_sql_rate"] <= http_high / sql_low + 0.0005
        assert 0 <= slice_["http_stolen_cpu_share"] <= 1 and 0 <= slice_["sql_stolen_cpu_share"] <= 1
    # the cheapest API answer was measured with the same clients: it cannot be slower than nothing
    assert http["framework_ceiling_requests_per_second"] > 0
    assert 0 <= report["search"]["stolen_cpu_share"] <= 1
    (written,) = tmp_path.glob("booking-*.json")
    assert json.loads(written.read_text()) == {key: value for key, value in report.items() if key != "file"}
    # The measured bookings were made for the bench users; their e-mails are not left in the outbox.
    assert benchmark.scalar("SELECT count(*) FROM core_outgoingemail WHERE kind LIKE 'booking.%%'") == 0


def _rate_bounds(count: int, seconds: float) -> tuple[float, float]:
    """The rates `count` in `seconds` can be when the seconds are rounded to two decimals."""
    return count / (seconds + 0.005), count / (seconds - 0.005)


class _Unauthorised(http.server.BaseHTTPRequestHandler):
    """Answers every request with 401, as the API does to a token it does not know, and counts them."""

    answered = 0
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()
        with self.lock:
            type(self).answered += 1

    def log_message(self, *args):
        pass


def test_the_framework_ceiling_is_the_answers_the_clients_got_per_second():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorised)
    _Unauthorised.answered = 0
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        config = benchmark.BenchConfig(clients=2, port=server.server_address[1])
        ceiling = benchmark.framework_ceiling(config, seconds=0.3)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert _Unauthorised.answered > 0
    # every answer counted over at least the 0.3 s the clients ran
    assert 0 < ceiling <= _Unauthorised.answered / 0.3 + 0.05


def _database_url(name: str) -> str:
    """DATABASE_URL with another database name, on the same server."""
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path="/" + urllib.parse.quote(name)))


@pytest.fixture
def empty_database():
    """The DATABASE_URL of a new database with nothing in it, dropped afterwards (with what the test made in it)."""
    import psycopg

    name = f"lt_benchmark_empty_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_database_url("postgres"), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(name)
    finally:
        with psycopg.connect(_database_url("postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _command_line(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """`python -m tools.benchmark` as a developer runs it: from the project root, its own settings, its own Django."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "tools.benchmark", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.postgres
def test_an_empty_database_is_migrated_first(empty_database, tmp_path):
    run = _command_line(
        empty_database, "--resources", "20", "--bookings", "20", "--clients", "1", "--http-seconds", "0.5",
        "--sql-seconds", "0.5", "--rounds", "1", "--searches", "1", "--workers", "1", "--port", str(_free_port()),
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "is empty: applying" in run.stdout
    report = json.loads(run.stdout[run.stdout.index("{\n") :])
    assert report["data"] == {
        "bookable_resources": 20, "bookings": 20, "federated_resources": 4, "external_busy_intervals": 1200,
    }  # fmt: skip
    assert report["http"]["created"] > 0 and report["overlapping_active_bookings"] == 0


@pytest.mark.postgres
def test_a_database_at_another_schema_is_left_alone_with_one_sentence_saying_what_to_do(empty_database, tmp_path):
    import psycopg

    with psycopg.connect(empty_database, autocommit=True) as database:
        database.execute("CREATE TABLE someone_elses (id integer)")
    run = _command_line(empty_database, "--output-dir", str(tmp_path))
    assert run.returncode == 1
    name = urllib.parse.urlsplit(empty_database).path[1:]
    assert run.stderr.startswith(f"benchmark: The database {name} is not at this checkout's schema (")
    assert run.stderr.endswith("which the benchmark migrates itself.\n") and run.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())
    with psycopg.connect(empty_database) as database:
        tables = database.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert tables == [("someone_elses",)]  # not migrated


@pytest.mark.postgres
def test_a_database_that_is_not_there_is_named_in_one_sentence(tmp_path):
    run = _command_line(_database_url("lt_benchmark_not_there"), "--output-dir", str(tmp_path))
    assert run.returncode == 1
    assert run.stderr.startswith("benchmark: Cannot connect to the database lt_benchmark_not_there (")
    assert run.stderr.endswith("or point DATABASE_URL at one that is there.\n") and run.stderr.count("\n") == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_skip_build_without_earlier_data_says_to_build(tmp_path, capsys):
    assert main(["--skip-build", "--output-dir", str(tmp_path)]) == 1
    name = connection.settings_dict["NAME"]
    assert capsys.readouterr().err == (
        f"benchmark: There is no benchmark data to reuse in the database {name}: run without --skip-build.\n"
    )


def _queued(broker_url: str, queue: str) -> int:
    from kombu import Connection

    with Connection(broker_url) as conn:
        return conn.default_channel.client.llen(queue)


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_connections_reset")
def test_with_a_broker_the_web_processes_queue_the_e_mails_to_the_benchmark_queue_which_it_empties(
    monkeypatch, tmp_path
):
    """The queue comes from the benchmark's own settings (tools/benchmark/settings.py), not the product's."""
    broker_url = os.environ["LABTORGET_TEST_BROKER_URL"]
    queued_before_dropping = []
    drop = benchmark.drop_bench_emails

    def counting_drop(url):
        queued_before_dropping.append(_queued(url, CELERY_QUEUE))
        drop(url)

    monkeypatch.setattr(benchmark, "drop_bench_emails", counting_drop)
    status = main([
        "--resources", "20", "--bookings", "20", "--clients", "1", "--http-seconds", "1", "--sql-seconds", "0.5",
        "--rounds", "1", "--searches", "1", "--workers", "1", "--port", str(_free_port()), "--broker-url", broker_url,
        "--output-dir", str(tmp_path),
    ])  # fmt: skip
    assert status == 0
    assert queued_before_dropping[0] > 0
    assert _queued(broker_url, CELERY_QUEUE) == 0


def test_only_the_benchmark_settings_name_the_benchmark_queue():
    from config import settings as product
    from tools.benchmark import settings as bench

    assert bench.CELERY_TASK_DEFAULT_QUEUE == CELERY_QUEUE
    assert not hasattr(product, "CELERY_TASK_DEFAULT_QUEUE")  # production uses Celery's default queue
    assert bench.DATABASES is product.DATABASES  # the rest is the product's


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_overlap_check_finds_overlapping_active_bookings_when_nothing_prevents_them():
    """The control for the report's zero: with the exclusion constraint gone, two active bookings that overlap
    (the second starts inside the first's changeover buffer) are counted, and a cancelled one is not."""
    benchmark.build(benchmark.BenchConfig(resources=10, bookings=10))
    resource_id = benchmark.bench_resource_ids()[0]
    user_id = benchmark.scalar(f"SELECT min(id) FROM ({benchmark.BENCH_USERS}) AS u")
    start = datetime.datetime(2031, 3, 3, 9, tzinfo=datetime.UTC)
    hour = datetime.timedelta(hours=1)
    insert = (
        'INSERT INTO booking_booking (resource_id, user_id, start, "end", blocked_until, status, activity, '
        "access_model, purpose, payer_name, payer_org_number, currency, created_at, updated_at, price_tier, "
        "price_unit, decision_reason, vat_category, vat_reason_code, vat_reason) VALUES (%s, %s, %s, %s, %s, %s, "
        "'economic', 'rental', '', '', '', 'NOK', now(), now(), '', '', '', 'S', '', '')"
    )
    assert benchmark.scalar(benchmark.OVERLAP_CHECK_SQL) == 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE booking_booking DROP CONSTRAINT booking_no_overlapping_active_bookings")
            cursor.execute(insert, [resource_id, user_id, start, start + hour, start + 2 * hour, "confirmed"])
            cursor.execute(insert, [resource_id, user_id, start + hour, start + 2 * hour, start + 2 * hour, "pending"])
            cursor.execute(insert, [resource_id, user_id, start, start + hour, start + hour, "cancelled"])
        assert benchmark.scalar(benchmark.OVERLAP_CHECK_SQL) == 1
        transaction.set_rollback(True)
    assert benchmark.scalar(benchmark.OVERLAP_CHECK_SQL) == 0


@pytest.mark.django_db
def test_the_command_refuses_a_database_other_than_postgresql_in_one_sentence(settings, tmp_path, capsys):
    if settings.DATABASE_IS_POSTGRES:
        pytest.skip("runs on SQLite, the embedded default")
    assert main(["--output-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == "benchmark: The benchmark needs PostgreSQL (set DATABASE_URL=postgres://...).\n"


def test_the_command_wants_at_least_one_round(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--rounds", "0", "--output-dir", str(tmp_path)])
    assert exited.value.code == 2
    assert "--rounds must be at least 1" in capsys.readouterr().err


def test_the_stolen_share_is_read_from_the_steal_column(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  1000 10 300 5000 40 0 20 30 7 0\ncpu0 500 5 150 2500 20 0 10 15 3 0\n")
    assert benchmark.cpu_ticks(str(stat)) == (30, 6400)  # guest (7) is inside user already
    stat.write_text("cpu  1300 10 400 5100 40 0 20 230 7 0\n")
    assert benchmark.stolen_share((30, 6400), benchmark.cpu_ticks(str(stat))) == 0.286  # 200 of 700 ticks
    stat.write_text("cpu  1000 10 300 5000\n")  # a kernel that does not count stolen time
    assert benchmark.cpu_ticks(str(stat)) is None
    assert benchmark.cpu_ticks(str(tmp_path / "missing")) is None
    assert benchmark.stolen_share(None, (30, 6400)) is None


def test_a_client_that_fails_ends_the_measurement_and_the_others_go_on_where_they_stopped(settings):
    config = benchmark.BenchConfig(clients=2)
    slices = benchmark.Slices(config, list(range(10)), ("done",), first_day=200)

    def worker(index, stop):
        sequence = slices.sequences[index]
        try:
            while not stop.is_set() and sequence < slices.sequences[index] + 3:
                sequence += 1
        finally:
            slices.record(index, sequence, {"done": sequence - slices.sequences[index]})

    assert slices.run_slice(worker, 0.05, "done")[0] == 6
    assert slices.run_slice(worker, 0.05, "done")[0] == 6
    assert slices.sequences == [6, 6] and slices.totals == {"done": 12}

    def failing(index, stop):
        if index == 1:
            raise ConnectionResetError("the server went away")

    with pytest.raises(RuntimeError, match="the server went away"):
        slices.run_slice(failing, 0.05, "done")


@pytest.mark.parametrize("today", [datetime.date(2026, 11, 25), datetime.date(2026, 11, 28)])  # a Wednesday, a Saturday
def test_each_day_offset_is_its_own_weekday(today):
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        days = [benchmark.nth_weekday(offset) for offset in range(40)]
    assert all(day.weekday() < 5 for day in days)
    assert days == sorted(set(days))  # one day per offset, in order: no two offsets share a Monday
    assert (days[-1] - days[0]).days < 40 * 7 / 5 + 3
