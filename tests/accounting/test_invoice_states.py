"""What reaches the invoice basis in each state of a booking: completed use and chargeable cancellations do;
nothing pending or confirmed (not yet chargeable), refused, expired or cancelled for free ever does."""

import datetime
from decimal import Decimal

import pytest

from accounting import selectors
from booking import services
from booking.choices import BookingStatus
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory
from tests.factories import FacilityManagerFactory, UserFactory
from tests.helpers import oslo
from tests.pricing.factories import hourly_price_list

pytestmark = pytest.mark.django_db

D = Decimal
SNAPSHOT = {
    "payer_name": "Eksempel AS", "payer_org_number": "988077917", "price_tier": "external_economic",
    "price_unit": "hour", "unit_price": D("1000.00"), "quantity": D("2.00"), "net_amount": D("2000.00"),
    "vat_rate": D("0.25"), "vat_amount": D("500.00"), "total_amount": D("2500.00"),
}  # fmt: skip
CHARGED = {"charged_net_amount": D("2000.00"), "charged_vat_amount": D("500.00"), "charged_total_amount": D("2500.00")}
FREE = {"charged_net_amount": D("0"), "charged_vat_amount": D("0"), "charged_total_amount": D("0")}
LATE = {"charged_net_amount": D("1000.00"), "charged_vat_amount": D("250.00"), "charged_total_amount": D("1250.00")}

# (status, charged amounts, the total the invoice basis shows, or None when the booking is not in it)
STATES = [
    (BookingStatus.PENDING, {}, None),
    (BookingStatus.PENDING, CHARGED, None),  # a snapshot copied by an earlier release still is not chargeable
    (BookingStatus.CONFIRMED, {}, None),
    (BookingStatus.CONFIRMED, CHARGED, None),
    (BookingStatus.REJECTED, CHARGED, None),
    (BookingStatus.EXPIRED, CHARGED, None),
    (BookingStatus.CANCELLED, FREE, None),
    (BookingStatus.CANCELLED, {}, None),
    (BookingStatus.CANCELLED, LATE, D("1250.00")),
    (BookingStatus.COMPLETED, CHARGED, D("2500.00")),
    (BookingStatus.COMPLETED, {}, D("2500.00")),  # completed before charged amounts were set: the snapshot
    (BookingStatus.NO_SHOW, CHARGED, D("2500.00")),
]


@pytest.mark.parametrize("status, charged, total", STATES)
def test_the_invoice_basis_holds_only_what_is_chargeable(status, charged, total):
    booking = BookingFactory(status=status, start=oslo(2026, 3, 2, 9), **SNAPSHOT, **charged)
    basis = selectors.invoice_basis(
        facility_ids=[booking.resource.facility_id], first_day=datetime.date(2026, 3, 1),
        last_day=datetime.date(2026, 3, 31),
    )  # fmt: skip
    lines = [line for payer in basis.payers for line in payer.lines]
    if total is None:
        assert lines == [] and basis.total_amount == 0
        assert booking.charge_state != "chargeable"
    else:
        assert [(line.booking_id, line.total_amount) for line in lines] == [(booking.pk, total)]
        assert booking.charge_state == "chargeable"


def test_a_booking_reaches_the_invoice_basis_once_its_use_is_recorded():
    policy = BookingPolicyFactory()
    resource = policy.resource
    hourly_price_list(resource, valid_from=datetime.date(2020, 1, 1), valid_to=None, internal="1", non_economic="2",
                      economic="1000")  # fmt: skip
    customer = UserFactory(company_name="Eksempel AS", org_number="988077917")
    start = days_ahead(2, 10)
    booking = services.booking_create(
        resource=resource, user=customer, start=start, end=start + datetime.timedelta(hours=2), activity="economic",
        access_model="rental",
    )  # fmt: skip
    period = {"facility_ids": [resource.facility_id], "first_day": start.date() - datetime.timedelta(days=1),
              "last_day": start.date() + datetime.timedelta(days=1)}  # fmt: skip
    assert selectors.invoice_basis(**period).payers == []  # confirmed: not yet chargeable

    assert services.bookings_complete_due(now=start + datetime.timedelta(hours=2)) == 1
    [payer] = selectors.invoice_basis(**period).payers
    assert [line.booking_id for line in payer.lines] == [booking.pk] and payer.total_amount == D("2500.00")

    manager = FacilityManagerFactory(facility=resource.facility).user
    services.booking_use_adjust(booking=booking, actor=manager, end=start + datetime.timedelta(hours=1),
                                reason="Stopped early", now=start + datetime.timedelta(hours=3))  # fmt: skip
    [payer] = selectors.invoice_basis(**period).payers
    assert payer.total_amount == D("1250.00")  # the used hour, priced again


def test_a_free_cancellation_never_reaches_the_invoice_basis():
    policy = BookingPolicyFactory()
    hourly_price_list(policy.resource, valid_from=datetime.date(2020, 1, 1), valid_to=None, internal="1",
                      non_economic="2", economic="1000")  # fmt: skip
    customer = UserFactory()
    start = days_ahead(5, 10)
    booking = services.booking_create(
        resource=policy.resource, user=customer, start=start, end=start + datetime.timedelta(hours=2),
        activity="economic", access_model="rental",
    )  # fmt: skip
    cancelled = services.booking_cancel(booking=booking, actor=customer)
    assert (cancelled.charged_total_amount, cancelled.charge_state) == (D("0.00"), "not_charged")
    basis = selectors.invoice_basis(facility_ids=[policy.resource.facility_id], first_day=start.date(),
                                    last_day=start.date())  # fmt: skip
    assert basis.payers == []
