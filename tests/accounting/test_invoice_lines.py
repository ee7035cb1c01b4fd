"""What each line of the invoice basis says and whom it is grouped under, as the person who sends the invoice reads
it: the resource and why it is charged, the booking's state, activity and tier, who booked, the VAT rate, a unit
always; one payer per organisation number, and by name only where there is none; the smallest charge still billed.
Each test fails when its rule is changed the way mutation testing changed it."""

import datetime
from decimal import Decimal

import pytest

from accounting import selectors
from booking.choices import BookingStatus
from booking.services.changes import payer_fields
from tests.booking.factories import BookingFactory
from tests.factories import AcademicUserFactory, InstitutionFactory, ResourceFactory, UserFactory
from tests.helpers import oslo

pytestmark = pytest.mark.django_db

D = Decimal
START = oslo(2026, 3, 2, 9)
SNAPSHOT = {
    "payer_name": "Eksempel AS", "payer_org_number": "988077917", "price_tier": "external_economic",
    "price_unit": "hour", "unit_price": D("1000.00"), "quantity": D("2.00"), "net_amount": D("2000.00"),
    "vat_rate": D("0.25"), "vat_amount": D("500.00"), "total_amount": D("2500.00"),
    "activity": "economic",
}  # fmt: skip


@pytest.fixture
def resource(db):
    return ResourceFactory(name="Massespektrometer")


def charged(resource, status=BookingStatus.COMPLETED, start=START, **fields):
    return BookingFactory(resource=resource, status=status, start=start, **{**SNAPSHOT, **fields})


def basis(resource):
    return selectors.invoice_basis(
        facility_ids=[resource.facility_id], first_day=datetime.date(2026, 3, 1), last_day=datetime.date(2026, 3, 31)
    )


def lines(resource):
    return [line for payer in basis(resource).payers for line in payer.lines]


LATE = {"charged_net_amount": D("1000.00"), "charged_vat_amount": D("250.00"), "charged_total_amount": D("1250.00")}


@pytest.mark.parametrize(
    ("status", "extra", "description"),
    [
        (BookingStatus.COMPLETED, {}, "Massespektrometer"),
        (BookingStatus.NO_SHOW, {}, "Massespektrometer – ikke møtt"),
        (BookingStatus.CANCELLED, LATE, "Massespektrometer – sen avbestilling"),
    ],
)
def test_each_line_says_what_is_charged_and_why(resource, status, extra, description):
    booking = charged(resource, status=status, **extra)
    (line,) = lines(resource)
    assert (line.description, line.resource_name, line.status) == (description, "Massespektrometer", status)
    assert (line.activity, line.tier) == ("economic", "external_economic")
    assert line.booked_by == booking.user.get_full_name()


def test_a_line_names_the_email_of_a_person_without_a_name(resource):
    user = UserFactory(first_name="", last_name="", email="lab@biotek.example")
    charged(resource, user=user)
    assert lines(resource)[0].booked_by == "lab@biotek.example"


def test_a_line_without_a_recorded_rate_shows_the_rate_of_its_vat(resource):
    charged(resource, vat_rate=None)
    (line,) = lines(resource)
    assert (line.vat_rate, line.vat_percent) == (D("0.25"), D("25.00"))


def test_a_line_keeps_the_vat_category_and_the_reason_its_booking_was_made_with(resource):
    """An exempt sale (the institution's VAT table) goes on the invoice with its category, VATEX code and reason."""
    charged(resource, vat_rate=D(0), vat_amount=D(0), total_amount=D("2000.00"), vat_category="E",
            vat_reason_code="VATEX-EU-J", vat_reason="Helsetjenester, mval. § 3-2")  # fmt: skip
    (line,) = lines(resource)
    assert (line.vat_category, line.vat_reason_code, line.vat_reason) == (
        "E", "VATEX-EU-J", "Helsetjenester, mval. § 3-2"
    )  # fmt: skip


def test_a_line_always_names_a_unit(resource):
    charged(resource, price_unit="")
    (line,) = lines(resource)
    assert (line.unit, line.quantity, line.unit_price) == ("fixed", D("2.00"), D("1000.00"))


@pytest.mark.parametrize("total", [D("0.01"), D("1.00")])
def test_the_smallest_charge_is_still_invoiced(resource, total):
    small = {"net_amount": total, "vat_amount": D("0"), "total_amount": total, "quantity": None, "unit_price": None}
    charged(resource, **small)
    assert [line.total_amount for line in lines(resource)] == [total]
    booking_ids = [line.booking_id for line in lines(resource)]
    credited = selectors.invoice_basis_of_bookings(facility_ids=[resource.facility_id], booking_ids=booking_ids)
    assert credited.total_amount == total


def test_a_credit_note_takes_only_bookings_of_the_facilities_asked_for(resource):
    here = charged(resource)
    elsewhere = charged(ResourceFactory())
    credited = selectors.invoice_basis_of_bookings(
        facility_ids=[resource.facility_id], booking_ids=[here.pk, elsewhere.pk]
    )
    assert [line.booking_id for payer in credited.payers for line in payer.lines] == [here.pk]


# --- whom the lines are grouped under ----------------------------------------------------------------------------


def test_one_payer_per_organisation_number_whatever_name_it_booked_with(resource):
    """A company that changed its name between two bookings is invoiced once, under the number."""
    charged(resource, payer_name="Biotek AS")
    charged(resource, payer_name="Biotek Norge AS", start=START + datetime.timedelta(days=1))
    (payer,) = basis(resource).payers
    assert (payer.org_number, len(payer.lines)) == ("988077917", 2)


def test_payers_without_an_organisation_number_are_told_apart_by_name(resource):
    charged(resource, payer_name="Acme Ltd", payer_org_number="")
    charged(resource, payer_name="Globex GmbH", payer_org_number="")
    payers = basis(resource).payers
    assert [(payer.name, payer.org_number, len(payer.lines)) for payer in payers] == [
        ("Acme Ltd", "", 1),
        ("Globex GmbH", "", 1),
    ]


def test_an_institution_pays_under_its_own_name_and_number(resource):
    institution = InstitutionFactory(name="Universitetet i Oslo", org_number="971035854")
    charged(resource, payer_name="", payer_org_number="", payer_institution=institution)
    (payer,) = basis(resource).payers
    assert (payer.name, payer.org_number) == ("Universitetet i Oslo", "971035854")


def test_an_academic_booking_is_invoiced_to_the_verified_institution_under_its_number(resource):
    """The booking records the institution's number as its payer's (payer_fields); an institution is invoiced
    whatever number it carries, and is never held back as an unverified company would be."""
    institution = InstitutionFactory(name="Universitetet i Oslo", org_number="971035854")
    academic = AcademicUserFactory(institution=institution)
    charged(resource, user=academic, **payer_fields(academic))
    found = basis(resource)
    assert [(payer.name, payer.org_number, len(payer.lines)) for payer in found.payers] == [
        ("Universitetet i Oslo", "971035854", 1)
    ]
    assert found.held == []


def test_a_booking_without_any_payer_is_still_listed_under_no_name(resource):
    charged(resource, payer_name="", payer_org_number="", payer_institution=None)
    (payer,) = basis(resource).payers
    assert (payer.name, payer.org_number, len(payer.lines)) == ("", "", 1)
