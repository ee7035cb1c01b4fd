"""The demo register has federated resources whose feeds the demo serves itself."""

import pytest
from django.test import Client

from booking.models import BookingPolicy
from calendars.demo import DEMO_FEEDS, demo_feed
from calendars.models import ExternalBusyInterval, ExternalCalendar
from catalogue.models import Resource
from catalogue.signals import demo_register_loaded
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_loading_the_demo_federates_a_few_resources_and_reads_their_feeds_at_once():
    resources = [ResourceFactory() for _ in range(5)]
    for _ in range(2):  # loading twice changes nothing
        demo_register_loaded.send(sender=Resource, resources=resources, with_demo_users=False)
    calendars = ExternalCalendar.objects.all()
    assert calendars.count() == len(DEMO_FEEDS)
    assert all(calendar.last_success_at and calendar.busy_count for calendar in calendars)
    assert ExternalBusyInterval.objects.values("resource").distinct().count() == len(DEMO_FEEDS)
    local = BookingPolicy.objects.filter(booked_in_local_system=True)
    assert local.count() == 1 and local.get().resource_id in calendars.values_list("resource_id", flat=True)


def test_the_demo_serves_its_feeds_and_they_read_as_calendars():
    name = next(iter(DEMO_FEEDS))
    response = Client().get(f"/calendars/demo/{name}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert response.content == demo_feed(name)
    assert Client().get("/calendars/demo/unknown.ics").status_code == 404
