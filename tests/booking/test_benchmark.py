"""The benchmark command, run end to end at a small scale: it builds its data, measures through a real gunicorn and
writes its report. Its figures are not checked here (speed is for the full runs); what a run reports is."""

import datetime
import json
import socket
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from booking import benchmark


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_small_run_measures_through_gunicorn_and_writes_its_report(tmp_path, capsys):
    call_command(
        "benchmark_booking", "--resources", "200", "--bookings", "2000", "--clients", "2", "--http-seconds", "1",
        "--sql-seconds", "1", "--rounds", "2", "--searches", "3", "--workers", "1", "--port", str(_free_port()),
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    printed = capsys.readouterr().out
    report = json.loads(printed[printed.index("{\n") :])

    assert report["data"] == {"bookable_resources": 200, "bookings": 2000}  # 20 facilities, one per category
    assert report["search"]["searches"] == 3 and report["search"]["mean_results"] > 0
    # token, resource, prices, BEGIN, the store, the e-mails, COMMIT
    assert report["create_path_queries"] == 7
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
        assert 0.4 < slice_["http_seconds"] < 2 and 0.4 < slice_["sql_seconds"] < 2
        http_rate = slice_["http_created"] / slice_["http_seconds"]
        assert slice_["http_bookings_per_second"] == pytest.approx(http_rate, rel=0.02)
        share = slice_["http_bookings_per_second"] / slice_["sql_inserts_per_second"]
        assert slice_["http_share_of_sql_rate"] == pytest.approx(share, abs=0.002)
        assert 0 <= slice_["http_stolen_cpu_share"] <= 1 and 0 <= slice_["sql_stolen_cpu_share"] <= 1
    assert 0 <= report["search"]["stolen_cpu_share"] <= 1
    (written,) = tmp_path.glob("booking-*.json")
    assert json.loads(written.read_text()) == {key: value for key, value in report.items() if key != "file"}
    # The measured bookings were made for the bench users; their e-mails are not left in the outbox.
    assert benchmark._scalar("SELECT count(*) FROM booking_outgoingemail") == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_overlap_check_finds_overlapping_active_bookings_when_nothing_prevents_them():
    """The control for the report's zero: with the exclusion constraint gone, two active bookings that overlap
    (the second starts inside the first's changeover buffer) are counted, and a cancelled one is not."""
    benchmark.build(benchmark.BenchConfig(resources=10, bookings=10))
    resource_id = benchmark._resource_ids()[0]
    user_id = benchmark._scalar(f"SELECT min(id) FROM ({benchmark.BENCH_USERS}) AS u")
    start = datetime.datetime(2031, 3, 3, 9, tzinfo=datetime.UTC)
    hour = datetime.timedelta(hours=1)
    insert = (
        'INSERT INTO booking_booking (resource_id, user_id, start, "end", blocked_until, status, activity, '
        "access_model, purpose, payer_name, payer_org_number, currency, created_at, updated_at, price_tier, "
        "price_unit, decision_reason) VALUES (%s, %s, %s, %s, %s, %s, 'economic', 'rental', '', '', '', 'NOK', "
        "now(), now(), '', '', '')"
    )
    assert benchmark._scalar(benchmark.OVERLAP_CHECK_SQL) == 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE booking_booking DROP CONSTRAINT booking_no_overlapping_active_bookings")
            cursor.execute(insert, [resource_id, user_id, start, start + hour, start + 2 * hour, "confirmed"])
            cursor.execute(insert, [resource_id, user_id, start + hour, start + 2 * hour, start + 2 * hour, "pending"])
            cursor.execute(insert, [resource_id, user_id, start, start + hour, start + hour, "cancelled"])
        assert benchmark._scalar(benchmark.OVERLAP_CHECK_SQL) == 1
        transaction.set_rollback(True)
    assert benchmark._scalar(benchmark.OVERLAP_CHECK_SQL) == 0


@pytest.mark.django_db
def test_the_command_refuses_a_database_other_than_postgresql(settings, tmp_path):
    if settings.DATABASE_IS_POSTGRES:
        pytest.skip("runs on SQLite, the embedded default")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("benchmark_booking", "--output-dir", str(tmp_path))


def test_the_command_wants_at_least_one_round(tmp_path):
    with pytest.raises(CommandError, match="--rounds"):
        call_command("benchmark_booking", "--rounds", "0", "--output-dir", str(tmp_path))


def test_the_stolen_share_is_read_from_the_steal_column(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  1000 10 300 5000 40 0 20 30 7 0\ncpu0 500 5 150 2500 20 0 10 15 3 0\n")
    assert benchmark._cpu_ticks(str(stat)) == (30, 6400)  # guest (7) is inside user already
    stat.write_text("cpu  1300 10 400 5100 40 0 20 230 7 0\n")
    assert benchmark._stolen_share((30, 6400), benchmark._cpu_ticks(str(stat))) == 0.286  # 200 of 700 ticks
    stat.write_text("cpu  1000 10 300 5000\n")  # a kernel that does not count stolen time
    assert benchmark._cpu_ticks(str(stat)) is None
    assert benchmark._cpu_ticks(str(tmp_path / "missing")) is None
    assert benchmark._stolen_share(None, (30, 6400)) is None


def test_a_client_that_fails_ends_the_measurement_and_the_others_go_on_where_they_stopped(settings):
    config = benchmark.BenchConfig(clients=2)
    slices = benchmark._Slices(config, list(range(10)), ("done",), first_day=200)

    def worker(index, stop):
        sequence = slices.sequences[index]
        try:
            while not stop.is_set() and sequence < slices.sequences[index] + 3:
                sequence += 1
        finally:
            slices._add(index, sequence, {"done": sequence - slices.sequences[index]})

    assert slices._slice(worker, 0.05, "done")[0] == 6
    assert slices._slice(worker, 0.05, "done")[0] == 6
    assert slices.sequences == [6, 6] and slices.totals == {"done": 12}

    def failing(index, stop):
        if index == 1:
            raise ConnectionResetError("the server went away")

    with pytest.raises(RuntimeError, match="the server went away"):
        slices._slice(failing, 0.05, "done")


@pytest.mark.parametrize("today", [datetime.date(2026, 11, 25), datetime.date(2026, 11, 28)])  # a Wednesday, a Saturday
def test_each_day_offset_is_its_own_weekday(today):
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        days = [benchmark._weekday(offset) for offset in range(40)]
    assert all(day.weekday() < 5 for day in days)
    assert days == sorted(set(days))  # one day per offset, in order: no two offsets share a Monday
    assert (days[-1] - days[0]).days < 40 * 7 / 5 + 3
