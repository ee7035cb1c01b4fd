"""A delivered service order is charged: it is a line of the invoice basis at its stored amounts for its payer
(held while the paying organisation is unverified), and counts in the revenue split by its activity. An ordered
(or cancelled) one is never charged."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting import selectors
from accounts.choices import RegisterState
from accounts.models import Organisation
from booking import services
from booking.choices import Activity
from tests.booking.factories import BookingFactory, ServiceOrderFactory
from tests.factories import FacilityFactory, FacilityManagerFactory, ResourceFactory, UserFactory
from tests.helpers import oslo

pytestmark = pytest.mark.django_db

D = Decimal
MAY = {"first_day": oslo(2026, 5, 1).date(), "last_day": oslo(2026, 5, 31).date()}


@pytest.fixture
def facility():
    return FacilityFactory(name="Massespektrometri")


@pytest.fixture
def resource(facility):
    return ResourceFactory(facility=facility, name="Orbitrap")


@pytest.fixture
def manager(facility):
    return FacilityManagerFactory(facility=facility).user


def deliver(order, manager, day=4):
    return services.service_order_deliver(order=order, actor=manager, now=oslo(2026, 5, day, 14))


def basis(facility):
    return selectors.invoice_basis(facility_ids=[facility.id], **MAY)


def test_a_delivered_order_is_a_line_for_its_payer_at_its_amounts(facility, resource, manager):
    order = deliver(ServiceOrderFactory(resource=resource), manager)
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 5, 6, 9), hours=2)

    payer = basis(facility).payer("988077917")
    line = next(line for line in payer.lines if line.service_order_id == order.pk)
    assert (line.quantity, line.unit, line.unit_price) == (D("5.00"), "sample", D("2000.00"))
    assert (line.net_amount, line.vat_amount, line.total_amount) == (D("10000.00"), D("2500.00"), D("12500.00"))
    assert line.date == oslo(2026, 5, 4).date() and line.booking_id is None
    assert line.item_id == f"service-order-{order.pk}"
    assert line.description == "Orbitrap – Analyse av prøver"
    assert payer.total_amount == D("12500.00") + D("2500.00")  # the order and the booking


def test_an_ordered_or_cancelled_order_is_not_on_the_invoice_basis(facility, resource, manager):
    ServiceOrderFactory(resource=resource)  # ordered, never delivered
    cancelled = ServiceOrderFactory(resource=resource)
    services.service_order_cancel(order=cancelled, actor=manager, now=oslo(2026, 5, 4, 14))
    assert basis(facility).payers == [] and basis(facility).held == []


def test_an_order_delivered_outside_the_period_is_not_in_it(facility, resource, manager):
    deliver(ServiceOrderFactory(resource=resource), manager, day=4)
    june = selectors.invoice_basis(
        facility_ids=[facility.id], first_day=oslo(2026, 6, 1).date(), last_day=oslo(2026, 6, 30).date()
    )
    assert june.payers == []


def test_an_order_of_an_unverified_organisation_is_held(facility, resource, manager):
    Organisation.objects.create(org_number="912345670", name="Ukjent AS", register_state=RegisterState.UNVERIFIED)
    order = ServiceOrderFactory(
        resource=resource, payer_name="Ukjent AS", payer_org_number="912345670",
        payer_organisation=Organisation.objects.get(org_number="912345670"),
    )  # fmt: skip
    deliver(order, manager)
    found = basis(facility)
    assert found.payers == [] and found.total_amount == 0
    assert [line.service_order_id for line in found.held[0].lines] == [order.pk]


def test_the_invoice_basis_page_and_api_show_the_order(facility, resource, manager, client):
    deliver(ServiceOrderFactory(resource=resource), manager)
    client.force_login(manager)
    page = client.get(reverse("accounting:facility_invoice_basis", args=[facility.id]), {"from": "2026-05-01"})
    assert "Orbitrap – Analyse av prøver" in page.content.decode()
    api = client.get(
        reverse("api-v1:accounting-facility-invoice-basis", args=[facility.id]),
        {"from": "2026-05-01", "to": "2026-05-31"},
    )
    line = api.json()["payers"][0]["lines"][0]
    assert (line["booking"], line["total_amount"]) == (None, "12500.00")
    assert line["service_order"] is not None


@pytest.mark.parametrize(
    "activity, economic_change, non_economic_change",
    [(Activity.ECONOMIC, D("10000.00"), D("0.00")), (Activity.NON_ECONOMIC, D("0.00"), D("10000.00"))],
)
def test_the_revenue_split_changes_by_the_delivered_order_net_amount(
    facility, resource, manager, activity, economic_change, non_economic_change
):
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=2)

    def split():
        rows = selectors.revenue_split(facilities=[facility], year=2026)
        return {r.activity: r.net_amount for r in rows}

    before = split()
    order = ServiceOrderFactory(resource=resource, activity=activity)
    assert split() == before  # ordered: not yet counted
    deliver(order, manager)
    after = split()
    assert after["economic"] - before["economic"] == economic_change
    assert after["non_economic"] - before["non_economic"] == non_economic_change


def test_the_revenue_api_shows_the_delivered_economic_order(facility, resource, manager, client):
    client.force_login(manager)
    url = reverse("api-v1:accounting-facility-revenue", args=[facility.id])

    def economic_row():
        return next(r for r in client.get(url, {"year": 2026}).json()["rows"] if r["activity"] == "economic")

    ordered = ServiceOrderFactory(resource=resource)
    assert economic_row()["net_amount"] == "0.00"
    deliver(ordered, manager)
    row = economic_row()
    assert (row["net_amount"], row["total_amount"], row["service_orders"]) == ("10000.00", "12500.00", 1)


def test_the_order_line_says_what_was_delivered_by_whom_under_which_vat(facility, resource, manager):
    by_email = UserFactory(first_name="", last_name="", email="lab@eksempel.no")
    order = deliver(
        ServiceOrderFactory(
            resource=resource, user=by_email, description="x" * 600, vat_rate=D("0"), vat_category="E",
            vat_reason_code="VATEX-EU-132", vat_reason="Unntatt etter § 3-2", price_tier="external_economic",
        ),
        manager,
    )  # fmt: skip
    line = basis(facility).payer("988077917").lines[0]
    assert line.service_order_id == order.pk
    assert (line.facility_name, line.resource_name, line.status) == ("Massespektrometri", "Orbitrap", "delivered")
    assert (line.activity, line.tier, line.currency, line.booked_by) == (
        "economic", "external_economic", "NOK", "lab@eksempel.no",
    )  # fmt: skip
    assert (line.vat_category, line.vat_reason_code, line.vat_reason) == ("E", "VATEX-EU-132", "Unntatt etter § 3-2")
    assert line.description == ("Orbitrap – " + "x" * 600)[:500]


def test_an_order_at_an_agreed_lump_sum_is_one_unit_at_that_sum(facility, resource, manager):
    # 5 samples at 2 000 would be 10 000; the quote agreed 9 000 for the lot, so the line is 1 × 9 000.
    deliver(ServiceOrderFactory(resource=resource, net_amount=D("9000.00")), manager)
    deliver(ServiceOrderFactory(resource=resource, price_unit="", quantity=D("1"), unit_price=D("500")), manager)
    lines = sorted(basis(facility).payer("988077917").lines, key=lambda line: line.net_amount)
    assert [(line.quantity, line.unit, line.unit_price, line.net_amount) for line in lines] == [
        (D("1"), "fixed", D("500.00"), D("500.00")),
        (D("1"), "fixed", D("9000.00"), D("9000.00")),
    ]


def test_only_delivered_orders_of_the_facility_in_the_period_with_a_price_are_invoiced(facility, resource):
    def delivered(at, **fields):
        return ServiceOrderFactory(status="delivered", delivered_at=at, **fields)

    delivered(oslo(2026, 5, 4, 14), resource=ResourceFactory(facility=FacilityFactory(name="Proteomikk")))
    delivered(oslo(2026, 6, 1, 0, 30), resource=resource)  # the night after the period, in Oslo
    delivered(oslo(2026, 5, 4, 14), resource=resource, unit_price=D("0"))  # free
    assert basis(facility).payers == []
    delivered(oslo(2026, 5, 31, 23, 30), resource=resource)
    assert len(basis(facility).payers[0].lines) == 1


def test_the_revenue_split_counts_the_orders_vat_too(facility, resource, manager):
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=2)
    before = {r.activity: r.vat_amount for r in selectors.revenue_split(facilities=[facility], year=2026)}
    deliver(ServiceOrderFactory(resource=resource), manager)
    after = {r.activity: r.vat_amount for r in selectors.revenue_split(facilities=[facility], year=2026)}
    assert after["economic"] - before["economic"] == D("2500.00")


def test_an_order_without_a_description_or_of_one_krone_is_still_a_line(facility, resource, manager):
    deliver(ServiceOrderFactory(resource=resource, description="", quantity=D("1"), unit_price=D("0.80")), manager)
    line = basis(facility).payer("988077917").lines[0]
    assert (line.description, line.total_amount) == ("Orbitrap", D("1.00"))
