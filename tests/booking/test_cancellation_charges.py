"""What a cancellation costs, end to end: the price list gives the booking its price, the resource's cancellation
deadline decides what is charged, and the invoice basis shows it."""

import datetime
from decimal import Decimal

import pytest

from accounting.selectors import invoice_basis
from booking import selectors, services
from booking.choices import BookingStatus
from booking.models import Booking, BookingPolicy
from core.errors import ConflictError
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityManagerFactory, UserFactory
from tests.pricing.factories import hourly_price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(db):
    """A resource with a 24-hour cancellation deadline and 1 000 NOK/h for companies (economic use)."""
    policy = BookingPolicyFactory(cancellation_deadline_hours=24, requires_approval=False)
    hourly_price_list(
        policy.resource, valid_from=datetime.date(2000, 1, 1), valid_to=None,
        internal="100", non_economic="800", economic="1000",
    )  # fmt: skip
    return policy.resource


@pytest.fixture
def customer(db):
    return UserFactory(company_name="Biotek AS", org_number="988077917")


def book_two_hours(resource, user, days=5):
    return services.booking_create(
        resource=resource, user=user, start=days_ahead(days, 10), end=days_ahead(days, 12),
        activity="economic", access_model="rental", purpose="",
    )  # fmt: skip


def test_the_booking_keeps_the_price_it_was_made_at(priced, customer):
    booking = book_two_hours(priced, customer)
    assert booking.price_tier == "external_economic"
    assert (booking.net_amount, booking.vat_amount, booking.total_amount) == (
        Decimal("2000.00"), Decimal("500.00"), Decimal("2500.00"),
    )  # fmt: skip


def test_cancelling_before_the_deadline_is_free(priced, customer):
    booking = book_two_hours(priced, customer)
    early = booking.start - datetime.timedelta(hours=25)
    cancelled = services.booking_cancel(booking=booking, actor=customer, now=early)
    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.charged_total_amount == Decimal("0.00")
    assert cancelled.events.last().details["charged_total"] == "0.00"


def test_cancelling_after_the_deadline_is_charged_and_invoiced(priced, customer):
    booking = book_two_hours(priced, customer)
    late = booking.start - datetime.timedelta(hours=3)
    assert selectors.cancellation_is_charged(booking, now=late)
    cancelled = services.booking_cancel(booking=booking, actor=customer, now=late)
    assert cancelled.charged_total_amount == Decimal("2500.00")

    day = booking.start.date()
    basis = invoice_basis(facility_ids=[priced.facility_id], first_day=day, last_day=day)
    assert [payer.org_number for payer in basis.payers] == ["988077917"]
    assert basis.total_amount == Decimal("2500.00")


def test_a_share_of_the_price_when_configured(priced, customer, settings):
    settings.ACCOUNTING_LATE_CANCELLATION_SHARE = "0.5"
    booking = book_two_hours(priced, customer)
    cancelled = services.booking_cancel(
        booking=booking, actor=customer, now=booking.start - datetime.timedelta(hours=1)
    )
    assert (cancelled.charged_net_amount, cancelled.charged_vat_amount, cancelled.charged_total_amount) == (
        Decimal("1000.00"), Decimal("250.00"), Decimal("1250.00"),
    )  # fmt: skip


def test_the_facility_cancelling_for_its_own_reasons_charges_nothing(priced, customer):
    manager = FacilityManagerFactory(facility=priced.facility).user
    booking = book_two_hours(priced, customer)
    late = booking.start - datetime.timedelta(hours=2)
    assert services.booking_cancel(booking=booking, actor=manager, reason="Service", now=late).charged_total_amount == 0
    day = booking.start.date()
    assert invoice_basis(facility_ids=[priced.facility_id], first_day=day, last_day=day).payers == []


def test_a_manager_can_charge_a_late_cancellation_the_user_asked_for(priced, customer):
    manager = FacilityManagerFactory(facility=priced.facility).user
    booking = book_two_hours(priced, customer)
    late = booking.start - datetime.timedelta(hours=2)
    cancelled = services.booking_cancel(booking=booking, actor=manager, charge_late=True, now=late)
    assert cancelled.charged_total_amount == Decimal("2500.00")


def test_withdrawing_a_pending_request_is_always_free(priced, customer):
    priced.booking_policy.requires_approval = True
    priced.booking_policy.save()
    booking = book_two_hours(priced, customer, days=1)
    assert booking.status == BookingStatus.PENDING
    late = booking.start - datetime.timedelta(hours=1)
    assert selectors.cancellation_is_charged(booking, now=late) is False  # the page shows no warning
    assert services.booking_cancel(booking=booking, actor=customer, now=late).charged_total_amount == 0


def _deadline_in_days(resource, days):
    resource.booking_policy.cancellation_deadline_hours = days * 24
    resource.booking_policy.save()


def test_the_api_answers_with_the_charge(priced, customer, client):
    _deadline_in_days(priced, 30)  # every booking below is inside the deadline, whatever the time of day
    booking = book_two_hours(priced, customer)
    client.force_login(customer)
    response = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Plans changed"}, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["charged_total_amount"] == "2500.00"


def test_my_bookings_warns_before_a_charged_cancellation(priced, customer, client):
    _deadline_in_days(priced, 10)
    book_two_hours(priced, customer, days=5)  # inside the deadline
    book_two_hours(priced, customer, days=20)  # outside it
    client.force_login(customer)
    page = client.get("/bookings/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("The cancellation deadline has passed: cancelling now is charged (NOK\u00a02,500.00)") == 1


def test_the_book_page_shows_the_users_own_price_before_booking(priced, customer, client):
    client.force_login(customer)
    page = client.get(f"/resources/{priced.pk}/book/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # A company's rental, service or commissioned research is economic: the economic price plus VAT, and why.
    # Collaboration research is not open to it without an agreement, and there is no activity to choose.
    assert "Your price" in page
    assert "NOK\u00a01,000.00 per hour (NOK\u00a01,250.00 incl. VAT)" in page
    assert "NOK\u00a0800.00 per hour" not in page
    assert "is economic use" in page and "needs a collaboration agreement" in page
    assert 'name="activity"' not in page


def test_academics_of_the_institution_see_the_internal_price_and_why(priced, client):
    from tests.factories import AcademicUserFactory

    researcher = AcademicUserFactory(institution=priced.facility.institution)
    client.force_login(researcher)
    page = client.get(f"/resources/{priced.pk}/book/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "NOK\u00a0100.00 per hour" in page and "incl. VAT" not in page
    assert "member of the institution that owns the facility" in page


def test_the_deadline_is_the_resources_own(priced, customer):
    """Another resource, whose policy was made first, has no deadline at all: this one's 24 hours still count."""
    BookingPolicy.objects.filter(resource=priced).delete()
    other = BookingPolicyFactory(cancellation_deadline_hours=0)
    BookingPolicyFactory(resource=priced, cancellation_deadline_hours=24)
    assert other.pk < BookingPolicy.objects.get(resource=priced).pk
    booking = book_two_hours(priced, customer)
    late = booking.start - datetime.timedelta(hours=3)
    assert services.booking_cancel(booking=booking, actor=customer, now=late).charged_total_amount == Decimal("2500.00")


def test_without_a_booking_policy_a_booking_is_free_to_cancel_until_its_start(priced, customer):
    booking = book_two_hours(priced, customer)
    BookingPolicy.objects.filter(resource=priced).delete()  # the facility stopped taking bookings online
    booking = Booking.objects.get(pk=booking.pk)
    before = booking.start - datetime.timedelta(minutes=30)
    assert selectors.cancellation_is_charged(booking, now=before) is False  # no warning either
    cancelled = services.booking_cancel(booking=booking, actor=customer, reason="Plans changed", now=before)
    assert (cancelled.status, cancelled.charged_total_amount) == (BookingStatus.CANCELLED, Decimal("0.00"))
    event = cancelled.events.last()
    assert (event.reason, cancelled.decision_reason) == ("Plans changed", "Plans changed")


def test_a_booking_without_a_price_is_cancelled_without_a_charge(customer):
    booking = book_two_hours(BookingPolicyFactory().resource, customer)  # no price list
    cancelled = services.booking_cancel(booking=booking, actor=customer, now=booking.start)
    assert cancelled.charged_total_amount is None
    assert cancelled.events.last().details == {"charged_total": None}


def test_a_cancelled_booking_cannot_be_cancelled_again(priced, customer):
    booking = book_two_hours(priced, customer)
    services.booking_cancel(booking=booking, actor=customer, now=booking.start - datetime.timedelta(hours=48))
    with pytest.raises(ConflictError) as caught:
        services.booking_cancel(booking=booking, actor=customer, now=booking.start - datetime.timedelta(hours=3))
    assert caught.value.code == "not_active"
    booking.refresh_from_db()
    assert booking.charged_total_amount == Decimal("0.00")  # the free cancellation stands
