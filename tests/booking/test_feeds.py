import pytest
from django.test import Client
from icalendar import Calendar

from booking import services
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory
from tests.factories import FacilityManagerFactory

pytestmark = pytest.mark.django_db


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_public_resource_feed_has_busy_times_only_in_utc(resource, company_user):
    booking = BookingFactory(
        resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), purpose="Hemmelig"
    )
    cancelled = BookingFactory(
        resource=resource, user=company_user, start=days_ahead(4, 10), end=days_ahead(4, 12), status="cancelled"
    )
    response = Client().get(f"/calendar/resources/{resource.pk}.ics")
    found = events(response)
    event = found[f"booking-{booking.pk}@127.0.0.1"]
    assert event.decoded("dtstart") == booking.start
    assert event.decoded("dtstart").utcoffset().total_seconds() == 0
    assert str(found[f"booking-{cancelled.pk}@127.0.0.1"]["status"]) == "CANCELLED"
    body = response.content.decode()
    assert "Hemmelig" not in body and company_user.email not in body and "Biotek" not in body


def test_uids_are_stable_between_fetches(resource):
    BookingFactory(resource=resource, start=days_ahead(3, 10), end=days_ahead(3, 12))
    first = events(Client().get(f"/calendar/resources/{resource.pk}.ics"))
    second = events(Client().get(f"/calendar/resources/{resource.pk}.ics"))
    assert set(first) == set(second)


def test_personal_feed_behind_a_renewable_token(resource, company_user, other_user):
    mine = BookingFactory(resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    BookingFactory(resource=resource, user=other_user, start=days_ahead(4, 10), end=days_ahead(4, 12))
    token = services.feed_token_get(user=company_user)
    found = events(Client().get(f"/calendar/private/{token.token}.ics"))
    assert list(found) == [f"booking-{mine.pk}@127.0.0.1"]
    renewed = services.feed_token_renew(user=company_user)
    assert Client().get(f"/calendar/private/{token.token}.ics").status_code == 404
    assert Client().get(f"/calendar/private/{renewed.token}.ics").status_code == 200


def test_facility_feed_for_managers_shows_who_booked(resource, company_user):
    manager = FacilityManagerFactory(facility=resource.facility).user
    BookingFactory(resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    token = services.feed_token_get(user=manager, facility=resource.facility)
    found = events(Client().get(f"/calendar/private/{token.token}.ics"))
    assert company_user.last_name in str(next(iter(found.values()))["summary"])
    manager.managed.all().delete()
    assert Client().get(f"/calendar/private/{token.token}.ics").status_code == 404


def test_public_feed_shows_closures_as_unavailable_without_their_reason(resource):
    from tests.booking.factories import ClosureFactory

    closure = ClosureFactory(
        resource=resource, start=days_ahead(5, 8), end=days_ahead(5, 12), kind="maintenance",
        internal_note="Bytter laser",
    )  # fmt: skip
    response = Client().get(f"/calendar/resources/{resource.pk}.ics")
    event = events(response)[f"closure-{closure.pk}@127.0.0.1"]
    assert event.decoded("dtstart") == closure.start and event.decoded("dtend") == closure.end
    assert str(event["summary"]) == "Unavailable / Utilgjengelig"
    assert "Bytter laser" not in response.content.decode() and "maintenance" not in response.content.decode()
