"""What a user meets on the booking pages before and after they book."""

import pytest
from django.test import Client

from booking.models import Booking
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_book_page_states_the_notice_and_the_cancellation_deadline(company_user):
    policy = BookingPolicyFactory(min_notice_minutes=120, cancellation_deadline_hours=24)
    page = logged_in(company_user).get(f"/resources/{policy.resource.pk}/book/").content.decode()
    assert "minst 120 minutter" in page
    assert "24 timer før start" in page


def test_cancelling_never_redirects_to_another_site(resource, company_user):
    booking = BookingFactory(resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    response = logged_in(company_user).post(f"/bookings/{booking.pk}/cancel/", {"next": "https://evil.example/phish"})
    assert response.status_code == 302
    assert response["Location"] == "/bookings/mine/"
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_the_late_cancellation_message_shows_the_amount_the_norwegian_way(resource, company_user):
    booking = BookingFactory(
        resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12),
        net_amount="1000.00", total_amount="1250.00", charged_total_amount="1250.00",
    )  # fmt: skip
    resource.booking_policy.cancellation_deadline_hours = 24 * 30
    resource.booking_policy.save()
    page = logged_in(company_user).post(f"/bookings/{booking.pk}/cancel/", follow=True).content.decode()
    assert "1 250,00" in page or "1\xa0250,00" in page


def test_the_queue_says_one_request_in_the_singular(company_user):
    from tests.factories import FacilityManagerFactory

    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    booking = BookingFactory(
        resource=policy.resource, user=company_user, status="pending", start=days_ahead(3, 10), end=days_ahead(3, 12)
    )
    page = logged_in(manager).post("/bookings/queue/", {"ids": [booking.pk], "decision": "approve"}, follow=True)
    assert "1 forespørsel besvart." in page.content.decode()
