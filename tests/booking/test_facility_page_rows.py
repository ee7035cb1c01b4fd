"""The facility page shows a week calendar under each bookable resource. It must cost the same number of queries
for two resources or six, and each row must still show its own resource's bookings, closures, training need and
links."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booking.views import week_calendar, week_calendars
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory, QualificationFactory
from tests.factories import AcademicUserFactory, FacilityFactory, FacilityManagerFactory, ResourceFactory, UserFactory
from tests.helpers import OSLO

pytestmark = pytest.mark.django_db

NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())


def _at(day_offset: int, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(NEXT_WEEK + datetime.timedelta(days=day_offset), datetime.time(hour), tzinfo=OSLO)


def _facility_with(count: int):
    """A facility with `count` bookable resources, each taken at a different hour on Tuesday of next week; every
    second one needs training; one resource has a preparedness closure on Wednesday, one is not bookable."""
    facility = FacilityFactory()
    resources = []
    for index in range(count):
        resource = ResourceFactory(facility=facility)
        policy = BookingPolicyFactory(resource=resource, requires_qualification=index % 2 == 1)
        BookingFactory(resource=policy.resource, start=_at(1, 8 + index), end=_at(1, 9 + index))
        resources.append(policy.resource)
    ClosureFactory(resource=resources[0], kind="preparedness", start=_at(2, 9), end=_at(2, 12))
    ResourceFactory(facility=facility, bookable=False)
    return facility, resources


def _page(user, facility) -> tuple[str, int]:
    client = Client()
    if user is not None:
        client.force_login(user)
    url = f"/facilities/{facility.slug}/?week={NEXT_WEEK.isoformat()}"
    client.get(url)  # the session and caches of a first visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _viewers(facility):
    manager = FacilityManagerFactory(facility=facility).user
    internal = AcademicUserFactory(institution=facility.institution)
    return {"anonymous": None, "company": UserFactory(), "internal": internal, "manager": manager}


@pytest.mark.parametrize("viewer", ["anonymous", "company", "internal", "manager"])
def test_the_page_costs_the_same_queries_for_two_resources_or_six(viewer):
    small, _ = _facility_with(2)
    large, _ = _facility_with(6)
    _, small_count = _page(_viewers(small)[viewer], small)
    _, large_count = _page(_viewers(large)[viewer], large)
    assert small_count == large_count


def test_each_row_shows_its_own_resource():
    facility, resources = _facility_with(4)
    viewers = _viewers(facility)
    QualificationFactory(user=viewers["company"], resource=resources[1])  # trained for one of the two that need it
    html, _ = _page(viewers["company"], facility)
    for resource in resources:
        assert reverse("booking:book", args=[resource.pk]) in html
    assert reverse("booking:request_training", args=[resources[1].pk]) not in html
    assert reverse("booking:request_training", args=[resources[3].pk]) in html
    assert reverse("booking:request_training", args=[resources[0].pk]) not in html  # needs no training
    assert reverse("booking:manage_calendar", args=[resources[0].pk]) not in html
    manager_html, _ = _page(viewers["manager"], facility)
    assert all(reverse("booking:manage_calendar", args=[r.pk]) in manager_html for r in resources)


@pytest.mark.parametrize("viewer", ["company", "internal"])
def test_calendars_built_together_equal_those_built_one_by_one(viewer):
    """Each resource's bookings and the closures that apply to the viewer (a preparedness reserve blocks only
    external users) land on that resource's calendar, and nowhere else."""
    facility, resources = _facility_with(4)
    user = _viewers(facility)[viewer]
    together = week_calendars(resources, user, NEXT_WEEK)
    assert together == {resource.pk: week_calendar(resource, user, NEXT_WEEK) for resource in resources}

    def busy(resource, day):
        return [(i["start"].hour, i["end"].hour) for i in together[resource.pk][day]["intervals"] if not i["free"]]

    assert [busy(resource, 1) for resource in resources] == [[(8 + i, 9 + i)] for i in range(4)]
    reserve = [(9, 12)] if viewer == "company" else []
    assert busy(resources[0], 2) == reserve and busy(resources[1], 2) == []


def test_each_row_offers_its_own_resource_and_an_unbookable_resource_none():
    facility, resources = _facility_with(4)
    hidden = BookingPolicyFactory(resource=ResourceFactory(facility=facility, bookable=False)).resource
    html, _ = _page(_viewers(facility)["company"], facility)
    rows = {
        re.search(r"<h3>(.*?) <span", row).group(1): row for row in html.split('<article class="card resource">')[1:]
    }
    for resource in resources:
        # Each row offers its own resource (the week itself is on the booking page) and its next free time.
        assert re.findall(r'href="/resources/(\d+)/book/"', rows[resource.name]) == [str(resource.pk)]
        assert "Neste ledige tid:" in rows[resource.name] or "Ingen ledig tid denne uken" in rows[resource.name]
    assert "booking-panel" not in rows[hidden.name]


def test_the_feeds_page_costs_the_same_queries_for_two_facilities_or_six():
    """A manager's private feed addresses: one per facility, made on the first visit, the same on the next."""

    def visit(count):
        user = AcademicUserFactory()
        for _ in range(count):
            FacilityManagerFactory(user=user)
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as first_visit:
            first = client.get("/bookings/feeds/").content.decode()
        with CaptureQueriesContext(connection) as second_visit:
            second = client.get("/bookings/feeds/").content.decode()
        addresses = re.findall(r"/calendar/private/[^\s\"<]+", first)
        assert len(set(addresses)) == count + 1  # the facilities' and the personal one
        assert re.findall(r"/calendar/private/[^\s\"<]+", second) == addresses
        return len(first_visit), len(second_visit)

    assert visit(2) == visit(6)
