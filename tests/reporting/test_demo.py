"""The statistics' demo data: a year of made-up use, marked as demo, idempotent, and figures to show."""

import pytest
from django.core.management import call_command

from booking.models import Booking
from intake.models import IntakeRequest
from reporting import demo, selectors
from reporting.choices import Dimension

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo_register", "--with-demo-users", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_year_of_demo_use_marked_and_idempotent(monkeypatch, django_assert_max_num_queries):
    monkeypatch.delenv("DEMO_USER_PASSWORD", raising=False)
    load()
    bookings = Booking.objects.filter(purpose=demo.BOOKING_PURPOSE)
    requests = IntakeRequest.objects.filter(description=demo.REQUEST_DESCRIPTION)
    counts = (bookings.count(), requests.count())
    assert counts[0] > 1000 and counts[1] == demo.REQUESTS
    assert not bookings.filter(resource__facility__institution__is_demo=False).exists()
    assert all(name.endswith("(demodata)") for name in bookings.exclude(payer_name="").values_list(
        "payer_name", flat=True).distinct())  # fmt: skip

    load()  # again: nothing new
    assert (bookings.count(), requests.count()) == counts

    year = selectors.statistics_years()[0]
    institutions = selectors.statistics_table(year=year, quarter=0, dimension=Dimension.INSTITUTION)
    assert all(row.is_demo for row in institutions)
    ranked = [row for row in institutions if row.figures["rank"] is not None]
    assert len(ranked) >= 3  # the universities whose demo facilities have bookable resources
    national = selectors.statistics_national(year=year, quarter=0).figures
    assert national["distinct_companies"] >= 10 and national["industry_requests"] > 0


def test_without_demo_users_no_statistics_demo(monkeypatch):
    monkeypatch.delenv("DEMO_USER_PASSWORD", raising=False)
    call_command("load_demo_register", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Booking.objects.filter(purpose=demo.BOOKING_PURPOSE).exists()
