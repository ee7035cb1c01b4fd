"""Cancelling asks first and says what it costs; a booking can be added to one's own calendar (.ics)."""

import datetime

import pytest
from django.test import Client
from icalendar import Calendar

from booking import services
from booking.choices import BookingStatus
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.factories import UserFactory
from tests.pricing.factories import hourly_price_list

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def priced(db):
    policy = BookingPolicyFactory(cancellation_deadline_hours=72, requires_approval=False)
    hourly_price_list(
        policy.resource, valid_from=datetime.date(2000, 1, 1), valid_to=None,
        internal="100", non_economic="800", economic="1000",
    )  # fmt: skip
    return policy.resource


@pytest.fixture
def customer(db):
    return UserFactory(company_name="Biotek AS", org_number="988077917")


def book(resource, user, days):
    return services.booking_create(
        resource=resource, user=user, start=days_ahead(days, 10), end=days_ahead(days, 12),
        activity="economic", access_model="rental", purpose="",
    )  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("days_ahead_", "says"),
    [
        (10, "Cancelling is free: the deadline has not passed."),
        (2, f"cancelling now is charged (NOK{NBSP}2,500.00)"),  # inside the 72-hour deadline
    ],
)
def test_the_cancel_button_asks_first_and_states_the_charge(priced, customer, days_ahead_, says):
    booking = book(priced, customer, days_ahead_)
    page = client_for(customer).get(f"/bookings/{booking.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert says in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # asking cancels nothing
    response = client_for(customer).post(f"/bookings/{booking.pk}/cancel/", {"reason": ""})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_my_bookings_links_to_the_confirmation_instead_of_cancelling_at_once(priced, customer):
    booking = book(priced, customer, 10)
    page = client_for(customer).get("/bookings/mine/").content.decode()
    assert f'href="/bookings/{booking.pk}/cancel/"' in page
    assert f'action="/bookings/{booking.pk}/cancel/"' not in page


def test_someone_else_cannot_open_the_confirmation(priced, customer):
    booking = book(priced, customer, 10)
    assert client_for(UserFactory()).get(f"/bookings/{booking.pk}/cancel/").status_code == 404  # as a missing one


def test_add_to_calendar_gives_the_booking_with_its_times(priced, customer):
    booking = book(priced, customer, 10)
    page = client_for(customer).get(f"/bookings/{booking.pk}/").content.decode()
    assert f'href="/bookings/{booking.pk}/booking.ics"' in page
    response = client_for(customer).get(f"/bookings/{booking.pk}/booking.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert len(events) == 1
    assert events[0].decoded("dtstart") == booking.start and events[0].decoded("dtend") == booking.end
    assert priced.name in str(events[0]["summary"])


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("stranger", 404), ("anonymous", 302)])
def test_only_who_may_see_the_booking_gets_its_calendar_file(priced, customer, who, status):
    booking = book(priced, customer, 10)
    client = {"owner": client_for(customer), "stranger": client_for(UserFactory()), "anonymous": Client()}[who]
    assert client.get(f"/bookings/{booking.pk}/booking.ics").status_code == status


def test_a_pending_booking_says_it_waits_for_a_manager_never_invoiced(customer):
    policy = BookingPolicyFactory(requires_approval=True)
    booking = book(policy.resource, customer, 10)
    assert booking.status == BookingStatus.PENDING
    page = client_for(customer).get(f"/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="badge pending" id="booking-status">Pending approval<' in page
    assert "A manager has not answered yet" in page
    assert "Invoiced" not in page
