"""Revenue split and invoice basis: sums of charged amounts of chargeable bookings, per payer, as CSV and JSON."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting import selectors
from booking.choices import BookingStatus
from catalogue.choices import InstitutionRoleKind
from tests.accounting.helpers import non_economic
from tests.booking.factories import BookingFactory, ServiceOrderFactory
from tests.factories import (
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    ResourceFactory,
)
from tests.helpers import oslo

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def world():
    """Two facilities of one institution, bookings of several payers, tiers, activities and statuses in 2026."""
    facility = FacilityFactory(name="Bildediagnostikk")
    other_facility = FacilityFactory(name="Genomikk", institution=facility.institution)
    microscope = ResourceFactory(facility=facility, name="Konfokalmikroskop")
    sequencer = ResourceFactory(facility=other_facility, name="Sekvenserer")
    ntnu = InstitutionFactory(name="NTNU", org_number="974767880")
    make = {
        # Eksempel AS, economic, 25 % VAT
        "completed": BookingFactory(
            charged=True, resource=microscope, start=oslo(2026, 3, 2, 9), hours=2, unit_price=D("1180.50")
        ),
        "no_show": BookingFactory(
            charged=True, resource=microscope, start=oslo(2026, 3, 3, 9), hours=1, status=BookingStatus.NO_SHOW
        ),
        "late_cancel": BookingFactory(
            charged=True,
            resource=microscope,
            start=oslo(2026, 3, 4, 9),
            hours=4,
            status=BookingStatus.CANCELLED,
            charged_net_amount=D("2000.00"),
            charged_vat_amount=D("500.00"),
            charged_total_amount=D("2500.00"),
        ),
        "sequencing": BookingFactory(
            charged=True,
            resource=sequencer,
            start=oslo(2026, 3, 20, 9),
            hours=3,
            unit_price=D("999.99"),
            price_unit="sample",
        ),
        # Another company
        "biotech": BookingFactory(
            charged=True,
            resource=sequencer,
            start=oslo(2026, 3, 31, 23, 30),
            hours=1,
            payer_name="Biotek Nord AS",
            payer_org_number="923609016",
            unit_price=D("1333.33"),
        ),
        # Another university, non-economic, no VAT: org number from the paying institution
        "university": BookingFactory(
            charged=True,
            resource=microscope,
            start=oslo(2026, 3, 10, 9),
            hours=5,
            **non_economic(payer_name="", payer_org_number="", payer_institution=ntnu, unit_price=D("850.00")),
        ),
    }
    # Not chargeable, or outside the period:
    for hour, status in enumerate(
        (BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.REJECTED, BookingStatus.EXPIRED), start=8
    ):  # separate slots: two active bookings of a resource may not overlap
        BookingFactory(charged=True, resource=microscope, start=oslo(2026, 3, 12, 2 * hour), status=status)
    BookingFactory(
        charged=True,
        resource=microscope,
        start=oslo(2026, 3, 13, 9),
        status=BookingStatus.CANCELLED,
        charged_net_amount=D("0"),
        charged_vat_amount=D("0"),
        charged_total_amount=D("0"),
    )
    BookingFactory(charged=True, resource=microscope, start=oslo(2026, 4, 1, 0, 0))  # April in Oslo
    BookingFactory(charged=True, resource=microscope, start=oslo(2026, 2, 28, 23, 59))  # February
    BookingFactory(
        charged=True, resource=ResourceFactory(), start=oslo(2026, 3, 5, 9)
    )  # another institution's facility
    BookingFactory(  # no price list: nothing to invoice
        charged=True,
        resource=microscope,
        start=oslo(2026, 3, 6, 9),
        unit_price=None,
        quantity=None,
        net_amount=None,
        vat_rate=None,
        vat_amount=None,
        total_amount=None,
        charged_net_amount=None,
        charged_vat_amount=None,
        charged_total_amount=None,
    )
    return {"facility": facility, "other_facility": other_facility, "institution": facility.institution, **make}


def march(world, scope="institution"):
    scope = (
        selectors.institution_scope(world["institution"].id)
        if scope == "institution"
        else (selectors.facility_scope(world["facility"].id))
    )
    return selectors.invoice_basis(
        facility_ids=scope.facility_ids, first_day=oslo(2026, 3, 1).date(), last_day=oslo(2026, 3, 31).date()
    )


def test_invoice_basis_totals_match_the_bookings_exactly(world):
    basis = march(world)
    chargeable = [world[k] for k in ("completed", "no_show", "late_cancel", "sequencing", "biotech", "university")]

    assert sorted(line.booking_id for p in basis.payers for line in p.lines) == sorted(b.id for b in chargeable)
    assert basis.net_amount == sum(b.charged_net_amount for b in chargeable)
    assert basis.vat_amount == sum(b.charged_vat_amount for b in chargeable)
    assert basis.total_amount == sum(b.charged_total_amount for b in chargeable)
    # By hand: 2×1180.50 + 1000 + 2000 + 3×999.99 + 1333.33 + 5×850 = 13 944.30 net
    assert basis.net_amount == D("13944.30")
    assert basis.vat_amount == D("2423.57")  # 590.25 + 250 + 500 + 749.99 + 333.33 (+ 0)
    assert basis.total_amount == D("16367.87")


def test_invoice_basis_groups_per_paying_organisation_with_org_numbers(world):
    payers = {p.org_number: p for p in march(world).payers}

    assert set(payers) == {"988077917", "923609016", "974767880"}
    assert payers["974767880"].name == "NTNU"
    assert payers["988077917"].total_amount == D("2951.25") + D("1250.00") + D("2500.00") + D("3749.96")
    assert payers["974767880"].vat_amount == D("0") and payers["974767880"].net_amount == D("4250.00")
    company = {line.booking_id: line for line in payers["988077917"].lines}
    late = company[world["late_cancel"].id]
    assert (late.quantity, late.unit, late.unit_price, late.net_amount) == (D("1"), "fixed", D("2000.00"), D("2000.00"))
    assert late.description == "Konfokalmikroskop – sen avbestilling"  # Bokmål first
    full = company[world["completed"].id]
    assert (full.quantity, full.unit, full.unit_price, full.vat_rate) == (D("2.00"), "hour", D("1180.50"), D("0.25"))
    assert full.date.isoformat() == "2026-03-02"


def test_facility_scope_leaves_out_the_other_facilities(world):
    basis = march(world, scope="facility")
    assert {line.resource_name for p in basis.payers for line in p.lines} == {"Konfokalmikroskop"}


def test_invoice_basis_is_two_queries_however_many_lines(world, django_assert_num_queries):
    """One for the bookings, one for the delivered service orders."""
    facility_ids = selectors.institution_scope(world["institution"].id).facility_ids
    for day in (5, 6, 7):
        ServiceOrderFactory(
            resource=ResourceFactory(facility=world["facility"]), status="delivered", delivered_at=oslo(2026, 5, day)
        )
    with django_assert_num_queries(2):
        basis = selectors.invoice_basis(
            facility_ids=facility_ids, first_day=oslo(2026, 1, 1).date(), last_day=oslo(2026, 12, 31).date()
        )
    assert sum(len(p.lines) for p in basis.payers) == 8 + 3


def test_revenue_split_per_facility_and_activity(world):
    rows = selectors.revenue_split(facilities=[world["facility"], world["other_facility"]], year=2026)
    table = {(r.facility_name, r.activity): (r.bookings, r.net_amount, r.vat_amount, r.total_amount) for r in rows}

    # Bildediagnostikk economic: completed, no-show, late cancellation, plus the April and February bookings
    assert table[("Bildediagnostikk", "economic")] == (5, D("9361.00"), D("2340.25"), D("11701.25"))
    assert table[("Bildediagnostikk", "non_economic")] == (1, D("4250.00"), D("0.00"), D("4250.00"))
    assert table[("Genomikk", "economic")] == (2, D("4333.30"), D("1083.32"), D("5416.62"))
    assert table[("Genomikk", "non_economic")] == (0, D("0.00"), D("0.00"), D("0.00"))
    assert selectors.revenue_split(facilities=[world["facility"]], year=2025)[0].bookings == 0


def manager_client(client, facility):
    manager = FacilityManagerFactory(facility=facility)
    client.force_login(manager.user)
    return client


def admin_client(client, institution):
    admin = InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.ADMIN)
    client.force_login(admin.user)
    return client


def test_invoice_basis_csv_is_semicolon_separated_with_decimal_comma(world, client):
    url = reverse("accounting:institution_invoice_basis_csv", args=[world["institution"].id])
    response = admin_client(client, world["institution"]).get(url, {"from": "2026-03-01", "to": "2026-03-31"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, lines = rows[0], [r for r in rows[1:] if r[3]]
    assert len(header) == 19 and len(lines) == 6  # … and the VAT category and its reason
    assert rows[-1][11:15] == ["13944,30", "", "2423,57", "16367,87"]
    completed = next(r for r in lines if r[3] == str(world["completed"].id))
    assert completed[2] == "988077917"
    assert completed[6] == "2026-03-02"
    assert completed[8:15] == ["2,00", "Time", "1180,50", "2361,00", "0,2500", "590,25", "2951,25"]


def test_invoice_basis_page_shows_the_period_and_units_in_bokmal(world, client):
    url = reverse("accounting:institution_invoice_basis", args=[world["institution"].id])
    response = admin_client(client, world["institution"]).get(url, {"from": "2026-03-01"})
    html = response.content.decode()
    assert 'name="from_date" value="2026-03-01"' in html
    assert 'name="to_date" value="2026-03-31"' in html  # the month, filled in when left out
    assert "<td>Time</td>" in html and "<td>hour</td>" not in html
    assert "988 077 917" in html  # the organisation number as Norwegians write it
    assert "<td>25 %</td>" in html and "0,2500" not in html  # the VAT rate as people read it


def test_invoice_basis_json_has_decimals_as_strings(world, client):
    url = reverse("api-v1:accounting-facility-invoice-basis", args=[world["facility"].id])
    response = manager_client(client, world["facility"]).get(url, {"from": "2026-03-01", "to": "2026-03-31"})

    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-03-01" and body["to"] == "2026-03-31"
    company = next(p for p in body["payers"] if p["org_number"] == "988077917")
    assert company["total_amount"] == "6701.25"
    assert body["net_amount"] == "9611.00"  # 2361 + 1000 + 2000 + 4250
    line = company["lines"][0]
    assert line["unit_price"] == "1180.50" and line["vat_rate"] == "0.2500" and line["quantity"] == "2.00"
    totals = sum(Decimal(p["total_amount"]) for p in body["payers"])
    assert format(totals, "f") == body["total_amount"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
        ({"from": "9999-12-01"}, "from"),
        ({"from": "0001-01-01", "to": "0001-12-31"}, "from"),
        ({"from": "2026-01-01", "to": "9999-01-01"}, "to"),
    ],
)
def test_bad_period_is_a_400_naming_the_parameter(world, client, query, field):
    url = reverse("api-v1:accounting-facility-invoice-basis", args=[world["facility"].id])
    response = manager_client(client, world["facility"]).get(url, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("url_name", ["accounting:facility_invoice_basis_csv", "api-v1:accounting-facility-ehf"])
def test_a_period_off_the_calendar_is_a_400_for_csv_and_ehf_too(world, client, url_name):
    url = reverse(url_name, args=[world["facility"].id])
    response = manager_client(client, world["facility"]).get(url, {"from": "9999-12-01", "org_number": "974760673"})
    assert response.status_code == 400


def test_bad_year_is_a_400_naming_the_parameter(world, client):
    url = reverse("api-v1:accounting-facility-revenue", args=[world["facility"].id])
    response = manager_client(client, world["facility"]).get(url, {"year": "twenty"})
    assert response.status_code == 400 and "year" in response.json()


def test_revenue_csv_and_json(world, client):
    client = admin_client(client, world["institution"])
    csv_response = client.get(
        reverse("accounting:institution_revenue_csv", args=[world["institution"].id]), {"year": 2026}
    )
    rows = list(csv.reader(io.StringIO(csv_response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 5
    assert (
        rows[1][0] == "Bildediagnostikk" and rows[1][1] == "2026" and rows[1][4:] == ["9361,00", "2340,25", "11701,25"]
    )

    body = client.get(reverse("api-v1:accounting-institution-revenue", args=[world["institution"].id]), {"year": 2026})
    assert body.status_code == 200
    assert body.json()["rows"][0] == {
        "facility": {"id": world["facility"].id, "name": "Bildediagnostikk"},
        "activity": "economic",
        "bookings": 5,
        "service_orders": 0,
        "net_amount": "9361.00",
        "vat_amount": "2340.25",
        "total_amount": "11701.25",
    }


def test_pages_render(world, client):
    client = admin_client(client, world["institution"])
    overview = client.get(reverse("accounting:institution", args=[world["institution"].id]), {"year": 2026})
    assert overview.status_code == 200
    assert "Bildediagnostikk" in overview.content.decode()
    page = client.get(
        reverse("accounting:institution_invoice_basis", args=[world["institution"].id]),
        {"from": "2026-03-01", "to": "2026-03-31"},
    )
    assert page.status_code == 200
    content = page.content.decode()
    assert "923609016" in content and "NTNU" in content and "ehf.xml" in content
    bad = client.get(reverse("accounting:institution_invoice_basis", args=[world["institution"].id]), {"from": "x"})
    assert bad.status_code == 400
    index = client.get(reverse("accounting:index"))
    assert index.status_code == 200 and world["institution"].name in index.content.decode()
