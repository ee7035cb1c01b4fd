"""The week calendar offers only time that can still be booked: not the past, not inside the minimum notice."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from booking.views import week_calendar
from tests.helpers import OSLO

pytestmark = pytest.mark.django_db


def test_free_time_before_the_minimum_notice_is_not_offered(resource, company_user):
    today = timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    days = week_calendar(resource, company_user, week_start)
    earliest = timezone.now() + datetime.timedelta(minutes=resource.booking_policy.min_notice_minutes)
    free = [i for day in days for i in day["intervals"] if i["free"]]
    assert free, "later days of the week (or next week's) are open"
    assert all(i["start"] >= earliest for i in free)
    assert all(i["start"].astimezone(OSLO).minute % resource.booking_policy.slot_minutes == 0 for i in free)
    assert [day["past"] for day in days] == [day["date"] < today for day in days]


def test_the_facility_page_links_no_slot_in_the_past(resource, company_user):
    client = Client()
    client.force_login(company_user)
    page = client.get(f"/facilities/{resource.facility.slug}/").content.decode()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert f"/resources/{resource.pk}/book/?start={yesterday.isoformat()}T" not in page
